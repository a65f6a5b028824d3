//! API change reports: every kind of change classified, and the maintainer's regeneration flow end to end.

use generator::Config;
use generator::diff::{Bump, Impact, diff};
use tests::{project_root, read, seed_config};

fn lower(text: &str) -> generator::ir::Api {
    generator::lower_spec(text, &Config::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

#[test]
fn every_kind_of_change_is_classified() {
    for pair in ["operations", "parameters", "fields", "enums_and_types"] {
        let old = read(&format!("tests/fixtures/diff/{pair}.old.yaml"));
        let new = read(&format!("tests/fixtures/diff/{pair}.new.yaml"));
        let report = diff(&lower(&old), &lower(&new));
        assert!(report.is_breaking(), "{pair} contains breaking changes");
        insta::assert_snapshot!(format!("api_diff__{pair}"), report.to_text());
        assert!(
            diff(&lower(&new), &lower(&new)).changes.is_empty(),
            "{pair}: a spec has no changes against itself"
        );
    }
}

#[test]
fn additions_alone_are_compatible() {
    let old = read("tests/fixtures/diff/fields.old.yaml");
    let new = old.replace(
        "        note: {type: string}",
        "        note: {type: string}\n        extra_note: {type: string}",
    );
    let report = diff(&lower(&old), &lower(&new));
    assert_eq!(report.changes.len(), 1);
    assert_eq!(report.changes[0].impact, Impact::Compatible);
    assert_eq!(report.bump(), Bump::Minor);
}

#[test]
fn a_realistic_gainsight_update_regenerates_with_a_report_a_bump_and_a_changelog() {
    let old = read("spec/gainsight-cta.yaml");
    let new = read("tests/fixtures/diff/gainsight-updated.yaml");
    let config = seed_config();
    // The checked-in crate's version, and the one a breaking change while 0.x leads to.
    let current = config
        .package
        .version
        .clone()
        .expect("a version in spec/codegen.toml");
    let minor: u64 = current
        .strip_prefix("0.")
        .and_then(|rest| rest.split('.').next())
        .and_then(|minor| minor.parse().ok())
        .expect("a 0.x version");
    let next = format!("0.{}.0", minor + 1);
    let changelog = read("generated-client/CHANGELOG.md");

    let regeneration =
        generator::regenerate(Some(&old), &new, &config, Some(&changelog)).expect("regenerate");
    let report = regeneration.report.as_ref().expect("a report");
    let text = report.to_text();
    for expected in [
        "compatible operation Client::delete_cta: added (`DELETE /ctas/{ctaId}`)",
        "compatible field types::Cta::is_important: `IsImportant`: optional field added",
        "compatible enum value types::SearchOperator::StartsWith: `STARTS_WITH` added",
        "BREAKING   field types::CtaInput::name: `Name` made required (no longer an `Option`)",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert_eq!(
        regeneration.version, next,
        "a breaking change while 0.x bumps the minor version"
    );

    let files = &regeneration.output.files;
    let file = |path: &str| {
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.contents.clone())
            .unwrap_or_default()
    };
    assert!(file("Cargo.toml").contains(&format!("version = \"{next}\"")));
    let new_changelog = file("CHANGELOG.md");
    let top = new_changelog
        .find(&format!("## gainsight-cta {next} (API version 1.1)"))
        .expect("new entry");
    let previous = new_changelog
        .find(&format!("## gainsight-cta {current}"))
        .expect("previous entry kept");
    assert!(top < previous);
    assert!(new_changelog.contains("### Breaking changes\n\n- field `types::CtaInput::name`"));
    assert!(file("src/client.rs").contains("pub fn delete_cta"));
    assert!(file("src/types.rs").contains("StartsWith"));

    // Running codegen again (config now at the bumped version, changelog written) adds nothing.
    let mut bumped = config.clone();
    bumped.package.version = Some(regeneration.version.clone());
    let again = generator::regenerate(Some(&old), &new, &bumped, Some(&new_changelog))
        .expect("regenerate again");
    assert!(again.report.is_none());
    assert_eq!(again.version, next);
    assert_eq!(again.output, regeneration.output);
}

#[test]
fn unchanged_specs_keep_version_and_changelog() {
    let spec = read("spec/gainsight-cta.yaml");
    let changelog = read("generated-client/CHANGELOG.md");
    let regeneration = generator::regenerate(Some(&spec), &spec, &seed_config(), Some(&changelog))
        .expect("regenerate");
    assert!(regeneration.report.is_none());
    assert_eq!(regeneration.version, regeneration.previous_version);
    let written = regeneration
        .output
        .files
        .iter()
        .find(|f| f.path == "CHANGELOG.md")
        .expect("changelog");
    assert_eq!(written.contents, changelog);
    assert!(
        project_root()
            .join("generated-client/CHANGELOG.md")
            .is_file()
    );
}
