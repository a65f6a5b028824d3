//! Request and response hooks: user code that sees every attempt of every call (to add headers,
//! record metrics, log), without replacing the transport.
//!
//! Hooks rather than `tower` or `reqwest-middleware`: retries, deadlines, rate limiting and
//! idempotency keys live in this transport, so a hook sees each real attempt (numbered) with the
//! operation it belongs to, and the client type and dependency tree stay as they are. A caller
//! who wants a whole middleware stack can still hand the builder its own `reqwest::Client`.
//! Credentials are not shown to hooks: header and query credentials are added after the hooks
//! run (a cookie credential excepted: it shares the `Cookie` header with cookie parameters).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::error::Error;

/// An attempt about to be sent.
#[derive(Debug)]
pub struct HookRequest<'a> {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: &'a Method,
    /// The path as the spec writes it (`/ctas/{ctaId}`), without parameter values.
    pub url_template: &'static str,
    /// 1 for the first attempt, 2 for the first retry...
    pub attempt: u32,
    /// The attempt's headers (credentials excluded); a hook may add or change them.
    pub headers: &'a mut HeaderMap,
}

/// How an attempt ended.
#[derive(Debug)]
pub struct HookResponse<'a> {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: &'a Method,
    /// The path as the spec writes it.
    pub url_template: &'static str,
    /// Which attempt this was.
    pub attempt: u32,
    /// The status, when the server answered (any status: retries see 429s and 503s too).
    pub status: Option<StatusCode>,
    /// The response headers, when the server answered.
    pub headers: Option<&'a HeaderMap>,
    /// The failure, when there was no response.
    pub error: Option<&'a Error>,
    /// From sending to the whole body read (or the failure).
    pub elapsed: Duration,
}

/// Code run around every attempt; both methods default to doing nothing.
pub trait Hook: Send + Sync + 'static {
    /// Before an attempt is sent.
    fn before_request(&self, request: &mut HookRequest<'_>) {
        let _ = request;
    }

    /// After an attempt ends.
    fn after_response(&self, response: &HookResponse<'_>) {
        let _ = response;
    }
}

/// The hooks of a client, run in the order they were added.
#[derive(Clone, Default)]
pub struct Hooks(pub(crate) Vec<Arc<dyn Hook>>);

impl Hooks {
    /// Adds a hook after the others.
    pub fn push(&mut self, hook: impl Hook) {
        self.0.push(Arc::new(hook));
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hooks({})", self.0.len())
    }
}
