//! The console's reads in SQL (`hazard_state`, `Store::hazard_page`, `Store::hazard_tallies`)
//! give exactly what the rules in Rust give (`Store::hazards`, `paicha_core::followup`,
//! `paicha_core::overview`), on random histories imported out of order: every status on every
//! day, every count of the overview, every page in every order walked forwards and back, and
//! a ledger upgraded from before schema version 7.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::*;
use paicha_core::finding::RectificationOrder;
use paicha_core::followup::HazardStatus;
use paicha_core::hazard_ledger::china_day;
use paicha_core::overview::{HazardFact, Overview, Tally};
use paicha_core::region::RegionCode;
use paicha_core::reinspection::Escalation;
use paicha_core::{CreditCode, Inspection, Site, SiteDetails, Verdict};
use paicha_ledger::import::{ImportOutcome, import_bytes};
use paicha_ledger::store::{
    HazardFilter, HazardOrder, HazardRow, PageRequest, PageStart, Store, Total,
};
use uuid::Uuid;

/// A small deterministic generator (xorshift), so that a failure can be replayed by its seed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())]
    }
}

/// Enterprises registered in 长安区 (one in 建北街道), 桥西区 and outside the region table.
fn site(n: usize) -> Site {
    let (area, township) = match n % 3 {
        0 => ("130102", "建北街道"),
        1 => ("130104", ""),
        _ => ("440300", ""),
    };
    let prefix = format!("91{area}{:09}", 70_000 + n);
    let code = CreditCode::with_check_digit(&prefix).unwrap();
    Site::with_details(
        &format!("测试企业{n}"),
        code,
        SiteDetails {
            township: township.into(),
            ..SiteDetails::default()
        },
    )
    .unwrap()
}

const DEADLINES: [&str; 7] = [
    "2026-03-02",
    "2026-03-04",
    "2026-03-05",
    "2026-03-08",
    "2026-03-10",
    "2026-03-20",
    "",
];

/// An inspection of enterprise `n` at `started`, each item a random verdict, hazards with a
/// random deadline (or no order).
fn inspection(
    phone: &Phone,
    id: u128,
    n: usize,
    started: DateTime<Utc>,
    rng: &mut Random,
) -> Inspection {
    let checklist = checklist();
    let mut inspection = Inspection::start(
        Uuid::from_u128(id),
        site(n),
        &checklist,
        phone.inspector.clone(),
        started,
    );
    for item in ["fw-01", "fw-02", "fw-03"] {
        let verdict = rng.pick(&[
            Verdict::Compliant,
            Verdict::GeneralHazard,
            Verdict::GeneralHazard,
            Verdict::MajorHazard,
        ]);
        inspection
            .answer(&checklist, item, verdict, &format!("{item} 情况"), started)
            .unwrap();
        let deadline = rng.pick(&DEADLINES);
        if verdict.is_hazard() && !deadline.is_empty() {
            let order = RectificationOrder {
                measures: "整改".into(),
                responsible: "厂长".into(),
                deadline: deadline.into(),
                funds_yuan: String::new(),
            };
            inspection.set_order(item, "部位", order, None).unwrap();
        }
    }
    inspection
        .seal(&checklist, started + Duration::minutes(30))
        .unwrap();
    inspection
}

fn hazards_of(inspection: &Inspection) -> Vec<&str> {
    inspection
        .answers
        .iter()
        .filter(|(_, a)| a.verdict.is_hazard())
        .map(|(item, _)| item.as_str())
        .collect()
}

async fn import(store: &Store, envelope: &paicha_core::dsse::Envelope) {
    let outcome = import_bytes(store, envelope.to_json().as_bytes(), t(50))
        .await
        .unwrap();
    assert!(matches!(outcome, ImportOutcome::Imported(_)), "{outcome:?}");
}

/// Imports a random history: two phones' inspections, re-inspections from a third (some
/// hazards reviewed twice, the later seal deciding), the reviews imported before the hazards
/// they review.
async fn seed_history(store: &Store, seed: u64) {
    let mut rng = Random(seed);
    let mut a = Phone::new(1);
    let mut b = Phone::new(2);
    let mut c = Phone::new(3);
    for phone in [&a, &b, &c] {
        store.enrol(&phone.new_device(), t(0)).await.unwrap();
    }
    let mut originals = Vec::new();
    for n in 0..10 {
        let phone = if n % 2 == 0 { &a } else { &b };
        let started = march_at(1) + Duration::minutes(rng.below(600) as i64);
        originals.push(inspection(phone, 1_000 + n as u128, n, started, &mut rng));
    }
    // Re-inspections in two rounds, each of a few hazards of one enterprise's inspection.
    let mut rounds: Vec<Vec<Inspection>> = vec![Vec::new(), Vec::new()];
    let mut id = 2_000;
    for (round, day) in [(0, 3), (1, 6)] {
        for original in &originals {
            let items = hazards_of(original);
            if items.is_empty() || rng.below(3) == 0 {
                continue;
            }
            let mut decisions: Vec<(&str, Decision)> = Vec::new();
            for item in &items {
                if rng.below(2) == 0 {
                    continue;
                }
                let decision = rng.pick(&[
                    Decision::Rectified,
                    Decision::Escalate(Escalation::PenaltyCase),
                    Decision::Extend("2026-03-21"),
                    Decision::Extend("2026-03-27"),
                ]);
                decisions.push((item, decision));
            }
            if decisions.is_empty() {
                continue;
            }
            id += 1;
            let started = march_at(day) + Duration::minutes(rng.below(600) as i64);
            rounds[round].push(c.reinspection(id, original, started, &decisions));
        }
    }
    let (first, second) = originals.split_at(5);
    let hazards_a = a.export(1, first.to_vec());
    let hazards_b = b.export(2, second.to_vec());
    let reviews_1 = c.export_with_photos(3, rounds[0].clone());
    let reviews_2 = c.export_with_photos(4, rounds[1].clone());
    // Reviews first, then the hazards, then the later reviews.
    import(store, &reviews_1).await;
    import(store, &hazards_a).await;
    import(store, &hazards_b).await;
    import(store, &reviews_2).await;
}

/// The days each check runs on: before, on and after the deadlines and the extensions.
fn days() -> Vec<NaiveDate> {
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 21, 22, 25, 26, 28]
        .into_iter()
        .map(march)
        .collect()
}

fn key(row: &HazardRow) -> (String, String) {
    (row.inspection_id.clone(), row.item_id.clone())
}

/// Every page of `filter` in `order`, `size` at a time, walked forwards; then the same pages
/// walked back from the last one must give the same rows.
async fn walk(
    store: &Store,
    filter: &HazardFilter,
    order: HazardOrder,
    size: usize,
) -> Vec<(String, String)> {
    let mut forwards = Vec::new();
    let mut start = PageStart::First;
    let mut pages = Vec::new();
    loop {
        let page = store
            .hazard_page(
                filter,
                &PageRequest {
                    order,
                    start: start.clone(),
                    size,
                },
            )
            .await
            .unwrap();
        assert!(page.rows.len() <= size);
        if start == PageStart::First {
            assert!(page.previous.is_none(), "the first page has no previous");
        } else {
            assert!(page.previous.is_some(), "a later page has a previous");
        }
        pages.push(page.rows.iter().map(key).collect::<Vec<_>>());
        forwards.extend(page.rows.iter().map(key));
        let Total::Exact(total) = page.total else {
            panic!("a few rows are counted exactly")
        };
        assert!(forwards.len() <= total, "no more rows than counted");
        match page.next {
            Some(next) => start = PageStart::After(next),
            None => {
                assert_eq!(forwards.len(), total, "every row once");
                // Back from the last page.
                let mut back = page.previous;
                let mut index = pages.len() - 1;
                while let Some(cursor) = back {
                    index -= 1;
                    let earlier = store
                        .hazard_page(
                            filter,
                            &PageRequest {
                                order,
                                start: PageStart::Before(cursor),
                                size,
                            },
                        )
                        .await
                        .unwrap();
                    assert_eq!(
                        earlier.rows.iter().map(key).collect::<Vec<_>>(),
                        pages[index],
                        "page {index} walked back"
                    );
                    back = earlier.previous;
                }
                assert_eq!(index, 0, "walking back ends on the first page");
                return forwards;
            }
        }
    }
}

/// The order `Store::hazard_page` promises, applied in Rust to the full read.
fn ordered(mut rows: Vec<HazardRow>, order: HazardOrder) -> Vec<(String, String)> {
    let never = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    match order {
        HazardOrder::Newest => rows.sort_by(|a, b| {
            (b.started_at, &b.inspection_id, &b.item_id).cmp(&(
                a.started_at,
                &a.inspection_id,
                &a.item_id,
            ))
        }),
        HazardOrder::Oldest => rows.sort_by(|a, b| {
            (a.started_at, &a.inspection_id, &a.item_id).cmp(&(
                b.started_at,
                &b.inspection_id,
                &b.item_id,
            ))
        }),
        HazardOrder::Deadline => rows.sort_by(|a, b| {
            (
                a.deadline.unwrap_or(never),
                a.started_at,
                &a.inspection_id,
                &a.item_id,
            )
                .cmp(&(
                    b.deadline.unwrap_or(never),
                    b.started_at,
                    &b.inspection_id,
                    &b.item_id,
                ))
        }),
    }
    rows.iter().map(key).collect()
}

/// The overview from the full read, as the console computed it before `hazard_state`.
fn overview_of(rows: &[HazardRow], within: &[RegionCode], as_of: NaiveDate) -> Overview {
    let facts: Vec<HazardFact<'_>> = rows
        .iter()
        .map(|row| HazardFact {
            status: row.status,
            level: row.level,
            sector: &row.checklist_id,
            region: &row.region_code,
            found_on: china_day(row.started_at),
            deadline: row.deadline,
            verified_on: row.verified_at().map(china_day),
        })
        .collect();
    Overview::of(&facts, within, as_of, 4)
}

async fn sql_reads_agree_with_the_rules(db: Db) {
    for seed in [0x9e37_79b9_7f4a_7c15, 42, 7_777_777] {
        let Some(test) = TestDb::new(db) else { return };
        let store = test.open().await;
        seed_history(&store, seed).await;
        check_everything(&store, seed).await;
        store.close().await;
    }
}

async fn check_everything(store: &Store, seed: u64) {
    let county = RegionCode::parse("130102").unwrap();
    let township = RegionCode::parse("130102001").unwrap();
    let city = RegionCode::parse("1301").unwrap();
    let scopes: [Option<Vec<RegionCode>>; 4] = [
        None,
        Some(vec![city.clone()]),
        Some(vec![township.clone()]),
        Some(vec![county.clone(), RegionCode::parse("130104").unwrap()]),
    ];
    let all = store.hazards(&HazardFilter::default()).await.unwrap();
    assert!(
        all.len() >= 8,
        "seed {seed}: a history with hazards ({})",
        all.len()
    );
    let placed = all
        .iter()
        .filter(|r| r.region_code.starts_with("1301"))
        .count();
    assert!(
        placed > 0 && placed < all.len(),
        "seed {seed}: some hazards in the region table, some not"
    );
    for as_of in days() {
        for scope in &scopes {
            let filter = HazardFilter {
                scope: scope.clone(),
                as_of: Some(as_of),
                ..Default::default()
            };
            let rows = store.hazards(&filter).await.unwrap();
            // Each status, as a filter in SQL, selects what the rules in Rust select.
            for status in HazardStatus::ALL {
                let by_status = HazardFilter {
                    statuses: vec![status],
                    ..filter.clone()
                };
                let mut sql = walk(store, &by_status, HazardOrder::Oldest, 50).await;
                sql.sort();
                let mut rust: Vec<_> = rows
                    .iter()
                    .filter(|r| r.status == status)
                    .map(key)
                    .collect();
                rust.sort();
                assert_eq!(sql, rust, "seed {seed}, {as_of}, {scope:?}: {status:?}");
            }
            // The overview's counts from GROUP BY equal those from every row.
            let within = scope
                .clone()
                .unwrap_or_else(|| vec![RegionCode::parse("13").unwrap()]);
            let tallies = store.hazard_tallies(&filter, 4).await.unwrap();
            let counted: Vec<Tally<'_>> = tallies
                .counts
                .iter()
                .map(|(status, level, region, checklist, count)| Tally {
                    status: *status,
                    level: *level,
                    sector: checklist,
                    region,
                    count: *count,
                })
                .collect();
            let grouped = Overview::of_tallies(&counted, &tallies.dates, &within, as_of, 4);
            assert_eq!(
                grouped,
                overview_of(&rows, &within, as_of),
                "seed {seed}, {as_of}, {scope:?}"
            );
        }
    }
    // Every order, walked three at a time both ways, is the full read's order.
    for scope in &scopes {
        let filter = HazardFilter {
            scope: scope.clone(),
            as_of: Some(march(8)),
            ..Default::default()
        };
        let rows = store.hazards(&filter).await.unwrap();
        for order in [
            HazardOrder::Newest,
            HazardOrder::Oldest,
            HazardOrder::Deadline,
        ] {
            assert_eq!(
                walk(store, &filter, order, 3).await,
                ordered(rows.clone(), order),
                "seed {seed}, {scope:?}, {order:?}"
            );
        }
    }
}

/// A ledger from before schema version 7 has no state rows: they are computed when it opens.
async fn a_ledger_from_before_version_7_gets_its_states_when_it_opens(db: Db) {
    let Some(test) = TestDb::new(db) else { return };
    let store = test.open().await;
    seed_history(&store, 99).await;
    let filter = HazardFilter {
        as_of: Some(march(8)),
        ..Default::default()
    };
    let before = walk(&store, &filter, HazardOrder::Deadline, 5).await;
    assert!(!before.is_empty());
    store.close().await;
    test.execute("DELETE FROM hazard_state").await;
    test.execute("INSERT INTO hazard_state_pending (reason) VALUES ('test')")
        .await;
    let emptied = test.open().await;
    assert_eq!(
        walk(&emptied, &filter, HazardOrder::Deadline, 5).await,
        before
    );
    let pending: i64 = test
        .query_one("SELECT COUNT(*) FROM hazard_state_pending")
        .await;
    assert_eq!(pending, 0, "the marker is gone once the rows are computed");
    check_everything(&emptied, 99).await;
}

on_both_databases!(
    sql_reads_agree_with_the_rules,
    a_ledger_from_before_version_7_gets_its_states_when_it_opens,
);
