//! A Pet Store client generated at build time by `generator::build::Builder` (see `build.rs`)
//! from `tests/fixtures/multi/petstore/`, a spec split over several files.
//!
//! The generated code names `crate::types`, `crate::Error` and so on, so it is included at the
//! crate root of a crate of its own.
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/petstore.rs"));
