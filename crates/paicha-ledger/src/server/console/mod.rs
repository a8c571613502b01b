//! The supervisors' console: pages rendered on the server (maud: HTML escaped by
//! construction), Chinese first with English beside, working without script except for the
//! passkey ceremonies (`console.js`). Served under `/console`; every page but sign-in and
//! enrolment needs a session, and shows only the signed-in person's regions.

mod accountability;
mod accounts;
mod case_form;
mod cases;
mod chart;
mod devices;
mod export;
mod form;
mod hazard;
mod layout;
mod links;
mod overview;
mod penalties;
mod proposals;

use super::AppState;
use super::auth::{check_csrf, identify};
use super::error::ApiError;
use crate::access::Identity;
use crate::access::passkeys::Passkeys;
use crate::access::sessions;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use layout::{Page, page};
use maud::html;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(overview::overview))
        .route("/console/sign-in", get(sign_in))
        .route("/console/sign-out", post(sign_out))
        .route("/console/enrol/{token}", get(enrol))
        .route("/console/devices", get(devices::devices))
        .route("/console/devices/{key_id}/confirm", post(devices::confirm))
        .route("/console/devices/{key_id}/revoke", post(devices::revoke))
        .route(
            "/console/accounts",
            get(accounts::list).post(accounts::create),
        )
        .route("/console/accounts/{id}/link", post(accounts::link))
        .route("/console/accounts/{id}/roles", post(accounts::change_role))
        .route("/console/accounts/{id}/disable", post(accounts::disable))
        .route("/console/accounts/{id}/enable", post(accounts::enable))
        .route(
            "/console/hazards/{inspection_id}/{item_id}",
            get(hazard::evidence),
        )
        .route(
            "/console/hazards/{inspection_id}/{item_id}/assign",
            post(hazard::assign),
        )
        .route(
            "/console/hazards/{inspection_id}/{item_id}/photos/{sha256}",
            get(hazard::photo),
        )
        .route("/console/cases", get(cases::list).post(cases::open))
        .route("/console/cases/{id}/close", post(cases::close))
        .route(
            "/console/penalties",
            get(penalties::list).post(penalties::record),
        )
        .route(
            "/console/accountability",
            get(accountability::list).post(accountability::record),
        )
        .route("/console/assets/console.js", get(script))
        .route("/console/assets/console.css", get(style))
}

/// The signed-in person, or the answer that sends them to sign in.
pub(super) async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Identity, Response> {
    match identify(headers, state).await {
        Ok(Ok(identity)) => Ok(identity),
        Ok(Err(_)) => Err(Redirect::to("/console/sign-in").into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// Where a person may record 交办 and the three lists: the regions where they are a
/// supervisor (督查). Administrators manage accounts and keys, not cases.
pub(super) fn records_in(identity: &Identity) -> Vec<paicha_core::region::RegionCode> {
    identity.regions_as(crate::store::Role::Supervisor)
}

/// Whether a record placed in `region` (a stored region code) lies in the person's regions.
pub(super) fn may_record(identity: &Identity, region: &str) -> bool {
    paicha_core::region::RegionCode::parse(region)
        .is_ok_and(|code| records_in(identity).iter().any(|r| r.contains(&code)))
}

/// Whether the person may read a record placed in `region`.
pub(super) fn may_read(identity: &Identity, region: &str) -> bool {
    paicha_core::region::RegionCode::parse(region).is_ok_and(|code| identity.may_read(&code))
}

/// Today in China Standard Time, the day every date in the console is judged on.
pub(super) fn today() -> chrono::NaiveDate {
    paicha_core::hazard_ledger::china_day(Utc::now())
}

/// A console page that says what went wrong (a hazard not found or not the person's, a right
/// they lack) instead of the API's JSON body.
pub(super) fn problem(identity: Identity, status: StatusCode, message: &str) -> Response {
    let mut response = page(Page {
        title: ("无法显示", "Cannot show this"),
        identity: Some(identity),
        body: html! {
            section.card {
                p.error role="alert" { (message) }
                p { a href="/console/" { "返回隐患台账 / Back to the hazard ledger" } }
            }
        },
    });
    *response.status_mut() = status;
    response
}

/// A page for the signed-in person, made by `build`; a failure becomes its answer, and a
/// person not signed in is sent to sign in.
pub(super) async fn signed_page<F, Fut>(state: &AppState, headers: &HeaderMap, build: F) -> Response
where
    F: FnOnce(Identity) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ApiError>>,
{
    match signed_in(state, headers).await {
        Ok(identity) => build(identity)
            .await
            .unwrap_or_else(IntoResponse::into_response),
        Err(response) => response,
    }
}

/// Who sent a console form, once its origin and CSRF token hold (`Err`: the answer that
/// sends them to sign in).
pub(super) async fn form_sender(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Result<Identity, Response>, ApiError> {
    let identity = match signed_in(state, headers).await {
        Ok(identity) => identity,
        Err(response) => return Ok(Err(response)),
    };
    check_csrf(state, method, headers, Some(&identity), Some(csrf)).await?;
    Ok(Ok(identity))
}

/// A page shown again because the form on it could not be saved (422).
pub(super) fn unprocessable(mut response: Response) -> Response {
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

/// A form's CSRF field and the request's checks, for the console's own forms.
#[derive(Debug, serde::Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

async fn sign_in(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Ok(Ok(_)) = identify(&headers, &state).await {
        return Redirect::to("/console/").into_response();
    }
    let unavailable = state
        .passkeys
        .is_none()
        .then(|| crate::access::passkeys::PasskeyError::NotADomain.to_string());
    page(Page {
        title: ("登录", "Sign in"),
        identity: None,
        body: html! {
            section.card aria-labelledby="sign-in-title" {
                h2 #sign-in-title { "使用通行密钥登录 " span.en lang="en" { "Sign in with a passkey" } }
                p { "排查 Paicha 督查平台不使用密码：用您登记过的通行密钥（手机、安全密钥或电脑）登录。"
                    span.en lang="en" { " No passwords: sign in with the passkey you registered (a phone, a security key or a computer)." } }
                @if let Some(why) = &unavailable {
                    p.error role="alert" { (why) }
                } @else {
                    button.primary type="button" data-action="sign-in" { "登录 / Sign in" }
                }
                p.error role="alert" hidden #sign-in-error {}
                p role="status" #sign-in-status {}
            }
        },
    })
}

async fn enrol(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let account = Passkeys::link_account(&state.store, &token, Utc::now()).await;
    let body = match account {
        Ok(account) => html! {
            section.card aria-labelledby="enrol-title" {
                h2 #enrol-title { "登记通行密钥 " span.en lang="en" { "Register a passkey" } }
                p { "账号：" strong { (account.name) } }
                p { "请用手机、安全密钥或本机登记一个通行密钥，之后用它登录。此链接只能使用一次。"
                    span.en lang="en" { " Register a passkey on a phone, a security key or this computer, then sign in with it. This link works once." } }
                @if let Some(why) = state.passkeys.is_none().then(|| crate::access::passkeys::PasskeyError::NotADomain.to_string()) {
                    p.error role="alert" { (why) }
                } @else {
                    button.primary type="button" data-action="register" data-token=(token) { "登记通行密钥 / Register passkey" }
                }
                p.error role="alert" hidden #register-error {}
                p role="status" #register-status {}
                p hidden #register-done { a.button href="/console/sign-in" { "去登录 / Sign in" } }
            }
        },
        Err(e) => html! {
            section.card {
                h2 { "无法登记 " span.en lang="en" { "Cannot register" } }
                p.error role="alert" { (e.to_string()) }
            }
        },
    };
    page(Page {
        title: ("登记通行密钥", "Register a passkey"),
        identity: None,
        body,
    })
}

async fn sign_out(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(redirect) => return Ok(redirect),
    };
    check_csrf(&state, &method, &headers, Some(&identity), Some(&form.csrf)).await?;
    sessions::end(&state.store, &identity, Utc::now())
        .await
        .map_err(ApiError::from_store)?;
    let clear = state.cookies.clear(state.cookies.session_name());
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                header::LOCATION,
                HeaderValue::from_static("/console/sign-in"),
            ),
            (
                header::SET_COOKIE,
                HeaderValue::from_str(&clear).expect("ASCII"),
            ),
        ],
    )
        .into_response())
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("console.js"))
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("console.css"))
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Small and changed only with a new ledger version: revalidate every time.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
        .into_response()
}
