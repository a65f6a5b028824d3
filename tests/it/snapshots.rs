//! `insta` snapshots of generated output: every file for the seed spec, the Rust files for each fixture.

use generator::Config;
use tests::{generate_seed, project_root};

/// Snapshot names cannot contain `/`.
fn snapshot_name(prefix: &str, path: &str) -> String {
    format!("{prefix}__{}", path.replace(['/', '.'], "_"))
}

#[test]
fn seed_spec_output() {
    let output = generate_seed();
    assert_eq!(output.files.len(), 27);
    for file in &output.files {
        // Vendored runtime modules are copies of `runtime/src`, checked as such; the rest
        // (`src/runtime/mod.rs`, with the unused modules left out, included) is snapshotted.
        match file.path.strip_prefix("src/runtime/") {
            Some(module) if module != "mod.rs" => {
                let source =
                    std::fs::read_to_string(project_root().join("runtime/src").join(module))
                        .expect("runtime source");
                let body = file.contents.split_once('\n').map_or("", |(_, body)| body);
                assert_eq!(
                    body, source,
                    "{} is not a copy of runtime/src/{module}",
                    file.path
                );
            }
            _ => insta::assert_snapshot!(snapshot_name("gainsight", &file.path), file.contents),
        }
    }
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    insta::assert_debug_snapshot!("gainsight__warnings", warnings);
}

#[test]
fn fixture_outputs() {
    let dir = project_root().join("tests/fixtures/ok");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    assert!(
        names.len() >= 6,
        "expected the fixture specs in {}",
        dir.display()
    );
    for path in names {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("fixture");
        let config = Config {
            source_label: Some(format!("tests/fixtures/ok/{stem}.yaml")),
            ..Config::default()
        };
        let output = generator::generate(&text, &config).unwrap_or_else(|e| panic!("{stem}: {e}"));
        for file in output.files.iter().filter(|f| {
            matches!(
                f.path.as_str(),
                "src/types.rs" | "src/client.rs" | "src/builder.rs"
            )
        }) {
            insta::assert_snapshot!(snapshot_name(&stem, &file.path), file.contents);
        }
        let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
        insta::assert_debug_snapshot!(format!("{stem}__warnings"), warnings);
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    assert_eq!(generate_seed(), generate_seed());
}
