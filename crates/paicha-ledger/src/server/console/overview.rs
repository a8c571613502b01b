//! 督查 at a glance, and the hazard ledger (隐患台账) of the signed-in person's regions.
//!
//! The overview counts every hazard the person reads (by status, level, sector and the
//! sub-regions one level down), draws the weekly trend of found, closed and overdue hazards and
//! lists the oldest overdue majors — each chart an SVG with its data table, each number a link
//! to the ledger filtered to it. The ledger below takes the filters of `GET /api/hazards`
//! (plus `in`, a sub-region), pages on the server and exports CSV and .xlsx with exactly the
//! columns of `export hazards`.

use super::chart::{Bar, bar_chart, trend_chart};
use super::export::{Export, Format, download};
use super::layout::{Page, page, role_label};
use super::links::{href as hazard_href, segment};
use super::signed_in;
use crate::access::Identity;
use crate::hazards::{HazardQuery, hazard_rows, ledger_row};
use crate::server::AppState;
use crate::server::api::current_pack;
use crate::server::auth::audit;
use crate::server::error::ApiError;
use crate::store::lists::{HazardKey, ListFilter};
use crate::store::{
    AuditEntry, HazardCursor, HazardFilter, HazardLevel, HazardOrder, HazardRow, HazardStatus,
    Outcome, PageRequest, PageStart, Total,
};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use paicha_core::checklist::SECTORS;
use paicha_core::hazard_ledger::{COLUMNS, china_day};
use paicha_core::lists::{CaseStatus, format_yuan};
use paicha_core::overview::{Overview, Tally};
use paicha_core::region::{RegionCode, Regions};
use paicha_core::wire::HazardsQuery;

/// Rows per page of the ledger.
const PAGE_SIZE: usize = 50;
/// Weeks of trend.
const WEEKS: usize = 8;
/// The oldest overdue majors listed.
const OLDEST: usize = 5;

/// The page's own parameters beside the hazard filters.
#[derive(Debug, Default)]
struct Extra {
    format: Option<Format>,
    /// Which page: after or before a row (keyset paging; page numbers would make the
    /// database count every row before a deep page).
    start: PageStart,
    /// A sub-region to narrow the ledger to.
    within: Option<RegionCode>,
    sort: Sort,
}

/// The ledger's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Sort {
    /// The newest inspection first.
    #[default]
    Newest,
    Oldest,
    /// The earliest deadline in force first; hazards without one last.
    Deadline,
}

impl Sort {
    fn order(self) -> HazardOrder {
        match self {
            Sort::Newest => HazardOrder::Newest,
            Sort::Oldest => HazardOrder::Oldest,
            Sort::Deadline => HazardOrder::Deadline,
        }
    }

    const ALL: [(Sort, &'static str, &'static str); 3] = [
        (Sort::Newest, "newest", "最新检查在前 Newest first"),
        (Sort::Oldest, "oldest", "最早检查在前 Oldest first"),
        (
            Sort::Deadline,
            "deadline",
            "整改期限最早在前 Earliest deadline first",
        ),
    ];

    fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, slug, _)| *slug == text)
            .map(|(s, _, _)| *s)
    }

    fn slug(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("newest", |(_, slug, _)| slug)
    }
}

fn split(pairs: &[(String, String)]) -> Result<(HazardsQuery, Extra), String> {
    let mut extra = Extra::default();
    let mut rest = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "format" => extra.format = Format::parse(value),
            "after" | "before" => {
                let cursor = HazardCursor::decode(value).ok_or_else(|| {
                    format!("翻页位置无效 / not a page position: {value:?}")
                })?;
                extra.start = if name == "after" {
                    PageStart::After(cursor)
                } else {
                    PageStart::Before(cursor)
                };
            }
            "sort" => {
                extra.sort = Sort::parse(value.trim()).ok_or_else(|| {
                    format!("排序应为 newest、oldest 或 deadline / sort must be newest, oldest or deadline, got {value:?}")
                })?
            }
            "in" if !value.trim().is_empty() => {
                extra.within = Some(RegionCode::parse(value).map_err(|e| e.to_string())?)
            }
            "in" => {}
            _ => rest.push((name.as_str(), value.as_str())),
        }
    }
    let query = HazardsQuery::from_pairs(rest).map_err(|e| e.0)?;
    query.validate().map_err(|e| e.0)?;
    Ok((query, extra))
}

pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let identity = match signed_in(&state, &headers).await {
        Ok(identity) => identity,
        Err(response) => return response,
    };
    match build(&state, identity, &pairs).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

/// The sector's Chinese name, or the id.
fn sector_name(id: &str) -> String {
    if id.is_empty() {
        return "未知检查表 Unknown checklist".to_string();
    }
    SECTORS
        .iter()
        .find(|s| s.0 == id)
        .map_or_else(|| id.to_string(), |s| format!("{} {}", s.1, s.2))
}

async fn build(
    state: &AppState,
    identity: Identity,
    pairs: &[(String, String)],
) -> Result<Response, ApiError> {
    let reads = identity.reads();
    let (query, extra) = match split(pairs) {
        Ok(parsed) => parsed,
        Err(message) => return Ok(bad_filter(identity, &message)),
    };
    // A sub-region must lie inside what the person reads.
    let scope = match &extra.within {
        Some(code) if reads.iter().any(|r| r.contains(code)) => vec![code.clone()],
        Some(code) => {
            audit(
                state,
                AuditEntry::new(identity.actor(), "hazards_read", Outcome::Denied)
                    .detail(format!("region {code} outside the account's regions")),
            )
            .await;
            return Ok(super::problem(
                identity,
                StatusCode::FORBIDDEN,
                &format!("区域 {code} 不在您的辖区内 / region {code} is outside your regions"),
            ));
        }
        None => reads.clone(),
    };
    let store = &state.store;
    let pack = current_pack(state).await?.names();
    let checked = HazardQuery::new(&query)
        .map_err(ApiError::bad_query)?
        .within(scope);
    if let Some(format) = extra.format {
        // An export is every row: read in full, ordered like the page.
        let mut rows = hazard_rows(store, &checked.filter, checked.sector.as_deref(), &pack)
            .await
            .map_err(ApiError::from_store)?;
        match extra.sort {
            Sort::Newest => rows.reverse(),
            Sort::Oldest => {}
            // Deadlines are YYYY-MM-DD, so text order is date order; none sorts last.
            Sort::Deadline => rows.sort_by_cached_key(|r| {
                let day = paicha_core::finding::parse_date(&r.deadline);
                (day.is_none(), day, r.hazard_no.clone())
            }),
        }
        let export = Export {
            file_stem: "隐患台账",
            header: COLUMNS.iter().map(|c| c.label).collect(),
            rows: rows
                .iter()
                .map(|r| r.cells().iter().map(|c| c.to_string()).collect())
                .collect(),
        };
        return Ok(download(export, format));
    }
    // The page, its count and the overview are each read in SQL (`hazard_state`): reading every
    // hazard of a province to show fifty took seconds (docs/performance.md).
    let mut filter = checked.filter.clone();
    if let Some(sector) = &checked.sector {
        filter.checklists = Some(
            pack.checklists()
                .iter()
                .filter(|c| &c.sector == sector)
                .map(|c| c.id.clone())
                .collect(),
        );
    }
    let request = PageRequest {
        order: extra.sort.order(),
        start: extra.start.clone(),
        size: PAGE_SIZE,
    };
    let ledger = store
        .hazard_page(&filter, &request)
        .await
        .map_err(ApiError::from_store)?;
    let shown: Vec<_> = ledger
        .rows
        .iter()
        .map(|row| {
            ledger_row(
                row,
                pack.find_noting_exact(&row.checklist_id, &row.checklist_content_hash),
            )
        })
        .collect();

    // The overview counts everything the person reads, whatever the ledger is filtered to.
    let today = china_day(chrono::Utc::now());
    let everything = HazardFilter {
        scope: Some(reads.clone()),
        as_of: Some(today),
        ..Default::default()
    };
    let tallies = store
        .hazard_tallies(&everything, WEEKS)
        .await
        .map_err(ApiError::from_store)?;
    let sectors: Vec<String> = tallies
        .counts
        .iter()
        .map(|(_, _, _, checklist, _)| {
            pack.find_noting_exact(checklist, "")
                .map_or_else(String::new, |(c, _)| c.sector.clone())
        })
        .collect();
    let counted: Vec<Tally<'_>> = tallies
        .counts
        .iter()
        .zip(&sectors)
        .map(|((status, level, region, _, count), sector)| Tally {
            status: *status,
            level: *level,
            sector,
            region,
            count: *count,
        })
        .collect();
    let summary = Overview::of_tallies(&counted, &tallies.dates, &reads, today, WEEKS);
    let oldest = store
        .hazard_page(
            &HazardFilter {
                level: Some(HazardLevel::Major),
                statuses: vec![HazardStatus::Overdue],
                ..everything.clone()
            },
            &PageRequest {
                order: HazardOrder::Deadline,
                start: PageStart::First,
                size: OLDEST,
            },
        )
        .await
        .map_err(ApiError::from_store)?
        .rows;
    let regions = store.region_table().await.map_err(ApiError::from_store)?;
    let lists = list_counts(state, &identity).await?;

    let total = ledger.total;
    let paged = ledger.previous.is_some() || ledger.next.is_some();
    // The query string of this view (filters, sub-region, order), for paging and exports.
    let this_view = {
        let mut q = query.to_query_string();
        if let Some(code) = &extra.within {
            q = format!("{q}&in={code}");
        }
        if extra.sort != Sort::Newest {
            q = format!("{q}&sort={}", extra.sort.slug());
        }
        q.trim_start_matches('&').to_string()
    };
    let view_with = |param: String| {
        if this_view.is_empty() {
            format!("/console/?{param}")
        } else {
            format!("/console/?{this_view}&{param}")
        }
    };
    let here = |side: &str, cursor: &HazardCursor| {
        view_with(format!("{side}={}#ledger-title", segment(&cursor.encode())))
    };
    let first_page = view_with("#ledger-title".to_string()).replace("&#", "#");
    let export_link = |format: &str| view_with(format!("format={format}"));
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
        @if !reads.is_empty() {
            (at_a_glance(&summary, &oldest, &regions, &lists))
        }
        (filters(&query, extra.within.as_ref(), extra.sort))
        section.card aria-labelledby="ledger-title" {
            h2 #ledger-title { "隐患台账 " span.en lang="en" { "Hazard ledger" } }
            p role="status" {
                @match total {
                    Total::Exact(n) => { "共 " (n) " 项隐患" }
                    Total::AtLeast(n) => { "超过 " (n) " 项隐患（各项合计见上方督查一览）" }
                }
                @if paged { "，每页 " (PAGE_SIZE) " 项" }
                span.en lang="en" {
                    @match total {
                        Total::Exact(n) => { " " (n) " hazards" }
                        Total::AtLeast(n) => { " More than " (n) " hazards (the overview above has the exact figures)" }
                    }
                    @if paged { ", " (PAGE_SIZE) " a page" }
                }
            }
            p.no-print {
                a.button href=(export_link("csv")) { "导出 CSV / Export CSV" } " "
                a.button href=(export_link("xlsx")) { "导出 Excel / Export .xlsx" }
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
                        @for row in shown {
                            tr {
                                td.mono { a href=(hazard_href(&HazardKey {
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
            @if paged {
                nav.pages aria-label="翻页 Pages" {
                    @if let Some(cursor) = &ledger.previous {
                        a href=(first_page) { "首页 / First page" } " "
                        a href=(here("before", cursor)) rel="prev" { "上一页 / Previous" }
                    }
                    " "
                    @if let Some(cursor) = &ledger.next { a href=(here("after", cursor)) rel="next" { "下一页 / Next" } }
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

fn bad_filter(identity: Identity, message: &str) -> Response {
    super::problem(identity, StatusCode::BAD_REQUEST, message)
}

/// The three lists' counts for the overview.
struct ListCounts {
    cases_open: usize,
    cases_closed: usize,
    penalties: usize,
    penalty_fen: i64,
    accountability: usize,
}

async fn list_counts(state: &AppState, identity: &Identity) -> Result<ListCounts, ApiError> {
    let filter = ListFilter {
        scope: Some(identity.reads()),
        enterprise: None,
    };
    let store = &state.store;
    let cases = store.cases(&filter).await.map_err(ApiError::from_store)?;
    let penalties = store
        .penalties(&filter)
        .await
        .map_err(ApiError::from_store)?;
    let accountability = store
        .accountabilities(&filter)
        .await
        .map_err(ApiError::from_store)?;
    Ok(ListCounts {
        cases_open: cases
            .iter()
            .filter(|c| c.status == CaseStatus::Open)
            .count(),
        cases_closed: cases
            .iter()
            .filter(|c| c.status == CaseStatus::Closed)
            .count(),
        penalties: penalties.len(),
        penalty_fen: penalties.iter().filter_map(|p| p.amount_fen).sum(),
        accountability: accountability.len(),
    })
}

/// The CSS class of a status's bar (red for overdue, amber for escalated or due soon…).
fn status_class(status: HazardStatus) -> &'static str {
    match status {
        HazardStatus::Overdue => "bar-red",
        HazardStatus::Escalated => "bar-purple",
        HazardStatus::DueSoon => "bar-amber",
        HazardStatus::Open | HazardStatus::Rectified => "bar-blue",
        HazardStatus::Verified => "bar-green",
    }
}

fn at_a_glance(
    summary: &Overview,
    oldest: &[HazardRow],
    regions: &Regions,
    lists: &ListCounts,
) -> Markup {
    let statuses: Vec<Bar> = summary
        .by_status
        .iter()
        .map(|(status, n)| Bar {
            label: format!("{} {}", status.label_zh(), status.label_en()),
            value: *n,
            href: format!("/console/?status={}#ledger-title", status.slug()),
            class: status_class(*status),
        })
        .collect();
    let levels: Vec<Bar> = summary
        .by_level
        .iter()
        .map(|(level, n)| Bar {
            label: format!("{} {}", level.label_zh(), level.label_en()),
            value: *n,
            href: format!("/console/?level={}#ledger-title", level.slug()),
            class: if *level == HazardLevel::Major {
                "bar-red"
            } else {
                "bar-blue"
            },
        })
        .collect();
    let sectors: Vec<Bar> = summary
        .by_sector
        .iter()
        .map(|(sector, n)| Bar {
            label: sector_name(sector),
            value: *n,
            href: if sector.is_empty() {
                "/console/#ledger-title".to_string()
            } else {
                format!("/console/?sector={}#ledger-title", segment(sector))
            },
            class: "bar-blue",
        })
        .collect();
    let today = china_day(chrono::Utc::now());
    html! {
        section.card aria-labelledby="glance-title" {
            h2 #glance-title { "督查一览 " span.en lang="en" { "At a glance" } }
            p {
                "辖区内隐患 " (summary.total) " 项：逾期未整改 "
                a href="/console/?status=overdue#ledger-title" { (summary.status(HazardStatus::Overdue)) }
                " 项，重大隐患 "
                a href="/console/?level=major#ledger-title" { (summary.by_level.iter().find(|(l, _)| *l == HazardLevel::Major).map_or(0, |(_, n)| *n)) }
                " 项。"
                span.en lang="en" { " " (summary.total) " hazards in your regions." }
            }
            div.charts {
                (bar_chart("chart-status", ("按状态", "By status"), &statuses))
                (bar_chart("chart-level", ("按等级", "By level"), &levels))
                (bar_chart("chart-sector", ("按行业", "By sector"), &sectors))
            }
            (trend_chart("chart-trend", &summary.weeks))
            h3 #regions-title { "下级区域 " span.en lang="en" { "Sub-regions" } }
            div.scroll role="region" aria-labelledby="regions-title" tabindex="0" {
                table {
                    thead { tr { th scope="col" { "区域" } th scope="col" { "隐患" } th scope="col" { "重大隐患" } th scope="col" { "逾期未整改" } } }
                    tbody {
                        @for r in &summary.by_region {
                            @let link = format!("/console/?in={}", r.code);
                            @let name = RegionCode::parse(&r.code).map_or_else(|_| r.code.clone(), |c| regions.path(&c));
                            tr {
                                th scope="row" { a href={(link) "#ledger-title"} { (name) } }
                                td { a href={(link) "#ledger-title"} { (r.total) } }
                                td { a href={(link) "&level=major#ledger-title"} { (r.major) } }
                                td { a href={(link) "&status=overdue#ledger-title"} { (r.overdue) } }
                            }
                        }
                    }
                }
            }
            h3 #oldest-title { "逾期最久的重大隐患 " span.en lang="en" { "Oldest overdue major hazards" } }
            @if oldest.is_empty() {
                p { "没有逾期的重大隐患。" span.en lang="en" { " No overdue major hazard." } }
            } @else {
                ol aria-labelledby="oldest-title" {
                    @for row in oldest {
                        @let number = paicha_core::hazard_ledger::hazard_no(&row.inspection_id, row.started_at, &row.item_id);
                        li {
                            a href=(hazard_href(&row.key())) { (number) }
                            " · " (row.site_name) " · " (row.description)
                            @if let Some(deadline) = row.deadline {
                                " · 逾期 " ((today - deadline).num_days()) " 天"
                                span.en lang="en" { " (" ((today - deadline).num_days()) " days overdue)" }
                            }
                        }
                    }
                }
            }
            h3 { "四个清单 " span.en lang="en" { "The four lists" } }
            ul.lists {
                li { a href="/console/cases" { "案件查办：办理中 " (lists.cases_open) " 件，已结案 " (lists.cases_closed) " 件" } }
                li { a href="/console/penalties" { "违法企业处罚：" (lists.penalties) " 项，罚没 " (format_yuan(lists.penalty_fen)) " 元" } }
                li { a href="/console/accountability" { "追责问责：" (lists.accountability) " 人次" } }
            }
        }
    }
}

/// The ledger's filters, as a plain GET form.
fn filters(query: &HazardsQuery, within: Option<&RegionCode>, sort: Sort) -> Markup {
    let status = query.status.first().map(|s| s.slug()).unwrap_or("");
    let level = query.level.map(|l| l.slug()).unwrap_or("");
    let sector = query.sector.as_deref().unwrap_or("");
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    html! {
        form.search.no-print method="get" action="/console/" role="search" aria-label="筛选隐患 Filter hazards" {
            @if let Some(code) = within { input type="hidden" name="in" value=(code); }
            div.field {
                label for="f-status" { "状态 " span.en lang="en" { "Status" } }
                select #f-status name="status" {
                    option value="" { "全部 / All" }
                    @for s in HazardStatus::ALL {
                        option value=(s.slug()) selected[s.slug() == status] { (s.label_zh()) " " (s.label_en()) }
                    }
                }
            }
            div.field {
                label for="f-level" { "隐患等级 " span.en lang="en" { "Level" } }
                select #f-level name="level" {
                    option value="" { "全部 / All" }
                    @for l in [HazardLevel::General, HazardLevel::Major] {
                        option value=(l.slug()) selected[l.slug() == level] { (l.label_zh()) " " (l.label_en()) }
                    }
                }
            }
            div.field {
                label for="f-sector" { "行业 " span.en lang="en" { "Sector" } }
                select #f-sector name="sector" {
                    option value="" { "全部 / All" }
                    @for s in SECTORS {
                        option value=(s.0) selected[s.0 == sector] { (s.1) }
                    }
                }
            }
            div.field {
                label for="f-from" { "检查日期自 " span.en lang="en" { "Inspected from" } }
                input #f-from name="from" type="date" value=(day(query.from));
            }
            div.field {
                label for="f-to" { "至 " span.en lang="en" { "to" } }
                input #f-to name="to" type="date" value=(day(query.to));
            }
            div.field {
                label for="f-sort" { "排序 " span.en lang="en" { "Order" } }
                select #f-sort name="sort" {
                    @for (s, slug, label) in Sort::ALL {
                        option value=(slug) selected[s == sort] { (label) }
                    }
                }
            }
            button type="submit" { "筛选 / Filter" }
            a.button href="/console/" { "清除 / Clear" }
        }
    }
}
