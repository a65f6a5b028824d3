//! A large `builder.rs` or `types.rs` is built and formatted in parts on worker threads; joined,
//! the parts are the files the single-threaded stages give, byte for byte.

use generator::config::RuntimeMode;
use generator::{Config, stages};

/// A spec with `count` operations and as many types, every other operation with optional
/// query parameters (whose holder types are named across the whole file), some behind a tag
/// feature.
fn spec_with_operations(count: usize) -> String {
    let mut spec = String::from("openapi: 3.0.3\ninfo: {title: Many, version: '1'}\npaths:\n");
    for index in 0..count {
        let tag = if index % 3 == 0 { "even" } else { "odd" };
        spec.push_str(&format!(
            "  /things{index}:\n    get:\n      operationId: listThings{index}\n      tags: [{tag}]\n"
        ));
        if index % 2 == 0 {
            spec.push_str(
                "      parameters:\n        - {name: limit, in: query, schema: {type: integer}}\n        - {name: q, in: query, description: A search., schema: {type: string}}\n",
            );
        }
        // Every operation has its own type: `types.rs` comes in parts too.
        spec.push_str(&format!(
            "      responses:\n        '200':\n          description: ok\n          content:\n            application/json: {{schema: {{$ref: '#/components/schemas/Thing{index}'}}}}\n"
        ));
    }
    // A conversion (`From<&Thing0> for ThingInput`), written after all the types.
    spec.push_str(
        "  /things0/input:\n    put:\n      operationId: putThing\n      requestBody:\n        content:\n          application/json: {schema: {$ref: '#/components/schemas/ThingInput'}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json: {schema: {$ref: '#/components/schemas/Thing0'}}\n",
    );
    spec.push_str("components:\n  schemas:\n    ThingInput:\n      type: object\n      properties:\n        id: {type: string}\n");
    for index in 0..count {
        spec.push_str(&format!(
            "    Thing{index}:\n      type: object\n      properties:\n        id: {{type: string}}\n        state: {{type: string, enum: [open, closed]}}\n"
        ));
    }
    spec
}

fn one_by_one(spec: &str, config: &Config) -> Vec<generator::GeneratedFile> {
    let loaded = stages::normalize(stages::parse(spec).unwrap()).unwrap();
    let (api, _) = stages::lower(&loaded, config).unwrap();
    stages::format(stages::emit(&api, config).unwrap()).unwrap()
}

#[test]
fn large_files_formatted_in_parts_are_the_files_formatted_whole() {
    // 2,500 operations and as many types (their identical inline enums merge into one): three
    // parts of `builder.rs`, three of `types.rs`.
    let spec = spec_with_operations(2_500);
    for config in [
        Config::default(),
        Config {
            tag_features: true,
            ..Config::default()
        },
        // The runtime crate's macros are imported at the end of `types.rs`.
        Config {
            runtime: RuntimeMode::Dependency,
            ..Config::default()
        },
    ] {
        let threaded = generator::generate(&spec, &config).unwrap().files;
        let whole = one_by_one(&spec, &config);
        let builder = |files: &[generator::GeneratedFile]| {
            files
                .iter()
                .find(|f| f.path == "src/builder.rs")
                .map(|f| f.contents.clone())
                .unwrap()
        };
        assert_eq!(builder(&threaded), builder(&whole));
        assert!(builder(&whole).contains("query_setters!(\n    ListThings2498,"));
        let types = whole.iter().find(|f| f.path == "src/types.rs").unwrap();
        assert!(types.contents.contains("pub struct Thing2499 {"));
        assert!(
            types
                .contents
                .contains("impl From<&Thing0> for ThingInput {")
        );
        assert_eq!(threaded, whole);
    }
}
