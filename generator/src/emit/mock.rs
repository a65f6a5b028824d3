//! The plan → `mock.rs`: a typed mock server of the API for applications' tests (the crate's
//! `mock` feature), on wiremock: one expectation builder per operation, matching path, query
//! and body values, answering with generated types as the service would (in its envelope).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::plan::{Decode, OperationPlan, Plan, ValueKind};
use super::runtime::{PARAM_TEXT, PATH_SEGMENT};
use super::tag_features::gate_items;
use super::types::ident;
use crate::ir::{ParamLocation, PathPart, TypeRef};

/// The whole `mock.rs` module body.
pub fn emit_mock(plan: &Plan<'_>) -> TokenStream {
    let mocked: Vec<&OperationPlan<'_>> = plan
        .operations
        .iter()
        .filter(|op| !matches!(op.decode, Decode::Events(_)))
        .collect();
    let server_path = plan
        .api
        .server
        .as_ref()
        .map(|server| super::client::server_path(&server.url))
        .filter(|path| !path.contains('{'))
        .unwrap_or_default();
    let credentials = plan.api.credentials.iter().filter(|c| c.required).map(|c| {
        let setter = ident(&c.rust_name);
        let placeholder = format!("mock-{}", c.rust_name.replace('_', "-"));
        quote!(.#setter(#placeholder))
    });
    let cfg = |op: &OperationPlan<'_>| plan.features.as_ref().and_then(|f| f.operation_cfg(op.op));
    let starters = mocked.iter().map(|op| {
        let cfg = cfg(op);
        let method = ident(&op.op.method_name);
        let expectation = format_ident!("{}Mock", op.op.builder_name);
        let doc = doc_attrs(&format!(
            "Expects `{}` (`{} {}`): narrow it with its `with_*` methods, then mount it with `returns` or `returns_error`.",
            op.op.operation_id,
            op.op.http_method.as_str(),
            op.op.path_template
        ));
        quote! {
            #cfg
            #doc
            pub fn #method(&self) -> #expectation<'_> {
                #expectation::new(self)
            }
        }
    });
    let expectations = mocked
        .iter()
        .map(|op| gate_items(emit_expectation(op, plan, &server_path), cfg(op).as_ref()));
    let (success, error) = envelope_bodies(plan);
    // A spec without operations gets the server alone.
    let helpers = (!mocked.is_empty()).then(|| {
        quote! {
            /// The path pattern of a template: its literal parts escaped, parameters as given.
            fn path_pattern(parts: &[(&str, Option<Option<&str>>)]) -> String {
                let mut pattern = String::from("^");
                for (literal, parameter) in parts {
                    for c in literal.chars() {
                        if !c.is_ascii_alphanumeric() && c != '/' {
                            pattern.push('\\');
                        }
                        pattern.push(c);
                    }
                    match parameter {
                        None => {}
                        Some(None) => pattern.push_str("[^/]+"),
                        Some(Some(value)) => {
                            let encoded = #PATH_SEGMENT(value).unwrap_or_default();
                            for c in encoded.chars() {
                                if !c.is_ascii_alphanumeric() {
                                    pattern.push('\\');
                                }
                                pattern.push(c);
                            }
                        }
                    }
                }
                pattern.push('$');
                pattern
            }

            /// What every expectation holds: its matchers so far and how many requests it expects.
            #[derive(Debug)]
            struct Expectation<'a> {
                server: &'a MockServer,
                mock: wiremock::MockBuilder,
                times: Option<u64>,
            }

            impl<'a> Expectation<'a> {
                fn new(server: &'a MockServer, method: &str) -> Self {
                    Self { server, mock: wiremock::Mock::given(matchers::method(method)), times: None }
                }

                /// Mounts the expectation for paths matching `pattern`, answering `response`.
                async fn mount(self, pattern: String, response: wiremock::ResponseTemplate) {
                    let mut mock = self.mock.and(matchers::path_regex(pattern)).respond_with(response);
                    if let Some(n) = self.times {
                        mock = mock.expect(n);
                    }
                    mock.mount(&self.server.server).await;
                }
            }

            /// A success as the service sends it.
            #[allow(dead_code)]
            fn success(value: serde_json::Value) -> serde_json::Value {
                #success
            }

            /// An error as the service reports it.
            fn error(status: u16, code: &str, message: &str) -> wiremock::ResponseTemplate {
                wiremock::ResponseTemplate::new(status).set_body_json(#error)
            }
        }
    });
    // With tag features every expectation may be left out of a build, and the helpers unused.
    let gated = plan
        .features
        .as_ref()
        .map(|_| quote!(#![allow(dead_code, unused_imports)]));
    let matchers = (!mocked.is_empty()).then(|| {
        quote!(
            use wiremock::matchers;
        )
    });
    quote! {
        //! A typed mock of the API for your application's tests (feature `mock`), on wiremock.
        //!
        //! Start a [`MockServer`], tell it what each operation answers, and test your code with
        //! [`MockServer::client`]: requests that match no expectation get a 404.

        #gated
        use crate::{Client, ClientBuilder};
        #[allow(unused_imports)]
        use crate::runtime;
        #[allow(unused_imports)]
        use crate::types;
        #matchers

        /// A mock server of the API, with one expectation builder per operation.
        #[derive(Debug)]
        pub struct MockServer {
            server: wiremock::MockServer,
        }

        impl MockServer {
            /// Starts a mock server on a free local port.
            pub async fn start() -> Self {
                Self { server: wiremock::MockServer::start().await }
            }

            /// The base URL a client of this mock uses: its address and the API's path.
            pub fn base_url(&self) -> String {
                format!("{}{}", self.server.uri(), #server_path)
            }

            /// A client builder for this mock: its base URL, placeholder credentials and no
            /// rate limit; set anything else before `build`.
            pub fn client_builder(&self) -> ClientBuilder {
                Client::builder().base_url(self.base_url()) #(#credentials)* .no_rate_limit()
            }

            /// A client of this mock.
            ///
            /// # Panics
            ///
            /// Never for the mock's own URL; a test helper panics rather than return an error.
            pub fn client(&self) -> Client {
                match self.client_builder().build() {
                    Ok(client) => client,
                    Err(error) => panic!("a client of the mock: {error}"),
                }
            }

            /// The requests the mock received, in order.
            pub async fn received_requests(&self) -> Vec<wiremock::Request> {
                self.server.received_requests().await.unwrap_or_default()
            }

            /// Checks every `times` expectation now; they are also checked when the mock is dropped.
            pub async fn verify(&self) {
                self.server.verify().await;
            }

            /// The wiremock server itself, for what the typed methods do not cover.
            pub fn inner(&self) -> &wiremock::MockServer {
                &self.server
            }

            #(#starters)*
        }

        #helpers

        #(#expectations)*
    }
}

/// The bodies of a success (the payload in the envelope's data property) and of an error (the
/// envelope's code and message, or `code` and `message`).
fn envelope_bodies(plan: &Plan<'_>) -> (TokenStream, TokenStream) {
    match &plan.api.envelope {
        Some(envelope) => {
            let data = &envelope.data;
            let flag = envelope.success_flag.as_deref();
            let success = match flag {
                Some(flag) => quote!(serde_json::json!({ #flag: true, #data: value })),
                None => quote!(serde_json::json!({ #data: value })),
            };
            let code = envelope.error_code.as_deref().unwrap_or("code");
            let message = envelope.error_message.as_deref().unwrap_or("message");
            let mut fields = vec![quote!(#code: code), quote!(#message: message)];
            if let Some(flag) = flag {
                fields.insert(0, quote!(#flag: false));
            }
            if let Some(request_id) = envelope.request_id.as_deref() {
                fields.push(quote!(#request_id: "mock-request"));
            }
            (success, quote!(serde_json::json!({ #(#fields),* })))
        }
        None => (
            quote!(value),
            quote!(serde_json::json!({ "code": code, "message": message })),
        ),
    }
}

/// One operation's expectation builder.
fn emit_expectation(op: &OperationPlan<'_>, plan: &Plan<'_>, server_path: &str) -> TokenStream {
    let name = format_ident!("{}Mock", op.op.builder_name);
    let method = op.op.http_method.as_str();
    let path_params: Vec<_> = op
        .op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .collect();
    let fields = path_params.iter().map(|p| {
        let field = ident(&p.rust_name);
        quote!(#field: Option<String>,)
    });
    let inits = path_params.iter().map(|p| {
        let field = ident(&p.rust_name);
        quote!(#field: None,)
    });
    let mut setters: Vec<TokenStream> = path_params
        .iter()
        .map(|p| {
            let setter = format_ident!("with_{}", p.rust_name.trim_start_matches("r#"));
            let field = ident(&p.rust_name);
            let doc = format!(" Matches only this `{}`.", p.name);
            quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: impl Into<String>) -> Self {
                    self.#field = Some(value.into());
                    self
                }
            }
        })
        .collect();
    for param in op.op.params.iter().filter(|p| {
        p.location == ParamLocation::Query
            && !matches!(
                p.ty,
                TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Any | TypeRef::Bytes
            )
    }) {
        let setter = format_ident!("with_{}", param.rust_name.trim_start_matches("r#"));
        let wire = &param.name;
        let doc = format!(" Matches only requests with this `{wire}` query parameter.");
        let (taken, value) = match &param.ty {
            TypeRef::String => (quote!(impl Into<String>), quote!(value.into())),
            other => {
                let ty = plan.types.tokens(other, false);
                (quote!(#ty), quote!(#PARAM_TEXT(&value).unwrap_or_default()))
            }
        };
        setters.push(quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: #taken) -> Self {
                let text: String = #value;
                self.inner.mock = self.inner.mock.and(matchers::query_param(#wire, text));
                self
            }
        });
    }
    if let Some((body, ValueKind::Borrowed(ty))) = op.body {
        if body.content_type.to_ascii_lowercase().contains("json") {
            let ty = plan.types.tokens(ty, false);
            setters.push(quote! {
                /// Matches only this request body (compared as JSON).
                pub fn with_body(mut self, body: &#ty) -> Self {
                    self.inner.mock = self.inner.mock.and(matchers::body_json(body));
                    self
                }
            });
        }
    }
    let mut parts: Vec<TokenStream> = Vec::new();
    let mut literal = server_path.to_owned();
    for part in &op.op.path {
        match part {
            PathPart::Literal(text) => literal.push_str(text),
            PathPart::Param(index) => {
                let Some(param) = op.op.params.get(*index) else {
                    continue;
                };
                let field = ident(&param.rust_name);
                parts.push(quote!((#literal, Some(self.#field.as_deref())),));
                literal.clear();
            }
        }
    }
    if !literal.is_empty() {
        parts.push(quote!((#literal, None),));
    }
    let returns = returns(op, plan);
    let doc = format!(
        " An expectation of [`MockServer::{}`]: what matching requests get.",
        op.op.method_name.trim_start_matches("r#")
    );
    quote! {
        #[doc = #doc]
        #[must_use = "an expectation does nothing until `returns` or `returns_error` mounts it"]
        #[derive(Debug)]
        pub struct #name<'a> {
            inner: Expectation<'a>,
            #(#fields)*
        }

        impl<'a> #name<'a> {
            fn new(server: &'a MockServer) -> Self {
                Self { inner: Expectation::new(server, #method), #(#inits)* }
            }

            #(#setters)*

            /// Expects exactly `n` matching requests: checked by [`MockServer::verify`] and when
            /// the mock is dropped.
            pub fn times(mut self, n: u64) -> Self {
                self.inner.times = Some(n);
                self
            }

            #returns

            /// Answers matching requests with an error as the service reports one: this status,
            /// error code and message.
            pub async fn returns_error(self, status: u16, code: &str, message: &str) {
                self.mount(error(status, code, message)).await;
            }

            async fn mount(self, response: wiremock::ResponseTemplate) {
                let pattern = path_pattern(&[#(#parts)*]);
                self.inner.mount(pattern, response).await;
            }
        }
    }
}

/// `returns`: the operation's payload, as the service sends it.
fn returns(op: &OperationPlan<'_>, plan: &Plan<'_>) -> TokenStream {
    let json = |ty: TokenStream, wrap: bool| {
        let body = if wrap {
            quote!(success(serde_json::to_value(&value).unwrap_or_default()))
        } else {
            quote!(serde_json::to_value(&value).unwrap_or_default())
        };
        quote! {
            /// Answers matching requests with `value` (status 200), as the service sends it.
            pub async fn returns(self, value: #ty) {
                let body = #body;
                self.mount(wiremock::ResponseTemplate::new(200).set_body_json(body)).await;
            }
        }
    };
    match &op.decode {
        Decode::Json(ty) => json(plan.types.tokens(ty, false), false),
        Decode::Envelope(ty) => json(plan.types.tokens(ty, false), true),
        Decode::ByStatus { outcome, .. } => json(plan.types.tokens(outcome, false), false),
        Decode::Text => quote! {
            /// Answers matching requests with this text (status 200).
            pub async fn returns(self, value: impl Into<String>) {
                self.mount(wiremock::ResponseTemplate::new(200).set_body_string(value.into())).await;
            }
        },
        Decode::Bytes => quote! {
            /// Answers matching requests with these bytes (status 200).
            pub async fn returns(self, value: impl Into<Vec<u8>>) {
                self.mount(
                    wiremock::ResponseTemplate::new(200)
                        .set_body_raw(value.into(), "application/octet-stream"),
                )
                .await;
            }
        },
        Decode::Empty | Decode::Events(_) => quote! {
            /// Answers matching requests with success and no body (status 204).
            pub async fn returns(self) {
                self.mount(wiremock::ResponseTemplate::new(204)).await;
            }
        },
    }
}
