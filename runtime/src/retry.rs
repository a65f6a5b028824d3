//! Retries: the policy (attempts, backoff with jitter) and the classifier that says whether an
//! outcome may be retried and after how long.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

use super::error::{is_retryable_status, Error, TransportErrorKind};

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

    pub(crate) fn backoff(&self, retry: u32) -> Duration {
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

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
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

/// What the classifier says about one attempt's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Final: return it (success, or an error that must not be repeated).
    Done,
    /// May be sent again, after the delay the server asked for (if any).
    Retry {
        /// `Retry-After`, when the server sent one.
        after: Option<Duration>,
    },
}

/// A response: rate limits and gateway errors are retried; only a 429 (not processed) is
/// retried for a request that is not idempotent, since a gateway error may hide a processed one.
pub(crate) fn classify_response(
    status: StatusCode,
    headers: &HeaderMap,
    idempotent: bool,
) -> Verdict {
    if !is_retryable_status(status) || (status != StatusCode::TOO_MANY_REQUESTS && !idempotent) {
        return Verdict::Done;
    }
    Verdict::Retry {
        after: retry_after(headers),
    }
}

/// A failed attempt: a refused connection never reached the server, so it is always safe to
/// repeat; any other transport failure may have, so only idempotent requests are repeated.
pub(crate) fn classify_error(error: &Error, idempotent: bool) -> Verdict {
    let never_sent = matches!(error, Error::Transport(t) if t.kind == TransportErrorKind::Connect);
    if never_sent || (idempotent && matches!(error, Error::Transport(_))) {
        Verdict::Retry { after: None }
    } else {
        Verdict::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_429_is_retried_for_a_create() {
        let headers = HeaderMap::new();
        let retry = Verdict::Retry { after: None };
        assert_eq!(
            classify_response(StatusCode::TOO_MANY_REQUESTS, &headers, false),
            retry
        );
        assert_eq!(
            classify_response(StatusCode::BAD_GATEWAY, &headers, false),
            Verdict::Done
        );
        assert_eq!(
            classify_response(StatusCode::BAD_GATEWAY, &headers, true),
            retry
        );
        assert_eq!(
            classify_response(StatusCode::NOT_FOUND, &headers, true),
            Verdict::Done
        );
        assert_eq!(
            classify_response(StatusCode::OK, &headers, true),
            Verdict::Done
        );
    }

    #[test]
    fn retry_after_is_read_as_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(
            classify_response(StatusCode::SERVICE_UNAVAILABLE, &headers, true),
            Verdict::Retry {
                after: Some(Duration::from_secs(7))
            }
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_without_jitter() {
        let policy = RetryPolicy {
            jitter: false,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.backoff(0), Duration::from_millis(250));
        assert_eq!(policy.backoff(2), Duration::from_millis(1000));
        assert_eq!(policy.backoff(20), policy.max_delay);
    }
}
