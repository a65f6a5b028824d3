//! Bodies that are not held in memory: request bodies from a stream or a reader (a file), and
//! response bodies read as a stream of chunks.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::credentials::BoxError;
use super::error::Error;

/// A request body: bytes in memory, or a stream read while the request is sent.
///
/// Bytes come from `Vec<u8>`, `&[u8]`, `String`, `&str` and [`Bytes`] (`.into()`); a stream
/// from [`Body::from_stream`], a file or any other reader from [`Body::from_reader`]. A
/// streamed body is sent once: a call that carries one is never retried, since what was
/// already read cannot be read again.
#[derive(Clone)]
pub struct Body(Inner);

/// Chunks of a streamed body, as reqwest takes them.
type Chunks = BoxStream<'static, Result<Bytes, BoxError>>;

#[derive(Clone)]
enum Inner {
    Bytes(Bytes),
    /// Taken by the one attempt that sends it; clones share it.
    Stream {
        stream: Arc<Mutex<Option<Chunks>>>,
        length: Option<u64>,
    },
}

impl Body {
    /// A body read from `stream` as the request is sent, in chunks, without `Content-Length`
    /// unless [`length`](Self::length) gives it.
    pub fn from_stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: Into<BoxError> + 'static,
    {
        let stream = stream.map_ok(Into::into).map_err(Into::into).boxed();
        Self(Inner::Stream {
            stream: Arc::new(Mutex::new(Some(stream))),
            length: None,
        })
    }

    /// A body read from `reader` (such as a `tokio::fs::File`) in 64 KiB chunks as the request
    /// is sent. Give the file's size with [`length`](Self::length) for servers that need a
    /// `Content-Length`.
    pub fn from_reader<R>(reader: R) -> Self
    where
        R: tokio::io::AsyncRead + Send + 'static,
    {
        let reader: Pin<Box<dyn tokio::io::AsyncRead + Send>> = Box::pin(reader);
        let chunks = futures_util::stream::unfold(Some(reader), |reader| async move {
            let mut reader = reader?;
            let mut buffer = vec![0u8; 64 * 1024];
            let read = futures_util::future::poll_fn(|cx| {
                let mut filled = tokio::io::ReadBuf::new(&mut buffer);
                reader
                    .as_mut()
                    .poll_read(cx, &mut filled)
                    .map_ok(|()| filled.filled().len())
            })
            .await;
            match read {
                Ok(0) => None,
                Ok(count) => {
                    buffer.truncate(count);
                    Some((Ok(Bytes::from(buffer)), Some(reader)))
                }
                Err(error) => Some((Err(error), None)),
            }
        });
        Self::from_stream(chunks)
    }

    /// Declares the streamed body's length in bytes, sent as `Content-Length` (the stream must
    /// then yield exactly that many). Bytes in memory always send their length.
    pub fn length(self, length: u64) -> Self {
        match self.0 {
            Inner::Stream { stream, .. } => Self(Inner::Stream {
                stream,
                length: Some(length),
            }),
            bytes => Self(bytes),
        }
    }

    /// Whether the body is streamed (and so can be sent only once).
    pub fn is_stream(&self) -> bool {
        matches!(self.0, Inner::Stream { .. })
    }

    /// The bytes of a body held in memory.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.0 {
            Inner::Bytes(bytes) => Some(bytes),
            Inner::Stream { .. } => None,
        }
    }

    /// The body for one attempt: bytes are shared, a stream is taken.
    pub(crate) fn to_reqwest(&self) -> Result<reqwest::Body, Error> {
        match &self.0 {
            Inner::Bytes(bytes) => Ok(reqwest::Body::from(bytes.clone())),
            Inner::Stream { stream, length } => {
                let taken = stream.lock().ok().and_then(|mut slot| slot.take());
                let stream = taken.ok_or_else(|| {
                    Error::Encode("a streamed request body can be sent only once".to_owned())
                })?;
                Ok(reqwest::Body::wrap(StreamedBody {
                    stream: Mutex::new(stream),
                    length: *length,
                }))
            }
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Bytes(bytes) => write!(f, "Body(<{} bytes>)", bytes.len()),
            Inner::Stream { length, .. } => match length {
                Some(length) => write!(f, "Body(<stream of {length} bytes>)"),
                None => f.write_str("Body(<stream>)"),
            },
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self(Inner::Bytes(bytes))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Self(Inner::Bytes(bytes.into()))
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        Self(Inner::Bytes(Bytes::copy_from_slice(bytes)))
    }
}

impl<const N: usize> From<&[u8; N]> for Body {
    fn from(bytes: &[u8; N]) -> Self {
        Self(Inner::Bytes(Bytes::copy_from_slice(bytes)))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Self(Inner::Bytes(text.into()))
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Self(Inner::Bytes(Bytes::copy_from_slice(text.as_bytes())))
    }
}

/// A stream as an HTTP body. The mutex only makes it `Sync`, as reqwest asks; it is reached
/// through `&mut` and so never waits.
struct StreamedBody {
    stream: Mutex<Chunks>,
    length: Option<u64>,
}

impl http_body::Body for StreamedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        let stream = match self.get_mut().stream.get_mut() {
            Ok(stream) => stream,
            Err(poisoned) => poisoned.into_inner(),
        };
        stream
            .poll_next_unpin(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(http_body::Frame::data)))
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.length.map_or_else(
            http_body::SizeHint::default,
            http_body::SizeHint::with_exact,
        )
    }
}

/// A response body read as it arrives, chunk by chunk, never held whole: for downloads larger
/// than memory should hold. It yields [`Error::Transport`] if the connection fails midway.
pub struct ByteStream {
    status: StatusCode,
    headers: HeaderMap,
    chunks: BoxStream<'static, Result<Bytes, Error>>,
}

impl ByteStream {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, response: reqwest::Response) -> Self {
        let chunks = futures_util::stream::unfold(Some(response), |response| async move {
            let mut response = response?;
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                Err(error) => Some((Err(Error::transport(error)), None)),
            }
        });
        Self {
            status,
            headers,
            chunks: chunks.boxed(),
        }
    }

    /// A body that was already read whole.
    pub(crate) fn whole(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            chunks: futures_util::stream::once(async move { Ok(body) }).boxed(),
        }
    }

    /// The response status (a success).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body's length from `Content-Length`, when the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(reqwest::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("status", &self.status)
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.chunks.poll_next_unpin(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_reader_becomes_a_stream_of_its_bytes_and_is_sent_once() {
        let data: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
        let body = Body::from_reader(std::io::Cursor::new(data.clone())).length(200_000);
        assert!(body.is_stream());
        assert_eq!(format!("{body:?}"), "Body(<stream of 200000 bytes>)");
        let clone = body.clone();
        let sent = body.to_reqwest().unwrap();
        assert_eq!(http_body::Body::size_hint(&sent).exact(), Some(200_000));
        let collected = collect(sent).await;
        assert_eq!(collected, data);
        assert!(matches!(clone.to_reqwest(), Err(Error::Encode(_))), "taken");
    }

    #[test]
    fn bytes_in_memory_are_shared_by_every_attempt() {
        let body = Body::from("hello");
        assert_eq!(body.as_bytes().map(|b| &b[..]), Some(&b"hello"[..]));
        assert!(body.to_reqwest().is_ok() && body.to_reqwest().is_ok());
        assert_eq!(Body::from(b"ab").as_bytes().map(|b| b.len()), Some(2));
    }

    /// Reads an HTTP body to its end.
    async fn collect(mut body: reqwest::Body) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(frame) =
            futures_util::future::poll_fn(|cx| http_body::Body::poll_frame(Pin::new(&mut body), cx))
                .await
        {
            if let Ok(data) = frame.unwrap().into_data() {
                out.extend_from_slice(&data);
            }
        }
        out
    }
}
