//! Support of the generated wire tests: the mock server to call, and the checks every call's outcome must pass.
//!
//! A generated crate's `tests/wire.rs` calls each operation with arguments synthesised from the
//! spec against the server named by [`BASE_URL_VAR`] (usually Prism serving the same spec), then
//! hands the outcome to [`check`]. A failure panics with a message that starts with the stage
//! that failed (`wire[request]`, `wire[status]`, `wire[decode]`, `wire[round-trip]`), or
//! `wire[mock]` when the mock could not answer at all, which the corpus runner counts per
//! operation.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::decode::ApiResponse;
use super::error::Error;
use super::extra::serialize_declared_only;

/// A response header a mock proxy sets when it answered in the mock's place (the mock failed
/// to build a response itself); a passing test prints it as `wire[fallback]`.
pub const FALLBACK_HEADER: &str = "x-wire-mock-fallback";

/// The environment variable naming the mock server's base URL.
pub const BASE_URL_VAR: &str = "WIRE_TEST_BASE_URL";

/// The mock server's base URL.
///
/// # Panics
///
/// When [`BASE_URL_VAR`] is not set: the wire tests have nothing to call.
pub fn base_url() -> String {
    match std::env::var(BASE_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "wire[setup]: set {BASE_URL_VAR} to a mock server of this API, \
             e.g. `prism mock --errors -d spec.yaml` and {BASE_URL_VAR}=http://127.0.0.1:4010"
        ),
    }
}

/// A value of type `T` from the JSON text the generator synthesised for it.
///
/// # Panics
///
/// When the JSON does not fit `T` (a generator bug, or an `example` that contradicts its schema).
pub fn sample<T: DeserializeOwned>(what: &str, json: &str) -> T {
    match serde_json::from_str(json) {
        Ok(value) => value,
        Err(error) => panic!("wire[synthesise]: {what}: {json} does not fit its type: {error}"),
    }
}

/// What an operation's outcome is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    /// The operation, for messages.
    pub operation: &'static str,
    /// The path template as the spec writes it.
    pub path: &'static str,
    /// Status keys the spec declares (`200`, `4XX`, `default`).
    pub statuses: &'static [&'static str],
    /// The envelope property holding the payload, when the payload is unwrapped from one.
    pub envelope_data: Option<&'static str>,
    /// Whether the payload is JSON to compare with the body received.
    pub json: bool,
    /// Every property name an alternative of some union declares, sorted. A received property
    /// that no field holds fails the round trip when it is one of these (a union decoded as the
    /// wrong alternative); other names are properties the receiving type does not declare
    /// (tenant fields, or a mock's invented ones), kept in `extra` by design.
    pub known_properties: &'static [&'static str],
    /// Parameters sent whose values OpenAPI gives no serialisation in their style (a list of
    /// objects in the query; the generator warned): a mock rejecting just those says the spec
    /// is ambiguous, not that the client is wrong (`wire[spec]`, counted as skipped).
    pub unencodable: &'static [&'static str],
}

/// Checks one call's outcome: a success whose payload re-serialises to the JSON received, or an
/// API error with a status the spec declares.
///
/// # Panics
///
/// With the failing stage and the reason, when the outcome is neither.
pub fn check<T: Serialize>(outcome: Result<ApiResponse<T>, Error>, expected: &Expected) {
    let operation = expected.operation;
    let response = match outcome {
        Ok(response) => response,
        Err(Error::Api(error)) => {
            if let Some(failure) = mock_report(error.status, &error.body, expected) {
                panic!("{failure}");
            }
            if !declares(expected.statuses, error.status.as_u16()) {
                panic!(
                    "wire[status]: {operation}: status {} is not declared (declared: {:?}); body: {}",
                    error.status, expected.statuses, error.body
                );
            }
            return;
        }
        Err(Error::Decode(error)) => panic!("wire[decode]: {operation}: {error}"),
        // A redirect is followed, as users want (GitHub's archive downloads), and the mock
        // fills `Location` with the spec's example, a host the test cannot reach.
        Err(error) if redirects_only(expected.statuses) => panic!(
            "wire[mock]: {operation}: {error} (the operation answers only with a redirect, \
             and the client followed the mock's `Location` out of the mock)"
        ),
        Err(error) => panic!("wire[transport]: {operation}: {error}"),
    };
    if !declares(expected.statuses, response.status.as_u16()) {
        panic!(
            "wire[status]: {operation}: status {} is not declared (declared: {:?})",
            response.status, expected.statuses
        );
    }
    if !expected.json {
        report_fallback(&response, operation);
        return;
    }
    if let Err(difference) = round_trip(&response, expected) {
        panic!("wire[round-trip]: {operation}: {difference}");
    }
    report_fallback(&response, operation);
}

/// Says so on stdout when the response was a mock proxy's rather than the mock's own.
fn report_fallback<T>(response: &ApiResponse<T>, operation: &str) {
    if let Some(why) = response.headers.get(FALLBACK_HEADER) {
        println!(
            "wire[fallback]: {operation}: {}",
            String::from_utf8_lossy(why.as_bytes())
        );
    }
}

/// The failure a mock's own problem report (Prism's `application/problem+json`) means, or
/// `None` when the body is not one: a 4xx is its verdict on the request (`wire[request]`); a 5xx
/// about its own output, or a route it cannot resolve for a path with a fragment, says nothing
/// about the client (`wire[mock]`, counted as skipped).
fn mock_report(status: reqwest::StatusCode, body: &str, expected: &Expected) -> Option<String> {
    if !body.contains("stoplight.io/prism/errors") {
        return None;
    }
    let operation = expected.operation;
    let problem = serde_json::from_str::<Value>(body).unwrap_or(Value::Null);
    let (about_request, mut summary) = mock_problem(&problem);
    // A path with a `#…` fragment (AWS's `/#X-Amz-Target=…` pseudo-paths) is sent without it,
    // as HTTP requires; a mock routing by the written path cannot find the operation.
    // The same for a method written under a fragment path (`DELETE /tags/{arn}#tagKeys`): the
    // route found is the one without the fragment, which lacks the method.
    // Segments after the `#` (`/send/#env/v1/…`): the request goes to the part before it,
    // which several operations share, and no server can tell them apart; the generator warned.
    let segments_unsent = expected
        .path
        .split_once('#')
        .is_some_and(|(_, fragment)| fragment.contains('/'));
    if segments_unsent && status == 404 && summary.starts_with("Route not resolved") {
        return Some(format!(
            "wire[spec]: {operation}: the mock answered {status} on its own: {summary} (the \
             path writes segments after `#`, which HTTP never sends, so the request cannot \
             name this operation)"
        ));
    }
    let unroutable = expected.path.contains('#')
        && ((status == 404 && summary.starts_with("Route not resolved"))
            || (status == 405 && summary.starts_with("Route resolved, but no method matched")));
    if unroutable {
        summary.push_str(
            " (the path's `#` fragment is not sent over HTTP, so the mock cannot route the \
             request to this operation)",
        );
    }
    let locations = violation_locations(&problem);
    let all_in =
        |test: &dyn Fn(&[&str]) -> bool| !locations.is_empty() && locations.iter().all(|l| test(l));
    // `/{pageName}{mediaTypeExtension}`: the path sent, `/sample.json`, is the template's, but
    // Prism cannot tell where one parameter ends and the next begins.
    let adjacent = expected.path.contains("}{")
        && all_in(&|l| matches!(l.first(), Some(&"path")) || l == ["path"]);
    if adjacent {
        summary.push_str(
            " (the template writes two parameters with nothing between them, which the mock \
             cannot split)",
        );
    }
    // OpenAPI says a header parameter named `Accept`, `Content-Type` or `Authorization` is to
    // be ignored, and the client does; Prism still checks the value against it.
    let ignored_header = all_in(&|l| {
        l.len() == 2
            && l[0] == "header"
            && ["accept", "content-type", "authorization"]
                .iter()
                .any(|h| l[1].eq_ignore_ascii_case(h))
    });
    if ignored_header {
        summary.push_str(
            " (a header parameter OpenAPI says to ignore, which the client does; the mock \
             checks it anyway)",
        );
    }
    let stage =
        if (status.is_server_error() && !about_request) || unroutable || adjacent || ignored_header
        {
            "mock"
        } else if only_unencodable(&locations, expected.unencodable) {
            summary.push_str(
                " (the spec gives these parameters no serialisation: a list or object nested in a \
             query, header or cookie value, which the generator warned about)",
            );
            "spec"
        } else {
            "request"
        };
    Some(format!(
        "wire[{stage}]: {operation}: the mock answered {status} on its own: {summary}"
    ))
}

/// One violation's location, as the report writes it (`["request", "query", "tags", "0"]`).
fn location_of(violation: &Value) -> Vec<&str> {
    violation
        .get("location")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Each violation's location (`["query", "tags", "0"]`), `request` in front dropped.
fn violation_locations(problem: &Value) -> Vec<Vec<&str>> {
    problem
        .get("validation")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|violation| {
            let mut location = location_of(violation);
            if location.first() == Some(&"request") {
                location.remove(0);
            }
            location
        })
        .collect()
}

/// Whether every violation a problem report lists is in one of the `unencodable` parameters
/// (Prism writes `query.tags.0` for `Tags`: names compared without case).
fn only_unencodable(locations: &[Vec<&str>], unencodable: &[&str]) -> bool {
    !unencodable.is_empty()
        && !locations.is_empty()
        && locations.iter().all(|location| {
            matches!(location.first(), Some(&("query" | "header" | "cookie")))
                && location
                    .get(1)
                    .is_some_and(|p| unencodable.iter().any(|name| p.eq_ignore_ascii_case(name)))
        })
}

/// Whether a mock's problem report (Prism's `application/problem+json`) is about the request,
/// and a one-line summary: its title and each violation's location and message.
fn mock_problem(problem: &Value) -> (bool, String) {
    let title = problem.get("title").and_then(Value::as_str).unwrap_or("");
    let mut about_request = false;
    let mut summary = title.to_owned();
    for violation in problem
        .get("validation")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let location = location_of(violation);
        // Prism locates request violations by part (`query`, `body`, or under `request`) and
        // its own output's under `response`.
        about_request |= location.first() != Some(&"response");
        let message = violation
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("");
        summary.push_str(&format!("; {}: {message}", location.join(".")));
    }
    (about_request, summary)
}

/// Whether `status` matches a declared key: the code itself, its `NXX` range, or `default`.
/// Whether every status the operation declares but `default` and errors is a 3xx.
fn redirects_only(statuses: &[&str]) -> bool {
    let mut answers = statuses
        .iter()
        .filter(|s| !s.eq_ignore_ascii_case("default") && !s.starts_with(['4', '5']))
        .peekable();
    answers.peek().is_some() && answers.all(|s| s.starts_with('3'))
}

fn declares(statuses: &[&str], status: u16) -> bool {
    let code = status.to_string();
    let range = format!("{}XX", status / 100);
    statuses
        .iter()
        .any(|s| *s == code || s.eq_ignore_ascii_case(&range) || *s == "default")
}

/// Compares the payload's declared fields, re-serialised, with the JSON received.
fn round_trip<T: Serialize>(response: &ApiResponse<T>, expected: &Expected) -> Result<(), String> {
    let mut received: Value = match serde_json::from_slice(&response.body) {
        Ok(json) => json,
        // A plain-text answer the client read as a string (see `decode::plain_text`).
        Err(e) => match super::decode::plain_text(&response.headers, &response.body) {
            Some(text) => Value::String(text.to_owned()),
            None => return Err(format!("the body decoded, but is not JSON: {e}")),
        },
    };
    if let Some(data) = expected.envelope_data {
        received = received.get(data).cloned().unwrap_or(Value::Null);
    }
    let decoded = serialize_declared_only(|| serde_json::to_value(&response.data))
        .map_err(|e| format!("the decoded value does not serialise: {e}"))?;
    equivalent(&decoded, &received, "$", expected.known_properties)
}

/// Whether `decoded` (re-serialised) carries what `received` does: objects compared key by key
/// in any order, a property absent on one side equal to `null` on the other, numbers by value,
/// date-times by instant. A received property absent after decoding counts only when its name
/// is in `known` (sorted): see [`Expected::known_properties`].
///
/// # Errors
///
/// The path of the first difference and what differs.
pub fn equivalent(
    decoded: &Value,
    received: &Value,
    path: &str,
    known: &[&str],
) -> Result<(), String> {
    match (decoded, received) {
        (Value::Object(decoded), Value::Object(received)) => {
            for (key, value) in received {
                let at = format!("{path}.{key}");
                match decoded.get(key) {
                    Some(mine) => equivalent(mine, value, &at, known)?,
                    None if value.is_null() => {}
                    None if known.binary_search(&key.as_str()).is_err() => {}
                    None => {
                        return Err(format!(
                            "{at} was received ({}) but no declared field holds it \
                             (it went into `extra`, or a union chose the wrong alternative)",
                            excerpt(value)
                        ))
                    }
                }
            }
            for (key, value) in decoded {
                if !received.contains_key(key) && !value.is_null() {
                    return Err(format!(
                        "{path}.{key} is {} after decoding but was not received",
                        excerpt(value)
                    ));
                }
            }
            Ok(())
        }
        (Value::Array(decoded), Value::Array(received)) => {
            if decoded.len() != received.len() {
                return Err(format!(
                    "{path}: {} items received, {} decoded",
                    received.len(),
                    decoded.len()
                ));
            }
            decoded
                .iter()
                .zip(received)
                .enumerate()
                .try_for_each(|(i, (mine, theirs))| {
                    equivalent(mine, theirs, &format!("{path}[{i}]"), known)
                })
        }
        (Value::Number(decoded), Value::Number(received)) => {
            // A `format: float` field holds the number received to single precision, the
            // precision its format declares: the same value, rounded as it must be.
            #[allow(clippy::cast_possible_truncation)]
            let same = decoded == received
                || matches!((decoded.as_f64(), received.as_f64()), (Some(a), Some(b))
                    if a == b || (f64::from(b as f32) == a && a.is_finite()));
            if same {
                Ok(())
            } else {
                Err(format!("{path}: received {received}, decoded {decoded}"))
            }
        }
        (Value::String(decoded), Value::String(received)) => {
            let same = decoded == received
                || matches!((instant(decoded), instant(received)), (Some(a), Some(b)) if a == b);
            if same {
                Ok(())
            } else {
                Err(format!(
                    "{path}: received {received:?}, decoded {decoded:?}"
                ))
            }
        }
        (decoded, received) if decoded == received => Ok(()),
        (decoded, received) => Err(format!(
            "{path}: received {}, decoded {}",
            excerpt(received),
            excerpt(decoded)
        )),
    }
}

fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// An RFC 3339 date-time as (seconds since the epoch, nanoseconds), so that `…T10:00:00+02:00`
/// and `…T08:00:00Z` compare equal; `None` for any other text.
fn instant(text: &str) -> Option<(i64, u32)> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let length = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let padded = format!("{:0<9}", &fraction[..length.min(9)]);
        nanos = padded.parse().ok()?;
        rest = &fraction[length..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KNOWN: &[&str] = &["a", "id", "items", "n", "publisher"];

    #[test]
    fn key_order_absent_nulls_and_number_forms_do_not_count() {
        let decoded = json!({"b": 1.0, "a": [1, {"x": null}], "c": null});
        let received = json!({"a": [1, {}], "b": 1});
        assert_eq!(equivalent(&decoded, &received, "$", KNOWN), Ok(()));
    }

    #[test]
    fn a_property_no_field_holds_is_named_with_its_path() {
        let decoded = json!({"items": [{"id": "p1"}]});
        let received = json!({"items": [{"id": "p1", "publisher": "NPR"}]});
        let difference = equivalent(&decoded, &received, "$", KNOWN).unwrap_err();
        assert!(
            difference.starts_with("$.items[0].publisher was received"),
            "{difference}"
        );
    }

    #[test]
    fn changed_values_and_lengths_are_differences() {
        assert!(equivalent(&json!({"n": 2}), &json!({"n": 3}), "$", KNOWN).is_err());
        // Single precision rounds a double to the nearest `f32`, and no further.
        let single = f64::from(0.904_973_261_528_416_8_f64 as f32);
        assert_eq!(
            equivalent(&json!(single), &json!(0.904_973_261_528_416_8), "$", KNOWN),
            Ok(())
        );
        assert!(equivalent(&json!(0.9049), &json!(0.904_973_261_528_416_8), "$", KNOWN).is_err());
        assert!(equivalent(&json!(["a"]), &json!(["a", "b"]), "$", KNOWN).is_err());
        assert!(equivalent(&json!({"n": 2}), &json!({}), "$", KNOWN).is_err());
        assert!(equivalent(&json!("x"), &json!(1), "$", KNOWN).is_err());
    }

    #[test]
    fn date_times_compare_by_instant() {
        let same = equivalent(
            &json!("2020-04-14T08:30:00Z"),
            &json!("2020-04-14T10:30:00.000+02:00"),
            "$",
            KNOWN,
        );
        assert_eq!(same, Ok(()));
        assert!(equivalent(
            &json!("2020-04-14T08:30:00Z"),
            &json!("2020-04-14T08:30:01Z"),
            "$",
            KNOWN,
        )
        .is_err());
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            instant("2000-03-01T00:00:00.5Z"),
            Some((951_868_800, 500_000_000))
        );
        assert_eq!(instant("not a date"), None);
    }

    #[test]
    fn statuses_match_codes_ranges_and_default() {
        assert!(declares(&["200"], 200));
        assert!(declares(&["4XX"], 404));
        assert!(declares(&["default"], 503));
        assert!(!declares(&["200", "404"], 400));
    }

    #[test]
    fn only_redirects_are_redirects_only() {
        assert!(redirects_only(&["302"]));
        assert!(redirects_only(&["302", "404", "default"]));
        assert!(!redirects_only(&["200", "302"]));
        assert!(!redirects_only(&["default"]));
        assert!(!redirects_only(&[]));
    }

    #[test]
    fn mock_reports_are_told_apart() {
        let expected = |path| Expected {
            operation: "Op",
            path,
            statuses: &["200"],
            envelope_data: None,
            json: true,
            known_properties: KNOWN,
            unencodable: &[],
        };
        let report = |title: &str, location: &str| {
            json!({
                "type": "https://stoplight.io/prism/errors#X",
                "title": title,
                "validation": [{"location": [location, "body"], "message": "bad"}],
            })
            .to_string()
        };
        let not_found = reqwest::StatusCode::NOT_FOUND;
        let route = report("Route not resolved, no path matched", "request");
        let fragment = mock_report(not_found, &route, &expected("/#X-Amz-Target=A.B"));
        assert!(fragment.is_some_and(|m| m.starts_with("wire[mock]: Op") && m.contains("fragment")));
        let method = report("Route resolved, but no method matched", "request");
        let under_fragment = mock_report(
            reqwest::StatusCode::METHOD_NOT_ALLOWED,
            &method,
            &expected("/tags/{arn}#tagKeys"),
        );
        assert!(under_fragment.is_some_and(|m| m.starts_with("wire[mock]")));
        let unsent = mock_report(not_found, &route, &expected("/send/#env/v1/{id}/transfer"));
        assert!(unsent.is_some_and(|m| m.starts_with("wire[spec]") && m.contains("never sends")));
        let plain = mock_report(not_found, &route, &expected("/things"));
        assert!(plain.is_some_and(|m| m.starts_with("wire[request]")));
        let invalid = mock_report(
            reqwest::StatusCode::UNPROCESSABLE_ENTITY,
            &report("Invalid request", "request"),
            &expected("/a"),
        );
        assert!(invalid
            .is_some_and(|m| m.starts_with("wire[request]") && m.contains("request.body: bad")));
        let own = mock_report(
            reqwest::StatusCode::INTERNAL_SERVER_ERROR,
            &report("Invalid response", "response"),
            &expected("/a"),
        );
        assert!(own.is_some_and(|m| m.starts_with("wire[mock]")));
        assert_eq!(mock_report(not_found, "{}", &expected("/a")), None);
    }

    #[test]
    fn a_rejection_of_only_unserialisable_parameters_blames_the_spec() {
        let expected = Expected {
            operation: "TagRole",
            path: "/",
            statuses: &["200"],
            envelope_data: None,
            json: true,
            known_properties: KNOWN,
            unencodable: &["Tags"],
        };
        let rejection = |locations: &[&[&str]]| {
            let validation: Vec<Value> = locations
                .iter()
                .map(|l| json!({"location": l, "message": "must be object"}))
                .collect();
            json!({"type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
                "title": "Invalid request", "validation": validation})
            .to_string()
        };
        let status = reqwest::StatusCode::UNPROCESSABLE_ENTITY;
        let tags = mock_report(status, &rejection(&[&["query", "tags", "0"]]), &expected);
        assert!(tags.is_some_and(|m| m.starts_with("wire[spec]: TagRole")));
        // Another violation beside it is the client's.
        let both = rejection(&[&["query", "tags", "0"], &["query", "RoleName"]]);
        let both = mock_report(status, &both, &expected);
        assert!(both.is_some_and(|m| m.starts_with("wire[request]")));
        let plain = Expected {
            unencodable: &[],
            ..expected
        };
        let tags = mock_report(status, &rejection(&[&["query", "tags", "0"]]), &plain);
        assert!(tags.is_some_and(|m| m.starts_with("wire[request]")));
    }
}
