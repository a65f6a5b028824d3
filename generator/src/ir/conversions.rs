//! Conversions from a fetched record to the body that updates it (`Cta` → `CtaInput`): found
//! where a request body and a response of the same resource have matching fields, or declared
//! in the config.

use super::{Api, ExtraFields, HttpMethod, StructType, TypeId, TypeKind, TypeRef};
use crate::config::Config;
use crate::error::Diagnostic;

/// A conversion from a response type to a request type whose every field it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The response type.
    pub from: TypeId,
    /// The request body type.
    pub to: TypeId,
    /// For each field of `to`, in order: where its value comes from.
    pub fields: Vec<FieldSource>,
}

/// Where one field of the request type gets its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSource {
    /// The response's field of this index, as it is (both optional, or both required).
    Same(usize),
    /// A required response field into an optional request field.
    Some(usize),
    /// An optional response field into a required request field: absent, the conversion fails.
    Required(usize),
    /// The request's undeclared properties start empty: a record's custom fields may include
    /// ones only the server writes.
    EmptyExtra,
}

/// Finds the conversions: each request body (a struct) with each response of its own operation
/// or of a `GET` of the same path, when the response has every field it needs; and those the
/// config's `conversions` declare, where a mismatch is an error.
pub(super) fn find(api: &Api, config: &Config, errors: &mut Vec<Diagnostic>) -> Vec<Conversion> {
    let mut pairs: Vec<(TypeId, TypeId)> = Vec::new();
    // The `GET`s by path, as indices: looked up per operation rather than searched (Graph has
    // 11,422 operations).
    let mut gets: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (index, op) in api.operations.iter().enumerate() {
        if op.http_method == HttpMethod::Get {
            gets.entry(op.path_template.as_str())
                .or_default()
                .push(index);
        }
    }
    for (index, op) in api.operations.iter().enumerate() {
        let Some(TypeRef::Named(to)) = op.body.as_ref().map(|body| &body.ty) else {
            continue;
        };
        // The operation itself and the `GET`s of its path, in spec order.
        let mut same_resource: Vec<usize> = gets
            .get(op.path_template.as_str())
            .cloned()
            .unwrap_or_default();
        same_resource.push(index);
        same_resource.sort_unstable();
        same_resource.dedup();
        let same_resource = same_resource
            .into_iter()
            .filter_map(|index| api.operations.get(index));
        for other in same_resource {
            if let Some(TypeRef::Named(from)) = &other.response.ty {
                if from != to && !pairs.contains(&(*from, *to)) {
                    pairs.push((*from, *to));
                }
            }
        }
    }
    let mut conversions: Vec<Conversion> = pairs
        .into_iter()
        .filter_map(|(from, to)| conversion(api, from, to).ok())
        .collect();
    for (index, declared) in config.conversions.iter().enumerate() {
        let at = format!("codegen.toml: conversions[{index}]");
        let named = |name: &str| {
            api.defined_types()
                .find(|(_, def)| def.name.trim_start_matches("r#") == name)
                .map(|(id, _)| id)
        };
        let (Some(from), Some(to)) = (named(&declared.from), named(&declared.to)) else {
            errors.push(
                Diagnostic::new(
                    &at,
                    format!("no type named `{}` or `{}`", declared.from, declared.to),
                )
                .with_hint("use the Rust names of two generated structs"),
            );
            continue;
        };
        match conversion(api, from, to) {
            Ok(found) if !conversions.contains(&found) => conversions.push(found),
            Ok(_) => {}
            Err(why) => errors.push(
                Diagnostic::new(
                    &at,
                    format!("`{}` cannot become `{}`: {why}", declared.from, declared.to),
                )
                .with_hint("declare only pairs whose fields match by JSON name and type"),
            ),
        }
    }
    conversions.sort_by_key(|c| (c.to.index(), c.from.index()));
    conversions
}

/// The field mapping from `from` to `to`, or why there is none.
fn conversion(api: &Api, from: TypeId, to: TypeId) -> Result<Conversion, String> {
    let (Some(source), Some(target)) = (struct_of(api, from), struct_of(api, to)) else {
        return Err("both must be structs".to_owned());
    };
    let mut fields = Vec::with_capacity(target.fields.len() + 1);
    for field in &target.fields {
        let Some(index) = source
            .fields
            .iter()
            .position(|f| f.json_name == field.json_name)
        else {
            return Err(format!("it has no `{}`", field.json_name));
        };
        let found = &source.fields[index];
        if found.ty != field.ty || found.boxed != field.boxed {
            return Err(format!("its `{}` has another type", field.json_name));
        }
        let optional = |f: &super::Field| !f.required || f.nullable;
        fields.push(match (optional(found), optional(field)) {
            (true, true) | (false, false) => FieldSource::Same(index),
            (false, true) => FieldSource::Some(index),
            (true, false) => FieldSource::Required(index),
        });
    }
    match target.extra {
        ExtraFields::Forbidden => {}
        ExtraFields::Any { .. } => fields.push(FieldSource::EmptyExtra),
        ExtraFields::Typed { .. } => {
            return Err("a map of typed undeclared properties is not converted".to_owned());
        }
    }
    Ok(Conversion { from, to, fields })
}

fn struct_of(api: &Api, id: TypeId) -> Option<&StructType> {
    match &api.type_def(id)?.kind {
        TypeKind::Struct(s) => Some(s),
        _ => None,
    }
}
