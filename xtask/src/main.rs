//! `cargo xtask`: maintainer tasks. `codegen` regenerates `generated-client/` from `spec/`; the only code that writes files.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{ApiDiffArgs, CodegenArgs, api_diff, codegen, corpus, project_root};

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
    /// Report what changed for users of a generated crate between two specs; exit 1 if anything breaks.
    ApiDiff(ApiDiffArgs),
    /// Generate and compile clients for a deterministic sample of the APIs.guru directory.
    Corpus(corpus::CorpusArgs),
    /// Compare generated lines and compile times with progenitor and openapi-generator (installs them into a cache outside git).
    Peers(xtask::peers::PeersArgs),
    /// Generate one spec into a folder (used by `corpus`, one process per spec).
    #[command(hide = true)]
    CorpusOne {
        /// Crate name.
        #[arg(long)]
        name: String,
        /// The spec.
        spec: PathBuf,
        /// The output folder.
        out: PathBuf,
        /// Also emit the wire tests.
        #[arg(long)]
        wire_tests: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen(args) => codegen(&args),
        Command::ApiDiff(args) => api_diff(&args),
        Command::Corpus(args) => corpus::corpus(&args, &project_root()),
        Command::Peers(args) => xtask::peers::peers(&args, &project_root()),
        Command::CorpusOne {
            name,
            spec,
            out,
            wire_tests,
        } => corpus::corpus_one(&spec, &out, &name, wire_tests),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
