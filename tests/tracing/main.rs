//! Tracing, in a test binary of its own: `tracing` caches per callsite whether anyone listens,
//! so a test that installs a subscriber for its thread must not share the process with tests
//! that reach the same callsites without one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gainsight_cta::{Client, RetryPolicy};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "fault-key-0123456789";

fn policy(max_attempts: u32, max_delay: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay,
        jitter: false,
    }
}

fn client(url: &str, retry: RetryPolicy) -> Client {
    Client::builder()
        .base_url(url)
        .access_key(KEY)
        .retry_policy(retry)
        .build()
        .expect("client")
}

/// Collects what `tracing` prints while a future runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn retries_are_visible_in_tracing_and_secrets_are_not() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(503))
                .up_to_n_times(1)
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(200).set_body_json(
                    json!({"result": true, "data": {"records": [], "totalCount": 0}}),
                ))
                .mount(&server)
                .await;
            client(&server.uri(), policy(3, Duration::from_millis(1)))
                .search_ctas(&Default::default())
                .await
                .expect("retried search");
        });
    });
    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(log.contains("retrying request"), "{log}");
    // OpenTelemetry's HTTP field names: the call's span and each attempt's.
    for field in [
        "api_call{operation.id=\"searchCTAs\" http.request.method=POST url.template=\"/ctas/search\"",
        "http_request{http.request.method=POST url.template=\"/ctas/search\" http.request.resend_count=0 http.response.status_code=503}",
        "url.template=\"/ctas/search\" http.request.resend_count=1 http.response.status_code=200}: ",
    ] {
        assert!(log.contains(field), "no `{field}` in:\n{log}");
    }
    assert!(!log.contains(KEY), "the access key leaked into the log");
}
