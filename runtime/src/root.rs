//! The crate root of `openapi-rust-runtime`: the runtime itself (`lib.rs` and its modules,
//! behind the default `client` feature) and, always, its own source text for vendoring.
//!
//! `lib.rs` is the file a generated crate vendors as `src/runtime/mod.rs`; here it is loaded as a
//! module whose items are re-exported at the root, so the crate and every vendored copy expose the
//! same paths (`openapi_rust_runtime::Transport`, `crate::runtime::Transport`). A generated crate
//! with `runtime = "dependency"` names this crate instead of a copy.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "client")]
#[path = "lib.rs"]
mod client;

#[cfg(feature = "client")]
pub use client::*;

pub mod sources;
