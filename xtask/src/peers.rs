//! `cargo xtask peers`: generates the same specs with this generator, progenitor and
//! openapi-generator's `rust` target, then prints generated lines and the crates' `cargo check` /
//! debug `cargo build` times side by side (docs/PERFORMANCE.md). A maintainer's tool, never CI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::corpus;

/// The peers, pinned: what issue 14's table was measured against.
const PROGENITOR_VERSION: &str = "0.15.1";
const OPENAPI_GENERATOR_VERSION: &str = "7.26.0";

/// Options of `cargo xtask peers`.
#[derive(clap::Args, Debug)]
pub struct PeersArgs {
    /// Where the peers are installed and the crates generated and built (outside git; default:
    /// `~/.cache/openapi-rust-peers`).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Specs to compare: `seed` and directory paths such as `googleapis.com/content.json`.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "seed,googleapis.com/content.json,netbox.dev.json,mailchimp.com.json"
    )]
    specs: Vec<String>,
    /// Timed runs per crate and command, alternating between generators.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Only count lines and time generation: no `cargo check` or `cargo build`.
    #[arg(long)]
    no_compile: bool,
    /// Only these generators (`ours`, `ours-shared-runtime`, `progenitor`, `openapi-generator`),
    /// for a quicker look at one of them; the others are reported as not run.
    #[arg(long, value_delimiter = ',')]
    tools: Vec<String>,
}

/// One generator under comparison.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    /// This generator, its runtime vendored into the crate (the default).
    Ours,
    /// This generator with `--runtime dependency`: the runtime is a prebuilt crate, as
    /// progenitor's `progenitor-client` is.
    OursShared,
    Progenitor,
    OpenapiGenerator,
}

const GENERATORS: [Tool; 4] = [
    Tool::Ours,
    Tool::OursShared,
    Tool::Progenitor,
    Tool::OpenapiGenerator,
];

impl Tool {
    fn label(self) -> &'static str {
        match self {
            Tool::Ours => "ours",
            Tool::OursShared => "ours-shared-runtime",
            Tool::Progenitor => "progenitor",
            Tool::OpenapiGenerator => "openapi-generator",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Tool::Ours => "ours",
            Tool::OursShared => "ours (shared runtime)",
            Tool::Progenitor => "prog",
            Tool::OpenapiGenerator => "oag",
        }
    }
}

/// The installed tools.
struct Tools {
    ours: PathBuf,
    /// The runtime crate's folder, for `--runtime dependency`.
    runtime: PathBuf,
    progenitor: PathBuf,
    openapi_generator: PathBuf,
}

/// What one generator made of one spec.
#[derive(Default)]
struct Outcome {
    /// Why it failed, if it did (generation or compilation).
    failure: Option<String>,
    /// Lines of Rust derived from the spec (the vendored runtime apart).
    lines: usize,
    /// Lines of a vendored runtime, reported apart.
    runtime_lines: usize,
    /// Lines behind an off-by-default feature (our `mock.rs`), reported apart.
    optional_lines: usize,
    generate_seconds: Vec<f64>,
    check_seconds: Vec<f64>,
    build_seconds: Vec<f64>,
}

struct SpecRow {
    name: String,
    operations: usize,
    schemas: usize,
    outcomes: Vec<(Tool, Outcome)>,
}

/// Runs the comparison and prints the table.
///
/// # Errors
///
/// Missing tools that cannot be installed, or unreadable specs.
pub fn peers(args: &PeersArgs, root: &Path) -> Result<std::process::ExitCode> {
    let cache = match &args.cache {
        Some(cache) => cache.clone(),
        None => default_cache()?,
    };
    std::fs::create_dir_all(&cache)?;
    let tools = ensure_tools(root, &cache)?;
    let mut rows = Vec::new();
    for spec in &args.specs {
        println!("== {spec}");
        rows.push(compare_spec(spec, root, &cache, &tools, args)?);
    }
    println!();
    print!("{}", table(&rows, args));
    Ok(std::process::ExitCode::SUCCESS)
}

fn default_cache() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .context("neither XDG_CACHE_HOME nor HOME is set: pass --cache")?;
    Ok(base.join("openapi-rust-peers"))
}

/// Installs what is missing: progenitor with `cargo install`, openapi-generator with pip in a
/// virtual environment (it needs Java 11+), and this generator's release binary.
fn ensure_tools(root: &Path, cache: &Path) -> Result<Tools> {
    let progenitor_root = cache.join(format!("progenitor-{PROGENITOR_VERSION}"));
    let progenitor = progenitor_root.join("bin/cargo-progenitor");
    if !progenitor.is_file() {
        println!("installing cargo-progenitor {PROGENITOR_VERSION}");
        run(Command::new("cargo")
            .args(["install", "--locked", "cargo-progenitor", "--version"])
            .arg(PROGENITOR_VERSION)
            .arg("--root")
            .arg(&progenitor_root))?;
    }
    let venv = cache.join(format!("openapi-generator-{OPENAPI_GENERATOR_VERSION}"));
    let openapi_generator = venv.join("bin/openapi-generator-cli");
    if !openapi_generator.is_file() {
        println!("installing openapi-generator-cli {OPENAPI_GENERATOR_VERSION} (pip, in a venv)");
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet"])
            .arg(format!(
                "openapi-generator-cli=={OPENAPI_GENERATOR_VERSION}"
            )))?;
    }
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|out| out.status.success()) {
        bail!("openapi-generator needs Java 11 or later on the PATH");
    }
    println!("building openapi-rust (release)");
    run(Command::new("cargo").current_dir(root).args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "openapi-rust-cli",
    ]))?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(Tools {
        ours: target.join("release/openapi-rust"),
        runtime: root.join("runtime"),
        progenitor,
        openapi_generator,
    })
}

fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// Runs `command`, returning its wall time, or its output's last lines on failure.
fn timed(command: &mut Command) -> Result<f64, String> {
    let start = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running {command:?}: {e}"))?;
    let seconds = start.elapsed().as_secs_f64();
    if output.status.success() {
        return Ok(seconds);
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let first_error = text
        .lines()
        .find(|line| line.contains("error") || line.contains("Error") || line.contains("Exception"))
        .unwrap_or("failed")
        .trim()
        .to_owned();
    Err(first_error)
}

/// The spec's file, and the same document as the peers can read it: OpenAPI 3.0.3 (progenitor
/// reads only 3.0) and no malformed `info.contact.email` (both peers refuse the seed's).
fn peer_input(
    spec: &str,
    root: &Path,
    work: &Path,
) -> Result<(PathBuf, PathBuf, serde_json::Value)> {
    let source = if spec == "seed" {
        root.join("spec/gainsight-cta.yaml")
    } else {
        corpus::ensure_directory(root)?.join(spec)
    };
    let text = std::fs::read_to_string(&source)
        .with_context(|| format!("reading {}", source.display()))?;
    // JSON as JSON, with integers beyond 64 bits read as floats (netbox.dev's `minimum`s).
    let parsed = if source.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&huge_integers_as_floats(&text)).map_err(anyhow::Error::from)
    } else {
        serde_yaml::from_str(&text).map_err(anyhow::Error::from)
    };
    let mut document: serde_json::Value =
        parsed.with_context(|| format!("parsing {}", source.display()))?;
    if let Some(version) = document.get_mut("openapi")
        && version.as_str().is_some_and(|v| !v.starts_with("3.0"))
    {
        *version = serde_json::Value::from("3.0.3");
    }
    if let Some(contact) = document
        .pointer_mut("/info/contact")
        .and_then(serde_json::Value::as_object_mut)
        && contact.get("email").is_some_and(|email| !email.is_string())
    {
        contact.remove("email");
    }
    let input = work.join("peer-input.json");
    std::fs::write(&input, serde_json::to_vec_pretty(&document)?)?;
    Ok((source, input, document))
}

/// `-9223372036854776000` → `-9223372036854776000.0` outside strings: `serde_json` reads
/// integers only within 64 bits, and floats of any size.
fn huge_integers_as_floats(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String, next: Option<char>| {
        out.push_str(digits);
        let integer = !matches!(next, Some('.' | 'e' | 'E'));
        if integer && digits.trim_start_matches('-').len() > 18 {
            out.push_str(".0");
        }
        digits.clear();
    };
    for c in text.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_digit() || (c == '-' && digits.is_empty()) {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            flush(&mut digits, &mut out, Some(c));
        }
        in_string = c == '"';
        out.push(c);
    }
    flush(&mut digits, &mut out, None);
    out
}

fn count_operations(document: &serde_json::Value) -> (usize, usize) {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let operations = document
        .get("paths")
        .and_then(serde_json::Value::as_object)
        .map_or(0, |paths| {
            paths
                .values()
                .filter_map(serde_json::Value::as_object)
                .map(|item| METHODS.iter().filter(|m| item.contains_key(**m)).count())
                .sum()
        });
    let schemas = document
        .pointer("/components/schemas")
        .and_then(serde_json::Value::as_object)
        .map_or(0, serde_json::Map::len);
    (operations, schemas)
}

fn compare_spec(
    spec: &str,
    root: &Path,
    cache: &Path,
    tools: &Tools,
    args: &PeersArgs,
) -> Result<SpecRow> {
    let slug: String = spec
        .trim_end_matches(".json")
        .trim_end_matches(".yaml")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let work = cache.join("work").join(&slug);
    std::fs::create_dir_all(&work)?;
    let (source, input, document) = peer_input(spec, root, &work)?;
    let (operations, schemas) = count_operations(&document);
    let mut outcomes: Vec<(Tool, Outcome)> = GENERATORS
        .iter()
        .map(|g| {
            let selected = args.tools.is_empty() || args.tools.iter().any(|t| t == g.label());
            let failure = (!selected).then(|| "not run (--tools)".to_owned());
            let outcome = Outcome {
                failure,
                ..Outcome::default()
            };
            (*g, outcome)
        })
        .collect();
    // Generation, alternating; the last run's output is the one measured and compiled.
    for run_index in 0..args.runs.max(1) {
        for index in rotation(run_index) {
            let (generator, outcome) = &mut outcomes[index];
            if outcome.failure.is_some() {
                continue;
            }
            let out = work.join(generator.label());
            let _ = std::fs::remove_dir_all(&out);
            let mut command =
                generate_command(*generator, tools, spec, &source, &input, &out, &slug);
            match timed(&mut command) {
                Ok(seconds) => outcome.generate_seconds.push(seconds),
                Err(error) => outcome.failure = Some(format!("generate: {error}")),
            }
        }
    }
    for (generator, outcome) in &mut outcomes {
        if outcome.failure.is_none() {
            let out = work.join(generator.label());
            let (derived, mut runtime, optional) = count_lines(&out.join("src"))?;
            // A runtime generated as a package of its own (`runtime = "crate"`).
            let package = out.join("runtime/src");
            if package.is_dir() {
                let (lines, _, _) = count_lines(&package)?;
                runtime += lines;
            }
            (outcome.lines, outcome.runtime_lines, outcome.optional_lines) =
                (derived, runtime, optional);
            standalone(&out)?;
        }
    }
    if !args.no_compile {
        compile(&work, &mut outcomes, args.runs)?;
    }
    for (generator, outcome) in &outcomes {
        println!(
            "   {:<18} {}",
            generator.label(),
            outcome
                .failure
                .clone()
                .unwrap_or_else(|| format!("{} lines", outcome.lines))
        );
    }
    Ok(SpecRow {
        name: spec.to_owned(),
        operations,
        schemas,
        outcomes,
    })
}

/// The order of the generators in run `index`: each goes first in turn.
fn rotation(index: usize) -> impl Iterator<Item = usize> {
    (0..GENERATORS.len()).map(move |i| (i + index) % GENERATORS.len())
}

fn generate_command(
    generator: Tool,
    tools: &Tools,
    spec: &str,
    source: &Path,
    input: &Path,
    out: &Path,
    slug: &str,
) -> Command {
    match generator {
        Tool::Ours | Tool::OursShared => {
            let mut command = Command::new(&tools.ours);
            // The seed with its own config (overlays, envelope, names): the checked-in client.
            command
                .arg("generate")
                .arg(if spec == "seed" { source } else { input });
            command.arg("--out").arg(out).args(["--color", "never"]);
            if generator == Tool::OursShared {
                command.args(["--runtime", "dependency", "--runtime-path"]);
                command.arg(&tools.runtime);
            }
            command
        }
        Tool::Progenitor => {
            let mut command = Command::new(&tools.progenitor);
            command
                .arg("progenitor")
                .arg("-i")
                .arg(input)
                .arg("-o")
                .arg(out);
            command.args(["-n", &format!("{slug}-progenitor"), "-v", "0.1.0"]);
            command
        }
        Tool::OpenapiGenerator => {
            let mut command = Command::new(&tools.openapi_generator);
            command
                .args(["generate", "-g", "rust", "-i"])
                .arg(input)
                .arg("-o")
                .arg(out);
            command.args(["--package-name", &format!("{}_oag", slug.replace('-', "_"))]);
            command
        }
    }
}

/// Lines of `.rs` files under `src`: those derived from the spec, those of a vendored runtime
/// (`src/runtime/`; a runtime package's, `runtime/src/`, are counted by the caller) and those
/// behind the off-by-default `mock` feature (`src/mock.rs`) apart.
fn count_lines(src: &Path) -> Result<(usize, usize, usize)> {
    let mut derived = 0;
    let mut runtime = 0;
    let mut optional = 0;
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path)?.lines().count();
                let relative = path.strip_prefix(src).unwrap_or(&path);
                if relative.starts_with("runtime") {
                    runtime += lines;
                } else if relative == Path::new("mock.rs") {
                    optional += lines;
                } else {
                    derived += lines;
                }
            }
        }
    }
    Ok((derived, runtime, optional))
}

/// Makes a generated crate its own workspace, so it builds outside any other.
fn standalone(crate_dir: &Path) -> Result<()> {
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)?;
    if !text.contains("[workspace]") {
        std::fs::write(&manifest, format!("{text}\n[workspace]\n"))?;
    }
    Ok(())
}

/// The cargo command for one crate: rustls for openapi-generator's (its default is OpenSSL,
/// which ours and progenitor's do not use), one target folder per generator so dependencies
/// build once.
fn cargo(work: &Path, generator: Tool, subcommand: &str) -> Command {
    let mut command = Command::new("cargo");
    command.arg(subcommand).arg("--quiet");
    if generator == Tool::OpenapiGenerator {
        command.args(["--no-default-features", "--features", "rustls"]);
    }
    let target = work
        .parent()
        .map_or_else(|| work.to_path_buf(), Path::to_path_buf);
    command
        .current_dir(work.join(generator.label()))
        .env(
            "CARGO_TARGET_DIR",
            target.join(format!("target-{}", generator.label())),
        )
        // Each timed run compiles the whole crate, as a first or a CI build does, instead of
        // replaying the incremental cache of an unchanged crate.
        .env("CARGO_INCREMENTAL", "0");
    command
}

/// Builds each crate once (dependencies prebuilt), then times `cargo check` and `cargo build`
/// of the crate alone, alternating generators; a touched `src/lib.rs` makes cargo rebuild only it.
fn compile(work: &Path, outcomes: &mut [(Tool, Outcome)], runs: usize) -> Result<()> {
    for (generator, outcome) in outcomes.iter_mut() {
        if outcome.failure.is_some() {
            continue;
        }
        println!("   prebuilding {}", generator.label());
        for subcommand in ["check", "build"] {
            if let Err(error) = timed(&mut cargo(work, *generator, subcommand)) {
                outcome.failure = Some(format!("{subcommand}: {error}"));
                break;
            }
        }
    }
    for subcommand in ["check", "build"] {
        for run_index in 0..runs.max(1) {
            for index in rotation(run_index) {
                let (generator, outcome) = &mut outcomes[index];
                if outcome.failure.is_some() {
                    continue;
                }
                let lib = work.join(generator.label()).join("src/lib.rs");
                let file = std::fs::File::options().append(true).open(&lib)?;
                file.set_modified(std::time::SystemTime::now())?;
                let seconds = timed(&mut cargo(work, *generator, subcommand))
                    .map_err(|e| anyhow::anyhow!("{} {subcommand}: {e}", generator.label()))?;
                if subcommand == "check" {
                    outcome.check_seconds.push(seconds);
                } else {
                    outcome.build_seconds.push(seconds);
                }
            }
        }
    }
    Ok(())
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The Markdown table: per spec, each generator's lines, lines per operation + schema, and
/// median seconds, with our ratio to the best peer.
fn table(rows: &[SpecRow], args: &PeersArgs) -> String {
    let names: Vec<&str> = GENERATORS.iter().map(|g| g.short()).collect();
    let names = names.join(" · ");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| spec (ops / schemas) | lines derived from the spec: {names} | lines per op + schema: {names} | generate (s): {names} | `cargo check` (s): {names} | debug `cargo build` (s): {names} |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for row in rows {
        let items = (row.operations + row.schemas).max(1);
        let cell = |f: &dyn Fn(&Outcome) -> Option<String>| {
            row.outcomes
                .iter()
                .map(|(_, o)| match &o.failure {
                    Some(_) if f(o).is_none() => "fails".to_owned(),
                    _ => f(o).unwrap_or_else(|| "–".to_owned()),
                })
                .collect::<Vec<_>>()
                .join(" · ")
        };
        let lines = cell(&|o| (o.lines > 0).then(|| thousands(o.lines)));
        let per_item =
            cell(&|o| (o.lines > 0).then(|| format!("{:.0}", o.lines as f64 / items as f64)));
        let seconds =
            |pick: fn(&Outcome) -> &Vec<f64>| cell(&|o| median(pick(o)).map(|s| format!("{s:.2}")));
        let _ = writeln!(
            out,
            "| {} ({} / {}) | {lines} | {per_item} | {} | {} | {} |",
            row.name,
            row.operations,
            row.schemas,
            seconds(|o| &o.generate_seconds),
            seconds(|o| &o.check_seconds),
            seconds(|o| &o.build_seconds),
        );
    }
    let _ = writeln!(out);
    for row in rows {
        for tool in [Tool::Ours, Tool::OursShared] {
            if let Some((_, ours)) = row.outcomes.iter().find(|(g, _)| *g == tool) {
                let _ = writeln!(out, "{}", ratio_line(row, tool, ours));
            }
        }
    }
    let _ = writeln!(
        out,
        "\n(medians of {} alternating runs; crates alone, dependencies prebuilt)",
        args.runs
    );
    out
}

/// One number of an outcome, when it has it.
type Measure = fn(&Outcome) -> Option<f64>;

/// Our ratios to the best working peer for one spec, and what was counted apart.
fn ratio_line(row: &SpecRow, tool: Tool, ours: &Outcome) -> String {
    let picks: [(&str, Measure); 4] = [
        ("lines", |o| (o.lines > 0).then_some(o.lines as f64)),
        ("generate", |o| median(&o.generate_seconds)),
        ("check", |o| median(&o.check_seconds)),
        ("build", |o| median(&o.build_seconds)),
    ];
    let mut ratios = Vec::new();
    for (what, pick) in picks {
        let best_peer = row
            .outcomes
            .iter()
            .filter(|(g, o)| !matches!(g, Tool::Ours | Tool::OursShared) && o.failure.is_none())
            .filter_map(|(_, o)| pick(o))
            .min_by(f64::total_cmp);
        if let (Some(ours), Some(peer)) = (pick(ours), best_peer) {
            ratios.push(format!("{what} {:.2}", ours / peer));
        }
    }
    format!(
        "- {}, {} / best working peer: {}; counted apart: vendored runtime {} lines, the `mock` feature's {}",
        row.name,
        tool.short(),
        ratios.join(", "),
        thousands(ours.runtime_lines),
        thousands(ours.optional_lines)
    )
}
