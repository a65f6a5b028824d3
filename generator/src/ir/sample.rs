//! Valid request values synthesised from the spec, for the generated wire tests.
//!
//! Each required parameter and the request body get a JSON value the spec allows: its own
//! `example` (when it fits the schema), else the schema's `example`, `default`, first `enum`
//! value (`const` is normalised to a one-value `enum`), else a value built from `type`,
//! `format`, bounds, lengths and `pattern`. Deterministic: no randomness, so the emitted
//! tests are byte-identical between runs.

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Number, Value, json};

use super::{Body, MAX_REF_HOPS, Operation, Param, ParamLocation, WireCase};
use crate::pointer::lookup_pointer;

/// Nesting beyond which objects and arrays are sampled empty (recursive schemas end there).
const MAX_DEPTH: usize = 8;

/// The wire-test inputs of `op`: a value per parameter, the body's value and declared statuses.
pub(super) fn wire_case(raw: &Value, op: &Operation) -> WireCase {
    let operation = lookup_pointer(raw, &op.pointer);
    let path_item = op
        .pointer
        .rsplit_once('/')
        .and_then(|(parent, _)| lookup_pointer(raw, parent));
    let params = op
        .params
        .iter()
        .map(|param| param_sample(raw, [path_item, operation], param))
        .collect();
    let body = op
        .body
        .as_ref()
        .map(|body| body_sample(raw, operation, body));
    let statuses = operation
        .and_then(|o| o.get("responses"))
        .and_then(Value::as_object)
        .map(|responses| responses.keys().cloned().collect())
        .unwrap_or_default();
    let ignored_headers = ignored_headers(
        raw,
        [path_item, operation],
        op.body.as_ref().is_some_and(|b| b.required),
    );
    WireCase {
        params,
        body,
        statuses,
        ignored_headers,
    }
}

/// A required `Content-Type` header parameter of an operation whose test sends no body (none
/// declared, or an optional one), which lowering drops as OpenAPI says, valued like any other
/// parameter. With a body the client's own `Content-Type` is the right one; `Accept` is left
/// to the client, which picks the response media type it decodes.
fn ignored_headers(
    raw: &Value,
    levels: [Option<&Value>; 2],
    sends_body: bool,
) -> Vec<(String, String)> {
    if sends_body {
        return Vec::new();
    }
    let declared = declared_param(raw, levels, "header", |name| {
        name.eq_ignore_ascii_case("content-type")
    });
    let Some(declared) = declared else {
        return Vec::new();
    };
    if declared.get("required").and_then(Value::as_bool) != Some(true) {
        return Vec::new();
    }
    match declared_value(raw, declared) {
        // Only a value that is a valid header value as written.
        Value::String(text)
            if !text.is_empty() && text.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) =>
        {
            vec![("content-type".to_owned(), text)]
        }
        _ => Vec::new(),
    }
}

/// The parameter declared `in` `location` whose name `name_matches`; the operation's own
/// declaration wins over the path item's, as in lowering.
fn declared_param<'a>(
    raw: &'a Value,
    levels: [Option<&'a Value>; 2],
    location: &str,
    name_matches: impl Fn(&str) -> bool,
) -> Option<&'a Value> {
    levels.iter().rev().flatten().find_map(|level| {
        level
            .get("parameters")?
            .as_array()?
            .iter()
            .map(|p| resolve(raw, p))
            .find(|p| {
                p.get("in").and_then(Value::as_str) == Some(location)
                    && p.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(&name_matches)
            })
    })
}

/// A declared parameter's value: its own example when it fits its schema, else one sampled
/// from the schema (or from its `content`'s schema).
fn declared_value(raw: &Value, declared: &Value) -> Value {
    let schema = declared.get("schema").cloned().or_else(|| {
        declared
            .get("content")?
            .as_object()?
            .values()
            .next()?
            .get("schema")
            .cloned()
    });
    let schema = schema.unwrap_or_else(|| json!({}));
    let own = declared
        .get("example")
        .cloned()
        .or_else(|| first_example(raw, declared));
    match own.filter(|v| fits(raw, &schema, v, 0)) {
        Some(example) => example,
        None => sample(raw, &schema, 0, &mut Walk::default()),
    }
}

/// Follows local `$ref`s to the value they name.
fn resolve<'a>(raw: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_HOPS {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| lookup_pointer(raw, r))
        {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// The first of an `examples` map's values (each an Example object or a `$ref` to one).
fn first_example(raw: &Value, holder: &Value) -> Option<Value> {
    let examples = holder.get("examples")?.as_object()?;
    examples
        .values()
        .find_map(|example| resolve(raw, example).get("value").cloned())
}

fn param_sample(raw: &Value, levels: [Option<&Value>; 2], param: &Param) -> Value {
    let location = match param.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    let Some(declared) = declared_param(raw, levels, location, |name| name == param.name) else {
        return Value::String("sample".to_owned());
    };
    let mut value = declared_value(raw, declared);
    // A path segment must not be empty (the client refuses it, as it would hit another URL).
    if param.location == ParamLocation::Path
        && matches!(&value, Value::String(s) if s.is_empty() || s == "." || s == "..")
    {
        value = Value::String("sample".to_owned());
    }
    value
}

fn body_sample(raw: &Value, operation: Option<&Value>, body: &Body) -> Value {
    let request_body = operation
        .and_then(|o| o.get("requestBody"))
        .map(|b| resolve(raw, b));
    let content = request_body
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object);
    let media = content.and_then(|content| {
        content
            .get(&body.content_type)
            .or_else(|| content.values().next())
    });
    let Some(media) = media else {
        return Value::Object(Map::new());
    };
    let schema = media.get("schema").cloned().unwrap_or_else(|| json!({}));
    let own = media
        .get("example")
        .cloned()
        .or_else(|| first_example(raw, media));
    match own.filter(|v| fits(raw, &schema, v, 0)) {
        Some(example) => example,
        None => sample(raw, &schema, 0, &mut Walk::default()),
    }
}

/// What a walk carries down: the `$ref`s being expanded, so recursion stops, and the depth
/// until which optional properties are sampled too (none for requests, which stay minimal).
#[derive(Debug, Default)]
struct Walk {
    visiting: Vec<String>,
    optional_depth: usize,
    /// Set when a value was cut short at a recursive `$ref` (as `{}`, which may lack required
    /// properties): an optional property or list item holding it is better left out.
    cut: bool,
}

impl Walk {
    /// Samples with `cut` cleared, returning the value and whether it was cut short (`cut` is
    /// restored, so the caller decides whether the cut goes further up).
    fn sample_marking_cuts(&mut self, raw: &Value, schema: &Value, depth: usize) -> (Value, bool) {
        let before = std::mem::replace(&mut self.cut, false);
        let value = sample(raw, schema, depth, self);
        (value, std::mem::replace(&mut self.cut, before))
    }
}

/// A response body `schema` allows, for a mock to send: required properties and, near the
/// top, optional ones too (so a decoder meets more than the minimum), `writeOnly` ones left
/// out. Deterministic, like the request samples.
pub fn response_sample(raw: &Value, schema: &Value) -> Value {
    let mut walk = Walk {
        optional_depth: 3,
        ..Walk::default()
    };
    sample(raw, schema, 0, &mut walk)
}

/// A value `schema` allows.
fn sample(raw: &Value, schema: &Value, depth: usize, walk: &mut Walk) -> Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let Some(target) = lookup_pointer(raw, reference) else {
            return Value::Null;
        };
        if walk.visiting.iter().any(|r| r == reference) || walk.visiting.len() > MAX_REF_HOPS {
            walk.cut = true;
            return empty_of(target);
        }
        walk.visiting.push(reference.to_owned());
        let value = sample(raw, target, depth, walk);
        walk.visiting.pop();
        return value;
    }
    for keyword in ["example", "default"] {
        if let Some(value) = schema.get(keyword).filter(|v| fits(raw, schema, v, 0)) {
            return value.clone();
        }
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(keyword)
            .and_then(Value::as_array)
            .and_then(|members| members.first())
        {
            let mut own = schema.clone();
            if let Some(map) = own.as_object_mut() {
                map.remove(keyword);
            }
            if type_of(&own) != "object" {
                return sample(raw, first, depth, walk);
            }
            // An object whose alternatives add constraints (urlbox's `oneOf: [{required:
            // [url]}, {required: [html]}]` beside its properties) is the object and one of them.
            let both = json!({ "allOf": [own, first] });
            return sample(raw, &both, depth, walk);
        }
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        if let Some(flat) = flattened_object(raw, schema, 0) {
            return object_sample(raw, &Value::Object(flat), depth, walk);
        }
        return all_of(raw, schema, members, depth, walk);
    }
    match type_of(schema) {
        "string" => Value::String(string_sample(schema)),
        "integer" => Value::Number(integer_sample(schema).into()),
        "number" => number_sample(schema),
        "boolean" => Value::Bool(true),
        "array" => array_sample(raw, schema, depth, walk),
        "object" => object_sample(raw, schema, depth, walk),
        "null" => Value::Null,
        _ => Value::String("sample".to_owned()),
    }
}

/// An object schema with its `allOf` members merged into one (their `properties` and `required`
/// names together), or `None` when some part is not a plain object. A `required` name one part
/// lists may be declared by another (codat's `bankTransactionLine` requires at the top what its
/// members declare), so only the merged schema samples it with its declared type.
fn flattened_object(raw: &Value, schema: &Value, hops: usize) -> Option<Map<String, Value>> {
    if hops > MAX_REF_HOPS {
        return None;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return flattened_object(raw, lookup_pointer(raw, reference)?, hops + 1);
    }
    let map = schema.as_object()?;
    let composed = map.contains_key("oneOf") || map.contains_key("anyOf");
    let plain = matches!(type_of(schema), "object")
        || (type_of(schema) == "any" && map.contains_key("allOf"));
    if composed || !plain {
        return None;
    }
    let mut flat = map.clone();
    flat.remove("allOf");
    flat.insert("type".to_owned(), Value::from("object"));
    for member in map
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let member = flattened_object(raw, member, hops + 1)?;
        for (key, value) in member {
            match (key.as_str(), flat.get_mut(&key), value) {
                ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                    for (name, property) in theirs {
                        mine.entry(name).or_insert(property);
                    }
                }
                ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                    for name in theirs {
                        if !mine.contains(&name) {
                            mine.push(name);
                        }
                    }
                }
                (_, Some(_), _) => {}
                (_, None, value) => {
                    flat.insert(key, value);
                }
            }
        }
    }
    Some(flat)
}

/// The schema's `type`, or the one its keywords imply.
fn type_of(schema: &Value) -> &str {
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        return ty;
    }
    if ["properties", "additionalProperties", "required"]
        .iter()
        .any(|k| schema.get(*k).is_some())
    {
        "object"
    } else if schema.get("items").is_some() {
        "array"
    } else {
        "any"
    }
}

/// The smallest value of a schema's type, where recursion must stop.
fn empty_of(schema: &Value) -> Value {
    match type_of(schema) {
        "array" => json!([]),
        "object" => json!({}),
        _ => Value::Null,
    }
}

fn all_of(raw: &Value, schema: &Value, members: &[Value], depth: usize, walk: &mut Walk) -> Value {
    let mut merged = Map::new();
    let mut other = None;
    let mut own = schema.clone();
    if let Some(map) = own.as_object_mut() {
        map.remove("allOf");
    }
    let parts = members
        .iter()
        .chain((type_of(&own) == "object").then_some(&own));
    for member in parts {
        // A member may list as required a property only another member declares (ideal-
        // postcodes' `Licensee`): its placeholder must not replace that member's value.
        let declared = resolve(raw, member)
            .get("properties")
            .and_then(Value::as_object);
        match sample(raw, member, depth, walk) {
            Value::Object(map) => {
                for (key, value) in map {
                    if !merged.contains_key(&key) || declared.is_some_and(|d| d.contains_key(&key))
                    {
                        merged.insert(key, value);
                    }
                }
            }
            value => other = other.or(Some(value)),
        }
    }
    match other {
        Some(value) if merged.is_empty() => value,
        _ => Value::Object(merged),
    }
}

fn object_sample(raw: &Value, schema: &Value, depth: usize, walk: &mut Walk) -> Value {
    let mut object = Map::new();
    if depth >= MAX_DEPTH {
        return Value::Object(object);
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for name in required.iter().filter_map(Value::as_str) {
        let value = match properties.and_then(|p| p.get(name)) {
            Some(property) => {
                let (value, cut) = walk.sample_marking_cuts(raw, property, depth + 1);
                // A nullable property cut short at a recursion is null, which is valid;
                // otherwise the cut goes up, so an optional ancestor is left out.
                if cut && resolve(raw, property).get("nullable") == Some(&Value::Bool(true)) {
                    Value::Null
                } else {
                    walk.cut |= cut;
                    value
                }
            }
            None => Value::String("sample".to_owned()),
        };
        object.insert(name.to_owned(), value);
    }
    if depth < walk.optional_depth {
        for (name, property) in properties.into_iter().flatten() {
            let write_only = resolve(raw, property).get("writeOnly") == Some(&Value::Bool(true));
            if !object.contains_key(name) && !write_only {
                // Stripe's `PaymentIntent.last_payment_error.payment_intent` would be a `{}`
                // without the required `amount`: an optional property only recursion fills
                // is left out.
                let (value, cut) = walk.sample_marking_cuts(raw, property, depth + 1);
                if !cut {
                    object.insert(name.clone(), value);
                }
            }
        }
    }
    let wanted = schema
        .get("minProperties")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        let mut index = 0;
        while (object.len() as u64) < wanted && index < 16 {
            index += 1;
            let value = sample(raw, additional, depth + 1, walk);
            object.insert(format!("key{index}"), value);
        }
    }
    Value::Object(object)
}

fn array_sample(raw: &Value, schema: &Value, depth: usize, walk: &mut Walk) -> Value {
    if depth >= MAX_DEPTH {
        return json!([]);
    }
    let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1);
    let max = schema
        .get("maxItems")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    let count = min.max(1).min(max).min(16);
    let items = schema.get("items").cloned().unwrap_or_else(|| json!({}));
    let (item, cut) = walk.sample_marking_cuts(raw, &items, depth + 1);
    if cut && schema.get("minItems").is_none() {
        // An item only recursion fills would be cut short: an empty list is valid instead.
        return json!([]);
    }
    walk.cut |= cut;
    Value::Array((0..count).map(|_| item.clone()).collect())
}

fn bound(schema: &Value, keyword: &str) -> Option<f64> {
    schema.get(keyword).and_then(Value::as_f64)
}

fn exclusive(schema: &Value, keyword: &str) -> bool {
    schema.get(keyword) == Some(&Value::Bool(true))
}

fn integer_sample(schema: &Value) -> i64 {
    let (type_min, type_max) = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
        _ => (-9.0e15, 9.0e15),
    };
    let mut low = bound(schema, "minimum").map(|m| {
        if exclusive(schema, "exclusiveMinimum") {
            m.floor() + 1.0
        } else {
            m.ceil()
        }
    });
    let high = bound(schema, "maximum").map(|m| {
        if exclusive(schema, "exclusiveMaximum") {
            m.ceil() - 1.0
        } else {
            m.floor()
        }
    });
    let step = schema
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|s| *s >= 1.0 && s.fract() == 0.0);
    if let (Some(step), Some(l)) = (step, low) {
        low = Some((l / step).ceil() * step);
    }
    let value = match (low, high) {
        (Some(low), _) => low,
        (None, Some(high)) if high < 1.0 => match step {
            Some(step) => (high / step).floor() * step,
            None => high,
        },
        _ => step.unwrap_or(1.0),
    };
    // In range by construction; the cast saturates anyway.
    value.clamp(type_min, type_max) as i64
}

fn number_sample(schema: &Value) -> Value {
    let low = bound(schema, "minimum");
    let high = bound(schema, "maximum");
    let value = match (low, high) {
        (Some(low), Some(high))
            if exclusive(schema, "exclusiveMinimum") || exclusive(schema, "exclusiveMaximum") =>
        {
            (low + high) / 2.0
        }
        (Some(low), _) if exclusive(schema, "exclusiveMinimum") => low + 1.0,
        (Some(low), _) => low,
        (None, Some(high)) if exclusive(schema, "exclusiveMaximum") && high <= 1.5 => high - 1.0,
        (None, Some(high)) if high < 1.5 => high,
        _ => 1.5,
    };
    let value = match schema.get("multipleOf").and_then(Value::as_f64) {
        Some(step) if step > 0.0 => (value / step).ceil() * step,
        _ => value,
    };
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn string_sample(schema: &Value) -> String {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        if let Some(text) = matching_string(pattern, min, max) {
            return text;
        }
    }
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let formatted = match format {
        "date" => Some("2024-01-15"),
        "date-time" => Some("2024-01-15T10:30:00Z"),
        "time" => Some("10:30:00Z"),
        "uuid" => Some("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        "email" | "idn-email" => Some("user@example.com"),
        "uri" | "url" | "iri" => Some("https://example.com/sample"),
        "uri-reference" | "iri-reference" => Some("/sample"),
        "hostname" | "idn-hostname" => Some("example.com"),
        "ipv4" => Some("192.0.2.1"),
        "ipv6" => Some("2001:db8::1"),
        "byte" => Some("c2FtcGxl"),
        "duration" => Some("P1D"),
        _ => None,
    };
    if let Some(text) = formatted {
        return text.to_owned();
    }
    let mut text = String::from("sample");
    while text.len() < min {
        text.push('x');
    }
    text.truncate(max.max(1).min(text.len()));
    if max == 0 {
        text.clear();
    }
    text
}

/// A string `pattern` matches (searched, as in JSON Schema) with a length in `min..=max`:
/// the pattern's syntax tree walked with each repetition taken `n` times, `n` growing until the
/// length fits. `None` when the pattern is not one `regex` reads (look-arounds, back-references).
fn matching_string(pattern: &str, min: usize, max: usize) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    // The check compiles the pattern; a Unicode class repeated a thousand times (AWS's ARNs:
    // `(\w|\/|-){1,1011}`) outgrows the default size limit, so ASCII classes are tried next,
    // and when neither compiles the walk is trusted as written (it matches by construction,
    // look-arounds aside).
    let checker = regex::Regex::new(pattern).ok().or_else(|| {
        regex::RegexBuilder::new(pattern)
            .unicode(false)
            .build()
            .ok()
    });
    (1..=64).find_map(|stretch| {
        let mut text = String::new();
        write_match(&hir, stretch, &mut text);
        let length = text.chars().count();
        let matches = checker
            .as_ref()
            .is_none_or(|checker| checker.is_match(&text));
        (length >= min && length <= max && matches).then_some(text)
    })
}

fn write_match(hir: &Hir, stretch: u32, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(class) => out.push(class_char(class)),
        HirKind::Repetition(repetition) => {
            let count = stretch
                .max(repetition.min)
                .min(repetition.max.unwrap_or(u32::MAX));
            for _ in 0..count {
                write_match(&repetition.sub, stretch, out);
            }
        }
        HirKind::Capture(capture) => write_match(&capture.sub, stretch, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| write_match(p, stretch, out)),
        HirKind::Alternation(branches) => {
            if let Some(first) = branches.first() {
                write_match(first, stretch, out);
            }
        }
    }
}

/// A readable character of `class`: a letter or digit when it has one.
fn class_char(class: &Class) -> char {
    let candidates = ['a', 'A', '0', 'x', '_', '-', '.'];
    match class {
        Class::Unicode(ranges) => candidates
            .into_iter()
            .find(|c| ranges.iter().any(|r| r.start() <= *c && *c <= r.end()))
            .or_else(|| {
                ranges
                    .iter()
                    .map(|r| r.start().max(' '))
                    .find(|c| ranges.iter().any(|r| r.start() <= *c && *c <= r.end()))
            })
            .unwrap_or('a'),
        Class::Bytes(ranges) => candidates
            .into_iter()
            .find(|c| {
                ranges
                    .iter()
                    .any(|r| char::from(r.start()) <= *c && *c <= char::from(r.end()))
            })
            .or_else(|| {
                ranges
                    .iter()
                    .map(|r| char::from(r.start().max(b' ')))
                    .next()
            })
            .unwrap_or('a'),
    }
}

/// Whether `value` is one `schema` allows, checked as far as a request validator would look:
/// types, `enum`, `required`, nested properties and items, lengths, bounds and `pattern`.
fn fits(raw: &Value, schema: &Value, value: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    let schema = resolve(raw, schema);
    if value.is_null() {
        return schema.get("nullable") == Some(&Value::Bool(true))
            || type_of(schema) == "null"
            || schema
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.contains(&Value::Null));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            return false;
        }
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        if !members.iter().all(|m| fits(raw, m, value, depth + 1)) {
            return false;
        }
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(members) = schema.get(keyword).and_then(Value::as_array) {
            if !members.iter().any(|m| fits(raw, m, value, depth + 1)) {
                return false;
            }
        }
    }
    match (type_of(schema), value) {
        ("string", Value::String(text)) => string_fits(schema, text),
        ("integer", Value::Number(n)) => {
            (n.is_i64() || n.is_u64()) && number_fits(schema, n.as_f64().unwrap_or(0.0))
        }
        ("number", Value::Number(n)) => number_fits(schema, n.as_f64().unwrap_or(0.0)),
        ("boolean", Value::Bool(_)) | ("any", _) => true,
        ("array", Value::Array(items)) => {
            let item_schema = schema.get("items").cloned().unwrap_or_else(|| json!({}));
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let max = schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            (min..=max).contains(&(items.len() as u64))
                && items
                    .iter()
                    .all(|item| fits(raw, &item_schema, item, depth + 1))
        }
        ("object", Value::Object(object)) => object_fits(raw, schema, object, depth),
        _ => false,
    }
}

fn object_fits(raw: &Value, schema: &Value, object: &Map<String, Value>, depth: usize) -> bool {
    let required = schema.get("required").and_then(Value::as_array);
    if required.is_some_and(|r| {
        r.iter()
            .filter_map(Value::as_str)
            .any(|n| !object.contains_key(n))
    }) {
        return false;
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    object
        .iter()
        .all(|(name, value)| match properties.and_then(|p| p.get(name)) {
            Some(property) => fits(raw, property, value, depth + 1),
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => false,
                Some(additional @ Value::Object(_)) => fits(raw, additional, value, depth + 1),
                _ => true,
            },
        })
}

fn string_fits(schema: &Value, text: &str) -> bool {
    let length = text.chars().count() as u64;
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    let pattern_ok = schema
        .get("pattern")
        .and_then(Value::as_str)
        .and_then(|p| regex::Regex::new(p).ok())
        .is_none_or(|re| re.is_match(text));
    let format_ok = match schema.get("format").and_then(Value::as_str) {
        Some("date") => text.len() == 10 && text.as_bytes().get(4) == Some(&b'-'),
        Some("date-time") => {
            text.len() >= 20
                && text
                    .as_bytes()
                    .get(10)
                    .is_some_and(|b| matches!(b, b'T' | b't'))
        }
        Some("uuid") => text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4,
        Some("email") => text.contains('@'),
        Some("uri") => text.contains(':'),
        _ => true,
    };
    (min..=max).contains(&length) && pattern_ok && format_ok
}

fn number_fits(schema: &Value, number: f64) -> bool {
    let above = bound(schema, "minimum").is_none_or(|m| {
        if exclusive(schema, "exclusiveMinimum") {
            number > m
        } else {
            number >= m
        }
    });
    let below = bound(schema, "maximum").is_none_or(|m| {
        if exclusive(schema, "exclusiveMaximum") {
            number < m
        } else {
            number <= m
        }
    });
    above && below
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampled(schema: Value) -> Value {
        let raw = json!({"components": {"schemas": {
            "Node": {"type": "object", "required": ["id", "child"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "child": {"$ref": "#/components/schemas/Node"}}}
        }}});
        sample(&raw, &schema, 0, &mut Walk::default())
    }

    #[test]
    fn a_required_content_type_parameter_is_sent_only_when_the_test_sends_no_body() {
        let raw = json!({"components": {"parameters": {"ContentType": {"in": "header",
            "name": "Content-Type", "required": true,
            "schema": {"type": "string", "default": "application/json"}}}}});
        let path_item = json!({"parameters": [{"$ref": "#/components/parameters/ContentType"}]});
        let operation = json!({"parameters": []});
        let levels = [Some(&path_item), Some(&operation)];
        assert_eq!(
            ignored_headers(&raw, levels, false),
            [("content-type".to_owned(), "application/json".to_owned())]
        );
        assert!(ignored_headers(&raw, levels, true).is_empty());
        // The operation's own optional declaration wins over the path item's required one.
        let operation = json!({"parameters": [{"in": "header", "name": "content-type",
            "schema": {"type": "string"}}]});
        assert!(ignored_headers(&raw, [Some(&path_item), Some(&operation)], false).is_empty());
        // A value that is no valid header value is not sent.
        let operation = json!({"parameters": [{"in": "header", "name": "Content-Type",
            "required": true, "example": "a\nb", "schema": {"type": "string", "enum": ["a\nb"]}}]});
        assert!(ignored_headers(&raw, [None, Some(&operation)], false).is_empty());
    }

    #[test]
    fn an_all_of_member_requiring_what_another_declares_keeps_that_value() {
        let raw = json!({"components": {"schemas": {"Editable": {"type": "object",
            "properties": {"hosts": {"type": "array", "items": {"type": "string", "format": "uri"}}}}}}});
        let schema = json!({"allOf": [
            {"$ref": "#/components/schemas/Editable"},
            {"type": "object", "required": ["hosts", "id"], "properties": {"id": {"type": "integer"}}}]});
        assert_eq!(
            response_sample(&raw, &schema),
            json!({"hosts": ["https://example.com/sample"], "id": 1})
        );
    }

    #[test]
    fn names_required_above_the_members_that_declare_them_get_their_declared_type() {
        let raw = json!({});
        let schema = json!({"type": "object", "required": ["amount", "kind"], "allOf": [
            {"type": "object", "properties": {"amount": {"type": "number"}}},
            {"allOf": [{"properties": {"kind": {"type": "string", "enum": ["a"]}}}]}]});
        assert_eq!(
            sample(&raw, &schema, 0, &mut Walk::default()),
            json!({"amount": 1.5, "kind": "a"})
        );
    }

    #[test]
    fn an_object_whose_alternatives_only_require_is_sampled_as_the_object() {
        let raw = json!({});
        let schema = json!({"type": "object",
            "oneOf": [{"required": ["url"]}, {"required": ["html"]}],
            "properties": {"url": {"type": "string", "format": "uri"}, "html": {"type": "string"}}});
        assert_eq!(
            sample(&raw, &schema, 0, &mut Walk::default()),
            json!({"url": "https://example.com/sample"})
        );
    }

    #[test]
    fn responses_carry_optional_properties_near_the_top_but_never_write_only_ones() {
        let raw = json!({});
        let schema = json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer", "minimum": 5},
            "password": {"type": "string", "writeOnly": true},
            "a": {"type": "object", "properties": {"b": {"type": "object", "properties": {
                "c": {"type": "object", "properties": {"d": {"type": "string"}}}}}}}}});
        assert_eq!(
            response_sample(&raw, &schema),
            json!({"id": 5, "a": {"b": {"c": {}}}})
        );
        // Requests stay minimal.
        assert_eq!(
            sample(&raw, &schema, 0, &mut Walk::default()),
            json!({"id": 5})
        );
    }

    #[test]
    fn examples_defaults_and_enums_come_first_when_they_fit() {
        assert_eq!(sampled(json!({"type": "integer", "example": 7})), json!(7));
        assert_eq!(
            sampled(json!({"type": "integer", "example": "seven"})),
            json!(1)
        );
        assert_eq!(
            sampled(json!({"type": "string", "default": "open"})),
            json!("open")
        );
        assert_eq!(
            sampled(json!({"type": "string", "enum": [null, "A", "B"]})),
            json!("A")
        );
    }

    #[test]
    fn formats_bounds_and_lengths_are_respected() {
        assert_eq!(
            sampled(json!({"type": "string", "format": "date-time"})),
            json!("2024-01-15T10:30:00Z")
        );
        assert_eq!(
            sampled(json!({"type": "integer", "minimum": 10, "exclusiveMinimum": true})),
            json!(11)
        );
        assert_eq!(
            sampled(json!({"type": "integer", "maximum": -3})),
            json!(-3)
        );
        assert_eq!(
            sampled(json!({"type": "integer", "minimum": 5, "multipleOf": 4})),
            json!(8)
        );
        assert_eq!(
            sampled(
                json!({"type": "number", "minimum": 0, "maximum": 1, "exclusiveMaximum": true})
            ),
            json!(0.5)
        );
        assert_eq!(
            sampled(json!({"type": "string", "minLength": 9})),
            json!("samplexxx")
        );
        assert_eq!(
            sampled(json!({"type": "string", "maxLength": 3})),
            json!("sam")
        );
    }

    #[test]
    fn patterns_get_a_matching_string_of_a_fitting_length() {
        let text = sampled(json!({"type": "string", "pattern": "^[A-Z]{2}-\\d+$", "minLength": 6}));
        let text = text.as_str().unwrap_or_default().to_owned();
        assert!(
            regex::Regex::new("^[A-Z]{2}-\\d+$").is_ok_and(|re| re.is_match(&text)),
            "{text}"
        );
        assert!(text.len() >= 6, "{text}");
        assert_eq!(
            sampled(json!({"type": "string", "pattern": "^(foo|bar)$"})),
            json!("foo")
        );
    }

    #[test]
    fn patterns_written_for_javascript_get_a_match_too() {
        // AWS's ARN pattern: `-` after a range in a class, `\\.` as backslash or dot.
        let pattern = "arn:aws(-[\\w]+)*:[a-z0-9-\\\\.]{0,63}:[a-z0-9-\\\\.]{0,63}:[0-9]{12}:(\\w|\\/|-){1,1011}";
        let text = sampled(
            json!({"type": "string", "pattern": pattern, "minLength": 1, "maxLength": 1011}),
        );
        let text = text.as_str().unwrap_or_default().to_owned();
        assert!(text.starts_with("arn:aws"), "{text}");
        let ascii = regex::RegexBuilder::new(pattern).unicode(false).build();
        assert!(ascii.is_ok_and(|re| re.is_match(&text)), "{text}");
    }

    #[test]
    fn objects_carry_their_required_properties_and_recursion_ends() {
        let node = sampled(json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(node["id"], json!("3fa85f64-5717-4562-b3fc-2c963f66afa6"));
        assert_eq!(node["child"], json!({}));
        let merged = sampled(json!({"allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "boolean"}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "array", "items": {"type": "integer"}, "minItems": 2}}}
        ]}));
        assert_eq!(merged, json!({"a": true, "b": [1, 1]}));
    }

    #[test]
    fn a_response_leaves_out_what_only_recursion_could_fill() {
        // Stripe: PaymentIntent.last_payment_error (ApiErrors).payment_intent (PaymentIntent).
        let raw = json!({"components": {"schemas": {
            "Intent": {"type": "object", "required": ["amount"], "properties": {
                "amount": {"type": "integer"},
                "last_error": {"nullable": true, "anyOf": [{"$ref": "#/components/schemas/Error"}]},
                "history": {"type": "array", "items": {"$ref": "#/components/schemas/Intent"}}}},
            "Error": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string"},
                "intent": {"nullable": true, "anyOf": [{"$ref": "#/components/schemas/Intent"}]},
                "required_intent": {"$ref": "#/components/schemas/Intent"}}},
            "Strict": {"type": "object", "required": ["type", "intent"], "properties": {
                "type": {"type": "string"},
                "intent": {"nullable": true, "anyOf": [{"$ref": "#/components/schemas/Intent"}]}}}
        }}});
        let intent = response_sample(&raw, &json!({"$ref": "#/components/schemas/Intent"}));
        // No `{}` standing for an intent without its `amount`: optional recursion is left out,
        // a list of it is empty.
        assert_eq!(
            intent,
            json!({"amount": 1, "last_error": {"type": "sample"}, "history": []})
        );
        // A required nullable property whose value recursion would cut short (here through the
        // intent's required `strict`) is null.
        let strict = json!({"type": "object", "properties": {"s": {"$ref": "#/components/schemas/Strict"}}, "required": ["s"]});
        let raw_with = |mut raw: Value| {
            raw["components"]["schemas"]["Intent"]["properties"]["strict"] =
                json!({"$ref": "#/components/schemas/Strict"});
            raw["components"]["schemas"]["Intent"]["required"] = json!(["amount", "strict"]);
            raw
        };
        let raw = raw_with(raw);
        let value = response_sample(&raw, &strict);
        assert_eq!(value["s"], json!({"type": "sample", "intent": null}));
    }

    #[test]
    fn an_example_that_misses_a_required_property_does_not_fit() {
        let raw = json!({});
        let schema = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}});
        assert!(!fits(&raw, &schema, &json!({"name": "x"}), 0));
        assert!(fits(&raw, &schema, &json!({"id": 3}), 0));
        assert!(!fits(&raw, &schema, &json!({"id": "3"}), 0));
    }
}
