//! The client's one error type: API errors with server code and request id, decode, transport and configuration errors.

use std::fmt;
use std::time::Duration;

pub use reqwest::StatusCode;

/// How many bytes of a response body an error keeps.
pub(crate) const BODY_EXCERPT_LIMIT: usize = 2048;

/// Everything that can go wrong when calling the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status, or with a failure flag in its response envelope.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The server answered, but the body did not match the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request did not complete: connection failure, timeout, reset.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// The client was configured with a value it cannot use safely; the message says which.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// The request could not be encoded.
    #[error("could not encode the request: {0}")]
    Encode(String),
    /// Paging through results stopped because the server misbehaved or a limit was reached.
    #[error("pagination stopped: {0}")]
    Pagination(String),
    /// The call's deadline (over all attempts and the waits between them) passed while an
    /// attempt was in flight. When it would pass during a wait, the last attempt's error is
    /// returned instead.
    #[error(transparent)]
    Deadline(Box<DeadlineError>),
    /// A credential provider could not supply a credential: for example the OAuth 2.0 token
    /// endpoint refused the client or could not be reached. Nothing was sent to the API.
    #[error(transparent)]
    Credentials(Box<CredentialError>),
    /// The client was built with `dry_run`: the call was assembled, and not sent.
    #[error("not sent (dry run): {} {}", .0.method, .0.url)]
    DryRun(Box<DryRun>),
}

/// A request as it would have been sent, from a client built with `dry_run`: credentials (in
/// headers, the query or a cookie) are shown as `<redacted>`.
#[derive(Debug, Clone)]
pub struct DryRun {
    /// HTTP method.
    pub method: reqwest::Method,
    /// The whole URL, query included.
    pub url: String,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body, unless there is none or it is a stream.
    pub body: Option<bytes::Bytes>,
    /// Whether the body is a stream, which a dry run does not read.
    pub streamed_body: bool,
}

/// What a dry run shows in place of a credential.
pub(crate) const REDACTED: &str = "<redacted>";

impl fmt::Display for DryRun {
    /// The request as an HTTP message: request line, headers, a blank line and the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        match &self.body {
            Some(body) => match std::str::from_utf8(body) {
                Ok(text) => write!(f, "\n{text}"),
                Err(_) => write!(f, "\n<{} bytes of binary data>", body.len()),
            },
            None if self.streamed_body => write!(f, "\n<streamed body>"),
            None => Ok(()),
        }
    }
}

/// Why a credential provider could not supply a credential. It never holds the credential.
#[derive(Debug)]
pub struct CredentialError {
    /// What went wrong.
    pub message: String,
    /// The HTTP status of the token endpoint, when it answered.
    pub status: Option<StatusCode>,
    /// The OAuth 2.0 error code (`invalid_client`, `invalid_scope`), when one was sent.
    pub code: Option<String>,
    /// Whether trying again later may succeed: the endpoint could not be reached, was rate
    /// limiting or failing. Calls retry such failures under their retry policy.
    pub retryable: bool,
    /// The underlying error, such as the provider's own or a transport failure.
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl CredentialError {
    /// A failure described by `message`, not worth retrying.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: None,
            code: None,
            retryable: false,
            source: None,
        }
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not get a credential: {}", self.message)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status}")?;
            if let Some(code) = &self.code {
                write!(f, ", {code}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for CredentialError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// A call cut short by its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineError {
    /// The deadline, counted from the start of the call.
    pub deadline: Duration,
    /// Attempts started, the one cut short included.
    pub attempts: u32,
}

impl fmt::Display for DeadlineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the call's deadline of {:?} passed during attempt {}",
            self.deadline, self.attempts
        )
    }
}

impl std::error::Error for DeadlineError {}

/// An error reported by the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// The server's error code (e.g. `GS_APIG_2401`), when it sent one.
    pub code: Option<String>,
    /// The server's error message, when it sent one.
    pub message: Option<String>,
    /// The server's request id, for support tickets.
    pub request_id: Option<String>,
    /// The start of the response body, at most 2 KiB.
    pub body: String,
    /// How long the server asked to wait before retrying (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// What the client suspects went wrong on its side (e.g. a base URL missing the API's
    /// path prefix, for a 404).
    pub hint: Option<String>,
    /// The whole response body, for [`ApiError::body_as`].
    pub(crate) raw_body: RawBody,
}

impl ApiError {
    /// The server's error message, when it sent one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The server's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Decodes the whole error body as `T`, typically the error schema the operation's
    /// documentation names for this status.
    ///
    /// # Errors
    ///
    /// When the body is not JSON of that shape.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.raw_body.0)
    }
}

/// A response body kept whole; `Debug` shows its length only.
#[derive(Clone, Default)]
pub(crate) struct RawBody(pub(crate) bytes::Bytes);

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// A response body that could not be decoded into the expected type.
#[derive(Debug, Clone)]
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// JSON path of the value that failed (e.g. `data.DueDate`); `.` for the whole body.
    pub path: String,
    /// What was wrong with it.
    pub message: String,
    /// The start of the response body, at most 2 KiB.
    pub body: String,
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made: the request never reached the server.
    Connect,
    /// The connect or request timeout passed.
    Timeout,
    /// Anything else: a reset, a truncated body, a protocol error.
    Other,
}

/// A request that did not complete.
#[derive(Debug)]
pub struct TransportError {
    /// What happened.
    pub kind: TransportErrorKind,
    /// The underlying error from the HTTP stack.
    pub source: reqwest::Error,
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            Self::Transport(e) => e.source.status(),
            Self::Config(_)
            | Self::Encode(_)
            | Self::Pagination(_)
            | Self::Deadline(_)
            | Self::Credentials(_)
            | Self::DryRun(_) => None,
        }
    }

    /// The server's error message, when it sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.message.as_deref(),
            _ => None,
        }
    }

    /// The server's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.code.as_deref(),
            _ => None,
        }
    }

    /// The server's request id, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again later (rate limits, gateway errors, transport failures).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => is_retryable_status(e.status),
            // Connection failures, timeouts and resets are all worth another try.
            Self::Transport(_) => true,
            Self::Credentials(e) => e.retryable,
            Self::Decode(_)
            | Self::Config(_)
            | Self::Encode(_)
            | Self::Pagination(_)
            | Self::Deadline(_)
            | Self::DryRun(_) => false,
        }
    }

    /// Whether this is a timeout: an attempt's, or the call's deadline.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(e) if e.kind == TransportErrorKind::Timeout)
            || matches!(self, Self::Deadline(_))
    }

    pub(crate) fn transport(source: reqwest::Error) -> Self {
        let kind = if source.is_timeout() {
            TransportErrorKind::Timeout
        } else if source.is_connect() {
            TransportErrorKind::Connect
        } else {
            TransportErrorKind::Other
        };
        // The URL is dropped because a credential may travel in its query string.
        Self::Transport(Box::new(TransportError {
            kind,
            source: source.without_url(),
        }))
    }
}

/// Statuses that mean "try again later": rate limiting and gateway trouble.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error: HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, ", code {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {request_id})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response (HTTP {}) at `{}`: {}",
            self.status, self.path, self.message
        )
    }
}

impl std::error::Error for DecodeError {}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "the request timed out",
            TransportErrorKind::Other => "the request failed",
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The first [`BODY_EXCERPT_LIMIT`] bytes of a body as text, cut on a character boundary.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_EXCERPT_LIMIT)]);
    text.trim_end_matches('\u{FFFD}').to_owned()
}
