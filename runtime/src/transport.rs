//! The transport: one connection pool, base URL and credentials per client; sends calls with
//! retries, timeouts and tracing, and turns error statuses into [`Error::Api`].

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::future::{ready, Either, FutureExt as _, TryFutureExt as _};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use tracing::Instrument;

use super::body::{Body, ByteStream};
use super::credentials::{
    cookie_header, encode, header_value_sensitive, Credential, CredentialProvider, CredentialSet,
    Encoded, Placement, ProviderContext,
};
use super::decode::Envelope;
use super::error::{body_excerpt, ApiError, DeadlineError, DryRun, Error, RawBody, REDACTED};
use super::hooks::{HookRequest, HookResponse, Hooks};
use super::ratelimit::{Limiter, RateLimit};
use super::retry::{classify_error, classify_response, retry_after, RetryPolicy, Verdict};
use super::secret::Secret;

/// Settings of a single call that override the client's.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Whole-request timeout for this call.
    pub timeout: Option<Duration>,
    /// Extra headers for this call.
    pub headers: HeaderMap,
    /// Retry policy for this call.
    pub retry: Option<RetryPolicy>,
    /// Deadline of this call over all its attempts and the waits between them.
    pub deadline: Option<Duration>,
}

/// The per-call options every request builder has, set before the builder is awaited:
/// `client.get_thing(id).timeout(Duration::from_secs(5)).await`. Bring the trait into scope
/// with the client crate's `prelude` (or `use <crate>::CallOptions;`).
///
/// Shared by all builders instead of repeated in each, so a client with thousands of
/// operations compiles these methods once, and only when they are used.
pub trait CallOptions: Sized {
    /// The builder's options, for the provided methods.
    #[doc(hidden)]
    fn call_options(&mut self) -> &mut RequestOptions;

    /// Sets the timeout of each attempt of this call only (retries get their own).
    #[must_use]
    fn timeout(mut self, timeout: Duration) -> Self {
        self.call_options().timeout = Some(timeout);
        self
    }

    /// Sets a deadline for this call only, over all its attempts and the waits between them;
    /// past it the call returns [`Error::Deadline`] or its last attempt's error.
    #[must_use]
    fn deadline(mut self, deadline: Duration) -> Self {
        self.call_options().deadline = Some(deadline);
        self
    }

    /// Adds a header to this call only. It replaces a header of the same name the client would
    /// send, such as `Content-Type` or `Accept`.
    #[must_use]
    fn header(
        mut self,
        name: reqwest::header::HeaderName,
        value: reqwest::header::HeaderValue,
    ) -> Self {
        self.call_options().headers.append(name, value);
        self
    }

    /// Overrides the client's retry policy for this call only.
    #[must_use]
    fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.call_options().retry = Some(policy);
        self
    }
}

/// Transport-level settings collected by the client builder.
#[derive(Debug, Clone, Default)]
pub struct TransportOptions {
    /// Whole-request timeout of every attempt ([`DEFAULT_TIMEOUT`] when unset).
    pub timeout: Option<Duration>,
    /// Connect timeout ([`DEFAULT_CONNECT_TIMEOUT`] when unset).
    pub connect_timeout: Option<Duration>,
    /// A caller's preconfigured HTTP client; its own timeouts and user agent then apply.
    pub http_client: Option<reqwest::Client>,
    /// The client's retry policy.
    pub retry: RetryPolicy,
    /// Deadline of every call over all its attempts and the waits between them (none when unset:
    /// each attempt is still bounded by `timeout`).
    pub deadline: Option<Duration>,
    /// The client's rate limit, chosen by the caller.
    pub rate_limit: Option<RateLimit>,
    /// The rate limit otherwise (from the codegen config), unless `rate_limit_off`.
    pub default_rate_limit: Option<RateLimit>,
    /// No rate limit at all, whatever the config says.
    pub rate_limit_off: bool,
    /// Code run around every attempt, in this order.
    pub hooks: Hooks,
    /// The path of the spec's server URL (`/v1`): a 404 from a base URL without it gets a hint.
    pub server_path: Option<&'static str>,
    /// The `User-Agent` header a caller chose.
    pub user_agent: Option<String>,
    /// The `User-Agent` header otherwise: the generated crate's name and version.
    pub default_user_agent: &'static str,
    /// Assemble calls without sending them: each returns [`Error::DryRun`].
    pub dry_run: bool,
}

/// Default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared state of a client: connection pool, base URL, credentials, policies.
#[derive(Debug)]
pub struct Transport {
    http: reqwest::Client,
    base_url: String,
    /// `base_url` parsed once: a request's URL is a copy with the operation's path set, which
    /// leaves the scheme and host (and their IDNA processing) unparsed per call.
    base: reqwest::Url,
    headers: HeaderMap,
    query_credentials: Vec<(&'static str, Secret)>,
    cookie: Option<Secret>,
    /// Credentials asked of their providers before every attempt.
    providers: Vec<(Placement, Arc<dyn CredentialProvider>)>,
    retry: RetryPolicy,
    deadline: Option<Duration>,
    limiter: Option<Limiter>,
    hooks: Hooks,
    /// Set when the base URL lacks the spec server's path: the hint a 404 gets.
    missing_path_hint: Option<String>,
    pub(crate) envelope: Option<Envelope>,
    /// The `User-Agent` a request would carry, kept only by a dry-run client (which shows its
    /// requests instead of sending them).
    dry_run_user_agent: Option<String>,
}

/// One request, described by the generated operation code: [`Call::new`] and the fields that
/// differ from its defaults (`Call { query, ..Call::new(..) }`), so new fields never break it.
#[derive(Debug, Clone)]
pub struct Call {
    /// The spec's `operationId`, for tracing.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// The path as the spec writes it (`/ctas/{ctaId}`), for tracing without parameter values.
    pub path_template: &'static str,
    /// The path with its parameters encoded, appended to the base URL.
    pub path: String,
    /// Query pairs, in order.
    pub query: Vec<(Cow<'static, str>, String)>,
    /// Header parameters; `cookie` entries are joined into one `Cookie` header.
    pub headers: Vec<(&'static str, String)>,
    /// The encoded body and its `Content-Type`.
    pub body: Option<(Body, Cow<'static, str>)>,
    /// The `Accept` header: the media type the response is read as (servers that negotiate
    /// answer in it), unless the client's default headers or the call's own set one.
    pub accept: Option<&'static str>,
    /// Safe to send more than once.
    pub idempotent: bool,
    /// A header for an idempotency key: the call sends the caller's value, or a fresh random
    /// key, the same on every attempt, and is then retried like an idempotent one.
    pub idempotency_key: Option<&'static str>,
    /// Per-call settings.
    pub options: RequestOptions,
}

impl Call {
    /// A call with no query, headers or body, idempotent when its method is (GET, HEAD, PUT,
    /// DELETE, OPTIONS, TRACE).
    pub fn new(
        operation_id: &'static str,
        method: Method,
        path_template: &'static str,
        path: String,
    ) -> Self {
        let idempotent = matches!(
            method,
            Method::GET
                | Method::HEAD
                | Method::PUT
                | Method::DELETE
                | Method::OPTIONS
                | Method::TRACE
        );
        Self {
            operation_id,
            method,
            path_template,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            accept: None,
            idempotent,
            idempotency_key: None,
            options: RequestOptions::default(),
        }
    }
}

// Spans and warnings are made in functions of their own: what a tracing macro expands to
// would otherwise sit in the middle of the request's state machine, in the way of the code
// every call runs.

/// The span of a call. OpenTelemetry's HTTP client field names; the path's parameter values
/// (which may be personal data) are left out, and credentials never reach a span.
#[inline(never)]
fn call_span(call: &Call) -> tracing::Span {
    tracing::info_span!(
        "api_call",
        operation.id = call.operation_id,
        http.request.method = %call.method,
        url.template = call.path_template,
        http.response.status_code = tracing::field::Empty,
        http.request.resend_count = tracing::field::Empty,
    )
}

/// The span of one attempt of a call.
#[inline(never)]
fn attempt_span(call: &Call, attempt: u32) -> tracing::Span {
    tracing::info_span!(
        "http_request",
        http.request.method = %call.method,
        url.template = call.path_template,
        http.request.resend_count = attempt - 1,
        http.response.status_code = tracing::field::Empty,
    )
}

#[cold]
fn warn_credential_rejected(attempt: u32) {
    tracing::warn!(
        attempt,
        "credential rejected (401): sending again with a new one"
    );
}

#[cold]
fn warn_deadline_ends_retries(attempt: u32, delay: Duration) {
    tracing::warn!(
        attempt,
        delay_ms = delay.as_millis() as u64,
        "not retrying: the wait would pass the call's deadline"
    );
}

#[cold]
fn warn_retry(attempt: u32, delay: Duration, status: Option<u16>) {
    tracing::warn!(
        attempt,
        delay_ms = delay.as_millis() as u64,
        status,
        "retrying request"
    );
}

/// What an attempt sent: the response head (or the failure to get one), and when the request
/// left, when hooks want to know.
struct Sent {
    response: Result<reqwest::Response, reqwest::Error>,
    hooked_at: Option<Instant>,
}

/// What an attempt received: the body whole, or (for a streamed success) still to be read.
struct Received {
    status: StatusCode,
    headers: HeaderMap,
    body: ReceivedBody,
}

enum ReceivedBody {
    Whole(Bytes),
    /// Boxed: only a stream has one, and every other response moves through the retry loop's
    /// layers faster for not carrying room for it.
    Open(Box<reqwest::Response>),
}

/// A response that passed the status check.
#[derive(Debug)]
pub struct RawResponse {
    /// HTTP status (a success).
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Transport {
    /// Checks the base URL and credentials and builds the connection pool.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a base URL that is not http(s) with a host, or a credential that cannot be sent.
    pub fn new(
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
        let CredentialSet {
            mut headers,
            query: query_credentials,
            cookie,
            providers,
        } = CredentialSet::new(credentials)?;
        let user_agent = options
            .user_agent
            .unwrap_or_else(|| options.default_user_agent.to_owned());
        let dry_run_user_agent = options.dry_run.then(|| user_agent.clone());
        let http = match options.http_client {
            // A caller's client knows nothing of the credentials: they go on every request. Nor
            // does a dry run's, whose requests are shown with every header they would carry.
            Some(client) => client,
            None if options.dry_run => reqwest::Client::new(),
            // Our own client sends them as default headers, so requests need not copy them.
            None => reqwest::Client::builder()
                .timeout(options.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .connect_timeout(options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .user_agent(user_agent)
                .default_headers(std::mem::take(&mut headers))
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            base: parsed.clone(),
            headers,
            query_credentials,
            cookie,
            providers,
            retry: options.retry,
            deadline: options.deadline,
            limiter: if options.rate_limit_off {
                None
            } else {
                options
                    .rate_limit
                    .or(options.default_rate_limit)
                    .map(Limiter::new)
            },
            hooks: options.hooks,
            missing_path_hint: options
                .server_path
                .map(|path| path.trim_end_matches('/'))
                .filter(|path| !path.is_empty() && !parsed.path().trim_end_matches('/').ends_with(path))
                .map(|path| {
                    format!(
                        "the base URL `{base_url}` does not end with the API's path `{path}`, which the spec's server URL has"
                    )
                }),
            envelope,
            dry_run_user_agent,
        })
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends `call`, retrying as the policy allows, and returns a response with a success status.
    ///
    /// The layers between a builder's `.await` and the attempt loop are combinators, not
    /// `async fn`s: each `async fn` would keep its own copy of `call` beside the future it
    /// hands it to, and every layer's future is moved into the one above it.
    pub fn send(&self, call: Call) -> impl Future<Output = Result<RawResponse, Error>> + Send + '_ {
        self.send_traced(call, false)
            .map_ok(|received| RawResponse {
                status: received.status,
                headers: received.headers,
                body: match received.body {
                    ReceivedBody::Whole(body) => body,
                    // Not reached: only a streamed call's success is left unread.
                    ReceivedBody::Open(_) => Bytes::new(),
                },
            })
    }

    /// Sends `call` like [`send`](Self::send), but returns the success response's body as a
    /// stream, read as it arrives. Retries end once a success status arrives: a body cut
    /// midway is an error of the stream.
    pub fn send_streaming(
        &self,
        call: Call,
    ) -> impl Future<Output = Result<ByteStream, Error>> + Send + '_ {
        self.send_traced(call, true)
            .map_ok(|received| match received.body {
                ReceivedBody::Whole(body) => {
                    ByteStream::whole(received.status, received.headers, body)
                }
                ReceivedBody::Open(response) => {
                    ByteStream::new(received.status, received.headers, *response)
                }
            })
    }

    /// The retry policy `call` is sent under.
    pub(crate) fn retry_policy<'a>(&'a self, call: &'a Call) -> &'a RetryPolicy {
        call.options.retry.as_ref().unwrap_or(&self.retry)
    }

    fn send_traced(
        &self,
        call: Call,
        stream: bool,
    ) -> impl Future<Output = Result<Received, Error>> + Send + '_ {
        let span = call_span(&call);
        self.send_with_retries(call, stream).instrument(span)
    }

    /// The retry loop. A function returning an `async move` block rather than an `async fn`:
    /// the block uses `call` where it was captured, where an `async fn` would also copy it
    /// into a local (rust-lang/rust#62958), making the future that much larger.
    #[allow(clippy::manual_async_fn)] // On purpose: see above.
    fn send_with_retries(
        &self,
        call: Call,
        stream: bool,
    ) -> impl Future<Output = Result<Received, Error>> + Send + '_ {
        async move {
            let policy = self.retry_policy(&call);
            // What a streamed body already gave cannot be given again.
            let streamed_body = call.body.as_ref().is_some_and(|(body, _)| body.is_stream());
            let max_attempts = if streamed_body {
                1
            } else {
                policy.max_attempts.max(1)
            };
            let started = Instant::now();
            let deadline = call.options.deadline.or(self.deadline);
            let idempotency_key = call
                .idempotency_key
                .map(|name| (name, idempotency_value(&call, name)));
            // With a key the server recognises a repeat, so a create may be sent again.
            let retry_safe = call.idempotent || idempotency_key.is_some();
            let key = idempotency_key
                .as_ref()
                .map(|(name, value)| (*name, value.as_str()));
            let mut attempt = 1;
            // A 401 to a provided credential earns one more attempt, outside the retry budget.
            let mut unauthorized_resend = 0;
            // What the providers gave for the current attempt, for telling them of a 401.
            let mut provided = Vec::new();
            loop {
                let attempt_span = attempt_span(&call, attempt);
                let outcome = {
                    // One attempt future, pinned here and polled through a reference: a deadline
                    // wraps the reference, so the state holds the future once, not once per arm.
                    let provided = &mut provided;
                    let call = &call;
                    let attempt_future = std::pin::pin!(async move {
                        let Sent {
                            response,
                            hooked_at,
                        } = self.attempt(call, key, attempt, provided).await?;
                        // Read here, not in `attempt`, whose request-building locals are gone
                        // by now: the body future does not sit beside them.
                        let outcome = receive(response, stream).await;
                        if let Some(sent_at) = hooked_at {
                            self.after_response(call, attempt, &outcome, sent_at);
                        }
                        outcome
                    }
                    .instrument(attempt_span.clone()));
                    match deadline {
                        None => attempt_future.await,
                        Some(deadline) => {
                            let remaining = deadline.saturating_sub(started.elapsed());
                            // The attempt's own timeout still applies; the deadline only cuts it shorter.
                            tokio::time::timeout(remaining, attempt_future)
                                .await
                                .unwrap_or_else(|_| {
                                    Err(Error::Deadline(Box::new(DeadlineError {
                                        deadline,
                                        attempts: attempt,
                                    })))
                                })
                        }
                    }
                };
                if let Ok(response) = &outcome {
                    attempt_span.record("http.response.status_code", response.status.as_u16());
                    attempt_span.in_scope(|| tracing::debug!("response received"));
                }
                if let (Some(limiter), Ok(response)) = (&self.limiter, &outcome) {
                    if response.status == StatusCode::TOO_MANY_REQUESTS {
                        // Every clone waits, not only this call: the server counts them all. The
                        // wait is the server's hint, capped like the retry policy caps it.
                        limiter.pause(retry_after(&response.headers), policy.max_delay);
                    }
                }
                if unauthorized_resend == 0
                    && !streamed_body
                    && matches!(&outcome, Ok(response) if response.status == StatusCode::UNAUTHORIZED)
                    && self.credentials_rejected(&provided)
                {
                    warn_credential_rejected(attempt);
                    unauthorized_resend = 1;
                    attempt += 1;
                    continue;
                }
                let verdict = match &outcome {
                    Ok(response) => {
                        classify_response(response.status, &response.headers, retry_safe)
                    }
                    Err(error) => classify_error(error, retry_safe),
                };
                let retry_after = match verdict {
                    Verdict::Retry { after } if attempt < max_attempts + unauthorized_resend => {
                        after
                    }
                    _ => return self.finish(outcome, attempt),
                };
                let delay = retry_after
                    .map_or_else(|| policy.backoff(attempt - 1), |d| d.min(policy.max_delay));
                // A wait that would end past the deadline is not started: the last outcome is the
                // most useful answer.
                if deadline.is_some_and(|deadline| started.elapsed() + delay >= deadline) {
                    warn_deadline_ends_retries(attempt, delay);
                    return self.finish(outcome, attempt);
                }
                warn_retry(
                    attempt,
                    delay,
                    outcome.as_ref().ok().map(|r| r.status.as_u16()),
                );
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }

    /// The call's final outcome, recorded on its span (status and resends, once).
    fn finish(&self, outcome: Result<Received, Error>, attempt: u32) -> Result<Received, Error> {
        let span = tracing::Span::current();
        span.record("http.request.resend_count", attempt - 1);
        if let Ok(response) = &outcome {
            span.record("http.response.status_code", response.status.as_u16());
        }
        outcome.and_then(|response| self.check_status(response))
    }

    /// The URL of `call`: the base URL's path, then the call's, then its query.
    fn url(&self, call: &Call) -> reqwest::Url {
        let mut url = self.base.clone();
        let base_path = self.base.path().trim_end_matches('/');
        let mut path = String::with_capacity(base_path.len() + call.path.len());
        path.push_str(base_path);
        path.push_str(&call.path);
        url.set_path(&path);
        if !call.query.is_empty() || !self.query_credentials.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
            for (name, secret) in &self.query_credentials {
                pairs.append_pair(name, secret.expose());
            }
        }
        url
    }

    /// Tells each provider of a 401 to what it gave; whether any has a new credential to try.
    fn credentials_rejected(&self, provided: &[Secret]) -> bool {
        self.providers
            .iter()
            .zip(provided)
            .fold(false, |any, ((_, provider), sent)| {
                provider.rejected(sent) | any
            })
    }

    /// Asks each provider for its credential (kept in `provided`) and encodes it.
    async fn provided_credentials(
        &self,
        provided: &mut Vec<Secret>,
    ) -> Result<Vec<Encoded>, Error> {
        provided.clear();
        let context = ProviderContext {
            http: &self.http,
            base_url: &self.base_url,
        };
        let mut encoded = Vec::with_capacity(self.providers.len());
        for (placement, provider) in &self.providers {
            let secret = provider.credential(&context).await?;
            encoded.push(encode(placement, &secret)?);
            provided.push(secret);
        }
        Ok(encoded)
    }

    /// Sends one attempt and returns once the response head has arrived.
    #[allow(clippy::manual_async_fn)] // As `send_with_retries`: the arguments are kept once.
    fn attempt<'a>(
        &'a self,
        call: &'a Call,
        idempotency_key: Option<(&'static str, &'a str)>,
        attempt: u32,
        provided: &'a mut Vec<Secret>,
    ) -> impl Future<Output = Result<Sent, Error>> + Send + 'a {
        async move {
            if let (Some(limiter), None) = (&self.limiter, &self.dry_run_user_agent) {
                limiter.acquire().await;
            }
            let credentials = self.provided_credentials(provided).await?;
            let (request, hooked_at) = self.prepare(call, idempotency_key, attempt, credentials)?;
            Ok(Sent {
                response: self.http.execute(request).await,
                hooked_at,
            })
        }
    }

    /// Builds an attempt's request: everything between its awaits, kept out of the attempt's
    /// state machine (a plain function is compiled once, and its code stays together). Returns
    /// the request and, when hooks watch, the moment it leaves.
    #[inline(never)]
    fn prepare(
        &self,
        call: &Call,
        idempotency_key: Option<(&'static str, &str)>,
        attempt: u32,
        credentials: Vec<Encoded>,
    ) -> Result<(reqwest::Request, Option<Instant>), Error> {
        let mut url = self.url(call);
        let mut credential_headers = Vec::new();
        let mut credential_cookies: Vec<String> = Vec::new();
        for credential in credentials {
            match credential {
                Encoded::Header(name, value) => credential_headers.push((name, value)),
                Encoded::Query(name, secret) => {
                    url.query_pairs_mut().append_pair(name, secret.expose());
                }
                Encoded::Cookie(cookie) => credential_cookies.push(cookie),
            }
        }
        let mut request = self.http.request(call.method.clone(), url);
        // With hooks, credential headers are added after them, so hooks never see them.
        if !self.headers.is_empty() && self.hooks.is_empty() {
            request = request.headers(self.headers.clone());
        }
        if let Some(accept) = call.accept {
            if !self.headers.contains_key(reqwest::header::ACCEPT) {
                let value = static_header_value(accept)
                    .ok_or_else(|| Error::Encode("the Accept header cannot be sent".to_owned()))?;
                request = request.header(reqwest::header::ACCEPT, value);
            }
        }
        if let Some((name, key)) = idempotency_key {
            if !call
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                request = request.header(name, key);
            }
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
        let credential_cookies: Vec<&str> = self
            .cookie
            .as_ref()
            .map(Secret::expose)
            .into_iter()
            .chain(credential_cookies.iter().map(String::as_str))
            .collect();
        if let Some(cookie) = cookie_header(&credential_cookies, &call.headers) {
            let value = header_value_sensitive(&cookie)
                .map_err(|_| Error::Encode("a cookie value cannot be sent".to_owned()))?;
            request = request.header(reqwest::header::COOKIE, value);
        }
        if let Some((body, content_type)) = &call.body {
            // `Bytes` clones share the buffer: a retry does not copy the body.
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type.as_ref())
                .body(body.to_reqwest()?);
        }
        // Last, so a per-call header replaces a default one: e.g. a `Content-Type` carrying a
        // multipart boundary.
        if !call.options.headers.is_empty() {
            request = request.headers(call.options.headers.clone());
        }
        if let Some(timeout) = call.options.timeout {
            request = request.timeout(timeout);
        }
        let request = request.build().map_err(Error::transport)?;
        if self.hooks.is_empty()
            && credential_headers.is_empty()
            && self.dry_run_user_agent.is_none()
        {
            return Ok((request, None));
        }
        self.hooked(request, call, attempt, credential_headers)
    }

    /// The rest of [`prepare`](Self::prepare) for a client with hooks, provided header
    /// credentials or a dry run: hooks see the request, then credentials are added, then a dry
    /// run shows it instead of sending it.
    #[cold]
    fn hooked(
        &self,
        mut request: reqwest::Request,
        call: &Call,
        attempt: u32,
        credential_headers: Vec<(HeaderName, HeaderValue)>,
    ) -> Result<(reqwest::Request, Option<Instant>), Error> {
        for hook in &self.hooks.0 {
            hook.before_request(&mut HookRequest {
                operation_id: call.operation_id,
                method: &call.method,
                url_template: call.path_template,
                attempt,
                headers: request.headers_mut(),
            });
        }
        let fixed = self
            .headers
            .iter()
            .filter(|_| !self.hooks.is_empty())
            .map(|(name, value)| (name.clone(), value.clone()));
        for (name, value) in fixed.chain(credential_headers) {
            // A per-call header of the same name replaces the credential, as without hooks.
            if !request.headers().contains_key(&name) {
                request.headers_mut().insert(name, value);
            }
        }
        if let Some(user_agent) = &self.dry_run_user_agent {
            // Fixed and provided query credentials, by name: the values a dry run redacts.
            let query_credentials: Vec<&str> = self
                .query_credentials
                .iter()
                .map(|(name, _)| *name)
                .chain(
                    self.providers
                        .iter()
                        .filter_map(|(placement, _)| match placement {
                            Placement::Query(name) => Some(*name),
                            _ => None,
                        }),
                )
                .collect();
            return Err(Error::DryRun(Box::new(dry_run(
                &request,
                user_agent,
                &query_credentials,
            ))));
        }
        Ok((request, Some(Instant::now())))
    }

    /// Tells the hooks what an attempt received (its body read), and when it was sent.
    fn after_response(
        &self,
        call: &Call,
        attempt: u32,
        outcome: &Result<Received, Error>,
        sent_at: Instant,
    ) {
        for hook in &self.hooks.0 {
            hook.after_response(&HookResponse {
                operation_id: call.operation_id,
                method: &call.method,
                url_template: call.path_template,
                attempt,
                status: outcome.as_ref().ok().map(|r| r.status),
                headers: outcome.as_ref().ok().map(|r| &r.headers),
                error: outcome.as_ref().err(),
                elapsed: sent_at.elapsed(),
            });
        }
    }

    /// Turns an error status into [`Error::Api`], reading the envelope's error fields when present.
    fn check_status(&self, response: Received) -> Result<Received, Error> {
        let body = match &response.body {
            _ if response.status.is_success() => return Ok(response),
            ReceivedBody::Whole(body) => body.clone(),
            // Not reached: only a success is left unread.
            ReceivedBody::Open(_) => Bytes::new(),
        };
        let fields = serde_json::from_slice::<serde_json::Value>(&body).ok();
        Err(self.api_error(response.status, &response.headers, &body, fields.as_ref()))
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
        let code = text(
            envelope.and_then(|e| e.error_code),
            &["errorCode", "code", "error_code"],
        );
        let message = text(
            envelope.and_then(|e| e.error_message),
            &["errorDesc", "message", "error", "detail"],
        );
        // A bare 404 (no error the API would write) from a base URL missing the API's path.
        let hint = (status == StatusCode::NOT_FOUND && code.is_none() && message.is_none())
            .then(|| self.missing_path_hint.clone())
            .flatten();
        Error::Api(Box::new(ApiError {
            status,
            code,
            message,
            request_id,
            body: body_excerpt(body),
            retry_after: retry_after(headers),
            hint,
            raw_body: RawBody(body.clone()),
        }))
    }
}

/// The status, headers and body of a sent request: the whole body, unless `stream` asks for a
/// success's body to be left unread.
/// What a dry run shows of `request`: credentials (sensitive header values, query credentials
/// named in `query_credentials`) redacted, and the `User-Agent` the client would add.
fn dry_run(request: &reqwest::Request, user_agent: &str, query_credentials: &[&str]) -> DryRun {
    let mut url = request.url().clone();
    if !query_credentials.is_empty() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if query_credentials.contains(&name.as_ref()) {
                    REDACTED.to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() {
                REDACTED.to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect();
    if !request.headers().contains_key(reqwest::header::USER_AGENT) {
        headers.push(("user-agent".to_owned(), user_agent.to_owned()));
    }
    let body = request.body().and_then(|body| body.as_bytes());
    DryRun {
        method: request.method().clone(),
        url: url.to_string(),
        headers,
        body: body.map(Bytes::copy_from_slice),
        streamed_body: request.body().is_some() && body.is_none(),
    }
}

fn receive(
    sent: Result<reqwest::Response, reqwest::Error>,
    stream: bool,
) -> impl Future<Output = Result<Received, Error>> + Send {
    // Not an `async fn`, which would hold the response twice: as its argument and as the
    // body future that consumes it.
    let mut response = match sent {
        Ok(response) => response,
        Err(error) => return Either::Left(ready(Err(Error::transport(error)))),
    };
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    if stream && status.is_success() {
        return Either::Left(ready(Ok(Received {
            status,
            headers,
            body: ReceivedBody::Open(Box::new(response)),
        })));
    }
    Either::Right(response.bytes().map(move |body| {
        Ok(Received {
            status,
            headers,
            body: ReceivedBody::Whole(body.map_err(Error::transport)?),
        })
    }))
}

/// A header value of static text, not copied; `None` for text a header cannot carry.
fn static_header_value(text: &'static str) -> Option<HeaderValue> {
    /// The media type nearly every operation reads, checked once at compile time.
    const JSON: HeaderValue = HeaderValue::from_static("application/json");
    if text == "application/json" {
        return Some(JSON);
    }
    HeaderValue::from_maybe_shared(Bytes::from_static(text.as_bytes())).ok()
}

/// The caller's idempotency key for `name` (a header parameter or a per-call header), or a new
/// random one.
fn idempotency_value(call: &Call, name: &str) -> String {
    let given = call
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.clone())
        .or_else(|| {
            call.options
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        });
    given.unwrap_or_else(new_idempotency_key)
}

/// A random key in UUID v4 form. Randomness comes from std's OS-seeded hasher keys (a fresh
/// `RandomState` per half), mixed with the time, the process and a counter, so keys never
/// repeat within a process and collide across processes no more often than UUIDs do.
pub fn new_idempotency_key() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let mut halves = [0u64; 2];
    for (index, half) in halves.iter_mut().enumerate() {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u64(count);
        hasher.write_u32(std::process::id());
        hasher.write_usize(index);
        *half = hasher.finish();
    }
    let [high, low] = halves;
    // Version 4 and the RFC 4122 variant, as a UUID reader expects.
    let high = (high & !0xF000) | 0x4000;
    let low = (low & !(0b11 << 62)) | (0b10 << 62);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xFFFF,
        high & 0xFFFF,
        low >> 48,
        low & 0xFFFF_FFFF_FFFF
    )
}

/// A client builder's transport settings: `timeout`, `deadline`, `connect_timeout`,
/// `retry_policy`, `rate_limit`, `no_rate_limit`, `dry_run`, `hook`, `user_agent` and
/// `http_client`, the same in every generated crate but for the default rate limit its docs
/// name. Written once here rather than some eighty lines per crate.
///
/// `client_settings!(ClientBuilder, "none")`: the builder has a field `options:
/// TransportOptions`. The names `Duration` and `runtime::...` resolve where the macro is
/// called: the generated `client` module, which imports them. Invoked by its bare name, as
/// `serde_struct!` is.
#[doc(hidden)]
#[macro_export]
macro_rules! client_settings {
    ($builder:ident, $default_rate_limit:literal $(,)?) => {
        impl $builder {
            /// Timeout of each attempt of a call (default 60 s): with retries, a call can take
            /// several times this; [`deadline`](Self::deadline) bounds the whole call.
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Deadline of every call over all its attempts and the waits between them (default:
            /// none). Past it a call returns [`Error::Deadline`](crate::Error::Deadline), or its
            /// last attempt's error when the deadline would pass during a wait.
            pub fn deadline(mut self, deadline: Duration) -> Self {
                self.options.deadline = Some(deadline);
                self
            }

            /// Connect timeout (default 10 s).
            pub fn connect_timeout(mut self, timeout: Duration) -> Self {
                self.options.connect_timeout = Some(timeout);
                self
            }

            /// When and how often failed requests are retried (default: [`RetryPolicy::default`](crate::RetryPolicy::default)).
            pub fn retry_policy(mut self, policy: runtime::RetryPolicy) -> Self {
                self.options.retry = policy;
                self
            }

            /// Paces requests to at most `limit` in any window (shared by every clone of the client,
            #[doc = concat!(" paused when the server answers 429); default: ", $default_rate_limit, ".")]
            pub fn rate_limit(mut self, limit: runtime::RateLimit) -> Self {
                self.options.rate_limit = Some(limit);
                self.options.rate_limit_off = false;
                self
            }

            /// Sends requests as fast as they come, with no rate limit.
            pub fn no_rate_limit(mut self) -> Self {
                self.options.rate_limit_off = true;
                self
            }

            /// Assembles calls without sending them: each returns [`Error::DryRun`](crate::Error::DryRun)
            /// holding the request as it would go out, credentials redacted (a CLI's `--dry-run`,
            /// or a look at what a call sends).
            pub fn dry_run(mut self) -> Self {
                self.options.dry_run = true;
                self
            }

            /// Runs `hook` around every attempt of every call (after the hooks added before it):
            /// to add headers, record metrics or log. Hooks never see credentials.
            pub fn hook(mut self, hook: impl runtime::Hook) -> Self {
                self.options.hooks.push(hook);
                self
            }

            /// The `User-Agent` header (default: this crate's name and version).
            pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
                self.options.user_agent = Some(user_agent.into());
                self
            }

            /// Uses a preconfigured `reqwest::Client`; its own timeouts and user agent then apply.
            pub fn http_client(mut self, client: reqwest::Client) -> Self {
                self.options.http_client = Some(client);
                self
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::super::credentials::CredentialSource;
    use super::*;

    #[tokio::test]
    async fn a_dry_run_shows_the_request_with_every_credential_redacted() {
        let credentials = vec![
            Credential::new(
                Placement::Query("api_key"),
                CredentialSource::fixed("query-s3cret"),
            ),
            Credential::new(
                Placement::Header(reqwest::header::HeaderName::from_static("x-key")),
                CredentialSource::fixed("header-s3cret"),
            ),
            Credential::new(
                Placement::Bearer,
                CredentialSource::provider(|| async { Ok("provided-s3cret".to_owned()) }),
            ),
        ];
        let options = TransportOptions {
            dry_run: true,
            default_user_agent: "dry/1.0",
            ..TransportOptions::default()
        };
        // Nothing listens on port 9: a request actually sent would fail.
        let transport = Transport::new(
            "http://127.0.0.1:9/v1".to_owned(),
            credentials,
            None,
            options,
        )
        .expect("transport");
        let call = Call {
            query: vec![("q".into(), "a b".to_owned())],
            body: Some((Body::from(b"{\"x\":1}".to_vec()), "application/json".into())),
            ..Call::new("op", Method::POST, "/things", "/things".to_owned())
        };
        let Err(Error::DryRun(request)) = transport.send(call).await else {
            panic!("a dry run returns Error::DryRun");
        };
        let shown = request.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(
            shown.lines().next(),
            Some("POST http://127.0.0.1:9/v1/things?q=a+b&api_key=%3Credacted%3E")
        );
        for header in [
            "x-key: <redacted>",
            "authorization: <redacted>",
            "content-type: application/json",
            "user-agent: dry/1.0",
        ] {
            assert!(
                shown.lines().any(|line| line == header),
                "{header} in:\n{shown}"
            );
        }
        assert!(shown.ends_with("\n\n{\"x\":1}"), "{shown}");
        assert!(!format!("{request:?}").contains("s3cret"));
    }

    #[test]
    fn request_urls_are_the_base_url_then_the_path_then_the_query() {
        let cases = [
            ("http://h/v1", "/ctas/a%2Fb", vec![]),
            ("http://h/v1/", "/x", vec![]),
            ("http://h", "/x", vec![]),
            ("http://h/", "/x/", vec![]),
            (
                "https://Example.COM:443/api/v2",
                "/items/%C3%9C",
                vec![("q", "a b&c")],
            ),
            (
                "http://h:8080/a%20b/",
                "/odd path/{x}",
                vec![("k", "1"), ("k", "2")],
            ),
        ];
        for (base, path, query) in cases {
            let transport =
                Transport::new(base.to_owned(), vec![], None, TransportOptions::default())
                    .unwrap_or_else(|e| panic!("{base}: {e}"));
            let call = Call {
                query: query
                    .iter()
                    .map(|(name, value)| (Cow::Borrowed(*name), (*value).to_owned()))
                    .collect(),
                ..Call::new("op", Method::GET, "/t", path.to_owned())
            };
            // What parsing the whole text gives, as requests were built before.
            let mut expected =
                reqwest::Url::parse(&format!("{}{path}", base.trim_end_matches('/')))
                    .unwrap_or_else(|e| panic!("{base}{path}: {e}"));
            if !query.is_empty() {
                expected.query_pairs_mut().extend_pairs(&query);
            }
            assert_eq!(transport.url(&call), expected, "{base} + {path}");
        }
    }

    #[test]
    fn accept_values_are_sent_as_given_or_refused() {
        let value = |text| static_header_value(text).map(|v| v.as_bytes().to_vec());
        assert_eq!(
            value("application/json"),
            Some(b"application/json".to_vec())
        );
        assert_eq!(
            value("text/csv; charset=utf-8"),
            Some(b"text/csv; charset=utf-8".to_vec())
        );
        assert_eq!(value("text/plain\nX-Injected: 1"), None);
    }

    #[test]
    fn idempotency_keys_are_uuid_shaped_and_never_repeat() {
        let keys: std::collections::HashSet<String> =
            (0..10_000).map(|_| new_idempotency_key()).collect();
        assert_eq!(keys.len(), 10_000);
        for key in keys.iter().take(20) {
            let parts: Vec<&str> = key.split('-').collect();
            let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
            assert_eq!(lengths, [8, 4, 4, 4, 12], "{key}");
            assert!(parts[2].starts_with('4'), "version 4: {key}");
            assert!(
                matches!(&parts[3][..1], "8" | "9" | "a" | "b"),
                "variant: {key}"
            );
        }
    }
}
