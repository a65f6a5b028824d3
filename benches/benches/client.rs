//! Generated-client benchmarks against hand-written baselines: decoding a 1,000-record search
//! page (generated types vs a plain serde struct) and whole requests to a local server
//! (generated client vs a plain `reqwest` call doing the same request and decode).
//!
//! Run with `cargo bench -p benchmarks --bench client`. Allocation counts come from divan's
//! allocation profiler.

use std::sync::LazyLock;

use benchmarks::{Fixture, PlainCta, PlainPage, plain_call};
use divan::{AllocProfiler, Bencher, black_box};
use gainsight_cta::types::{CtaSearchPage, SearchRequest};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

const PAGE_RECORDS: usize = 1_000;

/// The `data` object of a 1,000-record search response.
static PAGE_DATA: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let envelope: serde_json::Value =
        serde_json::from_slice(&benchmarks::search_page_body(PAGE_RECORDS)).unwrap_or_default();
    serde_json::to_vec(&envelope["data"]).unwrap_or_default()
});

/// One CTA as JSON, without the tenant's custom fields.
static RECORD_WITHOUT_CUSTOM_FIELDS: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut record = benchmarks::cta_json(1);
    if let Some(object) = record.as_object_mut() {
        object.retain(|name, _| !name.ends_with("__gc"));
    }
    serde_json::to_vec(&record).unwrap_or_default()
});

mod decode {
    use super::*;

    /// A 1,000-record page through the generated types (custom fields kept in `extra`).
    #[divan::bench]
    fn generated(bencher: Bencher) {
        let data = PAGE_DATA.as_slice();
        bencher.bench(|| {
            let page: CtaSearchPage =
                serde_json::from_slice(black_box(data)).unwrap_or_else(|e| panic!("{e}"));
            page.records.map_or(0, |r| r.len())
        });
    }

    /// One CTA without custom fields: the generated type makes exactly the plain struct's
    /// allocations when there is nothing undeclared to keep.
    #[divan::bench]
    fn record_without_custom_fields_generated(bencher: Bencher) {
        let data = RECORD_WITHOUT_CUSTOM_FIELDS.as_slice();
        bencher.bench(|| {
            serde_json::from_slice::<gainsight_cta::types::Cta>(black_box(data))
                .unwrap_or_else(|e| panic!("{e}"))
        });
    }

    /// The same record through the plain struct.
    #[divan::bench]
    fn record_without_custom_fields_plain(bencher: Bencher) {
        let data = RECORD_WITHOUT_CUSTOM_FIELDS.as_slice();
        bencher.bench(|| {
            serde_json::from_slice::<PlainCta>(black_box(data)).unwrap_or_else(|e| panic!("{e}"))
        });
    }

    /// The same page through a plain serde struct declaring the same properties.
    #[divan::bench]
    fn plain(bencher: Bencher) {
        let data = PAGE_DATA.as_slice();
        bencher.bench(|| {
            let page: PlainPage =
                serde_json::from_slice(black_box(data)).unwrap_or_else(|e| panic!("{e}"));
            page.records.map_or(0, |r| r.len())
        });
    }
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| Fixture::new(PAGE_RECORDS));

mod request {
    use super::*;

    /// `GET /ctas/{id}` (one CTA) with the generated client.
    #[divan::bench(sample_count = 1000)]
    fn get_generated(bencher: Bencher) {
        let f = &*FIXTURE;
        bencher.bench(|| {
            f.runtime
                .block_on(async { f.client.get_cta("1S01000000000007").await })
                .unwrap_or_else(|e| panic!("{e}"))
        });
    }

    /// `GET /ctas/{id}` with plain `reqwest` + serde.
    #[divan::bench(sample_count = 1000)]
    fn get_plain(bencher: Bencher) {
        let f = &*FIXTURE;
        bencher.bench(|| {
            let url = format!("{}/ctas/{}", f.base, black_box("1S01000000000007"));
            f.runtime
                .block_on(plain_call::<PlainCta>(f.http.get(url)))
                .unwrap_or_else(|| panic!("request failed"))
        });
    }

    /// `POST /ctas/search` returning 1,000 CTAs, with the generated client.
    #[divan::bench(sample_count = 30)]
    fn search_generated(bencher: Bencher) {
        let f = &*FIXTURE;
        let body = SearchRequest::default().with_limit(1_000);
        bencher.bench(|| {
            f.runtime
                .block_on(async { f.client.search_ctas(&body).await })
                .unwrap_or_else(|e| panic!("{e}"))
        });
    }

    /// `POST /ctas/search` with plain `reqwest` + serde.
    #[divan::bench(sample_count = 30)]
    fn search_plain(bencher: Bencher) {
        let f = &*FIXTURE;
        let body = SearchRequest::default().with_limit(1_000);
        bencher.bench(|| {
            let url = format!("{}/ctas/search", f.base);
            let body = serde_json::to_vec(&body).unwrap_or_default();
            f.runtime
                .block_on(plain_call::<PlainPage>(
                    f.http
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body),
                ))
                .unwrap_or_else(|| panic!("request failed"))
        });
    }
}

mod paging {
    use super::*;
    use gainsight_cta::futures_util::StreamExt as _;

    /// Streams all 10,000 CTAs of the paged route in pages of 1,000 (10 requests); compare
    /// its `max alloc` with `one_page`: the stream holds one page at a time.
    #[divan::bench(sample_count = 10)]
    fn stream_ten_pages(bencher: Bencher) {
        let f = &*FIXTURE;
        let client = gainsight_cta::Client::builder()
            .base_url(f.base.replace("/v1", "/paged/v1"))
            .access_key("bench-key")
            .no_rate_limit()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let body = SearchRequest::default().with_limit(benchmarks::PAGE_SIZE as i64);
        bencher.bench(|| {
            let before = benchmarks::PAGED_REQUESTS.load(std::sync::atomic::Ordering::Relaxed);
            let count = f.runtime.block_on(
                client
                    .search_ctas_stream(&body)
                    .fold(0usize, |n, cta| async move { n + usize::from(cta.is_ok()) }),
            );
            let requests =
                benchmarks::PAGED_REQUESTS.load(std::sync::atomic::Ordering::Relaxed) - before;
            assert_eq!(
                (count, requests),
                (benchmarks::PAGED_TOTAL, 10),
                "items, requests"
            );
            count
        });
    }

    /// One page of 1,000 through the same stream, for the memory comparison.
    #[divan::bench(sample_count = 10)]
    fn one_page(bencher: Bencher) {
        let f = &*FIXTURE;
        let body = SearchRequest::default().with_limit(1_000);
        bencher.bench(|| {
            f.runtime.block_on(
                f.client
                    .search_ctas_stream(&body)
                    .fold(0usize, |n, cta| async move { n + usize::from(cta.is_ok()) }),
            )
        });
    }
}

mod deadline {
    use super::*;
    use std::time::Duration;

    /// A client of the route that never answers: 100 ms per attempt, 3 attempts, 10 ms backoff.
    fn hung_client(deadline: Option<Duration>) -> gainsight_cta::Client {
        let f = &*FIXTURE;
        let builder = gainsight_cta::Client::builder()
            .base_url(f.base.replace("/v1", "/hung/v1"))
            .access_key("bench-key")
            .no_rate_limit()
            .timeout(Duration::from_millis(100))
            .retry_policy(gainsight_cta::RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(10),
                jitter: false,
            });
        match deadline {
            Some(deadline) => builder.deadline(deadline),
            None => builder,
        }
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Per-attempt timeouts only: the call returns after every attempt has timed out
    /// (about 3 × 100 ms + 2 × 10 ms).
    #[divan::bench(sample_count = 5)]
    fn timeouts_only(bencher: Bencher) {
        let client = hung_client(None);
        bencher.bench(|| {
            let Err(error) = FIXTURE.runtime.block_on(client.get_cta("1").send()) else {
                panic!("the route that never answers answered")
            };
            assert!(error.is_timeout(), "{error}");
        });
    }

    /// The same with a 150 ms deadline over the whole call: it returns at the deadline.
    #[divan::bench(sample_count = 5)]
    fn deadline_150ms(bencher: Bencher) {
        let client = hung_client(Some(Duration::from_millis(150)));
        bencher.bench(|| {
            let Err(error) = FIXTURE.runtime.block_on(client.get_cta("1").send()) else {
                panic!("the route that never answers answered")
            };
            assert!(
                matches!(error, gainsight_cta::Error::Deadline(_)),
                "{error}"
            );
        });
    }
}
