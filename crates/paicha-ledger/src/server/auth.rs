//! Who is asking, for the handlers: the signed-in person ([`Staff`]), the checks on a
//! state-changing request ([`check_csrf`]), and the device that signed a request
//! ([`signed_device`]). Every refusal is a clear 401/403 and goes to the audit trail.

use super::AppState;
use super::error::ApiError;
use crate::access::device::{self, DeviceAuthError};
use crate::access::sessions::{self, NoSession};
use crate::access::{Identity, token_hash};
use crate::store::{AuditEntry, Device, Outcome};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use chrono::Utc;

/// The signed-in person making the request.
pub struct Staff(pub Identity);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match identify(&parts.headers, state).await? {
            Ok(identity) => Ok(Staff(identity)),
            Err(why) => {
                let action = format!("{} {}", parts.method, parts.uri.path());
                Err(refuse_session(state, why, &action).await)
            }
        }
    }
}

/// The person a request's session cookie names, or why there is none.
pub async fn identify(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Result<Identity, NoSession>, ApiError> {
    let Some(token) = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| sessions::cookie(h, state.cookies.session_name()))
    else {
        return Ok(Err(NoSession::Unknown));
    };
    sessions::identify(&state.store, token, Utc::now())
        .await
        .map_err(ApiError::from_store)
}

/// The answer to a request without a valid session, recorded in the audit trail.
pub async fn refuse_session(state: &AppState, why: NoSession, action: &str) -> ApiError {
    let (code, message) = match why {
        NoSession::Unknown => ("signed_out", "请先登录 / sign in first (no valid session)"),
        NoSession::Expired => (
            "session_expired",
            "登录已过期，请重新登录 / the session has expired; sign in again",
        ),
        NoSession::Disabled => ("account_disabled", "账号已停用 / the account is disabled"),
    };
    audit(
        state,
        AuditEntry::new("anonymous", "request_refused", Outcome::Denied)
            .target(action)
            .detail(code),
    )
    .await;
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

/// Records `entry`; a trail that cannot be written is logged, never a reason to fail the
/// refusal it describes.
pub async fn audit(state: &AppState, entry: AuditEntry) {
    if let Err(e) = state.store.audit(&entry, Utc::now()).await {
        tracing::error!(action = entry.action, "audit trail not written: {e}");
    }
}

/// A state-changing request must come from the ledger's own pages: its `Origin` is the
/// ledger's, and (for a signed-in person) it carries the session's CSRF token in the
/// `X-CSRF-Token` header or the form field `csrf`.
pub async fn check_csrf(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    identity: Option<&Identity>,
    form_token: Option<&str>,
) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let expected = state.public_origin.origin().ascii_serialization();
    let same_origin = origin == Some(expected.as_str());
    let token_ok = match identity {
        None => true,
        Some(identity) => {
            let sent = headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .or(form_token);
            sent.is_some_and(|t| token_hash(t) == token_hash(&identity.csrf_token))
        }
    };
    if same_origin && token_ok {
        return Ok(());
    }
    let actor = identity.map_or_else(|| "anonymous".to_string(), Identity::actor);
    let detail = if same_origin {
        "missing or wrong CSRF token".to_string()
    } else {
        format!(
            "cross-site request from origin {:?}",
            origin.unwrap_or("(none)")
        )
    };
    audit(
        state,
        AuditEntry::new(actor, "request_refused", Outcome::Denied)
            .target(method.as_str())
            .detail(detail),
    )
    .await;
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "cross_site",
        "请求不是来自本系统的页面 / the request did not come from the ledger's own pages",
    ))
}

/// The absolute URI a device signed for this request: the ledger's public origin and the
/// request's path and query (behind a proxy the origin is configuration, not a header).
fn target_uri(state: &AppState, parts: &Parts) -> String {
    let origin = state.public_origin.origin().ascii_serialization();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    format!("{origin}{path}")
}

/// Runs `check` on the request as its signature covers it (RFC 9421): the method, the target
/// URI under the ledger's public origin, and the header fields.
pub async fn as_signed<T>(
    state: &AppState,
    parts: &Parts,
    check: impl AsyncFnOnce(&paicha_core::httpsig::Request<'_>) -> T,
) -> T {
    let uri = target_uri(state, parts);
    let headers = header_pairs(&parts.headers);
    let view: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = paicha_core::httpsig::Request {
        method: parts.method.as_str(),
        target_uri: &uri,
        headers: &view,
    };
    check(&request).await
}

/// The enrolled device that signed this request (RFC 9421), or the refusal, audited.
pub async fn signed_device(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
) -> Result<Device, ApiError> {
    let checked = as_signed(state, parts, async |request| {
        device::authenticate(&state.store, request, body, Utc::now()).await
    })
    .await;
    match checked {
        Ok(device) => Ok(device),
        Err(error) => Err(refuse_device(state, error, parts.uri.path()).await),
    }
}

/// The header fields as (name, value) text pairs; values that are not text are skipped.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect()
}

/// The answer to a device request that does not hold, recorded in the audit trail.
pub async fn refuse_device(state: &AppState, error: DeviceAuthError, path: &str) -> ApiError {
    if let DeviceAuthError::Store(e) = &error {
        return ApiError::from_store(e);
    }
    audit(
        state,
        AuditEntry::new("anonymous", "request_refused", Outcome::Denied)
            .target(path)
            .detail(format!("{}: {error}", error.code())),
    )
    .await;
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    ApiError::new(status, error.code(), error.to_string())
}
