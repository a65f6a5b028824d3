//! Swagger 2.0 → OpenAPI 3.0.3, done on the parsed document before normalisation, so the rest of
//! the generator only ever sees OpenAPI 3.
//!
//! `host`/`basePath`/`schemes` become `servers`; `definitions`, `parameters`, `responses` and
//! `securityDefinitions` move under `components`; `body` and `formData` parameters become request
//! bodies (with `consumes`; `type: file` makes a multipart body with binary parts); `produces`
//! gives the response media types; `collectionFormat` becomes `style`/`explode`; `x-nullable`
//! becomes `nullable`; every `$ref` is rewritten. What OpenAPI 3 cannot say is a warning. Every
//! moved node is recorded in [`Origins`], so diagnostics point into the 2.0 document.

use serde_json::{Map, Value, json};

use crate::error::{Diagnostic, Error};
use crate::pointer::pointer_join;

use super::origin::Origins;

/// HTTP methods a Swagger 2.0 path item may hold.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Keywords of a non-body parameter, header or items object that describe its value (they move
/// into the OpenAPI 3 `schema`).
const VALUE_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";
const JSON_MEDIA_TYPE: &str = "application/json";

/// Whether the parsed document is a Swagger 2.0 document (it declares `swagger`).
pub(crate) fn is_swagger2(document: &Value) -> bool {
    document.get("swagger").is_some()
}

/// Converts a Swagger 2.0 document into OpenAPI 3.0.3.
///
/// # Errors
///
/// A `swagger` version other than `2.0`.
pub(crate) fn convert(
    document: &Value,
    origins: &mut Origins,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Error> {
    let version = match document.get("swagger") {
        Some(Value::String(version)) => version.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    };
    if version != "2.0" {
        return Err(Diagnostic::new(
            "#/swagger",
            format!("unsupported Swagger version `{version}`"),
        )
        .with_hint("Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2 documents are supported")
        .into());
    }
    let empty = Map::new();
    let source = document.as_object().unwrap_or(&empty);
    let mut converter = Converter {
        source,
        consumes: media_types(source.get("consumes")),
        produces: media_types(source.get("produces")),
        origins,
        warnings,
    };
    let mut converted = converter.document();
    rewrite_refs(&mut converted, source);
    Ok(converted)
}

struct Converter<'a> {
    source: &'a Map<String, Value>,
    consumes: Vec<String>,
    produces: Vec<String>,
    origins: &'a mut Origins,
    warnings: &'a mut Vec<Diagnostic>,
}

/// A parameter as written (after following a `$ref` to a global one) and where it was written.
struct SourceParam<'a> {
    param: &'a Map<String, Value>,
    /// Where the parameter (or the `$ref` to it) is in the 2.0 document.
    pointer: String,
    /// The global parameter's name when it was reached through `$ref`.
    reference: Option<String>,
}

impl<'a> Converter<'a> {
    fn document(&mut self) -> Value {
        let mut out = Map::new();
        out.insert("openapi".to_owned(), json!("3.0.3"));
        for key in ["info", "tags", "externalDocs", "security"] {
            if let Some(value) = self.source.get(key) {
                out.insert(key.to_owned(), value.clone());
            }
        }
        if let Some(servers) = self.servers() {
            out.insert("servers".to_owned(), servers);
        }
        out.insert("paths".to_owned(), self.paths());
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".to_owned(), Value::Object(components));
        }
        copy_extensions(self.source, &mut out);
        Value::Object(out)
    }

    /// `schemes` × `host` + `basePath`; `https` when no scheme is declared, and a relative
    /// server (the base path alone) without a host.
    fn servers(&mut self) -> Option<Value> {
        let base_path = self
            .source
            .get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end_matches('/');
        let servers: Vec<Value> = match self.source.get("host").and_then(Value::as_str) {
            Some(host) => {
                let mut schemes: Vec<&str> = self
                    .source
                    .get("schemes")
                    .and_then(Value::as_array)
                    .map(|s| s.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if schemes.is_empty() {
                    schemes.push("https");
                }
                schemes
                    .iter()
                    .map(|scheme| json!({"url": format!("{scheme}://{host}{base_path}")}))
                    .collect()
            }
            None if !base_path.is_empty() => vec![json!({"url": base_path})],
            None => return None,
        };
        self.origins
            .converted_from("#/servers".to_owned(), "#/host".to_owned());
        Some(Value::Array(servers))
    }

    fn components(&mut self) -> Map<String, Value> {
        let mut components = Map::new();
        if let Some(Value::Object(definitions)) = self.source.get("definitions") {
            let schemas = definitions
                .iter()
                .map(|(name, schema)| (name.clone(), convert_schema(schema)))
                .collect();
            components.insert("schemas".to_owned(), Value::Object(schemas));
            self.origins.converted_from(
                "#/components/schemas".to_owned(),
                "#/definitions".to_owned(),
            );
        }
        let (parameters, request_bodies) = self.global_parameters();
        if !parameters.is_empty() {
            components.insert("parameters".to_owned(), Value::Object(parameters));
        }
        if !request_bodies.is_empty() {
            components.insert("requestBodies".to_owned(), Value::Object(request_bodies));
        }
        if let Some(Value::Object(responses)) = self.source.get("responses") {
            let mut converted = Map::new();
            for (name, response) in responses {
                let old = pointer_join("#/responses", name);
                let new = pointer_join("#/components/responses", name);
                let produces = self.produces.clone();
                converted.insert(name.clone(), self.response(response, &produces, &old, &new));
            }
            components.insert("responses".to_owned(), Value::Object(converted));
        }
        if let Some(Value::Object(definitions)) = self.source.get("securityDefinitions") {
            let schemes = definitions
                .iter()
                .map(|(name, scheme)| (name.clone(), self.security_scheme(name, scheme)))
                .collect();
            components.insert("securitySchemes".to_owned(), Value::Object(schemes));
            self.origins.converted_from(
                "#/components/securitySchemes".to_owned(),
                "#/securityDefinitions".to_owned(),
            );
        }
        components
    }

    /// Global parameters: plain ones under `components/parameters`, `body` ones as
    /// `components/requestBodies`; `formData` ones are inlined where they are used.
    fn global_parameters(&mut self) -> (Map<String, Value>, Map<String, Value>) {
        let mut parameters = Map::new();
        let mut request_bodies = Map::new();
        let Some(Value::Object(globals)) = self.source.get("parameters") else {
            return (parameters, request_bodies);
        };
        for (name, param) in globals {
            let Value::Object(param) = param else {
                continue;
            };
            let old = pointer_join("#/parameters", name);
            match param.get("in").and_then(Value::as_str) {
                Some("body") => {
                    let new = pointer_join("#/components/requestBodies", name);
                    let consumes = self.consumes.clone();
                    let body = self.body(param, &consumes, &old, &new);
                    request_bodies.insert(name.clone(), body);
                }
                Some("formData") => {}
                _ => {
                    let new = pointer_join("#/components/parameters", name);
                    parameters.insert(name.clone(), self.parameter(param, &old, &new));
                }
            }
        }
        (parameters, request_bodies)
    }

    fn security_scheme(&mut self, name: &str, scheme: &Value) -> Value {
        let Value::Object(scheme) = scheme else {
            return scheme.clone();
        };
        let mut out = Map::new();
        match scheme.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".to_owned(), json!("http"));
                out.insert("scheme".to_owned(), json!("basic"));
            }
            Some("oauth2") => {
                out.insert("type".to_owned(), json!("oauth2"));
                out.insert("flows".to_owned(), self.oauth2_flows(name, scheme));
            }
            _ => {
                for key in ["type", "name", "in"] {
                    if let Some(value) = scheme.get(key) {
                        out.insert(key.to_owned(), value.clone());
                    }
                }
            }
        }
        if let Some(description) = scheme.get("description") {
            out.insert("description".to_owned(), description.clone());
        }
        copy_extensions(scheme, &mut out);
        Value::Object(out)
    }

    fn oauth2_flows(&mut self, name: &str, scheme: &Map<String, Value>) -> Value {
        let flow = scheme.get("flow").and_then(Value::as_str).unwrap_or("");
        let (flow_name, urls): (&str, &[&str]) = match flow {
            "implicit" => ("implicit", &["authorizationUrl"]),
            "password" => ("password", &["tokenUrl"]),
            "application" => ("clientCredentials", &["tokenUrl"]),
            "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            other => {
                self.warnings.push(
                    Diagnostic::new(
                        format!("{}/flow", pointer_join("#/securityDefinitions", name)),
                        format!("unknown OAuth2 flow `{other}`; the scheme gets no flow"),
                    )
                    .with_hint("use implicit, password, application or accessCode"),
                );
                return json!({});
            }
        };
        let mut out = Map::new();
        for url in urls {
            out.insert(
                (*url).to_owned(),
                scheme.get(*url).cloned().unwrap_or(json!("")),
            );
        }
        out.insert(
            "scopes".to_owned(),
            scheme.get("scopes").cloned().unwrap_or(json!({})),
        );
        json!({ flow_name: out })
    }

    fn paths(&mut self) -> Value {
        let mut out = Map::new();
        let Some(Value::Object(paths)) = self.source.get("paths") else {
            return Value::Object(out);
        };
        for (path, item) in paths {
            let converted = match item {
                Value::Object(item) if !path.starts_with("x-") => self.path_item(path, item),
                other => other.clone(),
            };
            out.insert(path.clone(), converted);
        }
        Value::Object(out)
    }

    fn path_item(&mut self, path: &str, item: &'a Map<String, Value>) -> Value {
        let item_pointer = pointer_join("#/paths", path);
        let shared = self.resolve_params(item.get("parameters"), &item_pointer);
        let mut out = Map::new();
        for (key, value) in item {
            if key == "parameters" {
                let kept = self.plain_parameters(&shared, &item_pointer);
                if !kept.is_empty() {
                    out.insert(key.clone(), Value::Array(kept));
                }
            } else if METHODS.contains(&key.as_str()) {
                let Value::Object(operation) = value else {
                    out.insert(key.clone(), value.clone());
                    continue;
                };
                let pointer = pointer_join(&item_pointer, key);
                out.insert(key.clone(), self.operation(operation, &shared, &pointer));
            } else {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// The parameters of a path item or operation, `$ref`s to global ones followed.
    fn resolve_params(&self, params: Option<&'a Value>, owner: &str) -> Vec<SourceParam<'a>> {
        let Some(Value::Array(params)) = params else {
            return Vec::new();
        };
        params
            .iter()
            .enumerate()
            .filter_map(|(index, param)| {
                let pointer = format!("{owner}/parameters/{index}");
                let param = param.as_object()?;
                match param.get("$ref").and_then(Value::as_str) {
                    Some(reference) => {
                        let name = reference.strip_prefix("#/parameters/")?;
                        let name = crate::pointer::unescape_token(name);
                        let global = self.source.get("parameters")?.get(&name)?.as_object()?;
                        Some(SourceParam {
                            param: global,
                            pointer,
                            reference: Some(name),
                        })
                    }
                    None => Some(SourceParam {
                        param,
                        pointer,
                        reference: None,
                    }),
                }
            })
            .collect()
    }

    /// Non-body, non-form parameters as OpenAPI 3 parameters (a reference stays one).
    fn plain_parameters<'p>(
        &mut self,
        params: impl IntoIterator<Item = &'p SourceParam<'a>>,
        owner: &str,
    ) -> Vec<Value>
    where
        'a: 'p,
    {
        let mut out = Vec::new();
        for source in params {
            if matches!(location_of(source.param), "body" | "formData") {
                continue;
            }
            let new = format!("{owner}/parameters/{}", out.len());
            out.push(match &source.reference {
                Some(name) => {
                    self.origins.converted_from(new, source.pointer.clone());
                    json!({"$ref": pointer_join("#/components/parameters", name)})
                }
                None => self.parameter(source.param, &source.pointer, &new),
            });
        }
        out
    }

    fn operation(
        &mut self,
        operation: &'a Map<String, Value>,
        shared: &[SourceParam<'a>],
        pointer: &str,
    ) -> Value {
        let own = self.resolve_params(operation.get("parameters"), pointer);
        // An operation's parameter overrides a path item's of the same name and location.
        // Plain path-item parameters stay on the path item; its body and form parameters move
        // into each operation's request body.
        let inherited = shared.iter().filter(|param| {
            matches!(location_of(param.param), "body" | "formData")
                && !own.iter().any(|o| {
                    name_of(o.param) == name_of(param.param)
                        && location_of(o.param) == location_of(param.param)
                })
        });
        let all: Vec<&SourceParam<'a>> = own.iter().chain(inherited).collect();
        let consumes = match operation.get("consumes") {
            Some(list) => media_types(Some(list)),
            None => self.consumes.clone(),
        };
        let produces = match operation.get("produces") {
            Some(list) => media_types(Some(list)),
            None => self.produces.clone(),
        };
        let mut out = Map::new();
        for (key, value) in operation {
            match key.as_str() {
                "parameters" | "consumes" | "produces" | "responses" => {}
                "schemes" => self.warnings.push(
                    Diagnostic::new(
                        format!("{pointer}/schemes"),
                        "operation-level `schemes` have no OpenAPI 3 equivalent and are ignored",
                    )
                    .with_hint("the client uses the document's servers for every operation"),
                ),
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        let parameters = self.plain_parameters(all.iter().copied(), pointer);
        if !parameters.is_empty() {
            out.insert("parameters".to_owned(), Value::Array(parameters));
        }
        if let Some(body) = self.request_body(&all, &consumes, pointer) {
            out.insert("requestBody".to_owned(), body);
        }
        out.insert(
            "responses".to_owned(),
            self.responses(operation.get("responses"), &produces, pointer),
        );
        Value::Object(out)
    }

    fn request_body(
        &mut self,
        params: &[&SourceParam<'a>],
        consumes: &[String],
        pointer: &str,
    ) -> Option<Value> {
        let new = format!("{pointer}/requestBody");
        let body = params.iter().find(|p| location_of(p.param) == "body");
        let form: Vec<&SourceParam<'a>> = params
            .iter()
            .copied()
            .filter(|p| location_of(p.param) == "formData")
            .collect();
        if let (Some(body), false) = (body, form.is_empty()) {
            self.warnings.push(
                Diagnostic::new(
                    body.pointer.clone(),
                    "an operation cannot have both a `body` and `formData` parameters; the form parameters are ignored",
                )
                .with_hint("keep one of them"),
            );
        }
        if let Some(body) = body {
            return Some(match &body.reference {
                Some(name) => {
                    self.origins.converted_from(new, body.pointer.clone());
                    json!({"$ref": pointer_join("#/components/requestBodies", name)})
                }
                None => self.body(body.param, consumes, &body.pointer, &new),
            });
        }
        (!form.is_empty()).then(|| self.form_body(&form, consumes, &new))
    }

    /// A `body` parameter as a request body, one media type per `consumes` entry.
    fn body(
        &mut self,
        param: &Map<String, Value>,
        consumes: &[String],
        old: &str,
        new: &str,
    ) -> Value {
        let schema = param.get("schema").map_or(json!({}), convert_schema);
        let media_types = if consumes.is_empty() {
            vec![JSON_MEDIA_TYPE.to_owned()]
        } else {
            consumes.to_vec()
        };
        let mut content = Map::new();
        for media_type in &media_types {
            content.insert(media_type.clone(), json!({ "schema": schema }));
            self.origins.converted_from(
                format!(
                    "{}/schema",
                    pointer_join(&format!("{new}/content"), media_type)
                ),
                format!("{old}/schema"),
            );
        }
        self.origins.converted_from(new.to_owned(), old.to_owned());
        let mut out = Map::new();
        if let Some(description) = param.get("description") {
            out.insert("description".to_owned(), description.clone());
        }
        out.insert("content".to_owned(), Value::Object(content));
        if param.get("required").and_then(Value::as_bool) == Some(true) {
            out.insert("required".to_owned(), json!(true));
        }
        copy_extensions(param, &mut out);
        Value::Object(out)
    }

    /// `formData` parameters as one object schema: multipart when a part is a file or the
    /// operation consumes only multipart, URL-encoded otherwise.
    fn form_body(&mut self, form: &[&SourceParam<'a>], consumes: &[String], new: &str) -> Value {
        let has_file = form
            .iter()
            .any(|p| p.param.get("type").and_then(Value::as_str) == Some("file"));
        let declared: Vec<&str> = consumes
            .iter()
            .map(String::as_str)
            .filter(|m| m.starts_with(MULTIPART) || m.starts_with(FORM_URLENCODED))
            .collect();
        let media_type = match declared.first() {
            _ if has_file => MULTIPART,
            Some(first) => first,
            None => FORM_URLENCODED,
        };
        let schema_pointer = format!(
            "{}/schema",
            pointer_join(&format!("{new}/content"), media_type)
        );
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for source in form {
            let name = name_of(source.param).to_owned();
            let mut schema = self.value_schema(source.param, &source.pointer);
            if let (Value::Object(schema), Some(description)) =
                (&mut schema, source.param.get("description"))
            {
                schema.insert("description".to_owned(), description.clone());
            }
            if let Some(style) = self.form_encoding(source.param, &source.pointer) {
                encoding.insert(name.clone(), style);
            }
            self.origins.converted_from(
                pointer_join(&format!("{schema_pointer}/properties"), &name),
                source.pointer.clone(),
            );
            if source.param.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(json!(name));
            }
            properties.insert(name, schema);
        }
        let mut schema = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            schema["required"] = Value::Array(required.clone());
        }
        let mut media = json!({ "schema": schema });
        if !encoding.is_empty() && media_type == FORM_URLENCODED {
            media["encoding"] = Value::Object(encoding);
        }
        let mut body = json!({"content": { media_type: media }});
        if !required.is_empty() {
            body["required"] = json!(true);
        }
        body
    }

    /// The `encoding` entry a URL-encoded array field needs (2.0 defaults to `csv`).
    fn form_encoding(&mut self, param: &Map<String, Value>, pointer: &str) -> Option<Value> {
        if param.get("type").and_then(Value::as_str) != Some("array") {
            return None;
        }
        let format = param
            .get("collectionFormat")
            .and_then(Value::as_str)
            .unwrap_or("csv");
        match format {
            "multi" => None,
            "ssv" => Some(json!({"style": "spaceDelimited", "explode": false})),
            "pipes" => Some(json!({"style": "pipeDelimited", "explode": false})),
            "csv" => Some(json!({"style": "form", "explode": false})),
            other => {
                self.warn_collection_format(pointer, other, "sent comma-separated");
                Some(json!({"style": "form", "explode": false}))
            }
        }
    }

    /// A non-body parameter: its value keywords become its `schema`, `collectionFormat` its
    /// `style`/`explode`.
    fn parameter(&mut self, param: &Map<String, Value>, old: &str, new: &str) -> Value {
        let location = location_of(param);
        let mut out = Map::new();
        for key in ["name", "in", "description", "required", "deprecated"] {
            if let Some(value) = param.get(key) {
                out.insert(key.to_owned(), value.clone());
            }
        }
        if location == "query"
            && let Some(value) = param.get("allowEmptyValue")
        {
            out.insert("allowEmptyValue".to_owned(), value.clone());
        }
        if param.get("type").and_then(Value::as_str) == Some("array") {
            let format = param
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv");
            self.style(&mut out, location, format, old);
        }
        out.insert("schema".to_owned(), self.value_schema(param, old));
        if let Some(example) = param.get("x-example") {
            out.insert("example".to_owned(), example.clone());
        }
        for (key, value) in param {
            if key.starts_with("x-") && key != "x-example" && key != "x-nullable" {
                out.insert(key.clone(), value.clone());
            }
        }
        self.origins.converted_from(new.to_owned(), old.to_owned());
        self.origins
            .converted_from(format!("{new}/schema"), old.to_owned());
        Value::Object(out)
    }

    fn style(&mut self, out: &mut Map<String, Value>, location: &str, format: &str, at: &str) {
        let (style, explode) = match (format, location) {
            ("csv", "query" | "cookie") => ("form", false),
            ("csv", _) => ("simple", false),
            ("multi", "query" | "cookie") => ("form", true),
            ("ssv", "query") => ("spaceDelimited", false),
            ("pipes", "query") => ("pipeDelimited", false),
            (other, "query" | "cookie") => {
                self.warn_collection_format(at, other, "sent comma-separated");
                ("form", false)
            }
            (other, _) => {
                self.warn_collection_format(at, other, "sent comma-separated");
                ("simple", false)
            }
        };
        out.insert("style".to_owned(), json!(style));
        out.insert("explode".to_owned(), json!(explode));
    }

    fn warn_collection_format(&mut self, at: &str, format: &str, fallback: &str) {
        self.warnings.push(
            Diagnostic::new(
                format!("{at}/collectionFormat"),
                format!("`collectionFormat: {format}` has no OpenAPI 3 equivalent here; the list is {fallback}"),
            )
            .with_hint("check how the API expects this list, and override it with an overlay if needed"),
        );
    }

    /// The schema of a non-body parameter, header or form field from its value keywords.
    fn value_schema(&mut self, param: &Map<String, Value>, at: &str) -> Value {
        let mut schema = Map::new();
        for key in VALUE_KEYWORDS {
            let Some(value) = param.get(*key) else {
                continue;
            };
            let converted = match *key {
                "items" => self.items_schema(value, &format!("{at}/items")),
                _ => value.clone(),
            };
            schema.insert((*key).to_owned(), converted);
        }
        convert_schema(&Value::Object(schema))
    }

    fn items_schema(&mut self, items: &Value, at: &str) -> Value {
        let Value::Object(items) = items else {
            return items.clone();
        };
        if items.contains_key("$ref") {
            return Value::Object(items.clone());
        }
        if let Some(format) = items.get("collectionFormat").and_then(Value::as_str) {
            self.warnings.push(
                Diagnostic::new(
                    format!("{at}/collectionFormat"),
                    format!("nested `collectionFormat: {format}` has no OpenAPI 3 equivalent and is ignored"),
                )
                .with_hint("lists of lists in parameters cannot be described in OpenAPI 3"),
            );
        }
        self.value_schema(items, at)
    }

    fn responses(&mut self, responses: Option<&Value>, produces: &[String], op: &str) -> Value {
        let Some(Value::Object(responses)) = responses else {
            return json!({"default": {"description": ""}});
        };
        let mut out = Map::new();
        for (code, response) in responses {
            let converted = if code.starts_with("x-") {
                response.clone()
            } else {
                let pointer = pointer_join(&format!("{op}/responses"), code);
                self.response(response, produces, &pointer, &pointer)
            };
            out.insert(code.clone(), converted);
        }
        Value::Object(out)
    }

    fn response(&mut self, response: &Value, produces: &[String], old: &str, new: &str) -> Value {
        let Value::Object(response) = response else {
            return response.clone();
        };
        if let Some(reference) = response.get("$ref") {
            return json!({ "$ref": reference });
        }
        let mut out = Map::new();
        out.insert(
            "description".to_owned(),
            response.get("description").cloned().unwrap_or(json!("")),
        );
        if let Some(Value::Object(headers)) = response.get("headers") {
            let mut converted = Map::new();
            for (name, header) in headers {
                let Value::Object(header) = header else {
                    continue;
                };
                let header_old = pointer_join(&format!("{old}/headers"), name);
                let mut out_header = Map::new();
                if let Some(description) = header.get("description") {
                    out_header.insert("description".to_owned(), description.clone());
                }
                out_header.insert("schema".to_owned(), self.value_schema(header, &header_old));
                self.origins
                    .converted_from(pointer_join(&format!("{new}/headers"), name), header_old);
                converted.insert(name.clone(), Value::Object(out_header));
            }
            out.insert("headers".to_owned(), Value::Object(converted));
        }
        if let Some(schema) = response.get("schema") {
            let is_file = schema.get("type").and_then(Value::as_str) == Some("file");
            let media_types = match (produces.is_empty(), is_file) {
                (false, _) => produces.to_vec(),
                (true, true) => vec!["application/octet-stream".to_owned()],
                (true, false) => vec![JSON_MEDIA_TYPE.to_owned()],
            };
            let schema = convert_schema(schema);
            let examples = response.get("examples").and_then(Value::as_object);
            let mut content = Map::new();
            for media_type in &media_types {
                let mut media = json!({ "schema": schema });
                if let Some(example) = examples.and_then(|e| e.get(media_type)) {
                    media["example"] = example.clone();
                }
                self.origins.converted_from(
                    format!(
                        "{}/schema",
                        pointer_join(&format!("{new}/content"), media_type)
                    ),
                    format!("{old}/schema"),
                );
                content.insert(media_type.clone(), media);
            }
            out.insert("content".to_owned(), Value::Object(content));
        } else if let Some(Value::Object(examples)) = response.get("examples") {
            // No schema, but examples show the body each media type carries.
            let content: Map<String, Value> = examples
                .iter()
                .map(|(media_type, example)| (media_type.clone(), json!({ "example": example })))
                .collect();
            out.insert("content".to_owned(), Value::Object(content));
        }
        copy_extensions(response, &mut out);
        Value::Object(out)
    }
}

/// A schema with the 2.0-only forms rewritten: `x-nullable`, `type: file`, a string
/// `discriminator`; subschemas converted recursively.
fn convert_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match (key.as_str(), value) {
            ("x-nullable", Value::Bool(nullable)) => {
                out.insert("nullable".to_owned(), Value::Bool(*nullable));
                continue;
            }
            ("discriminator", Value::String(property)) => json!({ "propertyName": property }),
            ("properties" | "patternProperties", Value::Object(schemas)) => Value::Object(
                schemas
                    .iter()
                    .map(|(name, schema)| (name.clone(), convert_schema(schema)))
                    .collect(),
            ),
            ("allOf" | "anyOf" | "oneOf", Value::Array(schemas))
            | ("items", Value::Array(schemas)) => {
                Value::Array(schemas.iter().map(convert_schema).collect())
            }
            ("items" | "additionalProperties" | "not", Value::Object(_)) => convert_schema(value),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if out.get("type").and_then(Value::as_str) == Some("file") {
        out.insert("type".to_owned(), json!("string"));
        out.insert("format".to_owned(), json!("binary"));
    }
    Value::Object(out)
}

/// Rewrites every `$ref` to a 2.0 location into its OpenAPI 3 place; a reference to a global
/// `body` parameter left anywhere else becomes a reference to its request body.
fn rewrite_refs(value: &mut Value, source: &Map<String, Value>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                if let Some(rewritten) = rewritten_ref(reference, source) {
                    *reference = rewritten;
                }
            }
            for (key, child) in map.iter_mut() {
                // Example values are data, never references to rewrite.
                if key != "example" && key != "examples" {
                    rewrite_refs(child, source);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_refs(item, source);
            }
        }
        _ => {}
    }
}

fn rewritten_ref(reference: &str, source: &Map<String, Value>) -> Option<String> {
    if let Some(rest) = reference.strip_prefix("#/definitions/") {
        return Some(format!("#/components/schemas/{rest}"));
    }
    if let Some(rest) = reference.strip_prefix("#/responses/") {
        return Some(format!("#/components/responses/{rest}"));
    }
    let rest = reference.strip_prefix("#/parameters/")?;
    let name = crate::pointer::unescape_token(rest.split('/').next().unwrap_or(rest));
    let is_body = source
        .get("parameters")
        .and_then(|globals| globals.get(&name))
        .and_then(|param| param.get("in"))
        .and_then(Value::as_str)
        == Some("body");
    Some(if is_body {
        format!("#/components/requestBodies/{rest}")
    } else {
        format!("#/components/parameters/{rest}")
    })
}

fn media_types(list: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match list {
        Some(Value::Array(items)) => {
            for item in items.iter().filter_map(Value::as_str) {
                if !out.iter().any(|m| m == item) {
                    out.push(item.to_owned());
                }
            }
        }
        Some(Value::String(single)) => out.push(single.clone()),
        _ => {}
    }
    out
}

fn location_of(param: &Map<String, Value>) -> &str {
    param.get("in").and_then(Value::as_str).unwrap_or("")
}

fn name_of(param: &Map<String, Value>) -> &str {
    param.get("name").and_then(Value::as_str).unwrap_or("")
}

fn copy_extensions(from: &Map<String, Value>, to: &mut Map<String, Value>) {
    for (key, value) in from {
        if key.starts_with("x-") && !to.contains_key(key) {
            to.insert(key.clone(), value.clone());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
