//! Bundling a spec split over local files (`$ref: ./schemas/pet.yaml#/Pet`) into one document,
//! before generation, so the pipeline itself never reads a file.
//!
//! Only files under the root spec's folder are read: a reference that leaves it (`../`, an
//! absolute path, a symlink pointing out) is refused, and URLs are never fetched. A schema from
//! another file becomes a component (`#/components/schemas/Pet`, or the root component that
//! referred to it); any other object (a parameter, a response, a path item) is copied where it is
//! referenced. Diagnostics about bundled parts name the file they came from.

use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Error};
use crate::pointer::{escape_token, lookup_pointer, pointer_join, unescape_token};
use crate::spec::{Origins, parse_text};

/// More files than any real description is split into: a guard against runaway input.
const MAX_FILES: usize = 2_000;
/// How deep non-schema objects may be copied into each other (deeper is a reference cycle).
const MAX_INLINE_DEPTH: usize = 32;

/// A spec read from its files as one document.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The document to generate from: the root file's own text when it refers to no other
    /// file, else the bundled document as JSON.
    pub text: String,
    /// The files read, relative to the root spec's folder, the root first.
    pub files: Vec<String>,
    origins: Origins,
}

impl Bundle {
    /// Where a location in the bundled document really is: `schemas/pet.yaml#/properties/id`
    /// for a node read from another file, the location unchanged for the root file's nodes.
    pub fn locate(&self, location: &str) -> String {
        self.origins.locate(location)
    }

    /// Rewrites each diagnostic's location with [`Bundle::locate`].
    pub fn relocate(&self, diagnostics: &mut [Diagnostic]) {
        self.origins.relocate(diagnostics);
    }
}

/// Reads the spec at `root` and every local file its `$ref`s name, into one document.
///
/// # Errors
///
/// Unreadable or unparsable files, references that leave the root folder or name a URL, and
/// missing targets, each located at the `$ref` (in the file it was written in).
pub fn bundle(root: &Path) -> Result<Bundle, Error> {
    // The root file's own locations stay plain pointers (`#/paths/...`); other files' are
    // prefixed with their path (`schemas/pet.yaml#/...`).
    let root_label = file_label(root);
    let root_text = read_text(root, &root_label, "")?;
    let root_file = root
        .canonicalize()
        .map_err(|e| io_error(&root_label, "", &e))?;
    let root_dir = root_file
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let document = parse_text(&root_text)?;
    if !has_file_refs(&document) {
        return Ok(Bundle {
            text: root_text,
            files: vec![root_label],
            origins: Origins::default(),
        });
    }
    let mut bundler = Bundler {
        root_dir,
        root_file: root_file.clone(),
        files: BTreeMap::new(),
        order: vec![root_label.clone()],
        schema_names: BTreeMap::new(),
        used_names: HashSet::new(),
        origins: Origins::default(),
        errors: Vec::new(),
        placed: Vec::new(),
    };
    bundler
        .files
        .insert(root_file.clone(), (root_label, document.clone()));
    let mut root_value = document;
    bundler.claim_root_components(&mut root_value);
    bundler.walk(&mut root_value, &root_file, "#", "#", 0);
    // Schemas placed as components, and the schemas they refer to in turn.
    let mut next = 0;
    while next < bundler.placed.len() {
        let (pointer, file, fragment) = bundler.placed[next].clone();
        next += 1;
        let Some(mut content) = bundler.target(&file, &fragment) else {
            continue;
        };
        let label = bundler.label(&file);
        bundler
            .origins
            .bundled_from(pointer.clone(), format!("{label}{fragment}"));
        bundler.walk(&mut content, &file, &pointer, &fragment, 0);
        set_component(&mut root_value, &pointer, content);
    }
    if !bundler.errors.is_empty() {
        // A reference met twice (a root component, then the walk over it) is reported once.
        let mut seen = HashSet::new();
        bundler
            .errors
            .retain(|d| seen.insert((d.location.clone(), d.message.clone())));
        return Err(Error {
            diagnostics: bundler.errors,
        });
    }
    let text = serde_json::to_string_pretty(&root_value).map_err(|e| {
        Error::from(Diagnostic::new(
            "#",
            format!("internal error writing the bundle: {e}"),
        ))
    })?;
    Ok(Bundle {
        text,
        files: bundler.order,
        origins: bundler.origins,
    })
}

struct Bundler {
    root_dir: PathBuf,
    root_file: PathBuf,
    /// Canonical path → (label relative to the root folder, parsed document).
    files: BTreeMap<PathBuf, (String, Value)>,
    order: Vec<String>,
    /// (file, fragment) of a schema → its component pointer in the bundle.
    schema_names: BTreeMap<(PathBuf, String), String>,
    used_names: HashSet<String>,
    origins: Origins,
    errors: Vec<Diagnostic>,
    /// Components to fill: (pointer, file, fragment), in the order they were named.
    placed: Vec<(String, PathBuf, String)>,
}

impl Bundler {
    /// Root components that are only a reference to another file (`Pet: {$ref: pet.yaml}`) take
    /// that file's schema under their own name.
    fn claim_root_components(&mut self, document: &mut Value) {
        let Some(schemas) = document
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        self.used_names.extend(schemas.keys().cloned());
        let root_file = self.root_file.clone();
        for (name, schema) in schemas.iter() {
            let Some(reference) = only_ref(schema) else {
                continue;
            };
            if reference.starts_with('#') {
                continue;
            }
            let site = pointer_join("#/components/schemas", name);
            let location = pointer_join(&site, "$ref");
            let Some((file, fragment)) = self.resolve(&root_file, reference, &location) else {
                continue;
            };
            self.schema_names
                .entry((file.clone(), fragment.clone()))
                .or_insert_with(|| {
                    self.placed.push((site.clone(), file, fragment));
                    site
                });
        }
    }

    /// Rewrites the references in `value`, which was read from `file` at `source` (a pointer
    /// in that file) and sits at `site` in the bundle.
    fn walk(&mut self, value: &mut Value, file: &Path, site: &str, source: &str, depth: usize) {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    let reference = reference.to_owned();
                    self.rewrite_ref(value, &reference, file, site, source, depth);
                    return;
                }
                for (key, child) in map.iter_mut() {
                    self.walk(
                        child,
                        file,
                        &pointer_join(site, key),
                        &pointer_join(source, key),
                        depth,
                    );
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter_mut().enumerate() {
                    let token = index.to_string();
                    self.walk(
                        child,
                        file,
                        &pointer_join(site, &token),
                        &pointer_join(source, &token),
                        depth,
                    );
                }
            }
            _ => {}
        }
    }

    fn rewrite_ref(
        &mut self,
        value: &mut Value,
        reference: &str,
        file: &Path,
        site: &str,
        source: &str,
        depth: usize,
    ) {
        // The root file's own pointers already point into the bundle.
        if reference.starts_with('#') && file == self.root_file {
            return;
        }
        let ref_location = format!("{}{}", self.prefix(file), pointer_join(source, "$ref"));
        let Some((target_file, fragment)) = self.resolve(file, reference, &ref_location) else {
            return;
        };
        if target_file == self.root_file {
            set_ref(value, fragment);
            return;
        }
        if is_schema_site(site) {
            let pointer = self.component_for(&target_file, &fragment);
            set_ref(value, pointer);
            return;
        }
        if depth >= MAX_INLINE_DEPTH {
            self.errors.push(
                Diagnostic::new(
                    ref_location,
                    format!("`{reference}` is part of a reference cycle"),
                )
                .with_hint("only schemas may refer to themselves"),
            );
            return;
        }
        let Some(mut content) = self.target(&target_file, &fragment) else {
            return;
        };
        let label = self.label(&target_file);
        self.origins
            .bundled_from(site.to_owned(), format!("{label}{fragment}"));
        self.walk(&mut content, &target_file, site, &fragment, depth + 1);
        *value = content;
    }

    /// The component pointer a schema of another file gets, claimed on first use.
    fn component_for(&mut self, file: &Path, fragment: &str) -> String {
        let key = (file.to_path_buf(), fragment.to_owned());
        if let Some(pointer) = self.schema_names.get(&key) {
            return pointer.clone();
        }
        let base = fragment
            .rsplit('/')
            .next()
            .filter(|last| !last.is_empty() && *last != "#")
            .map(unescape_token)
            .unwrap_or_else(|| {
                file.file_name()
                    .and_then(|name| name.to_str())
                    .and_then(|name| name.split('.').next())
                    .unwrap_or("Schema")
                    .to_owned()
            });
        let mut name = base.clone();
        let mut suffix = 2;
        while !self.used_names.insert(name.clone()) {
            name = format!("{base}{suffix}");
            suffix += 1;
        }
        let pointer = format!("#/components/schemas/{}", escape_token(&name));
        self.schema_names.insert(key, pointer.clone());
        self.placed
            .push((pointer.clone(), file.to_path_buf(), fragment.to_owned()));
        pointer
    }

    /// The node at `fragment` of `file` (parsed once), or `None` with an error recorded.
    fn target(&mut self, file: &Path, fragment: &str) -> Option<Value> {
        let (label, document) = self.files.get(file)?;
        match lookup_pointer(document, fragment) {
            Some(node) => Some(node.clone()),
            None => {
                let location = format!("{label}{fragment}");
                self.errors.push(
                    Diagnostic::new(location, format!("`{fragment}` names nothing in {label}"))
                        .with_hint("fix the pointer after `#` in the reference"),
                );
                None
            }
        }
    }

    /// What locations in `file` start with: nothing for the root file, else its label.
    fn prefix(&self, file: &Path) -> String {
        if file == self.root_file {
            String::new()
        } else {
            self.label(file)
        }
    }

    fn label(&self, file: &Path) -> String {
        self.files
            .get(file)
            .map_or_else(|| file_label(file), |(label, _)| label.clone())
    }

    /// Resolves `reference` written in `file` to (canonical file, `#/...` fragment), reading
    /// and parsing the file on first use; `None` with an error recorded when it cannot be.
    fn resolve(
        &mut self,
        file: &Path,
        reference: &str,
        location: &str,
    ) -> Option<(PathBuf, String)> {
        let (path_part, fragment) = match reference.split_once('#') {
            Some((path, fragment)) => (path, format!("#{fragment}")),
            None => (reference, "#".to_owned()),
        };
        let fragment = if fragment == "#/" {
            "#".to_owned()
        } else {
            fragment
        };
        if path_part.is_empty() {
            return Some((file.to_path_buf(), fragment));
        }
        let refuse = |message: String, hint: &str| {
            Diagnostic::new(location.to_owned(), message).with_hint(hint.to_owned())
        };
        if is_url(path_part) {
            self.errors.push(refuse(
                format!("`{reference}` names a URL, and references are never fetched"),
                "download the document into the spec's folder and refer to it by a relative path",
            ));
            return None;
        }
        let relative = Path::new(path_part);
        if relative.is_absolute() || path_part.starts_with('\\') {
            self.errors.push(refuse(
                format!("`{reference}` is an absolute path"),
                "refer to files by a path relative to the file holding the reference",
            ));
            return None;
        }
        let directory = file.parent().unwrap_or(&self.root_dir).to_path_buf();
        let Some(joined) = lexical_join(&directory, relative) else {
            self.errors.push(refuse(
                format!("`{reference}` leaves the spec's folder"),
                "only files under the root spec's folder are read; move the file there",
            ));
            return None;
        };
        if !joined.starts_with(&self.root_dir) {
            self.errors.push(refuse(
                format!("`{reference}` leaves the spec's folder"),
                "only files under the root spec's folder are read; move the file there",
            ));
            return None;
        }
        let canonical = match joined.canonicalize() {
            Ok(canonical) => canonical,
            Err(error) => {
                self.errors.push(refuse(
                    format!("`{reference}` cannot be read: {error}"),
                    "check the file name and that the file exists",
                ));
                return None;
            }
        };
        if !canonical.starts_with(&self.root_dir) {
            self.errors.push(refuse(
                format!("`{reference}` is a link to a file outside the spec's folder"),
                "only files under the root spec's folder are read; copy the file there",
            ));
            return None;
        }
        if !self.files.contains_key(&canonical) {
            if self.files.len() >= MAX_FILES {
                self.errors.push(refuse(
                    format!("more than {MAX_FILES} files are referenced"),
                    "bundle the spec with another tool",
                ));
                return None;
            }
            let label = canonical
                .strip_prefix(&self.root_dir)
                .map_or_else(|_| file_label(&canonical), path_label);
            let text = match read_text(&canonical, &label, &label) {
                Ok(text) => text,
                Err(error) => {
                    self.errors.extend(error.diagnostics);
                    return None;
                }
            };
            match parse_text(&text) {
                Ok(document) => {
                    self.order.push(label.clone());
                    self.files.insert(canonical.clone(), (label, document));
                }
                Err(error) => {
                    self.errors
                        .extend(error.diagnostics.into_iter().map(|mut diagnostic| {
                            diagnostic.location = format!("{label}{}", diagnostic.location);
                            diagnostic
                        }));
                    return None;
                }
            }
        }
        Some((canonical, fragment))
    }
}

/// Whether a schema (rather than a parameter, response, path item...) sits at `site`.
fn is_schema_site(site: &str) -> bool {
    let mut tokens = site.rsplit('/');
    let last = tokens.next().unwrap_or_default();
    let parent = tokens.next().unwrap_or_default();
    let grandparent = tokens.next().unwrap_or_default();
    matches!(
        last,
        "schema"
            | "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties"
            | "if"
            | "then"
            | "else"
    ) || matches!(
        parent,
        "properties"
            | "allOf"
            | "oneOf"
            | "anyOf"
            | "prefixItems"
            | "patternProperties"
            | "$defs"
            | "definitions"
            | "dependentSchemas"
    ) || (parent == "schemas" && grandparent == "components")
}

/// A `$ref` object's reference, when the object holds nothing else.
fn only_ref(value: &Value) -> Option<&str> {
    let map = value.as_object()?;
    (map.len() == 1)
        .then(|| map.get("$ref")?.as_str())
        .flatten()
}

fn set_ref(value: &mut Value, pointer: String) {
    if let Some(map) = value.as_object_mut() {
        map.insert("$ref".to_owned(), Value::String(pointer));
    }
}

/// Puts `content` at `#/components/schemas/<name>`, creating the maps on the way.
fn set_component(document: &mut Value, pointer: &str, content: Value) {
    let Some(name) = pointer
        .strip_prefix("#/components/schemas/")
        .map(unescape_token)
    else {
        return;
    };
    let Some(root) = document.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(schemas) = schemas.as_object_mut() {
        schemas.insert(name, content);
    }
}

/// Whether any `$ref` in the document names another file.
fn has_file_refs(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| !r.starts_with('#'))
                {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

fn is_url(path: &str) -> bool {
    path.starts_with("//")
        || path.split_once(':').is_some_and(|(scheme, _)| {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// `directory` joined with `relative`, resolving `.` and `..` without touching the disk;
/// `None` when `..` climbs above the file system root.
fn lexical_join(directory: &Path, relative: &Path) -> Option<PathBuf> {
    let mut path = directory.to_path_buf();
    for component in relative.components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !path.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

fn path_label(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The file's text; errors are located at `prefix#`.
fn read_text(path: &Path, label: &str, prefix: &str) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| io_error(label, prefix, &e))?;
    crate::decode_spec(&bytes)
        .map(str::to_owned)
        .map_err(|mut error| {
            for diagnostic in &mut error.diagnostics {
                diagnostic.location = format!("{prefix}{}", diagnostic.location);
            }
            error
        })
}

fn io_error(label: &str, prefix: &str, error: &std::io::Error) -> Error {
    Diagnostic::new(
        format!("{prefix}#"),
        format!("cannot read {label}: {error}"),
    )
    .with_hint("check the path")
    .into()
}
