//! The generated command-line tool (`generated-cli/`) end to end against the stateful fake:
//! parsed arguments, the request on the wire, the printed output and the exit code.

use clap::Parser;
use gainsight_cta_cli::support::{EXIT_AUTH, EXIT_OK, EXIT_REJECTED, EXIT_TRANSPORT, EXIT_USAGE};
use gainsight_cta_cli::{Cli, Io};
use serde_json::{Value, json};

use crate::fake::{self, FakeCta, KEY};

/// What one run of the tool printed, and its exit code.
struct Outcome {
    code: u8,
    stdout: String,
    stderr: String,
}

/// Runs `gainsight-cta <args>` in process with `stdin` as standard input.
async fn run(args: &[&str], stdin: &str) -> Outcome {
    let cli = Cli::try_parse_from(std::iter::once("gainsight-cta").chain(args.iter().copied()))
        .unwrap_or_else(|error| panic!("{args:?} does not parse: {error}"));
    let mut input = stdin.as_bytes();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = {
        let mut io = Io::new(&mut input, &mut stdout, &mut stderr);
        gainsight_cta_cli::run(cli, &mut io).await
    };
    Outcome {
        code,
        stdout: String::from_utf8(stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(stderr).expect("UTF-8 errors"),
    }
}

/// Runs a command against `fake` with its key.
async fn run_on(fake: &FakeCta, args: &[&str], stdin: &str) -> Outcome {
    let mut full = vec!["--base-url", fake.url.as_str(), "--access-key", KEY];
    full.extend_from_slice(args);
    run(&full, stdin).await
}

/// Creates a CTA through the tool and returns what it printed, decoded.
async fn create(fake: &FakeCta, name: &str, status: &str) -> Value {
    let body = json!({"Name": name, "CompanyId": "c-1", "TypeId": "t-risk", "ReasonId": "r-usage", "PriorityId": "p-high", "StatusId": status});
    let outcome = run_on(fake, &["ctas", "create", "--body", &body.to_string()], "").await;
    assert_eq!(outcome.code, EXIT_OK, "stderr: {}", outcome.stderr);
    serde_json::from_str(&outcome.stdout).expect("create prints JSON")
}

#[tokio::test]
async fn search_all_pages_prints_every_match_as_ndjson() {
    let fake = fake::start().await;
    for index in 0..7 {
        create(&fake, &format!("open {index}"), "open").await;
    }
    for index in 0..2 {
        create(&fake, &format!("closed {index}"), "closed").await;
    }
    let outcome = run_on(
        &fake,
        &[
            "ctas",
            "search",
            "--filter",
            "StatusId = open",
            "--limit",
            "3",
            "--all",
        ],
        "",
    )
    .await;
    assert_eq!(outcome.code, EXIT_OK, "stderr: {}", outcome.stderr);
    let lines: Vec<Value> = outcome
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON value"))
        .collect();
    assert_eq!(lines.len(), 7, "output: {}", outcome.stdout);
    assert!(lines.iter().all(|cta| cta["StatusId"] == "open"));
    let names: Vec<&str> = lines
        .iter()
        .filter_map(|cta| cta["Name"].as_str())
        .collect();
    assert_eq!(names.first(), Some(&"open 0"));
    assert_eq!(names.last(), Some(&"open 6"));
    // Pages of 3: 3 + 3 + 1, the short page ending the stream.
    assert_eq!(fake.searches(), 3);
}

#[tokio::test]
async fn one_page_prints_indented_json_and_a_symbol_operator_filters() {
    let fake = fake::start().await;
    create(&fake, "a", "open").await;
    create(&fake, "b", "closed").await;
    let outcome = run_on(&fake, &["ctas", "search", "--filter", "StatusId!=open"], "").await;
    assert_eq!(outcome.code, EXIT_OK, "stderr: {}", outcome.stderr);
    assert!(
        outcome.stdout.starts_with("{\n  "),
        "indented: {}",
        outcome.stdout
    );
    let page: Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert_eq!(page["totalCount"], 1);
    assert_eq!(page["records"][0]["Name"], "b");
}

#[tokio::test]
async fn create_reads_the_body_from_stdin_and_field_flags_override_it() {
    let fake = fake::start().await;
    let body = r#"{"Name": "From stdin", "CompanyId": "c-9", "TypeId": "t-risk", "ReasonId": "r-usage", "PriorityId": "p-high", "StatusId": "open", "Comments": "replaced"}"#;
    let outcome = run_on(
        &fake,
        &[
            "ctas",
            "create",
            "--body",
            "-",
            "--comments",
            "from a flag",
            "--compact",
        ],
        body,
    )
    .await;
    assert_eq!(outcome.code, EXIT_OK, "stderr: {}", outcome.stderr);
    assert_eq!(outcome.stdout.lines().count(), 1, "--compact: one line");
    let created: Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    assert_eq!(created["Name"], "From stdin");
    assert_eq!(created["Comments"], "from a flag");
    let id = created["Gsid"].as_str().expect("the fake assigns a Gsid");

    let fetched = run_on(&fake, &["ctas", "get", id], "").await;
    assert_eq!(fetched.code, EXIT_OK, "stderr: {}", fetched.stderr);
    let fetched: Value = serde_json::from_str(&fetched.stdout).expect("JSON");
    assert_eq!(fetched["CompanyId"], "c-9");
}

#[tokio::test]
async fn a_body_built_from_flags_alone_is_checked_before_sending() {
    let fake = fake::start().await;
    let outcome = run_on(&fake, &["ctas", "create", "--name", "flags only"], "").await;
    assert_eq!(outcome.code, EXIT_USAGE);
    assert!(
        outcome.stderr.contains("missing field `CompanyId`"),
        "stderr: {}",
        outcome.stderr
    );
    let not_json = run_on(&fake, &["ctas", "create", "--body", "{"], "").await;
    assert_eq!(not_json.code, EXIT_USAGE);
    assert!(
        not_json.stderr.contains("the body is not JSON"),
        "stderr: {}",
        not_json.stderr
    );
    let bad_filter = run_on(
        &fake,
        &["ctas", "search", "--filter", "StatusId LIKE x"],
        "",
    )
    .await;
    assert_eq!(bad_filter.code, EXIT_USAGE);
    assert!(
        bad_filter.stderr.contains("operators: EQ, NE"),
        "stderr: {}",
        bad_filter.stderr
    );
    assert_eq!(fake.searches(), 0, "nothing was sent");
}

#[tokio::test]
async fn an_api_error_prints_its_code_message_and_request_id_and_exits_by_kind() {
    let fake = fake::start().await;
    let missing = run_on(&fake, &["ctas", "get", "no-such-cta"], "").await;
    assert_eq!(missing.code, EXIT_REJECTED);
    assert!(missing.stdout.is_empty());
    for part in ["404", "CTA_404", "CTA not found", "fake-req"] {
        assert!(
            missing.stderr.contains(part),
            "{part} in {}",
            missing.stderr
        );
    }

    let refused = run(
        &[
            "--base-url",
            &fake.url,
            "--access-key",
            "wrong-key",
            "config",
            "statuses",
        ],
        "",
    )
    .await;
    assert_eq!(refused.code, EXIT_AUTH);
    assert!(
        refused.stderr.contains("GS_APIG_2401"),
        "stderr: {}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("wrong-key"),
        "the key is never printed"
    );
}

#[tokio::test]
async fn no_server_is_a_transport_error() {
    // A port nothing listens on: bound, then released.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/v1", listener.local_addr().expect("address"));
    drop(listener);
    let outcome = run(
        &["--base-url", &url, "--timeout", "2", "config", "types"],
        "",
    )
    .await;
    assert_eq!(outcome.code, EXIT_TRANSPORT, "stderr: {}", outcome.stderr);
}

#[tokio::test]
async fn dry_run_prints_the_request_with_the_key_redacted_and_sends_nothing() {
    let fake = fake::start().await;
    let outcome = run_on(
        &fake,
        &[
            "--dry-run",
            "ctas",
            "search",
            "--filter",
            "StatusId = open",
            "--limit",
            "5",
        ],
        "",
    )
    .await;
    assert_eq!(outcome.code, EXIT_OK, "stderr: {}", outcome.stderr);
    assert_eq!(fake.searches(), 0, "a dry run sends nothing");
    let (head, body) = outcome
        .stdout
        .split_once("\n\n")
        .expect("headers, blank line, body");
    let mut lines = head.lines();
    assert_eq!(
        lines.next(),
        Some(&*format!("POST {}/ctas/search", fake.url))
    );
    let headers: Vec<&str> = lines.collect();
    assert!(headers.contains(&"accesskey: <redacted>"), "{headers:?}");
    assert!(
        headers.contains(&"content-type: application/json"),
        "{headers:?}"
    );
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("user-agent: gainsight-cta/")),
        "{headers:?}"
    );
    assert!(!outcome.stdout.contains(KEY), "the key is never printed");
    let sent: Value = serde_json::from_str(body).expect("the body as it would be sent");
    assert_eq!(
        sent,
        json!({"limit": 5, "where": {"expression": "A", "conditions": [{"name": "StatusId", "operator": "EQ", "value": "open"}]}})
    );
}

#[tokio::test]
async fn config_commands_and_query_flags() {
    let fake = fake::start().await;
    let statuses = run_on(&fake, &["config", "statuses"], "").await;
    assert_eq!(statuses.code, EXIT_OK, "stderr: {}", statuses.stderr);
    let statuses: Value = serde_json::from_str(&statuses.stdout).expect("JSON");
    assert_eq!(statuses[1]["name"], "Closed");

    let reasons = run_on(
        &fake,
        &["config", "reasons", "--type-id", "t-exp", "--compact"],
        "",
    )
    .await;
    assert_eq!(reasons.code, EXIT_OK, "stderr: {}", reasons.stderr);
    let reasons: Value = serde_json::from_str(&reasons.stdout).expect("JSON");
    assert_eq!(
        reasons,
        json!([{"id": "r-upsell", "name": "Upsell", "typeId": "t-exp"}])
    );
}

#[test]
fn usage_errors_exit_2_and_help_documents_flags_from_the_spec() {
    let missing =
        Cli::try_parse_from(["gainsight-cta", "ctas", "get"]).expect_err("CTA_ID is required");
    assert_eq!(missing.exit_code(), 2);
    let conflict = Cli::try_parse_from([
        "gainsight-cta",
        "ctas",
        "search",
        "--filter",
        "A = b",
        "--where",
        "{}",
    ])
    .expect_err("--filter replaces --where");
    assert_eq!(conflict.exit_code(), 2);

    let help = Cli::try_parse_from(["gainsight-cta", "ctas", "create", "--help"])
        .expect_err("help is an early exit")
        .to_string();
    for text in [
        "--company-id",
        "Associated company Gsid",
        "--body",
        "standard input",
        "--access-key",
    ] {
        assert!(help.contains(text), "{text} in:\n{help}");
    }
}

#[tokio::test]
async fn completions_are_printed_for_the_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let outcome = run(&["completions", shell], "").await;
        assert_eq!(outcome.code, EXIT_OK);
        assert!(outcome.stdout.contains("gainsight-cta"), "{shell}");
        assert!(
            outcome.stdout.contains("statuses"),
            "{shell} completes commands"
        );
    }
}
