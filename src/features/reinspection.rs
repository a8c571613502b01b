//! Re-inspection (复查) on the inspection screen: one card per earlier hazard under review, with
//! the original finding, 已整改 / 未整改, the 复查意见, photos of the result and, for a hazard not
//! rectified, the escalation (and for 延期整改 the new deadline). Every change is saved as it
//! is made; what still blocks the seal is listed on the completion screen, each linking back.

use crate::features::followup::today;
use crate::features::inspection::jump_to;
use crate::features::photos::{PhotoTarget, Photos};
use crate::features::{now, text_of};
use crate::i18n::{t, t_string};
use crate::route::Route;
use crate::use_app;
use leptos::prelude::*;
use paicha_core::followup::HazardStatus;
use paicha_core::reinspection::{
    Escalation, HazardRef, HazardReview, ReviewDecision, ReviewOutcome, review_problems,
};
use paicha_core::{Inspection, InspectionError, Verdict};
use uuid::Uuid;

/// What still blocks sealing a re-inspection, review by review (hazard, item label).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewBlockers {
    pub nothing_to_review: bool,
    /// Not decided yet.
    pub pending: Vec<HazardRef>,
    /// 已整改 without a photo of the result.
    pub without_photo: Vec<HazardRef>,
    /// 未整改 without an escalation, or an extension without a valid new deadline.
    pub without_escalation: Vec<HazardRef>,
}

impl ReviewBlockers {
    /// Each review judged on its own by the domain's rule ([`review_problems`]), so every
    /// problem is listed at once rather than the first kind only.
    pub fn of(reviews: &[HazardReview]) -> Self {
        let mut out = Self {
            nothing_to_review: reviews.is_empty(),
            ..Self::default()
        };
        for review in reviews {
            let list = match review_problems(std::slice::from_ref(review)) {
                Ok(()) => continue,
                Err(InspectionError::ReviewsPending(_)) => &mut out.pending,
                Err(InspectionError::RectifiedWithoutPhoto(_)) => &mut out.without_photo,
                Err(_) => &mut out.without_escalation,
            };
            list.push(review.hazard.clone());
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        !self.nothing_to_review
            && self.pending.is_empty()
            && self.without_photo.is_empty()
            && self.without_escalation.is_empty()
    }
}

/// How a review is named on screen: its item id, or with the original inspection's short id
/// when two reviews share the item (two earlier inspections found the same hazard).
pub fn review_label(reviews: &[HazardReview], hazard: &HazardRef) -> String {
    let shared = reviews
        .iter()
        .filter(|r| r.hazard.item_id == hazard.item_id)
        .count()
        > 1;
    if shared {
        hazard.to_string()
    } else {
        hazard.item_id.clone()
    }
}

/// The element id (after `card-`) of a review's card, for links that scroll to it.
pub fn review_anchor(hazard: &HazardRef) -> String {
    format!(
        "review-{}-{}",
        &hazard.inspection_id.simple().to_string()[..8],
        hazard.item_id
    )
}

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
    let app = use_app();
    // The set of reviews (not their contents): cards are rebuilt only when hazards are added.
    // With each its label (which names the original inspection if an item repeats).
    let hazards = Memo::new(move |_| {
        app.model.with(|m| {
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
        app.model.with(|m| {
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
                .collect::<std::collections::BTreeMap<_, _>>()
        })
    });
    let decided = Memo::new(move |_| {
        app.model.with(|m| {
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
        let result = app.model.try_update(|m| m.add_due_reviews(id, today()));
        message.set(Some(match result {
            Some(Ok(0)) | None => {
                t("没有新的待复查隐患。", "No further hazards are due.").to_string()
            }
            Some(Ok(n)) => t_string(
                format!("已加入 {n} 项待复查隐患。"),
                format!("Added {n} hazards."),
            ),
            Some(Err(e)) => crate::i18n::localize(&e.to_string()),
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
}

fn original(app: &crate::AppContext, hazard: &HazardRef) -> Option<Original> {
    app.model.with_untracked(|m| {
        let inspection: &Inspection = m.inspections.get(&hazard.inspection_id)?;
        let answer = inspection.answers.get(&hazard.item_id);
        let checklist = app.catalog.with_untracked(|c| {
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
            inspected: crate::features::local_time(&inspection.started_at),
        })
    })
}

fn dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_string()
    } else {
        s.to_string()
    }
}

#[component]
fn ReviewCard(
    id: Uuid,
    hazard: HazardRef,
    label: String,
    status: Signal<Option<HazardStatus>>,
) -> impl IntoView {
    let app = use_app();
    let anchor = review_anchor(&hazard);
    let original = original(&app, &hazard);
    let hazard = StoredValue::new(hazard);
    let review = move || {
        app.model.with(|m| {
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
        let result = app
            .model
            .try_update(|m| hazard.with_value(|h| m.review(id, h, decision, now())));
        error.set(result.and_then(Result::err).map(|e| e.to_string()));
    };
    let major = first.original_verdict == Verdict::MajorHazard;
    let level = match first.original_verdict {
        Verdict::MajorHazard => t("重大隐患", "Major hazard"),
        _ => t("一般隐患", "General hazard"),
    };
    let original = original.unwrap_or(Original {
        item_text: String::new(),
        location: String::new(),
        measures: String::new(),
        inspected: String::new(),
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
            <a href=record>{format!("{label} {}", t("原检查记录", "original record"))}</a>
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
            {crate::features::error_line(error)}
            <Photos id target=PhotoTarget::Review(first.hazard.clone()) label=photos_label
                required=Signal::derive(move || outcome.get() == ReviewOutcome::Rectified)
                rule=t("已整改的隐患须附整改后照片。", "A photo of the result is required for a rectified hazard.") />
        </fieldset>
    }
    .into_any()
}

/// The completion screen's summary of a re-inspection's reviews.
pub fn completion_counts(inspection: &Inspection) -> Option<AnyView> {
    if inspection.kind != paicha_core::InspectionKind::Reinspection {
        return None;
    }
    let count = |o: ReviewOutcome| inspection.reviews.iter().filter(|r| r.outcome == o).count();
    let counts = [
        (
            "ok",
            t("已整改：", "Rectified: "),
            count(ReviewOutcome::Rectified),
        ),
        (
            "major",
            t("未整改：", "Not rectified: "),
            count(ReviewOutcome::NotRectified),
        ),
        (
            "",
            t("未复查：", "Not reviewed: "),
            count(ReviewOutcome::Pending),
        ),
    ]
    .into_iter()
    .map(|(class, label, n)| view! { <li class=class>{label} <strong>{n}</strong></li> })
    .collect_view();
    Some(
        view! {
            <section class="card" aria-labelledby="reviews-summary-title">
                <h3 id="reviews-summary-title">{t("复查结果", "Re-inspection results")}</h3>
                <ul class="counts" aria-labelledby="reviews-summary-title">{counts}</ul>
            </section>
        }
        .into_any(),
    )
}

/// What blocks sealing re-inspection `id` in its reviews, for the completion screen's list of
/// blockers: one list per problem, each entry linking to its card.
pub fn completion_blockers(id: Uuid, inspection: &Inspection) -> Option<AnyView> {
    if inspection.kind != paicha_core::InspectionKind::Reinspection {
        return None;
    }
    let reviews = &inspection.reviews;
    let blockers = ReviewBlockers::of(reviews);
    let name = |hazard: &HazardRef| {
        let label = review_label(reviews, hazard);
        let text = reviews
            .iter()
            .find(|r| &r.hazard == hazard)
            .map(|r| r.original_description.clone())
            .unwrap_or_default();
        (
            hazard.clone(),
            format!("{} {label} {text}", t("复查", "Review")),
        )
    };
    let lists = [
        (
            "review-pending-title",
            t("尚未复查的隐患", "Hazards not reviewed yet"),
            &blockers.pending,
        ),
        (
            "review-photo-title",
            t("已整改但缺少整改后照片", "Rectified without a photo of the result"),
            &blockers.without_photo,
        ),
        (
            "review-escalation-title",
            t("未整改但未选择处理措施（或延期缺少新期限）", "Not rectified without an escalation (or an extension without a new deadline)"),
            &blockers.without_escalation,
        ),
    ]
    .into_iter()
    .filter(|(_, _, list)| !list.is_empty())
    .map(|(title_id, title, list)| {
        let entries: Vec<(HazardRef, String)> = list.iter().map(name).collect();
        view! {
            <h4 id=title_id>{title}</h4>
            <ul aria-labelledby=title_id class="item-links">
                {entries.into_iter().map(|(hazard, text)| {
                    let anchor = review_anchor(&hazard);
                    view! {
                        <li><a href=Route::Inspection(id).href() on:click=move |_| jump_to(&anchor)>{text}</a></li>
                    }
                }).collect_view()}
            </ul>
        }
    })
    .collect_view();
    Some(
        view! {
            {blockers.nothing_to_review.then(|| view! {
                <p>{t("本次复查没有需要复查的隐患。", "This re-inspection has no hazards to review.")}</p>
            })}
            {lists}
        }
        .into_any(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use paicha_core::reinspection::HazardReview;

    fn review(item: &str, outcome: ReviewOutcome) -> HazardReview {
        HazardReview {
            hazard: HazardRef {
                inspection_id: Uuid::from_u128(1),
                item_id: item.into(),
            },
            original_verdict: Verdict::GeneralHazard,
            original_description: "问题".into(),
            original_deadline: "2026-12-04".into(),
            outcome,
            note: String::new(),
            photos: Vec::new(),
            escalation: None,
            new_deadline: String::new(),
            reviewed_at: None,
        }
    }

    #[test]
    fn every_blocking_review_is_listed_under_its_problem() {
        assert!(ReviewBlockers::of(&[]).nothing_to_review);
        assert!(!ReviewBlockers::of(&[]).is_empty());
        let mut rectified = review("FW-01", ReviewOutcome::Rectified);
        let pending = review("FW-02", ReviewOutcome::Pending);
        let mut not = review("FW-03", ReviewOutcome::NotRectified);
        let mut extension = review("FW-04", ReviewOutcome::NotRectified);
        extension.escalation = Some(Escalation::Extension);
        extension.new_deadline = "明天".into();
        let all = [
            rectified.clone(),
            pending.clone(),
            not.clone(),
            extension.clone(),
        ];
        let b = ReviewBlockers::of(&all);
        assert_eq!(b.pending, std::slice::from_ref(&pending.hazard));
        assert_eq!(b.without_photo, std::slice::from_ref(&rectified.hazard));
        assert_eq!(
            b.without_escalation,
            [not.hazard.clone(), extension.hazard.clone()]
        );
        // The same rule as the domain's: once each is fixed, nothing blocks.
        rectified.photos.push("a".repeat(64));
        not.escalation = Some(Escalation::PenaltyCase);
        extension.new_deadline = "2027-01-31".into();
        let mut decided = pending.clone();
        decided.outcome = ReviewOutcome::Rectified;
        decided.photos.push("b".repeat(64));
        let fixed = [rectified, decided, not, extension];
        assert!(ReviewBlockers::of(&fixed).is_empty());
        assert_eq!(review_problems(&fixed), Ok(()));
    }

    #[test]
    fn the_review_record_says_what_was_found_and_what_follows() {
        use crate::features::records::review_cells;
        let mut rectified = review("FW-01", ReviewOutcome::Rectified);
        rectified.photos = vec!["a".repeat(64), "b".repeat(64)];
        rectified.note = "已更换".into();
        let (class, cells) = review_cells(&rectified, "防爆电气");
        assert_eq!(class, "ok-row");
        assert_eq!(cells[0], "00000000-FW-01");
        assert_eq!(cells[1], "防爆电气");
        assert_eq!(cells[2], "一般隐患：问题");
        assert_eq!(cells[3], "2026-12-04");
        assert_eq!(cells[4], "已整改\n（附照片 2 张）");
        assert_eq!(cells[5], "验收销号");
        assert_eq!(cells[6], "已更换");
        let mut extended = review("FW-02", ReviewOutcome::NotRectified);
        extended.escalation = Some(Escalation::Extension);
        extended.new_deadline = "2027-01-31".into();
        let (class, cells) = review_cells(&extended, "");
        assert_eq!(class, "major-row");
        assert_eq!(cells[1], "—");
        assert_eq!(cells[4], "未整改");
        assert_eq!(cells[5], "责令延期整改，新整改期限 2027-01-31");
        assert_eq!(cells[6], "—");
        let (_, cells) = review_cells(&review("FW-03", ReviewOutcome::Pending), "x");
        assert_eq!((cells[4].as_str(), cells[5].as_str()), ("未复查", "—"));
    }

    #[test]
    fn labels_name_the_original_inspection_only_when_an_item_repeats() {
        let a = review("FW-01", ReviewOutcome::Pending);
        let mut b = review("FW-01", ReviewOutcome::Pending);
        b.hazard.inspection_id = Uuid::from_u128(2 << 100);
        let c = review("FW-02", ReviewOutcome::Pending);
        let all = [a.clone(), b.clone(), c.clone()];
        assert_eq!(review_label(&all, &c.hazard), "FW-02");
        assert_ne!(review_label(&all, &a.hazard), review_label(&all, &b.hazard));
        assert!(review_label(&all, &a.hazard).starts_with("FW-01@"));
        assert_eq!(
            review_anchor(&a.hazard),
            "review-00000000-FW-01".to_string()
        );
    }
}
