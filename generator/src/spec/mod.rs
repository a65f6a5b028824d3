//! Loading a spec: text → JSON value → 3.1/3.2-to-3.0 normalisation → `openapiv3::OpenAPI`.

mod load;
mod normalize;

pub use load::{LoadedSpec, ParsedSpec, load, normalize_parsed, parse};

/// Whether a `#/...` pointer names a node of the loaded document.
pub fn pointer_exists(spec: &LoadedSpec, pointer: &str) -> bool {
    crate::pointer::lookup_pointer(&spec.raw, pointer).is_some()
}
