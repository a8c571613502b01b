//! Links from a screen to an inspection's printable records.

use crate::model::context::use_model;
use crate::platform::i18n::t;
use crate::platform::route::Route;
use leptos::prelude::*;
use uuid::Uuid;

/// Links to the record and, once the inspection is sealed and has hazards, the notice.
#[component]
pub fn RecordLinks(id: Uuid) -> impl IntoView {
    let model = use_model();
    let notice = move || {
        model.with(|m| {
            m.inspections
                .get(&id)
                .is_some_and(|i| i.is_sealed() && i.hazards().next().is_some())
        })
    };
    let reinspection = move || {
        model.with(|m| {
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
