//! Re-inspection (复查): an inspection of kind [`InspectionKind::Reinspection`] that reviews
//! hazards recorded by earlier inspections of the same site. Each reviewed hazard is either
//! rectified (with a photo of the result) or not rectified, which escalates it.
//!
//! The reviews travel inside the re-inspection and refer to the original hazard by the
//! original inspection's id and the item id, so the ledger can close or escalate it even when
//! the two arrive in separate bundles.

use crate::inspection::{Inspection, InspectionError, InspectionKind};
pub use crate::review::{
    Escalation, HazardRef, HazardReview, ReviewDecision, ReviewOutcome, review_problems,
};
use crate::verdict::Verdict;
use chrono::{DateTime, Utc};

impl HazardReview {
    /// A review, not yet decided, of hazard `item_id` recorded by `original`.
    pub fn of(original: &Inspection, item_id: &str) -> Option<Self> {
        let answer = original.answers.get(item_id)?;
        let hazard = HazardRef {
            inspection_id: original.id,
            item_id: item_id.to_string(),
        };
        let deadline = answer
            .rectification
            .as_ref()
            .map(|o| o.deadline.clone())
            .unwrap_or_default();
        answer
            .verdict
            .is_hazard()
            .then(|| Self::pending(hazard, answer.verdict, &answer.description, &deadline))
    }

    /// A review, not yet decided, of `hazard` as it was recorded: its verdict, description
    /// and the deadline it checks.
    pub fn pending(hazard: HazardRef, verdict: Verdict, description: &str, deadline: &str) -> Self {
        Self {
            hazard,
            original_verdict: verdict,
            original_description: description.to_string(),
            original_deadline: deadline.to_string(),
            outcome: ReviewOutcome::Pending,
            note: String::new(),
            photos: Vec::new(),
            escalation: None,
            new_deadline: String::new(),
            reviewed_at: None,
        }
    }
}

impl Inspection {
    /// Adds reviews of these earlier hazards (each once; ones already listed are kept as
    /// they are). Only for a re-inspection.
    pub fn add_reviews(
        &mut self,
        reviews: impl IntoIterator<Item = HazardReview>,
    ) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        if self.kind != InspectionKind::Reinspection {
            return Err(InspectionError::NotAReinspection);
        }
        for review in reviews {
            if !self.reviews.iter().any(|r| r.hazard == review.hazard) {
                self.reviews.push(review);
            }
        }
        Ok(())
    }

    fn review_mut(&mut self, hazard: &HazardRef) -> Result<&mut HazardReview, InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        self.reviews
            .iter_mut()
            .find(|r| &r.hazard == hazard)
            .ok_or_else(|| InspectionError::UnknownReview(hazard.to_string()))
    }

    /// Records the outcome of one review, kept as typed (problems block sealing only).
    pub fn review(
        &mut self,
        hazard: &HazardRef,
        decision: ReviewDecision,
        now: DateTime<Utc>,
    ) -> Result<(), InspectionError> {
        let review = self.review_mut(hazard)?;
        // Kept as entered while the re-inspection is open, so switching the outcome back and
        // forth loses nothing typed; `settle` drops what does not apply when sealing.
        review.outcome = decision.outcome;
        review.note = decision.note;
        review.escalation = decision.escalation;
        review.new_deadline = decision.new_deadline.trim().to_string();
        review.reviewed_at = (decision.outcome != ReviewOutcome::Pending).then_some(now);
        Ok(())
    }

    pub fn attach_review_photo(
        &mut self,
        hazard: &HazardRef,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        if !crate::is_hex64(sha256) {
            return Err(InspectionError::BadPhotoRef(sha256.to_string()));
        }
        let review = self.review_mut(hazard)?;
        if !review.photos.iter().any(|p| p == sha256) {
            review.photos.push(sha256.to_string());
        }
        Ok(())
    }

    pub fn detach_review_photo(
        &mut self,
        hazard: &HazardRef,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        self.review_mut(hazard)?.photos.retain(|p| p != sha256);
        Ok(())
    }
}
