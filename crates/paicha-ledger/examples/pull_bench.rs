//! A device's first pull of its county's open hazards (issue 18's figure: about 2,000), through
//! the HTTP router with signed requests, on SQLite and PostgreSQL.
//!
//!   cargo run --release -p paicha-ledger --example pull_bench -- [FINDINGS] [RUNS]
//!
//! Seeds FINDINGS findings (default 40,000: one county of twenty holds about 2,000 of them, a
//! tenth verified) as `hazard_list_bench` does, binds the seeded device's key to an inspector
//! of county 130101, then times RUNS (default 3) first pulls: `GET /api/device/pull` page after
//! page (200 hazards each) until `more` is false, each request signed (RFC 9421) by the
//! device's key. Prints hazards, pages, bytes and time per pull, and the device storage the
//! pulled records take (each hazard as the app stores it: its JSON text in IndexedDB's
//! `pulled` store). Photos: the seed has none, so the figures are the hazards' rows alone (the
//! app fetches the photos of its 待办 hazards only, full size; there are no thumbnails).
//! PostgreSQL when `PAICHA_BENCH_POSTGRES_URL` (or `PAICHA_TEST_POSTGRES_URL`) is set.

#[path = "support/seed.rs"]
mod seeding;
#[path = "support/postgres.rs"]
mod support;

use axum::body::Body;
use axum::http::Request;
use ed25519_dalek::{Signer, SigningKey};
use paicha_core::httpsig::{device_params, signature_base, signature_headers};
use paicha_core::wire::{PullQuery, PullResponse};
use paicha_ledger::server::{AppState, app};
use paicha_ledger::store::{AuditEntry, Location, NewDevice, Outcome, Store};
use seeding::seed;
use std::time::Instant;
use support::{bench_schema, drop_bench_schema};
use tower::ServiceExt;

/// The origin the router believes it serves (signed requests name it).
const ORIGIN: &str = "http://localhost:8080";

fn signed_get(key: &SigningKey, path: &str, n: usize) -> Request<Body> {
    let key_id = paicha_core::KeyId::from_public_key(&key.verifying_key().to_bytes()).to_string();
    let nonce = format!("pull-bench-nonce-{n:08}-{}", std::process::id());
    let params = device_params(false, chrono::Utc::now().timestamp(), &nonce, &key_id);
    let uri = format!("{ORIGIN}{path}");
    let message = paicha_core::httpsig::Request {
        method: "GET",
        target_uri: &uri,
        headers: &[],
    };
    let base = signature_base(&message, &params).expect("a signature base");
    let (input, signature) = signature_headers(&params, &key.sign(base.as_bytes()).to_bytes());
    Request::builder()
        .method("GET")
        .uri(path)
        .header("signature-input", input)
        .header("signature", signature)
        .body(Body::empty())
        .expect("a request")
}

async fn bench(name: &str, location: Location, url: &str, findings: usize, runs: usize) {
    let store =
        Store::open_with_blob_dir(&location, &std::env::temp_dir().join("paicha-bench-blobs"))
            .await
            .expect("the database opens");
    let key = SigningKey::from_bytes(&[42; 32]);
    let info = paicha_core::bundle::DeviceInfo::from_public_key(&key.verifying_key().to_bytes());
    let device = NewDevice::from_parts(
        info.key_id.as_str(),
        &info.public_key,
        "基准",
        "13010000001",
        "",
    )
    .unwrap();
    store.enrol(&device, chrono::Utc::now()).await.unwrap();
    store.close().await;
    let seconds = seed(url, findings, info.key_id.as_str()).await;
    let store =
        Store::open_with_blob_dir(&location, &std::env::temp_dir().join("paicha-bench-blobs"))
            .await
            .expect("the database opens again");
    store.rebuild_hazard_states().await.expect("the states");
    store.analyse().await.expect("statistics");
    let grant = paicha_ledger::access::parse_grant("inspector@130101").unwrap();
    let audit = AuditEntry::new("bench", "account_created", Outcome::Ok);
    store
        .create_account(
            "bench-inspector",
            "基准检查员",
            &[grant],
            chrono::Utc::now(),
            &audit,
        )
        .await
        .unwrap();
    store
        .bind_device(
            info.key_id.as_str(),
            "bench-inspector",
            &audit,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    println!("{name}: {findings} findings seeded in {seconds:.1} s");
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!doctype html>").unwrap();
    let router = app(AppState::new(store.clone(), dist.path()).unwrap());
    let mut n = 0;
    for run in 1..=runs {
        let started = Instant::now();
        let (mut hazards, mut closed, mut pages, mut bytes) = (0, 0, 0, 0);
        // What the device stores: one record per hazard, by key (a hazard read twice is one).
        let mut stored: std::collections::HashMap<String, usize> = Default::default();
        let mut after = String::new();
        loop {
            n += 1;
            let path = PullQuery {
                after: after.clone(),
                limit: None,
            }
            .path();
            let response = router
                .clone()
                .oneshot(signed_get(&key, &path, n))
                .await
                .unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            bytes += body.len();
            pages += 1;
            let page: PullResponse = serde_json::from_slice(&body).unwrap();
            hazards += page.hazards.len();
            closed += page.closed.len();
            for hazard in &page.hazards {
                // `{"kind":"open",…}`: the app's `Pulled::Open` record.
                let record =
                    serde_json::to_string(hazard).unwrap().len() + r#""kind":"open","#.len();
                stored.insert(hazard.key(), record);
            }
            after = page.after;
            if !page.more {
                break;
            }
        }
        println!(
            "| {name} | first pull, run {run} | {hazards} open + {closed} closed | {pages} | {:.0} KiB | {:.0} ms | {} records, {:.0} KiB |",
            bytes as f64 / 1024.0,
            started.elapsed().as_secs_f64() * 1000.0,
            stored.len(),
            stored.values().sum::<usize>() as f64 / 1024.0,
        );
    }
    store.close().await;
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let mut args = std::env::args().skip(1);
    let findings: usize = args.next().map_or(40_000, |a| a.parse().expect("FINDINGS"));
    let runs: usize = args.next().map_or(3, |a| a.parse().expect("RUNS"));
    println!("| database | pull | hazards | pages | bytes | time | device storage |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite3");
    bench(
        "SQLite",
        Location::SqliteFile(path.clone()),
        &format!("sqlite://{}", path.display()),
        findings,
        runs,
    )
    .await;
    let Some((base, schema, url)) = bench_schema("pull_bench").await else {
        return;
    };
    bench(
        "PostgreSQL",
        Location::Url(url.clone()),
        &url,
        findings,
        runs,
    )
    .await;
    drop_bench_schema(&base, &schema).await;
}
