//! The generated crate's package metadata (name, library name, version, license), from the
//! config with defaults derived from the spec.

use serde::Serialize;

use crate::config::Config;
use crate::ir::Api;
use crate::naming::snake_ident;

/// Crate metadata after applying defaults.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub name: String,
    pub lib_name: String,
    pub version: String,
    pub description: String,
    pub license: String,
    pub repository: Option<String>,
    /// The TOML value of the README's `[dependencies]` line.
    pub dependency: String,
    /// The same with the `mock` feature, for `[dev-dependencies]`.
    pub mock_dependency: String,
}

impl Package {
    pub fn from_config(api: &Api, config: &Config) -> Self {
        let package = &config.package;
        let name = package.name.clone().unwrap_or_else(|| {
            let snake = snake_ident(&api.title)
                .trim_end_matches('_')
                .replace('_', "-");
            if snake.is_empty() {
                "api-client".to_owned()
            } else {
                format!("{snake}-client")
            }
        });
        let description = package.description.clone().unwrap_or_else(|| {
            format!("Typed async client for the {}", super::api_name(&api.title))
        });
        let version = package
            .version
            .clone()
            .unwrap_or_else(|| "0.1.0".to_owned());
        let dependency = match (&package.dependency, &package.repository) {
            (Some(line), _) => line.trim().to_owned(),
            (None, Some(repository)) => format!("{{ git = {} }}", toml_string(repository)),
            (None, None) => toml_string(&version),
        };
        let mock_dependency = match dependency.strip_suffix('}') {
            Some(table) => format!("{}, features = [\"mock\"] }}", table.trim_end()),
            None => format!("{{ version = {dependency}, features = [\"mock\"] }}"),
        };
        Self {
            lib_name: name.replace('-', "_"),
            name,
            version,
            dependency,
            mock_dependency,
            description: description.replace(['\n', '\r'], " "),
            license: package
                .license
                .clone()
                .unwrap_or_else(|| "MIT OR Apache-2.0".to_owned()),
            repository: package.repository.clone(),
        }
    }

    /// The runtime's package with `runtime = "crate"`: `<crate>-runtime`, versioned with the crate.
    pub fn runtime(&self) -> Package {
        Package {
            description: format!(
                "The runtime of `{}` (transport, retries, errors), generated beside it",
                self.name
            ),
            name: format!("{}-runtime", self.name),
            lib_name: format!("{}_runtime", self.lib_name),
            dependency: String::new(),
            mock_dependency: String::new(),
            ..self.clone()
        }
    }
}

/// A TOML basic string (JSON's escapes are TOML's).
pub(super) fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}
