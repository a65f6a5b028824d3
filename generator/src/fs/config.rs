//! Reading a codegen config file with the files it names (overlays, extra files).

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error};
use crate::{Config, OverlaySource};

/// The config for `spec`: `explicit`, else `codegen.toml` beside the spec when there is one.
pub fn find_config(explicit: Option<&Path>, spec: &Path) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| Some(spec.with_file_name("codegen.toml")).filter(|path| path.is_file()))
}

/// The config [`find_config`] names, read with [`read_config`], or the defaults when there is
/// none; with the file it came from.
///
/// # Errors
///
/// As for [`read_config`].
pub fn load_config(
    explicit: Option<&Path>,
    spec: &Path,
) -> Result<(Config, Option<PathBuf>), Error> {
    match find_config(explicit, spec) {
        Some(path) => Ok((read_config(&path)?, Some(path))),
        None => Ok((Config::default(), None)),
    }
}

/// An overlay file given by path (e.g. on a command line), labelled as given.
///
/// # Errors
///
/// An unreadable file, named.
pub fn read_overlay(path: &Path) -> Result<OverlaySource, Error> {
    Ok(OverlaySource {
        label: path.display().to_string(),
        text: read_utf8(path)?,
    })
}

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
