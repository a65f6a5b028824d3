//! Form bodies read from the raw document: the parts a `multipart/form-data` body declares (for
//! the docs), and how an `application/x-www-form-urlencoded` body's `encoding` object writes
//! its properties.

use super::{FormField, FormFieldEncoding, FormPart, MAX_REF_HOPS, QueryStyle};
use crate::error::Diagnostic;
use crate::pointer::{lookup_pointer, pointer_join};

/// The parts a `multipart/form-data` schema declares: its properties and those of its `allOf`
/// members, following local `$ref`s. Best effort, for documentation: the body itself is built
/// by the caller, so an unusual schema only means a shorter list.
pub(super) fn form_parts(raw: &serde_json::Value, schema_pointer: &str) -> Vec<FormPart> {
    fn is_file(raw: &serde_json::Value, schema: &serde_json::Value) -> bool {
        let Some(schema) = resolve(raw, schema) else {
            return false;
        };
        let format = schema.get("format").and_then(|f| f.as_str());
        format == Some("binary")
            || schema.get("contentMediaType").is_some()
            || schema.get("items").is_some_and(|items| is_file(raw, items))
    }
    let mut declared = Vec::new();
    if let Some(schema) = lookup_pointer(raw, schema_pointer) {
        properties(raw, schema, schema_pointer.to_owned(), 0, &mut declared);
    }
    declared
        .into_iter()
        .map(|property| FormPart {
            name: property.name.to_owned(),
            file: is_file(raw, property.schema),
            required: property.required,
        })
        .collect()
}

/// Follows local `$ref`s to the schema itself.
fn resolve<'a>(
    raw: &'a serde_json::Value,
    mut schema: &'a serde_json::Value,
) -> Option<&'a serde_json::Value> {
    for _ in 0..MAX_REF_HOPS {
        match schema.get("$ref").and_then(|r| r.as_str()) {
            Some(reference) => schema = lookup_pointer(raw, reference)?,
            None => return Some(schema),
        }
    }
    None
}

/// A property a schema (or one of its `allOf` members) declares.
struct Declared<'a> {
    name: &'a str,
    schema: &'a serde_json::Value,
    /// Where it is written.
    pointer: String,
    /// Listed in the `required` of the schema declaring it.
    required: bool,
}

/// The properties of a schema and of its `allOf` members, in order, the first declaration of a
/// name winning; `$ref`s followed, eight levels of `allOf` at most.
fn properties<'a>(
    raw: &'a serde_json::Value,
    schema: &'a serde_json::Value,
    pointer: String,
    depth: usize,
    out: &mut Vec<Declared<'a>>,
) {
    // A `$ref` moves the pointer to where the schema is written.
    let (schema, pointer) = match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(reference) => match resolve(raw, schema) {
            Some(target) => (target, reference.to_owned()),
            None => return,
        },
        None => (schema, pointer),
    };
    if depth >= 8 {
        return;
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|n| n.as_str()).collect())
        .unwrap_or_default();
    if let Some(declared) = schema.get("properties").and_then(|p| p.as_object()) {
        let at = pointer_join(&pointer, "properties");
        for (name, property) in declared {
            if !out.iter().any(|seen| seen.name == name) {
                out.push(Declared {
                    name,
                    schema: property,
                    pointer: pointer_join(&at, name),
                    required: required.contains(&name.as_str()),
                });
            }
        }
    }
    let members = schema.get("allOf").and_then(|a| a.as_array());
    for (index, member) in members.into_iter().flatten().enumerate() {
        let at = pointer_join(&pointer_join(&pointer, "allOf"), &index.to_string());
        properties(raw, member, at, depth + 1, out);
    }
}

/// Whether values of this schema are objects or lists (the shapes a form pair cannot hold).
fn is_structured(raw: &serde_json::Value, schema: &serde_json::Value) -> bool {
    let Some(schema) = resolve(raw, schema) else {
        return false;
    };
    let ty = schema.get("type");
    let has = |name: &str| match ty {
        Some(serde_json::Value::String(t)) => t == name,
        Some(serde_json::Value::Array(types)) => types.iter().any(|t| t == name),
        _ => false,
    };
    has("object")
        || has("array")
        || schema.get("properties").is_some()
        || schema.get("items").is_some()
        || schema.get("allOf").is_some()
}

/// How the `application/x-www-form-urlencoded` media type at `content_pointer` writes its
/// properties: those its `encoding` object writes otherwise than `style: form` exploded, and a
/// warning for each value the form cannot hold as the spec asks (a nested object or list
/// without `deepObject` or JSON, a non-JSON `contentType`, an unknown `style`), which is sent
/// as JSON text instead.
pub(super) fn form_fields(
    raw: &serde_json::Value,
    content_pointer: &str,
) -> (Vec<FormField>, Vec<Diagnostic>) {
    let mut fields = Vec::new();
    let mut warnings = Vec::new();
    let Some(media) = lookup_pointer(raw, content_pointer) else {
        return (fields, warnings);
    };
    let encoding = media.get("encoding").and_then(|e| e.as_object());
    let mut declared = Vec::new();
    if let Some(schema) = media.get("schema") {
        let at = pointer_join(content_pointer, "schema");
        properties(raw, schema, at, 0, &mut declared);
    }
    for Declared {
        name,
        schema: property,
        pointer: property_pointer,
        ..
    } in declared
    {
        let entry = encoding.and_then(|e| e.get(name));
        let entry_pointer = pointer_join(&pointer_join(content_pointer, "encoding"), name);
        let content_type = entry
            .and_then(|e| e.get("contentType"))
            .and_then(|c| c.as_str())
            .map(|c| {
                c.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        let json = content_type
            .as_deref()
            .is_some_and(|c| c.ends_with("/json") || c.ends_with("+json"));
        if json {
            fields.push(FormField {
                name: name.to_owned(),
                encoding: FormFieldEncoding::Json,
            });
            continue;
        }
        if let Some(other) = content_type.as_deref().filter(|c| !c.starts_with("text/")) {
            warnings.push(
                Diagnostic::new(
                    pointer_join(&entry_pointer, "contentType"),
                    format!(
                        "form property `{name}` is to be sent as `{other}`, which a URL-encoded \
                         form cannot carry; the client sends its value as text"
                    ),
                )
                .with_hint("give the value already encoded as text, or use multipart/form-data"),
            );
        }
        let style = entry.and_then(|e| e.get("style")).and_then(|s| s.as_str());
        let explode = entry
            .and_then(|e| e.get("explode"))
            .and_then(|x| x.as_bool());
        let style = match style {
            None | Some("form") if explode == Some(false) => QueryStyle::FormJoined,
            None | Some("form") => QueryStyle::Form,
            Some("spaceDelimited") => QueryStyle::SpaceDelimited,
            Some("pipeDelimited") => QueryStyle::PipeDelimited,
            Some("deepObject") => QueryStyle::DeepObject,
            Some(other) => {
                warnings.push(
                    Diagnostic::new(
                        pointer_join(&entry_pointer, "style"),
                        format!("form property `{name}` has style `{other}`, which form bodies do not define"),
                    )
                    .with_hint("use form, spaceDelimited, pipeDelimited or deepObject; it is sent as `form`"),
                );
                QueryStyle::Form
            }
        };
        if style != QueryStyle::Form {
            fields.push(FormField {
                name: name.to_owned(),
                encoding: FormFieldEncoding::Style(style),
            });
        }
        if style != QueryStyle::DeepObject {
            if let Some(nested) = nested_pointer(raw, property, &property_pointer) {
                warnings.push(
                    Diagnostic::new(
                        nested,
                        format!(
                            "form property `{name}` holds objects or lists inside its value, \
                             which `style: form` cannot write; the client sends each as JSON text"
                        ),
                    )
                    .with_hint(format!(
                        "declare `encoding: {{{name}: {{style: deepObject}}}}` or \
                         `{{contentType: application/json}}` on the media type"
                    )),
                );
            }
        }
    }
    (fields, warnings)
}

/// Where a property's value nests an object or list inside itself (a list of lists or objects,
/// an object with such properties), when it does.
fn nested_pointer(
    raw: &serde_json::Value,
    property: &serde_json::Value,
    pointer: &str,
) -> Option<String> {
    let schema = resolve(raw, property)?;
    if let Some(items) = schema.get("items") {
        return is_structured(raw, items).then(|| pointer_join(pointer, "items"));
    }
    let mut inner = Vec::new();
    properties(raw, schema, pointer.to_owned(), 0, &mut inner);
    inner
        .into_iter()
        .find(|declared| is_structured(raw, declared.schema))
        .map(|declared| declared.pointer)
}

/// Where a query, header or cookie parameter's value nests an object or list inside itself
/// (AWS's `Tags`: a list of objects), which no `style` but `deepObject` can write and OpenAPI
/// gives no serialisation, when it does and is not `deepObject` or `content`-encoded.
pub(super) fn unencodable_parameter(
    raw: &serde_json::Value,
    parameter_pointer: &str,
    style: QueryStyle,
) -> Option<String> {
    if style == QueryStyle::DeepObject {
        return None;
    }
    let mut pointer = parameter_pointer.to_owned();
    let mut parameter = lookup_pointer(raw, &pointer)?;
    for _ in 0..MAX_REF_HOPS {
        let Some(reference) = parameter.get("$ref").and_then(|r| r.as_str()) else {
            break;
        };
        pointer = reference.to_owned();
        parameter = lookup_pointer(raw, reference)?;
    }
    let schema = parameter.get("schema")?;
    nested_pointer(raw, schema, &pointer_join(&pointer, "schema"))
}
