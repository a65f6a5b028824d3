//! Every fixture and every sibling spec of the Gainsight family (OpenAPI 3.x and Swagger 2.0)
//! becomes a crate, and a command-line crate calling it, that compile without warnings: the fixtures with the runtime vendored, the
//! family sharing the `openapi-rust-runtime` crate (`runtime = "dependency"`), as one application
//! using several of them would, with one `Error` type across clients.

use std::path::{Path, PathBuf};
use std::process::Command;

use generator::Config;
use generator::config::{RuntimeMode, RuntimeSource};
use tests::project_root;

/// Specs to compile: (crate name, path).
fn specs() -> Vec<(String, PathBuf)> {
    let root = project_root();
    let mut specs = Vec::new();
    for (dir, prefix) in [
        (root.join("tests/fixtures/ok"), "fixture-"),
        (root.join("tests/fixtures/gainsight-family"), "family-"),
    ] {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for path in entries.flatten().map(|e| e.path()) {
            let is_spec = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if is_spec {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .replace('_', "-");
                specs.push((format!("{prefix}{stem}"), path));
            }
        }
    }
    specs.sort();
    // The realistic spec update of the API-diff test must also give a crate that builds.
    specs.push((
        "gainsight-updated".to_owned(),
        root.join("tests/fixtures/diff/gainsight-updated.yaml"),
    ));
    // Part of the seed (`only`): its crate and CLI build without the left-out types.
    specs.push((
        "gainsight-only-configuration".to_owned(),
        root.join("spec/gainsight-cta.yaml"),
    ));
    specs
}

fn write_crate(dir: &Path, name: &str, spec: &Path) {
    let text = std::fs::read_to_string(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    let mut config = if name.starts_with("gainsight") {
        tests::seed_config()
    } else {
        Config::default()
    };
    if name == "gainsight-only-configuration" {
        config.only = Some(generator::config::OnlyConfig {
            tags: vec!["CTA Configuration".to_owned()],
            ..Default::default()
        });
    }
    if name.starts_with("family-") {
        config.runtime = RuntimeMode::Dependency;
        config.runtime_source = Some(RuntimeSource {
            path: Some(project_root().join("runtime").display().to_string()),
            git: None,
        });
    }
    config.package.name = Some(name.to_owned());
    config.source_label = Some(spec.display().to_string());
    let output =
        generator::generate(&text, &config).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    tests::write_files(dir, output.files);
    // Its command-line tool, beside it.
    let cli = generator::generate_cli(&text, &config, &format!("../{name}"))
        .unwrap_or_else(|e| panic!("{} (CLI): {e}", spec.display()));
    tests::write_files(&dir.with_file_name(format!("{name}-cli")), cli.files);
}

/// A crate using two family clients: an error from one is an error of the other (one runtime).
fn write_application(dir: &Path, specs: &[(String, PathBuf)]) {
    let mut family = specs.iter().filter(|(name, _)| name.starts_with("family-"));
    let (Some((first, _)), Some((second, _))) = (family.next(), family.next()) else {
        panic!("two family specs");
    };
    std::fs::create_dir_all(dir.join("src")).expect("create application");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"family-application\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{first} = {{ path = \"../{first}\" }}\n{second} = {{ path = \"../{second}\" }}\n"
        ),
    )
    .expect("write application manifest");
    let (first, second) = (first.replace('-', "_"), second.replace('-', "_"));
    std::fs::write(
        dir.join("src/lib.rs"),
        format!(
            "//! Two generated clients sharing one runtime.\n\n/// Errors of both clients are one type.\npub fn same_error(error: {first}::Error) -> {second}::Error {{\n    error\n}}\n\n/// So are retry policies.\npub fn same_policy(policy: {first}::RetryPolicy) -> {second}::RetryPolicy {{\n    policy\n}}\n"
        ),
    )
    .expect("write application");
}

#[test]
fn fixtures_and_family_specs_compile_without_warnings() {
    let specs = specs();
    let family = specs
        .iter()
        .filter(|(name, _)| name.starts_with("family-"))
        .count();
    assert_eq!(
        family, 65,
        "expected the 65 specs of tests/fixtures/gainsight-family (64 OpenAPI 3.x, one Swagger 2.0)"
    );

    let target = project_root().join("target/generated-crates");
    let workspace = target.join("workspace");
    let _ = std::fs::remove_dir_all(&workspace);
    std::fs::create_dir_all(&workspace).expect("create workspace");
    for (name, spec) in &specs {
        write_crate(&workspace.join(name), name, spec);
    }
    let mut members: Vec<String> = specs
        .iter()
        .flat_map(|(name, _)| [name.clone(), format!("{name}-cli")])
        .collect();
    write_application(&workspace.join("family-application"), &specs);
    members.push("family-application".to_owned());
    // The same dependency versions as the project, so the check needs nothing new.
    tests::write_workspace(&workspace, &members);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--all-features",
            "--keep-going",
            "--quiet",
            "--message-format=short",
        ])
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", target.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        // Checked once per run: incremental caches would be gigabytes of disk for nothing.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "generated crates failed to compile:\n{stderr}"
    );
}
