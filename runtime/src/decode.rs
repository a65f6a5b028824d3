//! Response decoding: JSON straight into the generated types, envelopes in one pass, text,
//! bytes and empty bodies; path-tracking decode only to describe a failure.

use std::marker::PhantomData;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::{DeserializeOwned, DeserializeSeed};

use super::de::{EnvelopeParts, EnvelopeSeed};
use super::error::{body_excerpt, DecodeError, Error};
use super::transport::{RawResponse, Transport};

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
    // A `*/*` or `text/*` answer that is plain text where the schema wants a string (Spring's
    // `String` handlers send `text/plain`): the text is the value.
    if let Some(text) = plain_text(&response.headers, json) {
        let as_string = serde::de::value::BorrowedStrDeserializer::<serde_json::Error>::new(text);
        if let Ok(value) = T::deserialize(as_string) {
            return Ok(value);
        }
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
        body: response.body,
    })
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
        body: response.body,
    })
}

/// Returns the body as text.
pub fn decode_text(response: RawResponse) -> Result<ApiResponse<String>, Error> {
    let data = String::from_utf8_lossy(&response.body).into_owned();
    Ok(ApiResponse {
        status: response.status,
        headers: response.headers,
        data,
        body: response.body,
    })
}

/// Returns the body as bytes.
pub fn decode_bytes(response: RawResponse) -> Result<ApiResponse<Vec<u8>>, Error> {
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
        body: response.body,
    })
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
        let decoded: String = decode_at(&text, &text.body, "").expect("text decodes as a string");
        assert_eq!(decoded, "token 42");
        let quoted = response(Some("text/plain"), "\"token\"");
        let decoded: String =
            decode_at(&quoted, &quoted.body, "").expect("JSON text still decodes");
        assert_eq!(decoded, "token");
        let untyped = response(None, "token 42");
        assert!(decode_at::<String>(&untyped, &untyped.body, "").is_ok());
        // Text is not an object, and a body that says it is JSON must be JSON.
        assert!(
            decode_at::<std::collections::BTreeMap<String, i64>>(&text, &text.body, "").is_err()
        );
        let mislabelled = response(Some("application/json"), "token 42");
        assert!(decode_at::<String>(&mislabelled, &mislabelled.body, "").is_err());
    }
}
