//! The parts a `multipart/form-data` body declares, read from the raw document for the docs.

use super::{FormPart, MAX_REF_HOPS};
use crate::pointer::lookup_pointer;

/// The parts a `multipart/form-data` schema declares: its properties and those of its `allOf`
/// members, following local `$ref`s. Best effort, for documentation: the body itself is built
/// by the caller, so an unusual schema only means a shorter list.
pub(super) fn form_parts(raw: &serde_json::Value, schema_pointer: &str) -> Vec<FormPart> {
    fn resolve<'a>(
        raw: &'a serde_json::Value,
        mut schema: &'a serde_json::Value,
    ) -> Option<&'a serde_json::Value> {
        for _ in 0..MAX_REF_HOPS {
            match schema.get("$ref").and_then(|r| r.as_str()) {
                Some(reference) => schema = lookup_pointer(raw, reference)?,
                None => return Some(schema),
            }
        }
        None
    }
    fn is_file(raw: &serde_json::Value, schema: &serde_json::Value) -> bool {
        let Some(schema) = resolve(raw, schema) else {
            return false;
        };
        let format = schema.get("format").and_then(|f| f.as_str());
        format == Some("binary")
            || schema.get("contentMediaType").is_some()
            || schema.get("items").is_some_and(|items| is_file(raw, items))
    }
    fn collect(
        raw: &serde_json::Value,
        schema: &serde_json::Value,
        depth: usize,
        parts: &mut Vec<FormPart>,
    ) {
        let Some(schema) = resolve(raw, schema).filter(|_| depth < 8) else {
            return;
        };
        let required: Vec<&str> = schema
            .get("required")
            .and_then(|r| r.as_array())
            .map(|r| r.iter().filter_map(|n| n.as_str()).collect())
            .unwrap_or_default();
        if let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) {
            for (name, property) in properties {
                if parts.iter().any(|p| &p.name == name) {
                    continue;
                }
                parts.push(FormPart {
                    name: name.clone(),
                    file: is_file(raw, property),
                    required: required.contains(&name.as_str()),
                });
            }
        }
        for member in schema
            .get("allOf")
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
        {
            collect(raw, member, depth + 1, parts);
        }
    }
    let mut parts = Vec::new();
    if let Some(schema) = lookup_pointer(raw, schema_pointer) {
        collect(raw, schema, 0, &mut parts);
    }
    parts
}
