//! The hazard ledger of the signed-in person's regions.

use super::layout::{Page, page, role_label};
use super::signed_in;
use crate::hazards::{HazardQuery, hazard_rows};
use crate::server::AppState;
use crate::server::error::ApiError;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::html;
use paicha_core::wire::HazardsQuery;

/// The most rows the page lists (the export has them all).
const SHOWN: usize = 200;

pub async fn overview(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(response) => return response,
    };
    match build(&state, identity).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn build(state: &AppState, identity: crate::access::Identity) -> Result<Response, ApiError> {
    let regions = state
        .store
        .region_table()
        .await
        .map_err(ApiError::from_store)?;
    let reads = identity.reads();
    let query = HazardQuery::new(&HazardsQuery::default())
        .map_err(ApiError::bad_query)?
        .within(reads.clone());
    let names = crate::server::api::current_pack(state).await?.names();
    let mut rows = hazard_rows(&state.store, &query.filter, None, &names)
        .await
        .map_err(ApiError::from_store)?;
    let total = rows.len();
    rows.reverse(); // newest first
    rows.truncate(SHOWN);
    let body = html! {
        section.card aria-labelledby="scope-title" {
            h2 #scope-title { "您的权限 " span.en lang="en" { "What you may see" } }
            ul {
                @for grant in &identity.account.grants {
                    li { (role_label(grant.role)) " · " (regions.path(&grant.region)) " (" (grant.region) ")" }
                }
            }
            @if reads.is_empty() {
                p { "您的角色不能查看隐患台账。" span.en lang="en" { " Your roles do not read the hazard ledger." } }
            }
        }
        section.card aria-labelledby="ledger-title" {
            h2 #ledger-title { "隐患台账 " span.en lang="en" { "Hazard ledger" } }
            p role="status" {
                "共 " (total) " 项隐患"
                @if total > SHOWN { "，显示最新 " (SHOWN) " 项" }
                span.en lang="en" { " " (total) " hazards" @if total > SHOWN { ", newest " (SHOWN) " shown" } }
            }
            div.scroll role="region" aria-label="隐患台账表格 Hazard ledger table" tabindex="0" {
                table {
                    thead { tr {
                        th scope="col" { "隐患编号" }
                        th scope="col" { "单位名称" }
                        th scope="col" { "检查日期" }
                        th scope="col" { "隐患等级" }
                        th scope="col" { "状态" }
                        th scope="col" { "整改期限" }
                        th scope="col" { "检查项" }
                    } }
                    tbody {
                        @for row in &rows {
                            tr {
                                td.mono { a href=(super::hazard::href(&crate::store::lists::HazardKey {
                                    inspection_id: row.inspection_id.clone(),
                                    item_id: row.item_id.clone(),
                                })) { (row.hazard_no) } }
                                td { (row.org_name) }
                                td { (row.check_date) }
                                td { (row.level) }
                                td { (row.status) }
                                td { (row.deadline) }
                                td { (row.item) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(Page {
        title: ("隐患台账", "Hazard ledger"),
        identity: Some(identity),
        body,
    }))
}
