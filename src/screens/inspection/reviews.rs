//! Re-inspection (复查) on the inspection screen: one card per earlier hazard under review, with
//! the original finding, 已整改 / 未整改, the 复查意见, photos of the result and, for a hazard not
//! rectified, the escalation (and for 延期整改 the new deadline). Every change is saved as it
//! is made; what still blocks the seal is listed on the completion screen, each linking back.

use crate::model::context::{use_catalog, use_model};
use crate::model::photos::PhotoTarget;
use crate::model::pulled::Pulled;
use crate::model::records::dash;
use crate::model::reviews::{review_anchor, review_label};
use crate::platform::clock::{local_time, now, today};
use crate::platform::i18n::{localize, t, t_string, text_of};
use crate::platform::route::Route;
use crate::widgets::field_error::error_line;
use crate::widgets::photos::{Photos, Thumbnail};
use leptos::prelude::*;
use paicha_core::Inspection;
use paicha_core::followup::HazardStatus;
use paicha_core::hazard_ledger::HazardLevel;
use paicha_core::reinspection::{Escalation, HazardRef, ReviewDecision, ReviewOutcome};
use uuid::Uuid;

fn outcome_label(outcome: ReviewOutcome) -> &'static str {
    match outcome {
        ReviewOutcome::Pending => t("未复查", "Not reviewed"),
        ReviewOutcome::Rectified => t("已整改", "Rectified"),
        ReviewOutcome::NotRectified => t("未整改", "Not rectified"),
    }
}

fn escalation_slug(e: Escalation) -> &'static str {
    match e {
        Escalation::PenaltyCase => "penalty_case",
        Escalation::Suspension => "suspension",
        Escalation::ListedSupervision => "listed_supervision",
        Escalation::Extension => "extension",
    }
}

/// The reviews of re-inspection `id`, above its checklist on the inspection screen.
#[component]
pub fn ReviewList(id: Uuid) -> impl IntoView {
    let model = use_model();
    // The set of reviews (not their contents): cards are rebuilt only when hazards are added.
    // With each its label (which names the original inspection if an item repeats).
    let hazards = Memo::new(move |_| {
        model.with(|m| {
            m.inspections
                .get(&id)
                .map(|i| {
                    i.reviews
                        .iter()
                        .map(|r| (r.hazard.clone(), review_label(&i.reviews, &r.hazard)))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    // Where each reviewed hazard stands today (one pass over the follow-up list for all cards).
    let statuses = Memo::new(move |_| {
        let today = today();
        model.with(|m| {
            let mine = m.inspections.get(&id).map(|i| &i.reviews);
            m.follow_up(today)
                .iter()
                .filter(|f| {
                    mine.is_some_and(|reviews| {
                        reviews.iter().any(|r| {
                            r.hazard.inspection_id == f.inspection.id
                                && r.hazard.item_id == f.item_id
                        })
                    })
                })
                .map(|f| (f.hazard(), f.status))
                // Hazards pulled from the ledger (someone else's) stand as the ledger and this
                // device's reviews say.
                .chain(
                    m.pulled_others(today)
                        .iter()
                        .filter_map(|(h, standing)| Some((h.hazard_ref()?, standing.status))),
                )
                .collect::<std::collections::BTreeMap<_, _>>()
        })
    });
    let decided = Memo::new(move |_| {
        model.with(|m| {
            m.inspections.get(&id).map_or(0, |i| {
                i.reviews
                    .iter()
                    .filter(|r| r.outcome != ReviewOutcome::Pending)
                    .count()
            })
        })
    });
    let message = RwSignal::new(None::<String>);
    let on_refresh = move |_| {
        let result = model.try_update(|m| m.add_due_reviews(id, today()));
        message.set(Some(match result {
            Some(Ok(0)) | None => {
                t("没有新的待复查隐患。", "No further hazards are due.").to_string()
            }
            Some(Ok(n)) => t_string(
                format!("已加入 {n} 项待复查隐患。"),
                format!("Added {n} hazards."),
            ),
            Some(Err(e)) => localize(&e.to_string()),
        }));
    };
    view! {
        <section class="card reviews" aria-labelledby="reviews-title">
            <h2 id="reviews-title">{t("复查隐患", "Hazards to re-inspect")}</h2>
            <p>
                <progress max=move || hazards.with(Vec::len).to_string() value=move || decided.get().to_string()
                    aria-label=t("复查进度", "Review progress")></progress>
                " " {move || {
                    let (done, total) = (decided.get(), hazards.with(Vec::len));
                    t_string(format!("已复查 {done} / {total}"), format!("{done} / {total} reviewed"))
                }}
            </p>
            <p hidden=move || !hazards.with(Vec::is_empty)>
                {t("没有需要复查的隐患：本单位已签章检查中的隐患均已复查或正在其他复查中。",
                   "Nothing to review: every hazard of this site's sealed inspections is closed or under review elsewhere.")}
            </p>
            <button type="button" class="secondary" on:click=on_refresh>{t("载入新的待复查隐患", "Load newly due hazards")}</button>
            <p role="status" hidden=move || message.with(Option::is_none)>{move || message.get()}</p>
        </section>
        <For each=move || hazards.get() key=|h| h.clone() children=move |(hazard, label)| {
            let mine = hazard.clone();
            let status = Signal::derive(move || statuses.with(|s| s.get(&mine).copied()));
            view! { <ReviewCard id hazard label status /> }
        } />
    }
}

/// The original finding, as shown on a review card.
struct Original {
    item_text: String,
    location: String,
    measures: String,
    inspected: String,
    /// Found by someone else and pulled from the ledger: who found it, and its photos (the
    /// device's own hazards link to their record instead).
    pulled: Option<(String, Vec<String>)>,
}

fn original(hazard: &HazardRef) -> Option<Original> {
    let catalog = use_catalog();
    use_model().with_untracked(|m| {
        let Some(inspection) = m.inspections.get(&hazard.inspection_id) else {
            let Some(Pulled::Open(p)) = m.pulled_of(hazard.inspection_id, &hazard.item_id) else {
                return None;
            };
            let reference = p.checklist_ref();
            let checklist =
                catalog.with_untracked(|c| c.find(&reference.id, &reference.content_hash.0));
            return Some(Original {
                item_text: checklist.and_then(|c| c.item(&hazard.item_id)).map_or_else(
                    || p.hazard.item.clone(),
                    |i| text_of(&i.zh, &i.en).to_string(),
                ),
                location: p.hazard.location.clone(),
                measures: p.hazard.measures.clone(),
                inspected: p.hazard.check_date.clone(),
                pulled: Some((p.hazard.inspectors.clone(), p.photos.clone())),
            });
        };
        let inspection: &Inspection = inspection;
        let answer = inspection.answers.get(&hazard.item_id);
        let checklist = catalog.with_untracked(|c| {
            c.find(
                &inspection.checklist.id,
                &inspection.checklist.content_hash.0,
            )
        });
        Some(Original {
            item_text: checklist
                .and_then(|c| c.item(&hazard.item_id))
                .map(|i| text_of(&i.zh, &i.en).to_string())
                .unwrap_or_default(),
            location: answer.map(|a| a.location.clone()).unwrap_or_default(),
            measures: answer
                .and_then(|a| a.rectification.as_ref())
                .map(|o| o.measures.clone())
                .unwrap_or_default(),
            inspected: local_time(&inspection.started_at),
            pulled: None,
        })
    })
}

#[component]
fn ReviewCard(
    id: Uuid,
    hazard: HazardRef,
    label: String,
    status: Signal<Option<HazardStatus>>,
) -> impl IntoView {
    let model = use_model();
    let anchor = review_anchor(&hazard);
    let original = original(&hazard);
    let hazard = StoredValue::new(hazard);
    let review = move || {
        model.with(|m| {
            m.inspections.get(&id).and_then(|i| {
                hazard.with_value(|h| i.reviews.iter().find(|r| &r.hazard == h).cloned())
            })
        })
    };
    // Fixed facts of the original hazard, read once.
    let Some(first) = untrack(review) else {
        return ().into_any();
    };
    let outcome = Memo::new(move |_| review().map(|r| r.outcome).unwrap_or_default());
    let escalation = Memo::new(move |_| review().and_then(|r| r.escalation));
    // Why the last change was refused, shown on the card (in the current language).
    let error = RwSignal::new(None::<String>);
    let decide = move |change: &dyn Fn(&mut ReviewDecision)| {
        let Some(current) = review() else { return };
        let mut decision = ReviewDecision {
            outcome: current.outcome,
            note: current.note,
            escalation: current.escalation,
            new_deadline: current.new_deadline,
        };
        change(&mut decision);
        let result = model.try_update(|m| hazard.with_value(|h| m.review(id, h, decision, now())));
        error.set(result.and_then(Result::err).map(|e| e.to_string()));
    };
    // Reviews are of hazards only.
    let level = HazardLevel::of(first.original_verdict).unwrap_or(HazardLevel::General);
    let major = level == HazardLevel::Major;
    let level = t(level.label_zh(), level.label_en());
    let original = original.unwrap_or(Original {
        item_text: String::new(),
        location: String::new(),
        measures: String::new(),
        inspected: String::new(),
        pulled: None,
    });
    let item_text = original.item_text.clone();
    let group = format!("outcome-{anchor}");
    let note_id = format!("note-{anchor}");
    let escalation_id = StoredValue::new(format!("escalation-{anchor}"));
    let deadline_id = StoredValue::new(format!("new-deadline-{anchor}"));
    let record = Route::Record(first.hazard.inspection_id).href();
    let label_for = StoredValue::new(label.clone());
    let photos_label = format!("{} {label}", t("复查", "Review"));
    view! {
        <fieldset class="item review" class:major=major id=format!("card-{anchor}")>
            <legend class="item-id">{photos_label.clone()}</legend>
            <p class="fu-badges">
                <span class=if major { "level major" } else { "level general" }>{level}</span>
                {move || status.get().map(|s| view! {
                    <span class=format!("status-badge {}", s.slug())>{t(s.label_zh(), s.label_en())}</span>
                })}
            </p>
            <p class="item-text">{dash(&item_text)}</p>
            <dl class="fu-facts">
                <dt>{t("原隐患描述", "Original finding")}</dt>
                <dd>{dash(&first.original_description)}</dd>
                <dt>{t("隐患部位", "Location")}</dt>
                <dd>{dash(&original.location)}</dd>
                <dt>{t("整改措施", "Measures ordered")}</dt>
                <dd>{dash(&original.measures)}</dd>
                <dt>{t("整改期限", "Deadline")}</dt>
                <dd>{dash(&first.original_deadline)}</dd>
                <dt>{t("原检查时间", "Inspected")}</dt>
                <dd>{dash(&original.inspected)}</dd>
            </dl>
            {match original.pulled.clone() {
                None => view! { <a href=record>{format!("{label} {}", t("原检查记录", "original record"))}</a> }.into_any(),
                Some((found_by, photos)) => {
                    let count = photos.len();
                    view! {
                        <p class="fu-source">{t_string(
                            format!("台账下发：{found_by} 发现，原照片 {count} 张"),
                            format!("From the ledger: found by {found_by}, {count} original photos"),
                        )}</p>
                        <div class="thumbnails">
                            {photos.into_iter().enumerate().map(|(n, sha)| {
                                let name = t_string(format!("{label} 原照片 {}", n + 1), format!("{label} original photo {}", n + 1));
                                view! { <Thumbnail sha256=sha label=Signal::derive(move || name.clone()) /> }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
            <div class="verdicts outcomes" role="radiogroup" aria-label=format!("{label} {}", t("复查结论", "review result"))>
                {[ReviewOutcome::Rectified, ReviewOutcome::NotRectified].into_iter().map(|o| {
                    let class = if o == ReviewOutcome::Rectified { "verdict ok" } else { "verdict major" };
                    view! {
                        <label class=class>
                            <input type="radio" name=group.clone()
                                prop:checked=move || outcome.get() == o
                                on:change=move |_| decide(&move |d| d.outcome = o) />
                            <span>{outcome_label(o)}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
            <Show when=move || outcome.get() == ReviewOutcome::NotRectified>
                <label for=escalation_id.get_value()>{label_for.with_value(|l| format!("{l} {}", t("处理措施", "escalation")))}</label>
                <select id=escalation_id.get_value()
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        let choice = Escalation::ALL.into_iter().find(|e| escalation_slug(*e) == value);
                        decide(&move |d| d.escalation = choice)
                    }>
                    <option value="" prop:selected=move || escalation.get().is_none()>{t("请选择", "Choose")}</option>
                    {Escalation::ALL.into_iter().map(|e| view! {
                        <option value=escalation_slug(e) prop:selected=move || escalation.get() == Some(e)>
                            {t(e.label_zh(), e.label_en())}
                        </option>
                    }).collect_view()}
                </select>
                <Show when=move || escalation.get() == Some(Escalation::Extension)>
                    <label for=deadline_id.get_value()>{label_for.with_value(|l| format!("{l} {}", t("新整改期限", "new deadline")))}</label>
                    <input id=deadline_id.get_value() type="date"
                        prop:value=move || review().map(|r| r.new_deadline).unwrap_or_default()
                        on:input=move |ev| { let v = event_target_value(&ev); decide(&move |d| d.new_deadline = v.clone()) } />
                </Show>
            </Show>
            <label for=note_id.clone()>{format!("{label} {}", t("复查意见", "review note"))}</label>
            <textarea id=note_id rows="3"
                prop:value=move || review().map(|r| r.note).unwrap_or_default()
                on:input=move |ev| { let v = event_target_value(&ev); decide(&move |d| d.note = v.clone()) }></textarea>
            {error_line(error)}
            <Photos id target=PhotoTarget::Review(first.hazard.clone()) label=photos_label
                required=Signal::derive(move || outcome.get() == ReviewOutcome::Rectified)
                rule=t("已整改的隐患须附整改后照片。", "A photo of the result is required for a rectified hazard.") />
        </fieldset>
    }
    .into_any()
}
