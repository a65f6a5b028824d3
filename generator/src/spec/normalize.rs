//! Rewrites OpenAPI 3.1/3.2 (JSON Schema 2020-12) constructs into the 3.0 forms `openapiv3` models.

use serde_json::{Map, Value, json};

use crate::error::Diagnostic;
use crate::pointer::pointer_join;

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
    let mut moves = Vec::new();
    take_moves(document, &mut Vec::new(), &mut moves);
    if !moves.is_empty() {
        rewrite_refs(document, &moves);
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
    normalize_type(map, pointer, warnings);
    normalize_values(map, pointer, warnings);
    drop_annotation_members(map);
    fold_sibling_properties(map);
    drop_null_members(map);
    drop_mistyped_keywords(map, pointer, warnings);
    drop_keywords_of_another_type(map, pointer, warnings);
}

/// Object keywords beside `type: array` and `items` beside `type: object` are dropped.
///
/// They constrain nothing (JSON Schema applies `properties` only to objects, `items` only to
/// arrays), but would make the schema read as the other kind. Java collection classes come out of
/// springdoc as `{type: array, items, properties: {empty: …}}`, and their instances are arrays.
fn drop_keywords_of_another_type(
    map: &mut Map<String, Value>,
    pointer: &str,
    warnings: &mut Vec<Diagnostic>,
) {
    let (kind, ignored): (&str, &[&str]) = match map.get("type").and_then(Value::as_str) {
        Some("array") => (
            "array",
            &[
                "properties",
                "required",
                "additionalProperties",
                "patternProperties",
                "minProperties",
                "maxProperties",
            ],
        ),
        Some("object") => ("object", &["items", "minItems", "maxItems", "uniqueItems"]),
        _ => return,
    };
    for keyword in ignored {
        if map.shift_remove(*keyword).is_some() {
            warnings.push(Diagnostic::new(
                pointer_join(pointer, keyword),
                format!("ignored `{keyword}` beside `type: {kind}`: it applies to another type"),
            ));
        }
    }
}

/// `type` lists and `null` types (3.1) as 3.0 `type` + `nullable` (or an `anyOf` of each type).
fn normalize_type(map: &mut Map<String, Value>, pointer: &str, warnings: &mut Vec<Diagnostic>) {
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
}

/// `const`, numeric exclusive bounds, `examples` and tuple arrays in their 3.0 forms.
fn normalize_values(map: &mut Map<String, Value>, pointer: &str, warnings: &mut Vec<Diagnostic>) {
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
}

/// Annotation-only `allOf` members folded into the schema.
fn drop_annotation_members(map: &mut Map<String, Value>) {
    // `allOf: [{$ref: X}, {description: ...}]` annotates X; it does not build a new type.
    if let Some(Value::Array(members)) = map.get_mut("allOf") {
        let keep: Vec<bool> = members
            .iter()
            .map(|member| {
                !member
                    .as_object()
                    .is_some_and(|m| !m.is_empty() && m.keys().all(|k| is_annotation(k)))
            })
            .collect();
        let annotations: Vec<Value> = members
            .iter()
            .zip(&keep)
            .filter(|(_, keep)| !**keep)
            .map(|(member, _)| member.clone())
            .collect();
        let mut keeps = keep.iter();
        members.retain(|_| keeps.next().copied().unwrap_or(true));
        if !annotations.is_empty() {
            record_move(map, "allOf", "allOf", &keep);
        }
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
}

/// An object schema with both `allOf` and properties of its own (`type: object`, `properties`,
/// `required` beside `allOf: [{$ref: Base}]`, as Azure writes inheritance) becomes a pure `allOf`
/// whose last member holds those properties. `openapiv3` reads a schema with a `type` as that
/// type alone, so the members (the inherited `id`, `name`, ...) would otherwise be lost.
fn fold_sibling_properties(map: &mut Map<String, Value>) {
    let has_members =
        matches!(map.get("allOf"), Some(Value::Array(members)) if !members.is_empty());
    let typed_object = map.get("type").and_then(Value::as_str) == Some("object");
    if !has_members || !(typed_object || map.contains_key("properties")) {
        return;
    }
    if map
        .get("type")
        .is_some_and(|t| !typed_object && !t.is_null())
    {
        return;
    }
    let mut own = Map::new();
    own.insert("type".to_owned(), Value::String("object".to_owned()));
    for key in ["properties", "required", "additionalProperties"] {
        if let Some(value) = map.shift_remove(key) {
            own.insert(key.to_owned(), value);
        }
    }
    map.shift_remove("type");
    let has_own = own
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
        || own.contains_key("required")
        || own.contains_key("additionalProperties");
    if let (true, Some(Value::Array(members))) = (has_own, map.get_mut("allOf")) {
        members.push(Value::Object(own));
    }
}

/// `null` members of `anyOf`/`oneOf` dropped, the schema made nullable.
fn drop_null_members(map: &mut Map<String, Value>) {
    // `anyOf`/`oneOf` with a `null` member: the member goes, the schema becomes nullable.
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get_mut(keyword) else {
            continue;
        };
        let keep: Vec<bool> = members.iter().map(|m| !is_null_only(m)).collect();
        if keep.iter().all(|k| *k) {
            continue;
        }
        let mut keeps = keep.iter();
        members.retain(|_| keeps.next().copied().unwrap_or(true));
        map.insert("nullable".to_owned(), Value::Bool(true));
        let mut moved_to = keyword;
        if let Some(Value::Array(members)) = map.get(keyword) {
            if members.len() == 1 {
                let only = members[0].clone();
                map.shift_remove(keyword);
                map.insert("allOf".to_owned(), Value::Array(vec![only]));
                moved_to = "allOf";
            } else if members.is_empty() {
                map.shift_remove(keyword);
            }
        }
        record_move(map, keyword, moved_to, &keep);
    }
}

/// Enum values made text where the type says string; keywords of the wrong JSON type dropped.
fn drop_mistyped_keywords(
    map: &mut Map<String, Value>,
    pointer: &str,
    warnings: &mut Vec<Diagnostic>,
) {
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
/// Marks, inside a schema, that members of its `from` list were dropped or moved to `to`, so
/// `$ref`s pointing at members (bundled specs have many) can be rewritten afterwards.
const MOVED_MEMBERS: &str = "x-openapi-rust-generator-moved";

fn record_move(map: &mut Map<String, Value>, from: &str, to: &str, kept: &[bool]) {
    let mut next = 0;
    let mapping: Vec<Value> = kept
        .iter()
        .map(|kept| {
            if *kept {
                next += 1;
                json!(next - 1)
            } else {
                Value::Null
            }
        })
        .collect();
    let entry = map
        .entry(MOVED_MEMBERS)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(moves) = entry {
        moves.insert(from.to_owned(), json!([to, mapping]));
    }
}

/// A dropped or moved member list: `{pointer}/{from}/` → `{pointer}/{to}/`, old index → new.
struct Move {
    from: String,
    to: String,
    mapping: Vec<Option<usize>>,
}

/// Removes the move markers, returning what they say (pointers built only where one is found).
fn take_moves<'a>(
    value: &'a mut Value,
    path: &mut Vec<std::borrow::Cow<'a, str>>,
    moves: &mut Vec<Move>,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(marker)) = map.shift_remove(MOVED_MEMBERS) {
                let pointer = path.iter().fold("#".to_owned(), |p, t| pointer_join(&p, t));
                // (Only here, where a marker is, does a pointer get built.)
                for (from, entry) in marker {
                    let (Some(to), Some(Value::Array(mapping))) =
                        (entry.get(0).and_then(Value::as_str), entry.get(1).cloned())
                    else {
                        continue;
                    };
                    moves.push(Move {
                        from: format!("{}/", pointer_join(&pointer, &from)),
                        to: format!("{}/", pointer_join(&pointer, to)),
                        mapping: mapping
                            .iter()
                            .map(|i| i.as_u64().and_then(|i| usize::try_from(i).ok()))
                            .collect(),
                    });
                }
            }
            for (key, child) in map.iter_mut() {
                path.push(std::borrow::Cow::Borrowed(key));
                take_moves(child, path, moves);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                path.push(match INDEX_TOKENS.get(index) {
                    Some(token) => std::borrow::Cow::Borrowed(*token),
                    None => std::borrow::Cow::Owned(index.to_string()),
                });
                take_moves(item, path, moves);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The common array indices as pointer tokens, so the walk rarely allocates.
const INDEX_TOKENS: &[&str] = &[
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
];

/// Points `$ref`s at members where they are after normalisation.
fn rewrite_refs(value: &mut Value, moves: &[Move]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                if let Some(moved) = moved_reference(reference, moves) {
                    *reference = moved;
                }
            }
            for child in map.values_mut() {
                rewrite_refs(child, moves);
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_refs(item, moves);
            }
        }
        _ => {}
    }
}

fn moved_reference(reference: &str, moves: &[Move]) -> Option<String> {
    // Written `~1v2~1apps~1%7Bapp_id%7D` or `~1v2~1apps~1{app_id}`: compare decoded.
    let reference = crate::pointer::normalize_pointer(reference);
    moves.iter().find_map(|m| {
        let rest = reference.strip_prefix(&m.from)?;
        let (index, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let new = (*m.mapping.get(index.parse::<usize>().ok()?)?)?;
        let separator = if tail.is_empty() { "" } else { "/" };
        Some(format!("{}{new}{separator}{tail}", m.to))
    })
}

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
                | "xml"
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
