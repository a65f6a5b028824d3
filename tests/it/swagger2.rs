//! Swagger 2.0 documents: our conversion gives the same client as `swagger2openapi`'s (pinned in
//! `tools/swagger2openapi`), differences explained; converted documents are snapshotted, and
//! diagnostics point into the 2.0 document.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use generator::{Config, GeneratedFile};
use tests::{project_root, read};

/// Where our client differs from the one generated from `swagger2openapi`'s document, and why.
/// Each entry must still be a real difference (so the explanations stay true), and no other
/// file may differ.
struct Explained {
    spec: &'static str,
    file: &'static str,
    /// Whether code differs (not only docs and the order of items).
    code: bool,
    /// Text found only in our version of the file.
    ours: &'static str,
    #[allow(dead_code)] // Read by people: the reason the difference is right.
    why: &'static str,
}

const EXPLAINED: &[Explained] = &[
    Explained {
        spec: "swagger2_clinic",
        file: "src/builder.rs",
        code: true,
        ours: r#"("days", runtime::FormField::Style(runtime::QueryStyle::FormJoined))"#,
        why: "Swagger 2.0's default collectionFormat (csv) holds for formData arrays too, so we \
              send `days=a,b`; swagger2openapi drops it and its document explodes the list",
    },
    Explained {
        spec: "gainsight-px-rest-api-openapi",
        file: "src/types.rs",
        code: false,
        ours: "/// Location inferred from IP address of last session",
        why: "we keep a description written beside a `$ref`; swagger2openapi drops it. Its \
              document also renames schemas with `«»` in their names and lists them last, so \
              the same types come in another order",
    },
];

/// The pinned converter's entry point; CI installs it (`npm ci` in `tools/swagger2openapi`).
fn converter() -> PathBuf {
    let path = project_root()
        .join("tools/swagger2openapi/node_modules/swagger2openapi/swagger2openapi.js");
    assert!(
        path.is_file(),
        "{} is missing: run `npm ci` in tools/swagger2openapi",
        path.display()
    );
    path
}

/// The Swagger 2.0 documents compared: public examples shipped in the pinned npm package, our
/// own fixture and the Gainsight family's 2.0 spec.
fn documents() -> Vec<(String, PathBuf)> {
    let root = project_root();
    let examples = root.join("tools/swagger2openapi/node_modules/@readme/oas-examples/2.0/yaml");
    let mut documents: Vec<(String, PathBuf)> = std::fs::read_dir(&examples)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `npm ci` in tools/swagger2openapi)",
                examples.display()
            )
        })
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| (stem(&path), path))
        .collect();
    documents.sort();
    documents.push((
        "swagger2_clinic".to_owned(),
        root.join("tests/fixtures/ok/swagger2_clinic.yaml"),
    ));
    documents.push((
        "gainsight-px-rest-api-openapi".to_owned(),
        root.join("tests/fixtures/gainsight-family/gainsight-px-rest-api-openapi.yml"),
    ));
    documents
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned()
}

fn generate(text: &str) -> BTreeMap<String, String> {
    let config = Config {
        source_label: Some("spec.yaml".to_owned()),
        ..Config::default()
    };
    let output = generator::generate(text, &config).unwrap_or_else(|e| panic!("{e}"));
    output
        .files
        .into_iter()
        .map(|GeneratedFile { path, contents }| {
            // The changelog fingerprints the spec text, which differs by construction.
            let contents = contents
                .lines()
                .filter(|line| !line.starts_with("<!-- spec-hash:"))
                .collect::<Vec<_>>()
                .join("\n");
            (path, contents)
        })
        .collect()
}

/// The file's lines without doc comments, sorted: equal when only docs and item order differ.
fn code_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("///") && !line.starts_with("//!"))
        .collect();
    lines.sort_unstable();
    lines
}

fn convert_with_swagger2openapi(document: &Path, out: &Path) -> String {
    let output = Command::new("node")
        .arg(converter())
        .arg("--yaml")
        .arg(document)
        .arg("--outfile")
        .arg(out)
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "swagger2openapi failed on {}: {}",
        document.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(out).expect("converted document")
}

#[test]
fn our_conversion_gives_the_same_client_as_swagger2openapi() {
    let work = project_root().join("target/swagger2-comparison");
    std::fs::create_dir_all(&work).expect("work dir");
    let documents = documents();
    assert!(documents.len() >= 9, "{documents:?}");
    let mut differences = Vec::new();
    for (name, path) in &documents {
        let ours = generate(&std::fs::read_to_string(path).expect("document"));
        let theirs = generate(&convert_with_swagger2openapi(
            path,
            &work.join(format!("{name}.yaml")),
        ));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "{name}: the crates have different files"
        );
        for (file, text) in &ours {
            let their_text = &theirs[file];
            if text == their_text {
                continue;
            }
            let code = code_lines(text) != code_lines(their_text);
            differences.push((name.clone(), file.clone(), code));
            let explained = EXPLAINED
                .iter()
                .find(|e| e.spec == name && e.file == file)
                .unwrap_or_else(|| {
                    panic!("{name} {file}: unexplained difference from swagger2openapi's client")
                });
            assert_eq!(explained.code, code, "{name} {file}: code differs: {code}");
            assert!(
                text.contains(explained.ours) && !their_text.contains(explained.ours),
                "{name} {file}: the explained difference is not `{}`",
                explained.ours
            );
        }
    }
    for explained in EXPLAINED {
        assert!(
            differences
                .iter()
                .any(|(spec, file, _)| spec == explained.spec && file == explained.file),
            "{} {} no longer differs: drop its explanation",
            explained.spec,
            explained.file
        );
    }
}

#[test]
fn converted_fixtures_are_snapshotted() {
    // The OpenAPI 3 document the generator reads after conversion (and 3.0 normalisation).
    let text = read("tests/fixtures/ok/swagger2_clinic.yaml");
    let parsed = generator::stages::parse(&text).expect("parses");
    let loaded = generator::stages::normalize(parsed).expect("normalises");
    let converted = serde_json::to_string_pretty(loaded.raw()).expect("json");
    insta::assert_snapshot!("swagger2_clinic__converted", converted);
}

#[test]
fn the_family_swagger_spec_generates_with_its_operations() {
    let text = read("tests/fixtures/gainsight-family/gainsight-px-rest-api-openapi.yml");
    let output = generator::generate(&text, &Config::default()).unwrap_or_else(|e| panic!("{e}"));
    let client = output
        .files
        .iter()
        .find(|f| f.path == "src/client.rs")
        .expect("client.rs");
    // An `in: body` parameter became a typed body, a `type: file` form parameter a multipart one.
    for method in [
        "pub fn create_account_using_post<'a>(\n        &'a self,\n        body: &'a types::",
        "pub fn import_xliff_for_articles_using_post(\n        &self,\n        body: crate::Multipart,",
    ] {
        assert!(client.contents.contains(method), "{method} missing");
    }
    assert!(
        client.contents.contains("\"https://api.aptrinsic.com\""),
        "the server comes from host, basePath and schemes"
    );
}

#[test]
fn diagnostics_point_into_the_swagger_document() {
    let text = "swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths:\n  /pets:\n    post:\n      parameters:\n        - {name: x-trace, in: header, type: string}\n        - name: pet\n          in: body\n          schema: {$ref: '#/definitions/Missing'}\n      responses: {'200': {description: ok}}\n";
    let error = generator::generate(text, &Config::default()).expect_err("missing definition");
    assert_eq!(
        tests::locations(&error),
        ["#/paths/~1pets/post/parameters/1/schema"],
        "{error}"
    );
}
