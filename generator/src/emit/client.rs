//! The plan → `client.rs`: the `Client`, its `ClientBuilder` and one method per operation
//! (plus the auto-paging methods of paginated operations).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::{doc_attrs, paragraphs, spec};
use super::plan::{ArgSource, OperationPlan, Plan};
use super::runtime::{
    CLIENT_CREDENTIALS, COLLECT_PAGES, CREDENTIAL, CREDENTIAL_PROVIDER, CREDENTIAL_SOURCE,
    ENVELOPE, EXPAND_SERVER_URL, OFFSET_PAGES, PAGE_NUMBER, PLACEMENT, RATE_LIMIT,
    SELECT_CREDENTIALS, TRANSPORT, TRANSPORT_OPTIONS,
};
use super::tag_features::gate_methods;
use super::types::ident;
use crate::ir::{Body, BodyEncoding, CredentialKind, Operation, PageParam, Pagination};

/// The whole `client.rs` module body.
pub fn emit_client(plan: &Plan<'_>) -> TokenStream {
    let api = plan.api;
    let client_doc = doc_attrs(&paragraphs([
        Some(&*format!("Client for the {}.", super::api_name(&api.title))),
        api.description.as_deref().map(spec).as_deref(),
        Some(
            "Cheap to clone: clones share one connection pool. Each method returns a request builder; `.await` it to send the request.",
        ),
    ]));
    let envelope = envelope_const(plan);
    let constructor = client_new(plan);
    let methods = plan.operations.iter().map(|op| {
        let cfg = plan.features.as_ref().and_then(|f| f.operation_cfg(op.op));
        gate_methods(emit_method(op, plan), cfg.as_ref())
    });
    let builder = emit_client_builder(plan);
    // The runtime crate's macro, which a vendored runtime makes visible by `#[macro_use]`.
    let macro_import = plan.runtime_crate.is_some().then(|| {
        quote!(
            use crate::runtime::client_settings;
        )
    });
    quote! {
        //! The client, its builder and one method per operation.

        use std::sync::Arc;
        use std::time::Duration;

        #[allow(unused_imports)]
        use crate::builder;
        use crate::runtime;
        use crate::Error;
        #[allow(unused_imports)]
        use crate::types;
        #macro_import

        /// The response envelope every payload arrives in, as configured for code generation.
        const ENVELOPE: Option<#ENVELOPE> = #envelope;

        #client_doc
        #[derive(Debug, Clone)]
        pub struct Client {
            pub(crate) transport: Arc<#TRANSPORT>,
        }

        impl Client {
            #constructor

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

        #builder
    }
}

/// `Some(Envelope { .. })` with the configured property names, or `None`.
fn envelope_const(plan: &Plan<'_>) -> TokenStream {
    let Some(envelope) = &plan.api.envelope else {
        return quote!(None);
    };
    let opt = |value: &Option<String>| match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    };
    let (flag, code, message, request_id) = (
        opt(&envelope.success_flag),
        opt(&envelope.error_code),
        opt(&envelope.error_message),
        opt(&envelope.request_id),
    );
    let data = &envelope.data;
    quote!(Some(#ENVELOPE { success_flag: #flag, data: #data, error_code: #code, error_message: #message, request_id: #request_id }))
}

/// `Client::new`: takes what a caller must always decide, server variables (or the base URL)
/// and required credentials.
fn client_new(plan: &Plan<'_>) -> TokenStream {
    let mut params = Vec::new();
    let mut calls = Vec::new();
    match plan.server {
        Some(server) => {
            for variable in &server.variables {
                let name = ident(&variable.rust_name);
                params.push(quote!(#name: impl Into<String>));
                calls.push(quote!(.#name(#name)));
            }
        }
        None => {
            params.push(quote!(base_url: impl Into<String>));
            calls.push(quote!(.base_url(base_url)));
        }
    }
    for credential in plan.api.credentials.iter().filter(|c| c.required) {
        let name = ident(&credential.rust_name);
        params.push(quote!(#name: impl Into<String>));
        calls.push(quote!(.#name(#name)));
    }
    let target = match plan.server {
        Some(server) => format!(
            "Creates a client for `{}` with the default settings.",
            server.url
        ),
        None => "Creates a client for the API at `base_url` with the default settings.".to_owned(),
    };
    let doc = doc_attrs(&paragraphs([
        Some(target.as_str()),
        Some(
            "# Errors\n\nReturns [`Error::Config`] when a value cannot be used safely (a server variable that is not a host name part, a credential with control characters).",
        ),
    ]));
    // Clippy's limit is seven arguments.
    let too_many = (params.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #doc
        #too_many
        pub fn new(#(#params),*) -> Result<Self, Error> {
            Self::builder() #(#calls)* .build()
        }
    }
}

/// The path part of a server URL template (`https://{d}.example.com/v1/` → `/v1`; a relative
/// `/api` → `/api`), without a trailing `/`.
pub(super) fn server_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.contains("://") {
        after_scheme
            .find('/')
            .map_or("", |start| &after_scheme[start..])
    } else {
        after_scheme
    };
    path.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned()
}

/// `ClientBuilder`: base URL, server variables, credentials and transport settings.
fn emit_client_builder(plan: &Plan<'_>) -> TokenStream {
    let variables = plan.server.into_iter().flat_map(|s| &s.variables);
    let server_fields = variables.clone().map(|v| {
        let name = ident(&v.rust_name);
        quote!(#name: Option<String>,)
    });
    let server_setters = server_setters(plan);
    let credential_fields = plan.api.credentials.iter().map(|c| {
        let name = ident(&c.rust_name);
        quote!(#name: Option<#CREDENTIAL_SOURCE>,)
    });
    let credential_setters = credential_setters(plan);
    let build = builder_build(plan);
    let default_rate_limit = match plan.rate_limit {
        Some(limit) => format!("{} per {} s", limit.requests, limit.per_seconds),
        None => "none".to_owned(),
    };
    let doc = doc_attrs(&paragraphs([
        Some("Configures a [`Client`]. Unset values use the spec's defaults."),
        alternatives_doc(plan).as_deref(),
    ]));
    quote! {
        #doc
        #[derive(Debug, Clone, Default)]
        pub struct ClientBuilder {
            base_url: Option<String>,
            #(#server_fields)*
            #(#credential_fields)*
            options: #TRANSPORT_OPTIONS,
        }

        impl ClientBuilder {
            /// Sends requests to `url` instead of the spec's server (for proxies, sandboxes and tests).
            pub fn base_url(mut self, url: impl Into<String>) -> Self {
                self.base_url = Some(url.into());
                self
            }

            #(#server_setters)*
            #(#credential_setters)*

            #build
        }

        client_settings!(ClientBuilder, #default_rate_limit);
    }
}

fn server_setters(plan: &Plan<'_>) -> Vec<TokenStream> {
    let Some(server) = plan.server else {
        return Vec::new();
    };
    server
        .variables
        .iter()
        .map(|v| {
            let name = ident(&v.rust_name);
            let default = if v.default.is_empty() {
                String::new()
            } else {
                format!(" Default: `{}`.", v.default)
            };
            let doc = doc_attrs(&paragraphs([
                Some(&*format!(
                    "Sets the `{}` part of the server URL `{}`.{default}",
                    v.name, server.url
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
        })
        .collect()
}

fn credential_setters(plan: &Plan<'_>) -> Vec<TokenStream> {
    let alternatives = alternatives_doc(plan);
    plan.api.credentials.iter().map(|c| {
        let name = ident(&c.rust_name);
        let provider_setter = ident(&c.provider_setter);
        let how = match &c.kind {
            CredentialKind::HeaderApiKey { header } => format!("sent in the `{header}` header"),
            CredentialKind::QueryApiKey { parameter } => format!("sent as the `{parameter}` query parameter"),
            CredentialKind::CookieApiKey { cookie } => format!("sent as the `{cookie}` cookie"),
            CredentialKind::Bearer => "sent as `Authorization: Bearer <token>`".to_owned(),
            CredentialKind::Basic => "given as `user:password`, sent as HTTP basic authentication".to_owned(),
        };
        let when = if alternatives.is_some() {
            "on requests that use its security alternative (see [`ClientBuilder`])"
        } else {
            "on every request"
        };
        let doc = doc_attrs(&paragraphs([
            Some(&*format!("Sets the credential of security scheme `{}`, {how} {when}. It never appears in `Debug` output or errors.", c.scheme)),
            c.description.as_deref().map(spec).as_deref(),
        ]));
        let provider_doc = doc_attrs(&paragraphs([
            Some(&*format!(
                "Gets the credential of security scheme `{}` from `provider` before every attempt, instead of a fixed [`{}`](Self::{}): a rotating key, a vault, a token service. A closure works: `|| async {{ Ok(std::env::var(\"TOKEN\")?) }}`. See [`CredentialProvider`](crate::CredentialProvider), which also says what happens on a 401.",
                c.scheme, c.rust_name, c.rust_name
            )),
        ]));
        let client_credentials = c.client_credentials.as_ref().map(|flow| {
            let setter = ident(&flow.setter);
            let token_url = &flow.token_url;
            let scopes = &flow.scopes;
            let relative = if token_url.contains("://") { "" } else { " (relative to the base URL)" };
            let asked = if scopes.is_empty() {
                "no scope (the server's default)".to_owned()
            } else {
                format!("the scopes the spec requires (`{}`)", scopes.join(" "))
            };
            let doc = doc_attrs(&paragraphs([
                Some(&*format!(
                    "Runs the OAuth 2.0 client-credentials flow of security scheme `{}`: fetches an access token from `{token_url}`{relative} with this client id and secret, asking for {asked}, caches it, refreshes it before it expires and once when the API answers 401. Neither the secret nor the token ever appears in `Debug` output, logs or errors.",
                    c.scheme
                )),
                Some(&*format!(
                    "For other scopes, a different token URL or the secret sent in the form body, give a [`ClientCredentials`](crate::ClientCredentials) to [`{0}`](Self::{0}).",
                    c.provider_setter
                )),
            ]));
            // No scopes: the flow's default (an empty list) stands; `[]` would not infer a type.
            let with_scopes = (!scopes.is_empty()).then(|| quote!(.scopes([#(#scopes),*])));
            quote! {
                #doc
                pub fn #setter(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
                    let flow = #CLIENT_CREDENTIALS::new(#token_url, client_id, client_secret) #with_scopes;
                    self.#name = Some(#CREDENTIAL_SOURCE::provider(flow));
                    self
                }
            }
        });
        quote! {
            #doc
            pub fn #name(mut self, value: impl Into<String>) -> Self {
                self.#name = Some(#CREDENTIAL_SOURCE::fixed(value));
                self
            }

            #provider_doc
            pub fn #provider_setter(mut self, provider: impl #CREDENTIAL_PROVIDER) -> Self {
                self.#name = Some(#CREDENTIAL_SOURCE::provider(provider));
                self
            }

            #client_credentials
        }
    }).collect()
}

/// With several security alternatives, the sentence that says which one requests send.
fn alternatives_doc(plan: &Plan<'_>) -> Option<String> {
    let alternatives = &plan.api.security_alternatives;
    if alternatives.len() < 2 {
        return None;
    }
    let setters: Vec<String> = alternatives
        .iter()
        .map(|members| {
            members
                .iter()
                .filter_map(|m| plan.api.credentials.get(*m))
                .map(|c| format!("[`{0}`](Self::{0})", c.rust_name))
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    Some(format!(
        "The spec accepts several sets of credentials; requests send the first set whose credentials are all given, in this order: {}.",
        setters.join("; ")
    ))
}

/// `ClientBuilder::build`: the base URL (spec server or override), then the credentials.
fn builder_build(plan: &Plan<'_>) -> TokenStream {
    // With several security alternatives, the first one whose credentials are all set is sent.
    let alternatives = &plan.api.security_alternatives;
    let selection = (alternatives.len() > 1).then(|| {
        let lists = alternatives.iter().map(|members| {
            let members = members.iter().map(|m| Literal::usize_unsuffixed(*m));
            quote!(&[#(#members),*])
        });
        let set = plan.api.credentials.iter().map(|c| {
            let name = ident(&c.rust_name);
            quote!(self.#name.is_some())
        });
        quote!(let selected = #SELECT_CREDENTIALS(&[#(#lists),*], [#(#set),*]);)
    });
    let credential_pushes = plan.api.credentials.iter().enumerate().map(|(index, c)| {
        let name = ident(&c.rust_name);
        let value = match &selection {
            Some(_) => {
                let index = Literal::usize_unsuffixed(index);
                quote!(self.#name.filter(|_| selected[#index]))
            }
            None => quote!(self.#name),
        };
        let placement = match &c.kind {
            CredentialKind::HeaderApiKey { header } => {
                return quote! {
                    if let Some(value) = #value {
                        credentials.push(#CREDENTIAL::header(#header, value)?);
                    }
                };
            }
            CredentialKind::QueryApiKey { parameter } => quote!(#PLACEMENT::Query(#parameter)),
            CredentialKind::CookieApiKey { cookie } => quote!(#PLACEMENT::Cookie(#cookie)),
            CredentialKind::Bearer => quote!(#PLACEMENT::Bearer),
            CredentialKind::Basic => quote!(#PLACEMENT::Basic),
        };
        quote! {
            if let Some(value) = #value {
                credentials.push(#CREDENTIAL::new(#placement, value));
            }
        }
    });
    let base_url = match plan.server {
        Some(server) => {
            let url = &server.url;
            let pairs = server.variables.iter().map(|v| {
                let name = &v.name;
                let field = ident(&v.rust_name);
                let default = &v.default;
                quote!((#name, self.#field.as_deref().unwrap_or(#default)))
            });
            quote! {
                let base_url = match &self.base_url {
                    Some(url) => url.clone(),
                    None => #EXPAND_SERVER_URL(#url, &[#(#pairs),*])?,
                };
            }
        }
        None => quote! {
            let base_url = self.base_url.clone().ok_or_else(|| {
                Error::Config(
                    "no base URL: the spec names no absolute server, so call `base_url(...)`"
                        .to_owned(),
                )
            })?;
        },
    };
    let server_path = plan
        .api
        .server
        .as_ref()
        .map(|server| server_path(&server.url))
        .filter(|path| !path.is_empty() && !path.contains('{'))
        .map(|path| quote!(self.options.server_path = Some(#path);));
    let default_rate_limit = plan.rate_limit.map(|limit| {
        let (requests, seconds) = (limit.requests, limit.per_seconds);
        quote! {
            self.options.default_rate_limit = Some(#RATE_LIMIT::new(#requests, Duration::from_secs(#seconds)));
        }
    });
    quote! {
        /// Builds the client.
        ///
        /// # Errors
        ///
        /// Returns [`Error::Config`] when the base URL, a server variable or a credential cannot be used safely.
        pub fn build(mut self) -> Result<Client, Error> {
            #base_url
            #[allow(unused_mut)]
            let mut credentials = Vec::new();
            #selection
            #(#credential_pushes)*
            self.options.default_user_agent = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
            #default_rate_limit
            #server_path
            let transport = #TRANSPORT::new(base_url, credentials, ENVELOPE, self.options)?;
            Ok(Client { transport: Arc::new(transport) })
        }
    }
}

/// The method's doc: the spec's summary and description, the endpoint and a form's parts.
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

/// The method's parameter list and the builder constructor's arguments.
fn method_signature(
    plan: &OperationPlan<'_>,
    context: &Plan<'_>,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    plan.required
        .iter()
        .map(|arg| {
            let name = ident(arg.rust_name);
            let taken = arg.kind.taken(&context.types);
            let value = if arg.kind.converts() {
                quote!(#name.into())
            } else {
                quote!(#name)
            };
            (quote!(#name: #taken), value)
        })
        .unzip()
}

fn emit_method(plan: &OperationPlan<'_>, context: &Plan<'_>) -> TokenStream {
    let op = plan.op;
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let (params, args) = method_signature(plan, context);
    // The builder borrows the client, and the arguments it keeps by reference (a body): a
    // lifetime is named only when both do.
    let borrows_arguments = params.iter().any(|p| p.to_string().contains("'a"));
    let (lifetime, receiver, returned) = if borrows_arguments {
        (quote!(<'a>), quote!(&'a self), quote!('a))
    } else {
        (quote!(), quote!(&self), quote!('_))
    };
    let doc = doc_attrs(&method_doc(op));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let paging = plan
        .paging
        .map(|pagination| emit_paging(plan, pagination, context));
    quote! {
        #paging

        #doc
        #deprecated
        pub fn #method #lifetime(#receiver, #(#params),*) -> builder::#builder<#returned> {
            builder::#builder::new(self, #(#args),*)
        }
    }
}

/// The page size or start offset: from the request body when it carries one, else `fallback`.
fn page_start(param: &PageParam, has_body: bool, fallback: TokenStream) -> TokenStream {
    match param {
        PageParam::BodyField {
            rust_name,
            optional,
            ..
        } if has_body => {
            let field = ident(rust_name);
            if *optional {
                quote!(body.#field.and_then(|value| u64::try_from(value).ok()).filter(|value| *value > 0).unwrap_or(#fallback))
            } else {
                quote!(u64::try_from(body.#field).ok().filter(|value| *value > 0).unwrap_or(#fallback))
            }
        }
        _ => fallback,
    }
}

/// Per page: body field updates (`page_body.limit = ..`) and query setters (`.limit(..)`).
fn page_updates(pagination: &Pagination) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let int_ty = |bits: u8| if bits == 32 { quote!(i32) } else { quote!(i64) };
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
                let number = quote!(#PAGE_NUMBER(#value, #ty::MAX));
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
                setters.push(quote!(.#setter(#PAGE_NUMBER(#value, #ty::MAX))));
            }
        }
    }
    (body_updates, setters)
}

/// The items and total of a fetched `page`.
fn page_contents(pagination: &Pagination) -> (TokenStream, TokenStream) {
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
    (items, total)
}

/// `<method>_stream` and `<method>_all` for an operation declared paginated in the config.
fn emit_paging(
    plan: &OperationPlan<'_>,
    pagination: &Pagination,
    context: &Plan<'_>,
) -> TokenStream {
    let method = ident(&plan.op.method_name);
    let stream = ident(&pagination.stream_method);
    let all = ident(&pagination.collect_method);
    let item = context.types.tokens(&pagination.item_type, false);
    let default_size = u64::from(pagination.default_page_size);
    let (params, _) = method_signature(plan, context);
    let has_body = plan.required_body().is_some();
    // The stream takes the method's own arguments; strings are made owned once, then cloned per page.
    let params_only = || {
        plan.required
            .iter()
            .filter(|arg| matches!(arg.source, ArgSource::Param(_)))
    };
    let names: Vec<_> = params_only().map(|arg| ident(arg.rust_name)).collect();
    let owned = params_only().filter(|arg| arg.kind.converts()).map(|arg| {
        let name = ident(arg.rust_name);
        quote!(let #name: String = #name.into();)
    });
    let page_size = page_start(&pagination.limit, has_body, quote!(#default_size));
    let start = page_start(&pagination.offset, has_body, quote!(0));
    let (body_updates, setters) = page_updates(pagination);
    let (page_body, body_arg) = match has_body {
        true if !body_updates.is_empty() => (
            quote!(let mut page_body = body.clone(); #(#body_updates)*),
            Some(quote!(&page_body)),
        ),
        true => (quote!(), Some(quote!(body))),
        false => (quote!(), None),
    };
    let call_args = names.iter().map(|name| quote!(#name)).chain(body_arg);
    let forward_args = names
        .iter()
        .map(|name| quote!(#name))
        .chain(has_body.then(|| quote!(body)));
    let (items, total) = page_contents(pagination);
    let stream_doc = doc_attrs(&format!(
        "Every item of [`{name}`](Self::{name}) as a stream, fetching pages of the request's page size (default {default_size}) only as they are consumed.\n\nThe stream ends on an empty or short page or once the reported total is reached, and yields [`Error::Pagination`] instead of looping when the server ignores the offset.",
        name = plan.op.method_name
    ));
    let all_doc = doc_attrs(&format!(
        "Collects every item of [`{stream}`](Self::{stream}) into a `Vec`.\n\n# Errors\n\n[`Error::Pagination`] when there are more than `max_items`, and any error of a page request.",
        stream = pagination.stream_method
    ));
    quote! {
        #stream_doc
        pub fn #stream<'a>(&'a self, #(#params),*) -> impl futures_util::Stream<Item = Result<#item, Error>> + Send + 'a {
            #(#owned)*
            let page_size = #page_size;
            let start = #start;
            #OFFSET_PAGES(page_size, start, move |offset, limit| {
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
            #COLLECT_PAGES(self.#stream(#(#forward_args),*), max_items).await
        }
    }
}
