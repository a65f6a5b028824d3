//! Independent conformance: every operation against Stoplight Prism serving `spec/gainsight-cta.yaml`.
//!
//! Prism validates each request against the spec (path, query, `accessKey`, body) and answers
//! with responses generated from it. The pinned Prism in `tools/prism` is installed with `npm ci`
//! when missing (`.ci/run` does it up front); set `PRISM_URL` to use a Prism you started yourself.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gainsight_cta::futures_util::TryStreamExt;
use gainsight_cta::types::{CtaInput, SearchCondition, SearchFilter, SearchRequest};
use gainsight_cta::{Client, Error, StatusCode};
use tests::project_root;

/// A Prism process, stopped when dropped.
struct Prism {
    url: String,
    child: Option<Child>,
}

impl Drop for Prism {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn prism_binary() -> PathBuf {
    let folder = project_root().join("tools/prism");
    let binary = folder.join("node_modules/.bin/prism");
    if !binary.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&folder)
            .status()
            .expect("npm must be installed to run the Prism conformance tests");
        assert!(status.success(), "npm ci in tools/prism failed");
    }
    binary
}

fn start_prism() -> Prism {
    if let Ok(url) = std::env::var("PRISM_URL") {
        return Prism { url, child: None };
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(prism_binary())
        .args([
            "mock",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "spec/gainsight-cta.yaml",
            "--errors",
        ])
        .current_dir(project_root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prism");
    let prism = Prism {
        url: format!("http://127.0.0.1:{port}"),
        child: Some(child),
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "Prism did not start listening within 90 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    prism
}

#[tokio::test]
async fn every_operation_conforms_to_the_spec_as_prism_checks_it() {
    let prism = start_prism();
    let client = Client::builder()
        .base_url(&prism.url)
        .access_key("conformance-key")
        .build()
        .expect("client");
    let input = CtaInput::new("company-1", "type-1", "reason-1", "priority-1", "status-1")
        .with_name("Conformance")
        .with_due_date(gainsight_cta::chrono::NaiveDate::from_ymd_opt(2025, 1, 31).expect("date"));

    let created = client.create_cta(&input).await.expect("createCTA");
    assert!(created.gsid.is_some());
    assert!(
        created.due_date.is_some() && created.created_date.is_some(),
        "Prism's example dates decode"
    );
    let read = client.get_cta("cta-123").await.expect("getCTA");
    assert!(read.status_id.is_some());
    client
        .update_cta("cta-123", &input)
        .await
        .expect("updateCTA");

    let mut filter = SearchFilter::builder();
    let open = filter.add(SearchCondition::in_("StatusId", ["open"]));
    let late = filter.add(SearchCondition::lt("DueDate", "2025-03-01"));
    let request = SearchRequest::default()
        .with_where(filter.build(&open.and(late)).expect("filter"))
        .with_limit(10);
    let page = client.search_ctas(&request).await.expect("searchCTAs");
    assert!(page.records.is_some());
    let streamed: Vec<_> = client
        .search_ctas_stream(&request)
        .try_collect()
        .await
        .expect("paged searchCTAs");
    assert!(!streamed.is_empty());

    assert!(
        !client
            .get_cta_types()
            .await
            .expect("getCTATypes")
            .is_empty()
    );
    client.get_cta_reasons().await.expect("getCTAReasons");
    client
        .get_cta_reasons()
        .type_id("type-1")
        .await
        .expect("getCTAReasons with typeId");
    assert!(
        !client
            .get_cta_priorities()
            .await
            .expect("getCTAPriorities")
            .is_empty()
    );
    assert!(
        !client
            .get_cta_statuses()
            .await
            .expect("getCTAStatuses")
            .is_empty()
    );

    // Prism enforces the security scheme: no key → 401 → a typed API error.
    let keyless = Client::builder()
        .base_url(&prism.url)
        .build()
        .expect("client");
    let error = keyless.get_cta_types().await.expect_err("no key");
    assert!(
        matches!(&error, Error::Api(api) if api.status == StatusCode::UNAUTHORIZED),
        "{error:?}"
    );
}

/// The wire tests generated with the client (`generated-client/tests/wire.rs`): every operation
/// with synthesised arguments against Prism serving the spec with dynamic responses.
#[test]
fn generated_wire_tests_pass_against_prism() {
    let root = project_root();
    let mut prism = xtask::conformance::start_prism(
        &root,
        &root.join("spec/gainsight-cta.yaml"),
        Duration::from_secs(90),
    )
    .expect("start prism");
    // Its own target folder (shared with the other generated-crate tests): the outer
    // `cargo test` holds the workspace's.
    let run = xtask::conformance::run_wire_tests(
        &root.join("generated-client/Cargo.toml"),
        &root.join("target/generated-crates/test-target"),
        &mut prism,
        &[],
        Duration::from_secs(900),
    )
    .expect("run the wire tests");
    let operations = generator::lower_spec(
        &std::fs::read_to_string(root.join("spec/gainsight-cta.yaml")).expect("spec"),
        &generator::Config::default(),
    )
    .expect("spec lowers")
    .0
    .operations
    .len();
    assert_eq!(
        run.operations.len(),
        operations,
        "one wire test per operation"
    );
    let failures: Vec<_> = run
        .operations
        .iter()
        .filter(|r| r.verdict != xtask::conformance::Verdict::Passed)
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    // Every response was Prism's own: none needed the proxy's fallback.
    assert_eq!(run.fallback_passes(), 0, "{:#?}", run.operations);
    assert!(run.prism_errors.is_empty(), "{:#?}", run.prism_errors);
}
