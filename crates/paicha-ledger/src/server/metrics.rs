//! Prometheus metrics (`GET /metrics`): what an operator watches on a campaign evening.
//!
//! | metric | type | what |
//! | --- | --- | --- |
//! | `paicha_uploads_total{outcome}` | counter | `POST /api/bundles` by outcome: `imported`, `fork`, `already_imported`, `rejected` (4xx), `unavailable` (503), `storage_full` (507), `timeout` (408, the body stalled), `error` (500) |
//! | `paicha_import_duration_seconds` | histogram | verifying and storing one upload (from the whole body to the answer) |
//! | `paicha_imports_in_flight` | gauge | imports running or waiting for the database: the queue depth |
//! | `paicha_db_pool_connections{state}` | gauge | the pool's connections: `open`, `idle`, `max` |
//! | `paicha_http_requests_in_flight` | gauge | requests being served |
//! | `paicha_http_requests_total{status}` | counter | requests by status class (`2xx` … `5xx`) |
//!
//! The recorder is process-wide (the `metrics` facade), installed by the first server built.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

pub const UPLOADS: &str = "paicha_uploads_total";
pub const IMPORT_SECONDS: &str = "paicha_import_duration_seconds";
pub const IMPORTS_IN_FLIGHT: &str = "paicha_imports_in_flight";
pub const POOL: &str = "paicha_db_pool_connections";
pub const REQUESTS_IN_FLIGHT: &str = "paicha_http_requests_in_flight";
pub const REQUESTS: &str = "paicha_http_requests_total";

/// Buckets for the import latency, in seconds: from a quick replay to a stalled database.
const IMPORT_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder, installed once.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(IMPORT_SECONDS.into()), &IMPORT_BUCKETS)
            .expect("non-empty buckets");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder (a test harness's) may be installed already: then this handle
        // renders nothing recorded, which only that harness would notice.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed before; /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_counter!(UPLOADS, "Bundle uploads (POST /api/bundles) by outcome");
    metrics::describe_histogram!(
        IMPORT_SECONDS,
        metrics::Unit::Seconds,
        "Time to verify and store one uploaded bundle"
    );
    metrics::describe_gauge!(
        IMPORTS_IN_FLIGHT,
        "Imports running or waiting for the database (queue depth)"
    );
    metrics::describe_gauge!(POOL, "Database pool connections: open, idle, max");
    metrics::describe_gauge!(REQUESTS_IN_FLIGHT, "HTTP requests being served");
    metrics::describe_counter!(REQUESTS, "HTTP requests by status class");
}

/// Counts one upload's outcome.
pub fn upload(outcome: &'static str) {
    metrics::counter!(UPLOADS, "outcome" => outcome).increment(1);
}

/// The outcome label of an upload answered with `status` and `code`.
pub fn outcome_of_error(status: u16, code: &str) -> &'static str {
    match (status, code) {
        (503, _) => "unavailable",
        (507, _) => "storage_full",
        (408, _) => "timeout",
        (400..=499, _) => "rejected",
        _ => "error",
    }
}
