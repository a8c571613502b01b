//! Follow-up statuses on the ledger: re-inspections (复查) verify or escalate earlier hazards,
//! deadlines are judged against a given day, reviews may arrive before their hazards, and
//! inspections stored before schema version 3 are completed from their bundles. The statuses
//! must be those `paicha_core::followup::follow_up` derives on a phone from the same records.

mod common;

use HazardStatus::{DueSoon, Escalated, Open, Overdue, Verified};
use chrono::NaiveDate;
use common::*;
use paicha_core::Inspection;
use paicha_core::dsse::Envelope;
use paicha_core::followup::{HazardStatus, follow_up};
use paicha_core::reinspection::Escalation;
use paicha_ledger::import::{ImportError, ImportOutcome, Imported, import_bytes};
use paicha_ledger::store::{HazardFilter, HazardRow, Store, Unmatched};

async fn import(store: &Store, envelope: &Envelope) -> Imported {
    match import_bytes(store, envelope.to_json().as_bytes(), t(30))
        .await
        .unwrap()
    {
        ImportOutcome::Imported(b) => b,
        other => panic!("expected a fresh import, got {other:?}"),
    }
}

async fn already_imported(store: &Store, envelope: &Envelope) {
    let outcome = import_bytes(store, envelope.to_json().as_bytes(), t(40))
        .await
        .unwrap();
    assert!(
        matches!(outcome, ImportOutcome::AlreadyImported { .. }),
        "{outcome:?}"
    );
}

async fn rows(store: &Store, as_of: NaiveDate) -> Vec<HazardRow> {
    store
        .hazards(&HazardFilter {
            as_of: Some(as_of),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// (item, status) of every hazard on the ledger, judged on `as_of`, by item.
async fn statuses(store: &Store, as_of: NaiveDate) -> Vec<(String, HazardStatus)> {
    let mut out: Vec<_> = rows(store, as_of)
        .await
        .into_iter()
        .map(|h| (h.item_id, h.status))
        .collect();
    out.sort();
    out
}

fn expect(list: [HazardStatus; 3]) -> Vec<(String, HazardStatus)> {
    ["fw-01", "fw-02", "fw-03"]
        .into_iter()
        .map(String::from)
        .zip(list)
        .collect()
}

/// What a phone holding `inspections` shows on its follow-up list on `as_of`.
fn on_the_phone(inspections: &[&Inspection], as_of: NaiveDate) -> Vec<(String, HazardStatus)> {
    let mut out: Vec<_> = follow_up(inspections.iter().copied(), as_of)
        .iter()
        .map(|f| (f.item_id.to_string(), f.status))
        .collect();
    out.sort();
    out
}

/// The ledger agrees with the phone on every day around the deadlines.
async fn agrees_with_the_phone(store: &Store, inspections: &[&Inspection]) {
    for d in [1, 3, 4, 5, 7, 8, 10, 11, 17, 20, 21, 22, 24, 25, 26, 31] {
        assert_eq!(
            statuses(store, march(d)).await,
            on_the_phone(inspections, march(d)),
            "as of 2026-03-{d:02}"
        );
    }
}

async fn a_reinspection_verifies_two_hazards_and_escalates_one(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let original = phone.inspection_with_three_hazards(1);
    let first = phone.export(100, vec![original.clone()]);
    import(&store, &first).await;

    // Before any re-inspection the deadlines decide: fw-02 is due on the 4th, fw-01 on the
    // 10th, fw-03 on the 20th.
    assert_eq!(
        statuses(&store, march(2)).await,
        expect([Open, DueSoon, Open])
    );
    assert_eq!(
        statuses(&store, march(8)).await,
        expect([DueSoon, Overdue, Open])
    );
    agrees_with_the_phone(&store, &[&original]).await;
    let overdue = store
        .hazards(&HazardFilter {
            as_of: Some(march(8)),
            statuses: vec![Overdue],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].item_id, "fw-02");

    let re = phone.reinspection(
        2,
        &original,
        march_at(8),
        &[
            ("fw-01", Decision::Rectified),
            ("fw-02", Decision::Rectified),
            ("fw-03", Decision::Escalate(Escalation::PenaltyCase)),
        ],
    );
    let second = phone.export_with_photos(101, vec![re.clone()]);
    let b = import(&store, &second).await;
    assert_eq!((b.new_inspections, b.reviews), (1, 3));
    assert!(b.unmatched_reviews.is_empty(), "{:?}", b.unmatched_reviews);

    for d in [8, 9, 30] {
        assert_eq!(
            statuses(&store, march(d)).await,
            expect([Verified, Verified, Escalated])
        );
    }
    agrees_with_the_phone(&store, &[&original, &re]).await;

    let hazards = rows(&store, march(9)).await;
    let fw01 = &hazards[0];
    assert_eq!(fw01.item_id, "fw-01");
    assert_eq!(
        fw01.verified_at(),
        Some(march_at(8) + chrono::Duration::hours(1))
    );
    let review = fw01.review.as_ref().unwrap();
    assert_eq!(review.reviewing_inspection_id, re.id.to_string());
    assert_eq!(review.note, "fw-01 复查意见");
    assert_eq!(fw01.kind, paicha_core::InspectionKind::Special);
    assert_eq!(fw01.location, "fw-01 部位");
    assert_eq!(fw01.deadline, Some(march(10)));
    assert_eq!(fw01.site, detailed_site().details());
    assert_eq!(
        fw01.inspectors,
        [
            ("张三".to_string(), "44030012345".to_string()),
            ("李四".to_string(), "44030067890".to_string())
        ]
    );
    let fw03 = &hazards[2];
    assert_eq!(fw03.verified_at(), None);
    assert_eq!(
        fw03.review.as_ref().unwrap().escalation,
        Some(Escalation::PenaltyCase)
    );

    // Importing both again changes nothing.
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.inspections, counts.reviews), (2, 3));
    let photos: i64 = tdb.query_one("SELECT COUNT(*) FROM review_photos").await;
    assert_eq!(photos, 2);
    let team: i64 = tdb
        .query_one("SELECT COUNT(*) FROM inspection_co_inspectors")
        .await;
    assert_eq!(team, 2, "李四 on both inspections");
    already_imported(&store, &first).await;
    already_imported(&store, &second).await;
    assert_eq!(store.counts().await.unwrap(), counts);
    assert_eq!(
        statuses(&store, march(9)).await,
        expect([Verified, Verified, Escalated])
    );
}

async fn the_hazard_csv_carries_status_review_kind_team_and_site(db: Db) {
    use paicha_ledger::checklist_pack::ChecklistPack;
    use paicha_ledger::hazards::{CsvOptions, column, write_hazards_csv};

    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let original = phone.inspection_with_three_hazards(1);
    import(&store, &phone.export(100, vec![original.clone()])).await;
    let re = phone.reinspection(
        2,
        &original,
        march_at(8),
        &[
            ("fw-01", Decision::Rectified),
            ("fw-03", Decision::Escalate(Escalation::Suspension)),
        ],
    );
    import(&store, &phone.export_with_photos(101, vec![re.clone()])).await;

    let mut pack = ChecklistPack::default();
    pack.insert(checklist());
    let mut out = Vec::new();
    let options = CsvOptions {
        header: paicha_core::hazard_ledger::Header::Keys,
        excel: false,
        sector: None,
    };
    let filter = HazardFilter {
        as_of: Some(march(8)),
        ..Default::default()
    };
    let n = write_hazards_csv(&store, &filter, &pack, &options, &mut out)
        .await
        .unwrap();
    assert_eq!(n, 3);
    let csv = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header.len(), paicha_ledger::hazards::COLUMNS.len());
    let cell = |line: usize, key: &str| -> String {
        lines[line]
            .split(',')
            .nth(column(key).unwrap())
            .unwrap()
            .to_string()
    };
    // fw-01 verified, fw-02 overdue (deadline the 4th), fw-03 escalated.
    assert_eq!(cell(1, "status"), "已验收销号");
    assert_eq!(cell(1, "status_code"), "verified");
    assert_eq!(cell(1, "review_date"), "2026-03-08");
    assert_eq!(cell(1, "review_inspection_id"), re.id.to_string());
    assert_eq!(cell(1, "review_note"), "fw-01 复查意见");
    assert_eq!(cell(2, "status"), "逾期未整改");
    assert_eq!(cell(2, "status_code"), "overdue");
    assert_eq!(cell(2, "review_date"), "");
    assert_eq!(cell(2, "deadline"), "2026-03-04");
    assert_eq!(cell(3, "status"), "升级处理");
    assert_eq!(cell(3, "status_code"), "escalated");
    assert_eq!(cell(3, "escalation"), "责令停产停业整顿");
    assert_eq!(cell(1, "inspectors"), "张三、李四");
    assert_eq!(cell(1, "enforcement_cert_no"), "44030012345、44030067890");
    assert_eq!(cell(1, "inspection_kind"), "专项检查");
    assert_eq!(cell(1, "location"), "fw-01 部位");
    assert_eq!(cell(1, "site_address"), "测试市测试区工业路1号");
    assert_eq!(cell(1, "site_township"), "测试街道");
    assert_eq!(cell(1, "site_grid"), "第3网格");
    assert_eq!(cell(1, "site_sectors"), "烟花爆竹");
    assert_eq!(cell(1, "contact_name"), "王五");
    assert_eq!(cell(1, "contact_phone"), "13800138000");
}

async fn reviews_arriving_before_their_hazard_count_once_it_arrives(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    // The original inspection is on one phone, the re-inspection on another that syncs first.
    let mut author = Phone::new(7);
    let mut reviewer = Phone::new(8);
    let store = tdb.enrolled(&author).await;
    store.enrol(&reviewer.new_device(), t(0)).await.unwrap();
    let original = author.inspection_with_three_hazards(1);
    let re = reviewer.reinspection(
        2,
        &original,
        march_at(8),
        &[
            ("fw-01", Decision::Rectified),
            ("fw-02", Decision::Rectified),
            ("fw-03", Decision::Escalate(Escalation::ListedSupervision)),
        ],
    );
    let review_bundle = reviewer.export_with_photos(200, vec![re.clone()]);
    let original_bundle = author.export(100, vec![original.clone()]);

    let b = import(&store, &review_bundle).await;
    assert_eq!(b.reviews, 3);
    assert_eq!(b.unmatched_reviews.len(), 3, "{:?}", b.unmatched_reviews);
    assert!(
        b.unmatched_reviews
            .iter()
            .all(|u| u.reason == Unmatched::NotReceived)
    );
    assert!(
        b.unmatched_reviews[0]
            .to_string()
            .contains("not in the ledger yet"),
        "{}",
        b.unmatched_reviews[0]
    );
    assert_eq!(store.unmatched_reviews().await.unwrap().len(), 3);
    assert!(rows(&store, march(9)).await.is_empty(), "no hazard yet");

    let b = import(&store, &original_bundle).await;
    assert!(b.unmatched_reviews.is_empty());
    assert!(store.unmatched_reviews().await.unwrap().is_empty());
    assert_eq!(
        statuses(&store, march(9)).await,
        expect([Verified, Verified, Escalated])
    );
    agrees_with_the_phone(&store, &[&original, &re]).await;

    // Both again, in either order: nothing changes.
    let counts = store.counts().await.unwrap();
    already_imported(&store, &original_bundle).await;
    already_imported(&store, &review_bundle).await;
    assert_eq!(store.counts().await.unwrap(), counts);

    // A review of a hazard whose bundle never arrives stays listed by `gaps`.
    let lost = author.inspection_with_three_hazards(3);
    let later = reviewer.reinspection(4, &lost, march_at(9), &[("fw-02", Decision::Rectified)]);
    let b = import(&store, &reviewer.export_with_photos(201, vec![later])).await;
    assert_eq!(b.unmatched_reviews.len(), 1);
    let unmatched = store.unmatched_reviews().await.unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].original_inspection_id, lost.id.to_string());
    assert_eq!(unmatched[0].item_id, "fw-02");
    let mut out = Vec::new();
    paicha_ledger::commands::gaps::run(&store, &mut out)
        .await
        .unwrap();
    let report = String::from_utf8(out).unwrap();
    assert!(
        report.contains("1 re-inspection review(s) of hazards not in the ledger"),
        "{report}"
    );
    assert!(report.contains(&lost.id.to_string()), "{report}");
    // The hazards already in the ledger are unaffected.
    assert_eq!(
        statuses(&store, march(9)).await,
        expect([Verified, Verified, Escalated])
    );
}

async fn an_extension_moves_the_deadline_and_the_latest_seal_decides(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let original = phone.inspection_with_three_hazards(1);
    let extended = phone.reinspection(
        2,
        &original,
        march_at(5),
        &[("fw-02", Decision::Extend("2026-03-25"))],
    );
    let closed = phone.reinspection(
        3,
        &original,
        march_at(24),
        &[("fw-02", Decision::Rectified)],
    );
    let first = phone.export(100, vec![original.clone()]);
    let second = phone.export(101, vec![extended.clone()]);
    let third = phone.export_with_photos(102, vec![closed.clone()]);

    import(&store, &first).await;
    import(&store, &second).await;
    let fw02 = |rows: Vec<HazardRow>| rows.into_iter().find(|h| h.item_id == "fw-02").unwrap();
    let row = fw02(rows(&store, march(21)).await);
    assert_eq!((row.status, row.deadline), (Open, Some(march(25))));
    assert_eq!(fw02(rows(&store, march(23)).await).status, DueSoon);
    assert_eq!(fw02(rows(&store, march(26)).await).status, Overdue);
    agrees_with_the_phone(&store, &[&original, &extended]).await;

    import(&store, &third).await;
    assert_eq!(fw02(rows(&store, march(26)).await).status, Verified);
    agrees_with_the_phone(&store, &[&original, &extended, &closed]).await;

    // The order of arrival does not matter: the later seal decides.
    let Some(tdb2) = TestDb::new(db) else { return };
    let store2 = tdb2.enrolled(&phone).await;
    for bundle in [&third, &first, &second] {
        import(&store2, bundle).await;
    }
    for d in [21, 23, 26] {
        assert_eq!(
            statuses(&store2, march(d)).await,
            statuses(&store, march(d)).await
        );
    }
}

/// What migration 4 adds, removed again: the findings' order columns.
const VERSION_4_COLUMNS: [&str; 10] = [
    "ALTER TABLE findings DROP COLUMN measures",
    "ALTER TABLE findings DROP COLUMN responsible",
    "ALTER TABLE findings DROP COLUMN funds_yuan",
    "ALTER TABLE findings DROP COLUMN suspension",
    "ALTER TABLE findings DROP COLUMN plan_target",
    "ALTER TABLE findings DROP COLUMN plan_organisation",
    "ALTER TABLE findings DROP COLUMN plan_safety_measures",
    "ALTER TABLE findings DROP COLUMN plan_funds_materials",
    "ALTER TABLE findings DROP COLUMN plan_time_limit",
    "DELETE FROM _sqlx_migrations WHERE version = 4",
];

/// Imports an inspection with three hazards (one major, with its plan) and a re-inspection
/// of them, takes the database back to an older schema with `downgrade`, reopens it and
/// checks that the hazards read as before, and that opening again changes nothing.
async fn an_older_ledger_is_completed_from_its_bundles(db: Db, downgrade: &[&'static str]) {
    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let original = phone.inspection_with_three_hazards(1);
    let re = phone.reinspection(
        2,
        &original,
        march_at(8),
        &[
            ("fw-01", Decision::Rectified),
            ("fw-02", Decision::Rectified),
            ("fw-03", Decision::Escalate(Escalation::PenaltyCase)),
        ],
    );
    import(&store, &phone.export(100, vec![original.clone()])).await;
    import(&store, &phone.export_with_photos(101, vec![re.clone()])).await;
    let complete = rows(&store, march(9)).await;
    let major = complete.iter().find(|h| h.item_id == "fw-01").unwrap();
    assert_eq!(major.order.funds_yuan, "8000");
    assert_eq!(
        major.plan.as_ref().map(|p| p.suspension),
        Some(paicha_core::finding::Suspension::Full)
    );
    let counts = store.counts().await.unwrap();
    store.close().await;

    for sql in downgrade {
        tdb.execute(sql).await;
    }

    let reopened = tdb.open().await;
    assert_eq!(rows(&reopened, march(9)).await, complete);
    assert_eq!(reopened.counts().await.unwrap(), counts);
    let photos: i64 = tdb.query_one("SELECT COUNT(*) FROM review_photos").await;
    assert_eq!(photos, 2);
    let pending: i64 = tdb
        .query_one("SELECT COUNT(*) FROM inspections WHERE details_version <> 4")
        .await;
    assert_eq!(pending, 0);
    // Opening again finds nothing left to do.
    reopened.close().await;
    let again = tdb.open().await;
    assert_eq!(again.counts().await.unwrap(), counts);
    assert_eq!(rows(&again, march(9)).await, complete);
    assert_eq!(
        statuses(&again, march(9)).await,
        expect([Verified, Verified, Escalated])
    );
}

async fn inspections_stored_before_version_3_are_completed_from_their_bundles(db: Db) {
    // Back to what a ledger of schema version 2 held (the same rows, none of the new columns
    // and tables), so that opening it runs migrations 3 and 4 on stored data and completes it.
    let mut downgrade = vec![
        "DROP TABLE review_photos",
        "DROP TABLE hazard_reviews",
        "DROP TABLE inspection_co_inspectors",
        "ALTER TABLE inspections DROP COLUMN kind",
        "ALTER TABLE inspections DROP COLUMN inspector_organisation",
        "ALTER TABLE inspections DROP COLUMN inspector_region",
        "ALTER TABLE inspections DROP COLUMN site_address",
        "ALTER TABLE inspections DROP COLUMN site_township",
        "ALTER TABLE inspections DROP COLUMN site_grid",
        "ALTER TABLE inspections DROP COLUMN site_sectors",
        "ALTER TABLE inspections DROP COLUMN site_contact_name",
        "ALTER TABLE inspections DROP COLUMN site_contact_phone",
        "ALTER TABLE inspections DROP COLUMN details_version",
        "ALTER TABLE findings DROP COLUMN location",
        "ALTER TABLE findings DROP COLUMN deadline",
        "DELETE FROM _sqlx_migrations WHERE version = 3",
    ];
    downgrade.extend(VERSION_4_COLUMNS);
    an_older_ledger_is_completed_from_its_bundles(db, &downgrade).await;
}

async fn hazard_orders_stored_before_version_4_are_completed_from_their_bundles(db: Db) {
    // A ledger of schema version 3: everything but the orders' measures, responsible, funds
    // and a major hazard's plan.
    let mut downgrade = VERSION_4_COLUMNS.to_vec();
    downgrade.push("UPDATE inspections SET details_version = 3");
    an_older_ledger_is_completed_from_its_bundles(db, &downgrade).await;
}

async fn a_refused_bundle_stores_none_of_its_reviews(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let original = phone.inspection_with_three_hazards(1);
    import(&store, &phone.export(100, vec![original.clone()])).await;
    let before = store.counts().await.unwrap();

    // The re-inspection is fine, but the bundle also carries the original, changed.
    let re = phone.reinspection(2, &original, march_at(8), &[("fw-01", Decision::Rectified)]);
    let mut changed = original.clone();
    changed.answers.get_mut("fw-02").unwrap().description = "改过的描述".into();
    let bad = phone.export_with_photos(101, vec![re, changed]);
    let err = import_bytes(&store, bad.to_json().as_bytes(), t(30))
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::InspectionChanged(_)), "{err}");
    assert_eq!(store.counts().await.unwrap(), before);
    let photos: i64 = tdb.query_one("SELECT COUNT(*) FROM review_photos").await;
    assert_eq!(photos, 0);
    assert_eq!(
        statuses(&store, march(8)).await,
        expect([DueSoon, Overdue, Open])
    );
}

on_both_databases!(
    a_reinspection_verifies_two_hazards_and_escalates_one,
    the_hazard_csv_carries_status_review_kind_team_and_site,
    reviews_arriving_before_their_hazard_count_once_it_arrives,
    an_extension_moves_the_deadline_and_the_latest_seal_decides,
    inspections_stored_before_version_3_are_completed_from_their_bundles,
    hazard_orders_stored_before_version_4_are_completed_from_their_bundles,
    a_refused_bundle_stores_none_of_its_reviews,
);
