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

    #[derive(Debug, PartialEq)]
    pub struct Record {
        pub id: String,
        pub r#type: Option<String>,
        pub due: Option<NaiveDate>,
        pub since: NaiveDate,
        pub owner: Option<String>,
        pub closed: Option<chrono::DateTime<chrono::Utc>>,
        pub extra: runtime::Extra,
    }

    serde_struct!(
        Record,
        any(extra),
        required(id, "id"),
        optional(r#type, "type"),
        optional_date(due, "dueDate"),
        required_date(since, "since"),
        nullable(owner, "owner"),
        nullable_date(closed, "closedAt"),
    );

    #[derive(Debug, PartialEq)]
    pub struct Scores {
        pub name: Option<String>,
        pub extra: BTreeMap<String, u32>,
    }

    serde_struct!(Scores, typed(extra), optional(name, "name"));
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
