//! `cargo xtask`: maintainer tasks. `codegen` regenerates `generated-client/` from `spec/`; the only code that writes files.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use generator::{Config, GeneratedFile};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer tasks for the OpenAPI client generator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate a client crate from an OpenAPI document (default: spec/ → generated-client/).
    Codegen(CodegenArgs),
}

#[derive(clap::Args)]
struct CodegenArgs {
    /// Write nothing; fail if the checked-in output differs from what would be generated.
    #[arg(long)]
    check: bool,
    /// The OpenAPI document (default: spec/gainsight-cta.yaml).
    #[arg(long, requires = "out")]
    spec: Option<PathBuf>,
    /// Folder of the crate to write (default: generated-client/).
    #[arg(long, requires = "spec")]
    out: Option<PathBuf>,
    /// Codegen config (default: codegen.toml beside the spec, if it exists).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Fail when the generator reports warnings.
    #[arg(long)]
    deny_warnings: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen(args) => codegen(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, from this crate's manifest directory.
fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
}

fn codegen(args: &CodegenArgs) -> Result<ExitCode> {
    let root = project_root();
    let (spec_path, out_dir, label) = match (&args.spec, &args.out) {
        (Some(spec), Some(out)) => (spec.clone(), out.clone(), spec.display().to_string()),
        _ => (
            root.join("spec/gainsight-cta.yaml"),
            root.join("generated-client"),
            "spec/gainsight-cta.yaml".to_owned(),
        ),
    };
    let config_path = match &args.config {
        Some(path) => Some(path.clone()),
        None => Some(spec_path.with_file_name("codegen.toml")).filter(|p| p.is_file()),
    };
    let spec_text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("reading {}", spec_path.display()))?;
    let mut config = match &config_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Config::from_toml(&text).map_err(|d| anyhow::anyhow!("{}: {d}", path.display()))?
        }
        None => Config::default(),
    };
    config.source_label = Some(label);
    let config_dir = config_path
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    for (destination, source) in config.extra_files.clone() {
        let path = config_dir.join(&source);
        let contents = std::fs::read_to_string(&path)
            .with_context(|| format!("reading extra file {}", path.display()))?;
        config.extra_file_contents.insert(destination, contents);
    }

    let output = match generator::generate(&spec_text, &config) {
        Ok(output) => output,
        Err(error) => {
            eprintln!("{error}");
            eprintln!("generation failed for {}", spec_path.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    for warning in &output.warnings {
        eprintln!("warning: {warning}");
    }
    if args.deny_warnings && !output.warnings.is_empty() {
        bail!(
            "{} warning(s) and --deny-warnings was given",
            output.warnings.len()
        );
    }
    if args.check {
        return check(&out_dir, &output.files);
    }
    write_files(&out_dir, &output.files)?;
    Ok(ExitCode::SUCCESS)
}

/// A generated path as a path inside `out_dir`, refusing anything that could escape it.
fn safe_join(out_dir: &Path, relative: &str) -> Result<PathBuf> {
    let path = Path::new(relative);
    if path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        bail!("refusing to write `{relative}`: generated paths must stay inside the output folder");
    }
    Ok(out_dir.join(path))
}

fn write_files(out_dir: &Path, files: &[GeneratedFile]) -> Result<()> {
    let mut written = 0;
    for file in files {
        let path = safe_join(out_dir, &file.path)?;
        if std::fs::read_to_string(&path).is_ok_and(|current| current == file.contents) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
        written += 1;
    }
    println!(
        "{} file(s) generated in {}, {written} changed",
        files.len(),
        out_dir.display()
    );
    Ok(())
}

fn check(out_dir: &Path, files: &[GeneratedFile]) -> Result<ExitCode> {
    let mut stale = Vec::new();
    for file in files {
        let path = safe_join(out_dir, &file.path)?;
        if std::fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
            stale.push(path);
        }
    }
    let expected: std::collections::HashSet<PathBuf> = files
        .iter()
        .filter_map(|f| safe_join(out_dir, &f.path).ok())
        .collect();
    let src = out_dir.join("src");
    let mut extra = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&src) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rs") && !expected.contains(&path) {
                extra.push(path);
            }
        }
    }
    if stale.is_empty() && extra.is_empty() {
        println!("{} is up to date", out_dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    for path in &stale {
        eprintln!("stale: {}", path.display());
    }
    for path in &extra {
        eprintln!("extra (not generated): {}", path.display());
    }
    eprintln!(
        "the generated client is out of date; run `cargo xtask codegen` and commit the result"
    );
    Ok(ExitCode::FAILURE)
}
