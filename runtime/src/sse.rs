//! Server-sent events (`text/event-stream`): the WHATWG parser, and a stream of typed events
//! that reconnects with `Last-Event-ID` when the connection drops.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;

use super::body::ByteStream;
use super::error::{body_excerpt, DecodeError, Error};
use super::transport::{Call, Transport};

/// How long an event stream may stay open when the call sets no timeout of its own.
const EVENT_STREAM_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// One server-sent event, its data decoded as the spec declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    /// The event's type (`event:`), when the server named one; `message` otherwise.
    pub event: Option<String>,
    /// The last event id the server set (`id:`), which a reconnect sends as `Last-Event-ID`.
    pub id: Option<String>,
    /// The wait before a reconnect the server asked for (`retry:`), when this event set it.
    pub retry: Option<Duration>,
    /// The event's data, decoded.
    pub data: T,
}

/// An event as parsed, before its data is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawEvent {
    pub(crate) event: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) retry: Option<Duration>,
    pub(crate) data: String,
}

/// The event-stream parser of the HTML standard (§9.2.6): lines end in CR, LF or CRLF (also
/// across chunks), `:` starts a comment, a blank line dispatches, and an event left unfinished
/// when the stream ends is dropped.
#[derive(Debug, Default)]
pub(crate) struct Parser {
    line: Vec<u8>,
    /// The last byte fed was a CR, so a LF that follows ends nothing.
    after_cr: bool,
    started: bool,
    data: String,
    event: Option<String>,
    /// The id fields seen so far; it becomes the last event id when an event is dispatched.
    id_buffer: Option<String>,
    last_id: Option<String>,
    retry: Option<Duration>,
}

impl Parser {
    /// Feeds a chunk; returns the events it completed.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Vec<RawEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    events.extend(self.line_ended(&line));
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(byte);
                }
            }
        }
        events
    }

    /// The id a reconnect sends.
    pub(crate) fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// Forgets a partly received event (the connection it came on is gone).
    pub(crate) fn reset_event(&mut self) {
        self.line.clear();
        self.after_cr = false;
        self.data.clear();
        self.event = None;
        self.retry = None;
        self.id_buffer = self.last_id.clone();
    }

    fn line_ended(&mut self, line: &[u8]) -> Option<RawEvent> {
        let mut line = String::from_utf8_lossy(line);
        if !self.started {
            self.started = true;
            if let Some(rest) = line.strip_prefix('\u{FEFF}') {
                line = rest.to_owned().into();
            }
        }
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => {
                self.id_buffer = Some(value.to_owned()).filter(|id| !id.is_empty());
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok().map(Duration::from_millis);
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<RawEvent> {
        self.last_id = self.id_buffer.clone();
        let event = self.event.take();
        let retry = self.retry.take();
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        Some(RawEvent {
            event: event.filter(|name| !name.is_empty()),
            id: self.last_id.clone(),
            retry,
            data,
        })
    }
}

/// How an event's data becomes `T`.
pub type DecodeData<T> = fn(&str) -> Result<T, String>;

/// Decodes an event's data as JSON (from bytes, as responses are, so each type's decoding is
/// compiled once).
pub fn event_json<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, String> {
    serde_json::from_slice(data.as_bytes()).map_err(|e| e.to_string())
}

/// Keeps an event's data as text.
pub fn event_text(data: &str) -> Result<String, String> {
    Ok(data.to_owned())
}

/// A stream of server-sent events, each decoded into `T`.
///
/// When the connection drops midway (not when the server ends the stream), and the operation
/// may be sent again, it reconnects after the server's `retry:` wait (or the retry policy's
/// backoff) with `Last-Event-ID` set to the last id received, up to the policy's attempts in a
/// row. Data that does not decode is an [`Error::Decode`] item; the stream goes on after it.
pub struct EventStream<T> {
    status: StatusCode,
    headers: HeaderMap,
    events: BoxStream<'static, Result<Event<T>, Error>>,
}

impl<T> EventStream<T> {
    /// The status of the response that opened the stream.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers of the response that opened the stream.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<T> Stream for EventStream<T> {
    type Item = Result<Event<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_next_unpin(cx)
    }
}

/// Sends `call` and returns its events. `reconnect`: the operation may be sent again (it is
/// idempotent, or declares `Last-Event-ID`).
pub async fn open_events<T: Send + 'static>(
    transport: Arc<Transport>,
    mut call: Call,
    decode: DecodeData<T>,
    reconnect: bool,
) -> Result<EventStream<T>, Error> {
    // The request timeout covers the whole body, and an event stream is meant to stay open.
    call.options.timeout.get_or_insert(EVENT_STREAM_TIMEOUT);
    let body = transport.send_streaming(call.clone()).await?;
    let status = body.status();
    let headers = body.headers().clone();
    let state = State {
        transport,
        call,
        decode,
        reconnect,
        body: Some(body),
        parser: Parser::default(),
        pending: VecDeque::new(),
        server_retry: None,
        failures: 0,
        status,
    };
    let events = futures_util::stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    });
    Ok(EventStream {
        status,
        headers,
        events: events.boxed(),
    })
}

/// What the event stream keeps between items.
struct State<T> {
    transport: Arc<Transport>,
    call: Call,
    decode: DecodeData<T>,
    reconnect: bool,
    /// The open response; `None` once the stream has ended.
    body: Option<ByteStream>,
    parser: Parser,
    pending: VecDeque<RawEvent>,
    server_retry: Option<Duration>,
    /// Reconnects in a row that brought no event.
    failures: u32,
    status: StatusCode,
}

impl<T> State<T> {
    async fn next(&mut self) -> Option<Result<Event<T>, Error>> {
        loop {
            if let Some(raw) = self.pending.pop_front() {
                self.failures = 0;
                return Some(self.decoded(raw));
            }
            let chunk = self.body.as_mut()?.next().await;
            match chunk {
                Some(Ok(chunk)) => self.feed(&chunk),
                // The server ended the stream: an unfinished event is dropped, as the standard says.
                None => {
                    self.body = None;
                    return None;
                }
                Some(Err(error)) => {
                    self.body = None;
                    if let Err(error) = self.reconnect_after(error).await {
                        return Some(Err(error));
                    }
                }
            }
        }
    }

    fn feed(&mut self, chunk: &Bytes) {
        for raw in self.parser.feed(chunk) {
            if raw.retry.is_some() {
                self.server_retry = raw.retry;
            }
            self.pending.push_back(raw);
        }
    }

    fn decoded(&self, raw: RawEvent) -> Result<Event<T>, Error> {
        match (self.decode)(&raw.data) {
            Ok(data) => Ok(Event {
                event: raw.event,
                id: raw.id,
                retry: raw.retry,
                data,
            }),
            Err(message) => Err(Error::Decode(Box::new(DecodeError {
                status: self.status,
                path: "data".to_owned(),
                message: format!("event data: {message}"),
                body: body_excerpt(raw.data.as_bytes()),
            }))),
        }
    }

    /// Opens the stream again after `error`, or returns the error when it may not.
    async fn reconnect_after(&mut self, error: Error) -> Result<(), Error> {
        let policy = self.transport.retry_policy(&self.call).clone();
        if !self.reconnect || self.failures + 1 >= policy.max_attempts.max(1) {
            return Err(error);
        }
        self.failures += 1;
        self.parser.reset_event();
        let wait = self
            .server_retry
            .unwrap_or_else(|| policy.backoff(self.failures - 1))
            .min(policy.max_delay);
        tracing::warn!(
            attempt = self.failures,
            delay_ms = wait.as_millis() as u64,
            "event stream dropped: reconnecting"
        );
        tokio::time::sleep(wait).await;
        let mut call = self.call.clone();
        if let Some(id) = self.parser.last_id() {
            let value = HeaderValue::from_str(id)
                .map_err(|_| Error::Encode("the last event id cannot be sent".to_owned()))?;
            call.options.headers.insert("last-event-id", value);
        }
        self.body = Some(self.transport.send_streaming(call).await?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&str]) -> Vec<RawEvent> {
        let mut parser = Parser::default();
        chunks
            .iter()
            .flat_map(|chunk| parser.feed(chunk.as_bytes()))
            .collect()
    }

    fn event(data: &str, event: Option<&str>, id: Option<&str>) -> RawEvent {
        RawEvent {
            event: event.map(str::to_owned),
            id: id.map(str::to_owned),
            retry: None,
            data: data.to_owned(),
        }
    }

    #[test]
    fn fields_comments_and_line_endings_follow_the_standard() {
        let events = parse(&[
            "\u{FEFF}: a comment\r\n",
            "event: update\rdata: {\"a\":\n",
            "data:1}\r",
            "\nid: 7\n\n",
            "data\n\ndata: after\n\n",
        ]);
        assert_eq!(
            events,
            [
                event("{\"a\":\n1}", Some("update"), Some("7")),
                event("", None, Some("7")),
                event("after", None, Some("7")),
            ]
        );
    }

    #[test]
    fn an_event_without_data_dispatches_nothing_and_ids_persist() {
        let events = parse(&["event: ping\n\n", "id: 1\ndata: a\n\n", "data: b\n\n"]);
        assert_eq!(
            events,
            [event("a", None, Some("1")), event("b", None, Some("1"))]
        );
    }

    #[test]
    fn retry_takes_only_digits_and_unfinished_events_are_dropped() {
        let mut parser = Parser::default();
        let events = parser.feed(b"retry: 1500\ndata: x\n\nretry: soon\ndata: y\n\ndata: half");
        assert_eq!(events[0].retry, Some(Duration::from_millis(1500)));
        assert_eq!(events[1].retry, None);
        assert_eq!(events.len(), 2);
        parser.reset_event();
        assert_eq!(parser.feed(b"\n\n"), []);
    }

    #[test]
    fn an_id_counts_once_its_event_is_dispatched() {
        let mut parser = Parser::default();
        parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b");
        assert_eq!(parser.last_id(), Some("1"));
        parser.reset_event();
        assert_eq!(parser.feed(b"\ndata: c\n\n"), [event("c", None, Some("1"))]);
    }

    #[test]
    fn a_line_split_anywhere_parses_the_same() {
        let text = "id: 42\r\nevent: tick\r\ndata: {\"n\": 1}\r\n\r\ndata: two\r\n\r\n";
        let whole = parse(&[text]);
        for split in 0..text.len() {
            let (a, b) = text.split_at(split);
            assert_eq!(parse(&[a, b]), whole, "split at {split}");
        }
    }
}
