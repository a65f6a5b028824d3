//! The generated client against a real local HTTP server (wiremock): requests sent, responses decoded, errors mapped.

use std::time::Duration;

use gainsight_cta::types::{
    CtaInput, SearchCondition, SearchFilter, SearchOperator, SearchRequest,
};
use gainsight_cta::{CallOptions, Client, Error, RetryPolicy, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "test-access-key-9f8e7d";

/// Three attempts a millisecond or so apart: retries without slowing the tests (shared by the
/// test modules that need them).
pub(crate) fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        jitter: false,
    }
}

/// Answers every GET with one CTA status, in Gainsight's envelope.
pub(crate) async fn mount_statuses(server: &MockServer) {
    Mock::given(method("GET"))
        .respond_with(envelope(
            json!([{"id": "s1", "name": "Open", "isClosed": false}]),
        ))
        .mount(server)
        .await;
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .access_key(KEY)
        .retry_policy(fast_retries())
        .build()
        .expect("client")
}

fn envelope(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"result": true, "errorCode": null, "errorDesc": null, "requestId": "req-1", "data": data}))
}

fn cta_json(id: &str) -> Value {
    json!({
        "Gsid": id, "Name": "Renewal risk", "CompanyId": "comp-1", "TypeId": "type-1", "ReasonId": "reason-1",
        "PriorityId": "prio-1", "StatusId": "status-1", "StatusName": "Open", "DueDate": "2020-04-14",
        "CreatedDate": "2024-02-05T08:34:35.253Z", "Comments": null, "Renewal_Date__gc": "2025-01-31"
    })
}

fn input() -> CtaInput {
    CtaInput {
        name: Some("Renewal risk".into()),
        company_id: "comp-1".into(),
        type_id: "type-1".into(),
        reason_id: "reason-1".into(),
        priority_id: "prio-1".into(),
        status_id: "status-1".into(),
        ..Default::default()
    }
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn calls_accept_the_media_type_they_decode_unless_the_call_says_otherwise() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ctas/cta-1"))
        .respond_with(envelope(cta_json("cta-1")))
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_cta("cta-1").await.expect("get");
    client
        .get_cta("cta-1")
        .header(
            gainsight_cta::reqwest::header::ACCEPT,
            gainsight_cta::reqwest::header::HeaderValue::from_static("application/vnd.x+json"),
        )
        .await
        .expect("get");
    let accepted: Vec<Vec<String>> = requests(&server)
        .await
        .iter()
        .map(|r| {
            r.headers
                .get_all("accept")
                .iter()
                .map(|v| v.to_str().unwrap_or("?").to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        accepted,
        [vec!["application/json"], vec!["application/vnd.x+json"]]
    );
}

#[tokio::test]
async fn create_cta_posts_the_body_with_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ctas"))
        .and(header("accessKey", KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"Name": "Renewal risk", "CompanyId": "comp-1", "TypeId": "type-1", "ReasonId": "reason-1", "PriorityId": "prio-1", "StatusId": "status-1"})))
        .respond_with(envelope(cta_json("cta-1")))
        .expect(1)
        .mount(&server)
        .await;
    let cta = client(&server).create_cta(&input()).await.expect("create");
    assert_eq!(cta.gsid.as_deref(), Some("cta-1"));
    assert_eq!(
        cta.due_date.map(|d| d.to_string()).as_deref(),
        Some("2020-04-14")
    );
    assert_eq!(cta.extra.get("Renewal_Date__gc"), Some(json!("2025-01-31")));
}

#[tokio::test]
async fn get_and_update_cta_use_the_id_as_one_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ctas/cta-1"))
        .and(header("accessKey", KEY))
        .respond_with(envelope(cta_json("cta-1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/ctas/cta-1"))
        .and(body_json(serde_json::to_value(input()).expect("json")))
        .respond_with(envelope(cta_json("cta-1")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client
            .get_cta("cta-1")
            .await
            .expect("get")
            .status_name
            .as_deref(),
        Some("Open")
    );
    assert_eq!(
        client
            .update_cta("cta-1", &input())
            .await
            .expect("update")
            .gsid
            .as_deref(),
        Some("cta-1")
    );
}

#[tokio::test]
async fn hostile_ids_cannot_change_the_path_or_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(envelope(cta_json("x")))
        .mount(&server)
        .await;
    let client = client(&server);
    for id in ["../admin", "a/b?c=d", "x#frag", "%2F", "caf\u{e9}"] {
        client.get_cta(id).await.expect("get");
    }
    let paths: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/ctas/..%2Fadmin",
            "/ctas/a%2Fb%3Fc%3Dd",
            "/ctas/x%23frag",
            "/ctas/%252F",
            "/ctas/caf%C3%A9"
        ]
    );
    // Dot segments cannot be kept in place by any encoding, and an empty id would name the
    // collection (`GET /ctas/`): all are refused before sending.
    for id in [".", "..", "%2e%2E", ""] {
        let error = client
            .get_cta(id)
            .await
            .expect_err("refused path parameter");
        assert!(matches!(error, Error::Encode(_)), "{error:?}");
    }
    assert_eq!(requests(&server).await.len(), 5);
    assert!(
        requests(&server)
            .await
            .iter()
            .all(|r| r.url.query().is_none())
    );
}

/// A request's future (`.await`, `send`, `send_with_response`) and a paging stream can be
/// spawned: they are `Send`, and `Sending` is a type a struct field can name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_page_streams_run_on_spawned_tasks() {
    use gainsight_cta::futures_util::StreamExt;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ctas/cta-1"))
        .respond_with(envelope(cta_json("cta-1")))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ctas/search"))
        .respond_with(envelope(
            json!({"records": [cta_json("a")], "totalCount": 1}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = std::sync::Arc::new(client(&server));
    let awaited = tokio::spawn({
        let client = client.clone();
        async move { client.get_cta("cta-1").await }
    });
    let sent = tokio::spawn({
        let client = client.clone();
        async move {
            let pending: gainsight_cta::Sending<'_, gainsight_cta::types::Cta> =
                client.get_cta("cta-1").send();
            pending.await
        }
    });
    let with_response = tokio::spawn({
        let client = client.clone();
        async move { client.get_cta("cta-1").send_with_response().await }
    });
    let streamed = tokio::spawn({
        let client = client.clone();
        async move {
            let request = SearchRequest::default();
            let items: Vec<_> = client.search_ctas_stream(&request).collect().await;
            items
        }
    });
    let gsid = |cta: gainsight_cta::types::Cta| cta.gsid;
    assert_eq!(
        awaited.await.expect("task").map(gsid).expect("get"),
        Some("cta-1".into())
    );
    assert_eq!(
        sent.await.expect("task").map(gsid).expect("send"),
        Some("cta-1".into())
    );
    let response = with_response
        .await
        .expect("task")
        .expect("send_with_response");
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.data.gsid.as_deref(), Some("cta-1"));
    let items = streamed.await.expect("task");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().expect("item").gsid.as_deref(), Some("a"));
}

#[tokio::test]
async fn search_sends_the_filter_and_decodes_the_page() {
    let server = MockServer::start().await;
    let request = SearchRequest {
        select: Some(vec!["Gsid".into(), "Name".into()]),
        where_: Some(SearchFilter {
            conditions: Some(vec![SearchCondition {
                name: Some("StatusId".into()),
                operator: Some(SearchOperator::In),
                value: Some(json!(["open", "new"])),
                ..Default::default()
            }]),
            expression: Some("A".into()),
            ..Default::default()
        }),
        limit: Some(50),
        offset: Some(0),
        ..Default::default()
    };
    Mock::given(method("POST"))
        .and(path("/ctas/search"))
        .and(body_json(json!({"select": ["Gsid", "Name"], "where": {"conditions": [{"name": "StatusId", "value": ["open", "new"], "operator": "IN"}], "expression": "A"}, "limit": 50, "offset": 0})))
        .respond_with(envelope(json!({"records": [cta_json("a"), cta_json("b")], "totalCount": 2})))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server).search_ctas(&request).await.expect("search");
    assert_eq!(page.total_count, Some(2));
    let ids: Vec<_> = page
        .records
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.gsid)
        .collect();
    assert_eq!(ids, ["a", "b"]);
}

#[tokio::test]
async fn configuration_endpoints_decode_their_lists() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ctas/config/types"))
        .respond_with(envelope(
            json!([{"id": "t1", "name": "Risk", "isDefault": true}]),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ctas/config/reasons"))
        .and(query_param("typeId", "t1"))
        .respond_with(envelope(
            json!([{"id": "r1", "name": "Low usage", "typeId": "t1"}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ctas/config/priorities"))
        .respond_with(envelope(json!([{"id": "p1", "name": "High", "order": 1}])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ctas/config/statuses"))
        .respond_with(envelope(
            json!([{"id": "s1", "name": "Closed", "isClosed": true}]),
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(
        client.get_cta_types().await.expect("types")[0].is_default,
        Some(true)
    );
    assert_eq!(
        client
            .get_cta_reasons()
            .type_id("t1")
            .await
            .expect("reasons")[0]
            .type_id
            .as_deref(),
        Some("t1")
    );
    assert_eq!(
        client.get_cta_priorities().await.expect("priorities")[0].order,
        Some(1)
    );
    assert_eq!(
        client.get_cta_statuses().await.expect("statuses")[0].is_closed,
        Some(true)
    );
    // Without the optional filter no query string is sent.
    Mock::given(method("GET"))
        .and(path("/ctas/config/reasons"))
        .respond_with(envelope(json!([])))
        .mount(&server)
        .await;
    client
        .get_cta_reasons()
        .await
        .expect("reasons without filter");
    let last = requests(&server).await.pop().expect("a request");
    assert_eq!(last.url.query(), None);
}

#[tokio::test]
async fn error_statuses_become_api_errors_with_server_fields() {
    let server = MockServer::start().await;
    Mock::given(path("/ctas/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"result": false, "errorCode": "CTA_404", "errorDesc": "CTA not found", "requestId": "req-404"})))
        .mount(&server)
        .await;
    Mock::given(path("/ctas"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"result": false, "errorCode": "COCKPIT_5101", "errorDesc": "Invalid fields"}),
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    let error = client.get_cta("missing").await.expect_err("404");
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(error.code(), Some("CTA_404"));
    assert_eq!(error.request_id(), Some("req-404"));
    assert_eq!(
        error.to_string(),
        "API error: HTTP 404 Not Found, code CTA_404: CTA not found (request id req-404)"
    );
    let error = client.create_cta(&input()).await.expect_err("400");
    assert!(
        matches!(&error, Error::Api(api) if api.status == 400 && api.message.as_deref() == Some("Invalid fields")),
        "{error:?}"
    );
}

#[tokio::test]
async fn error_bodies_decode_whole_as_their_declared_type_while_debug_stays_short() {
    let server = MockServer::start().await;
    let details: Vec<String> = (0..200).map(|i| format!("field {i} is invalid")).collect();
    Mock::given(path("/ctas"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "result": false, "errorCode": "VALIDATION", "errorDesc": "Invalid fields", "details": details
        })))
        .mount(&server)
        .await;
    let error = client(&server).create_cta(&input()).await.expect_err("422");
    let Error::Api(api) = &error else {
        panic!("expected an API error: {error:?}")
    };
    #[derive(serde::Deserialize)]
    struct Validation {
        #[serde(rename = "errorCode")]
        code: String,
        details: Vec<String>,
    }
    // The excerpt stops at 2 KiB; `body_as` reads the whole body.
    assert!(api.body.len() <= 2048);
    let validation: Validation = api.body_as().expect("decodes as the declared error type");
    assert_eq!(validation.code, "VALIDATION");
    assert_eq!(validation.details.len(), 200);
    assert!(
        api.body_as::<Vec<u8>>().is_err(),
        "a mismatched type is an error"
    );
    let debug = format!("{api:?}");
    assert!(
        debug.contains("bytes>") && !debug.contains("field 199"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_per_call_header_replaces_the_content_type_the_client_would_send() {
    let server = MockServer::start().await;
    Mock::given(path("/ctas"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"result": true, "data": {"Gsid": "1"}})),
        )
        .mount(&server)
        .await;
    let content_type = "application/json; charset=utf-8";
    client(&server)
        .create_cta(&input())
        .header(
            gainsight_cta::reqwest::header::CONTENT_TYPE,
            gainsight_cta::reqwest::header::HeaderValue::from_static(content_type),
        )
        .await
        .expect("created");
    let requests = server.received_requests().await.unwrap_or_default();
    let sent: Vec<&str> = requests[0]
        .headers
        .get_all("content-type")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(sent, [content_type], "one Content-Type, the caller's");
}

#[tokio::test]
async fn the_gainsight_401_body_and_a_missing_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"result": false, "errorCode": "GS_APIG_2401", "errorDesc": "Unauthorized", "requestId": "r-401", "message": "Unauthorized"})))
        .mount(&server)
        .await;
    let keyless = Client::builder()
        .base_url(server.uri())
        .build()
        .expect("client without key");
    let error = keyless.get_cta_types().await.expect_err("401");
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(error.code(), Some("GS_APIG_2401"));
    assert!(
        requests(&server).await[0]
            .headers
            .get("accesskey")
            .is_none()
    );
}

#[tokio::test]
async fn result_false_with_http_200_is_an_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": false, "errorCode": "COCKPIT_5101", "errorDesc": "Invalid fields in select clause - gsidasdf", "requestId": "abc-123", "data": {}, "message": null})))
        .mount(&server)
        .await;
    let error = client(&server)
        .search_ctas(&SearchRequest::default())
        .await
        .expect_err("result false");
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert_eq!(error.code(), Some("COCKPIT_5101"));
    assert_eq!(error.request_id(), Some("abc-123"));
}

#[tokio::test]
async fn malformed_bodies_are_decode_errors_naming_the_path() {
    let server = MockServer::start().await;
    Mock::given(path("/ctas/bad-date"))
        .respond_with(envelope(json!({"Gsid": "x", "DueDate": "not a date"})))
        .mount(&server)
        .await;
    Mock::given(path("/ctas/truncated"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string("{\"result\": true, \"data\": {\"Gsid\""),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let Error::Decode(decode) = client.get_cta("bad-date").await.expect_err("bad date") else {
        panic!("expected a decode error")
    };
    assert_eq!(decode.path, "data.DueDate");
    assert!(decode.body.contains("not a date"));
    let error = client.get_cta("truncated").await.expect_err("truncated");
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
}

#[tokio::test]
async fn idempotent_calls_retry_gateway_errors_but_creates_do_not() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>busy</html>"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(envelope(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/ctas"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_cta_statuses().await.expect("retried after 503");
    assert_eq!(requests(&server).await.len(), 2);
    let error = client.create_cta(&input()).await.expect_err("500");
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    let creates = requests(&server)
        .await
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(
        creates, 1,
        "a create that got a 5xx must reach the server exactly once"
    );
}

#[tokio::test]
async fn timeouts_are_transport_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(envelope(json!([])).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let error = client
        .get_cta_types()
        .timeout(Duration::from_millis(100))
        .await
        .expect_err("timeout");
    assert!(error.is_timeout(), "{error:?}");
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string("nope"))
        .mount(&server)
        .await;
    let client = client(&server);
    assert!(!format!("{client:?}").contains(KEY));
    assert!(!format!("{:?}", Client::builder().access_key(KEY)).contains(KEY));
    let error = client.get_cta_types().await.expect_err("401");
    assert!(!format!("{error:?} {error}").contains(KEY));
}

#[test]
fn unsafe_domains_and_keys_are_rejected_when_building() {
    let error = Client::new("evil.com/x?", KEY).expect_err("bad domain");
    assert!(
        matches!(&error, Error::Config(message) if message.contains("domain")),
        "{error:?}"
    );
    let error = Client::new("acme", "key\r\nX-Injected: 1").expect_err("bad key");
    assert!(!error.to_string().contains("X-Injected"), "{error}");
    let client = Client::new("acme", KEY).expect("good client");
    assert_eq!(client.base_url(), "https://acme.gainsightcloud.com/v1");
}

/// A `multipart/form-data` body as a real server-side parser (axum's, i.e. `multer`) reads it.
#[tokio::test]
async fn a_multipart_form_is_read_back_by_a_server_side_parser() {
    use axum::extract::Multipart as ServerForm;

    async fn echo(mut form: ServerForm) -> axum::Json<Value> {
        let mut parts = Vec::new();
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().map(str::to_owned);
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let data = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            parts.push(json!({
                "name": name, "file_name": file_name, "content_type": content_type,
                "data": String::from_utf8_lossy(&data),
            }));
        }
        axum::Json(json!(parts))
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let app = axum::Router::new().route("/upload", axum::routing::post(echo));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let tricky = "line one\r\n--not-a-boundary\r\n\"quoted\"";
    let form = openapi_rust_runtime::Multipart::new()
        .text("title", tricky)
        .json("meta", &json!({"tags": ["a", "b"]}))
        .expect("JSON part")
        .file_with_type("file", "report \"Q3\".csv", "text/csv", &b"x,y\n1,2\n"[..]);
    assert_eq!(form.len(), 3);
    let (body, content_type) = form.to_body();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let response = gainsight_cta::reqwest::Client::new()
        .post(format!("http://{address}/upload"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let parts: Value =
        serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    assert_eq!(
        parts,
        json!([
            {"name": "title", "file_name": null, "content_type": null, "data": tricky},
            {"name": "meta", "file_name": null, "content_type": "application/json",
             "data": "{\"tags\":[\"a\",\"b\"]}"},
            {"name": "file", "file_name": "report %22Q3%22.csv", "content_type": "text/csv",
             "data": "x,y\n1,2\n"},
        ])
    );
}
