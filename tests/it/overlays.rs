//! OpenAPI Overlays: update, remove, a target matching nothing, the order of overlays, diagnostics
//! located in the overlay file, and the Gainsight overlay applied by `cargo xtask codegen`.

use generator::{Config, OverlaySource};
use tests::read;

fn overlay(name: &str) -> OverlaySource {
    OverlaySource {
        label: format!("overlays/{name}.yaml"),
        text: read(&format!("tests/fixtures/overlays/{name}.yaml")),
    }
}

fn config_with(overlays: &[&str]) -> Config {
    Config {
        overlay_sources: overlays.iter().map(|name| overlay(name)).collect(),
        ..Config::default()
    }
}

fn file<'o>(output: &'o generator::Output, path: &str) -> &'o str {
    output
        .files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("{path} not generated"))
}

fn base() -> String {
    read("tests/fixtures/overlays/base.yaml")
}

#[test]
fn update_adds_fields_and_operations() {
    let plain = generator::generate(&base(), &Config::default()).expect("generates");
    let overlaid = generator::generate(&base(), &config_with(&["update"])).expect("generates");
    assert!(!file(&plain, "src/types.rs").contains("pub pinned: Option<bool>"));
    let types = file(&overlaid, "src/types.rs");
    assert!(
        types.contains(
            "        /// Pinned to the top.\n        pub pinned: Option<bool> = optional(\"pinned\"),\n"
        ),
        "{types}"
    );
    assert!(tests::client_method(file(&overlaid, "src/client.rs"), "archive_note").is_some());
    assert!(overlaid.warnings.is_empty(), "{:?}", overlaid.warnings);
}

#[test]
fn remove_drops_nodes_and_a_target_matching_nothing_is_a_located_warning() {
    let output = generator::generate(&base(), &config_with(&["remove"])).expect("generates");
    assert!(!file(&output, "src/client.rs").contains("fn debug_dump"));
    assert!(file(&output, "src/client.rs").contains("fn list_notes"));
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "overlay target `$.paths['/no/such/path']` matches nothing in the spec (at overlays/remove.yaml#/actions/1/target); hint: the spec may have changed: fix or remove this action"
        ]
    );
}

#[test]
fn overlays_apply_in_order() {
    let in_order =
        generator::generate(&base(), &config_with(&["update", "rename"])).expect("generates");
    assert!(tests::client_method(file(&in_order, "src/client.rs"), "archive").is_some());
    assert!(in_order.warnings.is_empty(), "{:?}", in_order.warnings);

    // Renaming before the operation exists matches nothing: the rename is lost, with a warning.
    let reversed =
        generator::generate(&base(), &config_with(&["rename", "update"])).expect("generates");
    assert!(tests::client_method(file(&reversed, "src/client.rs"), "archive_note").is_some());
    assert_eq!(reversed.warnings.len(), 1, "{:?}", reversed.warnings);
    assert_eq!(
        reversed.warnings[0].location,
        "overlays/rename.yaml#/actions/0/target"
    );
}

#[test]
fn a_problem_an_overlay_introduced_is_located_in_the_overlay() {
    let error =
        generator::generate(&base(), &config_with(&["broken_schema"])).expect_err("dangling $ref");
    assert_eq!(
        tests::locations(&error),
        ["overlays/broken_schema.yaml#/actions/0/update/author"],
        "{error}"
    );
}

#[test]
fn the_gainsight_overlay_fixes_the_contact_email_quirk() {
    let spec = read("spec/gainsight-cta.yaml");
    let verbatim =
        generator::generate(&spec, &tests::seed_config_without_overlays()).expect("generates");
    assert_eq!(
        verbatim
            .warnings
            .iter()
            .map(|w| w.location.as_str())
            .collect::<Vec<_>>(),
        ["#/info/contact/email"]
    );
    let config = tests::seed_config();
    assert_eq!(config.overlays, ["overlays/fix-contact-email.yaml"]);
    let overlaid = generator::generate(&spec, &config).expect("generates");
    assert!(overlaid.warnings.is_empty(), "{:?}", overlaid.warnings);
    // The checked-in crate is generated with it: its changelog names the overlay.
    assert!(
        read("generated-client/CHANGELOG.md")
            .contains("overlays applied in order: `overlays/fix-contact-email.yaml`")
    );
}

#[test]
fn the_api_change_report_runs_on_the_overlaid_specs() {
    // Same spec text, a new overlay: the report sees the operation the overlay added.
    let mut config = config_with(&["update"]);
    config.previous_overlay_sources = Some(Vec::new());
    let regeneration =
        generator::regenerate(Some(&base()), &base(), &config, None).expect("regenerates");
    let report = regeneration.report.expect("a report");
    assert!(
        report.to_text().contains("archive_note"),
        "{}",
        report.to_text()
    );
    // An added operation is additive: a patch bump while the crate is 0.x.
    assert_eq!(regeneration.version, "0.1.1");
    let changelog = file(&regeneration.output, "CHANGELOG.md");
    assert!(changelog.contains("`overlays/update.yaml`"), "{changelog}");
}

#[test]
fn codegen_applies_overlays_given_on_the_command_line() {
    let root = tests::project_root();
    let out = root.join("target/overlay-cli-crate");
    let _ = std::fs::remove_dir_all(&out);
    let args = xtask::CodegenArgs {
        spec: Some(root.join("tests/fixtures/overlays/base.yaml")),
        out: Some(out.clone()),
        overlays: vec![
            root.join("tests/fixtures/overlays/update.yaml"),
            root.join("tests/fixtures/overlays/rename.yaml"),
        ],
        deny_warnings: true,
        ..Default::default()
    };
    let code = xtask::codegen(&args).expect("codegen runs");
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let client = std::fs::read_to_string(out.join("src/client.rs")).expect("client.rs");
    assert!(
        tests::client_method(&client, "archive").is_some(),
        "overlays applied in order"
    );
    let changelog = std::fs::read_to_string(out.join("CHANGELOG.md")).expect("changelog");
    assert!(changelog.contains("update.yaml"), "{changelog}");
}
