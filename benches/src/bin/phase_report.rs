//! One-shot report for a spec file: wall time of each generator phase, output size and the
//! process's peak resident memory (`VmHWM`), which benchmarks cannot measure.
//!
//! `cargo run --release -p benchmarks --bin phase_report -- <spec> [config.toml]`

use std::time::Instant;

use generator::stages;

// The allocator the `openapi-rust` command uses, so that the report measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(spec_path) = args.next() else {
        eprintln!("usage: phase_report <spec> [config.toml]");
        std::process::exit(2);
    };
    let config = match args.next() {
        Some(path) => {
            let text = read(&path);
            generator::Config::from_toml(&text).unwrap_or_else(|e| fail(&e.to_string()))
        }
        None => generator::Config::default(),
    };
    let text = read(&spec_path);
    let whole = Instant::now();
    let output = generator::generate(&text, &config).unwrap_or_else(|e| fail(&e.to_string()));
    println!(
        "generate() {:>10.1} ms (emit + format on worker threads, large files in parts)",
        whole.elapsed().as_secs_f64() * 1e3
    );
    let peak_after_generate = peak_rss();
    let mut last = Instant::now();
    let mut lap = |phase: &str| {
        let now = Instant::now();
        println!("{phase:<10} {:>10.1} ms", (now - last).as_secs_f64() * 1e3);
        last = now;
    };
    let parsed = stages::parse(&text).unwrap_or_else(|e| fail(&e.to_string()));
    lap("parse");
    let loaded = stages::normalize(parsed).unwrap_or_else(|e| fail(&e.to_string()));
    lap("normalize");
    let (api, _) = stages::lower(&loaded, &config).unwrap_or_else(|e| fail(&e.to_string()));
    lap("lower");
    let unformatted = stages::emit(&api, &config).unwrap_or_else(|e| fail(&e.to_string()));
    lap("emit");
    let files = stages::format(unformatted).unwrap_or_else(|e| fail(&e.to_string()));
    lap("format");
    if output.files != files {
        fail("generate() and the phases one by one disagree");
    }
    let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
    println!(
        "input {:.1} MB, output {:.1} MB in {} files, peak RSS of generate() {}",
        text.len() as f64 / 1e6,
        bytes as f64 / 1e6,
        files.len(),
        peak_after_generate.unwrap_or_else(|| "unknown".to_owned())
    );
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")))
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

/// The kernel's high-water mark of this process's resident memory (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MiB", kib / 1024.0))
}
