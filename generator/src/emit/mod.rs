//! IR → files of the generated crate: Rust via `quote` + `prettyplease`, the rest via `minijinja`.

mod builder;
mod cli;
mod client;
mod docs;
mod layout;
mod mock;
mod package;
mod plan;
mod runtime;
mod tag_features;
mod templates;
mod types;
mod wire;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::config::{Config, RuntimeMode};
use crate::error::{Diagnostic, Error};
use crate::ir::Api;
use crate::{GeneratedFile, Progress, Step};
use plan::Plan;

/// A file of the crate before formatting: Rust as tokens, everything else as final text.
pub enum UnformattedFile {
    /// Rust source still to be parsed and pretty-printed, with the header comment it starts with.
    Rust {
        /// Path in the crate.
        path: String,
        /// The `// @generated` header line.
        header: String,
        /// The file's items.
        tokens: TokenStream,
    },
    /// A finished file (Cargo.toml, README, runtime sources).
    Text(GeneratedFile),
}

/// The Rust files built from the IR, in output order.
const RUST_FILES: [&str; 5] = [
    "src/lib.rs",
    "src/types.rs",
    "src/client.rs",
    "src/builder.rs",
    "src/mock.rs",
];

/// The Rust files of `api`'s crate: [`RUST_FILES`], less `src/mock.rs` unless the config asks
/// for the mock.
fn rust_files(api: &Api) -> Vec<&'static str> {
    RUST_FILES
        .into_iter()
        .filter(|path| api.mock || *path != "src/mock.rs")
        .collect()
}

/// Renders every file of the crate, in a fixed order.
///
/// The Rust files are built and formatted on worker threads, a large `builder.rs` in parts
/// (formatting dominates on large specs); the output is the same as [`emit_unformatted`]
/// followed by [`format_files`].
pub fn emit(
    api: &Api,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Vec<GeneratedFile>, Error> {
    let header = header(config);
    let plan = Plan::new(api, config);
    let paths = rust_files(api);
    progress.step(Step::Emit {
        rust_files: paths.len(),
    });
    // A large `builder.rs` or `types.rs` is built and formatted in parts, joined afterwards.
    let jobs: Vec<(&str, usize, usize)> = paths
        .iter()
        .flat_map(|path| {
            let count = part_count(path, &plan);
            (0..count).map(move |index| (*path, index, count))
        })
        .collect();
    // As many workers as the machine has threads take the jobs in turn, largest first: more
    // would not finish sooner, and each holds a file's syntax trees while it works.
    let order = largest_first(&jobs);
    let results: Vec<std::sync::Mutex<Option<Result<GeneratedFile, Error>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        while let Some(&slot) = order.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
            let (path, index, count) = jobs[slot];
            let file = rust_part(path, index, count, &header, &plan);
            if index + 1 == count {
                progress.step(Step::Formatted(path));
            }
            if let Ok(mut result) = results[slot].lock() {
                *result = Some(file);
            }
        }
    };
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        // Token streams cannot cross threads, so each worker builds its own; syn and
        // prettyplease recurse, hence the main thread's stack size.
        let spawned = (0..workers)
            .filter(|_| {
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, work)
                    .is_ok()
            })
            .count();
        if spawned == 0 {
            // No thread to be had: do the work here.
            work();
        }
    });
    let parts: Vec<Result<GeneratedFile, Error>> = results
        .into_iter()
        .zip(&jobs)
        .map(|(result, &(path, _, _))| {
            result
                .into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(internal(path)))
        })
        .collect();
    let mut rust = join_parts(parts, &jobs).into_iter();
    let mut files = Vec::new();
    for file in non_rust_files(&plan, config)? {
        match file {
            Some(file) => files.push(file),
            None => files.extend(rust.next().transpose()?),
        }
    }
    Ok(files)
}

/// Operations (of `builder.rs`) or types (of `types.rs`) per part beyond which a file is
/// formatted in parts, and the most parts: small enough to balance the workers and bound what
/// each holds at once.
const ITEMS_PER_PART: usize = 1000;
const MAX_PARTS: usize = 32;

/// The jobs' indices, the likely largest first (builders, the mock, types, the client), so
/// that no worker is left with a large file at the end.
fn largest_first(jobs: &[(&str, usize, usize)]) -> Vec<usize> {
    let rank = |path: &str| match path {
        "src/builder.rs" => 0,
        "src/mock.rs" => 1,
        "src/types.rs" => 2,
        "src/client.rs" => 3,
        _ => 4,
    };
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&slot| rank(jobs[slot].0));
    order
}

/// Part `index` of `count` of the Rust file at `path`, built and formatted; only the first part
/// has the file's header.
fn rust_part(
    path: &str,
    index: usize,
    count: usize,
    header: &str,
    plan: &Plan<'_>,
) -> Result<GeneratedFile, Error> {
    let tokens = rust_part_tokens(path, plan, index, count)?;
    rust_file(path, if index == 0 { header } else { "" }, tokens)
}

/// The files from their formatted parts (`jobs` says which part each is), in order: the parts
/// of one file are joined by a blank line, as `space_items` separates items.
fn join_parts(
    parts: Vec<Result<GeneratedFile, Error>>,
    jobs: &[(&str, usize, usize)],
) -> Vec<Result<GeneratedFile, Error>> {
    let mut files: Vec<Result<GeneratedFile, Error>> = Vec::new();
    for (part, &(_, index, _)) in parts.into_iter().zip(jobs) {
        match (index, files.last_mut(), part) {
            (0, _, part) => files.push(part),
            (_, Some(Ok(file)), Ok(part)) if !part.contents.is_empty() => {
                file.contents.push('\n');
                file.contents.push_str(&part.contents);
            }
            (_, Some(Ok(_)), Ok(_)) => {}
            (_, Some(file), Err(error)) => *file = Err(error),
            (_, _, _) => {}
        }
    }
    files
}

fn internal(path: &str) -> Error {
    Diagnostic::new("#", format!("internal error: formatting `{path}` failed"))
        .with_hint("please report this with the spec that caused it")
        .into()
}

fn header(config: &Config) -> String {
    let source = config.source_label.as_deref().unwrap_or("the OpenAPI spec");
    let command = config.generator_command();
    format!("// @generated by `{command}` from {source}. Do not edit by hand.\n")
}

fn rust_tokens(path: &str, plan: &Plan<'_>) -> Result<TokenStream, Error> {
    rust_part_tokens(path, plan, 0, 1)
}

/// How many parts the file at `path` is built and formatted in: more than one only for a large
/// `builder.rs` or `types.rs`.
fn part_count(path: &str, plan: &Plan<'_>) -> usize {
    let items = match path {
        "src/builder.rs" => plan.operations.len(),
        "src/types.rs" => plan.api.defined_types().count(),
        _ => return 1,
    };
    items.div_ceil(ITEMS_PER_PART).clamp(1, MAX_PARTS)
}

/// Part `index` of `count` of the Rust file at `path` (the whole file for one part).
fn rust_part_tokens(
    path: &str,
    plan: &Plan<'_>,
    index: usize,
    count: usize,
) -> Result<TokenStream, Error> {
    Ok(match path {
        "src/lib.rs" => emit_lib(plan),
        "src/types.rs" => {
            let mut tokens = types::emit_types_part(
                plan.api,
                &plan.types,
                plan.features.as_ref(),
                index,
                count,
            )?;
            // The runtime crate's macros, which a vendored runtime makes visible by `#[macro_use]`.
            let macros = types::runtime_macros(plan.api);
            if plan.runtime_crate.is_some() && !macros.is_empty() && index + 1 == count {
                let macros = macros.iter().map(|name| format_ident!("{name}"));
                tokens.extend(quote!(
                    #[allow(unused_imports)]
                    use crate::runtime::{#(#macros),*};
                ));
            }
            tokens
        }
        "src/client.rs" => client::emit_client(plan),
        "src/mock.rs" => mock::emit_mock(plan),
        _ => builder::emit_builders_part(plan, index, count),
    })
}

/// Every file in output order; `None` marks where the next of [`rust_files`] goes.
fn non_rust_files(plan: &Plan<'_>, config: &Config) -> Result<Vec<Option<GeneratedFile>>, Error> {
    let api = plan.api;
    let source = config.source_label.as_deref().unwrap_or("the OpenAPI spec");
    let package = package::Package::from_config(api, config);
    let mut files = vec![
        Some(GeneratedFile::new(
            "Cargo.toml",
            templates::cargo_toml(&package, source, plan, config)?,
        )),
        Some(GeneratedFile::new(
            "README.md",
            templates::readme(
                plan,
                &package,
                source,
                config
                    .cli
                    .as_ref()
                    .map(|cli| templates::CliPackage::new(api, config, cli, ""))
                    .as_ref(),
            )?,
        )),
    ];
    files.extend(rust_files(api).iter().map(|_| None));
    for (path, text) in &api.extra_files {
        let header = format!(
            "// @generated by `{}` from {path} beside the spec (hand-written). Edit that file, not this one.\n",
            config.generator_command()
        );
        files.push(Some(GeneratedFile::new(path, format!("{header}{text}"))));
    }
    match config.runtime {
        RuntimeMode::Vendored => files.extend(
            runtime::vendored_files(api, config.generator_command())
                .into_iter()
                .map(Some),
        ),
        RuntimeMode::Crate => {
            let manifest = templates::runtime_cargo_toml(&package.runtime(), source, config)?;
            files.push(Some(GeneratedFile::new("runtime/Cargo.toml", manifest)));
            files.extend(
                runtime::package_files(api, config.generator_command())
                    .into_iter()
                    .map(Some),
            );
        }
        RuntimeMode::Dependency => {}
    }
    if api.wire_tests {
        // Formatted here rather than on a thread of its own: it is small beside `src/`.
        let tokens = wire::emit_wire_tests(plan, &package.lib_name);
        files.push(Some(rust_file("tests/wire.rs", &header(config), tokens)?));
    }
    Ok(files)
}

/// Renders every file of the companion CLI crate, whose `Cargo.toml` finds the client crate
/// at `client_path` (relative to the CLI crate's folder).
pub fn emit_cli(
    api: &Api,
    config: &Config,
    client_path: &str,
) -> Result<Vec<GeneratedFile>, Error> {
    let plan = Plan::new(api, config);
    cli::emit_cli(&plan, config, client_path, &header(config))
}

/// Builds every file of the crate; Rust files stay token streams until [`format_files`].
pub fn emit_unformatted(api: &Api, config: &Config) -> Result<Vec<UnformattedFile>, Error> {
    let header = header(config);
    let plan = Plan::new(api, config);
    let paths = rust_files(api);
    let mut rust = paths.iter();
    let mut files = Vec::new();
    for file in non_rust_files(&plan, config)? {
        match file {
            Some(file) => files.push(UnformattedFile::Text(file)),
            None => {
                if let Some(path) = rust.next() {
                    files.push(UnformattedFile::Rust {
                        path: (*path).to_owned(),
                        header: header.clone(),
                        tokens: rust_tokens(path, &plan)?,
                    });
                }
            }
        }
    }
    Ok(files)
}

/// Parses and pretty-prints the Rust files; other files pass through.
pub fn format_files(files: Vec<UnformattedFile>) -> Result<Vec<GeneratedFile>, Error> {
    files
        .into_iter()
        .map(|file| match file {
            UnformattedFile::Rust {
                path,
                header,
                tokens,
            } => rust_file(&path, &header, tokens),
            UnformattedFile::Text(file) => Ok(file),
        })
        .collect()
}

/// The runtime's macros that generated code calls at item level, laid out one argument per line.
const MACROS: [&str; 6] = [
    "client_settings!(",
    "filter_conditions!(",
    "filter_builder!(",
    "string_enum!(",
    "query_setters!(",
    "send_methods!(",
];

fn rust_file(path: &str, header: &str, tokens: TokenStream) -> Result<GeneratedFile, Error> {
    let file = syn::parse2::<syn::File>(tokens).map_err(|error| {
        Error::from(
            Diagnostic::new(
                "#",
                format!("internal error: generated `{path}` does not parse: {error}"),
            )
            .with_hint("please report this with the spec that caused it"),
        )
    })?;
    Ok(GeneratedFile::new(
        path,
        format!(
            "{header}{}",
            layout::expand_declarations(&space_items(
                &MACROS
                    .iter()
                    .fold(prettyplease::unparse(&file), |code, name| {
                        layout::one_argument_per_line(&code, name)
                    })
            ))
        ),
    ))
}

/// Puts a blank line between items, as a person would; `prettyplease` packs them together.
fn space_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut previous: Option<&str> = None;
    for line in code.lines() {
        if let Some(previous) = previous {
            if starts_item(line) && ends_item(previous, line) {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        previous = Some(line);
    }
    out
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn starts_item(line: &str) -> bool {
    let trimmed = line.trim_start();
    indent_of(line) <= 4
        && [
            "///",
            "#[",
            "pub ",
            "pub(crate) ",
            "impl",
            "fn ",
            "async fn",
            "const ",
            "type ",
            "use ",
            "mod ",
            "enum ",
            "struct ",
            "serde_struct!",
            "request_builder!",
            "filter_conditions!",
            "filter_builder!",
            "string_enum!",
            "client_settings!",
            "query_setters!",
            "send_methods!",
        ]
        .iter()
        .any(|start| trimmed.starts_with(start))
}

fn ends_item(previous: &str, line: &str) -> bool {
    let trimmed = previous.trim_start();
    let same_level = indent_of(previous) == indent_of(line);
    let both_use = trimmed.starts_with("use ") && line.trim_start().starts_with("use ");
    let both_mod = trimmed.contains("mod ") && line.trim_start().starts_with("mod ");
    (same_level && (trimmed == "}" || (trimmed.ends_with(';') && !both_use && !both_mod)))
        || (trimmed.starts_with("#![") || trimmed.starts_with("//!"))
            && !line.trim_start().starts_with("#!")
}

/// The crate name `emit` gives the crate for this API and config.
pub(crate) fn crate_name(api: &Api, config: &Config) -> String {
    package::Package::from_config(api, config).name
}

/// `Foo API` stays as it is; `Foo` becomes `Foo API`.
pub(crate) fn api_name(title: &str) -> String {
    let title = title.trim();
    if title.to_ascii_lowercase().ends_with("api") {
        title.to_owned()
    } else {
        format!("{title} API")
    }
}

fn emit_lib(plan: &Plan<'_>) -> TokenStream {
    let api = plan.api;
    let mock = api.mock.then(|| {
        quote! {
            #[cfg(feature = "mock")]
            #[rustfmt::skip]
            pub mod mock;
        }
    });
    let summary = format!(
        " Typed async client for the {} (version {}).",
        api_name(&api.title),
        api.api_version
    );
    // Runtime items in public signatures only when the crate uses them, in this order.
    let uses = &plan.uses;
    let optional_exports: Vec<TokenStream> = [
        (
            uses.credentials,
            quote! { pub use runtime::{CredentialFuture, CredentialProvider, ProviderContext}; },
        ),
        (
            uses.oauth2,
            quote! { pub use runtime::{ClientAuthentication, ClientCredentials}; },
        ),
        (uses.byte_bodies, quote! { pub use runtime::Body; }),
        (uses.byte_responses, quote! { pub use runtime::ByteStream; }),
        (
            uses.events,
            quote! { pub use runtime::{Event, EventStream}; },
        ),
        (uses.extra, quote! { pub use runtime::Extra; }),
        (uses.multipart, quote! { pub use runtime::Multipart; }),
        (uses.filter, quote! { pub use runtime::filter; }),
    ]
    .into_iter()
    .filter_map(|(used, export)| used.then_some(export))
    .collect();
    let (common_export, common_prelude) = match &plan.common {
        Some(common) => {
            let cfg = builder::common_cfg(common, plan);
            let name = plan::CommonParams::trait_ident();
            (
                Some(quote!(#cfg pub use builder::#name;)),
                Some(quote!(#cfg pub use crate::#name;)),
            )
        }
        None => (None, None),
    };
    let runtime = if let Some(runtime_lib) = &plan.runtime_crate {
        let runtime_lib = proc_macro2::Ident::new(runtime_lib, proc_macro2::Span::call_site());
        quote! {
            // The runtime crate: named by the generated code, not part of this crate's
            // documented API.
            #[doc(hidden)]
            pub use #runtime_lib as runtime;
        }
    } else {
        quote! {
            // The vendored runtime crate: public for the generated code, not part of the documented
            // API; its macros (`serde_struct!`, `client_settings!`, ...) serve the modules declared after it.
            #[doc(hidden)]
            #[macro_use]
            pub mod runtime;
        }
    };
    quote! {
        #![doc = #summary]
        #![doc = ""]
        #![doc = include_str!("../README.md")]
        #![forbid(unsafe_code)]
        #![warn(missing_docs)]

        #runtime
        // Formatted by the generator (prettyplease), which rustfmt would reformat.
        #[rustfmt::skip]
        pub mod builder;
        #[rustfmt::skip]
        mod client;
        #mock
        #[rustfmt::skip]
        pub mod types;

        pub use chrono;
        pub use futures_util;
        pub use reqwest;

        pub use client::{Client, ClientBuilder};
        pub use runtime::{ApiError, DeadlineError, DecodeError, Error, StatusCode};
        pub use runtime::{CredentialError, DryRun, TransportError, TransportErrorKind};
        #(#optional_exports)*
        pub use runtime::{ApiResponse, CallOptions, RateLimit, RetryPolicy, Secret, Sending};
        pub use runtime::{Hook, HookRequest, HookResponse};

        #common_export

        /// What a program using this client usually imports: `use <crate>::prelude::*;`.
        pub mod prelude {
            pub use crate::{CallOptions, Client};
            #common_prelude
        }
    }
}
