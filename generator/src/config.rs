//! The codegen config: every choice that is specific to one API or crate lives here, not in code.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Diagnostic;
use crate::spec::OverlaySource;

/// Settings read from the codegen config file beside the spec (e.g. `spec/codegen.toml`).
///
/// Every field has a default, so a spec without a config still generates a crate.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Metadata of the generated crate.
    #[serde(default)]
    pub package: PackageConfig,
    /// The response envelope the API wraps every payload in, if any.
    pub envelope: Option<EnvelopeConfig>,
    /// Rust names for schemas, keyed by JSON pointer (`#/components/schemas/X/properties/y`).
    #[serde(default)]
    pub type_names: BTreeMap<String, String>,
    /// Per-operation settings, keyed by `operationId`.
    #[serde(default)]
    pub operations: BTreeMap<String, OperationConfig>,
    /// Typed filter builders, keyed by the JSON pointer of the filter object schema.
    #[serde(default)]
    pub filters: BTreeMap<String, FilterConfig>,
    /// Emit a wire-test suite (`tests/wire.rs`) that calls every operation against a mock server.
    #[serde(default)]
    pub wire_tests: bool,
    /// Hand-written files added to the crate verbatim: crate path → file path relative to the config.
    #[serde(default)]
    pub extra_files: BTreeMap<String, String>,
    /// Contents of `extra_files`, keyed by crate path; loaded by the caller (the generator does no I/O).
    #[serde(skip)]
    pub extra_file_contents: BTreeMap<String, String>,
    /// OpenAPI Overlay 1.0 documents applied in order to the spec before generation, as paths
    /// relative to the config file (the verbatim spec is never edited).
    #[serde(default)]
    pub overlays: Vec<String>,
    /// The overlays' contents in the order they apply (the config's, then any given on the
    /// command line); loaded by the caller with [`Config::load_overlays`].
    #[serde(skip)]
    pub overlay_sources: Vec<OverlaySource>,
    /// The overlays as they were when the previous spec was generated (e.g. read from git), for
    /// the API change report; `None` means the same as `overlay_sources`.
    #[serde(skip)]
    pub previous_overlay_sources: Option<Vec<OverlaySource>>,
    /// How generated headers name the spec (e.g. `spec/gainsight-cta.yaml`); set by the caller, not the file.
    #[serde(skip)]
    pub source_label: Option<String>,
}

/// Metadata of the generated crate; unset fields are derived from the spec's `info`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackageConfig {
    /// Crate name (kebab-case); default: the spec title in kebab-case.
    pub name: Option<String>,
    /// Crate version; default `0.1.0`.
    pub version: Option<String>,
    /// One-line crate description; default: the spec title.
    pub description: Option<String>,
    /// SPDX license expression; default `MIT OR Apache-2.0`.
    pub license: Option<String>,
    /// Repository URL for the crate metadata.
    pub repository: Option<String>,
}

/// Describes a response envelope such as `{"result": true, "data": {...}}`.
///
/// Operations whose success body declares the `data` property return that payload directly;
/// a false success flag on any status becomes an API error.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeConfig {
    /// Boolean property that is `false` when the call failed (e.g. `result`).
    pub success_flag: Option<String>,
    /// Property holding the payload (e.g. `data`).
    pub data: String,
    /// Property holding the server's error code (e.g. `errorCode`).
    pub error_code: Option<String>,
    /// Property holding the server's error message (e.g. `errorDesc`).
    pub error_message: Option<String>,
    /// Property holding the server's request id (e.g. `requestId`).
    pub request_id: Option<String>,
}

/// Settings of one operation.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OperationConfig {
    /// Rust method name to use instead of the snake_case operationId.
    pub method_name: Option<String>,
    /// Marks a non-GET operation as safe to send twice (e.g. a read-only search POST).
    pub idempotent: Option<bool>,
    /// Declares the operation paginated, which adds `<method>_stream` and `<method>_all`.
    pub pagination: Option<PaginationConfig>,
}

/// Offset/limit pagination of one operation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationConfig {
    /// Request property (body field or query parameter) holding the page size.
    pub limit: String,
    /// Request property (body field or query parameter) holding the offset.
    pub offset: String,
    /// Property of the response payload holding the page's items (an array).
    pub items: String,
    /// Property of the response payload holding the total number of items, if the API reports it.
    pub total: Option<String>,
    /// Page size used when the request does not set one; default 50.
    pub default_page_size: Option<u32>,
}

/// A filter object made of labelled conditions and a boolean expression over the labels.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterConfig {
    /// Array property of the filter holding the conditions.
    pub conditions: String,
    /// String property of the filter holding the expression (`A AND (B OR C)`).
    pub expression: String,
    /// Property of a condition naming the field it tests.
    pub field: String,
    /// Property of a condition holding the operator (a string enum).
    pub operator: String,
    /// Property of a condition holding the value.
    pub value: String,
    /// Operators whose value is a list (`IN`, `NOT_IN`).
    #[serde(default)]
    pub list_operators: Vec<String>,
}

impl Config {
    /// Fills `extra_file_contents` by calling `read` (the caller's I/O) on each source path.
    ///
    /// # Errors
    ///
    /// The first error `read` returns.
    pub fn load_extra_files<E>(
        &mut self,
        mut read: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<(), E> {
        for (destination, source) in &self.extra_files {
            self.extra_file_contents
                .insert(destination.clone(), read(source)?);
        }
        Ok(())
    }

    /// Fills `overlay_sources` from `overlays` by calling `read` (the caller's I/O) on each path.
    ///
    /// # Errors
    ///
    /// The first error `read` returns.
    pub fn load_overlays<E>(
        &mut self,
        mut read: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<(), E> {
        for path in &self.overlays {
            self.overlay_sources.push(OverlaySource {
                label: path.clone(),
                text: read(path)?,
            });
        }
        Ok(())
    }

    /// Parses a config from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, Diagnostic> {
        toml::from_str(text).map_err(|error| {
            Diagnostic::new(
                "config",
                format!("invalid codegen config: {}", error.message().trim()),
            )
            .with_hint(match error.span() {
                Some(span) => format!("fix the config near byte {}", span.start),
                None => "fix the config file".to_owned(),
            })
        })
    }
}

/// Rewrites the `version` of the `[package]` table in config text, keeping everything else as written.
pub fn set_package_version(text: &str, version: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut in_package = false;
    let mut done = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if in_package && !done {
                out.push_str(&format!("version = \"{version}\"\n"));
                done = true;
            }
            in_package = trimmed == "[package]";
        }
        if in_package
            && !done
            && trimmed.starts_with("version")
            && trimmed[7..].trim_start().starts_with('=')
        {
            out.push_str(&format!("version = \"{version}\"\n"));
            done = true;
            continue;
        }
        out.push_str(line);
    }
    if !done {
        if !in_package {
            out.push_str("\n[package]\n");
        }
        out.push_str(&format!("version = \"{version}\"\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_version_is_rewritten_in_place() {
        let text = "# c\n[package]\nname = \"x\"\nversion = \"0.1.0\" # note\n\n[envelope]\ndata = \"d\"\n";
        let updated = set_package_version(text, "0.2.0");
        assert_eq!(
            updated,
            "# c\n[package]\nname = \"x\"\nversion = \"0.2.0\"\n\n[envelope]\ndata = \"d\"\n"
        );
        assert_eq!(
            Config::from_toml(&updated)
                .ok()
                .and_then(|c| c.package.version)
                .as_deref(),
            Some("0.2.0")
        );
        assert_eq!(
            set_package_version("[package]\nname = \"x\"\n[other]\n", "1.0.0"),
            "[package]\nname = \"x\"\nversion = \"1.0.0\"\n[other]\n"
        );
        assert_eq!(
            set_package_version("", "1.0.0"),
            "\n[package]\nversion = \"1.0.0\"\n"
        );
    }
}
