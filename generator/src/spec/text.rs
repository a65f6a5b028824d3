//! Spec and overlay text (YAML, or JSON for sharper errors) → a JSON value.

use serde_json::Value;

use crate::error::{Diagnostic, Error};

/// Parses YAML (a superset of JSON) or, when the text looks like JSON, JSON for sharper errors.
pub(crate) fn parse_text(text: &str) -> Result<Value, Error> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|error| {
            Diagnostic::new(
                "#",
                format!(
                    "invalid JSON at line {}, column {}: {error}",
                    error.line(),
                    error.column()
                ),
            )
            .with_hint("fix the JSON syntax")
            .into()
        });
    }
    let mut yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|error| {
        let position = error
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        Error::from(
            Diagnostic::new("#", format!("invalid YAML{position}: {error}"))
                .with_hint("fix the YAML syntax"),
        )
    })?;
    yaml.apply_merge().map_err(|error| {
        Error::from(Diagnostic::new(
            "#",
            format!("invalid YAML merge key: {error}"),
        ))
    })?;
    Ok(yaml_to_json(yaml))
}

/// Converts YAML to JSON; non-string keys (such as `200:` response codes) become strings.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(yaml_to_json).collect())
        }
        serde_yaml::Value::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (yaml_key_to_string(key), yaml_to_json(value)))
                .collect(),
        ),
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key_to_string(key: serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s,
        serde_yaml::Value::Null => "null".to_owned(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        other => serde_json::to_string(&yaml_to_json(other)).unwrap_or_default(),
    }
}
