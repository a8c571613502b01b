//! Records: the printable 现场检查记录 (on-site inspection record) and 责令限期整改指令书
//! (rectification notice), laid out for A4 and printed or saved as PDF by the browser; and the
//! hazard ledger (隐患台账) of every inspection on the device as a CSV file.
//!
//! Everything the user typed is rendered as text nodes (never as HTML) and written to the CSV
//! as data: quoted per RFC 4180 and guarded against spreadsheet formula injection.
//!
//! The printed documents contain only what the record holds: no document numbers (文号) are
//! made up, the legal basis is the one the checklist item carries, and items whose text is a
//! paraphrase (or whose source is unverified) say so.

use crate::features::photos::Thumbnail;
use crate::features::{local_time, now};
use crate::i18n::t;
use crate::lazy::on_demand;
use crate::model::Model;
use crate::route::Route;
use crate::{AppContext, use_app};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use leptos::prelude::*;
use paicha_core::checklist::{ChecklistRef, Item, SourceStatus, Verification};
use paicha_core::finding::Suspension;
use paicha_core::followup::FollowUp;
use paicha_core::reinspection::{Escalation, HazardReview, ReviewOutcome};
use paicha_core::{Answer, Checklist, Inspection, Inspector, Verdict};
use uuid::Uuid;

// ---- Pure helpers (native unit tests below) -----------------------------------------------

/// The first 8 hex digits of an inspection id: short enough to print, long enough to tell the
/// inspections of one device apart.
pub fn short_id(id: &Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

/// 隐患编号: `<inspection short id>-<item id>`, stable across exports.
pub fn hazard_no(inspection: &Uuid, item_id: &str) -> String {
    format!("{}-{item_id}", short_id(inspection))
}

/// The first 12 hex digits of a checklist content hash.
pub fn short_hash(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// The legal basis an item carries: source title, its document number when the checklist
/// confirms one, and the clause. Nothing is added that the checklist does not hold.
pub fn basis_text(checklist: &Checklist, item: &Item) -> String {
    match checklist.source(&item.basis.source) {
        Some(source) => {
            let number = source
                .number
                .as_ref()
                .map(|n| format!("（{n}）"))
                .unwrap_or_default();
            format!("{}{number} {}", source.title, item.basis.clause)
        }
        None => item.basis.clause.clone(),
    }
}

/// Caveats about an item's basis, to be printed next to it: a paraphrase is not the official
/// wording; a fragment's place in the source is inferred; an unverified or superseded source.
pub fn basis_caveats(checklist: &Checklist, item: &Item) -> Vec<&'static str> {
    let mut out = Vec::new();
    match item.verification {
        Verification::Verbatim => {}
        Verification::Fragment => out.push("条文片段，出处推定"),
        Verification::Paraphrase => out.push("转述，非法规原文，引用前请核对原文"),
    }
    match checklist.source(&item.basis.source).map(|s| s.status) {
        Some(SourceStatus::Unverified) => out.push("出处待核实"),
        Some(SourceStatus::Superseded) => out.push("依据已被替代"),
        _ => {}
    }
    out
}

/// The basis with its caveats in brackets, for a single cell.
pub fn basis_with_caveats(checklist: &Checklist, item: &Item) -> String {
    let mut text = basis_text(checklist, item);
    for caveat in basis_caveats(checklist, item) {
        text.push_str(&format!("〔{caveat}〕"));
    }
    text
}

pub fn level_zh(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::MajorHazard => "重大",
        Verdict::GeneralHazard => "一般",
        _ => "",
    }
}

pub fn suspension_zh(suspension: Suspension) -> &'static str {
    match suspension {
        Suspension::Undecided => "未决定",
        Suspension::None => "否",
        Suspension::Partial => "局部停产停业",
        Suspension::Full => "全部停产停业",
    }
}

/// A date in Chinese document style, e.g. `2026年11月29日`.
pub fn date_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// One line of the record: an item that applies (answered or not), or an answered item.
#[derive(Debug, Clone)]
pub struct RecordRow<'c> {
    pub item_id: String,
    /// None when the checklist version is not on this device.
    pub item: Option<&'c Item>,
    pub answer: Option<Answer>,
}

impl RecordRow<'_> {
    pub fn is_hazard(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.verdict.is_hazard())
    }
}

/// The record's lines in checklist order: every applicable item, answered or not, and any
/// answered item even if it no longer applies. Without the checklist, the answers by item id.
pub fn record_rows<'c>(
    inspection: &Inspection,
    checklist: Option<&'c Checklist>,
) -> Vec<RecordRow<'c>> {
    let mut rows = Vec::new();
    let Some(checklist) = checklist else {
        return inspection
            .answers
            .iter()
            .map(|(id, a)| RecordRow {
                item_id: id.clone(),
                item: None,
                answer: Some(a.clone()),
            })
            .collect();
    };
    let yes = inspection.applicable_keys();
    for item in checklist.items() {
        let answer = inspection.answers.get(&item.id).cloned();
        let applies = item.applies_if.iter().all(|k| yes.contains(k));
        if applies || answer.is_some() {
            rows.push(RecordRow {
                item_id: item.id.clone(),
                item: Some(item),
                answer,
            });
        }
    }
    // Answers to items the checklist does not have cannot occur (answering checks the item),
    // but a record must never hide what it holds.
    for (id, answer) in &inspection.answers {
        if checklist.item(id).is_none() {
            rows.push(RecordRow {
                item_id: id.clone(),
                item: None,
                answer: Some(answer.clone()),
            });
        }
    }
    rows
}

/// The hazards of an inspection, in checklist order.
pub fn hazard_rows<'c>(
    inspection: &Inspection,
    checklist: Option<&'c Checklist>,
) -> Vec<RecordRow<'c>> {
    record_rows(inspection, checklist)
        .into_iter()
        .filter(RecordRow::is_hazard)
        .collect()
}

/// Items that apply but have not been answered.
pub fn unanswered(rows: &[RecordRow<'_>]) -> usize {
    rows.iter().filter(|r| r.answer.is_none()).count()
}

// ---- The hazard ledger (隐患台账) as CSV ----------------------------------------------------

/// Columns of the ledger, after the fields of real 隐患台账 forms (research notes, section 12).
/// New columns go at the end, so that existing consumers keep reading the first ones.
pub const LEDGER_HEADER: [&str; 30] = [
    "隐患编号",
    "单位名称",
    "统一社会信用代码",
    "检查日期",
    "检查人员",
    "执法证号",
    "检查表",
    "条目编号",
    "检查内容",
    "隐患描述",
    "隐患部位",
    "隐患等级",
    "判定依据",
    "整改措施",
    "整改责任人",
    "整改期限",
    "预计资金（元）",
    "是否停产停业",
    "治理目标和任务",
    "治理机构和人员",
    "安全措施和应急预案",
    "经费和物资",
    "治理时限",
    "状态",
    "检查记录",
    "同行检查人员",
    "同行执法证号",
    "检查类型",
    "督查状态",
    "复查结论",
];

pub type LedgerRow = [String; LEDGER_HEADER.len()];

/// One ledger row for one hazard. `tz` gives the local dates; `follow_up` is where the hazard
/// stands on the export date (none for a hazard of an inspection not sealed).
pub fn ledger_row<Tz: TimeZone>(
    inspection: &Inspection,
    checklist: Option<&Checklist>,
    row: &RecordRow<'_>,
    follow_up: Option<&FollowUp<'_>>,
    tz: &Tz,
) -> LedgerRow {
    let date = |t: &DateTime<Utc>| {
        t.with_timezone(tz)
            .date_naive()
            .format("%Y-%m-%d")
            .to_string()
    };
    let answer = row
        .answer
        .clone()
        .expect("ledger rows are answered hazards");
    let order = answer.rectification.clone().unwrap_or_default();
    let major = answer.verdict == Verdict::MajorHazard;
    let plan = answer
        .major_plan
        .clone()
        .filter(|_| major)
        .unwrap_or_default();
    let plan_field = |s: &str| if major { s.to_string() } else { String::new() };
    let team = |field: fn(&Inspector) -> &String| {
        let list: Vec<&str> = inspection
            .co_inspectors
            .iter()
            .map(|co| field(co).as_str())
            .collect();
        list.join("、")
    };
    let checklist_name = match checklist {
        Some(c) => format!("{} v{}", c.title.zh, c.version),
        None => format!(
            "{} v{}",
            inspection.checklist.id, inspection.checklist.version
        ),
    };
    let status = follow_up.map_or("", |f| f.status.label_zh()).to_string();
    let (text, basis) = match (checklist, row.item) {
        (Some(c), Some(item)) => (item.zh.clone(), basis_with_caveats(c, item)),
        _ => (
            "（检查表版本不在本机）".to_string(),
            "（检查表版本不在本机）".to_string(),
        ),
    };
    [
        hazard_no(&inspection.id, &row.item_id),
        inspection.site.name.clone(),
        inspection.site.credit_code.to_string(),
        date(&inspection.started_at),
        inspection.inspector.name.clone(),
        inspection.inspector.cert_no.clone(),
        checklist_name,
        row.item_id.clone(),
        text,
        answer.description.clone(),
        answer.location.clone(),
        level_zh(answer.verdict).to_string(),
        basis,
        order.measures,
        order.responsible,
        order.deadline,
        order.funds_yuan,
        if major {
            suspension_zh(plan.suspension).to_string()
        } else {
            "否".to_string()
        },
        plan_field(&plan.target),
        plan_field(&plan.organisation),
        plan_field(&plan.safety_measures),
        plan_field(&plan.funds_materials),
        plan_field(&plan.time_limit),
        // Where the hazard stands, as in 督查状态 (and the ledger's 状态); none for a draft.
        status.clone(),
        if inspection.is_sealed() {
            "已签章".to_string()
        } else {
            "草稿（未签章）".to_string()
        },
        team(|co| &co.name),
        team(|co| &co.cert_no),
        inspection.kind.label_zh().to_string(),
        status,
        follow_up
            .and_then(|f| f.review)
            .map(|(re, review)| {
                let outcome = match review.outcome {
                    ReviewOutcome::Rectified => "已整改",
                    _ => "未整改",
                };
                let action = match review.escalation {
                    Some(Escalation::Extension) => {
                        format!("，责令延期整改至 {}", review.new_deadline)
                    }
                    Some(e) => format!("，{}", e.label_zh()),
                    None => String::new(),
                };
                let draft = if re.is_sealed() {
                    ""
                } else {
                    "（复查未签章）"
                };
                format!("{} {outcome}{action}{draft}", date(&re.started_at))
            })
            .unwrap_or_default(),
    ]
}

impl Model {
    /// Every hazard of every inspection on this device, oldest inspection first, each
    /// inspection's hazards in checklist order, with its follow-up status on `today` (the
    /// local date). `checklist_for` finds the exact checklist version an inspection used
    /// (None when it is not on the device).
    pub fn hazard_ledger<'c, Tz: TimeZone>(
        &self,
        checklist_for: impl Fn(&ChecklistRef) -> Option<&'c Checklist>,
        tz: &Tz,
        today: NaiveDate,
    ) -> Vec<LedgerRow> {
        let follow_up = self.follow_up(today);
        let mut inspections: Vec<&Inspection> = self.inspections.values().collect();
        inspections.sort_by_key(|i| (i.started_at, i.id));
        inspections
            .into_iter()
            .flat_map(|inspection| {
                let checklist = checklist_for(&inspection.checklist);
                hazard_rows(inspection, checklist)
                    .iter()
                    .map(|row| {
                        let f = follow_up
                            .iter()
                            .find(|f| f.inspection.id == inspection.id && f.item_id == row.item_id);
                        ledger_row(inspection, checklist, row, f, tz)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// One CSV field. A value a spreadsheet would read as a formula (first character `=`, `+`,
/// `-`, `@`, tab or carriage return) gets a leading `'`; a value with a quote, comma or line
/// break is quoted, with quotes doubled (RFC 4180).
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains(['"', ',', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A CSV document: UTF-8 byte-order mark (so that Excel reads the file as UTF-8), the header
/// and one line per row, each ending in CRLF (RFC 4180).
pub fn to_csv<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let mut out = String::from('\u{feff}');
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells.collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&mut header.iter().map(|h| csv_cell(h)));
    for row in rows {
        line(&mut row.as_ref().iter().map(|c| csv_cell(c)));
    }
    out
}

pub fn ledger_csv(rows: &[LedgerRow]) -> String {
    to_csv(&LEDGER_HEADER, rows)
}

/// `paicha-hazards-<yyyymmdd>.csv`
pub fn ledger_file_name(date: NaiveDate) -> String {
    format!("paicha-hazards-{}.csv", date.format("%Y%m%d"))
}

// ---- Browser plumbing ----------------------------------------------------------------------

/// The site representative's signature as drawn on the device at completion (`label` names
/// it), or a line to sign on paper; the date line beside it stays for use on paper either way.
fn site_signature(inspection: &Inspection, label: &'static str) -> AnyView {
    match inspection.site_signature.clone() {
        Some(sha256) => view! {
            <span class="doc-signature">{image(sha256, label.into())}</span>
        }
        .into_any(),
        None => sign_line(),
    }
}

/// When the record was sealed, or that it is a draft.
fn sealed_line(inspection: &Inspection) -> String {
    inspection
        .sealed_at
        .as_ref()
        .map_or_else(|| "未签章（草稿）".into(), local_time)
}

fn print_page() {
    if let Some(Err(e)) = web_sys::window().map(|w| w.print()) {
        leptos::logging::warn!("print failed: {e:?}");
    }
}

fn local_date(t: &DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono::Local).date_naive()
}

fn dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_string()
    } else {
        s.to_string()
    }
}

/// The inspection and the exact checklist version it used (if on this device).
fn load(id: Uuid) -> Option<(Inspection, Option<&'static Checklist>)> {
    let app = use_app();
    let inspection = app
        .model
        .with_untracked(|m| m.inspections.get(&id).cloned())?;
    let checklist = app.catalog.with_untracked(|c| {
        c.find(
            &inspection.checklist.id,
            &inspection.checklist.content_hash.0,
        )
    });
    Some((inspection, checklist))
}

fn not_found() -> AnyView {
    view! {
        <p class="error" role="alert">{t("找不到该检查记录。", "Inspection not found.")}</p>
        <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
    }
    .into_any()
}

// The documents are built from data through a few small helpers rather than one large
// `view!` each: every distinct view shape costs code in the wasm binary.

/// A labelled value: label in Chinese, its English gloss (shown on screen in English mode,
/// never printed), the value as text.
type Field = (&'static str, &'static str, String);

/// A two-column table of labelled values.
fn field_table(fields: Vec<Field>) -> AnyView {
    view! {
        <table class="doc-meta">
            <tbody>
                {fields.into_iter().map(|(zh, en, value)| view! {
                    <tr><th scope="row">{zh} " " {gloss(en)}</th><td>{value}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// When the inspection took place, in local time: start to seal, or "from" the start.
fn time_span(inspection: &Inspection) -> String {
    match &inspection.sealed_at {
        Some(end) => format!(
            "{} 至 {}",
            local_time(&inspection.started_at),
            local_time(end)
        ),
        None => format!("{} 起", local_time(&inspection.started_at)),
    }
}

/// Photos of one item, each named for its caption and alt text: "FW-02 现场照片 1".
fn numbered_photos(item: &str, what: &str, photos: &[String]) -> Vec<(String, String)> {
    photos
        .iter()
        .enumerate()
        .map(|(n, sha)| (format!("{item} {what} {}", n + 1), sha.clone()))
        .collect()
}

/// The site's address, township, grid and contact, each only where present.
fn site_fields(site: &paicha_core::Site) -> Vec<Field> {
    let contact = format!("{} {}", site.contact_name, site.contact_phone);
    [
        ("地址", "Address", site.address.clone()),
        ("乡镇（街道）", "Township", site.township.clone()),
        ("网格", "Grid", site.grid.clone()),
        ("联系人及电话", "Contact", contact.trim().to_string()),
    ]
    .into_iter()
    .filter(|f| !f.2.is_empty())
    .collect()
}

/// The inspection type, every officer (姓名（执法证号）, the inspector first) and the
/// inspector's unit where recorded.
fn team_fields(inspection: &Inspection) -> Vec<Field> {
    let me = &inspection.inspector;
    let unit = format!("{} {}", me.organisation, me.region);
    let mut fields = vec![
        (
            "检查类型",
            "Inspection type",
            inspection.kind.label_zh().to_string(),
        ),
        (
            "检查人员",
            "Officers",
            crate::features::team::officers_text(inspection),
        ),
    ];
    if !unit.trim().is_empty() {
        fields.push(("执法单位", "Unit", unit.trim().to_string()));
    }
    fields
}

/// One signature line per officer.
fn officer_signatures(inspection: &Inspection) -> Vec<(&'static str, AnyView, String)> {
    inspection
        .officers()
        .map(|o| {
            (
                "检查人员签名：",
                sign_line(),
                format!("{} 执法证号：{}", o.name, o.cert_no),
            )
        })
        .collect()
}

/// A paragraph with a bold lead-in, e.g. "统计：…".
fn lead_paragraph(class: &'static str, lead: &'static str, text: String) -> AnyView {
    view! { <p class=class><strong>{lead}</strong>{text}</p> }.into_any()
}

/// The document's buttons and links (not printed): print, then (label, href) links.
fn doc_actions(links: Vec<(&'static str, String)>) -> AnyView {
    view! {
        <div class="doc-actions" role="group" aria-label=t("文书操作", "Document actions")>
            <button type="button" class="primary" on:click=move |_| print_page()>{t("打印 / 保存为PDF", "Print / save as PDF")}</button>
            {links.into_iter().map(|(label, href)| view! { <a class="button" href=href>{label}</a> }).collect_view()}
        </div>
    }
    .into_any()
}

/// Signature lines: (label, what follows the line).
fn signatures(lines: Vec<(&'static str, AnyView, String)>) -> AnyView {
    view! {
        <div class="doc-signatures">
            {lines.into_iter().map(|(label, mark, after)| view! { <p>{label} {mark} {after}</p> }).collect_view()}
        </div>
    }
    .into_any()
}

fn sign_line() -> AnyView {
    view! { <span class="doc-sign-line"></span> }.into_any()
}

fn title(zh: String, en: String) -> AnyView {
    let en = crate::i18n::t_string(String::new(), en);
    view! { <h2 id="doc-title" class="doc-title">{zh} <small class="doc-en">{en}</small></h2> }
        .into_any()
}

/// An English gloss in a Chinese document: on screen in English mode only, never printed.
fn gloss(en: &'static str) -> AnyView {
    view! { <span class="doc-en">{t("", en)}</span> }.into_any()
}

/// A stored image (photo or signature) with its accessible name.
fn image(sha256: String, label: String) -> AnyView {
    view! { <Thumbnail sha256 label=Signal::derive(move || label.clone()) /> }.into_any()
}

// ---- Links from other screens ----------------------------------------------------------------

/// Links to the record and, once the inspection is sealed and has hazards, the notice.
#[component]
pub fn RecordLinks(id: Uuid) -> impl IntoView {
    let app = use_app();
    let notice = move || {
        app.model.with(|m| {
            m.inspections
                .get(&id)
                .is_some_and(|i| i.is_sealed() && i.hazards().next().is_some())
        })
    };
    let reinspection = move || {
        app.model.with(|m| {
            m.inspections
                .get(&id)
                .is_some_and(|i| i.kind == paicha_core::InspectionKind::Reinspection)
        })
    };
    view! {
        <a class="button" href=Route::Record(id).href()>{t("现场检查记录", "Inspection record")}</a>
        <Show when=notice>
            <a class="button" href=Route::Notice(id).href()>{t("责令限期整改指令书", "Rectification notice")}</a>
        </Show>
        <Show when=reinspection>
            <a class="button" href=Route::ReviewRecord(id).href()>{t("复查意见书", "Re-inspection record")}</a>
        </Show>
    }
}

// ---- 现场检查记录 ----------------------------------------------------------------------------

/// The cells of one line of the findings table, and the line's class.
fn finding_cells(row: &RecordRow<'_>) -> (&'static str, [String; 8]) {
    let answer = row.answer.as_ref();
    let verdict = answer.map(|a| a.verdict);
    let class = match verdict {
        Some(Verdict::MajorHazard) => "major-row",
        Some(Verdict::GeneralHazard) => "general-row",
        _ => "",
    };
    let text = row.item.map_or_else(|| "—".to_string(), |i| i.zh.clone());
    let result = verdict.map_or("未检查", Verdict::label_zh).to_string();
    let mut cells = [
        row.item_id.clone(),
        text,
        result,
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    if let Some(a) = answer.filter(|a| a.verdict.is_hazard()) {
        let order = a.rectification.clone().unwrap_or_default();
        let mut description = dash(&a.description);
        if !a.photos.is_empty() {
            description.push_str(&format!("\n（附照片 {} 张）", a.photos.len()));
        }
        cells[3] = description;
        cells[4] = dash(&a.location);
        cells[5] = dash(&order.measures);
        cells[6] = dash(&order.responsible);
        cells[7] = dash(&order.deadline);
    }
    (class, cells)
}

const FINDING_COLUMNS: [(&str, &str); 8] = [
    ("条目", "c-id"),
    ("检查内容", "c-text"),
    ("结果", "c-result"),
    ("隐患描述", "c-desc"),
    ("隐患部位", "c-loc"),
    ("整改措施", "c-measures"),
    ("责任人", "c-resp"),
    ("期限", "c-deadline"),
];

fn findings_table(rows: Vec<(&'static str, [String; 8])>) -> AnyView {
    doc_table(
        t("检查情况表", "Findings table"),
        "doc-findings",
        FINDING_COLUMNS,
        rows,
    )
}

/// A document's table: one `(name, class)` per column, one `(row class, cells)` per row. It
/// scrolls sideways on its own (with a name and focusable, so that keyboards can scroll it)
/// instead of widening the page.
fn doc_table<const N: usize>(
    label: &'static str,
    class: &'static str,
    columns: [(&'static str, &'static str); N],
    rows: Vec<(&'static str, [String; N])>,
) -> AnyView {
    view! {
        <div class="doc-scroll" role="region" aria-label=label tabindex="0">
            <table class=format!("doc-table {class}")>
                <colgroup>{columns.map(|(_, class)| view! { <col class=class /> }).collect_view()}</colgroup>
                <thead><tr>{columns.map(|(name, class)| view! { <th scope="col" class=class>{name}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|(class, cells)| view! {
                        <tr class=class>
                            {cells.into_iter().zip(columns).map(|(cell, (_, column))| view! { <td class=column>{cell}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn RecordScreen(id: Uuid) -> impl IntoView {
    let Some((inspection, checklist)) = load(id) else {
        return not_found();
    };
    let sealed = inspection.is_sealed();
    let rows = record_rows(&inspection, checklist);
    // Items that apply but were not answered are named under the table: the record makes no
    // claim about them.
    let (rows, not_answered): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.answer.is_some());
    let count = |v: Verdict| inspection.count(v);
    let counts = format!(
        "重大隐患 {} 项；一般隐患 {} 项；符合 {} 项；不适用 {} 项；未检查 {} 项。",
        count(Verdict::MajorHazard),
        count(Verdict::GeneralHazard),
        count(Verdict::Compliant),
        count(Verdict::NotApplicable),
        not_answered.len()
    );
    let not_answered = not_answered
        .iter()
        .map(|r| r.item_id.as_str())
        .collect::<Vec<_>>()
        .join("、");
    // Photos of the findings in item order, each named by item and number.
    let photos: Vec<(String, String)> = rows
        .iter()
        .flat_map(|r| {
            let photos = r.answer.as_ref().map_or(&[][..], |a| &a.photos[..]);
            numbered_photos(&r.item_id, "现场照片", photos)
        })
        .collect();

    let mut fields: Vec<Field> = vec![
        ("被检查单位", "Inspected unit", inspection.site.name.clone()),
        (
            "统一社会信用代码",
            "Credit code",
            inspection.site.credit_code.to_string(),
        ),
        ("检查时间", "Time (local)", time_span(&inspection)),
    ];
    fields.splice(2..2, site_fields(&inspection.site));
    if let Some(p) = inspection.position {
        let (lat, lon) = p.degrees();
        fields.push((
            "检查地点/位置",
            "Position",
            format!(
                "纬度 {lat:.5}，经度 {lon:.5}（设备定位，精度约 {} 米）",
                p.accuracy_m
            ),
        ));
    }
    fields.extend(team_fields(&inspection));
    fields.push((
        "检查表",
        "Checklist",
        format!(
            "{} · 版本 {} · 内容哈希 {}",
            checklist.map_or_else(
                || format!("{}（检查表版本不在本机）", inspection.checklist.id),
                |c| format!("{}（{}）", c.title.zh, c.sector_name_zh())
            ),
            inspection.checklist.version,
            short_hash(&inspection.checklist.content_hash.0)
        ),
    ));

    let mut links = Vec::new();
    if sealed && inspection.hazards().next().is_some() {
        links.push((
            t("责令限期整改指令书", "Rectification notice"),
            Route::Notice(id).href(),
        ));
    }
    let back = if sealed {
        Route::Export(id)
    } else {
        Route::Inspection(id)
    };
    links.push((t("返回", "Back"), back.href()));

    let site_signature = site_signature(
        &inspection,
        t(
            "被检查单位负责人签名（现场手写）",
            "Site representative's signature (handwritten)",
        ),
    );
    let sealed_line = sealed_line(&inspection);
    let draft = (!sealed).then(|| {
        view! {
            <p class="doc-draft" role="note">
                "草稿：检查尚未签章封存，本记录不作为正式检查记录。"
                {gloss(" Draft: the inspection is not sealed; this is not an official record.")}
            </p>
        }
        .into_any()
    });
    let photos = (!photos.is_empty()).then(|| {
        view! {
            <h3>"现场照片 " {gloss("Photos")}</h3>
            <ul class="doc-photos">
                {photos.into_iter().map(|(label, sha256)| view! {
                    <li>{image(sha256, label.clone())}<span>{label}</span></li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    });
    let suffix = if sealed { "" } else { "（草稿）" };
    view! {
        {doc_actions(links)}
        <article class="doc" class:draft=!sealed aria-labelledby="doc-title">
            {draft}
            {title(
                format!("安全生产现场检查记录{suffix}"),
                format!("On-site safety inspection record{}", if sealed { "" } else { " (draft)" }),
            )}
            {field_table(fields)}
            <h3>"检查情况 " {gloss("Findings")}</h3>
            {findings_table(rows.iter().map(finding_cells).collect())}
            {(!not_answered.is_empty()).then(|| lead_paragraph("doc-unanswered", "未检查条目：", not_answered))}
            {lead_paragraph("doc-counts", "统计：", counts)}
            {photos}
            {signatures(officer_signatures(&inspection).into_iter().chain([
                ("被检查单位负责人签名：", site_signature, "日期：____________".into()),
                ("签章时间：", ().into_any(), sealed_line),
            ]).collect())}
            <p class="doc-footnote">
                {format!("本记录由排查 Paicha 根据本机检查记录生成；时间为本地时间。记录标识 {id}")}
            </p>
        </article>
    }
    .into_any()
}

// ---- 责令限期整改指令书 --------------------------------------------------------------------

#[component]
pub fn NoticeScreen(id: Uuid) -> impl IntoView {
    let Some((inspection, checklist)) = load(id) else {
        return not_found();
    };
    if !inspection.is_sealed() {
        return view! {
            <section class="card">
                <h2>{t("责令限期整改指令书", "Rectification notice")}</h2>
                <p role="alert" class="error">
                    {t("检查尚未签章封存，完成检查并签章后才能出具整改指令书。",
                       "The inspection is not sealed yet: seal it before issuing a notice.")}
                </p>
                <a class="button" href=Route::Record(id).href()>{t("现场检查记录（草稿）", "Inspection record (draft)")}</a>
                <a class="button" href=Route::Inspection(id).href()>{t("返回检查", "Back to the inspection")}</a>
            </section>
        }
        .into_any();
    }
    let hazards = hazard_rows(&inspection, checklist);
    let majors = hazards
        .iter()
        .filter(|r| {
            r.answer
                .as_ref()
                .is_some_and(|a| a.verdict == Verdict::MajorHazard)
        })
        .count();
    let inspected_on = date_zh(local_date(&inspection.started_at));
    let sealed_at = inspection
        .sealed_at
        .as_ref()
        .map(local_time)
        .unwrap_or_default();
    let any_caveat = checklist.is_some_and(|c| {
        hazards
            .iter()
            .filter_map(|r| r.item)
            .any(|item| !basis_caveats(c, item).is_empty())
    });
    let intro = if hazards.is_empty() {
        format!("{inspected_on}现场检查未发现生产安全事故隐患，无需整改。")
    } else {
        let major_part = if majors > 0 {
            format!("，其中重大隐患 {majors} 项")
        } else {
            String::new()
        };
        format!(
            "经{inspected_on}现场检查，发现你单位存在下列生产安全事故隐患共 {} 项{major_part}。\
             现责令你单位按照各项所列整改措施，在整改期限内完成整改，并将整改情况及时报告检查人员。",
            hazards.len()
        )
    };
    let addressee = format!(
        "{}（统一社会信用代码：{}）：",
        inspection.site.name, inspection.site.credit_code
    );
    let items = hazards
        .iter()
        .enumerate()
        .map(|(n, row)| notice_item(n + 1, row, checklist))
        .collect_view();
    view! {
        {doc_actions(vec![
            (t("现场检查记录", "Inspection record"), Route::Record(id).href()),
            (t("返回", "Back"), Route::Export(id).href()),
        ])}
        <article class="doc notice" aria-labelledby="doc-title">
            {title("责令限期整改指令书".into(), "Order to rectify within a time limit".into())}
            <p class="doc-addressee">{addressee}</p>
            <p class="doc-body">{intro}</p>
            {field_table(site_fields(&inspection.site).into_iter().chain(team_fields(&inspection)).collect())}
            {items}
            {any_caveat.then(|| view! {
                <p class="doc-footnote">
                    "注：判定依据后标注“转述”的，为检查表对有关规定的转述，非法规原文；标注“出处待核实”的，其出处尚未核实。正式引用前请核对原文。"
                </p>
            })}
            {signatures(officer_signatures(&inspection).into_iter().chain([
                ("被检查单位负责人签收：", sign_line(), "日期：____________".into()),
                ("签章时间：", ().into_any(), sealed_at),
            ]).collect())}
            <p class="doc-footnote">
                {format!("本指令书根据现场检查记录生成（记录标识 {id}）。文书编号及印章以执法机关出具的正式文书为准。")}
            </p>
        </article>
    }
    .into_any()
}

fn notice_item(n: usize, row: &RecordRow<'_>, checklist: Option<&Checklist>) -> AnyView {
    let answer = row
        .answer
        .clone()
        .unwrap_or_else(|| unreachable!("hazard rows are answered"));
    let major = answer.verdict == Verdict::MajorHazard;
    let order = answer.rectification.clone().unwrap_or_default();
    let (text, basis) = match (checklist, row.item) {
        (Some(c), Some(item)) => (item.zh.clone(), basis_with_caveats(c, item)),
        _ => ("—".to_string(), "（检查表版本不在本机）".to_string()),
    };
    let heading = format!("{n}. {} {}", row.item_id, answer.verdict.label_zh());
    let label = heading.clone();
    let mut fields: Vec<Field> = vec![
        ("检查内容", "", text),
        ("隐患描述", "", dash(&answer.description)),
        ("隐患部位", "", dash(&answer.location)),
        ("判定依据", "", basis),
        ("整改措施", "", dash(&order.measures)),
        ("整改责任人", "", dash(&order.responsible)),
        ("整改期限", "", dash(&order.deadline)),
    ];
    if !order.funds_yuan.is_empty() {
        fields.push(("预计资金（元）", "", order.funds_yuan.clone()));
    }
    let plan = major.then(|| {
        let plan = answer.major_plan.clone().unwrap_or_default();
        view! {
            <h4>"重大隐患治理方案（五落实） " {gloss("Five measures")}</h4>
            {field_table(vec![
                ("治理目标和任务", "", dash(&plan.target)),
                ("治理机构和人员", "", dash(&plan.organisation)),
                ("安全措施和应急预案", "", dash(&plan.safety_measures)),
                ("经费和物资", "", dash(&plan.funds_materials)),
                ("治理时限", "", dash(&plan.time_limit)),
                ("停产停业", "Suspension", suspension_zh(plan.suspension).to_string()),
            ])}
        }
        .into_any()
    });
    view! {
        <section class="notice-item" class:notice-major=major aria-label=label>
            <h3>{heading}</h3>
            {field_table(fields)}
            {plan}
        </section>
    }
    .into_any()
}

// ---- Home: the ledger download -----------------------------------------------------------------

on_demand! {
    /// Builds the hazard ledger CSV and hands it to the browser as a download: the message to
    /// show. On demand, so the home screen does not carry the ledger code.
    fn download_ledger in screens / preload_ledger (app: AppContext) -> Result<String, String> {
        let rows = app.model.with_untracked(|m| {
            app.catalog.with_untracked(|c| {
                m.hazard_ledger(
                    |r| c.find(&r.id, &r.content_hash.0),
                    &chrono::Local,
                    local_date(&now()),
                )
            })
        });
        let name = ledger_file_name(local_date(&now()));
        match super::download_text(&name, "text/csv;charset=utf-8", &ledger_csv(&rows)) {
            Ok(()) => Ok(crate::i18n::t_string(
                format!("已导出 {} 条隐患：{name}", rows.len()),
                format!("Exported {} hazards: {name}", rows.len()),
            )),
            Err(e) => Err(format!(
                "{}{}",
                t("导出失败：", "Export failed: "),
                crate::i18n::localize(&e.to_string())
            )),
        }
    }
}

/// The hazard ledger of every inspection on this device as CSV.
#[component]
pub fn LedgerExport() -> impl IntoView {
    let shell = crate::use_shell();
    let message = RwSignal::new(None::<Result<String, String>>);
    let on_click = move |_| {
        leptos::task::spawn_local(async move {
            let app = match crate::data::ready(shell).await {
                Ok(app) => app,
                Err(e) => return message.set(Some(Err(e.message()))),
            };
            message.set(Some(match download_ledger(app).await {
                Ok(outcome) => outcome,
                Err(_) => Err(t(
                    "导出失败：此功能的程序未能加载，请联网后重试。",
                    "Export failed: its code could not be loaded; connect and try again.",
                )
                .to_string()),
            }));
        });
    };
    view! {
        <section class="card" aria-labelledby="ledger-title">
            <h2 id="ledger-title">{t("隐患台账", "Hazard ledger")}</h2>
            <p>{t("本机所有检查记录中的隐患，一行一条，可用 Excel 打开。", "Every hazard on this device, one per row (CSV, opens in Excel; the ledger is in Chinese).")}</p>
            <button type="button" on:click=on_click>{t("导出隐患台账 CSV", "Export hazard ledger (CSV)")}</button>
            <p role="status" class="saved" hidden=move || !matches!(message.get(), Some(Ok(_)))>
                {move || message.get().and_then(Result::ok)}
            </p>
            <p role="alert" class="error" hidden=move || !matches!(message.get(), Some(Err(_)))>
                {move || message.get().and_then(Result::err)}
            </p>
        </section>
    }
}

// ---- 复查意见书 (re-inspection record) --------------------------------------------------------

const REVIEW_COLUMNS: [(&str, &str); 7] = [
    ("隐患编号", "c-hno"),
    ("检查内容", "c-text"),
    ("原隐患情况", "c-orig"),
    ("原整改期限", "c-deadline"),
    ("复查结论", "c-result"),
    ("处理措施", "c-action"),
    ("复查意见", "c-note"),
];

/// The cells of one reviewed hazard in the 复查意见书, and the line's class.
pub fn review_cells(review: &HazardReview, item_text: &str) -> (&'static str, [String; 7]) {
    let (class, result) = match review.outcome {
        ReviewOutcome::Rectified => ("ok-row", "已整改".to_string()),
        ReviewOutcome::NotRectified => ("major-row", "未整改".to_string()),
        ReviewOutcome::Pending => ("", "未复查".to_string()),
    };
    let result = if review.photos.is_empty() {
        result
    } else {
        format!("{result}\n（附照片 {} 张）", review.photos.len())
    };
    let action = match review.escalation {
        Some(Escalation::Extension) => format!(
            "{}，新整改期限 {}",
            Escalation::Extension.label_zh(),
            dash(&review.new_deadline)
        ),
        Some(e) => e.label_zh().to_string(),
        None if review.outcome == ReviewOutcome::Rectified => "验收销号".to_string(),
        None => "—".to_string(),
    };
    (
        class,
        [
            hazard_no(&review.hazard.inspection_id, &review.hazard.item_id),
            dash(item_text),
            format!(
                "{}：{}",
                review.original_verdict.label_zh(),
                dash(&review.original_description)
            ),
            dash(&review.original_deadline),
            result,
            action,
            dash(&review.note),
        ],
    )
}

/// 复查意见书: the hazards a re-inspection reviewed, what was found and what follows, printable
/// on A4 like the other documents.
#[component]
pub fn ReviewRecordScreen(id: Uuid) -> impl IntoView {
    let Some((inspection, checklist)) = load(id) else {
        return not_found();
    };
    let app = use_app();
    if inspection.kind != paicha_core::InspectionKind::Reinspection {
        return view! {
            <p class="error" role="alert">{t("该检查不是复查。", "This inspection is not a re-inspection.")}</p>
            <a class="button" href=Route::Record(id).href()>{t("现场检查记录", "Inspection record")}</a>
        }
        .into_any();
    }
    let sealed = inspection.is_sealed();
    // The item text from the original inspection's checklist version (else this one's).
    let item_text = |review: &HazardReview| -> String {
        let original = app.model.with_untracked(|m| {
            m.inspections
                .get(&review.hazard.inspection_id)
                .map(|i| i.checklist.clone())
        });
        original
            .and_then(|r| {
                app.catalog
                    .with_untracked(|c| c.find(&r.id, &r.content_hash.0))
            })
            .or(checklist)
            .and_then(|c| c.item(&review.hazard.item_id))
            .map(|i| i.zh.clone())
            .unwrap_or_default()
    };
    let rows: Vec<(&'static str, [String; 7])> = inspection
        .reviews
        .iter()
        .map(|r| review_cells(r, &item_text(r)))
        .collect();
    let count = |o: ReviewOutcome| inspection.reviews.iter().filter(|r| r.outcome == o).count();
    let reviewed_on = date_zh(local_date(
        inspection
            .sealed_at
            .as_ref()
            .unwrap_or(&inspection.started_at),
    ));
    let mut summary = format!(
        "{reviewed_on}对你单位此前检查发现的 {} 项隐患的整改情况进行了复查：已整改 {} 项，未整改 {} 项",
        inspection.reviews.len(),
        count(ReviewOutcome::Rectified),
        count(ReviewOutcome::NotRectified),
    );
    if count(ReviewOutcome::Pending) > 0 {
        summary.push_str(&format!("，尚未复查 {} 项", count(ReviewOutcome::Pending)));
    }
    summary.push_str("。复查情况及处理措施如下。");
    let officers = inspection
        .officers()
        .map(|o| o.display())
        .collect::<Vec<_>>()
        .join("、");
    let fields: Vec<Field> = vec![
        ("被复查单位", "Inspected unit", inspection.site.name.clone()),
        (
            "统一社会信用代码",
            "Credit code",
            inspection.site.credit_code.to_string(),
        ),
        ("复查时间", "Time (local)", time_span(&inspection)),
        ("复查人员", "Officers", officers),
    ];
    let photos: Vec<(String, String)> = inspection
        .reviews
        .iter()
        .flat_map(|r| numbered_photos(&r.hazard.item_id, "整改后照片", &r.photos))
        .collect();
    let photos = (!photos.is_empty()).then(|| {
        view! {
            <h3>"整改后照片 " {gloss("Photos of the result")}</h3>
            <ul class="doc-photos">
                {photos.into_iter().map(|(label, sha256)| view! {
                    <li>{image(sha256, label.clone())}<span>{label}</span></li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    });
    let site_signature = site_signature(
        &inspection,
        t(
            "被复查单位负责人签名（现场手写）",
            "Site representative's signature (handwritten)",
        ),
    );
    let sealed_line = sealed_line(&inspection);
    let back = if sealed {
        Route::Export(id)
    } else {
        Route::Inspection(id)
    };
    let suffix = if sealed { "" } else { "（草稿）" };
    let addressee = format!(
        "{}（统一社会信用代码：{}）：",
        inspection.site.name, inspection.site.credit_code
    );
    view! {
        {doc_actions(vec![
            (t("现场检查记录", "Inspection record"), Route::Record(id).href()),
            (t("返回", "Back"), back.href()),
        ])}
        <article class="doc review-doc" class:draft=!sealed aria-labelledby="doc-title">
            {(!sealed).then(|| view! {
                <p class="doc-draft" role="note">
                    "草稿：复查尚未签章封存，本意见书不作为正式文书。"
                    {gloss(" Draft: the re-inspection is not sealed; this is not an official record.")}
                </p>
            })}
            {title(
                format!("隐患整改复查意见书{suffix}"),
                format!("Re-inspection record{}", if sealed { "" } else { " (draft)" }),
            )}
            <p class="doc-addressee">{addressee}</p>
            <p class="doc-body">{summary}</p>
            {field_table(fields)}
            <h3>"复查情况 " {gloss("Reviewed hazards")}</h3>
            {doc_table(t("复查情况表", "Reviewed hazards table"), "doc-reviews", REVIEW_COLUMNS, rows)}
            {photos}
            {signatures(vec![
                ("复查人员签名：", sign_line(), format!("执法证号：{}", inspection.officers().map(|o| o.cert_no.clone()).collect::<Vec<_>>().join("、"))),
                ("被复查单位负责人签名：", site_signature, "日期：____________".into()),
                ("签章时间：", ().into_any(), sealed_line),
            ])}
            <p class="doc-footnote">
                {format!("本意见书由排查 Paicha 根据本机复查记录生成；时间为本地时间。隐患编号为原检查记录标识前8位与条目编号。记录标识 {id}")}
            </p>
        </article>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;
    use paicha_core::finding::{MajorHazardPlan, RectificationOrder};
    use paicha_core::reinspection::HazardRef;
    use paicha_core::{CreditCode, Site};

    const HOSTILE: &str = "<img src=x onerror=alert(1)>";

    fn fireworks() -> Checklist {
        Checklist::from_toml(
            "fireworks.toml",
            include_str!("../../checklists/fireworks.toml"),
        )
        .unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    /// An inspection with FW-01 compliant, FW-02 a general hazard (hostile description,
    /// formula-like responsible person), FW-05 a major hazard with its plan.
    fn inspection(checklist: &Checklist, id: u128, started: &str) -> Inspection {
        let site = Site::new(
            "某某烟花爆竹有限公司, \"东厂\"",
            CreditCode::parse("91440300708461136T").unwrap(),
        )
        .unwrap();
        let inspector = Inspector::new("张三", "44010012345").unwrap();
        let now = at(started);
        let mut i = Inspection::start(Uuid::from_u128(id), site, checklist, inspector, now);
        i.answer(checklist, "FW-01", Verdict::Compliant, "", now)
            .unwrap();
        i.answer(
            checklist,
            "FW-05",
            Verdict::MajorHazard,
            "超量存药\n约两倍",
            now,
        )
        .unwrap();
        i.answer(checklist, "FW-02", Verdict::GeneralHazard, HOSTILE, now)
            .unwrap();
        let order = |responsible: &str| RectificationOrder {
            measures: "立即停止作业并整改".into(),
            responsible: responsible.into(),
            deadline: "2099-12-31".into(),
            funds_yuan: "5000".into(),
        };
        i.set_order("FW-02", "二号工房", order("=HYPERLINK(\"http://x\")"), None)
            .unwrap();
        let plan = MajorHazardPlan {
            target: "消除重大事故隐患".into(),
            organisation: "安全科 王某".into(),
            safety_measures: "停用工房".into(),
            funds_materials: "企业安全费用".into(),
            time_limit: "2099-12-31".into(),
            suspension: Suspension::Partial,
        };
        i.set_order("FW-05", "中转库", order("陈某"), Some(plan))
            .unwrap();
        i
    }

    /// A small RFC 4180 reader, to read back what `to_csv` writes.
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut cell)),
                (false, '\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => cell.push(c),
            }
        }
        assert!(
            cell.is_empty() && row.is_empty(),
            "the last line ends in CRLF"
        );
        rows
    }

    #[test]
    fn cells_are_quoted_per_rfc_4180_only_when_needed() {
        assert_eq!(csv_cell("二号工房"), "二号工房");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("line 1\nline 2"), "\"line 1\nline 2\"");
        assert_eq!(csv_cell("cr\r"), "\"cr\r\"");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn formula_like_cells_are_defused() {
        for (value, expected) in [
            ("=1+1", "'=1+1"),
            ("+86 123", "'+86 123"),
            ("-2", "'-2"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\tx", "'\tx"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
        ] {
            assert_eq!(csv_cell(value), expected, "{value:?}");
        }
        // Only the first character counts; dates and plain text stay as they are.
        assert_eq!(csv_cell("a=b"), "a=b");
        assert_eq!(csv_cell("2099-12-31"), "2099-12-31");
    }

    #[test]
    fn the_document_starts_with_a_bom_and_lines_end_in_crlf() {
        let csv = to_csv(&["a", "b"], &[vec!["1".to_string(), "x,y".to_string()]]);
        assert!(csv.as_bytes().starts_with(&[0xef, 0xbb, 0xbf]));
        assert_eq!(csv, "\u{feff}a,b\r\n1,\"x,y\"\r\n");
        let empty = ledger_csv(&[]);
        assert_eq!(empty.trim_start_matches('\u{feff}').lines().count(), 1);
        assert!(empty.contains("隐患编号,单位名称,统一社会信用代码,检查日期"));
    }

    #[test]
    fn the_ledger_has_one_row_per_hazard_with_derived_fields() {
        let checklist = fireworks();
        let mut model = Model::default();
        let first = inspection(
            &checklist,
            0xabcdef12_0000_0000_0000_000000000001,
            "2026-11-29T20:00:00Z",
        );
        model.inspections.insert(first.id, first.clone());
        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), day(1));
        assert_eq!(rows.len(), 2, "FW-01 is compliant: two hazards");
        let col = |name: &str| LEDGER_HEADER.iter().position(|h| *h == name).unwrap();
        // Checklist order: FW-02 before FW-05, whatever the order of answering.
        assert_eq!(rows[0][col("条目编号")], "FW-02");
        assert_eq!(rows[1][col("条目编号")], "FW-05");
        assert_eq!(rows[0][col("隐患编号")], "abcdef12-FW-02");
        // 20:00 UTC is the next morning in Beijing.
        assert_eq!(rows[0][col("检查日期")], "2026-11-30");
        assert_eq!(rows[0][col("隐患等级")], "一般");
        assert_eq!(rows[1][col("隐患等级")], "重大");
        assert_eq!(rows[0][col("是否停产停业")], "否");
        assert_eq!(rows[1][col("是否停产停业")], "局部停产停业");
        assert_eq!(
            rows[0][col("治理目标和任务")],
            "",
            "a general hazard has no plan"
        );
        assert_eq!(rows[1][col("治理目标和任务")], "消除重大事故隐患");
        assert!(rows[1][col("判定依据")].contains("安监总管三〔2017〕121号"));
        assert!(rows[1][col("判定依据")].contains("第（五）项"));
        assert_eq!(rows[0][col("检查人员")], "张三");
        assert_eq!(rows[0][col("执法证号")], "44010012345");
        assert_eq!(rows[0][col("预计资金（元）")], "5000");
        assert_eq!(
            rows[0][col("状态")],
            "",
            "a draft's hazard has no status yet"
        );
        assert_eq!(rows[0][col("状态")], rows[0][col("督查状态")]);
        assert_eq!(rows[0][col("检查记录")], "草稿（未签章）");
        assert!(rows[0][col("检查表")].starts_with("烟花爆竹生产经营单位安全检查 v"));
    }

    #[test]
    fn the_ledger_ends_with_the_team_the_type_and_where_each_hazard_stands() {
        let checklist = fireworks();
        let mut model = Model::default();
        let mut original = inspection(&checklist, 1, "2026-11-01T02:00:00Z");
        let team = vec![
            Inspector::new("王五", "=GD-0003").unwrap(),
            Inspector::new("李四", "GD-0002").unwrap(),
        ];
        original
            .set_team(paicha_core::InspectionKind::Special, team)
            .unwrap();
        for item in ["FW-02", "FW-05"] {
            let order = paicha_core::finding::RectificationOrder {
                deadline: "2026-11-10".into(),
                ..original.answers[item].rectification.clone().unwrap()
            };
            let plan = original.answers[item].major_plan.clone();
            original.set_order(item, "二号工房", order, plan).unwrap();
        }
        original
            .seal(&checklist, at("2026-11-01T03:00:00Z"))
            .unwrap();
        // Re-inspected on 15 November: FW-05 rectified, FW-02 given until 20 November.
        let reviewed = at("2026-11-15T02:00:00Z");
        let mut re = Inspection::start(
            Uuid::from_u128(2),
            original.site.clone(),
            &checklist,
            original.inspector.clone(),
            reviewed,
        );
        re.set_team(paicha_core::InspectionKind::Reinspection, vec![])
            .unwrap();
        re.add_reviews(["FW-02", "FW-05"].map(|item| HazardReview::of(&original, item).unwrap()))
            .unwrap();
        let decide =
            |outcome, escalation: Option<Escalation>| paicha_core::reinspection::ReviewDecision {
                outcome,
                note: String::new(),
                escalation,
                new_deadline: escalation.map(|_| "2026-11-20".into()).unwrap_or_default(),
            };
        let [fw02, fw05] = ["FW-02", "FW-05"].map(|item| HazardRef {
            inspection_id: original.id,
            item_id: item.into(),
        });
        let extended = decide(ReviewOutcome::NotRectified, Some(Escalation::Extension));
        re.review(&fw02, extended, reviewed).unwrap();
        re.review(&fw05, decide(ReviewOutcome::Rectified, None), reviewed)
            .unwrap();
        re.attach_review_photo(&fw05, &paicha_core::sha256_hex(b"after"))
            .unwrap();
        re.seal(&checklist, reviewed).unwrap();
        let draft = inspection(&checklist, 3, "2026-11-29T02:00:00Z");
        for i in [original, re, draft] {
            model.inspections.insert(i.id, i);
        }

        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), day(1));
        assert_eq!(rows.len(), 4, "the re-inspection found nothing new");
        let col = |name: &str| LEDGER_HEADER.iter().position(|h| *h == name).unwrap();
        assert_eq!(
            col("检查记录"),
            24,
            "the original columns keep their places"
        );
        assert_eq!(col("同行检查人员"), 25);
        assert_eq!(rows[0][col("同行检查人员")], "王五、李四");
        assert_eq!(rows[0][col("同行执法证号")], "=GD-0003、GD-0002");
        assert_eq!(rows[0][col("检查类型")], "专项检查");
        assert_eq!(rows[0][col("督查状态")], "逾期未整改");
        assert_eq!(
            rows[0][col("复查结论")],
            "2026-11-15 未整改，责令延期整改至 2026-11-20"
        );
        assert_eq!(rows[1][col("督查状态")], "已验收销号");
        assert_eq!(rows[1][col("复查结论")], "2026-11-15 已整改");
        // 状态 keeps its place and says the same as 督查状态.
        assert_eq!(col("状态"), 23);
        for row in &rows {
            assert_eq!(row[col("状态")], row[col("督查状态")]);
        }
        assert_eq!(rows[1][col("状态")], "已验收销号");
        // A draft's hazards have no follow-up status yet.
        assert_eq!(rows[2][col("检查类型")], "日常检查");
        assert_eq!(rows[2][col("同行检查人员")], "");
        assert_eq!(rows[2][col("督查状态")], "");
        assert_eq!(rows[2][col("复查结论")], "");
        // On the 18th the extension still runs.
        let nov18 = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), nov18);
        assert_eq!(rows[0][col("督查状态")], "即将到期");
        assert_eq!(rows[0][col("状态")], "即将到期");
        // The new cells go through the same guard: BOM, CRLF, formula defused.
        let csv = ledger_csv(&rows);
        let parsed = parse_csv(csv.trim_start_matches('\u{feff}'));
        assert_eq!(parsed[0].len(), 30);
        assert_eq!(parsed[1][col("同行执法证号")], "'=GD-0003、GD-0002");
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn hostile_and_awkward_text_survives_the_csv_literally() {
        let checklist = fireworks();
        let mut model = Model::default();
        let mut older = inspection(&checklist, 2, "2026-11-01T02:00:00Z");
        older.seal(&checklist, at("2026-11-01T03:00:00Z")).unwrap();
        let newer = inspection(&checklist, 1, "2026-11-29T02:00:00Z");
        model.inspections.insert(older.id, older.clone());
        model.inspections.insert(newer.id, newer.clone());
        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), day(1));
        let csv = ledger_csv(&rows);
        assert!(csv.contains(HOSTILE), "no HTML escaping in a data file");
        let parsed = parse_csv(csv.trim_start_matches('\u{feff}'));
        assert_eq!(parsed.len(), 1 + 4);
        assert_eq!(parsed[0], LEDGER_HEADER);
        // Oldest inspection first.
        assert_eq!(parsed[1][0], hazard_no(&older.id, "FW-02"));
        assert_eq!(parsed[1][24], "已签章");
        assert_eq!(parsed[3][0], hazard_no(&newer.id, "FW-02"));
        // Every cell reads back as written, except the formula guard.
        for (line, row) in parsed[1..].iter().zip(&rows) {
            for (read, written) in line.iter().zip(row.iter()) {
                if written.starts_with('=') {
                    assert_eq!(read, &format!("'{written}"));
                } else {
                    assert_eq!(read, written);
                }
            }
        }
        assert_eq!(parsed[1][9], HOSTILE);
        assert_eq!(parsed[1][14], "'=HYPERLINK(\"http://x\")");
        assert_eq!(parsed[2][9], "超量存药\n约两倍");
        assert_eq!(parsed[1][1], "某某烟花爆竹有限公司, \"东厂\"");
    }

    #[test]
    fn paraphrased_items_and_unverified_sources_are_marked() {
        let checklist = fireworks();
        let verbatim = checklist.item("FW-05").unwrap();
        assert!(basis_caveats(&checklist, verbatim).is_empty());
        assert_eq!(
            basis_text(&checklist, verbatim),
            "烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）（安监总管三〔2017〕121号） 第（五）项"
        );
        let paraphrase = checklist
            .items()
            .find(|i| i.verification == Verification::Paraphrase)
            .expect("the fireworks checklist has paraphrased items");
        let text = basis_with_caveats(&checklist, paraphrase);
        assert!(text.contains("〔转述，非法规原文"), "{text}");
        assert!(text.contains("〔出处待核实〕"), "{text}");
        // No document number is printed when the checklist has none.
        assert!(
            text.starts_with("烟花爆竹安全管理条例；烟花爆竹经营许可实施办法 许可与经营管理规定"),
            "{text}"
        );
    }

    #[test]
    fn the_record_lists_applicable_items_in_order_and_unanswered_ones() {
        let checklist = fireworks();
        let i = inspection(&checklist, 3, "2026-11-29T02:00:00Z");
        let rows = record_rows(&i, Some(&checklist));
        let applicable = checklist.applicable_items(&i.applicable_keys()).count();
        assert_eq!(rows.len(), applicable);
        assert!(
            applicable < checklist.items().count(),
            "retail items need a yes"
        );
        assert_eq!(rows[0].item_id, "FW-01");
        assert_eq!(unanswered(&rows), applicable - 3);
        let hazards: Vec<_> = hazard_rows(&i, Some(&checklist))
            .into_iter()
            .map(|r| r.item_id)
            .collect();
        assert_eq!(hazards, ["FW-02", "FW-05"]);
        // Without the checklist version the answers are still all there.
        assert_eq!(record_rows(&i, None).len(), 3);
        let mut model = Model::default();
        model.inspections.insert(i.id, i.clone());
        let rows = model.hazard_ledger(|_| None, &beijing(), day(1));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][12], "（检查表版本不在本机）");
    }

    #[test]
    fn ids_and_file_names() {
        let id = Uuid::parse_str("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0").unwrap();
        assert_eq!(short_id(&id), "0f1e2d3c");
        assert_eq!(hazard_no(&id, "FW-05"), "0f1e2d3c-FW-05");
        assert_eq!(short_hash("0123456789abcdef0123"), "0123456789ab");
        assert_eq!(
            ledger_file_name(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            "paicha-hazards-20260305.csv"
        );
        assert_eq!(
            date_zh(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            "2026年3月5日"
        );
    }
}
