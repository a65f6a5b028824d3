//! Local multi-file specs: bundling gives the same crate as the hand-bundled document, reads
//! nothing outside the root spec's folder, never fetches URLs, and locates problems in the file
//! they are written in.

use std::path::{Path, PathBuf};

use generator::Config;
use generator::fs::bundle;
use tests::{locations, project_root};

fn scratch(name: &str) -> PathBuf {
    let dir = project_root().join("target/test-bundle").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn config() -> Config {
    Config {
        source_label: Some("petstore".to_owned()),
        ..Config::default()
    }
}

#[test]
fn a_split_spec_gives_the_same_crate_as_its_bundled_form() {
    let split = bundle(&project_root().join("tests/fixtures/multi/petstore/openapi.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        split.files,
        // Root components that refer to a file are read first.
        [
            "openapi.yaml",
            "schemas/pet.yaml",
            "parameters.yaml",
            "responses.yaml",
            "paths/pet.yaml",
            "schemas/common.yaml"
        ]
    );
    let from_split = generator::generate(&split.text, &config()).unwrap_or_else(|e| panic!("{e}"));
    let bundled = tests::read("tests/fixtures/multi/petstore.bundled.yaml");
    let from_bundled = generator::generate(&bundled, &config()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_split.files.len(), from_bundled.files.len());
    for (split, bundled) in from_split.files.iter().zip(&from_bundled.files) {
        assert_eq!(split.path, bundled.path);
        assert_eq!(split.contents, bundled.contents, "{} differs", split.path);
    }
    assert!(from_split.warnings.is_empty(), "{:?}", from_split.warnings);
}

#[test]
fn a_single_file_spec_is_passed_through_as_written() {
    let path = project_root().join("spec/gainsight-cta.yaml");
    let single = bundle(&path).unwrap();
    assert_eq!(single.text, std::fs::read_to_string(&path).unwrap());
    assert_eq!(single.files, ["gainsight-cta.yaml"]);
}

#[test]
fn references_that_leave_the_folder_or_name_urls_are_refused_where_they_are_written() {
    let dir = scratch("escape");
    write(&dir, "outside.yaml", "type: string\n");
    let root = dir.join("spec");
    write(
        &root,
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: './params.yaml#/P'\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '../outside.yaml'}\ncomponents:\n  schemas:\n    Abs: {$ref: '/etc/hostname'}\n    Url: {$ref: 'https://example.com/s.yaml#/S'}\n    Linked: {$ref: './link.yaml'}\n",
    );
    // A reference inside a referenced file is resolved against that file, and refused there.
    write(
        &root,
        "params.yaml",
        "P:\n  name: p\n  in: query\n  schema: {$ref: './sub/../../../outside.yaml'}\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("outside.yaml"), root.join("link.yaml")).unwrap();

    let error = bundle(&root.join("openapi.yaml")).unwrap_err();
    let found = locations(&error);
    let messages: Vec<&str> = error
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    let expect = |location: &str, words: &str| {
        let index = found
            .iter()
            .position(|l| *l == location)
            .unwrap_or_else(|| panic!("no diagnostic at {location}: {error}"));
        assert!(messages[index].contains(words), "{}", messages[index]);
    };
    expect(
        "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
        "leaves the spec's folder",
    );
    expect("params.yaml#/P/schema/$ref", "leaves the spec's folder");
    expect("#/components/schemas/Abs/$ref", "absolute path");
    expect("#/components/schemas/Url/$ref", "URL");
    #[cfg(unix)]
    expect(
        "#/components/schemas/Linked/$ref",
        "link to a file outside the spec's folder",
    );
    // Every problem is reported once, and each with a hint.
    assert_eq!(found.len(), if cfg!(unix) { 5 } else { 4 }, "{error}");
    assert!(error.diagnostics.iter().all(|d| d.hint.is_some()));
}

#[test]
fn problems_in_referenced_files_are_located_in_them() {
    let dir = scratch("located");
    write(
        &dir,
        "openapi.yaml",
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas/thing.yaml#/Thing'}\n",
    );
    write(
        &dir,
        "schemas/thing.yaml",
        "Thing:\n  type: object\n  properties:\n    next: {$ref: '#/Missing'}\n",
    );
    let error = bundle(&dir.join("openapi.yaml")).unwrap_err();
    assert_eq!(locations(&error), ["schemas/thing.yaml#/Missing"]);

    // A problem the generator finds in a bundled schema is mapped back to its file too.
    write(
        &dir,
        "schemas/thing.yaml",
        "Thing:\n  type: object\n  required: 7\n  properties:\n    id: {type: string}\n",
    );
    let bundled = bundle(&dir.join("openapi.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut warnings = generator::generate(&bundled.text, &config())
        .unwrap_or_else(|e| panic!("{e}"))
        .warnings;
    bundled.relocate(&mut warnings);
    let found: Vec<&str> = warnings.iter().map(|w| w.location.as_str()).collect();
    assert_eq!(found, ["schemas/thing.yaml#/Thing/required"]);
}

#[test]
fn recursive_schemas_across_files_become_components_once() {
    let split = bundle(&project_root().join("tests/fixtures/multi/petstore/openapi.yaml")).unwrap();
    let document: serde_json::Value = serde_json::from_str(&split.text).unwrap();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let names: Vec<&str> = schemas.keys().map(String::as_str).collect();
    assert_eq!(names, ["Pet", "Error", "Owner", "Tag"]);
    assert_eq!(
        schemas["Owner"]["properties"]["pets"]["items"]["$ref"],
        "#/components/schemas/Pet"
    );
    assert!(!split.text.contains(".yaml"), "no file reference is left");
}
