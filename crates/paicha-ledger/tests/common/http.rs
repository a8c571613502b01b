//! The HTTP API through the router, without a socket.

use super::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use paicha_ledger::server::{AppState, app};
use tower::ServiceExt;

pub struct Server {
    pub tdb: TestDb,
    pub store: paicha_ledger::store::Store,
    pub app: axum::Router,
}

pub async fn server(db: Db, enrol: bool) -> Option<Server> {
    let tdb = TestDb::new(db)?;
    let dist = tdb.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Paicha</title>",
    )
    .unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dist.join("manifest.webmanifest"), "{}").unwrap();
    std::fs::write(
        dist.join("paicha-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(dist.join("paicha-0123456789abcdef.js"), "export {};").unwrap();
    std::fs::write(dist.join("style.css"), "body{}").unwrap();
    let store = if enrol {
        tdb.enrolled(&Phone::new(7)).await
    } else {
        tdb.open().await
    };
    let state = AppState::new(store.clone(), &dist).unwrap();
    Some(Server {
        tdb,
        store,
        app: app(state),
    })
}

pub async fn send(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (parts.status, parts.headers, bytes.to_vec())
}

pub fn post_bundle(body: impl Into<Body>) -> Request<Body> {
    Request::post("/api/bundles")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

pub fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

pub fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// The Content-Security-Policy every response must carry, written out here independently of
/// the server's constant: a policy weakened there (a directive dropped or widened, an
/// 'unsafe-inline' added) fails this check.
pub fn assert_strict_csp(headers: &axum::http::HeaderMap, context: &str) {
    let policy = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{context}: no Content-Security-Policy"))
        .to_str()
        .unwrap();
    let mut directives: Vec<Vec<&str>> = policy
        .split(';')
        .map(|d| d.split_whitespace().collect::<Vec<_>>())
        .filter(|d| !d.is_empty())
        .collect();
    directives.sort();
    let mut expected: Vec<Vec<&str>> = [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
    .iter()
    .map(|d| d.split_whitespace().collect())
    .collect();
    expected.sort();
    assert_eq!(directives, expected, "{context}: {policy}");
    assert_eq!(
        headers[header::X_CONTENT_TYPE_OPTIONS],
        "nosniff",
        "{context}"
    );
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{context}");
}

/// A signed-in person holding `roles` (ROLE@REGION): the `Cookie` header value and the CSRF
/// token of their session. The account and session are made through the store, as a passkey
/// sign-in would make them (the ceremony itself is tested in the browser).
pub async fn signed_in(
    store: &paicha_ledger::store::Store,
    name: &str,
    roles: &[&str],
) -> (String, String, String) {
    let id = uuid::Uuid::new_v4().to_string();
    let grants: Vec<_> = roles
        .iter()
        .map(|r| paicha_ledger::access::parse_grant(r).unwrap())
        .collect();
    let audit = paicha_ledger::store::AuditEntry::new(
        "test",
        "account_created",
        paicha_ledger::store::Outcome::Ok,
    );
    store
        .create_account(&id, name, &grants, chrono::Utc::now(), &audit)
        .await
        .unwrap();
    let (token, csrf) = paicha_ledger::access::sessions::start(store, &id, chrono::Utc::now())
        .await
        .unwrap();
    (format!("paicha_session={token}"), csrf, id)
}

/// A GET with a session cookie.
pub fn get_as(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// The origin the test server's state calls its own (`AppState::new`'s default).
pub const ORIGIN: &str = "http://localhost:8080";
