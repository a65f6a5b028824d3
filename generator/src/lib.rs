//! OpenAPI 3.0/3.1/3.2 (and Swagger 2.0) → Rust client generator: `generate(spec_text, &config)`
//! returns the files of a crate.
//!
//! The pipeline is pure (no disk or network I/O; [`fs`] and [`build`] are the file-system edge
//! for callers): load the spec, apply the config's overlays,
//! convert Swagger 2.0 and normalise (`spec`), lower it
//! into the generator's own IR ([`ir`]), emit Rust with `quote` and format it with `prettyplease`
//! (`emit`). Writing files is the caller's job (see `xtask`).

pub mod build;
pub mod config;
pub mod diff;
pub mod error;
pub mod fs;
pub mod ir;
pub mod naming;
pub mod pointer;

mod emit;
mod regenerate;
mod spec;

pub use config::Config;
pub use regenerate::{Regeneration, regenerate, regenerate_with_progress};
pub use spec::OverlaySource;

/// The pipeline's phases one at a time, for benchmarks and profiling; [`generate`] runs them all.
///
/// `parse` → `normalize` → `lower` → `emit` → `format`.
pub mod stages {
    use crate::{Config, Error, GeneratedFile, emit, ir, spec};

    pub use crate::emit::UnformattedFile;
    pub use crate::spec::{LoadedSpec, ParsedSpec};

    /// Load: YAML or JSON text → JSON value, with the `openapi` version checked.
    ///
    /// # Errors
    ///
    /// Syntax errors and unsupported versions.
    pub fn parse(spec_text: &str) -> Result<ParsedSpec, Error> {
        spec::parse(spec_text)
    }

    /// Normalise: OpenAPI 3.1/3.2 constructs rewritten to 3.0, then the `openapiv3` model.
    ///
    /// # Errors
    ///
    /// Structural errors, each with a JSON pointer.
    pub fn normalize(parsed: ParsedSpec) -> Result<LoadedSpec, Error> {
        spec::normalize_parsed(parsed)
    }

    /// Lower: the spec into the generator's IR, with warnings.
    ///
    /// # Errors
    ///
    /// As for [`crate::generate`].
    pub fn lower(
        loaded: &LoadedSpec,
        config: &Config,
    ) -> Result<(ir::Api, Vec<crate::Diagnostic>), Error> {
        ir::lower(loaded, config)
    }

    /// Emit: the IR into token streams (Rust) and rendered templates.
    ///
    /// # Errors
    ///
    /// Template failures.
    pub fn emit(api: &ir::Api, config: &Config) -> Result<Vec<UnformattedFile>, Error> {
        emit::emit_unformatted(api, config)
    }

    /// Format: token streams parsed with `syn` and pretty-printed with `prettyplease`.
    ///
    /// # Errors
    ///
    /// Only on a generator bug (tokens that do not parse).
    pub fn format(files: Vec<UnformattedFile>) -> Result<Vec<GeneratedFile>, Error> {
        emit::format_files(files)
    }
}
pub use error::{Diagnostic, Error};

/// A step of a generation run, reported to a [`Progress`] as it starts (or, for
/// `Formatted`, ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Parsing the spec, applying overlays, converting and normalising it.
    Load,
    /// Lowering it into the IR.
    Lower,
    /// Emitting the files; `rust_files` of them are then formatted, one `Formatted` each.
    Emit {
        /// How many Rust files will be formatted.
        rust_files: usize,
    },
    /// A Rust file (crate-relative path) was built and formatted; may come from any thread.
    Formatted(&'a str),
}

/// Receives the [`Step`]s of a run (a progress bar, a log); `()` ignores them.
pub trait Progress: Sync {
    /// Called as each step starts, and as each Rust file is formatted.
    fn step(&self, step: Step<'_>);
}

impl Progress for () {
    fn step(&self, _: Step<'_>) {}
}

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
    let (loaded, config) = load_selected(spec_text, config)?;
    let config = &*config;
    let mut warnings = loaded.warnings.clone();
    let api = lower(&loaded, config, &mut warnings)?;
    let files = emit::emit(&api, config, &())?;
    Ok(Output { files, warnings })
}

/// Generates the companion command-line crate of the client [`generate`] makes from the same
/// spec and config: one subcommand per operation, grouped by tag, calling that client, which
/// its `Cargo.toml` finds at `client_path` (relative to the CLI crate's folder). The config's
/// `[cli]` section, when present, names the package, command and groups. Warnings are those of
/// [`generate`], so they are not repeated here.
///
/// # Errors
///
/// As for [`generate`].
pub fn generate_cli(spec_text: &str, config: &Config, client_path: &str) -> Result<Output, Error> {
    let (loaded, config) = load_selected(spec_text, config)?;
    let config = &*config;
    let mut warnings = loaded.warnings.clone();
    let api = lower(&loaded, config, &mut warnings)?;
    let files = emit::emit_cli(&api, config, client_path)?;
    Ok(Output {
        files,
        warnings: Vec::new(),
    })
}

/// Loads the spec with the config's overlays and `only` selection; returns the config to lower
/// with: without the sections about operations and types the selection left out.
pub(crate) fn load_selected<'c>(
    spec_text: &str,
    config: &'c Config,
) -> Result<(spec::LoadedSpec, std::borrow::Cow<'c, Config>), Error> {
    let selection = config.only.as_ref().map(|only| spec::Selection {
        tags: &only.tags,
        operations: &only.operations,
        paths: &only.paths,
    });
    let (loaded, kept) = spec::load_selected(spec_text, &config.overlay_sources, selection)?;
    let Some(kept) = kept else {
        return Ok((loaded, std::borrow::Cow::Borrowed(config)));
    };
    let mut config = config.clone();
    config.operations.retain(|id, _| kept.contains(id));
    config
        .filters
        .retain(|pointer, _| spec::pointer_exists(&loaded, pointer));
    config
        .type_names
        .retain(|pointer, _| spec::pointer_exists(&loaded, pointer));
    Ok((loaded, std::borrow::Cow::Owned(config)))
}

/// Checks that raw spec bytes are UTF-8 text, as YAML and JSON require.
///
/// # Errors
///
/// Names the offset of the first invalid byte.
pub fn decode_spec(bytes: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(bytes).map_err(|error| {
        Diagnostic::new(
            "#",
            format!(
                "the spec is not UTF-8 text (invalid byte at offset {})",
                error.valid_up_to()
            ),
        )
        .with_hint("save the document as UTF-8")
        .into()
    })
}

/// Loads and lowers a spec into the IR without emitting code (for tools such as API diffs).
///
/// # Errors
///
/// As for [`generate`].
pub fn lower_spec(spec_text: &str, config: &Config) -> Result<(ir::Api, Vec<Diagnostic>), Error> {
    let (loaded, config) = load_selected(spec_text, config)?;
    let config = &*config;
    let mut warnings = loaded.warnings.clone();
    let api = lower(&loaded, config, &mut warnings)?;
    Ok((api, warnings))
}

pub(crate) fn lower(
    loaded: &spec::LoadedSpec,
    config: &Config,
    warnings: &mut Vec<Diagnostic>,
) -> Result<ir::Api, Error> {
    // Diagnostics about converted or overlaid nodes name the file the node came from.
    let (api, mut lower_warnings) = ir::lower(loaded, config).map_err(|mut error| {
        loaded.origins.relocate(&mut error.diagnostics);
        // A schema met from several places is reported once.
        let mut seen = std::collections::HashSet::new();
        error
            .diagnostics
            .retain(|d| seen.insert((d.location.clone(), d.message.clone())));
        error
    })?;
    loaded.origins.relocate(&mut lower_warnings);
    warnings.extend(lower_warnings);
    Ok(api)
}
