//! Lists the open CTAs of one company, page by page.
//!
//! ```sh
//! GAINSIGHT_DOMAIN=acme GAINSIGHT_ACCESS_KEY=... GAINSIGHT_COMPANY_ID=... \
//!     cargo run -p gainsight-cta --example list_open_ctas
//! ```

use gainsight_cta::futures_util::TryStreamExt;
use gainsight_cta::types::{SearchCondition, SearchFilter, SearchRequest};
use gainsight_cta::Client;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(env("GAINSIGHT_DOMAIN")?, env("GAINSIGHT_ACCESS_KEY")?)?;
    let company_id = env("GAINSIGHT_COMPANY_ID")?;

    // "Open" is whatever status the tenant has not marked closed.
    let open_statuses: Vec<String> = client
        .get_cta_statuses()
        .await?
        .into_iter()
        .filter(|status| status.is_closed != Some(true))
        .filter_map(|status| status.id)
        .collect();

    let mut filter = SearchFilter::builder();
    let company = filter.add(SearchCondition::eq("CompanyId", company_id));
    let open = filter.add(SearchCondition::in_("StatusId", open_statuses));
    let request = SearchRequest::default()
        .with_select(vec![
            "Gsid".into(),
            "Name".into(),
            "StatusName".into(),
            "DueDate".into(),
        ])
        .with_where(filter.build(&company.and(open))?)
        .with_limit(100);

    let mut ctas = std::pin::pin!(client.search_ctas_stream(&request));
    let mut count = 0;
    while let Some(cta) = ctas.try_next().await? {
        count += 1;
        println!(
            "{}\t{}\t{}\t{}",
            cta.gsid.unwrap_or_default(),
            cta.name.unwrap_or_default(),
            cta.status_name.unwrap_or_default(),
            cta.due_date
                .map(|date| date.to_string())
                .unwrap_or_default()
        );
    }
    eprintln!("{count} open CTAs");
    Ok(())
}
