//! Verification, import and the HTTP API, driven through the library.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::http::*;
use common::*;
use paicha_core::VerifyError;
use paicha_core::dsse::Envelope;
use paicha_core::verify::{EmbeddedKey, verify_bundle};
use paicha_ledger::import::{ImportError, ImportOutcome, import_bytes};
use paicha_ledger::rules::{ChainLink, ChainNote};
use paicha_ledger::store::Counts;

// ---------------------------------------------------------------- verify

#[test]
fn a_good_bundle_verifies_and_names_its_signer() {
    let bundle = verify_bundle(good_bundle().as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(bundle.payload.inspector.name, "张三");
    assert_eq!(bundle.payload.sequence, 1);
    assert_eq!(bundle.key_id, Phone::new(7).device_info().key_id);
    paicha_core::verify::check_chain_rules(&bundle.payload).unwrap();
}

#[test]
fn a_flipped_payload_byte_fails_with_bad_signature() {
    let err = verify_bundle(tampered(&good_bundle()).as_bytes(), &EmbeddedKey).unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature(_)), "{err:?}");
    assert!(
        err.to_string().contains("signature does not verify"),
        "{err}"
    );
}

#[test]
fn a_wrong_payload_type_is_named() {
    let mut envelope: Envelope = serde_json::from_str(&good_bundle()).unwrap();
    envelope.payload_type = "application/json".into();
    let err = verify_bundle(envelope.to_json().as_bytes(), &EmbeddedKey).unwrap_err();
    assert_eq!(
        err,
        VerifyError::WrongPayloadType("application/json".into())
    );
    assert!(
        err.to_string()
            .contains("application/vnd.paicha.bundle.v1+json")
    );
}

#[test]
fn chain_rules_reject_a_first_bundle_without_genesis_and_spot_forks() {
    let mut phone = Phone::new(7);
    let first = phone.export(100, vec![phone.inspection(1)]);
    let second = phone.export(101, vec![phone.inspection(2)]);
    let verify = |e: &Envelope| verify_bundle(e.to_json().as_bytes(), &EmbeddedKey).unwrap();
    assert!(
        paicha_ledger::rules::chain_notes([&verify(&first), &verify(&second)].map(ChainLink::from))
            .is_empty()
    );

    // Another bundle at sequence 2 that follows the same first bundle: a fork.
    let mut restored = Phone::new(7);
    restored.chain =
        paicha_core::bundle::ChainState::default().after(&verify(&first).payload_bytes);
    let fork = restored.export(102, vec![restored.inspection(3)]);
    let notes = paicha_ledger::rules::chain_notes(
        [&verify(&first), &verify(&second), &verify(&fork)].map(ChainLink::from),
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].to_string().starts_with("fork:"), "{}", notes[0]);

    // Sequence 2 claiming to be a first bundle breaks the genesis rule.
    let mut liar = Phone::new(7);
    liar.chain.next_sequence = 2;
    let bad = verify(&liar.export(103, vec![liar.inspection(4)]));
    let err = paicha_core::verify::check_chain_rules(&bad.payload).unwrap_err();
    assert!(err.to_string().contains("only sequence 1"), "{err}");
}

// ---------------------------------------------------------------- import

async fn import_then_reimport_changes_nothing(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let text = good_bundle();

    let ImportOutcome::Imported(first) =
        import_bytes(&store, text.as_bytes(), t(30)).await.unwrap()
    else {
        panic!("first import must store the bundle");
    };
    assert_eq!(
        (
            first.sequence,
            first.new_inspections,
            first.findings,
            first.fork
        ),
        (1, 1, 2, false)
    );
    let after_first = store.counts().await.unwrap();
    assert_eq!(
        after_first,
        Counts {
            devices: 1,
            bundles: 1,
            sites: 1,
            inspections: 1,
            findings: 2,
            attachments: 0,
            reviews: 0,
        }
    );

    let again = import_bytes(&store, text.as_bytes(), t(31)).await.unwrap();
    assert!(
        matches!(again, ImportOutcome::AlreadyImported { bundle_id, .. } if bundle_id == first.bundle_id)
    );
    assert_eq!(store.counts().await.unwrap(), after_first);
}

async fn the_raw_envelope_is_kept_verbatim_and_hazard_levels_are_stored(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    // Pretty-printed on purpose: the ledger must keep the bytes it got, not its own rendering.
    let envelope: serde_json::Value = serde_json::from_str(&good_bundle()).unwrap();
    let text = serde_json::to_string_pretty(&envelope).unwrap();
    import_bytes(&store, text.as_bytes(), t(30)).await.unwrap();

    let stored: String = tdb.query_one("SELECT envelope FROM bundles").await;
    assert_eq!(stored, text);
    let level: String = tdb
        .query_one("SELECT level FROM findings WHERE item_id = 'fw-01'")
        .await;
    assert_eq!(level, "major");
    let site: String = tdb
        .query_one("SELECT name FROM sites WHERE credit_code = '91440300708461136T'")
        .await;
    assert_eq!(site, "某某烟花爆竹有限公司");
}

async fn an_unknown_key_is_rejected_with_how_to_enrol_and_nothing_is_stored(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let store = tdb.open().await;
    let before = store.counts().await.unwrap();
    let err = import_bytes(&store, good_bundle().as_bytes(), t(30))
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::UnknownKey { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("paicha-ledger keys add --from-bundle"),
        "{err}"
    );
    assert_eq!(err.http_status(), 403);
    assert_eq!(store.counts().await.unwrap(), before);
}

async fn a_revoked_key_is_rejected(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let key = phone.device_info().key_id;
    store
        .revoke(&key.as_str()[..16], "phone lost", t(1))
        .await
        .unwrap();
    let err = import_bytes(&store, good_bundle().as_bytes(), t(30))
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::RevokedKey { .. }), "{err:?}");
    assert!(err.to_string().contains("phone lost"), "{err}");
    assert_eq!(store.counts().await.unwrap().bundles, 0);
}

async fn a_tampered_bundle_is_rejected_even_from_an_enrolled_key(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let err = import_bytes(&store, tampered(&good_bundle()).as_bytes(), t(30))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ImportError::Verify(VerifyError::BadSignature(_))),
        "{err:?}"
    );
    assert_eq!(store.counts().await.unwrap().bundles, 0);
}

async fn a_second_bundle_with_a_used_sequence_is_stored_as_a_fork(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let original = phone.export_without_advancing(100, vec![phone.inspection(1)]);
    let rival = phone.export_without_advancing(200, vec![phone.inspection(2)]);

    let first = import_bytes(&store, original.to_json().as_bytes(), t(30))
        .await
        .unwrap();
    assert!(matches!(first, ImportOutcome::Imported(ref b) if !b.fork));
    let second = import_bytes(&store, rival.to_json().as_bytes(), t(31))
        .await
        .unwrap();
    let ImportOutcome::Imported(b) = second else {
        panic!("a fork is stored")
    };
    assert!(b.fork);
    assert_eq!(b.sequence, 1);

    let flagged: i64 = tdb
        .query_one("SELECT COUNT(*) FROM bundles WHERE is_fork = 1")
        .await;
    let total: i64 = tdb
        .query_one("SELECT COUNT(*) FROM bundles WHERE sequence = 1")
        .await;
    assert_eq!((flagged, total), (1, 2));
    assert_eq!(store.counts().await.unwrap().inspections, 2);
}

async fn a_reexported_inspection_is_linked_but_a_changed_one_is_refused(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let inspection = phone.inspection(1);
    let first = phone.export(100, vec![inspection.clone()]);
    let reexport = phone.export(101, vec![inspection.clone()]);
    import_bytes(&store, first.to_json().as_bytes(), t(30))
        .await
        .unwrap();
    let ImportOutcome::Imported(b) = import_bytes(&store, reexport.to_json().as_bytes(), t(31))
        .await
        .unwrap()
    else {
        panic!("the re-export is a new bundle");
    };
    assert_eq!((b.new_inspections, b.findings), (0, 0));
    let counts = store.counts().await.unwrap();
    assert_eq!(
        (counts.bundles, counts.inspections, counts.findings),
        (2, 1, 2)
    );

    let mut changed = inspection;
    changed.answers.get_mut("fw-01").unwrap().description = "改过的描述".into();
    let sneaky = phone.export(102, vec![changed]);
    let err = import_bytes(&store, sneaky.to_json().as_bytes(), t(32))
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::InspectionChanged(_)), "{err:?}");
    assert_eq!(err.http_status(), 409);
    assert_eq!(store.counts().await.unwrap(), counts);
}

async fn a_reused_bundle_id_with_other_content_is_refused(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let first = phone.export(100, vec![phone.inspection(1)]);
    let same_id = phone.export(100, vec![phone.inspection(2)]);
    import_bytes(&store, first.to_json().as_bytes(), t(30))
        .await
        .unwrap();
    let before = store.counts().await.unwrap();
    let err = import_bytes(&store, same_id.to_json().as_bytes(), t(31))
        .await
        .unwrap_err();
    assert!(matches!(err, ImportError::BundleIdReused(_)), "{err:?}");
    assert_eq!(store.counts().await.unwrap(), before);
}

#[tokio::test]
async fn enrolment_checks_that_the_public_key_matches_the_key_id() {
    use paicha_ledger::registry::EnrolError;
    use paicha_ledger::store::NewDevice;
    let a = Phone::new(7).device_info();
    let b = Phone::new(8).device_info();
    let err = NewDevice::from_parts(a.key_id.as_str(), &b.public_key, "张三", "1", "").unwrap_err();
    assert!(matches!(err, EnrolError::KeyMismatch { .. }), "{err:?}");
    let (device, _) =
        NewDevice::from_bundle(good_bundle().as_bytes(), "某县", Some(&a.key_id.short())).unwrap();
    assert_eq!(
        (device.key_id, device.inspector_name.as_str()),
        (a.key_id, "张三")
    );
    let err = NewDevice::from_bundle(good_bundle().as_bytes(), "", Some("0000 0000")).unwrap_err();
    assert!(matches!(err, EnrolError::UnexpectedKey { .. }), "{err:?}");
}

// ---------------------------------------------------------------- HTTP

async fn upload_imports_once_then_reports_already_imported(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let text = good_bundle();
    let (status, headers, body) = send(&s.app, post_bundle(text.clone())).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let body = json(&body);
    assert_eq!(body["status"], "imported");
    assert_eq!(body["bundle_id"], uuid::Uuid::from_u128(100).to_string());
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_strict_csp(&headers, "upload");

    let (status, _, body) = send(&s.app, post_bundle(text)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["status"], "already_imported");
}

async fn simultaneous_uploads_of_one_bundle_store_it_once(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let text = good_bundle();
    let (a, b) = tokio::join!(
        send(&s.app, post_bundle(text.clone())),
        send(&s.app, post_bundle(text))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED]);
}

async fn bad_uploads_get_a_4xx_with_a_reason(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let (status, _, body) = send(&s.app, post_bundle(tampered(&good_bundle()))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(&body);
    assert_eq!(body["code"], "bad_signature");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("signature does not verify"),
        "{body}"
    );

    let (status, _, body) = send(&s.app, post_bundle("{not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&body)["code"], "malformed_envelope");

    let mut other = Phone::new(9);
    let stranger = other.export(300, vec![other.inspection(9)]).to_json();
    let (status, _, body) = send(&s.app, post_bundle(stranger)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(json(&body)["code"], "unknown_key");
}

#[tokio::test]
async fn an_oversized_upload_is_413_with_json() {
    let s = server(Db::Sqlite, true).await.unwrap();
    let huge = vec![b' '; paicha_ledger::MAX_BUNDLE_BYTES + 1];
    let (status, headers, body) = send(&s.app, post_bundle(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(&body)["code"], "too_large");
    assert_strict_csp(&headers, "too large");
}

#[tokio::test]
async fn health_and_unknown_api_paths_answer_json() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let (status, _, body) = send(&s.app, get("/api/health")).await;
    assert_eq!(status, StatusCode::OK);
    let body = json(&body);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], paicha_ledger::VERSION);

    let (status, _, body) = send(&s.app, get("/api/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["code"], "not_found");
    let (status, _, _) = send(&s.app, get("/api/bundles")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn static_files_have_types_cache_headers_and_security_headers() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let cases = [
        ("/", "text/html; charset=utf-8", "no-cache"),
        ("/sw.js", "text/javascript; charset=utf-8", "no-cache"),
        (
            "/manifest.webmanifest",
            "application/manifest+json",
            "no-cache",
        ),
        (
            "/paicha-0123456789abcdef_bg.wasm",
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            "/paicha-0123456789abcdef.js",
            "text/javascript; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
        ("/style.css", "text/css; charset=utf-8", "no-cache"),
        ("/inspections/42", "text/html; charset=utf-8", "no-cache"), // SPA route
    ];
    for (path, content_type, cache) in cases {
        let (status, headers, _) = send(&s.app, get(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], content_type, "{path}");
        assert_eq!(headers[header::CACHE_CONTROL], cache, "{path}");
        assert_strict_csp(&headers, path);
    }
    let (status, headers, _) = send(&s.app, get("/missing.js")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_strict_csp(&headers, "/missing.js");
    let (status, headers, body) = send(&s.app, get("/api/health")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_strict_csp(&headers, "/api/health");
}

#[tokio::test]
async fn no_path_reaches_a_file_outside_the_app_directory() {
    let s = server(Db::Sqlite, false).await.unwrap();
    // dist/ sits in the test's directory: put a file beside it.
    std::fs::write(s.tdb.dir.path().join("secret.txt"), "the database password").unwrap();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/a/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
    ] {
        let (status, _, body) = send(&s.app, get(path)).await;
        assert!(!status.is_success(), "{path}: {status}");
        assert!(
            !String::from_utf8_lossy(&body).contains("password"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_wasm_goes_brotli_compressed_to_clients_that_accept_it() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let dist = s.tdb.dir.path().join("dist");
    let name = "paicha-0123456789abcdef_bg.wasm";
    std::fs::write(dist.join(format!("{name}.br")), b"brotli bytes").unwrap();
    let request = |encoding: &str| {
        Request::get(format!("/{name}"))
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, body) = send(&s.app, request("gzip, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(headers[header::VARY], "Accept-Encoding");
    assert_eq!(body, b"brotli bytes");
    let (_, headers, body) = send(&s.app, request("gzip")).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(headers[header::VARY], "Accept-Encoding");
    assert_eq!(body, b"\0asm\x01\0\0\0");
}

#[tokio::test]
async fn an_unchanged_file_is_revalidated_with_304() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let (_, headers, _) = send(&s.app, get("/sw.js")).await;
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    let request = Request::get("/sw.js")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&s.app, request).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
}

// ---------------------------------------------------------------- gaps and export

async fn gaps_finds_missing_sequences_and_forks(db: Db) {
    let Some(tdb) = TestDb::new(db) else { return };
    let mut phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let mut envelopes = Vec::new();
    for n in 1..=5u128 {
        envelopes.push(phone.export(100 + n, vec![phone.inspection(n)]));
    }
    // The phone is restored from a backup taken after bundle 4 and exports a different 5th.
    let mut restored = Phone::new(7);
    let fourth = verify_bundle(envelopes[3].to_json().as_bytes(), &EmbeddedKey).unwrap();
    restored.chain = paicha_core::bundle::ChainState {
        next_sequence: 5,
        previous_payload_sha256: fourth.payload_sha256,
    };
    let rival = restored.export(200, vec![restored.inspection(50)]);
    // Bundles 2 and 3 never arrive.
    for e in [&envelopes[0], &envelopes[3], &envelopes[4], &rival] {
        import_bytes(&store, e.to_json().as_bytes(), t(30))
            .await
            .unwrap();
    }

    let report = paicha_ledger::rules::analyse(store.chain_links().await.unwrap());
    let chain = &report[phone.device_info().key_id.as_str()];
    assert_eq!(chain.bundles, 4);
    assert_eq!(chain.highest_sequence, 5);
    assert_eq!(chain.missing, vec![2..=3]);
    assert_eq!(chain.notes.len(), 1, "{:?}", chain.notes);
    assert!(
        matches!(&chain.notes[0], ChainNote::Fork { sequence: 5, bundle_ids, .. } if bundle_ids.len() == 2)
    );
}

async fn the_hazard_ledger_lists_hazards_with_filters(db: Db) {
    use paicha_ledger::checklist_pack::ChecklistPack;
    use paicha_ledger::hazards::{CsvOptions, write_hazards_csv};
    use paicha_ledger::store::{HazardFilter, HazardLevel};

    let Some(tdb) = TestDb::new(db) else { return };
    let phone = Phone::new(7);
    let store = tdb.enrolled(&phone).await;
    let mut payload = phone.payload(100, vec![phone.inspection(1)]);
    payload
        .co_inspectors
        .push(paicha_core::Inspector::new("李四", "44030067890").unwrap());
    let envelope = paicha_core::bundle::sign_with(&phone.key, &payload.to_bytes());
    import_bytes(&store, envelope.to_json().as_bytes(), t(30))
        .await
        .unwrap();

    let mut pack = ChecklistPack::default();
    pack.insert(checklist());
    let export = |filter: HazardFilter, sector: Option<&'static str>| {
        let (store, pack) = (&store, &pack);
        async move {
            let options = CsvOptions {
                header: paicha_core::hazard_ledger::Header::Keys,
                excel: false,
                sector: sector.map(str::to_string),
            };
            let mut out = Vec::new();
            let n = write_hazards_csv(store, &filter, pack, &options, &mut out)
                .await
                .unwrap();
            (n, String::from_utf8(out).unwrap())
        }
    };

    let (n, csv) = export(HazardFilter::default(), None).await;
    assert_eq!(
        n, 1,
        "one major hazard; the compliant answer is not a hazard:\n{csv}"
    );
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(
        lines[0].starts_with("hazard_no,org_name,uscc,area_code,industry,check_date,inspectors")
    );
    let cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(cells[1], "某某烟花爆竹有限公司");
    assert_eq!(cells[3], "440300");
    assert_eq!(cells[4], "烟花爆竹");
    assert_eq!(cells[5], "2026-03-01");
    assert_eq!(cells[6], "张三、李四");
    assert_eq!(cells[7], "44030012345、44030067890");
    assert_eq!(cells[8], "仓库内超量储存烟花爆竹");
    assert_eq!(cells[9], "成品仓库超量储存约两倍");
    assert_eq!(cells[10], "重大隐患");
    // The one spelling of a basis, with the checklist's caveat about a paraphrase.
    assert_eq!(
        cells[11],
        "《中华人民共和国安全生产法》第一条〔转述，非法规原文，引用前请核对原文〕"
    );

    let only = |level| HazardFilter {
        level: Some(level),
        ..Default::default()
    };
    assert_eq!(export(only(HazardLevel::Major), None).await.0, 1);
    assert_eq!(export(only(HazardLevel::General), None).await.0, 0);
    let region = |code: &str| HazardFilter {
        area_prefix: Some(code.into()),
        ..Default::default()
    };
    assert_eq!(export(region("4403"), None).await.0, 1);
    assert_eq!(export(region("11"), None).await.0, 0);
    assert_eq!(
        export(HazardFilter::default(), Some("fireworks")).await.0,
        1
    );
    assert_eq!(
        export(HazardFilter::default(), Some("coal_mine")).await.0,
        0
    );
    let day = |d: u32| {
        paicha_ledger::hazards::day_start(chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap())
    };
    let window = |from, before| HazardFilter {
        started_from: Some(from),
        started_before: Some(before),
        ..Default::default()
    };
    assert_eq!(export(window(day(1), day(2)), None).await.0, 1);
    assert_eq!(export(window(day(2), day(3)), None).await.0, 0);
}

#[tokio::test]
async fn a_sqlite_url_creates_the_database_and_urls_never_show_passwords() {
    use paicha_ledger::store::{Location, Store, StoreError};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested dir/ledger #1.sqlite3");
    let url = format!("sqlite://{}", path.display())
        .replace(' ', "%20")
        .replace('#', "%23");
    let blobs = tempfile::tempdir().unwrap();
    let store = Store::open_with_blob_dir(&Location::Url(url), blobs.path())
        .await
        .unwrap();
    store
        .enrol(&Phone::new(7).new_device(), t(0))
        .await
        .unwrap();
    store.close().await;
    assert!(path.is_file(), "{} was created", path.display());

    let secret = Location::Url("postgres://u:secret@db.example/ledger".into());
    assert_eq!(secret.to_string(), "postgres://…@db.example/ledger");
    let err = Store::open(&Location::Url("mysql://u:secret@db/ledger".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
}

on_both_databases!(
    import_then_reimport_changes_nothing,
    the_raw_envelope_is_kept_verbatim_and_hazard_levels_are_stored,
    an_unknown_key_is_rejected_with_how_to_enrol_and_nothing_is_stored,
    a_revoked_key_is_rejected,
    a_tampered_bundle_is_rejected_even_from_an_enrolled_key,
    a_second_bundle_with_a_used_sequence_is_stored_as_a_fork,
    a_reexported_inspection_is_linked_but_a_changed_one_is_refused,
    a_reused_bundle_id_with_other_content_is_refused,
    upload_imports_once_then_reports_already_imported,
    simultaneous_uploads_of_one_bundle_store_it_once,
    bad_uploads_get_a_4xx_with_a_reason,
    gaps_finds_missing_sequences_and_forks,
    the_hazard_ledger_lists_hazards_with_filters,
);
