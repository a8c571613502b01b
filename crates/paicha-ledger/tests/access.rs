//! Who may see and do what (the access issue), through the HTTP router on both databases: the
//! bad-input table (each a clear 401/403/400/404/410, nothing leaked, the attempt audited),
//! scoped reads, signed device requests, and the audit trail's hash chain.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::http::*;
use common::*;
use ed25519_dalek::{Signer, SigningKey};
use paicha_core::httpsig::{content_digest, device_params, signature_base, signature_headers};
use paicha_core::wire::{DeviceState, DeviceStatus, ErrorBody};
use paicha_ledger::access::{random_token, token_hash};
use paicha_ledger::store::audit::{ChainBreak, verify_chain};
use paicha_ledger::store::{AuditEntry, Outcome};

/// Rows of the audit trail refusing something.
async fn denials(s: &Server) -> i64 {
    s.tdb
        .query_one("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied'")
        .await
}

/// Sends `request`; the status and error code must be these, and the refusal audited.
async fn refused(s: &Server, request: Request<Body>, status: StatusCode, code: &str) -> ErrorBody {
    let before = denials(s).await;
    let what = format!("{} {}", request.method(), request.uri());
    let (got, _, bytes) = send(&s.app, request).await;
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{what}: not an error body ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(got, status, "{what}: {body:?}");
    assert_eq!(body.code, code, "{what}: {body:?}");
    assert!(body.message.len() > 10, "{what}: a reason for people");
    assert!(
        !body.message.contains("测试公司") && !body.message.contains("13800138000"),
        "{what}: no stored data in a refusal: {body:?}"
    );
    assert!(
        denials(s).await > before,
        "{what}: the refusal is in the audit trail"
    );
    body
}

/// A device request signed with `key` for `uri` (the test server's origin plus a path), with
/// `body` and a fresh nonce, `created` seconds from now.
fn signed_request(
    key: &SigningKey,
    method: &str,
    path: &str,
    body: &[u8],
    created_offset: i64,
    nonce: &str,
) -> Request<Body> {
    let uri = format!("{ORIGIN}{path}");
    let key_id = paicha_core::KeyId::from_public_key(&key.verifying_key().to_bytes()).to_string();
    let created = chrono::Utc::now().timestamp() + created_offset;
    let params = device_params(!body.is_empty(), created, nonce, &key_id);
    let digest = content_digest(body);
    let headers: Vec<(&str, &str)> = if body.is_empty() {
        vec![]
    } else {
        vec![("content-digest", digest.as_str())]
    };
    let message = paicha_core::httpsig::Request {
        method,
        target_uri: &uri,
        headers: &headers,
    };
    let base = signature_base(&message, &params).unwrap();
    let (input, signature) = signature_headers(&params, &key.sign(base.as_bytes()).to_bytes());
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("signature-input", input)
        .header("signature", signature);
    if !body.is_empty() {
        builder = builder
            .header("content-digest", digest)
            .header(header::CONTENT_TYPE, "application/json");
    }
    builder.body(Body::from(body.to_vec())).unwrap()
}

/// The shipped test phone (seed 7) as a signing key.
fn phone_key() -> SigningKey {
    Phone::new(7).key
}

async fn nobody_reads_the_ledger_without_an_identity(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let hazards = "/api/hazards";
    refused(&s, get(hazards), StatusCode::UNAUTHORIZED, "signed_out").await;
    refused(
        &s,
        get_as(hazards, "paicha_session=forged-token-that-was-never-issued"),
        StatusCode::UNAUTHORIZED,
        "signed_out",
    )
    .await;
    // Idle too long: the session ends.
    let (cookie, _, _) = signed_in(&s.store, "督查员", &["supervisor@44"]).await;
    s.tdb
        .execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00.000000Z'")
        .await;
    refused(
        &s,
        get_as(hazards, &cookie),
        StatusCode::UNAUTHORIZED,
        "session_expired",
    )
    .await;
    refused(
        &s,
        get_as(hazards, &cookie),
        StatusCode::UNAUTHORIZED,
        "signed_out",
    )
    .await;
    // Disabled: at once, whatever the session.
    let (cookie, _, id) = signed_in(&s.store, "督查员二", &["supervisor@44"]).await;
    let (status, _, _) = send(&s.app, get_as(hazards, &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let entry = AuditEntry::new("test", "account_disabled", Outcome::Ok);
    let now = chrono::Utc::now();
    s.store
        .set_account_disabled(&id, Some(now), &entry, now)
        .await
        .unwrap();
    refused(
        &s,
        get_as(hazards, &cookie),
        StatusCode::UNAUTHORIZED,
        "signed_out",
    )
    .await;
    refused(
        &s,
        get(paicha_core::wire::ME_PATH),
        StatusCode::UNAUTHORIZED,
        "signed_out",
    )
    .await;
}

async fn each_person_reads_only_their_regions(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let mut phone = Phone::new(7);
    let envelope = phone.export(100, vec![phone.inspection_with_three_hazards(1)]);
    let (status, _, _) = send(&s.app, post_bundle(envelope.to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    // The fixtures' enterprise is registered in Shenzhen (4403).
    let (inside, _, _) = signed_in(&s.store, "深圳督查", &["supervisor@4403"]).await;
    let (outside, _, _) = signed_in(&s.store, "河北督查", &["supervisor@13"]).await;
    let (inspector, _, _) = signed_in(&s.store, "检查员", &["inspector@4403"]).await;
    let count = |cookie: String, q: &'static str| {
        let app = s.app.clone();
        async move {
            let (status, _, bytes) = send(&app, get_as(&format!("/api/hazards{q}"), &cookie)).await;
            (status, json(&bytes))
        }
    };
    let (status, all) = count(inside.clone(), "").await;
    assert_eq!((status, all["count"].clone()), (StatusCode::OK, 3.into()));
    let (status, none) = count(outside.clone(), "").await;
    assert_eq!(
        (status, none["count"].clone()),
        (StatusCode::OK, 0.into()),
        "{none}"
    );
    assert!(
        !none.to_string().contains("测试"),
        "nothing of another region"
    );
    // Asking for another region is refused, not answered empty.
    refused(
        &s,
        get_as("/api/hazards?region=4403", &outside),
        StatusCode::FORBIDDEN,
        "outside_region",
    )
    .await;
    // A wider region than one's own is narrowed to it.
    let (status, wide) = count(inside.clone(), "?region=44").await;
    assert_eq!((status, wide["count"].clone()), (StatusCode::OK, 3.into()));
    // An inspector's role uploads; it does not read the ledger.
    let (status, _, bytes) = send(&s.app, get_as("/api/hazards", &inspector)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    // Who am I: roles, regions, the CSRF token.
    let (status, _, bytes) = send(&s.app, get_as(paicha_core::wire::ME_PATH, &inside)).await;
    assert_eq!(status, StatusCode::OK);
    let me: paicha_core::wire::Me = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(me.reads, ["4403"]);
    assert_eq!(me.grants[0].role, "supervisor");
}

async fn state_changes_need_the_ledgers_origin_and_the_csrf_token(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let (cookie, csrf, _) = signed_in(&s.store, "督查员", &["supervisor@44"]).await;
    let sign_out = |origin: Option<&str>, token: Option<&str>| {
        let mut builder = Request::delete("/api/session").header(header::COOKIE, cookie.as_str());
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        if let Some(token) = token {
            builder = builder.header("x-csrf-token", token);
        }
        builder.body(Body::empty()).unwrap()
    };
    refused(
        &s,
        sign_out(Some("https://evil.example"), Some(&csrf)),
        StatusCode::FORBIDDEN,
        "cross_site",
    )
    .await;
    refused(
        &s,
        sign_out(None, Some(&csrf)),
        StatusCode::FORBIDDEN,
        "cross_site",
    )
    .await;
    refused(
        &s,
        sign_out(Some(ORIGIN), None),
        StatusCode::FORBIDDEN,
        "cross_site",
    )
    .await;
    refused(
        &s,
        sign_out(Some(ORIGIN), Some("wrong")),
        StatusCode::FORBIDDEN,
        "cross_site",
    )
    .await;
    // The session survived all of that; signing out properly ends it.
    let (status, _, _) = send(&s.app, get_as("/api/hazards", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, _) = send(&s.app, sign_out(Some(ORIGIN), Some(&csrf))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    refused(
        &s,
        get_as("/api/hazards", &cookie),
        StatusCode::UNAUTHORIZED,
        "signed_out",
    )
    .await;
    // Starting a sign-in from another site is refused too.
    let cross = Request::post("/api/session/options")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .unwrap();
    refused(&s, cross, StatusCode::FORBIDDEN, "cross_site").await;
    // The console signs out with a plain form. Browsers send a form POST's real `Origin` only
    // under a referrer policy that keeps it for same-origin requests; under `no-referrer` they
    // send `Origin: null` and signing out was refused as cross-site (tests/e2e/console.test.mjs).
    let page = Request::get("/console/sign-in")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = send(&s.app, page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
}

async fn enrolment_links_work_once_and_not_after_they_expire(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let (_, _, account) = signed_in(&s.store, "新督查", &["supervisor@44"]).await;
    let now = chrono::Utc::now();
    let audit = AuditEntry::new("test", "enrolment_link_created", Outcome::Ok);
    let link = |token: &str| {
        Request::post(format!("/api/enrolment/{token}/options"))
            .header(header::ORIGIN, ORIGIN)
            .body(Body::empty())
            .unwrap()
    };
    // A valid link gives the browser its WebAuthn options and a ceremony cookie.
    let fresh = random_token();
    s.store
        .create_enrolment_link(
            &token_hash(&fresh),
            &account,
            now,
            now + chrono::Duration::hours(1),
            &audit,
        )
        .await
        .unwrap();
    let (status, headers, bytes) = send(&s.app, link(&fresh)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let options = json(&bytes);
    assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("HttpOnly; SameSite=Strict")
    );
    // Spent (as a registration would spend it), expired, unknown, or hostile text.
    s.tdb
        .execute("UPDATE enrolment_links SET used_at = '2026-01-01T00:00:00.000000Z'")
        .await;
    refused(&s, link(&fresh), StatusCode::GONE, "link_used").await;
    let old = random_token();
    s.store
        .create_enrolment_link(
            &token_hash(&old),
            &account,
            now - chrono::Duration::hours(2),
            now - chrono::Duration::hours(1),
            &audit,
        )
        .await
        .unwrap();
    refused(&s, link(&old), StatusCode::GONE, "link_expired").await;
    refused(
        &s,
        link("never-issued"),
        StatusCode::NOT_FOUND,
        "unknown_link",
    )
    .await;
    refused(
        &s,
        link("'%20OR%201=1--"),
        StatusCode::NOT_FOUND,
        "unknown_link",
    )
    .await;
    refused(
        &s,
        link("..%2F..%2Fetc%2Fpasswd"),
        StatusCode::NOT_FOUND,
        "unknown_link",
    )
    .await;
    // The console's page for such a link says so, without a form.
    let (status, _, bytes) = send(&s.app, get("/console/enrol/never-issued")).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(bytes).unwrap();
    assert!(page.contains("登记链接无效") && !page.contains("data-action=\"register\""));
}

async fn device_requests_are_refused_unless_signed_now_by_a_usable_key(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let key = phone_key();
    // The enrolled phone (seed 7), signing correctly: its status.
    let (status, _, bytes) = send(
        &s.app,
        signed_request(&key, "GET", "/api/device", b"", 0, "nonce-0000000001"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let device: DeviceStatus = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(device.state, DeviceState::Enrolled);
    // The same request again: a replay.
    refused(
        &s,
        signed_request(&key, "GET", "/api/device", b"", 0, "nonce-0000000001"),
        StatusCode::UNAUTHORIZED,
        "replayed",
    )
    .await;
    // Unsigned, expired, from the future, for another URL.
    refused(
        &s,
        get("/api/device"),
        StatusCode::UNAUTHORIZED,
        "bad_signature",
    )
    .await;
    refused(
        &s,
        signed_request(&key, "GET", "/api/device", b"", -3600, "nonce-0000000002"),
        StatusCode::UNAUTHORIZED,
        "signature_expired",
    )
    .await;
    refused(
        &s,
        signed_request(&key, "GET", "/api/device", b"", 3600, "nonce-0000000003"),
        StatusCode::UNAUTHORIZED,
        "signature_expired",
    )
    .await;
    let mut moved = signed_request(&key, "GET", "/api/device?x=1", b"", 0, "nonce-0000000004");
    *moved.uri_mut() = "/api/device".parse().unwrap();
    refused(&s, moved, StatusCode::UNAUTHORIZED, "bad_signature").await;
    // A key the ledger does not know.
    let stranger = SigningKey::from_bytes(&[42; 32]);
    refused(
        &s,
        signed_request(&stranger, "GET", "/api/device", b"", 0, "nonce-0000000005"),
        StatusCode::FORBIDDEN,
        "unknown_key",
    )
    .await;
    // Its account disabled: refused like a revoked key; and its uploads too.
    let (_, _, account) = signed_in(&s.store, "检查员", &["inspector@4403"]).await;
    let now = chrono::Utc::now();
    let entry = AuditEntry::new("test", "device_bound", Outcome::Ok);
    let key_id = Phone::new(7).new_device().key_id;
    s.store
        .bind_device(key_id.as_str(), &account, &entry, now)
        .await
        .unwrap();
    let entry = AuditEntry::new("test", "account_disabled", Outcome::Ok);
    s.store
        .set_account_disabled(&account, Some(now), &entry, now)
        .await
        .unwrap();
    refused(
        &s,
        signed_request(&key, "GET", "/api/device", b"", 0, "nonce-0000000006"),
        StatusCode::FORBIDDEN,
        "revoked_key",
    )
    .await;
    let mut phone = Phone::new(7);
    let envelope = phone.export(100, vec![phone.inspection(1)]);
    let before = s.store.counts().await.unwrap();
    let (status, _, bytes) = send(&s.app, post_bundle(envelope.to_json())).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(json(&bytes)["code"], "revoked_key");
    assert_eq!(s.store.counts().await.unwrap(), before, "nothing stored");
    // Revoked outright.
    let entry = AuditEntry::new("test", "account_enabled", Outcome::Ok);
    s.store
        .set_account_disabled(&account, None, &entry, now)
        .await
        .unwrap();
    s.store
        .revoke(&key_id.as_str()[..16], "lost phone", now)
        .await
        .unwrap();
    refused(
        &s,
        signed_request(&key, "GET", "/api/device", b"", 0, "nonce-0000000007"),
        StatusCode::FORBIDDEN,
        "revoked_key",
    )
    .await;
}

async fn a_phone_asks_to_be_enrolled_with_a_request_signed_by_its_key(db: Db) {
    let Some(s) = server(db, false).await else {
        return;
    };
    let key = SigningKey::from_bytes(&[9; 32]);
    let body = serde_json::json!({
        "public_key": paicha_core::dsse::b64_encode(&key.verifying_key().to_bytes()),
        "inspector_name": "王五",
        "cert_no": "13010200001",
        "organisation": "长安区应急管理局",
        "region": "130102",
    })
    .to_string();
    let path = paicha_core::wire::DEVICE_ENROLMENT_PATH;
    let (status, _, bytes) = send(
        &s.app,
        signed_request(&key, "POST", path, body.as_bytes(), 0, "nonce-1000000001"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let asked: DeviceStatus = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(asked.state, DeviceState::Pending);
    assert_eq!(asked.short_code.len(), 6);
    // Asking again keeps the code the phone shows.
    let (_, _, bytes) = send(
        &s.app,
        signed_request(&key, "POST", path, body.as_bytes(), 0, "nonce-1000000002"),
    )
    .await;
    let again: DeviceStatus = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(again.short_code, asked.short_code);
    // Once asked, the key is known: GET /api/device says it waits, with the same code.
    let (status, _, bytes) = send(
        &s.app,
        signed_request(&key, "GET", "/api/device", b"", 0, "nonce-1000000006"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let standing: DeviceStatus = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(standing.state, DeviceState::Pending);
    assert_eq!(standing.short_code, asked.short_code);
    // A body changed after signing, or signed by another key than it names: refused.
    let mut swapped = signed_request(&key, "POST", path, body.as_bytes(), 0, "nonce-1000000003");
    *swapped.body_mut() = Body::from(body.replace("王五", "赵六"));
    refused(&s, swapped, StatusCode::UNAUTHORIZED, "bad_signature").await;
    let other = SigningKey::from_bytes(&[10; 32]);
    refused(
        &s,
        signed_request(&other, "POST", path, body.as_bytes(), 0, "nonce-1000000004"),
        StatusCode::UNAUTHORIZED,
        "bad_signature",
    )
    .await;
    // Malformed: a clear 400, nothing stored.
    let bad = signed_request(
        &key,
        "POST",
        path,
        b"{\"public_key\": \"'; DROP TABLE devices;--\"}",
        0,
        "nonce-1000000005",
    );
    let (status, _, bytes) = send(&s.app, bad).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let waiting: i64 = s
        .tdb
        .query_one("SELECT COUNT(*) FROM device_requests")
        .await;
    assert_eq!(waiting, 1);
}

async fn hostile_text_in_every_parameter_gets_a_clear_400(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let (cookie, _, _) = signed_in(&s.store, "督查员", &["supervisor@44"]).await;
    for q in [
        "?region='%20OR%20'1'='1",
        "?region=44;DROP%20TABLE%20findings",
        "?sector=..%2F..%2Fetc%2Fpasswd",
        "?level=major'--",
        "?status=overdue%00",
        "?as_of=2026-03-01'%20OR%201=1",
        "?from=..%2F..",
        "?limit=1;DELETE",
    ] {
        let (status, _, bytes) = send(&s.app, get_as(&format!("/api/hazards{q}"), &cookie)).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{q}: {}",
            String::from_utf8_lossy(&bytes)
        );
        let error: ErrorBody = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(error.code, "bad_query", "{q}");
    }
    let findings: i64 = s.tdb.query_one("SELECT COUNT(*) FROM regions").await;
    assert!(findings > 2000, "the region table is intact");
}

/// Appends `n` rows to the audit trail.
async fn some_history(s: &Server, n: usize) {
    for i in 0..n {
        let entry =
            AuditEntry::new("cli", "account_created", Outcome::Ok).target(format!("account-{i}"));
        s.store.audit(&entry, chrono::Utc::now()).await.unwrap();
    }
}

async fn the_audit_trail_shows_an_edited_or_deleted_row(db: Db) {
    let Some(s) = server(db, false).await else {
        return;
    };
    some_history(&s, 5).await;
    let check = || async {
        let rows = s.store.audit_all().await.unwrap();
        let (seq, hash) = s.store.audit_head().await.unwrap();
        verify_chain(&rows, (seq, &hash))
    };
    assert_eq!(check().await, Ok(5));
    // Edited: the row's hash no longer matches.
    s.tdb
        .execute("UPDATE audit_log SET target = 'someone-else' WHERE seq = 3")
        .await;
    assert_eq!(check().await, Err(ChainBreak::Edited(3)));
    s.tdb
        .execute("UPDATE audit_log SET target = 'account-2' WHERE seq = 3")
        .await;
    assert_eq!(check().await, Ok(5), "restored");
    // Re-hashed after an edit: the next row's link breaks instead.
    s.tdb
        .execute("UPDATE audit_log SET prev_hash = hash WHERE seq = 4")
        .await;
    assert!(matches!(
        check().await,
        Err(ChainBreak::Edited(4) | ChainBreak::Relinked(4))
    ));
    // Deleted in the middle, and at the end.
    let fresh = server(db, false).await.unwrap();
    some_history(&fresh, 5).await;
    fresh
        .tdb
        .execute("DELETE FROM audit_log WHERE seq = 2")
        .await;
    let rows = fresh.store.audit_all().await.unwrap();
    let (seq, hash) = fresh.store.audit_head().await.unwrap();
    assert!(matches!(
        verify_chain(&rows, (seq, &hash)),
        Err(ChainBreak::Missing { seq: 2, .. })
    ));
    let last = server(db, false).await.unwrap();
    some_history(&last, 5).await;
    last.tdb
        .execute("DELETE FROM audit_log WHERE seq = 5")
        .await;
    let rows = last.store.audit_all().await.unwrap();
    let (seq, hash) = last.store.audit_head().await.unwrap();
    assert_eq!(
        verify_chain(&rows, (seq, &hash)),
        Err(ChainBreak::Truncated { last: 4, head: 5 })
    );
}

/// Revokes the test phone's key, then a request to `path` signed by it is refused (403).
async fn refused_once_revoked(s: &Server, key_id: &str, path: &str, nonce: &str) {
    s.store
        .revoke(key_id, "手机丢失", chrono::Utc::now())
        .await
        .unwrap();
    let request = signed_request(&phone_key(), "GET", path, b"", 0, nonce);
    refused(s, request, StatusCode::FORBIDDEN, "revoked_key").await;
}

/// GET /api/device/assignments signed by the test phone, as its typed answer.
async fn assigned(s: &Server, nonce: &str) -> paicha_core::wire::AssignmentsResponse {
    let request = signed_request(
        &phone_key(),
        "GET",
        paicha_core::wire::DEVICE_ASSIGNMENTS_PATH,
        b"",
        0,
        nonce,
    );
    let (status, _, bytes) = send(&s.app, request).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).unwrap()
}

async fn a_device_reads_the_hazards_assigned_to_its_person_or_township(db: Db) {
    use paicha_core::lists::Assignee;
    use paicha_ledger::store::lists::{Assignment, HazardKey};
    let Some(s) = server(db, true).await else {
        return;
    };
    let mut phone = Phone::new(7);
    let envelope = phone.export(100, vec![phone.inspection_with_three_hazards(1)]);
    let (status, _, _) = send(&s.app, post_bundle(envelope.to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    // Not bound to an account: nothing is assigned to it.
    assert!(
        assigned(&s, "nonce-assign-0001")
            .await
            .assignments
            .is_empty()
    );
    let (_, _, inspector) = signed_in(&s.store, "张三", &["inspector@4403"]).await;
    let key_id = phone.device_info().key_id;
    let bind = AuditEntry::new("test", "device_bound", Outcome::Ok);
    s.store
        .bind_device(key_id.as_str(), &inspector, &bind, chrono::Utc::now())
        .await
        .unwrap();
    let inspection = uuid::Uuid::from_u128(1).to_string();
    let assign = |item: &str, assignee: Assignee, name: &str| Assignment {
        id: uuid::Uuid::new_v4().to_string(),
        hazard: HazardKey {
            inspection_id: inspection.clone(),
            item_id: item.to_string(),
        },
        region_code: "4403".into(),
        assignee,
        assignee_name: name.into(),
        deadline: chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap(),
        note: "请复查".into(),
        assigned_by: "supervisor".into(),
        assigned_at: chrono::Utc::now(),
        superseded_at: None,
    };
    let audit = AuditEntry::new("test", "hazard_assigned", Outcome::Ok);
    let township = paicha_core::region::RegionCode::parse("440300001").unwrap();
    for assignment in [
        assign(
            "fw-01",
            Assignee::Inspector(inspector.clone()),
            "检查员 张三",
        ),
        assign(
            "fw-02",
            Assignee::Inspector("someone-else".into()),
            "检查员 李四",
        ),
        assign("fw-03", Assignee::Township(township.clone()), "乡镇 某街道"),
    ] {
        s.store.assign(&assignment, &audit).await.unwrap();
    }
    // Its person's hazard only: not another inspector's, not a township it does not work in
    // (a city-wide inspector role is not the township's staff).
    let answer = assigned(&s, "nonce-assign-0002").await;
    let items: Vec<&str> = answer
        .assignments
        .iter()
        .map(|a| a.item_id.as_str())
        .collect();
    assert_eq!(items, ["fw-01"]);
    let first = &answer.assignments[0];
    assert_eq!(
        (first.assigned_to.as_str(), first.note.as_str()),
        ("检查员 张三", "请复查")
    );
    assert_eq!(first.hazard.hazard_no, first.hazard_no);
    assert_eq!(
        first.hazard.description, "fw-01 隐患",
        "the hazard as the ledger shows it"
    );
    // Working in the township too: its assignment arrives.
    let grant = paicha_ledger::access::parse_grant("township@440300001").unwrap();
    let granted = AuditEntry::new("test", "role_granted", Outcome::Ok);
    s.store
        .set_grant(&inspector, &grant, true, &granted, chrono::Utc::now())
        .await
        .unwrap();
    let answer = assigned(&s, "nonce-assign-0003").await;
    let mut items: Vec<&str> = answer
        .assignments
        .iter()
        .map(|a| a.item_id.as_str())
        .collect();
    items.sort();
    assert_eq!(items, ["fw-01", "fw-03"]);
    // Unsigned: refused; a revoked key: refused.
    refused(
        &s,
        get(paicha_core::wire::DEVICE_ASSIGNMENTS_PATH),
        StatusCode::UNAUTHORIZED,
        "bad_signature",
    )
    .await;
    refused_once_revoked(
        &s,
        key_id.as_str(),
        paicha_core::wire::DEVICE_ASSIGNMENTS_PATH,
        "nonce-assign-0004",
    )
    .await;
}

/// GET /api/device/pull signed by the test phone, as its typed answer.
async fn pulled(
    s: &Server,
    after: &str,
    limit: usize,
    nonce: &str,
) -> paicha_core::wire::PullResponse {
    let path = paicha_core::wire::PullQuery {
        after: after.to_string(),
        limit: Some(limit),
    }
    .path();
    let request = signed_request(&phone_key(), "GET", &path, b"", 0, nonce);
    let (status, _, bytes) = send(&s.app, request).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).unwrap()
}

/// The items pulled of inspection 1 (the one with three hazards).
fn items(answer: &paicha_core::wire::PullResponse) -> Vec<String> {
    let one = uuid::Uuid::from_u128(1).to_string();
    let mut items: Vec<String> = answer
        .hazards
        .iter()
        .filter(|h| h.inspection_id == one)
        .map(|h| h.item_id.clone())
        .collect();
    items.sort();
    items
}

/// Every row as if it had changed long ago (time passing, without waiting for it).
async fn age(s: &Server) {
    s.tdb
        .execute("UPDATE hazard_state SET changed_at = '2026-01-01T00:00:00.000000Z'")
        .await;
}

async fn a_device_pulls_what_changed_in_its_regions_and_nothing_twice(db: Db) {
    use paicha_core::lists::Assignee;
    use paicha_ledger::store::lists::{Assignment, HazardKey};
    let Some(s) = server(db, true).await else {
        return;
    };
    let mut phone = Phone::new(7);
    // Hazards with a photo (inspection 0x51), then three without and one elsewhere.
    let (with_photo, photographed) = bundle_with_photo(&mut phone);
    let (status, _, body) = send(&s.app, post_bundle(with_photo.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    // Version 2: the envelope names the photos; the device sends each one after it.
    let (review, fake) = (
        paicha_core::sha256_hex(REVIEW_PHOTO),
        paicha_core::sha256_hex(NOT_A_PHOTO),
    );
    assert_eq!(
        json(&body)["missing_blobs"],
        serde_json::json!([review, fake])
    );
    let put = |bytes: &[u8], nonce: &str| {
        let path = paicha_core::wire::blob_path(&paicha_core::sha256_hex(bytes));
        signed_request(&phone_key(), "PUT", &path, bytes, 0, nonce)
    };
    // Unsigned: refused. Bytes under another file's name: refused, nothing stored.
    let unsigned = Request::builder()
        .method("PUT")
        .uri(paicha_core::wire::blob_path(&review))
        .body(Body::from(REVIEW_PHOTO))
        .unwrap();
    assert_eq!(send(&s.app, unsigned).await.0, StatusCode::UNAUTHORIZED);
    let path = paicha_core::wire::blob_path(&fake);
    let wrong = signed_request(
        &phone_key(),
        "PUT",
        &path,
        REVIEW_PHOTO,
        0,
        "nonce-blob-000001",
    );
    let (status, _, body) = send(&s.app, wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", json(&body));
    assert_eq!(json(&body)["code"], "blob_size_mismatch");
    // A file no bundle names: 404, whether the ledger has seen it or not.
    let (status, _, body) = send(&s.app, put(b"never named", "nonce-blob-000002")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["code"], "blob_not_named");
    // The right bytes: 201, then 200 for a retry that changes nothing.
    let (status, _, body) = send(&s.app, put(REVIEW_PHOTO, "nonce-blob-000003")).await;
    assert_eq!(status, StatusCode::CREATED, "{}", json(&body));
    assert_eq!(json(&body)["already_held"], false);
    let (status, _, body) = send(&s.app, put(REVIEW_PHOTO, "nonce-blob-000004")).await;
    assert_eq!(
        (status, json(&body)["already_held"].clone()),
        (StatusCode::OK, true.into())
    );
    // The envelope again: already imported, one photo still to send.
    let (status, _, body) = send(&s.app, post_bundle(with_photo)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["missing_blobs"], serde_json::json!([fake]));
    assert_eq!(s.store.incomplete_bundles().await.unwrap().len(), 1);
    let (status, _, _) = send(&s.app, put(NOT_A_PHOTO, "nonce-blob-000005")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(s.store.incomplete_bundles().await.unwrap().is_empty());
    let original = phone.inspection_with_three_hazards(1);
    // An enterprise registered in 长安区, outside the inspector's regions.
    let mut elsewhere = phone.inspection(2);
    elsewhere.site = paicha_core::Site::new(
        "河北某公司",
        paicha_core::CreditCode::with_check_digit("91130102000070001").unwrap(),
    )
    .unwrap();
    let elsewhere_id = elsewhere.id.to_string();
    let envelope = phone.export(101, vec![original.clone(), elsewhere]);
    let (status, _, _) = send(&s.app, post_bundle(envelope.to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    // Without an account a key has nothing to pull.
    let nothing = pulled(&s, "", 50, "nonce-pull-00001").await;
    assert!(nothing.hazards.is_empty() && nothing.closed.is_empty() && !nothing.more);
    let (_, _, inspector) = signed_in(&s.store, "张三", &["inspector@4403"]).await;
    let key_id = phone.device_info().key_id;
    let bind = AuditEntry::new("test", "device_bound", Outcome::Ok);
    s.store
        .bind_device(key_id.as_str(), &inspector, &bind, chrono::Utc::now())
        .await
        .unwrap();
    age(&s).await;

    // A first pull, one at a time: each hazard of its region once, in order, then no more.
    let mut after = String::new();
    let mut seen = Vec::new();
    for n in 0..8 {
        let page = pulled(&s, &after, 1, &format!("nonce-pull-001{n:02}")).await;
        seen.extend(
            page.hazards
                .iter()
                .map(|h| format!("{}/{}", h.inspection_id, h.item_id)),
        );
        // A cut connection: the same cursor again gives the same page.
        if n == 1 {
            let again = pulled(&s, &after, 1, "nonce-pull-00199").await;
            assert_eq!(again, page, "a pull is repeatable from its cursor");
        }
        after = page.after.clone();
        if !page.more {
            break;
        }
    }
    let mut expected = vec![
        format!("{}/fw-01", photographed.id),
        format!("{}/fw-02", photographed.id),
        format!("{}/fw-01", original.id),
        format!("{}/fw-02", original.id),
        format!("{}/fw-03", original.id),
    ];
    expected.sort();
    seen.sort();
    assert_eq!(
        seen, expected,
        "its region's hazards, each once, none from elsewhere"
    );
    let whole = pulled(&s, "", 50, "nonce-pull-00002").await;
    assert_eq!(items(&whole), ["fw-01", "fw-02", "fw-03"]);
    assert!(
        whole
            .hazards
            .iter()
            .all(|h| h.inspection_id != elsewhere_id)
    );

    // Photos for 复查 offline: the device fetches each one it was told of.
    let shown = whole
        .hazards
        .iter()
        .find(|h| h.inspection_id == photographed.id.to_string() && h.item_id == "fw-01")
        .unwrap();
    let sha = paicha_core::sha256_hex(REVIEW_PHOTO);
    assert_eq!(shown.photos, std::slice::from_ref(&sha));
    let path = paicha_core::wire::device_photo_path(&shown.inspection_id, &shown.item_id, &sha);
    let request = signed_request(&phone_key(), "GET", &path, b"", 0, "nonce-photo-00001");
    let (status, headers, bytes) = send(&s.app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, REVIEW_PHOTO);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    // Its thumbnail: a JPEG of at most 256 px, the same bytes when asked again (kept).
    let thumbnail_path =
        paicha_core::wire::device_thumbnail_path(&shown.inspection_id, &shown.item_id, &sha);
    let mut thumbnails = Vec::new();
    for nonce in ["nonce-thumb-00001", "nonce-thumb-00002"] {
        let request = signed_request(&phone_key(), "GET", &thumbnail_path, b"", 0, nonce);
        let (status, headers, bytes) = send(&s.app, request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        thumbnails.push(bytes);
    }
    assert_eq!(thumbnails[0], thumbnails[1]);
    let small = image::load_from_memory(&thumbnails[0]).unwrap();
    assert_eq!((small.width(), small.height()), (256, 192));
    // A "photo" that is no image: a clear refusal, not a broken picture.
    let broken = paicha_core::sha256_hex(NOT_A_PHOTO);
    let path = paicha_core::wire::device_thumbnail_path(&shown.inspection_id, "fw-02", &broken);
    let request = signed_request(&phone_key(), "GET", &path, b"", 0, "nonce-thumb-00003");
    let (status, _, body) = send(&s.app, request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: paicha_core::wire::ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(error.code, "no_thumbnail");
    // Not that hazard's photo, or a hazard outside its regions: 404 alike.
    for (n, path) in [
        paicha_core::wire::device_photo_path(&shown.inspection_id, "fw-02", &sha),
        paicha_core::wire::device_photo_path(&elsewhere_id, "fw-01", &sha),
        paicha_core::wire::device_thumbnail_path(&shown.inspection_id, "fw-02", &sha),
        paicha_core::wire::device_thumbnail_path(&elsewhere_id, "fw-01", &sha),
    ]
    .iter()
    .enumerate()
    {
        let nonce = format!("nonce-photo-0001{n}");
        let request = signed_request(&phone_key(), "GET", path, b"", 0, &nonce);
        let (status, _, _) = send(&s.app, request).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let one = original.id.to_string();
    let first = whole
        .hazards
        .iter()
        .find(|h| h.inspection_id == one && h.item_id == "fw-01")
        .unwrap();
    assert_eq!(first.hazard.description, "fw-01 隐患");
    assert_eq!(first.hazard.deadline, "2026-03-10", "the order's deadline");
    assert!(first.assignment.is_none());
    // Nothing changed since: nothing to pull.
    let since = pulled(&s, &whole.after, 50, "nonce-pull-00003").await;
    assert!(
        since.hazards.is_empty() && since.closed.is_empty(),
        "{since:?}"
    );
    // Recomputing every row (an upgrade) changes none of them for devices.
    s.store.rebuild_hazard_states().await.unwrap();
    let since = pulled(&s, &whole.after, 50, "nonce-pull-00004").await;
    assert!(since.hazards.is_empty(), "{since:?}");

    // 交办 to its person: that hazard comes again, marked 待办.
    let assignment = Assignment {
        id: uuid::Uuid::new_v4().to_string(),
        hazard: HazardKey {
            inspection_id: original.id.to_string(),
            item_id: "fw-02".into(),
        },
        region_code: "4403".into(),
        assignee: Assignee::Inspector(inspector.clone()),
        assignee_name: "检查员 张三".into(),
        deadline: chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap(),
        note: "请复查".into(),
        assigned_by: "supervisor".into(),
        assigned_at: chrono::Utc::now(),
        superseded_at: None,
    };
    let audit = AuditEntry::new("test", "hazard_assigned", Outcome::Ok);
    s.store.assign(&assignment, &audit).await.unwrap();
    let assigned = pulled(&s, &whole.after, 50, "nonce-pull-00005").await;
    assert_eq!(items(&assigned), ["fw-02"]);
    let to_me = assigned.hazards[0].assignment.as_ref().unwrap();
    assert!(to_me.to_me && to_me.note == "请复查", "{to_me:?}");
    // Within the overlap window the next pull reads it again (stored once by key).
    let overlap = pulled(&s, &assigned.after, 50, "nonce-pull-00006").await;
    assert_eq!(items(&overlap), ["fw-02"]);
    age(&s).await;
    let settled = pulled(&s, &whole.after, 50, "nonce-pull-00007").await;

    // A re-inspection verifies fw-03: it leaves the device at the next pull.
    let re = phone.reinspection(3, &original, t(50), &[("fw-03", Decision::Rectified)]);
    let (status, _, _) = send(
        &s.app,
        post_bundle(phone.export_with_photos(102, vec![re]).to_json()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let verified = pulled(&s, &settled.after, 50, "nonce-pull-00008").await;
    assert!(verified.hazards.is_empty(), "{verified:?}");
    let closed: Vec<&str> = verified.closed.iter().map(|k| k.item_id.as_str()).collect();
    assert_eq!(closed, ["fw-03"]);
    // With who verified it, so that the device that found it shows 谁验收.
    let verification = verified.closed[0].verified.as_ref().expect("verified");
    assert_eq!(
        (verification.by.as_str(), verification.cert_no.as_str()),
        ("张三", "44030012345")
    );
    assert!(!verification.conflict);

    // Two re-inspections of fw-02 that did not see each other (the second started before the
    // first was sealed): both kept, the later decides (an extension: still open), and the
    // device is told of the conflict.
    let first = phone.reinspection(
        4,
        &original,
        t(0) + chrono::Duration::days(2),
        &[("fw-02", Decision::Extend("2026-03-20"))],
    );
    let second = phone.reinspection(
        5,
        &original,
        t(30) + chrono::Duration::days(2),
        &[("fw-02", Decision::Extend("2026-03-25"))],
    );
    let (first_id, second_id) = (first.id, second.id);
    let (status, _, _) = send(
        &s.app,
        post_bundle(phone.export_with_photos(103, vec![first, second]).to_json()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let conflicted = pulled(&s, &verified.after, 50, "nonce-pull-00011").await;
    assert_eq!(items(&conflicted), ["fw-02"]);
    assert!(
        conflicted.hazards[0].conflict,
        "the conflict is shown, not resolved"
    );
    assert_eq!(
        conflicted.hazards[0].hazard.deadline, "2026-03-25",
        "the one sealed last decides"
    );
    // Both re-inspections are named: a device that made either knows the ledger took it in.
    let mut reviewed_in = conflicted.hazards[0].reviewed_in.clone();
    reviewed_in.sort();
    let mut expected = vec![first_id.to_string(), second_id.to_string()];
    expected.sort();
    assert_eq!(reviewed_in, expected);
    assert!(whole.hazards.iter().all(|h| h.reviewed_in.is_empty()));
    assert!(
        !whole.hazards.iter().any(|h| h.conflict),
        "no conflict before"
    );

    // A cursor that is not one: 400; a revoked key: refused.
    let request = signed_request(
        &phone_key(),
        "GET",
        &format!("{}?after=yesterday", paicha_core::wire::DEVICE_PULL_PATH),
        b"",
        0,
        "nonce-pull-00009",
    );
    let (status, _, bytes) = send(&s.app, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&bytes).contains("bad_query"));
    refused_once_revoked(
        &s,
        key_id.as_str(),
        paicha_core::wire::DEVICE_PULL_PATH,
        "nonce-pull-00010",
    )
    .await;
}

/// A township's staff re-inspect hazards the county recorded: a hazard assigned (交办) to
/// their township comes to their devices although its enterprise is outside their regions,
/// with its photos; assigned elsewhere, it leaves them.
async fn a_township_pulls_what_is_assigned_to_it_wherever_it_is(db: Db) {
    use paicha_core::lists::Assignee;
    use paicha_core::region::RegionCode;
    use paicha_ledger::store::lists::{Assignment, HazardKey};
    let Some(s) = server(db, true).await else {
        return;
    };
    let mut phone = Phone::new(7);
    let (with_photo, photographed) = bundle_with_photo(&mut phone);
    let (status, _, _) = send(&s.app, post_bundle(with_photo)).await;
    assert_eq!(status, StatusCode::CREATED);
    deliver_photos(&s.store).await;
    // The device belongs to the staff of a township of another county.
    let (_, _, staff) = signed_in(&s.store, "李四", &["inspector@440303001"]).await;
    let bind = AuditEntry::new("test", "device_bound", Outcome::Ok);
    let key_id = phone.device_info().key_id;
    s.store
        .bind_device(key_id.as_str(), &staff, &bind, chrono::Utc::now())
        .await
        .unwrap();
    let first = pulled(&s, "", 50, "nonce-town-00001").await;
    assert!(first.hazards.is_empty(), "nothing of its own regions");
    let sha = paicha_core::sha256_hex(REVIEW_PHOTO);
    let photo = |nonce: &'static str| {
        let path =
            paicha_core::wire::device_photo_path(&photographed.id.to_string(), "fw-01", &sha);
        signed_request(&phone_key(), "GET", &path, b"", 0, nonce)
    };
    let (status, _, _) = send(&s.app, photo("nonce-town-00002")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not before it is assigned");

    let assign = |assignee: Assignee, name: &str| Assignment {
        id: uuid::Uuid::new_v4().to_string(),
        hazard: HazardKey {
            inspection_id: photographed.id.to_string(),
            item_id: "fw-01".into(),
        },
        region_code: "440300".into(),
        assignee,
        assignee_name: name.into(),
        deadline: chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap(),
        note: "请复查".into(),
        assigned_by: "supervisor".into(),
        assigned_at: chrono::Utc::now(),
        superseded_at: None,
    };
    let township = Assignee::Township(RegionCode::parse("440303001").unwrap());
    let audit = AuditEntry::new("test", "hazard_assigned", Outcome::Ok);
    s.store
        .assign(&assign(township, "乡镇 某街道"), &audit)
        .await
        .unwrap();
    let assigned = pulled(&s, &first.after, 50, "nonce-town-00003").await;
    let keys: Vec<(&str, &str)> = assigned
        .hazards
        .iter()
        .map(|h| (h.inspection_id.as_str(), h.item_id.as_str()))
        .collect();
    assert_eq!(keys, [(photographed.id.to_string().as_str(), "fw-01")]);
    let to_me = assigned.hazards[0].assignment.as_ref().unwrap();
    assert!(to_me.to_me, "待办 for the township's staff");
    assert_eq!(assigned.hazards[0].photos, std::slice::from_ref(&sha));
    let (status, _, bytes) = send(&s.app, photo("nonce-town-00004")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, REVIEW_PHOTO);

    // Assigned to someone else: it leaves the township's devices (not verified).
    s.store
        .assign(
            &assign(Assignee::Inspector("someone".into()), "检查员 某人"),
            &audit,
        )
        .await
        .unwrap();
    let left = pulled(&s, &assigned.after, 50, "nonce-town-00005").await;
    assert!(left.hazards.is_empty(), "{left:?}");
    assert_eq!(left.closed.len(), 1);
    assert_eq!(left.closed[0].item_id, "fw-01");
    assert!(
        left.closed[0].verified.is_none(),
        "it left; nobody verified it"
    );
    let (status, _, _) = send(&s.app, photo("nonce-town-00006")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_databases!(
    a_device_pulls_what_changed_in_its_regions_and_nothing_twice,
    a_township_pulls_what_is_assigned_to_it_wherever_it_is,
    a_device_reads_the_hazards_assigned_to_its_person_or_township,
    nobody_reads_the_ledger_without_an_identity,
    each_person_reads_only_their_regions,
    state_changes_need_the_ledgers_origin_and_the_csrf_token,
    enrolment_links_work_once_and_not_after_they_expire,
    device_requests_are_refused_unless_signed_now_by_a_usable_key,
    a_phone_asks_to_be_enrolled_with_a_request_signed_by_its_key,
    hostile_text_in_every_parameter_gets_a_clear_400,
    the_audit_trail_shows_an_edited_or_deleted_row,
);

#[tokio::test]
async fn appends_from_many_tasks_never_share_a_number() {
    let s = server(Db::Sqlite, false).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = s.store.clone();
        tasks.push(tokio::spawn(async move {
            let entry = AuditEntry::new("cli", "role_granted", Outcome::Ok).target(format!("{i}"));
            store.audit(&entry, chrono::Utc::now()).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    let rows = s.store.audit_all().await.unwrap();
    let (seq, hash) = s.store.audit_head().await.unwrap();
    assert_eq!(verify_chain(&rows, (seq, &hash)), Ok(20));
}
