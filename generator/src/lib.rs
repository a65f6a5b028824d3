//! OpenAPI 3.0/3.1/3.2 → Rust client generator: `generate(spec_text, &config)` returns the files of a crate.
//!
//! The pipeline is pure (no disk or network I/O): load and normalise the spec (`spec`), lower it
//! into the generator's own IR ([`ir`]), emit Rust with `quote` and format it with `prettyplease`
//! (`emit`). Writing files is the caller's job (see `xtask`).

pub mod config;
pub mod diff;
pub mod error;
pub mod ir;
pub mod naming;
pub mod pointer;

mod emit;
mod spec;

pub use config::Config;

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

/// The result of regenerating a crate after a spec update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regeneration {
    /// The crate's files, `CHANGELOG.md` included.
    pub output: Output,
    /// What changed for users of the crate, when there was a previous spec that differs.
    pub report: Option<diff::ApiDiff>,
    /// The crate version before this run (from the config).
    pub previous_version: String,
    /// The crate version written into the crate (bumped when the API changed).
    pub version: String,
}

/// Marks a changelog entry with the spec it was made for, so running codegen twice adds one entry.
const SPEC_MARKER: &str = "<!-- spec-hash: ";

/// Generates the crate for `spec_text`, comparing it with `previous_spec` (the committed spec):
/// on a change, the version in the config is bumped by semver and an entry is prepended to
/// `previous_changelog`. Pure: the caller reads and writes files.
///
/// # Errors
///
/// As for [`generate`]; the previous spec only needs to load, not to match the config.
pub fn regenerate(
    previous_spec: Option<&str>,
    spec_text: &str,
    config: &Config,
    previous_changelog: Option<&str>,
) -> Result<Regeneration, Error> {
    let hash = spec_hash(spec_text);
    let previous_version = config
        .package
        .version
        .clone()
        .unwrap_or_else(|| "0.1.0".to_owned());
    let recorded =
        previous_changelog.is_some_and(|log| log.contains(&format!("{SPEC_MARKER}{hash} -->")));
    let loaded = spec::load(spec_text)?;
    let mut warnings = loaded.warnings.clone();
    let api = lower(&loaded, config, &mut warnings)?;

    let report = match previous_spec {
        Some(old_text) if old_text != spec_text && !recorded => {
            Some(diff::diff(&lower_previous(old_text, config)?, &api))
        }
        _ => None,
    };
    let version = match &report {
        Some(report) => diff::bump_version(&previous_version, report.bump()),
        None => previous_version.clone(),
    };
    let mut config = config.clone();
    config.package.version = Some(version.clone());
    let crate_name = emit::crate_name(&api, &config);
    let header = "<!-- @generated by `cargo xtask codegen`: entries are added when the spec changes. -->\n# Changelog\n\n";
    let entry = |body: &str| {
        format!(
            "## {crate_name} {version} (API version {})\n{SPEC_MARKER}{hash} -->\n\n{body}",
            api.api_version
        )
    };
    let changelog = match (&report, previous_changelog) {
        (Some(report), Some(log)) => format!(
            "{header}{}{}",
            entry(&report.to_markdown()),
            log.strip_prefix(header).unwrap_or(log)
        ),
        (Some(report), None) => format!("{header}{}", entry(&report.to_markdown())),
        (None, Some(log)) => log.to_owned(),
        (None, None) => format!(
            "{header}{}",
            entry("First version generated from the spec.\n\n")
        ),
    };
    let mut files = emit::emit(&api, &config)?;
    files.push(GeneratedFile::new("CHANGELOG.md", changelog));
    Ok(Regeneration {
        output: Output { files, warnings },
        report,
        previous_version,
        version,
    })
}

/// Lowers the previous spec with as much of the config as still applies to it.
fn lower_previous(text: &str, config: &Config) -> Result<ir::Api, Error> {
    let loaded = spec::load(text)?;
    let mut ignored = Vec::new();
    lower(&loaded, config, &mut ignored).or_else(|_| {
        // Config entries may name operations or schemas the previous spec did not have yet.
        let lenient = Config {
            operations: Default::default(),
            filters: Default::default(),
            extra_files: Default::default(),
            type_names: config
                .type_names
                .iter()
                .filter(|(p, _)| spec::pointer_exists(&loaded, p))
                .map(|(p, n)| (p.clone(), n.clone()))
                .collect(),
            ..config.clone()
        };
        lower(&loaded, &lenient, &mut ignored)
    })
}

/// FNV-1a of the spec text: a stable fingerprint (not for security).
fn spec_hash(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}
