//! OpenAPI 3.0/3.1/3.2 → Rust client generator: `generate(spec_text, &config)` returns the files of a crate.
//!
//! The pipeline is pure (no disk or network I/O): load and normalise the spec (`spec`), lower it
//! into the generator's own IR ([`ir`]), emit Rust with `quote` and format it with `prettyplease`
//! (`emit`). Writing files is the caller's job (see `xtask`).

pub mod config;
pub mod error;
pub mod ir;
pub mod naming;

mod emit;
mod spec;

pub use config::Config;
pub use error::{Diagnostic, Error};

/// One file of the generated crate, with a path relative to the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative path using `/` (e.g. `src/types.rs`); never absolute, never containing `..`.
    pub path: String,
    /// Full file contents.
    pub contents: String,
}

impl GeneratedFile {
    fn new(path: &str, contents: String) -> Self {
        Self {
            path: path.to_owned(),
            contents,
        }
    }
}

/// What a successful run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The crate's files, in a fixed order.
    pub files: Vec<GeneratedFile>,
    /// Things in the spec that were odd but worked around, each with its location.
    pub warnings: Vec<Diagnostic>,
}

/// Generates a client crate from OpenAPI `spec_text` (YAML or JSON) and `config`.
///
/// The same input always yields byte-identical output.
///
/// # Errors
///
/// Returns every problem found (invalid syntax, unsupported version, missing or cyclic `$ref`s,
/// config entries that match nothing), each with a JSON-pointer location and a hint.
pub fn generate(spec_text: &str, config: &Config) -> Result<Output, Error> {
    let loaded = spec::load(spec_text)?;
    let mut warnings = loaded.warnings.clone();
    let api = lower(&loaded, config, &mut warnings)?;
    let files = emit::emit(&api, config)?;
    Ok(Output { files, warnings })
}

/// Loads and lowers a spec into the IR without emitting code (for tools such as API diffs).
///
/// # Errors
///
/// As for [`generate`].
pub fn lower_spec(spec_text: &str, config: &Config) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    let loaded = spec::load(spec_text)?;
    let mut warnings = loaded.warnings.clone();
    let api = lower(&loaded, config, &mut warnings)?;
    Ok((api, warnings))
}

fn lower(
    loaded: &spec::LoadedSpec,
    config: &Config,
    warnings: &mut Vec<Diagnostic>,
) -> Result<ir::Api, Error> {
    let (api, lower_warnings) = ir::lower(loaded, config)?;
    warnings.extend(lower_warnings);
    Ok(api)
}
