//! Fault injection: rate limits, gateway errors, resets, truncated bodies, slow servers; retries and their limits.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gainsight_cta::types::CtaInput;
use gainsight_cta::{CallOptions, Client, Error, RetryPolicy, StatusCode, TransportErrorKind};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
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

fn ok_body() -> serde_json::Value {
    json!({"result": true, "requestId": "r", "data": [{"id": "s1", "name": "Open", "isClosed": false}]})
}

fn input() -> CtaInput {
    CtaInput::new("c", "t", "r", "p", "s")
}

async fn attempts(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn rate_limit_with_retry_after_seconds_is_waited_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .mount(&server)
        .await;
    let started = Instant::now();
    let statuses = client(&server.uri(), policy(3, Duration::from_secs(5)))
        .get_cta_statuses()
        .await
        .expect("retried");
    assert_eq!(statuses.len(), 1);
    assert_eq!(attempts(&server).await, 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured ({:?})",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_after_is_capped_and_accepts_http_dates() {
    let server = MockServer::start().await;
    // An HTTP date an hour away: the policy's cap (200 ms) wins, so the test stays fast.
    let later = "Wed, 21 Oct 2099 07:28:00 GMT";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", later))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_body()))
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server.uri(), policy(2, Duration::from_millis(200)))
        .get_cta_statuses()
        .await
        .expect("retried");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(attempts(&server).await, 2);
}

#[tokio::test]
async fn rate_limited_creates_are_retried_because_they_were_not_processed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"result": true, "data": {"Gsid": "new"}})),
        )
        .mount(&server)
        .await;
    let created = client(&server.uri(), policy(3, Duration::from_millis(5)))
        .create_cta(&input())
        .await
        .expect("created");
    assert_eq!(created.gsid.as_deref(), Some("new"));
    assert_eq!(attempts(&server).await, 2);
}

#[tokio::test]
async fn repeated_503_gives_up_with_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_string("<html><body>Service Unavailable</body></html>"),
        )
        .mount(&server)
        .await;
    let error = client(&server.uri(), policy(4, Duration::from_millis(5)))
        .get_cta_types()
        .await
        .expect_err("gives up");
    assert_eq!(attempts(&server).await, 4);
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(error.is_retryable());
    let Error::Api(api) = error else {
        panic!("expected an API error")
    };
    assert!(api.body.contains("Service Unavailable"));
    assert_eq!(api.code, None);
}

#[tokio::test]
async fn html_502_from_a_gateway_is_an_api_error_not_a_decode_error() {
    let server = MockServer::start().await;
    let page = format!("<html>{}</html>", "bad gateway ".repeat(1000));
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("content-type", "text/html")
                .set_body_string(page),
        )
        .mount(&server)
        .await;
    let error = client(&server.uri(), RetryPolicy::none())
        .get_cta_types()
        .await
        .expect_err("502");
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status, StatusCode::BAD_GATEWAY);
    assert!(
        api.body.starts_with("<html>bad gateway") && api.body.len() <= 2048,
        "the body excerpt is bounded"
    );
    assert_eq!(error.to_string(), "API error: HTTP 502 Bad Gateway");
}

#[tokio::test]
async fn an_empty_503_body_still_maps_cleanly() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(504))
        .mount(&server)
        .await;
    let error = client(&server.uri(), policy(2, Duration::from_millis(1)))
        .get_cta_types()
        .await
        .expect_err("504");
    assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT));
    assert_eq!(attempts(&server).await, 2);
}

/// A raw TCP server answering each connection with the next canned response, then resetting it.
async fn raw_server(responses: Vec<Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        for response in responses {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = vec![0u8; 16 * 1024];
            let _ = socket.read(&mut buffer).await;
            let _ = socket.write_all(&response).await;
            let _ = socket.flush().await;
            // Linger 0 turns the close into a TCP reset.
            let _ = socket.set_zero_linger();
            drop(socket);
        }
    });
    (format!("http://{address}"), connections)
}

fn truncated_response() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"result\": true, \"data\": [{\"id\"".to_vec()
}

fn full_response() -> Vec<u8> {
    let body = ok_body().to_string();
    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

#[tokio::test]
async fn a_reset_mid_response_is_retried_for_reads() {
    let (url, connections) = raw_server(vec![truncated_response(), full_response()]).await;
    let statuses = client(&url, policy(3, Duration::from_millis(5)))
        .get_cta_statuses()
        .await
        .expect("second attempt succeeds");
    assert_eq!(statuses[0].id.as_deref(), Some("s1"));
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_reset_mid_response_is_not_retried_for_creates() {
    let (url, connections) = raw_server(vec![truncated_response(), full_response()]).await;
    let error = client(&url, policy(3, Duration::from_millis(5)))
        .create_cta(&input())
        .await
        .expect_err("reset");
    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert_eq!(transport.kind, TransportErrorKind::Other);
    assert!(
        std::error::Error::source(&error).is_some(),
        "the transport error keeps its source"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "a create that may have reached the server is sent once"
    );
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let started = Instant::now();
    let error = client(&url, policy(3, Duration::from_millis(5)))
        .create_cta(&input())
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, Error::Transport(t) if t.kind == TransportErrorKind::Connect),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn slow_servers_time_out_per_client_and_per_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_body())
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let slow = Client::builder()
        .base_url(server.uri())
        .timeout(Duration::from_millis(150))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let error = slow.get_cta_statuses().await.expect_err("client timeout");
    assert!(error.is_timeout(), "{error:?}");
    let patient = client(&server.uri(), RetryPolicy::none());
    let error = patient
        .get_cta_statuses()
        .timeout(Duration::from_millis(150))
        .await
        .expect_err("call timeout");
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.to_string().lines().count(), 1, "Display is one line");
}

#[tokio::test]
async fn per_call_headers_and_raw_responses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("x-trace", "abc"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "hdr-1")
                .set_body_json(ok_body()),
        )
        .mount(&server)
        .await;
    let response = client(&server.uri(), RetryPolicy::none())
        .get_cta_statuses()
        .header(
            "x-trace".parse().expect("name"),
            "abc".parse().expect("value"),
        )
        .send_with_response()
        .await
        .expect("call");
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("hdr-1")
    );
    assert_eq!(response.data.len(), 1);
}
