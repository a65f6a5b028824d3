//! The generator's file-system edge, outside the pure pipeline: bundling a spec split over local
//! files ([`bundle`]) and writing or checking a generated crate's folder ([`write_files`],
//! [`check_files`]). Used by `xtask`, the CLI and [`crate::build`]; `generate` itself reads nothing.

mod bundle;
mod config;
mod output;

pub use bundle::{Bundle, bundle};
pub use config::{find_config, load_config, read_config, read_overlay, read_utf8};
pub use output::{Staleness, Written, check_files, relative_path, safe_join, write_files};
