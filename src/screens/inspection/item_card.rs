//! One checklist item: its text and basis, the verdict, and for a hazard the description, the
//! order and the photos. Every change is saved as it is made.

use super::order_fields::OrderFields;
use crate::model::context::use_model;
use crate::platform::clock::now;
use crate::platform::i18n::{t, text_of};
use crate::widgets::photos::PhotoField;
use leptos::prelude::*;
use paicha_core::checklist::{EvidenceRule, Item, Verification};
use paicha_core::{Checklist, Verdict};
use uuid::Uuid;

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Compliant => "ok",
        Verdict::GeneralHazard => "general",
        Verdict::MajorHazard => "major",
        Verdict::NotApplicable => "na",
    }
}

fn verification_note(v: Verification) -> Option<&'static str> {
    match v {
        Verification::Verbatim => None,
        Verification::Fragment => Some(t(
            "条文片段（出处推定）",
            "Verbatim fragment, place in source inferred",
        )),
        Verification::Paraphrase => Some(t(
            "转述，非法规原文，待核实",
            "Paraphrase: not the official wording, to be checked",
        )),
    }
}

#[component]
pub(super) fn ItemCard(
    id: Uuid,
    checklist: &'static Checklist,
    item: &'static Item,
    /// False while a filter hides the card (hidden, not removed: nothing typed is lost).
    #[prop(into)]
    shown: Signal<bool>,
) -> impl IntoView {
    let model = use_model();
    let answer = move || {
        model.with(|m| {
            m.inspections
                .get(&id)
                .and_then(|i| i.answers.get(&item.id).cloned())
        })
    };
    let verdict = move || answer().map(|a| a.verdict);
    let record = move |verdict: Verdict, description: String| {
        model.update(|m| {
            if let Err(e) = m.answer(id, checklist, &item.id, verdict, &description, now()) {
                leptos::logging::error!("{e}");
            }
        });
    };
    let basis = checklist
        .source(&item.basis.source)
        .map(|s| {
            format!(
                "{}{} {}",
                s.title,
                s.number
                    .as_ref()
                    .map(|n| format!("（{n}）"))
                    .unwrap_or_default(),
                item.basis.clause
            )
        })
        .unwrap_or_default();
    let group = format!("item-{}", item.id);
    let description_id = format!("desc-{}", item.id);
    view! {
        <fieldset class="item" class:major=item.major id=format!("card-{}", item.id) hidden=move || !shown.get()>
            <legend class="item-id">{item.id.clone()}</legend>
            {item.major.then(|| view! { <p class="badge major">{t("重大隐患判定项", "Major-hazard criterion")}</p> })}
            <p class="item-text">{text_of(&item.zh, &item.en).to_string()}</p>
            <p class="basis"><small>{t("依据：", "Basis: ")} {basis}</small></p>
            {verification_note(item.verification).map(|note| view! { <p class="paraphrase"><small>{note}</small></p> })}
            {(!item.guidance.is_empty()).then(|| view! { <p class="guidance"><small>{t("检查方法：", "How to check: ")} {item.guidance.clone()}</small></p> })}
            <div class="verdicts" role="radiogroup" aria-label=format!("{} {}", item.id, t("检查结果", "result"))>
                {Verdict::ALL.into_iter().map(|v| view! {
                    <label class=format!("verdict {}", verdict_class(v))>
                        <input type="radio" name=group.clone()
                            prop:checked=move || verdict() == Some(v)
                            on:change=move |_| record(v, answer().map(|a| a.description).unwrap_or_default()) />
                        <span>{t(v.label_zh(), v.label_en())}</span>
                    </label>
                }).collect_view()}
            </div>
            <Show when=move || verdict().is_some_and(Verdict::is_hazard)>
                <label for=description_id.clone()>{format!("{} {}", item.id, t("隐患描述", "hazard description"))}</label>
                <textarea id=description_id.clone() rows="3"
                    prop:value=move || answer().map(|a| a.description).unwrap_or_default()
                    on:input=move |ev| {
                        if let Some(v) = verdict() { record(v, event_target_value(&ev)) }
                    }></textarea>
                <OrderFields id item_id=item.id.as_str() major=Signal::derive(move || verdict() == Some(Verdict::MajorHazard)) />
            </Show>
            // Photos belong to findings; kept visible while any is attached (so it can be removed).
            <Show when=move || verdict().is_some_and(Verdict::is_hazard) || answer().is_some_and(|a| !a.photos.is_empty())>
                <PhotoField id item_id=item.id.as_str() required=item.evidence == EvidenceRule::PhotoIfHazard />
            </Show>
        </fieldset>
    }
}
