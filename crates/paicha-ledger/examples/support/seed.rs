//! Seeding a ledger database with a province's findings by plain multi-row INSERTs, for the
//! benchmarks (`hazard_list_bench`, `pull_bench`): ten hazards per inspection, a hundred
//! inspections per bundle, 2,000 enterprises over 20 counties x 10 townships of 石家庄, a
//! deadline each, one inspection in ten a re-inspection verifying the one before. The
//! `hazard_state` rows are not written here: call `Store::rebuild_hazard_states` after.
#![allow(dead_code)]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use paicha_core::CreditCode;
use sqlx::Connection;
use std::time::Instant;

pub const PER_INSPECTION: usize = 10;
pub const PER_BUNDLE: usize = 100;
pub const SITES: usize = 2_000;
/// Rows per INSERT statement (SQLite allows 32,766 parameters).
pub const BATCH: usize = 400;

/// A value of a seeded row.
pub enum Cell {
    T(String),
    I(i64),
}

pub fn t(text: impl Into<String>) -> Cell {
    Cell::T(text.into())
}

pub fn ts(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn uuid(kind: u8, n: usize) -> String {
    format!("{:08x}-0000-4000-8{:03x}-{:012x}", n, kind, n)
}

/// (region code, credit code, name) of enterprise `n`.
pub fn site(n: usize) -> (String, String, String) {
    let county = 1 + n % 20;
    let township = 1 + (n / 20) % 10;
    let region = format!("1301{county:02}{township:03}");
    let prefix = format!("9113010{:01}{:09}", county % 10, n);
    let code = CreditCode::with_check_digit(&prefix[..17]).expect("a valid prefix");
    (region, code.as_str().to_string(), format!("基准企业{n}"))
}

/// Runs `sql` with rows of `width` parameters each, `BATCH` rows per statement.
pub async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    width: usize,
    rows: &[Vec<Cell>],
) {
    for chunk in rows.chunks(BATCH) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let params: Vec<String> =
                    (1..=width).map(|c| format!("${}", r * width + c)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let sql = format!("{head} VALUES {}", values.join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for cell in row {
                query = match cell {
                    Cell::T(text) => query.bind(text.as_str()),
                    Cell::I(n) => query.bind(*n),
                };
            }
        }
        query.execute(&mut *conn).await.expect("seed rows insert");
    }
}

pub async fn seed(url: &str, findings: usize, key_id: &str) -> f64 {
    let started = Instant::now();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    // One inspection in ten is a re-inspection (no findings of its own).
    let inspections = (findings.div_ceil(PER_INSPECTION) * 10).div_ceil(9);
    let bundles = inspections.div_ceil(PER_BUNDLE);
    let now = ts(Utc::now());
    let day0 = Utc.with_ymd_and_hms(2026, 1, 1, 1, 0, 0).unwrap();
    let mut tx = conn.begin().await.unwrap();
    let sites: Vec<Vec<Cell>> = (0..SITES)
        .map(|n| {
            let (_, code, name) = site(n);
            vec![t(code), t(name), t(now.clone())]
        })
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO sites (credit_code, name, first_seen_at)",
        3,
        &sites,
    )
    .await;
    let bundle_rows: Vec<Vec<Cell>> = (0..bundles)
        .map(|b| {
            vec![
                t(format!("{b:064x}")),
                t(uuid(1, b)),
                t(key_id),
                Cell::I(b as i64 + 1),
                t(if b == 0 {
                    "0".repeat(64)
                } else {
                    format!("{:064x}", b - 1)
                }),
                t(now.clone()),
                t(now.clone()),
                t("bench"),
                t("基准"),
                t("13010000001"),
                t("{}"),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO bundles (payload_sha256, bundle_id, key_id, sequence, previous_payload_sha256, \
         created_at, received_at, app_version, inspector_name, inspector_cert_no, envelope)",
        11,
        &bundle_rows,
    )
    .await;
    tx.commit().await.unwrap();
    let mut inspection_rows = Vec::with_capacity(BATCH * 10);
    let mut finding_rows = Vec::with_capacity(BATCH * 10);
    let mut review_rows = Vec::new();
    for i in 0..inspections {
        let (region, code, name) = site(i % SITES);
        let started_at = day0 + Duration::minutes((i * 3) as i64);
        let reinspection = i % 10 == 9;
        inspection_rows.push(vec![
            t(uuid(2, i)),
            t(format!("{:064x}", i / PER_BUNDLE)),
            t(format!("{i:064x}")),
            t(code),
            t(name),
            t("bench"),
            t("1"),
            t("0".repeat(64)),
            t("基准"),
            t("13010000001"),
            t(ts(started_at)),
            t(ts(started_at + Duration::minutes(30))),
            t(region),
            t(if reinspection {
                "reinspection"
            } else {
                "routine"
            }),
        ]);
        if reinspection {
            // Reviews the ten hazards of the inspection before it, as rectified.
            for item in 0..PER_INSPECTION {
                review_rows.push(vec![
                    t(uuid(2, i)),
                    Cell::I(item as i64),
                    t(format!("{:064x}", i / PER_BUNDLE)),
                    t(uuid(2, i - 1)),
                    t(format!("b-{item:02}")),
                    t("general_hazard"),
                    t("隐患"),
                    t("rectified"),
                    t(ts(started_at + Duration::minutes(30))),
                ]);
            }
        } else {
            for item in 0..PER_INSPECTION {
                let major = item == 0;
                let deadline: NaiveDate =
                    (started_at + Duration::days(30 + (i % 400) as i64)).date_naive();
                finding_rows.push(vec![
                    t(uuid(2, i)),
                    t(format!("b-{item:02}")),
                    t(if major {
                        "major_hazard"
                    } else {
                        "general_hazard"
                    }),
                    t(if major { "major" } else { "general" }),
                    t(format!("基准隐患 {i}-{item}")),
                    t(ts(started_at)),
                    t(deadline.to_string()),
                ]);
            }
        }
        if inspection_rows.len() >= BATCH * 5 || i + 1 == inspections {
            let mut tx = conn.begin().await.unwrap();
            insert_rows(
                &mut tx,
                "INSERT INTO inspections (id, bundle_payload_sha256, content_sha256, site_credit_code, \
                 site_name, checklist_id, checklist_version, checklist_content_hash, inspector_name, \
                 inspector_cert_no, started_at, sealed_at, region_code, kind)",
                14,
                &inspection_rows,
            )
            .await;
            insert_rows(
                &mut tx,
                "INSERT INTO findings (inspection_id, item_id, verdict, level, description, answered_at, deadline)",
                7,
                &finding_rows,
            )
            .await;
            tx.commit().await.unwrap();
            inspection_rows.clear();
            finding_rows.clear();
        }
    }
    // Reviews last, once every reviewing inspection exists.
    let reviews = review_rows;
    let mut tx = conn.begin().await.unwrap();
    insert_rows(
        &mut tx,
        "INSERT INTO hazard_reviews (reviewing_inspection_id, position, bundle_payload_sha256, \
         original_inspection_id, item_id, original_verdict, original_description, outcome, sealed_at)",
        9,
        &reviews,
    )
    .await;
    tx.commit().await.unwrap();
    conn.close().await.unwrap();
    started.elapsed().as_secs_f64()
}
