//! The application's logic against gainsight-cta's typed mock: which CTAs it updates, with
//! what body, and how a service error reaches the caller.

use gainsight_cta::Error;
use gainsight_cta::chrono::NaiveDate;
use gainsight_cta::mock::MockServer;
use gainsight_cta::types::{Cta, CtaInput, CtaSearchPage};

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap_or_default()
}

fn cta(id: &str, due: u32, status: &str, priority: &str) -> Cta {
    Cta {
        gsid: Some(id.to_owned()),
        name: Some(format!("CTA {id}")),
        company_id: Some("acme".to_owned()),
        type_id: Some("risk".to_owned()),
        reason_id: Some("usage".to_owned()),
        priority_id: Some(priority.to_owned()),
        status_id: Some(status.to_owned()),
        due_date: Some(date(due)),
        ..Cta::default()
    }
}

#[tokio::test]
async fn overdue_open_ctas_are_escalated_and_nothing_else_is_touched() {
    let mock = MockServer::start().await;
    let found = vec![
        cta("c1", 1, "open", "low"),
        cta("c2", 20, "open", "low"),
        cta("c3", 2, "closed", "low"),
        cta("c4", 3, "open", "high"),
    ];
    let page = CtaSearchPage::default()
        .with_records(found.clone())
        .with_total_count(4);
    mock.search_ctas().times(1).returns(page).await;
    // The update the application must send: the fetched CTA, priority raised.
    let mut expected = CtaInput::try_from(&found[0]).unwrap_or_else(|e| panic!("{e}"));
    expected.priority_id = "high".to_owned();
    mock.update_cta()
        .with_cta_id("c1")
        .with_body(&expected)
        .times(1)
        .returns(cta("c1", 1, "open", "high"))
        .await;

    let changed = cta_triage::escalate_overdue(&mock.client(), date(6), "high")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed, ["c1"]);
    mock.verify().await;
    let methods: Vec<String> = mock
        .received_requests()
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(methods, ["POST /v1/ctas/search", "PUT /v1/ctas/c1"]);
}

#[tokio::test]
async fn a_service_error_reaches_the_caller_with_its_code() {
    let mock = MockServer::start().await;
    mock.search_ctas()
        .returns_error(401, "GS_APIG_2401", "Invalid access key")
        .await;
    let error = cta_triage::escalate_overdue(&mock.client(), date(6), "high")
        .await
        .err();
    let Some(Error::Api(api)) = error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 401);
    assert_eq!(api.code(), Some("GS_APIG_2401"));
    assert_eq!(api.message(), Some("Invalid access key"));
}

#[tokio::test]
async fn an_update_the_mock_was_not_told_about_is_a_404() {
    let mock = MockServer::start().await;
    let page = CtaSearchPage::default()
        .with_records(vec![cta("c9", 1, "open", "low")])
        .with_total_count(1);
    mock.search_ctas().returns(page).await;
    let error = cta_triage::escalate_overdue(&mock.client(), date(6), "high")
        .await
        .err();
    assert_eq!(
        error.and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(404)
    );
}
