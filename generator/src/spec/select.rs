//! `only`: generating part of an API. The operations a selection names (by tag, operationId or
//! path prefix) are kept in the document, every other operation is removed, and so is every
//! component the kept ones no longer reach (the crate root drops the config's sections about
//! them). Done on the JSON document before normalisation, so the rest of the pipeline sees an
//! ordinary, smaller spec.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;

use crate::error::{Diagnostic, Error};
use crate::pointer::{escape_token, lookup_pointer};

/// The HTTP methods of a path item.
const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// Component sections whose unreached entries are removed (security schemes always stay).
const SECTIONS: [&str; 9] = [
    "schemas",
    "parameters",
    "requestBodies",
    "responses",
    "headers",
    "examples",
    "links",
    "callbacks",
    "pathItems",
];

/// Which operations to keep: those matching any of the lists (the config's `only`).
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// Operations with any of these tags.
    pub tags: &'a [String],
    /// Operations with these `operationId`s.
    pub operations: &'a [String],
    /// Operations whose path starts with any of these.
    pub paths: &'a [String],
}

/// Keeps the operations `only` selects and what they reach; returns the kept operationIds.
///
/// # Errors
///
/// A selector that matches no operation, or a selection that leaves none.
pub(crate) fn select(document: &mut Value, only: Selection<'_>) -> Result<BTreeSet<String>, Error> {
    let mut matched = Matched::default();
    let mut kept_ids = BTreeSet::new();
    resolve_path_item_refs(document);
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let id = operation.get("operationId").and_then(Value::as_str);
                if matched.selects(only, path, operation) {
                    kept_ids.extend(id.map(str::to_owned));
                } else {
                    item.remove(method);
                }
            }
        }
        paths.retain(|_, item| METHODS.iter().any(|method| item.get(*method).is_some()));
    }
    let mut problems = matched.unmatched(only);
    if problems.is_empty() && !has_operations(document) {
        problems.push(
            Diagnostic::new("config:only", "the selection keeps no operation")
                .with_hint("name a tag, operationId or path prefix the spec has"),
        );
    }
    if !problems.is_empty() {
        return Err(Error {
            diagnostics: problems,
        });
    }
    prune_components(document);
    Ok(kept_ids)
}

fn has_operations(document: &Value) -> bool {
    document
        .get("paths")
        .and_then(Value::as_object)
        .is_some_and(|paths| {
            paths
                .values()
                .any(|item| METHODS.iter().any(|method| item.get(*method).is_some()))
        })
}

/// Path items written as a `$ref` are copied in place, so their operations can be filtered
/// without touching the shared original.
fn resolve_path_item_refs(document: &mut Value) {
    let snapshot = document.clone();
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for item in paths.values_mut() {
            let target = item
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| lookup_pointer(&snapshot, reference));
            if let Some(target) = target {
                *item = target.clone();
            }
        }
    }
}

/// Which selectors matched an operation.
#[derive(Default)]
struct Matched {
    tags: BTreeSet<String>,
    operations: BTreeSet<String>,
    paths: BTreeSet<String>,
}

impl Matched {
    fn selects(&mut self, only: Selection<'_>, path: &str, operation: &Value) -> bool {
        let mut selected = false;
        if let Some(tags) = operation.get("tags").and_then(Value::as_array) {
            for tag in tags.iter().filter_map(Value::as_str) {
                if only.tags.iter().any(|wanted| wanted == tag) {
                    self.tags.insert(tag.to_owned());
                    selected = true;
                }
            }
        }
        if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
            if only.operations.iter().any(|wanted| wanted == id) {
                self.operations.insert(id.to_owned());
                selected = true;
            }
        }
        for prefix in only.paths {
            if path.starts_with(prefix.as_str()) {
                self.paths.insert(prefix.clone());
                selected = true;
            }
        }
        selected
    }

    /// An error per selector that matched nothing: a typo must not silently generate less.
    fn unmatched(&self, only: Selection<'_>) -> Vec<Diagnostic> {
        let missing = |wanted: &[String], found: &BTreeSet<String>, what: &str, key: &str| {
            wanted
                .iter()
                .filter(|name| !found.contains(*name))
                .map(|name| {
                    Diagnostic::new(
                        format!("config:only.{key}"),
                        format!("no operation has {what} `{name}`"),
                    )
                    .with_hint(
                        "check the spelling against the spec, or remove it from the selection",
                    )
                })
                .collect::<Vec<_>>()
        };
        let mut problems = missing(only.tags, &self.tags, "tag", "tags");
        problems.extend(missing(
            only.operations,
            &self.operations,
            "operationId",
            "operations",
        ));
        problems.extend(missing(
            only.paths,
            &self.paths,
            "a path starting with",
            "paths",
        ));
        problems
    }
}

/// Removes every component entry that nothing outside `components` reaches through `$ref`s
/// (or discriminator mappings), following references transitively.
fn prune_components(document: &mut Value) {
    let reached = reached_components(document);
    if let Some(Value::Object(components)) = document.get_mut("components") {
        for section in SECTIONS {
            if let Some(Value::Object(entries)) = components.get_mut(section) {
                entries.retain(|name, _| reached.contains(&(section.to_owned(), name.clone())));
            }
        }
    }
}

/// (section, name) of every component reached from outside `components`.
fn reached_components(document: &Value) -> BTreeSet<(String, String)> {
    let mut reached = BTreeSet::new();
    let mut queue: VecDeque<&Value> = VecDeque::new();
    if let Some(root) = document.as_object() {
        queue.extend(
            root.iter()
                .filter(|(key, _)| key.as_str() != "components")
                .map(|(_, value)| value),
        );
    }
    let components = document.get("components");
    while let Some(value) = queue.pop_front() {
        match value {
            Value::Object(object) => {
                for (key, child) in object {
                    match (key.as_str(), child) {
                        ("$ref", Value::String(reference)) => {
                            visit(components, reference, &mut reached, &mut queue);
                        }
                        ("mapping", Value::Object(mapping)) => {
                            for target in mapping.values().filter_map(Value::as_str) {
                                let reference = if target.starts_with('#') {
                                    target.to_owned()
                                } else {
                                    format!("#/components/schemas/{}", escape_token(target))
                                };
                                visit(components, &reference, &mut reached, &mut queue);
                            }
                        }
                        _ => queue.push_back(child),
                    }
                }
            }
            Value::Array(items) => queue.extend(items),
            _ => {}
        }
    }
    reached
}

/// Marks the component `reference` names as reached, queueing it the first time.
fn visit<'v>(
    components: Option<&'v Value>,
    reference: &str,
    reached: &mut BTreeSet<(String, String)>,
    queue: &mut VecDeque<&'v Value>,
) {
    let Some(rest) = reference.strip_prefix("#/components/") else {
        return;
    };
    let mut parts = rest.splitn(3, '/');
    let (Some(section), Some(name)) = (parts.next(), parts.next()) else {
        return;
    };
    let name = name.replace("~1", "/").replace("~0", "~");
    let entry = components
        .and_then(|c| c.get(section))
        .and_then(|entries| entries.get(&name));
    if reached.insert((section.to_owned(), name)) {
        queue.extend(entry);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn selection<'a>(tags: &'a [String], operations: &'a [String]) -> Selection<'a> {
        Selection {
            tags,
            operations,
            paths: &[],
        }
    }

    #[test]
    fn kept_operations_reach_components_through_refs_mappings_and_path_item_refs() {
        let mut document = json!({
            "openapi": "3.0.3",
            "paths": {
                "/pets": {"$ref": "#/components/pathItems/Pets"},
                "/owners": {"get": {"operationId": "listOwners", "responses": {"200": {"$ref": "#/components/responses/Owners"}}}}
            },
            "components": {
                "pathItems": {"Pets": {
                    "get": {"operationId": "listPets", "tags": ["pets"], "parameters": [{"$ref": "#/components/parameters/Limit"}],
                            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}},
                    "post": {"operationId": "addPet", "requestBody": {"$ref": "#/components/requestBodies/NewPet"}, "responses": {"201": {"description": "ok"}}}
                }},
                "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"$ref": "#/components/schemas/Count"}}},
                "requestBodies": {"NewPet": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}}},
                "responses": {"Owners": {"description": "ok"}},
                "schemas": {
                    "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}], "discriminator": {"propertyName": "kind", "mapping": {"dog": "Dog"}}},
                    "Cat": {"type": "object", "properties": {"toy": {"$ref": "#/components/schemas/Toy"}}},
                    "Dog": {"type": "object"},
                    "Toy": {"type": "string"},
                    "Count": {"type": "integer"},
                    "NewPet": {"type": "object"},
                    "Unused": {"type": "object"}
                }
            }
        });
        let tags = ["pets".to_owned()];
        let kept = select(&mut document, selection(&tags, &[])).expect("selects");
        assert_eq!(kept.into_iter().collect::<Vec<_>>(), ["listPets"]);
        let paths = document["paths"].as_object().unwrap();
        assert_eq!(paths.keys().collect::<Vec<_>>(), ["/pets"]);
        assert!(paths["/pets"].get("post").is_none(), "addPet is left out");
        let schemas: Vec<&String> = document["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            schemas,
            ["Pet", "Cat", "Dog", "Toy", "Count"],
            "in document order"
        );
        assert!(
            document["components"]["requestBodies"]
                .as_object()
                .unwrap()
                .is_empty()
        );
        assert!(
            document["components"]["responses"]
                .as_object()
                .unwrap()
                .is_empty()
        );
        // The shared path item is copied, not filtered in place, and unreached: removed.
        assert!(
            document["components"]["pathItems"]
                .as_object()
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn nothing_selected_is_an_error() {
        let mut document = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"operationId": "a", "responses": {}}}}});
        let missing = ["b".to_owned()];
        let error = select(&mut document, selection(&[], &missing)).expect_err("no match");
        assert!(
            error
                .to_string()
                .contains("no operation has operationId `b`"),
            "{error}"
        );
    }
}
