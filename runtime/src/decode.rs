//! Response decoding: JSON straight into the generated types, envelopes in one pass, text,
//! bytes and empty bodies; a failure names the property where it happened.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::FutureExt as _;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::{DeserializeOwned, DeserializeSeed};

use super::de::{EnvelopeParts, EnvelopeSeed};
use super::error::{body_excerpt, DecodeError, Error};
use super::transport::{Call, RawResponse, Transport};

/// A successful response with its status and headers, for callers that need more than the payload.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The decoded payload.
    pub data: T,
    /// The body exactly as received (shared with the transport's buffer, not copied).
    pub body: Bytes,
}

impl<T> ApiResponse<T> {
    /// The same response with its payload converted by `f`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ApiResponse<U> {
        ApiResponse {
            status: self.status,
            headers: self.headers,
            data: f(self.data),
            body: self.body,
        }
    }
}

/// How an operation's response becomes its result: one of the `decode_*` functions, or a
/// choice between them by status.
pub type Decoder<T> = fn(&Transport, RawResponse) -> Result<ApiResponse<T>, Error>;

/// A request on its way: what a builder's `send` returns and what `.await` on a builder polls.
///
/// Boxed here, where its `Send` is proven once for every result type, rather than in every
/// generated crate for every operation: proving an `async` transport's future `Send` walks
/// every type it holds across an `.await`, which made up a third of a client's `cargo check`.
pub type Sending<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Sends an operation's request (or returns the error met assembling it) and decodes the
/// response: every request builder's `send_with_response`, compiled once per result type
/// rather than once per operation.
///
/// # Errors
///
/// The future gives the assembly error, the transport's, or the decoder's.
pub fn execute<'a, T: 'a>(
    transport: &'a Transport,
    call: Result<Call, Error>,
    decode: Decoder<T>,
) -> Sending<'a, ApiResponse<T>> {
    send_decoded(transport, call, decode, |response| response)
}

/// [`execute`], keeping only the payload: every request builder's `send`.
///
/// # Errors
///
/// As for [`execute`].
pub fn execute_data<'a, T: 'a>(
    transport: &'a Transport,
    call: Result<Call, Error>,
    decode: Decoder<T>,
) -> Sending<'a, T> {
    send_decoded(transport, call, decode, |response| response.data)
}

/// What [`execute`] and [`execute_data`] share: send, decode, keep what `keep` takes.
fn send_decoded<'a, T: 'a, U: 'a>(
    transport: &'a Transport,
    call: Result<Call, Error>,
    decode: Decoder<T>,
    keep: fn(ApiResponse<T>) -> U,
) -> Sending<'a, U> {
    match call {
        // A combinator rather than an `async` block, which would keep `call` beside the
        // transport's future holding it.
        Ok(call) => Box::pin(
            transport
                .send(call)
                .map(move |response| Ok(keep(decode(transport, response?)?))),
        ),
        Err(error) => Box::pin(async move { Err(error) }),
    }
}

/// Property names of the API's response envelope.
#[derive(Debug, Clone, Copy)]
pub struct Envelope {
    /// Boolean success property; `false` makes any response an API error.
    pub success_flag: Option<&'static str>,
    /// Payload property.
    pub data: &'static str,
    /// Error-code property.
    pub error_code: Option<&'static str>,
    /// Error-message property.
    pub error_message: Option<&'static str>,
    /// Request-id property.
    pub request_id: Option<&'static str>,
}

fn decode_error(response: &RawResponse, path: String, message: String) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: response.status,
        path,
        message,
        body: body_excerpt(&response.body),
    }))
}

/// Decodes `json` as `T`. A failure names the failing property (`data.records[3].DueDate`),
/// found from the error's position in the text rather than by decoding again through a
/// path-tracking deserializer: that would compile every type's decoding a second time.
fn decode_at<T: DeserializeOwned>(
    response: &RawResponse,
    json: &[u8],
    prefix: &str,
    text_allowed: bool,
) -> Result<T, Error> {
    // Only this much is compiled once per type; what happens on failure is not generic.
    let error = match serde_json::from_slice(json) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    if text_allowed {
        if let Some(quoted) = plain_text_as_json(response, json) {
            if let Ok(value) = serde_json::from_slice(quoted.as_bytes()) {
                return Ok(value);
            }
        }
    }
    Err(failure_at(response, json, prefix, &error))
}

/// A `*/*` or `text/*` answer that is plain text where the schema may want a string (Spring's
/// `String` handlers send `text/plain`), as a JSON string: decoded with the same code as JSON.
fn plain_text_as_json(response: &RawResponse, json: &[u8]) -> Option<String> {
    plain_text(&response.headers, json).map(|text| serde_json::Value::from(text).to_string())
}

/// The decode error for `error`, naming the property where it happened.
fn failure_at(
    response: &RawResponse,
    json: &[u8],
    prefix: &str,
    error: &serde_json::Error,
) -> Error {
    let inner = json_path(json, error.line(), error.column());
    let path = match (prefix, inner.as_str()) {
        ("", inner) => inner.to_owned(),
        (prefix, ".") => prefix.to_owned(),
        (prefix, inner) => format!("{prefix}.{inner}"),
    };
    decode_error(response, path, error.to_string())
}

/// One step of a JSON path: a property of an object or an element of an array.
enum Step {
    Object(Option<String>),
    Array(usize),
}

/// The path, as `serde_path_to_error` writes it (`records[3].DueDate`, `.` for the root), of
/// the value at `line`:`column` of `json` (serde_json's error position: 1-based lines, columns
/// counted in bytes), read by walking the text up to that point.
fn json_path(json: &[u8], line: usize, column: usize) -> String {
    let line_start = match line {
        0 | 1 => 0,
        line => json
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(line - 2)
            .map_or(json.len(), |(index, _)| index + 1),
    };
    // serde_json reports a decoding error one byte past the last one it read, except at the
    // end of the text, where the position stops at its length.
    let reported = line_start + column;
    let end = if reported >= json.len() {
        json.len()
    } else {
        reported.saturating_sub(1)
    };
    let mut steps: Vec<Step> = Vec::new();
    let mut expecting_key = false;
    let mut index = 0;
    while index < end {
        match json[index] {
            b'{' => {
                steps.push(Step::Object(None));
                expecting_key = true;
            }
            b'[' => steps.push(Step::Array(0)),
            b'}' | b']' => {
                steps.pop();
                expecting_key = false;
            }
            b',' => match steps.last_mut() {
                Some(Step::Array(position)) => *position += 1,
                Some(Step::Object(_)) => expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = index;
                index += 1;
                while index < json.len() && json[index] != b'"' {
                    index += if json[index] == b'\\' { 2 } else { 1 };
                }
                if expecting_key {
                    if let Some(Step::Object(key)) = steps.last_mut() {
                        let raw = json.get(start..=index).unwrap_or_default();
                        *key = serde_json::from_slice::<String>(raw).ok();
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
        index += 1;
    }
    let mut path = String::new();
    for step in &steps {
        match step {
            Step::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Step::Array(position) => {
                path.push('[');
                path.push_str(&position.to_string());
                path.push(']');
            }
            Step::Object(None) => {}
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// The body as text when the response does not say it is JSON (no `Content-Type`, or one that
/// is neither `*/json` nor `*+json`) and it is UTF-8.
pub(crate) fn plain_text<'a>(
    headers: &reqwest::header::HeaderMap,
    body: &'a [u8],
) -> Option<&'a str> {
    let essence = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let json = essence.ends_with("/json") || essence.ends_with("+json");
    if json {
        return None;
    }
    std::str::from_utf8(body).ok()
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
pub fn decode_json<T: DeserializeOwned>(
    transport: &Transport,
    response: RawResponse,
) -> Result<ApiResponse<T>, Error> {
    reject_failed_envelope(transport, &response)?;
    let data = decode_at(&response, &response.body, "", true)?;
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data,
        body: response.body,
    })
}

/// An API error when the body is an envelope whose success flag is false.
fn reject_failed_envelope(transport: &Transport, response: &RawResponse) -> Result<(), Error> {
    if let Some(flag) = transport.envelope.and_then(|e| e.success_flag) {
        let parts = envelope_parts::<serde::de::IgnoredAny>(&response.body, "", Some(flag));
        if parts.is_some_and(|parts| parts.succeeded == Some(false)) {
            return Err(envelope_failure(transport, response));
        }
    }
    Ok(())
}

/// The API error for an envelope whose success flag is false.
pub(crate) fn envelope_failure(transport: &Transport, response: &RawResponse) -> Error {
    let fields = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
    transport.api_error(
        response.status,
        &response.headers,
        &response.body,
        fields.as_ref(),
    )
}

/// Decodes the envelope's data property, after checking its success flag.
pub fn decode_envelope<T: DeserializeOwned>(
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
                body: response.body,
            })
        }
        Some(EnvelopeParts {
            succeeded: Some(false),
            ..
        }) => return Err(envelope_failure(transport, &response)),
        _ => {}
    }
    // Something is wrong: look again, slowly, to say exactly what.
    let text = payload_text(transport, &response, envelope)?;
    // Decoded again from its own text only to say where it fails, with the same code as the
    // fast path (no second, path-tracking instantiation of every type's decoding).
    let data = decode_at(&response, text.as_bytes(), envelope.data, false)?;
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data,
        body: response.body,
    })
}

/// The slow look of [`decode_envelope`] at a body its fast pass could not take: the error for
/// a body that is not an object, a false success flag or a missing payload, or else the
/// payload's own text. Needs no `T`, so it is compiled once rather than for every payload type.
#[cold]
fn payload_text(
    transport: &Transport,
    response: &RawResponse,
    envelope: Envelope,
) -> Result<String, Error> {
    let object = match serde_json::from_slice::<serde_json::Value>(&response.body) {
        Ok(object @ serde_json::Value::Object(_)) => object,
        Ok(_) => {
            return Err(decode_error(
                response,
                ".".to_owned(),
                "expected a JSON object".to_owned(),
            ))
        }
        Err(error) => return Err(decode_error(response, ".".to_owned(), error.to_string())),
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
    match object.get(envelope.data) {
        Some(raw) => Ok(raw.to_string()),
        None => Err(decode_error(
            response,
            envelope.data.to_owned(),
            format!("missing field `{}`", envelope.data),
        )),
    }
}

/// Returns the body as text.
pub fn decode_text(_: &Transport, response: RawResponse) -> Result<ApiResponse<String>, Error> {
    let data = String::from_utf8_lossy(&response.body).into_owned();
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data,
        body: response.body,
    })
}

/// Returns the body as bytes.
pub fn decode_bytes(_: &Transport, response: RawResponse) -> Result<ApiResponse<Vec<u8>>, Error> {
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data: response.body.to_vec(),
        body: response.body,
    })
}

/// Ignores the body, but still honours an envelope's failure flag.
pub fn decode_empty(
    transport: &Transport,
    response: RawResponse,
) -> Result<ApiResponse<()>, Error> {
    reject_failed_envelope(transport, &response)?;
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data: (),
        body: response.body,
    })
}

/// A request builder's struct and constructor: the client, the values `new` takes, then those
/// starting at their default, each with a trailing comma (after `..`: an optional parameter, the query parameters' holder),
/// then the per-call options; and `call(path)`, the builder's request before its values are
/// added. The same in every builder but for the names and types, so written once here.
///
/// ```text
/// request_builder! {
///     /// Request builder for [`Client::get_pet`] (`GET /pets/{id}`): `.await` it.
///     pub struct GetPet<'a> {
///         id: String,
///         ..
///         query: GetPetQuery,
///     }
///     GET "/pets/{id}" as "getPet"
/// }
/// ```
///
/// The names `Client` and `runtime::...` resolve where the macro is called: the generated
/// `builder` module, which imports them. Invoked by its bare name, as `serde_struct!` is.
#[doc(hidden)]
#[macro_export]
macro_rules! request_builder {
    (
        $(#[$attr:meta])*
        pub struct $builder:ident<$a:lifetime> {
            $($arg:ident: $arg_ty:ty,)*
            $(.. $($field:ident: $field_ty:ty,)*)?
        }
        $method:ident $template:literal as $operation_id:literal
    ) => {
        $(#[$attr])*
        #[derive(Debug)]
        #[must_use = "a request does nothing until it is awaited"]
        pub struct $builder<$a> {
            client: &$a Client,
            $($arg: $arg_ty,)*
            $($($field: $field_ty,)*)?
            options: runtime::RequestOptions,
        }

        impl<$a> $builder<$a> {
            #[inline]
            pub(crate) fn new(client: &$a Client, $($arg: $arg_ty),*) -> Self {
                Self {
                    client,
                    $($arg,)*
                    $($($field: Default::default(),)*)?
                    options: Default::default(),
                }
            }

            /// The request to `path`, before the builder's values are added.
            #[inline]
            fn call(path: String) -> runtime::Call {
                runtime::Call::new($operation_id, reqwest::Method::$method, $template, path)
            }
        }
    };
}

/// A request builder's sending methods and trait impls: `send`, `send_with_response`,
/// [`CallOptions`](crate::CallOptions) and `IntoFuture`, the same in every builder but for the
/// output type, the decoder and the doc. Written once here rather than some forty lines per
/// operation.
///
/// `send_methods!(Builder, Output, decoder, "What `send` returns."; "More of its doc.")`: the
/// builder has fields `client` and `options`, and an `into_call(self) -> Result<Call, Error>`.
/// The names `Error`, `Future`, `IntoFuture`, `Pin` and `runtime::...` resolve where the macro
/// is called: the generated `builder` module, which imports them.
///
/// Its methods are `#[inline]`: a function so marked is compiled where it is called, so the
/// crate builds without the code of its operations, and an application compiles (and links)
/// only the operations it sends, as it would a generic function's.
///
/// Invoked by its bare name, as `serde_struct!` is.
#[doc(hidden)]
#[macro_export]
macro_rules! send_methods {
    ($builder:ident, $output:ty, $decode:expr, $returns:literal $(; $more:literal)? $(,)?) => {
        impl<'a> $builder<'a> {
            #[doc = $returns]
            #[doc = ""]
            #[doc = "# Errors"]
            #[doc = ""]
            #[doc = "Returns [`Error::Api`] when the server reports an error, [`Error::Decode`] when the body does not match the spec, and [`Error::Transport`] when the request does not complete."]
            $(#[doc = ""] #[doc = $more])?
            #[inline]
            pub fn send(self) -> runtime::Sending<'a, $output> {
                let client = self.client;
                runtime::execute_data(&client.transport, self.into_call(), $decode)
            }

            /// Like [`send`](Self::send), and also returns the response status and headers.
            ///
            /// # Errors
            ///
            /// As for [`send`](Self::send).
            #[inline]
            pub fn send_with_response(
                self,
            ) -> runtime::Sending<'a, runtime::ApiResponse<$output>> {
                let client = self.client;
                runtime::execute(&client.transport, self.into_call(), $decode)
            }
        }

        impl runtime::CallOptions for $builder<'_> {
            #[inline]
            fn call_options(&mut self) -> &mut runtime::RequestOptions {
                &mut self.options
            }
        }

        impl<'a> IntoFuture for $builder<'a> {
            type Output = Result<$output, Error>;
            type IntoFuture = runtime::Sending<'a, $output>;

            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(content_type: Option<&'static str>, body: &'static str) -> RawResponse {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(
                reqwest::header::CONTENT_TYPE,
                reqwest::header::HeaderValue::from_static(content_type),
            );
        }
        RawResponse {
            status: StatusCode::OK,
            headers,
            body: bytes::Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn plain_text_is_the_string_a_schema_wants_unless_json_is_declared() {
        let text = response(Some("text/plain;charset=UTF-8"), "token 42");
        let decoded: String =
            decode_at(&text, &text.body, "", true).expect("text decodes as a string");
        assert_eq!(decoded, "token 42");
        let quoted = response(Some("text/plain"), "\"token\"");
        let decoded: String =
            decode_at(&quoted, &quoted.body, "", true).expect("JSON text still decodes");
        assert_eq!(decoded, "token");
        let untyped = response(None, "token 42");
        assert!(decode_at::<String>(&untyped, &untyped.body, "", true).is_ok());
        // Text is not an object, and a body that says it is JSON must be JSON.
        assert!(
            decode_at::<std::collections::BTreeMap<String, i64>>(&text, &text.body, "", true)
                .is_err()
        );
        let mislabelled = response(Some("application/json"), "token 42");
        assert!(decode_at::<String>(&mislabelled, &mislabelled.body, "", true).is_err());
    }
}

#[cfg(test)]
mod path_tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::json_path;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Page {
        records: Vec<Record>,
        #[serde(rename = "total Count")]
        total: Option<i64>,
        #[serde(default)]
        labels: BTreeMap<String, Vec<u8>>,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Record {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "Due\"Date", default)]
        due: Option<Due>,
        #[serde(default)]
        tags: Vec<Tag>,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Due {
        day: u8,
    }

    #[derive(Deserialize, Debug)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Tag {
        Text(String),
        Pair { key: String, value: i64 },
    }

    /// Each document fails to decode; the path read off the error's position is the one a
    /// path-tracking decode (`serde_path_to_error`) reports, as checked when this was written.
    #[test]
    fn the_path_read_from_the_error_position_is_the_tracked_path() {
        let failing = [
            (r#"{"records": [{"Name": 1}]}"#, "records[0].Name"),
            (r#"{"records": [{"Name": "a"}, {"Name": "b", "Due\"Date": {"day": "x"}}]}"#, "records[1].Due\"Date.day"),
            (r#"{"records": [{"Name": "a"}, {"Name": "b", "Due\"Date": {}}]}"#, "records[1].Due\"Date"),
            (r#"{"records": [{"Name": "a"}, {}]}"#, "records[1]"),
            (r#"{"records": [{"Name": "a", "tags": ["x", {"key": "k"}]}]}"#, "records[0].tags[1]"),
            (r#"{"records": [{"Name": "a", "tags": ["x", 7]}]}"#, "records[0].tags[1]"),
            (r#"{"records": [], "total Count": "many"}"#, "total Count"),
            (r#"{"records": [], "labels": {"a{": [1, 2], "b,]": [3, 300]}}"#, "labels.b,][1]"),
            (r#"{"records": {}}"#, "records"),
            (r#"{"total Count": 3}"#, "."),
            (r#"[]"#, "."),
            ("{\n  \"records\": [\n    {\n      \"Name\": \"a\",\n      \"Due\\\"Date\": {\"day\": -1}\n    }\n  ]\n}", "records[0].Due\"Date.day"),
            ("{\n  \"records\": [\n    {\"Name\": \"a\"},\n    {\"Name\": null}\n  ]\n}", "records[1].Name"),
            (r#"{"records": [{"Name": "a", "skip": {"deep": [1, {"x": "}"}]}, "Due\"Date": 5}]}"#, "records[0].Due\"Date"),
            (r#"{"records": [{}, {"Name": "b"}], "total Count": 1}"#, "records[0]"),
            (r#"{"records": [5]}"#, "records[0]"),
            (r#""records""#, "."),
            (r#"{"records": [{"Name": "a", "tags": [{"key": "k", "value": 1.5}]}]}"#, "records[0].tags[0]"),
        ];
        for (json, tracked) in failing {
            let error = serde_json::from_str::<Page>(json).expect_err(json);
            assert_eq!(
                json_path(json.as_bytes(), error.line(), error.column()),
                tracked,
                "{json}: {error}"
            );
        }
    }

    #[test]
    fn a_position_past_the_text_or_unknown_is_read_safely() {
        assert_eq!(json_path(br#"{"a": [1"#, 1, 100), "a[0]");
        assert_eq!(json_path(b"{}", 0, 0), ".");
        assert_eq!(json_path(b"{\n\"a\": 1}", 9, 3), ".");
        assert_eq!(json_path(br#"{"a\u0041": [1, 2]}"#, 1, 16), "aA[1]");
        // A repeated property is named itself (a path-tracking decode names its object).
        let twice = r#"{"records": [{"Name": "a", "Due\"Date": {"day": 1, "day": 2}}]}"#;
        let error = serde_json::from_str::<Page>(twice).expect_err(twice);
        assert_eq!(
            json_path(twice.as_bytes(), error.line(), error.column()),
            "records[0].Due\"Date.day"
        );
    }
}
