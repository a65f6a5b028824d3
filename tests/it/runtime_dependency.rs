//! `runtime = "dependency"`: a generated crate names the shared runtime crate instead of
//! carrying a copy; `runtime = "crate"`: it carries the copy as a package of its own; and the
//! README's dependency line follows the config.

use generator::Config;
use generator::config::{RuntimeMode, RuntimeSource};

fn generate(config: &Config) -> generator::Output {
    let spec = tests::read("tests/fixtures/ok/params.yaml");
    generator::generate(&spec, config).unwrap_or_else(|e| panic!("{e}"))
}

fn file<'o>(output: &'o generator::Output, path: &str) -> &'o str {
    output
        .files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("no {path}"))
}

/// `code` without its imports of the runtime crate's macros (`use crate::runtime::{...};`,
/// with the `#[allow(unused_imports)]` line above one).
fn without_macro_imports(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let is_import = |line: &str| line.starts_with("use crate::runtime::");
    let mut kept = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let allows_next = *line == "#[allow(unused_imports)]"
            && lines.get(index + 1).is_some_and(|next| is_import(next));
        if !is_import(line) && !allows_next {
            kept.push(*line);
        }
    }
    // The blank line the import's group had goes with it.
    (kept.join("\n") + "\n").replace("\n\n\n", "\n\n")
}

fn dependency_line(manifest: &str) -> Option<&str> {
    manifest
        .lines()
        .find(|line| line.starts_with("openapi-rust-runtime = "))
}

#[test]
fn a_crate_with_the_shared_runtime_names_the_runtime_crate_and_vendors_nothing() {
    let vendored = generate(&Config::default());
    assert!(
        vendored
            .files
            .iter()
            .any(|f| f.path == "src/runtime/mod.rs")
    );
    assert_eq!(dependency_line(file(&vendored, "Cargo.toml")), None);

    let mut config = Config {
        runtime: RuntimeMode::Dependency,
        ..Config::default()
    };
    let shared = generate(&config);
    assert!(
        !shared
            .files
            .iter()
            .any(|f| f.path.starts_with("src/runtime/")),
        "no vendored runtime"
    );
    assert!(file(&shared, "src/lib.rs").contains("pub use openapi_rust_runtime as runtime;"));
    assert!(!file(&shared, "src/lib.rs").contains("pub mod runtime;"));
    // Everything but the runtime's files and the lines naming it is the same crate: the shared
    // runtime's macros are imported, a vendored one's are in scope by `#[macro_use]`.
    assert!(file(&shared, "src/client.rs").contains("\nuse crate::runtime::client_settings;\n"));
    for path in ["src/types.rs", "src/client.rs", "src/builder.rs"] {
        assert_eq!(
            without_macro_imports(file(&shared, path)),
            file(&vendored, path),
            "{path}"
        );
    }

    let registry = dependency_line(file(&shared, "Cargo.toml")).unwrap();
    assert!(
        registry.starts_with("openapi-rust-runtime = { version = \"0."),
        "{registry}"
    );
    assert!(
        !registry.contains("path") && !registry.contains("git"),
        "{registry}"
    );

    config.runtime_source = Some(RuntimeSource {
        path: None,
        git: Some("https://example.com/gen.git".to_owned()),
    });
    let git = generate(&config);
    assert!(
        dependency_line(file(&git, "Cargo.toml"))
            .unwrap()
            .ends_with(", git = \"https://example.com/gen.git\" }")
    );
}

/// `runtime = "crate"`: the vendored modules become the package `<crate>-runtime` under
/// `runtime/` (its `lib.rs` the vendored `mod.rs`), which the crate depends on by path at its
/// own version; the generated code is the shared runtime's, under the package's name.
#[test]
fn a_crate_with_a_runtime_package_carries_it_beside_itself() {
    let vendored = generate(&Config::default());
    let shared = generate(&Config {
        runtime: RuntimeMode::Dependency,
        ..Config::default()
    });
    let mut config = Config {
        runtime: RuntimeMode::Crate,
        ..Config::default()
    };
    config.package.name = Some("pets".to_owned());
    config.package.version = Some("1.2.3".to_owned());
    let packaged = generate(&config);
    assert!(
        !packaged
            .files
            .iter()
            .any(|f| f.path.starts_with("src/runtime/")),
        "no module copy"
    );
    // The same modules as the vendored copy, moved.
    let vendored_runtime: Vec<(String, &str)> = vendored
        .files
        .iter()
        .filter_map(|f| {
            let module = f.path.strip_prefix("src/runtime/")?;
            let module = if module == "mod.rs" { "lib.rs" } else { module };
            Some((format!("runtime/src/{module}"), f.contents.as_str()))
        })
        .collect();
    assert!(vendored_runtime.len() > 5);
    for (path, contents) in &vendored_runtime {
        assert_eq!(file(&packaged, path), *contents, "{path}");
    }
    let manifest = file(&packaged, "runtime/Cargo.toml");
    assert!(
        manifest.contains("\nname = \"pets-runtime\"\nversion = \"1.2.3\"\n"),
        "{manifest}"
    );
    assert!(
        manifest.contains("\n[lib]\nname = \"pets_runtime\"\n"),
        "{manifest}"
    );
    assert!(manifest.contains("license = "), "{manifest}");
    // The runtime's own dependencies, as the crate declares them.
    for dependency in ["reqwest = ", "serde = ", "tokio = ", "tracing = "] {
        assert!(
            manifest.contains(&format!("\n{dependency}")),
            "{dependency} in {manifest}"
        );
    }
    let crate_manifest = file(&packaged, "Cargo.toml");
    assert!(
        crate_manifest.contains("\npets-runtime = { version = \"=1.2.3\", path = \"runtime\" }\n"),
        "{crate_manifest}"
    );
    assert_eq!(dependency_line(crate_manifest), None);
    assert!(file(&packaged, "src/lib.rs").contains("pub use pets_runtime as runtime;"));
    for path in ["src/types.rs", "src/client.rs", "src/builder.rs"] {
        assert_eq!(file(&packaged, path), file(&shared, path), "{path}");
    }
}

#[test]
fn the_readme_states_a_dependency_line_and_no_maintainer_text() {
    let readme_line = |config: &Config| {
        let output = generate(config);
        let readme = file(&output, "README.md").to_owned();
        assert!(
            !readme
                .to_lowercase()
                .lines()
                .skip(1)
                .any(|l| l.contains("do not edit")),
            "maintainer text belongs in the header comment only:\n{readme}"
        );
        readme
            .lines()
            .find(|line| line.starts_with("params-api-client = ") || line.starts_with("pets = "))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no dependency line in:\n{readme}"))
    };
    let mut config = Config::default();
    config.package.name = Some("pets".to_owned());
    assert_eq!(readme_line(&config), "pets = \"0.1.0\"");
    config.package.repository = Some("https://example.com/pets".to_owned());
    assert_eq!(
        readme_line(&config),
        "pets = { git = \"https://example.com/pets\" }"
    );
    config.package.dependency = Some("{ path = \"../pets\" }".to_owned());
    assert_eq!(readme_line(&config), "pets = { path = \"../pets\" }");
}
