//! The one integration-test binary: snapshots, freshness, diagnostics, compile checks and live-server client tests.

mod client;
mod compile;
mod diagnostics;
mod freshness;
mod models;
mod snapshots;
