//! The HTTP proxy in front of Prism: routing for paths with a `#` fragment, which Prism cannot
//! tell apart, and fallback responses where Prism cannot build its own.
//!
//! AWS's JSON-protocol specs write one operation per pseudo-path, `POST /#X-Amz-Target=Svc.Op`,
//! and some REST ones `DELETE /tags/{arn}#tagKeys`. HTTP never sends a fragment, so a client
//! (ours, or AWS's own) sends `POST /` with the header `X-Amz-Target: Svc.Op`, or
//! `DELETE /tags/…?tagKeys=…`; the real service routes by that header or query parameter, but
//! Prism routes by the written path and finds nothing. Here every fragment path is given Prism as
//! a real path (`/__fragment3`, `/tags/{arn}/__fragment4`), and the proxy appends that suffix to
//! each request whose method, path and header or query parameter select the operation, exactly
//! as the service would route it. The request is otherwise forwarded byte for byte, so Prism
//! still validates what the client sent.
//!
//! A query written into a path template (`/history?q={q}`, which OpenAPI forbids but clicksend's
//! spec does) is handled the same way: Prism gets `/history/__query3/{q}`, and the proxy moves
//! the query values a request carries into those segments. Prism is also given schemas' implied
//! `type`s (see [`prepare`]).
//!
//! When Prism then fails to build a response itself (see `mock_fallback`), the proxy sends one
//! synthesised from the spec instead, marked with `mock_fallback::FALLBACK_HEADER`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::mock_fallback::{FALLBACK_HEADER, Fallback, json_type_fits, prism_own_failure};

/// What selects a fragment path's operation besides its method and path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selector {
    /// `#Name=value`: a header `Name: value` (or a query pair `Name=value`).
    Pair(String, String),
    /// `#name`: a query parameter or a header of that name.
    Name(String),
}

/// One fragment path as Prism is given it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    method: String,
    /// The path before the fragment, split in segments (`{x}` matches any one segment).
    segments: Vec<String>,
    /// All must hold (`#resourceArn&tagKeys` names two query parameters).
    selectors: Vec<Selector>,
    /// Appended to the request path to reach the rewritten path.
    suffix: String,
    /// Query parameters whose values are appended after the suffix as path segments, in order
    /// (a template `/history?q={q}` becomes `/history/__query2/{q}` for Prism).
    captures: Vec<String>,
}

/// The spec with its fragment paths made real, and the routes to them; `None` when the spec has
/// no fragment path (or is not JSON, which the corpus's specs all are).
pub fn rewrite(spec: &serde_json::Value) -> Option<(serde_json::Value, Vec<Route>)> {
    let paths = spec.get("paths")?.as_object()?;
    if !paths
        .keys()
        .any(|path| path.contains('#') || path.contains('?'))
    {
        return None;
    }
    let mut rewritten = serde_json::Map::new();
    let mut routes = Vec::new();
    let mut renamed = BTreeMap::new();
    for (index, (path, item)) in paths.iter().enumerate() {
        // `/a#X-Amz-Target=Svc.Op`, or a query written into the template (`/history?q={q}`,
        // which OpenAPI does not allow but clicksend's spec does, and clients send as a query).
        let split = path
            .split_once('#')
            .map(|(base, rest)| (base, rest, "fragment"))
            .or_else(|| {
                path.split_once('?')
                    .map(|(base, rest)| (base, rest, "query"))
            });
        let Some((base, selecting, kind)) = split else {
            rewritten.insert(path.clone(), item.clone());
            continue;
        };
        let mut suffix = format!("/__{kind}{index}");
        let mut captures = Vec::new();
        let selectors: Vec<Selector> = selecting
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| match part.split_once('=') {
                Some((name, value)) if value.starts_with('{') && value.ends_with('}') => {
                    captures.push(name.to_owned());
                    Selector::Name(name.to_owned())
                }
                Some((name, value)) => Selector::Pair(name.to_owned(), value.to_owned()),
                None => Selector::Name(part.to_owned()),
            })
            .collect();
        let prism_path_tail: String = selecting
            .split('&')
            .filter_map(|part| part.split_once('=').map(|(_, value)| value))
            .filter(|value| value.starts_with('{') && value.ends_with('}'))
            .map(|template| format!("/{template}"))
            .collect();
        let segments = base
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        for method in item.as_object().into_iter().flat_map(|ops| ops.keys()) {
            routes.push(Route {
                method: method.to_ascii_uppercase(),
                segments: Vec::clone(&segments),
                selectors: selectors.clone(),
                suffix: suffix.clone(),
                captures: captures.clone(),
            });
        }
        suffix.push_str(&prism_path_tail);
        let served_path = format!("{}{suffix}", base.trim_end_matches('/'));
        renamed.insert(path.clone(), served_path.clone());
        rewritten.insert(served_path, item.clone());
    }
    let mut spec = spec.clone();
    spec["paths"] = serde_json::Value::Object(rewritten);
    retarget_path_refs(&mut spec, &renamed);
    Some((spec, routes))
}

/// Points `$ref`s into a renamed path item (`#/paths/~1request?view=collection/get/…`, as
/// opensuse.org's obs spec shares parameters) at its new name, so the served document resolves.
fn retarget_path_refs(node: &mut serde_json::Value, renamed: &BTreeMap<String, String>) {
    use serde_json::Value;
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some(rest) = reference.strip_prefix("#/paths/")
            {
                let (token, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                let path = token.replace("~1", "/").replace("~0", "~");
                if let Some(served) = renamed.get(&decode(&path)) {
                    let token = served.replace('~', "~0").replace('/', "~1");
                    *reference = format!("#/paths/{token}{tail}");
                }
            }
            for child in map.values_mut() {
                retarget_path_refs(child, renamed);
            }
        }
        Value::Array(items) => {
            for child in items {
                retarget_path_refs(child, renamed);
            }
        }
        _ => {}
    }
}

/// The request target routed: the path with a route's suffix when one selects the request.
fn route(routes: &[Route], method: &str, target: &str, headers: &[(String, String)]) -> String {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let pairs: Vec<(String, String)> = query
        .map(|q| {
            q.split('&')
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k), decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let selected = routes.iter().find(|route| {
        let path_matches = route.segments.len() == segments.len()
            && route
                .segments
                .iter()
                .zip(&segments)
                .all(|(template, segment)| template.starts_with('{') || template == segment);
        let selects = route.selectors.iter().all(|selector| match selector {
            Selector::Pair(name, value) => {
                headers
                    .iter()
                    .any(|(h, v)| h.eq_ignore_ascii_case(name) && v.trim() == value)
                    || pairs.iter().any(|(k, v)| k == name && v == value)
            }
            // `#x-amz-account-id` (s3control) names a header, `#tagKeys` a query parameter.
            Selector::Name(name) => {
                pairs.iter().any(|(k, _)| k == name)
                    || headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(name))
            }
        });
        route.method == method && path_matches && selects
    });
    match selected {
        Some(route) => {
            let base = path.trim_end_matches('/');
            let captured: String = route
                .captures
                .iter()
                .map(|name| {
                    let value = pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v);
                    format!("/{}", encode_segment(value))
                })
                .collect();
            match query {
                Some(query) => format!("{base}{}{captured}?{query}", route.suffix),
                None => format!("{base}{}{captured}", route.suffix),
            }
        }
        None => target.to_owned(),
    }
}

/// A value percent-encoded as one path segment (all but unreserved characters).
fn encode_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Percent-decoding of a query component (`+` as a space), for matching only.
fn decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The proxy, stopped when dropped.
pub struct Router {
    /// Its base URL, for `WIRE_TEST_BASE_URL`.
    pub url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Router {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the proxy in front of `upstream` (`host:port`), routing fragment paths by `routes` and
/// answering from `fallback` where Prism fails on its own.
///
/// # Errors
///
/// When no local port can be bound.
pub fn start(routes: Vec<Route>, fallback: Option<Fallback>, upstream: String) -> Result<Router> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding the mock proxy")?;
    listener.set_nonblocking(true)?;
    let url = format!("http://{}", listener.local_addr()?);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let routes = Arc::new(routes);
    let fallback = Arc::new(fallback);
    let thread = std::thread::spawn(move || {
        while !flag.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((client, _)) => {
                    let routes = Arc::clone(&routes);
                    let fallback = Arc::clone(&fallback);
                    let upstream = upstream.clone();
                    std::thread::spawn(move || {
                        let _ = forward(client, &routes, fallback.as_ref().as_ref(), &upstream);
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    Ok(Router {
        url,
        stop,
        thread: Some(thread),
    })
}

/// Forwards one request (its target routed, `Connection: close`) and copies the response back,
/// or the fallback's when Prism failed on its own.
fn forward(
    client: TcpStream,
    routes: &[Route],
    fallback: Option<&Fallback>,
    upstream: &str,
) -> Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let (method, target, version) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or("HTTP/1.1").to_owned(),
    );
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let target = route(routes, &method, &target, &headers);
    let mut head = format!("{method} {target} {version}\r\n");
    for (name, value) in &headers {
        if !name.eq_ignore_ascii_case("connection") {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut upstream = TcpStream::connect(upstream)?;
    upstream.write_all(head.as_bytes())?;
    upstream.write_all(&body)?;
    let mut response = Vec::new();
    upstream.read_to_end(&mut response)?;
    if let Some(fallback) = fallback {
        let accept = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("accept"))
            .map(|(_, value)| value.as_str());
        if let Some(replacement) =
            replace_own_failure(fallback, &method, &target, accept, &response)
        {
            response = replacement;
        }
    }
    let mut client = client;
    client.write_all(&response)?;
    client.flush()?;
    Ok(())
}

/// The response to send instead of Prism's, when Prism's is its own failure (a problem report,
/// or a success that leaves out a required property) and the fallback knows the operation.
fn replace_own_failure(
    fallback: &Fallback,
    method: &str,
    target: &str,
    accept: Option<&str>,
    response: &[u8],
) -> Option<Vec<u8>> {
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..head_end]);
    let status: u16 = head.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    let raw_body = &response[head_end + 4..];
    let body = if chunked {
        dechunk(raw_body)
    } else {
        raw_body.to_vec()
    };
    let why = prism_own_failure(status, &body)
        .or_else(|| fallback.missing_required(method, target, status, &body))?;
    let synthesised = fallback.respond(method, target, accept)?;
    let mut out = format!("HTTP/1.1 {} Fallback\r\n", synthesised.status);
    if let Some(content_type) = &synthesised.content_type {
        out.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\n{FALLBACK_HEADER}: {why}\r\nConnection: close\r\n\r\n",
        synthesised.body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&synthesised.body);
    Some(bytes)
}

/// A chunked body's data (`size CRLF data CRLF`…, ending with a zero-size chunk).
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        let start = line_end + 2;
        if size == 0 || body.len() < start + size {
            break;
        }
        out.extend_from_slice(&body[start..start + size]);
        body = body.get(start + size + 2..).unwrap_or_default();
    }
    out
}

/// The spec at `path` as Prism is given it, written to `out`, and the fragment routes (empty when
/// it has no fragment path); `None` when it is not a JSON document (Prism gets it as it is).
///
/// Besides the fragment paths, schemas that leave `type` out are given the one their keywords
/// imply (`properties` → object, `items` → array), as the generator reads them: JSON Schema
/// lets such a schema match any other type, and Prism's generator then invents arrays where the
/// author meant an object (Azure's `actionGroups`), which no client written from the spec reads.
///
/// # Errors
///
/// When the rewritten spec cannot be written.
pub fn prepare(path: &Path, out: &Path) -> Result<Option<Vec<Route>>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let Ok(mut spec) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Ok(None);
    };
    let routes = match rewrite(&spec) {
        Some((rewritten, routes)) => {
            spec = rewritten;
            routes
        }
        None => Vec::new(),
    };
    let openapi30 = spec
        .get("openapi")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|version| version.starts_with("3.0"));
    if openapi30 {
        drop_ref_siblings(&mut spec);
    }
    infer_schema_types(&mut spec, false);
    pin_discriminator_values(&mut spec);
    let resolver = spec.clone();
    drop_mistyped_examples(&mut spec, &resolver);
    std::fs::write(out, serde_json::to_vec(&spec)?)?;
    Ok(Some(routes))
}

/// Removes the keywords beside every `$ref` but its `description` and `summary`: OpenAPI 3.0 says
/// they SHALL be ignored, as the generator does, while Prism's dereferencer merges them into the
/// target (microcks.local's `{$ref: StringArray, type: object}` became a map of objects).
fn drop_ref_siblings(node: &mut serde_json::Value) {
    use serde_json::Value;
    match node {
        Value::Object(map) => {
            if map.get("$ref").is_some_and(Value::is_string) {
                map.retain(|key, _| matches!(key.as_str(), "$ref" | "description" | "summary"));
                return;
            }
            map.values_mut().for_each(drop_ref_siblings);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_ref_siblings),
        _ => {}
    }
}

/// Gives each component schema that a discriminator selects an `enum` of the values that select
/// it on the discriminator property. OpenAPI implies that constraint; JSON Schema does not see
/// it, so Prism otherwise invents a tag (`"type": "sit aliquip"`) that selects no alternative,
/// which a client must refuse (ix-api.net's `NetworkServiceConfig`).
fn pin_discriminator_values(spec: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let mut pinned: BTreeMap<String, Option<(String, Vec<String>)>> = BTreeMap::new();
    collect_discriminators(spec, &mut pinned);
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, (property, values)) in pinned
        .into_iter()
        .filter_map(|(name, pin)| Some((name, pin?)))
    {
        let Some(Value::Object(target)) = schemas.get_mut(&name) else {
            continue;
        };
        let member = json!({"properties": {property: {"type": "string", "enum": values}}});
        match target.get_mut("allOf") {
            Some(Value::Array(members)) => members.push(member),
            _ => {
                target.insert("allOf".to_owned(), json!([member]));
            }
        }
    }
}

/// For every schema under `node` with a `discriminator` and `oneOf`/`anyOf` members by `$ref`:
/// each member component's name with the discriminator property and its selecting values
/// (`None` for a component two discriminators select by different properties: left as it is).
fn collect_discriminators(
    node: &serde_json::Value,
    pinned: &mut BTreeMap<String, Option<(String, Vec<String>)>>,
) {
    use serde_json::Value;
    match node {
        Value::Object(map) => {
            let property = map
                .get("discriminator")
                .and_then(|d| d.get("propertyName"))
                .and_then(Value::as_str);
            if let Some(property) = property {
                let mapping = map
                    .get("discriminator")
                    .and_then(|d| d.get("mapping"))
                    .and_then(Value::as_object);
                let members = ["oneOf", "anyOf"]
                    .iter()
                    .filter_map(|k| map.get(*k).and_then(Value::as_array))
                    .flatten()
                    .filter_map(|m| m.get("$ref").and_then(Value::as_str));
                for reference in members {
                    let Some(name) = reference.strip_prefix("#/components/schemas/") else {
                        continue;
                    };
                    // A mapping names its values; without one, the component's name is the value.
                    let mut values: Vec<String> = mapping
                        .into_iter()
                        .flatten()
                        .filter(|(_, target)| {
                            target.as_str() == Some(reference) || target.as_str() == Some(name)
                        })
                        .map(|(value, _)| value.clone())
                        .collect();
                    if values.is_empty() {
                        values.push(name.to_owned());
                    }
                    let pin = pinned
                        .entry(name.to_owned())
                        .or_insert_with(|| Some((property.to_owned(), Vec::new())));
                    match pin {
                        Some((pinned_property, known)) if pinned_property == property => {
                            for value in values {
                                if !known.contains(&value) {
                                    known.push(value);
                                }
                            }
                        }
                        _ => *pin = None,
                    }
                }
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "example" | "examples") {
                    collect_discriminators(child, pinned);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_discriminators(item, pinned)),
        _ => {}
    }
}

/// Removes, beside every `schema`, the `example` (and `examples` entries, followed when they are
/// `$ref`s) that do not fit the schema's declared types, at any depth. Prism answers with a media
/// type's example even in dynamic mode, and specs do hold examples that are JSON *text* for an
/// object schema (xero.com's assets API) or an array where the schema says object (Azure's
/// `actionGroups`): a client decoding that is right to fail, so Prism generates from the schema.
fn drop_mistyped_examples(node: &mut serde_json::Value, root: &serde_json::Value) {
    use serde_json::Value;
    match node {
        Value::Object(map) => {
            if let Some(schema) = map.get("schema").cloned() {
                let fits = |value: &Value| fits_schema(value, &schema, root, 0);
                if map.get("example").is_some_and(|e| !fits(e)) {
                    map.remove("example");
                }
                if let Some(Value::Object(examples)) = map.get_mut("examples") {
                    examples.retain(|_, example| {
                        resolve(example, root)
                            .and_then(|example| example.get("value"))
                            .is_none_or(fits)
                    });
                    if examples.is_empty() {
                        map.remove("examples");
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                if !matches!(key.as_str(), "example" | "examples" | "schema" | "schemas") {
                    drop_mistyped_examples(child, root);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| drop_mistyped_examples(item, root)),
        _ => {}
    }
}

/// `node`, or what its local `$ref` chain ends at (a bounded number, for cycles).
fn resolve<'a>(
    mut node: &'a serde_json::Value,
    root: &'a serde_json::Value,
) -> Option<&'a serde_json::Value> {
    for _ in 0..16 {
        match node.get("$ref").and_then(serde_json::Value::as_str) {
            Some(reference) => node = root.pointer(reference.strip_prefix('#')?)?,
            None => return Some(node),
        }
    }
    None
}

/// Whether `value` has the JSON types `schema` declares, down its declared properties, items and
/// `allOf` members (alternatives and unresolvable references are taken to fit: this only finds
/// examples that are plainly wrong).
fn fits_schema(
    value: &serde_json::Value,
    schema: &serde_json::Value,
    root: &serde_json::Value,
    depth: usize,
) -> bool {
    use serde_json::Value;
    let Some(schema) = resolve(schema, root) else {
        return true;
    };
    if depth > 32 || value.is_null() {
        return true;
    }
    if let Some(declared) = schema.get("type").and_then(Value::as_str)
        && !json_type_fits(value, declared)
    {
        return false;
    }
    let members_fit = schema
        .get("allOf")
        .and_then(Value::as_array)
        .is_none_or(|members| {
            members
                .iter()
                .all(|member| fits_schema(value, member, root, depth + 1))
        });
    if !members_fit {
        return false;
    }
    match value {
        Value::Object(object) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return true;
            };
            object.iter().all(|(name, property)| {
                properties
                    .get(name)
                    .is_none_or(|declared| fits_schema(property, declared, root, depth + 1))
            })
        }
        Value::Array(items) => schema.get("items").is_none_or(|declared| {
            items
                .iter()
                .all(|item| fits_schema(item, declared, root, depth + 1))
        }),
        _ => true,
    }
}

/// Gives every schema in `node` without a `type` the one its keywords imply; `in_schema` says
/// whether `node` is a schema (else it is some other part of the document, searched for the
/// `schema` and `schemas` that hold schemas).
fn infer_schema_types(node: &mut serde_json::Value, in_schema: bool) {
    use serde_json::Value;
    match node {
        Value::Object(map) if in_schema => {
            let composed = ["allOf", "oneOf", "anyOf", "$ref", "enum", "const"]
                .iter()
                .any(|k| map.contains_key(*k));
            if !map.contains_key("type") && !composed {
                if map.contains_key("properties") || map.contains_key("additionalProperties") {
                    map.insert("type".to_owned(), Value::from("object"));
                } else if map.contains_key("items") {
                    map.insert("type".to_owned(), Value::from("array"));
                }
            }
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "properties" | "patternProperties" => {
                        if let Value::Object(properties) = child {
                            properties
                                .values_mut()
                                .for_each(|p| infer_schema_types(p, true));
                        }
                    }
                    "items" | "additionalProperties" | "not" => infer_schema_types(child, true),
                    "allOf" | "oneOf" | "anyOf" => {
                        if let Value::Array(members) = child {
                            members.iter_mut().for_each(|m| infer_schema_types(m, true));
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), &mut *child) {
                    ("schema", _) => infer_schema_types(child, true),
                    ("schemas", Value::Object(schemas)) => {
                        schemas
                            .values_mut()
                            .for_each(|s| infer_schema_types(s, true));
                    }
                    // Examples are data, not schemas.
                    ("example" | "examples", _) => {}
                    _ => infer_schema_types(child, false),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| infer_schema_types(i, false)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> serde_json::Value {
        json!({"openapi": "3.0.0", "paths": {
            "/#X-Amz-Target=Svc.Create": {"post": {}},
            "/#X-Amz-Target=Svc.Delete": {"post": {}},
            "/tags/{arn}": {"get": {}},
            "/tags/{arn}#tagKeys": {"delete": {}},
            "/tags#resourceArn&tagKeys": {"delete": {}},
        }})
    }

    #[test]
    fn keywords_beside_a_ref_go_as_openapi_3_0_says() {
        let mut spec = json!({"components": {"schemas": {"Labels": {"type": "object",
            "additionalProperties": {"$ref": "#/components/schemas/Values", "type": "object",
                "description": "kept"}},
            "Odd": {"properties": {"$ref": {"type": "string"}}}}}});
        drop_ref_siblings(&mut spec);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["Labels"]["additionalProperties"],
            json!({"$ref": "#/components/schemas/Values", "description": "kept"})
        );
        // A property named `$ref` is not a reference.
        assert_eq!(schemas["Odd"]["properties"]["$ref"]["type"], "string");
    }

    #[test]
    fn refs_into_a_renamed_path_item_follow_it() {
        let spec = json!({"paths": {
            "/request?view=collection": {"get": {"parameters": [{"name": "a", "in": "query"}]}},
            "/request/{id}": {"get": {"parameters": [
                {"$ref": "#/paths/~1request?view=collection/get/parameters/0"},
                {"$ref": "#/components/parameters/b"},
            ]}},
        }});
        let (served, _) = rewrite(&spec).expect("a query path is rewritten");
        let references: Vec<&str> = served["paths"]["/request/{id}"]["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["$ref"].as_str())
            .collect();
        assert_eq!(
            references,
            [
                "#/paths/~1request~1__query0/get/parameters/0",
                "#/components/parameters/b"
            ]
        );
        assert!(served["paths"]["/request/__query0"]["get"]["parameters"][0].is_object());
    }

    #[test]
    fn schemas_without_a_type_get_the_one_their_keywords_imply() {
        let mut spec = json!({"components": {"schemas": {
            "Info": {"properties": {"properties": {"properties": {"a": {"items": {"type": "string"}}}}}},
            "Choice": {"oneOf": [{"properties": {}}]},
        }}, "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"additionalProperties": {"type": "integer"}},
            "example": {"properties": {}}}}}}}}}});
        infer_schema_types(&mut spec, false);
        let info = &spec["components"]["schemas"]["Info"];
        assert_eq!(info["type"], "object");
        // A property named `properties` is a schema like any other, not a keyword.
        assert_eq!(info["properties"]["properties"]["type"], "object");
        assert_eq!(
            info["properties"]["properties"]["properties"]["a"]["type"],
            "array"
        );
        assert!(info["properties"].get("type").is_none());
        let choice = &spec["components"]["schemas"]["Choice"];
        assert!(choice.get("type").is_none());
        assert_eq!(choice["oneOf"][0]["type"], "object");
        let media = &spec["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["schema"]["type"], "object");
        assert!(media["example"].get("type").is_none());
    }

    #[test]
    fn components_a_discriminator_selects_are_pinned_to_their_values() {
        let mut spec = json!({"components": {"schemas": {
            "Config": {"discriminator": {"propertyName": "type",
                    "mapping": {"lan": "#/components/schemas/Lan", "lan2": "#/components/schemas/Lan"}},
                "oneOf": [{"$ref": "#/components/schemas/Lan"}, {"$ref": "#/components/schemas/Vc"}]},
            "Lan": {"allOf": [{"$ref": "#/components/schemas/Base"}]},
            "Vc": {"type": "object", "properties": {"type": {"type": "string"}}},
            "Base": {"type": "object", "properties": {"type": {"type": "string"}}}}}});
        pin_discriminator_values(&mut spec);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["Lan"]["allOf"][1]["properties"]["type"]["enum"],
            json!(["lan", "lan2"])
        );
        // Without a mapping entry, the component's name is its value.
        assert_eq!(
            schemas["Vc"]["allOf"][0]["properties"]["type"]["enum"],
            json!(["Vc"])
        );
        assert!(schemas["Base"].get("allOf").is_none());
    }

    #[test]
    fn examples_of_another_json_type_than_their_schema_are_dropped() {
        let mut spec = json!({"components": {"schemas": {"Asset": {"type": "object"}}},
            "paths": {"/a": {"get": {"responses": {"200": {"content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Asset"},
                    "example": "{ \"assetId\": \"1\" }"},
                "text/json": {
                    "schema": {"$ref": "#/components/schemas/Asset"},
                    "examples": {"text": {"value": "{}"}, "object": {"value": {"assetId": "1"}}}},
                "application/xml": {
                    "schema": {"type": "integer"}, "example": 3}}}}}}}});
        let root = spec.clone();
        drop_mistyped_examples(&mut spec, &root);
        let content = &spec["paths"]["/a"]["get"]["responses"]["200"]["content"];
        assert!(content["application/json"].get("example").is_none());
        let kept: Vec<&String> = content["text/json"]["examples"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(kept, ["object"]);
        assert_eq!(content["application/xml"]["example"], 3);
    }

    #[test]
    fn examples_wrong_deep_down_or_behind_a_ref_are_dropped() {
        let mut spec = json!({"components": {
            "schemas": {
                "Rule": {"type": "object", "properties": {
                    "actionGroups": {"$ref": "#/components/schemas/Groups"},
                    "scope": {"type": "array", "items": {"type": "string"}}}},
                "Groups": {"type": "object", "properties": {"groupIds": {"type": "array"}}}},
            "examples": {
                "Wrong": {"value": {"actionGroups": [{"actionGroupId": "x"}]}},
                "Right": {"value": {"actionGroups": {"groupIds": []}, "scope": ["a"], "other": 1}}}},
            "paths": {"/a": {"get": {"responses": {"200": {"content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Rule"},
                    "examples": {
                        "wrong": {"$ref": "#/components/examples/Wrong"},
                        "right": {"$ref": "#/components/examples/Right"}}},
                "text/json": {
                    "schema": {"$ref": "#/components/schemas/Rule"},
                    "example": {"scope": [1]}}}}}}}}});
        let root = spec.clone();
        drop_mistyped_examples(&mut spec, &root);
        let content = &spec["paths"]["/a"]["get"]["responses"]["200"]["content"];
        let kept: Vec<&String> = content["application/json"]["examples"]
            .as_object()
            .into_iter()
            .flat_map(|examples| examples.keys())
            .collect();
        assert_eq!(kept, ["right"]);
        assert!(content["text/json"].get("example").is_none());
    }

    #[test]
    fn fragment_paths_become_real_ones() {
        let (rewritten, routes) = rewrite(&spec()).expect("has fragments");
        let mut paths: Vec<&String> = rewritten["paths"].as_object().unwrap().keys().collect();
        paths.sort_unstable();
        // Numbered by position in the spec.
        assert_eq!(
            paths,
            [
                "/__fragment0",
                "/__fragment1",
                "/tags/__fragment4",
                "/tags/{arn}",
                "/tags/{arn}/__fragment3"
            ]
        );
        assert_eq!(routes.len(), 4);
        assert!(rewrite(&json!({"paths": {"/a": {}}})).is_none());
    }

    #[test]
    fn requests_are_routed_by_method_path_and_selector() {
        let (_, routes) = rewrite(&spec()).expect("has fragments");
        let target = |h: &str| vec![("x-amz-target".to_owned(), h.to_owned())];
        assert_eq!(
            route(&routes, "POST", "/", &target("Svc.Delete")),
            "/__fragment1"
        );
        assert_eq!(route(&routes, "POST", "/", &target("Svc.Other")), "/");
        assert_eq!(
            route(&routes, "DELETE", "/tags/a%3Ab?tagKeys=k1&tagKeys=k2", &[]),
            "/tags/a%3Ab/__fragment3?tagKeys=k1&tagKeys=k2"
        );
        // Every parameter a fragment names must be there.
        assert_eq!(
            route(&routes, "DELETE", "/tags?resourceArn=a&tagKeys=k", &[]),
            "/tags/__fragment4?resourceArn=a&tagKeys=k"
        );
        assert_eq!(
            route(&routes, "DELETE", "/tags?tagKeys=k", &[]),
            "/tags?tagKeys=k"
        );
        // The operation without a fragment keeps its path.
        assert_eq!(
            route(&routes, "GET", "/tags/a?tagKeys=k", &[]),
            "/tags/a?tagKeys=k"
        );
        assert_eq!(route(&routes, "DELETE", "/tags/a", &[]), "/tags/a");
        let header = [("TagKeys".to_owned(), "k".to_owned())];
        assert_eq!(
            route(&routes, "DELETE", "/tags/a", &header),
            "/tags/a/__fragment3"
        );
    }

    /// A one-shot upstream answering `response` to whatever it is sent.
    fn upstream_answering(response: &'static [u8]) -> String {
        let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = upstream.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            let (mut stream, _) = upstream.accept().unwrap();
            let mut buffer = [0; 4096];
            let _ = stream.read(&mut buffer).unwrap();
            stream.write_all(response).unwrap();
        });
        address
    }

    fn call(router: &Router, request: &[u8]) -> String {
        let mut client = TcpStream::connect(router.url.trim_start_matches("http://")).unwrap();
        client.write_all(request).unwrap();
        let mut response = String::new();
        client.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn prisms_own_failure_is_replaced_by_a_synthesised_success() {
        let spec = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
            "/things/{id}": {"get": {"responses": {"200": {"description": "ok", "content": {
              "text/plain": {"schema": {"type": "object", "required": ["n"],
                "properties": {"n": {"type": "integer", "minimum": 3}}}}}}}}}}}"#;
        // Chunked, as Node sends it.
        let own_failure: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/problem+json\r\ntransfer-encoding: chunked\r\n\r\n4f\r\n{\"type\":\"https://stoplight.io/prism/errors#UNKNOWN\",\"title\":\"Cannot serialise\"}\r\n0\r\n\r\n";
        let router = start(
            Vec::new(),
            Fallback::load(spec),
            upstream_answering(own_failure),
        )
        .unwrap();
        let response = call(&router, b"GET /things/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(response.starts_with("HTTP/1.1 200 "), "{response}");
        assert!(
            response.contains("Content-Type: text/plain\r\n"),
            "{response}"
        );
        assert!(
            response.contains("x-wire-mock-fallback: Prism: Cannot serialise\r\n"),
            "{response}"
        );
        assert!(response.ends_with("\r\n\r\n{\"n\":3}"), "{response}");

        // A verdict on the request passes through untouched.
        let invalid: &[u8] = b"HTTP/1.1 422 Unprocessable Entity\r\ncontent-length: 52\r\n\r\n{\"type\":\"https://stoplight.io/prism/errors#UNPROCESSABLE\"}";
        let router = start(
            Vec::new(),
            Fallback::load(spec),
            upstream_answering(invalid),
        )
        .unwrap();
        let response = call(&router, b"GET /things/7 HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(response.starts_with("HTTP/1.1 422 "), "{response}");
    }

    #[test]
    fn a_query_written_into_a_path_template_is_routed_with_its_values_as_segments() {
        let spec = json!({"paths": {
            "/history?q={q}&order_by={order_by}": {"get": {}},
            "/worker?cmd=checkconstraints": {"post": {}},
            "/worker": {"post": {}},
        }});
        let (rewritten, routes) = rewrite(&spec).expect("has query templates");
        let mut paths: Vec<&String> = rewritten["paths"].as_object().unwrap().keys().collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            [
                "/history/__query0/{q}/{order_by}",
                "/worker",
                "/worker/__query1"
            ]
        );
        assert_eq!(
            route(&routes, "GET", "/history?q=a%3Ab+c&order_by=x", &[]),
            "/history/__query0/a%3Ab%20c/x?q=a%3Ab+c&order_by=x"
        );
        assert_eq!(
            route(&routes, "POST", "/worker?cmd=checkconstraints", &[]),
            "/worker/__query1?cmd=checkconstraints"
        );
        assert_eq!(
            route(&routes, "POST", "/worker?cmd=other", &[]),
            "/worker?cmd=other"
        );
    }

    #[test]
    fn the_proxy_forwards_the_request_with_its_routed_target() {
        let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = upstream.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = upstream.accept().unwrap();
            let mut received = Vec::new();
            let mut buffer = [0; 4096];
            while !received.ends_with(b"{\"a\":1}") {
                let n = stream.read(&mut buffer).unwrap();
                received.extend_from_slice(&buffer[..n]);
            }
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .unwrap();
            String::from_utf8(received).unwrap()
        });
        let (_, routes) = rewrite(&spec()).expect("has fragments");
        let router = start(routes, None, address).unwrap();
        let mut client = TcpStream::connect(router.url.trim_start_matches("http://")).unwrap();
        client
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Svc.Create\r\ncontent-length: 7\r\n\r\n{\"a\":1}")
            .unwrap();
        let mut response = String::new();
        client.read_to_string(&mut response).unwrap();
        assert!(
            response.starts_with("HTTP/1.1 200 OK") && response.ends_with("ok"),
            "{response}"
        );
        let forwarded = server.join().unwrap();
        assert!(
            forwarded.starts_with("POST /__fragment0 HTTP/1.1\r\n"),
            "{forwarded}"
        );
        assert!(
            forwarded.contains("X-Amz-Target: Svc.Create\r\n"),
            "{forwarded}"
        );
        assert!(
            forwarded.ends_with("Connection: close\r\n\r\n{\"a\":1}"),
            "{forwarded}"
        );
    }
}
