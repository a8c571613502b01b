//! 复查意见书: what a re-inspection found of each hazard it reviewed, and what follows.

use super::*;
use crate::model::records::{date_zh, review_cells};
use paicha_core::hazard_ledger;
use paicha_core::reinspection::{HazardReview, ReviewOutcome};

const REVIEW_COLUMNS: [(&str, &str); 7] = [
    ("隐患编号", "c-hno"),
    ("检查内容", "c-text"),
    ("原隐患情况", "c-orig"),
    ("原整改期限", "c-deadline"),
    ("复查结论", "c-result"),
    ("处理措施", "c-action"),
    ("复查意见", "c-note"),
];

/// 复查意见书: the hazards a re-inspection reviewed, what was found and what follows, printable
/// on A4 like the other documents.
#[component]
pub fn ReviewRecordScreen(id: Uuid) -> impl IntoView {
    let Some((inspection, checklist)) = load(id) else {
        return not_found();
    };
    let model = use_model();
    let catalog = use_catalog();
    if inspection.kind != paicha_core::InspectionKind::Reinspection {
        return view! {
            <p class="error" role="alert">{t("该检查不是复查。", "This inspection is not a re-inspection.")}</p>
            <a class="button" href=Route::Record(id).href()>{t("现场检查记录", "Inspection record")}</a>
        }
        .into_any();
    }
    let sealed = inspection.is_sealed();
    // The item text from the original inspection's checklist version (else this one's).
    // The original inspection names the hazard (its number has the day it was found) and
    // the checklist version of the item text (else this one's).
    let item_text = |review: &HazardReview| -> (String, String) {
        let original = model.with_untracked(|m| {
            m.inspections
                .get(&review.hazard.inspection_id)
                .map(|i| (i.checklist.clone(), i.started_at))
        });
        let number = original.as_ref().map_or_else(
            || review.hazard.item_id.clone(),
            |(_, started)| {
                let id = review.hazard.inspection_id.to_string();
                hazard_ledger::hazard_no(&id, *started, &review.hazard.item_id)
            },
        );
        let text = original
            .and_then(|(r, _)| catalog.with_untracked(|c| c.find(&r.id, &r.content_hash.0)))
            .or(checklist)
            .and_then(|c| c.item(&review.hazard.item_id))
            .map(|i| i.zh.clone())
            .unwrap_or_default();
        (number, text)
    };
    let rows: Vec<(&'static str, [String; 7])> = inspection
        .reviews
        .iter()
        .map(|r| {
            let (number, text) = item_text(r);
            review_cells(r, number, &text)
        })
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
                {format!("本意见书由排查 Paicha 根据本机复查记录生成；时间为本地时间。隐患编号为“YH-原检查日期-原检查记录标识末12位-条目编号”，与隐患台账一致。记录标识 {id}")}
            </p>
        </article>
    }
    .into_any()
}
