//! One checklist item: its text and basis (with the source's status, the conditions that limit
//! it and what proves a finding), the verdict, and for a hazard the description, the order and
//! the photos. Every change is saved as it is made.

use super::order_fields::OrderFields;
use crate::model::context::use_model;
use crate::platform::clock::now;
use crate::platform::i18n::{t, text_of};
use crate::widgets::photos::PhotoField;
use leptos::prelude::*;
use paicha_core::checklist::{EvidenceKind, Item, PhotoRule, SourceStatus, Verification};
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
    v.note().map(|(zh, en)| t(zh, en))
}

/// What proves a finding on this item, and whether photos may be taken there.
fn evidence_line(item: &Item) -> Option<String> {
    let e = &item.evidence;
    let what = if e.what.is_empty() {
        String::new()
    } else {
        format!("（{}）", e.what)
    };
    let kind = match e.kind {
        EvidenceKind::None => None,
        EvidenceKind::Photo => Some(
            t(
                "照片：判为隐患时须拍照",
                "Photo: required when recorded as a hazard",
            )
            .to_string(),
        ),
        EvidenceKind::Document => Some(format!(
            "{}{what}",
            t(
                "文件：在描述中写明查阅的文件",
                "Document: name it in the description"
            )
        )),
        EvidenceKind::Measurement => Some(format!(
            "{} {}{what}",
            t(
                "测量：在描述中写明实测值和单位",
                "Measurement: state the measured value in",
            ),
            e.unit
        )),
    };
    let no_photo = (e.photos == PhotoRule::NotAllowed).then(|| {
        t(
            "此处禁止拍照，不要求照片",
            "Photos not allowed here: none required",
        )
        .to_string()
    });
    let parts: Vec<String> = kind.into_iter().chain(no_photo).collect();
    (!parts.is_empty()).then(|| format!("{}{}", t("证据：", "Evidence: "), parts.join("；")))
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
    let source = checklist.source_of(item);
    let basis = source
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
    // A superseded source is never shown as current: the card says so, and what replaced it.
    let status_note = source.and_then(|s| match s.status {
        SourceStatus::InForce => None,
        SourceStatus::Superseded => Some(format!(
            "{}{}",
            t(
                "依据已被代替，本条仅供对照，不作为现行判定依据；现行：",
                "Superseded basis: for reference only, not a current criterion; now: ",
            ),
            s.replaced_by.as_deref().unwrap_or("?")
        )),
        SourceStatus::Unverified => {
            Some(t("依据状态待核实", "Status of the basis not verified").to_string())
        }
    });
    let superseded = checklist.is_superseded(item);
    let scope: Vec<String> = item
        .conditions
        .iter()
        .map(|c| text_of(&c.zh, &c.en).to_string())
        .collect();
    let scope_line = (!scope.is_empty()).then(|| {
        format!(
            "{}{}{}",
            t("适用条件：", "Applies only to: "),
            scope.join("；"),
            t(
                "。不满足时选“不适用”。",
                ". Where it does not hold, answer “not applicable”."
            )
        )
    });
    let group = format!("item-{}", item.id);
    let description_id = format!("desc-{}", item.id);
    view! {
        <fieldset class="item" class:major=item.major id=format!("card-{}", item.id) hidden=move || !shown.get()>
            <legend class="item-id">{item.id.clone()}</legend>
            {item.major.then(|| view! { <p class="badge major">{t("重大隐患判定项", "Major-hazard criterion")}</p> })}
            {superseded.then(|| view! { <p class="badge">{t("已被代替", "Superseded")}</p> })}
            <p class="item-text">{text_of(&item.zh, &item.en).to_string()}</p>
            {scope_line.map(|line| view! { <p class="scope"><strong>{line}</strong></p> })}
            <p class="basis"><small>{t("依据：", "Basis: ")} {basis}</small></p>
            {status_note.map(|note| view! { <p class="warn"><small>{note}</small></p> })}
            {verification_note(item.verification).map(|note| view! { <p class="paraphrase"><small>{note}</small></p> })}
            {evidence_line(item).map(|line| view! { <p class="evidence"><small>{line}</small></p> })}
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
                <PhotoField id item_id=item.id.as_str() required=item.evidence.photo_required() />
            </Show>
        </fieldset>
    }
}
