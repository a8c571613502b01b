//! Enrolling phones without a server shell: a phone asks (`POST /api/device/enrolment`, signed
//! with its key) and shows its key id and a six-digit code; a supervisor or an administrator
//! compares both here and binds the key to an inspector's account in their region.

use super::layout::{Page, page};
use super::{form_sender, signed_in};
use crate::access::Identity;
use crate::server::AppState;
use crate::server::auth::audit;
use crate::server::error::ApiError;
use crate::store::{Account, AuditEntry, DeviceRequest, EnrolOutcome, Outcome, Role};
use crate::store::{Device, NewDevice};
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

/// Whether an enrolled device is for these confirmers: its account is an inspector of one of
/// their regions; a key without an account (enrolled before accounts) for province-wide ones.
fn device_in(mine: &[RegionCode], device: &Device, accounts: &[Account]) -> bool {
    match accounts
        .iter()
        .find(|a| Some(&a.id) == device.account_id.as_ref())
    {
        Some(account) => account
            .grants
            .iter()
            .any(|g| g.role == Role::Inspector && mine.iter().any(|r| r.contains(&g.region))),
        None => mine.iter().any(|r| r.level() == RegionLevel::Province),
    }
}

pub async fn devices(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(response) => return response,
    };
    match build(&state, identity, None, None).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

/// The page; `problem` is what went wrong with the last confirmation, shown above the list.
/// `typed`: a revoke form that failed, as (key id, reason typed), so that its reason is kept.
async fn build(
    state: &AppState,
    identity: Identity,
    problem: Option<String>,
    typed: Option<(&str, &str)>,
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
    let devices: Vec<Device> = store
        .devices()
        .await
        .map_err(ApiError::from_store)?
        .into_iter()
        .filter(|d| device_in(&mine, d, &accounts))
        .collect();
    let chains = crate::rules::analyse(store.chain_links().await.map_err(ApiError::from_store)?);
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
        section.card aria-labelledby="enrolled-title" {
            h2 #enrolled-title { "已登记设备 " span.en lang="en" { "Enrolled devices" } }
            @if devices.is_empty() { p { "您的辖区没有已登记的设备。" span.en lang="en" { " No enrolled device in your regions." } } }
            div.scroll role="region" aria-label="已登记设备表格 Enrolled devices table" tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { "检查员" } th scope="col" { "设备密钥标识" } th scope="col" { "登记时间" }
                        th scope="col" { "批次" } th scope="col" { "批次链" } th scope="col" { "状态" }
                    } }
                    tbody {
                        @for device in &devices {
                            @let chain = chains.get(device.key_id.as_str()).cloned().unwrap_or_default();
                            tr {
                                td { (device.inspector_name) br; "执法证号 " (device.cert_no) }
                                td.mono { (device.key_id.short()) "…" }
                                td { (paicha_core::hazard_ledger::china_day(device.enrolled_at)) }
                                td { (chain.bundles) @if chain.bundles > 0 { "（最高序号 " (chain.highest_sequence) "）" } }
                                td {
                                    @if chain.missing.is_empty() && chain.notes.is_empty() {
                                        "完整 Complete"
                                    } @else {
                                        @if !chain.missing.is_empty() {
                                            "缺少序号 Missing: " (crate::rules::show_ranges(&chain.missing)) br;
                                        }
                                        @for note in &chain.notes { (note) br; }
                                    }
                                }
                                td {
                                    @if let Some(why) = device.refusal() {
                                        "已停用 Revoked"
                                        @if !why.is_empty() { "：" (why) }
                                    } @else {
                                        "有效 Active"
                                        form.inline method="post" action={"/console/devices/" (device.key_id) "/revoke"}
                                            aria-label={"停用设备 " (device.inspector_name) " " (device.key_id.short())} {
                                            input type="hidden" name="csrf" value=(identity.csrf_token);
                                            label for={"check-" (device.key_id)} { "密钥标识前8位 / First 8 digits" }
                                            input id={"check-" (device.key_id)} name="key_check" autocomplete="off" required;
                                            label for={"reason-" (device.key_id)} { "停用原因 / Reason" }
                                            @let kept = typed.filter(|(k, _)| *k == device.key_id.as_str()).map_or("", |(_, r)| r);
                                            input id={"reason-" (device.key_id)} name="reason" value=(kept) required;
                                            button type="submit" { "停用 / Revoke" }
                                        }
                                    }
                                }
                            }
                        }
                    }
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
    let identity = match form_sender(&state, &method, &headers, &form.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let outcome = enrol(&state, &identity, &key_id, &form).await;
    settle(&state, identity, outcome, None).await
}

/// After a confirmation or a revocation: back to the list, or — for the person's mistake (a
/// wrong code, wrong digits, an account outside their regions) — the page again with what to
/// correct.
async fn settle(
    state: &AppState,
    identity: Identity,
    outcome: Result<(), ApiError>,
    typed: Option<(&str, &str)>,
) -> Result<Response, ApiError> {
    match outcome {
        Ok(()) => Ok(Redirect::to("/console/devices").into_response()),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let mut response = build(state, identity, Some(e.body.message), typed).await?;
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

#[derive(Debug, serde::Deserialize)]
pub struct RevokeForm {
    csrf: String,
    #[serde(default)]
    key_check: String,
    #[serde(default)]
    reason: String,
}

/// Revokes a device of the confirmer's regions once its key id's first 8 digits are typed back
/// (so that the wrong phone of a person with several is not cut off).
pub async fn revoke(
    State(state): State<AppState>,
    Path(key_id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &form.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let outcome = revoke_device(&state, &identity, &key_id, &form).await;
    settle(&state, identity, outcome, Some((&key_id, &form.reason))).await
}

async fn revoke_device(
    state: &AppState,
    identity: &Identity,
    key_id: &str,
    form: &RevokeForm,
) -> Result<(), ApiError> {
    let store = &state.store;
    let unknown = || {
        ApiError::bad_request(
            "unknown_key",
            "您的辖区没有该设备 / no such device in your regions",
        )
    };
    let key = KeyId::try_from(key_id.to_string()).map_err(|_| unknown())?;
    let accounts = store.accounts().await.map_err(ApiError::from_store)?;
    let device = store
        .device(&key)
        .await
        .map_err(ApiError::from_store)?
        .filter(|d| device_in(&confirmers_regions(identity), d, &accounts))
        .ok_or_else(unknown)?;
    let typed: String = form
        .key_check
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect::<String>()
        .to_ascii_lowercase();
    if typed.len() < 8 || !key.as_str().starts_with(&typed) {
        audit(
            state,
            AuditEntry::new(identity.actor(), "device_revoked", Outcome::Failed)
                .target(key.as_str())
                .detail("the key id check did not match"),
        )
        .await;
        return Err(ApiError::bad_request(
            "wrong_key",
            "密钥标识前8位不符，请与设备上显示的核对 / the first 8 digits do not match the device's key id",
        ));
    }
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "bad_reason",
            "请填写停用原因（200字以内） / give a reason (at most 200 characters)",
        ));
    }
    let entry = AuditEntry::new(identity.actor(), "device_revoked", Outcome::Ok)
        .target(key.as_str())
        .detail(reason.to_string());
    store
        .revoke_audited(&device.key_id, reason, &entry, Utc::now())
        .await
        .map_err(ApiError::from_store)?;
    Ok(())
}
