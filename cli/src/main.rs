//! `openapi-rust`: generate, check and diff OpenAPI client crates from the command line.

use clap::Parser;

fn main() -> std::process::ExitCode {
    openapi_rust_cli::run(&openapi_rust_cli::Cli::parse())
}
