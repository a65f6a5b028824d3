//! The codegen config: every choice that is specific to one API or crate lives here, not in code.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Diagnostic;

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
}

impl Config {
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
