//! One fixture spec per bug class the wire tests found, each generated into a crate and run for
//! real against a local HTTP server (wiremock): the exact bytes each call sends and the value
//! it decodes. All the crates share one workspace and one `cargo test`, so they build together.
//!
//! - `form_bodies`: lists exploded, objects spread, the `encoding` object's `explode: false`,
//!   `pipeDelimited`, `deepObject` and JSON-valued properties (a list once failed every call).
//! - `untagged_unions`: alternatives chosen by best fit and by discriminator (a podcast once
//!   decoded as an episode, its `publisher` hidden among undeclared properties).
//! - `security_alternatives`: each scheme its own setter; a request sends the first complete
//!   alternative, all members of an AND-requirement.
//! - `required_nullable`: a required, nullable property is sent as `null`; an empty path
//!   parameter is refused before anything is sent.
//! - `swagger2_clinic`: a Swagger 2.0 document after conversion: `collectionFormat`s (csv by
//!   default, multi, pipes) on the query and in a form, the API key, a binary response.
//! - `orders_runtime`: idempotency keys (declared by the spec or the config) kept across a
//!   retried create; the config's rate limit shared by clones, replaced or lifted per client;
//!   the typed mock (`mock` feature) of an API without an envelope, matching query values.
//! - `oauth_client_credentials`: tokens fetched from a fake token endpoint (the exact form and
//!   client authentication), cached, shared by concurrent calls, refreshed when expired and
//!   once after a 401, and absent from errors, `Debug` output and logs.
//! - `streams`: server-sent events (JSON and text data, a reconnect with `Last-Event-ID`, none
//!   for a POST, a bad event as one error item), a download read in chunks or cut midway, and
//!   uploads from a reader or a stream, never resent.
//! - `common_params`: optional query parameters most operations share by `$ref` (Google's
//!   `fields`, `alt`, ...) set through the one `CommonParameters` trait, in the spec's order
//!   before each operation's own; an operation without all of them keeps its own setters.

use std::process::Command;

use generator::Config;
use tests::project_root;

const DEV_DEPENDENCIES: &str = r#"serde_json = "1"
tracing = "0.1"
tracing-subscriber = { version = "0.3", default-features = false, features = ["fmt", "std"] }
wiremock = "0.6"
"#;

const UNIONS_DECODE: &str = r##"
use unions_client::types::{Episode, Pet, Podcast, SearchResponseItem};

#[test]
fn each_value_decodes_as_the_alternative_it_fits() {
    let json = r#"[{"id":"p1","publisher":"NPR"},{"id":"e1","audio":"a.mp3"},{"id":"x"},"text",7]"#;
    let items: Vec<SearchResponseItem> = serde_json::from_str(json).unwrap();
    match &items[0] {
        SearchResponseItem::Podcast(Podcast { id, publisher, extra }) => {
            assert_eq!((id.as_deref(), publisher.as_str()), (Some("p1"), "NPR"));
            assert!(extra.is_empty());
        }
        other => panic!("not a podcast: {other:?}"),
    }
    assert!(matches!(&items[1], SearchResponseItem::Episode(Episode { audio: Some(a), .. }) if a == "a.mp3"));
    // `publisher` is required of a podcast, so a bare id is an episode.
    assert!(matches!(&items[2], SearchResponseItem::Episode(_)));
    assert!(matches!(&items[3], SearchResponseItem::String(s) if s == "text"));
    assert!(matches!(items[4], SearchResponseItem::Integer(7)));
    // What was received is what is sent back: nothing was swallowed or invented.
    let again: serde_json::Value = serde_json::to_value(&items).unwrap();
    let received: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(again, received);
}

#[test]
fn a_discriminator_and_its_mapping_decide() {
    // By shape alone this is a dog (`bark` is declared there); the mapping says `kitty` is a cat.
    let json = r#"{"petType":"kitty","bark":true}"#;
    let pet: Pet = serde_json::from_str(json).unwrap();
    assert!(matches!(&pet, Pet::Cat(cat) if cat.pet_type == "kitty"), "{pet:?}");
    assert_eq!(serde_json::to_value(&pet).unwrap(), serde_json::from_str::<serde_json::Value>(json).unwrap());
    // The schemas' own names select them too, mapping or not.
    let pet: Pet = serde_json::from_str(r#"{"petType":"Dog","name":"Rex"}"#).unwrap();
    assert!(matches!(pet, Pet::Dog(_)), "{pet:?}");
    let pet: Pet = serde_json::from_str(r#"{"petType":"Cat","bark":false}"#).unwrap();
    assert!(matches!(pet, Pet::Cat(_)), "{pet:?}");
}

#[test]
fn a_union_of_unions_decodes_as_the_inner_alternative_that_fits_best() {
    use unions_client::types::{DeletedSource, DeleteSourceResponse, LiveSource};
    // Both outer alternatives are unions; the deleted card fits, the account only loosely.
    let json = r#"{"id":"c1","object":"card","deleted":true,"currency":"usd"}"#;
    let source: DeleteSourceResponse = serde_json::from_str(json).unwrap();
    assert!(
        matches!(&source, DeleteSourceResponse::DeletedSource(DeletedSource::DeletedCard(card)) if card.currency.as_deref() == Some("usd")),
        "{source:?}"
    );
    let source: DeleteSourceResponse = serde_json::from_str(r#"{"id":"a1","object":"account"}"#).unwrap();
    assert!(matches!(&source, DeleteSourceResponse::LiveSource(LiveSource::Account(_))), "{source:?}");
    let source: DeleteSourceResponse = serde_json::from_str(r#""a1""#).unwrap();
    assert!(matches!(&source, DeleteSourceResponse::LiveSource(LiveSource::String(_))), "{source:?}");
}

#[test]
fn a_value_no_alternative_fits_is_an_error_naming_the_union() {
    let error = serde_json::from_str::<SearchResponseItem>("true").unwrap_err();
    assert!(error.to_string().contains("SearchResponseItem"), "{error}");
}
"##;

const UNIONS_WIRE: &str = r##"
use unions_client::types::{Pet, SearchResponseItem};
use unions_client::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn mixed_results_decode_as_what_each_is() {
    let server = MockServer::start().await;
    let body = r#"[{"id":"p1","publisher":"NPR"},{"id":"e1","audio":"a.mp3"},"text",7]"#;
    Mock::given(method("GET"))
        .and(path("/search"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/pets/kit%20ty"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"petType":"kitty","bark":true}"#, "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let items = client.search().send().await.unwrap();
    let kinds: Vec<&str> = items
        .iter()
        .map(|item| match item {
            SearchResponseItem::Podcast(p) if p.publisher == "NPR" && p.extra.is_empty() => "podcast",
            SearchResponseItem::Episode(e) if e.audio.as_deref() == Some("a.mp3") => "episode",
            SearchResponseItem::String(s) if s == "text" => "string",
            SearchResponseItem::Integer(7) => "integer",
            _ => "wrong",
        })
        .collect();
    assert_eq!(kinds, ["podcast", "episode", "string", "integer"], "{items:?}");
    let pet = client.get_pet("kit ty").send().await.unwrap();
    assert!(matches!(&pet, Pet::Cat(cat) if cat.pet_type == "kitty"), "{pet:?}");
    let requests = server.received_requests().await.unwrap();
    let sent: Vec<String> = requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    assert_eq!(sent, ["GET /search", "GET /pets/kit%20ty"]);
}
"##;

const FORM_WIRE: &str = r##"
use form_bodies_client::types::{
    MessageForm, MessageFormAttributes, MessageFormFilter, MessageFormFilterOwner, MessageFormMetadata,
};
use form_bodies_client::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_form_body_is_written_as_its_encoding_object_says() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/Messages"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(
            r#"{"sid":"SM1","to":"+1 555","numbers":["+2","+3"]}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let form = MessageForm {
        tags: Some(vec!["a b".into(), "c".into()]),
        channels: Some(vec![1, 2]),
        filter: Some(MessageFormFilter {
            status: Some("open".into()),
            owner: Some(MessageFormFilterOwner { id: Some(7), ..Default::default() }),
            ..Default::default()
        }),
        metadata: Some(MessageFormMetadata { labels: Some(vec!["x".into()]), ..Default::default() }),
        attributes: Some(MessageFormAttributes { color: Some("red".into()), size: Some(2), ..Default::default() }),
        ..MessageForm::new("+1 555", vec!["+2".into(), "+3".into()])
    };
    let message = client.create_message(&form).send().await.unwrap();
    assert_eq!((message.sid.as_str(), message.to.as_str()), ("SM1", "+1 555"));
    assert_eq!(message.numbers.as_deref(), Some(&["+2".to_owned(), "+3".to_owned()][..]));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.headers.get("content-type").unwrap(), "application/x-www-form-urlencoded");
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        concat!(
            "To=%2B1+555&PhoneNumbers=%2B2&PhoneNumbers=%2B3",
            "&Tags=a+b%2Cc",
            "&Channels=1%7C2",
            // Keys inside a property's value come in name order (top-level ones as declared).
            "&Filter%5Bowner%5D%5Bid%5D=7&Filter%5Bstatus%5D=open",
            "&Metadata=%7B%22labels%22%3A%5B%22x%22%5D%7D",
            "&color=red&size=2",
        )
    );
}
"##;

const SECURITY_WIRE: &str = r##"
use security_alternatives_client::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The credentials one request carried: (API key header, Authorization, app_id query, secret header).
async fn sent_with(builder: impl FnOnce(security_alternatives_client::ClientBuilder) -> security_alternatives_client::ClientBuilder) -> [Option<String>; 4] {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = builder(Client::builder().base_url(server.uri())).build().unwrap();
    client.list_payments().send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let request = &requests[0];
    let header = |name: &str| request.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let app_id = request.url.query_pairs().find(|(k, _)| k == "app_id").map(|(_, v)| v.into_owned());
    [header("x-api-key"), header("authorization"), app_id, header("x-app-secret")]
}

#[tokio::test]
async fn each_request_sends_the_first_complete_alternative() {
    let none = None::<String>;
    // Everything set: the first alternative only.
    let all = sent_with(|b| b.x_api_key("k1").basic_auth("u:p").app_id("id1").x_app_secret("s1")).await;
    assert_eq!(all, [Some("k1".into()), none.clone(), none.clone(), none.clone()]);
    // Basic alone: `user:password` in base64.
    let basic = sent_with(|b| b.basic_auth("u:p")).await;
    assert_eq!(basic, [none.clone(), Some("Basic dTpw".into()), none.clone(), none.clone()]);
    // The AND-requirement: both members, one in the query and one in a header.
    let pair = sent_with(|b| b.app_id("id1").x_app_secret("s1").basic_auth("u:p")).await;
    assert_eq!(pair, [none.clone(), Some("Basic dTpw".into()), none.clone(), none.clone()]);
    let pair = sent_with(|b| b.app_id("id 1").x_app_secret("s1")).await;
    assert_eq!(pair, [none.clone(), none.clone(), Some("id 1".into()), Some("s1".into())]);
}
"##;

const NULLABLE_WIRE: &str = r##"
use required_nullable_client::types::Thing;
use required_nullable_client::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_required_nullable_property_is_sent_as_null() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/things/t%2F1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"name":"n","parent":null,"size":3}"#, "application/json"))
        .mount(&server)
        .await;
    let client = Client::builder().base_url(server.uri()).build().unwrap();
    let thing = client.put_thing("t/1", &Thing::new("n")).send().await.unwrap();
    assert_eq!((thing.name.as_str(), thing.parent, thing.size), ("n", None, Some(3)));
    // Refused before sending: `PUT /things/` would name the collection.
    let refused = client.put_thing("", &Thing::new("n")).send().await;
    assert!(matches!(refused, Err(Error::Encode(_))), "{refused:?}");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(std::str::from_utf8(&requests[0].body).unwrap(), r#"{"name":"n","parent":null}"#);
}
"##;

const SWAGGER2_WIRE: &str = r##"
use swagger2_clinic_client::types::{ListPatientsStatusesItem, SearchAppointmentsBody};
use swagger2_clinic_client::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn collection_formats_keys_and_bodies_are_sent_as_the_swagger_document_says() {
    let server = MockServer::start().await;
    let json = |body: &str| ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json");
    Mock::given(method("GET")).and(path("/patients"))
        .respond_with(json(r#"[{"id":"p-1","name":"Ada","kind":"adult","ward":null}]"#))
        .mount(&server).await;
    Mock::given(method("POST")).and(path("/appointments/search"))
        .respond_with(json(r#"[{"doctor":"Lee","at":"2026-01-02T03:04:05Z"}]"#))
        .mount(&server).await;
    Mock::given(method("GET")).and(path("/patients/p-1/scans/7/image"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![0x89, b'P', b'N', b'G'], "image/png"))
        .mount(&server).await;
    let client = Client::builder().base_url(server.uri()).x_clinic_key("k-1").build().unwrap();

    let patients = client
        .list_patients()
        .wards(vec!["north".into(), "east wing".into()])
        .ids(vec![1, 2])
        .statuses(vec![ListPatientsStatusesItem::Admitted, ListPatientsStatusesItem::Discharged])
        .await
        .unwrap();
    assert_eq!((patients[0].name.as_str(), patients[0].ward.as_deref()), ("Ada", None));
    let days = ["2026-01-02", "2026-01-03"].map(|d| d.parse().unwrap()).to_vec();
    let found = client
        .search_appointments(&SearchAppointmentsBody { days: Some(days), ..SearchAppointmentsBody::new("Lee") })
        .await
        .unwrap();
    assert_eq!(found[0].doctor, "Lee");
    let image = client.get_scan_image("p-1", 7).await.unwrap();
    assert_eq!(image, [0x89, b'P', b'N', b'G']);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    // csv (2.0's default) joins with commas, multi repeats the key, pipes joins with `|`
    // (delimiters percent-encoded like the values, as form encoding does).
    assert_eq!(
        requests[0].url.query(),
        Some("wards=north%2Ceast+wing&ids=1&ids=2&statuses=admitted%7Cdischarged")
    );
    for request in &requests {
        assert_eq!(request.headers.get("x-clinic-key").unwrap(), "k-1");
    }
    assert_eq!(requests[1].headers.get("content-type").unwrap(), "application/x-www-form-urlencoded");
    assert_eq!(std::str::from_utf8(&requests[1].body).unwrap(), "doctor=Lee&days=2026-01-02%2C2026-01-03");
    assert_eq!(requests[2].headers.get("accept").unwrap(), "image/png");
}
"##;

const ORDERS_CONFIG: &str = r#"
mock = true
idempotency_key = "Idempotency-Key"
rate_limit = { requests = 3, per_seconds = 60 }
"#;

const ORDERS_WIRE: &str = r##"
use std::time::Duration;

use orders_client::types::Order;
use orders_client::{Client, RateLimit, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn quick_retries() -> RetryPolicy {
    RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(5), jitter: false }
}

fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).retry_policy(quick_retries()).no_rate_limit().build().unwrap()
}

/// A 503 first, then 201: a create is retried only when it carries an idempotency key.
async fn flaky_create(server: &MockServer, route: &str) {
    Mock::given(method("POST")).and(path(route))
        .respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(server).await;
    Mock::given(method("POST")).and(path(route))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "o1"})))
        .mount(server).await;
}

fn keys(requests: &[Request]) -> Vec<String> {
    requests.iter()
        .map(|r| r.headers.get("idempotency-key").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_create_with_a_config_declared_key_is_retried_with_the_same_key() {
    let server = MockServer::start().await;
    flaky_create(&server, "/refunds").await;
    let order = Order { id: "o1".into(), amount: Some(5), ..Default::default() };
    let created = client(&server).create_refund(&order).await.unwrap();
    assert_eq!(created.id, "o1");
    let requests = server.received_requests().await.unwrap();
    let sent = keys(&requests);
    assert_eq!(sent.len(), 2, "retried once");
    assert_eq!(sent[0], sent[1], "the same key on the retry");
    assert_eq!(sent[0].len(), 36, "a UUID: {}", sent[0]);
    assert_eq!(requests[0].body, requests[1].body);

    // The next call is another logical create: a new key.
    client(&server).create_refund(&order).await.unwrap();
    let again = keys(&server.received_requests().await.unwrap());
    assert_ne!(again[2], sent[0]);
}

#[tokio::test]
async fn a_spec_declared_key_is_generated_unless_the_caller_gives_one() {
    let server = MockServer::start().await;
    flaky_create(&server, "/orders").await;
    let order = Order { id: "o1".into(), ..Default::default() };
    client(&server).create_order(&order).idempotency_key("caller-key-1").await.unwrap();
    client(&server).create_order(&order).await.unwrap();
    let sent = keys(&server.received_requests().await.unwrap());
    assert_eq!(sent[..2], ["caller-key-1", "caller-key-1"], "the caller's key, on both attempts");
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2].len(), 36, "generated: {}", sent[2]);
}

#[tokio::test]
async fn the_config_rate_limit_is_shared_by_clones_and_can_be_lifted() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server).await;
    // The config's 3 per minute: three calls go at once, a fourth (on a clone) waits a minute.
    let limited = Client::builder().base_url(server.uri()).build().unwrap();
    let clone = limited.clone();
    for _ in 0..3 {
        limited.list_orders().await.unwrap();
    }
    let fourth = tokio::time::timeout(Duration::from_millis(500), clone.list_orders()).await;
    assert!(fourth.is_err(), "the fourth call must wait for the window");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // A client's own limit replaces the config's; `no_rate_limit` lifts it.
    let own = Client::builder().base_url(server.uri()).rate_limit(RateLimit::per_second(100)).build().unwrap();
    let free = Client::builder().base_url(server.uri()).no_rate_limit().build().unwrap();
    for _ in 0..10 {
        own.list_orders().await.unwrap();
        free.list_orders().await.unwrap();
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 23);
}
"##;

const OAUTH_WIRE: &str = r##"
use std::future::IntoFuture;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ledger_client::futures_util::future::join_all;
use ledger_client::types::Entry;
use ledger_client::{ClientAuthentication, ClientCredentials, Client, Error, RetryPolicy};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CLIENT_SECRET: &str = "s3cr3t+value";
/// `ledger-app:s3cr3t%2Bvalue`: each part form-encoded first, as RFC 6749 §2.3.1 says.
const BASIC: &str = "Basic bGVkZ2VyLWFwcDpzM2NyM3QlMkJ2YWx1ZQ==";

/// Hands out `tok-1`, `tok-2`, ... one per request, each valid for `expires_in` seconds.
struct Tokens {
    expires_in: u64,
    issued: AtomicUsize,
}

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": format!("tok-{n}"), "token_type": "Bearer", "expires_in": self.expires_in
        }))
    }
}

async fn token_endpoint(server: &MockServer, expires_in: u64) {
    Mock::given(method("POST")).and(path("/oauth/token"))
        .respond_with(Tokens { expires_in, issued: AtomicUsize::new(0) })
        .mount(server).await;
}

async fn entries(server: &MockServer) {
    Mock::given(method("GET")).and(path("/entries"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([{"id": "e1"}])))
        .mount(server).await;
}

fn client(server: &MockServer) -> Client {
    let quick = RetryPolicy { max_attempts: 2, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(5), jitter: false };
    Client::builder().base_url(server.uri()).oauth_client_credentials("ledger-app", CLIENT_SECRET)
        .retry_policy(quick).no_rate_limit().build().unwrap()
}

/// The requests to `route`.
async fn sent_to(server: &MockServer, route: &str) -> Vec<Request> {
    server.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == route).collect()
}

fn authorization(requests: &[Request]) -> Vec<String> {
    requests.iter()
        .map(|r| r.headers.get("authorization").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_token_is_fetched_once_with_the_spec_scopes_and_sent_as_bearer() {
    let server = MockServer::start().await;
    token_endpoint(&server, 3600).await;
    entries(&server).await;
    let client = client(&server);
    for _ in 0..3 {
        assert_eq!(client.list_entries().await.unwrap()[0].id, "e1");
    }
    let fetches = sent_to(&server, "/oauth/token").await;
    assert_eq!(fetches.len(), 1, "cached for its lifetime");
    assert_eq!(
        String::from_utf8_lossy(&fetches[0].body),
        "grant_type=client_credentials&scope=ledger.read+ledger.write"
    );
    assert_eq!(authorization(&fetches), [BASIC]);
    assert_eq!(fetches[0].headers.get("content-type").unwrap(), "application/x-www-form-urlencoded");
    assert_eq!(authorization(&sent_to(&server, "/entries").await), ["Bearer tok-1"; 3]);
}

#[tokio::test]
async fn concurrent_calls_wait_for_one_fetch() {
    let server = MockServer::start().await;
    token_endpoint(&server, 3600).await;
    entries(&server).await;
    let client = client(&server);
    let results = join_all((0..20).map(|_| client.list_entries().into_future())).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(sent_to(&server, "/oauth/token").await.len(), 1);
    assert_eq!(authorization(&sent_to(&server, "/entries").await), ["Bearer tok-1"; 20]);
}

#[tokio::test]
async fn an_expired_token_is_replaced_before_the_next_call() {
    let server = MockServer::start().await;
    token_endpoint(&server, 0).await;
    entries(&server).await;
    let client = client(&server);
    client.list_entries().await.unwrap();
    client.list_entries().await.unwrap();
    assert_eq!(authorization(&sent_to(&server, "/entries").await), ["Bearer tok-1", "Bearer tok-2"]);
}

#[tokio::test]
async fn a_401_fetches_a_new_token_and_sends_even_a_create_once_more() {
    let server = MockServer::start().await;
    token_endpoint(&server, 3600).await;
    Mock::given(method("POST")).and(path("/entries")).and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401)).mount(&server).await;
    Mock::given(method("POST")).and(path("/entries"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "e2"})))
        .mount(&server).await;
    let entry = Entry { id: "e2".into(), amount: Some(3), ..Default::default() };
    assert_eq!(client(&server).create_entry(&entry).await.unwrap().id, "e2");
    let creates = sent_to(&server, "/entries").await;
    assert_eq!(authorization(&creates), ["Bearer tok-1", "Bearer tok-2"]);
    assert_eq!(creates[0].body, creates[1].body);
    assert_eq!(sent_to(&server, "/oauth/token").await.len(), 2);
}

#[tokio::test]
async fn a_second_401_is_the_answer() {
    let server = MockServer::start().await;
    token_endpoint(&server, 3600).await;
    Mock::given(method("GET")).and(path("/entries"))
        .respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let error = client(&server).list_entries().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(sent_to(&server, "/entries").await.len(), 2, "one refresh, not a loop");
}

#[tokio::test]
async fn a_refused_client_is_a_credentials_error_that_shows_no_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client", "error_description": "unknown client"
        })))
        .mount(&server).await;
    entries(&server).await;
    let client = client(&server);
    let error = client.list_entries().await.unwrap_err();
    let Error::Credentials(details) = &error else { panic!("{error:?}") };
    assert_eq!(details.code.as_deref(), Some("invalid_client"));
    assert_eq!(details.status.map(|s| s.as_u16()), Some(401));
    assert!(!details.retryable);
    assert!(error.to_string().contains("unknown client"), "{error}");
    for shown in [error.to_string(), format!("{error:?}"), format!("{client:?}")] {
        assert!(!shown.contains(CLIENT_SECRET) && !shown.contains("bGVkZ2Vy"), "{shown}");
    }
    assert!(sent_to(&server, "/entries").await.is_empty(), "nothing reaches the API without a token");
}

#[tokio::test]
async fn a_customised_flow_sends_its_secret_in_the_body() {
    let server = MockServer::start().await;
    token_endpoint(&server, 3600).await;
    entries(&server).await;
    let flow = ClientCredentials::new(format!("{}/oauth/token", server.uri()), "app 2", "p&q")
        .scopes(["ledger.read"])
        .parameter("audience", "https://ledger.example.com")
        .authentication(ClientAuthentication::Body);
    let client = Client::builder().base_url(server.uri()).access_token_provider(flow).no_rate_limit().build().unwrap();
    client.list_entries().await.unwrap();
    let fetch = &sent_to(&server, "/oauth/token").await[0];
    assert!(fetch.headers.get("authorization").is_none());
    assert_eq!(
        String::from_utf8_lossy(&fetch.body),
        "grant_type=client_credentials&scope=ledger.read&audience=https%3A%2F%2Fledger.example.com&client_id=app+2&client_secret=p%26q"
    );
}

/// A log sink for one test's subscriber.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_and_the_client_secret_never_reach_the_logs() {
    let logs = Logs::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    token_endpoint(&server, 3600).await;
    Mock::given(method("GET")).and(path("/entries")).and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401)).mount(&server).await;
    entries(&server).await;
    client(&server).list_entries().await.unwrap();
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("credential rejected"), "the refresh is logged: {text}");
    assert!(text.contains("api_call"), "{text}");
    for secret in ["tok-1", "tok-2", CLIENT_SECRET, "bGVkZ2Vy"] {
        assert!(!text.contains(secret), "{secret} logged:\n{text}");
    }
}
"##;

const STREAMS_WIRE: &str = r##"
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use streams_client::futures_util::StreamExt;
use streams_client::types::Job;
use streams_client::{Body, Client, Error, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that answers each connection, in turn, with the next scripted bytes and then
/// closes it; returns its URL and the request heads (and bodies) it read.
fn scripted(answers: Vec<Vec<u8>>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for answer in answers {
            let (mut socket, _) = listener.accept().unwrap();
            log.lock().unwrap().push(read_request(&mut socket));
            socket.write_all(&answer).unwrap();
        }
    });
    (url, seen)
}

fn read_request(socket: &mut std::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        socket.read_exact(&mut byte).unwrap();
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes).unwrap().to_ascii_lowercase();
    let length = head.lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map_or(0, |n| n.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    socket.read_exact(&mut body).unwrap();
    head + &String::from_utf8_lossy(&body)
}

/// A chunked event-stream response: `pieces` as chunks, then the end unless `cut`.
fn events(pieces: &[&str], cut: bool) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for piece in pieces {
        out.extend(format!("{:x}\r\n{piece}\r\n", piece.len()).into_bytes());
    }
    if !cut {
        out.extend(b"0\r\n\r\n");
    }
    out
}

fn client(url: &str) -> Client {
    let quick = RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(20), jitter: false };
    Client::builder().base_url(url).retry_policy(quick).build().unwrap()
}

#[tokio::test]
async fn a_dropped_stream_reconnects_with_the_last_event_id() {
    let (url, seen) = scripted(vec![
        events(&["retry: 10\nid: 1\ndata: {\"n\": 1}\n\n", "id: 2\ndata: {\"n\": 2}\n\nid: 3\ndata: {\"n\""], true),
        events(&["id: 3\ndata: {\"n\": 3}\n\n"], false),
    ]);
    let stream = client(&url).watch_ticks().await.unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    let ticks: Vec<_> = stream.map(|event| event.unwrap()).collect().await;
    let numbers: Vec<(i64, Option<&str>)> = ticks.iter().map(|e| (e.data.n, e.id.as_deref())).collect();
    assert_eq!(numbers, [(1, Some("1")), (2, Some("2")), (3, Some("3"))]);
    assert_eq!(ticks[0].retry, Some(Duration::from_millis(10)));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].starts_with("get /ticks ") && !seen[0].contains("last-event-id"), "{}", seen[0]);
    assert!(seen[0].contains("accept: text/event-stream"), "{}", seen[0]);
    assert!(seen[1].contains("last-event-id: 2\r\n"), "{}", seen[1]);
}

#[tokio::test]
async fn a_create_stream_is_not_reopened_and_bad_data_is_one_error_item() {
    let (url, seen) = scripted(vec![events(
        &["data: {\"percent\": 50}\n\n", "data: {\"percent\": \"half\"}\n\n", ": keep-alive\n\nevent: done\ndata: {\"percent\": 100,\ndata: \"note\": \"ok\"}\n\n"],
        true,
    )]);
    let job = Job { name: "build".into(), ..Default::default() };
    let items: Vec<_> = client(&url).run_job(&job).await.unwrap().collect().await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().data.percent, 50);
    assert!(matches!(&items[1], Err(Error::Decode(_))), "{:?}", items[1]);
    let done = items[2].as_ref().unwrap();
    assert_eq!((done.event.as_deref(), done.data.percent, done.data.note.as_deref()), (Some("done"), 100, Some("ok")));
    assert!(matches!(&items[3], Err(Error::Transport(_))), "{:?}", items[3]);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "a POST is not sent again");
    assert!(seen[0].ends_with("{\"name\":\"build\"}"), "{}", seen[0]);
}

#[tokio::test]
async fn text_events_end_when_the_server_ends_them() {
    let (url, seen) = scripted(vec![events(&["data: line one\ndata: line two\n\n", "data: three\n\ndata: unfinished"], false)]);
    let lines: Vec<String> = client(&url).tail_logs().await.unwrap().map(|e| e.unwrap().data).collect().await;
    assert_eq!(lines, ["line one\nline two", "three"]);
    assert_eq!(seen.lock().unwrap().len(), 1, "a clean end is not a reason to reconnect");
}

#[tokio::test]
async fn an_error_status_fails_the_call_before_any_event() {
    let body = r#"{"message":"not now"}"#;
    let answer = format!("HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
    let (url, _) = scripted(vec![answer.into_bytes()]);
    let error = client(&url).watch_ticks().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(error.message(), Some("not now"));
}

#[tokio::test]
async fn a_download_arrives_in_chunks_not_one_buffer() {
    let server = MockServer::start().await;
    let data: Vec<u8> = (0..8 * 1024 * 1024u32).map(|n| (n % 253) as u8).collect();
    Mock::given(method("GET")).and(path("/files/big.bin"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(data.clone(), "application/octet-stream"))
        .mount(&server).await;
    let client = client(&server.uri());
    let mut stream = client.download_file("big.bin").send_streaming().await.unwrap();
    assert_eq!(stream.content_length(), Some(data.len() as u64));
    let (mut chunks, mut received) = (0, Vec::new());
    while let Some(chunk) = stream.next().await {
        chunks += 1;
        received.extend_from_slice(&chunk.unwrap());
    }
    assert!(chunks > 1, "one buffer");
    assert!(received == data);
    assert!(client.download_file("big.bin").await.unwrap() == data, "send still reads it whole");
}

#[tokio::test]
async fn a_download_cut_midway_ends_in_an_error() {
    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n0123456789".to_vec();
    let (url, _) = scripted(vec![answer]);
    let items: Vec<_> = client(&url).download_file("f").send_streaming().await.unwrap().collect().await;
    assert!(matches!(items.last(), Some(Err(Error::Transport(_)))), "{items:?}");
    let read: usize = items.iter().filter_map(|i| i.as_ref().ok()).map(|c| c.len()).sum();
    assert_eq!(read, 10);
}

#[tokio::test]
async fn an_upload_streams_from_a_reader_and_is_never_resent() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).and(path("/files/a.bin"))
        .respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("PUT")).and(path("/files/a.bin"))
        .respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let data: Vec<u8> = (0..300_000u32).map(|n| (n % 7) as u8).collect();
    let client = client(&server.uri());
    // A streamed body cannot be read twice: the 503 is the answer.
    let body = Body::from_reader(std::io::Cursor::new(data.clone())).length(data.len() as u64);
    let error = client.upload_file("a.bin", body).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let body = Body::from_reader(std::io::Cursor::new(data.clone())).length(data.len() as u64);
    client.upload_file("a.bin", body).await.unwrap();
    let chunks = streams_client::futures_util::stream::iter(vec![Ok::<_, std::io::Error>(b"ab".to_vec()), Ok(b"cd".to_vec())]);
    client.upload_file("a.bin", Body::from_stream(chunks)).await.unwrap();
    client.upload_file("a.bin", &b"in memory"[..]).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4);
    assert!(requests[1].body == data);
    assert_eq!(requests[1].headers.get("content-length").unwrap(), &data.len().to_string());
    assert_eq!(requests[1].headers.get("content-type").unwrap(), "application/octet-stream");
    assert_eq!(requests[2].body, b"abcd");
    assert_eq!(requests[3].body, b"in memory");
}
"##;

const ORDERS_MOCK: &str = r##"
use orders_client::mock::MockServer;
use orders_client::types::Order;

#[tokio::test]
async fn the_typed_mock_matches_query_values_and_answers_as_a_service_without_an_envelope() {
    let mock = MockServer::start().await;
    let order = Order { id: "o1".into(), amount: Some(3), ..Default::default() };
    mock.list_orders().with_customer("c1").with_limit(2).times(1).returns(vec![order.clone()]).await;
    mock.create_order().with_body(&order).returns_error(409, "DUPLICATE", "order exists").await;
    let client = mock.client();
    let listed = client.list_orders().customer("c1").limit(2).await.unwrap();
    assert_eq!(listed, [order.clone()]);
    // Another customer is not what the expectation matches: the mock answers 404.
    let other = client.list_orders().customer("c2").limit(2).await.unwrap_err();
    assert_eq!(other.status().map(|s| s.as_u16()), Some(404));
    let error = client.create_order(&order).await.unwrap_err();
    assert_eq!(
        (error.status().map(|s| s.as_u16()), error.code(), error.message()),
        (Some(409), Some("DUPLICATE"), Some("order exists"))
    );
    mock.verify().await;
    assert_eq!(mock.received_requests().await.len(), 3);
}
"##;

/// Test files of a fixture's crate: (name under `tests/`, source).
type TestFiles = &'static [(&'static str, &'static str)];

/// (fixture, crate name, test files, codegen config).
const COMMON_WIRE: &str = r##"
use catalog_client::prelude::*;
use catalog_client::types::{Alt, Item};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).build().unwrap()
}

async fn queries(server: &MockServer) -> Vec<String> {
    server.received_requests().await.unwrap().iter().map(|r| r.url.query().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn shared_parameters_are_set_through_one_trait_on_every_builder_that_takes_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": [{"id": "7"}], "nextPageToken": "n"})))
        .mount(&server).await;
    Mock::given(method("GET")).and(path("/items/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "7", "name": "lamp"})))
        .mount(&server).await;
    Mock::given(method("DELETE")).and(path("/items/7")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = client(&server);
    let page = client.list_items(5).page_token("p1").common_2(true).query("lamp").fields("items(id)").alt(Alt::Json).pretty_print(false).await.unwrap();
    assert_eq!(page.next_page_token.as_deref(), Some("n"));
    let item = client.get_item("7").fields("name").await.unwrap();
    assert_eq!(item.name.as_deref(), Some("lamp"));
    client.delete_item("7").region("eu").alt(Alt::Media).await.unwrap();
    assert_eq!(
        queries(&server).await,
        // The shared parameters, then the required ones, then the builder's own optional ones.
        ["fields=items%28id%29&alt=json&prettyPrint=false&limit=5&pageToken=p1&common=true&query=lamp", "fields=name", "alt=media&region=eu"]
    );
}

#[tokio::test]
async fn an_operation_without_all_of_them_keeps_its_own_setter() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/uploads"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "9"})))
        .mount(&server).await;
    let item = Item { name: Some("desk".into()), ..Default::default() };
    // `fields` here is the builder's own method: no trait needed.
    let created = client(&server).upload(&item).fields("id").await.unwrap();
    assert_eq!(created.id.as_deref(), Some("9"));
    assert_eq!(queries(&server).await, ["fields=id"]);
}
"##;

const CRATES: &[(&str, &str, TestFiles, &str)] = &[
    (
        "form_bodies",
        "form-bodies-client",
        &[("wire_bytes", FORM_WIRE)],
        "",
    ),
    (
        "untagged_unions",
        "unions-client",
        &[("decode", UNIONS_DECODE), ("wire_bytes", UNIONS_WIRE)],
        "",
    ),
    (
        "security_alternatives",
        "security-alternatives-client",
        &[("wire_bytes", SECURITY_WIRE)],
        "",
    ),
    (
        "required_nullable",
        "required-nullable-client",
        &[("wire_bytes", NULLABLE_WIRE)],
        "",
    ),
    (
        "swagger2_clinic",
        "swagger2-clinic-client",
        &[("wire_bytes", SWAGGER2_WIRE)],
        "",
    ),
    (
        "orders_runtime",
        "orders-client",
        &[("wire_bytes", ORDERS_WIRE), ("mock", ORDERS_MOCK)],
        ORDERS_CONFIG,
    ),
    (
        "oauth_client_credentials",
        "ledger-client",
        &[("wire_bytes", OAUTH_WIRE)],
        "",
    ),
    (
        "streams",
        "streams-client",
        &[("wire_bytes", STREAMS_WIRE)],
        "",
    ),
    (
        "common_params",
        "catalog-client",
        &[("wire_bytes", COMMON_WIRE)],
        "",
    ),
];

#[test]
fn each_bug_class_fixture_sends_and_decodes_what_the_spec_says() {
    let target = project_root().join("target/generated-crates");
    let workspace = target.join("fixture-wire");
    let _ = std::fs::remove_dir_all(&workspace);
    let mut members = Vec::new();
    let mut expected_tests: Vec<String> = Vec::new();
    for (fixture, name, test_files, config_toml) in CRATES {
        let spec = project_root().join(format!("tests/fixtures/ok/{fixture}.yaml"));
        let text = std::fs::read_to_string(&spec).expect("fixture");
        let mut config = Config::from_toml(config_toml).expect("config");
        config.package.name = Some((*name).to_owned());
        let output = generator::generate(&text, &config).expect("generates");
        assert!(
            output.warnings.is_empty(),
            "{fixture}: {:?}",
            output.warnings
        );
        let dir = workspace.join(name);
        tests::write_files(&dir, output.files);
        std::fs::create_dir_all(dir.join("tests")).expect("tests dir");
        for (test, source) in *test_files {
            std::fs::write(dir.join(format!("tests/{test}.rs")), source).expect("write test");
            expected_tests.extend(test_names(source));
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest");
        let manifest = manifest.replacen(
            "[dev-dependencies]\n",
            &format!("[dev-dependencies]\n{DEV_DEPENDENCIES}"),
            1,
        );
        assert!(
            manifest.contains("wiremock"),
            "{name}: no [dev-dependencies] table"
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).expect("manifest");
        members.push((*name).to_owned());
    }
    // Its own workspace with the project's lock file: nothing new to download.
    tests::write_workspace(&workspace, &members);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        // All features: the typed mock is one of them.
        .args(["test", "--workspace", "--tests", "--all-features"])
        .current_dir(&workspace)
        .env("CARGO_TARGET_DIR", target.join("test-target"))
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("run cargo test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the fixtures' tests failed:\n{stdout}\n{stderr}"
    );
    for test in &expected_tests {
        assert!(
            stdout.contains(&format!("test {test} ... ok")),
            "{test} did not pass:\n{stdout}"
        );
    }
    assert_eq!(expected_tests.len(), 30, "{expected_tests:?}");
}

/// The names of the test functions in a test file's source.
fn test_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[test]" || line.trim() == "#[tokio::test]" {
            let signature = lines.next().unwrap_or_default();
            let name = signature
                .trim()
                .trim_start_matches("async ")
                .trim_start_matches("fn ");
            names.push(name.split('(').next().unwrap_or_default().to_owned());
        }
    }
    names
}
