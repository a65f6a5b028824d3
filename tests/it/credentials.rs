//! Credential providers on the Gainsight client: a closure asked before every attempt, a
//! provider that takes a 401 as a cue to rotate (one resend, never a loop), and a failing
//! provider that stops the call before anything is sent. OAuth 2.0 end to end is in
//! `fixture_wire`; here, a token endpoint whose answer is not a token.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use gainsight_cta::{
    Client, ClientBuilder, CredentialFuture, CredentialProvider, Error, ProviderContext, Secret,
};
use serde_json::json;

use crate::client::{fast_retries, mount_statuses};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .no_rate_limit()
}

fn keys_sent(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            r.headers
                .get("accesskey")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn a_closure_is_asked_before_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_statuses(&server).await;
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let client = builder(&server)
        .access_key_provider(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok(format!("rotating-key-{n}")) }
        })
        .build()
        .unwrap();
    client.get_cta_statuses().await.unwrap();
    client.get_cta_statuses().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    // The 503 is retried with the key asked anew; so is the next call.
    assert_eq!(
        keys_sent(&requests),
        ["rotating-key-1", "rotating-key-2", "rotating-key-3"]
    );
    assert!(
        !format!("{client:?}").contains("rotating-key"),
        "{client:?}"
    );
}

/// Hands out `key-1`, `key-2`, ...; a 401 retires the key it names.
#[derive(Default)]
struct Rotating {
    current: Mutex<usize>,
    rejected: Mutex<Vec<String>>,
}

impl CredentialProvider for Rotating {
    fn credential<'a>(&'a self, _context: &'a ProviderContext<'a>) -> CredentialFuture<'a> {
        let mut current = self.current.lock().unwrap();
        if *current == 0 {
            *current = 1;
        }
        let key = format!("key-{current}");
        Box::pin(async move { Ok(Secret::new(key)) })
    }

    fn rejected(&self, sent: &Secret) -> bool {
        *self.current.lock().unwrap() += 1;
        // `Secret` shows nothing, but compares: record which key was turned down.
        let n = (1..10)
            .find(|n| &Secret::new(format!("key-{n}")) == sent)
            .unwrap_or(0);
        self.rejected.lock().unwrap().push(format!("key-{n}"));
        true
    }
}

#[tokio::test]
async fn a_401_lets_the_provider_rotate_and_the_call_go_once_more() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("accesskey", "key-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"result": false, "errorCode": "GS_APIG_2401", "errorDesc": "Unauthorized"}),
        ))
        .mount(&server)
        .await;
    mount_statuses(&server).await;
    let provider = Arc::new(Rotating::default());
    let client = builder(&server)
        .access_key_provider(provider.clone())
        .build()
        .unwrap();
    client.get_cta_statuses().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(keys_sent(&requests), ["key-1", "key-2"]);
    assert_eq!(*provider.rejected.lock().unwrap(), ["key-1"]);
}

#[tokio::test]
async fn a_second_401_is_returned_without_another_resend() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"result": false, "errorCode": "GS_APIG_2401", "errorDesc": "Unauthorized"}),
        ))
        .mount(&server)
        .await;
    let provider = Arc::new(Rotating::default());
    let client = builder(&server)
        .access_key_provider(provider.clone())
        .build()
        .unwrap();
    let error = client.get_cta_statuses().await.unwrap_err();
    assert_eq!(error.code(), Some("GS_APIG_2401"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(keys_sent(&requests), ["key-1", "key-2"]);
}

#[tokio::test]
async fn a_closure_without_rotation_gets_no_resend_on_401() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let client = builder(&server)
        .access_key_provider(|| async { Ok("fixed-key".to_owned()) })
        .build()
        .unwrap();
    let error = client.get_cta_statuses().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_failing_provider_stops_the_call_before_anything_is_sent() {
    let server = MockServer::start().await;
    mount_statuses(&server).await;
    let client = builder(&server)
        .access_key_provider(|| async { Ok(std::env::var("GAINSIGHT_KEY_THAT_IS_NOT_SET")?) })
        .build()
        .unwrap();
    let error = client.get_cta_statuses().await.unwrap_err();
    let Error::Credentials(details) = &error else {
        panic!("{error:?}")
    };
    assert!(!details.retryable);
    assert!(
        error.to_string().contains("environment variable not found"),
        "{error}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// The runtime's OAuth flow on its own: a token endpoint whose success is not a token
/// response fails the call without quoting the body (which might hold a token).
#[tokio::test]
async fn a_token_answer_that_is_not_a_token_fails_without_quoting_it() {
    use openapi_rust_runtime::{
        Call, ClientCredentials, Credential, CredentialSource, Placement, Transport,
        TransportOptions,
    };
    use wiremock::matchers::path;

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("access_token=leaked-123"))
        .mount(&server)
        .await;
    let flow = ClientCredentials::new("/token", "app", "app-secret");
    let transport = Transport::new(
        server.uri(),
        vec![Credential::new(
            Placement::Bearer,
            CredentialSource::provider(flow),
        )],
        None,
        TransportOptions::default(),
    )
    .unwrap();
    let call = Call::new(
        "listThings",
        gainsight_cta::reqwest::Method::GET,
        "/things",
        "/things".to_owned(),
    );
    let error = transport.send(call).await.unwrap_err();
    let openapi_rust_runtime::Error::Credentials(details) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(details.status.map(|s| s.as_u16()), Some(200));
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(
            !shown.contains("leaked-123") && !shown.contains("app-secret"),
            "{shown}"
        );
    }
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(paths, ["/token"], "the API is not called without a token");
}
