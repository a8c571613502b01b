//! The completion summary (完成检查): what an inspection found and what still stands between it
//! and the seal. The app shows it before the inspector seals; the lists that block sealing are
//! the same ones [`Completion::blockers`] reports.

use crate::checklist::Checklist;
use crate::inspection::{Inspection, InspectionError, InspectionKind, Verdict};

/// Counts and open points of one inspection against its checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Answers per verdict, in [`Verdict::ALL`] order (符合, 一般隐患, 重大隐患, 不适用).
    pub counts: [(Verdict, usize); 4],
    /// Items that apply (by the applicability answers) and have no answer, in checklist order.
    /// Shown, but they do not block sealing: an item not answered makes no claim in the record,
    /// and forcing an answer would invite a "符合" for something nobody looked at.
    pub unanswered: Vec<String>,
    /// Hazards without a description (the domain refuses to seal them).
    pub without_description: Vec<String>,
    /// Hazards whose order (交办) is incomplete, as "item：missing fields"
    /// ([`Inspection::order_problems`]).
    pub incomplete_orders: Vec<String>,
    /// Hazards on items that require a photo and have none ([`Inspection::missing_evidence`]).
    pub missing_evidence: Vec<String>,
    /// Hazards on items whose evidence is a measurement and whose description states no value
    /// in the item's unit ([`Inspection::missing_measurements`]).
    pub missing_measurements: Vec<String>,
    /// Officers present: the inspector plus co-inspectors. Fewer than two blocks sealing
    /// (law-enforcement inspections need at least two officers).
    pub officers: usize,
    /// For a re-inspection: what is still open in its reviews ([`review_problems`]).
    ///
    /// [`review_problems`]: crate::reinspection::review_problems
    pub reviews: Option<Result<(), InspectionError>>,
}

impl Completion {
    pub fn of(inspection: &Inspection, checklist: &Checklist) -> Self {
        let yes = inspection.applicable_keys();
        let counts = Verdict::ALL.map(|v| (v, inspection.count(v)));
        let unanswered = checklist
            .applicable_items(&yes)
            .filter(|item| !inspection.answers.contains_key(&item.id))
            .map(|item| item.id.clone())
            .collect();
        let without_description = checklist
            .items()
            .filter(|item| {
                inspection
                    .answers
                    .get(&item.id)
                    .is_some_and(|a| a.verdict.is_hazard() && a.description.trim().is_empty())
            })
            .map(|item| item.id.clone())
            .collect();
        Self {
            counts,
            unanswered,
            without_description,
            incomplete_orders: inspection.order_problems(),
            missing_evidence: inspection.missing_evidence(checklist),
            missing_measurements: inspection.missing_measurements(checklist),
            officers: inspection.officers().count(),
            reviews: (inspection.kind == InspectionKind::Reinspection)
                .then(|| crate::reinspection::review_problems(&inspection.reviews)),
        }
    }

    pub fn answered(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.counts
            .iter()
            .find(|(v, _)| *v == verdict)
            .map_or(0, |(_, n)| *n)
    }

    /// The first reason the inspection may not be sealed yet, if any: fewer than two officers,
    /// nothing answered (for a re-inspection: open reviews), hazards without a description,
    /// incomplete orders, missing evidence (photos, then measured values).
    pub fn blockers(&self) -> Result<(), InspectionError> {
        if self.officers < 2 {
            return Err(InspectionError::TooFewOfficers);
        }
        match &self.reviews {
            Some(reviews) => reviews.clone()?,
            None if self.answered() == 0 => return Err(InspectionError::NothingAnswered),
            None => {}
        }
        if !self.without_description.is_empty() {
            return Err(InspectionError::HazardsWithoutDescription(
                self.without_description.clone(),
            ));
        }
        if !self.incomplete_orders.is_empty() {
            return Err(InspectionError::IncompleteOrders(
                self.incomplete_orders.clone(),
            ));
        }
        if !self.missing_evidence.is_empty() {
            return Err(InspectionError::MissingEvidence(
                self.missing_evidence.clone(),
            ));
        }
        if !self.missing_measurements.is_empty() {
            return Err(InspectionError::MissingMeasurement(
                self.missing_measurements.clone(),
            ));
        }
        Ok(())
    }

    pub fn may_seal(&self) -> bool {
        self.blockers().is_ok()
    }
}
