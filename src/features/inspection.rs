//! Walking the checklist: one answer per item, saved as it is given.

use crate::features::now;
use crate::features::photos::{PendingWrites, PhotoField};
use crate::persist::SaveState;
use crate::route::{Route, navigate};
use crate::use_app;
use leptos::prelude::*;
use paicha_core::checklist::{EvidenceRule, Item, Verification};
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::{Checklist, Verdict};
use uuid::Uuid;
use wasm_bindgen::JsCast;

#[component]
pub fn InspectionScreen(id: Uuid) -> impl IntoView {
    let app = use_app();
    let (inspection, checklist) = match crate::features::inspection_with_checklist(&app, id) {
        Ok(found) => found,
        Err(missing) => return missing,
    };
    if inspection.is_sealed() {
        navigate(Route::Export(id));
    }
    let yes = inspection.applicable_keys();
    let applicable_ids: Vec<String> = checklist
        .applicable_items(&yes)
        .map(|i| i.id.clone())
        .collect();
    let total = applicable_ids.len();
    let answered = Memo::new(move |_| {
        app.model.with(|m| {
            m.inspections.get(&id).map_or(0, |i| {
                applicable_ids
                    .iter()
                    .filter(|k| i.answers.contains_key(*k))
                    .count()
            })
        })
    });
    PendingWrites::provide();
    // Arriving from the completion screen's list: scroll to the item it names.
    if let Some(item) = JUMP_TARGET.with(|t| t.borrow_mut().take()) {
        request_animation_frame(move || scroll_to_item(&item));
    }
    let sections = checklist
        .sections
        .iter()
        .filter_map(|section| {
            let items: Vec<_> = section.items.iter().filter(|i| i.applies_if.iter().all(|k| yes.contains(k))).collect();
            (!items.is_empty()).then(|| view! {
                <section class="section" aria-label=section.title.zh.clone()>
                    <h3>{section.title.zh.clone()} " " <small>{section.title.en.clone()}</small></h3>
                    {items.into_iter().map(|item| view! { <ItemCard id checklist item /> }).collect_view()}
                </section>
            })
        })
        .collect_view();
    view! {
        <section class="card inspection-head">
            <h2>{inspection.site.name.clone()}</h2>
            <p>"统一社会信用代码 " <span class="mono">{inspection.site.credit_code.to_string()}</span></p>
            <p>{checklist.title.zh.clone()} " · v" {checklist.version.clone()}</p>
            <p>
                <progress max=total.to_string() value=move || answered.get().to_string() aria-label="进度 Progress"></progress>
                " " {answered} " / " {total} " 已检查 answered"
            </p>
            <p>{move || app.model.with(|m| m.inspections.get(&id).and_then(|i| i.position)).map_or_else(
                || "位置：未获取（可继续检查） Location: not available".to_string(),
                |p| { let (lat, lon) = p.degrees(); format!("位置 Location: {lat:.5}, {lon:.5} ±{} m", p.accuracy_m) },
            )}</p>
            <SaveIndicator />
        </section>
        {sections}
        <section class="card">
            <button type="button" class="primary" on:click=move |_| navigate(Route::Complete(id))>"完成检查并签章 Finish and seal"</button>
            <crate::features::records::RecordLinks id />
            <a class="button" href=Route::Home.href()>"返回首页 Home"</a>
        </section>
    }
    .into_any()
}

thread_local! {
    static JUMP_TARGET: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Makes the next inspection screen scroll to `item_id` (links from the completion screen).
pub fn jump_to(item_id: &str) {
    JUMP_TARGET.with(|t| *t.borrow_mut() = Some(item_id.to_string()));
}

fn scroll_to_item(item_id: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(card) = document.get_element_by_id(&format!("card-{item_id}")) else {
        return;
    };
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

/// Shows whether every change has been committed to storage; after a failure (e.g. storage
/// full) the user can retry once space has been freed. A photo or signature still being
/// processed and stored counts as "saving".
#[component]
pub fn SaveIndicator() -> impl IntoView {
    let app = use_app();
    let failed = move || matches!(app.save_state.get(), SaveState::Failed(_));
    let pending = use_context::<PendingWrites>();
    let state = move || match app.save_state.get() {
        SaveState::Saved if pending.is_some_and(|p| p.0.get() != 0) => SaveState::Saving,
        state => state,
    };
    view! {
        <p role="status" aria-live="polite" class=move || match state() {
            SaveState::Saved => "save saved",
            SaveState::Saving => "save saving",
            SaveState::Failed(_) => "save error",
        }>
            {move || match state() {
                SaveState::Saved => "✓ 已保存 Saved".to_string(),
                SaveState::Saving => "保存中… Saving…".to_string(),
                SaveState::Failed(e) => format!("✗ 未保存，请勿关闭页面 Not saved: {e}"),
            }}
        </p>
        <Show when=failed>
            // Touching the model re-runs the persistence Effect, which rewrites every record
            // not yet committed.
            <button type="button" on:click=move |_| app.model.update(|_| {})>"重试保存 Retry saving"</button>
        </Show>
    }
}

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
        Verification::Fragment => {
            Some("条文片段（出处推定） Verbatim fragment, place in source inferred")
        }
        Verification::Paraphrase => {
            Some("转述，非法规原文，待核实 Paraphrase: not the official wording")
        }
    }
}

#[component]
fn ItemCard(id: Uuid, checklist: &'static Checklist, item: &'static Item) -> impl IntoView {
    let app = use_app();
    let answer = move || {
        app.model.with(|m| {
            m.inspections
                .get(&id)
                .and_then(|i| i.answers.get(&item.id).cloned())
        })
    };
    let verdict = move || answer().map(|a| a.verdict);
    let record = move |verdict: Verdict, description: String| {
        app.model.update(|m| {
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
        <fieldset class="item" class:major=item.major id=format!("card-{}", item.id)>
            <legend class="item-id">{item.id.clone()}</legend>
            {item.major.then(|| view! { <p class="badge major">"重大隐患判定项 Major-hazard criterion"</p> })}
            <p class="item-text">{item.zh.clone()}</p>
            <p class="gloss"><small>{item.en.clone()}</small></p>
            <p class="basis"><small>"依据 Basis: " {basis}</small></p>
            {verification_note(item.verification).map(|note| view! { <p class="paraphrase"><small>{note}</small></p> })}
            {(!item.guidance.is_empty()).then(|| view! { <p class="guidance"><small>"检查方法 How to check: " {item.guidance.clone()}</small></p> })}
            <div class="verdicts" role="radiogroup" aria-label=format!("{} 检查结果 Result", item.id)>
                {Verdict::ALL.into_iter().map(|v| view! {
                    <label class=format!("verdict {}", verdict_class(v))>
                        <input type="radio" name=group.clone()
                            prop:checked=move || verdict() == Some(v)
                            on:change=move |_| record(v, answer().map(|a| a.description).unwrap_or_default()) />
                        <span>{v.label_zh()} <small>{v.label_en()}</small></span>
                    </label>
                }).collect_view()}
            </div>
            <Show when=move || verdict().is_some_and(Verdict::is_hazard)>
                <label for=description_id.clone()>{format!("{} 隐患描述 Hazard description", item.id)}</label>
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

/// The hazard's order (交办): where it is, what must be done by whom and when, and for a
/// major hazard the five-measures plan and any suspension. Every keystroke is saved as typed.
#[component]
fn OrderFields(id: Uuid, item_id: &'static str, major: Signal<bool>) -> impl IntoView {
    let app = use_app();
    type Order = (String, RectificationOrder, MajorHazardPlan);
    let current = move || -> Order {
        app.model.with(|m| {
            m.inspections
                .get(&id)
                .and_then(|i| i.answers.get(item_id))
                .map(|a| {
                    (
                        a.location.clone(),
                        a.rectification.clone().unwrap_or_default(),
                        a.major_plan.clone().unwrap_or_default(),
                    )
                })
                .unwrap_or_default()
        })
    };
    let edit = move |change: &dyn Fn(&mut Order)| {
        let mut order = current();
        change(&mut order);
        let (location, rectification, plan) = order;
        app.model.update(|m| {
            if let Err(e) = m.set_order(id, item_id, &location, rectification, Some(plan)) {
                leptos::logging::error!("{e}");
            }
        });
    };
    // One labelled input per field; `get` reads the field, `set` writes it.
    let field = move |key: &str,
                      label: &str,
                      kind: &'static str,
                      get: fn(&Order) -> String,
                      set: fn(&mut Order, String)| {
        let input_id = format!("{key}-{item_id}");
        let label = format!("{item_id} {label}");
        view! {
            <label for=input_id.clone()>{label}</label>
            <input id=input_id type=kind inputmode=if kind == "number" { "numeric" } else { "text" }
                prop:value=move || get(&current())
                on:input=move |ev| { let value = event_target_value(&ev); edit(&move |o| set(o, value.clone())) } />
        }
    };
    view! {
        <div class="order">
            {field("loc", "隐患部位 Location in site", "text", |o| o.0.clone(), |o, v| o.0 = v)}
            {field("measures", "整改措施 Rectification measures", "text", |o| o.1.measures.clone(), |o, v| o.1.measures = v)}
            {field("resp", "整改责任人 Responsible person", "text", |o| o.1.responsible.clone(), |o, v| o.1.responsible = v)}
            {field("deadline", "整改期限 Deadline", "date", |o| o.1.deadline.clone(), |o, v| o.1.deadline = v)}
            {field("funds", "预计资金（元） Estimated funds (yuan)", "text", |o| o.1.funds_yuan.clone(), |o, v| o.1.funds_yuan = v)}
            <Show when=move || major.get()>
                <fieldset class="five-measures">
                    <legend>{format!("{item_id} 重大隐患“五落实” Five measures")}</legend>
                    {field("target", "治理目标和任务 Target", "text", |o| o.2.target.clone(), |o, v| o.2.target = v)}
                    {field("org", "治理机构和人员 Organisation and people", "text", |o| o.2.organisation.clone(), |o, v| o.2.organisation = v)}
                    {field("safety", "安全措施和应急预案 Safety measures and emergency plan", "text", |o| o.2.safety_measures.clone(), |o, v| o.2.safety_measures = v)}
                    {field("material", "经费和物资 Funds and materials", "text", |o| o.2.funds_materials.clone(), |o, v| o.2.funds_materials = v)}
                    {field("limit", "治理时限 Time limit", "date", |o| o.2.time_limit.clone(), |o, v| o.2.time_limit = v)}
                    <label for=format!("suspension-{item_id}")>{format!("{item_id} 停产停业 Suspension")}</label>
                    <select id=format!("suspension-{item_id}")
                        on:change=move |ev| {
                            let choice = match event_target_value(&ev).as_str() {
                                "none" => Suspension::None,
                                "partial" => Suspension::Partial,
                                "full" => Suspension::Full,
                                _ => Suspension::Undecided,
                            };
                            edit(&move |o| o.2.suspension = choice)
                        }>
                        {[(Suspension::Undecided, "undecided", "请选择 Choose"), (Suspension::None, "none", "不停产停业 No suspension"),
                          (Suspension::Partial, "partial", "局部停产停业 Partial"), (Suspension::Full, "full", "全部停产停业 Full")]
                            .into_iter()
                            .map(|(s, value, text)| view! {
                                <option value=value prop:selected=move || current().2.suspension == s>{text}</option>
                            })
                            .collect_view()}
                    </select>
                </fieldset>
            </Show>
        </div>
    }
}
