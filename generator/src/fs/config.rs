//! Reading a codegen config file with the files it names (overlays, extra files).

use std::path::Path;

use crate::Config;
use crate::error::{Diagnostic, Error};

/// Reads the codegen config at `path` and the overlays and extra files it lists (relative to it).
///
/// # Errors
///
/// An unreadable file or invalid TOML, named.
pub fn read_config(path: &Path) -> Result<Config, Error> {
    let label = path.display().to_string();
    let mut config = Config::from_toml(&read_utf8(path)?).map_err(|mut diagnostic| {
        diagnostic.message = format!("{label}: {}", diagnostic.message);
        Error::from(diagnostic)
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    config.load_extra_files(|source| read_utf8(&dir.join(source)))?;
    config.load_overlays(|source| read_utf8(&dir.join(source)))?;
    Ok(config)
}

/// A UTF-8 text file, or an error naming it.
pub fn read_utf8(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|error| {
        Error::from(
            Diagnostic::new("#", format!("cannot read {}: {error}", path.display()))
                .with_hint("check the path"),
        )
    })?;
    crate::decode_spec(&bytes)
        .map(str::to_owned)
        .map_err(|mut error| {
            for diagnostic in &mut error.diagnostics {
                diagnostic.message = format!("{}: {}", path.display(), diagnostic.message);
            }
            error
        })
}
