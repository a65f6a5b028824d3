//! The generated models: forward-compatible enums and objects, lenient dates, serde names.

use gainsight_cta::chrono::{NaiveDate, TimeZone, Utc};
use gainsight_cta::types::{Cta, CtaInput, SearchOperator};
use serde_json::json;

#[test]
fn unknown_enum_values_round_trip() {
    let known: SearchOperator = serde_json::from_value(json!("NOT_IN")).expect("known value");
    assert_eq!(known, SearchOperator::NotIn);
    let unknown: SearchOperator = serde_json::from_value(json!("BETWEEN")).expect("unknown value");
    assert_eq!(unknown, SearchOperator::Unknown("BETWEEN".to_owned()));
    assert_eq!(
        serde_json::to_value(&unknown).expect("serialize"),
        json!("BETWEEN")
    );
    assert_eq!("GTE".parse::<SearchOperator>(), Ok(SearchOperator::Gte));
    assert_eq!(SearchOperator::Contains.to_string(), "CONTAINS");
}

#[test]
fn undeclared_fields_survive_a_round_trip_and_nulls_decode() {
    let wire =
        json!({"Gsid": "1", "Comments": null, "Renewal_Date__gc": "2025-01-31", "Score__gc": 7});
    let cta: Cta = serde_json::from_value(wire).expect("decode");
    assert_eq!(cta.gsid.as_deref(), Some("1"));
    assert_eq!(cta.comments, None);
    assert_eq!(cta.extra.get("Renewal_Date__gc"), Some(json!("2025-01-31")));
    let back = serde_json::to_value(&cta).expect("encode");
    assert_eq!(
        back,
        json!({"Gsid": "1", "Renewal_Date__gc": "2025-01-31", "Score__gc": 7})
    );
}

#[test]
fn dates_decode_leniently_and_encode_strictly() {
    let cta: Cta = serde_json::from_value(json!({
        "DueDate": "2020-04-14T11:30:00Z",
        "ClosedDate": 1586822400000_i64,
        "CreatedDate": "2024-02-05T08:34:35.253Z",
        "ModifiedDate": "2024-02-05 08:34:35"
    }))
    .expect("decode");
    assert_eq!(cta.due_date, NaiveDate::from_ymd_opt(2020, 4, 14));
    assert_eq!(cta.closed_date, NaiveDate::from_ymd_opt(2020, 4, 14));
    let created = Utc
        .with_ymd_and_hms(2024, 2, 5, 8, 34, 35)
        .single()
        .expect("valid")
        + chrono::Duration::milliseconds(253);
    assert_eq!(cta.created_date, Some(created));
    let back = serde_json::to_value(&cta).expect("encode");
    assert_eq!(back["DueDate"], json!("2020-04-14"));
    assert_eq!(back["CreatedDate"], json!("2024-02-05T08:34:35.253Z"));
    assert_eq!(back["ModifiedDate"], json!("2024-02-05T08:34:35Z"));
    let bad = serde_json::from_value::<Cta>(json!({"DueDate": "soon"})).expect_err("not a date");
    assert!(bad.to_string().contains("`soon` is not a date"), "{bad}");
}

#[test]
fn required_fields_are_plain_and_optional_ones_are_omitted() {
    let input = CtaInput {
        company_id: "c".into(),
        type_id: "t".into(),
        reason_id: "r".into(),
        priority_id: "p".into(),
        status_id: "s".into(),
        ..Default::default()
    };
    let wire = serde_json::to_value(&input).expect("encode");
    assert_eq!(
        wire,
        json!({"CompanyId": "c", "TypeId": "t", "ReasonId": "r", "PriorityId": "p", "StatusId": "s"})
    );
    let missing =
        serde_json::from_value::<CtaInput>(json!({"CompanyId": "c"})).expect_err("required fields");
    assert!(
        missing.to_string().contains("missing field `TypeId`"),
        "{missing}"
    );
}

#[test]
fn identical_inline_schemas_share_one_type_and_components_keep_theirs() {
    let spec = tests::read("tests/fixtures/ok/duplicate_inline.yaml");
    let (api, _) = generator::lower_spec(&spec, &generator::Config::default()).expect("lowers");
    let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    // Both components stay (their names are API surface); the inline copies of `Link` (and of
    // its `method` enum) become `Link`; the differently documented object keeps its own type.
    assert!(
        names.contains(&"Link") && names.contains(&"SameAsLink"),
        "{names:?}"
    );
    let enums = api
        .types
        .iter()
        .filter(|t| matches!(t.kind, generator::ir::TypeKind::StringEnum(_)))
        .count();
    assert_eq!(
        enums, 1,
        "every inline `method` enum is the same one: {names:?}"
    );
    let link_shaped = api
        .types
        .iter()
        .filter(|t| {
            matches!(&t.kind, generator::ir::TypeKind::Struct(s)
                if s.fields.iter().map(|f| f.json_name.as_str()).eq(["href", "method"]))
        })
        .count();
    assert_eq!(
        link_shaped, 3,
        "Link, SameAsLink and the documented copy: {names:?}"
    );
    // The inline union under both responses is one type too: its inline member's variant is
    // named without the union's (context-given) name, so the copies are identical.
    let unions: Vec<_> = api
        .types
        .iter()
        .filter_map(|t| match &t.kind {
            generator::ir::TypeKind::Union(variants) => Some(
                variants
                    .iter()
                    .map(|v| v.rust_name.as_str())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .collect();
    assert_eq!(unions, [["Variant0", "String"]], "{names:?}");
    let response_a = api.operations[0].response.ty.clone();
    let response_b = api.operations[1].response.ty.clone();
    assert_ne!(
        response_a, response_b,
        "the two responses differ (b has `other`)"
    );
}

#[test]
fn several_success_bodies_become_an_outcome_enum_decoded_by_status() {
    let spec = tests::read("tests/fixtures/ok/multi_status.yaml");
    let (api, _) = generator::lower_spec(&spec, &generator::Config::default()).expect("lowers");
    let operation = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.operation_id == id)
            .expect("operation")
    };
    let submit = operation("submitJob");
    let by_status: Vec<(u16, &str)> = submit
        .response
        .by_status
        .iter()
        .map(|(code, variant)| (*code, variant.as_str()))
        .collect();
    // 204 has no body and 400 is an error: neither is an alternative.
    assert_eq!(by_status, [(200, "Ok"), (202, "Accepted")]);
    let Some(generator::ir::TypeRef::Named(id)) = &submit.response.ty else {
        panic!(
            "expected a named outcome type, got {:?}",
            submit.response.ty
        );
    };
    let outcome = api.type_def(*id).expect("outcome type");
    assert_eq!(outcome.name, "SubmitJobOutcome");
    assert!(
        matches!(&outcome.kind, generator::ir::TypeKind::Union(v) if v.len() == 2),
        "{:?}",
        outcome.kind
    );
    // Two statuses with the same body need no enum (`Result` is renamed: it is a prelude type).
    let get = operation("getResult");
    assert!(get.response.by_status.is_empty());
    assert!(
        matches!(&get.response.ty, Some(generator::ir::TypeRef::Named(id)) if api.type_def(*id).is_some_and(|t| t.name == "ResultModel"))
    );
}

#[test]
fn custom_date_fields_read_as_leniently_as_declared_ones_and_fail_as_the_crate_error() {
    let wire = json!({"Gsid": "1", "DueDate": 1_586_863_800_000i64,
        "Renewal__gc": 1_586_863_800_000i64, "Kickoff__gc": "2020-04-14 11:30:00", "Tier__gc": "gold"});
    let cta: Cta = serde_json::from_value(wire).expect("decode");
    // The same epoch millis as a declared date field and as a custom one.
    let declared = cta.due_date.expect("declared date");
    let custom: gainsight_cta::chrono::NaiveDate = cta
        .extra
        .get_as("Renewal__gc")
        .expect("present")
        .expect("a date");
    assert_eq!(custom, declared);
    let kickoff: gainsight_cta::chrono::DateTime<gainsight_cta::chrono::Utc> = cta
        .extra
        .get_as("Kickoff__gc")
        .expect("present")
        .expect("a date-time");
    assert_eq!(kickoff.to_rfc3339(), "2020-04-14T11:30:00+00:00");
    let Some(Err(gainsight_cta::Error::Decode(error))) = cta
        .extra
        .get_as::<gainsight_cta::chrono::NaiveDate>("Tier__gc")
    else {
        panic!("`gold` is no date")
    };
    assert_eq!(error.path, "Tier__gc");
}

#[test]
fn undeclared_fields_of_any_shape_and_escaped_names_survive_unbuffered_input() {
    // `from_reader` cannot lend strings from the input: every name and value is copied.
    let wire = br#"{"Gsid":"1","Tier\"__gc":{"a":[1,2.5,null,true,"x\\y"],"b":{}},"Big__gc":18446744073709551615}"#;
    let cta: Cta = serde_json::from_reader(&wire[..]).expect("decode");
    assert_eq!(
        cta.extra.get("Tier\"__gc"),
        Some(json!({"a": [1, 2.5, null, true, "x\\y"], "b": {}}))
    );
    assert_eq!(
        cta.extra.get_as::<u64>("Big__gc").and_then(Result::ok),
        Some(u64::MAX)
    );
    assert_eq!(cta.extra.keys(), ["Big__gc", "Tier\"__gc"]);
    let back: serde_json::Value = serde_json::to_value(&cta).expect("encode");
    let original: serde_json::Value = serde_json::from_slice(wire).expect("valid JSON");
    assert_eq!(back, original);
    // Setting and removing custom fields on a request body.
    let mut input = cta.clone();
    input.extra.remove("Big__gc");
    input.extra.insert("Score__gc", 7);
    assert_eq!(input.extra.len(), 2);
    assert_eq!(
        serde_json::to_value(&input).expect("encode")["Score__gc"],
        json!(7)
    );
    assert_ne!(input, cta);
}
