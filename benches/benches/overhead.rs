//! The generated client's per-request overhead against plain `reqwest`, measured interleaved:
//! `GET /ctas/{id}` through each, in alternating batches within one process, so that both see
//! the same machine (other load, frequency, a neighbour's noise) and the ratio is not that of
//! two runs minutes apart.
//!
//! Run with `cargo bench -p benchmarks --bench overhead`; `OVERHEAD_ROUNDS` and
//! `OVERHEAD_BATCH` change the rounds (default 40) and the calls per batch (default 250). Prints
//! the per-call medians and their ratio; nothing is asserted.

use std::future::IntoFuture as _;
use std::time::{Duration, Instant};

use benchmarks::{Fixture, PlainCta, plain_call};

const CTA_ID: &str = "1S01000000000007";

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|&value| value > 0)
        .unwrap_or(default)
}

/// Which client a batch goes through.
#[derive(Clone, Copy)]
enum Path {
    Generated,
    Plain,
}

/// Sends `calls` requests through `path`; the time per call.
fn batch(fixture: &Fixture, path: Path, calls: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..calls {
        match path {
            Path::Generated => {
                let cta = fixture
                    .runtime
                    .block_on(
                        fixture
                            .client
                            .get_cta(std::hint::black_box(CTA_ID))
                            .into_future(),
                    )
                    .unwrap_or_else(|e| panic!("{e}"));
                std::hint::black_box(cta);
            }
            Path::Plain => {
                let url = format!("{}/ctas/{}", fixture.base, std::hint::black_box(CTA_ID));
                let cta = fixture
                    .runtime
                    .block_on(plain_call::<PlainCta>(fixture.http.get(url)))
                    .unwrap_or_else(|| panic!("request failed"));
                std::hint::black_box(cta);
            }
        }
    }
    started.elapsed() / u32::try_from(calls).unwrap_or(u32::MAX)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that does not name this target skips it.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    if filter.is_some_and(|filter| !"overhead".contains(filter.as_str())) {
        return;
    }
    let rounds = setting("OVERHEAD_ROUNDS", 40);
    let calls = setting("OVERHEAD_BATCH", 250);
    let fixture = Fixture::new(10);
    // Warm both connections, allocators and caches before measuring.
    batch(&fixture, Path::Generated, calls);
    batch(&fixture, Path::Plain, calls);

    let (mut generated, mut plain, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first, so neither always follows the other.
        let (first, second) = if round % 2 == 0 {
            (Path::Generated, Path::Plain)
        } else {
            (Path::Plain, Path::Generated)
        };
        let a = batch(&fixture, first, calls).as_secs_f64() * 1e6;
        let b = batch(&fixture, second, calls).as_secs_f64() * 1e6;
        let (g, p) = match first {
            Path::Generated => (a, b),
            Path::Plain => (b, a),
        };
        generated.push(g);
        plain.push(p);
        ratios.push(g / p);
    }
    let (g, p) = (median(&mut generated), median(&mut plain));
    println!(
        "GET /ctas/{{id}}, {rounds} interleaved rounds of {calls} calls each\n\
         generated: {g:.2} µs per call (median)\n\
         plain reqwest: {p:.2} µs per call (median)\n\
         ratio of medians: {:.3}; median of per-round ratios: {:.3}",
        g / p,
        median(&mut ratios),
    );
}
