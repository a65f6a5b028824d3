//! The build-script API: generate a client at build time, from `build.rs`, into `OUT_DIR`.
//!
//! ```no_run
//! // build.rs, in `fn main`:
//! generator::build::Builder::new("spec/api.yaml")
//!     .config("spec/codegen.toml")
//!     .generate()
//!     .unwrap_or_else(|error| panic!("{error}"));
//! ```
//!
//! ```ignore
//! // src/lib.rs: the client at the crate root (its code names `crate::types`, `crate::Error`...).
//! include!(concat!(env!("OUT_DIR"), "/api_client.rs"));
//! ```
//!
//! The crate that includes it declares the dependencies of a generated crate (see its
//! `Cargo.toml`: `reqwest`, `serde`, `serde_json`, `chrono`, ...; with `runtime = "dependency"`,
//! `openapi-rust-runtime` too). Checked-in code (`cargo xtask codegen`, the CLI) reads better in
//! review and in an editor; build-time code never goes stale.

use std::path::{Path, PathBuf};

use crate::GeneratedFile;
use crate::error::{Diagnostic, Error};
use crate::fs::{bundle, load_config};

/// Generates one client into a single Rust file for `include!`.
#[derive(Debug, Clone)]
pub struct Builder {
    spec: PathBuf,
    config: Option<PathBuf>,
    out_dir: Option<PathBuf>,
}

impl Builder {
    /// A builder for the spec at `spec` (YAML or JSON; local multi-file specs are bundled).
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Self {
            spec: spec.into(),
            config: None,
            out_dir: None,
        }
    }

    /// The codegen config (default: `codegen.toml` beside the spec, when there is one).
    #[must_use]
    pub fn config(mut self, path: impl Into<PathBuf>) -> Self {
        self.config = Some(path.into());
        self
    }

    /// Where to write (default: Cargo's `OUT_DIR`).
    #[must_use]
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Writes `<lib name>.rs` (the crate name in snake case) and returns its path; prints
    /// `cargo:rerun-if-changed` for every file read, so Cargo reruns it only when one changes.
    ///
    /// # Errors
    ///
    /// Unreadable files, a spec that does not generate (every diagnostic, located), no
    /// `OUT_DIR`.
    pub fn generate(self) -> Result<PathBuf, Error> {
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    Error::from(
                        Diagnostic::new("#", "OUT_DIR is not set")
                            .with_hint("call this from a build script, or set `out_dir`"),
                    )
                })?,
        };
        let (mut config, config_path) = load_config(self.config.as_deref(), &self.spec)?;
        config.generated_by = Some("generator::build::Builder".to_owned());
        config.source_label = self
            .spec
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        let bundled = bundle(&self.spec)?;
        let dir = self.spec.parent().unwrap_or(Path::new("."));
        for file in &bundled.files {
            println!("cargo:rerun-if-changed={}", dir.join(file).display());
        }
        if let Some(path) = &config_path {
            println!("cargo:rerun-if-changed={}", path.display());
            let config_dir = path.parent().unwrap_or(Path::new("."));
            for overlay in &config.overlays {
                println!(
                    "cargo:rerun-if-changed={}",
                    config_dir.join(overlay).display()
                );
            }
        }
        let output = crate::generate(&bundled.text, &config).map_err(|mut error| {
            bundled.relocate(&mut error.diagnostics);
            error
        })?;
        for warning in &output.warnings {
            println!(
                "cargo:warning={}",
                bundled.locate(&warning.location) + ": " + &warning.message
            );
        }
        let lib_name = lib_name(&output.files)?;
        let text = single_file(&output.files)?;
        let path = out_dir.join(format!("{lib_name}.rs"));
        std::fs::write(&path, text).map_err(|error| {
            Error::from(Diagnostic::new(
                "#",
                format!("cannot write {}: {error}", path.display()),
            ))
        })?;
        Ok(path)
    }
}

/// `[lib] name` of the generated `Cargo.toml`.
fn lib_name(files: &[GeneratedFile]) -> Result<String, Error> {
    files
        .iter()
        .find(|file| file.path == "Cargo.toml")
        .and_then(|file| file.contents.parse::<toml::Table>().ok())
        .and_then(|manifest| {
            let name = manifest.get("lib")?.get("name")?.as_str()?.to_owned();
            Some(name)
        })
        .ok_or_else(|| {
            Error::from(Diagnostic::new(
                "#",
                "internal error: the generated Cargo.toml names no library",
            ))
        })
}

/// The crate's `src/` as one file for `include!`: every `mod x;` replaced by its file's items,
/// and the crate-level attributes (which `include!` refuses) left to the including crate.
fn single_file(files: &[GeneratedFile]) -> Result<String, Error> {
    let lib = parse(files, "src/lib.rs")?;
    // Modules behind a cargo feature of the generated crate (its `mock`) are left out: the
    // including crate has no such feature.
    let items: Vec<syn::Item> = lib
        .items
        .into_iter()
        .filter(|item| !matches!(item, syn::Item::Mod(module) if is_feature_gated(&module.attrs)))
        .collect();
    let items = inline_modules(files, items, "src")?;
    let file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    };
    Ok(format!(
        "// @generated by `generator::build::Builder`. Do not edit by hand.\n{}",
        prettyplease::unparse(&file)
    ))
}

fn parse(files: &[GeneratedFile], path: &str) -> Result<syn::File, Error> {
    let file = files.iter().find(|file| file.path == path).ok_or_else(|| {
        Error::from(Diagnostic::new(
            "#",
            format!("internal error: no `{path}` generated"),
        ))
    })?;
    syn::parse_file(&file.contents).map_err(|error| {
        Error::from(Diagnostic::new(
            "#",
            format!("internal error: `{path}` does not parse: {error}"),
        ))
    })
}

/// Whether an item carries `#[cfg(feature = "...")]`.
fn is_feature_gated(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string().starts_with("feature"))
    })
}

/// `items` with each `mod name;` given the items of `dir/name.rs` (or `dir/name/mod.rs`).
fn inline_modules(
    files: &[GeneratedFile],
    items: Vec<syn::Item>,
    dir: &str,
) -> Result<Vec<syn::Item>, Error> {
    items
        .into_iter()
        .map(|item| match item {
            syn::Item::Mod(mut module) if module.content.is_none() => {
                let name = module.ident.to_string();
                let flat = format!("{dir}/{name}.rs");
                let nested = format!("{dir}/{name}/mod.rs");
                let path = if files.iter().any(|file| file.path == flat) {
                    flat
                } else {
                    nested
                };
                let file = parse(files, &path)?;
                let inner = inline_modules(files, file.items, &format!("{dir}/{name}"))?;
                module.attrs.extend(file.attrs);
                module.content = Some((syn::token::Brace::default(), inner));
                module.semi = None;
                Ok(syn::Item::Mod(module))
            }
            item => Ok(item),
        })
        .collect()
}
