//! 追责问责: officials held accountable for hazards or cases of the person's regions — who,
//! their post and unit, why, the measure and when — each tied to the hazard or case concerned.

use super::export::{Export, Format, download, filter_form};
use super::form::{Control, Fields, options, record_form};
use super::layout::{Page, page};
use super::links::with_search;
use super::{form_sender, may_read, may_record, records_in, signed_page, today, unprocessable};
use crate::access::Identity;
use crate::server::AppState;
use crate::server::auth::audit;
use crate::server::error::ApiError;
use crate::store::lists::{Accountability, HazardKey, ListFilter};
use crate::store::{AuditEntry, Outcome};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use paicha_core::lists::{
    AccountabilityForm, AccountabilityMeasure, FieldError, Invalid, NewAccountability,
};
use paicha_core::region::RegionCode;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Person or unit contains.
    #[serde(default)]
    q: String,
    #[serde(default)]
    format: String,
    /// A hazard number to fill in (the evidence page links here with it).
    #[serde(default)]
    hazard: String,
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
    attempt: Option<(&AccountabilityForm, &Invalid)>,
) -> Result<Response, ApiError> {
    let filter = ListFilter {
        scope: Some(identity.reads()),
        enterprise: Some(query.q.clone()),
    };
    let entries = state
        .store
        .accountabilities(&filter)
        .await
        .map_err(ApiError::from_store)?;
    if let Some(format) = Format::parse(&query.format) {
        return Ok(download(export(&entries), format));
    }
    let blank = AccountabilityForm {
        decided_on: today().to_string(),
        hazard: query.hazard.chars().take(80).collect(),
        ..Default::default()
    };
    let (values, errors) = attempt.map_or((&blank, None), |(v, e)| (v, Some(e)));
    let measures = options(
        AccountabilityMeasure::ALL,
        AccountabilityMeasure::slug,
        AccountabilityMeasure::label,
    );
    let fields = Fields {
        form: "accountability",
        errors,
    };
    let body = html! {
        (filter_form("/console/accountability", ("被问责人或单位", "Person or unit"), &query.q))
        section.card aria-labelledby="accountability-title" {
            h2 #accountability-title { "追责问责清单 " span.en lang="en" { "Accountability" } }
            p role="status" { "共 " (entries.len()) " 人次" span.en lang="en" { " " (entries.len()) " entries" } }
            div.scroll role="region" aria-label="追责问责表格 Accountability table" tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { "被问责人" } th scope="col" { "职务" } th scope="col" { "单位" }
                        th scope="col" { "问责事由" } th scope="col" { "问责方式" } th scope="col" { "问责日期" }
                        th scope="col" { "所涉隐患或案件" }
                    } }
                    tbody {
                        @for a in &entries {
                            tr {
                                td { (a.person) } td { (a.post) } td { (a.unit) } td { (a.reason) }
                                td { (a.measure.label_zh()) } td { (a.decided_on) }
                                td {
                                    @if let Some(number) = &a.hazard { span.mono { (number) } br; }
                                    @if let Some(no) = &a.case_no { (no) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !records_in(&identity).is_empty() {
            section.card {
                (record_form(&with_search("/console/accountability", &query.q), ("记录问责", "Record accountability"), "记录问责 / Record", &identity.csrf_token, errors, html! {
                    (fields.field("person", ("被问责人", "Person"), &values.person, Control::Text, true))
                    (fields.field("post", ("职务", "Post"), &values.post, Control::Text, true))
                    (fields.field("unit", ("单位", "Unit"), &values.unit, Control::Text, true))
                    (fields.field("reason", ("问责事由", "Reason"), &values.reason, Control::TextArea, true))
                    (fields.field("measure", ("问责方式", "Measure"), &values.measure, Control::Select(measures), true))
                    (fields.field("decided_on", ("问责日期", "Decided on"), &values.decided_on, Control::Date, true))
                    (fields.field("hazard", ("所涉隐患编号", "Hazard number"), &values.hazard, Control::Text, false))
                    (fields.field("case_no", ("所涉案件编号", "Case number"), &values.case_no, Control::Text, false))
                }))
            }
        }
    };
    Ok(page(Page {
        title: ("追责问责", "Accountability"),
        identity: Some(identity),
        body,
    }))
}

fn export(entries: &[Accountability]) -> Export {
    Export {
        file_stem: "追责问责清单",
        header: vec![
            "被问责人",
            "职务",
            "单位",
            "问责事由",
            "问责方式",
            "问责日期",
            "所涉隐患编号",
            "所涉案件编号",
            "区域代码",
        ],
        rows: entries
            .iter()
            .map(|a| {
                vec![
                    a.person.clone(),
                    a.post.clone(),
                    a.unit.clone(),
                    a.reason.clone(),
                    a.measure.label_zh().to_string(),
                    a.decided_on.to_string(),
                    a.hazard.clone().unwrap_or_default(),
                    a.case_no.clone().unwrap_or_default(),
                    a.region_code.clone(),
                ]
            })
            .collect(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct RecordRequest {
    csrf: String,
    #[serde(flatten)]
    form: AccountabilityForm,
}

fn problem_at(field: &str, message: impl Into<String>) -> Invalid {
    Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

/// The hazard and case an entry concerns (each readable by the person) and its region: the
/// hazard's, else the case's — one the person supervises.
async fn place(
    state: &AppState,
    identity: &Identity,
    new: &NewAccountability,
) -> Result<Result<(String, Option<HazardKey>, Option<String>), Invalid>, ApiError> {
    let mut linked: Vec<RegionCode> = Vec::new();
    let mut hazard = None;
    if let Some(number) = &new.hazard {
        let found = state
            .store
            .find_hazard(number)
            .await
            .map_err(ApiError::from_store)?;
        match found
            .into_iter()
            .find(|h| may_read(identity, &h.region_code))
        {
            Some(h) => {
                linked.extend(RegionCode::parse(&h.region_code).ok());
                hazard = Some(h.key);
            }
            None => {
                return Ok(Err(problem_at(
                    "hazard",
                    format!("您的辖区没有隐患 {number} / no hazard {number} in your regions"),
                )));
            }
        }
    }
    let mut case_id = None;
    if let Some(no) = &new.case_no {
        let case = state
            .store
            .case_by_no(no)
            .await
            .map_err(ApiError::from_store)?;
        match case.filter(|c| may_read(identity, &c.region_code)) {
            Some(case) => {
                linked.extend(RegionCode::parse(&case.region_code).ok());
                case_id = Some(case.id);
            }
            None => {
                return Ok(Err(problem_at(
                    "case_no",
                    "您的辖区没有该案件编号 / no case with that number in your regions",
                )));
            }
        }
    }
    // The entry belongs to the innermost region holding its hazard and its case, so that its
    // readers read both.
    let region = RegionCode::common(&linked)
        .map(|r| r.to_string())
        .unwrap_or_default();
    if !may_record(identity, &region) {
        audit(
            state,
            AuditEntry::new(identity.actor(), "accountability_recorded", Outcome::Denied)
                .target(&new.person)
                .detail(format!(
                    "region {region:?} is not one the account supervises"
                )),
        )
        .await;
        return Ok(Err(problem_at(
            if hazard.is_some() {
                "hazard"
            } else {
                "case_no"
            },
            "该隐患或案件不在您督查的辖区 / the hazard or case is outside the regions you supervise",
        )));
    }
    Ok(Ok((region, hazard, case_id)))
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
    let (new, (region, hazard, case_id)) = match placed {
        Ok(done) => done,
        Err(errors) => {
            return Ok(unprocessable(
                show(&state, identity, &query, Some((&form, &errors))).await?,
            ));
        }
    };
    let entry = Accountability {
        id: uuid::Uuid::new_v4().to_string(),
        person: new.person,
        post: new.post,
        unit: new.unit,
        reason: new.reason,
        measure: new.measure,
        decided_on: new.decided_on,
        hazard: new.hazard.map(|h| h.to_string()),
        case_no: new.case_no,
        region_code: region.clone(),
        created_by: identity.account.id.clone(),
        created_at: Utc::now(),
    };
    let audit = AuditEntry::new(identity.actor(), "accountability_recorded", Outcome::Ok)
        .target(&entry.id)
        .detail(format!(
            "{} ({}) {} region {region}",
            entry.person,
            entry.unit,
            entry.measure.slug()
        ));
    state
        .store
        .record_accountability(&entry, hazard.as_ref(), case_id.as_deref(), &audit)
        .await
        .map_err(ApiError::from_store)?;
    Ok(Redirect::to("/console/accountability").into_response())
}
