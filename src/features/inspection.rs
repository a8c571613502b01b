//! Walking the checklist: one answer per item, saved as it is given.

use crate::features::photos::{PendingWrites, PhotoField};
use crate::features::{now, text_of};
use crate::i18n::{localize, t, t_string};
use crate::persist::SaveState;
use crate::route::{Route, navigate};
use crate::use_app;
use leptos::prelude::*;
use paicha_core::checklist::{EvidenceRule, Item, Verification};
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::{Checklist, InspectionKind, Verdict};
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
    let reinspection = inspection.kind == InspectionKind::Reinspection;
    let walk = view! { <ChecklistWalk id checklist /> };
    // A re-inspection reviews earlier hazards first; new findings go in the checklist below.
    let walk = if reinspection {
        view! {
            <crate::features::reinspection::ReviewList id />
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
            {crate::features::team::inspection_facts(&inspection)}
            <p>{text_of(&checklist.title.zh, &checklist.title.en).to_string()} " · v" {checklist.version.clone()}</p>
            <p hidden=reinspection>
                <progress max=total.to_string() value=move || answered.get().to_string() aria-label=t("进度", "Progress")></progress>
                " " {answered} " / " {total} {t(" 已检查", " answered")}
            </p>
            <p>{move || app.model.with(|m| m.inspections.get(&id).and_then(|i| i.position)).map_or_else(
                || t("位置：未获取（可继续检查）", "Location: not available (you can carry on)").to_string(),
                |p| { let (lat, lon) = p.degrees(); format!("{}{lat:.5}, {lon:.5} ±{} m", t("位置：", "Location: "), p.accuracy_m) },
            )}</p>
            <SaveIndicator />
        </section>
        {walk}
        <section class="card">
            <button type="button" class="primary" on:click=move |_| navigate(Route::Complete(id))>{t("完成检查并签章", "Finish and seal")}</button>
            <crate::features::records::RecordLinks id />
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
    }
    .into_any()
}

/// Which items the checklist walk shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WalkFilter {
    #[default]
    All,
    /// Items without an answer yet.
    Unanswered,
    /// Items answered 一般隐患 or 重大隐患.
    Hazards,
}

impl WalkFilter {
    pub const ALL: [WalkFilter; 3] = [WalkFilter::All, WalkFilter::Unanswered, WalkFilter::Hazards];

    pub fn label(self) -> &'static str {
        match self {
            WalkFilter::All => t("全部", "All"),
            WalkFilter::Unanswered => t("未答", "Unanswered"),
            WalkFilter::Hazards => t("隐患", "Hazards"),
        }
    }

    pub fn keeps(self, verdict: Option<Verdict>) -> bool {
        match self {
            WalkFilter::All => true,
            WalkFilter::Unanswered => verdict.is_none(),
            WalkFilter::Hazards => verdict.is_some_and(Verdict::is_hazard),
        }
    }

    /// The items shown under this filter, from `items` (id, current verdict); `None` means
    /// every item. Taken when the filter is chosen and kept until it is chosen again, so an
    /// item answered while "未答" is shown stays on screen with what was typed into it.
    pub fn snapshot<'a>(
        self,
        items: impl IntoIterator<Item = (&'a str, Option<Verdict>)>,
    ) -> Option<std::collections::BTreeSet<String>> {
        (self != WalkFilter::All).then(|| {
            items
                .into_iter()
                .filter(|(_, v)| self.keeps(*v))
                .map(|(id, _)| id.to_string())
                .collect()
        })
    }

    /// Whether item `id` is shown under `snapshot` (from [`WalkFilter::snapshot`]).
    pub fn shows(snapshot: Option<&std::collections::BTreeSet<String>>, id: &str) -> bool {
        snapshot.is_none_or(|s| s.contains(id))
    }
}

/// An item's label in the jump list: its id and the start of its text (24 characters, or
/// 48 of the English text, which needs about twice as many for the same).
pub fn jump_label(item: &Item) -> String {
    let (full, short) = crate::i18n::lang_untracked().pick((&item.zh, 24), (&item.en, 48));
    let mut text: String = full.chars().take(short).collect();
    if full.chars().count() > short {
        text.push('…');
    }
    format!("{} {text}", item.id)
}

/// The checklist, section by section, with a filter and a jump list over the applicable items.
/// Filtering hides cards (never removes them), so nothing typed into a card is lost.
#[component]
fn ChecklistWalk(id: Uuid, checklist: &'static Checklist) -> impl IntoView {
    let app = use_app();
    let yes = app.model.with_untracked(|m| {
        m.inspections
            .get(&id)
            .map(|i| i.applicable_keys())
            .unwrap_or_default()
    });
    let applicable: Vec<&'static Item> = checklist
        .items()
        .filter(|i| i.applies_if.iter().all(|k| yes.contains(k)))
        .collect();
    let applicable = StoredValue::new(applicable);
    let filter = RwSignal::new(WalkFilter::All);
    // The items shown (None: all), taken when a filter is chosen.
    let shown = RwSignal::new(None::<std::collections::BTreeSet<String>>);
    let verdicts = move || -> Vec<(&'static str, Option<Verdict>)> {
        app.model.with(|m| {
            let answers = m.inspections.get(&id).map(|i| &i.answers);
            applicable.with_value(|items| {
                items
                    .iter()
                    .map(|item| {
                        let verdict = answers.and_then(|a| a.get(&item.id)).map(|a| a.verdict);
                        (item.id.as_str(), verdict)
                    })
                    .collect()
            })
        })
    };
    let choose = move |f: WalkFilter| {
        filter.set(f);
        shown.set(f.snapshot(untrack(verdicts)));
    };
    let visible = move |item_id: &str| shown.with(|s| WalkFilter::shows(s.as_ref(), item_id));
    let counts = Memo::new(move |_| {
        let v = verdicts();
        WalkFilter::ALL.map(|f| v.iter().filter(|(_, verdict)| f.keeps(*verdict)).count())
    });
    let shown_count = move || {
        shown
            .with(|s| s.as_ref().map(|s| s.len()))
            .unwrap_or_else(|| applicable.with_value(Vec::len))
    };
    let on_jump = move |ev: leptos::ev::Event| {
        let target = event_target_value(&ev);
        // Back to the placeholder, so the same item can be chosen again.
        if let Some(select) = ev.target() {
            let _ = js_sys::Reflect::set(&select, &"value".into(), &"".into());
        }
        if target.is_empty() {
            return;
        }
        if !untrack(|| visible(&target)) {
            choose(WalkFilter::All);
        }
        request_animation_frame(move || scroll_to_item(&target));
    };
    let sections = checklist
        .sections
        .iter()
        .filter_map(|section| {
            let items: Vec<&'static Item> = section
                .items
                .iter()
                .filter(|i| i.applies_if.iter().all(|k| yes.contains(k)))
                .collect();
            if items.is_empty() {
                return None;
            }
            let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
            let ids = StoredValue::new(ids);
            let total = items.len();
            let done = Memo::new(move |_| {
                app.model.with(|m| {
                    m.inspections.get(&id).map_or(0, |i| {
                        ids.with_value(|ids| {
                            ids.iter().filter(|k| i.answers.contains_key(*k)).count()
                        })
                    })
                })
            });
            let any_visible = move || ids.with_value(|ids| ids.iter().any(|k| visible(k)));
            let heading_id = format!("section-{}", section.id);
            let labelled = heading_id.clone();
            Some(view! {
                <section class="section" aria-labelledby=labelled hidden=move || !any_visible()>
                    <h3 class="section-title">
                        <span id=heading_id>{text_of(&section.title.zh, &section.title.en).to_string()}</span>
                        <span class="section-progress" class:done=move || done.get() == total>
                            {move || t_string(format!("已答 {} / {total}", done.get()), format!("{} / {total} answered", done.get()))}
                        </span>
                    </h3>
                    {items.into_iter().map(|item| {
                        let shown = Signal::derive(move || visible(&item.id));
                        view! { <ItemCard id checklist item shown /> }
                    }).collect_view()}
                </section>
            })
        })
        .collect_view();
    view! {
        <section class="card walk-tools" aria-label=t("筛选与跳转", "Filter and jump")>
            <fieldset class="walk-filter">
                <legend>{t("显示", "Show")}</legend>
                <div class="toggle-group">
                    {WalkFilter::ALL.into_iter().enumerate().map(|(n, f)| view! {
                        <label class="toggle">
                            <input type="radio" name="walk-filter"
                                prop:checked=move || filter.get() == f
                                on:change=move |_| choose(f) />
                            <span>{f.label()} " (" {move || counts.get()[n]} ")"</span>
                        </label>
                    }).collect_view()}
                </div>
                <p class="walk-shown" role="status">
                    {move || t_string(format!("显示 {} 条", shown_count()), format!("Showing {}", shown_count()))}
                    <small hidden=move || filter.get() == WalkFilter::All>
                        {t(" · 刚作答的条目保留在视图中，重新选择筛选后更新", " · Items you answer stay until you choose a filter again")}
                    </small>
                </p>
            </fieldset>
            <label for="jump-to-item">{t("跳转到条目", "Jump to item")}</label>
            <select id="jump-to-item" on:change=on_jump>
                <option value="" selected>{t("请选择条目", "Choose an item")}</option>
                {applicable.with_value(|items| items.iter().map(|item| view! {
                    <option value=item.id.clone()>{jump_label(item)}</option>
                }).collect_view())}
            </select>
        </section>
        {sections}
    }
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
                SaveState::Saved => t("✓ 已保存", "✓ Saved").to_string(),
                SaveState::Saving => t("保存中…", "Saving…").to_string(),
                SaveState::Failed(e) => format!(
                    "{}{}",
                    t("✗ 未保存，请勿关闭页面：", "✗ Not saved, do not close the page: "),
                    localize(&e)
                ),
            }}
        </p>
        <Show when=failed>
            // Touching the model re-runs the persistence Effect, which rewrites every record
            // not yet committed.
            <button type="button" on:click=move |_| app.model.update(|_| {})>{t("重试保存", "Retry saving")}</button>
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
fn ItemCard(
    id: Uuid,
    checklist: &'static Checklist,
    item: &'static Item,
    /// False while a filter hides the card (hidden, not removed: nothing typed is lost).
    #[prop(into)]
    shown: Signal<bool>,
) -> impl IntoView {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_keep_what_they_name_and_snapshot_at_the_moment_they_are_chosen() {
        let items = [
            ("FW-01", Some(Verdict::Compliant)),
            ("FW-02", Some(Verdict::GeneralHazard)),
            ("FW-03", None),
            ("FW-04", Some(Verdict::MajorHazard)),
            ("FW-05", Some(Verdict::NotApplicable)),
            ("FW-06", None),
        ];
        let shown = |f: WalkFilter| -> Option<Vec<String>> {
            f.snapshot(items.iter().copied())
                .map(|s| s.into_iter().collect())
        };
        assert_eq!(shown(WalkFilter::All), None, "all: nothing hidden");
        assert_eq!(shown(WalkFilter::Unanswered).unwrap(), ["FW-03", "FW-06"]);
        assert_eq!(shown(WalkFilter::Hazards).unwrap(), ["FW-02", "FW-04"]);
        // One language at a time: Chinese by default.
        assert_eq!(WalkFilter::Unanswered.label(), "未答");
        // The snapshot is taken once: answering FW-03 afterwards does not hide it.
        let snapshot = WalkFilter::Unanswered.snapshot(items.iter().copied());
        let mut answered = items;
        answered[2].1 = Some(Verdict::Compliant);
        assert!(
            !WalkFilter::Unanswered.keeps(answered[2].1),
            "no longer unanswered"
        );
        assert!(WalkFilter::shows(snapshot.as_ref(), "FW-03"), "still shown");
        assert!(!WalkFilter::shows(snapshot.as_ref(), "FW-01"));
        // Only choosing the filter again takes a new snapshot, which leaves it out.
        let again = WalkFilter::Unanswered.snapshot(answered.iter().copied());
        assert!(!WalkFilter::shows(again.as_ref(), "FW-03"));
        assert!(WalkFilter::shows(again.as_ref(), "FW-06"));
        assert!(WalkFilter::shows(None, "FW-03"), "all: everything shown");
    }

    #[test]
    fn jump_labels_are_the_id_and_the_start_of_the_text() {
        let checklist = Checklist::from_toml(
            "fireworks.toml",
            include_str!("../../checklists/fireworks.toml"),
        )
        .unwrap();
        for item in checklist.items() {
            let label = jump_label(item);
            assert!(label.starts_with(&format!("{} ", item.id)));
            assert!(label.chars().count() <= item.id.chars().count() + 1 + 25);
            if item.zh.chars().count() > 24 {
                assert!(label.ends_with('…'));
            } else {
                assert!(label.ends_with(&item.zh));
            }
        }
    }
}
