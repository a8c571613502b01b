//! Enrolling phones without a server shell: a phone asks (`POST /api/device/enrolment`, signed
//! with its key) and shows its key id and a six-digit code; a supervisor or an administrator
//! compares both here and binds the key to an inspector's account in their region.

use super::layout::{Page, page};
use super::signed_in;
use crate::access::Identity;
use crate::server::AppState;
use crate::server::auth::{audit, check_csrf};
use crate::server::error::ApiError;
use crate::store::NewDevice;
use crate::store::{Account, AuditEntry, DeviceRequest, EnrolOutcome, Outcome, Role};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use paicha_core::KeyId;
use paicha_core::region::{RegionCode, RegionLevel};

/// Who may confirm phones: supervisors and administrators, in their regions.
fn confirmers_regions(identity: &Identity) -> Vec<RegionCode> {
    let mut regions = identity.regions_as(Role::Supervisor);
    regions.extend(identity.regions_as(Role::Admin));
    regions
}

/// Whether a phone's request is for these confirmers: the region its 所属区域 names by code
/// lies in one of theirs. A phone naming no code (a profile from before regions were codes)
/// is left to confirmers of a whole province, so that nobody else reads its details.
fn requested_in(mine: &[RegionCode], request: &DeviceRequest) -> bool {
    match RegionCode::leading(&request.region) {
        Some(code) => mine.iter().any(|r| r.contains(&code)),
        None => mine.iter().any(|r| r.level() == RegionLevel::Province),
    }
}

/// The inspector accounts a person may bind phones to: active, holding an inspector role
/// inside one of the person's regions.
fn bindable<'a>(identity: &Identity, accounts: &'a [Account]) -> Vec<&'a Account> {
    let mine = confirmers_regions(identity);
    accounts
        .iter()
        .filter(|a| a.is_active())
        .filter(|a| {
            a.grants
                .iter()
                .any(|g| g.role == Role::Inspector && mine.iter().any(|r| r.contains(&g.region)))
        })
        .collect()
}

pub async fn devices(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(response) => return response,
    };
    match build(&state, identity, None).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

/// The page; `problem` is what went wrong with the last confirmation, shown above the list.
async fn build(
    state: &AppState,
    identity: Identity,
    problem: Option<String>,
) -> Result<Response, ApiError> {
    if confirmers_regions(&identity).is_empty() {
        return Err(ApiError::forbidden(
            "forbidden",
            "只有督查或管理员可以登记设备 / only supervisors and administrators enrol devices",
        ));
    }
    let store = &state.store;
    let mine = confirmers_regions(&identity);
    let mut pending = store
        .pending_device_requests()
        .await
        .map_err(ApiError::from_store)?;
    pending.retain(|r| requested_in(&mine, r));
    let accounts = store.accounts().await.map_err(ApiError::from_store)?;
    let choices = bindable(&identity, &accounts);
    let body = html! {
        section.card aria-labelledby="pending-title" {
            h2 #pending-title { "等待确认的设备 " span.en lang="en" { "Phones waiting to be enrolled" } }
            @if let Some(problem) = &problem {
                p.error role="alert" { (problem) }
            }
            p { "请与检查员当面核对手机上显示的设备密钥标识（前16位）和6位确认码，再选择其检查员账号。"
                span.en lang="en" { " Compare the key id (first 16 digits) and the six-digit code the phone shows, in person, then choose the inspector's account." } }
            @if pending.is_empty() {
                p { "没有等待确认的设备。" span.en lang="en" { " No phone is waiting." } }
            }
            @for request in &pending {
                form.device method="post" action={"/console/devices/" (request.key_id) "/confirm"}
                    aria-label={"确认设备 " (request.inspector_name)} {
                    input type="hidden" name="csrf" value=(identity.csrf_token);
                    p { strong { (request.inspector_name) } " · 执法证号 " (request.cert_no)
                        @if !request.organisation.is_empty() { " · " (request.organisation) }
                        @if !request.region.is_empty() { " · " (request.region) } }
                    p.mono { "设备密钥标识 Key id: " (KeyId::try_from(request.key_id.clone()).map_or_else(|_| request.key_id.clone(), |k| k.short())) "…" }
                    label for={"code-" (request.key_id)} { "手机上显示的确认码 / Code shown on the phone" }
                    input id={"code-" (request.key_id)} name="code" inputmode="numeric" autocomplete="off" required;
                    label for={"account-" (request.key_id)} { "检查员账号 / Inspector account" }
                    select id={"account-" (request.key_id)} name="account" required {
                        option value="" { "请选择 / Choose" }
                        @for account in &choices {
                            option value=(account.id) { (account.name) }
                        }
                    }
                    button.primary type="submit" { "确认登记 / Enrol" }
                }
            }
        }
    };
    Ok(page(Page {
        title: ("设备登记", "Devices"),
        identity: Some(identity),
        body,
    }))
}

#[derive(Debug, serde::Deserialize)]
pub struct ConfirmForm {
    csrf: String,
    code: String,
    account: String,
}

/// Enrols the phone's key, bound to the chosen inspector account, once the code matches.
pub async fn confirm(
    State(state): State<AppState>,
    Path(key_id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, ApiError> {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    check_csrf(&state, &method, &headers, Some(&identity), Some(&form.csrf)).await?;
    match enrol(&state, &identity, &key_id, &form).await {
        Ok(()) => Ok(Redirect::to("/console/devices").into_response()),
        // The person's mistake (a wrong code, an account outside their regions): the page
        // again, with what to correct.
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let mut response = build(&state, identity, Some(e.body.message)).await?;
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

async fn enrol(
    state: &AppState,
    identity: &Identity,
    key_id: &str,
    form: &ConfirmForm,
) -> Result<(), ApiError> {
    let store = &state.store;
    let request = store
        .device_request(key_id)
        .await
        .map_err(ApiError::from_store)?
        .filter(|r| r.decision.is_empty() && requested_in(&confirmers_regions(identity), r))
        .ok_or_else(|| {
            ApiError::bad_request("unknown_request", "没有该设备的登记请求 / no such request")
        })?;
    let accounts = store.accounts().await.map_err(ApiError::from_store)?;
    let Some(account) = bindable(identity, &accounts)
        .into_iter()
        .find(|a| a.id == form.account)
    else {
        audit(
            state,
            AuditEntry::new(identity.actor(), "device_enrolled", Outcome::Denied)
                .target(key_id)
                .detail("the account is not an inspector of the confirmer's regions"),
        )
        .await;
        return Err(ApiError::forbidden(
            "forbidden",
            "该账号不是您辖区的检查员 / that account is not an inspector in your regions",
        ));
    };
    if form.code.trim() != request.short_code {
        audit(
            state,
            AuditEntry::new(identity.actor(), "device_enrolled", Outcome::Failed)
                .target(key_id)
                .detail("the code did not match"),
        )
        .await;
        return Err(ApiError::bad_request(
            "wrong_code",
            "确认码不符，请与手机上显示的核对 / the code does not match the one on the phone",
        ));
    }
    let mut device = NewDevice::from_parts(
        &request.key_id,
        &request.public_key,
        &request.inspector_name,
        &request.cert_no,
        &request.organisation,
    )
    .map_err(|e| ApiError::bad_request("bad_request", e.to_string()))?;
    device.account_id = Some(account.id.clone());
    let now = Utc::now();
    match store
        .enrol(&device, now)
        .await
        .map_err(ApiError::from_store)?
    {
        EnrolOutcome::Revoked(_) => {
            return Err(ApiError::forbidden(
                "revoked_key",
                "该设备密钥已停用 / that key was revoked",
            ));
        }
        // Enrolled before accounts existed: bind it now.
        EnrolOutcome::AlreadyEnrolled(existing) if existing.account_id.is_none() => {
            let entry = AuditEntry::new(identity.actor(), "device_bound", Outcome::Ok)
                .target(key_id)
                .detail(format!("account {}", account.id));
            store
                .bind_device(key_id, &account.id, &entry, now)
                .await
                .map_err(ApiError::from_store)?;
        }
        EnrolOutcome::Enrolled(_) | EnrolOutcome::AlreadyEnrolled(_) => {}
    }
    store
        .decide_device_request(key_id, "enrolled", now)
        .await
        .map_err(ApiError::from_store)?;
    audit(
        state,
        AuditEntry::new(identity.actor(), "device_enrolled", Outcome::Ok)
            .target(key_id)
            .detail(format!(
                "bound to account {} ({})",
                account.id, account.name
            )),
    )
    .await;
    Ok(())
}
