//! The plan → `builder.rs`: one request builder per operation (stored arguments, setters for
//! optional values and per-call options, request assembly, response decoding).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs, spec};
use super::layout;
use super::plan::{Arg, ArgSource, CommonParams, Decode, OperationPlan, Plan, own_query_args};
use super::runtime::{
    API_RESPONSE, BYTE_STREAM, CALL, CALL_OPTIONS, DECODE_BYTES, DECODE_EMPTY, DECODE_ENVELOPE,
    DECODE_JSON, DECODE_TEXT, EVENT_JSON, EVENT_TEXT, EXECUTE, EXECUTE_DATA, FORM_BODY, FORM_FIELD,
    JSON_BODY, OPEN_EVENTS, PARAM_TEXT, PATH_SEGMENT, QUERY_PAIRS, QUERY_STYLE, REQUEST_OPTIONS,
    RUNTIME_BODY, SENDING, STYLED,
};
use super::tag_features::gate_items;
use super::types::ident;
use crate::ir::{
    BodyEncoding, FormFieldEncoding, Param, ParamLocation, PathPart, QueryStyle, TypeRef,
};

/// Part `index` of `count` of `builder.rs`, for formatting a large file on several threads: the
/// first part has the module's header and shared items, and the builders are cut into `count`
/// runs in order. The parts' formatted texts, joined by blank lines, are the whole file.
pub fn emit_builders_part(plan: &Plan<'_>, index: usize, count: usize) -> TokenStream {
    let holders = &plan.query_holders;
    let total = plan.operations.len();
    let (start, end) = (total * index / count, total * (index + 1) / count);
    let builders: Vec<TokenStream> = plan.operations[start..end]
        .iter()
        .zip(&holders[start..end])
        .map(|(op, holder)| {
            let cfg = plan.features.as_ref().and_then(|f| f.operation_cfg(op.op));
            gate_items(emit_builder(op, plan, holder.as_ref()), cfg.as_ref())
        })
        .collect();
    if index > 0 {
        return quote!(#(#builders)*);
    }
    // The runtime crate's macros, which a vendored runtime makes visible by `#[macro_use]`.
    let macro_import = (plan.runtime_crate.is_some() && !plan.operations.is_empty()).then(|| {
        quote! {
            #[allow(unused_imports)]
            use crate::runtime::{query_setters, request_builder, send_methods};
        }
    });
    // With tag features every builder may be left out of a build, and the imports unused.
    let gated = plan
        .features
        .as_ref()
        .map(|_| quote!(#![allow(unused_imports)]));
    let imports = (total > 0).then(|| {
        quote! {
            #gated
            use std::future::IntoFuture;

            use crate::runtime;
            use crate::{Client, Error};
            #[allow(unused_imports)]
            use crate::types;
            #macro_import
        }
    });
    let common = plan.common.as_ref().map(|common| emit_common(common, plan));
    quote! {
        //! Request builders: one per operation, returned by the [`Client`] methods.
        //!
        //! Set optional parameters on a builder, and per-call options through
        //! [`CallOptions`](crate::CallOptions), then `.await` it to send the request, or call
        //! `send_with_response` to also get the status and headers.

        #imports

        #common

        #(#builders)*
    }
}

/// With tag features, the `#[cfg]` of the `CommonParameters` items: compiled when some enabled
/// builder takes them (their types may be gated).
pub fn common_cfg(common: &CommonParams<'_>, context: &Plan<'_>) -> Option<TokenStream> {
    context.features.as_ref().and_then(|features| {
        features.any_operation_cfg(
            context
                .operations
                .iter()
                .filter(|plan| common.taken_by(plan))
                .map(|plan| plan.op),
        )
    })
}

/// The `CommonParameters` trait, whose methods set the shared parameters on any builder taking
/// them, and the struct that holds their values there.
fn emit_common(common: &CommonParams<'_>, context: &Plan<'_>) -> TokenStream {
    let trait_name = CommonParams::trait_ident();
    let values = CommonParams::values_ident();
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut entries = Vec::new();
    for param in &common.params {
        let arg = Arg::of_param(param);
        let name = ident(&param.rust_name);
        let stored = arg.kind.stored(&context.types);
        fields.push(quote!(#name: Option<#stored>,));
        setters.push(setter(
            &arg,
            context,
            quote!(self.common_parameters()),
            false,
        ));
        entries.push(query_entry(param, quote!(self)));
    }
    let cfg = common_cfg(common, context);
    let values_doc = doc_attrs(&format!(
        "The values of [`{}`] a request builder holds.",
        CommonParams::TRAIT
    ));
    let items = quote! {
        /// Optional query parameters that many operations of this API take (declared once,
        /// under `components/parameters`, in the spec): set them on any request builder that
        /// takes them, with this trait in scope (it is in the crate's `prelude`).
        pub trait #trait_name: Sized {
            /// The values set so far on this builder.
            #[doc(hidden)]
            fn common_parameters(&mut self) -> &mut #values;

            #(#setters)*
        }

        #values_doc
        #[derive(Debug, Default)]
        pub struct #values {
            #(#fields)*
        }

        impl #values {
            /// Their query pairs, in the spec's order.
            fn query(&self) -> Result<Vec<(std::borrow::Cow<'static, str>, String)>, Error> {
                #QUERY_PAIRS(&[#(#entries),*])
            }
        }
    };
    gate_items(items, cfg.as_ref())
}

/// `query_setters!` for a builder's own optional query parameters: the struct holding them
/// (in the builder's field `holder`), its query pairs and the setters, one line per parameter.
fn query_setters(
    builder: &proc_macro2::Ident,
    holder: &proc_macro2::Ident,
    values: &proc_macro2::Ident,
    args: &[&Arg<'_>],
    context: &Plan<'_>,
) -> TokenStream {
    let entries = args.iter().filter_map(|arg| {
        let ArgSource::Param(param) = arg.source else {
            return None;
        };
        let name = ident(arg.rust_name);
        let ty = arg.kind.stored(&context.types);
        let kind = if arg.kind.converts() {
            format_ident!("into")
        } else {
            format_ident!("value")
        };
        let wire = &param.name;
        let style = (param.style != QueryStyle::Form).then(|| {
            let style = format_ident!("{}", format!("{:?}", param.style));
            quote!(, #style)
        });
        let doc = param
            .doc
            .as_deref()
            .filter(|doc| !doc.trim().is_empty())
            .map(|doc| {
                let doc = spec(doc);
                quote!(; #doc)
            });
        Some(quote!(#kind(#name: #ty, #wire #style #doc)))
    });
    quote! {
        query_setters!(#builder, #holder: #values, #(#entries),*);
    }
}

fn emit_builder(
    plan: &OperationPlan<'_>,
    context: &Plan<'_>,
    holder: Option<&(String, String)>,
) -> TokenStream {
    let op = plan.op;
    let builder = ident(&op.builder_name);
    let types = &context.types;
    // `request_builder!`'s fields: those `new` takes, then those starting at their default.
    let required: Vec<String> = plan
        .required
        .iter()
        .map(|arg| field_line(arg.rust_name, &arg.kind.stored(types)))
        .collect();
    let mut defaulted = Vec::new();
    let common = context
        .common
        .as_ref()
        .filter(|common| common.taken_by(plan));
    let shared = |arg: &&Arg<'_>| match (arg.source, common) {
        (ArgSource::Param(param), Some(common)) => common.contains(param),
        _ => false,
    };
    let query_args = own_query_args(plan, context.common.as_ref());
    let own: Vec<&Arg<'_>> = plan
        .optional
        .iter()
        .filter(|a| !shared(a) && !query_args.iter().any(|q| std::ptr::eq(*q, *a)))
        .collect();
    let query_values =
        holder.map(|(holder, values)| (format_ident!("{holder}"), format_ident!("{values}")));
    if let Some((holder, values)) = &query_values {
        defaulted.push(format!("{holder}: {values}"));
    }
    for arg in &own {
        let stored = arg.kind.stored(types);
        defaulted.push(field_line(arg.rust_name, &quote!(Option<#stored>)));
    }
    let mut common_impl = None;
    if common.is_some() {
        let trait_name = CommonParams::trait_ident();
        let values = CommonParams::values_ident();
        defaulted.push(format!("common: {values}"));
        common_impl = Some(quote! {
            impl #trait_name for #builder<'_> {
                fn common_parameters(&mut self) -> &mut #values {
                    &mut self.common
                }
            }
        });
    }
    let setters = own
        .iter()
        .map(|arg| setter(arg, context, quote!(self), true));
    let output = plan.output(types);
    let doc = format!(
        "Request builder for [`Client::{}`] (`{} {}`): {}`.await` it.",
        op.method_name,
        op.http_method.as_str(),
        op.path_template,
        if plan.optional.is_empty() {
            ""
        } else {
            "set optional values, then "
        }
    );
    let declaration =
        proc_macro2::Literal::string(&builder_declaration(&doc, plan, &required, &defaulted));
    let into_call = into_call(
        plan,
        common,
        query_values.as_ref().map(|(holder, _)| holder),
    );
    let query_setters = query_values
        .as_ref()
        .map(|(holder, values)| query_setters(&builder, holder, values, &query_args, context));
    // The usual sending methods and impls come from `send_methods!`; a stream of events or a
    // choice of bodies by status is spelled out.
    let (sending, sending_impls) = match plan.decode {
        Decode::Events(_) | Decode::ByStatus { .. } => {
            let boxed = matches!(plan.decode, Decode::ByStatus { .. });
            (
                sending(plan, context),
                sending_impls(&builder, &output, boxed),
            )
        }
        _ => {
            let (returns, more) = send_doc_parts(plan, context);
            let more = more.map(|more| quote!(; #more));
            let decode = decoder(plan, context);
            (
                streaming(plan).unwrap_or_default(),
                quote!(send_methods!(#builder, #output, #decode, #returns #more);),
            )
        }
    };
    quote! {
        request_builder!(#declaration);

        impl<'a> #builder<'a> {
            #(#setters)*

            #sending

            #into_call
        }

        #query_setters

        #sending_impls

        #common_impl
    }
}

/// `name: Type` as a person writes a field.
fn field_line(name: &str, ty: &TokenStream) -> String {
    format!("{}: {}", ident(name), layout::type_text(ty))
}

/// The body of a builder's `request_builder! { .. }`, laid out as text as `serde_struct!`'s is
/// (see `types::emit_struct`): its doc, its fields, then its method, path and operation id.
fn builder_declaration(
    doc: &str,
    plan: &OperationPlan<'_>,
    required: &[String],
    defaulted: &[String],
) -> String {
    let op = plan.op;
    let mut out = format!("/// {doc}\npub struct {}<'a> {{", op.builder_name);
    if required.is_empty() && defaulted.is_empty() {
        out.push('}');
    } else {
        out.push('\n');
        for field in required {
            out.push_str(&format!("    {field},\n"));
        }
        if !defaulted.is_empty() {
            out.push_str("    ..\n");
        }
        for field in defaulted {
            out.push_str(&format!("    {field},\n"));
        }
        out.push('}');
    }
    out.push_str(&format!(
        "\n{} {} as {}",
        op.http_method.as_str(),
        proc_macro2::Literal::string(&op.path_template),
        proc_macro2::Literal::string(&op.operation_id)
    ));
    out
}

/// `CallOptions` and `IntoFuture` for a builder whose sending methods are spelled out; `boxed`
/// when its `send` already returns the runtime's boxed future.
fn sending_impls(builder: &proc_macro2::Ident, output: &TokenStream, boxed: bool) -> TokenStream {
    let into_future = if boxed {
        quote!(self.send())
    } else {
        quote!(Box::pin(self.send()))
    };
    quote! {
        impl #CALL_OPTIONS for #builder<'_> {
            #[inline]
            fn call_options(&mut self) -> &mut #REQUEST_OPTIONS {
                &mut self.options
            }
        }

        impl<'a> IntoFuture for #builder<'a> {
            type Output = Result<#output, Error>;
            type IntoFuture = #SENDING<'a, #output>;

            #[inline]
            fn into_future(self) -> Self::IntoFuture {
                #into_future
            }
        }
    }
}

/// The setter of an optional parameter or body, storing into `<target>.<name>`: a public
/// method of a builder, or a provided method of the `CommonParameters` trait.
fn setter(arg: &Arg<'_>, context: &Plan<'_>, target: TokenStream, public: bool) -> TokenStream {
    let vis = public.then(|| quote!(pub));
    let name = ident(arg.rust_name);
    let taken = arg.kind.taken(&context.types);
    let value = if arg.kind.converts() {
        quote!(value.into())
    } else {
        quote!(value)
    };
    let doc = match arg.source {
        ArgSource::Param(param) => {
            let where_ = match param.location {
                ParamLocation::Query => "query parameter",
                ParamLocation::Header => "header",
                ParamLocation::Cookie => "cookie",
                ParamLocation::Path => "path parameter",
            };
            paragraphs([
                param.doc.as_deref().map(spec).as_deref(),
                Some(&*format!("Sets the optional {where_} `{}`.", param.name)),
            ])
        }
        ArgSource::Body(body) => body
            .doc
            .as_deref()
            .map_or_else(|| "Sets the optional request body.".to_owned(), spec),
    };
    let doc = doc_attrs(&doc);
    let argument = match arg.source {
        ArgSource::Param(_) => quote!(value),
        ArgSource::Body(_) => quote!(body),
    };
    let value = match arg.source {
        ArgSource::Param(_) => value,
        ArgSource::Body(_) if arg.kind.converts() => quote!(body.into()),
        ArgSource::Body(_) => quote!(body),
    };
    quote! {
        #doc
        #vis fn #name(mut self, #argument: #taken) -> Self {
            #target.#name = Some(#value);
            self
        }
    }
}

/// The doc of `send`: what it returns, its errors and the error bodies the spec declares.
fn send_doc(plan: &OperationPlan<'_>, context: &Plan<'_>) -> TokenStream {
    let response = &plan.op.response;
    if let Decode::Events(_) = plan.decode {
        let what = response
            .doc
            .as_deref()
            .map(|d| {
                format!(
                    " ({})",
                    spec(d.trim().trim_end_matches('.')).replace('\n', " ")
                )
            })
            .unwrap_or_default();
        return doc_attrs(&format!(
            "Sends the request and returns the stream of its server-sent events{what}, each one's data decoded.\n\nThe stream is long-lived: unless this call's [`timeout`](crate::CallOptions::timeout) says otherwise it may stay open for a day. A connection lost midway is reopened with `Last-Event-ID` when the operation may be sent twice; an event whose data does not decode is an [`Error::Decode`] item, and the stream goes on.\n\n# Errors\n\nReturns [`Error::Api`] when the server refuses the request, and [`Error::Transport`] when it cannot be sent."
        ));
    }
    let (returns, declared) = send_doc_parts(plan, context);
    let declared = declared.map(|d| format!("\n\n{d}")).unwrap_or_default();
    doc_attrs(&format!(
        "{returns}\n\n# Errors\n\nReturns [`Error::Api`] when the server reports an error, [`Error::Decode`] when the body does not match the spec, and [`Error::Transport`] when the request does not complete.{declared}"
    ))
}

/// The first sentence of `send`'s doc (what it returns) and the list of the error bodies the
/// spec declares, if any.
fn send_doc_parts(plan: &OperationPlan<'_>, context: &Plan<'_>) -> (String, Option<String>) {
    let response = &plan.op.response;
    let returns = match &response.doc {
        Some(d) => format!(
            "Sends the request and returns the payload ({}).",
            spec(d.trim().trim_end_matches('.')).replace('\n', " ")
        ),
        None => "Sends the request and returns the payload.".to_owned(),
    };
    let declared_errors: Vec<String> = response
        .errors
        .iter()
        .filter_map(|(status, ty)| match ty {
            TypeRef::Named(id) => context.api.type_def(*id).map(|t| {
                let name = t.name.trim_start_matches("r#");
                format!("- `{status}`: [`{name}`](crate::types::{name})")
            }),
            _ => None,
        })
        .collect();
    let declared = (!declared_errors.is_empty()).then(|| {
        format!(
            "Error bodies the spec declares, readable with [`ApiError::body_as`](crate::ApiError::body_as):\n\n{}",
            declared_errors.join("\n")
        )
    });
    (returns, declared)
}

/// The sending methods: `send` and `send_with_response`; for a byte response also
/// `send_streaming`; for server-sent events only `send`, which returns the event stream.
fn sending(plan: &OperationPlan<'_>, context: &Plan<'_>) -> TokenStream {
    let output = plan.output(&context.types);
    let send_doc = send_doc(plan, context);
    if let Decode::Events(ty) = &plan.decode {
        let decode = if **ty == TypeRef::String {
            quote!(#EVENT_TEXT)
        } else {
            let ty = context.types.tokens(ty, false);
            quote!(#EVENT_JSON::<#ty>)
        };
        // A dropped stream is opened again only when sending it twice is safe.
        let reconnect = plan.op.idempotent
            || plan.op.params.iter().any(|p| {
                p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case("last-event-id")
            });
        return quote! {
            #send_doc
            pub async fn send(self) -> Result<#output, Error> {
                let transport = self.client.transport.clone();
                #OPEN_EVENTS(transport, self.into_call()?, #decode, #reconnect).await
            }
        };
    }
    let decode = decoder(plan, context);
    let streaming = streaming(plan);
    // Sending and decoding is one generic runtime function per result type, not an `async`
    // body per operation.
    quote! {
        #send_doc
        #[inline]
        pub fn send(self) -> #SENDING<'a, #output> {
            let client = self.client;
            #EXECUTE_DATA(&client.transport, self.into_call(), #decode)
        }

        /// Like [`send`](Self::send), and also returns the response status and headers.
        ///
        /// # Errors
        ///
        /// As for [`send`](Self::send).
        #[inline]
        pub fn send_with_response(
            self,
        ) -> #SENDING<'a, #API_RESPONSE<#output>> {
            let client = self.client;
            #EXECUTE(&client.transport, self.into_call(), #decode)
        }

        #streaming
    }
}

/// For a byte response, `send_streaming`.
fn streaming(plan: &OperationPlan<'_>) -> Option<TokenStream> {
    matches!(plan.decode, Decode::Bytes).then(|| {
        quote! {
            /// Sends the request and returns the body as a stream of chunks, read as they
            /// arrive instead of into one buffer: for large downloads. The call's timeout
            /// still covers reading the whole body, so give a long download a longer one.
            ///
            /// # Errors
            ///
            /// As for [`send`](Self::send); a connection lost midway is an error item of the stream.
            pub async fn send_streaming(self) -> Result<#BYTE_STREAM, Error> {
                let transport = &*self.client.transport;
                transport.send_streaming(self.into_call()?).await
            }
        }
    })
}

/// `into_call`: the request assembled from the stored values, only the fields that differ
/// from `Call::new`'s defaults spelled out.
fn into_call(
    plan: &OperationPlan<'_>,
    common: Option<&CommonParams<'_>>,
    holder: Option<&proc_macro2::Ident>,
) -> TokenStream {
    let op = plan.op;
    let path = path_expression(plan);
    let (query_entries, header_stmts) = parameter_pushes(plan);
    let mut fields = Vec::new();
    let mut lets = Vec::new();
    // The shared parameters first, then the required ones, then the builder's optional ones.
    let mut parts = Vec::new();
    if common.is_some() {
        parts.push(quote!(self.common.query()?));
    }
    if !query_entries.is_empty() {
        parts.push(quote!(#QUERY_PAIRS(&[#(#query_entries),*])?));
    }
    if let Some(holder) = holder {
        parts.push(quote!(self.#holder.pairs()?));
    }
    match parts.as_slice() {
        [] => {}
        [only] => lets.push(quote!(let query = #only;)),
        [first, rest @ ..] => lets.push(quote! {
            let mut query = #first;
            #(query.extend(#rest);)*
        }),
    }
    if !parts.is_empty() {
        fields.push(quote!(query,));
    }
    if !header_stmts.is_empty() {
        lets.push(quote!(let mut headers = Vec::new(); #(#header_stmts)*));
        fields.push(quote!(headers,));
    }
    if plan.body.is_some() {
        let body = body_expression(plan);
        fields.push(quote!(body: #body,));
    }
    if let Some(accept) = &op.response.accept {
        fields.push(quote!(accept: Some(#accept),));
    }
    if op.idempotent != op.http_method.is_idempotent() {
        let idempotent = op.idempotent;
        fields.push(quote!(idempotent: #idempotent,));
    }
    if let Some(name) = &op.idempotency_key {
        fields.push(quote!(idempotency_key: Some(#name),));
    }
    quote! {
        /// The request, assembled from the stored values.
        // Like every sending method, compiled where a request is sent (`#[inline]` defers a
        // function's code to its callers): an application compiles the operations it calls.
        #[inline]
        fn into_call(self) -> Result<#CALL, Error> {
            let path = #path;
            #(#lets)*
            Ok(#CALL {
                #(#fields)*
                options: self.options,
                ..Self::call(path)
            })
        }
    }
}

/// `format!` building the request path, each parameter encoded as one segment.
fn path_expression(plan: &OperationPlan<'_>) -> TokenStream {
    let op = plan.op;
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
                args.push(if param.ty == TypeRef::String {
                    quote!(#PATH_SEGMENT(&self.#name)?)
                } else {
                    quote!(#PATH_SEGMENT(&#PARAM_TEXT(&self.#name)?)?)
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

/// The required query parameters' `(name, value)` entries, and statements pushing header (and cookie) values,
/// in parameter order.
fn parameter_pushes(plan: &OperationPlan<'_>) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for param in &plan.op.params {
        let name = ident(&param.rust_name);
        let wire = &param.name;
        if param.location == ParamLocation::Query {
            // Optional ones are in `CommonParameterValues` or `query_setters!`'s holder.
            if param.required {
                query.push(query_entry(param, quote!(self)));
            }
            continue;
        }
        let value = if param.required {
            quote!(&self.#name)
        } else {
            quote!(value)
        };
        let stmt = match param.location {
            ParamLocation::Path | ParamLocation::Query => continue,
            ParamLocation::Header => quote!(headers.push((#wire, #PARAM_TEXT(#value)?));),
            ParamLocation::Cookie => {
                quote!(headers.push(("cookie", format!("{}={}", #wire, #PARAM_TEXT(#value)?)));)
            }
        };
        if param.required {
            headers.push(stmt);
        } else {
            headers.push(quote!(if let Some(value) = &self.#name { #stmt }));
        }
    }
    (query, headers)
}

/// A query parameter's `(name, value)` entry for `query_pairs`, the value read from
/// `<holder>.<name>`; an optional value goes in as it is: `None` encodes as no pair at all.
fn query_entry(param: &Param, holder: TokenStream) -> TokenStream {
    let name = ident(&param.rust_name);
    let wire = &param.name;
    match param.style {
        QueryStyle::Form => quote!((#wire, &#holder.#name)),
        style => {
            let style = format_ident!("{}", format!("{style:?}"));
            quote!((#wire, &#STYLED(&#holder.#name, #QUERY_STYLE::#style)))
        }
    }
}

/// The encoded body and its content type, or `None`.
fn body_expression(plan: &OperationPlan<'_>) -> TokenStream {
    let Some((body, _)) = plan.body else {
        return quote!(None);
    };
    let content_type = &body.content_type;
    let encode = |value: TokenStream| match body.encoding {
        BodyEncoding::Json if content_type == "application/json" => {
            quote!(#JSON_BODY(#value)?)
        }
        BodyEncoding::Json => {
            quote!(#JSON_BODY(#value)?.map(|(bytes, _)| (bytes, ::std::borrow::Cow::Borrowed(#content_type))))
        }
        BodyEncoding::Form => {
            let fields = body.form_fields.iter().map(|field| {
                let name = &field.name;
                match field.encoding {
                    FormFieldEncoding::Json => quote!((#name, #FORM_FIELD::Json)),
                    FormFieldEncoding::Style(style) => {
                        let style = format_ident!("{}", format!("{style:?}"));
                        quote!((#name, #FORM_FIELD::Style(#QUERY_STYLE::#style)))
                    }
                }
            });
            quote!(#FORM_BODY(#value, #content_type, &[#(#fields),*])?)
        }
        BodyEncoding::Multipart => quote!(Some(#value.encode())),
        BodyEncoding::Text | BodyEncoding::Bytes | BodyEncoding::EventStream => {
            quote!(Some((#RUNTIME_BODY::from(#value.clone()), ::std::borrow::Cow::Borrowed(#content_type))))
        }
    };
    if body.required {
        encode(quote!(self.body))
    } else {
        let inner = encode(quote!(body));
        quote!(match &self.body { Some(body) => #inner, None => None })
    }
}

/// The response's decoder, as the plan decided: a runtime `decode_*` function, or for several
/// 2xx bodies a closure choosing one by status.
fn decoder(plan: &OperationPlan<'_>, context: &Plan<'_>) -> TokenStream {
    match &plan.decode {
        Decode::Empty => quote!(#DECODE_EMPTY),
        Decode::Json(_) => quote!(#DECODE_JSON),
        Decode::Envelope(_) => quote!(#DECODE_ENVELOPE),
        Decode::Text => quote!(#DECODE_TEXT),
        Decode::Bytes => quote!(#DECODE_BYTES),
        // Not reached: `sending` opens an event stream instead of decoding one response.
        Decode::Events(_) => TokenStream::new(),
        Decode::ByStatus { outcome, variants } => {
            let outcome = context.types.tokens(outcome, false);
            let bodies: Vec<TokenStream> = variants
                .iter()
                .map(|(_, variant, ty)| {
                    let variant = ident(variant);
                    let ty = context.types.tokens(ty, false);
                    quote! {
                        #DECODE_JSON::<#ty>(transport, response).map(|r| r.map(#outcome::#variant))
                    }
                })
                .collect();
            let codes = variants
                .iter()
                .map(|(code, _, _)| Literal::u16_unsuffixed(*code));
            // A success status the spec does not list is read as the first listed one.
            let fallback = bodies.first();
            quote! {
                |transport, response| match response.status.as_u16() {
                    #(#codes => #bodies,)*
                    _ => #fallback,
                }
            }
        }
    }
}
