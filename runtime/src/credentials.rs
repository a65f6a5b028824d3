//! Credentials: where each secret goes (header, query, cookie, bearer, basic) and how it is encoded.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::error::Error;
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
    /// The secret.
    pub value: Secret,
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

/// Credentials sorted by where they go: default headers, query pairs and one cookie text.
pub(crate) struct CredentialSet {
    pub(crate) headers: HeaderMap,
    pub(crate) query: Vec<(&'static str, Secret)>,
    pub(crate) cookie: Option<Secret>,
}

impl CredentialSet {
    /// Checks and encodes each credential once, when the client is built.
    pub(crate) fn new(credentials: Vec<Credential>) -> Result<Self, Error> {
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
        Ok(Self {
            headers,
            query: query_credentials,
            cookie,
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

#[cfg(test)]
mod tests {
    use super::*;

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

    fn credential(placement: Placement, value: &str) -> Credential {
        Credential {
            placement,
            value: Secret::new(value),
        }
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
}
