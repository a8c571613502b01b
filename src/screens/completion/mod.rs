//! Completion (完成检查): a summary of the inspection, what still blocks the seal (each with a
//! link to its item), the site representative's handwritten signature, then the seal.
//!
//! Blocking: hazards without a description, incomplete orders (交办) and missing photo
//! evidence. Items not answered are listed but do not block: an unanswered item makes no claim
//! in the record (the bundle carries only answered items), whereas forcing an answer would
//! invite a "符合" for something nobody looked at, which is worse for a legal record.

mod review_summary;
mod team_card;

use crate::model::context::use_model;
use crate::platform::clock::now;
use crate::platform::i18n::{t, text_of};
use crate::platform::route::{Anchor, Route, navigate};
use crate::widgets::field_error::FieldError;
use crate::widgets::photos::PendingWrites;
use crate::widgets::save_indicator::SaveIndicator;
use crate::widgets::signature_pad::SignaturePad;
use leptos::prelude::*;
use paicha_core::Verdict;
use paicha_core::completion::Completion;
use review_summary::{completion_blockers, completion_counts};
use team_card::CompletionTeam;
use uuid::Uuid;

/// An incomplete order as the domain lists it ("FW-02：整改措施、整改期限"), in the current
/// language.
fn order_entry(entry: &str) -> String {
    const FIELDS: [(&str, &str); 10] = [
        ("整改措施", "measures"),
        ("整改责任人", "responsible person"),
        ("整改期限", "deadline"),
        ("整改资金", "funds"),
        ("治理目标和任务", "target and tasks"),
        ("治理机构和人员", "organisation and people"),
        ("安全措施和应急预案", "safety measures and emergency plan"),
        ("经费和物资", "funds and materials"),
        ("治理时限", "time limit"),
        ("是否停产停业", "suspension"),
    ];
    if crate::platform::i18n::lang_untracked() == crate::platform::i18n::Lang::Zh {
        return entry.to_string();
    }
    let mut text = entry.replace('：', ": ").replace('、', ", ");
    for (zh, en) in FIELDS {
        text = text.replace(zh, en);
    }
    text
}

#[component]
pub fn CompletionScreen(id: Uuid) -> impl IntoView {
    let model = use_model();
    let (inspection, checklist) = match super::inspection_with_checklist(id) {
        Ok(found) => found,
        Err(missing) => return missing,
    };
    if inspection.is_sealed() {
        navigate(&Route::Export(id));
    }
    let pending = PendingWrites::provide();
    // Nothing on this screen changes the answers (only the signature), so the summary is
    // computed once; going back to the inspection and returning computes it again.
    let summary = Completion::of(&inspection, checklist);
    // Officers can be added on this screen (the team card): that blocker is followed live; the
    // others cannot change while the screen is open.
    let too_few = Memo::new(move |_| {
        model.with(|m| {
            m.inspections
                .get(&id)
                .is_some_and(|i| i.officers().count() < 2)
        })
    });
    let others_block = !Completion {
        officers: 2,
        ..summary.clone()
    }
    .may_seal();
    let blocked = move || others_block || too_few.get();
    let seal_error = RwSignal::new(None::<String>);
    let on_seal = move |_| match model.try_update(|m| m.seal(id, checklist, now())) {
        Some(Ok(())) => navigate(&Route::Export(id)),
        Some(Err(e)) => seal_error.set(Some(e.to_string())),
        None => {}
    };
    let item_text = |item_id: &str| {
        checklist
            .item(item_id)
            .map(|i| format!("{item_id} {}", text_of(&i.zh, &i.en)))
            .unwrap_or_else(|| item_id.to_string())
    };
    // Links to items on the inspection screen, which scrolls to the item: as a list of texts,
    // or as compact chips showing the id (the full text is the accessible name).
    let links = move |labelled_by: &'static str, chips: bool, entries: Vec<(String, String)>| {
        view! {
            <ul aria-labelledby=labelled_by class=if chips { "item-chips" } else { "item-links" }>
                {entries.into_iter().map(|(item_id, text)| {
                    let href = match Anchor::new(&item_id) {
                        Some(anchor) => Route::InspectionAt(id, anchor).href(),
                        None => Route::Inspection(id).href(),
                    };
                    let (shown, name) = if chips { (item_id, Some(text)) } else { (text, None) };
                    view! {
                        <li><a class:chip=chips href=href aria-label=name.clone() title=name>{shown}</a></li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    // Entries are item ids, or "item：missing fields" for orders.
    let blockers = [
        (
            "missing-description-title",
            t("隐患缺少描述", "Hazards without a description"),
            &summary.without_description,
            true,
        ),
        (
            "incomplete-orders-title",
            t("交办信息不完整", "Incomplete hazard orders"),
            &summary.incomplete_orders,
            false,
        ),
        (
            "missing-evidence-title",
            t("缺少照片证据", "Required photo missing"),
            &summary.missing_evidence,
            true,
        ),
        (
            "missing-measurement-title",
            t(
                "描述未写明实测值（数值和单位）",
                "Measured value (number and unit) missing from the description",
            ),
            &summary.missing_measurements,
            true,
        ),
    ]
    .into_iter()
    .filter(|(_, _, entries, _)| !entries.is_empty())
    .map(|(title_id, title, entries, describe)| {
        let entries = entries
            .iter()
            .map(|entry| {
                let item_id = entry.split('：').next().unwrap_or_default().to_string();
                let text = if describe {
                    item_text(&item_id)
                } else {
                    order_entry(entry)
                };
                (item_id, text)
            })
            .collect();
        view! { <h4 id=title_id>{title}</h4> {links(title_id, false, entries)} }
    })
    .collect_view();
    let unanswered: Vec<(String, String)> = summary
        .unanswered
        .iter()
        .map(|item_id| (item_id.clone(), item_text(item_id)))
        .collect();
    let counts = [
        (
            "ok",
            t("符合：", "Compliant: "),
            summary.count(Verdict::Compliant),
        ),
        (
            "general",
            t("一般隐患：", "General hazards: "),
            summary.count(Verdict::GeneralHazard),
        ),
        (
            "major",
            t("重大隐患：", "Major hazards: "),
            summary.count(Verdict::MajorHazard),
        ),
        (
            "",
            t("不适用：", "Not applicable: "),
            summary.count(Verdict::NotApplicable),
        ),
        ("", t("未检查：", "Not answered: "), unanswered.len()),
    ]
    .into_iter()
    // A re-inspection walks the checklist only for new findings: nothing is "not answered".
    .take(if summary.reviews.is_none() { 5 } else { 4 })
    .map(|(class, label, n)| view! { <li class=class>{label} <strong>{n}</strong></li> })
    .collect_view();
    view! {
        <section class="card" aria-labelledby="complete-title">
            <h2 id="complete-title">{t("完成检查", "Finish inspection")}</h2>
            <p><strong>{inspection.site.name.clone()}</strong> " · " <span class="mono">{inspection.site.credit_code.to_string()}</span></p>
            <p>{text_of(&checklist.title.zh, &checklist.title.en).to_string()} " · v" {checklist.version.clone()}</p>
            <SaveIndicator />
        </section>
        {completion_counts(&inspection)}
        <section class="card" aria-labelledby="summary-title">
            <h3 id="summary-title">{t("检查结果汇总", "Summary")}</h3>
            <ul class="counts" aria-labelledby="summary-title">{counts}</ul>
        </section>
        {others_block.then(|| view! {
            <section class="card blockers" aria-labelledby="blockers-title">
                <h3 id="blockers-title">{t("签章前须处理", "Resolve before sealing")}</h3>
                {(summary.reviews.is_none() && summary.answered() == 0).then(|| view! { <p>{t("尚未记录任何检查结果。", "No item has been answered yet.")}</p> })}
                {blockers}
                {completion_blockers(id, &inspection)}
            </section>
        })}
        // A re-inspection's checklist is optional (new findings only): no list of items left.
        {(!unanswered.is_empty() && summary.reviews.is_none()).then(|| view! {
            <section class="card" aria-labelledby="unanswered-title">
                <h3 id="unanswered-title">{t("未检查的条目", "Items not answered")}</h3>
                <p><small>{t("不影响签章：未检查的条目在记录中不作结论。", "These do not block sealing: the record makes no statement about them.")}</small></p>
                {links("unanswered-title", true, unanswered)}
            </section>
        })}
        <CompletionTeam id />
        <SignaturePad id />
        <section class="card">
            <p id="seal-hint">
                {move || if blocked() {
                    t("请先处理上列问题，然后签章封存。", "Resolve the points listed above, then seal.")
                } else {
                    t("签章后检查记录不可更改。", "Once sealed, the record cannot be changed.")
                }}
            </p>
            <FieldError id="seal-error" message=seal_error.into() />
            <div class="button-row">
                <button type="button" class="primary" aria-describedby="seal-hint"
                    disabled=move || { blocked() || pending.0.get() != 0 }
                    on:click=on_seal>{t("签章封存", "Seal")}</button>
                <a class="button secondary" href=Route::Inspection(id).href()>{t("返回检查", "Back to inspection")}</a>
            </div>
        </section>
    }
    .into_any()
}
