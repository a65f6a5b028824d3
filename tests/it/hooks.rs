//! Hooks see every attempt of every call, in the order they were added, may add headers, and
//! never see the credentials; spans carry OpenTelemetry's HTTP field names.

use std::sync::{Arc, Mutex};

use gainsight_cta::reqwest::header::{HeaderName, HeaderValue};
use gainsight_cta::{Client, Hook, HookRequest, HookResponse};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::client::{fast_retries, mount_statuses};

const KEY: &str = "hook-secret-key-42";

struct Recorder {
    name: &'static str,
    events: Arc<Mutex<Vec<String>>>,
}

impl Hook for Recorder {
    fn before_request(&self, request: &mut HookRequest<'_>) {
        let headers: Vec<String> = request
            .headers
            .iter()
            .map(|(name, value)| format!("{name}={}", value.to_str().unwrap_or("?")))
            .collect();
        self.events.lock().unwrap().push(format!(
            "{} before {} {} {} attempt {} headers [{}]",
            self.name,
            request.operation_id,
            request.method,
            request.url_template,
            request.attempt,
            headers.join(" ")
        ));
        if self.name == "first" {
            request.headers.insert(
                HeaderName::from_static("x-trace-id"),
                HeaderValue::from_static("trace-1"),
            );
        }
    }

    fn after_response(&self, response: &HookResponse<'_>) {
        self.events.lock().unwrap().push(format!(
            "{} after attempt {} status {:?} error {}",
            self.name,
            response.attempt,
            response.status.map(|s| s.as_u16()),
            response.error.is_some()
        ));
    }
}

#[tokio::test]
async fn hooks_run_in_order_around_every_attempt_and_never_see_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_statuses(&server).await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder()
        .base_url(server.uri())
        .access_key(KEY)
        .retry_policy(fast_retries())
        .hook(Recorder {
            name: "first",
            events: events.clone(),
        })
        .hook(Recorder {
            name: "second",
            events: events.clone(),
        })
        .build()
        .unwrap();
    client.get_cta_statuses().await.unwrap();

    let events = events.lock().unwrap().clone();
    let summary: Vec<String> = events
        .iter()
        .map(|e| e.split(" headers ").next().unwrap_or(e).to_owned())
        .collect();
    assert_eq!(
        summary,
        [
            "first before getCTAStatuses GET /ctas/config/statuses attempt 1",
            "second before getCTAStatuses GET /ctas/config/statuses attempt 1",
            "first after attempt 1 status Some(503) error false",
            "second after attempt 1 status Some(503) error false",
            "first before getCTAStatuses GET /ctas/config/statuses attempt 2",
            "second before getCTAStatuses GET /ctas/config/statuses attempt 2",
            "first after attempt 2 status Some(200) error false",
            "second after attempt 2 status Some(200) error false",
        ]
    );
    // The second hook sees the header the first added; neither sees the access key.
    assert!(events[1].contains("x-trace-id=trace-1"), "{}", events[1]);
    assert!(events.iter().all(|e| !e.contains(KEY)), "{events:?}");
    // The server got the hook's header and the key on both attempts.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.headers.get("x-trace-id").unwrap(), "trace-1");
        assert_eq!(request.headers.get("accesskey").unwrap(), KEY);
    }
}
