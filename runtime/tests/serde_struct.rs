//! `serde_struct!`, the `Serialize` and `Deserialize` of generated structs that keep undeclared
//! properties, used as a generated crate depending on this one uses it.

#![allow(clippy::unwrap_used, missing_docs)]

/// What `serde_struct!` expects where it is called (as in a generated `types` module):
/// the runtime as `runtime`, `Deserialize` and `Serialize`.
mod generated {
    use chrono::NaiveDate;
    use openapi_rust_runtime as runtime;
    use openapi_rust_runtime::serde_struct;
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    serde_struct! {
        /// A record.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Record {
            pub id: String = required("id"),
            pub r#type: Option<String> = optional("type", with_type: impl Into<String>),
            pub due: Option<NaiveDate> = optional_date("dueDate", with_due: NaiveDate),
            pub since: NaiveDate = required_date("since"),
            pub owner: Option<String> = nullable("owner"),
            #[deprecated]
            pub closed: Option<chrono::DateTime<chrono::Utc>> = nullable_date("closedAt"),
            pub parent: Option<Box<Record>> = optional("parent", with_parent: Record),
            ..extra: runtime::Extra
        }
    }

    serde_struct! {
        #[derive(Debug, PartialEq, Default)]
        pub struct Scores {
            pub name: Option<String> = optional("name"),
            ..extra: BTreeMap<String, u32>,
        }
    }
}

#[test]
fn serde_struct_reads_declared_fields_and_keeps_the_rest() {
    let record: generated::Record = serde_json::from_str(
        r#"{"id":"a1","Score__gc":7,"type":"t","dueDate":1586822400000,"since":"2020-04-14"}"#,
    )
    .unwrap();
    assert_eq!(record.id, "a1");
    assert_eq!(record.r#type.as_deref(), Some("t"));
    // Dates read leniently: epoch milliseconds as well as ISO text.
    assert_eq!(
        record.due.map(|d| d.to_string()).as_deref(),
        Some("2020-04-14")
    );
    assert_eq!(record.since.to_string(), "2020-04-14");
    assert_eq!(record.extra.get("Score__gc"), Some(serde_json::json!(7)));
    assert_eq!(record.extra.get("id"), None);

    let missing = serde_json::from_str::<generated::Record>(r#"{"since":"2020-04-14"}"#)
        .unwrap_err()
        .to_string();
    assert!(missing.contains("missing field `id`"), "{missing}");
    let wrong = serde_json::from_str::<generated::Record>("[]")
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("a `Record` object"), "{wrong}");

    let scores: generated::Scores = serde_json::from_str(r#"{"name":"n","a":1,"b":2}"#).unwrap();
    assert_eq!(scores.name.as_deref(), Some("n"));
    assert_eq!(
        scores.extra.into_iter().collect::<Vec<_>>(),
        [("a".to_owned(), 1), ("b".to_owned(), 2)]
    );
    assert!(serde_json::from_str::<generated::Scores>(r#"{"a":"x"}"#).is_err());
}

#[test]
fn serde_struct_writes_declared_fields_in_order_then_the_rest() {
    let record: generated::Record = serde_json::from_str(
        r#"{"id":"a1","Score__gc":7,"dueDate":1586822400000,"since":"2020-04-14","owner":null,"closedAt":"2020-04-15T08:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!(record.owner, None);
    // `type` is absent and optional: left out; `owner` is nullable: written as null; dates in
    // their formats; undeclared properties last, as received.
    assert_eq!(
        serde_json::to_string(&record).unwrap(),
        r#"{"id":"a1","dueDate":"2020-04-14","since":"2020-04-14","owner":null,"closedAt":"2020-04-15T08:00:00Z","Score__gc":7}"#
    );
    let again: generated::Record =
        serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
    assert_eq!(again, record);

    let scores: generated::Scores = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
    assert_eq!(serde_json::to_string(&scores).unwrap(), r#"{"a":1,"b":2}"#);
}

#[test]
#[allow(deprecated)]
fn serde_struct_setters_set_their_optional_field() {
    let record: generated::Record =
        serde_json::from_str(r#"{"id":"a1","since":"2020-04-14","closedAt":null}"#).unwrap();
    let due = chrono::NaiveDate::from_ymd_opt(2020, 4, 15).unwrap();
    let child = record
        .clone()
        .with_type("t")
        .with_due(due)
        .with_parent(record.clone());
    assert_eq!(child.r#type.as_deref(), Some("t"));
    assert_eq!(child.due, Some(due));
    assert_eq!(child.parent.as_deref().map(|p| p.id.as_str()), Some("a1"));
    assert!(serde_json::to_string(&child)
        .unwrap()
        .contains(r#""type":"t","dueDate":"2020-04-15""#));
}
