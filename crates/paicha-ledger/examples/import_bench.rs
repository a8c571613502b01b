//! Import throughput, next to a raw-insert baseline measured in the same run.
//!
//!   cargo run --release -p paicha-ledger --example import_bench -- [BUNDLES] [FINDINGS]
//!
//! Generates BUNDLES (default 500) signed bundles of one device, each with one sealed
//! inspection of FINDINGS (default 20) answered items, in memory. Then, per database:
//!
//! - **import**: `paicha_ledger::import::import_bytes` for every bundle, as `import` and
//!   `POST /api/bundles` do: parse, registry lookup, Ed25519 verification, schema and chain
//!   checks, one transaction per bundle;
//! - **raw inserts**: the same rows (bundle, site, inspection, findings) with plain INSERTs,
//!   one transaction per bundle, values precomputed: no parsing, verification or lookups.
//!
//! SQLite always (a file in a temporary directory); PostgreSQL when `PAICHA_BENCH_POSTGRES_URL`
//! (or `PAICHA_TEST_POSTGRES_URL`) is set, in a schema of its own that is dropped afterwards.

#[path = "support/checklist.rs"]
mod bench_checklist;
#[path = "support/postgres.rs"]
mod support;
use bench_checklist::checklist;
use chrono::{DateTime, Duration, TimeZone, Utc};
use ed25519_dalek::SigningKey;
use paicha_core::bundle::{BundlePayload, ChainState, DeviceInfo, sign_with};
use paicha_core::{CreditCode, Inspection, Inspector, Site, Verdict};
use paicha_ledger::import::{ImportOutcome, import_bytes};
use paicha_ledger::store::{Location, NewDevice, Store};
use sqlx::Connection;
use std::time::Instant;
use support::postgres_exec;
use uuid::Uuid;

struct Generated {
    key: SigningKey,
    envelopes: Vec<String>,
    payloads: Vec<BundlePayload>,
}

fn generate(bundles: usize, findings: usize) -> Generated {
    let key = SigningKey::from_bytes(&[42; 32]);
    let device = DeviceInfo::from_public_key(&key.verifying_key().to_bytes());
    let inspector = Inspector::new("基准", "44030000001").unwrap();
    let checklist = checklist(findings);
    let site = Site::new(
        "某某烟花爆竹有限公司",
        CreditCode::parse("91440300708461136T").unwrap(),
    )
    .unwrap();
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let mut chain = ChainState::default();
    let (mut envelopes, mut payloads) = (Vec::new(), Vec::new());
    for n in 0..bundles {
        let at = start + Duration::minutes(n as i64);
        let mut inspection = Inspection::start(
            Uuid::from_u128(1_000_000 + n as u128),
            site.clone(),
            &checklist,
            inspector.clone(),
            at,
        );
        for (i, item) in checklist.items().enumerate() {
            let (verdict, description) = if i % 5 == 0 {
                (Verdict::GeneralHazard, "发现隐患，需要整改")
            } else {
                (Verdict::Compliant, "")
            };
            inspection
                .answer(&checklist, &item.id, verdict, description, at)
                .unwrap();
        }
        inspection.seal(&checklist, at).unwrap();
        let payload = BundlePayload::new(
            Uuid::from_u128(n as u128 + 1),
            at,
            "bench",
            device.clone(),
            &chain,
            inspector.clone(),
            vec![inspection],
        )
        .unwrap();
        let bytes = payload.to_bytes();
        chain = chain.after(&bytes);
        envelopes.push(sign_with(&key, &bytes).to_json());
        payloads.push(payload);
    }
    Generated {
        key,
        envelopes,
        payloads,
    }
}

struct Rates {
    seconds: f64,
    bundles: usize,
    findings: usize,
}

impl Rates {
    fn bundles_per_s(&self) -> f64 {
        self.bundles as f64 / self.seconds
    }
    fn findings_per_s(&self) -> f64 {
        self.findings as f64 / self.seconds
    }
}

async fn import_all(store: &Store, g: &Generated) -> Rates {
    let started = Instant::now();
    let mut findings = 0;
    for envelope in &g.envelopes {
        match import_bytes(store, envelope.as_bytes(), Utc::now()).await {
            Ok(ImportOutcome::Imported(b)) => findings += b.findings,
            other => panic!("the benchmark bundle was not imported: {other:?}"),
        }
    }
    Rates {
        seconds: started.elapsed().as_secs_f64(),
        bundles: g.envelopes.len(),
        findings,
    }
}

fn ts(t: DateTime<Utc>) -> String {
    paicha_ledger::time::to_db(t)
}

/// The same rows as an import writes, with plain INSERTs and nothing else.
async fn raw_inserts(url: &str, g: &Generated) -> Rates {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let key_id = DeviceInfo::from_public_key(&g.key.verifying_key().to_bytes()).key_id;
    // Precomputed outside the timed loop: the baseline is the database's share alone.
    let rows: Vec<_> = g
        .payloads
        .iter()
        .zip(&g.envelopes)
        .map(|(p, envelope)| {
            let sha = paicha_core::sha256_hex(&p.to_bytes());
            (p, sha, envelope)
        })
        .collect();
    let started = Instant::now();
    let mut findings = 0;
    for (p, sha, envelope) in &rows {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO bundles (payload_sha256, bundle_id, key_id, sequence, previous_payload_sha256, \
             created_at, received_at, app_version, inspector_name, inspector_cert_no, is_fork, envelope) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11)",
        )
        .bind(sha.as_str())
        .bind(p.bundle_id.to_string())
        .bind(key_id.as_str())
        .bind(p.sequence as i64)
        .bind(p.previous_payload_sha256.as_str())
        .bind(ts(p.created_at))
        .bind(ts(Utc::now()))
        .bind(p.app_version.as_str())
        .bind(p.inspector.name.as_str())
        .bind(p.inspector.cert_no.as_str())
        .bind(envelope.as_str())
        .execute(&mut *tx)
        .await
        .unwrap();
        for inspection in &p.inspections {
            let id = inspection.id.to_string();
            sqlx::query(
                "INSERT INTO sites (credit_code, name, first_seen_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(inspection.site.credit_code.as_str())
            .bind(inspection.site.name.as_str())
            .bind(ts(Utc::now()))
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO inspections (id, bundle_payload_sha256, content_sha256, site_credit_code, \
                 site_name, checklist_id, checklist_version, checklist_content_hash, inspector_name, \
                 inspector_cert_no, started_at, sealed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(id.as_str())
            .bind(sha.as_str())
            .bind(sha.as_str())
            .bind(inspection.site.credit_code.as_str())
            .bind(inspection.site.name.as_str())
            .bind(inspection.checklist.id.as_str())
            .bind(inspection.checklist.version.as_str())
            .bind(inspection.checklist.content_hash.0.as_str())
            .bind(inspection.inspector.name.as_str())
            .bind(inspection.inspector.cert_no.as_str())
            .bind(ts(inspection.started_at))
            .bind(ts(inspection.sealed_at.unwrap()))
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO bundle_inspections (payload_sha256, inspection_id) VALUES ($1, $2)",
            )
            .bind(sha.as_str())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .unwrap();
            for (item, answer) in &inspection.answers {
                let verdict = serde_json::to_value(answer.verdict).unwrap();
                let level = answer.verdict.is_hazard().then_some("general");
                sqlx::query(
                    "INSERT INTO findings (inspection_id, item_id, verdict, level, description, answered_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id.as_str())
                .bind(item.as_str())
                .bind(verdict.as_str().unwrap().to_string())
                .bind(level)
                .bind(answer.description.as_str())
                .bind(ts(answer.answered_at))
                .execute(&mut *tx)
                .await
                .unwrap();
                findings += 1;
            }
        }
        tx.commit().await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    conn.close().await.unwrap();
    Rates {
        seconds,
        bundles: rows.len(),
        findings,
    }
}

/// A fresh, migrated, enrolled ledger.
async fn fresh_store(location: &Location, g: &Generated) -> Store {
    let store =
        Store::open_with_blob_dir(location, &std::env::temp_dir().join("paicha-bench-blobs"))
            .await
            .expect("the database opens");
    let info = DeviceInfo::from_public_key(&g.key.verifying_key().to_bytes());
    let device = NewDevice::from_parts(
        info.key_id.as_str(),
        &info.public_key,
        "基准",
        "44030000001",
        "",
    )
    .unwrap();
    store.enrol(&device, Utc::now()).await.unwrap();
    store
}

fn report(name: &str, import: &Rates, raw: &Rates) {
    println!(
        "{name:<11} import  {:>8.1} bundles/s {:>10.0} findings/s  ({:.2} s)",
        import.bundles_per_s(),
        import.findings_per_s(),
        import.seconds
    );
    println!(
        "{name:<11} raw     {:>8.1} bundles/s {:>10.0} findings/s  ({:.2} s)   import = {:.0}% of raw",
        raw.bundles_per_s(),
        raw.findings_per_s(),
        raw.seconds,
        100.0 * import.bundles_per_s() / raw.bundles_per_s()
    );
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let mut args = std::env::args().skip(1);
    let bundles: usize = args.next().map_or(500, |a| a.parse().expect("BUNDLES"));
    let findings: usize = args.next().map_or(20, |a| a.parse().expect("FINDINGS"));
    let started = Instant::now();
    let g = generate(bundles, findings);
    println!(
        "{bundles} bundles x {findings} findings generated and signed in {:.2} s \
         (one device, one inspection per bundle; one transaction per bundle)",
        started.elapsed().as_secs_f64()
    );

    // SQLite: one fresh file for the import, another for the baseline.
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&Location::SqliteFile(dir.path().join("import.sqlite3")), &g).await;
    let import = import_all(&store, &g).await;
    store.close().await;
    let raw_path = dir.path().join("raw.sqlite3");
    let raw_store = fresh_store(&Location::SqliteFile(raw_path.clone()), &g).await;
    raw_store.close().await;
    let raw = raw_inserts(&format!("sqlite://{}", raw_path.display()), &g).await;
    report("SQLite", &import, &raw);

    let pg = std::env::var("PAICHA_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("PAICHA_TEST_POSTGRES_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    let Some(base) = pg else {
        println!(
            "PostgreSQL  skipped: set PAICHA_BENCH_POSTGRES_URL (or PAICHA_TEST_POSTGRES_URL)"
        );
        return;
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut results = Vec::new();
    for what in ["import", "raw"] {
        let schema = format!("paicha_bench_{}_{what}", std::process::id());
        postgres_exec(
            &base,
            format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
        )
        .await;
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let store = fresh_store(&Location::Url(url.clone()), &g).await;
        let rates = if what == "import" {
            let rates = import_all(&store, &g).await;
            store.close().await;
            rates
        } else {
            store.close().await;
            raw_inserts(&url, &g).await
        };
        postgres_exec(&base, format!("DROP SCHEMA {schema} CASCADE")).await;
        results.push(rates);
    }
    report("PostgreSQL", &results[0], &results[1]);
}
