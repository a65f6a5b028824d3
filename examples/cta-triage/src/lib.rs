//! Example application logic on the generated Gainsight client: escalate a company's overdue
//! open CTAs. Its tests (`tests/triage.rs`) run it against the client's typed mock server.

use gainsight_cta::chrono::NaiveDate;
use gainsight_cta::types::{CtaInput, SearchRequest};
use gainsight_cta::{Client, Error};

/// The status of CTAs still to be worked on.
pub const OPEN: &str = "open";

/// Raises every open CTA of the search results that is due before `today` to `priority`, each
/// by updating the CTA as fetched; returns the ids it changed, in the order found.
///
/// # Errors
///
/// The first error of the search or of an update; updates made before it stay made.
pub async fn escalate_overdue(
    client: &Client,
    today: NaiveDate,
    priority: &str,
) -> Result<Vec<String>, Error> {
    let request = SearchRequest::default().with_limit(100);
    let mut changed = Vec::new();
    for cta in client.search_ctas_all(&request, 10_000).await? {
        let overdue = cta.due_date.is_some_and(|due| due < today);
        let open = cta.status_id.as_deref() == Some(OPEN);
        let (Some(id), true, true) = (cta.gsid.clone(), overdue, open) else {
            continue;
        };
        if cta.priority_id.as_deref() == Some(priority) {
            continue;
        }
        let mut update = CtaInput::try_from(&cta)?;
        update.priority_id = priority.to_owned();
        client.update_cta(&id, &update).await?;
        changed.push(id);
    }
    Ok(changed)
}
