//! Running a generated crate's wire tests against the pinned Prism serving its spec, and reading both sides' verdicts.
//!
//! Shared by `cargo xtask corpus --conformance` and the Gainsight conformance test: start Prism
//! (`tools/prism`, `--errors`, dynamic responses) on a free port, run `cargo test --test wire`
//! one test at a time with `WIRE_TEST_BASE_URL` pointing at it, classify every operation from
//! the tests' panic messages (`wire[stage]: …`), and collect Prism's own validation errors.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A Prism process serving one spec, stopped when dropped.
pub struct Prism {
    /// Base URL to call: the proxy's in front of Prism (see `mock_proxy`).
    pub url: String,
    child: Child,
    log: PathBuf,
    /// Routes fragment paths and answers where Prism fails on its own.
    proxy: Option<crate::mock_proxy::Router>,
    /// The spec as Prism was given it (see `mock_proxy::prepare`), when it was rewritten.
    rewritten: Option<PathBuf>,
    /// Whether the spec has fragment paths the proxy routes.
    routes_fragments: bool,
}

impl Prism {
    /// What Prism printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
        self.proxy.take();
        if let Some(rewritten) = self.rewritten.take() {
            let _ = std::fs::remove_file(rewritten);
        }
    }
}

/// The pinned Prism binary, installed with `npm ci` when missing.
///
/// # Errors
///
/// When npm is missing or the install fails.
pub fn prism_binary(root: &Path) -> Result<PathBuf> {
    let folder = root.join("tools/prism");
    let binary = folder.join("node_modules/.bin/prism");
    if !binary.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&folder)
            .status()
            .context("running npm (Node.js and npm are needed for Prism)")?;
        if !status.success() {
            bail!("npm ci in {} failed", folder.display());
        }
    }
    Ok(binary)
}

/// Starts Prism serving `spec`; waits until it listens, at most `startup`.
///
/// # Errors
///
/// When Prism exits early (it could not load the spec; the message says why) or does not
/// listen in time.
pub fn start_prism(root: &Path, spec: &Path, startup: Duration) -> Result<Prism> {
    let binary = prism_binary(root)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .context("finding a free port")?
        .port();
    let log = std::env::temp_dir().join(format!("prism-{}-{port}.log", std::process::id()));
    let file = std::fs::File::create(&log)?;
    let rewritten =
        std::env::temp_dir().join(format!("prism-{}-{port}-routed.json", std::process::id()));
    let routes = crate::mock_proxy::prepare(spec, &rewritten)?;
    let routes_fragments = routes.as_ref().is_some_and(|r| !r.is_empty());
    let served = if routes.is_some() {
        rewritten.as_path()
    } else {
        spec
    };
    let child = Command::new(binary)
        .args([
            "mock",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--errors",
            "-d",
        ])
        .arg(served)
        // Some of its dynamic responses for huge recursive schemas outgrow any heap
        // (models.lex.v2 aborted at 6 GiB too, after minutes of collecting garbage); a 2 GiB
        // cap ends such a Prism sooner, and `run_against_prism` starts it again for the rest.
        .env("NODE_OPTIONS", "--max-old-space-size=2048")
        .stdout(Stdio::from(file.try_clone()?))
        .stderr(Stdio::from(file))
        .spawn()
        .context("starting prism")?;
    let fallback = std::fs::read_to_string(served)
        .ok()
        .and_then(|text| crate::mock_fallback::Fallback::load(&text));
    let mut prism = Prism {
        url: format!("http://127.0.0.1:{port}"),
        child,
        log,
        proxy: None,
        rewritten: routes.is_some().then(|| rewritten.clone()),
        routes_fragments,
    };
    let deadline = Instant::now() + startup;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = prism.child.try_wait()? {
            bail!("prism exited ({status}): {}", last_lines(&prism.log(), 3));
        }
        if Instant::now() > deadline {
            bail!(
                "prism did not listen within {} s: {}",
                startup.as_secs(),
                last_lines(&prism.log(), 3)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let proxy = crate::mock_proxy::start(
        routes.unwrap_or_default(),
        fallback,
        format!("127.0.0.1:{port}"),
    )?;
    prism.url.clone_from(&proxy.url);
    prism.proxy = Some(proxy);
    Ok(prism)
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(count)..].join(" | ")
}

/// How one operation's wire test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Valid request, declared status, decoded, round trip equal.
    Passed,
    /// A stage failed.
    Failed {
        /// `request`, `status`, `decode`, `round-trip`, `synthesise`, `transport` or `panic`.
        stage: String,
        /// The test's message.
        reason: String,
    },
    /// The mock could not answer (it produced no response of its own): not counted either way.
    Skipped {
        /// Prism's message.
        reason: String,
    },
}

/// One operation's result.
#[derive(Debug, Clone)]
pub struct OperationResult {
    /// The test (the client method) name.
    pub operation: String,
    /// How it ended.
    pub verdict: Verdict,
    /// Why the response was synthesised by the proxy instead of Prism's (Prism failed to
    /// build one itself), when it was.
    pub fallback: Option<String>,
}

/// Everything one run of a crate's wire tests showed.
#[derive(Debug, Clone, Default)]
pub struct WireRun {
    /// One per operation test, in the order run.
    pub operations: Vec<OperationResult>,
    /// Prism's validation errors (`[VALIDATOR] ✖ …`), as printed.
    pub prism_errors: Vec<String>,
}

impl WireRun {
    /// (passed, failed, skipped).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for result in &self.operations {
            match result.verdict {
                Verdict::Passed => counts.0 += 1,
                Verdict::Failed { .. } => counts.1 += 1,
                Verdict::Skipped { .. } => counts.2 += 1,
            }
        }
        counts
    }

    /// The operations lost to Prism's death that followed the one it died on (which is the first
    /// lost; run again, they say something).
    pub fn lost_after_prism_died(&self) -> Vec<String> {
        self.operations
            .iter()
            .filter(|r| {
                matches!(&r.verdict, Verdict::Skipped { reason } if reason.starts_with(PRISM_DIED))
            })
            .skip(1)
            .map(|r| r.operation.clone())
            .collect()
    }

    /// The operations the test process never reached because it ended early (a crash in an
    /// earlier test): run again, they say something.
    pub fn not_run(&self) -> Vec<String> {
        self.operations
            .iter()
            .filter(|r| matches!(&r.verdict, Verdict::Skipped { reason } if reason.starts_with(NOT_RUN)))
            .map(|r| r.operation.clone())
            .collect()
    }

    /// Takes a rerun's verdicts over this run's for the operations it ran.
    pub fn merge_rerun(&mut self, rerun: WireRun) {
        for result in rerun.operations {
            if let Some(slot) = self
                .operations
                .iter_mut()
                .find(|r| r.operation == result.operation)
            {
                *slot = result;
            }
        }
        self.prism_errors.extend(rerun.prism_errors);
    }

    /// How many passes were on a response the proxy synthesised.
    pub fn fallback_passes(&self) -> usize {
        self.operations
            .iter()
            .filter(|r| r.verdict == Verdict::Passed && r.fallback.is_some())
            .count()
    }
}

/// How often [`run_against_prism`] starts Prism again after it died mid-run.
const PRISM_RESTARTS: usize = 4;

/// Starts Prism serving `spec` and runs the wire tests of the crate at `manifest` against it
/// (see [`run_wire_tests`]); when Prism dies while they run, starts it again and reruns the
/// operations that followed the one it died on, at most `PRISM_RESTARTS` (4) times and within
/// `limit` overall.
///
/// Prism's dynamic responses for some huge schemas outgrow its heap: models.lex.v2 and
/// evetech.net each lost ~80 operations to one such death, which said nothing about the client.
/// The operation it died on stays skipped with Node's verdict.
///
/// # Errors
///
/// When Prism does not start the first time, or the tests do not build or finish in time.
pub fn run_against_prism(
    root: &Path,
    spec: &Path,
    manifest: &Path,
    target: &Path,
    startup: Duration,
    limit: Duration,
) -> Result<WireRun> {
    let started = Instant::now();
    let mut prism = start_prism(root, spec, startup)?;
    let mut run = run_wire_tests(manifest, target, &mut prism, &[], limit)?;
    for _ in 0..PRISM_RESTARTS {
        let after_death = run.lost_after_prism_died();
        let mut pending = run.not_run();
        pending.extend(after_death.iter().cloned());
        let remaining = limit.saturating_sub(started.elapsed());
        if pending.is_empty() || remaining.is_zero() {
            break;
        }
        if !after_death.is_empty() || prism.child.try_wait().ok().flatten().is_some() {
            drop(prism);
            prism = match start_prism(root, spec, startup) {
                Ok(prism) => prism,
                Err(_) => break,
            };
        }
        let Ok(rerun) = run_wire_tests(manifest, target, &mut prism, &pending, remaining) else {
            break;
        };
        run.merge_rerun(rerun);
    }
    Ok(run)
}

/// How long one operation's test may wait on Prism before the runner stops Prism (a healthy
/// Prism answers in milliseconds; one near its heap limit takes minutes to abort).
const OPERATION_LIMIT: Duration = Duration::from_secs(30);

/// Watches libtest's output for a test that started (`test operations::x ... `, printed before
/// it runs with one thread) and has not finished within [`OPERATION_LIMIT`].
#[derive(Debug, Default)]
struct Watchdog {
    /// The unfinished test last seen and since when.
    running: Option<(String, Instant)>,
    /// Checked at most twice a second: the log is reread each time.
    last_check: Option<Instant>,
    /// The operation Prism was stopped on, once it was.
    killed_on: Option<String>,
}

impl Watchdog {
    /// Whether Prism should be stopped now (true once per stuck operation).
    fn stuck(&mut self, log: &Path) -> bool {
        let now = Instant::now();
        if self.killed_on.is_some()
            || self
                .last_check
                .is_some_and(|at| now.duration_since(at) < Duration::from_millis(500))
        {
            return false;
        }
        self.last_check = Some(now);
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let Some(unfinished) = unfinished_test(&text) else {
            self.running = None;
            return false;
        };
        match &self.running {
            Some((name, since)) if *name == unfinished => {
                if now.duration_since(*since) > OPERATION_LIMIT {
                    self.killed_on = Some(unfinished);
                    return true;
                }
            }
            _ => self.running = Some((unfinished, now)),
        }
        false
    }
}

/// The operation of a test libtest started and has not reported on (the output's last line is
/// `test operations::x ... ` with nothing after it).
fn unfinished_test(text: &str) -> Option<String> {
    let last = text.lines().last()?;
    let name = last
        .trim_end()
        .strip_prefix("test ")?
        .strip_suffix(" ...")?;
    Some(name.trim().trim_start_matches("operations::").to_owned())
}

/// How the reason of an operation lost to Prism's death starts.
const PRISM_DIED: &str = "Prism exited";

/// How the reason of an operation the test process never reached starts.
const NOT_RUN: &str = "not run";

/// Runs the wire tests of the crate at `manifest` against `prism`, one at a time, building in
/// `target`; at most `limit` for build and run together. `only`, when not empty, names the
/// operations to run (all others are left out).
///
/// # Errors
///
/// When the tests do not build or do not finish in time (no per-operation results then).
pub fn run_wire_tests(
    manifest: &Path,
    target: &Path,
    prism: &mut Prism,
    only: &[String],
    limit: Duration,
) -> Result<WireRun> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output_path = std::env::temp_dir().join(format!(
        "wire-{}-{}.log",
        std::process::id(),
        prism.url.rsplit(':').next().unwrap_or("0")
    ));
    let log = std::fs::File::create(&output_path)?;
    let mut child = Command::new(cargo)
        .args(["test", "--test", "wire", "--manifest-path"])
        .arg(manifest)
        // `--show-output`: a passing test's `wire[fallback]` line says its response was the
        // proxy's, not Prism's.
        .args(["--", "--test-threads=1", "--show-output"])
        .args(if only.is_empty() {
            None
        } else {
            Some("--exact")
        })
        .args(only.iter().map(|name| format!("operations::{name}")))
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .env("WIRE_TEST_BASE_URL", &prism.url)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .context("running cargo test")?;
    let started = Instant::now();
    let mut watchdog = Watchdog::default();
    let timed_out = loop {
        if child.try_wait()?.is_some() {
            break false;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break true;
        }
        if watchdog.stuck(&output_path) {
            // Node spends minutes collecting garbage near its heap limit before it aborts;
            // ended now, the restart in `run_against_prism` still has time for the rest.
            let _ = prism.child.kill();
            let _ = prism.child.wait();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&output_path).unwrap_or_default();
    let _ = std::fs::remove_file(&output_path);
    if timed_out {
        bail!("wire tests did not finish within {} s", limit.as_secs());
    }
    let mut operations = parse_test_output(&text);
    if operations.is_empty() {
        bail!("wire tests did not run: {}", first_failure_line(&text));
    }
    if !text.contains("\ntest result: ") {
        // The test process itself ended mid-run (a stack overflow aborts it): the test it was
        // in failed, and the ones after it were never run.
        let cause = crash_cause(&text);
        let crashed = mark_crash(&mut operations, &cause);
        let listed = list_wire_tests(manifest, target)?;
        for name in listed {
            let wanted = only.is_empty() || only.contains(&name);
            if wanted && !operations.iter().any(|r| r.operation == name) {
                operations.push(OperationResult {
                    operation: name,
                    verdict: Verdict::Skipped {
                        reason: format!(
                            "{NOT_RUN}: the test process ended during {crashed}: {cause}"
                        ),
                    },
                    fallback: None,
                });
            }
        }
    }
    // With the router in front, Prism finds every fragment path's operation that the request
    // selects; a route it still cannot resolve means the client left out the header or query
    // parameter that selects it.
    if prism.routes_fragments {
        for result in &mut operations {
            if let Verdict::Skipped { reason } = &result.verdict {
                if reason.contains("`#` fragment") {
                    result.verdict = Verdict::Failed {
                        stage: "request".to_owned(),
                        reason: format!(
                            "{reason}; the proxy routed it to no operation the request selects"
                        ),
                    };
                }
            }
        }
    }
    let log = prism.log();
    // A mock that died while serving (out of memory on a huge schema, say) refuses or drops the
    // calls that follow: those say nothing about the client.
    if let Some(status) = prism.child.try_wait()? {
        // Node's own verdict ("FATAL ERROR: … heap out of memory") beats its stack trace.
        let cause = if let Some(operation) = &watchdog.killed_on {
            format!(
                "stopped by the runner: no answer to {operation} within {} s",
                OPERATION_LIMIT.as_secs()
            )
        } else {
            log.lines()
                .find(|line| line.contains("FATAL ERROR"))
                .map_or_else(|| last_lines(&log, 3), |line| line.trim().to_owned())
        };
        let reason = format!("{PRISM_DIED} ({status}) while the tests ran: {cause}");
        for result in &mut operations {
            if matches!(&result.verdict, Verdict::Failed { stage, .. } if stage == "transport") {
                result.verdict = Verdict::Skipped {
                    reason: reason.clone(),
                };
            }
        }
    }
    Ok(WireRun {
        operations,
        prism_errors: prism_errors(&log),
    })
}

/// What ended a test process that printed no summary: a stack overflow, an abort or a signal.
fn crash_cause(text: &str) -> String {
    text.lines()
        .find(|l| l.contains("overflowed its stack") || l.contains("fatal runtime error"))
        .or_else(|| text.lines().find(|l| l.contains("signal:")))
        .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
        .unwrap_or("no output")
        .trim()
        .chars()
        .take(300)
        .collect()
}

/// Marks the test that was running when the process ended as failed by that crash; returns its
/// name (or "an unknown test").
fn mark_crash(operations: &mut [OperationResult], cause: &str) -> String {
    match operations.last_mut() {
        Some(last) if matches!(&last.verdict, Verdict::Failed { stage, .. } if stage == "unknown") =>
        {
            last.verdict = Verdict::Failed {
                stage: "crash".to_owned(),
                reason: format!("the test process ended: {cause}"),
            };
            last.operation.clone()
        }
        _ => "an unknown test".to_owned(),
    }
}

/// The operation names of a crate's wire tests (`cargo test -- --list`; already built).
fn list_wire_tests(manifest: &Path, target: &Path) -> Result<Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["test", "--quiet", "--test", "wire", "--manifest-path"])
        .arg(manifest)
        .args(["--", "--list"])
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .context("listing the wire tests")?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(|name| name.trim_start_matches("operations::").to_owned())
        .collect())
}

fn first_failure_line(text: &str) -> String {
    text.lines()
        .find(|l| l.starts_with("error") || l.contains("panicked"))
        .or_else(|| text.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("no output")
        .chars()
        .take(300)
        .collect()
}

/// Per-test results from libtest's plain output (`test operations::x ... ok`, then a
/// `---- operations::x stdout ----` section per failure holding its `wire[stage]` message, and
/// with `--show-output` one per success that printed something: `wire[fallback]` there).
pub fn parse_test_output(text: &str) -> Vec<OperationResult> {
    let mut results: Vec<OperationResult> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, status)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let operation = name.trim().trim_start_matches("operations::").to_owned();
        let verdict = match status.trim() {
            "ok" => Verdict::Passed,
            _ => Verdict::Failed {
                stage: "unknown".to_owned(),
                reason: "no message".to_owned(),
            },
        };
        results.push(OperationResult {
            operation,
            verdict,
            fallback: None,
        });
    }
    // Each failure's section: the message names the stage.
    let mut sections = text.split("\n---- ").skip(1);
    for section in sections.by_ref() {
        let Some((header, body)) = section.split_once('\n') else {
            continue;
        };
        let name = header
            .trim_end_matches(" stdout ----")
            .trim()
            .trim_start_matches("operations::");
        let message = body
            .lines()
            .find_map(|l| l.find("wire[").map(|at| &l[at..]))
            .or_else(|| {
                body.lines()
                    .find(|l| !l.trim().is_empty() && !l.contains("panicked at"))
            })
            .unwrap_or("no message");
        let (stage, reason) = match message
            .strip_prefix("wire[")
            .and_then(|m| m.split_once("]: "))
        {
            Some((stage, reason)) => (stage.to_owned(), reason.to_owned()),
            None => ("panic".to_owned(), message.to_owned()),
        };
        let reason: String = reason.chars().take(300).collect();
        if let Some(result) = results.iter_mut().find(|r| r.operation == name) {
            if stage == "fallback" {
                if result.verdict == Verdict::Passed {
                    result.fallback = Some(reason);
                }
                continue;
            }
            result.verdict = if stage == "mock" || stage == "spec" {
                Verdict::Skipped { reason }
            } else {
                Verdict::Failed { stage, reason }
            };
        }
    }
    results
}

/// Prism's validation errors, as printed (`[VALIDATOR] ✖  error  …`).
pub fn prism_errors(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains("[VALIDATOR]") && l.contains('✖'))
        .map(|l| {
            l.split_once("[VALIDATOR]")
                .map_or(l, |(_, rest)| rest)
                .trim()
                .to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_output_becomes_one_verdict_per_operation() {
        let text = "\nrunning 3 tests\ntest operations::get_pet ... ok\ntest operations::find ... FAILED\ntest operations::upload ... FAILED\n\nsuccesses:\n\n---- operations::get_pet stdout ----\nwire[fallback]: getPet: Prism: Cannot serialise\n\nfailures:\n\n---- operations::find stdout ----\n\nthread 'operations::find' panicked at tests/wire.rs:40:5:\nwire[round-trip]: findPets: $.items[0].publisher was received\n\n---- operations::upload stdout ----\nthread 'operations::upload' panicked at tests/wire.rs:50:5:\nwire[mock]: upload: the mock answered 500 on its own\n\nfailures:\n    operations::find\n";
        let results = parse_test_output(text);
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].verdict, Verdict::Passed);
        assert_eq!(
            results[0].fallback.as_deref(),
            Some("getPet: Prism: Cannot serialise")
        );
        assert_eq!(results[1].fallback, None);
        assert!(
            matches!(&results[1].verdict, Verdict::Failed { stage, reason }
            if stage == "round-trip" && reason.starts_with("findPets: $.items[0].publisher"))
        );
        assert!(matches!(&results[2].verdict, Verdict::Skipped { .. }));
    }

    #[test]
    fn a_crashed_test_process_fails_the_test_it_was_in_and_the_rest_are_rerun() {
        let text = "\nrunning 3 tests\ntest operations::a ... ok\ntest operations::b ... \nthread 'operations::b' has overflowed its stack\nfatal runtime error: stack overflow, aborting\nerror: test failed, to rerun pass `--test wire`\n\nCaused by:\n  process didn't exit successfully: `wire-1 --test-threads=1` (signal: 6, SIGABRT: process abort signal)\n";
        let mut operations = parse_test_output(text);
        let cause = crash_cause(text);
        assert_eq!(cause, "thread 'operations::b' has overflowed its stack");
        assert_eq!(mark_crash(&mut operations, &cause), "b");
        assert!(
            matches!(&operations[1].verdict, Verdict::Failed { stage, .. } if stage == "crash")
        );
        operations.push(OperationResult {
            operation: "c".to_owned(),
            verdict: Verdict::Skipped {
                reason: format!("{NOT_RUN}: the test process ended during b: {cause}"),
            },
            fallback: None,
        });
        let mut run = WireRun {
            operations,
            prism_errors: Vec::new(),
        };
        assert_eq!(run.not_run(), ["c"]);
        run.merge_rerun(WireRun {
            operations: vec![OperationResult {
                operation: "c".to_owned(),
                verdict: Verdict::Passed,
                fallback: None,
            }],
            prism_errors: Vec::new(),
        });
        assert_eq!(run.counts(), (2, 1, 0));
        assert!(run.not_run().is_empty());
    }

    #[test]
    fn the_unfinished_test_is_the_last_line_without_a_result() {
        let running = "\nrunning 2 tests\ntest operations::get_pet ... ok\ntest operations::create_slot_type ... ";
        assert_eq!(
            unfinished_test(running).as_deref(),
            Some("create_slot_type")
        );
        let finished =
            "test operations::get_pet ... ok\ntest operations::create_slot_type ... FAILED\n";
        assert_eq!(unfinished_test(finished), None);
        assert_eq!(unfinished_test(""), None);
    }

    #[test]
    fn operations_after_prisms_death_are_rerun_and_their_verdicts_taken() {
        let result = |operation: &str, verdict: Verdict| OperationResult {
            operation: operation.to_owned(),
            verdict,
            fallback: None,
        };
        let died = || Verdict::Skipped {
            reason: format!("{PRISM_DIED} (signal: 6) while the tests ran: heap out of memory"),
        };
        let mut run = WireRun {
            operations: vec![
                result("a", Verdict::Passed),
                result("b", died()),
                result("c", died()),
                result("d", died()),
                result(
                    "e",
                    Verdict::Skipped {
                        reason: "the mock answered 500 on its own".to_owned(),
                    },
                ),
            ],
            prism_errors: vec!["first".to_owned()],
        };
        assert_eq!(run.lost_after_prism_died(), ["c", "d"]);
        run.merge_rerun(WireRun {
            operations: vec![
                result("c", Verdict::Passed),
                result(
                    "d",
                    Verdict::Failed {
                        stage: "decode".to_owned(),
                        reason: "x".to_owned(),
                    },
                ),
            ],
            prism_errors: vec!["second".to_owned()],
        });
        assert_eq!(run.counts(), (2, 1, 2));
        assert_eq!(
            run.operations[1].verdict,
            died(),
            "the one it died on stays skipped"
        );
        assert_eq!(run.prism_errors, ["first", "second"]);
        assert!(run.lost_after_prism_died().is_empty());
    }

    #[test]
    fn prism_validation_errors_are_collected() {
        let log = "[1:00:00 PM] ›     [VALIDATOR] ✔  success   The request passed\n[1:00:01 PM] ›     [VALIDATOR] ✖  error     Request body must have required property 'name'\n";
        assert_eq!(
            prism_errors(log),
            vec!["✖  error     Request body must have required property 'name'"]
        );
    }
}
