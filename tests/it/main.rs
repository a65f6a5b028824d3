//! The one integration-test binary: snapshots, freshness, diagnostics, compile checks and live-server client tests.

// Tests fail loudly on purpose: an unexpected `Err` is the failure being tested for.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod api_diff;
mod bundle;
mod cli_app;
mod client;
mod compile;
mod conformance;
mod credentials;
mod deadlines;
mod diagnostics;
mod fake;
mod faults;
mod fixture_wire;
mod freshness;
mod hardening;
mod hooks;
mod models;
mod overlays;
mod paging;
mod parts;
mod progress;
mod runtime_dependency;
mod selection;
mod snapshots;
mod structure;
mod swagger2;
mod tag_features;
mod workflows;
