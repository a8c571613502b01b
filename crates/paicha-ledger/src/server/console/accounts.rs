//! The accounts of an administrator's regions: who holds which role where, whether they are
//! active; creating an account with its one-time enrolment link, a new link for a lost
//! passkey, disabling and enabling. The same checks and audit as `paicha-ledger users`
//! (`access::accounts`), with the administrator as the actor.

use super::form::{Control, Fields, options, record_form};
use super::layout::{Page, page, role_label};
use super::links::segment;
use super::{form_sender, signed_in, unprocessable};
use crate::access::accounts::{self, AccountError};
use crate::access::passkeys::LINK_VALIDITY;
use crate::access::{Identity, parse_grant};
use crate::server::AppState;
use crate::server::auth::audit;
use crate::server::error::ApiError;
use crate::store::{Account, AuditEntry, Grant, Outcome, Role};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use paicha_core::hazard_ledger::china_day;
use paicha_core::lists::{FieldError, Invalid};
use paicha_core::region::RegionCode;

/// What the last action left to say: a link to hand over, or what to correct.
enum Notice<'a> {
    Link {
        name: &'a str,
        url: String,
        expires: String,
    },
    Problem(&'a Invalid),
}

/// Whether every role of `account` lies in the administrator's regions (then they manage it).
fn manages(admin: &[RegionCode], account: &Account) -> bool {
    !account.grants.is_empty()
        && account
            .grants
            .iter()
            .all(|g| admin.iter().any(|r| r.contains(&g.region)))
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(identity) => show(&state, identity, None, &NewAccount::default())
            .await
            .unwrap_or_else(IntoResponse::into_response),
        Err(response) => response,
    }
}

async fn show(
    state: &AppState,
    identity: Identity,
    notice: Option<Notice<'_>>,
    values: &NewAccount,
) -> Result<Response, ApiError> {
    let admin = identity.regions_as(Role::Admin);
    if admin.is_empty() {
        return Ok(super::problem(
            identity,
            StatusCode::FORBIDDEN,
            "只有管理员可以管理账号 / only administrators manage accounts",
        ));
    }
    let regions = state
        .store
        .region_table()
        .await
        .map_err(ApiError::from_store)?;
    let accounts = state.store.accounts().await.map_err(ApiError::from_store)?;
    let people: Vec<&Account> = accounts.iter().filter(|a| manages(&admin, a)).collect();
    let errors = match &notice {
        Some(Notice::Problem(errors)) => Some(*errors),
        _ => None,
    };
    let fields = Fields {
        form: "account",
        errors,
    };
    let roles = options(&Role::ALL, Role::slug, role_label);
    let body = html! {
        @if let Some(Notice::Link { name, url, expires }) = &notice {
            section.card role="status" aria-labelledby="link-title" {
                h2 #link-title { "一次性登记链接 " span.en lang="en" { "One-time enrolment link" } }
                p { "请只交给 " strong { (name) } " 本人：先打开者即为该账号登记通行密钥。有效期至 " (expires) "。"
                    span.en lang="en" { " Give it to the person only: whoever opens it first registers a passkey for the account." } }
                p.mono { (url) }
            }
        }
        section.card aria-labelledby="accounts-title" {
            h2 #accounts-title { "辖区账号 " span.en lang="en" { "Accounts of your regions" } }
            div.scroll role="region" aria-label="账号表格 Accounts table" tabindex="0" {
                table {
                    thead { tr { th scope="col" { "姓名" } th scope="col" { "角色" } th scope="col" { "创建时间" }
                        th scope="col" { "状态" } th scope="col" { "操作" } } }
                    tbody {
                        @for account in &people {
                            @let base = format!("/console/accounts/{}", segment(&account.id));
                            tr {
                                td { (account.name) }
                                td {
                                    @for grant in &account.grants {
                                        (role_label(grant.role)) " · " (regions.path(&grant.region))
                                        // The last role stays: an account without one is nobody's to manage (disable it instead).
                                        @if account.grants.len() > 1 {
                                            form.inline method="post" action={(base) "/roles"}
                                                aria-label={"移除角色 " (account.name) " " (role_label(grant.role)) " " (grant.region)} {
                                                input type="hidden" name="csrf" value=(identity.csrf_token);
                                                input type="hidden" name="change" value="remove";
                                                input type="hidden" name="role" value=(grant.role.slug());
                                                input type="hidden" name="region" value=(grant.region);
                                                button type="submit" { "移除 / Remove" }
                                            }
                                        }
                                        br;
                                    }
                                    details {
                                        summary { "添加角色 / Add a role" }
                                        form.inline method="post" action={(base) "/roles"} aria-label={"添加角色 " (account.name)} {
                                            input type="hidden" name="csrf" value=(identity.csrf_token);
                                            input type="hidden" name="change" value="add";
                                            @let role_id = format!("add-role-{}", account.id);
                                            @let region_id = format!("add-region-{}", account.id);
                                            label for=(role_id) { "角色 " span.en lang="en" { "Role" } }
                                            select id=(role_id) name="role" required {
                                                @for (slug, label) in &roles { option value=(slug) { (label) } }
                                            }
                                            label for=(region_id) { "区域代码 " span.en lang="en" { "Region code" } }
                                            input id=(region_id) name="region" required inputmode="numeric";
                                            button type="submit" { "添加 / Add" }
                                        }
                                    }
                                }
                                td { (china_day(account.created_at)) }
                                td { @if account.is_active() { "有效 Active" } @else { "已停用 Disabled" } }
                                td {
                                    form.inline method="post" action={(base) "/link"} aria-label={"新登记链接 " (account.name)} {
                                        input type="hidden" name="csrf" value=(identity.csrf_token);
                                        button type="submit" { "新登记链接 / New link" }
                                    }
                                    @if account.id != identity.account.id {
                                        form.inline method="post" action={(base) (if account.is_active() { "/disable" } else { "/enable" })}
                                            aria-label={(if account.is_active() { "停用账号 " } else { "启用账号 " }) (account.name)} {
                                            input type="hidden" name="csrf" value=(identity.csrf_token);
                                            button type="submit" { @if account.is_active() { "停用 / Disable" } @else { "启用 / Enable" } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section.card {
            (record_form("/console/accounts", ("新建账号", "Create an account"), "新建 / Create", &identity.csrf_token, errors, html! {
                (fields.field("name", ("姓名", "Name"), &values.name, Control::Text, true))
                (fields.field("role", ("角色", "Role"), &values.role, Control::Select(roles), true))
                (fields.field("region", ("区域代码", "Region code"), &values.region, Control::Text, true))
            }))
        }
    };
    Ok(page(Page {
        title: ("账号管理", "Accounts"),
        identity: Some(identity),
        body,
    }))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewAccount {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    region: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct CreateRequest {
    csrf: String,
    #[serde(flatten)]
    account: NewAccount,
}

fn problem_at(field: &str, message: impl Into<String>) -> Invalid {
    Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

/// The account's name and its one grant, once both hold and the grant lies in the
/// administrator's regions.
async fn checked(
    state: &AppState,
    admin: &[RegionCode],
    form: &NewAccount,
) -> Result<Result<(String, Grant), Invalid>, ApiError> {
    let name = match accounts::check_name(&form.name) {
        Ok(name) => name,
        Err(e) => return Ok(Err(problem_at("name", e.to_string()))),
    };
    Ok(checked_grant(state, admin, &form.role, &form.region)
        .await?
        .map(|grant| (name, grant)))
}

/// A role in a region, once it parses, names a region of the ledger's table and lies in the
/// administrator's regions.
async fn checked_grant(
    state: &AppState,
    admin: &[RegionCode],
    role: &str,
    region: &str,
) -> Result<Result<Grant, Invalid>, ApiError> {
    let grant = match parse_grant(&format!("{}@{}", role.trim(), region.trim())) {
        Ok(grant) => grant,
        Err(e) => {
            let field = if Role::from_slug(role.trim()).is_none() {
                "role"
            } else {
                "region"
            };
            return Ok(Err(problem_at(field, e)));
        }
    };
    if !admin.iter().any(|r| r.contains(&grant.region)) {
        return Ok(Err(problem_at(
            "region",
            "该区域不在您管理的辖区 / that region is outside the regions you administer",
        )));
    }
    match accounts::check_regions(&state.store, std::slice::from_ref(&grant)).await {
        Ok(()) => Ok(Ok(grant)),
        Err(AccountError::Store(e)) => Err(ApiError::from_store(e)),
        Err(e) => Ok(Err(problem_at("region", e.to_string()))),
    }
}

pub async fn create(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Form(request): Form<CreateRequest>,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &request.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let admin = identity.regions_as(Role::Admin);
    if admin.is_empty() {
        return Ok(super::problem(
            identity,
            StatusCode::FORBIDDEN,
            "只有管理员可以管理账号 / only administrators manage accounts",
        ));
    }
    let (name, grant) = match checked(&state, &admin, &request.account).await? {
        Ok(done) => done,
        Err(errors) => {
            return Ok(unprocessable(
                show(
                    &state,
                    identity,
                    Some(Notice::Problem(&errors)),
                    &request.account,
                )
                .await?,
            ));
        }
    };
    let id = accounts::new_account_id();
    let now = Utc::now();
    let entry = AuditEntry::new(identity.actor(), "account_created", Outcome::Ok)
        .target(&id)
        .detail(format!("{name}: {}@{}", grant.role.slug(), grant.region));
    state
        .store
        .create_account(&id, &name, std::slice::from_ref(&grant), now, &entry)
        .await
        .map_err(ApiError::from_store)?;
    with_link(&state, identity, &id, &name).await
}

/// The page with a new one-time link for the account shown once.
async fn with_link(
    state: &AppState,
    identity: Identity,
    account_id: &str,
    name: &str,
) -> Result<Response, ApiError> {
    let (token, expires) = accounts::issue_link(
        &state.store,
        account_id,
        LINK_VALIDITY.num_hours(),
        &identity.actor(),
        Utc::now(),
    )
    .await
    .map_err(|e| match e {
        AccountError::Store(e) => ApiError::from_store(e),
        other => ApiError::internal("make an enrolment link", other),
    })?;
    let url = accounts::link_url(&state.public_origin, &token)
        .map_err(|e| ApiError::internal("build the enrolment link", e))?
        .to_string();
    let expires = crate::time::cst_minute(expires).to_string();
    show(
        state,
        identity,
        Some(Notice::Link { name, url, expires }),
        &NewAccount::default(),
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// The answer to an administrator naming an account they do not manage, or none at all.
fn no_such_account(identity: Identity) -> Response {
    super::problem(
        identity,
        StatusCode::NOT_FOUND,
        "您管理的辖区没有该账号 / no such account in your regions",
    )
}

/// The account of `id` when the administrator manages it; their refusal (audited) otherwise.
async fn managed(
    state: &AppState,
    identity: &Identity,
    id: &str,
    action: &'static str,
) -> Result<Option<Account>, ApiError> {
    let account = state
        .store
        .account(id)
        .await
        .map_err(ApiError::from_store)?;
    match account {
        Some(account) if manages(&identity.regions_as(Role::Admin), &account) => Ok(Some(account)),
        _ => {
            audit(
                state,
                AuditEntry::new(identity.actor(), action, Outcome::Denied).target(id),
            )
            .await;
            Ok(None)
        }
    }
}

pub async fn link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &form.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    match managed(&state, &identity, &id, "enrolment_link_created").await? {
        Some(account) => with_link(&state, identity, &account.id, &account.name).await,
        None => Ok(no_such_account(identity)),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct RoleChange {
    csrf: String,
    /// `add` or `remove`.
    change: String,
    role: String,
    region: String,
}

/// `POST /console/accounts/{id}/roles`: an administrator adds a role (in a region of theirs) to
/// an account they manage, or removes one — never the account's last (disable it instead), nor
/// their own administrator role (no one would be left to undo it).
pub async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<RoleChange>,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &form.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let add = match form.change.as_str() {
        "add" => true,
        "remove" => false,
        other => {
            return Ok(super::problem(
                identity,
                StatusCode::BAD_REQUEST,
                &format!("change 应为 add 或 remove / change must be add or remove, got {other:?}"),
            ));
        }
    };
    let action = if add { "role_granted" } else { "role_revoked" };
    let Some(account) = managed(&state, &identity, &id, action).await? else {
        return Ok(no_such_account(identity));
    };
    let admin = identity.regions_as(Role::Admin);
    let grant = match checked_grant(&state, &admin, &form.role, &form.region).await? {
        Ok(grant) => grant,
        Err(errors) => {
            let message: Vec<String> = errors.0.iter().map(|e| e.message.clone()).collect();
            return Ok(unprocessable(super::problem(
                identity,
                StatusCode::UNPROCESSABLE_ENTITY,
                &message.join("；"),
            )));
        }
    };
    if !add {
        let refusal = if !account.grants.contains(&grant) {
            Some("该账号没有这个角色 / the account does not hold that role")
        } else if account.grants.len() == 1 {
            Some(
                "不能移除账号的最后一个角色，请停用账号 / an account keeps its last role: disable the account instead",
            )
        } else if account.id == identity.account.id && grant.role == Role::Admin {
            Some("不能移除自己的管理员角色 / you cannot remove your own administrator role")
        } else {
            None
        };
        if let Some(message) = refusal {
            return Ok(unprocessable(super::problem(
                identity,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )));
        }
    }
    let now = Utc::now();
    let entry = AuditEntry::new(identity.actor(), action, Outcome::Ok)
        .target(&account.id)
        .detail(format!("{}@{}", grant.role.slug(), grant.region));
    state
        .store
        .set_grant(&account.id, &grant, add, &entry, now)
        .await
        .map_err(ApiError::from_store)?;
    Ok(Redirect::to("/console/accounts").into_response())
}

pub async fn disable(
    state: State<AppState>,
    id: Path<String>,
    method: Method,
    headers: HeaderMap,
    form: Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    set_disabled(state, id, method, headers, form, true).await
}

pub async fn enable(
    state: State<AppState>,
    id: Path<String>,
    method: Method,
    headers: HeaderMap,
    form: Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    set_disabled(state, id, method, headers, form, false).await
}

async fn set_disabled(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
    disable: bool,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &form.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let action = if disable {
        "account_disabled"
    } else {
        "account_enabled"
    };
    let Some(account) = managed(&state, &identity, &id, action).await? else {
        return Ok(no_such_account(identity));
    };
    if account.id == identity.account.id {
        return Ok(super::problem(
            identity,
            StatusCode::BAD_REQUEST,
            "不能停用自己的账号 / you cannot disable your own account",
        ));
    }
    let now = Utc::now();
    let entry = AuditEntry::new(identity.actor(), action, Outcome::Ok).target(&account.id);
    state
        .store
        .set_account_disabled(&account.id, disable.then_some(now), &entry, now)
        .await
        .map_err(ApiError::from_store)?;
    Ok(Redirect::to("/console/accounts").into_response())
}
