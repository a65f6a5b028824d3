//! OpenAPI Overlay Specification 1.0.0: ordered `update`/`remove` actions on JSONPath (RFC 9535)
//! targets, applied to the parsed document before anything else reads it.
//!
//! Merging follows the specification: an `update` on an object merges its properties in
//! (objects recursively, arrays concatenated, anything else replaced); on an array it appends
//! the value as one entry. Every node an overlay sets is recorded in [`Origins`], so a later
//! diagnostic about it names the overlay file and action instead of the spec.

use serde_json::{Map, Value};
use serde_json_path::{JsonPath, PathElement};

use crate::error::{Diagnostic, Error};
use crate::pointer::{escape_token, pointer_join};

use super::origin::Origins;

/// One overlay document: the text and the name diagnostics use for it (its path as configured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlaySource {
    /// How diagnostics name the file, e.g. `overlays/fix-contact.yaml`.
    pub label: String,
    /// The overlay document, YAML or JSON.
    pub text: String,
}

/// One step from a node to a child.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// Applies `overlays` to `document` in order, recording what each set in `origins`.
///
/// # Errors
///
/// An overlay that is not an Overlay 1.0 document, a target that is not valid JSONPath, an
/// update on a target that is neither an object nor an array, or a removal of the root; each
/// located in the overlay file.
pub fn apply_overlays(
    document: &mut Value,
    overlays: &[OverlaySource],
    origins: &mut Origins,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    for overlay in overlays {
        apply_one(document, overlay, origins, warnings)?;
    }
    Ok(())
}

fn apply_one(
    document: &mut Value,
    overlay: &OverlaySource,
    origins: &mut Origins,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    let label = overlay.label.as_str();
    let parsed = super::text::parse_text(&overlay.text).map_err(|error| Error {
        diagnostics: error
            .diagnostics
            .into_iter()
            .map(|d| Diagnostic {
                location: format!("{label}{}", d.location),
                ..d
            })
            .collect(),
    })?;
    let actions = check_header(&parsed, label)?;
    let mut errors = Vec::new();
    for (index, action) in actions.iter().enumerate() {
        let at = format!("{label}#/actions/{index}");
        if let Err(diagnostic) = apply_action(document, action, &at, origins, warnings) {
            errors.push(diagnostic);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error {
            diagnostics: errors,
        })
    }
}

/// Checks `overlay: 1.0.x` and returns the actions.
fn check_header<'v>(overlay: &'v Value, label: &str) -> Result<&'v [Value], Error> {
    let Some(root) = overlay.as_object() else {
        return Err(Diagnostic::new(
            format!("{label}#"),
            "an overlay must be a map with `overlay`, `info` and `actions`",
        )
        .into());
    };
    match root.get("overlay").and_then(Value::as_str) {
        Some(version) if version == "1.0" || version.starts_with("1.0.") => {}
        Some(version) => {
            return Err(Diagnostic::new(
                format!("{label}#/overlay"),
                format!("unsupported Overlay version `{version}`"),
            )
            .with_hint("this generator applies Overlay Specification 1.0.x documents")
            .into());
        }
        None => {
            return Err(Diagnostic::new(
                format!("{label}#"),
                "not an overlay: missing the `overlay` version field",
            )
            .with_hint("start the file with `overlay: 1.0.0`")
            .into());
        }
    }
    match root.get("actions") {
        Some(Value::Array(actions)) => Ok(actions),
        _ => Err(Diagnostic::new(
            format!("{label}#/actions"),
            "an overlay needs a list of `actions`",
        )
        .with_hint("add `actions:` with at least one `target` and `update` or `remove`")
        .into()),
    }
}

fn apply_action(
    document: &mut Value,
    action: &Value,
    at: &str,
    origins: &mut Origins,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), Diagnostic> {
    let Some(action) = action.as_object() else {
        return Err(Diagnostic::new(
            at,
            "an overlay action must be a map with `target`",
        ));
    };
    let target_at = format!("{at}/target");
    let Some(target) = action.get("target").and_then(Value::as_str) else {
        return Err(
            Diagnostic::new(target_at, "the action has no `target` string")
                .with_hint("set `target` to a JSONPath expression such as `$.info`"),
        );
    };
    let path = JsonPath::parse(target).map_err(|error| {
        Diagnostic::new(&target_at, format!("invalid JSONPath `{target}`: {error}"))
            .with_hint("write an RFC 9535 JSONPath expression starting with `$`")
    })?;
    let mut selected: Vec<Vec<Step>> = path
        .query_located(document)
        .locations()
        .map(|location| {
            location
                .iter()
                .map(|element| match element {
                    PathElement::Name(name) => Step::Key((*name).to_owned()),
                    PathElement::Index(index) => Step::Index(*index),
                })
                .collect()
        })
        .collect();
    selected.dedup();
    if selected.is_empty() {
        warnings.push(
            Diagnostic::new(
                target_at,
                format!("overlay target `{target}` matches nothing in the spec"),
            )
            .with_hint("the spec may have changed: fix or remove this action"),
        );
        return Ok(());
    }
    let remove = action.get("remove").and_then(Value::as_bool) == Some(true);
    match (remove, action.get("update")) {
        (true, _) => remove_nodes(document, selected, &target_at),
        (false, Some(update)) => {
            for steps in &selected {
                update_node(document, steps, update, &format!("{at}/update"), origins)?;
            }
            Ok(())
        }
        (false, None) => {
            warnings.push(
                Diagnostic::new(
                    at,
                    "the overlay action has neither `update` nor `remove: true`",
                )
                .with_hint("add what the action should do, or remove it"),
            );
            Ok(())
        }
    }
}

fn remove_nodes(
    document: &mut Value,
    mut selected: Vec<Vec<Step>>,
    target_at: &str,
) -> Result<(), Diagnostic> {
    // Deepest and highest-indexed first, so earlier removals never shift later ones.
    selected.sort();
    for steps in selected.iter().rev() {
        let Some((last, parents)) = steps.split_last() else {
            return Err(
                Diagnostic::new(target_at, "an overlay cannot remove the whole document")
                    .with_hint("target the nodes to remove, not `$`"),
            );
        };
        match (node_at(document, parents), last) {
            (Some(Value::Object(map)), Step::Key(key)) => {
                map.shift_remove(key);
            }
            (Some(Value::Array(items)), Step::Index(index)) if *index < items.len() => {
                items.remove(*index);
            }
            // Already gone with an ancestor removed by the same action.
            _ => {}
        }
    }
    Ok(())
}

fn update_node(
    document: &mut Value,
    steps: &[Step],
    update: &Value,
    update_at: &str,
    origins: &mut Origins,
) -> Result<(), Diagnostic> {
    let pointer = to_pointer(steps);
    let Some(node) = node_at(document, steps) else {
        return Ok(());
    };
    match node {
        Value::Object(target) => match update {
            Value::Object(update) => {
                merge_objects(target, update, &pointer, update_at, origins);
                Ok(())
            }
            _ => Err(Diagnostic::new(
                update_at,
                format!("the target {pointer} is an object, so `update` must be a map of properties to merge"),
            )),
        },
        Value::Array(items) => {
            origins.overlaid_by(
                format!("{pointer}/{}", items.len()),
                update_at.to_owned(),
            );
            items.push(update.clone());
            Ok(())
        }
        _ => Err(Diagnostic::new(
            update_at,
            format!("the target {pointer} is a single value; an update can only merge into an object or append to an array"),
        )
        .with_hint("target the object that holds the value and update that property")),
    }
}

fn merge_objects(
    target: &mut Map<String, Value>,
    update: &Map<String, Value>,
    pointer: &str,
    update_at: &str,
    origins: &mut Origins,
) {
    for (key, value) in update {
        let child_pointer = pointer_join(pointer, key);
        let child_at = pointer_join(update_at, key);
        match (target.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(value)) => {
                merge_objects(existing, value, &child_pointer, &child_at, origins);
            }
            (Some(Value::Array(existing)), Value::Array(values)) => {
                for (offset, item) in values.iter().enumerate() {
                    origins.overlaid_by(
                        format!("{child_pointer}/{}", existing.len()),
                        format!("{child_at}/{offset}"),
                    );
                    existing.push(item.clone());
                }
            }
            _ => {
                origins.overlaid_by(child_pointer, child_at);
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

fn node_at<'v>(document: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    let mut node = document;
    for step in steps {
        node = match (node, step) {
            (Value::Object(map), Step::Key(key)) => map.get_mut(key)?,
            (Value::Array(items), Step::Index(index)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(node)
}

fn to_pointer(steps: &[Step]) -> String {
    let mut pointer = String::from("#");
    for step in steps {
        pointer.push('/');
        match step {
            Step::Key(key) => pointer.push_str(&escape_token(key)),
            Step::Index(index) => pointer.push_str(&index.to_string()),
        }
    }
    pointer
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    fn overlay(text: &str) -> OverlaySource {
        OverlaySource {
            label: "fix.yaml".to_owned(),
            text: text.to_owned(),
        }
    }

    fn run(document: &mut Value, overlays: &[OverlaySource]) -> (Origins, Vec<Diagnostic>) {
        let mut origins = Origins::default();
        let mut warnings = Vec::new();
        apply_overlays(document, overlays, &mut origins, &mut warnings).unwrap();
        (origins, warnings)
    }

    #[test]
    fn update_merges_objects_deeply_and_appends_to_arrays() {
        let mut document = json!({
            "info": {"title": "T", "contact": {"name": "n", "email": ["x"]}},
            "tags": [{"name": "a"}]
        });
        let (origins, warnings) = run(
            &mut document,
            &[overlay(
                "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: {contact: {email: a@b.c}, x-note: 1}\n  - target: $.tags\n    update: {name: b}\n",
            )],
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            document,
            json!({
                "info": {"title": "T", "contact": {"name": "n", "email": "a@b.c"}, "x-note": 1},
                "tags": [{"name": "a"}, {"name": "b"}]
            })
        );
        assert_eq!(
            origins.locate("#/info/contact/email"),
            "fix.yaml#/actions/0/update/contact/email"
        );
        assert_eq!(
            origins.locate("#/tags/1/name"),
            "fix.yaml#/actions/1/update/name"
        );
        assert_eq!(origins.locate("#/info/contact/name"), "#/info/contact/name");
    }

    #[test]
    fn remove_takes_every_match_and_later_actions_see_earlier_ones() {
        let mut document = json!({"paths": {"/a": {"get": {}}, "/b": {"get": {}, "post": {}}}});
        let (_, warnings) = run(
            &mut document,
            &[
                overlay("overlay: 1.0.0\nactions:\n  - target: $.paths.*.get\n    remove: true\n"),
                overlay(
                    "overlay: 1.0.0\nactions:\n  - target: $.paths['/a']\n    remove: true\n  - target: $.paths['/b'].post\n    update: {operationId: make}\n",
                ),
            ],
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            document,
            json!({"paths": {"/b": {"post": {"operationId": "make"}}}})
        );
    }

    #[test]
    fn array_elements_are_removed_without_shifting_the_others() {
        let mut document = json!({"tags": [{"name": "a"}, {"name": "b"}, {"name": "c"}]});
        run(
            &mut document,
            &[overlay(
                "overlay: 1.0.0\nactions:\n  - target: $.tags[?@.name != 'b']\n    remove: true\n",
            )],
        );
        assert_eq!(document, json!({"tags": [{"name": "b"}]}));
    }

    #[test]
    fn a_target_that_matches_nothing_is_a_located_warning() {
        let mut document = json!({"paths": {}});
        let (_, warnings) = run(
            &mut document,
            &[overlay(
                "overlay: 1.0.0\nactions:\n  - target: $.paths['/gone']\n    remove: true\n",
            )],
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].location, "fix.yaml#/actions/0/target");
        assert!(
            warnings[0].message.contains("matches nothing"),
            "{warnings:?}"
        );
    }

    #[test]
    fn broken_overlays_are_errors_located_in_the_overlay() {
        let cases = [
            ("actions: []\n", "fix.yaml#"),
            ("overlay: 2.0.0\nactions: []\n", "fix.yaml#/overlay"),
            ("overlay: 1.0.0\n", "fix.yaml#/actions"),
            (
                "overlay: 1.0.0\nactions:\n  - target: $.[\n    remove: true\n",
                "fix.yaml#/actions/0/target",
            ),
            (
                "overlay: 1.0.0\nactions:\n  - target: $.info.title\n    update: {a: 1}\n",
                "fix.yaml#/actions/0/update",
            ),
            (
                "overlay: 1.0.0\nactions:\n  - target: $\n    remove: true\n",
                "fix.yaml#/actions/0/target",
            ),
            ("overlay: [1.0.0\n", "fix.yaml#"),
        ];
        for (text, location) in cases {
            let mut document = json!({"info": {"title": "T"}});
            let mut warnings = Vec::new();
            let error = apply_overlays(
                &mut document,
                &[overlay(text)],
                &mut Origins::default(),
                &mut warnings,
            )
            .unwrap_err();
            assert_eq!(error.diagnostics[0].location, location, "{text}: {error}");
        }
    }
}
