//! Test fixtures: real checklists, inspections and bundles signed with fixed Ed25519 keys.
#![allow(dead_code)]

pub mod http;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use ed25519_dalek::SigningKey;
use paicha_core::bundle::{BundlePayload, ChainState, DeviceInfo, sign_with};
use paicha_core::dsse::{self, Envelope};
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::reinspection::{Escalation, HazardReview, ReviewDecision, ReviewOutcome};
use paicha_core::{
    Attachment, Checklist, CreditCode, Inspection, InspectionKind, Inspector, Site, SiteDetails,
    Verdict,
};
use paicha_ledger::store::{Location, NewDevice, Store};
use std::path::Path;
use uuid::Uuid;

pub const CHECKLIST_TOML: &str = r#"
id = "test-fireworks"
sector = "fireworks"
version = "2026.1"
effective = "2026-01-01"

[title]
zh = "烟花爆竹测试检查表"
en = "Fireworks test checklist"

[[sources]]
key = "law"
title = "中华人民共和国安全生产法"
status = "in_force"

[[sections]]
id = "storage"
title = { zh = "仓储", en = "Storage" }

[[sections.items]]
id = "fw-01"
zh = "仓库内超量储存烟花爆竹"
en = "Fireworks stored above the permitted quantity"
basis = { source = "law", clause = "第一条" }
major = true
verification = "paraphrase"

[[sections.items]]
id = "fw-02"
zh = "仓库未设置防雷设施"
en = "No lightning protection at the warehouse"
basis = { source = "law", clause = "第二条" }
major = false
verification = "paraphrase"

[[sections.items]]
id = "fw-03"
zh = "消防器材过期"
en = "Expired fire extinguishers"
basis = { source = "law", clause = "第三条" }
major = false
verification = "paraphrase"
"#;

pub const CREDIT_CODE: &str = "91440300708461136T";

pub fn checklist() -> Checklist {
    Checklist::from_toml("test.toml", CHECKLIST_TOML).expect("the test checklist is valid")
}

pub fn t(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, minute, 0).unwrap()
}

/// A device with a fixed key; `seed` 7 is the default inspector's phone.
pub struct Phone {
    pub key: SigningKey,
    pub chain: ChainState,
    pub inspector: Inspector,
}

impl Phone {
    pub fn new(seed: u8) -> Self {
        Self {
            key: SigningKey::from_bytes(&[seed; 32]),
            chain: ChainState::default(),
            inspector: Inspector::new("张三", "44030012345").unwrap(),
        }
    }

    pub fn device_info(&self) -> DeviceInfo {
        DeviceInfo::from_public_key(&self.key.verifying_key().to_bytes())
    }

    pub fn new_device(&self) -> NewDevice {
        let info = self.device_info();
        NewDevice::from_parts(
            info.key_id.as_str(),
            &info.public_key,
            &self.inspector.name,
            &self.inspector.cert_no,
            "测试县应急管理局",
        )
        .unwrap()
    }

    /// A sealed inspection with one major hazard and one compliant item.
    pub fn inspection(&self, id: u128) -> Inspection {
        let checklist = checklist();
        let site = Site::new(
            "某某烟花爆竹有限公司",
            CreditCode::parse(CREDIT_CODE).unwrap(),
        )
        .unwrap();
        let mut inspection = Inspection::start(
            Uuid::from_u128(id),
            site,
            &checklist,
            self.inspector.clone(),
            t(0),
        );
        inspection
            .answer(
                &checklist,
                "fw-01",
                Verdict::MajorHazard,
                "成品仓库超量储存约两倍",
                t(5),
            )
            .unwrap();
        inspection
            .answer(&checklist, "fw-02", Verdict::Compliant, "", t(6))
            .unwrap();
        inspection.seal(&checklist, t(10)).unwrap();
        inspection
    }

    /// A special inspection (专项检查) on 1 March of a site with its details, by this phone's
    /// inspector and 李四, with three hazards and their deadlines: fw-01 (major, 2026-03-10),
    /// fw-02 (general, 2026-03-04) and fw-03 (general, 2026-03-20).
    pub fn inspection_with_three_hazards(&self, id: u128) -> Inspection {
        let checklist = checklist();
        let mut inspection = Inspection::start(
            Uuid::from_u128(id),
            detailed_site(),
            &checklist,
            self.inspector.clone(),
            t(0),
        );
        inspection
            .set_team(InspectionKind::Special, vec![co_inspector()])
            .unwrap();
        for (item, verdict, deadline) in [
            ("fw-01", Verdict::MajorHazard, "2026-03-10"),
            ("fw-02", Verdict::GeneralHazard, "2026-03-04"),
            ("fw-03", Verdict::GeneralHazard, "2026-03-20"),
        ] {
            inspection
                .answer(&checklist, item, verdict, &format!("{item} 隐患"), t(5))
                .unwrap();
            let order = RectificationOrder {
                measures: "整改".into(),
                responsible: "厂长".into(),
                deadline: deadline.into(),
                funds_yuan: "8000".into(),
            };
            let plan = (verdict == Verdict::MajorHazard).then(|| MajorHazardPlan {
                target: "消除隐患".into(),
                organisation: "安全科".into(),
                safety_measures: "停用仓库".into(),
                funds_materials: "安全费用".into(),
                time_limit: deadline.into(),
                suspension: Suspension::Full,
            });
            inspection
                .set_order(item, &format!("{item} 部位"), order, plan)
                .unwrap();
        }
        inspection.seal(&checklist, t(10)).unwrap();
        inspection
    }

    /// A sealed re-inspection (复查) of `original`'s site, started at `started` and sealed an
    /// hour later, deciding each listed hazard. A rectified one gets [`REVIEW_PHOTO`].
    pub fn reinspection(
        &self,
        id: u128,
        original: &Inspection,
        started: DateTime<Utc>,
        decisions: &[(&str, Decision)],
    ) -> Inspection {
        let checklist = checklist();
        let mut re = Inspection::start(
            Uuid::from_u128(id),
            original.site.clone(),
            &checklist,
            self.inspector.clone(),
            started,
        );
        re.set_team(InspectionKind::Reinspection, vec![co_inspector()])
            .unwrap();
        for (item, decision) in decisions {
            re.add_reviews(HazardReview::of(original, item)).unwrap();
            let hazard = re.reviews.last().unwrap().hazard.clone();
            let (outcome, escalation, new_deadline) = match decision {
                Decision::Rectified => (ReviewOutcome::Rectified, None, ""),
                Decision::Escalate(e) => (ReviewOutcome::NotRectified, Some(*e), ""),
                Decision::Extend(to) => (
                    ReviewOutcome::NotRectified,
                    Some(Escalation::Extension),
                    *to,
                ),
            };
            re.review(
                &hazard,
                ReviewDecision {
                    outcome,
                    note: format!("{item} 复查意见"),
                    escalation,
                    new_deadline: new_deadline.into(),
                },
                started,
            )
            .unwrap();
            if outcome == ReviewOutcome::Rectified {
                re.attach_review_photo(&hazard, &paicha_core::sha256_hex(REVIEW_PHOTO))
                    .unwrap();
            }
        }
        re.seal(&checklist, started + chrono::Duration::hours(1))
            .unwrap();
        re
    }

    /// Signs the next bundle with the photos its inspections refer to and advances the chain.
    pub fn export_with_photos(
        &mut self,
        bundle_id: u128,
        inspections: Vec<Inspection>,
    ) -> Envelope {
        let needs_photo = inspections
            .iter()
            .any(|i| i.reviews.iter().any(|r| !r.photos.is_empty()));
        let mut payload = self.payload(bundle_id, inspections);
        if needs_photo {
            payload = payload
                .with_attachments(vec![Attachment::new("image/png", REVIEW_PHOTO).unwrap()])
                .unwrap();
        }
        let bytes = payload.to_bytes();
        self.chain = self.chain.after(&bytes);
        sign_with(&self.key, &bytes)
    }

    /// Signs the next bundle in this phone's chain and advances the chain.
    pub fn export(&mut self, bundle_id: u128, inspections: Vec<Inspection>) -> Envelope {
        let payload = self.payload(bundle_id, inspections);
        let bytes = payload.to_bytes();
        self.chain = self.chain.after(&bytes);
        sign_with(&self.key, &bytes)
    }

    /// Signs a bundle at the current chain position without advancing (to make forks).
    pub fn export_without_advancing(
        &self,
        bundle_id: u128,
        inspections: Vec<Inspection>,
    ) -> Envelope {
        sign_with(&self.key, &self.payload(bundle_id, inspections).to_bytes())
    }

    pub fn payload(&self, bundle_id: u128, inspections: Vec<Inspection>) -> BundlePayload {
        BundlePayload::new(
            Uuid::from_u128(bundle_id),
            t(20),
            "0.1.0-test",
            self.device_info(),
            &self.chain,
            self.inspector.clone(),
            inspections,
        )
        .unwrap()
    }
}

/// What a re-inspection decides about one hazard.
#[derive(Debug, Clone, Copy)]
pub enum Decision {
    Rectified,
    Escalate(Escalation),
    /// Not rectified, with a new deadline (YYYY-MM-DD).
    Extend(&'static str),
}

/// The photo of a rectified hazard: a real 640×480 PNG, so that the ledger can make its
/// thumbnail (the bundle format checks hashes, not pixels).
pub const REVIEW_PHOTO: &[u8] = include_bytes!("review-photo.png");
/// Bytes that name themselves a PNG and are none: no thumbnail can be made of them.
pub const NOT_A_PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n rectified warehouse";

pub fn co_inspector() -> Inspector {
    Inspector::new("李四", "44030067890")
        .unwrap()
        .with_unit("测试县应急管理局", "测试镇")
}

pub fn detailed_site() -> Site {
    Site::with_details(
        "某某烟花爆竹有限公司",
        CreditCode::parse(CREDIT_CODE).unwrap(),
        SiteDetails {
            address: "测试市测试区工业路1号".into(),
            township: "测试街道".into(),
            grid: "第3网格".into(),
            sectors: vec!["fireworks".into()],
            contact_name: "王五".into(),
            contact_phone: "13800138000".into(),
        },
    )
    .unwrap()
}

/// A day of March 2026.
pub fn march(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

/// 09:00 UTC (17:00 China Standard Time) on a day of March 2026.
pub fn march_at(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).unwrap()
}

/// The first bundle of the default phone, as file text.
pub fn good_bundle() -> String {
    let mut phone = Phone::new(7);
    let inspection = phone.inspection(1);
    phone.export(100, vec![inspection]).to_json()
}

/// The envelope with one payload byte changed (and re-encoded), signature untouched.
pub fn tampered(envelope_json: &str) -> String {
    let mut envelope: Envelope = serde_json::from_str(envelope_json).unwrap();
    let mut payload = dsse::b64_decode(&envelope.payload).unwrap();
    // The signature is checked before the payload is parsed, so any flipped byte must fail it.
    let i = payload.len() / 2;
    payload[i] ^= 0x01;
    envelope.payload = dsse::b64_encode(&payload);
    envelope.to_json()
}

// ---------------------------------------------------------------- databases

/// The databases every store test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The variable naming the PostgreSQL server for tests (`eval "$(scripts/postgres start)"`).
pub const POSTGRES_ENV: &str = "PAICHA_TEST_POSTGRES_URL";

/// A test's own ledger database and scratch directory. On PostgreSQL each test gets a fresh
/// schema (dropped afterwards) in the database `PAICHA_TEST_POSTGRES_URL` names.
pub struct TestDb {
    pub db: Db,
    pub dir: tempfile::TempDir,
    pub location: Location,
    /// The database URL (`sqlite://…` or `postgres://…?options=-c search_path=…`).
    pub url: String,
    schema: Option<(String, String)>,
}

impl TestDb {
    /// `None` when PostgreSQL is wanted but not configured: then the test is skipped, loudly,
    /// unless `CI=true`, where a missing server is a failure.
    pub fn new(db: Db) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        match db {
            Db::Sqlite => {
                let path = dir.path().join("ledger.sqlite3");
                Some(Self {
                    db,
                    url: format!("sqlite://{}", path.display()),
                    location: Location::SqliteFile(path),
                    dir,
                    schema: None,
                })
            }
            Db::Postgres => {
                let base = postgres_url()?;
                let schema = format!(
                    "paicha_test_{}_{}",
                    std::process::id(),
                    SCHEMA_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                run_blocking({
                    let (base, schema) = (base.clone(), schema.clone());
                    async move {
                        postgres_exec(&base, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .await;
                        postgres_exec(&base, &format!("CREATE SCHEMA {schema}")).await;
                    }
                });
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                Some(Self {
                    db,
                    location: Location::Url(url.clone()),
                    url,
                    dir,
                    schema: Some((base, schema)),
                })
            }
        }
    }

    pub async fn open(&self) -> Store {
        // Each test database has its own blob directory (PostgreSQL has none by default).
        let options = paicha_ledger::store::StoreOptions {
            blobs: Some(paicha_ledger::blobs::BlobLocation::Dir(
                self.dir.path().join("blobs"),
            )),
            ..Default::default()
        };
        Store::open_with(&self.location, &options)
            .await
            .expect("store opens")
    }

    pub async fn enrolled(&self, phone: &Phone) -> Store {
        let store = self.open().await;
        store.enrol(&phone.new_device(), t(0)).await.unwrap();
        store
    }

    /// Reads one value with a connection of its own, as an auditor would.
    pub async fn query_one<T>(&self, sql: &'static str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + Unpin,
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        let value = sqlx::query_scalar::<_, T>(sql)
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.unwrap();
        value
    }

    /// Runs one statement with a connection of its own (to set up what old versions stored).
    pub async fn execute(&self, sql: &'static str) {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        sqlx::query(sql)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.unwrap();
    }

    /// Command-line arguments that point the binary at this database.
    pub fn cli_args(&self) -> Vec<String> {
        vec![
            "--data-dir".into(),
            self.dir.path().join("data").display().to_string(),
            "--database-url".into(),
            self.url.clone(),
        ]
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.schema.take() {
            run_blocking(async move {
                postgres_exec(&base, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
            });
        }
    }
}

static SCHEMA_COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The PostgreSQL URL for tests, or `None` (skip) outside CI when it is not set.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{POSTGRES_ENV} is not set, and CI=true requires the PostgreSQL tests to run: \
             start a server with eval \"$(scripts/postgres start)\" (scripts/test does)"
        ),
        _ => {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                // Straight to stderr: libtest captures print!/eprint! but not this, so the
                // skip is visible in every run, not only in failures.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "\nSKIPPED: PostgreSQL tests pass without running: {POSTGRES_ENV} is not set \
                     (eval \"$(scripts/postgres start)\" starts a throwaway server)\n"
                );
            });
            None
        }
    }
}

async fn postgres_exec(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_ENV}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.unwrap();
}

/// Runs a future to completion on a runtime of its own, in a thread of its own, so that it
/// works both from plain tests and from inside a tokio test (and from `Drop`).
pub fn run_blocking<F: std::future::Future<Output = ()> + Send + 'static>(future: F) {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    })
    .join()
    .expect("database setup thread");
}

/// Generates `sqlite::NAME` and `postgres::NAME` tests from `async fn NAME(db: Db)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::common::Db::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::common::Db::Postgres).await
            })*
        }
    };
}

/// Sync variant of [`on_both_databases`] for tests of the binary.
#[macro_export]
macro_rules! on_both_databases_sync {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name($crate::common::Db::Sqlite)
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name($crate::common::Db::Postgres)
            })*
        }
    };
}

pub async fn open_store(dir: &Path) -> Store {
    Store::open(&Location::SqliteFile(dir.join("ledger.sqlite3")))
        .await
        .expect("store opens")
}

pub async fn enrolled_store(dir: &Path, phone: &Phone) -> Store {
    let store = open_store(dir).await;
    store.enrol(&phone.new_device(), t(0)).await.unwrap();
    store
}

/// A sealed inspection (Shenzhen, region 4403) with a major hazard `fw-01` that has a photo
/// ([`REVIEW_PHOTO`]) and a general one `fw-02` whose "photo" is [`NOT_A_PHOTO`], signed in
/// the phone's chain with the photos' bytes.
/// The photos a bundle names, delivered as a device's `PUT /api/blobs/{sha256}` would (the
/// endpoint itself is tested in access.rs).
pub async fn deliver_photos(store: &Store) {
    for bytes in [REVIEW_PHOTO, NOT_A_PHOTO] {
        let sha = paicha_core::sha256_hex(bytes);
        store
            .receive_blob(&sha, bytes.to_vec().into(), t(0))
            .await
            .unwrap();
    }
}

pub fn bundle_with_photo(phone: &mut Phone) -> (String, Inspection) {
    let checklist = checklist();
    let mut inspection = Inspection::start(
        Uuid::from_u128(0x51),
        detailed_site(),
        &checklist,
        phone.inspector.clone(),
        t(0),
    );
    inspection
        .set_team(InspectionKind::Special, vec![co_inspector()])
        .unwrap();
    for (item, verdict) in [
        ("fw-01", Verdict::MajorHazard),
        ("fw-02", Verdict::GeneralHazard),
    ] {
        inspection
            .answer(
                &checklist,
                item,
                verdict,
                &format!("{item} 防火门损坏"),
                t(5),
            )
            .unwrap();
        let order = RectificationOrder {
            measures: "更换防火门".into(),
            responsible: "厂长".into(),
            deadline: "2026-03-10".into(),
            funds_yuan: "8000".into(),
        };
        let plan = (verdict == Verdict::MajorHazard).then(|| MajorHazardPlan {
            target: "消除隐患".into(),
            organisation: "安全科".into(),
            safety_measures: "停用仓库".into(),
            funds_materials: "安全费用".into(),
            time_limit: "2026-03-10".into(),
            suspension: Suspension::Full,
        });
        inspection.set_order(item, "二号仓库", order, plan).unwrap();
    }
    inspection
        .attach_photo("fw-01", &paicha_core::sha256_hex(REVIEW_PHOTO))
        .unwrap();
    inspection
        .attach_photo("fw-02", &paicha_core::sha256_hex(NOT_A_PHOTO))
        .unwrap();
    inspection.seal(&checklist, t(10)).unwrap();
    let payload = phone
        .payload(100, vec![inspection.clone()])
        .with_attachments(vec![
            Attachment::new("image/png", REVIEW_PHOTO).unwrap(),
            Attachment::new("image/png", NOT_A_PHOTO).unwrap(),
        ])
        .unwrap();
    let bytes = payload.to_bytes();
    phone.chain = phone.chain.after(&bytes);
    (sign_with(&phone.key, &bytes).to_json(), inspection)
}
