//! Hostile and broken specs: exact diagnostics for each bad fixture, bounded behaviour on adversarial
//! input, safe output paths, and a property test over arbitrary small specs.

use generator::{Config, GeneratedFile, decode_spec, generate};
use proptest::prelude::*;
use tests::project_root;

fn generate_bytes(bytes: &[u8]) -> Result<generator::Output, generator::Error> {
    generate(decode_spec(bytes)?, &Config::default())
}

fn render(error: &generator::Error) -> String {
    error
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}\n  at: {}\n  hint: {}",
                d.message,
                d.location,
                d.hint.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_bad_fixture_has_its_exact_diagnostic() {
    let dir = project_root().join("tests/fixtures/bad");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("bad fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 13);
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .replace('.', "_");
        let bytes = std::fs::read(&path).expect("read fixture");
        match generate_bytes(&bytes) {
            Ok(_) => panic!("{name} should not generate"),
            Err(error) => {
                assert!(
                    error
                        .diagnostics
                        .iter()
                        .all(|d| d.location.starts_with('#') && !d.message.contains('\n'))
                );
                insta::assert_snapshot!(format!("bad__{name}"), render(&error));
            }
        }
    }
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let mut spec = String::from(
        "openapi: 3.0.3\ninfo: {title: Bomb, version: '1'}\npaths: {}\nx-bomb:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    let mut previous = 'a';
    for name in 'b'..='k' {
        spec.push_str(&format!(
            "  {name}: &{name} [{}]\n",
            vec![format!("*{previous}"); 9].join(", ")
        ));
        previous = name;
    }
    let error = generate(&spec, &Config::default()).expect_err("billion laughs");
    assert!(
        render(&error).contains("repetition limit exceeded"),
        "{}",
        render(&error)
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 10_000;
    let nested = format!(
        "{}{{}}{}",
        "{\"type\":\"object\",\"properties\":{\"x\":".repeat(depth),
        "}}".repeat(depth)
    );
    let yaml = format!(
        "openapi: 3.0.3\ninfo: {{title: Deep, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    D: {nested}\n"
    );
    assert!(
        render(&generate(&yaml, &Config::default()).expect_err("deep YAML"))
            .contains("recursion limit exceeded")
    );
    let json = format!(
        "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"Deep\", \"version\": \"1\"}}, \"paths\": {{}}, \"components\": {{\"schemas\": {{\"D\": {nested}}}}}}}"
    );
    assert!(
        render(&generate(&json, &Config::default()).expect_err("deep JSON"))
            .contains("recursion limit exceeded")
    );
    // The deepest nesting the parsers accept still generates, one type per level.
    let moderate = format!(
        "{}{{}}{}",
        "{\"type\":\"object\",\"properties\":{\"x\":".repeat(60),
        "}}".repeat(60)
    );
    let json = format!(
        "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"Deep\", \"version\": \"1\"}}, \"paths\": {{}}, \"components\": {{\"schemas\": {{\"D\": {moderate}}}}}}}"
    );
    let output = generate(&json, &Config::default()).expect("60 levels generate");
    let types = output
        .files
        .iter()
        .find(|f| f.path == "src/types.rs")
        .expect("types.rs");
    assert_eq!(types.contents.matches("pub struct ").count(), 60);
}

#[test]
fn huge_strings_and_enums_stay_bounded() {
    let description = "x".repeat(50 * 1024 * 1024);
    let spec = format!(
        "openapi: 3.0.3\ninfo: {{title: Big, version: '1', description: \"{description}\"}}\npaths: {{}}\n"
    );
    let output = generate(&spec, &Config::default()).expect("a long description is fine");
    let total: usize = output.files.iter().map(|f| f.contents.len()).sum();
    assert!(
        total < 1024 * 1024,
        "docs are truncated, not copied: {total} bytes"
    );

    let values: String = (0..100_000).map(|i| format!("        - v{i}\n")).collect();
    let spec = format!(
        "openapi: 3.0.3\ninfo: {{title: Enum, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    E:\n      type: string\n      enum:\n{values}"
    );
    let output = generate(&spec, &Config::default()).expect("a huge enum generates");
    let types = output
        .files
        .iter()
        .find(|f| f.path == "src/types.rs")
        .expect("types.rs");
    assert!(types.contents.contains("V99999,") && types.contents.contains("\"v99999\""));
}

/// Paths from generation are relative, use `/`, and never climb out of the output folder.
fn assert_safe_paths(files: &[GeneratedFile]) {
    for file in files {
        assert!(
            !file.path.starts_with('/') && !file.path.contains('\\') && !file.path.contains(':'),
            "{}",
            file.path
        );
        assert!(
            file.path
                .split('/')
                .all(|part| !part.is_empty() && part != ".." && part != "."),
            "{}",
            file.path
        );
    }
}

#[test]
fn nothing_from_a_spec_becomes_a_path() {
    let hostile = r#"
openapi: 3.0.3
info: {title: "../../etc/passwd", version: "/abs"}
paths:
  /../../x:
    get:
      operationId: "../../../escape"
      responses: {'204': {description: none}}
components:
  schemas:
    "../../evil": {type: object, properties: {"/etc": {type: string}}}
"#;
    let output = generate(hostile, &Config::default()).expect("generates");
    assert_safe_paths(&output.files);
    let names: Vec<&str> = output.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        names,
        [
            "Cargo.toml",
            "README.md",
            "src/lib.rs",
            "src/types.rs",
            "src/client.rs",
            "src/builder.rs",
            // No `src/mock.rs`: the typed mock is generated only when the config asks for it.
            // The runtime modules this crate uses (no filters, paging, multipart, OAuth or events).
            "src/runtime/mod.rs",
            "src/runtime/body.rs",
            "src/runtime/credentials.rs",
            "src/runtime/dates.rs",
            "src/runtime/de.rs",
            "src/runtime/decode.rs",
            "src/runtime/encode.rs",
            "src/runtime/error.rs",
            "src/runtime/extra.rs",
            "src/runtime/hooks.rs",
            "src/runtime/ratelimit.rs",
            "src/runtime/retry.rs",
            "src/runtime/secret.rs",
            "src/runtime/transport.rs",
        ]
    );
}

/// Names that stress identifier generation: keywords, digits, symbols, unicode, empty.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("type".to_owned()),
        Just("Self".to_owned()),
        Just("self".to_owned()),
        Just(String::new()),
        Just("1st".to_owned()),
        Just("==".to_owned()),
        Just("ünï".to_owned()),
        Just("a-b".to_owned()),
        Just("A_B".to_owned()),
        Just("Result".to_owned()),
        Just("extra".to_owned()),
        "[a-zA-Z][a-zA-Z0-9_]{0,8}",
    ]
}

/// A schema built from valid pieces, as YAML flow text; `refs` are component names it may point at.
fn schema(refs: Vec<String>) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("{type: string}".to_owned()),
        Just("{type: integer, format: int32}".to_owned()),
        Just("{type: number}".to_owned()),
        Just("{type: boolean}".to_owned()),
        Just("{type: string, format: date-time}".to_owned()),
        Just("{}".to_owned()),
        Just("{type: [string, 'null']}".to_owned()),
        prop::collection::vec(name(), 1..4).prop_map(|values| format!(
            "{{type: string, enum: [{}]}}",
            values
                .iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        prop::sample::select(if refs.is_empty() {
            vec!["Fallback".to_owned()]
        } else {
            refs
        })
        .prop_map(|r| format!(
            "{{$ref: '#/components/schemas/{}'}}",
            r.replace('~', "~0").replace('/', "~1")
        )),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|item| format!("{{type: array, items: {item}}}")),
            prop::collection::vec((name(), inner.clone()), 1..4).prop_map(|props| {
                let body: Vec<String> = props.iter().map(|(n, s)| format!("{n:?}: {s}")).collect();
                format!(
                    "{{type: object, required: [{:?}], properties: {{{}}}}}",
                    props[0].0,
                    body.join(", ")
                )
            }),
            prop::collection::vec(inner.clone(), 2..3)
                .prop_map(|members| format!("{{oneOf: [{}]}}", members.join(", "))),
            prop::collection::vec(inner, 1..3)
                .prop_map(|members| format!("{{allOf: [{}]}}", members.join(", "))),
            (Just(()),)
                .prop_map(|_| "{type: object, additionalProperties: {type: integer}}".to_owned()),
        ]
    })
}

fn spec() -> impl Strategy<Value = String> {
    let names = prop::collection::vec(name(), 1..5);
    names.prop_flat_map(|names| {
        let mut unique: Vec<String> = Vec::new();
        for n in names {
            if !unique.contains(&n) {
                unique.push(n);
            }
        }
        let components = prop::collection::vec(schema(unique.clone()), unique.len());
        let operations = prop::collection::vec((name(), prop::sample::select(vec!["get", "post", "put", "delete"]), schema(unique.clone()), name()), 0..4);
        (Just(unique), components, operations)
    })
    .prop_map(|(names, components, operations)| {
        let mut text = String::from("openapi: 3.1.0\ninfo: {title: Prop, version: '1'}\nservers: [{url: 'https://x.example.com'}]\npaths:\n");
        for (index, (id, method, body, param)) in operations.iter().enumerate() {
            text.push_str(&format!(
                "  /p{index}/{{{param_key}}}:\n    {method}:\n      operationId: {id:?}\n      parameters: [{{name: {param:?}, in: path, required: true, schema: {{type: string}}}}]\n      requestBody: {{content: {{application/json: {{schema: {body}}}}}}}\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {body}}}}}}}}}\n",
                param_key = param.replace(['{', '}', '/'], ""),
            ));
        }
        if operations.is_empty() {
            text.push_str("  {}\n");
        }
        text.push_str("components:\n  schemas:\n    Fallback: {type: string}\n");
        for (name, schema) in names.iter().zip(components) {
            text.push_str(&format!("    {name:?}: {schema}\n"));
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_small_specs_error_cleanly_or_generate_parsable_rust(text in spec()) {
        match generate(&text, &Config::default()) {
            Ok(output) => {
                assert_safe_paths(&output.files);
                for file in output.files.iter().filter(|f| f.path.ends_with(".rs")) {
                    if let Err(error) = syn::parse_file(&file.contents) {
                        prop_assert!(false, "{} does not parse: {error}\nspec:\n{text}", file.path);
                    }
                }
            }
            Err(error) => {
                for diagnostic in &error.diagnostics {
                    prop_assert!(diagnostic.location.starts_with('#') || diagnostic.location.starts_with("config"), "{diagnostic}");
                }
            }
        }
    }
}
