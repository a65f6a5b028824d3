//! A generated client's untagged union, run for real: the `untagged_unions` fixture becomes a
//! crate, and a test inside it decodes mixed values and re-serialises them. Had the union
//! taken the first object alternative that parses, the podcast would come back as an episode
//! with `publisher` hidden among its undeclared properties, and this would fail.

use std::process::Command;

use generator::Config;
use tests::project_root;

const DECODE_TEST: &str = r##"
use unions_client::types::{Episode, Pet, Podcast, SearchResponseItem};

#[test]
fn each_value_decodes_as_the_alternative_it_fits() {
    let json = r#"[{"id":"p1","publisher":"NPR"},{"id":"e1","audio":"a.mp3"},{"id":"x"},"text",7]"#;
    let items: Vec<SearchResponseItem> = serde_json::from_str(json).unwrap();
    match &items[0] {
        SearchResponseItem::Podcast(Podcast { id, publisher, extra }) => {
            assert_eq!((id.as_deref(), publisher.as_str()), (Some("p1"), "NPR"));
            assert!(extra.is_empty());
        }
        other => panic!("not a podcast: {other:?}"),
    }
    assert!(matches!(&items[1], SearchResponseItem::Episode(Episode { audio: Some(a), .. }) if a == "a.mp3"));
    // `publisher` is required of a podcast, so a bare id is an episode.
    assert!(matches!(&items[2], SearchResponseItem::Episode(_)));
    assert!(matches!(&items[3], SearchResponseItem::String(s) if s == "text"));
    assert!(matches!(items[4], SearchResponseItem::Integer(7)));
    // What was received is what is sent back: nothing was swallowed or invented.
    let again: serde_json::Value = serde_json::to_value(&items).unwrap();
    let received: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(again, received);
}

#[test]
fn a_discriminator_and_its_mapping_decide() {
    // By shape alone this is a dog (`bark` is declared there); the mapping says `kitty` is a cat.
    let json = r#"{"petType":"kitty","bark":true}"#;
    let pet: Pet = serde_json::from_str(json).unwrap();
    assert!(matches!(&pet, Pet::Cat(cat) if cat.pet_type == "kitty"), "{pet:?}");
    assert_eq!(serde_json::to_value(&pet).unwrap(), serde_json::from_str::<serde_json::Value>(json).unwrap());
    // The schemas' own names select them too, mapping or not.
    let pet: Pet = serde_json::from_str(r#"{"petType":"Dog","name":"Rex"}"#).unwrap();
    assert!(matches!(pet, Pet::Dog(_)), "{pet:?}");
    let pet: Pet = serde_json::from_str(r#"{"petType":"Cat","bark":false}"#).unwrap();
    assert!(matches!(pet, Pet::Cat(_)), "{pet:?}");
}

#[test]
fn a_value_no_alternative_fits_is_an_error_naming_the_union() {
    let error = serde_json::from_str::<SearchResponseItem>("true").unwrap_err();
    assert!(error.to_string().contains("SearchResponseItem"), "{error}");
}
"##;

#[test]
fn a_generated_union_decodes_by_best_fit() {
    let spec = project_root().join("tests/fixtures/ok/untagged_unions.yaml");
    let text = std::fs::read_to_string(&spec).expect("fixture");
    let mut config = Config::default();
    config.package.name = Some("unions-client".to_owned());
    let output = generator::generate(&text, &config).expect("generates");
    let target = project_root().join("target/generated-crates");
    let dir = target.join("unions-client");
    let _ = std::fs::remove_dir_all(&dir);
    for file in output.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("file in a folder")).expect("create dir");
        std::fs::write(&path, file.contents).expect("write generated file");
    }
    std::fs::create_dir_all(dir.join("tests")).expect("tests dir");
    std::fs::write(dir.join("tests/decode.rs"), DECODE_TEST).expect("write test");
    // Its own workspace with the project's lock file: nothing new to download.
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest");
    std::fs::write(dir.join("Cargo.toml"), format!("{manifest}\n[workspace]\n")).expect("manifest");
    std::fs::copy(project_root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["test", "--quiet", "--test", "decode"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target.join("test-target"))
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("run cargo test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the generated union's tests failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("3 passed"), "{stdout}");
}
