//! Rewrites OpenAPI 3.1/3.2 (JSON Schema 2020-12) constructs into the 3.0 forms `openapiv3` models.

use serde_json::{Map, Value, json};

use crate::error::{Diagnostic, pointer_join};

/// Schema keywords whose values are examples or data, never schemas.
const DATA_KEYWORDS: &[&str] = &["example", "examples", "default", "enum", "const"];

/// Keys outside schemas whose values are examples, never structure.
const EXAMPLE_KEYWORDS: &[&str] = &["example", "examples"];

/// Normalises the whole document in place, pushing a warning for anything approximated.
pub fn normalize_document(document: &mut Value, warnings: &mut Vec<Diagnostic>) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    normalize_info(root, warnings);
    if !root.contains_key("paths") {
        // 3.1 made `paths` optional (webhooks-only or components-only documents).
        root.insert("paths".to_owned(), Value::Object(Map::new()));
    }
    drop_callbacks(root);
    for (key, value) in root.iter_mut() {
        if key.starts_with("x-") || key == "info" {
            continue;
        }
        walk_structure(value, &format!("#/{key}"), key == "components", warnings);
    }
}

/// Removes `callbacks` (requests the server sends, which a client never makes) from operations
/// and components: unused by the generated code, and `openapiv3` cannot read callbacks given
/// by `$ref`, which real specs use.
fn drop_callbacks(root: &mut Map<String, Value>) {
    if let Some(Value::Object(components)) = root.get_mut("components") {
        components.remove("callbacks");
    }
    let Some(Value::Object(paths)) = root.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        let Value::Object(item) = item else { continue };
        for operation in item.values_mut() {
            if let Value::Object(operation) = operation {
                operation.remove("callbacks");
            }
        }
    }
}

/// Makes sure `info.title` and `info.version` are strings, since they name the crate.
fn normalize_info(root: &mut Map<String, Value>, warnings: &mut Vec<Diagnostic>) {
    let info = root.entry("info").or_insert_with(|| {
        warnings.push(
            Diagnostic::new("#", "missing `info`; using title \"API\"")
                .with_hint("add an `info` object"),
        );
        json!({})
    });
    if !info.is_object() {
        warnings.push(Diagnostic::new(
            "#/info",
            "`info` is not an object; using title \"API\"",
        ));
        *info = json!({});
    }
    let Some(info) = info.as_object_mut() else {
        return;
    };
    for (field, fallback) in [("title", "API"), ("version", "0.0.0")] {
        let replacement = match info.get(field) {
            Some(Value::String(_)) => continue,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => {
                warnings.push(
                    Diagnostic::new(
                        format!("#/info/{field}"),
                        format!("missing or non-text `info.{field}`; using \"{fallback}\""),
                    )
                    .with_hint(format!("set `info.{field}` to a string")),
                );
                fallback.to_owned()
            }
        };
        info.insert(field.to_owned(), Value::String(replacement));
    }
}

/// Walks non-schema structure, descending into schemas where the OpenAPI structure puts them.
fn walk_structure(
    value: &mut Value,
    pointer: &str,
    in_components: bool,
    warnings: &mut Vec<Diagnostic>,
) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key.starts_with("x-") || EXAMPLE_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                let child_pointer = pointer_join(pointer, key);
                if key == "schema" {
                    walk_schema(child, &child_pointer, warnings);
                } else if key == "schemas" && in_components {
                    if let Value::Object(schemas) = child {
                        for (name, schema) in schemas.iter_mut() {
                            walk_schema(schema, &pointer_join(&child_pointer, name), warnings);
                        }
                    }
                } else {
                    walk_structure(child, &child_pointer, false, warnings);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                walk_structure(item, &format!("{pointer}/{index}"), false, warnings);
            }
        }
        _ => {}
    }
}

/// Normalises one schema and every schema nested in it.
fn walk_schema(schema: &mut Value, pointer: &str, warnings: &mut Vec<Diagnostic>) {
    match schema {
        Value::Bool(true) => *schema = json!({}),
        Value::Bool(false) => *schema = json!({ "not": {} }),
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                let child_pointer = pointer_join(pointer, key);
                match key.as_str() {
                    "properties" | "patternProperties" | "$defs" | "definitions"
                    | "dependentSchemas" => {
                        if let Value::Object(children) = child {
                            for (name, nested) in children.iter_mut() {
                                walk_schema(nested, &pointer_join(&child_pointer, name), warnings);
                            }
                        }
                    }
                    "items"
                    | "additionalProperties"
                    | "not"
                    | "contains"
                    | "propertyNames"
                    | "if"
                    | "then"
                    | "else"
                    | "unevaluatedProperties"
                    | "unevaluatedItems"
                    | "additionalItems" => {
                        walk_schema(child, &child_pointer, warnings);
                    }
                    "allOf" | "oneOf" | "anyOf" | "prefixItems" => {
                        if let Value::Array(children) = child {
                            for (index, nested) in children.iter_mut().enumerate() {
                                walk_schema(nested, &format!("{child_pointer}/{index}"), warnings);
                            }
                        }
                    }
                    _ => {}
                }
            }
            normalize_schema(map, pointer, warnings);
        }
        _ => {}
    }
}

/// The 3.1 → 3.0 rewrites of a single schema object (its children are already done).
fn normalize_schema(map: &mut Map<String, Value>, pointer: &str, warnings: &mut Vec<Diagnostic>) {
    // `type: [T, "null"]` → `type: T, nullable: true`; several types → `anyOf` of each.
    match map.get("type").cloned() {
        Some(Value::Array(types)) => {
            let non_null: Vec<Value> = types
                .iter()
                .filter(|t| t.as_str() != Some("null"))
                .cloned()
                .collect();
            if non_null.len() != types.len() {
                map.insert("nullable".to_owned(), Value::Bool(true));
            }
            match non_null.as_slice() {
                [] => {
                    map.shift_remove("type");
                }
                [single] => {
                    map.insert("type".to_owned(), single.clone());
                }
                several => {
                    map.shift_remove("type");
                    if !map.contains_key("anyOf") && !map.contains_key("oneOf") {
                        let variants = several.iter().map(|t| json!({ "type": t })).collect();
                        map.insert("anyOf".to_owned(), Value::Array(variants));
                    }
                }
            }
        }
        Some(Value::String(t)) if t == "null" => {
            map.shift_remove("type");
            map.insert("nullable".to_owned(), Value::Bool(true));
        }
        Some(Value::String(_)) | None => {}
        Some(_) => {
            map.shift_remove("type");
            warnings.push(Diagnostic::new(
                pointer_join(pointer, "type"),
                "`type` is neither a string nor a list; treated as any value",
            ));
        }
    }

    // `const: v` → a one-value `enum`.
    if let Some(constant) = map.shift_remove("const") {
        if !map.contains_key("type") {
            let inferred = match &constant {
                Value::String(_) => Some("string"),
                Value::Bool(_) => Some("boolean"),
                Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
                Value::Number(_) => Some("number"),
                _ => None,
            };
            if let Some(inferred) = inferred {
                map.insert("type".to_owned(), Value::String(inferred.to_owned()));
            }
        }
        map.entry("enum")
            .or_insert_with(|| Value::Array(vec![constant]));
    }

    // Numeric `exclusiveMinimum: n` → `minimum: n, exclusiveMinimum: true` (likewise maximum).
    for (exclusive, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Number(bound)) = map.get(exclusive).cloned() {
            map.insert(inclusive.to_owned(), Value::Number(bound));
            map.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }

    // `examples: [..]` → `example: first`.
    if let Some(Value::Array(mut items)) = map.shift_remove("examples") {
        if !map.contains_key("example") && !items.is_empty() {
            map.insert("example".to_owned(), items.swap_remove(0));
        }
    }

    // Tuple arrays have no 3.0 form: their items become any value.
    let tuple =
        map.shift_remove("prefixItems").is_some() | map.get("items").is_some_and(Value::is_array);
    if tuple {
        map.insert("items".to_owned(), json!({}));
        warnings.push(Diagnostic::new(
            pointer.to_owned(),
            "tuple arrays (`prefixItems`) are typed as lists of any value",
        ));
    }

    // `allOf: [{$ref: X}, {description: ...}]` annotates X; it does not build a new type.
    if let Some(Value::Array(members)) = map.get_mut("allOf") {
        let mut annotations = Vec::new();
        members.retain(|member| {
            let annotation_only = member
                .as_object()
                .is_some_and(|m| !m.is_empty() && m.keys().all(|k| is_annotation(k)));
            if annotation_only {
                annotations.push(member.clone());
            }
            !annotation_only
        });
        for annotation in annotations {
            if let Value::Object(annotation) = annotation {
                for (key, value) in annotation {
                    if key == "nullable" || !map.contains_key(&key) {
                        map.insert(key, value);
                    }
                }
            }
        }
    }

    // `anyOf`/`oneOf` with a `null` member: the member goes, the schema becomes nullable.
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get_mut(keyword) else {
            continue;
        };
        let before = members.len();
        members.retain(|member| !is_null_only(member));
        if members.len() == before {
            continue;
        }
        map.insert("nullable".to_owned(), Value::Bool(true));
        if let Some(Value::Array(members)) = map.get(keyword) {
            if members.len() == 1 {
                let only = members[0].clone();
                map.shift_remove(keyword);
                map.insert("allOf".to_owned(), Value::Array(vec![only]));
            } else if members.is_empty() {
                map.shift_remove(keyword);
            }
        }
    }

    // String enums with non-string values (`enum: [1, "a"]`) keep their values as text.
    if map.get("type").and_then(Value::as_str) == Some("string") {
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            for value in values.iter_mut() {
                if let Value::Number(_) | Value::Bool(_) = value {
                    *value = Value::String(value.to_string());
                }
            }
        }
    }

    // Keywords of the wrong JSON type would make the whole document fail to load.
    for (keyword, valid) in [
        ("format", Value::is_string as fn(&Value) -> bool),
        ("required", Value::is_array),
        ("properties", Value::is_object),
        ("nullable", Value::is_boolean),
        ("enum", Value::is_array),
        ("pattern", Value::is_string),
    ] {
        if map.get(keyword).is_some_and(|v| !valid(v)) {
            map.shift_remove(keyword);
            warnings.push(Diagnostic::new(
                pointer_join(pointer, keyword),
                format!("ignored `{keyword}` of the wrong type"),
            ));
        }
    }
    if let Some(Value::Array(required)) = map.get_mut("required") {
        required.retain(Value::is_string);
    }
}

/// Keywords that describe a schema without constraining its shape.
fn is_annotation(key: &str) -> bool {
    key.starts_with("x-")
        || matches!(
            key,
            "description"
                | "title"
                | "example"
                | "examples"
                | "deprecated"
                | "readOnly"
                | "writeOnly"
                | "nullable"
                | "default"
                | "externalDocs"
                | "$comment"
        )
}

/// A schema that admits only `null` (`{type: null}` before or after normalisation).
fn is_null_only(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    match map.get("type") {
        Some(Value::String(t)) => t == "null",
        None => {
            map.get("nullable") == Some(&Value::Bool(true))
                && map.keys().all(|k| k == "nullable" || k == "description")
        }
        _ => false,
    }
}
