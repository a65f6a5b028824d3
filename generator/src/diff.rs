//! API change report: compares the IR of two specs and classifies each change for a Rust consumer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::ir::{Api, Body, ExtraFields, Operation, TypeDef, TypeKind, TypeRef};

/// Whether a change can break code that uses the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Existing code may stop compiling or behave differently.
    Breaking,
    /// Existing code keeps compiling and working.
    Compatible,
}

/// One change between two versions of an API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Breaking or compatible.
    pub impact: Impact,
    /// What kind of thing changed (`operation`, `parameter`, `field`, `enum value`, `type`, `body`, `response`).
    pub kind: &'static str,
    /// Where, in Rust terms (`Client::get_cta`, `types::CtaInput::is_important`).
    pub item: String,
    /// What happened, in one line.
    pub description: String,
}

/// All changes, breaking first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApiDiff {
    /// The changes, sorted.
    pub changes: Vec<Change>,
}

/// The semver step a set of changes calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Breaking changes.
    Major,
    /// Additions.
    Minor,
    /// Nothing visible to Rust code (documentation, metadata).
    Patch,
}

impl ApiDiff {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.impact == Impact::Breaking)
    }

    /// The semver step for these changes.
    pub fn bump(&self) -> Bump {
        if self.is_breaking() {
            Bump::Major
        } else if self.changes.is_empty() {
            Bump::Patch
        } else {
            Bump::Minor
        }
    }

    /// The report as plain text, one change per line.
    pub fn to_text(&self) -> String {
        if self.changes.is_empty() {
            return "No API changes.\n".to_owned();
        }
        let breaking = self
            .changes
            .iter()
            .filter(|c| c.impact == Impact::Breaking)
            .count();
        let mut out = format!(
            "{} API change(s), {breaking} breaking:\n",
            self.changes.len()
        );
        for change in &self.changes {
            let tag = match change.impact {
                Impact::Breaking => "BREAKING  ",
                Impact::Compatible => "compatible",
            };
            let _ = writeln!(
                out,
                "  {tag} {} {}: {}",
                change.kind, change.item, change.description
            );
        }
        out
    }

    /// The report as a Markdown changelog section.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for (impact, title) in [
            (Impact::Breaking, "Breaking changes"),
            (Impact::Compatible, "Compatible changes"),
        ] {
            let changes: Vec<&Change> =
                self.changes.iter().filter(|c| c.impact == impact).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {title}\n");
            for change in changes {
                let _ = writeln!(
                    out,
                    "- {} `{}`: {}",
                    change.kind, change.item, change.description
                );
            }
            out.push('\n');
        }
        if out.is_empty() {
            out.push_str("No changes to the Rust API (documentation or metadata only).\n\n");
        }
        out
    }
}

/// Applies a semver step to `version` (`x.y.z`); while `0.x`, breaking bumps the minor and additions the patch.
pub fn bump_version(version: &str, bump: Bump) -> String {
    let mut parts = version
        .split(['-', '+'])
        .next()
        .unwrap_or_default()
        .split('.')
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor, patch) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    match (bump, major) {
        (Bump::Major, 0) => format!("0.{}.0", minor + 1),
        (Bump::Major, _) => format!("{}.0.0", major + 1),
        (Bump::Minor, 0) | (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
        (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
    }
}

/// Compares two lowered APIs.
pub fn diff(old: &Api, new: &Api) -> ApiDiff {
    let mut changes = Vec::new();
    let old_usage = Usage::of(old);
    let new_usage = Usage::of(new);
    diff_operations(old, new, &mut changes);
    diff_types(old, new, &old_usage, &new_usage, &mut changes);
    changes.sort();
    changes.dedup();
    ApiDiff { changes }
}

fn change(
    impact: Impact,
    kind: &'static str,
    item: impl Into<String>,
    description: impl Into<String>,
) -> Change {
    Change {
        impact,
        kind,
        item: item.into(),
        description: description.into(),
    }
}

/// A type reference rendered with type names, so two specs can be compared.
fn render(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Date => "NaiveDate".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Integer { bits } => format!("i{bits}"),
        TypeRef::Number { bits } => format!("f{bits}"),
        TypeRef::Boolean => "bool".into(),
        TypeRef::Any => "Value".into(),
        TypeRef::Bytes => "Vec<u8>".into(),
        TypeRef::Named(id) => api
            .type_def(*id)
            .map_or_else(|| "?".into(), |t| t.name.clone()),
        TypeRef::Array(inner) => format!("Vec<{}>", render(api, inner)),
        TypeRef::Map(inner) => format!("Map<String, {}>", render(api, inner)),
        TypeRef::Nullable(inner) => format!("Option<{}>", render(api, inner)),
    }
}

fn diff_operations(old: &Api, new: &Api, changes: &mut Vec<Change>) {
    let old_ops: BTreeMap<&str, &Operation> = old
        .operations
        .iter()
        .map(|o| (o.operation_id.as_str(), o))
        .collect();
    let new_ops: BTreeMap<&str, &Operation> = new
        .operations
        .iter()
        .map(|o| (o.operation_id.as_str(), o))
        .collect();
    let endpoint = |op: &Operation| (op.http_method, op.path_template.clone());
    for (id, op) in &old_ops {
        if new_ops.contains_key(id) {
            continue;
        }
        let renamed = new.operations.iter().find(|n| {
            !old_ops.contains_key(n.operation_id.as_str()) && endpoint(n) == endpoint(op)
        });
        match renamed {
            Some(new_op) => changes.push(change(
                Impact::Breaking,
                "operation",
                format!("Client::{}", op.method_name),
                format!(
                    "renamed to `Client::{}` (operationId `{id}` → `{}`)",
                    new_op.method_name, new_op.operation_id
                ),
            )),
            None => changes.push(change(
                Impact::Breaking,
                "operation",
                format!("Client::{}", op.method_name),
                format!(
                    "removed (`{} {}`)",
                    op.http_method.as_str(),
                    op.path_template
                ),
            )),
        }
    }
    for (id, op) in &new_ops {
        match old_ops.get(id) {
            None => {
                let renamed = old.operations.iter().any(|o| {
                    !new_ops.contains_key(o.operation_id.as_str()) && endpoint(o) == endpoint(op)
                });
                if !renamed {
                    changes.push(change(
                        Impact::Compatible,
                        "operation",
                        format!("Client::{}", op.method_name),
                        format!("added (`{} {}`)", op.http_method.as_str(), op.path_template),
                    ));
                }
            }
            Some(old_op) => diff_operation(old, new, old_op, op, changes),
        }
    }
}

fn diff_operation(
    old: &Api,
    new: &Api,
    old_op: &Operation,
    op: &Operation,
    changes: &mut Vec<Change>,
) {
    let item = format!("Client::{}", op.method_name);
    if old_op.method_name != op.method_name {
        changes.push(change(
            Impact::Breaking,
            "operation",
            &item,
            format!("method renamed from `{}`", old_op.method_name),
        ));
    }
    for param in &old_op.params {
        match op
            .params
            .iter()
            .find(|p| p.name == param.name && p.location == param.location)
        {
            None => changes.push(change(
                Impact::Breaking,
                "parameter",
                &item,
                format!("parameter `{}` removed", param.name),
            )),
            Some(now) => {
                if now.required != param.required {
                    let how = if now.required {
                        "made required"
                    } else {
                        "made optional"
                    };
                    changes.push(change(
                        Impact::Breaking,
                        "parameter",
                        &item,
                        format!("parameter `{}` {how}", param.name),
                    ));
                }
                let (before, after) = (render(old, &param.ty), render(new, &now.ty));
                if before != after {
                    changes.push(change(
                        Impact::Breaking,
                        "parameter",
                        &item,
                        format!(
                            "parameter `{}` changed type from `{before}` to `{after}`",
                            param.name
                        ),
                    ));
                }
            }
        }
    }
    for param in &op.params {
        if !old_op
            .params
            .iter()
            .any(|p| p.name == param.name && p.location == param.location)
        {
            let (impact, what) = if param.required {
                (Impact::Breaking, "required")
            } else {
                (Impact::Compatible, "optional")
            };
            changes.push(change(
                impact,
                "parameter",
                &item,
                format!("{what} parameter `{}` added", param.name),
            ));
        }
    }
    diff_body(
        old,
        new,
        old_op.body.as_ref(),
        op.body.as_ref(),
        &item,
        changes,
    );
    let before = old_op.response.ty.as_ref().map(|t| render(old, t));
    let after = op.response.ty.as_ref().map(|t| render(new, t));
    if before != after {
        changes.push(change(
            Impact::Breaking,
            "response",
            &item,
            format!(
                "returns `{}` instead of `{}`",
                after.unwrap_or_else(|| "()".into()),
                before.unwrap_or_else(|| "()".into())
            ),
        ));
    }
}

fn diff_body(
    old: &Api,
    new: &Api,
    before: Option<&Body>,
    after: Option<&Body>,
    item: &str,
    changes: &mut Vec<Change>,
) {
    match (before, after) {
        (None, Some(body)) => {
            let impact = if body.required {
                Impact::Breaking
            } else {
                Impact::Compatible
            };
            changes.push(change(impact, "body", item, "request body added"));
        }
        (Some(_), None) => changes.push(change(
            Impact::Breaking,
            "body",
            item,
            "request body removed",
        )),
        (Some(b), Some(a)) => {
            let (bt, at) = (render(old, &b.ty), render(new, &a.ty));
            if bt != at {
                changes.push(change(
                    Impact::Breaking,
                    "body",
                    item,
                    format!("request body changed from `{bt}` to `{at}`"),
                ));
            }
            if b.required != a.required {
                changes.push(change(
                    Impact::Breaking,
                    "body",
                    item,
                    if a.required {
                        "request body made required"
                    } else {
                        "request body made optional"
                    },
                ));
            }
        }
        (None, None) => {}
    }
}

/// Which types appear in requests (their required fields are the caller's to fill).
struct Usage {
    in_requests: BTreeSet<String>,
}

impl Usage {
    fn of(api: &Api) -> Self {
        let params = api
            .operations
            .iter()
            .flat_map(|op| &op.params)
            .map(|p| &p.ty);
        let bodies = api
            .operations
            .iter()
            .filter_map(|op| op.body.as_ref())
            .map(|b| &b.ty);
        let in_requests = api
            .reachable_types(params.chain(bodies))
            .into_iter()
            .filter_map(|id| api.type_def(id))
            .map(|def| def.name.clone())
            .collect();
        Self { in_requests }
    }
}

fn diff_types(
    old: &Api,
    new: &Api,
    old_usage: &Usage,
    new_usage: &Usage,
    changes: &mut Vec<Change>,
) {
    let old_types: BTreeMap<&str, &TypeDef> = old
        .defined_types()
        .map(|(_, t)| (t.name.as_str(), t))
        .collect();
    let new_types: BTreeMap<&str, &TypeDef> = new
        .defined_types()
        .map(|(_, t)| (t.name.as_str(), t))
        .collect();
    for name in old_types.keys() {
        if !new_types.contains_key(name) {
            changes.push(change(
                Impact::Breaking,
                "type",
                format!("types::{name}"),
                "removed",
            ));
        }
    }
    for (name, def) in &new_types {
        let Some(before) = old_types.get(name) else {
            changes.push(change(
                Impact::Compatible,
                "type",
                format!("types::{name}"),
                "added",
            ));
            continue;
        };
        let in_requests =
            old_usage.in_requests.contains(*name) || new_usage.in_requests.contains(*name);
        diff_type(old, new, before, def, in_requests, changes);
    }
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::StringEnum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "alias",
        TypeKind::Merged(_) => "merged",
    }
}

fn diff_type(
    old: &Api,
    new: &Api,
    before: &TypeDef,
    after: &TypeDef,
    in_requests: bool,
    changes: &mut Vec<Change>,
) {
    let item = format!("types::{}", after.name);
    match (&before.kind, &after.kind) {
        (TypeKind::Struct(b), TypeKind::Struct(a)) => {
            for field in &b.fields {
                let path = format!("{item}::{}", field.rust_name);
                match a.fields.iter().find(|f| f.json_name == field.json_name) {
                    None => changes.push(change(
                        Impact::Breaking,
                        "field",
                        path,
                        format!("`{}` removed", field.json_name),
                    )),
                    Some(now) => {
                        let (bt, at) = (render(old, &field.ty), render(new, &now.ty));
                        if bt != at {
                            changes.push(change(
                                Impact::Breaking,
                                "field",
                                &path,
                                format!("`{}` changed type from `{bt}` to `{at}`", field.json_name),
                            ));
                        }
                        let was = field.required && !field.nullable;
                        let is = now.required && !now.nullable;
                        if was != is {
                            let how = if is {
                                "made required (no longer an `Option`)"
                            } else {
                                "made optional (now an `Option`)"
                            };
                            changes.push(change(
                                Impact::Breaking,
                                "field",
                                &path,
                                format!("`{}` {how}", field.json_name),
                            ));
                        }
                    }
                }
            }
            for field in &a.fields {
                if b.fields.iter().any(|f| f.json_name == field.json_name) {
                    continue;
                }
                let path = format!("{item}::{}", field.rust_name);
                let required = field.required && !field.nullable;
                let (impact, what) = match (required, in_requests) {
                    (true, true) => (Impact::Breaking, "required field added to a request type"),
                    (true, false) => (
                        Impact::Compatible,
                        "required field added to a response-only type",
                    ),
                    (false, _) => (Impact::Compatible, "optional field added"),
                };
                changes.push(change(
                    impact,
                    "field",
                    path,
                    format!("`{}`: {what}", field.json_name),
                ));
            }
            if matches!(a.extra, ExtraFields::Forbidden)
                && !matches!(b.extra, ExtraFields::Forbidden)
            {
                changes.push(change(
                    Impact::Breaking,
                    "type",
                    &item,
                    "no longer keeps undeclared properties",
                ));
            }
        }
        (TypeKind::StringEnum(b), TypeKind::StringEnum(a)) => {
            for variant in b {
                if !a.iter().any(|v| v.value == variant.value) {
                    changes.push(change(
                        Impact::Breaking,
                        "enum value",
                        format!("{item}::{}", variant.rust_name),
                        format!("`{}` removed", variant.value),
                    ));
                }
            }
            for variant in a {
                if !b.iter().any(|v| v.value == variant.value) {
                    changes.push(change(
                        Impact::Compatible,
                        "enum value",
                        format!("{item}::{}", variant.rust_name),
                        format!("`{}` added (the enum is non-exhaustive; older crates decode it as `Unknown`)", variant.value),
                    ));
                }
            }
        }
        (TypeKind::Union(b), TypeKind::Union(a)) => {
            let render_all = |api: &Api, v: &[crate::ir::UnionVariant]| {
                v.iter().map(|v| render(api, &v.ty)).collect::<Vec<_>>()
            };
            if render_all(old, b) != render_all(new, a) {
                changes.push(change(
                    Impact::Breaking,
                    "type",
                    &item,
                    "alternatives of the union changed",
                ));
            }
        }
        (TypeKind::Alias(b), TypeKind::Alias(a)) => {
            let (bt, at) = (render(old, b), render(new, a));
            if bt != at {
                changes.push(change(
                    Impact::Breaking,
                    "type",
                    &item,
                    format!("now `{at}` instead of `{bt}`"),
                ));
            }
        }
        (b, a) => changes.push(change(
            Impact::Breaking,
            "type",
            &item,
            format!("changed from {} to {}", kind_name(b), kind_name(a)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_steps() {
        assert_eq!(bump_version("0.1.0", Bump::Major), "0.2.0");
        assert_eq!(bump_version("0.1.3", Bump::Minor), "0.1.4");
        assert_eq!(bump_version("1.4.2", Bump::Major), "2.0.0");
        assert_eq!(bump_version("1.4.2", Bump::Minor), "1.5.0");
        assert_eq!(bump_version("1.4.2", Bump::Patch), "1.4.3");
        assert_eq!(bump_version("1.4.2-beta.1", Bump::Patch), "1.4.3");
    }
}
