//! `Multipart`: a `multipart/form-data` request body (RFC 7578), built part by part.
//!
//! The body is encoded into memory once, so a retried request sends the same bytes again.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use super::body::Body;

/// One part of a form: a field value, or a file with its name and media type.
#[derive(Clone)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

/// A `multipart/form-data` body: the operation's documentation lists the parts the API expects.
///
/// Build it with [`text`](Self::text), [`json`](Self::json), [`file`](Self::file) and
/// [`file_with_type`](Self::file_with_type); parts are sent in the order added.
#[derive(Clone, Default)]
pub struct Multipart {
    parts: Vec<Part>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    #[must_use]
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(Part {
            name: name.into(),
            file_name: None,
            content_type: None,
            data: Bytes::from(value.into()),
        });
        self
    }

    /// Adds a field holding `value` as JSON (`Content-Type: application/json`).
    ///
    /// # Errors
    ///
    /// When `value` cannot be serialised as JSON (a map with non-string keys, say).
    pub fn json<T: serde::Serialize + ?Sized>(
        mut self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        let data = serde_json::to_vec(value)?;
        self.parts.push(Part {
            name: name.into(),
            file_name: None,
            content_type: Some("application/json".to_owned()),
            data: Bytes::from(data),
        });
        Ok(self)
    }

    /// Adds a file as `application/octet-stream`.
    #[must_use]
    pub fn file(
        self,
        name: impl Into<String>,
        file_name: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.file_with_type(name, file_name, "application/octet-stream", data)
    }

    /// Adds a file with its media type (e.g. `image/png`).
    #[must_use]
    pub fn file_with_type(
        mut self,
        name: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.parts.push(Part {
            name: name.into(),
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            data: data.into(),
        });
        self
    }

    /// The number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether the form has no parts.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The encoded body and the `Content-Type` header value that goes with it (with the
    /// boundary), for sending the form by other means.
    pub fn to_body(&self) -> (Bytes, String) {
        let (body, content_type) = self.encode_bytes();
        (body, content_type.into_owned())
    }

    /// The request body and its `Content-Type` (with the boundary), for the generated code.
    #[doc(hidden)]
    pub fn encode(&self) -> (Body, Cow<'static, str>) {
        let (body, content_type) = self.encode_bytes();
        (body.into(), content_type)
    }

    /// The encoded body and its `Content-Type` (with the boundary).
    fn encode_bytes(&self) -> (Bytes, Cow<'static, str>) {
        let boundary = self.boundary();
        let mut out = Vec::with_capacity(
            self.parts
                .iter()
                .map(|p| p.data.len() + p.name.len() + 128)
                .sum::<usize>()
                + boundary.len()
                + 8,
        );
        for part in &self.parts {
            out.extend_from_slice(b"--");
            out.extend_from_slice(boundary.as_bytes());
            out.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
            out.extend_from_slice(quoted(&part.name).as_bytes());
            out.push(b'"');
            if let Some(file_name) = &part.file_name {
                out.extend_from_slice(b"; filename=\"");
                out.extend_from_slice(quoted(file_name).as_bytes());
                out.push(b'"');
            }
            out.extend_from_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                out.extend_from_slice(b"Content-Type: ");
                // A header value cannot hold a line break; one would start a new header.
                out.extend(content_type.bytes().filter(|b| *b != b'\r' && *b != b'\n'));
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&part.data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"--\r\n");
        let content_type = format!("multipart/form-data; boundary={boundary}");
        (Bytes::from(out), Cow::Owned(content_type))
    }

    /// A boundary that occurs in no part (derived from the content, so the same form always
    /// encodes to the same bytes).
    fn boundary(&self) -> String {
        let mut seed = 0xcbf2_9ce4_8422_2325_u64;
        for part in &self.parts {
            for byte in part
                .name
                .bytes()
                .chain(part.data.iter().copied().take(4096))
            {
                seed = (seed ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        loop {
            let boundary = format!("----form-boundary-{seed:016x}");
            let clashes = self.parts.iter().any(|p| {
                contains(&p.data, boundary.as_bytes())
                    || p.name.contains(&boundary)
                    || p.file_name
                        .as_deref()
                        .is_some_and(|f| f.contains(&boundary))
            });
            if !clashes {
                return boundary;
            }
            seed = seed.wrapping_mul(0x0100_0000_01b3).wrapping_add(1);
        }
    }
}

/// A name for a quoted header parameter, escaped as browsers do (WHATWG HTML, form submission).
fn quoted(name: &str) -> Cow<'_, str> {
    if name.contains(['"', '\r', '\n']) {
        Cow::Owned(
            name.replace('"', "%22")
                .replace('\r', "%0D")
                .replace('\n', "%0A"),
        )
    } else {
        Cow::Borrowed(name)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Part contents may be large or private: names and sizes only.
        f.debug_list()
            .entries(self.parts.iter().map(|p| {
                format!(
                    "{}{} ({} bytes)",
                    p.name,
                    p.file_name
                        .as_deref()
                        .map(|f| format!(" = file {f:?}"))
                        .unwrap_or_default(),
                    p.data.len()
                )
            }))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_and_files_with_a_boundary_absent_from_the_content() {
        let form = Multipart::new()
            .text("title", "Q3 \"report\"")
            .file_with_type("file", "a\r\nb.csv", "text/csv", &b"x,y\n1,2\n"[..]);
        let (body, content_type) = form.encode_bytes();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap_or_default()
            .to_owned();
        assert!(!boundary.is_empty());
        let text = String::from_utf8_lossy(&body);
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQ3 \"report\"\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%0D%0Ab.csv\"\r\n\
             Content-Type: text/csv\r\n\r\nx,y\n1,2\n\r\n--{boundary}--\r\n"
        );
        assert_eq!(text, expected);
        assert_eq!(
            form.encode_bytes().0,
            body,
            "the same form encodes to the same bytes"
        );
    }

    #[test]
    fn a_part_containing_the_first_boundary_gets_another() {
        // The boundary is derived from a part's first 4 KiB: content after that which holds
        // the boundary the same prefix gives must make it pick another.
        let prefix = "x".repeat(4096);
        let first = Multipart::new().text("a", prefix.clone()).boundary();
        let form = Multipart::new().text("a", format!("{prefix}{first}"));
        let chosen = form.boundary();
        assert_ne!(chosen, first);
        assert!(!contains(&form.parts[0].data, chosen.as_bytes()));
        assert_eq!(
            format!("{form:?}"),
            format!("[\"a ({} bytes)\"]", 4096 + first.len())
        );
    }
}
