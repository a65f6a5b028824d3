//! Parses spec text (YAML or JSON) into `openapiv3::OpenAPI`, keeping the raw JSON for `$ref` lookups.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Diagnostic, Error};
use crate::pointer::escape_token;

use super::normalize;
use super::origin::Origins;
use super::overlay::{OverlaySource, apply_overlays};
use super::swagger2;
use super::text::parse_text;

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
    /// Where converted or overlaid nodes came from, for locating later diagnostics.
    pub(crate) origins: Origins,
}

impl LoadedSpec {
    /// The normalised document as JSON (3.1/3.2 constructs rewritten to 3.0), for tools that
    /// read the spec beside the generated code, such as a mock's fallback responses.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

/// Parses `text` as a YAML or JSON OpenAPI 3.x or Swagger 2.0 document, with `overlays`
/// applied in order.
pub fn load(text: &str, overlays: &[OverlaySource]) -> Result<LoadedSpec, Error> {
    normalize_parsed(parse_overlaid(text, overlays)?)
}

/// [`load`] keeping only the operations `selection` names (and what they reach); returns the
/// kept operationIds with the spec when there is a selection.
pub(crate) fn load_selected(
    text: &str,
    overlays: &[OverlaySource],
    selection: Option<super::select::Selection<'_>>,
) -> Result<(LoadedSpec, Option<std::collections::BTreeSet<String>>), Error> {
    let mut parsed = parse_overlaid(text, overlays)?;
    let kept = selection
        .map(|selection| super::select::select(&mut parsed.document, selection))
        .transpose()?;
    Ok((normalize_parsed(parsed)?, kept))
}

/// A document parsed from text whose `openapi` version is supported, not yet normalised.
#[derive(Debug, Clone)]
pub struct ParsedSpec {
    document: Value,
    declared_version: String,
    warnings: Vec<Diagnostic>,
    origins: Origins,
}

/// The first phase of [`load`]: YAML/JSON text → JSON value, with the version checked.
pub fn parse(text: &str) -> Result<ParsedSpec, Error> {
    parse_overlaid(text, &[])
}

/// [`parse`] with overlays applied to the document as written, before a Swagger 2.0 document
/// is converted to OpenAPI 3.0.
pub(crate) fn parse_overlaid(text: &str, overlays: &[OverlaySource]) -> Result<ParsedSpec, Error> {
    if text.trim().is_empty() {
        return Err(Diagnostic::new("#", "the spec is empty")
            .with_hint("pass an OpenAPI 3.x document in YAML or JSON")
            .into());
    }
    let mut document = parse_text(text)?;
    let mut warnings = Vec::new();
    let mut origins = Origins::default();
    apply_overlays(&mut document, overlays, &mut origins, &mut warnings)?;
    let declared_version = if swagger2::is_swagger2(&document) {
        let mut converted_warnings = Vec::new();
        let converted = swagger2::convert(&document, &mut origins, &mut converted_warnings)
            .map_err(|mut error| {
                origins.relocate(&mut error.diagnostics);
                error
            })?;
        warnings.extend(converted_warnings);
        document = converted;
        "2.0".to_owned()
    } else {
        check_version(&document).map_err(|mut error| {
            origins.relocate(&mut error.diagnostics);
            error
        })?
    };
    Ok(ParsedSpec {
        document,
        declared_version,
        warnings,
        origins,
    })
}

/// The second phase of [`load`]: 3.1/3.2 → 3.0 normalisation, then the `openapiv3` model.
pub fn normalize_parsed(parsed: ParsedSpec) -> Result<LoadedSpec, Error> {
    let ParsedSpec {
        mut document,
        declared_version,
        mut warnings,
        origins,
    } = parsed;
    normalize::normalize_document(&mut document, &mut warnings);
    let openapi = deserialize_with_repairs(&mut document, &mut warnings).map_err(|mut error| {
        origins.relocate(&mut error.diagnostics);
        error
    })?;
    origins.relocate(&mut warnings);
    Ok(LoadedSpec {
        openapi,
        raw: document,
        declared_version,
        warnings,
        origins,
    })
}

/// Accepts OpenAPI 3.0, 3.1 and 3.2 (Swagger 2.0 is converted before this check); rejects
/// anything else with a clear error.
fn check_version(document: &Value) -> Result<String, Error> {
    let Some(root) = document.as_object() else {
        return Err(Diagnostic::new("#", "the spec is not a map of OpenAPI fields")
            .with_hint("an OpenAPI document is a YAML or JSON object with `openapi`, `info` and `paths`")
            .into());
    };
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
