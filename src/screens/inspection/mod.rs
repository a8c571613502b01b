//! Walking the checklist: one answer per item, saved as it is given.

mod item_card;
mod order_fields;
pub mod reviews;
mod walk;

use crate::model::context::use_model;
use crate::platform::i18n::{t, text_of};
use crate::platform::route::{Anchor, Route, navigate};
use crate::widgets::photos::PendingWrites;
use crate::widgets::record_links::RecordLinks;
use crate::widgets::save_indicator::SaveIndicator;
use crate::widgets::team::inspection_facts;
use leptos::prelude::*;
use paicha_core::InspectionKind;
use reviews::ReviewList;
use uuid::Uuid;
use walk::ChecklistWalk;
use wasm_bindgen::JsCast;

/// Inspection `id`; `at` names the card to scroll to (an item, or a review's anchor), e.g. from
/// the completion screen's list of what blocks the seal.
#[component]
pub fn InspectionScreen(id: Uuid, #[prop(optional)] at: Option<Anchor>) -> impl IntoView {
    let model = use_model();
    let (inspection, checklist) = match super::inspection_with_checklist(id) {
        Ok(found) => found,
        Err(missing) => return missing,
    };
    if inspection.is_sealed() {
        navigate(&Route::Export(id));
    }
    let yes = inspection.applicable_keys();
    let applicable_ids: Vec<String> = checklist
        .applicable_items(&yes)
        .map(|i| i.id.clone())
        .collect();
    let total = applicable_ids.len();
    let answered = Memo::new(move |_| {
        model.with(|m| {
            m.inspections.get(&id).map_or(0, |i| {
                applicable_ids
                    .iter()
                    .filter(|k| i.answers.contains_key(*k))
                    .count()
            })
        })
    });
    PendingWrites::provide();
    if let Some(anchor) = at {
        request_animation_frame(move || scroll_to_item(anchor.as_str()));
    }
    let reinspection = inspection.kind == InspectionKind::Reinspection;
    let walk = view! { <ChecklistWalk id checklist /> };
    // A re-inspection reviews earlier hazards first; new findings go in the checklist below.
    let walk = if reinspection {
        view! {
            <ReviewList id />
            <details class="card walk-details">
                <summary>{t("发现新问题？逐项检查", "New findings? Walk the checklist")}</summary>
                {walk}
            </details>
        }
        .into_any()
    } else {
        walk.into_any()
    };
    view! {
        <section class="card inspection-head">
            <h2>{inspection.site.name.clone()}</h2>
            {(inspection.kind != InspectionKind::Routine).then(|| view! {
                <p class="kind-badge">{t(inspection.kind.label_zh(), inspection.kind.label_en())}</p>
            })}
            <p>{t("统一社会信用代码 ", "Credit code ")} <span class="mono">{inspection.site.credit_code.to_string()}</span></p>
            {inspection_facts(&inspection)}
            <p>{text_of(&checklist.title.zh, &checklist.title.en).to_string()} " · v" {checklist.version.clone()}</p>
            <p hidden=reinspection>
                <progress max=total.to_string() value=move || answered.get().to_string() aria-label=t("进度", "Progress")></progress>
                " " {answered} " / " {total} {t(" 已检查", " answered")}
            </p>
            <p>{move || model.with(|m| m.inspections.get(&id).and_then(|i| i.position)).map_or_else(
                || t("位置：未获取（可继续检查）", "Location: not available (you can carry on)").to_string(),
                |p| { let (lat, lon) = p.degrees(); format!("{}{lat:.5}, {lon:.5} ±{} m", t("位置：", "Location: "), p.accuracy_m) },
            )}</p>
            <SaveIndicator />
        </section>
        {walk}
        <section class="card">
            <button type="button" class="primary" on:click=move |_| navigate(&Route::Complete(id))>{t("完成检查并签章", "Finish and seal")}</button>
            <RecordLinks id />
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
    }
    .into_any()
}

/// Scrolls to the card of `anchor` and focuses its chosen verdict (or its first).
fn scroll_to_item(item_id: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(card) = document.get_element_by_id(&format!("card-{item_id}")) else {
        return;
    };
    // A card inside a closed <details> (a re-inspection's checklist) is shown first.
    if let Ok(Some(details)) = card.closest("details") {
        let _ = details.set_attribute("open", "");
    }
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Start);
    card.scroll_into_view_with_scroll_into_view_options(&options);
    // Focus the chosen verdict (or the first), so keyboard and screen-reader users land there.
    let target = card
        .query_selector("input[type=radio]:checked")
        .ok()
        .flatten()
        .or_else(|| card.query_selector("input[type=radio]").ok().flatten());
    if let Some(input) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = input.focus();
    }
}
