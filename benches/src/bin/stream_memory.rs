//! Peak memory of moving 100 MB through the runtime: a download read as a `ByteStream` and an
//! upload from a reader, against the same transfers buffered whole. Benchmarks cannot measure
//! peak memory, so this reports the process's `VmHWM` growth over each phase.
//!
//! `cargo run --release -p benchmarks --bin stream_memory [-- MEGABYTES]` (default 100). The
//! streamed phases run first and the buffered download last: the high-water mark only grows.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Body as AxumBody;
use axum::extract::State;
use axum::routing::get;
use futures_util::StreamExt;
use openapi_rust_runtime::{Body, Call, Transport, TransportOptions};
use reqwest::Method;

const CHUNK: usize = 64 * 1024;

#[tokio::main]
async fn main() {
    let megabytes: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let size = megabytes * 1024 * 1024;
    let received = Arc::new(AtomicU64::new(0));
    let url = serve(size, received.clone()).await;
    let transport = Arc::new(
        Transport::new(url, Vec::new(), None, TransportOptions::default())
            .unwrap_or_else(|e| fail(&e.to_string())),
    );
    println!("{megabytes} MB each way; peak resident memory growth (VmHWM) per phase:");

    let (grew, elapsed) = phase(async {
        let mut stream = transport
            .send_streaming(call(Method::GET, None))
            .await
            .unwrap_or_else(|e| fail(&e.to_string()));
        let mut total = 0u64;
        while let Some(chunk) = stream.next().await {
            total += chunk.unwrap_or_else(|e| fail(&e.to_string())).len() as u64;
        }
        assert_eq!(total, size, "streamed download size");
    })
    .await;
    report("download, ByteStream", grew, elapsed);

    let (grew, elapsed) = phase(async {
        let body = Body::from_stream(futures_util::stream::iter(
            (0..size.div_ceil(CHUNK as u64)).map(|_| Ok::<_, std::io::Error>(vec![7u8; CHUNK])),
        ))
        .length(size.div_ceil(CHUNK as u64) * CHUNK as u64);
        transport
            .send(call(Method::PUT, Some(body)))
            .await
            .unwrap_or_else(|e| fail(&e.to_string()));
    })
    .await;
    report("upload, Body::from_stream", grew, elapsed);

    let (grew, elapsed) = phase(async {
        let body = Body::from(vec![7u8; size as usize]);
        transport
            .send(call(Method::PUT, Some(body)))
            .await
            .unwrap_or_else(|e| fail(&e.to_string()));
    })
    .await;
    report("upload, buffered (Vec<u8>)", grew, elapsed);

    let (grew, elapsed) = phase(async {
        let response = transport
            .send(call(Method::GET, None))
            .await
            .unwrap_or_else(|e| fail(&e.to_string()));
        assert_eq!(response.body.len() as u64, size, "buffered download size");
    })
    .await;
    report("download, buffered (send)", grew, elapsed);
    println!(
        "server received {} MB in all",
        received.load(Ordering::Relaxed) / (1024 * 1024)
    );
}

fn call(method: Method, body: Option<Body>) -> Call {
    Call {
        body: body.map(|body| (body, Cow::Borrowed("application/octet-stream"))),
        ..Call::new("transfer", method, "/blob", "/blob".to_owned())
    }
}

/// Runs `work`; returns how much the peak resident set grew (KiB) and how long it took.
async fn phase(work: impl Future<Output = ()>) -> (u64, f64) {
    let before = peak_kib();
    let started = Instant::now();
    work.await;
    (
        peak_kib().saturating_sub(before),
        started.elapsed().as_secs_f64(),
    )
}

fn report(what: &str, grew_kib: u64, seconds: f64) {
    println!(
        "{what:<28} {:>8.1} MiB more at peak  {seconds:>6.2} s",
        grew_kib as f64 / 1024.0
    );
}

/// A server that sends `size` bytes on GET, in chunks as they are written, and counts what a
/// PUT sends without keeping it.
async fn serve(size: u64, received: Arc<AtomicU64>) -> String {
    let app = axum::Router::new()
        .route(
            "/blob",
            get(move || async move {
                let chunks = size.div_ceil(CHUNK as u64);
                let stream = futures_util::stream::iter((0..chunks).map(move |index| {
                    let length = (size - index * CHUNK as u64).min(CHUNK as u64) as usize;
                    Ok::<_, std::io::Error>(vec![1u8; length])
                }));
                AxumBody::from_stream(stream)
            })
            .put(
                |State(received): State<Arc<AtomicU64>>, body: AxumBody| async move {
                    let mut stream = body.into_data_stream();
                    while let Some(Ok(chunk)) = stream.next().await {
                        received.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    }
                },
            ),
        )
        .with_state(received);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| fail(&e.to_string()));
    let address = listener
        .local_addr()
        .unwrap_or_else(|e| fail(&e.to_string()));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}")
}

/// The process's peak resident set size in KiB (`VmHWM`), 0 where `/proc` has none.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn fail(message: &str) -> ! {
    eprintln!("stream_memory: {message}");
    std::process::exit(1)
}
