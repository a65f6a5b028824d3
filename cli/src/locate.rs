//! JSON pointer → line and column in the YAML or JSON text it points into (YAML parser events
//! carry positions; JSON is read as YAML), for diagnostics that quote the offending line.

use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

/// Where a node is written: 1-based line and column, and its byte range within that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset of the line's start in the text.
    pub line_start: usize,
    /// Byte range of the node (its key, for a mapping entry) within the line.
    pub span: std::ops::Range<usize>,
    /// Whether this is the node itself rather than its nearest written ancestor.
    pub exact: bool,
}

/// The position of the node at `pointer` (`#/paths/~1a/get`), or of its deepest ancestor that
/// is written in `text` (a missing property is reported at the object that lacks it); `None`
/// when the text does not parse.
pub fn locate(text: &str, pointer: &str) -> Option<Position> {
    let target: Vec<String> = pointer
        .strip_prefix('#')
        .unwrap_or(pointer)
        .split('/')
        .skip(1)
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut locator = Locator {
        target,
        stack: Vec::new(),
        best: None,
    };
    let mut parser = Parser::new_from_str(text);
    // A syntax error later in the file still leaves what was found before it.
    let _ = parser.load(&mut locator, false);
    let (depth, span) = locator.best?;
    position(text, span, depth == locator.target.len())
}

enum Frame {
    /// A mapping; `key` is set while its value is being read.
    Map {
        key: Option<String>,
    },
    Seq {
        index: usize,
    },
}

struct Locator {
    target: Vec<String>,
    stack: Vec<Frame>,
    /// The deepest match so far: (tokens matched, span).
    best: Option<(usize, Span)>,
}

impl Locator {
    /// Whether the node at the current path plus `last` lies on the target's path; records it.
    fn consider(&mut self, last: Option<&str>, span: Span) {
        let mut depth = 0;
        for frame in &self.stack {
            let token = match frame {
                Frame::Map { key: Some(key) } => key.clone(),
                Frame::Map { key: None } => match last {
                    Some(last) => last.to_owned(),
                    None => return,
                },
                Frame::Seq { index } => index.to_string(),
            };
            if self.target.get(depth) != Some(&token) {
                return;
            }
            depth += 1;
        }
        if self.best.is_none_or(|(best, _)| depth > best) {
            self.best = Some((depth, span));
        }
    }

    /// A value (scalar, alias, or a finished mapping or sequence) has been read.
    fn value_done(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key }) => *key = None,
            Some(Frame::Seq { index }) => *index += 1,
            None => {}
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None }))
    }
}

impl<'input> SpannedEventReceiver<'input> for Locator {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        match event {
            Event::Scalar(value, ..) if self.expecting_key() => {
                self.consider(Some(&value), span);
                if let Some(Frame::Map { key }) = self.stack.last_mut() {
                    *key = Some(value.into_owned());
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                self.consider(None, span);
                self.value_done();
            }
            Event::MappingStart(..) => {
                if self.expecting_key() {
                    // A complex key: nothing a JSON pointer can name; read past it.
                    self.stack.push(Frame::Map { key: None });
                    return;
                }
                self.consider(None, span);
                self.stack.push(Frame::Map { key: None });
            }
            Event::SequenceStart(..) => {
                self.consider(None, span);
                self.stack.push(Frame::Seq { index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            _ => {}
        }
    }
}

/// Line, column and byte span of a parser span (lines and columns counted here, in characters).
fn position(text: &str, span: Span, exact: bool) -> Option<Position> {
    let line = span.start.line().max(1);
    let line_start = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>();
    let line_text = text.get(line_start..)?.lines().next().unwrap_or("");
    let column = span.start.col() + 1;
    let start = line_text
        .char_indices()
        .nth(span.start.col())
        .map_or(line_text.len(), |(offset, _)| offset);
    let end = if span.end.line() == span.start.line() && span.end.col() > span.start.col() {
        line_text
            .char_indices()
            .nth(span.end.col())
            .map_or(line_text.len(), |(offset, _)| offset)
    } else {
        line_text.len()
    };
    Some(Position {
        line,
        column,
        line_start,
        span: start..end.max(start),
        exact,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const YAML: &str = "openapi: 3.0.3\ninfo:\n  title: T\n  contact:\n    email:\n      - a@b.c\npaths:\n  /a/{id}:\n    get:\n      responses: {}\n";

    fn at(text: &str, pointer: &str) -> (usize, usize, String, bool) {
        let p = locate(text, pointer).unwrap();
        let line = text.lines().nth(p.line - 1).unwrap();
        (p.line, p.column, line[p.span.clone()].to_owned(), p.exact)
    }

    #[test]
    fn a_mapping_entry_is_found_at_its_key() {
        assert_eq!(
            at(YAML, "#/info/contact/email"),
            (5, 5, "email".into(), true)
        );
        assert_eq!(
            at(YAML, "#/info/contact/email/0"),
            (6, 9, "a@b.c".into(), true)
        );
        assert_eq!(
            at(YAML, "#/paths/~1a~1{id}/get"),
            (9, 5, "get".into(), true)
        );
    }

    #[test]
    fn a_missing_node_is_reported_at_its_deepest_written_ancestor() {
        assert_eq!(
            at(YAML, "#/paths/~1a~1{id}/get/parameters/3"),
            (9, 5, "get".into(), false)
        );
        assert_eq!(at(YAML, "#").0, 1);
    }

    #[test]
    fn json_is_read_as_yaml() {
        let json =
            "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/x\": {\"get\": {}}\n  }\n}\n";
        assert_eq!(at(json, "#/paths/~1x/get"), (4, 12, "\"get\"".into(), true));
    }
}
