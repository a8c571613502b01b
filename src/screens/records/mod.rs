//! The printable records: 现场检查记录 (on-site inspection record), 责令限期整改指令书
//! (rectification notice) and 复查意见书 (re-inspection record), laid out for A4 and printed or
//! saved as PDF by the browser. What they say is in `model::records`; this is their layout.
//!
//! Everything the user typed is rendered as text nodes, never as HTML.

mod notice;
mod record;
mod review_record;

pub use notice::NoticeScreen;
pub use record::RecordScreen;
pub use review_record::ReviewRecordScreen;

use crate::model::context::{use_catalog, use_model};
use crate::platform::clock::local_time;
use crate::platform::i18n::t;
use crate::platform::route::Route;
use crate::widgets::photos::Thumbnail;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use paicha_core::{Checklist, Inspection};
use uuid::Uuid;

/// The site representative's signature as drawn on the device at completion (`label` names
/// it), or a line to sign on paper; the date line beside it stays for use on paper either way.
pub(super) fn site_signature(inspection: &Inspection, label: &'static str) -> AnyView {
    match inspection.site_signature.clone() {
        Some(sha256) => view! {
            <span class="doc-signature">{image(sha256, label.into())}</span>
        }
        .into_any(),
        None => sign_line(),
    }
}

/// When the record was sealed, or that it is a draft.
pub(super) fn sealed_line(inspection: &Inspection) -> String {
    inspection
        .sealed_at
        .as_ref()
        .map_or_else(|| "未签章（草稿）".into(), local_time)
}

pub(super) fn print_page() {
    if let Some(Err(e)) = web_sys::window().map(|w| w.print()) {
        leptos::logging::warn!("print failed: {e:?}");
    }
}

pub(super) fn local_date(t: &DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&chrono::Local).date_naive()
}

/// The inspection and the exact checklist version it used (if on this device).
pub(super) fn load(id: Uuid) -> Option<(Inspection, Option<&'static Checklist>)> {
    let catalog = use_catalog();
    let inspection = use_model().with_untracked(|m| m.inspections.get(&id).cloned())?;
    let checklist = catalog.with_untracked(|c| {
        c.find(
            &inspection.checklist.id,
            &inspection.checklist.content_hash.0,
        )
    });
    Some((inspection, checklist))
}

pub(super) fn not_found() -> AnyView {
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
pub(super) type Field = (&'static str, &'static str, String);

/// A two-column table of labelled values.
pub(super) fn field_table(fields: Vec<Field>) -> AnyView {
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
pub(super) fn time_span(inspection: &Inspection) -> String {
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
pub(super) fn numbered_photos(item: &str, what: &str, photos: &[String]) -> Vec<(String, String)> {
    photos
        .iter()
        .enumerate()
        .map(|(n, sha)| (format!("{item} {what} {}", n + 1), sha.clone()))
        .collect()
}

/// The site's address, township, grid and contact, each only where present.
pub(super) fn site_fields(site: &paicha_core::Site) -> Vec<Field> {
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
pub(super) fn team_fields(inspection: &Inspection) -> Vec<Field> {
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
            crate::widgets::team::officers_text(inspection),
        ),
    ];
    if !unit.trim().is_empty() {
        fields.push(("执法单位", "Unit", unit.trim().to_string()));
    }
    fields
}

/// One signature line per officer.
pub(super) fn officer_signatures(inspection: &Inspection) -> Vec<(&'static str, AnyView, String)> {
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
pub(super) fn lead_paragraph(class: &'static str, lead: &'static str, text: String) -> AnyView {
    view! { <p class=class><strong>{lead}</strong>{text}</p> }.into_any()
}

/// The document's buttons and links (not printed): print, then (label, href) links.
pub(super) fn doc_actions(links: Vec<(&'static str, String)>) -> AnyView {
    view! {
        <div class="doc-actions" role="group" aria-label=t("文书操作", "Document actions")>
            <button type="button" class="primary" on:click=move |_| print_page()>{t("打印 / 保存为PDF", "Print / save as PDF")}</button>
            {links.into_iter().map(|(label, href)| view! { <a class="button" href=href>{label}</a> }).collect_view()}
        </div>
    }
    .into_any()
}

/// Signature lines: (label, what follows the line).
pub(super) fn signatures(lines: Vec<(&'static str, AnyView, String)>) -> AnyView {
    view! {
        <div class="doc-signatures">
            {lines.into_iter().map(|(label, mark, after)| view! { <p>{label} {mark} {after}</p> }).collect_view()}
        </div>
    }
    .into_any()
}

pub(super) fn sign_line() -> AnyView {
    view! { <span class="doc-sign-line"></span> }.into_any()
}

pub(super) fn title(zh: String, en: String) -> AnyView {
    let en = crate::platform::i18n::t_string(String::new(), en);
    view! { <h2 id="doc-title" class="doc-title">{zh} <small class="doc-en">{en}</small></h2> }
        .into_any()
}

/// An English gloss in a Chinese document: on screen in English mode only, never printed.
pub(super) fn gloss(en: &'static str) -> AnyView {
    view! { <span class="doc-en">{t("", en)}</span> }.into_any()
}

/// A stored image (photo or signature) with its accessible name.
pub(super) fn image(sha256: String, label: String) -> AnyView {
    view! { <Thumbnail sha256 label=Signal::derive(move || label.clone()) /> }.into_any()
}

pub(super) const FINDING_COLUMNS: [(&str, &str); 8] = [
    ("条目", "c-id"),
    ("检查内容", "c-text"),
    ("结果", "c-result"),
    ("隐患描述", "c-desc"),
    ("隐患部位", "c-loc"),
    ("整改措施", "c-measures"),
    ("责任人", "c-resp"),
    ("期限", "c-deadline"),
];

pub(super) fn findings_table(rows: Vec<(&'static str, [String; 8])>) -> AnyView {
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
pub(super) fn doc_table<const N: usize>(
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
