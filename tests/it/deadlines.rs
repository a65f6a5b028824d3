//! A call's deadline bounds all its attempts and the waits between them; the per-attempt
//! timeout still applies to each. Asserted on outcomes and request counts, never on timings.
//! Also: a 404 from a base URL missing the API's path prefix carries a hint.

use std::time::Duration;

use gainsight_cta::{CallOptions, Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok_body() -> serde_json::Value {
    json!({"result": true, "requestId": "r", "data": [{"id": "s1", "name": "Open", "isClosed": false}]})
}

/// Five attempts, ten seconds apart: without a deadline a failing call would take 40 s.
fn slow_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(10),
        jitter: false,
    }
}

fn client(url: &str, deadline: Option<Duration>) -> Client {
    let mut builder = Client::builder()
        .base_url(url)
        .access_key("k")
        .retry_policy(slow_retries());
    if let Some(deadline) = deadline {
        builder = builder.deadline(deadline);
    }
    builder.build().expect("client")
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn a_retry_whose_wait_would_pass_the_deadline_is_not_made() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "busy"})))
        .mount(&server)
        .await;
    let error = client(&server.uri(), Some(Duration::from_secs(5)))
        .get_cta_statuses()
        .await
        .expect_err("503");
    // The last attempt's error, not a bare "deadline": its status and message are kept.
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.message(), Some("busy"));
    assert_eq!(
        requests(&server).await,
        1,
        "the 10 s wait would pass the 5 s deadline"
    );
}

#[tokio::test]
async fn an_attempt_in_flight_is_cut_at_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_body())
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let error = client(&server.uri(), Some(Duration::from_millis(300)))
        .get_cta_statuses()
        .await
        .expect_err("cut short");
    match &error {
        Error::Deadline(deadline) => {
            assert_eq!(deadline.attempts, 1);
            assert_eq!(deadline.deadline, Duration::from_millis(300));
        }
        other => panic!("expected Error::Deadline, got {other:?}"),
    }
    assert!(error.is_timeout() && !error.is_retryable());
    assert!(error.to_string().contains("deadline"), "{error}");
}

#[tokio::test]
async fn the_call_deadline_overrides_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_body())
                .set_delay(Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri(), Some(Duration::from_millis(100)));
    let error = client
        .get_cta_statuses()
        .await
        .expect_err("client deadline");
    assert!(matches!(error, Error::Deadline(_)), "{error:?}");
    let statuses = client
        .get_cta_statuses()
        .deadline(Duration::from_secs(30))
        .await
        .expect("a longer deadline for this call");
    assert_eq!(statuses.len(), 1);
}

#[tokio::test]
async fn without_a_deadline_retries_follow_the_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .mount(&server)
        .await;
    let quick = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        jitter: false,
    };
    let client = Client::builder()
        .base_url(server.uri())
        .access_key("k")
        .retry_policy(quick)
        .build()
        .expect("client");
    // A generous deadline changes nothing when the retries fit in it.
    let statuses = client
        .get_cta_statuses()
        .deadline(Duration::from_secs(60))
        .await
        .expect("second attempt succeeds");
    assert_eq!(statuses.len(), 1);
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_404_from_a_base_url_without_the_apis_path_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_string("Not Found"))
        .mount(&server)
        .await;
    // The spec's server is `https://{domain}.gainsightcloud.com/v1`: `/v1` is missing here.
    let error = client(&server.uri(), None)
        .get_cta_statuses()
        .await
        .expect_err("404");
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    let hint = api.hint.as_deref().expect("a hint");
    assert!(hint.contains("`/v1`"), "{hint}");
    assert!(error.to_string().contains("hint:"), "{error}");

    // With the path, a 404 is just a 404.
    let error = client(&format!("{}/v1", server.uri()), None)
        .get_cta_statuses()
        .await
        .expect_err("404");
    assert!(
        matches!(&error, Error::Api(api) if api.hint.is_none()),
        "{error:?}"
    );
}
