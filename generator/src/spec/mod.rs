//! Loading a spec: text → JSON value → 3.1/3.2-to-3.0 normalisation → `openapiv3::OpenAPI`.

mod load;
mod normalize;

pub use load::{LoadedSpec, load};
