//! `openapi-rust`: generate, check and diff OpenAPI client crates from the command line.

use clap::Parser;

// Generation allocates token streams and syntax trees by the million on several threads;
// mimalloc spends a fraction of glibc's time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    openapi_rust_cli::run(&openapi_rust_cli::Cli::parse())
}
