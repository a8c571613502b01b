//! The evidence view of one hazard — what a court or an accountability review asks for: the
//! item and its legal basis, the finding, the order, the photos, who signed it with which
//! device key and where that bundle sits in the device's chain, the re-inspection, every
//! 交办, and the cases opened for it. A supervisor of the hazard's region assigns it here and
//! opens a case for it. Printable (the print style drops the forms and navigation).

use super::form::{Control, Fields, summary};
use super::layout::{Page, page};
use super::links::{href, segment};
use super::{form_sender, may_read, may_record, problem, signed_in, today, unprocessable};
use crate::access::Identity;
use crate::hazards::hazard_rows;
use crate::server::AppState;
use crate::server::api::current_pack;
use crate::server::auth::audit;
use crate::server::error::ApiError;
use crate::store::lists::{Assignment, FoundHazard, HazardKey};
use crate::store::{Account, AuditEntry, HazardFilter, Outcome, ReviewEntry, Role};
use crate::time::cst_minute;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::{Markup, html};
use paicha_core::hazard_ledger::{HazardLedgerRow, china_day};
use paicha_core::lists::{Assignee, AssignmentForm, CaseForm, FieldError, Invalid};
use paicha_core::region::{RegionCode, RegionLevel, Regions};
use paicha_core::reinspection::ReviewOutcome;

const NOT_FOUND: &str = "没有该隐患，或它不在您的辖区 / no such hazard in your regions";

fn key(inspection_id: String, item_id: String) -> HazardKey {
    HazardKey {
        inspection_id,
        item_id,
    }
}

/// The hazard, if it exists and the person may read it (else they learn nothing of it).
async fn readable(
    state: &AppState,
    identity: &Identity,
    key: &HazardKey,
) -> Result<Option<FoundHazard>, ApiError> {
    let found = state
        .store
        .hazard(key)
        .await
        .map_err(ApiError::from_store)?;
    Ok(found.filter(|h| may_read(identity, &h.region_code)))
}

pub async fn evidence(
    State(state): State<AppState>,
    Path((inspection_id, item_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(response) => return response,
    };
    let key = key(inspection_id, item_id);
    show(&state, identity, &key, None)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// An assignment that could not be saved: what was sent (the "whole enterprise" tick too) and
/// what to correct.
type Attempt<'a> = (&'a AssignmentForm, bool, &'a Invalid);

/// The page again with a case (立案) opened from it that could not be saved (422).
pub async fn with_case_attempt(
    state: &AppState,
    identity: Identity,
    key: &HazardKey,
    case: (&CaseForm, &Invalid),
) -> Result<Response, ApiError> {
    Ok(unprocessable(
        show_page(state, identity, key, None, Some(case)).await?,
    ))
}

/// The page; `attempt` is an assignment that could not be saved.
async fn show(
    state: &AppState,
    identity: Identity,
    key: &HazardKey,
    attempt: Option<Attempt<'_>>,
) -> Result<Response, ApiError> {
    show_page(state, identity, key, attempt, None).await
}

/// The page with the forms as the last submission left them.
async fn show_page(
    state: &AppState,
    identity: Identity,
    key: &HazardKey,
    attempt: Option<Attempt<'_>>,
    case: Option<(&CaseForm, &Invalid)>,
) -> Result<Response, ApiError> {
    let Some(found) = readable(state, &identity, key).await? else {
        return Ok(problem(identity, StatusCode::NOT_FOUND, NOT_FOUND));
    };
    let store = &state.store;
    let pack = current_pack(state).await?.names();
    let filter = HazardFilter {
        hazards: Some(vec![(key.inspection_id.clone(), key.item_id.clone())]),
        scope: Some(identity.reads()),
        ..Default::default()
    };
    let rows = hazard_rows(store, &filter, None, &pack)
        .await
        .map_err(ApiError::from_store)?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(problem(identity, StatusCode::NOT_FOUND, NOT_FOUND));
    };
    let provenance = store.provenance(key).await.map_err(ApiError::from_store)?;
    let photos = store
        .hazard_photos(key)
        .await
        .map_err(ApiError::from_store)?;
    let history = store
        .review_history(key)
        .await
        .map_err(ApiError::from_store)?;
    let assignments = store
        .assignments_of(key)
        .await
        .map_err(ApiError::from_store)?;
    let mut cases = store.cases_of(key).await.map_err(ApiError::from_store)?;
    cases.retain(|c| may_read(&identity, &c.region_code));
    let regions = store.region_table().await.map_err(ApiError::from_store)?;
    let accounts = store.accounts().await.map_err(ApiError::from_store)?;
    let recorder = may_record(&identity, &found.region_code);
    let others = if recorder {
        enterprise_open_hazards(state, &identity, &found)
            .await?
            .len()
    } else {
        0
    };
    let href = href(key);
    let body = html! {
        p.actions { button type="button" data-action="print" { "打印 / Print" } }
        (facts(&row))
        (order(&row))
        (signing(&row, provenance.as_ref()))
        section.card aria-labelledby="photos-title" {
            h2 #photos-title { "隐患照片 " span.en lang="en" { "Photos" } }
            @if photos.is_empty() { p { "没有照片。" span.en lang="en" { " No photos." } } }
            div.photos {
                @for (n, photo) in photos.iter().enumerate() {
                    figure {
                        @if photo.arrived {
                            img src={(href) "/photos/" (photo.sha256)} alt={"隐患照片 " (n + 1) " / Photo " (n + 1)} loading="lazy";
                        } @else {
                            p.pending role="status" {
                                "照片 " (n + 1) " 尚未送达：检查员的设备上传后显示。"
                                span.en lang="en" { " Photo " (n + 1) " has not arrived yet: it shows once the inspector's device uploads it." }
                            }
                        }
                        figcaption.mono { "SHA-256 " (photo.sha256) " · " (photo.size) " B" }
                    }
                }
            }
        }
        (review(&row, &history))
        section.card aria-labelledby="assign-title" {
            h2 #assign-title { "交办 " span.en lang="en" { "Assignment" } }
            (assignment_history(&assignments))
            @if recorder {
                (assign_form(&identity, &href, assignees(&found, &regions, &accounts), others, attempt))
            }
        }
        section.card aria-labelledby="cases-title" {
            h2 #cases-title { "案件查办 " span.en lang="en" { "Cases" } }
            @if cases.is_empty() { p { "尚未立案。" span.en lang="en" { " No case opened." } } }
            ul {
                @for case in &cases {
                    li { (case.case_no) " · " (case.cause) " · " (case.status.label_zh()) " " span.en lang="en" { (case.status.label_en()) } }
                }
            }
            @if recorder {
                @let prefilled = super::case_form::prefill(&found);
                @let (values, errors) = case.map_or((&prefilled, None), |(form, errors)| (form, Some(errors)));
                (super::case_form::new_case_form(&super::case_form::from_hazard(key), &identity, values, errors, "hazard-case"))
                p.no-print { a href={"/console/accountability?hazard=" (segment(&found.number))} {
                    "对此隐患记录问责 " span.en lang="en" { "Record accountability for this hazard" } } }
            }
        }
    };
    Ok(page(Page {
        title: ("隐患证据", "Hazard evidence"),
        identity: Some(identity),
        body,
    }))
}

/// A definition list of (Chinese label, value) pairs, empty values shown as "—".
fn facts_list(items: &[(&str, &str)]) -> Markup {
    html! {
        dl.facts {
            @for (label, value) in items {
                dt { (label) }
                dd { @if value.is_empty() { "—" } @else { (value) } }
            }
        }
    }
}

fn facts(row: &HazardLedgerRow) -> Markup {
    html! {
        section.card aria-labelledby="hazard-title" {
            h2 #hazard-title { "隐患 " span.mono { (row.hazard_no) } }
            (facts_list(&[
                ("单位名称", &row.org_name),
                ("统一社会信用代码", &row.uscc),
                ("隐患等级", &row.level),
                ("状态", &row.status),
                ("整改期限", &row.deadline),
                ("检查项", &row.item),
                ("隐患描述", &row.description),
                ("隐患部位", &row.location),
                ("判定依据", &row.basis),
                ("依据文件", &row.basis_document),
                ("依据文件版本", &row.basis_edition),
                ("单位地址", &row.site_address),
                ("乡镇（街道）", &row.site_township),
                ("联系人", &row.contact_name),
                ("联系电话", &row.contact_phone),
            ]))
        }
    }
}

fn order(row: &HazardLedgerRow) -> Markup {
    html! {
        section.card aria-labelledby="order-title" {
            h2 #order-title { "整改指令 " span.en lang="en" { "Rectification order" } }
            (facts_list(&[
                ("整改措施", &row.measures),
                ("整改责任人", &row.responsible),
                ("预计资金（元）", &row.funds_yuan),
                ("是否停产停业", &row.suspension),
                ("治理目标和任务", &row.plan_target),
                ("治理机构和人员", &row.plan_organisation),
                ("安全措施和应急预案", &row.plan_safety_measures),
                ("经费和物资", &row.plan_funds_materials),
                ("治理时限", &row.plan_time_limit),
            ]))
        }
    }
}

fn signing(row: &HazardLedgerRow, provenance: Option<&crate::store::Provenance>) -> Markup {
    let chain = provenance.map(|p| {
        let mut text = format!("第 {} 号批次 / bundle no. {}", p.sequence, p.sequence);
        if p.missing_before > 0 {
            text.push_str(&format!(
                "；此前缺少 {} 个批次（尚未收到） / {} earlier bundle(s) not received",
                p.missing_before, p.missing_before
            ));
        }
        if p.is_fork {
            text.push_str("；同一序号另有批次（分叉） / another bundle holds this number (fork)");
        }
        text
    });
    let received = provenance.map(|p| p.received_at.format("%Y-%m-%d %H:%M:%S UTC").to_string());
    html! {
        section.card aria-labelledby="signing-title" {
            h2 #signing-title { "检查与签名 " span.en lang="en" { "Inspection and signature" } }
            (facts_list(&[
                ("检查日期", &row.check_date),
                ("检查类型", &row.inspection_kind),
                ("检查人员", &row.inspectors),
                ("执法证号", &row.enforcement_cert_no),
                ("执法单位", &row.inspector_organisation),
                ("签章状态", &row.record_state),
                ("检查记录编号", &row.inspection_id),
                ("批次编号", &row.bundle_id),
                ("设备密钥标识", provenance.map_or("", |p| p.key_id.as_str())),
                ("密钥登记人", provenance.map_or("", |p| p.device_inspector.as_str())),
                ("设备批次链", chain.as_deref().unwrap_or("")),
                ("平台收到时间", received.as_deref().unwrap_or("")),
                ("批次载荷 SHA-256", provenance.map_or("", |p| p.payload_sha256.as_str())),
                ("检查表内容哈希", &row.checklist_content_hash),
            ]))
        }
    }
}

fn review(row: &HazardLedgerRow, history: &[ReviewEntry]) -> Markup {
    let outcome = |o: ReviewOutcome| match o {
        ReviewOutcome::Rectified => "已整改 Rectified",
        ReviewOutcome::NotRectified => "未整改 Not rectified",
        ReviewOutcome::Pending => "未复查 Pending",
    };
    let conflicted = history.iter().any(|r| r.conflict);
    html! {
        section.card aria-labelledby="review-title" {
            h2 #review-title { "复查 " span.en lang="en" { "Re-inspection" } }
            @if row.review_inspection_id.is_empty() {
                p { "尚未复查。" span.en lang="en" { " Not re-inspected yet." } }
            } @else {
                (facts_list(&[
                    ("复查结论", &row.review_outcome),
                    ("复查日期", &row.review_day),
                    ("复查意见", &row.review_note),
                    ("处理措施", &row.escalation),
                    ("验收日期", &row.review_date),
                    ("复查记录编号", &row.review_inspection_id),
                ]))
            }
            @if conflicted {
                p.warning role="note" {
                    "复查冲突：以下标注的复查彼此不知对方结论（后签章者开始时，前者尚未签章）。两者均已保存，以最后签章的为准，请核实。"
                    span.en lang="en" { " Conflicting re-inspections: the ones marked decided this hazard without each other's result (the later one started before the earlier was sealed). Both are kept and the one sealed last decides; please check." }
                }
            }
            @if history.len() > 1 || conflicted {
                div.scroll role="region" aria-label="复查记录 Re-inspections" tabindex="0" {
                    table {
                        thead { tr {
                            th scope="col" { "签章时间" }
                            th scope="col" { "复查人" }
                            th scope="col" { "结论" }
                            th scope="col" { "处理措施" }
                            th scope="col" { "复查意见" }
                            th scope="col" { "冲突" }
                        } }
                        tbody {
                            @for r in history {
                                tr {
                                    td { (cst_minute(r.sealed_at)) }
                                    td { (r.inspector.0) " (" (r.inspector.1) ")" }
                                    td { (outcome(r.outcome)) }
                                    td { @if let Some(e) = r.escalation { (e.label_zh()) " " (e.label_en()) } @if !r.new_deadline.is_empty() { " → " (r.new_deadline) } }
                                    td { (r.note) }
                                    td { @if r.conflict { "冲突 Conflict" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn assignment_history(assignments: &[Assignment]) -> Markup {
    html! {
        @if assignments.is_empty() {
            p { "尚未交办。" span.en lang="en" { " Not assigned yet." } }
        } @else {
            div.scroll role="region" aria-label="交办记录 Assignments" tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { "交办对象" }
                        th scope="col" { "办理期限" }
                        th scope="col" { "交办说明" }
                        th scope="col" { "交办时间" }
                        th scope="col" { "状态" }
                    } }
                    tbody {
                        @for a in assignments {
                            tr {
                                td { (a.assignee_name) }
                                td { (a.deadline) }
                                td { (a.note) }
                                td { (china_day(a.assigned_at)) }
                                td { @if a.superseded_at.is_some() { "已改派 Reassigned" } @else { "当前 Current" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The enterprise's other hazards not yet verified (销号) placed where this one is (so that
/// the same townships and inspectors can take them), which the person may assign.
async fn enterprise_open_hazards(
    state: &AppState,
    identity: &Identity,
    found: &FoundHazard,
) -> Result<Vec<FoundHazard>, ApiError> {
    let filter = HazardFilter {
        scope: Some(super::records_in(identity)),
        credit_code: Some(found.credit_code.clone()),
        ..Default::default()
    };
    let rows = state
        .store
        .hazards(&filter)
        .await
        .map_err(ApiError::from_store)?;
    Ok(rows
        .iter()
        .filter(|r| {
            r.credit_code == found.credit_code
                && r.region_code == found.region_code
                && r.status != crate::store::HazardStatus::Verified
                && r.key() != found.key
        })
        .map(crate::store::HazardRow::found)
        .collect())
}

/// The townships a hazard can go to (those of its county) and the inspectors who work there.
fn assignees(
    found: &FoundHazard,
    regions: &Regions,
    accounts: &[Account],
) -> Vec<(String, String)> {
    let Ok(region) = RegionCode::parse(&found.region_code) else {
        return Vec::new();
    };
    let county = match region.level() {
        RegionLevel::Township => region.parent(),
        RegionLevel::County => Some(region.clone()),
        _ => None,
    };
    let mut out: Vec<(String, String)> = county
        .iter()
        .flat_map(|c| regions.children(Some(c)))
        .map(|t| {
            (
                Assignee::Township(t.code.clone()).form_value(),
                format!("乡镇 {}", t.name),
            )
        })
        .collect();
    for account in accounts.iter().filter(|a| a.is_active()) {
        let works_there = account.grants.iter().any(|g| {
            g.role == Role::Inspector && (g.region.contains(&region) || region.contains(&g.region))
        });
        if works_there {
            out.push((
                Assignee::Inspector(account.id.clone()).form_value(),
                format!("检查员 {}", account.name),
            ));
        }
    }
    out
}

fn assign_form(
    identity: &Identity,
    href: &str,
    choices: Vec<(String, String)>,
    others: usize,
    attempt: Option<Attempt<'_>>,
) -> Markup {
    let empty = AssignmentForm::default();
    let (values, whole, errors) = match attempt {
        Some((form, whole, errors)) => (form, whole, Some(errors)),
        None => (&empty, false, None),
    };
    let fields = Fields {
        form: "assign",
        errors,
    };
    html! {
        form.record.no-print method="post" action={(href) "/assign"} aria-label="交办此隐患 Assign this hazard" {
            input type="hidden" name="csrf" value=(identity.csrf_token);
            (summary(errors))
            (fields.field("assignee", ("交办给", "Assign to"), &values.assignee, Control::Select(choices), true))
            (fields.field("deadline", ("办理期限", "Deadline"), &values.deadline, Control::Date, true))
            (fields.field("note", ("交办说明", "Note"), &values.note, Control::TextArea, false))
            @if others > 0 {
                div.check {
                    input #assign-whole type="checkbox" name="whole_enterprise" checked[whole];
                    label for="assign-whole" { "同时交办该单位在同一区域的其他未销号隐患（" (others) " 项）"
                        span.en lang="en" { " Also assign the enterprise's " (others) " other open hazard(s) here" } }
                }
            }
            button.primary type="submit" { "交办 / Assign" }
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct AssignRequest {
    csrf: String,
    /// `on`: assign every other open hazard of the enterprise too.
    #[serde(default)]
    whole_enterprise: Option<String>,
    #[serde(flatten)]
    form: AssignmentForm,
}

pub async fn assign(
    State(state): State<AppState>,
    Path((inspection_id, item_id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    Form(request): Form<AssignRequest>,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &request.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let key = key(inspection_id, item_id);
    let Some(found) = readable(&state, &identity, &key).await? else {
        return Ok(problem(identity, StatusCode::NOT_FOUND, NOT_FOUND));
    };
    if !may_record(&identity, &found.region_code) {
        audit(
            &state,
            AuditEntry::new(identity.actor(), "hazard_assigned", Outcome::Denied)
                .target(&found.number)
                .detail("not a supervisor of the hazard's region"),
        )
        .await;
        return Ok(problem(
            identity,
            StatusCode::FORBIDDEN,
            "只有该隐患所在辖区的督查可以交办 / only supervisors of the hazard's region assign it",
        ));
    }
    let form = request.form;
    let checked = match form.check(today()) {
        Ok(new) => assignee_name(&state, &found, &new.assignee)
            .await?
            .map(|name| (new, name)),
        Err(errors) => Err(errors),
    };
    let (new, name) = match checked {
        Ok(done) => done,
        Err(errors) => {
            return Ok(unprocessable(
                show(
                    &state,
                    identity,
                    &key,
                    Some((&form, request.whole_enterprise.is_some(), &errors)),
                )
                .await?,
            ));
        }
    };
    let now = Utc::now();
    let mut targets = vec![found];
    if request.whole_enterprise.is_some() {
        for other in enterprise_open_hazards(&state, &identity, &targets[0]).await? {
            targets.push(other);
        }
    }
    for hazard in &targets {
        let assignment = Assignment {
            id: uuid::Uuid::new_v4().to_string(),
            hazard: hazard.key.clone(),
            region_code: hazard.region_code.clone(),
            assignee: new.assignee.clone(),
            assignee_name: name.clone(),
            deadline: new.deadline,
            note: new.note.clone(),
            assigned_by: identity.account.id.clone(),
            assigned_at: now,
            superseded_at: None,
        };
        let entry = AuditEntry::new(identity.actor(), "hazard_assigned", Outcome::Ok)
            .target(&hazard.number)
            .detail(format!(
                "to {} ({}), deadline {}",
                assignment.assignee.form_value(),
                assignment.assignee_name,
                assignment.deadline
            ));
        state
            .store
            .assign(&assignment, &entry)
            .await
            .map_err(ApiError::from_store)?;
    }
    Ok(Redirect::to(&format!("{}#assign-title", href(&key))).into_response())
}

/// The name of the chosen assignee, once it is one of those the form offered (a township of
/// the hazard's county, an inspector working there).
async fn assignee_name(
    state: &AppState,
    found: &FoundHazard,
    assignee: &Assignee,
) -> Result<Result<String, Invalid>, ApiError> {
    let regions = state
        .store
        .region_table()
        .await
        .map_err(ApiError::from_store)?;
    let accounts = state.store.accounts().await.map_err(ApiError::from_store)?;
    let value = assignee.form_value();
    Ok(match assignees(found, &regions, &accounts).into_iter().find(|(v, _)| *v == value) {
        Some((_, label)) => Ok(label),
        None => Err(Invalid(vec![FieldError {
            field: "assignee".into(),
            message: "只能交办给该隐患所在县区的乡镇或检查员 / assign to a township or an inspector of the hazard's county".into(),
        }])),
    })
}

pub async fn photo(
    State(state): State<AppState>,
    Path((inspection_id, item_id, sha256)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let key = key(inspection_id, item_id);
    let found = readable(&state, &identity, &key).await?;
    let photo = match found {
        Some(_) => state
            .store
            .hazard_photo(&key, &sha256)
            .await
            .map_err(ApiError::from_store)?,
        None => None,
    };
    let Some((media_type, bytes)) = photo else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", NOT_FOUND));
    };
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            // Evidence of one region: kept by no cache, not even the browser's after sign-out.
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
