//! Credentials: where each secret goes (header, query, cookie, bearer, basic) and how it is encoded.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::error::{CredentialError, Error};
use super::secret::Secret;

/// Where a credential goes.
#[derive(Debug, Clone)]
pub enum Placement {
    /// An API key in this header.
    Header(HeaderName),
    /// An API key in this query parameter.
    Query(&'static str),
    /// An API key in this cookie.
    Cookie(&'static str),
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <base64(user:password)>`.
    Basic,
}

/// A credential ready to attach to requests.
#[derive(Debug, Clone)]
pub struct Credential {
    /// Where it goes.
    pub placement: Placement,
    /// Its value, or where to get it.
    pub value: CredentialSource,
}

impl Credential {
    /// A credential sent as `placement` says.
    pub fn new(placement: Placement, value: CredentialSource) -> Self {
        Self { placement, value }
    }

    /// An API key sent in header `name` (matched case-insensitively, so sent in lower case).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `name` is not a valid header name.
    pub fn header(name: &str, value: CredentialSource) -> Result<Self, Error> {
        let header = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
        Ok(Self::new(Placement::Header(header), value))
    }
}

/// A credential's value: fixed when the client is built, or asked of a provider before every
/// attempt.
#[derive(Debug, Clone)]
pub enum CredentialSource {
    /// The same value on every request.
    Fixed(Secret),
    /// A value from a provider (a rotating key, a vault, an OAuth 2.0 token endpoint).
    Provider(Arc<dyn CredentialProvider>),
}

impl CredentialSource {
    /// A fixed value.
    pub fn fixed(value: impl Into<String>) -> Self {
        Self::Fixed(Secret::new(value))
    }

    /// A value asked of `provider` before every attempt.
    pub fn provider(provider: impl CredentialProvider) -> Self {
        Self::Provider(Arc::new(provider))
    }
}

/// Providers show as a placeholder: what they hold is theirs to show.
impl fmt::Debug for dyn CredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialProvider(..)")
    }
}

/// What a credential provider returns: the credential, when it is ready.
pub type CredentialFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, Error>> + Send + 'a>>;

/// What a provider may use to get a credential: the client's HTTP client (its connection pool,
/// TLS and proxy settings) and base URL (a relative token URL resolves against it).
#[derive(Debug)]
pub struct ProviderContext<'a> {
    /// The client's HTTP client.
    pub http: &'a reqwest::Client,
    /// The client's base URL, without a trailing `/`.
    pub base_url: &'a str,
}

/// Anything that supplies a credential per request: a key rotated by a vault, a token from an
/// identity provider, an OAuth 2.0 client-credentials flow (`ClientCredentials`, in clients
/// whose spec declares one).
///
/// Closures implement it: `|| async { Ok(std::env::var("API_KEY")?) }` is asked before every
/// attempt. A provider that fetches over the network should cache what it fetched.
pub trait CredentialProvider: Send + Sync + 'static {
    /// The credential to send now. Called before every attempt, after the request hooks, so
    /// hooks never see it. An error fails the attempt with [`Error::Credentials`] (retried
    /// under the retry policy when [`CredentialError::retryable`]); nothing is sent.
    fn credential<'a>(&'a self, context: &'a ProviderContext<'a>) -> CredentialFuture<'a>;

    /// The API answered 401 Unauthorized to a request that carried `sent`. Forget it and return
    /// `true` when a new credential may be accepted: the call is then sent once more (a 401
    /// means the request was not processed, so even a create may be). Default: `false`.
    fn rejected(&self, sent: &Secret) -> bool {
        let _ = sent;
        false
    }
}

/// A shared provider: the caller keeps a handle (to inspect or share it between clients).
impl<P: CredentialProvider + ?Sized> CredentialProvider for Arc<P> {
    fn credential<'a>(&'a self, context: &'a ProviderContext<'a>) -> CredentialFuture<'a> {
        (**self).credential(context)
    }

    fn rejected(&self, sent: &Secret) -> bool {
        (**self).rejected(sent)
    }
}

/// A closure's error: anything that converts into a boxed error (`?` on most errors does).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<F, Fut> CredentialProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
{
    fn credential<'a>(&'a self, _context: &'a ProviderContext<'a>) -> CredentialFuture<'a> {
        let future = self();
        Box::pin(async move {
            future.await.map(Secret::new).map_err(|source| {
                let mut error =
                    CredentialError::new(format!("the credential provider failed: {source}"));
                error.source = Some(source);
                Error::Credentials(Box::new(error))
            })
        })
    }
}

/// Which of a client's `N` credentials requests send, given which are `set`: the members of
/// the first security alternative whose credentials are all set (an alternative lists indices
/// and needs all of them); when no alternative is complete, every credential that is set.
pub fn select_credentials<const N: usize>(alternatives: &[&[usize]], set: [bool; N]) -> [bool; N] {
    let complete = alternatives.iter().find(|alternative| {
        !alternative.is_empty()
            && alternative
                .iter()
                .all(|index| set.get(*index).copied().unwrap_or(false))
    });
    match complete {
        Some(alternative) => {
            let mut selected = [false; N];
            for index in alternative.iter() {
                if let Some(slot) = selected.get_mut(*index) {
                    *slot = true;
                }
            }
            selected
        }
        None => set,
    }
}

/// One credential as it travels.
pub(crate) enum Encoded {
    Header(HeaderName, HeaderValue),
    Query(&'static str, Secret),
    Cookie(String),
}

/// Checks a credential's value and encodes it for where it goes; errors never show the value.
pub(crate) fn encode(placement: &Placement, secret: &Secret) -> Result<Encoded, Error> {
    let value = secret.expose();
    if value.is_empty() || value.chars().any(|c| c.is_control()) {
        return Err(Error::Config(
            "a credential is empty or contains control characters".to_owned(),
        ));
    }
    let header = |text: String| {
        header_value_sensitive(&text).map_err(|_| {
            Error::Config(
                "a credential contains characters that cannot be sent in a header".to_owned(),
            )
        })
    };
    Ok(match placement {
        Placement::Header(name) => Encoded::Header(name.clone(), header(value.to_owned())?),
        Placement::Bearer => Encoded::Header(
            reqwest::header::AUTHORIZATION,
            header(format!("Bearer {value}"))?,
        ),
        Placement::Basic => Encoded::Header(
            reqwest::header::AUTHORIZATION,
            header(format!("Basic {}", base64(value.as_bytes())))?,
        ),
        Placement::Query(name) => Encoded::Query(name, secret.clone()),
        Placement::Cookie(name) => {
            if value.contains([';', ' ', ',', '"']) {
                return Err(Error::Config(
                    "a cookie credential contains characters that cannot be sent in a cookie"
                        .to_owned(),
                ));
            }
            Encoded::Cookie(format!("{name}={value}"))
        }
    })
}

/// Credentials sorted by where they go: default headers, query pairs and one cookie text for
/// the fixed ones, and the providers asked before every attempt.
pub(crate) struct CredentialSet {
    pub(crate) headers: HeaderMap,
    pub(crate) query: Vec<(&'static str, Secret)>,
    pub(crate) cookie: Option<Secret>,
    pub(crate) providers: Vec<(Placement, Arc<dyn CredentialProvider>)>,
}

impl CredentialSet {
    /// Checks and encodes each fixed credential once, when the client is built.
    pub(crate) fn new(credentials: Vec<Credential>) -> Result<Self, Error> {
        let mut headers = HeaderMap::new();
        let mut query = Vec::new();
        let mut cookies = Vec::new();
        let mut providers = Vec::new();
        for credential in credentials {
            let secret = match credential.value {
                CredentialSource::Fixed(secret) => secret,
                CredentialSource::Provider(provider) => {
                    providers.push((credential.placement, provider));
                    continue;
                }
            };
            match encode(&credential.placement, &secret)? {
                Encoded::Header(name, value) => {
                    headers.insert(name, value);
                }
                Encoded::Query(name, secret) => query.push((name, secret)),
                Encoded::Cookie(cookie) => cookies.push(cookie),
            }
        }
        // Kept apart from the other headers: a request sends one `Cookie` header, joining these
        // with the operation's cookie parameters.
        let cookie = (!cookies.is_empty()).then(|| Secret::new(cookies.join("; ")));
        if let Some(cookie) = &cookie {
            header_value_sensitive(cookie.expose())?;
        }
        Ok(Self {
            headers,
            query,
            cookie,
            providers,
        })
    }
}

pub(crate) fn header_value_sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| Error::Config("a credential cannot be sent in a header".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Standard base64 for HTTP basic credentials.
pub(crate) fn base64(input: &[u8]) -> String {
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

/// The one `Cookie` header of a request: credential cookies, then the operation's cookie parameters.
pub(crate) fn cookie_header(
    credentials: &[&str],
    headers: &[(&'static str, String)],
) -> Option<String> {
    let parameters = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
        .map(|(_, value)| value.as_str());
    let parts: Vec<&str> = credentials.iter().copied().chain(parameters).collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cookie_header_joins_credentials_and_parameters() {
        let secret = "session=s3cr3t";
        let headers = vec![
            ("cookie", "theme=dark".to_owned()),
            ("x-trace", "1".to_owned()),
            ("Cookie", "lang=en".to_owned()),
        ];
        assert_eq!(
            cookie_header(&[secret], &headers).as_deref(),
            Some("session=s3cr3t; theme=dark; lang=en")
        );
        assert_eq!(cookie_header(&[], &headers[1..2]), None);
        assert_eq!(
            cookie_header(&[], &headers[..1]).as_deref(),
            Some("theme=dark")
        );
    }

    fn credential(placement: Placement, value: &str) -> Credential {
        Credential::new(placement, CredentialSource::fixed(value))
    }

    #[test]
    fn credentials_go_where_their_scheme_says() {
        let set = CredentialSet::new(vec![
            credential(Placement::Header(HeaderName::from_static("x-key")), "k1"),
            credential(Placement::Basic, "user:pass"),
            credential(Placement::Query("api_key"), "q1"),
            credential(Placement::Cookie("session"), "c1"),
        ])
        .unwrap();
        assert_eq!(set.headers["x-key"], "k1");
        assert!(set.headers["x-key"].is_sensitive());
        assert_eq!(set.headers["authorization"], "Basic dXNlcjpwYXNz");
        assert_eq!(set.query.len(), 1);
        assert_eq!(set.query[0].0, "api_key");
        assert_eq!(set.cookie.as_ref().map(Secret::expose), Some("session=c1"));
    }

    #[test]
    fn unsafe_credentials_are_refused_without_showing_them() {
        for (placement, value) in [
            (Placement::Bearer, ""),
            (Placement::Bearer, "a\nb"),
            (Placement::Cookie("s"), "a;b"),
        ] {
            let Err(Error::Config(message)) =
                CredentialSet::new(vec![credential(placement, value)])
            else {
                panic!("accepted {value:?}");
            };
            assert!(value.is_empty() || !message.contains(value), "{message}");
        }
    }

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn the_first_complete_alternative_is_sent() {
        let alternatives: &[&[usize]] = &[&[0], &[1, 2]];
        // Only the second alternative is complete: both of its members go, not the lone third.
        assert_eq!(
            select_credentials(alternatives, [false, true, true]),
            [false, true, true]
        );
        // Both complete: the first wins, the others stay home.
        assert_eq!(
            select_credentials(alternatives, [true, true, true]),
            [true, false, false]
        );
        // None complete: whatever was set is sent, as before alternatives were known.
        assert_eq!(
            select_credentials(alternatives, [false, true, false]),
            [false, true, false]
        );
        assert_eq!(select_credentials(&[], [true, false]), [true, false]);
    }

    #[test]
    fn a_header_credential_is_named_in_lower_case_and_checked() {
        let credential = Credential::header("AccessKey", CredentialSource::fixed("k")).unwrap();
        assert!(matches!(&credential.placement, Placement::Header(name) if name == "accesskey"));
        let invalid = Credential::header("bad name", CredentialSource::fixed("k")).unwrap_err();
        assert!(
            invalid
                .to_string()
                .contains("`bad name` is not a valid header name"),
            "{invalid}"
        );
    }
}
