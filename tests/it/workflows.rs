//! End-to-end workflows through the generated client against the stateful fake service.

use std::collections::HashSet;

use gainsight_cta::futures_util::TryStreamExt;
use gainsight_cta::types::{CtaInput, SearchCondition, SearchFilter, SearchRequest};
use gainsight_cta::{Client, Error, StatusCode};
use serde_json::json;

use crate::fake::{self, KEY};

fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .access_key(KEY)
        // The fake has no rate limit, and seeding 250 CTAs at Gainsight's 100 a minute would
        // take three minutes.
        .no_rate_limit()
        .build()
        .expect("client")
}

/// The `i`th seeded CTA: every third one is closed; due dates run one a day from 2025-01-01.
fn seeded(i: u32) -> CtaInput {
    let due = gainsight_cta::chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date")
        + chrono::Days::new(u64::from(i));
    let status = if i % 3 == 0 { "closed" } else { "open" };
    CtaInput::new(
        format!("company-{}", i % 5),
        "t-risk",
        "r-usage",
        "p-high",
        status,
    )
    .with_name(format!("CTA {i}"))
    .with_due_date(due)
}

#[tokio::test]
async fn create_page_filter_update_and_custom_fields() {
    let fake = fake::start().await;
    let client = client(&fake.url);

    // Create 250 CTAs; the service assigns ids and timestamps.
    let mut created = Vec::new();
    for i in 0..250 {
        let cta = client.create_cta(&seeded(i)).await.expect("create");
        assert!(cta.created_date.is_some());
        created.push(cta.gsid.expect("assigned id"));
    }
    assert_eq!(created.iter().collect::<HashSet<_>>().len(), 250);

    // Page through everything 50 at a time: every id once, in order, in exactly 5 requests.
    let request = SearchRequest::default().with_limit(50);
    let streamed: Vec<String> = client
        .search_ctas_stream(&request)
        .map_ok(|cta| cta.gsid.expect("id"))
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(streamed, created);
    assert_eq!(fake.searches(), 5);

    // Open CTAs due before March: built with the typed filter, checked against the seed data.
    let mut filter = SearchFilter::builder();
    let open = filter.add(SearchCondition::in_("StatusId", ["open"]));
    let early = filter.add(SearchCondition::lt("DueDate", "2025-03-01"));
    let company = filter.add(SearchCondition::eq("CompanyId", "company-1"));
    let other = filter.add(SearchCondition::eq("CompanyId", "company-2"));
    let filter = filter
        .build(&open.and(early).and(company.or(other)))
        .expect("filter");
    assert_eq!(filter.expression.as_deref(), Some("A AND B AND (C OR D)"));
    let request = SearchRequest::default().with_where(filter).with_limit(7);
    let found = client
        .search_ctas_all(&request, 1_000)
        .await
        .expect("filtered search");
    let expected: Vec<String> = (0..250u32)
        .filter(|i| i % 3 != 0 && *i < 59 && matches!(i % 5, 1 | 2))
        .map(|i| created[i as usize].clone())
        .collect();
    let found_ids: Vec<String> = found.iter().map(|c| c.gsid.clone().expect("id")).collect();
    assert_eq!(found_ids, expected);
    assert!(found.iter().all(|c| c.status_id.as_deref() == Some("open")));

    // Update one and read it back.
    let target = &created[10];
    let mut change = seeded(10)
        .with_name("Escalated")
        .with_comments("called the customer");
    change.status_id = "closed".into();
    let updated = client.update_cta(target, &change).await.expect("update");
    assert_eq!(updated.name.as_deref(), Some("Escalated"));
    let read = client.get_cta(target).await.expect("read back");
    assert_eq!(read.status_id.as_deref(), Some("closed"));
    assert_eq!(read.comments.as_deref(), Some("called the customer"));
    assert_ne!(read.modified_date, read.created_date);

    // A fetched CTA becomes the body of its own update: change one field, keep the rest.
    let mut edit = CtaInput::try_from(&read).expect("a fetched CTA has what an update needs");
    edit.priority_id = "p-low".into();
    client
        .update_cta(target, &edit)
        .await
        .expect("update from the fetched CTA");
    let again = client.get_cta(target).await.expect("read after edit");
    assert_eq!(again.priority_id.as_deref(), Some("p-low"));
    assert_eq!(
        (again.name, again.comments, again.due_date, again.status_id),
        (
            read.name.clone(),
            read.comments.clone(),
            read.due_date,
            read.status_id.clone()
        )
    );
    let Err(Error::Encode(message)) = CtaInput::try_from(&gainsight_cta::types::Cta::default())
    else {
        panic!("a CTA without a company cannot become an update")
    };
    assert!(message.contains("CompanyId"), "{message}");

    // Tenant custom fields survive create → read → update → read.
    let mut custom = seeded(999);
    custom.extra.insert("Renewal_Date__gc", json!("2026-06-30"));
    let id = client
        .create_cta(&custom)
        .await
        .expect("create custom")
        .gsid
        .expect("id");
    let fetched = client.get_cta(&id).await.expect("read custom");
    assert_eq!(
        fetched.extra.get("Renewal_Date__gc"),
        Some(json!("2026-06-30"))
    );
    let typed: gainsight_cta::chrono::NaiveDate = fetched
        .extra
        .get_as("Renewal_Date__gc")
        .expect("present")
        .expect("a date");
    assert_eq!(typed.to_string(), "2026-06-30");
    let mut again = seeded(999);
    again.extra = fetched.extra.clone();
    again.extra.insert("Score__gc", json!(7));
    client.update_cta(&id, &again).await.expect("update custom");
    let fetched = client.get_cta(&id).await.expect("read custom again");
    assert_eq!(
        fetched.extra.get("Renewal_Date__gc"),
        Some(json!("2026-06-30"))
    );
    assert_eq!(fetched.extra.get("Score__gc"), Some(json!(7)));
}

#[tokio::test]
async fn config_endpoints_unknown_ids_and_bad_input() {
    let fake = fake::start().await;
    let client = client(&fake.url);
    assert_eq!(client.get_cta_types().await.expect("types").len(), 2);
    let reasons = client
        .get_cta_reasons()
        .type_id("t-exp")
        .await
        .expect("reasons");
    assert_eq!(
        reasons
            .iter()
            .map(|r| r.id.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["r-upsell"]
    );
    assert_eq!(
        client.get_cta_priorities().await.expect("priorities")[0].order,
        Some(1)
    );
    assert!(
        client
            .get_cta_statuses()
            .await
            .expect("statuses")
            .iter()
            .any(|s| s.is_closed == Some(true))
    );

    let error = client.get_cta("1I00999999").await.expect_err("unknown id");
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(error.code(), Some("CTA_404"));

    let mut filter = SearchFilter::builder();
    filter.add(SearchCondition::eq("Name", "x"));
    let mut broken = filter.all();
    broken.expression = Some("A AND (".into());
    let error = client
        .search_ctas(&SearchRequest::default().with_where(broken))
        .await
        .expect_err("bad expression");
    assert!(
        matches!(&error, Error::Api(api) if api.status == StatusCode::OK && api.code.as_deref() == Some("COCKPIT_5102")),
        "{error:?}"
    );

    let keyless = Client::builder()
        .base_url(&fake.url)
        .build()
        .expect("client");
    assert_eq!(
        keyless.get_cta_types().await.expect_err("no key").code(),
        Some("GS_APIG_2401")
    );
}
