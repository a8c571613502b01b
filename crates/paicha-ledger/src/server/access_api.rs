//! Staff sign-in with passkeys, and registering a passkey from an enrolment link: the JSON the
//! console's script exchanges with the browser's WebAuthn. Each ceremony is two requests (the
//! options, then the browser's answer); its state stays in the database, the browser holds its
//! id in a short-lived cookie.

use super::AppState;
use super::auth::{Staff, audit, check_csrf, identify};
use super::error::ApiError;
use crate::access::passkeys::{CEREMONY, PasskeyError, Passkeys};
use crate::access::sessions::{self, ABSOLUTE, cookie};
use crate::store::{AuditEntry, Outcome};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use paicha_core::wire::{Me, MeGrant};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paicha_core::wire::ME_PATH, get(me))
        .route("/api/session/options", post(sign_in_options))
        .route("/api/session", post(sign_in).delete(sign_out))
        .route("/api/enrolment/{token}/options", post(register_options))
        .route("/api/enrolment/{token}", post(register))
}

fn passkeys(state: &AppState) -> Result<&Passkeys, ApiError> {
    state
        .passkeys
        .as_ref()
        .ok_or_else(|| passkey_error(&PasskeyError::NotADomain))
}

fn passkey_error(error: &PasskeyError) -> ApiError {
    let status = match error {
        PasskeyError::NotADomain => StatusCode::SERVICE_UNAVAILABLE,
        PasskeyError::UnknownLink => StatusCode::NOT_FOUND,
        PasskeyError::LinkUsed | PasskeyError::LinkExpired => StatusCode::GONE,
        PasskeyError::Disabled => StatusCode::FORBIDDEN,
        PasskeyError::NoCeremony | PasskeyError::Rejected(_) | PasskeyError::UnknownPasskey => {
            StatusCode::UNAUTHORIZED
        }
        PasskeyError::Store(e) => return ApiError::from_store(e),
    };
    ApiError::new(status, error.code(), error.to_string())
}

/// A refused passkey step, audited; `actor` names the account when it is known.
async fn refuse(
    state: &AppState,
    error: PasskeyError,
    action: &'static str,
    actor: &str,
) -> ApiError {
    if !matches!(error, PasskeyError::Store(_)) {
        audit(
            state,
            AuditEntry::new(actor, action, Outcome::Denied).detail(error.code()),
        )
        .await;
    }
    passkey_error(&error)
}

fn ceremony_cookie(state: &AppState, id: &str) -> HeaderValue {
    let name = state.cookies.ceremony_name();
    HeaderValue::from_str(&state.cookies.set(name, id, CEREMONY.num_seconds()))
        .expect("cookie text is ASCII")
}

fn ceremony_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie(h, state.cookies.ceremony_name()))
        .map(str::to_string)
}

/// `GET /api/me`: who is signed in, with what roles where.
async fn me(State(state): State<AppState>, Staff(identity): Staff) -> Result<Json<Me>, ApiError> {
    let regions = state
        .store
        .region_table()
        .await
        .map_err(ApiError::from_store)?;
    Ok(Json(Me {
        account_id: identity.account.id.clone(),
        name: identity.account.name.clone(),
        grants: identity
            .account
            .grants
            .iter()
            .map(|g| MeGrant {
                role: g.role.slug().to_string(),
                region: g.region.to_string(),
                region_name: regions.path(&g.region),
            })
            .collect(),
        reads: identity.reads().iter().map(ToString::to_string).collect(),
        csrf_token: identity.csrf_token.clone(),
    }))
}

/// `POST /api/session/options`: starts a sign-in.
async fn sign_in_options(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_csrf(&state, &method, &headers, None, None).await?;
    let (id, options) = passkeys(&state)?
        .start_sign_in(&state.store, Utc::now())
        .await
        .map_err(|e| passkey_error(&e))?;
    Ok((
        [(header::SET_COOKIE, ceremony_cookie(&state, &id))],
        Json(options),
    )
        .into_response())
}

/// `POST /api/session`: finishes a sign-in with the browser's answer; sets the session cookie.
async fn sign_in(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Json(credential): Json<PublicKeyCredential>,
) -> Result<Response, ApiError> {
    check_csrf(&state, &method, &headers, None, None).await?;
    let id =
        ceremony_id(&state, &headers).ok_or_else(|| passkey_error(&PasskeyError::NoCeremony))?;
    let now = Utc::now();
    let account = match passkeys(&state)?
        .finish_sign_in(&state.store, &id, &credential, now)
        .await
    {
        Ok(account) => account,
        Err(e) => return Err(refuse(&state, e, "sign_in", "anonymous").await),
    };
    let (token, _csrf) = sessions::start(&state.store, &account.id, now)
        .await
        .map_err(ApiError::from_store)?;
    let session = state
        .cookies
        .set(state.cookies.session_name(), &token, ABSOLUTE.num_seconds());
    let clear = state.cookies.clear(state.cookies.ceremony_name());
    let mut response = Json(serde_json::json!({ "name": account.name })).into_response();
    let h = response.headers_mut();
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&session).expect("ASCII"),
    );
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&clear).expect("ASCII"),
    );
    Ok(response)
}

/// `DELETE /api/session`: signs out (the console's form posts to `/console/sign-out`).
async fn sign_out(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let identity = match identify(&headers, &state).await? {
        Ok(identity) => identity,
        Err(why) => return Err(super::auth::refuse_session(&state, why, "sign_out").await),
    };
    check_csrf(&state, &method, &headers, Some(&identity), None).await?;
    sessions::end(&state.store, &identity, Utc::now())
        .await
        .map_err(ApiError::from_store)?;
    let clear = state.cookies.clear(state.cookies.session_name());
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            HeaderValue::from_str(&clear).expect("ASCII"),
        )],
    )
        .into_response())
}

/// `POST /api/enrolment/{token}/options`: starts registering a passkey from an enrolment link.
async fn register_options(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_csrf(&state, &method, &headers, None, None).await?;
    let result = passkeys(&state)?
        .start_registration(&state.store, &token, Utc::now())
        .await;
    match result {
        Ok((id, options)) => Ok((
            [(header::SET_COOKIE, ceremony_cookie(&state, &id))],
            Json(options),
        )
            .into_response()),
        Err(e) => Err(refuse(&state, e, "enrolment_link", "anonymous").await),
    }
}

/// `POST /api/enrolment/{token}`: finishes the registration; the link is spent.
async fn register(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
    Json(credential): Json<RegisterPublicKeyCredential>,
) -> Result<Json<serde_json::Value>, ApiError> {
    check_csrf(&state, &method, &headers, None, None).await?;
    let now = Utc::now();
    // The link is checked again: it may have been spent or expired since the options.
    if let Err(e) = Passkeys::link_account(&state.store, &token, now).await {
        return Err(refuse(&state, e, "enrolment_link", "anonymous").await);
    }
    let id =
        ceremony_id(&state, &headers).ok_or_else(|| passkey_error(&PasskeyError::NoCeremony))?;
    match passkeys(&state)?
        .finish_registration(&state.store, &id, &credential, now)
        .await
    {
        Ok(account) => Ok(Json(serde_json::json!({ "name": account.name }))),
        Err(e) => Err(refuse(&state, e, "passkey_registered", "anonymous").await),
    }
}
