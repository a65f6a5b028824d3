//! The runtime crate (`runtime/`) as the emitter sees it: the items generated code may name, and
//! the files vendored into each generated crate (only the modules it uses).
//!
//! Generated code reaches the runtime only through the constants below (`#CALL { .. }` in a
//! `quote!`), so the contract is listed in one place; a unit test checks each one against the
//! runtime's `lib.rs`, which is compiled and tested as a crate of its own.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};

use crate::GeneratedFile;
use crate::ir::{Api, BodyEncoding, ExtraFields, TypeKind, TypeRef};

/// A runtime item where it is interpolated: `runtime::<path>` (every emitted module that names
/// one imports `crate::runtime`), or `crate::<path>` for the items the generated crate
/// re-exports at its root, so public signatures read `crate::Extra`, not the hidden module.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    path: &'static str,
    at_root: bool,
}

impl Item {
    /// The path as a string, for attributes such as `#[serde(with = "...")]`.
    pub fn path(self) -> String {
        let prefix = if self.at_root { "crate" } else { "runtime" };
        format!("{prefix}::{}", self.path)
    }
}

impl ToTokens for Item {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let segments = self
            .path
            .split("::")
            .map(|segment| Ident::new(segment, Span::call_site()));
        if self.at_root {
            tokens.extend(quote!(crate #(:: #segments)*));
        } else {
            tokens.extend(quote!(runtime #(:: #segments)*));
        }
    }
}

macro_rules! runtime_items {
    ($($name:ident = $($root:ident)? $path:literal;)*) => {
        $(pub const $name: Item = Item { path: $path, at_root: runtime_items!(@root $($root)?) };)*

        /// Every item generated code may name, for the contract test.
        #[cfg(test)]
        const ITEMS: &[&str] = &[$($path),*];
    };
    (@root root) => { true };
    (@root) => { false };
}

// `root` marks the items the generated `lib.rs` re-exports (`emit_lib`).
runtime_items! {
    API_RESPONSE = root "ApiResponse";
    BODY = root "Body";
    BYTE_STREAM = root "ByteStream";
    CALL = "Call";
    CALL_OPTIONS = root "CallOptions";
    CLIENT_CREDENTIALS = root "ClientCredentials";
    COLLECT_PAGES = "collect_pages";
    CREDENTIAL = "Credential";
    CREDENTIAL_PROVIDER = root "CredentialProvider";
    CREDENTIAL_SOURCE = "CredentialSource";
    DATES_DATE = "dates::date";
    DATES_DATE_TIME = "dates::date_time";
    DATES_OPTION_DATE = "dates::option_date";
    DATES_OPTION_DATE_TIME = "dates::option_date_time";
    DECODE_BYTES = "decode_bytes";
    DECODE_EMPTY = "decode_empty";
    DECODE_ENVELOPE = "decode_envelope";
    DECODE_JSON = "decode_json";
    DECODE_TEXT = "decode_text";
    ENVELOPE = "Envelope";
    EVENT_JSON = "event_json";
    EVENT_STREAM = root "EventStream";
    EVENT_TEXT = "event_text";
    EXECUTE = "execute";
    EXECUTE_DATA = "execute_data";
    EXPAND_SERVER_URL = "expand_server_url";
    EXTRA = root "Extra";
    FORM_BODY = "form_body";
    FORM_FIELD = "FormField";
    JSON_BODY = "json_body";
    MULTIPART = root "Multipart";
    OFFSET_PAGES = "offset_pages";
    OPEN_EVENTS = "open_events";
    PAGE_NUMBER = "page_number";
    PARAM_TEXT = "param_text";
    PATH_SEGMENT = "path_segment";
    PLACEMENT = "Placement";
    QUERY_PAIRS = "query_pairs";
    QUERY_STYLE = "QueryStyle";
    RANK_ALTERNATIVES = "rank_alternatives";
    RATE_LIMIT = root "RateLimit";
    REQUEST_OPTIONS = "RequestOptions";
    // The same type where the crate may not re-export it (text bodies are `Body`s too).
    RUNTIME_BODY = "Body";
    SHAPE = "Shape";
    STYLED = "Styled";
    SELECT_CREDENTIALS = "select_credentials";
    SENDING = root "Sending";
    TRANSPORT = "Transport";
    TRANSPORT_OPTIONS = "TransportOptions";
}

/// The runtime's `lib.rs`: the vendored `src/runtime/mod.rs`, less the unused modules' lines.
/// The runtime crate publishes its own sources, so the generator (and its package) carries them.
const LIB: &str = openapi_rust_runtime::sources::LIB;

/// A module of the runtime crate and when a generated crate needs it.
struct Module {
    name: &'static str,
    source: &'static str,
    needed: fn(&Api) -> bool,
}

fn always(_: &Api) -> bool {
    true
}

macro_rules! module {
    ($index:literal, $name:literal, $needed:expr) => {
        Module {
            name: $name,
            source: openapi_rust_runtime::sources::MODULES[$index].1,
            needed: $needed,
        }
    };
}

/// Every module of the runtime crate, in `lib.rs` order.
const MODULES: &[Module] = &[
    module!(0, "body", always),
    module!(1, "credentials", always),
    // `Extra::get_as` reads dates as leniently as declared fields.
    module!(2, "dates", |api| uses_dates(api) || uses_extra_module(api)),
    module!(3, "de", always),
    module!(4, "decode", always),
    module!(5, "encode", always),
    module!(6, "error", always),
    module!(7, "extra", uses_extra_module),
    module!(8, "filter", |api| !api.filters.is_empty()),
    module!(9, "hooks", always),
    module!(10, "multipart", uses_multipart),
    module!(11, "oauth2", uses_oauth2),
    module!(12, "paging", |api| {
        api.operations.iter().any(|op| op.pagination.is_some())
    }),
    module!(13, "ratelimit", always),
    module!(14, "retry", always),
    module!(15, "secret", always),
    module!(16, "sse", uses_events),
    module!(17, "transport", always),
    module!(18, "wire", |api| api.wire_tests),
];

/// Which optional runtime modules a crate uses, decided once from the IR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeUses {
    /// `Extra` (undeclared properties kept as JSON).
    pub extra: bool,
    /// `Multipart` bodies.
    pub multipart: bool,
    /// Typed filter builders.
    pub filter: bool,
    /// The OAuth 2.0 client-credentials flow.
    pub oauth2: bool,
    /// Credentials of any kind (so providers are worth exporting).
    pub credentials: bool,
    /// Server-sent events.
    pub events: bool,
    /// Request bodies of bytes (`Body`).
    pub byte_bodies: bool,
    /// Responses of bytes (`ByteStream`).
    pub byte_responses: bool,
}

impl RuntimeUses {
    pub fn of(api: &Api) -> Self {
        Self {
            extra: uses_extra(api),
            multipart: uses_multipart(api),
            filter: !api.filters.is_empty(),
            oauth2: uses_oauth2(api),
            credentials: !api.credentials.is_empty(),
            events: uses_events(api),
            byte_bodies: api
                .operations
                .iter()
                .any(|op| matches!(&op.body, Some(body) if body.encoding == BodyEncoding::Bytes)),
            byte_responses: api
                .operations
                .iter()
                .any(|op| op.response.ty.is_some() && op.response.encoding == BodyEncoding::Bytes),
        }
    }
}

/// Date fields decode through the lenient `dates` helpers (see `emit::types`).
fn uses_dates(api: &Api) -> bool {
    api.types.iter().any(|def| match &def.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .any(|f| !f.boxed && matches!(f.ty, TypeRef::Date | TypeRef::DateTime)),
        _ => false,
    })
}

fn uses_events(api: &Api) -> bool {
    api.operations
        .iter()
        .any(|op| op.response.encoding == BodyEncoding::EventStream)
}

fn uses_oauth2(api: &Api) -> bool {
    api.credentials
        .iter()
        .any(|credential| credential.client_credentials.is_some())
}

/// `Extra` is vendored for the types that keep undeclared properties, and for the wire tests,
/// whose round-trip check hides `Extra` fields.
fn uses_extra_module(api: &Api) -> bool {
    uses_extra(api) || api.wire_tests
}

fn uses_extra(api: &Api) -> bool {
    api.types.iter().any(|def| {
        matches!(&def.kind, TypeKind::Struct(s) if matches!(s.extra, ExtraFields::Any { .. }))
    })
}

fn uses_multipart(api: &Api) -> bool {
    api.operations
        .iter()
        .any(|op| matches!(&op.body, Some(body) if body.encoding == BodyEncoding::Multipart))
}

/// The runtime files of a crate: `src/runtime/mod.rs` and one file per module it uses.
pub fn vendored_files(api: &Api, command: &str) -> Vec<GeneratedFile> {
    runtime_files(api, command, "src/runtime", "mod.rs")
}

/// The runtime's sources as a package of its own beside the crate (`runtime = "crate"`): the
/// modules the crate uses under `runtime/src/`, `lib.rs` being the crate root; its
/// `runtime/Cargo.toml` comes from the templates.
pub fn package_files(api: &Api, command: &str) -> Vec<GeneratedFile> {
    runtime_files(api, command, "runtime/src", "lib.rs")
}

/// The runtime's `lib.rs` (as `dir/root`, less the unused modules' lines) and the modules `api`
/// uses, in `dir`.
fn runtime_files(api: &Api, command: &str, dir: &str, root: &str) -> Vec<GeneratedFile> {
    let header = format!(
        "// @generated by `{command}`: a copy of the generator's runtime crate. Do not edit by hand.\n"
    );
    let unused: Vec<&str> = MODULES
        .iter()
        .filter(|module| !(module.needed)(api))
        .map(|module| module.name)
        .collect();
    let mut files = vec![GeneratedFile::new(
        &format!("{dir}/{root}"),
        format!("{header}{}", without_modules(LIB, &unused)),
    )];
    files.extend(
        MODULES
            .iter()
            .filter(|module| !unused.contains(&module.name))
            .map(|module| {
                GeneratedFile::new(
                    &format!("{dir}/{}.rs", module.name),
                    format!("{header}{}", module.source),
                )
            }),
    );
    files
}

/// `lib` without the `pub mod` / `pub use` items of `unused` modules. Each such item is one line
/// or, for a long `pub use`, a brace block ending in `};`; runs of blank lines left behind
/// collapse into one, as rustfmt would write them.
fn without_modules(lib: &str, unused: &[&str]) -> String {
    let mut out = String::with_capacity(lib.len());
    let mut skipping = false;
    // Comment and attribute lines go with the item after them (`#[macro_use]` before `pub mod de;`).
    let mut pending: Vec<&str> = Vec::new();
    for line in lib.lines() {
        if skipping {
            skipping = !line.starts_with("};");
            continue;
        }
        if line.starts_with("#[") || line.starts_with("// ") {
            pending.push(line);
            continue;
        }
        let module = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("pub use "))
            .map(|rest| rest.split([':', ';']).next().unwrap_or(rest));
        if module.is_some_and(|module| unused.contains(&module)) {
            skipping = line.ends_with('{');
            pending.clear();
            continue;
        }
        if line.is_empty() && pending.is_empty() && out.ends_with("\n\n") {
            continue;
        }
        for kept in pending.drain(..).chain([line]) {
            out.push_str(kept);
            out.push('\n');
        }
    }
    for kept in pending {
        out.push_str(kept);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names the runtime's `lib.rs` makes public: its modules and the leaves of its `pub use`s.
    fn exports() -> (Vec<String>, Vec<String>) {
        let file = syn::parse_file(LIB).unwrap_or_else(|e| panic!("runtime lib.rs: {e}"));
        let mut modules = Vec::new();
        let mut items = Vec::new();
        fn leaves(tree: &syn::UseTree, out: &mut Vec<String>) {
            match tree {
                syn::UseTree::Path(path) => leaves(&path.tree, out),
                syn::UseTree::Name(name) => out.push(name.ident.to_string()),
                syn::UseTree::Group(group) => group.items.iter().for_each(|t| leaves(t, out)),
                syn::UseTree::Rename(rename) => out.push(rename.rename.to_string()),
                syn::UseTree::Glob(_) => {}
            }
        }
        for item in &file.items {
            match item {
                syn::Item::Mod(module) => modules.push(module.ident.to_string()),
                syn::Item::Use(used) => leaves(&used.tree, &mut items),
                _ => {}
            }
        }
        (modules, items)
    }

    #[test]
    fn every_runtime_module_is_listed_in_lib_order() {
        let (modules, _) = exports();
        let listed: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
        assert_eq!(modules, listed);
        let published: Vec<&str> = openapi_rust_runtime::sources::MODULES
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(published, listed, "the runtime's `sources` table");
    }

    #[test]
    fn every_item_the_emitter_names_is_exported_by_the_runtime() {
        let (modules, items) = exports();
        for path in ITEMS {
            let mut segments = path.split("::");
            let first = segments.next().unwrap_or_default();
            match segments.next() {
                None => assert!(
                    items.iter().any(|i| i == first),
                    "`{path}` is not re-exported"
                ),
                Some(leaf) => {
                    assert!(modules.iter().any(|m| m == first), "no module `{first}`");
                    let source = MODULES
                        .iter()
                        .find(|m| m.name == first)
                        .map_or("", |m| m.source);
                    let public = [
                        format!("pub fn {leaf}"),
                        format!("pub mod {leaf}"),
                        format!("pub struct {leaf}"),
                        format!("pub enum {leaf}"),
                    ];
                    assert!(
                        public.iter().any(|p| source.contains(p.as_str())),
                        "`{path}` is not public in the runtime"
                    );
                }
            }
        }
    }

    #[test]
    fn every_module_line_of_lib_names_one_module() {
        let names: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
        let stripped = without_modules(LIB, &names);
        assert!(!stripped.contains("pub mod "), "{stripped}");
        assert!(!stripped.contains("pub use "), "{stripped}");
        syn::parse_file(&stripped).unwrap_or_else(|e| panic!("{e}: {stripped}"));
    }

    #[test]
    fn dropping_a_module_drops_its_lines_only() {
        let stripped = without_modules(LIB, &["multipart", "filter"]);
        assert!(!stripped.contains("multipart") || !stripped.contains("pub mod multipart"));
        assert!(!stripped.contains("pub use multipart::"));
        assert!(!stripped.contains("pub mod filter;"));
        assert!(stripped.contains("pub mod transport;"));
        assert!(!stripped.contains("\n\n\n"));
    }
}
