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
    /// Typed filter builders, keyed by the JSON pointer of the filter object schema.
    #[serde(default)]
    pub filters: BTreeMap<String, FilterConfig>,
    /// Hand-written files added to the crate verbatim: crate path → file path relative to the config.
    #[serde(default)]
    pub extra_files: BTreeMap<String, String>,
    /// Contents of `extra_files`, keyed by crate path; loaded by the caller (the generator does no I/O).
    #[serde(skip)]
    pub extra_file_contents: BTreeMap<String, String>,
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
