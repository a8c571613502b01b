//! A re-inspection's reviews (复查) as the screens name and judge them.

use paicha_core::InspectionError;
use paicha_core::reinspection::{HazardRef, HazardReview, review_problems};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::review;
    use paicha_core::reinspection::{Escalation, ReviewOutcome};
    use uuid::Uuid;

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
