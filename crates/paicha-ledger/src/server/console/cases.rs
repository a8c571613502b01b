//! 案件查办: the cases of the person's regions, opening one (from here or from a hazard's
//! evidence), closing it, and the escalations devices proposed (立案查处, 提请挂牌督办) that
//! no case answers yet.

use super::case_form::new_case_form;
use super::export::{Export, Format, download};
use super::layout::{Page, page};
use super::links::segment;
use super::links::with_search;
use super::proposals::{escalated, proposed};
use super::{
    form_sender, may_read, may_record, problem, records_in, signed_page, today, unprocessable,
};
use crate::access::Identity;
use crate::server::AppState;
use crate::server::auth::audit;
use crate::server::error::ApiError;
use crate::store::lists::{Case, HazardKey, ListFilter, Recorded};
use crate::store::{AuditEntry, Outcome};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use paicha_core::lists::{CaseForm, CaseStatus, CloseCaseForm, FieldError, Invalid, NewCase};
use paicha_core::region::RegionCode;
use paicha_core::reinspection::Escalation;

/// The list's filters, from the query string.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Enterprise name or credit code contains.
    #[serde(default)]
    pub q: String,
    /// `csv` for the export.
    #[serde(default)]
    pub format: String,
    /// A case opened from a hazard's evidence page: that hazard, so that a mistake is shown
    /// there, beside the hazard it was being opened for.
    #[serde(default)]
    pub from_inspection: String,
    #[serde(default)]
    pub from_item: String,
}

impl ListQuery {
    fn opened_from(&self) -> Option<HazardKey> {
        (!self.from_inspection.is_empty() && !self.from_item.is_empty()).then(|| HazardKey {
            inspection_id: self.from_inspection.clone(),
            item_id: self.from_item.clone(),
        })
    }
}

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
    attempt: Option<(&CaseForm, &Invalid)>,
) -> Result<Response, ApiError> {
    let filter = ListFilter {
        scope: Some(identity.reads()),
        enterprise: Some(query.q.clone()),
    };
    let cases = state
        .store
        .cases(&filter)
        .await
        .map_err(ApiError::from_store)?;
    if let Some(format) = Format::parse(&query.format) {
        return Ok(download(export(&cases), format));
    }
    let mut proposals = escalated(
        state,
        &identity,
        &[Escalation::PenaltyCase, Escalation::ListedSupervision],
    )
    .await?;
    // Proposed until a case names the hazard.
    let mut open = Vec::new();
    for (found, escalation) in proposals.drain(..) {
        let named = !state
            .store
            .cases_of(&found.key)
            .await
            .map_err(ApiError::from_store)?
            .is_empty();
        if !named {
            open.push((found, escalation));
        }
    }
    let recorder = !records_in(&identity).is_empty();
    let blank = CaseForm {
        opened_on: today().to_string(),
        ..Default::default()
    };
    let (values, errors) = attempt.map_or((&blank, None), |(v, e)| (v, Some(e)));
    let body = html! {
        (proposed(
            ("待确认的立案建议", "Proposed by re-inspections"),
            "复查时提出立案查处或挂牌督办、尚未立案的隐患。 Hazards a re-inspection escalated that no case answers yet.",
            &open,
        ))
        (super::export::filter_form("/console/cases", ("单位名称或信用代码", "Enterprise or credit code"), &query.q))
        section.card aria-labelledby="cases-title" {
            h2 #cases-title { "案件查办清单 " span.en lang="en" { "Cases" } }
            p role="status" { "共 " (cases.len()) " 件" span.en lang="en" { " " (cases.len()) " cases" } }
            div.scroll role="region" aria-label="案件查办表格 Cases table" tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { "案件编号" } th scope="col" { "案由" } th scope="col" { "单位名称" }
                        th scope="col" { "立案日期" } th scope="col" { "状态" } th scope="col" { "结案日期" }
                        th scope="col" { "关联隐患" } th scope="col" { "操作" }
                    } }
                    tbody {
                        @for case in &cases {
                            tr {
                                td { (case.case_no) }
                                td { (case.cause) }
                                td { (case.org_name) br; span.mono { (case.credit_code) } }
                                td { (case.opened_on) }
                                td { (case.status.label_zh()) " " span.en lang="en" { (case.status.label_en()) } }
                                td { @if let Some(day) = case.closed_on { (day) } }
                                td { @for number in &case.hazards { span.mono { (number) } br; } }
                                td {
                                    @if case.status == CaseStatus::Open && may_record(&identity, &case.region_code) {
                                        form.inline method="post" action={"/console/cases/" (segment(&case.id)) "/close"}
                                            aria-label={"结案 " (case.case_no)} {
                                            input type="hidden" name="csrf" value=(identity.csrf_token);
                                            label for={"close-" (case.id)} { "结案日期 / Closed on" }
                                            input id={"close-" (case.id)} name="closed_on" type="date" value=(today()) required;
                                            button type="submit" { "结案 / Close" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if recorder {
            section.card { (new_case_form(&with_search("/console/cases", &query.q), &identity, values, errors, "case")) }
        }
    };
    Ok(page(Page {
        title: ("案件查办", "Cases"),
        identity: Some(identity),
        body,
    }))
}

fn export(cases: &[Case]) -> Export {
    Export {
        file_stem: "案件查办清单",
        header: vec![
            "案件编号",
            "案由",
            "单位名称",
            "统一社会信用代码",
            "区域代码",
            "立案日期",
            "状态",
            "结案日期",
            "关联隐患编号",
        ],
        rows: cases
            .iter()
            .map(|c| {
                vec![
                    c.case_no.clone(),
                    c.cause.clone(),
                    c.org_name.clone(),
                    c.credit_code.clone(),
                    c.region_code.clone(),
                    c.opened_on.to_string(),
                    c.status.label_zh().to_string(),
                    c.closed_on.map(|d| d.to_string()).unwrap_or_default(),
                    c.hazards.join(" "),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct OpenRequest {
    csrf: String,
    #[serde(flatten)]
    form: CaseForm,
}

pub async fn open(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
    Form(request): Form<OpenRequest>,
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
    let (new, (region, hazards)) = match placed {
        Ok(done) => done,
        Err(errors) => return again(&state, identity, &query, &form, &errors).await,
    };
    let now = Utc::now();
    let case = Case {
        id: uuid::Uuid::new_v4().to_string(),
        case_no: new.case_no.clone(),
        cause: new.cause,
        org_name: new.org_name,
        credit_code: new.credit_code.to_string(),
        region_code: region.clone(),
        opened_on: new.opened_on,
        status: CaseStatus::Open,
        closed_on: None,
        created_by: identity.account.id.clone(),
        created_at: now,
        hazards: Vec::new(),
    };
    let entry = AuditEntry::new(identity.actor(), "case_opened", Outcome::Ok)
        .target(&case.case_no)
        .detail(format!("region {region}, {} hazard(s)", hazards.len()));
    match state
        .store
        .open_case(&case, &hazards, &entry)
        .await
        .map_err(ApiError::from_store)?
    {
        // Opened from a list or from a hazard's evidence, the new case is shown among the others.
        Recorded::Recorded => Ok(Redirect::to("/console/cases").into_response()),
        Recorded::Duplicate => {
            let errors = Invalid(vec![FieldError {
                field: "case_no".into(),
                message: "该案件编号已登记 / this case number is already recorded".into(),
            }]);
            again(&state, identity, &query, &form, &errors).await
        }
    }
}

/// The list again with the form as it was sent and what to correct (422).
async fn again(
    state: &AppState,
    identity: Identity,
    query: &ListQuery,
    form: &CaseForm,
    errors: &Invalid,
) -> Result<Response, ApiError> {
    if let Some(key) = query.opened_from() {
        return super::hazard::with_case_attempt(state, identity, &key, (form, errors)).await;
    }
    Ok(unprocessable(
        show(state, identity, query, Some((form, errors))).await?,
    ))
}

fn outside(field: &str) -> Invalid {
    Invalid(vec![FieldError {
        field: field.into(),
        message: "该单位或隐患不在您督查的辖区 / the enterprise or hazard is outside the regions you supervise".into(),
    }])
}

/// Where a new case belongs and the hazards it names: its first hazard's region, or, without
/// hazards, the region its enterprise was registered in — one the person supervises.
async fn place(
    state: &AppState,
    identity: &Identity,
    new: &NewCase,
) -> Result<Result<(String, Vec<HazardKey>), Invalid>, ApiError> {
    let mut found = Vec::new();
    for number in &new.hazards {
        let matches = state
            .store
            .find_hazard(number)
            .await
            .map_err(ApiError::from_store)?;
        match matches
            .into_iter()
            .find(|h| may_read(identity, &h.region_code))
        {
            Some(hazard) => found.push(hazard),
            None => {
                return Ok(Err(Invalid(vec![FieldError {
                    field: "hazards".into(),
                    message: format!(
                        "您的辖区没有隐患 {number} / no hazard {number} in your regions"
                    ),
                }])));
            }
        }
    }
    // The case belongs to the innermost region holding all its hazards, so that whoever reads
    // the case reads every hazard it names (and no one reads it beside a hazard they cannot).
    let region = if found.is_empty() {
        match RegionCode::of_registration(&new.credit_code) {
            Some(code) => code.to_string(),
            None => return Ok(Err(outside("credit_code"))),
        }
    } else {
        let codes: Vec<RegionCode> = found
            .iter()
            .filter_map(|h| RegionCode::parse(&h.region_code).ok())
            .collect();
        match RegionCode::common(&codes).filter(|_| codes.len() == found.len()) {
            Some(code) => code.to_string(),
            None => return Ok(Err(outside("hazards"))),
        }
    };
    if !may_record(identity, &region) {
        let field = if found.is_empty() {
            "credit_code"
        } else {
            "hazards"
        };
        audit(
            state,
            AuditEntry::new(identity.actor(), "case_opened", Outcome::Denied)
                .target(&new.case_no)
                .detail(format!("region {region} is not one the account supervises")),
        )
        .await;
        return Ok(Err(outside(field)));
    }
    Ok(Ok((region, found.into_iter().map(|h| h.key).collect())))
}

pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
    Form(request): Form<CloseRequest>,
) -> Result<Response, ApiError> {
    let identity = match form_sender(&state, &method, &headers, &request.csrf).await? {
        Ok(identity) => identity,
        Err(response) => return Ok(response),
    };
    let case = state
        .store
        .case_by_id(&id)
        .await
        .map_err(ApiError::from_store)?;
    let Some(case) = case.filter(|c| may_read(&identity, &c.region_code)) else {
        return Ok(problem(
            identity,
            StatusCode::NOT_FOUND,
            "没有该案件 / no such case",
        ));
    };
    if !may_record(&identity, &case.region_code) {
        audit(
            &state,
            AuditEntry::new(identity.actor(), "case_closed", Outcome::Denied).target(&case.case_no),
        )
        .await;
        return Ok(problem(
            identity,
            StatusCode::FORBIDDEN,
            "只有该案件所在辖区的督查可以结案 / only supervisors of the case's region close it",
        ));
    }
    let form = CloseCaseForm {
        closed_on: request.closed_on,
    };
    let closed_on = match form.check(case.opened_on, today()) {
        Ok(day) => day,
        Err(errors) => {
            return Ok(problem(
                identity,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors.to_string(),
            ));
        }
    };
    let entry = AuditEntry::new(identity.actor(), "case_closed", Outcome::Ok)
        .target(&case.case_no)
        .detail(format!("closed on {closed_on}"));
    state
        .store
        .close_case(&case.id, closed_on, &entry, Utc::now())
        .await
        .map_err(ApiError::from_store)?;
    Ok(Redirect::to("/console/cases").into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct CloseRequest {
    csrf: String,
    #[serde(default)]
    closed_on: String,
}
