//! The generator's own model of an API: what will become types and methods. `openapiv3` stops at `lower`.

mod conversions;
pub use conversions::{Conversion, FieldSource};
mod cycles;
mod dedupe;
mod features;
mod form;
mod lower;
mod sample;
mod schema;
mod security;
mod sizes;

pub use lower::lower;
pub use sample::response_sample;

/// How many `$ref` hops a parameter, body, response or form schema reference may take.
const MAX_REF_HOPS: usize = 16;

/// Identifies a [`TypeDef`]: its index in [`Api::types`]. Ids are never renumbered once given
/// (merging identical types turns the copies into [`TypeKind::Merged`] entries instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(usize);

impl TypeId {
    /// The id of the type at `index` of [`Api::types`].
    pub(crate) fn new(index: usize) -> Self {
        Self(index)
    }

    /// The position of the type in [`Api::types`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// Everything the emitter needs, already named and resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.version` (the API's own version, not the crate's).
    pub api_version: String,
    /// The `openapi` version the document declared.
    pub openapi_version: String,
    /// The first server, if any.
    pub server: Option<Server>,
    /// Credentials the client takes: the schemes of every alternative of the document's
    /// security requirement.
    pub credentials: Vec<Credential>,
    /// The security alternatives, as indices into [`Api::credentials`]; a request sends the
    /// first alternative whose credentials are all set. Empty when the spec names none.
    pub security_alternatives: Vec<Vec<usize>>,
    /// Every named type, in a deterministic order.
    pub types: Vec<TypeDef>,
    /// Every operation, in document order.
    pub operations: Vec<Operation>,
    /// The response envelope, when configured.
    pub envelope: Option<Envelope>,
    /// Crate files added verbatim (path, contents), from the config.
    pub extra_files: Vec<(String, String)>,
    /// Typed filter builders.
    pub filters: Vec<Filter>,
    /// Whether structs get a `with_<field>` method per optional field (config `with_setters`).
    pub with_setters: bool,
    /// The document's `tags` with their descriptions, in order.
    pub tags: Vec<(String, Option<String>)>,
    /// Whether the crate gets a wire-test suite (`tests/wire.rs`); operations then carry a [`WireCase`].
    pub wire_tests: bool,
    /// Whether the crate gets the typed mock (`src/mock.rs`, config `mock`).
    pub mock: bool,
    /// Conversions from fetched records to the bodies that update them.
    pub conversions: Vec<Conversion>,
}

impl Api {
    /// The type `id` names. Lowering checks that every id in the IR names a type.
    pub fn type_def(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(id.index())
    }

    /// Every named type `roots` reach: through arrays, maps and nullables, struct fields and
    /// typed `additionalProperties`, union alternatives, aliases and merged copies.
    pub fn reachable_types<'a>(
        &'a self,
        roots: impl IntoIterator<Item = &'a TypeRef>,
    ) -> std::collections::BTreeSet<TypeId> {
        let mut refs: Vec<&TypeRef> = roots.into_iter().collect();
        let mut ids: Vec<TypeId> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        loop {
            if let Some(ty) = refs.pop() {
                match ty {
                    TypeRef::Named(id) => ids.push(*id),
                    TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                        refs.push(inner)
                    }
                    _ => {}
                }
                continue;
            }
            let Some(id) = ids.pop() else {
                break;
            };
            if !seen.insert(id) {
                continue;
            }
            let Some(def) = self.type_def(id) else {
                continue;
            };
            match &def.kind {
                TypeKind::Struct(s) => {
                    refs.extend(s.fields.iter().map(|f| &f.ty));
                    if let ExtraFields::Typed { ty, .. } = &s.extra {
                        refs.push(ty);
                    }
                }
                TypeKind::Union(variants) => refs.extend(variants.iter().map(|v| &v.ty)),
                TypeKind::Alias(inner) => refs.push(inner),
                TypeKind::Merged(target) => ids.push(*target),
                TypeKind::StringEnum(_) => {}
            }
        }
        seen
    }

    /// The types the crate defines, with their ids: every type but the merged copies.
    pub fn defined_types(&self) -> impl Iterator<Item = (TypeId, &TypeDef)> {
        self.types
            .iter()
            .enumerate()
            .filter(|(_, def)| !matches!(def.kind, TypeKind::Merged(_)))
            .map(|(index, def)| (TypeId::new(index), def))
    }
}

/// A filter type with a typed builder: conditions labelled `A`, `B`, ... and an expression over them.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The filter object type.
    pub filter_type: TypeId,
    /// Rust name of its conditions field (a list, maybe optional).
    pub conditions_field: String,
    /// Whether the conditions field is an `Option`.
    pub conditions_optional: bool,
    /// Rust name of its expression field.
    pub expression_field: String,
    /// Whether the expression field is an `Option`.
    pub expression_optional: bool,
    /// The condition type.
    pub condition_type: TypeId,
    /// Rust names of the condition's field-name, operator and value fields, and whether each is optional.
    pub field_field: (String, bool),
    /// See `field_field`.
    pub operator_field: (String, bool),
    /// See `field_field`; the value's type is `value_type`.
    pub value_field: (String, bool),
    /// Type of the condition's value.
    pub value_type: TypeRef,
    /// The operator enum.
    pub operator_type: TypeId,
    /// Rust variant names of operators whose value is a list.
    pub list_operators: Vec<String>,
    /// Rust name of the typed builder (`{Filter}Builder`), claimed among the type names.
    pub builder_name: String,
}

/// Where a pagination parameter lives in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageParam {
    /// A field of the JSON body: Rust name, whether optional, bit width.
    BodyField {
        /// Rust field name.
        rust_name: String,
        /// Whether the field is an `Option`.
        optional: bool,
        /// 32 or 64.
        bits: u8,
    },
    /// A query parameter, by Rust name.
    Query {
        /// Rust parameter name.
        rust_name: String,
        /// Whether the parameter is optional (a setter) or required (an argument).
        optional: bool,
        /// 32 or 64.
        bits: u8,
    },
}

/// Offset/limit pagination of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The page size parameter.
    pub limit: PageParam,
    /// The offset parameter.
    pub offset: PageParam,
    /// Rust name of the payload field holding the items, and whether it is optional.
    pub items_field: (String, bool),
    /// Item type.
    pub item_type: TypeRef,
    /// Rust name of the payload field holding the total, whether optional, bit width.
    pub total_field: Option<(String, bool, u8)>,
    /// Page size when the request sets none.
    pub default_page_size: u32,
    /// Rust name of the client's auto-paging stream method (`<method>_stream`).
    pub stream_method: String,
    /// Rust name of the client's collecting method (`<method>_all`).
    pub collect_method: String,
}

/// A server URL template such as `https://{domain}.example.com/v1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// The template as written in the spec.
    pub url: String,
    /// The variables it uses, in order of appearance.
    pub variables: Vec<ServerVariable>,
    /// `servers[0].description`.
    pub description: Option<String>,
}

/// One `{variable}` of a server URL.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerVariable {
    /// Name in the template.
    pub name: String,
    /// Rust parameter name.
    pub rust_name: String,
    /// Default value.
    pub default: String,
    /// Spec description.
    pub description: Option<String>,
}

/// How a credential is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialKind {
    /// An API key in a header.
    HeaderApiKey {
        /// Header name.
        header: String,
    },
    /// An API key in the query string.
    QueryApiKey {
        /// Query parameter name.
        parameter: String,
    },
    /// An API key in a cookie.
    CookieApiKey {
        /// Cookie name.
        cookie: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <base64(user:password)>`, given as one `user:password` secret.
    Basic,
}

/// A secret the client needs, named after its security scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    /// Scheme name in `components.securitySchemes`.
    pub scheme: String,
    /// Rust parameter/setter name (e.g. `access_key`).
    pub rust_name: String,
    /// How it is sent.
    pub kind: CredentialKind,
    /// Scheme description.
    pub description: Option<String>,
    /// Named by a security requirement, so `Client::new` asks for it; otherwise only the builder offers it.
    pub required: bool,
    /// Name of the setter that takes a credential provider (`access_key_provider`).
    pub provider_setter: String,
    /// An OAuth 2.0 scheme's client-credentials flow, which the client can run itself.
    pub client_credentials: Option<ClientCredentialsFlow>,
}

/// An OAuth 2.0 client-credentials flow: where tokens come from and what to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentialsFlow {
    /// Name of the setter that takes the client id and secret.
    pub setter: String,
    /// The token endpoint, absolute or relative to the server URL.
    pub token_url: String,
    /// The scopes the spec's security requirements ask of this scheme, in order of appearance.
    pub scopes: Vec<String>,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name.
    pub name: String,
    /// Where the schema is (`#/components/schemas/CTA`).
    pub pointer: String,
    /// The name in the spec when it has one (component key).
    pub original_name: Option<String>,
    /// Title/description from the spec.
    pub doc: Option<String>,
    /// What it is.
    pub kind: TypeKind,
}

/// Shapes of named types.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(StructType),
    /// A string with a closed list of known values (open to unknown ones at run time).
    StringEnum(Vec<EnumVariant>),
    /// One of several shapes, decoded in order.
    Union(Vec<UnionVariant>),
    /// Another name for a type.
    Alias(TypeRef),
    /// A copy merged into an identical type: references were redirected to it, and the crate
    /// does not define this one.
    Merged(TypeId),
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructType {
    /// Declared properties.
    pub fields: Vec<Field>,
    /// What happens to properties the spec does not declare.
    pub extra: ExtraFields,
}

/// Treatment of undeclared properties.
#[derive(Debug, Clone, PartialEq)]
pub enum ExtraFields {
    /// `additionalProperties: false`: none are kept.
    Forbidden,
    /// Kept as JSON values, so fields added by the vendor or a tenant survive a round trip.
    Any {
        /// Rust name of the map field.
        rust_name: String,
    },
    /// `additionalProperties: <schema>`: kept typed.
    Typed {
        /// Rust name of the map field.
        rust_name: String,
        /// Value type.
        ty: TypeRef,
    },
}

/// One property of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Name in JSON.
    pub json_name: String,
    /// Rust name.
    pub rust_name: String,
    /// Description from the spec.
    pub doc: Option<String>,
    /// Value type (without the `Option` for optional fields).
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Held in a `Box`: to break a cycle of directly contained types, or because its type is
    /// large (see `ir/sizes.rs`).
    pub boxed: bool,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Rust name of the `with_` setter of an optional field, claimed among the type's methods.
    pub setter: String,
}

/// One known value of a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant {
    /// The value on the wire.
    pub value: String,
    /// Rust variant name.
    pub rust_name: String,
}

/// One alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// Rust variant name.
    pub rust_name: String,
    /// Its type.
    pub ty: TypeRef,
    /// Held in a `Box`: because the type contains the union itself, or because it is large.
    pub boxed: bool,
    /// The discriminator property and the values of it that select this alternative, when
    /// the union declares a `discriminator`.
    pub tag: Option<(String, Vec<String>)>,
}

/// A reference to a type as used in a field, parameter or body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    /// Text.
    String,
    /// `format: date`.
    Date,
    /// `format: date-time`.
    DateTime,
    /// Integer of the given bit width (32 or 64).
    Integer {
        /// 32 or 64.
        bits: u8,
    },
    /// Floating-point number of the given bit width (32 or 64).
    Number {
        /// 32 or 64.
        bits: u8,
    },
    /// true/false.
    Boolean,
    /// Any JSON value (`{}`, or what cannot be typed).
    Any,
    /// Raw bytes (`format: binary` bodies).
    Bytes,
    /// A named type.
    Named(TypeId),
    /// A list.
    Array(Box<TypeRef>),
    /// A string-keyed map.
    Map(Box<TypeRef>),
    /// A value that may be null.
    Nullable(Box<TypeRef>),
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl HttpMethod {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }

    /// Whether HTTP defines the method as idempotent (safe to send twice).
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Self::Post | Self::Patch)
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Text sent as is.
    Literal(String),
    /// A path parameter, by index into [`Operation::params`].
    Param(usize),
}

/// An operation: what will become a client method.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`, or one derived from method and path.
    pub operation_id: String,
    /// Rust method name.
    pub method_name: String,
    /// Rust name of the request builder type.
    pub builder_name: String,
    /// HTTP method.
    pub http_method: HttpMethod,
    /// The path template as written (`/ctas/{ctaId}`).
    pub path_template: String,
    /// The template parsed into literal and parameter parts.
    pub path: Vec<PathPart>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// `tags`, in order (a CLI groups its commands by the first).
    pub tags: Vec<String>,
    /// Path, query, header and cookie parameters.
    pub params: Vec<Param>,
    /// Request body.
    pub body: Option<Body>,
    /// Success response.
    pub response: Response,
    /// Safe to send more than once.
    pub idempotent: bool,
    /// The header carrying an idempotency key the client generates per call (declared by the
    /// operation, or by the config for non-idempotent operations).
    pub idempotency_key: Option<String>,
    /// Offset/limit pagination, when configured.
    pub pagination: Option<Pagination>,
    /// Names of the auto-paging methods (stream, collect), claimed with the method name when
    /// the config declares pagination; moved into [`Pagination`] once it is checked.
    pub paging_methods: Option<(String, String)>,
    /// Location in the spec.
    pub pointer: String,
    /// Synthesised arguments for the wire test, when the crate has wire tests.
    pub wire: Option<WireCase>,
}

/// The inputs of an operation's wire test, synthesised from the spec (see `sample.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct WireCase {
    /// A value per parameter, in the order of [`Operation::params`].
    pub params: Vec<serde_json::Value>,
    /// The request body's value, when the operation declares a body.
    pub body: Option<serde_json::Value>,
    /// The status keys the operation's `responses` declares (`200`, `4XX`, `default`).
    pub statuses: Vec<String>,
    /// Required header parameters OpenAPI says to ignore, which a validating server may still
    /// demand (vtex declares `Content-Type` on body-less operations): name and value, sent as
    /// per-call headers so the test's request is valid by every reading of the spec.
    pub ignored_headers: Vec<(String, String)>,
}

impl Operation {
    /// Path parameters in template order, each once (a template may use one twice).
    pub fn path_params(&self) -> Vec<&Param> {
        let mut seen = Vec::new();
        self.path
            .iter()
            .filter_map(|part| match part {
                PathPart::Param(index) if !seen.contains(index) => {
                    seen.push(*index);
                    self.params.get(*index)
                }
                _ => None,
            })
            .collect()
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub name: String,
    /// Rust name.
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Value type.
    pub ty: TypeRef,
    /// Must be given.
    pub required: bool,
    /// Description from the spec.
    pub doc: Option<String>,
    /// How a query parameter's value is written; [`QueryStyle::Form`] for other locations.
    pub style: QueryStyle,
    /// Whether its value nests objects or lists its style cannot write (a list of objects in
    /// the query): sent anyway, each nested value as JSON text, and warned about.
    pub unencodable: bool,
    /// The name under `#/components/parameters` when the operation declares it by `$ref`: the
    /// same parameter shared by many operations.
    pub component: Option<String>,
}

/// OpenAPI `style` + `explode` of a query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form`, exploded (the default): lists repeat the name, objects become `key=value` pairs.
    Form,
    /// `form` with `explode: false`: `ids=1,2`.
    FormJoined,
    /// `spaceDelimited`.
    SpaceDelimited,
    /// `pipeDelimited`.
    PipeDelimited,
    /// `deepObject`: `filter[status]=open`.
    DeepObject,
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// JSON.
    Json,
    /// `text/*`, sent as a string.
    Text,
    /// `application/x-www-form-urlencoded`: a typed value, URL-encoded.
    Form,
    /// `multipart/form-data`: parts built by the caller with the runtime's `Multipart`.
    Multipart,
    /// Anything else, sent as bytes.
    Bytes,
    /// `text/event-stream` (responses only): server-sent events, each one's data decoded as
    /// the response type (JSON, or text when that is `String`).
    EventStream,
}

/// A part a `multipart/form-data` body declares (for the documentation of the operation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPart {
    /// Field name.
    pub name: String,
    /// A file (`format: binary`, or an array of them) rather than a text value.
    pub file: bool,
    /// Listed in the schema's `required`.
    pub required: bool,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Value type.
    pub ty: TypeRef,
    /// Media type sent in `Content-Type`.
    pub content_type: String,
    /// Encoding.
    pub encoding: BodyEncoding,
    /// Must be given.
    pub required: bool,
    /// Description from the spec.
    pub doc: Option<String>,
    /// For `multipart/form-data`: the parts the schema declares, in its order.
    pub form_parts: Vec<FormPart>,
    /// For `application/x-www-form-urlencoded`: the properties its `encoding` object writes
    /// otherwise than `style: form`, exploded; in the schema's order.
    pub form_fields: Vec<FormField>,
}

/// A property of a form body written otherwise than `style: form`, exploded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// Property name.
    pub name: String,
    /// How it is written.
    pub encoding: FormFieldEncoding,
}

/// How a form body's property is written (its `encoding` object entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormFieldEncoding {
    /// `style` and `explode`, as for a query parameter.
    Style(QueryStyle),
    /// `contentType: application/json`: one pair holding the value's JSON text.
    Json,
}

/// The success response of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Decoded type; `None` when no body is declared.
    pub ty: Option<TypeRef>,
    /// How the body is read.
    pub encoding: BodyEncoding,
    /// Whether the payload is read from the envelope's data property.
    pub unwrap_envelope: bool,
    /// Description of the response.
    pub doc: Option<String>,
    /// When several 2xx statuses declare different JSON bodies, `ty` names a union with one
    /// variant per status, and the body is decoded by status: (status, variant name) pairs.
    /// Empty otherwise.
    pub by_status: Vec<(u16, String)>,
    /// The `Accept` header to send: the media type the payload is read as, with `*/*` at a low
    /// weight when other responses declare other types (error bodies as `problem+json`, say);
    /// `None` when no response declares content.
    pub accept: Option<String>,
    /// Error bodies the spec declares as named types: (`400`, `4XX` or `default`; its type),
    /// listed in the operation's documentation and readable with `ApiError::body_as`.
    pub errors: Vec<(String, TypeRef)>,
}

impl Response {
    /// A success response with a payload, before the operation-wide facts (accepted media,
    /// error bodies, outcomes by status) are added.
    pub(crate) fn payload(
        ty: Option<TypeRef>,
        encoding: BodyEncoding,
        unwrap_envelope: bool,
        doc: Option<String>,
    ) -> Self {
        Self {
            ty,
            encoding,
            unwrap_envelope,
            doc,
            by_status: Vec::new(),
            accept: None,
            errors: Vec::new(),
        }
    }
}

/// The response envelope, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Boolean success property.
    pub success_flag: Option<String>,
    /// Payload property.
    pub data: String,
    /// Error-code property.
    pub error_code: Option<String>,
    /// Error-message property.
    pub error_message: Option<String>,
    /// Request-id property.
    pub request_id: Option<String>,
}

/// A diagnostic for a generator bug found while lowering, never for a problem of the spec.
pub(crate) fn internal_error(what: impl std::fmt::Display) -> crate::Diagnostic {
    crate::Diagnostic::new("#", format!("internal error: {what}"))
        .with_hint("please report this with the spec that caused it")
}

/// Every type id in `api` that names no type, or a merged copy where a type is needed: a
/// generator bug, reported as an internal error instead of being emitted as a bad name.
pub(crate) fn check_type_ids(api: &Api) -> Vec<crate::Diagnostic> {
    let mut refs: Vec<(&str, &TypeRef)> = Vec::new();
    for def in &api.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                refs.extend(s.fields.iter().map(|f| (def.pointer.as_str(), &f.ty)));
                if let ExtraFields::Typed { ty, .. } = &s.extra {
                    refs.push((&def.pointer, ty));
                }
            }
            TypeKind::Union(variants) => {
                refs.extend(variants.iter().map(|v| (def.pointer.as_str(), &v.ty)));
            }
            TypeKind::Alias(ty) => refs.push((&def.pointer, ty)),
            TypeKind::StringEnum(_) => {}
            TypeKind::Merged(target) => {
                if !matches!(api.type_def(*target).map(|t| &t.kind), Some(kind) if !matches!(kind, TypeKind::Merged(_)))
                {
                    return vec![internal_error(format!(
                        "`{}` is merged into a missing type",
                        def.pointer
                    ))];
                }
            }
        }
    }
    for op in &api.operations {
        let at = op.pointer.as_str();
        refs.extend(op.params.iter().map(|p| (at, &p.ty)));
        refs.extend(op.body.iter().map(|b| (at, &b.ty)));
        refs.extend(op.response.ty.iter().map(|ty| (at, ty)));
        refs.extend(op.response.errors.iter().map(|(_, ty)| (at, ty)));
        if let Some(pagination) = &op.pagination {
            refs.push((at, &pagination.item_type));
        }
    }
    let mut problems = Vec::new();
    let mut stack: Vec<(&str, &TypeRef)> = refs;
    while let Some((at, ty)) = stack.pop() {
        match ty {
            TypeRef::Named(id) => match api.type_def(*id).map(|t| &t.kind) {
                None => problems.push(internal_error(format!(
                    "a type at {at} refers to type id {} of {}",
                    id.index(),
                    api.types.len()
                ))),
                Some(TypeKind::Merged(_)) => problems.push(internal_error(format!(
                    "a type at {at} refers to a merged copy"
                ))),
                Some(_) => {}
            },
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                stack.push((at, inner))
            }
            _ => {}
        }
    }
    problems.truncate(10);
    problems
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
