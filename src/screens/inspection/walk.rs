//! Walking the checklist: section by section, with a filter and a jump list over the
//! applicable items.

use super::item_card::ItemCard;
use super::scroll_to_item;
use crate::model::context::use_model;
use crate::platform::i18n::{t, t_string, text_of};
use leptos::prelude::*;
use paicha_core::checklist::Item;
use paicha_core::{Checklist, Verdict};
use uuid::Uuid;

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
    let (full, short) =
        crate::platform::i18n::lang_untracked().pick((&item.zh, 24), (&item.en, 48));
    let mut text: String = full.chars().take(short).collect();
    if full.chars().count() > short {
        text.push('…');
    }
    format!("{} {text}", item.id)
}

/// The checklist, section by section, with a filter and a jump list over the applicable items.
/// Filtering hides cards (never removes them), so nothing typed into a card is lost.
#[component]
pub(super) fn ChecklistWalk(id: Uuid, checklist: &'static Checklist) -> impl IntoView {
    let model = use_model();
    let yes = model.with_untracked(|m| {
        m.inspections
            .get(&id)
            .map(|i| i.applicable_keys())
            .unwrap_or_default()
    });
    let applicable: Vec<&'static Item> = checklist.items().filter(|i| i.applies(&yes)).collect();
    let applicable = StoredValue::new(applicable);
    let filter = RwSignal::new(WalkFilter::All);
    // The items shown (None: all), taken when a filter is chosen.
    let shown = RwSignal::new(None::<std::collections::BTreeSet<String>>);
    let verdicts = move || -> Vec<(&'static str, Option<Verdict>)> {
        model.with(|m| {
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
                .filter(|i| i.applies(&yes))
                .collect();
            if items.is_empty() {
                return None;
            }
            let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
            let ids = StoredValue::new(ids);
            let total = items.len();
            let done = Memo::new(move |_| {
                model.with(|m| {
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
            include_str!("../../../checklists/fireworks.toml"),
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
