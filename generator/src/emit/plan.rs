//! One plan per operation: every fact the emitters need about a method, derived once.
//!
//! The method, request-builder, pagination and README emitters all read the plan, so "which
//! arguments does `get_cta` take, in what order, stored how?" has one answer (progenitor's
//! `MethodSigBody` and prost-build's `Context` play this role there). Plans hold references
//! into the IR and no token streams, so one plan serves the emitter threads.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::runtime::{BODY, EVENT_STREAM, MULTIPART, RuntimeUses};
use super::tag_features::Features;
use super::types::TypeContext;
use crate::config::{Config, RateLimitConfig, RuntimeMode};
use crate::ir::{
    Api, Body, BodyEncoding, Operation, Pagination, Param, ParamLocation, Server, TypeKind,
    TypeRef, UnionVariant,
};

/// Everything the emitters read: the API, its type analysis, one plan per operation.
pub struct Plan<'a> {
    /// The IR.
    pub api: &'a Api,
    /// Type analysis ("can this derive `Default`?").
    pub types: TypeContext<'a>,
    /// One per operation, in document order.
    pub operations: Vec<OperationPlan<'a>>,
    /// The first server when its URL is absolute: the client then needs no base URL.
    pub server: Option<&'a Server>,
    /// Which optional runtime modules the crate uses.
    pub uses: RuntimeUses,
    /// The library name of the runtime crate (`openapi_rust_runtime` or the crate's own
    /// `runtime/` package) when the runtime is one rather than a module of the crate.
    pub runtime_crate: Option<String>,
    /// The command generated headers name.
    pub command: &'a str,
    /// The service's rate limit from the config, the clients' default.
    pub rate_limit: Option<RateLimitConfig>,
    /// Cargo features per tag (config `tag_features`), when the API has tags.
    pub features: Option<Features>,
    /// Optional query parameters many operations share, set through one trait.
    pub common: Option<CommonParams<'a>>,
    /// Per operation, the field and type names of the holder of its builder's own optional
    /// query parameters (`query_setters!`), when it has some.
    pub query_holders: Vec<Option<(String, String)>>,
}

/// Whether `param` may be one of the shared parameters: optional, in the query, declared through
/// a `components/parameters` entry.
fn shareable(param: &Param) -> bool {
    param.component.is_some() && !param.required && param.location == ParamLocation::Query
}

/// Optional query parameters that most operations declare by `$ref` to the same
/// `#/components/parameters` entries (Google's `fields`, `key`, `alt`, ...): the builders that
/// take them all implement one trait, `CommonParameters`, whose methods set them, instead of
/// each repeating the setters.
#[derive(Debug, Clone)]
pub struct CommonParams<'a> {
    /// The parameters, as the first operation taking them all declares them.
    pub params: Vec<&'a Param>,
}

impl<'a> CommonParams<'a> {
    /// The trait builders implement.
    pub const TRAIT: &'static str = "CommonParameters";
    /// The struct holding the values on each builder.
    pub const VALUES: &'static str = "CommonParameterValues";

    /// The trait's name as an identifier.
    pub fn trait_ident() -> proc_macro2::Ident {
        quote::format_ident!("{}", Self::TRAIT)
    }

    /// The values struct's name as an identifier.
    pub fn values_ident() -> proc_macro2::Ident {
        quote::format_ident!("{}", Self::VALUES)
    }

    /// Whether `param` is one of the shared parameters (the operation must take them all).
    pub fn contains(&self, param: &Param) -> bool {
        param.component.is_some() && self.params.iter().any(|p| p.component == param.component)
    }

    /// Finds the shared parameters of `operations`: of the optional query parameters declared
    /// through a `components/parameters` entry, the most used ones, as many as replace the most
    /// setters (parameters times the operations taking them all, alike in name and type: all
    /// eleven of Google's standard ones; Graph's five paging ones, which only its list
    /// operations take), when that is two or more parameters taken by two or more operations.
    fn of(operations: &[OperationPlan<'a>]) -> Option<Self> {
        let mut users: std::collections::BTreeMap<&str, usize> = Default::default();
        for plan in operations {
            for param in plan.op.params.iter().filter(|p| shareable(p)) {
                if let Some(component) = &param.component {
                    *users.entry(component).or_default() += 1;
                }
            }
        }
        let mut by_use: Vec<(&str, usize)> = users.into_iter().filter(|(_, n)| *n >= 2).collect();
        // Most used first; ties in name order, so the choice is deterministic.
        by_use.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let names: Vec<&str> = by_use.iter().map(|(name, _)| *name).collect();
        let mut best: Option<(usize, Self)> = None;
        for count in 2..=names.len() {
            let Some(candidate) = Self::taken_together(operations, &names[..count]) else {
                continue;
            };
            let takers = operations.iter().filter(|p| candidate.taken_by(p)).count();
            let replaced = takers * count;
            if takers >= 2 && best.as_ref().is_none_or(|(most, _)| replaced > *most) {
                best = Some((replaced, candidate));
            }
        }
        let clash = operations
            .iter()
            .any(|plan| [Self::TRAIT, Self::VALUES].contains(&plan.op.builder_name.as_str()));
        best.filter(|_| !clash).map(|(_, common)| common)
    }

    /// The parameters `names` as the first operation taking them all declares them, in its
    /// order.
    fn taken_together(operations: &[OperationPlan<'a>], names: &[&str]) -> Option<Self> {
        operations.iter().find_map(|plan| {
            let params: Vec<&'a Param> = plan
                .op
                .params
                .iter()
                .filter(|p| {
                    shareable(p) && p.component.as_deref().is_some_and(|c| names.contains(&c))
                })
                .collect();
            (params.len() == names.len()).then_some(Self { params })
        })
    }

    /// Whether `plan`'s builder implements the trait: it takes every shared parameter, named
    /// and typed alike.
    pub fn taken_by(&self, plan: &OperationPlan<'_>) -> bool {
        self.params.iter().all(|shared| {
            plan.op.params.iter().any(|p| {
                !p.required
                    && p.location == ParamLocation::Query
                    && p.component == shared.component
                    && p.rust_name == shared.rust_name
                    && p.ty == shared.ty
                    && p.style == shared.style
            })
        })
    }
}

impl<'a> Plan<'a> {
    /// Plans every operation of `api`.
    pub fn new(api: &'a Api, config: &'a Config) -> Self {
        let types = TypeContext::new(api);
        let operations: Vec<OperationPlan<'a>> = api
            .operations
            .iter()
            .map(|op| OperationPlan::new(op, api))
            .collect();
        let common = CommonParams::of(&operations);
        let query_holders = query_holders(&operations, common.as_ref());
        Self {
            common,
            query_holders,
            api,
            types,
            operations,
            server: api
                .server
                .as_ref()
                .filter(|server| is_absolute(&server.url)),
            uses: RuntimeUses::of(api),
            runtime_crate: runtime_crate(api, config),
            command: config.generator_command(),
            rate_limit: config.rate_limit,
            features: config
                .tag_features
                .then(|| Features::of(api))
                .filter(|features| !features.names.is_empty()),
        }
    }
}

/// The optional query parameters a builder keeps itself (not through `CommonParameters`): set
/// through `query_setters!`.
pub fn own_query_args<'p>(
    plan: &'p OperationPlan<'_>,
    common: Option<&CommonParams<'_>>,
) -> Vec<&'p Arg<'p>> {
    let common = common.filter(|common| common.taken_by(plan));
    plan.optional
        .iter()
        .filter(|arg| match arg.source {
            ArgSource::Param(param) => {
                param.location == ParamLocation::Query
                    && !common.is_some_and(|common| common.contains(param))
            }
            ArgSource::Body(_) => false,
        })
        .collect()
}

/// For each operation whose builder keeps optional query parameters, the field and type names
/// of their holder: decided for all builders in order, so that any part of the file names them
/// alike.
fn query_holders(
    operations: &[OperationPlan<'_>],
    common: Option<&CommonParams<'_>>,
) -> Vec<Option<(String, String)>> {
    let mut type_names: HashSet<String> = operations
        .iter()
        .map(|op| op.op.builder_name.clone())
        .chain([CommonParams::TRAIT, CommonParams::VALUES, "Client", "Error"].map(str::to_owned))
        .collect();
    operations
        .iter()
        .map(|plan| {
            (!own_query_args(plan, common).is_empty()).then(|| query_holder(plan, &mut type_names))
        })
        .collect()
}

/// The field and type names of the holder of a builder's optional query parameters, clear of
/// the builder's own fields and of every type in the module.
fn query_holder(plan: &OperationPlan<'_>, type_names: &mut HashSet<String>) -> (String, String) {
    let taken: HashSet<&str> = plan
        .op
        .params
        .iter()
        .map(|p| p.rust_name.as_str())
        .collect();
    let holder = ["query", "query_values", "query_parameters"]
        .into_iter()
        .find(|name| !taken.contains(name))
        .unwrap_or("query_values_")
        .to_owned();
    let builder = &plan.op.builder_name;
    let values = claim(
        type_names,
        [format!("{builder}Query"), format!("{builder}QueryValues")],
    );
    (holder, values)
}

/// A name from `candidates` not yet in `taken`, which then holds it.
fn claim(taken: &mut HashSet<String>, candidates: impl IntoIterator<Item = String>) -> String {
    let mut candidates = candidates.into_iter();
    let mut last = String::new();
    for candidate in candidates.by_ref() {
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        last = candidate;
    }
    let mut n = 2;
    loop {
        let numbered = format!("{last}{n}");
        if taken.insert(numbered.clone()) {
            return numbered;
        }
        n += 1;
    }
}

/// Whether a server URL names its scheme and host (otherwise the caller gives a base URL).
fn is_absolute(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// How a value is stored in a request builder and taken by its method or setter.
#[derive(Debug, Clone, Copy)]
pub enum ValueKind<'a> {
    /// Stored as `String`, taken as `impl Into<String>`.
    String,
    /// Stored and taken as the typed value.
    Typed(&'a TypeRef),
    /// A JSON or form body: borrowed for the builder's lifetime.
    Borrowed(&'a TypeRef),
    /// A text body: stored as `String`, taken as `impl Into<String>`.
    Text,
    /// A byte body: stored as the runtime's `Body` (bytes, or a stream), taken as `impl Into<Body>`.
    Bytes,
    /// A `multipart/form-data` body.
    Multipart,
}

impl ValueKind<'_> {
    /// The type a builder field holds (without `Option` for optional values).
    pub fn stored(&self, types: &TypeContext<'_>) -> TokenStream {
        match self {
            Self::String | Self::Text => quote!(String),
            Self::Typed(ty) => types.tokens(ty, false),
            Self::Borrowed(ty) => {
                let ty = types.tokens(ty, false);
                quote!(&'a #ty)
            }
            Self::Bytes => quote!(#BODY),
            Self::Multipart => quote!(#MULTIPART),
        }
    }

    /// The type a method argument or setter takes.
    pub fn taken(&self, types: &TypeContext<'_>) -> TokenStream {
        match self {
            Self::String | Self::Text => quote!(impl Into<String>),
            Self::Bytes => quote!(impl Into<#BODY>),
            _ => self.stored(types),
        }
    }

    /// Whether the taken value needs `.into()` to be stored.
    pub fn converts(&self) -> bool {
        matches!(self, Self::String | Self::Text | Self::Bytes)
    }
}

/// Where an argument's value goes.
#[derive(Debug, Clone, Copy)]
pub enum ArgSource<'a> {
    /// A path, query, header or cookie parameter.
    Param(&'a Param),
    /// The request body.
    Body(&'a Body),
}

/// A value of the request: a method argument when required, a builder setter otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Arg<'a> {
    /// Rust name of the argument, field and setter.
    pub rust_name: &'a str,
    /// How it is stored and taken.
    pub kind: ValueKind<'a>,
    /// What it fills in.
    pub source: ArgSource<'a>,
}

impl<'a> Arg<'a> {
    /// A parameter's argument: a string as `impl Into<String>`, anything else as its type.
    pub fn of_param(param: &'a Param) -> Self {
        Arg {
            rust_name: &param.rust_name,
            kind: match &param.ty {
                TypeRef::String => ValueKind::String,
                other => ValueKind::Typed(other),
            },
            source: ArgSource::Param(param),
        }
    }
}

/// How the success response is read.
#[derive(Debug, Clone)]
pub enum Decode<'a> {
    /// No body declared: only the envelope's failure flag is checked.
    Empty,
    /// JSON of the declared type.
    Json(&'a TypeRef),
    /// JSON inside the configured envelope's data property.
    Envelope(&'a TypeRef),
    /// Several 2xx bodies: the outcome union, its variant chosen by status.
    ByStatus {
        /// The outcome union.
        outcome: &'a TypeRef,
        /// (status, variant name, variant type), in the spec's order.
        variants: Vec<(u16, &'a str, &'a TypeRef)>,
    },
    /// The body as text.
    Text,
    /// The body as bytes.
    Bytes,
    /// Server-sent events, each one's data as this type (JSON, or text when `String`).
    Events(&'a TypeRef),
}

/// Every fact about one operation that the emitters share.
#[derive(Debug, Clone)]
pub struct OperationPlan<'a> {
    /// The operation.
    pub op: &'a Operation,
    /// Method arguments in order: path parameters as in the template, the other required
    /// parameters, then a required body.
    pub required: Vec<Arg<'a>>,
    /// Builder setters in order: optional parameters, then an optional body.
    pub optional: Vec<Arg<'a>>,
    /// The body and how it is held, required or not.
    pub body: Option<(&'a Body, ValueKind<'a>)>,
    /// How the response is read.
    pub decode: Decode<'a>,
    /// Auto-paging (`<method>_stream`, `<method>_all`), when configured.
    pub paging: Option<&'a Pagination>,
}

impl<'a> OperationPlan<'a> {
    fn new(op: &'a Operation, api: &'a Api) -> Self {
        let mut required: Vec<Arg<'a>> = op.path_params().into_iter().map(Arg::of_param).collect();
        required.extend(
            op.params
                .iter()
                .filter(|p| p.required && p.location != ParamLocation::Path)
                .map(Arg::of_param),
        );
        let mut optional: Vec<Arg<'a>> = op
            .params
            .iter()
            .filter(|p| !p.required)
            .map(Arg::of_param)
            .collect();
        let body = op.body.as_ref().map(|body| (body, body_kind(body)));
        if let Some((body, kind)) = body {
            let arg = Arg {
                rust_name: "body",
                kind,
                source: ArgSource::Body(body),
            };
            if body.required {
                required.push(arg);
            } else {
                optional.push(arg);
            }
        }
        Self {
            op,
            required,
            optional,
            body,
            decode: decode_of(op, api),
            paging: op.pagination.as_ref(),
        }
    }

    /// The payload type `send` returns.
    pub fn output(&self, types: &TypeContext<'_>) -> TokenStream {
        match &self.decode {
            Decode::Empty => quote!(()),
            Decode::Json(ty) | Decode::Envelope(ty) => types.tokens(ty, false),
            Decode::ByStatus { outcome, .. } => types.tokens(outcome, false),
            Decode::Text => quote!(String),
            Decode::Bytes => quote!(Vec<u8>),
            Decode::Events(ty) => {
                let ty = types.tokens(ty, false);
                quote!(#EVENT_STREAM<#ty>)
            }
        }
    }

    /// The required body, when the method takes one.
    pub fn required_body(&self) -> Option<(&'a Body, ValueKind<'a>)> {
        self.body.filter(|(body, _)| body.required)
    }
}

fn body_kind(body: &Body) -> ValueKind<'_> {
    match body.encoding {
        BodyEncoding::Json | BodyEncoding::Form => ValueKind::Borrowed(&body.ty),
        BodyEncoding::Text | BodyEncoding::EventStream => ValueKind::Text,
        BodyEncoding::Multipart => ValueKind::Multipart,
        BodyEncoding::Bytes => ValueKind::Bytes,
    }
}

fn decode_of<'a>(op: &'a Operation, api: &'a Api) -> Decode<'a> {
    let response = &op.response;
    let Some(ty) = &response.ty else {
        return Decode::Empty;
    };
    match response.encoding {
        BodyEncoding::Text | BodyEncoding::Form => return Decode::Text,
        BodyEncoding::Bytes | BodyEncoding::Multipart => return Decode::Bytes,
        BodyEncoding::EventStream => return Decode::Events(ty),
        BodyEncoding::Json => {}
    }
    if let Some(variants) = outcome_variants(op, api) {
        return Decode::ByStatus {
            outcome: ty,
            variants: variants
                .iter()
                .zip(&response.by_status)
                .map(|(variant, (status, name))| (*status, name.as_str(), &variant.ty))
                .collect(),
        };
    }
    if response.unwrap_envelope {
        Decode::Envelope(ty)
    } else {
        Decode::Json(ty)
    }
}

/// The variants of an operation's outcome union, when several 2xx statuses declare bodies.
fn outcome_variants<'a>(op: &'a Operation, api: &'a Api) -> Option<&'a [UnionVariant]> {
    match &op.response.ty {
        Some(TypeRef::Named(id)) if !op.response.by_status.is_empty() => {
            match api.types.get(id.index()).map(|t| &t.kind) {
                Some(TypeKind::Union(variants)) => Some(variants),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The library name generated code imports the runtime crate by; `None` for a vendored module.
fn runtime_crate(api: &Api, config: &Config) -> Option<String> {
    match config.runtime {
        RuntimeMode::Vendored => None,
        RuntimeMode::Dependency => Some("openapi_rust_runtime".to_owned()),
        RuntimeMode::Crate => Some(
            super::package::Package::from_config(api, config)
                .runtime()
                .lib_name,
        ),
    }
}
