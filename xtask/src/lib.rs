//! `cargo xtask` as a library: the maintainer commands, callable from tests (the freshness test
//! runs exactly what `cargo xtask codegen --check` runs).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode};

use anyhow::{Context, Result, bail};
use generator::{Config, GeneratedFile};

pub mod conformance;
pub mod corpus;
pub mod mock_fallback;
pub mod mock_proxy;
pub mod peers;

/// Options of `cargo xtask codegen`.
#[derive(clap::Args, Debug, Default)]
pub struct CodegenArgs {
    /// Write nothing; fail if the checked-in output differs from what would be generated.
    #[arg(long)]
    pub check: bool,
    /// The OpenAPI document (default: spec/gainsight-cta.yaml).
    #[arg(long, requires = "out")]
    pub spec: Option<PathBuf>,
    /// Folder of the crate to write (default: generated-client/).
    #[arg(long, requires = "spec")]
    pub out: Option<PathBuf>,
    /// Also write the command-line crate there (default with the default paths, when the
    /// config has a `[cli]` section: generated-cli/).
    #[arg(long, value_name = "DIR")]
    pub cli_out: Option<PathBuf>,
    /// Codegen config (default: codegen.toml beside the spec, if it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The previous spec to compare with (default: the spec as committed at git HEAD).
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Fail when the generator reports warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also emit the wire-test suite (`tests/wire.rs`), whatever the config says.
    #[arg(long)]
    pub wire_tests: bool,
    /// An OpenAPI Overlay 1.0 file to apply after the config's overlays (repeatable, in order).
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
    /// Generate only the operations this selects, and the types they use (repeatable; added
    /// to the config's `only`): `tag:NAME`, `operation:ID`, `path:/PREFIX`.
    #[arg(long = "only", value_name = "SELECTOR")]
    pub only: Vec<String>,
}

/// Options of `cargo xtask api-diff`.
#[derive(clap::Args, Debug)]
pub struct ApiDiffArgs {
    /// The previous spec.
    pub old: PathBuf,
    /// The new spec.
    pub new: PathBuf,
    /// Codegen config for both (default: codegen.toml beside the new spec, if it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// An OpenAPI Overlay 1.0 file applied to both specs after the config's (repeatable).
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
}

/// The workspace root, from this crate's manifest directory.
pub fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
}

fn read(path: &Path) -> Result<String> {
    generator::fs::read_utf8(path).map_err(|e| anyhow::anyhow!("{e}"))
}

/// A spec as one document: a spec split over local files is bundled first.
fn read_spec(path: &Path) -> Result<generator::fs::Bundle> {
    generator::fs::bundle(path).map_err(|e| anyhow::anyhow!("{}:\n{e}", path.display()))
}

/// Renders diagnostics with the spec's file, line and column (colour on a terminal), as the
/// `openapi-rust` CLI does.
fn reporter(spec: &Path, config: Option<&Path>) -> openapi_rust_cli::report::Reporter {
    use std::io::IsTerminal;
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    openapi_rust_cli::report::Reporter::new(spec, config, colour)
}

/// The config for `spec_path` and the file it came from (see [`generator::fs::load_config`]).
fn load_config(explicit: Option<&Path>, spec_path: &Path) -> Result<(Config, Option<PathBuf>)> {
    generator::fs::load_config(explicit, spec_path).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Adds the `--overlay` files after the config's own, named as given on the command line.
fn add_overlays(config: &mut Config, overlays: &[PathBuf]) -> Result<()> {
    for path in overlays {
        let overlay = generator::fs::read_overlay(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        config.overlay_sources.push(overlay);
    }
    Ok(())
}

/// The config's overlays as committed at git HEAD (those not committed yet are left out), so
/// that the API change report compares the overlaid spec then and now.
fn committed_overlays(
    root: &Path,
    config: &Config,
    config_path: &Path,
) -> Vec<generator::OverlaySource> {
    let dir = config_path.parent().unwrap_or(Path::new("."));
    let relative_dir = dir.strip_prefix(root).unwrap_or(dir);
    config
        .overlays
        .iter()
        .filter_map(|label| {
            let relative = relative_dir.join(label);
            let text = committed_spec(root, &relative.to_string_lossy())?;
            Some(generator::OverlaySource {
                label: label.clone(),
                text,
            })
        })
        .collect()
}

/// The spec as committed at git HEAD, if the project is a git checkout that has it.
fn committed_spec(root: &Path, relative: &str) -> Option<String> {
    let output = Process::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("HEAD:{relative}")])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8(output.stdout).ok())
        .flatten()
}

/// `cargo xtask codegen`: regenerates the crate, or with `check` compares it and names stale files.
///
/// # Errors
///
/// Unreadable files and configs; a spec that fails to generate is a failing exit code instead.
pub fn codegen(args: &CodegenArgs) -> Result<ExitCode> {
    let root = project_root();
    let default_paths = args.spec.is_none();
    let (spec_path, out_dir, label) = match (&args.spec, &args.out) {
        // The header names the spec's file, not the path it was read from, so that regenerating
        // from another folder rewrites nothing.
        (Some(spec), Some(out)) => (
            spec.clone(),
            out.clone(),
            spec.file_name().map_or_else(
                || spec.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            ),
        ),
        _ => (
            root.join("spec/gainsight-cta.yaml"),
            root.join("generated-client"),
            "spec/gainsight-cta.yaml".to_owned(),
        ),
    };
    let bundled = read_spec(&spec_path)?;
    let spec_text = bundled.text.clone();
    let (mut config, config_path) = load_config(args.config.as_deref(), &spec_path)?;
    config.source_label = Some(label);
    config.generated_by = Some("cargo xtask codegen".to_owned());
    config.wire_tests |= args.wire_tests;
    add_overlays(&mut config, &args.overlays)?;
    add_selectors(&mut config, &args.only)?;
    let previous_spec = match &args.base {
        Some(base) => Some(read_spec(base)?.text),
        None if default_paths => committed_spec(&root, "spec/gainsight-cta.yaml"),
        None => None,
    };
    if args.base.is_none()
        && default_paths
        && args.overlays.is_empty()
        && let Some(path) = &config_path
    {
        config.previous_overlay_sources = Some(committed_overlays(&root, &config, path));
    }
    let previous_changelog = std::fs::read_to_string(out_dir.join("CHANGELOG.md")).ok();
    let cli_dir = match &args.cli_out {
        Some(dir) => Some(dir.clone()),
        None if default_paths && config.cli.is_some() => Some(root.join("generated-cli")),
        None => None,
    };

    let regeneration = match generator::regenerate(
        previous_spec.as_deref(),
        &spec_text,
        &config,
        previous_changelog.as_deref(),
    ) {
        Ok(regeneration) => regeneration,
        Err(mut error) => {
            bundled.relocate(&mut error.diagnostics);
            let mut reporter = reporter(&spec_path, config_path.as_deref());
            for diagnostic in &error.diagnostics {
                eprint!("{}", reporter.error(diagnostic));
            }
            eprintln!("generation failed for {}", spec_path.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut warnings = regeneration.output.warnings.clone();
    bundled.relocate(&mut warnings);
    let mut reporter = reporter(&spec_path, config_path.as_deref());
    for warning in &warnings {
        eprint!("{}", reporter.warning(warning));
    }
    if args.deny_warnings && !regeneration.output.warnings.is_empty() {
        bail!(
            "{} warning(s) and --deny-warnings was given",
            regeneration.output.warnings.len()
        );
    }
    if let Some(report) = &regeneration.report {
        print!("{}", report.to_text());
        println!(
            "crate version {} → {}",
            regeneration.previous_version, regeneration.version
        );
    }
    let version_changed = regeneration.version != regeneration.previous_version;
    let cli_output = match &cli_dir {
        Some(dir) => Some((
            dir,
            cli_files(&spec_text, &config, &regeneration.version, dir, &out_dir)?,
        )),
        None => None,
    };
    if args.check {
        if version_changed {
            eprintln!(
                "the spec changed since the last codegen run: the crate version must become {}",
                regeneration.version
            );
        }
        let mut code = check(&out_dir, &regeneration.output.files)?;
        if let Some((cli_dir, files)) = &cli_output {
            let cli_code = check(cli_dir, files)?;
            if cli_code != ExitCode::SUCCESS {
                code = cli_code;
            }
        }
        return Ok(if version_changed {
            ExitCode::FAILURE
        } else {
            code
        });
    }
    write_files(&out_dir, &regeneration.output.files)?;
    if let Some((cli_dir, files)) = &cli_output {
        write_files(cli_dir, files)?;
    }
    if version_changed {
        match &config_path {
            Some(path) => {
                let text = read(path)?;
                std::fs::write(
                    path,
                    generator::config::set_package_version(&text, &regeneration.version),
                )
                .with_context(|| format!("writing {}", path.display()))?;
                println!(
                    "wrote version {} to {}",
                    regeneration.version,
                    path.display()
                );
            }
            None => println!(
                "note: no codegen config to record version {} in; pass --config to keep it",
                regeneration.version
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Adds `--only` selectors to the config's selection.
fn add_selectors(config: &mut Config, selectors: &[String]) -> Result<()> {
    if selectors.is_empty() {
        return Ok(());
    }
    let only = config.only.get_or_insert_with(Default::default);
    for selector in selectors {
        only.add_selector(selector)
            .map_err(|message| anyhow::anyhow!(message))?;
    }
    Ok(())
}

/// The command-line crate's files, at the client crate's (possibly bumped) version.
fn cli_files(
    spec_text: &str,
    config: &Config,
    version: &str,
    cli_dir: &Path,
    client_dir: &Path,
) -> Result<Vec<GeneratedFile>> {
    let mut config = config.clone();
    config.package.version = Some(version.to_owned());
    let client_path = generator::fs::relative_path(cli_dir, client_dir);
    generator::generate_cli(spec_text, &config, &client_path)
        .map(|output| output.files)
        .map_err(|error| anyhow::anyhow!("generating the command-line crate failed:\n{error}"))
}

/// `cargo xtask api-diff`: the API change report between two specs.
///
/// # Errors
///
/// Unreadable or broken specs.
pub fn api_diff(args: &ApiDiffArgs) -> Result<ExitCode> {
    let (mut config, _) = load_config(args.config.as_deref(), &args.new)?;
    add_overlays(&mut config, &args.overlays)?;
    let lower = |path: &Path| -> Result<generator::ir::Api> {
        generator::lower_spec(&read_spec(path)?.text, &config)
            .map(|(api, _)| api)
            .map_err(|e| anyhow::anyhow!("{}:\n{e}", path.display()))
    };
    let report = generator::diff::diff(&lower(&args.old)?, &lower(&args.new)?);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "breaking": report.is_breaking(),
                "bump": report.bump(),
                "changes": report.changes,
            }))?
        );
    } else {
        print!("{}", report.to_text());
    }
    Ok(if report.is_breaking() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn write_files(out_dir: &Path, files: &[GeneratedFile]) -> Result<()> {
    let written = generator::fs::write_files(out_dir, files)?;
    for path in &written.changed {
        println!("wrote {}", path.display());
    }
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
        out_dir.display(),
        written.changed.len() + written.removed.len()
    );
    Ok(())
}

fn check(out_dir: &Path, files: &[GeneratedFile]) -> Result<ExitCode> {
    let staleness = generator::fs::check_files(out_dir, files)?;
    if staleness.is_up_to_date() {
        println!("{} is up to date", out_dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    for path in &staleness.stale {
        eprintln!("stale: {}", path.display());
    }
    for path in &staleness.extra {
        eprintln!("extra (not generated): {}", path.display());
    }
    eprintln!(
        "the generated client is out of date; run `cargo xtask codegen` and commit the result"
    );
    Ok(ExitCode::FAILURE)
}
