//! Generator benchmarks: each phase (parse, normalize, lower, emit, format) and the whole
//! pipeline on the seed spec, synthetic specs of 100/1,000/10,000 operations and large real specs.
//!
//! Run with `cargo bench -p benchmarks --bench generator`; large specs need
//! `benches/fetch-large-specs.sh` first (they are skipped otherwise).

use std::sync::LazyLock;

use divan::Bencher;
use generator::stages;

fn main() {
    divan::main();
}

/// Spec inputs by name: `seed`, `synthetic-<n>`, or a large spec's file name.
static INPUTS: LazyLock<Vec<(String, String, generator::Config)>> = LazyLock::new(|| {
    let (seed_spec, seed_config) = benchmarks::seed();
    let mut inputs = vec![("seed".to_owned(), seed_spec, seed_config)];
    for operations in SYNTHETIC_SIZES {
        inputs.push((
            format!("synthetic-{operations}"),
            benchmarks::synthetic_spec(operations),
            generator::Config::default(),
        ));
    }
    for (name, text) in benchmarks::large_specs() {
        inputs.push((name.to_owned(), text, generator::Config::default()));
    }
    inputs
});

const SYNTHETIC_SIZES: [usize; 3] = [100, 1_000, 10_000];

const LARGE: &[&str] = &[
    "synthetic-10000",
    "mailchimp.com.json",
    "microsoft.com/graph.json",
];

fn input(name: &str) -> Option<&'static (String, String, generator::Config)> {
    let found = INPUTS.iter().find(|(n, _, _)| n == name);
    if found.is_none() {
        eprintln!("skipping {name}: not in the cache (run benches/fetch-large-specs.sh)");
    }
    found
}

fn parsed(text: &str) -> stages::ParsedSpec {
    stages::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn loaded(text: &str) -> stages::LoadedSpec {
    stages::normalize(parsed(text)).unwrap_or_else(|e| panic!("{e}"))
}

fn lowered(text: &str, config: &generator::Config) -> generator::ir::Api {
    stages::lower(&loaded(text), config)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn bench_phase(bencher: Bencher, name: &str, phase: &str) {
    let Some((_, text, config)) = input(name) else {
        return;
    };
    match phase {
        "parse" => bencher.bench(|| stages::parse(text)),
        "normalize" => bencher
            .with_inputs(|| parsed(text))
            .bench_values(stages::normalize),
        "lower" => bencher
            .with_inputs(|| loaded(text))
            .bench_refs(|spec| stages::lower(spec, config)),
        "emit" => {
            let api = lowered(text, config);
            bencher.bench(|| stages::emit(&api, config).map(|files| files.len()));
        }
        "format" => {
            let api = lowered(text, config);
            bencher
                .with_inputs(|| stages::emit(&api, config).unwrap_or_else(|e| panic!("{e}")))
                .bench_values(stages::format);
        }
        _ => bencher.bench(|| generator::generate(text, config)),
    }
}

/// One benchmark per phase, in three groups by input size (so slow inputs get fewer samples).
macro_rules! phase_benches {
    ($($phase:ident),*) => {
        /// The seed spec and the 100-operation synthetic spec.
        mod small {
            use super::*;
            $(
                #[divan::bench(args = ["seed", "synthetic-100"])]
                fn $phase(bencher: Bencher, name: &str) {
                    bench_phase(bencher, name, stringify!($phase));
                }
            )*
        }

        /// The 1,000-operation synthetic spec.
        mod medium {
            use super::*;
            $(
                #[divan::bench(args = ["synthetic-1000"], sample_count = 10, sample_size = 1)]
                fn $phase(bencher: Bencher, name: &str) {
                    bench_phase(bencher, name, stringify!($phase));
                }
            )*
        }

        /// The 10,000-operation synthetic spec and the large real specs (seconds each).
        mod large {
            use super::*;
            $(
                #[divan::bench(args = LARGE, sample_count = 3, sample_size = 1)]
                fn $phase(bencher: Bencher, name: &str) {
                    bench_phase(bencher, name, stringify!($phase));
                }
            )*
        }
    };
}

phase_benches!(parse, normalize, lower, emit, format, all);
