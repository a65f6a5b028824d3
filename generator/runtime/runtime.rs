//! HTTP plumbing shared by every operation: URLs, credentials, retries, timeouts, tracing and decoding.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::{DeserializeOwned, DeserializeSeed};
use tracing::Instrument;

use crate::de::{EnvelopeParts, EnvelopeSeed};
use crate::error::{
    body_excerpt, is_retryable_status, ApiError, DecodeError, Error, RawBody, TransportErrorKind,
};

/// A secret (API key, token). Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for sending.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// When and how often a failed request is sent again.
///
/// Rate limits (429), gateway errors (502, 503, 504) and failed connections are retried with
/// exponential backoff and jitter, honouring `Retry-After`. A request that is not idempotent
/// (such as a create) is retried only when it certainly did not reach the server: a refused
/// connection or a 429.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included; 1 disables retries.
    pub max_attempts: u32,
    /// Delay before the first retry; it doubles with every attempt.
    pub base_delay: Duration,
    /// Longest delay between attempts, `Retry-After` included.
    pub max_delay: Duration,
    /// Whether delays are randomised (full jitter) so that clients do not retry in lockstep.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(16)));
        let capped = exponential.min(self.max_delay);
        if self.jitter {
            capped.mul_f64(random_fraction())
        } else {
            capped
        }
    }
}

/// A number in `[0, 1)` from the standard library's randomly seeded hasher (no `rand` dependency).
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(Instant::now().elapsed().as_nanos() as u64);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Settings of a single call that override the client's.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Whole-request timeout for this call.
    pub timeout: Option<Duration>,
    /// Extra headers for this call.
    pub headers: HeaderMap,
    /// Retry policy for this call.
    pub retry: Option<RetryPolicy>,
}

/// A successful response with its status and headers, for callers that need more than the payload.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The decoded payload.
    pub data: T,
}

/// Where a credential goes.
#[derive(Debug, Clone)]
pub(crate) enum Placement {
    Header(HeaderName),
    Query(&'static str),
    Cookie(&'static str),
    Bearer,
    Basic,
}

/// A credential ready to attach to requests.
#[derive(Debug, Clone)]
pub(crate) struct Credential {
    pub(crate) placement: Placement,
    pub(crate) value: Secret,
}

/// Property names of the API's response envelope.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Envelope {
    pub(crate) success_flag: Option<&'static str>,
    pub(crate) data: &'static str,
    pub(crate) error_code: Option<&'static str>,
    pub(crate) error_message: Option<&'static str>,
    pub(crate) request_id: Option<&'static str>,
}

/// Transport-level settings collected by the client builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct TransportOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: Option<String>,
}

/// Default whole-request timeout.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared state of a client: connection pool, base URL, credentials, policies.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: String,
    headers: HeaderMap,
    query_credentials: Vec<(&'static str, Secret)>,
    cookie: Option<Secret>,
    retry: RetryPolicy,
    pub(crate) envelope: Option<Envelope>,
}

/// One request, described by the generated operation code.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) operation_id: &'static str,
    pub(crate) method: Method,
    pub(crate) path_template: &'static str,
    pub(crate) path: String,
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Option<(Bytes, Cow<'static, str>)>,
    pub(crate) idempotent: bool,
    pub(crate) options: RequestOptions,
}

/// A response that passed the status check.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Transport {
    pub(crate) fn new(
        base_url: String,
        credentials: Vec<Credential>,
        envelope: Option<Envelope>,
        options: TransportOptions,
    ) -> Result<Self, Error> {
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("base URL `{base_url}` is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(Error::Config(format!(
                "base URL `{base_url}` must be an http(s) URL with a host"
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::Config(format!(
                "base URL `{base_url}` must not have a query or fragment"
            )));
        }
        let mut headers = HeaderMap::new();
        let mut query_credentials = Vec::new();
        let mut cookies = Vec::new();
        for credential in credentials {
            let secret = credential.value.expose();
            if secret.is_empty() || secret.chars().any(|c| c.is_control()) {
                return Err(Error::Config(
                    "a credential is empty or contains control characters".to_owned(),
                ));
            }
            let header = |value: String| {
                HeaderValue::from_str(&value)
                    .map(|mut v| {
                        v.set_sensitive(true);
                        v
                    })
                    .map_err(|_| {
                        Error::Config(
                            "a credential contains characters that cannot be sent in a header"
                                .to_owned(),
                        )
                    })
            };
            match credential.placement {
                Placement::Header(name) => {
                    headers.insert(name, header(secret.to_owned())?);
                }
                Placement::Bearer => {
                    headers.insert(
                        reqwest::header::AUTHORIZATION,
                        header(format!("Bearer {secret}"))?,
                    );
                }
                Placement::Basic => {
                    headers.insert(
                        reqwest::header::AUTHORIZATION,
                        header(format!("Basic {}", base64(secret.as_bytes())))?,
                    );
                }
                Placement::Query(name) => query_credentials.push((name, credential.value.clone())),
                Placement::Cookie(name) => {
                    if secret.contains([';', ' ', ',', '"']) {
                        return Err(Error::Config("a cookie credential contains characters that cannot be sent in a cookie".to_owned()));
                    }
                    cookies.push(format!("{name}={secret}"));
                }
            }
        }
        // Kept apart from the other headers: a request sends one `Cookie` header, joining these
        // with the operation's cookie parameters.
        let cookie = (!cookies.is_empty()).then(|| Secret::new(cookies.join("; ")));
        if let Some(cookie) = &cookie {
            header_value_sensitive(cookie.expose())?;
        }
        let http = match options.http_client {
            // A caller's client knows nothing of the credentials: they go on every request.
            Some(client) => client,
            // Our own client sends them as default headers, so requests need not copy them.
            None => {
                let user_agent = options.user_agent.unwrap_or_else(|| {
                    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned()
                });
                reqwest::Client::builder()
                    .timeout(options.timeout.unwrap_or(DEFAULT_TIMEOUT))
                    .connect_timeout(options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .user_agent(user_agent)
                    .default_headers(std::mem::take(&mut headers))
                    .build()
                    .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?
            }
        };
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            headers,
            query_credentials,
            cookie,
            retry: options.retry,
            envelope,
        })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends `call`, retrying as the policy allows, and returns a response with a success status.
    pub(crate) async fn send(&self, call: Call) -> Result<RawResponse, Error> {
        let span = tracing::info_span!(
            "http_request",
            operation = call.operation_id,
            method = %call.method,
            path = call.path_template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.send_with_retries(call).instrument(span).await
    }

    async fn send_with_retries(&self, call: Call) -> Result<RawResponse, Error> {
        let url = self.url(&call)?;
        let policy = call.options.retry.as_ref().unwrap_or(&self.retry);
        let max_attempts = policy.max_attempts.max(1);
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            tracing::Span::current().record("attempt", attempt);
            let outcome = self.attempt(&call, url.clone()).await;
            let retry_after = match &outcome {
                Ok(response) => {
                    let span = tracing::Span::current();
                    span.record("status", response.status.as_u16());
                    span.record("latency_ms", started.elapsed().as_millis() as u64);
                    if !is_retryable_status(response.status) || attempt >= max_attempts {
                        return self.check_status(outcome?);
                    }
                    // 429 means the request was not processed; gateway errors may hide a processed one.
                    if response.status != StatusCode::TOO_MANY_REQUESTS && !call.idempotent {
                        return self.check_status(outcome?);
                    }
                    retry_after(&response.headers)
                }
                Err(error) => {
                    // A refused connection never reached the server; anything else may have.
                    let never_sent = matches!(error, Error::Transport(t) if t.kind == TransportErrorKind::Connect);
                    let safe_to_repeat =
                        never_sent || (call.idempotent && matches!(error, Error::Transport(_)));
                    if attempt >= max_attempts || !safe_to_repeat {
                        return outcome.and_then(|r| self.check_status(r));
                    }
                    None
                }
            };
            let delay = retry_after
                .map_or_else(|| policy.backoff(attempt - 1), |d| d.min(policy.max_delay));
            tracing::warn!(
                attempt,
                delay_ms = delay.as_millis() as u64,
                status = outcome.as_ref().ok().map(|r| r.status.as_u16()),
                "retrying request"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    fn url(&self, call: &Call) -> Result<reqwest::Url, Error> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base_url, call.path))
            .map_err(|e| Error::Encode(format!("invalid request URL: {e}")))?;
        if !call.query.is_empty() || !self.query_credentials.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
            for (name, secret) in &self.query_credentials {
                pairs.append_pair(name, secret.expose());
            }
        }
        Ok(url)
    }

    async fn attempt(&self, call: &Call, url: reqwest::Url) -> Result<RawResponse, Error> {
        let mut request = self.http.request(call.method.clone(), url);
        if !self.headers.is_empty() {
            request = request.headers(self.headers.clone());
        }
        for (name, value) in &call.headers {
            if name.eq_ignore_ascii_case("cookie") {
                continue;
            }
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::Encode(format!("header `{name}` has a value that cannot be sent"))
            })?;
            request = request.header(*name, value);
        }
        if let Some(cookie) = cookie_header(self.cookie.as_ref(), &call.headers) {
            let value = header_value_sensitive(&cookie)
                .map_err(|_| Error::Encode("a cookie value cannot be sent".to_owned()))?;
            request = request.header(reqwest::header::COOKIE, value);
        }
        if let Some((body, content_type)) = &call.body {
            // `Bytes` clones share the buffer: a retry does not copy the body.
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type.as_ref())
                .body(body.clone());
        }
        // Last, so a per-call header replaces a default one: e.g. a `Content-Type` carrying a
        // multipart boundary.
        if !call.options.headers.is_empty() {
            request = request.headers(call.options.headers.clone());
        }
        if let Some(timeout) = call.options.timeout {
            request = request.timeout(timeout);
        }
        let mut response = request.send().await.map_err(Error::transport)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(Error::transport)?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Turns an error status into [`Error::Api`], reading the envelope's error fields when present.
    fn check_status(&self, response: RawResponse) -> Result<RawResponse, Error> {
        if response.status.is_success() {
            return Ok(response);
        }
        let fields = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
        Err(self.api_error(
            response.status,
            &response.headers,
            &response.body,
            fields.as_ref(),
        ))
    }

    pub(crate) fn api_error(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
        fields: Option<&serde_json::Value>,
    ) -> Error {
        let text = |name: Option<&'static str>, fallbacks: &[&str]| -> Option<String> {
            let object = fields?.as_object()?;
            name.into_iter()
                .chain(fallbacks.iter().copied())
                .find_map(|key| match object.get(key)? {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
        };
        let envelope = self.envelope;
        let request_id = text(
            envelope.and_then(|e| e.request_id),
            &["requestId", "request_id"],
        )
        .or_else(|| {
            headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
        Error::Api(Box::new(ApiError {
            status,
            code: text(
                envelope.and_then(|e| e.error_code),
                &["errorCode", "code", "error_code"],
            ),
            message: text(
                envelope.and_then(|e| e.error_message),
                &["errorDesc", "message", "error", "detail"],
            ),
            request_id,
            body: body_excerpt(body),
            retry_after: retry_after(headers),
            raw_body: RawBody(body.clone()),
        }))
    }
}

fn header_value_sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| Error::Config("a credential cannot be sent in a header".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let target = Duration::from_secs(u64::try_from(date.timestamp()).ok()?);
    Some(target.saturating_sub(now))
}

/// Standard base64 for HTTP basic credentials.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Encodes a path parameter as exactly one segment: `/`, `?`, `#` and `%` are escaped.
///
/// `.` and `..` are refused: URL parsers treat them (even percent-encoded) as "this" and
/// "parent" directory, so no encoding keeps them inside their segment.
pub(crate) fn path_segment(value: &str) -> Result<String, Error> {
    if value == "."
        || value == ".."
        || value.eq_ignore_ascii_case("%2e")
        || value.eq_ignore_ascii_case("%2e%2e")
    {
        return Err(Error::Encode(format!(
            "`{value}` cannot be sent as a path parameter"
        )));
    }
    Ok(percent_encoding::utf8_percent_encode(value, SEGMENT).to_string())
}

/// A parameter value as text: strings as they are, other scalars as JSON, lists comma-joined.
pub(crate) fn param_text<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let json = serde_json::to_value(value).map_err(|e| Error::Encode(e.to_string()))?;
    Ok(match json {
        serde_json::Value::String(s) => s,
        serde_json::Value::Array(items) => {
            items.iter().map(scalar_text).collect::<Vec<_>>().join(",")
        }
        other => scalar_text(&other),
    })
}

fn scalar_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The one `Cookie` header of a request: credential cookies, then the operation's cookie parameters.
fn cookie_header(
    credentials: Option<&Secret>,
    headers: &[(&'static str, String)],
) -> Option<String> {
    let parameters = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
        .map(|(_, value)| value.as_str());
    let parts: Vec<&str> = credentials
        .map(Secret::expose)
        .into_iter()
        .chain(parameters)
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// How a query parameter is written (OpenAPI `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryStyle {
    /// `form`, exploded (the default): `ids=1&ids=2`; objects as `key=value` pairs.
    Form,
    /// `form`, not exploded: `ids=1,2`; objects as `name=key,value,key,value`.
    FormJoined,
    /// `spaceDelimited`: `ids=1%202`.
    SpaceDelimited,
    /// `pipeDelimited`: `ids=1|2`.
    PipeDelimited,
    /// `deepObject`: `filter[status]=open&filter[owner][id]=7`.
    DeepObject,
}

/// Query pairs for a value in the default style: lists repeat the name, scalars appear once.
pub(crate) fn push_query<T: serde::Serialize + ?Sized>(
    query: &mut Vec<(Cow<'static, str>, String)>,
    name: &'static str,
    value: &T,
) -> Result<(), Error> {
    push_query_as(query, name, value, QueryStyle::Form)
}

/// Query pairs for a value in `style`.
pub(crate) fn push_query_as<T: serde::Serialize + ?Sized>(
    query: &mut Vec<(Cow<'static, str>, String)>,
    name: &'static str,
    value: &T,
    style: QueryStyle,
) -> Result<(), Error> {
    let value = serde_json::to_value(value).map_err(|e| Error::Encode(e.to_string()))?;
    let joined = |separator: &str, parts: Vec<String>| parts.join(separator);
    match (style, value) {
        (_, serde_json::Value::Null) => {}
        (QueryStyle::DeepObject, value) => push_deep(query, name.to_owned(), &value),
        (QueryStyle::Form, serde_json::Value::Array(items)) => query.extend(
            items
                .iter()
                .map(|item| (Cow::Borrowed(name), scalar_text(item))),
        ),
        (QueryStyle::Form, serde_json::Value::Object(fields)) => query.extend(
            fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(key, v)| (Cow::Owned(key.clone()), scalar_text(v))),
        ),
        (style, serde_json::Value::Array(items)) => {
            let separator = match style {
                QueryStyle::SpaceDelimited => " ",
                QueryStyle::PipeDelimited => "|",
                _ => ",",
            };
            let parts = items.iter().map(scalar_text).collect();
            query.push((Cow::Borrowed(name), joined(separator, parts)));
        }
        (_, serde_json::Value::Object(fields)) => {
            let parts = fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .flat_map(|(key, v)| [key.clone(), scalar_text(v)])
                .collect();
            query.push((Cow::Borrowed(name), joined(",", parts)));
        }
        (_, scalar) => query.push((Cow::Borrowed(name), scalar_text(&scalar))),
    }
    Ok(())
}

/// `name[key][inner]=value` pairs for `deepObject`; list items repeat their name.
fn push_deep(
    query: &mut Vec<(Cow<'static, str>, String)>,
    name: String,
    value: &serde_json::Value,
) {
    match value {
        serde_json::Value::Null => {}
        serde_json::Value::Object(fields) => {
            for (key, field) in fields {
                push_deep(query, format!("{name}[{key}]"), field);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                query.push((Cow::Owned(name.clone()), scalar_text(item)));
            }
        }
        scalar => query.push((Cow::Owned(name), scalar_text(scalar))),
    }
}

/// Serialises an `application/x-www-form-urlencoded` body (flat objects only).
pub(crate) fn form_body<T: serde::Serialize + ?Sized>(
    value: &T,
    content_type: &'static str,
) -> Result<Option<(Bytes, Cow<'static, str>)>, Error> {
    serde_urlencoded::to_string(value)
        .map(|body| Some((Bytes::from(body), Cow::Borrowed(content_type))))
        .map_err(|e| Error::Encode(format!("form body: {e}")))
}

/// Serialises a JSON body.
pub(crate) fn json_body<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<Option<(Bytes, Cow<'static, str>)>, Error> {
    serde_json::to_vec(value)
        .map(|body| Some((Bytes::from(body), Cow::Borrowed("application/json"))))
        .map_err(|e| Error::Encode(e.to_string()))
}

fn decode_error(response: &RawResponse, path: String, message: String) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: response.status,
        path,
        message,
        body: body_excerpt(&response.body),
    }))
}

/// Decodes `json` as `T`; only when that fails is it decoded again with path tracking, so the
/// error names the failing property (`data.records[3].DueDate`) without slowing down success.
fn decode_at<'de, T: serde::Deserialize<'de>>(
    response: &RawResponse,
    json: &'de [u8],
    prefix: &str,
) -> Result<T, Error> {
    if let Ok(value) = serde_json::from_slice(json) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.path().to_string();
        let path = match (prefix, inner.as_str()) {
            ("", inner) => inner.to_owned(),
            (prefix, ".") => prefix.to_owned(),
            (prefix, inner) => format!("{prefix}.{inner}"),
        };
        decode_error(response, path, error.into_inner().to_string())
    })
}

/// Reads an envelope's payload and success flag in one pass; `None` when the body is not a
/// well-formed envelope with a payload (the caller then works out exactly what is wrong).
fn envelope_parts<'de, T: serde::Deserialize<'de>>(
    json: &'de [u8],
    data: &'static str,
    flag: Option<&'static str>,
) -> Option<EnvelopeParts<T>> {
    let seed = EnvelopeSeed {
        data,
        flag,
        payload: PhantomData,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let parts = seed.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(parts)
}

/// Decodes the whole body as JSON, rejecting an envelope whose success flag is false.
pub(crate) fn decode_json<T: DeserializeOwned>(
    transport: &Transport,
    response: RawResponse,
) -> Result<ApiResponse<T>, Error> {
    if let Some(flag) = transport.envelope.and_then(|e| e.success_flag) {
        let parts = envelope_parts::<serde::de::IgnoredAny>(&response.body, "", Some(flag));
        if parts.is_some_and(|parts| parts.succeeded == Some(false)) {
            return Err(envelope_failure(transport, &response));
        }
    }
    let data = decode_at(&response, &response.body, "")?;
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data,
    })
}

/// The API error for an envelope whose success flag is false.
fn envelope_failure(transport: &Transport, response: &RawResponse) -> Error {
    let fields = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
    transport.api_error(
        response.status,
        &response.headers,
        &response.body,
        fields.as_ref(),
    )
}

/// Decodes the envelope's data property, after checking its success flag.
pub(crate) fn decode_envelope<T: DeserializeOwned>(
    transport: &Transport,
    response: RawResponse,
) -> Result<ApiResponse<T>, Error> {
    let Some(envelope) = transport.envelope else {
        return decode_json(transport, response);
    };
    // The common case in one pass, straight from the bytes into `T`.
    match envelope_parts::<T>(&response.body, envelope.data, envelope.success_flag) {
        Some(EnvelopeParts {
            data: Some(data),
            succeeded: None | Some(true),
        }) => {
            return Ok(ApiResponse {
                status: response.status,
                headers: response.headers,
                data,
            })
        }
        Some(EnvelopeParts {
            succeeded: Some(false),
            ..
        }) => return Err(envelope_failure(transport, &response)),
        _ => {}
    }
    // Something is wrong: look again, slowly, to say exactly what.
    let object = match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(object @ serde_json::Value::Object(_)) => object,
        Ok(_) => {
            return Err(decode_error(
                &response,
                ".".to_owned(),
                "expected a JSON object".to_owned(),
            ))
        }
        Err(error) => return Err(decode_error(&response, ".".to_owned(), error.to_string())),
    };
    if let Some(flag) = envelope.success_flag {
        if object.get(flag) == Some(&serde_json::Value::Bool(false)) {
            return Err(transport.api_error(
                response.status,
                &response.headers,
                &response.body,
                Some(&object),
            ));
        }
    }
    let Some(raw) = object.get(envelope.data) else {
        return Err(decode_error(
            &response,
            envelope.data.to_owned(),
            format!("missing field `{}`", envelope.data),
        ));
    };
    let data = serde_path_to_error::deserialize(raw).map_err(|error| {
        let inner = error.path().to_string();
        let path = if inner == "." {
            envelope.data.to_owned()
        } else {
            format!("{}.{inner}", envelope.data)
        };
        decode_error(&response, path, error.into_inner().to_string())
    })?;
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data,
    })
}

/// Returns the body as text.
pub(crate) fn decode_text(response: RawResponse) -> Result<ApiResponse<String>, Error> {
    let data = String::from_utf8_lossy(&response.body).into_owned();
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data,
    })
}

/// Returns the body as bytes.
pub(crate) fn decode_bytes(response: RawResponse) -> Result<ApiResponse<Vec<u8>>, Error> {
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data: Vec::from(response.body),
    })
}

/// Ignores the body, but still honours an envelope's failure flag.
pub(crate) fn decode_empty(
    transport: &Transport,
    response: RawResponse,
) -> Result<ApiResponse<()>, Error> {
    if let Some(flag) = transport.envelope.and_then(|e| e.success_flag) {
        let parts = envelope_parts::<serde::de::IgnoredAny>(&response.body, "", Some(flag));
        if parts.is_some_and(|parts| parts.succeeded == Some(false)) {
            return Err(envelope_failure(transport, &response));
        }
    }
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data: (),
    })
}

/// Expands `https://{domain}.example.com/v1`, refusing values that could change the host or path structure.
pub(crate) fn expand_server_url(
    template: &str,
    variables: &[(&str, &str)],
) -> Result<String, Error> {
    let authority_end = template.find("://").map_or(0, |s| s + 3);
    let authority_end = template[authority_end..]
        .find('/')
        .map_or(template.len(), |i| authority_end + i);
    let mut url = String::with_capacity(template.len() + 32);
    let mut rest = template;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        url.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let value = variables
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| *v);
        if offset + open < authority_end {
            let valid = !value.is_empty()
                && value
                    .split('.')
                    .all(|label| !label.is_empty() && label.len() <= 63)
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == ':');
            if !valid {
                return Err(Error::Config(format!(
                    "server variable `{name}` must be a host name part (letters, digits, `-`, `.`), got `{}`",
                    value.escape_debug()
                )));
            }
            url.push_str(value);
        } else {
            url.push_str(&path_segment(value)?);
        }
        offset += close + 1;
        rest = &rest[close + 1..];
    }
    url.push_str(rest);
    Ok(url)
}

/// Pages through an offset/limit listing lazily: the next page is requested only when the
/// previous one is consumed, and only one page is held at a time.
///
/// Stops on an empty or short page, or when `total` is reached; fails instead of looping when
/// the server returns the same page twice (it ignores the offset) or more items than its total.
pub(crate) fn offset_pages<'a, T, F, Fut>(
    page_size: u64,
    start: u64,
    fetch: F,
) -> impl futures_util::Stream<Item = Result<T, Error>> + Send + 'a
where
    T: PartialEq + Clone + Send + 'a,
    F: FnMut(u64, u64) -> Fut + Send + 'a,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<u64>), Error>> + Send + 'a,
{
    use futures_util::TryStreamExt;

    struct State<T, F> {
        fetch: F,
        offset: u64,
        done: bool,
        previous_first: Option<T>,
    }
    let page_size = page_size.max(1);
    let state = State {
        fetch,
        offset: start,
        done: false,
        previous_first: None,
    };
    futures_util::stream::try_unfold(state, move |mut state| async move {
        if state.done {
            return Ok(None);
        }
        let (items, total) = (state.fetch)(state.offset, page_size).await?;
        if items.is_empty() {
            return Ok(None);
        }
        if state.previous_first.is_some() && state.previous_first.as_ref() == items.first() {
            return Err(Error::Pagination(format!(
                "the page at offset {} repeats the previous page; the server seems to ignore the offset",
                state.offset
            )));
        }
        let count = items.len() as u64;
        state.offset += count;
        if let Some(total) = total {
            if state.offset > total.max(start) + page_size {
                return Err(Error::Pagination(format!(
                    "the server returned {} items but reported a total of {total}",
                    state.offset
                )));
            }
        }
        state.done = count < page_size || total.is_some_and(|total| state.offset >= total);
        state.previous_first = items.first().cloned();
        let page = futures_util::stream::iter(items.into_iter().map(Ok::<T, Error>));
        Ok(Some((page, state)))
    })
    .try_flatten()
}

/// Collects a paged stream, failing once it yields more than `max_items`.
pub(crate) async fn collect_pages<T>(
    stream: impl futures_util::Stream<Item = Result<T, Error>>,
    max_items: usize,
) -> Result<Vec<T>, Error> {
    use futures_util::TryStreamExt;

    let mut stream = std::pin::pin!(stream);
    let mut items = Vec::new();
    while let Some(item) = stream.try_next().await? {
        if items.len() == max_items {
            return Err(Error::Pagination(format!(
                "more than {max_items} items; raise the limit or use the stream"
            )));
        }
        items.push(item);
    }
    Ok(items)
}

/// A page size or offset as the request's integer type, saturating.
pub(crate) fn page_number<T: TryFrom<u64>>(value: u64, max: T) -> T {
    T::try_from(value).unwrap_or(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<T: serde::Serialize>(value: &T, style: QueryStyle) -> Vec<(String, String)> {
        let mut query = Vec::new();
        push_query_as(&mut query, "p", value, style).expect("encodes");
        query
            .into_iter()
            .map(|(name, value)| (name.into_owned(), value))
            .collect()
    }

    /// Object properties come out in map order, which depends on serde_json's features.
    fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
        pairs.sort();
        pairs
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn query_styles_follow_the_openapi_rules() {
        let list = ["a", "b"];
        let object = serde_json::json!({"status": "open", "owner": {"id": 7}, "none": null});
        assert_eq!(
            query(&list, QueryStyle::Form),
            pairs(&[("p", "a"), ("p", "b")])
        );
        assert_eq!(query(&list, QueryStyle::FormJoined), pairs(&[("p", "a,b")]));
        assert_eq!(
            query(&list, QueryStyle::SpaceDelimited),
            pairs(&[("p", "a b")])
        );
        assert_eq!(
            query(&list, QueryStyle::PipeDelimited),
            pairs(&[("p", "a|b")])
        );
        assert_eq!(
            sorted(query(&object, QueryStyle::DeepObject)),
            pairs(&[("p[owner][id]", "7"), ("p[status]", "open")])
        );
        assert_eq!(
            sorted(query(&object, QueryStyle::Form)),
            pairs(&[("owner", "{\"id\":7}"), ("status", "open")])
        );
        assert_eq!(
            query(
                &serde_json::json!({"a": 1, "b": "x"}),
                QueryStyle::FormJoined
            ),
            pairs(&[("p", "a,1,b,x")])
        );
        assert_eq!(query(&5, QueryStyle::DeepObject), pairs(&[("p", "5")]));
        assert!(query(&Option::<u8>::None, QueryStyle::Form).is_empty());
    }

    #[test]
    fn one_cookie_header_joins_credentials_and_parameters() {
        let secret = Secret::new("session=s3cr3t");
        let headers = vec![
            ("cookie", "theme=dark".to_owned()),
            ("x-trace", "1".to_owned()),
            ("Cookie", "lang=en".to_owned()),
        ];
        assert_eq!(
            cookie_header(Some(&secret), &headers).as_deref(),
            Some("session=s3cr3t; theme=dark; lang=en")
        );
        assert_eq!(cookie_header(None, &headers[1..2]), None);
        assert_eq!(
            cookie_header(None, &headers[..1]).as_deref(),
            Some("theme=dark")
        );
    }
}
