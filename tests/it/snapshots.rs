//! `insta` snapshots of generated output: every file for the seed spec and its command-line
//! crate, the Rust files for each fixture (with the commands of a few fixtures' CLIs).

use generator::Config;
use tests::{generate_seed, project_root};

/// Snapshot names cannot contain `/`.
fn snapshot_name(prefix: &str, path: &str) -> String {
    format!("{prefix}__{}", path.replace(['/', '.'], "_"))
}

#[test]
fn seed_spec_output() {
    let output = generate_seed();
    assert_eq!(output.files.len(), 28);
    for file in &output.files {
        // The runtime package's modules are copies of `runtime/src`, checked as such; the rest
        // (`runtime/src/lib.rs`, with the unused modules left out, and `runtime/Cargo.toml`
        // included) is snapshotted.
        match file.path.strip_prefix("runtime/src/") {
            Some(module) if module != "lib.rs" => {
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
fn seed_cli_output() {
    let spec =
        std::fs::read_to_string(project_root().join("spec/gainsight-cta.yaml")).expect("spec");
    let output = generator::generate_cli(&spec, &tests::seed_config(), "../generated-client")
        .unwrap_or_else(|e| panic!("seed CLI: {e}"));
    let paths: Vec<&str> = output.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Cargo.toml",
            "README.md",
            "src/main.rs",
            "src/lib.rs",
            "src/commands.rs",
            "src/support.rs",
            "tests/cli.rs"
        ]
    );
    for file in &output.files {
        if file.path == "src/support.rs" {
            // The same for every API: a copy of the generator's template, checked as such.
            let source =
                std::fs::read_to_string(project_root().join("generator/templates/cli/support.rs"))
                    .expect("support template");
            let body = file.contents.split_once('\n').map_or("", |(_, body)| body);
            assert_eq!(body, source, "src/support.rs is not a copy of the template");
        } else {
            insta::assert_snapshot!(snapshot_name("gainsight_cli", &file.path), file.contents);
        }
    }
}

/// The commands of fixtures whose operations take what Gainsight's do not: query lists and
/// styles, text, byte and multipart bodies, event streams, OAuth and several credentials.
#[test]
fn fixture_cli_commands() {
    for stem in [
        "params",
        "query_styles",
        "bodies",
        "streams",
        "security_alternatives",
        "no_paths_32",
    ] {
        let text =
            std::fs::read_to_string(project_root().join(format!("tests/fixtures/ok/{stem}.yaml")))
                .expect("fixture");
        let config = Config {
            source_label: Some(format!("tests/fixtures/ok/{stem}.yaml")),
            ..Config::default()
        };
        let output = generator::generate_cli(&text, &config, "../client")
            .unwrap_or_else(|e| panic!("{stem}: {e}"));
        let commands = output
            .files
            .iter()
            .find(|f| f.path == "src/commands.rs")
            .expect("src/commands.rs");
        insta::assert_snapshot!(
            snapshot_name(&format!("{stem}_cli"), &commands.path),
            commands.contents
        );
    }
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
