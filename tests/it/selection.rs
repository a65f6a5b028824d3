//! `only`: part of an API generated (by tag, operationId or path prefix), with just the types
//! the kept operations use, the config's sections about the rest dropped, and a selector that
//! matches nothing refused.

use generator::config::OnlyConfig;
use tests::{project_root, seed_config};

fn seed_spec() -> String {
    std::fs::read_to_string(project_root().join("spec/gainsight-cta.yaml")).expect("spec")
}

/// The seed generated with `only`: (client.rs, types.rs).
fn generate_only(only: OnlyConfig) -> Result<(String, String), generator::Error> {
    let config = generator::Config {
        only: Some(only),
        ..seed_config()
    };
    let output = generator::generate(&seed_spec(), &config)?;
    let file = |path: &str| {
        output
            .files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.contents.clone())
            .expect(path)
    };
    Ok((file("src/client.rs"), file("src/types.rs")))
}

#[test]
fn a_tag_keeps_its_operations_and_only_the_types_they_use() {
    let (client, types) = generate_only(OnlyConfig {
        tags: vec!["CTA Configuration".to_owned()],
        ..OnlyConfig::default()
    })
    .expect("generates");
    for method in [
        "get_cta_types",
        "get_cta_reasons",
        "get_cta_priorities",
        "get_cta_statuses",
    ] {
        assert!(tests::client_method(&client, method).is_some(), "{method}");
    }
    for method in ["create_cta", "get_cta", "search_ctas"] {
        assert!(
            tests::client_method(&client, method).is_none(),
            "{method} is left out"
        );
    }
    for kept in ["pub struct CtaType ", "pub struct CtaStatus "] {
        assert!(types.contains(kept), "{kept}");
    }
    // The CTA records, their input and the search types are used only by left-out operations
    // (the config's pagination, filter and type names for them are dropped, not errors).
    for gone in [
        "pub struct Cta ",
        "pub struct CtaInput ",
        "pub struct SearchRequest ",
        "SearchFilter",
    ] {
        assert!(!types.contains(gone), "{gone} is left out");
    }
}

#[test]
fn operations_and_path_prefixes_select_too_and_reach_what_they_reference() {
    let (client, types) = generate_only(OnlyConfig {
        operations: vec!["getCTA".to_owned()],
        paths: vec!["/ctas/config/statuses".to_owned()],
        ..OnlyConfig::default()
    })
    .expect("generates");
    assert!(tests::client_method(&client, "get_cta").is_some());
    assert!(tests::client_method(&client, "get_cta_statuses").is_some());
    assert!(tests::client_method(&client, "get_cta_types").is_none());
    assert!(tests::client_method(&client, "update_cta").is_none());
    assert!(types.contains("pub struct Cta "), "getCTA returns a Cta");
    assert!(!types.contains("pub struct CtaInput "));
}

#[test]
fn a_selector_that_matches_nothing_is_an_error_naming_it() {
    let error = generate_only(OnlyConfig {
        tags: vec!["CTA Configuration".to_owned(), "Ctas".to_owned()],
        operations: vec!["getCta".to_owned()],
        ..OnlyConfig::default()
    })
    .expect_err("typos must not generate less silently");
    let text = error.to_string();
    assert!(
        text.contains("config:only.tags") && text.contains("no operation has tag `Ctas`"),
        "{text}"
    );
    assert!(
        text.contains("no operation has operationId `getCta`"),
        "{text}"
    );
    assert!(!text.contains("CTA Configuration`"), "{text}");
}

#[test]
fn command_line_selectors_are_parsed_or_refused() {
    let mut only = OnlyConfig::default();
    only.add_selector("tag:CTAs").expect("tag");
    only.add_selector("op:getCTA").expect("op");
    only.add_selector("operation:searchCTAs")
        .expect("operation");
    only.add_selector("path:/ctas/config").expect("path");
    assert_eq!(only.tags, ["CTAs"]);
    assert_eq!(only.operations, ["getCTA", "searchCTAs"]);
    assert_eq!(only.paths, ["/ctas/config"]);
    for bad in ["CTAs", "tag:", "path:ctas", "kind:x"] {
        let message = only.add_selector(bad).expect_err(bad);
        assert!(
            message.contains("tag:NAME, operation:ID or path:/PREFIX"),
            "{message}"
        );
    }
}
