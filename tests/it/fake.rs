//! A stateful in-process fake of the Gainsight CTA service (axum on 127.0.0.1), behaving like the spec and the real service.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};

/// The key the fake accepts.
pub const KEY: &str = "fake-access-key";

/// Fields every create must carry (the spec's `CTAInput.required`).
const REQUIRED: &[&str] = &["CompanyId", "TypeId", "ReasonId", "PriorityId", "StatusId"];

#[derive(Default)]
struct Store {
    ctas: Vec<Map<String, Value>>,
    clock: u64,
}

#[derive(Clone, Default)]
struct AppState {
    store: Arc<Mutex<Store>>,
    searches: Arc<AtomicUsize>,
}

/// A running fake; dropped with the test's runtime.
pub struct FakeCta {
    /// Base URL to give the client.
    pub url: String,
    searches: Arc<AtomicUsize>,
}

impl FakeCta {
    /// How many search requests the fake has answered.
    pub fn searches(&self) -> usize {
        self.searches.load(Ordering::SeqCst)
    }
}

/// Starts the fake on an ephemeral port of 127.0.0.1.
pub async fn start() -> FakeCta {
    let state = AppState::default();
    let app = Router::new()
        .route("/ctas", post(create))
        .route("/ctas/search", post(search))
        .route("/ctas/config/types", get(|| async { ok(json!([{"id": "t-risk", "name": "Risk", "isDefault": true}, {"id": "t-exp", "name": "Expansion", "isDefault": false}])) }))
        .route("/ctas/config/reasons", get(reasons))
        .route("/ctas/config/priorities", get(|| async { ok(json!([{"id": "p-high", "name": "High", "order": 1}, {"id": "p-low", "name": "Low", "order": 2}])) }))
        .route("/ctas/config/statuses", get(|| async { ok(json!([{"id": "open", "name": "Open", "isClosed": false}, {"id": "closed", "name": "Closed", "isClosed": true}])) }))
        .route("/ctas/{id}", get(read).put(update))
        .layer(middleware::from_fn(authorize))
        .with_state(state.clone());
    let app = Router::new().nest("/v1", app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    FakeCta {
        url: format!("http://{address}/v1"),
        searches: state.searches,
    }
}

fn ok(data: Value) -> Response {
    Json(json!({"result": true, "errorCode": null, "errorDesc": null, "requestId": "fake-req", "data": data})).into_response()
}

fn fail(status: StatusCode, code: &str, description: &str) -> Response {
    (status, Json(json!({"result": false, "errorCode": code, "errorDesc": description, "requestId": "fake-req", "data": {}, "message": null})))
        .into_response()
}

async fn authorize(request: Request, next: Next) -> Response {
    if request
        .headers()
        .get("accessKey")
        .and_then(|v| v.to_str().ok())
        != Some(KEY)
    {
        return (StatusCode::UNAUTHORIZED, Json(json!({"result": false, "errorCode": "GS_APIG_2401", "errorDesc": "Unauthorized", "requestId": "fake-req", "message": "Unauthorized"})))
            .into_response();
    }
    next.run(request).await
}

/// A deterministic timestamp for the fake's clock tick.
fn timestamp(clock: u64) -> String {
    format!(
        "2024-02-05T08:{:02}:{:02}.253Z",
        (clock / 60) % 60,
        clock % 60
    )
}

async fn create(State(state): State<AppState>, Json(body): Json<Map<String, Value>>) -> Response {
    if let Some(missing) = REQUIRED
        .iter()
        .find(|f| !body.get(**f).is_some_and(Value::is_string))
    {
        return fail(
            StatusCode::BAD_REQUEST,
            "CTA_4001",
            &format!("Missing required field {missing}"),
        );
    }
    let mut store = state.store.lock().expect("store");
    store.clock += 1;
    let mut cta = body;
    cta.insert(
        "Gsid".into(),
        json!(format!("1I00{:06}", store.ctas.len() + 1)),
    );
    cta.insert("CreatedDate".into(), json!(timestamp(store.clock)));
    cta.insert("ModifiedDate".into(), json!(timestamp(store.clock)));
    store.ctas.push(cta.clone());
    ok(Value::Object(cta))
}

async fn read(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let store = state.store.lock().expect("store");
    match store
        .ctas
        .iter()
        .find(|c| c.get("Gsid") == Some(&json!(id)))
    {
        Some(cta) => ok(Value::Object(cta.clone())),
        None => fail(StatusCode::NOT_FOUND, "CTA_404", "CTA not found"),
    }
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> Response {
    let mut store = state.store.lock().expect("store");
    store.clock += 1;
    let now = timestamp(store.clock);
    let Some(cta) = store
        .ctas
        .iter_mut()
        .find(|c| c.get("Gsid") == Some(&json!(id)))
    else {
        return fail(StatusCode::NOT_FOUND, "CTA_404", "CTA not found");
    };
    for (key, value) in body {
        if key != "Gsid" && key != "CreatedDate" {
            cta.insert(key, value);
        }
    }
    cta.insert("ModifiedDate".into(), json!(now));
    ok(Value::Object(cta.clone()))
}

async fn reasons(Query(query): Query<BTreeMap<String, String>>) -> Response {
    let all = [
        json!({"id": "r-usage", "name": "Low usage", "typeId": "t-risk"}),
        json!({"id": "r-upsell", "name": "Upsell", "typeId": "t-exp"}),
    ];
    let wanted = query.get("typeId");
    ok(Value::Array(
        all.into_iter()
            .filter(|r| wanted.is_none_or(|t| r["typeId"] == json!(t)))
            .collect(),
    ))
}

async fn search(State(state): State<AppState>, Json(body): Json<Value>) -> Response {
    state.searches.fetch_add(1, Ordering::SeqCst);
    let conditions = body["where"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let expression = body["where"]["expression"].as_str().map(str::to_owned);
    let limit = body["limit"].as_u64().unwrap_or(100) as usize;
    let offset = body["offset"].as_u64().unwrap_or(0) as usize;
    let select: Vec<String> = body["select"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(expression) = &expression {
        if evaluate(expression, &vec![false; conditions.len()]).is_none() {
            return fail(
                StatusCode::OK,
                "COCKPIT_5102",
                &format!("Invalid expression - {expression}"),
            );
        }
    }
    let store = state.store.lock().expect("store");
    let mut matches = Vec::new();
    for cta in &store.ctas {
        let results: Vec<bool> = conditions.iter().map(|c| condition_holds(cta, c)).collect();
        let keep = match &expression {
            Some(expression) => evaluate(expression, &results).unwrap_or(false),
            None => results.iter().all(|r| *r),
        };
        if keep {
            matches.push(cta);
        }
    }
    let total = matches.len();
    let records: Vec<Value> = matches
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|cta| {
            if select.is_empty() {
                Value::Object(cta.clone())
            } else {
                Value::Object(
                    cta.iter()
                        .filter(|(k, _)| select.contains(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            }
        })
        .collect();
    ok(json!({"records": records, "totalCount": total}))
}

fn condition_holds(cta: &Map<String, Value>, condition: &Value) -> bool {
    let field = condition["name"].as_str().unwrap_or_default();
    let actual = cta.get(field).cloned().unwrap_or(Value::Null);
    let expected = &condition["value"];
    let order = || match (&actual, expected) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match condition["operator"].as_str().unwrap_or_default() {
        "EQ" => &actual == expected,
        "NE" => &actual != expected,
        "GT" => order() == Some(std::cmp::Ordering::Greater),
        "GTE" => matches!(
            order(),
            Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
        ),
        "LT" => order() == Some(std::cmp::Ordering::Less),
        "LTE" => matches!(
            order(),
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
        ),
        "CONTAINS" => {
            matches!((&actual, expected), (Value::String(a), Value::String(b)) if a.contains(b.as_str()))
        }
        "IN" => expected
            .as_array()
            .is_some_and(|values| values.contains(&actual)),
        "NOT_IN" => expected
            .as_array()
            .is_some_and(|values| !values.contains(&actual)),
        _ => false,
    }
}

/// Evaluates `A AND (B OR C)` over the condition results; `None` when it does not parse.
fn evaluate(expression: &str, results: &[bool]) -> Option<bool> {
    let spaced = expression.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut position = 0;
    let value = parse_or(&tokens, &mut position, results)?;
    (position == tokens.len()).then_some(value)
}

fn parse_or(tokens: &[&str], position: &mut usize, results: &[bool]) -> Option<bool> {
    let mut value = parse_and(tokens, position, results)?;
    while tokens
        .get(*position)
        .is_some_and(|t| t.eq_ignore_ascii_case("OR"))
    {
        *position += 1;
        value |= parse_and(tokens, position, results)?;
    }
    Some(value)
}

fn parse_and(tokens: &[&str], position: &mut usize, results: &[bool]) -> Option<bool> {
    let mut value = parse_primary(tokens, position, results)?;
    while tokens
        .get(*position)
        .is_some_and(|t| t.eq_ignore_ascii_case("AND"))
    {
        *position += 1;
        value &= parse_primary(tokens, position, results)?;
    }
    Some(value)
}

fn parse_primary(tokens: &[&str], position: &mut usize, results: &[bool]) -> Option<bool> {
    let token = *tokens.get(*position)?;
    *position += 1;
    if token == "(" {
        let value = parse_or(tokens, position, results)?;
        (tokens.get(*position) == Some(&")")).then(|| *position += 1)?;
        return Some(value);
    }
    let index = token.bytes().try_fold(0usize, |n, b| {
        b.is_ascii_uppercase()
            .then(|| n * 26 + usize::from(b - b'A') + 1)
    })?;
    results.get(index.checked_sub(1)?).copied()
}
