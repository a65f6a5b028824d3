//! `tag_features`: a cargo feature per tag, all on by default; with the defaults off a crate
//! compiles only the enabled tags' operations and the types they reach. Checked in the generated
//! text, then by building the crate and two applications under each choice of features.

use std::path::Path;
use std::process::Command;

use tests::project_root;

fn spec() -> String {
    std::fs::read_to_string(project_root().join("tests/fixtures/features/tagged.yaml"))
        .expect("spec")
}

fn generate(tag_features: bool) -> Vec<generator::GeneratedFile> {
    let mut config = generator::Config {
        tag_features,
        mock: true,
        ..generator::Config::default()
    };
    config.package.name = Some("tagged-client".to_owned());
    generator::generate(&spec(), &config)
        .expect("generates")
        .files
}

fn file<'a>(files: &'a [generator::GeneratedFile], path: &str) -> &'a str {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("{path}"))
}

/// The `#[cfg]` line just above the first line containing `item`, if any (docs skipped).
fn cfg_of(code: &str, item: &str) -> Option<String> {
    let lines: Vec<&str> = code.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.contains(item))
        .unwrap_or_else(|| panic!("no `{item}` in:\n{code}"));
    lines[..at]
        .iter()
        .rev()
        // A struct declared by `serde_struct! { .. }` or `request_builder! { .. }` is gated on
        // the macro's call.
        .take_while(|line| {
            let line = line.trim_start();
            line.starts_with("#[")
                || line.starts_with("///")
                || line == "serde_struct! {"
                || line == "request_builder! {"
        })
        .find(|line| line.trim_start().starts_with("#[cfg("))
        .map(|line| line.trim().to_owned())
}

/// The declaration of client method `name`, which the test expects to exist.
fn method(client: &str, name: &str) -> String {
    tests::client_method(client, name).unwrap_or_else(|| panic!("no `{name}` in:\n{client}"))
}

#[test]
fn each_item_is_gated_by_the_tags_that_reach_it() {
    let files = generate(true);
    let cargo = file(&files, "Cargo.toml");
    assert!(
        cargo.contains("default = [\"pets\", \"store-front\"]"),
        "{cargo}"
    );
    assert!(cargo.contains("\npets = []\n") && cargo.contains("\nstore-front = []\n"));

    let types = file(&files, "src/types.rs");
    let pets = Some("#[cfg(any(feature = \"pets\"))]".to_owned());
    let stores = Some("#[cfg(any(feature = \"store-front\"))]".to_owned());
    let both = Some("#[cfg(any(feature = \"pets\", feature = \"store-front\"))]".to_owned());
    assert_eq!(cfg_of(types, "pub struct Pet {"), pets);
    assert_eq!(cfg_of(types, "pub enum PetKind {"), pets);
    assert_eq!(cfg_of(types, "pub struct Store {"), stores);
    // Reached from both tags, and from the operation tagged with both.
    assert_eq!(cfg_of(types, "pub struct Address {"), both);
    assert_eq!(cfg_of(types, "pub struct Problem {"), both);
    assert_eq!(cfg_of(types, "pub type Inventory ="), both);
    // Reached by the untagged operation, or by none: always there.
    assert_eq!(cfg_of(types, "pub struct Health {"), None);
    assert_eq!(cfg_of(types, "pub struct Unused {"), None);
    // A type's impls go with it.
    assert_eq!(cfg_of(types, "string_enum!("), pets);

    let client = file(&files, "src/client.rs");
    assert_eq!(cfg_of(client, &method(client, "list_pets")), pets);
    assert_eq!(cfg_of(client, &method(client, "create_store")), stores);
    assert_eq!(cfg_of(client, &method(client, "get_inventory")), both);
    assert_eq!(cfg_of(client, &method(client, "get_health")), None);
    let builder = file(&files, "src/builder.rs");
    assert_eq!(cfg_of(builder, "pub struct ListPets<"), pets);
    // Its sending methods and impls (`send_methods!`) go with it.
    // (the first call is `ListPets`'s).
    assert!(
        builder.contains("\nsend_methods!(\n    ListPets,"),
        "{builder}"
    );
    assert!(builder.find("send_methods!(") == builder.find("send_methods!(\n    ListPets,"));
    assert_eq!(cfg_of(builder, "send_methods!("), pets);
    // The shared parameters' trait, when some builder taking them is compiled; so is its type.
    assert_eq!(cfg_of(builder, "pub trait CommonParameters"), both);
    assert_eq!(cfg_of(types, "pub enum Format {"), both);
    let lib = file(&files, "src/lib.rs");
    assert_eq!(cfg_of(lib, "pub use builder::CommonParameters;"), both);
    let mock = file(&files, "src/mock.rs");
    assert_eq!(cfg_of(mock, "pub fn list_pets("), pets);

    let readme = file(&files, "README.md");
    assert!(
        readme.contains("| `store-front` | Store Front |"),
        "{readme}"
    );

    // Off by default: the same spec without the setting has no features and no gates.
    let plain = generate(false);
    assert!(!file(&plain, "Cargo.toml").contains("store-front"));
    assert!(!file(&plain, "src/types.rs").contains("#[cfg("));
}

/// `cargo check` in `dir` with `args`, warnings denied; its stderr on failure.
fn check(dir: &Path, target: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .arg("check")
        .args(args)
        .args(["--quiet", "--message-format=short"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn write_app(dir: &Path, name: &str, features: &str, body: &str) {
    std::fs::create_dir_all(dir.join("src")).expect("app dir");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\ntagged-client = {{ path = \"../tagged-client\", default-features = false, features = [{features}] }}\n"
        ),
    )
    .expect("app manifest");
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("//! An application of the tagged client.\n\n{body}\n"),
    )
    .expect("app source");
}

#[test]
fn the_crate_builds_under_every_choice_of_features_and_leaves_out_the_rest() {
    let target = project_root().join("target/generated-crates");
    let workspace = target.join("tag-features");
    let _ = std::fs::remove_dir_all(&workspace);
    let crate_dir = workspace.join("tagged-client");
    tests::write_files(&crate_dir, generate(true));
    let uses_pets = "/// Lists cats.\npub async fn cats(client: &tagged_client::Client) -> Result<Vec<tagged_client::types::Pet>, tagged_client::Error> {\n    use tagged_client::prelude::*;\n    client.list_pets().kind(tagged_client::types::PetKind::Cat).fields(\"name\").await\n}";
    let uses_stores = "/// A store's name.\npub fn name(store: &tagged_client::types::Store) -> &str {\n    &store.name\n}";
    write_app(
        &workspace.join("pets-app"),
        "pets-app",
        "\"pets\"",
        uses_pets,
    );
    write_app(
        &workspace.join("stores-app"),
        "stores-app",
        "\"pets\"",
        uses_stores,
    );
    tests::write_workspace(
        &workspace,
        &["tagged-client", "pets-app", "stores-app"].map(str::to_owned),
    );
    let target = target.join("target");
    for features in [
        &["--no-default-features"][..],
        &["--no-default-features", "--features", "pets"],
        &["--no-default-features", "--features", "store-front"],
        &["--no-default-features", "--features", "mock"],
        &["--all-features"],
    ] {
        let mut args = vec!["-p", "tagged-client"];
        args.extend_from_slice(features);
        check(&workspace, &target, &args)
            .unwrap_or_else(|stderr| panic!("tagged-client with {features:?}:\n{stderr}"));
    }
    // With only `pets`, an application has the pets' operation and types...
    check(&workspace, &target, &["-p", "pets-app"])
        .unwrap_or_else(|stderr| panic!("pets-app:\n{stderr}"));
    // ...and not the store's, which was left out of the build.
    let stderr = check(&workspace, &target, &["-p", "stores-app"])
        .expect_err("`Store` is not compiled without the `store-front` feature");
    assert!(stderr.contains("Store"), "{stderr}");
}
