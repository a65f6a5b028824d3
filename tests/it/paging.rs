//! Auto-paging against misbehaving servers: lazy requests, bounded collection, no endless loops.

use std::time::Duration;

use gainsight_cta::futures_util::{StreamExt, TryStreamExt};
use gainsight_cta::types::{SearchCondition, SearchFilter, SearchRequest};
use gainsight_cta::{Client, Error, RetryPolicy};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry_policy(RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            jitter: false,
        })
        .build()
        .expect("client")
}

/// Serves `total` numbered records honouring `offset`/`limit`, reporting `reported_total`.
struct Pages {
    total: usize,
    reported_total: usize,
    ignore_offset: bool,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let limit = body["limit"].as_u64().unwrap_or(10) as usize;
        let offset = if self.ignore_offset {
            0
        } else {
            body["offset"].as_u64().unwrap_or(0) as usize
        };
        let records: Vec<Value> = (offset..self.total.min(offset + limit))
            .map(|i| json!({"Gsid": format!("id-{i}")}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"result": true, "data": {"records": records, "totalCount": self.reported_total}}))
    }
}

async fn serve(pages: Pages) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/ctas/search"))
        .respond_with(pages)
        .mount(&server)
        .await;
    server
}

async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn pages_are_requested_only_when_needed() {
    let server = serve(Pages {
        total: 100,
        reported_total: 100,
        ignore_offset: false,
    })
    .await;
    let client = client(&server);
    let request = SearchRequest::default().with_limit(10);
    let first_15: Vec<_> = client
        .search_ctas_stream(&request)
        .take(15)
        .try_collect::<Vec<_>>()
        .await
        .expect("stream");
    assert_eq!(first_15.len(), 15);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn the_default_page_size_and_short_pages() {
    let server = serve(Pages {
        total: 120,
        reported_total: 120,
        ignore_offset: false,
    })
    .await;
    let all = client(&server)
        .search_ctas_all(&SearchRequest::default(), 1_000)
        .await
        .expect("all");
    assert_eq!(all.len(), 120);
    assert_eq!(all[119].gsid.as_deref(), Some("id-119"));
    let limits: Vec<u64> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body)
                .map(|b| b["limit"].as_u64().unwrap_or(0))
                .unwrap_or(0)
        })
        .collect();
    assert_eq!(
        limits,
        [50, 50, 50],
        "default page size 50; the short third page ends the stream"
    );
}

#[tokio::test]
async fn a_server_that_ignores_offset_is_an_error_not_a_loop() {
    let server = serve(Pages {
        total: 1_000,
        reported_total: 1_000,
        ignore_offset: true,
    })
    .await;
    let result: Result<Vec<_>, Error> = client(&server)
        .search_ctas_stream(&SearchRequest::default().with_limit(10))
        .try_collect()
        .await;
    let error = result.expect_err("same page twice");
    assert!(
        matches!(&error, Error::Pagination(message) if message.contains("ignore the offset")),
        "{error}"
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_lying_total_stops_the_stream() {
    // The server claims 15 items but would serve 100: paging stops once 15 are reached.
    let server = serve(Pages {
        total: 100,
        reported_total: 15,
        ignore_offset: false,
    })
    .await;
    let items = client(&server)
        .search_ctas_all(&SearchRequest::default().with_limit(10), 1_000)
        .await
        .expect("all");
    assert_eq!(items.len(), 20);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn collecting_is_bounded() {
    let server = serve(Pages {
        total: 100,
        reported_total: 100,
        ignore_offset: false,
    })
    .await;
    let error = client(&server)
        .search_ctas_all(&SearchRequest::default().with_limit(10), 25)
        .await
        .expect_err("bound");
    assert!(matches!(error, Error::Pagination(_)), "{error}");
    assert_eq!(
        request_count(&server).await,
        3,
        "stops as soon as the bound is passed"
    );
}

#[test]
fn filter_builder_json() {
    let mut builder = SearchFilter::builder();
    let open = builder.add(SearchCondition::in_("StatusId", ["open", "new"]));
    let due = builder.add(SearchCondition::lte("DueDate", "2025-03-01"));
    let mine = builder.add(SearchCondition::ne("OwnerId", Value::Null));
    let named = builder.add(SearchCondition::contains("Name", "renewal"));
    let filter = builder
        .build(&open.or(due).and(mine.or(named)))
        .expect("filter");
    let request = SearchRequest::default()
        .with_select(vec!["Gsid".into()])
        .with_where(filter)
        .with_limit(100)
        .with_offset(0);
    insta::assert_snapshot!(serde_json::to_string_pretty(&request).expect("json"));

    let mut other = SearchFilter::builder();
    let foreign = other.add(SearchCondition::eq("A", 1));
    let mut empty = SearchFilter::builder();
    let error = SearchFilter::builder()
        .build(&foreign.clone())
        .expect_err("label from another builder");
    assert!(matches!(error, Error::Encode(_)), "{error}");
    empty.add(SearchCondition::gt("Score", 3));
    empty.add(SearchCondition::gte("Score", 1));
    assert_eq!(empty.all().expression.as_deref(), Some("A AND B"));
}
