//! 现场检查记录: every applicable item with its result, the findings and the signatures.

use super::*;
use crate::model::records::{finding_cells, record_rows, short_hash};
use paicha_core::Verdict;

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
