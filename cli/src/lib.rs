//! The `openapi-rust` command line as a library: arguments, the `generate`, `check` and `diff`
//! commands, diagnostics rendered with the offending line, and a progress bar.
#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use annotate_snippets::Level;
use clap::{Args, Parser, Subcommand, ValueEnum};
use generator::config::{RuntimeMode, RuntimeSource};
use generator::fs::Bundle;
use generator::{Config, Diagnostic, Error};

pub mod locate;
pub mod progress;
pub mod report;

use report::Reporter;

/// Exit code: success (generated; up to date; no breaking change).
pub const EXIT_OK: u8 = 0;
/// Exit code: `check` found stale files, or `diff` found a breaking change.
pub const EXIT_CHANGED: u8 = 1;
/// Exit code: a usage error, an unreadable file, or a spec or config that does not generate.
pub const EXIT_ERROR: u8 = 2;

/// What generated headers name, so `check` recognises what `generate` wrote.
const COMMAND: &str = "openapi-rust";

const EXAMPLES: &str = "\
Examples:
  openapi-rust generate api.yaml --out clients/api          # a crate from a spec (and codegen.toml beside it)
  openapi-rust generate api.yaml --out clients/api --config codegen.toml --deny-warnings
  openapi-rust generate api.yaml --out clients/api --cli-out clients/api-cli   # and a CLI for it
  openapi-rust generate api.yaml --out clients/users --only tag:Users     # part of an API
  openapi-rust check api.yaml --out clients/api             # CI: fail naming files that are stale
  openapi-rust diff old.yaml new.yaml                       # what changed for the crate's users
  openapi-rust diff old.yaml new.yaml --json

Exit codes:
  0  success: generated, up to date, or no breaking change
  1  `check`: stale files; `diff`: a breaking change
  2  usage error, unreadable file, or a spec or config that does not generate";

/// Generates typed async Rust client crates from OpenAPI 3.0/3.1/3.2 (and Swagger 2.0) documents.
#[derive(Debug, Parser)]
#[command(name = "openapi-rust", version, after_help = EXAMPLES)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Colour::Auto)]
    pub color: Colour,
}

/// When to colour diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Colour {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a client crate from a spec into a folder (only changed files are written).
    Generate(GenerateArgs),
    /// Fail, naming the files, when a generated crate differs from what the spec gives.
    Check(GenerateArgs),
    /// Report what changed for the crate's users between two specs; exit 1 if anything breaks.
    Diff(DiffArgs),
}

/// Options of `generate` and `check`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The OpenAPI document (YAML or JSON; `$ref`s to local files beside it are bundled).
    pub spec: PathBuf,
    /// Folder of the crate.
    #[arg(long)]
    pub out: PathBuf,
    /// Codegen config (default: `codegen.toml` beside the spec, if there is one).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Fail when the spec gives warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// An OpenAPI Overlay 1.0 file applied after the config's overlays (repeatable, in order).
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
    /// Where the crate's runtime comes from (default: the config's, else `vendored`).
    #[arg(long, value_enum)]
    pub runtime: Option<RuntimeArg>,
    /// With `--runtime dependency`: the runtime crate's folder, relative to the generated crate.
    #[arg(long, requires = "runtime")]
    pub runtime_path: Option<String>,
    /// Also emit the wire-test suite (`tests/wire.rs`).
    #[arg(long)]
    pub wire_tests: bool,
    /// Also generate a command-line crate for the API into this folder: one subcommand per
    /// operation, calling the client in `--out` (named by the config's `[cli]` section).
    #[arg(long, value_name = "DIR")]
    pub cli_out: Option<PathBuf>,
    /// Generate only the operations this selects, and the types they use (repeatable; added to
    /// the config's `only`): `tag:NAME`, `operation:ID`, `path:/PREFIX`.
    #[arg(long = "only", value_name = "SELECTOR")]
    pub only: Vec<String>,
}

/// `--runtime` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuntimeArg {
    /// Copied into the crate (`src/runtime/`): the crate builds on its own.
    Vendored,
    /// The `openapi-rust-runtime` crate as a dependency, shared by every client of an application.
    Dependency,
    /// Copied beside the crate as its own package (`runtime/`), a path dependency.
    Crate,
}

/// Options of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The previous spec.
    pub old: PathBuf,
    /// The new spec.
    pub new: PathBuf,
    /// Codegen config for both (default: `codegen.toml` beside the new spec, if there is one).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// An OpenAPI Overlay 1.0 file applied to both specs (repeatable, in order).
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
}

/// Runs a parsed command line and returns the process's exit code.
pub fn run(cli: &Cli) -> ExitCode {
    let colour = match cli.color {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let code = match &cli.command {
        Command::Generate(args) => generate(args, colour, false),
        Command::Check(args) => generate(args, colour, true),
        Command::Diff(args) => diff(args, colour),
    };
    ExitCode::from(code)
}

/// A spec, its config and where both came from.
struct Inputs {
    bundle: Bundle,
    config: Config,
    config_path: Option<PathBuf>,
}

/// Reads the config (and the overlays given on the command line); errors are printed.
fn read_config(
    explicit: Option<&Path>,
    spec: &Path,
    overlays: &[PathBuf],
    reporter: &mut Reporter,
) -> Result<(Config, Option<PathBuf>), u8> {
    let (mut config, path) =
        generator::fs::load_config(explicit, spec).map_err(|e| print_error(reporter, &e))?;
    for overlay in overlays {
        let overlay =
            generator::fs::read_overlay(overlay).map_err(|e| print_error(reporter, &e))?;
        config.overlay_sources.push(overlay);
    }
    config.generated_by = Some(COMMAND.to_owned());
    Ok((config, path))
}

fn read_inputs(args: &GenerateArgs, reporter: &mut Reporter) -> Result<Inputs, u8> {
    let bundle = generator::fs::bundle(&args.spec).map_err(|e| print_error(reporter, &e))?;
    let (mut config, config_path) =
        read_config(args.config.as_deref(), &args.spec, &args.overlays, reporter)?;
    config.source_label = args
        .spec
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    config.wire_tests |= args.wire_tests;
    for selector in &args.only {
        if let Err(message) = config
            .only
            .get_or_insert_with(Default::default)
            .add_selector(selector)
        {
            eprintln!("error: --only {message}");
            return Err(EXIT_ERROR);
        }
    }
    match args.runtime {
        Some(RuntimeArg::Vendored) => config.runtime = RuntimeMode::Vendored,
        Some(RuntimeArg::Dependency) => config.runtime = RuntimeMode::Dependency,
        Some(RuntimeArg::Crate) => config.runtime = RuntimeMode::Crate,
        None => {}
    }
    if let Some(path) = &args.runtime_path {
        config.runtime_source = Some(RuntimeSource {
            path: Some(path.clone()),
            git: None,
        });
    }
    Ok(Inputs {
        bundle,
        config,
        config_path,
    })
}

fn generate(args: &GenerateArgs, colour: bool, check: bool) -> u8 {
    let mut reporter = Reporter::new(&args.spec, args.config.as_deref(), colour);
    let inputs = match read_inputs(args, &mut reporter) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    if let Some(path) = &inputs.config_path {
        reporter = Reporter::new(&args.spec, Some(path), colour);
    }
    let changelog = std::fs::read_to_string(args.out.join("CHANGELOG.md")).ok();
    let bar = progress::Bar::new(std::io::stderr().is_terminal());
    let result = generator::regenerate_with_progress(
        None,
        &inputs.bundle.text,
        &inputs.config,
        changelog.as_deref(),
        &bar,
    );
    bar.finish();
    let regeneration = match result {
        Ok(regeneration) => regeneration,
        Err(mut error) => {
            inputs.bundle.relocate(&mut error.diagnostics);
            print_error(&mut reporter, &error);
            eprintln!("error: {} does not generate", args.spec.display());
            return EXIT_ERROR;
        }
    };
    let mut warnings = regeneration.output.warnings.clone();
    inputs.bundle.relocate(&mut warnings);
    for warning in &warnings {
        eprint!("{}", reporter.render(Level::Warning, warning));
    }
    if args.deny_warnings && !warnings.is_empty() {
        eprintln!(
            "error: {} warning(s) and --deny-warnings was given",
            warnings.len()
        );
        return EXIT_ERROR;
    }
    let mut targets = vec![(args.out.clone(), regeneration.output.files)];
    if let Some(cli_out) = &args.cli_out {
        let mut config = inputs.config.clone();
        config.package.version = Some(regeneration.version.clone());
        let client_path = generator::fs::relative_path(cli_out, &args.out);
        match generator::generate_cli(&inputs.bundle.text, &config, &client_path) {
            Ok(output) => targets.push((cli_out.clone(), output.files)),
            Err(mut error) => {
                inputs.bundle.relocate(&mut error.diagnostics);
                print_error(&mut reporter, &error);
                eprintln!("error: the command-line crate does not generate");
                return EXIT_ERROR;
            }
        }
    }
    targets
        .iter()
        .map(|(out, files)| {
            if check {
                check_folder(out, files)
            } else {
                write_folder(out, files)
            }
        })
        .max()
        .unwrap_or(EXIT_OK)
}

/// `check` of one crate's folder: up to date, or the stale and extra files named.
fn check_folder(out: &Path, files: &[generator::GeneratedFile]) -> u8 {
    match generator::fs::check_files(out, files) {
        Ok(staleness) if staleness.is_up_to_date() => {
            println!("{} is up to date", out.display());
            EXIT_OK
        }
        Ok(staleness) => {
            for path in &staleness.stale {
                eprintln!("stale: {}", path.display());
            }
            for path in &staleness.extra {
                eprintln!("extra (not generated): {}", path.display());
            }
            eprintln!(
                "error: {} is out of date; run `openapi-rust generate` with the same arguments",
                out.display()
            );
            EXIT_CHANGED
        }
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_ERROR
        }
    }
}

/// Writes one crate's files, reporting what changed.
fn write_folder(out: &Path, files: &[generator::GeneratedFile]) -> u8 {
    match generator::fs::write_files(out, files) {
        Ok(written) => {
            for path in &written.removed {
                println!("removed {}", path.display());
            }
            for path in &written.kept {
                eprintln!(
                    "warning: {} is not generated; left as it is",
                    path.display()
                );
            }
            println!(
                "{} file(s) generated in {}, {} changed",
                files.len(),
                out.display(),
                written.changed.len() + written.removed.len()
            );
            EXIT_OK
        }
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_ERROR
        }
    }
}

fn diff(args: &DiffArgs, colour: bool) -> u8 {
    let mut reporter = Reporter::new(&args.new, args.config.as_deref(), colour);
    let (config, _) = match read_config(
        args.config.as_deref(),
        &args.new,
        &args.overlays,
        &mut reporter,
    ) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let lower = |path: &Path| -> Result<generator::ir::Api, u8> {
        let mut reporter = Reporter::new(path, args.config.as_deref(), colour);
        let bundle = generator::fs::bundle(path).map_err(|e| print_error(&mut reporter, &e))?;
        generator::lower_spec(&bundle.text, &config)
            .map(|(api, _)| api)
            .map_err(|mut error| {
                bundle.relocate(&mut error.diagnostics);
                print_error(&mut reporter, &error)
            })
    };
    let (old, new) = match (lower(&args.old), lower(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        _ => return EXIT_ERROR,
    };
    let report = generator::diff::diff(&old, &new);
    if args.json {
        let json = serde_json::json!({
            "breaking": report.is_breaking(),
            "bump": report.bump(),
            "changes": report.changes,
        });
        match serde_json::to_string_pretty(&json) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprintln!("error: {error}");
                return EXIT_ERROR;
            }
        }
    } else {
        print!("{}", report.to_text());
    }
    if report.is_breaking() {
        EXIT_CHANGED
    } else {
        EXIT_OK
    }
}

/// Prints every diagnostic of `error`; returns [`EXIT_ERROR`].
fn print_error(reporter: &mut Reporter, error: &Error) -> u8 {
    for diagnostic in &error.diagnostics {
        eprint!("{}", reporter.render(Level::Error, diagnostic));
    }
    EXIT_ERROR
}

/// Renders one diagnostic without colour (for tests and logs).
pub fn render_plain(spec: &Path, config: Option<&Path>, diagnostic: &Diagnostic) -> String {
    Reporter::new(spec, config, false).render(Level::Error, diagnostic)
}
