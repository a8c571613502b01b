//! 违法企业处罚: administrative penalties on enterprises of the person's regions, recorded
//! with their decision number, legal basis, kind and amount, linked to a case when there is one.

use super::cases::ListQuery;
use super::export::{Export, Format, download, filter_form};
use super::form::{Control, Fields, options, record_form};
use super::layout::{Page, page};
use super::links::with_search;
use super::proposals::{escalated, proposed};
use super::{form_sender, may_read, may_record, records_in, signed_page, today, unprocessable};
use crate::access::Identity;
use crate::server::AppState;
use crate::server::auth::audit;
use crate::server::error::ApiError;
use crate::store::lists::{ListFilter, Penalty, Recorded};
use crate::store::{AuditEntry, Outcome};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use paicha_core::lists::{FieldError, Invalid, NewPenalty, PenaltyForm, PenaltyKind, format_yuan};
use paicha_core::region::RegionCode;
use paicha_core::reinspection::Escalation;

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    signed_page(&state, &headers, |identity| {
        show(&state, identity, &query, None)
    })
    .await
}

async fn show(
    state: &AppState,
    identity: Identity,
    query: &ListQuery,
    attempt: Option<(&PenaltyForm, &Invalid)>,
) -> Result<Response, ApiError> {
    let filter = ListFilter {
        scope: Some(identity.reads()),
        enterprise: Some(query.q.clone()),
    };
    let penalties = state
        .store
        .penalties(&filter)
        .await
        .map_err(ApiError::from_store)?;
    if let Some(format) = Format::parse(&query.format) {
        return Ok(download(export(&penalties), format));
    }
    let total_fen: i64 = penalties.iter().filter_map(|p| p.amount_fen).sum();
    // 责令停产停业整顿 proposed by a re-inspection, until a suspension of that enterprise is
    // recorded.
    let suspended: Vec<String> = state
        .store
        .penalties(&ListFilter {
            scope: Some(identity.reads()),
            enterprise: None,
        })
        .await
        .map_err(ApiError::from_store)?
        .into_iter()
        .filter(|p| p.kind == PenaltyKind::Suspension)
        .map(|p| p.credit_code)
        .collect();
    let mut open = escalated(state, &identity, &[Escalation::Suspension]).await?;
    open.retain(|(found, _)| !suspended.contains(&found.credit_code));
    let blank = PenaltyForm {
        decided_on: today().to_string(),
        ..Default::default()
    };
    let (values, errors) = attempt.map_or((&blank, None), |(v, e)| (v, Some(e)));
    let kinds = options(PenaltyKind::ALL, PenaltyKind::slug, PenaltyKind::label);
    let fields = Fields {
        form: "penalty",
        errors,
    };
    let body = html! {
        (proposed(
            ("待确认的处罚建议", "Proposed by re-inspections"),
            "复查时提出责令停产停业整顿、尚未记录停产停业处罚的单位。 Enterprises a re-inspection proposed to suspend, with no suspension recorded yet.",
            &open,
        ))
        (filter_form("/console/penalties", ("单位名称或信用代码", "Enterprise or credit code"), &query.q))
        section.card aria-labelledby="penalties-title" {
            h2 #penalties-title { "违法企业处罚清单 " span.en lang="en" { "Penalties on enterprises" } }
            p role="status" { "共 " (penalties.len()) " 项，罚没金额合计 " (format_yuan(total_fen)) " 元"
                span.en lang="en" { " " (penalties.len()) " penalties, " (format_yuan(total_fen)) " yuan in all" } }
            div.scroll role="region" aria-label="违法企业处罚表格 Penalties table" tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { "决定书文号" } th scope="col" { "单位名称" } th scope="col" { "处罚依据" }
                        th scope="col" { "处罚种类" } th scope="col" { "金额（元）" } th scope="col" { "决定日期" }
                        th scope="col" { "案件编号" }
                    } }
                    tbody {
                        @for p in &penalties {
                            tr {
                                td { (p.decision_no) }
                                td { (p.org_name) br; span.mono { (p.credit_code) } }
                                td { (p.legal_basis) }
                                td { (p.kind.label_zh()) }
                                td { @if let Some(fen) = p.amount_fen { (format_yuan(fen)) } }
                                td { (p.decided_on) }
                                td { @if let Some(no) = &p.case_no { (no) } }
                            }
                        }
                    }
                }
            }
        }
        @if !records_in(&identity).is_empty() {
            section.card {
                (record_form(&with_search("/console/penalties", &query.q), ("记录处罚", "Record a penalty"), "记录处罚 / Record penalty", &identity.csrf_token, errors, html! {
                    (fields.field("decision_no", ("决定书文号", "Decision number"), &values.decision_no, Control::Text, true))
                    (fields.field("org_name", ("单位名称", "Enterprise"), &values.org_name, Control::Text, true))
                    (fields.field("credit_code", ("统一社会信用代码", "Credit code"), &values.credit_code, Control::Text, true))
                    (fields.field("legal_basis", ("处罚依据", "Legal basis"), &values.legal_basis, Control::TextArea, true))
                    (fields.field("kind", ("处罚种类", "Kind of penalty"), &values.kind, Control::Select(kinds), true))
                    (fields.field("amount_yuan", ("金额（元）", "Amount (yuan)"), &values.amount_yuan, Control::Amount, false))
                    (fields.field("decided_on", ("决定日期", "Decided on"), &values.decided_on, Control::Date, true))
                    (fields.field("case_no", ("案件编号", "Case number"), &values.case_no, Control::Text, false))
                }))
            }
        }
    };
    Ok(page(Page {
        title: ("违法企业处罚", "Penalties"),
        identity: Some(identity),
        body,
    }))
}

fn export(penalties: &[Penalty]) -> Export {
    Export {
        file_stem: "违法企业处罚清单",
        header: vec![
            "决定书文号",
            "单位名称",
            "统一社会信用代码",
            "区域代码",
            "处罚依据",
            "处罚种类",
            "金额（元）",
            "决定日期",
            "案件编号",
        ],
        rows: penalties
            .iter()
            .map(|p| {
                vec![
                    p.decision_no.clone(),
                    p.org_name.clone(),
                    p.credit_code.clone(),
                    p.region_code.clone(),
                    p.legal_basis.clone(),
                    p.kind.label_zh().to_string(),
                    p.amount_fen.map(format_yuan).unwrap_or_default(),
                    p.decided_on.to_string(),
                    p.case_no.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct RecordRequest {
    csrf: String,
    #[serde(flatten)]
    form: PenaltyForm,
}

fn problem_at(field: &str, message: &str) -> Invalid {
    Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

/// Where a penalty belongs: its case's region, else where the enterprise was registered —
/// one the person supervises. Also the case's id.
async fn place(
    state: &AppState,
    identity: &Identity,
    new: &NewPenalty,
) -> Result<Result<(String, Option<String>), Invalid>, ApiError> {
    let outside = "该单位或案件不在您督查的辖区 / the enterprise or case is outside the regions you supervise";
    let (region, case_id) = match &new.case_no {
        Some(no) => {
            let case = state
                .store
                .case_by_no(no)
                .await
                .map_err(ApiError::from_store)?;
            match case.filter(|c| may_read(identity, &c.region_code)) {
                Some(case) => (case.region_code, Some(case.id)),
                None => {
                    return Ok(Err(problem_at(
                        "case_no",
                        "您的辖区没有该案件编号 / no case with that number in your regions",
                    )));
                }
            }
        }
        None => match RegionCode::of_registration(&new.credit_code) {
            Some(code) => (code.to_string(), None),
            None => return Ok(Err(problem_at("credit_code", outside))),
        },
    };
    if !may_record(identity, &region) {
        let field = if case_id.is_some() {
            "case_no"
        } else {
            "credit_code"
        };
        audit(
            state,
            AuditEntry::new(identity.actor(), "penalty_recorded", Outcome::Denied)
                .target(&new.decision_no)
                .detail(format!("region {region} is not one the account supervises")),
        )
        .await;
        return Ok(Err(problem_at(field, outside)));
    }
    Ok(Ok((region, case_id)))
}

pub async fn record(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
    Form(request): Form<RecordRequest>,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &request.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let form = request.form;
    let placed = match form.check(today()) {
        Ok(new) => place(&state, &identity, &new).await?.map(|p| (new, p)),
        Err(errors) => Err(errors),
    };
    let (new, (region, case_id)) = match placed {
        Ok(done) => done,
        Err(errors) => return again(&state, identity, &query, &form, &errors).await,
    };
    let penalty = Penalty {
        id: uuid::Uuid::new_v4().to_string(),
        decision_no: new.decision_no,
        org_name: new.org_name,
        credit_code: new.credit_code.to_string(),
        legal_basis: new.legal_basis,
        kind: new.kind,
        amount_fen: new.amount_fen,
        decided_on: new.decided_on,
        case_no: new.case_no,
        region_code: region.clone(),
        created_by: identity.account.id.clone(),
        created_at: Utc::now(),
    };
    let entry = AuditEntry::new(identity.actor(), "penalty_recorded", Outcome::Ok)
        .target(&penalty.decision_no)
        .detail(format!("{} region {region}", penalty.kind.slug()));
    match state
        .store
        .record_penalty(&penalty, case_id.as_deref(), &entry)
        .await
        .map_err(ApiError::from_store)?
    {
        Recorded::Recorded => Ok(Redirect::to("/console/penalties").into_response()),
        Recorded::Duplicate => {
            let errors = problem_at(
                "decision_no",
                "该决定书文号已登记 / this decision number is already recorded",
            );
            again(&state, identity, &query, &form, &errors).await
        }
    }
}

async fn again(
    state: &AppState,
    identity: Identity,
    query: &ListQuery,
    form: &PenaltyForm,
    errors: &Invalid,
) -> Result<Response, ApiError> {
    Ok(unprocessable(
        show(state, identity, query, Some((form, errors))).await?,
    ))
}
