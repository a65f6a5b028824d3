//! Loading a spec: text → JSON value → overlays → Swagger 2.0 conversion → 3.1/3.2-to-3.0
//! normalisation → `openapiv3::OpenAPI`.

mod load;
mod normalize;
mod origin;
mod overlay;
mod select;
mod swagger2;
mod text;

pub(crate) use load::load_selected;
pub use load::{LoadedSpec, ParsedSpec, load, normalize_parsed, parse};
pub use origin::Origins;
pub use overlay::OverlaySource;
pub(crate) use select::Selection;
pub(crate) use text::parse_text;

/// Whether a `#/...` pointer names a node of the loaded document.
pub fn pointer_exists(spec: &LoadedSpec, pointer: &str) -> bool {
    crate::pointer::lookup_pointer(&spec.raw, pointer).is_some()
}
