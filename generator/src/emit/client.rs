//! IR operations → `client.rs` (the `Client`, its builder and one method per operation) and `builder.rs` (request builders).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs, spec};
use super::types::{TypeContext, ident};
use crate::ir::{
    Api, Body, BodyEncoding, CredentialKind, Operation, PageParam, Param, ParamLocation, PathPart,
    QueryStyle, TypeKind, TypeRef,
};

/// Whether the first server URL is absolute, so the client knows where to go without a base URL.
fn absolute_server(api: &Api) -> Option<&crate::ir::Server> {
    api.server
        .as_ref()
        .filter(|s| s.url.starts_with("http://") || s.url.starts_with("https://"))
}

/// The whole `client.rs` module body.
pub fn emit_client(api: &Api) -> TokenStream {
    let server = absolute_server(api);
    let client_doc = doc_attrs(&paragraphs([
        Some(&*format!("Client for the {}.", super::api_name(&api.title))),
        api.description.as_deref().map(spec).as_deref(),
        Some(
            "Cheap to clone: clones share one connection pool. Each method returns a request builder; `.await` it to send the request.",
        ),
    ]));

    let server_fields = server.into_iter().flat_map(|s| &s.variables).map(|v| {
        let name = ident(&v.rust_name);
        quote!(#name: Option<String>,)
    });
    let server_setters = server.into_iter().flat_map(|s| &s.variables).map(|v| {
        let name = ident(&v.rust_name);
        let default = if v.default.is_empty() {
            String::new()
        } else {
            format!(" Default: `{}`.", v.default)
        };
        let doc = doc_attrs(&paragraphs([
            Some(&*format!(
                "Sets the `{}` part of the server URL `{}`.{default}",
                v.name,
                server.map_or("", |s| s.url.as_str())
            )),
            v.description.as_deref().map(spec).as_deref(),
        ]));
        quote! {
            #doc
            pub fn #name(mut self, value: impl Into<String>) -> Self {
                self.#name = Some(value.into());
                self
            }
        }
    });
    let credential_fields = api.credentials.iter().map(|c| {
        let name = ident(&c.rust_name);
        quote!(#name: Option<runtime::Secret>,)
    });
    let credential_setters = api.credentials.iter().map(|c| {
        let name = ident(&c.rust_name);
        let how = match &c.kind {
            CredentialKind::HeaderApiKey { header } => format!("sent in the `{header}` header"),
            CredentialKind::QueryApiKey { parameter } => format!("sent as the `{parameter}` query parameter"),
            CredentialKind::CookieApiKey { cookie } => format!("sent as the `{cookie}` cookie"),
            CredentialKind::Bearer => "sent as `Authorization: Bearer <token>`".to_owned(),
            CredentialKind::Basic => "given as `user:password`, sent as HTTP basic authentication".to_owned(),
        };
        let doc = doc_attrs(&paragraphs([
            Some(&*format!("Sets the credential of security scheme `{}`, {how} on every request. It never appears in `Debug` output or errors.", c.scheme)),
            c.description.as_deref().map(spec).as_deref(),
        ]));
        quote! {
            #doc
            pub fn #name(mut self, value: impl Into<String>) -> Self {
                self.#name = Some(runtime::Secret::new(value));
                self
            }
        }
    });
    let credential_pushes = api.credentials.iter().map(|c| {
        let name = ident(&c.rust_name);
        let placement = match &c.kind {
            CredentialKind::HeaderApiKey { header } => {
                let lower = header.to_ascii_lowercase();
                quote!(runtime::Placement::Header(
                    reqwest::header::HeaderName::from_bytes(#lower.as_bytes())
                        .map_err(|_| Error::Config(format!("`{}` is not a valid header name", #lower)))?
                ))
            }
            CredentialKind::QueryApiKey { parameter } => quote!(runtime::Placement::Query(#parameter)),
            CredentialKind::CookieApiKey { cookie } => quote!(runtime::Placement::Cookie(#cookie)),
            CredentialKind::Bearer => quote!(runtime::Placement::Bearer),
            CredentialKind::Basic => quote!(runtime::Placement::Basic),
        };
        quote! {
            if let Some(value) = self.#name {
                credentials.push(runtime::Credential { placement: #placement, value });
            }
        }
    });

    let base_url_expr = match server {
        Some(server) => {
            let url = &server.url;
            let pairs = server.variables.iter().map(|v| {
                let name = &v.name;
                let field = ident(&v.rust_name);
                let default = &v.default;
                quote!((#name, self.#field.as_deref().unwrap_or(#default)))
            });
            quote!(runtime::expand_server_url(#url, &[#(#pairs),*])?)
        }
        None => quote!(self.base_url.clone().ok_or_else(|| {
            Error::Config(
                "no base URL: the spec names no absolute server, so call `base_url(...)`"
                    .to_owned(),
            )
        })?),
    };
    let base_url_override = if server.is_some() {
        quote! {
            let base_url = match &self.base_url {
                Some(url) => url.clone(),
                None => #base_url_expr,
            };
        }
    } else {
        quote!(let base_url = #base_url_expr;)
    };

    // `Client::new` takes what a caller must always decide: server variables (or the base URL) and credentials.
    let mut new_params = Vec::new();
    let mut new_calls = Vec::new();
    match server {
        Some(server) => {
            for v in &server.variables {
                let name = ident(&v.rust_name);
                new_params.push(quote!(#name: impl Into<String>));
                new_calls.push(quote!(.#name(#name)));
            }
        }
        None => {
            new_params.push(quote!(base_url: impl Into<String>));
            new_calls.push(quote!(.base_url(base_url)));
        }
    }
    for c in api.credentials.iter().filter(|c| c.required) {
        let name = ident(&c.rust_name);
        new_params.push(quote!(#name: impl Into<String>));
        new_calls.push(quote!(.#name(#name)));
    }
    let target = match server {
        Some(s) => format!(
            "Creates a client for `{}` with the default settings.",
            s.url
        ),
        None => "Creates a client for the API at `base_url` with the default settings.".to_owned(),
    };
    let new_doc = doc_attrs(&paragraphs([
        Some(target.as_str()),
        Some(
            "# Errors\n\nReturns [`Error::Config`] when a value cannot be used safely (a server variable that is not a host name part, a credential with control characters).",
        ),
    ]));

    let envelope = match &api.envelope {
        Some(e) => {
            let opt = |v: &Option<String>| match v {
                Some(v) => quote!(Some(#v)),
                None => quote!(None),
            };
            let (flag, code, message, request_id) = (
                opt(&e.success_flag),
                opt(&e.error_code),
                opt(&e.error_message),
                opt(&e.request_id),
            );
            let data = &e.data;
            quote!(Some(runtime::Envelope { success_flag: #flag, data: #data, error_code: #code, error_message: #message, request_id: #request_id }))
        }
        None => quote!(None),
    };
    let context = TypeContext::new(api);
    let methods = api.operations.iter().map(|op| emit_method(op, &context));

    quote! {
        //! The client, its builder and one method per operation.

        use std::sync::Arc;
        use std::time::Duration;

        use crate::runtime::{self, RetryPolicy, Transport};
        use crate::Error;
        #[allow(unused_imports)]
        use crate::types;

        /// The response envelope every payload arrives in, as configured for code generation.
        const ENVELOPE: Option<runtime::Envelope> = #envelope;

        #client_doc
        #[derive(Debug, Clone)]
        pub struct Client {
            pub(crate) transport: Arc<Transport>,
        }

        impl Client {
            #new_doc
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#new_params),*) -> Result<Self, Error> {
                Self::builder() #(#new_calls)* .build()
            }

            /// A builder for a client with custom settings: base URL, timeouts, retries, HTTP client.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::default()
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.transport.base_url()
            }

            #(#methods)*
        }

        /// Configures a [`Client`]. Unset values use the spec's defaults.
        #[derive(Debug, Clone, Default)]
        pub struct ClientBuilder {
            base_url: Option<String>,
            #(#server_fields)*
            #(#credential_fields)*
            options: runtime::TransportOptions,
        }

        impl ClientBuilder {
            /// Sends requests to `url` instead of the spec's server (for proxies, sandboxes and tests).
            pub fn base_url(mut self, url: impl Into<String>) -> Self {
                self.base_url = Some(url.into());
                self
            }

            #(#server_setters)*
            #(#credential_setters)*

            /// Whole-request timeout, retries excluded (default 60 s).
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Connect timeout (default 10 s).
            pub fn connect_timeout(mut self, timeout: Duration) -> Self {
                self.options.connect_timeout = Some(timeout);
                self
            }

            /// When and how often failed requests are retried (default: [`RetryPolicy::default`]).
            pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
                self.options.retry = policy;
                self
            }

            /// The `User-Agent` header (default: this crate's name and version).
            pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
                self.options.user_agent = Some(user_agent.into());
                self
            }

            /// Uses a preconfigured `reqwest::Client`; its own timeouts and user agent then apply.
            pub fn http_client(mut self, client: reqwest::Client) -> Self {
                self.options.http_client = Some(client);
                self
            }

            /// Builds the client.
            ///
            /// # Errors
            ///
            /// Returns [`Error::Config`] when the base URL, a server variable or a credential cannot be used safely.
            pub fn build(self) -> Result<Client, Error> {
                #base_url_override
                #[allow(unused_mut)]
                let mut credentials = Vec::new();
                #(#credential_pushes)*
                let transport = Transport::new(base_url, credentials, ENVELOPE, self.options)?;
                Ok(Client { transport: Arc::new(transport) })
            }
        }
    }
}

/// Required parameters in order: path parameters as in the template, then the other required ones.
fn required_params(op: &Operation) -> Vec<&Param> {
    let mut ordered = op.path_params();
    ordered.extend(
        op.params
            .iter()
            .filter(|p| p.required && p.location != ParamLocation::Path),
    );
    ordered
}

/// How a parameter is stored in the builder and taken by setters.
fn param_type(param: &Param, context: &TypeContext<'_>) -> (TokenStream, TokenStream, bool) {
    match &param.ty {
        TypeRef::String => (quote!(String), quote!(impl Into<String>), true),
        other => {
            let ty = context.tokens(other, false);
            (ty.clone(), ty, false)
        }
    }
}

fn body_type(
    op: &Operation,
    context: &TypeContext<'_>,
) -> Option<(TokenStream, TokenStream, bool)> {
    let body = op.body.as_ref()?;
    Some(match body.encoding {
        BodyEncoding::Json | BodyEncoding::Form => {
            let ty = context.tokens(&body.ty, false);
            (quote!(&'a #ty), quote!(&'a #ty), false)
        }
        BodyEncoding::Text => (quote!(String), quote!(impl Into<String>), true),
        BodyEncoding::Multipart => (quote!(crate::Multipart), quote!(crate::Multipart), false),
        BodyEncoding::Bytes => (quote!(Vec<u8>), quote!(impl Into<Vec<u8>>), true),
    })
}

fn method_doc(op: &Operation) -> String {
    let endpoint = format!(
        "`{} {}` (operation `{}`).",
        op.http_method.as_str(),
        op.path_template,
        op.operation_id
    );
    let form = op.body.as_ref().and_then(form_doc);
    paragraphs([
        op.summary.as_deref().map(spec).as_deref(),
        op.description.as_deref().map(spec).as_deref(),
        Some(&endpoint),
        form.as_deref(),
    ])
}

/// For a `multipart/form-data` body, the parts the spec declares.
fn form_doc(body: &Body) -> Option<String> {
    if body.encoding != BodyEncoding::Multipart {
        return None;
    }
    let parts: Vec<String> = body
        .form_parts
        .iter()
        .map(|part| {
            let kind = match (part.file, part.required) {
                (true, true) => " (file, required)",
                (true, false) => " (file)",
                (false, true) => " (required)",
                (false, false) => "",
            };
            format!("`{}`{kind}", part.name.replace('`', "'"))
        })
        .collect();
    Some(if parts.is_empty() {
        "The body is a `multipart/form-data` form ([`Multipart`](crate::Multipart)).".to_owned()
    } else {
        format!(
            "The body is a `multipart/form-data` form ([`Multipart`](crate::Multipart)) with the parts {}.",
            parts.join(", ")
        )
    })
}

fn emit_method(op: &Operation, context: &TypeContext<'_>) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let mut params = Vec::new();
    let mut args = Vec::new();
    for param in required_params(op) {
        let name = ident(&param.rust_name);
        let (_, arg_ty, converts) = param_type(param, context);
        params.push(quote!(#name: #arg_ty));
        args.push(if converts {
            quote!(#name.into())
        } else {
            quote!(#name)
        });
    }
    if op.body.as_ref().is_some_and(|b| b.required) {
        if let Some((_, arg_ty, converts)) = body_type(op, context) {
            params.push(quote!(body: #arg_ty));
            args.push(if converts {
                quote!(body.into())
            } else {
                quote!(body)
            });
        }
    }
    let doc = doc_attrs(&method_doc(op));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let pagination = emit_pagination(op, context);
    quote! {
        #pagination

        #doc
        #deprecated
        pub fn #method<'a>(&'a self, #(#params),*) -> crate::builder::#builder<'a> {
            crate::builder::#builder::new(self, #(#args),*)
        }
    }
}

/// The whole `builder.rs` module body.
pub fn emit_builders(api: &Api) -> TokenStream {
    let context = TypeContext::new(api);
    let builders: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| emit_builder(op, &context))
        .collect();
    let imports = (!builders.is_empty()).then(|| {
        quote! {
            use std::future::{Future, IntoFuture};
            use std::pin::Pin;
            use std::time::Duration;

            use crate::runtime::{self, ApiResponse, RequestOptions, RetryPolicy};
            use crate::{Client, Error};
            #[allow(unused_imports)]
            use crate::types;
        }
    });
    quote! {
        //! Request builders: one per operation, returned by the [`Client`] methods.
        //!
        //! Set optional parameters and per-call options on a builder, then `.await` it to send the
        //! request, or call `send_with_response` to also get the status and headers.

        #imports

        #(#builders)*
    }
}

fn emit_builder(op: &Operation, context: &TypeContext<'_>) -> TokenStream {
    let builder = ident(&op.builder_name);
    let method_name = &op.method_name;
    let required = required_params(op);
    let optional: Vec<&Param> = op.params.iter().filter(|p| !p.required).collect();

    let mut fields = Vec::new();
    let mut new_params = Vec::new();
    let mut new_inits = Vec::new();
    for param in &required {
        let name = ident(&param.rust_name);
        let (store_ty, _, _) = param_type(param, context);
        fields.push(quote!(#name: #store_ty,));
        new_params.push(quote!(#name: #store_ty));
        new_inits.push(quote!(#name,));
    }
    for param in &optional {
        let name = ident(&param.rust_name);
        let (store_ty, _, _) = param_type(param, context);
        fields.push(quote!(#name: Option<#store_ty>,));
        new_inits.push(quote!(#name: None,));
    }
    let body = op.body.as_ref();
    let body_types = body_type(op, context);
    let mut body_setter = quote!();
    if let (Some(body), Some((store_ty, arg_ty, converts))) = (body, &body_types) {
        if body.required {
            fields.push(quote!(body: #store_ty,));
            new_params.push(quote!(body: #store_ty));
            new_inits.push(quote!(body,));
        } else {
            fields.push(quote!(body: Option<#store_ty>,));
            new_inits.push(quote!(body: None,));
            let value = if *converts {
                quote!(body.into())
            } else {
                quote!(body)
            };
            let doc = doc_attrs(
                &body
                    .doc
                    .as_deref()
                    .map_or_else(|| "Sets the optional request body.".to_owned(), spec),
            );
            body_setter = quote! {
                #doc
                pub fn body(mut self, body: #arg_ty) -> Self {
                    self.body = Some(#value);
                    self
                }
            };
        }
    }

    let setters = optional.iter().map(|param| {
        let name = ident(&param.rust_name);
        let (_, arg_ty, converts) = param_type(param, context);
        let value = if converts {
            quote!(value.into())
        } else {
            quote!(value)
        };
        let where_ = match param.location {
            ParamLocation::Query => "query parameter",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
            ParamLocation::Path => "path parameter",
        };
        let doc = doc_attrs(&paragraphs([
            param.doc.as_deref().map(spec).as_deref(),
            Some(&*format!("Sets the optional {where_} `{}`.", param.name)),
        ]));
        quote! {
            #doc
            pub fn #name(mut self, value: #arg_ty) -> Self {
                self.#name = Some(#value);
                self
            }
        }
    });

    // Request assembly.
    let path_expr = path_expression(op, context);
    let mut query_stmts = Vec::new();
    let mut header_stmts = Vec::new();
    for param in &op.params {
        let name = ident(&param.rust_name);
        let wire = &param.name;
        let access = if param.required {
            quote!(let value = &self.#name;)
        } else {
            quote!()
        };
        let stmt = match param.location {
            ParamLocation::Path => continue,
            ParamLocation::Query => match param.style {
                QueryStyle::Form => quote!(runtime::push_query(&mut query, #wire, value)?;),
                style => {
                    let style = format_ident!("{}", format!("{style:?}"));
                    quote!(runtime::push_query_as(&mut query, #wire, value, runtime::QueryStyle::#style)?;)
                }
            },
            ParamLocation::Header => quote!(headers.push((#wire, runtime::param_text(value)?));),
            ParamLocation::Cookie => {
                quote!(headers.push(("cookie", format!("{}={}", #wire, runtime::param_text(value)?)));)
            }
        };
        let wrapped = if param.required {
            quote!({ #access #stmt })
        } else {
            quote!(if let Some(value) = &self.#name { #stmt })
        };
        if param.location == ParamLocation::Query {
            query_stmts.push(wrapped)
        } else {
            header_stmts.push(wrapped)
        }
    }
    let body_expr = match (body, &body_types) {
        (Some(body), Some(_)) => {
            let content_type = &body.content_type;
            let encode = |value: TokenStream| match body.encoding {
                BodyEncoding::Json if content_type == "application/json" => {
                    quote!(runtime::json_body(#value)?)
                }
                BodyEncoding::Json => {
                    quote!(runtime::json_body(#value)?.map(|(bytes, _)| (bytes, ::std::borrow::Cow::Borrowed(#content_type))))
                }
                BodyEncoding::Form => quote!(runtime::form_body(#value, #content_type)?),
                BodyEncoding::Multipart => quote!(Some(#value.encode())),
                BodyEncoding::Text | BodyEncoding::Bytes => {
                    quote!(Some((::bytes::Bytes::from(#value.clone()), ::std::borrow::Cow::Borrowed(#content_type))))
                }
            };
            if body.required {
                encode(quote!(self.body))
            } else {
                let inner = encode(quote!(body));
                quote!(match &self.body { Some(body) => #inner, None => None })
            }
        }
        _ => quote!(None),
    };

    let output = match &op.response.ty {
        Some(ty) => match op.response.encoding {
            BodyEncoding::Json => context.tokens(ty, false),
            BodyEncoding::Text | BodyEncoding::Form => quote!(String),
            BodyEncoding::Bytes | BodyEncoding::Multipart => quote!(Vec<u8>),
        },
        None => quote!(()),
    };
    let outcome_variants = match &op.response.ty {
        Some(TypeRef::Named(id)) if !op.response.by_status.is_empty() => {
            match context.api().types.get(*id).map(|t| &t.kind) {
                Some(TypeKind::Union(variants)) => Some(variants),
                _ => None,
            }
        }
        _ => None,
    };
    let decode = match (&op.response.ty, op.response.encoding) {
        // Several 2xx bodies: the status says which one arrived.
        (Some(outcome), BodyEncoding::Json) if outcome_variants.is_some() => {
            let outcome = context.tokens(outcome, false);
            let bodies: Vec<TokenStream> = outcome_variants
                .into_iter()
                .flatten()
                .zip(&op.response.by_status)
                .map(|(alternative, (_, variant))| {
                    let variant = ident(variant);
                    let ty = context.tokens(&alternative.ty, false);
                    quote! {
                        runtime::decode_json::<#ty>(transport, response).map(|r| ApiResponse {
                            status: r.status,
                            headers: r.headers,
                            data: #outcome::#variant(r.data),
                        })
                    }
                })
                .collect();
            let codes = op
                .response
                .by_status
                .iter()
                .map(|(code, _)| proc_macro2::Literal::u16_unsuffixed(*code));
            // A success status the spec does not list is read as the first listed one.
            let fallback = bodies.first();
            quote! {
                match response.status.as_u16() {
                    #(#codes => #bodies,)*
                    _ => #fallback,
                }
            }
        }
        (None, _) => quote!(runtime::decode_empty(transport, response)),
        (Some(_), BodyEncoding::Json) if op.response.unwrap_envelope => {
            quote!(runtime::decode_envelope(transport, response))
        }
        (Some(_), BodyEncoding::Json) => quote!(runtime::decode_json(transport, response)),
        (Some(_), BodyEncoding::Text | BodyEncoding::Form) => {
            quote!(runtime::decode_text(response))
        }
        (Some(_), BodyEncoding::Bytes | BodyEncoding::Multipart) => {
            quote!(runtime::decode_bytes(response))
        }
    };
    let operation_id = &op.operation_id;
    let method = format_ident!("{}", op.http_method.as_str());
    let template = &op.path_template;
    let idempotent = op.idempotent;
    let doc = doc_attrs(&format!(
        "Request builder for [`Client::{method_name}`]: `{} {}`.\n\nSet optional values with its methods, then `.await` it to send the request.",
        op.http_method.as_str(),
        op.path_template
    ));
    let returns = match &op.response.doc {
        Some(d) => format!(
            "Sends the request and returns the payload ({}).",
            spec(d.trim().trim_end_matches('.')).replace('\n', " ")
        ),
        None => "Sends the request and returns the payload.".to_owned(),
    };
    let declared_errors: Vec<String> = op
        .response
        .errors
        .iter()
        .filter_map(|(status, ty)| match ty {
            TypeRef::Named(id) => context.api().types.get(*id).map(|t| {
                let name = t.name.trim_start_matches("r#");
                format!("- `{status}`: [`{name}`](crate::types::{name})")
            }),
            _ => None,
        })
        .collect();
    let declared_errors = if declared_errors.is_empty() {
        String::new()
    } else {
        format!(
            "\n\nError bodies the spec declares, readable with [`ApiError::body_as`](crate::ApiError::body_as):\n\n{}",
            declared_errors.join("\n")
        )
    };
    let send_doc = doc_attrs(&format!(
        "{returns}\n\n# Errors\n\nReturns [`Error::Api`] when the server reports an error, [`Error::Decode`] when the body does not match the spec, and [`Error::Transport`] when the request does not complete.{declared_errors}"
    ));
    let mut_query = if query_stmts.is_empty() {
        quote!()
    } else {
        quote!(mut)
    };
    let mut_headers = if header_stmts.is_empty() {
        quote!()
    } else {
        quote!(mut)
    };

    quote! {
        #doc
        #[derive(Debug)]
        #[must_use = "a request does nothing until it is awaited"]
        pub struct #builder<'a> {
            client: &'a Client,
            #(#fields)*
            options: RequestOptions,
        }

        impl<'a> #builder<'a> {
            pub(crate) fn new(client: &'a Client, #(#new_params),*) -> Self {
                Self { client, #(#new_inits)* options: RequestOptions::default() }
            }

            #(#setters)*
            #body_setter

            /// Sets a whole-request timeout for this call only.
            pub fn timeout(mut self, timeout: Duration) -> Self {
                self.options.timeout = Some(timeout);
                self
            }

            /// Adds a header to this call only. It replaces a header of the same name the client
            /// would send, such as `Content-Type` or `Accept`.
            pub fn header(mut self, name: reqwest::header::HeaderName, value: reqwest::header::HeaderValue) -> Self {
                self.options.headers.append(name, value);
                self
            }

            /// Overrides the client's retry policy for this call only.
            pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
                self.options.retry = Some(policy);
                self
            }

            #send_doc
            pub async fn send(self) -> Result<#output, Error> {
                self.send_with_response().await.map(|response| response.data)
            }

            /// Like [`send`](Self::send), and also returns the response status and headers.
            ///
            /// # Errors
            ///
            /// As for [`send`](Self::send).
            pub async fn send_with_response(self) -> Result<ApiResponse<#output>, Error> {
                let transport = &*self.client.transport;
                let #mut_query query = Vec::new();
                #(#query_stmts)*
                let #mut_headers headers = Vec::new();
                #(#header_stmts)*
                let call = runtime::Call {
                    operation_id: #operation_id,
                    method: reqwest::Method::#method,
                    path_template: #template,
                    path: #path_expr,
                    query,
                    headers,
                    body: #body_expr,
                    idempotent: #idempotent,
                    options: self.options,
                };
                let response = transport.send(call).await?;
                #decode
            }
        }

        impl<'a> IntoFuture for #builder<'a> {
            type Output = Result<#output, Error>;
            type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

/// `format!` building the request path, each parameter encoded as one segment.
fn path_expression(op: &Operation, context: &TypeContext<'_>) -> TokenStream {
    let mut template = String::new();
    let mut args = Vec::new();
    for part in &op.path {
        match part {
            PathPart::Literal(text) => {
                template.push_str(&text.replace('{', "{{").replace('}', "}}"))
            }
            PathPart::Param(index) => {
                template.push_str("{}");
                let Some(param) = op.params.get(*index) else {
                    continue;
                };
                let name = ident(&param.rust_name);
                let (_, _, is_string) = param_type(param, context);
                args.push(if is_string {
                    quote!(runtime::path_segment(&self.#name)?)
                } else {
                    quote!(runtime::path_segment(&runtime::param_text(&self.#name)?)?)
                });
            }
        }
    }
    if args.is_empty() {
        quote!(#template.to_owned())
    } else {
        quote!(format!(#template, #(#args),*))
    }
}

/// `<method>_stream` and `<method>_all` for an operation declared paginated in the config.
fn emit_pagination(op: &Operation, context: &TypeContext<'_>) -> TokenStream {
    let Some(pagination) = &op.pagination else {
        return quote!();
    };
    let method = ident(&op.method_name);
    let stream = format_ident!("{}_stream", op.method_name);
    let all = format_ident!("{}_all", op.method_name);
    let item = context.tokens(&pagination.item_type, false);
    let default_size = u64::from(pagination.default_page_size);
    let int_ty = |bits: u8| if bits == 32 { quote!(i32) } else { quote!(i64) };

    // The stream takes the operation's own arguments; strings are made owned once, then cloned per page.
    let mut params = Vec::new();
    let mut names = Vec::new();
    let mut owned = Vec::new();
    for param in required_params(op) {
        let name = ident(&param.rust_name);
        let (_, arg_ty, converts) = param_type(param, context);
        params.push(quote!(#name: #arg_ty));
        if converts {
            owned.push(quote!(let #name: String = #name.into();));
        }
        names.push(name);
    }
    let body_param = op
        .body
        .as_ref()
        .filter(|b| b.required)
        .and_then(|_| body_type(op, context));
    if let Some((_, arg_ty, _)) = &body_param {
        params.push(quote!(body: #arg_ty));
    }

    // Page size and start offset come from the request body when it carries them.
    let from_body = |param: &PageParam, fallback: TokenStream| match param {
        PageParam::BodyField {
            rust_name,
            optional,
            ..
        } if body_param.is_some() => {
            let field = ident(rust_name);
            if *optional {
                quote!(body.#field.and_then(|value| u64::try_from(value).ok()).filter(|value| *value > 0).unwrap_or(#fallback))
            } else {
                quote!(u64::try_from(body.#field).ok().filter(|value| *value > 0).unwrap_or(#fallback))
            }
        }
        _ => fallback,
    };
    let page_size = from_body(&pagination.limit, quote!(#default_size));
    let start = from_body(&pagination.offset, quote!(0));

    let mut body_updates = Vec::new();
    let mut setters = Vec::new();
    for (param, value) in [
        (&pagination.limit, quote!(limit)),
        (&pagination.offset, quote!(offset)),
    ] {
        match param {
            PageParam::BodyField {
                rust_name,
                optional,
                bits,
            } => {
                let field = ident(rust_name);
                let ty = int_ty(*bits);
                let number = quote!(runtime::page_number(#value, #ty::MAX));
                let number = if *optional {
                    quote!(Some(#number))
                } else {
                    number
                };
                body_updates.push(quote!(page_body.#field = #number;));
            }
            PageParam::Query {
                rust_name, bits, ..
            } => {
                let setter = ident(rust_name);
                let ty = int_ty(*bits);
                setters.push(quote!(.#setter(runtime::page_number(#value, #ty::MAX))));
            }
        }
    }
    let (page_body, body_arg) = match &body_param {
        Some(_) if !body_updates.is_empty() => (
            quote!(let mut page_body = body.clone(); #(#body_updates)*),
            Some(quote!(&page_body)),
        ),
        Some(_) => (quote!(), Some(quote!(body))),
        None => (quote!(), None),
    };
    let call_args = names.iter().map(|name| quote!(#name)).chain(body_arg);
    let forward_args = names
        .iter()
        .map(|name| quote!(#name))
        .chain(body_param.as_ref().map(|_| quote!(body)));

    let (items_field, items_optional) = &pagination.items_field;
    let items_field = ident(items_field);
    let items = if *items_optional {
        quote!(page.#items_field.unwrap_or_default())
    } else {
        quote!(page.#items_field)
    };
    let total = match &pagination.total_field {
        Some((name, true, _)) => {
            let field = ident(name);
            quote!(page.#field.and_then(|total| u64::try_from(total).ok()))
        }
        Some((name, false, _)) => {
            let field = ident(name);
            quote!(u64::try_from(page.#field).ok())
        }
        None => quote!(None),
    };
    let stream_doc = doc_attrs(&format!(
        "Every item of [`{name}`](Self::{name}) as a stream, fetching pages of the request's page size (default {default_size}) only as they are consumed.\n\nThe stream ends on an empty or short page or once the reported total is reached, and yields [`Error::Pagination`] instead of looping when the server ignores the offset.",
        name = op.method_name
    ));
    let all_doc = doc_attrs(&format!(
        "Collects every item of [`{stream}`](Self::{stream}) into a `Vec`.\n\n# Errors\n\n[`Error::Pagination`] when there are more than `max_items`, and any error of a page request."
    ));
    quote! {
        #stream_doc
        pub fn #stream<'a>(&'a self, #(#params),*) -> impl futures_util::Stream<Item = Result<#item, Error>> + Send + 'a {
            #(#owned)*
            let page_size = #page_size;
            let start = #start;
            runtime::offset_pages(page_size, start, move |offset, limit| {
                #page_body
                #(let #names = #names.clone();)*
                async move {
                    let page = self.#method(#(#call_args),*) #(#setters)* .await?;
                    Ok((#items, #total))
                }
            })
        }

        #all_doc
        pub async fn #all<'a>(&'a self, #(#params,)* max_items: usize) -> Result<Vec<#item>, Error> {
            runtime::collect_pages(self.#stream(#(#forward_args),*), max_items).await
        }
    }
}
