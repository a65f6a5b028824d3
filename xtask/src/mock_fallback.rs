//! Responses synthesised from the spec for the calls Prism validates but cannot answer itself.
//!
//! Prism checks every request against the spec, then builds a response; for a good share of
//! real specs the second step fails on its own (`Cannot serialise complex objects as text` for
//! XML and `text/*` bodies, `Tried to force a dynamic response for: application/pdf`, its own
//! generated data violating the schema's formats or patterns, `missing items`). Those calls say
//! nothing about the client, but left there they leave its decoding untested. The proxy in front
//! of Prism (see `mock_proxy`) replaces such a failure — a 5xx problem report with no
//! violation in the request — by a response built here: the operation's first declared success,
//! in the media type the request accepts, with a body sampled from its schema by the
//! generator's own sampler (the one whose request bodies Prism accepts). The response carries
//! [`FALLBACK_HEADER`], which the wire tests report, so the conformance table counts these
//! passes apart.

use serde_json::Value;

/// Marks a synthesised response; its value says why Prism's own answer was replaced.
pub const FALLBACK_HEADER: &str = "x-wire-mock-fallback";

/// A response to send in Prism's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synthesised {
    /// The declared status (the lowest 2xx, else `default` as 200).
    pub status: u16,
    /// The declared media type chosen; `None` for a response without content.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// One operation, for matching requests.
#[derive(Debug, Clone)]
struct OperationRoute {
    method: String,
    /// The path template split in segments (`{id}`, `{name}.json` match by their literals).
    segments: Vec<String>,
    /// The operation's JSON pointer in the document.
    pointer: String,
}

/// The spec as the proxy reads it: its normalised document and its operations.
#[derive(Debug)]
pub struct Fallback {
    raw: Value,
    operations: Vec<OperationRoute>,
}

impl Fallback {
    /// Reads the spec Prism serves; `None` when it does not load (Prism reports that itself).
    pub fn load(spec_text: &str) -> Option<Self> {
        let parsed = generator::stages::parse(spec_text).ok()?;
        let loaded = generator::stages::normalize(parsed).ok()?;
        let raw = loaded.raw().clone();
        let mut operations = Vec::new();
        for (path, item) in raw.get("paths")?.as_object()? {
            for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
                if !matches!(
                    method.as_str(),
                    "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
                ) {
                    continue;
                }
                operations.push(OperationRoute {
                    method: method.to_ascii_uppercase(),
                    segments: path
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    pointer: format!(
                        "#/paths/{}/{method}",
                        generator::pointer::escape_token(path)
                    ),
                });
            }
        }
        // The most literal template first, as routers match (`/pets/mine` before `/pets/{id}`).
        operations.sort_by_key(|op| {
            std::cmp::Reverse(op.segments.iter().filter(|s| !s.contains('{')).count())
        });
        Some(Self { raw, operations })
    }

    /// The response for `method target` (path and query as sent), accepting `accept`; `None`
    /// when no operation matches.
    pub fn respond(&self, method: &str, target: &str, accept: Option<&str>) -> Option<Synthesised> {
        Some(self.success(self.operation(method, target)?, accept))
    }

    /// The operation `method target` (path and query as sent) calls.
    fn operation(&self, method: &str, target: &str) -> Option<&Value> {
        let path = target.split('?').next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // A server URL with a path (`https://host/v1`) puts a prefix before every template.
        let operation = (0..=segments.len()).find_map(|skip| {
            self.operations.iter().find(|op| {
                op.method.eq_ignore_ascii_case(method)
                    && op.segments.len() == segments.len() - skip
                    && op
                        .segments
                        .iter()
                        .zip(&segments[skip..])
                        .all(|(template, segment)| segment_matches(template, segment))
            })
        })?;
        generator::pointer::lookup_pointer(&self.raw, &operation.pointer)
    }

    /// Why Prism's own JSON success response breaks the operation's schema by leaving out a
    /// required property, if it does: json-schema-faker ends recursive schemas with `{}` (Stripe's
    /// `PaymentIntent` ↔ `ApiErrors`, magento's items), which no client can decode as declared.
    pub fn missing_required(
        &self,
        method: &str,
        target: &str,
        status: u16,
        body: &[u8],
    ) -> Option<String> {
        if !(200..300).contains(&status) {
            return None;
        }
        let value: Value = serde_json::from_slice(body).ok()?;
        let responses = self.operation(method, target)?.get("responses")?;
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("2XX"))
            .or_else(|| responses.get("default"))?;
        let content = self.resolve(response).get("content")?.as_object()?;
        let (_, media) = content
            .iter()
            .find(|(media_type, _)| media_type.contains("json"))?;
        match self.check(&value, media.get("schema")?, "$", 0) {
            Check::Missing(why) => Some(format!("Prism's response breaks its schema: {why}")),
            Check::Fits | Check::WrongType => None,
        }
    }

    /// Checks `value` for required properties `schema` declares and it lacks, down declared
    /// properties, items, `allOf` members and the alternative it fits.
    fn check(&self, value: &Value, schema: &Value, path: &str, depth: usize) -> Check {
        let schema = self.resolve(schema);
        if depth > 64 || value.is_null() {
            return Check::Fits;
        }
        if let Some(declared) = schema.get("type").and_then(Value::as_str)
            && !json_type_fits(value, declared)
        {
            return Check::WrongType;
        }
        for member in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let checked = self.check(value, member, path, depth + 1);
            if checked != Check::Fits {
                return checked;
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            let Some(alternatives) = schema.get(keyword).and_then(Value::as_array) else {
                continue;
            };
            let checks: Vec<Check> = alternatives
                .iter()
                .map(|alternative| self.check(value, alternative, path, depth + 1))
                .collect();
            if !checks.is_empty() && !checks.contains(&Check::Fits) {
                return checks
                    .into_iter()
                    .find(|c| matches!(c, Check::Missing(_)))
                    .unwrap_or(Check::WrongType);
            }
        }
        match value {
            Value::Object(object) => self.check_object(object, schema, path, depth),
            Value::Array(items) => {
                let Some(declared) = schema.get("items") else {
                    return Check::Fits;
                };
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        self.check(item, declared, &format!("{path}[{index}]"), depth + 1)
                    })
                    .find(|checked| matches!(checked, Check::Missing(_)))
                    .unwrap_or(Check::Fits)
            }
            _ => Check::Fits,
        }
    }

    fn check_object(
        &self,
        object: &serde_json::Map<String, Value>,
        schema: &Value,
        path: &str,
        depth: usize,
    ) -> Check {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            // A response never carries write-only properties, required or not.
            let write_only = properties
                .and_then(|p| p.get(name))
                .map(|p| self.resolve(p))
                .and_then(|p| p.get("writeOnly"))
                .and_then(Value::as_bool)
                == Some(true);
            if !object.contains_key(name) && !write_only {
                return Check::Missing(format!("required `{name}` missing at {path}"));
            }
        }
        for (name, child) in object {
            let Some(declared) = properties.and_then(|p| p.get(name)) else {
                continue;
            };
            if let Check::Missing(why) =
                self.check(child, declared, &format!("{path}.{name}"), depth + 1)
            {
                return Check::Missing(why);
            }
        }
        Check::Fits
    }

    fn success(&self, operation: &Value, accept: Option<&str>) -> Synthesised {
        let responses = operation.get("responses").and_then(Value::as_object);
        let mut successes: Vec<(&String, &Value)> = responses
            .into_iter()
            .flatten()
            .filter(|(code, _)| code.starts_with('2'))
            .collect();
        successes.sort_by(|a, b| a.0.cmp(b.0));
        let chosen = successes
            .first()
            .copied()
            .or_else(|| responses.and_then(|r| r.get_key_value("default")));
        let Some((code, response)) = chosen else {
            return empty(200);
        };
        let status = code.parse().unwrap_or(200);
        if matches!(status, 204 | 205) {
            return empty(status);
        }
        let response = self.resolve(response);
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return empty(status);
        };
        let Some((media_type, media)) = choose_media_type(content, accept) else {
            return empty(status);
        };
        let schema = media.get("schema").cloned().unwrap_or(Value::Null);
        let example = media.get("example").cloned().or_else(|| {
            let examples = media.get("examples")?.as_object()?;
            examples
                .values()
                .find_map(|e| self.resolve(e).get("value").cloned())
        });
        let sample = || {
            example
                .clone()
                .unwrap_or_else(|| generator::ir::response_sample(&self.raw, &schema))
        };
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let (content_type, body) = if essence.contains("json") || essence == "*/*" {
            let content_type = if essence == "*/*" {
                "application/json".to_owned()
            } else {
                media_type.to_owned()
            };
            (
                content_type,
                serde_json::to_vec(&sample()).unwrap_or_default(),
            )
        } else if essence.contains("xml") {
            let root = self
                .resolve(&schema)
                .pointer("/xml/name")
                .and_then(Value::as_str)
                .unwrap_or("Response")
                .to_owned();
            let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            write_xml(&root, &sample(), &mut xml);
            (media_type.to_owned(), xml.into_bytes())
        } else if essence.starts_with("text/") {
            let text = match sample() {
                Value::String(text) => text,
                other => other.to_string(),
            };
            (media_type.to_owned(), text.into_bytes())
        } else {
            binary(&essence, media_type)
        };
        Synthesised {
            status,
            content_type: Some(content_type),
            body,
        }
    }

    fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match value
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| generator::pointer::lookup_pointer(&self.raw, r))
            {
                Some(target) => value = target,
                None => break,
            }
        }
        value
    }
}

/// What [`Fallback::missing_required`] found at one schema.
#[derive(Debug, PartialEq, Eq)]
enum Check {
    /// Nothing required is missing.
    Fits,
    /// Another JSON type than the schema's (decides between alternatives only).
    WrongType,
    /// A required property is missing: where and which.
    Missing(String),
}

/// Whether a JSON value has the type a schema declares (`null` fits any: nullability is the
/// schema's business elsewhere).
pub(crate) fn json_type_fits(value: &Value, declared: &str) -> bool {
    match (declared, value) {
        (_, Value::Null) => true,
        ("object", v) => v.is_object(),
        ("array", v) => v.is_array(),
        ("string", v) => v.is_string(),
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("number", v) => v.is_number(),
        ("boolean", v) => v.is_boolean(),
        ("integer", _) => false,
        _ => true,
    }
}

fn empty(status: u16) -> Synthesised {
    Synthesised {
        status,
        content_type: None,
        body: Vec::new(),
    }
}

/// Whether a request path segment fits a template segment: equal, or, with `{…}` in it, holding
/// the template's literal parts in order (`{name}.json` fits `a.json`).
fn segment_matches(template: &str, segment: &str) -> bool {
    if !template.contains('{') {
        return template == segment;
    }
    let mut literals = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        literals.push(&rest[..open]);
        rest = rest[open..]
            .find('}')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    literals.push(rest);
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    if !segment.starts_with(first)
        || segment.len() < first.len() + last.len()
        || !segment.ends_with(last)
    {
        return false;
    }
    let mut remaining = &segment[first.len()..segment.len() - last.len()];
    for literal in &literals[1..literals.len() - 1] {
        match remaining.find(literal) {
            Some(at) => remaining = &remaining[at + literal.len()..],
            None => return false,
        }
    }
    true
}

/// The declared media type to answer in: the first the request's `Accept` names, else JSON,
/// then form, text and the first declared, as the generated client reads them.
fn choose_media_type<'a>(
    content: &'a serde_json::Map<String, Value>,
    accept: Option<&str>,
) -> Option<(&'a str, &'a Value)> {
    let by = |predicate: &dyn Fn(&str) -> bool| {
        content
            .iter()
            .find(|(k, _)| predicate(&k.to_ascii_lowercase()))
            .map(|(k, v)| (k.as_str(), v))
    };
    let accepted: Vec<String> = accept
        .unwrap_or_default()
        .split(',')
        .map(|m| {
            m.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|m| !m.is_empty() && !m.contains('*'))
        .collect();
    accepted
        .iter()
        .find_map(|wanted| by(&|m: &str| m.split(';').next().unwrap_or_default().trim() == wanted))
        .or_else(|| by(&|m: &str| m.starts_with("application/json")))
        .or_else(|| by(&|m: &str| m.contains("json")))
        .or_else(|| by(&|m: &str| m.starts_with("text/")))
        .or_else(|| content.iter().next().map(|(k, v)| (k.as_str(), v)))
}

/// A body of a binary media type that readers of the type accept.
fn binary(essence: &str, media_type: &str) -> (String, Vec<u8>) {
    let content_type = match essence {
        "image/*" => "image/png",
        "*/*" | "application/*" => "application/octet-stream",
        _ => media_type,
    };
    let body: &[u8] = match content_type {
        "application/pdf" => {
            b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
        }
        "image/png" => {
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
        }
        _ => b"sample",
    };
    (content_type.to_owned(), body.to_vec())
}

/// `value` as XML under an element `name`: objects as child elements, arrays as repeated ones.
fn write_xml(name: &str, value: &Value, out: &mut String) {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "_-.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match value {
        Value::Array(items) => items.iter().for_each(|item| write_xml(&name, item, out)),
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (key, child) in map {
                write_xml(key, child, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(text) => {
            let escaped = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            out.push_str(&format!("<{name}>{escaped}</{name}>"));
        }
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// Whether a response is Prism failing to build one (a 5xx problem report of its own, with no
/// violation located in the request), and then its summary for [`FALLBACK_HEADER`].
pub fn prism_own_failure(status: u16, body: &[u8]) -> Option<String> {
    if !(500..600).contains(&status) {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    if !text.contains("stoplight.io/prism/errors") {
        return None;
    }
    let problem: Value = serde_json::from_str(text.trim()).unwrap_or(Value::Null);
    let violations = problem.get("validation").and_then(Value::as_array);
    let about_request = violations.into_iter().flatten().any(|violation| {
        // Request violations sit under `request` or straight under their part (`query`).
        violation.pointer("/location/0").and_then(Value::as_str) != Some("response")
    });
    if about_request {
        return None;
    }
    let title = problem.get("title").and_then(Value::as_str).unwrap_or("");
    let detail = problem.get("detail").and_then(Value::as_str).unwrap_or("");
    let summary = match (title, detail) {
        ("", "") => format!("Prism answered {status} with no message"),
        (title, "") | ("", title) => format!("Prism: {title}"),
        (title, detail) => format!("Prism: {title}: {detail}"),
    };
    // A header value: printable ASCII on one line.
    Some(
        summary
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    ' '
                }
            })
            .take(200)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: &str = r##"{
      "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
      "paths": {
        "/users/{id}": {"get": {"responses": {
          "200": {"description": "ok", "content": {
            "text/xml": {"schema": {"$ref": "#/components/schemas/User"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
          "404": {"description": "missing"}}}},
        "/users/me": {"get": {"responses": {"201": {"description": "ok", "content": {
          "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}},
        "/files/{name}.json": {"delete": {"responses": {"204": {"description": "gone",
          "content": {"application/json": {"schema": {"type": "object"}}}}}}}
      },
      "components": {"schemas": {"User": {"type": "object", "required": ["id"],
        "xml": {"name": "User"},
        "properties": {"id": {"type": "string", "format": "uuid"},
          "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
          "secret": {"type": "string", "writeOnly": true}}}}}
    }"##;

    #[test]
    fn a_success_leaving_out_a_required_property_is_found_through_refs_and_alternatives() {
        let spec = r##"{
          "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
          "paths": {"/intents/{id}": {"get": {"responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Intent"}}}}}}}},
          "components": {"schemas": {
            "Intent": {"type": "object", "required": ["amount", "secret"], "properties": {
              "amount": {"type": "integer"},
              "secret": {"type": "string", "writeOnly": true},
              "last_error": {"$ref": "#/components/schemas/Error"}}},
            "Error": {"type": "object", "required": ["type"], "properties": {
              "type": {"type": "string"},
              "intent": {"nullable": true, "anyOf": [
                {"type": "string"}, {"$ref": "#/components/schemas/Intent"}]}}}}}
        }"##;
        let fallback = Fallback::load(spec).expect("loads");
        let check = |body: serde_json::Value| {
            fallback.missing_required("GET", "/intents/pi_1", 200, body.to_string().as_bytes())
        };
        // Prism ends the recursion Intent → Error → Intent with `{}`.
        assert_eq!(
            check(json!({"amount": 1, "last_error": {"type": "card", "intent": {}}})).as_deref(),
            Some(
                "Prism's response breaks its schema: required `amount` missing at $.last_error.intent"
            )
        );
        // An id in place of the object, null, and a missing write-only property are all fine.
        assert_eq!(
            check(json!({"amount": 1, "last_error": {"type": "card", "intent": "pi_2"}})),
            None
        );
        assert_eq!(
            check(json!({"amount": 1, "last_error": {"type": "card", "intent": null}})),
            None
        );
        assert_eq!(
            check(json!({"last_error": {"type": "card"}})).as_deref(),
            Some("Prism's response breaks its schema: required `amount` missing at $")
        );
        // Only successes are checked.
        assert_eq!(
            fallback.missing_required("GET", "/intents/pi_1", 404, b"{}"),
            None
        );
    }

    #[test]
    fn the_first_success_is_sampled_in_the_accepted_media_type() {
        let fallback = Fallback::load(SPEC).expect("loads");
        let json = fallback
            .respond("GET", "/users/42?x=1", None)
            .expect("matches");
        assert_eq!(json.status, 200);
        assert_eq!(json.content_type.as_deref(), Some("application/json"));
        let body: Value = serde_json::from_slice(&json.body).expect("JSON");
        assert_eq!(
            body,
            json!({"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "tags": ["a"]})
        );
        let xml = fallback
            .respond("GET", "/users/42", Some("text/xml"))
            .expect("matches");
        assert_eq!(
            String::from_utf8(xml.body).expect("UTF-8"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><User><id>3fa85f64-5717-4562-b3fc-2c963f66afa6</id><tags>a</tags></User>"
        );
    }

    #[test]
    fn literal_templates_win_and_prefixes_and_partial_segments_match() {
        let fallback = Fallback::load(SPEC).expect("loads");
        let me = fallback
            .respond("GET", "/v1/users/me", None)
            .expect("matches");
        assert_eq!(
            (me.status, me.content_type.as_deref()),
            (201, Some("application/pdf"))
        );
        assert!(me.body.starts_with(b"%PDF-"));
        let gone = fallback
            .respond("DELETE", "/files/report.json", None)
            .expect("matches");
        assert_eq!((gone.status, gone.body.len()), (204, 0));
        assert_eq!(fallback.respond("DELETE", "/files/report.txt", None), None);
        assert_eq!(fallback.respond("POST", "/users/42", None), None);
    }

    #[test]
    fn only_prism_failing_on_its_own_is_replaced() {
        let own = json!({"type": "https://stoplight.io/prism/errors#UNKNOWN",
            "title": "Cannot serialise complex objects as text", "status": 500});
        assert_eq!(
            prism_own_failure(500, own.to_string().as_bytes()).as_deref(),
            Some("Prism: Cannot serialise complex objects as text")
        );
        let request = json!({"type": "https://stoplight.io/prism/errors#VIOLATIONS",
            "title": "Request/Response not valid",
            "validation": [{"location": ["request", "body"], "message": "bad"}]});
        assert_eq!(prism_own_failure(500, request.to_string().as_bytes()), None);
        assert_eq!(prism_own_failure(422, own.to_string().as_bytes()), None);
        assert_eq!(
            prism_own_failure(500, b"{\"error\": \"the API's own 500\"}"),
            None
        );
    }
}
