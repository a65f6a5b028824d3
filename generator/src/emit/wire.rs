//! The plan → `tests/wire.rs`: one test per operation, called against a mock server with arguments synthesised from the spec.
//!
//! Each test builds a client for the server named by `WIRE_TEST_BASE_URL` with every credential
//! set, calls its operation with the required arguments (`WireCase`, made in `ir/sample.rs`) and
//! hands the outcome to the runtime's `wire::check`: a declared status, a decoded payload, and
//! the payload re-serialised equal to the JSON received.

use proc_macro2::TokenStream;
use quote::quote;

use super::plan::{ArgSource, Decode, OperationPlan, Plan, ValueKind};
use super::tag_features::gate_items;
use super::types::ident;
use crate::ir::{Api, CredentialKind, ParamLocation, TypeKind, TypeRef};

/// The whole `tests/wire.rs` of a crate whose library is `lib_name`.
pub fn emit_wire_tests(plan: &Plan<'_>, lib_name: &str) -> TokenStream {
    let lib = ident(lib_name);
    let credentials = plan.api.credentials.iter().map(|credential| {
        let setter = ident(&credential.rust_name);
        let value = match credential.kind {
            CredentialKind::Basic => "wire-user:wire-password",
            _ => "wire-test-credential",
        };
        quote!(.#setter(#value))
    });
    let tests = plan.operations.iter().map(|op| {
        let cfg = plan.features.as_ref().and_then(|f| f.operation_cfg(op.op));
        gate_items(operation_test(op, plan), cfg.as_ref())
    });
    let mut known: Vec<&str> = union_alternative_fields(plan.api);
    known.sort_unstable();
    known.dedup();
    quote! {
        //! Wire tests: every operation called against a mock server of the API, with arguments
        //! synthesised from the spec; each checks the status is declared, the payload decodes,
        //! and the payload re-serialised equals the JSON received.
        //!
        //! Not run by `cargo test`; start a mock (e.g. `prism mock --errors -d <spec>`), then
        //! `WIRE_TEST_BASE_URL=http://127.0.0.1:4010 cargo test --test wire`.
        #![allow(clippy::too_many_lines)]

        use #lib::runtime::wire::{self, Expected};
        use #lib::Client;
        #[allow(unused_imports)]
        use #lib::{chrono, runtime, types};

        /// Every property name a union's alternative declares (see `Expected::known_properties`).
        const KNOWN_PROPERTIES: &[&str] = &[#(#known),*];

        /// A client for the mock server, with every credential set.
        fn client() -> Client {
            Client::builder()
                .base_url(wire::base_url())
                #(#credentials)*
                .build()
                .unwrap_or_else(|error| panic!("wire[setup]: {error}"))
        }

        /// One test per operation, named after its client method (formatted by the generator,
        /// which rustfmt would reformat).
        #[rustfmt::skip]
        mod operations {
            use super::*;

            #(#tests)*
        }
    }
}

fn operation_test(plan_op: &OperationPlan<'_>, plan: &Plan<'_>) -> TokenStream {
    let op = plan_op.op;
    let Some(case) = &op.wire else {
        return TokenStream::new();
    };
    // An event stream has no one response to check against the spec's.
    if matches!(plan_op.decode, Decode::Events(_)) {
        return TokenStream::new();
    }
    let test_name = ident(&op.method_name);
    let method = ident(&op.method_name);
    let mut lets = Vec::new();
    let mut args = Vec::new();
    for arg in &plan_op.required {
        let local = ident(&format!("arg_{}", arg.rust_name));
        let sample = match arg.source {
            ArgSource::Param(param) => op
                .params
                .iter()
                .position(|p| std::ptr::eq(p, param))
                .and_then(|index| case.params.get(index))
                .cloned(),
            ArgSource::Body(_) => case.body.clone(),
        }
        .unwrap_or(serde_json::Value::Null);
        let (ty, value, pass) = argument(arg.kind, &sample, arg.source, plan);
        lets.push(quote!(let #local #ty = #value;));
        args.push(pass(&local));
    }
    let statuses = &case.statuses;
    let headers = case.ignored_headers.iter().map(|(name, value)| {
        quote! {
            .header(
                reqwest::header::HeaderName::from_static(#name),
                reqwest::header::HeaderValue::from_static(#value),
            )
        }
    });
    let (envelope_data, json) = match &plan_op.decode {
        Decode::Envelope(_) => (plan.api.envelope.as_ref().map(|e| e.data.as_str()), true),
        Decode::Json(_) | Decode::ByStatus { .. } => (None, true),
        Decode::Empty | Decode::Text | Decode::Bytes | Decode::Events(_) => (None, false),
    };
    let envelope_data = match envelope_data {
        Some(data) => quote!(Some(#data)),
        None => quote!(None),
    };
    let operation_id = &op.operation_id;
    let path_template = &op.path_template;
    let unencodable = op
        .params
        .iter()
        .filter(|p| p.required && p.unencodable)
        .map(|p| p.name.as_str());
    let doc = format!(
        " `{} {}` (operation `{}`).",
        op.http_method.as_str(),
        op.path_template,
        op.operation_id
    );
    quote! {
        #[doc = #doc]
        #[tokio::test]
        async fn #test_name() {
            let client = client();
            #(#lets)*
            let outcome = client.#method(#(#args),*)#(#headers)*.send_with_response().await;
            wire::check(outcome, &Expected {
                operation: #operation_id,
                path: #path_template,
                statuses: &[#(#statuses),*],
                envelope_data: #envelope_data,
                json: #json,
                known_properties: KNOWN_PROPERTIES,
                unencodable: &[#(#unencodable),*],
            });
        }
    }
}

type Pass = fn(&proc_macro2::Ident) -> TokenStream;

/// The expression building one argument from its sample, and how it is passed to the method.
fn argument(
    kind: ValueKind<'_>,
    sample: &serde_json::Value,
    source: ArgSource<'_>,
    plan: &Plan<'_>,
) -> (Option<TokenStream>, TokenStream, Pass) {
    let json_text = raw_string(&sample.to_string());
    let text = match sample {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let what = match source {
        ArgSource::Param(param) => format!(
            "{} parameter `{}`",
            match param.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
                ParamLocation::Header => "header",
                ParamLocation::Cookie => "cookie",
            },
            param.name
        ),
        ArgSource::Body(_) => "request body".to_owned(),
    };
    let sampled = quote!(wire::sample(#what, #json_text));
    match kind {
        ValueKind::String | ValueKind::Text => {
            (None, quote!(#text.to_owned()), |local| quote!(#local))
        }
        ValueKind::Typed(ty) => {
            let ty = plan.types.tokens(ty, false);
            (Some(quote!(: #ty)), sampled, |local| quote!(#local))
        }
        ValueKind::Borrowed(ty) => {
            let ty = plan.types.tokens(ty, false);
            (Some(quote!(: #ty)), sampled, |local| quote!(&#local))
        }
        ValueKind::Bytes => (
            None,
            quote!(#text.as_bytes().to_vec()),
            |local| quote!(#local),
        ),
        ValueKind::Multipart => (None, multipart(source, sample), |local| quote!(#local)),
    }
}

/// `text` as a raw string literal (`r#"…"#`), readable where JSON is full of quotes.
fn raw_string(text: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| quote!(#text))
}

/// A `Multipart` body with the schema's required parts: files as small text files, other parts
/// as their sample's text.
fn multipart(source: ArgSource<'_>, sample: &serde_json::Value) -> TokenStream {
    let ArgSource::Body(body) = source else {
        return quote!(runtime::Multipart::new());
    };
    let parts = body
        .form_parts
        .iter()
        .filter(|part| part.required)
        .map(|part| {
            let name = &part.name;
            if part.file {
                quote!(.file(#name, "sample.txt", b"sample".to_vec()))
            } else {
                let value = match sample.get(&part.name) {
                    Some(serde_json::Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                    None => "sample".to_owned(),
                };
                quote!(.text(#name, #value))
            }
        });
    quote!(runtime::Multipart::new() #(#parts)*)
}

/// The JSON names of the fields of every struct that is an alternative of a union (through
/// aliases): the names whose presence tells alternatives apart, so a received one that no field
/// holds means the wrong alternative was chosen.
fn union_alternative_fields(api: &Api) -> Vec<&str> {
    let mut names = Vec::new();
    for def in &api.types {
        let TypeKind::Union(variants) = &def.kind else {
            continue;
        };
        for variant in variants {
            let mut ty = &variant.ty;
            // Aliases, nullability and merged copies lead to the struct itself; bounded by the
            // number of types, so a cycle of aliases cannot loop.
            for _ in 0..=api.types.len() {
                match ty {
                    TypeRef::Nullable(inner) => ty = inner,
                    TypeRef::Named(id) => match api.type_def(*id).map(|d| &d.kind) {
                        Some(TypeKind::Alias(target)) => ty = target,
                        Some(TypeKind::Merged(into)) => {
                            let Some(def) = api.type_def(*into) else {
                                break;
                            };
                            if let TypeKind::Struct(s) = &def.kind {
                                names.extend(s.fields.iter().map(|f| f.json_name.as_str()));
                            }
                            break;
                        }
                        Some(TypeKind::Struct(s)) => {
                            names.extend(s.fields.iter().map(|f| f.json_name.as_str()));
                            break;
                        }
                        _ => break,
                    },
                    _ => break,
                }
            }
        }
    }
    names
}
