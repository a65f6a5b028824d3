//! What every command shares: reading bodies and flag values, printing results as JSON or
//! NDJSON, and exit codes by kind of error. The same for every API (the generated commands
//! call it).

use std::fmt;
use std::io::{Read, Write};
use std::pin::pin;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::api;
use crate::api::futures_util::{Stream, StreamExt};

/// Exit code: success (a dry run included).
pub const EXIT_OK: u8 = 0;
/// Exit code: a failure of no other kind (standard output could not be written).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: a usage error: unknown flags, a value or body that is not valid for the API.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the credential was refused (HTTP 401 or 403) or could not be obtained.
pub const EXIT_AUTH: u8 = 3;
/// Exit code: the API refused the request (another 4xx status, such as 404 or 422).
pub const EXIT_REJECTED: u8 = 4;
/// Exit code: the API failed (a 5xx status, or 429 after the retries).
pub const EXIT_SERVER: u8 = 5;
/// Exit code: no answer: the connection failed or a timeout or deadline passed.
pub const EXIT_TRANSPORT: u8 = 6;
/// Exit code: the answer did not match the API's description, or paging went wrong.
pub const EXIT_DECODE: u8 = 7;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success (or a dry run)
  1  standard output could not be written
  2  usage error: unknown flag, or a value or body the API does not accept
  3  credential refused (HTTP 401/403) or not obtained
  4  request refused by the API (another 4xx, such as 404)
  5  API failure (5xx, or 429 after retries)
  6  no answer: connection failed, timeout or deadline
  7  answer not as the API describes it, or paging stopped";

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line or a body it names is not usable.
    Usage(String),
    /// The call failed (or, for a dry run, was not sent).
    Api(api::Error),
    /// Standard output could not be written.
    Output(std::io::Error),
}

impl From<api::Error> for Failure {
    fn from(error: api::Error) -> Self {
        Self::Api(error)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self::Output(error)
    }
}

impl Failure {
    /// The process's exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        let error = match self {
            Self::Usage(_) => return EXIT_USAGE,
            Self::Output(_) => return EXIT_FAILURE,
            Self::Api(error) => error,
        };
        match error {
            api::Error::Api(_) | api::Error::Decode(_) => match error.status() {
                Some(status) if status.as_u16() == 401 || status.as_u16() == 403 => EXIT_AUTH,
                Some(status) if status.as_u16() == 429 || status.is_server_error() => EXIT_SERVER,
                _ if matches!(error, api::Error::Decode(_)) => EXIT_DECODE,
                _ => EXIT_REJECTED,
            },
            api::Error::Credentials(_) => EXIT_AUTH,
            api::Error::Transport(_) | api::Error::Deadline(_) => EXIT_TRANSPORT,
            api::Error::Config(_) | api::Error::Encode(_) => EXIT_USAGE,
            api::Error::Pagination(_) => EXIT_DECODE,
            api::Error::DryRun(_) => EXIT_OK,
            _ => EXIT_FAILURE,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(message) => f.write_str(message),
            Self::Api(error) => write!(f, "{error}"),
            Self::Output(error) => write!(f, "could not write the output: {error}"),
        }
    }
}

/// A credential from a flag or the environment: its `Debug` never shows it.
#[derive(Clone)]
pub struct Credential(String);

impl Credential {
    /// The value, to hand to the client builder.
    pub fn value(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(<redacted>)")
    }
}

impl std::str::FromStr for Credential {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.to_owned()))
    }
}

/// A duration in seconds (`--timeout 2.5`), refused when negative or not a number.
pub fn seconds(text: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    std::time::Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` is not a usable number of seconds"))
}

/// Where output goes, and how JSON is written.
pub struct Io<'a> {
    /// Read for `--body -`.
    pub stdin: &'a mut dyn Read,
    /// Results.
    pub stdout: &'a mut dyn Write,
    /// Errors.
    pub stderr: &'a mut dyn Write,
    /// JSON on one line instead of indented.
    pub compact: bool,
}

impl<'a> Io<'a> {
    /// Output to the given streams, JSON indented.
    pub fn new(
        stdin: &'a mut dyn Read,
        stdout: &'a mut dyn Write,
        stderr: &'a mut dyn Write,
    ) -> Self {
        Self {
            stdin,
            stdout,
            stderr,
            compact: false,
        }
    }

    /// Prints a result as JSON: indented, or on one line with `--compact`.
    pub fn json<T: Serialize>(&mut self, value: &T) -> Result<(), Failure> {
        if self.compact {
            self.line(value)
        } else {
            serde_json::to_writer_pretty(&mut *self.stdout, value).map_err(json_output)?;
            writeln!(self.stdout)?;
            Ok(())
        }
    }

    /// Prints one value of a stream as a line of JSON (NDJSON), at once.
    pub fn line<T: Serialize>(&mut self, value: &T) -> Result<(), Failure> {
        serde_json::to_writer(&mut *self.stdout, value).map_err(json_output)?;
        writeln!(self.stdout)?;
        self.stdout.flush()?;
        Ok(())
    }

    /// Prints a text result as it is.
    pub fn text(&mut self, text: &str) -> Result<(), Failure> {
        self.stdout.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(self.stdout)?;
        }
        Ok(())
    }

    /// Writes a binary result as it is.
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.stdout.write_all(bytes)?;
        Ok(())
    }
}

fn json_output(error: serde_json::Error) -> Failure {
    Failure::Output(std::io::Error::other(error))
}

/// Prints every item of `stream` as a line of JSON (what `data` takes of it), as it arrives.
pub async fn lines<S, I, T>(
    stream: S,
    data: impl Fn(I) -> T,
    io: &mut Io<'_>,
) -> Result<(), Failure>
where
    S: Stream<Item = Result<I, api::Error>>,
    T: Serialize,
{
    let mut stream = pin!(stream);
    while let Some(item) = stream.next().await {
        io.line(&data(item?))?;
    }
    Ok(())
}

/// Reports how a command ended and returns the exit code: a dry run's request, or the error.
pub fn finish(outcome: Result<(), Failure>, io: &mut Io<'_>) -> u8 {
    let failure = match outcome {
        Ok(()) => return flushed(io, EXIT_OK),
        Err(Failure::Api(api::Error::DryRun(request))) => {
            return match write!(io.stdout, "{request}") {
                Ok(()) => flushed(io, EXIT_OK),
                Err(error) => finish(Err(Failure::Output(error)), io),
            };
        }
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(Failure::Output(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            return EXIT_OK;
        }
        Err(failure) => failure,
    };
    let _ = writeln!(io.stderr, "error: {failure}");
    if let Failure::Api(api::Error::Api(error)) = &failure {
        // With no code or message to go on, the body is the best clue.
        if error.code.is_none() && error.message.is_none() && !error.body.is_empty() {
            let _ = writeln!(io.stderr, "response body: {}", error.body);
        }
    }
    failure.exit_code()
}

fn flushed(io: &mut Io<'_>, code: u8) -> u8 {
    match io.stdout.flush() {
        Ok(()) => code,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(error) => {
            let _ = writeln!(io.stderr, "error: could not write the output: {error}");
            EXIT_FAILURE
        }
    }
}

/// The text `--body` names: JSON or text itself, `@path` for a file's contents, `-` for
/// standard input.
pub fn body_text(argument: &str, io: &mut Io<'_>) -> Result<String, Failure> {
    String::from_utf8(body_bytes(argument, io)?)
        .map_err(|_| Failure::Usage("the body is not UTF-8 text".to_owned()))
}

/// The bytes `--body` names, as [`body_text`] reads them.
pub fn body_bytes(argument: &str, io: &mut Io<'_>) -> Result<Vec<u8>, Failure> {
    if argument == "-" {
        let mut bytes = Vec::new();
        io.stdin
            .read_to_end(&mut bytes)
            .map_err(|error| Failure::Usage(format!("could not read standard input: {error}")))?;
        return Ok(bytes);
    }
    match argument.strip_prefix('@') {
        Some(path) => std::fs::read(path)
            .map_err(|error| Failure::Usage(format!("could not read `{path}`: {error}"))),
        None => Ok(argument.as_bytes().to_vec()),
    }
}

/// A file for a form part: its name (without the folders) and contents.
pub fn file(path: &str) -> Result<(String, Vec<u8>), Failure> {
    let bytes = std::fs::read(path)
        .map_err(|error| Failure::Usage(format!("could not read `{path}`: {error}")))?;
    let name = std::path::Path::new(path).file_name().map_or_else(
        || "file".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    Ok((name, bytes))
}

/// A flag that sets one top-level field of a JSON body.
#[derive(Debug)]
pub struct Field<'a> {
    /// The field's name in JSON.
    pub name: &'a str,
    /// The flag, for messages (`--company-id`).
    pub flag: &'a str,
    /// The value given, if any.
    pub value: Option<String>,
    /// Whether the field holds text, taken as given; otherwise the value is read as JSON
    /// (`42`, `true`, `{"a":1}`) and as text when it is not JSON.
    pub text: bool,
}

/// The body from `--body` (an object, or `{}` when absent) with the field flags set in it,
/// decoded as the operation's body type; `None` when neither was given.
pub fn json_body<'a, T: DeserializeOwned>(
    body: Option<&str>,
    fields: impl IntoIterator<Item = Field<'a>>,
    io: &mut Io<'_>,
) -> Result<Option<T>, Failure> {
    let given: Vec<(Field<'_>, String)> = fields
        .into_iter()
        .filter_map(|mut field| field.value.take().map(|value| (field, value)))
        .collect();
    let mut value = match body {
        Some(argument) => {
            let text = body_text(argument, io)?;
            serde_json::from_str(&text)
                .map_err(|error| Failure::Usage(format!("the body is not JSON: {error}")))?
        }
        None if given.is_empty() => return Ok(None),
        None => Value::Object(serde_json::Map::new()),
    };
    if !given.is_empty() {
        let Value::Object(object) = &mut value else {
            return Err(Failure::Usage(
                "field flags need a body that is a JSON object".to_owned(),
            ));
        };
        for (field, text) in given {
            object.insert(field.name.to_owned(), flag_json(&text, field.text));
        }
    }
    serde_json::from_value(value).map(Some).map_err(|error| {
        Failure::Usage(format!("the body is not valid for this operation: {error}"))
    })
}

/// Like [`json_body`] for a body the operation requires.
pub fn required_json_body<'a, T: DeserializeOwned>(
    body: Option<&str>,
    fields: impl IntoIterator<Item = Field<'a>>,
    io: &mut Io<'_>,
) -> Result<T, Failure> {
    match json_body(body, fields, io)? {
        Some(value) => Ok(value),
        None => serde_json::from_value(Value::Object(serde_json::Map::new())).map_err(|error| {
            Failure::Usage(format!(
                "this operation needs a body (--body, or the field flags): {error}"
            ))
        }),
    }
}

/// A flag's value as JSON: text as given, or parsed as JSON and taken as text when it is not.
fn flag_json(text: &str, is_text: bool) -> Value {
    if is_text {
        return Value::String(text.to_owned());
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// A parameter's value from its flag, decoded as the parameter's type.
pub fn value<T: DeserializeOwned>(flag: &str, text: &str, is_text: bool) -> Result<T, Failure> {
    serde_json::from_value(flag_json(text, is_text))
        .map_err(|error| Failure::Usage(format!("{flag}: `{text}` is not a valid value: {error}")))
}

/// A list parameter's value from its repeated flag, decoded as the parameter's type.
pub fn list<T: DeserializeOwned>(
    flag: &str,
    texts: &[String],
    is_text: bool,
) -> Result<T, Failure> {
    let items = texts.iter().map(|text| flag_json(text, is_text)).collect();
    serde_json::from_value(Value::Array(items))
        .map_err(|error| Failure::Usage(format!("{flag}: the values are not valid: {error}")))
}

/// How the API's filter object is built from `--filter` conditions: its property names, and
/// the operators as the API spells them.
#[derive(Debug)]
pub struct FilterShape<'a> {
    /// The list of conditions.
    pub conditions: &'a str,
    /// The expression combining the conditions' labels (`A AND B`).
    pub expression: &'a str,
    /// A condition's field name.
    pub field: &'a str,
    /// A condition's operator.
    pub operator: &'a str,
    /// A condition's value.
    pub value: &'a str,
    /// Every operator.
    pub operators: &'a [&'a str],
    /// The operators whose value is a list, given comma-separated.
    pub list_operators: &'a [&'a str],
}

/// The filter object (as JSON text) for `--filter 'FIELD OPERATOR VALUE'` conditions, all of
/// which must hold (`expression` renders `A AND B ...`); `None` without conditions.
///
/// Operators are the API's (case-insensitive), or `=`, `!=`, `>`, `>=`, `<`, `<=` for its
/// `EQ`, `NE`, `GT`, `GTE`, `LT`, `LTE`. A value is read as JSON when it is JSON (`5`,
/// `true`, `"5"`) and as text otherwise; a list operator's value is split at commas.
pub fn filter(
    flag: &str,
    conditions: &[String],
    shape: &FilterShape<'_>,
    expression: fn(usize) -> String,
) -> Result<Option<String>, Failure> {
    if conditions.is_empty() {
        return Ok(None);
    }
    let mut list = Vec::new();
    for condition in conditions {
        let (field, operator, value) = split_condition(condition, shape).ok_or_else(|| {
            Failure::Usage(format!(
                "{flag}: `{condition}` is not `FIELD OPERATOR VALUE`; operators: {}",
                shape.operators.join(", ")
            ))
        })?;
        let value = if shape.list_operators.contains(&operator) {
            Value::Array(
                value
                    .split(',')
                    .map(|item| flag_json(item.trim(), false))
                    .collect(),
            )
        } else {
            flag_json(value, false)
        };
        let mut object = serde_json::Map::new();
        object.insert(shape.field.to_owned(), Value::String(field.to_owned()));
        object.insert(
            shape.operator.to_owned(),
            Value::String(operator.to_owned()),
        );
        object.insert(shape.value.to_owned(), value);
        list.push(Value::Object(object));
    }
    let mut filter = serde_json::Map::new();
    filter.insert(
        shape.expression.to_owned(),
        Value::String(expression(list.len())),
    );
    filter.insert(shape.conditions.to_owned(), Value::Array(list));
    Ok(Some(Value::Object(filter).to_string()))
}

/// `FIELD OPERATOR VALUE` (or `FIELD=VALUE` with a symbol): the field, the API's operator and
/// the value's text.
fn split_condition<'s>(
    condition: &'s str,
    shape: &FilterShape<'s>,
) -> Option<(&'s str, &'s str, &'s str)> {
    const SYMBOLS: [(&str, &str); 7] = [
        ("==", "EQ"),
        ("!=", "NE"),
        (">=", "GTE"),
        ("<=", "LTE"),
        ("=", "EQ"),
        (">", "GT"),
        ("<", "LT"),
    ];
    let operator_named = |word: &str| {
        let by_symbol = SYMBOLS
            .iter()
            .find(|(symbol, _)| *symbol == word)
            .map(|(_, name)| *name);
        let wanted = by_symbol.unwrap_or(word);
        shape
            .operators
            .iter()
            .copied()
            .find(|operator| operator.eq_ignore_ascii_case(wanted))
    };
    let condition = condition.trim();
    // `FIELD OPERATOR VALUE`, separated by spaces.
    if let Some((field, rest)) = condition.split_once(char::is_whitespace) {
        let rest = rest.trim_start();
        let (word, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if let Some(operator) = operator_named(word) {
            return Some((field, operator, value.trim()));
        }
    }
    // `FIELD=VALUE`: the first symbol splits.
    let (at, symbol) = SYMBOLS
        .iter()
        .filter_map(|(symbol, _)| condition.find(symbol).map(|at| (at, *symbol)))
        .min_by_key(|(at, symbol)| (*at, std::cmp::Reverse(symbol.len())))?;
    let operator = operator_named(symbol)?;
    let field = condition[..at].trim();
    let value = condition[at + symbol.len()..].trim();
    (!field.is_empty()).then_some((field, operator, value))
}

/// Refuses `--all` together with flags the auto-paging stream does not take.
pub fn all_pages_without(flags: &[(&str, bool)]) -> Result<(), Failure> {
    match flags.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(Failure::Usage(format!(
            "--all fetches every page with the required values only; drop {flag}, or page by hand without --all"
        ))),
        None => Ok(()),
    }
}

/// The runtime the commands run on: one thread is plenty for one command.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}
