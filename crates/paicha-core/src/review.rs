//! The review of an earlier hazard that a re-inspection (复查) records: which hazard, what was
//! found, and what happens to a hazard that was not rectified. Data and rules only; recording
//! reviews on an inspection is [`crate::reinspection`].

use crate::error::InspectionError;
use crate::verdict::Verdict;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One hazard: the inspection that recorded it and the checklist item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HazardRef {
    #[cfg_attr(
        feature = "schema",
        schemars(regex(
            pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
        ))
    )]
    pub inspection_id: Uuid,
    pub item_id: String,
}

impl std::fmt::Display for HazardRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let short = &self.inspection_id.to_string()[..8];
        write!(f, "{}@{short}", self.item_id)
    }
}

/// What the re-inspection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// Not reviewed yet (blocks sealing).
    #[default]
    Pending,
    /// 已整改: the hazard is gone; sealing the re-inspection verifies it (谁验收、谁签字).
    Rectified,
    /// 未整改: escalated with one of [`Escalation`].
    NotRectified,
}

/// What happens to a hazard that was not rectified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// 立案查处: open an administrative penalty case.
    PenaltyCase,
    /// 责令停产停业整顿.
    Suspension,
    /// 挂牌督办: listed for supervision by a higher authority.
    ListedSupervision,
    /// 延期整改: a new deadline (given in `new_deadline`), recorded as not rectified.
    Extension,
}

impl Escalation {
    pub const ALL: [Escalation; 4] = [
        Escalation::PenaltyCase,
        Escalation::Suspension,
        Escalation::ListedSupervision,
        Escalation::Extension,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Escalation::PenaltyCase => "立案查处",
            Escalation::Suspension => "责令停产停业整顿",
            Escalation::ListedSupervision => "提请挂牌督办",
            Escalation::Extension => "责令延期整改",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Escalation::PenaltyCase => "Open a penalty case",
            Escalation::Suspension => "Order suspension",
            Escalation::ListedSupervision => "List for supervision",
            Escalation::Extension => "Extend the deadline",
        }
    }
}

/// The review of one earlier hazard. The original's verdict, description and deadline are
/// copied in, so the re-inspection record reads on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HazardReview {
    pub hazard: HazardRef,
    pub original_verdict: Verdict,
    pub original_description: String,
    /// The original order's deadline, `YYYY-MM-DD` (empty if none was given).
    #[serde(default)]
    pub original_deadline: String,
    #[serde(default)]
    pub outcome: ReviewOutcome,
    /// 复查意见
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Photos of the result: SHA-256 (lower-case hex) of attachments of the bundle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "schema",
        schemars(inner(regex(pattern = r"^[0-9a-f]{64}$")))
    )]
    pub photos: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    /// For [`Escalation::Extension`]: the new deadline, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub new_deadline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl HazardReview {
    /// Drops what the outcome makes meaningless (an escalation of a rectified hazard, a new
    /// deadline without an extension): done when the re-inspection is sealed.
    pub fn settle(&mut self) {
        if self.outcome != ReviewOutcome::NotRectified {
            self.escalation = None;
        }
        if self.escalation != Some(Escalation::Extension) {
            self.new_deadline.clear();
        }
    }
    /// An extension's new deadline is a date, not before the day of the review and later
    /// than the deadline it extends (otherwise it extends nothing).
    pub fn extension_is_valid(&self) -> bool {
        let Some(new) = crate::finding::parse_date(&self.new_deadline) else {
            return false;
        };
        let not_past = self.reviewed_at.is_none_or(|t| new >= t.date_naive());
        let later = crate::finding::parse_date(&self.original_deadline).is_none_or(|old| new > old);
        not_past && later
    }
}

/// What a review records, as the inspector enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDecision {
    pub outcome: ReviewOutcome,
    pub note: String,
    pub escalation: Option<Escalation>,
    pub new_deadline: String,
}

/// Why a re-inspection cannot be sealed yet: nothing to review, undecided reviews, rectified
/// without a photo, not rectified without an escalation (or an extension without a valid
/// new deadline).
pub fn review_problems(reviews: &[HazardReview]) -> Result<(), InspectionError> {
    if reviews.is_empty() {
        return Err(InspectionError::NothingToReview);
    }
    let names = |keep: &dyn Fn(&HazardReview) -> bool| -> Vec<String> {
        reviews
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.hazard.item_id.clone())
            .collect()
    };
    let pending = names(&|r| r.outcome == ReviewOutcome::Pending);
    if !pending.is_empty() {
        return Err(InspectionError::ReviewsPending(pending));
    }
    let no_photo = names(&|r| r.outcome == ReviewOutcome::Rectified && r.photos.is_empty());
    if !no_photo.is_empty() {
        return Err(InspectionError::RectifiedWithoutPhoto(no_photo));
    }
    let no_escalation =
        names(&|r| r.outcome == ReviewOutcome::NotRectified && r.escalation.is_none());
    if !no_escalation.is_empty() {
        return Err(InspectionError::EscalationMissing(no_escalation));
    }
    let bad_extension = names(&|r| {
        r.outcome == ReviewOutcome::NotRectified
            && r.escalation == Some(Escalation::Extension)
            && !r.extension_is_valid()
    });
    if !bad_extension.is_empty() {
        return Err(InspectionError::BadNewDeadline(bad_extension));
    }
    Ok(())
}
