//! The console's hazard list at provincial scale (issue 17's target: p95 ≤ 100 ms with
//! 1,000,000 findings on two cores), on SQLite and PostgreSQL.
//!
//!   cargo run --release -p paicha-ledger --example hazard_list_bench -- [FINDINGS] [RUNS]
//!
//! Seeds FINDINGS hazards (default 1,000,000) with plain multi-row INSERTs: ten per
//! inspection, a hundred inspections per bundle, spread over 20 counties × 10 townships of
//! 石家庄 and 2,000 enterprises, a deadline each (most already past), and one in ten
//! inspections re-inspected as rectified, then computes their `hazard_state` rows (timed).
//! Then times RUNS (default 5) reads of each kind the console makes, as `/console/` makes them
//! (`Store::hazard_page` with its count, then the page's ledger rows):
//!
//! - **province, first page**, **deep page** (from the middle of the ledger) and **by
//!   deadline**: a province-wide supervisor's ledger;
//! - **county, overdue majors**: a county supervisor filtering to overdue major hazards;
//! - **one hazard**: the evidence page's read;
//! - **overview counts** (`Store::hazard_tallies`) for the province and for one county.
//!
//! Prints p50 and p95 per read and database. PostgreSQL when `PAICHA_BENCH_POSTGRES_URL` (or
//! `PAICHA_TEST_POSTGRES_URL`) is set, in a schema of its own dropped afterwards.
//! `PAICHA_BENCH_KEEP=DIR` keeps the SQLite database in DIR (which must exist and hold none).

#[path = "support/seed.rs"]
mod seeding;
#[path = "support/postgres.rs"]
mod support;
use chrono::{Duration, TimeZone, Utc};
use paicha_core::region::RegionCode;
use paicha_ledger::hazards::ledger_row;
use paicha_ledger::store::{
    HazardCursor, HazardFilter, HazardLevel, HazardOrder, HazardStatus, Location, NewDevice,
    PageRequest, PageStart, Store, Total,
};
use seeding::{PER_INSPECTION, seed, ts, uuid};
use std::time::Instant;
use support::{bench_schema, drop_bench_schema};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Times `runs` runs of `read`; returns (p50, p95) in ms and what the last run counted.
async fn time<F, Fut, T: Default>(runs: usize, mut read: F) -> (f64, f64, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(runs);
    let mut counted = T::default();
    for _ in 0..runs {
        let started = Instant::now();
        counted = read().await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 50.0), percentile(&times, 95.0), counted)
}

/// One page of 50 as `/console/` reads it: the page, then its ledger rows. Returns how many
/// hazards the filter matched, as the page counts them (exactly up to `COUNT_CAP`).
async fn page(
    store: &Store,
    filter: &HazardFilter,
    start: &PageStart,
    order: HazardOrder,
) -> String {
    let request = PageRequest {
        order,
        start: start.clone(),
        size: 50,
    };
    let page = store
        .hazard_page(filter, &request)
        .await
        .expect("the page read");
    let ledger: Vec<_> = page.rows.iter().map(|r| ledger_row(r, None)).collect();
    std::hint::black_box(ledger);
    match page.total {
        Total::Exact(n) => {
            assert_eq!(page.rows.len(), 50.min(n), "a full page");
            n.to_string()
        }
        Total::AtLeast(n) => {
            assert_eq!(page.rows.len(), 50, "a full page");
            format!("> {n}")
        }
    }
}

async fn bench(name: &str, location: Location, url: &str, findings: usize, runs: usize) {
    let store =
        Store::open_with_blob_dir(&location, &std::env::temp_dir().join("paicha-bench-blobs"))
            .await
            .expect("the database opens");
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let info = paicha_core::bundle::DeviceInfo::from_public_key(&key.verifying_key().to_bytes());
    let device = NewDevice::from_parts(
        info.key_id.as_str(),
        &info.public_key,
        "基准",
        "13010000001",
        "",
    )
    .unwrap();
    store.enrol(&device, Utc::now()).await.unwrap();
    store.close().await;
    let seconds = seed(url, findings, info.key_id.as_str()).await;
    let store =
        Store::open_with_blob_dir(&location, &std::env::temp_dir().join("paicha-bench-blobs"))
            .await
            .expect("the database opens again");
    println!("{name}: {findings} findings seeded in {seconds:.1} s");
    // The seed wrote findings directly: compute their state rows as the ledger does when it
    // opens a database from before schema version 7.
    let started = Instant::now();
    let computed = store.rebuild_hazard_states().await.expect("the states");
    println!(
        "{name}: state of {computed} hazards computed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    store.analyse().await.expect("statistics");
    let province = RegionCode::parse("13").unwrap();
    let county = RegionCode::parse("130102").unwrap();
    let all = HazardFilter {
        scope: Some(vec![province.clone()]),
        ..Default::default()
    };
    let overdue_majors = HazardFilter {
        scope: Some(vec![county.clone()]),
        level: Some(HazardLevel::Major),
        statuses: vec![HazardStatus::Overdue],
        ..Default::default()
    };
    let inspections = findings.div_ceil(PER_INSPECTION).max(1);
    // An inspection in the middle whose number ends in 0: never a re-inspection.
    let middle = inspections / 2 / 10 * 10;
    let day0 = Utc.with_ymd_and_hms(2026, 1, 1, 1, 0, 0).unwrap();
    let middle_started = ts(day0 + Duration::minutes((middle * 3) as i64));
    let deep = HazardCursor::decode(&format!(
        "2026-01-01~{middle_started}~{}~b-05",
        uuid(2, middle)
    ))
    .map(PageStart::After)
    .expect("a cursor");
    let one = HazardFilter {
        scope: Some(vec![province.clone()]),
        hazards: Some(vec![(
            uuid(2, (12_340 % inspections) / 10 * 10),
            "b-00".to_string(),
        )]),
        ..Default::default()
    };
    let first = PageStart::First;
    let reads: [(&str, &HazardFilter, &PageStart, HazardOrder); 4] = [
        ("province, first page", &all, &first, HazardOrder::Newest),
        (
            "province, deep page (middle)",
            &all,
            &deep,
            HazardOrder::Newest,
        ),
        ("province, by deadline", &all, &first, HazardOrder::Deadline),
        (
            "county, overdue majors",
            &overdue_majors,
            &first,
            HazardOrder::Newest,
        ),
    ];
    for (what, filter, start, order) in reads {
        let (p50, p95, matched) = time(runs, || page(&store, filter, start, order)).await;
        println!("| {name} | {what} | {matched} | {p50:.0} | {p95:.0} |");
    }
    let (p50, p95, matched) = time(runs, || async {
        store.hazards(&one).await.expect("one hazard").len()
    })
    .await;
    println!("| {name} | one hazard | {matched} | {p50:.0} | {p95:.0} |");
    for (what, region) in [("province", &province), ("county", &county)] {
        let filter = HazardFilter {
            scope: Some(vec![region.clone()]),
            ..Default::default()
        };
        let (p50, p95, matched) = time(runs, || async {
            let tallies = store
                .hazard_tallies(&filter, 8)
                .await
                .expect("the overview's counts");
            tallies.counts.iter().map(|c| c.4).sum::<usize>()
        })
        .await;
        println!("| {name} | overview counts, {what} | {matched} | {p50:.0} | {p95:.0} |");
    }
    store.close().await;
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let mut args = std::env::args().skip(1);
    let findings: usize = args
        .next()
        .map_or(1_000_000, |a| a.parse().expect("FINDINGS"));
    let runs: usize = args.next().map_or(5, |a| a.parse().expect("RUNS"));
    println!("| database | read | rows matched | p50 ms | p95 ms |");
    println!("| --- | --- | ---: | ---: | ---: |");
    let dir = tempfile::tempdir().unwrap();
    // PAICHA_BENCH_KEEP=DIR keeps the SQLite database there, to read its query plans.
    let path = match std::env::var("PAICHA_BENCH_KEEP") {
        Ok(keep) if !keep.is_empty() => std::path::Path::new(&keep).join("bench.sqlite3"),
        _ => dir.path().join("bench.sqlite3"),
    };
    bench(
        "SQLite",
        Location::SqliteFile(path.clone()),
        &format!("sqlite://{}", path.display()),
        findings,
        runs,
    )
    .await;
    let Some((base, schema, url)) = bench_schema("list_bench").await else {
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
