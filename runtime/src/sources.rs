//! The runtime's source files as text, for the generator to vendor into generated crates (the
//! generator depends on this crate without the `client` feature, so it compiles none of it).

/// This crate's version: a generated crate that depends on the runtime asks for it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `lib.rs`, which becomes a generated crate's `src/runtime/mod.rs`.
pub const LIB: &str = include_str!("lib.rs");

/// Every module declared in `lib.rs`, in its order: `(name, source of name.rs)`.
pub const MODULES: &[(&str, &str)] = &[
    ("body", include_str!("body.rs")),
    ("credentials", include_str!("credentials.rs")),
    ("dates", include_str!("dates.rs")),
    ("de", include_str!("de.rs")),
    ("decode", include_str!("decode.rs")),
    ("encode", include_str!("encode.rs")),
    ("error", include_str!("error.rs")),
    ("extra", include_str!("extra.rs")),
    ("filter", include_str!("filter.rs")),
    ("hooks", include_str!("hooks.rs")),
    ("multipart", include_str!("multipart.rs")),
    ("oauth2", include_str!("oauth2.rs")),
    ("paging", include_str!("paging.rs")),
    ("ratelimit", include_str!("ratelimit.rs")),
    ("retry", include_str!("retry.rs")),
    ("secret", include_str!("secret.rs")),
    ("sse", include_str!("sse.rs")),
    ("transport", include_str!("transport.rs")),
    ("wire", include_str!("wire.rs")),
];
