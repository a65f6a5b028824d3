//! Bad specs and configs get clear errors with JSON-pointer locations, never panics.

use generator::{Config, generate};
use tests::read;

fn errors_of(spec: &str, config: &Config) -> Vec<String> {
    match generate(spec, config) {
        Ok(_) => panic!("expected an error"),
        Err(error) => error.diagnostics.iter().map(ToString::to_string).collect(),
    }
}

fn bad(name: &str) -> Vec<String> {
    errors_of(
        &read(&format!("tests/fixtures/bad/{name}.yaml")),
        &Config::default(),
    )
}

#[test]
fn swagger_versions_other_than_2_0_are_rejected() {
    let errors = bad("swagger12");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("unsupported Swagger version `1.2`") && errors[0].contains("#/swagger"),
        "{errors:?}"
    );
}

#[test]
fn unknown_versions_empty_files_and_non_maps_are_rejected() {
    assert!(bad("unknown_version")[0].contains("unsupported OpenAPI version `4.0.0`"));
    assert!(bad("not_a_map")[0].contains("not a map"));
    assert!(errors_of("  \n", &Config::default())[0].contains("empty"));
}

#[test]
fn invalid_yaml_names_line_and_column() {
    let errors = bad("invalid_yaml");
    assert!(errors[0].starts_with("invalid YAML at line"), "{errors:?}");
    let errors = errors_of("{\"openapi\": ", &Config::default());
    assert!(errors[0].contains("invalid JSON at line 1"), "{errors:?}");
}

#[test]
fn missing_cyclic_and_external_refs_are_all_reported_together() {
    let errors = bad("missing_ref");
    let joined = errors.join("\n");
    assert!(joined.contains("`$ref` target `#/components/schemas/Nope` does not exist (at #/paths/~1ctas/post/requestBody/content/application~1json/schema)"), "{joined}");
    assert!(
        joined.contains(
            "`#/components/responses/Gone` does not exist (at #/paths/~1ctas/post/responses/200)"
        ),
        "{joined}"
    );
    assert!(
        joined.contains("external `$ref` `other.yaml#/X` is not supported"),
        "{joined}"
    );
    assert!(
        joined.contains("cycle that never reaches a concrete type (at #/components/schemas/A)"),
        "{joined}"
    );
    assert!(errors.len() >= 4, "{joined}");
}

#[test]
fn config_entries_that_match_nothing_are_errors() {
    let mut config = tests::seed_config();
    config
        .type_names
        .insert("#/components/schemas/Nope".to_owned(), "Nope".to_owned());
    config
        .operations
        .insert("noSuchOperation".to_owned(), Default::default());
    let errors = errors_of(&read("spec/gainsight-cta.yaml"), &config).join("\n");
    assert!(
        errors.contains("config:type_names.\"#/components/schemas/Nope\""),
        "{errors}"
    );
    assert!(
        errors.contains("no operation has operationId `noSuchOperation`"),
        "{errors}"
    );
    let unknown_key =
        Config::from_toml("[package]\nnmae = \"x\"\n").expect_err("unknown keys are rejected");
    assert!(unknown_key.to_string().contains("nmae"), "{unknown_key}");
}

#[test]
fn the_seed_specs_malformed_contact_is_a_warning_not_an_error() {
    // As published, without the overlay that fixes it (see overlays.rs).
    let spec = read("spec/gainsight-cta.yaml");
    let output = generate(&spec, &tests::seed_config_without_overlays()).expect("generates");
    assert_eq!(output.warnings.len(), 1);
    assert_eq!(output.warnings[0].location, "#/info/contact/email");
}

/// The errors for the seed spec after `edit` changes the seed config's pagination of `searchCTAs`.
fn pagination_errors(edit: impl FnOnce(&mut generator::config::PaginationConfig)) -> String {
    let mut config = tests::seed_config();
    let pagination = config
        .operations
        .get_mut("searchCTAs")
        .and_then(|o| o.pagination.as_mut());
    edit(pagination.expect("the seed config declares pagination"));
    errors_of(&read("spec/gainsight-cta.yaml"), &config).join("\n")
}

#[test]
fn pagination_config_must_name_real_request_and_response_properties() {
    let errors = pagination_errors(|p| p.items = "rows".to_owned());
    assert!(
        errors.contains("config:operations.searchCTAs.pagination.items"),
        "{errors}"
    );
    assert!(errors.contains("has no property `rows`"), "{errors}");

    let errors = pagination_errors(|p| p.offset = "skip".to_owned());
    assert!(
        errors.contains("`skip` is neither a property of the request body nor a query parameter"),
        "{errors}"
    );

    let errors = pagination_errors(|p| p.total = Some("records".to_owned()));
    assert!(
        errors.contains("response property `records` is not an integer"),
        "{errors}"
    );
}

#[test]
fn filter_config_must_match_the_schema() {
    let spec = read("spec/gainsight-cta.yaml");
    let pointer = "#/components/schemas/SearchRequest/properties/where";
    let mut config = tests::seed_config();
    config
        .filters
        .get_mut(pointer)
        .expect("seed filter")
        .list_operators
        .push("BETWEEN".to_owned());
    let errors = errors_of(&spec, &config).join("\n");
    assert!(
        errors.contains("`BETWEEN` is not one of the operator values"),
        "{errors}"
    );

    let mut config = tests::seed_config();
    config
        .filters
        .get_mut(pointer)
        .expect("seed filter")
        .operator = "op".to_owned();
    assert!(
        errors_of(&spec, &config)
            .join("\n")
            .contains("the condition has no property `op`")
    );

    let mut config = tests::seed_config();
    let filter = config.filters.remove(pointer).expect("seed filter");
    config
        .filters
        .insert("#/components/schemas/CTA".to_owned(), filter);
    assert!(
        errors_of(&spec, &config)
            .join("\n")
            .contains("the filter has no property `conditions`")
    );
}

#[test]
fn extra_files_cannot_escape_the_crate() {
    let mut config = tests::seed_config();
    config
        .extra_files
        .insert("../../etc/evil.rs".to_owned(), "x.rs".to_owned());
    config
        .extra_file_contents
        .insert("../../etc/evil.rs".to_owned(), String::new());
    let errors = errors_of(&read("spec/gainsight-cta.yaml"), &config).join("\n");
    assert!(
        errors.contains("must be relative and stay inside the crate"),
        "{errors}"
    );
}

#[test]
fn segments_written_after_a_hash_are_a_warning_naming_the_path_sent() {
    let spec = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  "/send/#env/v1/{id}/transfer":
    post:
      operationId: transfer
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  "/tags#tagKeys":
    delete:
      operationId: untag
      responses: {"200": {description: ok}}
"##;
    let output = generate(spec, &Config::default()).expect("generates");
    let warnings: Vec<String> = output.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("#/paths/~1send~1#env~1v1~1{id}~1transfer")
            && warnings[0].contains("requests go to `/send/`"),
        "{warnings:?}"
    );
}
