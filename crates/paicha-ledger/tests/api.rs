//! The bad-input list of the ledger issue, the test vectors, attachments, and the read
//! endpoints (`/api/checklists`, `/api/hazards`), through the HTTP router on both databases.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::http::*;
use common::*;
use paicha_core::wire::{ErrorBody, HazardsResponse, UploadResult};
use paicha_ledger::store::{Counts, NewDevice};
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn vector(path: &str) -> Vec<u8> {
    let file = repo().join("tests/vectors").join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Every row count that an import could change.
async fn snapshot(s: &Server) -> (Counts, i64, i64, i64) {
    (
        s.store.counts().await.unwrap(),
        s.tdb
            .query_one("SELECT COUNT(*) FROM bundle_inspections")
            .await,
        s.tdb.query_one("SELECT COUNT(*) FROM finding_photos").await,
        s.tdb
            .query_one("SELECT COUNT(*) FROM bundle_co_inspectors")
            .await,
    )
}

/// Posts `body` and checks status and code; the database must not change.
async fn rejected(s: &Server, body: impl Into<Body>, status: StatusCode, code: &str) -> String {
    let before = snapshot(s).await;
    let (got, _, bytes) = send(&s.app, post_bundle(body)).await;
    let answer = json(&bytes);
    assert_eq!(got, status, "{code}: {answer}");
    assert_eq!(answer["code"], code, "{answer}");
    let reason = answer["error"].as_str().unwrap_or_default().to_string();
    assert!(reason.len() > 10, "a reason for people: {answer}");
    assert_eq!(
        snapshot(s).await,
        before,
        "{code} left the database unchanged"
    );
    reason
}

/// The keys the negative vectors claim, enrolled so that each reaches the check it targets
/// (an unknown key would be refused before the signature is looked at).
async fn enrol_vector_keys(s: &Server) {
    s.store
        .enrol(&Phone::new(9).new_device(), t(0))
        .await
        .unwrap();
    let small_order: serde_json::Value =
        serde_json::from_slice(&vector("negative/small-order-key.json")).unwrap();
    let payload = paicha_core::dsse::b64_decode(small_order["payload"].as_str().unwrap()).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let key_id = small_order["signatures"][0]["keyid"].as_str().unwrap();
    let public_key = payload["device"]["public_key"].as_str().unwrap();
    // The ledger refuses to enrol such a key; one enrolled before it did (written straight to
    // the registry here) must still never verify a bundle.
    assert_eq!(
        NewDevice::from_parts(key_id, public_key, "测试", "1", "").unwrap_err(),
        paicha_ledger::registry::EnrolError::WeakKey
    );
    let device = NewDevice {
        key_id: paicha_core::KeyId::try_from(key_id.to_string()).unwrap(),
        public_key: public_key.to_string(),
        inspector_name: "测试".into(),
        cert_no: "1".into(),
        organisation: String::new(),
        account_id: None,
    };
    s.store.enrol(&device, t(0)).await.unwrap();
}

async fn every_negative_vector_is_refused_with_its_code(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    enrol_vector_keys(&s).await;
    let manifest: Vec<serde_json::Value> =
        serde_json::from_slice(&vector("negative/manifest.json")).unwrap();
    assert!(manifest.len() >= 10, "the negative vectors are there");
    for case in &manifest {
        let file = case["file"].as_str().unwrap();
        let code = case["error"].as_str().unwrap();
        let status = match code {
            "malformed_envelope" | "bad_encoding" | "signature_count" => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        rejected(&s, vector(&format!("negative/{file}")), status, code).await;
    }
}

async fn the_bad_input_list_gets_reasons_4xx_and_no_change(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let good = good_bundle();

    // Tampered payload and wrong signature.
    let reason = rejected(
        &s,
        tampered(&good),
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_signature",
    )
    .await;
    assert!(reason.contains("signature does not verify"), "{reason}");
    let mut envelope: serde_json::Value = serde_json::from_str(&good).unwrap();
    let other = paicha_core::bundle::sign_with(
        &Phone::new(7).key,
        b"a different message signed by the right key",
    );
    envelope["signatures"][0]["sig"] = other.signatures[0].sig.clone().into();
    rejected(
        &s,
        envelope.to_string(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_signature",
    )
    .await;

    // Unknown key; revoked key (below, after the replay and fork cases).
    let mut stranger = Phone::new(11);
    let reason = rejected(
        &s,
        stranger
            .export(300, vec![stranger.inspection(30)])
            .to_json(),
        StatusCode::FORBIDDEN,
        "unknown_key",
    )
    .await;
    // The phone's user is told what happens next, never an operator's command line.
    assert!(
        reason.contains("登记") && !reason.contains("paicha-ledger"),
        "{reason}"
    );

    // Malformed JSON, JSON that is not an envelope, a wrong payloadType.
    rejected(
        &s,
        "{not json",
        StatusCode::BAD_REQUEST,
        "malformed_envelope",
    )
    .await;
    rejected(
        &s,
        "[1, 2, 3]",
        StatusCode::BAD_REQUEST,
        "malformed_envelope",
    )
    .await;
    rejected(&s, "", StatusCode::BAD_REQUEST, "malformed_envelope").await;
    rejected(
        &s,
        vector("negative/swapped-payload-type.json"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong_payload_type",
    )
    .await;

    // A correctly signed payload that fails the schema.
    let phone = Phone::new(7);
    let mut payload: serde_json::Value =
        serde_json::from_slice(&phone.payload(100, vec![phone.inspection(1)]).to_bytes()).unwrap();
    payload["inspections"][0]["answers"]["fw-01"]["verdict"] = "maybe".into();
    let signed = paicha_core::bundle::sign_with(&phone.key, payload.to_string().as_bytes());
    let reason = rejected(
        &s,
        signed.to_json(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "schema",
    )
    .await;
    assert!(reason.contains("maybe"), "{reason}");

    // An oversized body never reaches the parser.
    let huge = vec![b' '; paicha_ledger::MAX_BUNDLE_BYTES + 1];
    rejected(&s, huge, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;

    // A bundle naming a photo it does not embed.
    rejected(
        &s,
        vector("negative/attachment-missing.json"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "attachment_missing",
    )
    .await;

    // Replay: the same bundle again is a 200 "already imported" that changes nothing.
    let (status, _, _) = send(&s.app, post_bundle(good.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    let before = snapshot(&s).await;
    let (status, _, bytes) = send(&s.app, post_bundle(good.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&bytes)["status"], "already_imported");
    assert_eq!(snapshot(&s).await, before);

    // Fork: another bundle with sequence 1 is stored beside the first, flagged, and the first
    // is left as it was (never overwritten).
    let original: String = s.tdb.query_one("SELECT envelope FROM bundles").await;
    let rival = phone.export_without_advancing(200, vec![phone.inspection(2)]);
    let (status, _, bytes) = send(&s.app, post_bundle(rival.to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(json(&bytes)["fork"], true);
    let first: String = s
        .tdb
        .query_one("SELECT envelope FROM bundles WHERE is_fork = 0")
        .await;
    assert_eq!(first, original);

    // Revoked key: nothing more from it, and what was stored stays.
    let key = phone.device_info().key_id;
    s.store
        .revoke(&key.as_str()[..16], "手机丢失", t(40))
        .await
        .unwrap();
    let mut next = Phone::new(7);
    next.chain.next_sequence = 2;
    next.chain.previous_payload_sha256 = paicha_core::sha256_hex(
        &paicha_core::dsse::b64_decode(
            serde_json::from_str::<serde_json::Value>(&good).unwrap()["payload"]
                .as_str()
                .unwrap(),
        )
        .unwrap(),
    );
    let reason = rejected(
        &s,
        next.export(400, vec![next.inspection(40)]).to_json(),
        StatusCode::FORBIDDEN,
        "revoked_key",
    )
    .await;
    assert!(reason.contains("手机丢失"), "{reason}");
}

async fn the_reference_vector_imports_with_its_photo(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let (status, _, bytes) = send(&s.app, post_bundle(vector("bundle-v1/envelope.json"))).await;
    assert_eq!(status, StatusCode::CREATED, "{}", json(&bytes));
    let expected: serde_json::Value =
        serde_json::from_slice(&vector("bundle-v1/expected.json")).unwrap();
    assert_eq!(json(&bytes)["payload_sha256"], expected["payload_sha256"]);
    assert_eq!(s.store.counts().await.unwrap().attachments, 1);
    let (media_type, size, data): (String, i64, String) = (
        s.tdb.query_one("SELECT media_type FROM attachments").await,
        s.tdb.query_one("SELECT size FROM attachments").await,
        s.tdb.query_one("SELECT data_base64 FROM attachments").await,
    );
    assert_eq!(media_type, "image/png");
    assert_eq!(size, 69);
    // The embedded photo went to the blob store; its row keeps no bytes.
    assert_eq!(data, "");
    let sha = expected["attachment_sha256"].as_str().unwrap();
    let held = s.store.blobs().get(sha).await.unwrap().unwrap();
    assert_eq!(held.as_ref(), vector("bundle-v1/photo.png").as_slice());
    assert!(s.store.incomplete_bundles().await.unwrap().is_empty());
    let photo: String = s
        .tdb
        .query_one("SELECT sha256 FROM finding_photos WHERE item_id = 'A-01'")
        .await;
    assert_eq!(photo, expected["attachment_sha256"].as_str().unwrap());
}

// ---------------------------------------------------------------- /api/hazards

async fn hazards_are_queried_with_filters_and_a_status(db: Db) {
    use paicha_core::reinspection::Escalation;
    let Some(s) = server(db, true).await else {
        return;
    };
    std::fs::create_dir_all(s.tdb.dir.path().join("dist/checklists")).unwrap();
    std::fs::write(
        s.tdb.dir.path().join("dist/checklists/test.toml"),
        CHECKLIST_TOML,
    )
    .unwrap();
    // Three hazards on 1 March (deadlines the 10th, 4th and 20th); on the 8th a re-inspection
    // verifies fw-01 and escalates fw-03.
    let mut phone = Phone::new(7);
    let original = phone.inspection_with_three_hazards(1);
    let first = phone.export(100, vec![original.clone()]);
    let re = phone.reinspection(
        2,
        &original,
        march_at(8),
        &[
            ("fw-01", Decision::Rectified),
            ("fw-03", Decision::Escalate(Escalation::PenaltyCase)),
        ],
    );
    let second = phone.export_with_photos(101, vec![re.clone()]);
    let (status, _, _) = send(&s.app, post_bundle(first.to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, bytes) = send(&s.app, post_bundle(second.to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    let answer: UploadResult = serde_json::from_slice(&bytes).unwrap();
    let UploadResult::Imported(imported) = answer else {
        panic!("imported: {answer:?}");
    };
    assert_eq!((imported.reviews, imported.unmatched_reviews), (2, 0));

    // A supervisor of Guangdong (the fixtures' credit codes are Shenzhen's, 4403).
    let (cookie, _, _) = signed_in(&s.store, "督查员", &["supervisor@44"]).await;
    let query = |q: &str| {
        let app = s.app.clone();
        let path = format!("/api/hazards{q}");
        let cookie = cookie.clone();
        async move {
            let (status, headers, bytes) = send(&app, get_as(&path, &cookie)).await;
            assert_eq!(headers[header::CACHE_CONTROL], "no-store");
            (status, json(&bytes))
        }
    };
    let (status, all) = query("?as_of=2026-03-08").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["count"], 3, "{all}");
    assert_eq!(all["truncated"], false);
    let major = &all["hazards"][0];
    assert_eq!(major["level"], "重大隐患");
    assert_eq!(major["item"], "仓库内超量储存烟花爆竹");
    assert_eq!(major["industry"], "烟花爆竹");
    assert_eq!(major["status"], "已验收销号", "{major}");
    assert_eq!(major["status_code"], "verified");
    assert_eq!(major["review_date"], "2026-03-08");
    assert_eq!(major["review_inspection_id"], re.id.to_string());
    assert_eq!(major["inspection_kind"], "专项检查");
    assert_eq!(major["inspectors"], "张三、李四");
    assert_eq!(major["site_address"], "测试市测试区工业路1号");
    assert_eq!(major["contact_phone"], "13800138000");
    assert_eq!(all["hazards"][1]["status"], "逾期未整改");
    assert_eq!(all["hazards"][1]["status_code"], "overdue");
    assert_eq!(all["hazards"][1]["deadline"], "2026-03-04");
    assert_eq!(all["hazards"][2]["status_code"], "escalated");
    assert_eq!(all["hazards"][2]["escalation"], "立案查处");
    // The answer is the wire type, rows in the one hazard-ledger column set.
    let typed: HazardsResponse = serde_json::from_value(all.clone()).unwrap();
    let major = &typed.hazards[0];
    assert_eq!(
        (major.measures.as_str(), major.responsible.as_str()),
        ("整改", "厂长")
    );
    assert_eq!(
        (major.funds_yuan.as_str(), major.suspension.as_str()),
        ("8000", "全部停产停业")
    );
    assert_eq!(major.plan_target, "消除隐患");
    assert_eq!(major.record_state, "已签章");
    assert_eq!(major.review_outcome, "已整改");
    assert_eq!(typed.hazards[1].suspension, "否", "a general hazard");
    assert_eq!(typed.count, 3);

    for (q, n) in [
        ("?level=major", 1),
        ("?level=general", 2),
        ("?as_of=2026-03-08&status=overdue", 1),
        ("?as_of=2026-03-02&status=overdue", 0),
        ("?as_of=2026-03-02&status=due_soon", 1),
        ("?as_of=2026-03-02&status=open", 0),
        ("?as_of=2026-03-08&status=overdue,escalated", 2),
        ("?as_of=2026-03-08&status=open,due_soon", 0),
        ("?status=verified", 1),
        ("?status=closed", 1),
        ("?status=escalated&level=major", 0),
        ("?region=4403", 3),
        ("?region=440", 3),
        ("?sector=fireworks", 3),
        ("?sector=coal_mine", 0),
        ("?from=2026-03-01&to=2026-03-01", 3),
        ("?from=2026-03-02", 0),
        ("?to=2026-02-28", 0),
        ("?limit=1", 1),
    ] {
        let (status, answer) = query(q).await;
        assert_eq!(status, StatusCode::OK, "{q}: {answer}");
        assert_eq!(answer["count"], n, "{q}: {answer}");
    }
    assert_eq!(query("?limit=1").await.1["truncated"], true);

    for q in [
        "?level=huge",
        "?status=done",
        "?status=overdue,done",
        "?as_of=tomorrow",
        "?region=4x",
        "?sector=space",
        "?from=yesterday",
        "?from=2026-03-05&to=2026-03-01",
        "?limit=0",
        "?colour=red",
    ] {
        let (status, answer) = query(q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {answer}");
        let error: ErrorBody = serde_json::from_value(answer).unwrap();
        assert_eq!(error.code, "bad_query", "{q}");
    }
    // An unknown parameter is named, with the ones there are: no library's wording.
    let error: ErrorBody = serde_json::from_value(query("?colour=red").await.1).unwrap();
    assert_eq!(
        error.message,
        "unknown query parameter \"colour\"; the parameters are region, sector, level, status, \
         as_of, from, to, limit"
    );
}

on_both_databases!(
    every_negative_vector_is_refused_with_its_code,
    the_bad_input_list_gets_reasons_4xx_and_no_change,
    the_reference_vector_imports_with_its_photo,
    hazards_are_queried_with_filters_and_a_status,
);

// ---------------------------------------------------------------- limits and unknown paths

#[tokio::test]
async fn no_api_path_is_answered_with_the_app() {
    let s = server(Db::Sqlite, false).await.unwrap();
    for path in [
        "/api",
        "/api/",
        "/api/nope",
        "/api/hazards/1",
        "/api/bundles.json",
    ] {
        let (status, headers, bytes) = send(&s.app, get(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{path}");
        let error: ErrorBody = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(error.code, "not_found", "{path}");
        assert!(error.message.contains(path), "{path}: {}", error.message);
    }
}

#[tokio::test]
async fn uploads_up_to_32_mib_are_read_and_larger_ones_get_413() {
    assert_eq!(paicha_ledger::MAX_BUNDLE_BYTES, 32 * 1024 * 1024);
    let s = server(Db::Sqlite, true).await.unwrap();
    // Exactly at the limit: read and judged (JSON whitespace around nothing: malformed).
    let at_limit = vec![b' '; paicha_ledger::MAX_BUNDLE_BYTES];
    let (status, _, bytes) = send(&s.app, post_bundle(at_limit)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: ErrorBody = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(error.code, "malformed_envelope");
    // One byte more: refused before it is read.
    let over = vec![b' '; paicha_ledger::MAX_BUNDLE_BYTES + 1];
    let (status, headers, bytes) = send(&s.app, post_bundle(over)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let error: ErrorBody = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(error.code, "too_large");
    assert_eq!(
        error.message,
        "the upload is larger than the limit of 33554432 bytes"
    );
}

// ---------------------------------------------------------------- /api/checklists

/// A trust root of one test key (seed `seed` repeated), and that key as a key file.
fn test_key(
    seed: u8,
) -> (
    paicha_core::signed_pack::KeyFile,
    paicha_core::signed_pack::KeyList,
) {
    let key = paicha_core::signed_pack::KeyFile::new([seed; 32], &format!("test key {seed}"), "");
    let list = paicha_core::signed_pack::KeyList {
        serial: 1,
        keys: vec![key.trusted()],
        issued_at: None,
    };
    (key, list)
}

/// The test checklist signed by key `seed` into `dir/pack.json`, with the trust root of key
/// `trusted` in `dir/trust-root.json`; returns the pack's bytes.
fn signed_pack_in(dir: &std::path::Path, seed: u8, trusted: u8) -> Vec<u8> {
    std::fs::create_dir_all(dir).unwrap();
    let (key, _) = test_key(seed);
    let (_, trust) = test_key(trusted);
    let file =
        paicha_ledger::packs::sign(vec![checklist()], &key, "测试发布机关", march_at(1), vec![]);
    let bytes = file.to_json();
    std::fs::write(dir.join("pack.json"), &bytes).unwrap();
    std::fs::write(dir.join("trust-root.json"), trust.to_json()).unwrap();
    bytes
}

#[tokio::test]
async fn the_signed_pack_is_served_with_an_etag() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let dir = s.tdb.dir.path().join("dist/checklists");
    let bytes = signed_pack_in(&dir, 3, 3);

    let (status, headers, body) = send(&s.app, get("/api/checklists")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(
        &body[..],
        bytes.as_slice(),
        "the signed file, byte for byte"
    );
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    // It opens as the app opens it: signature, then every content hash.
    let opened = paicha_core::signed_pack::open_sync(&body, &test_key(3).1).unwrap();
    assert_eq!(opened.pack.checklists[0].checklist, checklist());
    assert_eq!(opened.pack.issuer.as_deref(), Some("测试发布机关"));

    let revalidate = Request::get("/api/checklists")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&s.app, revalidate).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers[header::ETAG], etag.as_str());

    // A new pack is noticed without a restart and gets another ETag.
    std::fs::write(dir.join("pack.json"), {
        let mut f: paicha_core::signed_pack::SignedPackFile =
            serde_json::from_slice(&bytes).unwrap();
        f.key_statements.clear();
        let mut again = f.to_json();
        again.insert(again.len() - 1, b' ');
        again
    })
    .unwrap();
    let (status, headers, _) = send(&s.app, get("/api/checklists")).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers[header::ETAG], etag.as_str());
}

#[tokio::test]
async fn a_pack_the_app_would_refuse_is_never_served() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let dir = s.tdb.dir.path().join("dist/checklists");
    let good = signed_pack_in(&dir, 3, 3);
    let (status, headers, _) = send(&s.app, get("/api/checklists")).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[header::ETAG].to_str().unwrap().to_string();

    // Tampered while serving: the last good pack stays in service.
    // One character of the signed content changed (the issuer), the signature kept.
    let tampered = {
        let mut f: paicha_core::signed_pack::SignedPackFile =
            serde_json::from_slice(&good).unwrap();
        let payload = paicha_core::dsse::b64_decode(&f.envelope.payload).unwrap();
        let payload = String::from_utf8(payload)
            .unwrap()
            .replace("测试发布机关", "测试发布机构");
        f.envelope.payload = paicha_core::dsse::b64_encode(payload.as_bytes());
        String::from_utf8(f.to_json()).unwrap()
    };
    std::fs::write(dir.join("pack.json"), &tampered).unwrap();
    let (status, headers, body) = send(&s.app, get("/api/checklists")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::ETAG], etag.as_str());
    assert_eq!(&body[..], good.as_slice());

    // A fresh server with a bad pack refuses it, saying why: tampered, unsigned, or signed by
    // a key the app does not trust.
    let bare =
        paicha_core::pack::ChecklistPack::new(vec![checklist()], |_| String::new()).to_json();
    for (bytes, code) in [(tampered.into_bytes(), "bad_signature"), (bare, "unsigned")] {
        let fresh = tempfile::tempdir().unwrap();
        signed_pack_in(fresh.path(), 3, 3);
        std::fs::write(fresh.path().join("pack.json"), &bytes).unwrap();
        let state =
            paicha_ledger::server::AppState::new(s.store.clone(), &s.tdb.dir.path().join("dist"))
                .unwrap()
                .with_checklists(fresh.path(), fresh.path().join("trust-root.json"));
        let app = paicha_ledger::server::app(state);
        let (status, _, body) = send(&app, get("/api/checklists")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{code}");
        let error = json(&body);
        assert_eq!(error["code"], "checklist_pack_refused");
        let message = error["error"].as_str().unwrap();
        assert!(message.contains(&format!("[{code}]")), "{message}");
    }
    let foreign = tempfile::tempdir().unwrap();
    signed_pack_in(foreign.path(), 4, 3);
    let state =
        paicha_ledger::server::AppState::new(s.store.clone(), &s.tdb.dir.path().join("dist"))
            .unwrap()
            .with_checklists(foreign.path(), foreign.path().join("trust-root.json"));
    let (status, _, body) = send(&paicha_ledger::server::app(state), get("/api/checklists")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .contains("[untrusted_key]")
    );
}

#[tokio::test]
async fn the_repository_checklists_signed_with_the_development_key_are_all_served() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let files = std::fs::read_dir(repo().join("checklists"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .count();
    let dir = tempfile::tempdir().unwrap();
    let key = paicha_ledger::packs::read_key(&repo().join("checklists/keys/development.key.json"))
        .unwrap();
    let checklists = paicha_ledger::packs::load_for_publication(&[repo().join("checklists")])
        .unwrap_or_else(|p| panic!("{}", p.join("\n")));
    let file = paicha_ledger::packs::sign(checklists, &key, "省应急管理厅", march_at(1), vec![]);
    std::fs::write(dir.path().join("pack.json"), file.to_json()).unwrap();
    let state =
        paicha_ledger::server::AppState::new(s.store.clone(), &s.tdb.dir.path().join("dist"))
            .unwrap()
            .with_checklists(dir.path(), repo().join("checklists/keys/trust-root.json"));
    let app = paicha_ledger::server::app(state);
    let (status, _, bytes) = send(&app, get("/api/checklists")).await;
    assert_eq!(status, StatusCode::OK);
    let trust =
        paicha_ledger::packs::read_key_list(&repo().join("checklists/keys/trust-root.json"))
            .unwrap();
    let opened = paicha_core::signed_pack::open_sync(&bytes, &trust).unwrap();
    assert_eq!(opened.pack.checklists.len(), files, "every file is valid");
    let fireworks = opened
        .pack
        .checklists
        .iter()
        .find(|c| c.checklist.sector == "fireworks")
        .expect("a fireworks checklist");
    assert!(
        fireworks.search_key.contains("yhbz"),
        "pinyin initials of 烟花爆竹: {}",
        fireworks.search_key
    );
}

// ---------------------------------------------------------------- operations

/// A readiness check that always fails, as a blob store that cannot be reached would.
#[derive(Debug)]
struct Unreachable;

impl paicha_ledger::server::ReadinessCheck for Unreachable {
    fn name(&self) -> &str {
        "archive"
    }
    fn check(&self) -> paicha_ledger::server::ops::CheckFuture<'_> {
        Box::pin(async { Err("the blob store does not answer".to_string()) })
    }
}

#[tokio::test]
async fn healthz_readyz_and_metrics_answer_with_a_request_id() {
    use paicha_ledger::server::{AppState, app};
    let s = server(Db::Sqlite, false).await.unwrap();
    let (status, headers, bytes) = send(&s.app, get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&bytes)["status"], "ok");
    let id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    // The proxy's request id is kept and echoed.
    let request = axum::http::Request::get("/readyz")
        .header("x-request-id", "from-nginx-42")
        .body(Body::empty())
        .unwrap();
    let (status, headers, bytes) = send(&s.app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-request-id"], "from-nginx-42");
    let ready: paicha_core::wire::Readiness = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(ready.status, "ready");
    assert_eq!(ready.checks["database"], "ok");

    // A check of another store joins the list; when it fails, the instance is not ready.
    let dist = s.tdb.dir.path().join("dist");
    let state = AppState::new(s.store.clone(), &dist)
        .unwrap()
        .with_readiness_check(std::sync::Arc::new(Unreachable));
    let (status, headers, bytes) = send(&app(state), get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::RETRY_AFTER], "5");
    let ready: paicha_core::wire::Readiness = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(ready.status, "not_ready");
    assert_eq!(ready.checks["database"], "ok");
    assert_eq!(ready.checks["archive"], "the blob store does not answer");
    assert_eq!(
        ready.checks["blobs"], "ok",
        "the ledger's own blob store answers"
    );

    // An upload is counted by outcome (the recorder is process-wide: compare before/after).
    let uploads = |text: &str, outcome: &str| -> f64 {
        let prefix = format!("paicha_uploads_total{{outcome=\"{outcome}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or(0.0, |v| v.trim().parse().unwrap())
    };
    // A scraper on the same host, talking to the instance directly.
    let from =
        |addr: [u8; 4], forwarded: bool| {
            let mut request = get("/metrics");
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                std::net::SocketAddr::from((addr, 40000)),
            ));
            if forwarded {
                request
                    .headers_mut()
                    .insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
            }
            request
        };
    // Not for anyone else: another host, a request relayed by a proxy on this host, or one
    // with the wrong token (none is configured here).
    for (request, who) in [
        (from([10, 0, 0, 7], false), "another host"),
        (from([127, 0, 0, 1], true), "relayed by a local proxy"),
        (get("/metrics"), "no peer address"),
    ] {
        let (status, _, body) = send(&s.app, request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(json(&body)["code"], "metrics_forbidden", "{who}");
    }
    let mut guessed = from([10, 0, 0, 7], false);
    guessed
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer guess".parse().unwrap());
    assert_eq!(send(&s.app, guessed).await.0, StatusCode::FORBIDDEN);
    // With a token configured, a scraper elsewhere reads it with that token only.
    let mut with_token = AppState::new(s.store.clone(), &dist).unwrap();
    with_token.metrics_token = Some("s3cret-scrape-token".into());
    let scraper = app(with_token);
    let mut request = from([10, 0, 0, 7], false);
    request.headers_mut().insert(
        header::AUTHORIZATION,
        "Bearer s3cret-scrape-token".parse().unwrap(),
    );
    assert_eq!(send(&scraper, request).await.0, StatusCode::OK);
    let mut request = from([10, 0, 0, 7], false);
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
    assert_eq!(send(&scraper, request).await.0, StatusCode::FORBIDDEN);

    let (_, _, before) = send(&s.app, from([127, 0, 0, 1], false)).await;
    let before = String::from_utf8(before).unwrap();
    let (status, _, _) = send(&s.app, post_bundle("not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, headers, after) = send(&s.app, from([127, 0, 0, 1], false)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let after = String::from_utf8(after).unwrap();
    assert!(
        uploads(&after, "rejected") >= uploads(&before, "rejected") + 1.0,
        "{after}"
    );
    for name in [
        "paicha_db_pool_connections{state=\"max\"} 4",
        "paicha_imports_in_flight ",
        "paicha_http_requests_in_flight ",
        "paicha_import_duration_seconds_bucket",
    ] {
        assert!(after.contains(name), "{name} in:\n{after}");
    }
}

/// A client that sends half a body and stops: 408 after the body timeout, the connection
/// closed, nothing stored.
#[tokio::test]
async fn a_stalled_upload_gets_408_and_stores_nothing() {
    use paicha_ledger::server::{AppState, app};
    let s = server(Db::Sqlite, true).await.unwrap();
    let before = s.store.counts().await.unwrap();
    let dist = s.tdb.dir.path().join("dist");
    let state = AppState::new(s.store.clone(), &dist)
        .unwrap()
        .with_body_timeout(std::time::Duration::from_millis(200));
    let bundle = good_bundle().into_bytes();
    let half = axum::body::Bytes::from(bundle[..bundle.len() / 2].to_vec());
    let stalled = futures_stream(half);
    let started = std::time::Instant::now();
    let (status, headers, bytes) = send(&app(state), post_bundle(Body::from_stream(stalled))).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(headers[header::CONNECTION], "close");
    let error: ErrorBody = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(error.code, "body_timeout");
    assert!(error.message.contains("stalled"), "{}", error.message);
    assert_eq!(s.store.counts().await.unwrap(), before);
}

/// One chunk, then nothing, ever: a client that hangs half-way through its upload.
struct OnceThenPending(Option<axum::body::Bytes>);

fn futures_stream(first: axum::body::Bytes) -> OnceThenPending {
    OnceThenPending(Some(first))
}

impl futures_core::Stream for OnceThenPending {
    type Item = Result<axum::body::Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match self.0.take() {
            Some(bytes) => std::task::Poll::Ready(Some(Ok(bytes))),
            None => std::task::Poll::Pending,
        }
    }
}
