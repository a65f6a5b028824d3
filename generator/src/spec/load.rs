//! Parses spec text (YAML or JSON) into `openapiv3::OpenAPI`, keeping the raw JSON for `$ref` lookups.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Diagnostic, Error};
use crate::pointer::escape_token;

use super::normalize;

/// How many malformed metadata nodes are dropped (each with a warning) before giving up.
const MAX_METADATA_REPAIRS: usize = 64;

/// A parsed and normalised spec.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The spec as `openapiv3` models it: read only by lowering, never public.
    pub(crate) openapi: openapiv3::OpenAPI,
    /// The normalised document as JSON, for resolving `$ref`s that point below `components`.
    pub(crate) raw: Value,
    /// The `openapi` version the document declared (`3.1.0`).
    pub(crate) declared_version: String,
    /// Things that were odd but did not stop loading.
    pub(crate) warnings: Vec<Diagnostic>,
}

impl LoadedSpec {
    /// The normalised document as JSON (3.1/3.2 constructs rewritten to 3.0), for tools that
    /// read the spec beside the generated code, such as a mock's fallback responses.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

/// Parses `text` as a YAML or JSON OpenAPI 3.x document.
pub fn load(text: &str) -> Result<LoadedSpec, Error> {
    normalize_parsed(parse(text)?)
}

/// A document parsed from text whose `openapi` version is supported, not yet normalised.
#[derive(Debug, Clone)]
pub struct ParsedSpec {
    document: Value,
    declared_version: String,
}

/// The first phase of [`load`]: YAML/JSON text → JSON value, with the version checked.
pub fn parse(text: &str) -> Result<ParsedSpec, Error> {
    if text.trim().is_empty() {
        return Err(Diagnostic::new("#", "the spec is empty")
            .with_hint("pass an OpenAPI 3.x document in YAML or JSON")
            .into());
    }
    let document = parse_text(text)?;
    let declared_version = check_version(&document)?;
    Ok(ParsedSpec {
        document,
        declared_version,
    })
}

/// The second phase of [`load`]: 3.1/3.2 → 3.0 normalisation, then the `openapiv3` model.
pub fn normalize_parsed(parsed: ParsedSpec) -> Result<LoadedSpec, Error> {
    let ParsedSpec {
        mut document,
        declared_version,
    } = parsed;
    let mut warnings = Vec::new();
    normalize::normalize_document(&mut document, &mut warnings);
    let openapi = deserialize_with_repairs(&mut document, &mut warnings)?;
    Ok(LoadedSpec {
        openapi,
        raw: document,
        declared_version,
        warnings,
    })
}

/// Parses YAML (a superset of JSON) or, when the text looks like JSON, JSON for sharper errors.
fn parse_text(text: &str) -> Result<Value, Error> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|error| {
            Diagnostic::new(
                "#",
                format!(
                    "invalid JSON at line {}, column {}: {error}",
                    error.line(),
                    error.column()
                ),
            )
            .with_hint("fix the JSON syntax")
            .into()
        });
    }
    let mut yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|error| {
        let position = error
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        Error::from(
            Diagnostic::new("#", format!("invalid YAML{position}: {error}"))
                .with_hint("fix the YAML syntax"),
        )
    })?;
    yaml.apply_merge().map_err(|error| {
        Error::from(Diagnostic::new(
            "#",
            format!("invalid YAML merge key: {error}"),
        ))
    })?;
    Ok(yaml_to_json(yaml))
}

/// Converts YAML to JSON; non-string keys (such as `200:` response codes) become strings.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(yaml_to_json).collect())
        }
        serde_yaml::Value::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (yaml_key_to_string(key), yaml_to_json(value)))
                .collect(),
        ),
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key_to_string(key: serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s,
        serde_yaml::Value::Null => "null".to_owned(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        other => serde_json::to_string(&yaml_to_json(other)).unwrap_or_default(),
    }
}

/// Accepts OpenAPI 3.0, 3.1 and 3.2; rejects Swagger 2.0 and anything else with a clear error.
fn check_version(document: &Value) -> Result<String, Error> {
    let Some(root) = document.as_object() else {
        return Err(Diagnostic::new("#", "the spec is not a map of OpenAPI fields")
            .with_hint("an OpenAPI document is a YAML or JSON object with `openapi`, `info` and `paths`")
            .into());
    };
    if root.contains_key("swagger") {
        return Err(Diagnostic::new("#/swagger", "this is a Swagger 2.0 document; only OpenAPI 3.x is supported")
            .with_hint("convert it to OpenAPI 3 first, e.g. with `npx swagger2openapi spec.yaml -o spec3.yaml`")
            .into());
    }
    let version = match root.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            return Err(Diagnostic::new(
                "#/openapi",
                "`openapi` must be a version string such as \"3.1.0\"",
            )
            .into());
        }
        None => {
            return Err(Diagnostic::new("#", "missing `openapi` version field")
                .with_hint("add `openapi: 3.1.0` (or the version the document follows) at the top")
                .into());
        }
    };
    if !["3.0", "3.1", "3.2"]
        .iter()
        .any(|p| version == *p || version.starts_with(&format!("{p}.")))
    {
        return Err(Diagnostic::new(
            "#/openapi",
            format!("unsupported OpenAPI version `{version}`"),
        )
        .with_hint("supported versions are 3.0.x, 3.1.x and 3.2.x")
        .into());
    }
    Ok(version)
}

/// Deserializes into `openapiv3::OpenAPI`; metadata that is malformed but cannot affect the
/// generated code (contact e-mail, descriptions, tags...) is dropped with a warning instead.
fn deserialize_with_repairs(
    document: &mut Value,
    warnings: &mut Vec<Diagnostic>,
) -> Result<openapiv3::OpenAPI, Error> {
    for _ in 0..MAX_METADATA_REPAIRS {
        // Path tracking allocates per property: only pay for it to locate an error.
        if let Ok(openapi) = openapiv3::OpenAPI::deserialize(&*document) {
            return Ok(openapi);
        }
        let error = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&*document) {
            Ok(openapi) => return Ok(openapi),
            Err(error) => error,
        };
        let tokens = path_tokens(error.path());
        let pointer = to_pointer(&tokens);
        if is_code_irrelevant_metadata(&tokens) && remove_at(document, &tokens) {
            warnings.push(
                Diagnostic::new(pointer, format!("ignored malformed metadata: {}", error.inner()))
                    .with_hint("it does not affect the generated code; fix it in the spec to silence this warning"),
            );
            continue;
        }
        return Err(Diagnostic::new(
            pointer,
            format!("invalid OpenAPI structure: {}", error.inner()),
        )
        .with_hint("make this part of the document follow the OpenAPI 3 schema")
        .into());
    }
    Err(
        Diagnostic::new("#", "too much malformed metadata in the spec")
            .with_hint("fix the warnings reported for `info`, `tags` and descriptions")
            .into(),
    )
}

fn path_tokens(path: &serde_path_to_error::Path) -> Vec<String> {
    path.iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {
                None
            }
        })
        .collect()
}

/// Renders reference tokens as a JSON pointer in URI-fragment form (`#/paths/~1ctas`).
pub(crate) fn to_pointer(tokens: &[String]) -> String {
    let mut pointer = String::from("#");
    for token in tokens {
        pointer.push('/');
        pointer.push_str(&escape_token(token));
    }
    pointer
}

fn is_code_irrelevant_metadata(tokens: &[String]) -> bool {
    let first = tokens.first().map(String::as_str);
    let last = tokens.last().map(String::as_str);
    let under_docs_only = match first {
        Some("info") => tokens.len() >= 2 && !matches!(tokens[1].as_str(), "title" | "version"),
        Some("externalDocs" | "tags") => true,
        _ => false,
    };
    under_docs_only
        || matches!(
            last,
            Some(
                "description"
                    | "summary"
                    | "externalDocs"
                    | "example"
                    | "examples"
                    | "termsOfService"
                    | "contact"
                    | "license"
            )
        )
}

fn remove_at(document: &mut Value, tokens: &[String]) -> bool {
    let Some((last, parents)) = tokens.split_last() else {
        return false;
    };
    let mut node = document;
    for token in parents {
        node = match node {
            Value::Object(map) => match map.get_mut(token) {
                Some(child) => child,
                None => return false,
            },
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i))
            {
                Some(child) => child,
                None => return false,
            },
            _ => return false,
        };
    }
    match node {
        Value::Object(map) => map.shift_remove(last).is_some(),
        _ => false,
    }
}
