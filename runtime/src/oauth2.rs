//! OAuth 2.0 client-credentials flow (RFC 6749 §4.4): fetches an access token, caches it,
//! refreshes it before it expires and after a 401, and never shows it.

use std::fmt;
use std::time::{Duration, Instant};

use futures_util::lock::Mutex;
use reqwest::StatusCode;

use super::credentials::{base64, CredentialFuture, CredentialProvider, ProviderContext};
use super::error::{CredentialError, Error};
use super::secret::Secret;

/// How the client proves who it is to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// HTTP basic authentication with the form-encoded id and secret (RFC 6749 §2.3.1; every
    /// server must accept it).
    Basic,
    /// `client_id` and `client_secret` in the form body, for servers that ask for that.
    Body,
}

/// Access tokens from an OAuth 2.0 token endpoint with the client-credentials grant.
///
/// The token is fetched on first use and shared by every call (one fetch at a time, however
/// many calls wait), refreshed shortly before `expires_in` says it expires, and fetched anew
/// once when the API answers 401. It never appears in `Debug` output, logs or errors, nor does
/// the client secret.
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scopes: Vec<String>,
    parameters: Vec<(String, String)>,
    authentication: ClientAuthentication,
    cached: Mutex<Option<Token>>,
}

/// A token and when to stop using it.
struct Token {
    value: Secret,
    refresh_at: Option<Instant>,
}

impl ClientCredentials {
    /// Tokens from `token_url` (absolute, or relative to the client's base URL) for this client.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            scopes: Vec::new(),
            parameters: Vec::new(),
            authentication: ClientAuthentication::Basic,
            cached: Mutex::new(None),
        }
    }

    /// The scopes to ask for (none by default: the server's default scopes).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// An extra form parameter of the token request, such as `audience` or `resource`.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push((name.into(), value.into()));
        self
    }

    /// How the client authenticates to the token endpoint (default: HTTP basic).
    pub fn authentication(mut self, authentication: ClientAuthentication) -> Self {
        self.authentication = authentication;
        self
    }

    /// Fetches a token from the endpoint.
    async fn fetch(&self, context: &ProviderContext<'_>) -> Result<Token, Error> {
        let url = token_url(&self.token_url, context.base_url)?;
        let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
        let scope = self.scopes.join(" ");
        if !scope.is_empty() {
            form.push(("scope", &scope));
        }
        form.extend(
            self.parameters
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        );
        let mut request = context
            .http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json");
        match self.authentication {
            ClientAuthentication::Basic => {
                // Each form-encoded first: the encoder writes `=value`, the value is wanted.
                let encode = |text: &str| {
                    serde_urlencoded::to_string([("", text)])
                        .ok()
                        .and_then(|pair| pair.strip_prefix('=').map(str::to_owned))
                        .ok_or_else(|| {
                            failure("the client id or secret cannot be form-encoded", None)
                        })
                };
                let pair = format!(
                    "{}:{}",
                    encode(&self.client_id)?,
                    encode(self.client_secret.expose())?
                );
                let mut value = reqwest::header::HeaderValue::from_str(&format!(
                    "Basic {}",
                    base64(pair.as_bytes())
                ))
                .map_err(|_| failure("the client credentials cannot be sent in a header", None))?;
                value.set_sensitive(true);
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            ClientAuthentication::Body => {
                form.push(("client_id", &self.client_id));
                form.push(("client_secret", self.client_secret.expose()));
            }
        }
        let body = serde_urlencoded::to_string(&form)
            .map_err(|_| failure("the token request cannot be form-encoded", None))?;
        let requested = Instant::now();
        let response = request
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            return Err(refused(status, &bytes));
        }
        let answer: TokenResponse = serde_json::from_slice(&bytes).map_err(|_| {
            // The body is left out: it may hold a token.
            failure(
                "the token endpoint's answer is not JSON with an `access_token`",
                Some(status),
            )
        })?;
        if let Some(kind) = &answer.token_type {
            if !kind.eq_ignore_ascii_case("bearer") {
                return Err(failure(
                    &format!("the token endpoint issued a `{kind}` token; only bearer tokens can be sent"),
                    Some(status),
                ));
            }
        }
        let lifetime = answer.expires_in.and_then(ExpiresIn::seconds);
        Ok(Token {
            value: Secret::new(answer.access_token),
            refresh_at: lifetime.map(|lifetime| requested + usable_for(lifetime)),
        })
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .field("authentication", &self.authentication)
            .finish_non_exhaustive()
    }
}

impl CredentialProvider for ClientCredentials {
    fn credential<'a>(&'a self, context: &'a ProviderContext<'a>) -> CredentialFuture<'a> {
        Box::pin(async move {
            // Held across the fetch: calls that need a token meanwhile wait for this one.
            let mut cached = self.cached.lock().await;
            if let Some(token) = cached.as_ref() {
                if token.refresh_at.is_none_or(|at| Instant::now() < at) {
                    return Ok(token.value.clone());
                }
            }
            let token = self.fetch(context).await?;
            let value = token.value.clone();
            *cached = Some(token);
            Ok(value)
        })
    }

    fn rejected(&self, sent: &Secret) -> bool {
        // A call waiting on the lock is fetching: a new token is coming either way.
        let Some(mut cached) = self.cached.try_lock() else {
            return true;
        };
        // Dropped only if it is still the one sent: another call may have replaced it already.
        if cached.as_ref().is_some_and(|token| &token.value == sent) {
            *cached = None;
        }
        true
    }
}

/// The token endpoint's answer (RFC 6749 §5.1).
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<ExpiresIn>,
}

/// `expires_in` as a number, or as a string of one (some servers quote it).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum ExpiresIn {
    Seconds(f64),
    Text(String),
}

impl ExpiresIn {
    fn seconds(self) -> Option<Duration> {
        let seconds = match self {
            Self::Seconds(seconds) => seconds,
            Self::Text(text) => text.trim().parse().ok()?,
        };
        Duration::try_from_secs_f64(seconds).ok()
    }
}

/// How long a token with this lifetime is used: until a tenth of it (at most a minute) is
/// left, so a call never carries a token that expires on the way.
pub(crate) fn usable_for(lifetime: Duration) -> Duration {
    lifetime.saturating_sub((lifetime / 10).min(Duration::from_secs(60)))
}

/// The token URL, resolved against the base URL when relative.
fn token_url(token_url: &str, base_url: &str) -> Result<reqwest::Url, Error> {
    let resolved = if token_url.contains("://") {
        reqwest::Url::parse(token_url)
    } else {
        reqwest::Url::parse(&format!("{base_url}/")).and_then(|base| base.join(token_url))
    };
    resolved.map_err(|e| {
        failure(
            &format!("the token URL `{token_url}` is not a URL: {e}"),
            None,
        )
    })
}

fn failure(message: &str, status: Option<StatusCode>) -> Error {
    let mut error = CredentialError::new(message);
    error.status = status;
    Error::Credentials(Box::new(error))
}

/// The token endpoint could not be reached or its answer was cut: worth another try.
fn unreachable(source: reqwest::Error) -> Error {
    let mut error = CredentialError::new(format!(
        "the token endpoint could not be reached: {}",
        source.without_url()
    ));
    error.retryable = true;
    Error::Credentials(Box::new(error))
}

/// An error status from the token endpoint, with its OAuth error code and description.
fn refused(status: StatusCode, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct OAuthError {
        error: Option<String>,
        error_description: Option<String>,
    }
    let answer = serde_json::from_slice::<OAuthError>(body).ok();
    let code = answer.as_ref().and_then(|a| a.error.clone());
    let description = answer.and_then(|a| a.error_description);
    let mut error = CredentialError::new(match description {
        Some(description) => format!("the token endpoint refused: {description}"),
        None => "the token endpoint refused".to_owned(),
    });
    error.status = Some(status);
    error.code = code;
    error.retryable = matches!(status.as_u16(), 429 | 500..=599);
    Error::Credentials(Box::new(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_used_until_a_tenth_of_its_life_or_a_minute_is_left() {
        assert_eq!(
            usable_for(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(
            usable_for(Duration::from_secs(100)),
            Duration::from_secs(90)
        );
        assert_eq!(usable_for(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn expires_in_may_be_a_number_or_a_quoted_one() {
        let parse = |json: &str| {
            serde_json::from_str::<TokenResponse>(json)
                .unwrap()
                .expires_in
                .and_then(ExpiresIn::seconds)
        };
        assert_eq!(
            parse(r#"{"access_token":"t","expires_in":60}"#),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse(r#"{"access_token":"t","expires_in":"60"}"#),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse(r#"{"access_token":"t","expires_in":-1}"#), None);
        assert_eq!(parse(r#"{"access_token":"t"}"#), None);
    }

    #[test]
    fn a_relative_token_url_resolves_against_the_base_url() {
        let at = |url: &str| {
            token_url(url, "https://api.example.com/v1")
                .unwrap()
                .to_string()
        };
        assert_eq!(at("/oauth/token"), "https://api.example.com/oauth/token");
        assert_eq!(at("oauth/token"), "https://api.example.com/v1/oauth/token");
        assert_eq!(
            at("https://auth.example.com/t"),
            "https://auth.example.com/t"
        );
        assert!(token_url("http://[", "https://api.example.com").is_err());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let credentials = ClientCredentials::new("https://a/t", "id-1", "very-secret");
        let shown = format!("{credentials:?}");
        assert!(
            shown.contains("id-1") && !shown.contains("very-secret"),
            "{shown}"
        );
    }
}
