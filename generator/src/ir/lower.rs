//! Spec → IR: servers, credentials, operations; the only place besides `schema` that reads `openapiv3`.

use std::collections::HashSet;

use serde::Deserialize;

use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, SchemaKind, StatusCode,
    Type,
};

use super::MAX_REF_HOPS;
use super::schema::{SchemaOrRef, TypeSpace};
use super::{
    Api, Body, BodyEncoding, Envelope, HttpMethod, Operation, Param, ParamLocation, PathPart,
    QueryStyle, Response, Server, ServerVariable, TypeKind, TypeRef, UnionVariant,
};
use crate::config::Config;
use crate::error::{Diagnostic, Error};
use crate::naming::{NameScope, snake_ident, type_ident};
use crate::pointer::{lookup_pointer, normalize_pointer, pointer_join, unescape_token};
use crate::spec::LoadedSpec;

/// Names a parameter cannot take: fields and methods every request builder already has.
const PARAM_RESERVED: &[&str] = &[
    "body",
    "client",
    "options",
    // The field holding the shared parameters (`CommonParameters`).
    "common",
    "timeout",
    "header",
    "retry_policy",
    "send",
    "send_with_response",
    "into_future",
    "new",
];

/// Names a request builder cannot take: the names `builder.rs` imports.
const BUILDER_RESERVED: &[&str] = &[
    "Client",
    "ClientBuilder",
    "Error",
    "Duration",
    "Future",
    "IntoFuture",
    "Pin",
];

/// Method names the generated `Client` already uses for itself.
const CLIENT_METHODS: &[&str] = &["new", "builder", "base_url", "clone", "fmt", "http_client"];

/// Lowers a loaded spec into the IR, collecting every independent problem before failing.
pub fn lower(spec: &LoadedSpec, config: &Config) -> Result<(Api, Vec<Diagnostic>), Error> {
    let openapi = &spec.openapi;
    let mut space = TypeSpace::new(config, &spec.raw);
    let empty = indexmap::IndexMap::new();
    let schemas = openapi.components.as_ref().map_or(&empty, |c| &c.schemas);
    space.reserve_components(schemas);
    space.lower_components(schemas);

    let envelope = config.envelope.as_ref().map(|e| Envelope {
        success_flag: e.success_flag.clone(),
        data: e.data.clone(),
        error_code: e.error_code.clone(),
        error_message: e.error_message.clone(),
        request_id: e.request_id.clone(),
    });
    let mut lowering = OperationLowering {
        openapi,
        config,
        envelope: envelope.as_ref(),
        raw: &spec.raw,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut operations = lowering.operations(&mut space);
    let server = lowering.server();
    let (credentials, security_alternatives) = lowering.credentials();
    let (mut errors, mut warnings) = (lowering.errors, lowering.warnings);

    let (types, type_errors, type_warnings) = space.finish();
    errors.extend(type_errors);
    warnings.extend(type_warnings);
    let protected = |pointer: &str| {
        config.type_names.contains_key(pointer) || config.filters.contains_key(pointer)
    };
    let mut types = types;
    super::dedupe::merge_identical_types(&mut types, &mut operations, &protected);
    super::cycles::break_cycles(&mut types, &mut errors);
    super::sizes::box_large_fields(&mut types);
    if !errors.is_empty() {
        return Err(Error {
            diagnostics: errors,
        });
    }
    let mut api = Api {
        title: openapi.info.title.clone(),
        description: openapi.info.description.clone(),
        api_version: openapi.info.version.clone(),
        openapi_version: spec.declared_version.clone(),
        server,
        credentials,
        security_alternatives,
        types,
        operations,
        envelope,
        extra_files: extra_files(config, &mut errors),
        filters: Vec::new(),
        tags: openapi
            .tags
            .iter()
            .map(|tag| (tag.name.clone(), tag.description.clone()))
            .collect(),
        wire_tests: config.wire_tests,
        mock: config.mock,
        with_setters: config.with_setters,
        conversions: Vec::new(),
    };
    super::features::apply(&mut api, config, &mut errors);
    api.conversions = super::conversions::find(&api, config, &mut errors);
    if api.wire_tests {
        for operation in &mut api.operations {
            operation.wire = Some(super::sample::wire_case(&spec.raw, operation));
        }
    }
    errors.extend(super::check_type_ids(&api));
    if !errors.is_empty() {
        return Err(Error {
            diagnostics: errors,
        });
    }
    Ok((api, warnings))
}

/// Lowering state shared by operations, servers and credentials (`security.rs`).
pub(super) struct OperationLowering<'a> {
    pub(super) openapi: &'a OpenAPI,
    config: &'a Config,
    envelope: Option<&'a Envelope>,
    raw: &'a serde_json::Value,
    pub(super) errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl OperationLowering<'_> {
    /// A path item given by a local `$ref` (such as `#/components/pathItems/Pet`).
    fn referenced_path_item(&mut self, reference: &str, at: &str) -> Option<openapiv3::PathItem> {
        let Some(raw) = reference
            .starts_with('#')
            .then(|| lookup_pointer(self.raw, reference))
            .flatten()
        else {
            self.errors.push(
                Diagnostic::new(
                    at,
                    format!("path item `$ref` `{reference}` does not resolve"),
                )
                .with_hint("point at a path item in this document (external files are not read)"),
            );
            return None;
        };
        match openapiv3::PathItem::deserialize(raw) {
            Ok(item) => Some(item),
            Err(error) => {
                self.errors.push(
                    Diagnostic::new(
                        normalize_pointer(reference),
                        format!("invalid path item: {error}"),
                    )
                    .with_hint("make the referenced path item follow the OpenAPI 3 schema"),
                );
                None
            }
        }
    }

    fn operations(&mut self, space: &mut TypeSpace<'_>) -> Vec<Operation> {
        let mut method_names = NameScope::with_reserved(CLIENT_METHODS);
        let mut builder_names = NameScope::with_reserved(BUILDER_RESERVED);
        let mut seen_ids = HashSet::new();
        let mut operations = Vec::new();
        for (path, item) in &self.openapi.paths.paths {
            let mut path_pointer = pointer_join("#/paths", path);
            // `/a#X-Amz-Target=Op` selects by a header or query the operation sends; segments
            // after the `#` (`/send/#env/v1/…`) are never sent at all.
            if let Some((sent, fragment)) = path.split_once('#')
                && fragment.contains('/')
            {
                self.warnings.push(
                    Diagnostic::new(
                        path_pointer.clone(),
                        format!(
                            "the path writes segments after `#`, which HTTP never sends: \
                             requests go to `{sent}`"
                        ),
                    )
                    .with_hint("correct the path in the spec (the server cannot tell such operations apart)"),
                );
            }
            let referenced;
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    match self.referenced_path_item(reference, &path_pointer) {
                        Some(item) => {
                            // Operations are located (and named in errors) where they are written.
                            path_pointer = normalize_pointer(reference);
                            referenced = item;
                            &referenced
                        }
                        None => continue,
                    }
                }
            };
            for (method, operation) in item.iter() {
                let pointer = pointer_join(&path_pointer, method);
                let Some(http_method) = parse_method(method) else {
                    continue;
                };
                let operation_id = match &operation.operation_id {
                    Some(id) if !id.trim().is_empty() => id.clone(),
                    _ => derived_operation_id(method, path),
                };
                if !seen_ids.insert(operation_id.clone()) {
                    self.warnings.push(
                        Diagnostic::new(
                            pointer_join(&pointer, "operationId"),
                            format!("duplicate operationId `{operation_id}`"),
                        )
                        .with_hint("operationIds must be unique; the method gets a numbered name"),
                    );
                }
                let op_config = self.config.operations.get(&operation_id);
                let wanted_method = op_config
                    .and_then(|c| c.method_name.clone())
                    .unwrap_or_else(|| snake_ident(&operation_id));
                let method_name = method_names.claim(&wanted_method);
                // Auto-paging methods live beside the method, so they are claimed with it.
                let paging_methods = op_config.and_then(|c| c.pagination.as_ref()).map(|_| {
                    (
                        method_names.claim(&format!("{method_name}_stream")),
                        method_names.claim(&format!("{method_name}_all")),
                    )
                });
                let builder_name = builder_names.claim(&type_ident(&operation_id));
                let mut params = self.params(
                    space,
                    &item.parameters,
                    &operation.parameters,
                    &builder_name,
                    &pointer,
                );
                let path_parts = self.path_parts(path, &mut params, &pointer);
                let body = operation.request_body.as_ref().and_then(|body| {
                    self.body(
                        space,
                        body,
                        &builder_name,
                        &pointer_join(&pointer, "requestBody"),
                    )
                });
                self.check_response_keys(&pointer_join(&pointer, "responses"));
                let response = self.response(
                    space,
                    &operation.responses,
                    &builder_name,
                    &pointer_join(&pointer, "responses"),
                );
                let idempotent = op_config
                    .and_then(|c| c.idempotent)
                    .unwrap_or_else(|| http_method.is_idempotent());
                let idempotency_key = params
                    .iter()
                    .find(|p| {
                        p.location == ParamLocation::Header
                            && p.name.eq_ignore_ascii_case("idempotency-key")
                    })
                    .map(|p| p.name.clone())
                    .or_else(|| {
                        (!idempotent)
                            .then(|| self.config.idempotency_key.clone())
                            .flatten()
                    });
                operations.push(Operation {
                    operation_id,
                    method_name,
                    builder_name,
                    http_method,
                    path_template: path.clone(),
                    path: path_parts,
                    summary: operation.summary.clone(),
                    description: operation.description.clone(),
                    deprecated: operation.deprecated,
                    tags: operation.tags.clone(),
                    params,
                    body,
                    response,
                    idempotent,
                    idempotency_key,
                    pagination: None,
                    paging_methods,
                    pointer,
                    wire: None,
                });
            }
        }
        for id in self.config.operations.keys() {
            if !seen_ids.contains(id) {
                self.errors.push(
                    Diagnostic::new(
                        format!("config:operations.{id}"),
                        format!("no operation has operationId `{id}`"),
                    )
                    .with_hint("fix the operationId or remove the section"),
                );
            }
        }
        operations
    }

    /// Every key of a `responses` object must be a status code, a `1XX`-style range or `default`.
    fn check_response_keys(&mut self, pointer: &str) {
        let Some(serde_json::Value::Object(responses)) = lookup_pointer(self.raw, pointer) else {
            return;
        };
        for key in responses.keys() {
            let bytes = key.as_bytes();
            let status = bytes.len() == 3
                && matches!(bytes[0], b'1'..=b'5')
                && bytes[1..]
                    .iter()
                    .all(|b| b.is_ascii_digit() || *b == b'X' || *b == b'x');
            if !status && key != "default" && !key.starts_with("x-") {
                self.errors.push(
                    Diagnostic::new(pointer_join(pointer, key), format!("`{key}` is not an HTTP status code"))
                        .with_hint("responses are keyed by status (`200`, `4XX`) or `default`; move this into one of them"),
                );
            }
        }
    }

    /// Path-level and operation-level parameters; the operation's win on the same name and place.
    fn params(
        &mut self,
        space: &mut TypeSpace<'_>,
        path_level: &[ReferenceOr<Parameter>],
        operation_level: &[ReferenceOr<Parameter>],
        builder_name: &str,
        pointer: &str,
    ) -> Vec<Param> {
        let mut resolved: Vec<(Parameter, String, Option<String>)> = Vec::new();
        let levels = [
            (
                path_level,
                pointer.rsplit_once('/').map_or(pointer, |(p, _)| p),
            ),
            (operation_level, pointer),
        ];
        for (level, base) in levels {
            for (index, parameter) in level.iter().enumerate() {
                let at = format!("{}/{index}", pointer_join(base, "parameters"));
                let component = component_name(parameter);
                let Some(parameter) = self.resolve_parameter(parameter, &at) else {
                    continue;
                };
                let key = (
                    parameter.parameter_data_ref().name.clone(),
                    location_of(&parameter),
                );
                resolved.retain(|(p, _, _)| {
                    (p.parameter_data_ref().name.clone(), location_of(p)) != key
                });
                resolved.push((parameter, at, component));
            }
        }
        // OpenAPI: a header parameter named `Accept`, `Content-Type` or `Authorization` "SHALL
        // be ignored"; the client sets those from the media types and the security schemes.
        // A spec that declares no security scheme at all (citrixonline's gotomeeting) leaves
        // nothing else to send its credentials, so there `Authorization` stays a parameter.
        let no_security_schemes = self
            .openapi
            .components
            .as_ref()
            .is_none_or(|c| c.security_schemes.is_empty());
        resolved.retain(|(parameter, at, _)| {
            let name = &parameter.parameter_data_ref().name;
            if location_of(parameter) != ParamLocation::Header {
                return true;
            }
            if no_security_schemes && name.eq_ignore_ascii_case("authorization") {
                self.warnings.push(
                    Diagnostic::new(
                        at.clone(),
                        format!(
                            "header parameter `{name}` is kept, although OpenAPI says to ignore it: \
                             no security scheme is declared that would send it"
                        ),
                    )
                    .with_hint(
                        "declare the scheme under `components/securitySchemes` and require it \
                         with `security`",
                    ),
                );
                return true;
            }
            let reserved = ["accept", "content-type", "authorization"]
                .iter()
                .any(|r| name.eq_ignore_ascii_case(r));
            if reserved {
                self.warnings.push(
                    Diagnostic::new(
                        at.clone(),
                        format!("header parameter `{name}` is ignored, as OpenAPI requires"),
                    )
                    .with_hint(
                        "the client sets it from the media types and security schemes; \
                         remove the parameter to silence this warning",
                    ),
                );
            }
            !reserved
        });
        let mut names = NameScope::with_reserved(PARAM_RESERVED);
        resolved
            .into_iter()
            .map(|(parameter, at, component)| {
                let location = location_of(&parameter);
                let data = parameter.parameter_data_ref();
                let ty = match &data.format {
                    ParameterSchemaOrContent::Schema(schema) => {
                        // A component's type is named after it, not its first user.
                        let context = component.as_deref().map_or_else(
                            || format!("{builder_name}{}", type_ident(&data.name)),
                            type_ident,
                        );
                        space.lower(
                            SchemaOrRef::from(schema),
                            &context,
                            &pointer_join(&at, "schema"),
                        )
                    }
                    ParameterSchemaOrContent::Content(_) => TypeRef::Any,
                };
                let ty = match ty {
                    TypeRef::Nullable(inner) => *inner,
                    other => other,
                };
                if location == ParamLocation::Path && !data.required {
                    self.warnings.push(
                        Diagnostic::new(
                            pointer_join(&at, "required"),
                            format!("path parameter `{}` is not marked required", data.name),
                        )
                        .with_hint("path parameters are always required; add `required: true`"),
                    );
                }
                let style = query_style(&parameter);
                let nested = match (&data.format, location) {
                    (ParameterSchemaOrContent::Content(_), _) | (_, ParamLocation::Path) => None,
                    _ => super::form::unencodable_parameter(self.raw, &at, style),
                };
                if let Some(nested) = &nested {
                    self.warnings.push(
                        Diagnostic::new(
                            nested.clone(),
                            format!(
                                "parameter `{}` holds objects or lists inside its value, which \
                                 OpenAPI gives no serialisation in its style; the client sends \
                                 each as JSON text, which servers may not read",
                                data.name
                            ),
                        )
                        .with_hint(
                            "declare the parameter with `content: {application/json: {schema: …}}`, \
                             or `style: deepObject` for an object",
                        ),
                    );
                }
                Param {
                    name: data.name.clone(),
                    rust_name: names.claim(&snake_ident(&data.name)),
                    location,
                    ty,
                    required: data.required || location == ParamLocation::Path,
                    doc: data.description.clone(),
                    style,
                    unencodable: nested.is_some(),
                    component,
                }
            })
            .collect()
    }

    fn resolve_parameter(
        &mut self,
        parameter: &ReferenceOr<Parameter>,
        at: &str,
    ) -> Option<Parameter> {
        self.resolve(parameter, at, "parameter")
    }

    /// Follows `$ref`s to a component of type `T`, reporting missing, external and cyclic ones.
    pub(super) fn resolve<T: Clone + serde::de::DeserializeOwned>(
        &mut self,
        item: &ReferenceOr<T>,
        at: &str,
        what: &str,
    ) -> Option<T> {
        let mut reference = match item {
            ReferenceOr::Item(value) => return Some(value.clone()),
            ReferenceOr::Reference { reference } => reference.clone(),
        };
        let mut visited = HashSet::new();
        for _ in 0..MAX_REF_HOPS {
            if !reference.starts_with('#') {
                self.errors.push(
                    Diagnostic::new(
                        at,
                        format!("external `$ref` `{reference}` is not supported"),
                    )
                    .with_hint(
                        "read the spec with `generator::fs::bundle` first (the CLI and `cargo xtask codegen` do), which inlines files beside it; URLs are never fetched",
                    ),
                );
                return None;
            }
            if !visited.insert(reference.clone()) {
                self.errors.push(
                    Diagnostic::new(
                        at,
                        format!("`$ref` `{reference}` is part of a reference cycle"),
                    )
                    .with_hint("break the cycle"),
                );
                return None;
            }
            let Some(target) = lookup_pointer(self.raw, &reference) else {
                self.errors.push(
                    Diagnostic::new(at, format!("`$ref` target `{reference}` does not exist"))
                        .with_hint(format!("define the {what} there or fix the reference")),
                );
                return None;
            };
            match serde_json::from_value::<ReferenceOr<T>>(target.clone()) {
                Ok(ReferenceOr::Item(value)) => return Some(value),
                Ok(ReferenceOr::Reference { reference: next }) => reference = next,
                Err(error) => {
                    self.errors.push(Diagnostic::new(
                        &reference,
                        format!("`$ref` target is not a valid {what}: {error}"),
                    ));
                    return None;
                }
            }
        }
        self.errors.push(Diagnostic::new(
            at,
            format!("`$ref` chain longer than {MAX_REF_HOPS} hops"),
        ));
        None
    }

    /// Parses `/ctas/{ctaId}` against the declared path parameters.
    fn path_parts(
        &mut self,
        template: &str,
        params: &mut Vec<Param>,
        pointer: &str,
    ) -> Vec<PathPart> {
        let mut parts = Vec::new();
        let mut rest = template;
        let mut used = HashSet::new();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            let index = match params
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.name == name)
            {
                Some(index) => index,
                None => {
                    self.warnings.push(
                        Diagnostic::new(pointer, format!("path template names `{{{name}}}` but no path parameter `{name}` is declared"))
                            .with_hint("declare it under `parameters` with `in: path`; it is generated as a string"),
                    );
                    let taken: HashSet<String> =
                        params.iter().map(|p| p.rust_name.clone()).collect();
                    let mut names = NameScope::with_reserved(
                        &taken.iter().map(String::as_str).collect::<Vec<_>>(),
                    );
                    params.push(Param {
                        name: name.to_owned(),
                        rust_name: names.claim(&snake_ident(name)),
                        location: ParamLocation::Path,
                        ty: TypeRef::String,
                        required: true,
                        doc: None,
                        style: QueryStyle::Form,
                        unencodable: false,
                        component: None,
                    });
                    params.len() - 1
                }
            };
            used.insert(index);
            parts.push(PathPart::Param(index));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        let unused: Vec<usize> = (0..params.len())
            .filter(|i| params[*i].location == ParamLocation::Path && !used.contains(i))
            .collect();
        for index in unused.into_iter().rev() {
            let removed = params.remove(index);
            self.warnings.push(
                Diagnostic::new(
                    pointer,
                    format!(
                        "path parameter `{}` does not appear in the path template",
                        removed.name
                    ),
                )
                .with_hint("remove it or add it to the path; it is ignored"),
            );
            for part in &mut parts {
                if let PathPart::Param(i) = part {
                    if *i > index {
                        *i -= 1;
                    }
                }
            }
        }
        parts
    }

    fn body(
        &mut self,
        space: &mut TypeSpace<'_>,
        body: &ReferenceOr<RequestBody>,
        builder_name: &str,
        pointer: &str,
    ) -> Option<Body> {
        let body = self.resolve(body, pointer, "request body")?;
        let (media_type, content) = pick_media_type(&body.content)?;
        // Events are something servers send; a request body of that type is text.
        let encoding = match encoding_for(media_type, content) {
            BodyEncoding::EventStream => BodyEncoding::Text,
            encoding => encoding,
        };
        // The body's own location: behind a `$ref` to `components/requestBodies`, its schema
        // and `encoding` are there, not under the operation.
        let body_pointer = crate::pointer::follow_refs(self.raw, pointer);
        let content_pointer = pointer_join(&pointer_join(&body_pointer, "content"), media_type);
        let ty = match encoding {
            BodyEncoding::Json | BodyEncoding::Form => match &content.schema {
                Some(schema) => space.lower(
                    SchemaOrRef::from(schema),
                    &format!("{builder_name}Body"),
                    &pointer_join(&content_pointer, "schema"),
                ),
                None => TypeRef::Any,
            },
            BodyEncoding::Text | BodyEncoding::EventStream => TypeRef::String,
            BodyEncoding::Bytes | BodyEncoding::Multipart => TypeRef::Bytes,
        };
        let form_parts = if encoding == BodyEncoding::Multipart {
            super::form::form_parts(self.raw, &pointer_join(&content_pointer, "schema"))
        } else {
            Vec::new()
        };
        let form_fields = if encoding == BodyEncoding::Form {
            let (fields, warnings) = super::form::form_fields(self.raw, &content_pointer);
            self.warnings.extend(warnings);
            fields
        } else {
            Vec::new()
        };
        // A wildcard or an empty key (spoonacular writes `content: {"": …}`) names no media
        // type to send; the body is sent as what its encoding says.
        let unnamed = media_type.trim().is_empty();
        let content_type = if !unnamed && !media_type.contains('*') {
            media_type.to_owned()
        } else if encoding == BodyEncoding::Json {
            "application/json".to_owned()
        } else {
            "application/octet-stream".to_owned()
        };
        if unnamed {
            self.warnings.push(
                Diagnostic::new(
                    content_pointer.clone(),
                    format!("the request body's media type is empty; it is sent as {content_type}"),
                )
                .with_hint("name the media type, such as `application/json`"),
            );
        }
        Some(Body {
            ty,
            content_type,
            encoding,
            required: body.required,
            doc: body.description.clone(),
            form_parts,
            form_fields,
        })
    }

    /// The `Accept` header for an operation (see [`Response::accept`]): the media type
    /// `first_response` reads, chosen the same way.
    fn accept_header(&self, responses: &openapiv3::Responses) -> Option<String> {
        let resolve = |response: &ReferenceOr<openapiv3::Response>| match response {
            ReferenceOr::Item(item) => Some(item.clone()),
            ReferenceOr::Reference { reference } => lookup_pointer(self.raw, reference)
                .and_then(|raw| openapiv3::Response::deserialize(raw).ok()),
        };
        let mut all: Vec<(String, openapiv3::Response)> = responses
            .responses
            .iter()
            .filter_map(|(code, r)| Some((code.to_string(), resolve(r)?)))
            .chain(
                responses
                    .default
                    .as_ref()
                    .and_then(resolve)
                    .map(|r| ("default".to_owned(), r)),
            )
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        let chosen = all
            .iter()
            .filter(|(code, _)| code.starts_with('2') && code != "204" && code != "205")
            .chain(all.iter().filter(|(code, _)| code == "default"))
            .find_map(|(_, response)| pick_media_type(&response.content))
            .map(|(media_type, _)| media_type.to_owned())?;
        let sendable = !chosen.trim().is_empty()
            && !chosen.contains('*')
            && chosen.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if !sendable {
            return None;
        }
        let others = all
            .iter()
            .flat_map(|(_, r)| r.content.keys())
            .any(|m| !m.eq_ignore_ascii_case(&chosen));
        Some(if others {
            format!("{chosen}, */*;q=0.1")
        } else {
            chosen
        })
    }

    /// The success response: the first 2xx (then `2XX`, then `default`) that declares a body;
    /// when several 2xx statuses declare different JSON bodies, a union of them decoded by status.
    fn response(
        &mut self,
        space: &mut TypeSpace<'_>,
        responses: &openapiv3::Responses,
        builder_name: &str,
        pointer: &str,
    ) -> Response {
        let mut first = self.first_response(space, responses, builder_name, pointer);
        first.errors = self.error_bodies(space, responses, builder_name, pointer);
        first.accept = self.accept_header(responses);
        if first.encoding != BodyEncoding::Json || first.unwrap_envelope || first.ty.is_none() {
            return first;
        }
        let mut alternatives: Vec<(u16, TypeRef)> = Vec::new();
        for (code, response) in &responses.responses {
            let StatusCode::Code(code) = code else {
                continue;
            };
            if !(200..300).contains(code) || matches!(code, 204 | 205) {
                continue;
            }
            let at = pointer_join(pointer, &code.to_string());
            let Some((schema, schema_pointer)) = self.json_response_schema(response, &at) else {
                continue;
            };
            // The first alternative keeps the name the single-response case gives it.
            let context = if alternatives.is_empty() {
                format!("{builder_name}Response")
            } else {
                format!("{builder_name}Response{code}")
            };
            let ty = space.lower(SchemaOrRef::from(&schema), &context, &schema_pointer);
            alternatives.push((*code, ty));
        }
        alternatives.sort_by_key(|(code, _)| *code);
        let distinct = alternatives
            .iter()
            .map(|(_, ty)| ty)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if distinct < 2 {
            return first;
        }
        let mut names = crate::naming::NameScope::default();
        let variants: Vec<UnionVariant> = alternatives
            .iter()
            .map(|(code, ty)| UnionVariant {
                tag: None,
                rust_name: names.claim(&status_variant_name(*code)),
                ty: ty.clone(),
                boxed: false,
            })
            .collect();
        let by_status = alternatives
            .iter()
            .zip(&variants)
            .map(|((code, _), variant)| (*code, variant.rust_name.clone()))
            .collect();
        let id = space.define(
            &format!("{builder_name}Outcome"),
            pointer,
            Some(
                "The success response, one variant per status that declares its own body."
                    .to_owned(),
            ),
            TypeKind::Union(variants),
        );
        Response {
            ty: Some(TypeRef::Named(id)),
            by_status,
            ..first
        }
    }

    /// The type of each server-sent event's data: OpenAPI 3.2's `itemSchema` (its `data`
    /// property's `contentSchema`, or `data` itself when not a string), else the media type's
    /// `schema` when it is not a plain string; text otherwise.
    fn event_data_type(
        &mut self,
        space: &mut TypeSpace<'_>,
        content: &openapiv3::MediaType,
        builder_name: &str,
        response_pointer: &str,
        media_type: &str,
    ) -> TypeRef {
        let media_pointer = pointer_join(
            &pointer_join(
                &crate::pointer::follow_refs(self.raw, response_pointer),
                "content",
            ),
            media_type,
        );
        let context = format!("{builder_name}Event");
        let item_data = ["itemSchema", "properties", "data"]
            .iter()
            .fold(media_pointer.clone(), |at, key| pointer_join(&at, key));
        for candidate in [pointer_join(&item_data, "contentSchema"), item_data] {
            let Some(raw) = crate::pointer::lookup_pointer(self.raw, &candidate) else {
                continue;
            };
            match serde_json::from_value::<ReferenceOr<openapiv3::Schema>>(raw.clone()) {
                Ok(schema) if !is_plain_string(&schema) => {
                    return space.lower(SchemaOrRef::from(&schema), &context, &candidate);
                }
                Ok(_) => {}
                Err(error) => self.warnings.push(
                    Diagnostic::new(&candidate, format!("not a schema: {error}"))
                        .with_hint("the events' data is read as text"),
                ),
            }
        }
        match &content.schema {
            Some(schema) if !is_plain_string(schema) => space.lower(
                SchemaOrRef::from(schema),
                &context,
                &pointer_join(&media_pointer, "schema"),
            ),
            _ => TypeRef::String,
        }
    }

    /// The schema of a response's JSON body and its pointer, when it has one.
    fn json_response_schema(
        &mut self,
        response: &ReferenceOr<openapiv3::Response>,
        at: &str,
    ) -> Option<(ReferenceOr<openapiv3::Schema>, String)> {
        let response = self.resolve(response, at, "response")?;
        let (media_type, content) = pick_media_type(&response.content)?;
        let (BodyEncoding::Json, Some(schema)) =
            (encoding_for(media_type, content), &content.schema)
        else {
            return None;
        };
        let pointer = pointer_join(
            &pointer_join(&pointer_join(at, "content"), media_type),
            "schema",
        );
        Some((schema.clone(), pointer))
    }

    /// Named types of the JSON error bodies: 4xx/5xx statuses and ranges, and `default` when a
    /// 2xx status is declared (otherwise `default` is the success response).
    fn error_bodies(
        &mut self,
        space: &mut TypeSpace<'_>,
        responses: &openapiv3::Responses,
        builder_name: &str,
        pointer: &str,
    ) -> Vec<(String, TypeRef)> {
        let has_success = responses.responses.keys().any(|code| match code {
            StatusCode::Code(c) => (200..300).contains(c),
            StatusCode::Range(r) => *r == 2,
        });
        let mut candidates: Vec<(String, &ReferenceOr<openapiv3::Response>)> = responses
            .responses
            .iter()
            .filter_map(|(code, response)| match code {
                StatusCode::Code(c) if *c >= 400 => Some((c.to_string(), response)),
                StatusCode::Range(r) if *r >= 4 => Some((format!("{r}XX"), response)),
                _ => None,
            })
            .collect();
        if has_success {
            if let Some(default) = &responses.default {
                candidates.push(("default".to_owned(), default));
            }
        }
        let mut errors = Vec::new();
        for (code, response) in candidates {
            let at = pointer_join(pointer, &code);
            let Some((schema, schema_pointer)) = self.json_response_schema(response, &at) else {
                continue;
            };
            let context = format!("{builder_name}Error{}", code.to_ascii_uppercase());
            let ty = space.lower(SchemaOrRef::from(&schema), &context, &schema_pointer);
            if matches!(ty, TypeRef::Named(_)) {
                errors.push((code, ty));
            }
        }
        errors
    }

    /// The first success response that declares a body (see [`Self::response`]).
    fn first_response(
        &mut self,
        space: &mut TypeSpace<'_>,
        responses: &openapiv3::Responses,
        builder_name: &str,
        pointer: &str,
    ) -> Response {
        let mut candidates: Vec<(String, &ReferenceOr<openapiv3::Response>)> = responses
            .responses
            .iter()
            .filter_map(|(code, response)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((c.to_string(), response)),
                StatusCode::Range(2) => Some(("2XX".to_owned(), response)),
                _ => None,
            })
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0));
        if candidates.is_empty() {
            if let Some(default) = &responses.default {
                candidates.push(("default".to_owned(), default));
            }
        }
        let empty = Response::payload(None, BodyEncoding::Json, false, None);
        for (code, response) in candidates {
            let at = pointer_join(pointer, &code);
            let Some(response) = self.resolve(response, &at, "response") else {
                continue;
            };
            // HTTP gives 204 and 205 no content, whatever the spec declares (AWS's declare
            // `{}` objects): a client that waited for one would fail on every success.
            let content = match code.as_str() {
                "204" | "205" => None,
                _ => pick_media_type(&response.content),
            };
            let Some((media_type, content)) = content else {
                if empty.doc.is_none() {
                    return Response {
                        doc: Some(response.description.clone()),
                        ..empty
                    };
                }
                continue;
            };
            let encoding = encoding_for(media_type, content);
            let schema_pointer = pointer_join(
                &pointer_join(&pointer_join(&at, "content"), media_type),
                "schema",
            );
            let doc = Some(response.description.clone()).filter(|d| !d.is_empty());
            return match encoding {
                BodyEncoding::Json => {
                    let Some(schema) = &content.schema else {
                        return Response::payload(Some(TypeRef::Any), encoding, false, doc);
                    };
                    if let Some(ty) = self.unwrap_envelope(
                        space,
                        SchemaOrRef::from(schema),
                        builder_name,
                        &schema_pointer,
                    ) {
                        return Response::payload(Some(ty), encoding, true, doc);
                    }
                    let ty = space.lower(
                        SchemaOrRef::from(schema),
                        &format!("{builder_name}Response"),
                        &schema_pointer,
                    );
                    Response::payload(Some(ty), encoding, false, doc)
                }
                BodyEncoding::Text | BodyEncoding::Form => {
                    Response::payload(Some(TypeRef::String), encoding, false, doc)
                }
                BodyEncoding::Bytes | BodyEncoding::Multipart => {
                    Response::payload(Some(TypeRef::Bytes), BodyEncoding::Bytes, false, doc)
                }
                BodyEncoding::EventStream => Response::payload(
                    Some(self.event_data_type(space, content, builder_name, &at, media_type)),
                    encoding,
                    false,
                    doc,
                ),
            };
        }
        empty
    }

    /// When the config declares an envelope and the body has its data property, the payload type.
    fn unwrap_envelope(
        &mut self,
        space: &mut TypeSpace<'_>,
        schema: SchemaOrRef<'_>,
        builder_name: &str,
        pointer: &str,
    ) -> Option<TypeRef> {
        let data = &self.envelope?.data;
        match schema {
            SchemaOrRef::Ref(reference) => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .map(unescape_token)?;
                let id = space.component(&name)?;
                match &space.get(id)?.kind {
                    TypeKind::Struct(s) => s
                        .fields
                        .iter()
                        .find(|f| &f.json_name == data)
                        .map(|f| f.ty.clone()),
                    _ => None,
                }
            }
            SchemaOrRef::Item(item) => {
                let properties = match &item.schema_kind {
                    SchemaKind::Type(Type::Object(o)) => &o.properties,
                    SchemaKind::Any(any) => &any.properties,
                    _ => return None,
                };
                let property = properties.get(data)?;
                let data_pointer = pointer_join(&pointer_join(pointer, "properties"), data);
                let ty = space.lower(
                    SchemaOrRef::from(property),
                    &format!("{builder_name}Response"),
                    &data_pointer,
                );
                Some(match ty {
                    TypeRef::Nullable(inner) => *inner,
                    other => other,
                })
            }
        }
    }

    fn server(&mut self) -> Option<Server> {
        let server = self.openapi.servers.first()?;
        let mut variables = Vec::new();
        let mut names = NameScope::default();
        let mut rest = server.url.as_str();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            let name = &rest[open + 1..close];
            if !variables.iter().any(|v: &ServerVariable| v.name == name) {
                let declared = server.variables.as_ref().and_then(|vars| vars.get(name));
                if declared.is_none() {
                    self.warnings.push(
                        Diagnostic::new(
                            "#/servers/0/url",
                            format!("server variable `{name}` is not declared"),
                        )
                        .with_hint("declare it under `servers[0].variables`"),
                    );
                }
                variables.push(ServerVariable {
                    name: name.to_owned(),
                    rust_name: names.claim(&snake_ident(name)),
                    default: declared.map(|v| v.default.clone()).unwrap_or_default(),
                    description: declared.and_then(|v| v.description.clone()),
                });
            }
            rest = &rest[close + 1..];
        }
        Some(Server {
            url: server.url.clone(),
            variables,
            description: server.description.clone(),
        })
    }
}

/// Extra files from the config, each at a safe relative path with its contents loaded.
fn extra_files(config: &Config, errors: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (path, source) in &config.extra_files {
        let location = format!("config:extra_files.\"{path}\"");
        let safe = !path.is_empty()
            && !path.starts_with('/')
            && !path.contains('\\')
            && path
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !safe {
            errors.push(Diagnostic::new(
                location,
                "extra file paths must be relative and stay inside the crate",
            ));
            continue;
        }
        match config.extra_file_contents.get(path) {
            Some(contents) => files.push((path.clone(), contents.clone())),
            None => errors.push(
                Diagnostic::new(
                    location,
                    format!("the contents of `{source}` were not provided"),
                )
                .with_hint("the caller (xtask) loads extra files; check that the file exists"),
            ),
        }
    }
    files
}

fn parse_method(method: &str) -> Option<HttpMethod> {
    Some(match method {
        "get" => HttpMethod::Get,
        "put" => HttpMethod::Put,
        "post" => HttpMethod::Post,
        "delete" => HttpMethod::Delete,
        "options" => HttpMethod::Options,
        "head" => HttpMethod::Head,
        "patch" => HttpMethod::Patch,
        "trace" => HttpMethod::Trace,
        _ => return None,
    })
}

/// The `#/components/parameters` entry a parameter is declared by, if it is a `$ref` to one.
fn component_name(parameter: &ReferenceOr<Parameter>) -> Option<String> {
    match parameter {
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/parameters/")
            .map(str::to_owned),
        ReferenceOr::Item(_) => None,
    }
}

fn location_of(parameter: &Parameter) -> ParamLocation {
    match parameter {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// `get /users/{id}/posts` → `get_users_by_id_posts`: stable and readable.
fn derived_operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                id.push_str("by_");
                id.push_str(param);
            }
            None => id.push_str(segment),
        }
    }
    if id == method {
        id.push_str("_root");
    }
    id
}

/// Prefers JSON, then text, then whatever is first.
fn pick_media_type(
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
) -> Option<(&str, &openapiv3::MediaType)> {
    let by = |predicate: fn(&str) -> bool| {
        content
            .iter()
            .find(|(k, _)| predicate(&k.to_ascii_lowercase()))
            .map(|(k, v)| (k.as_str(), v))
    };
    by(|m| m == "application/json")
        .or_else(|| by(is_json))
        .or_else(|| by(|m| m.starts_with("application/x-www-form-urlencoded")))
        .or_else(|| by(|m| m.starts_with("text/")))
        .or_else(|| content.first().map(|(k, v)| (k.as_str(), v)))
}

/// `{type: string}` without a format or enum: the text of an event, not a structure.
fn is_plain_string(schema: &ReferenceOr<openapiv3::Schema>) -> bool {
    matches!(
        schema,
        ReferenceOr::Item(openapiv3::Schema {
            schema_kind: openapiv3::SchemaKind::Type(openapiv3::Type::String(string)),
            ..
        }) if string.enumeration.is_empty()
    )
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence.ends_with("/json") || essence.ends_with("+json")
}

/// How a declared media type's body is read or written: as [`encoding_of`] says, except that a
/// wildcard (`*/*`, `application/*`, as Spring's generated specs write) or an empty key with a
/// schema that is not binary is JSON, which is what such services speak.
fn encoding_for(media_type: &str, media: &openapiv3::MediaType) -> BodyEncoding {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let wildcard = matches!(essence, "" | "*/*" | "application/*");
    let binary = match &media.schema {
        Some(ReferenceOr::Item(schema)) => matches!(
            &schema.schema_kind,
            openapiv3::SchemaKind::Type(openapiv3::Type::String(string))
                if matches!(string.format, openapiv3::VariantOrUnknownOrEmpty::Item(
                    openapiv3::StringFormat::Binary
                ))
        ),
        Some(ReferenceOr::Reference { .. }) => false,
        None => true,
    };
    if wildcard && !binary {
        BodyEncoding::Json
    } else {
        encoding_of(media_type)
    }
}

fn encoding_of(media_type: &str) -> BodyEncoding {
    let lower = media_type.to_ascii_lowercase();
    if is_json(&lower) {
        BodyEncoding::Json
    } else if lower.starts_with("application/x-www-form-urlencoded") {
        BodyEncoding::Form
    } else if lower.starts_with("text/event-stream") {
        BodyEncoding::EventStream
    } else if lower.starts_with("text/") {
        BodyEncoding::Text
    } else if lower.starts_with("multipart/form-data") {
        BodyEncoding::Multipart
    } else {
        BodyEncoding::Bytes
    }
}

/// Variant name of a success status in an operation's outcome enum (`201` → `Created`).
fn status_variant_name(code: u16) -> String {
    match code {
        200 => "Ok".to_owned(),
        201 => "Created".to_owned(),
        202 => "Accepted".to_owned(),
        203 => "NonAuthoritative".to_owned(),
        206 => "PartialContent".to_owned(),
        207 => "MultiStatus".to_owned(),
        other => format!("Status{other}"),
    }
}

/// The IR style of a parameter: `style` and `explode` of a query parameter (explode defaults to
/// true only for `form`).
fn query_style(parameter: &Parameter) -> QueryStyle {
    let Parameter::Query {
        parameter_data,
        style,
        ..
    } = parameter
    else {
        return QueryStyle::Form;
    };
    match style {
        openapiv3::QueryStyle::Form if parameter_data.explode == Some(false) => {
            QueryStyle::FormJoined
        }
        openapiv3::QueryStyle::Form => QueryStyle::Form,
        openapiv3::QueryStyle::SpaceDelimited => QueryStyle::SpaceDelimited,
        openapiv3::QueryStyle::PipeDelimited => QueryStyle::PipeDelimited,
        openapiv3::QueryStyle::DeepObject => QueryStyle::DeepObject,
    }
}
