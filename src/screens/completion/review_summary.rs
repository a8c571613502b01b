//! A re-inspection's reviews on the completion screen: how many were decided each way, and
//! what still blocks the seal, each linking to its card.

use crate::model::reviews::{ReviewBlockers, review_anchor, review_label};
use crate::platform::i18n::t;
use crate::platform::route::{Anchor, Route};
use leptos::prelude::*;
use paicha_core::Inspection;
use paicha_core::reinspection::{HazardRef, ReviewOutcome};
use uuid::Uuid;

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
                    let anchor = Anchor::new(&review_anchor(&hazard)).expect("review anchors are ids");
                    view! {
                        <li><a href=Route::InspectionAt(id, anchor).href()>{text}</a></li>
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
