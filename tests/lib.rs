//! Helpers shared by the integration tests: where the project is, and generating the seed client in memory.

// Helpers for tests: failing loudly on a missing file is the point.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use generator::{Config, GeneratedFile, Output};

/// The workspace root.
pub fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
}

/// Reads a file below the workspace root, failing the test with the path when it cannot.
pub fn read(relative: &str) -> String {
    let path = project_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The config `cargo xtask codegen` uses for the seed spec.
pub fn seed_config() -> Config {
    let mut config = Config::from_toml(&read("spec/codegen.toml"))
        .unwrap_or_else(|d| panic!("spec/codegen.toml: {d}"));
    config.source_label = Some("spec/gainsight-cta.yaml".to_owned());
    config.generated_by = Some("cargo xtask codegen".to_owned());
    config
        .load_extra_files(|source| {
            Ok::<_, std::convert::Infallible>(read(&format!("spec/{source}")))
        })
        .unwrap_or_else(|never| match never {});
    config
        .load_overlays(|source| Ok::<_, std::convert::Infallible>(read(&format!("spec/{source}"))))
        .unwrap_or_else(|never| match never {});
    config
}

/// The seed config without its overlays: the vendor's document exactly as published.
pub fn seed_config_without_overlays() -> Config {
    Config {
        overlays: Vec::new(),
        overlay_sources: Vec::new(),
        ..seed_config()
    }
}

/// Generates the seed client in memory, exactly as `cargo xtask codegen` does on a clean checkout
/// (the committed spec is the previous one, the committed changelog is kept).
pub fn generate_seed() -> Output {
    let spec = read("spec/gainsight-cta.yaml");
    let changelog =
        std::fs::read_to_string(project_root().join("generated-client/CHANGELOG.md")).ok();
    generator::regenerate(Some(&spec), &spec, &seed_config(), changelog.as_deref())
        .unwrap_or_else(|e| panic!("seed spec: {e}"))
        .output
}

/// Compiles the Rust examples of the project README as doctests, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The locations of an error's diagnostics, in order.
pub fn locations(error: &generator::Error) -> Vec<&str> {
    error
        .diagnostics
        .iter()
        .map(|d| d.location.as_str())
        .collect()
}

/// Writes a generated crate's files under `dir`.
pub fn write_files(dir: &Path, files: Vec<GeneratedFile>) {
    for file in files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("file in a folder")).expect("create dir");
        std::fs::write(&path, file.contents).expect("write generated file");
    }
}

/// Makes `dir` a workspace of the crates `members` (folder names) with the project's lock file,
/// so building them needs the same dependency versions and nothing new.
pub fn write_workspace(dir: &Path, members: &[String]) {
    let members: Vec<String> = members.iter().map(|name| format!("{name:?}")).collect();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("write workspace manifest");
    std::fs::copy(project_root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .expect("copy Cargo.lock");
}

/// How `client.rs` declares the client method `name`: `pub fn name(` when the builder only
/// borrows the client, `pub fn name<'a>(` when it also borrows an argument; `None` when absent.
pub fn client_method(client: &str, name: &str) -> Option<String> {
    [format!("pub fn {name}("), format!("pub fn {name}<'a>(")]
        .into_iter()
        .find(|declaration| client.contains(declaration.as_str()))
}
