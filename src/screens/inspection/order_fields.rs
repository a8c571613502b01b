//! A hazard's order (交办).

use crate::model::context::use_model;
use crate::platform::i18n::t;
use leptos::prelude::*;
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use uuid::Uuid;

/// The hazard's order (交办): where it is, what must be done by whom and when, and for a
/// major hazard the five-measures plan and any suspension. Every keystroke is saved as typed.
#[component]
pub(super) fn OrderFields(id: Uuid, item_id: &'static str, major: Signal<bool>) -> impl IntoView {
    let model = use_model();
    type Order = (String, RectificationOrder, MajorHazardPlan);
    let current = move || -> Order {
        model.with(|m| {
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
        model.update(|m| {
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
            {field("loc", t("隐患部位", "location in site"), "text", |o| o.0.clone(), |o, v| o.0 = v)}
            {field("measures", t("整改措施", "rectification measures"), "text", |o| o.1.measures.clone(), |o, v| o.1.measures = v)}
            {field("resp", t("整改责任人", "responsible person"), "text", |o| o.1.responsible.clone(), |o, v| o.1.responsible = v)}
            {field("deadline", t("整改期限", "deadline"), "date", |o| o.1.deadline.clone(), |o, v| o.1.deadline = v)}
            {field("funds", t("预计资金（元）", "estimated funds (yuan)"), "text", |o| o.1.funds_yuan.clone(), |o, v| o.1.funds_yuan = v)}
            <Show when=move || major.get()>
                <fieldset class="five-measures">
                    <legend>{format!("{item_id} {}", t("重大隐患“五落实”", "major hazard: five measures"))}</legend>
                    {field("target", t("治理目标和任务", "target and tasks"), "text", |o| o.2.target.clone(), |o, v| o.2.target = v)}
                    {field("org", t("治理机构和人员", "organisation and people"), "text", |o| o.2.organisation.clone(), |o, v| o.2.organisation = v)}
                    {field("safety", t("安全措施和应急预案", "safety measures and emergency plan"), "text", |o| o.2.safety_measures.clone(), |o, v| o.2.safety_measures = v)}
                    {field("material", t("经费和物资", "funds and materials"), "text", |o| o.2.funds_materials.clone(), |o, v| o.2.funds_materials = v)}
                    {field("limit", t("治理时限", "time limit"), "date", |o| o.2.time_limit.clone(), |o, v| o.2.time_limit = v)}
                    <label for=format!("suspension-{item_id}")>{format!("{item_id} {}", t("停产停业", "suspension"))}</label>
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
                        {[(Suspension::Undecided, "undecided", t("请选择", "Choose")), (Suspension::None, "none", t("不停产停业", "No suspension")),
                          (Suspension::Partial, "partial", t("局部停产停业", "Partial suspension")), (Suspension::Full, "full", t("全部停产停业", "Full suspension"))]
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
