//! Follow-up (督查): every hazard of every sealed inspection with where it stands today.
//!
//! The status is derived, never stored: from the hazard's deadline, the date today (the
//! caller's local date, so tests can move the clock) and the re-inspections that reviewed it.

use crate::credit_code::CreditCode;
use crate::finding::parse_date;
use crate::inspection::{Answer, Inspection};
use crate::reinspection::{Escalation, HazardRef, HazardReview, ReviewOutcome};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A deadline this many days away or closer (and not past) is "due soon".
pub const DUE_SOON_DAYS: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    /// 逾期未整改: the deadline has passed and no re-inspection closed it.
    Overdue,
    /// 升级处理: a sealed re-inspection found it not rectified and escalated it.
    Escalated,
    /// 即将到期
    DueSoon,
    /// 整改中
    Open,
    /// 已整改（待签章）: marked rectified in a re-inspection not sealed yet.
    Rectified,
    /// 已验收销号: a sealed re-inspection verified the rectification.
    Verified,
}

impl HazardStatus {
    pub const ALL: [HazardStatus; 6] = [
        HazardStatus::Overdue,
        HazardStatus::Escalated,
        HazardStatus::DueSoon,
        HazardStatus::Open,
        HazardStatus::Rectified,
        HazardStatus::Verified,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            HazardStatus::Overdue => "逾期未整改",
            HazardStatus::Escalated => "升级处理",
            HazardStatus::DueSoon => "即将到期",
            HazardStatus::Open => "整改中",
            HazardStatus::Rectified => "已整改待验收",
            HazardStatus::Verified => "已验收销号",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            HazardStatus::Overdue => "Overdue",
            HazardStatus::Escalated => "Escalated",
            HazardStatus::DueSoon => "Due soon",
            HazardStatus::Open => "Open",
            HazardStatus::Rectified => "Rectified",
            HazardStatus::Verified => "Verified",
        }
    }

    /// Still needs a re-inspection (everything but verified and awaiting-signature).
    pub fn needs_review(self) -> bool {
        !matches!(self, HazardStatus::Verified | HazardStatus::Rectified)
    }

    pub fn slug(self) -> &'static str {
        match self {
            HazardStatus::Overdue => "overdue",
            HazardStatus::Escalated => "escalated",
            HazardStatus::DueSoon => "due_soon",
            HazardStatus::Open => "open",
            HazardStatus::Rectified => "rectified",
            HazardStatus::Verified => "verified",
        }
    }
}

/// Status by deadline alone.
pub fn status_by_deadline(deadline: Option<NaiveDate>, today: NaiveDate) -> HazardStatus {
    match deadline {
        Some(d) if d < today => HazardStatus::Overdue,
        Some(d) if (d - today).num_days() <= DUE_SOON_DAYS => HazardStatus::DueSoon,
        _ => HazardStatus::Open,
    }
}

/// What a review decided about a hazard, as far as its status is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision<'a> {
    pub outcome: ReviewOutcome,
    pub escalation: Option<Escalation>,
    /// An extension's new deadline, as typed.
    pub new_deadline: &'a str,
    /// Whether the re-inspection holding the review is sealed: until then only "rectified"
    /// shows (as awaiting the seal); "not rectified" has no force yet.
    pub sealed: bool,
}

/// A hazard's status and the deadline in force, from its order's deadline and the review that
/// decides it (see [`follow_up`] for which one that is). One rule for the device's follow-up
/// list and the ledger's hazard ledger, which sees sealed reviews only.
pub fn status_of(
    order_deadline: Option<NaiveDate>,
    review: Option<Decision<'_>>,
    today: NaiveDate,
) -> (HazardStatus, Option<NaiveDate>) {
    let disposition = Disposition::of(order_deadline, review);
    (disposition.on(today), disposition.deadline)
}

/// What decides a hazard's status whatever the day: a review that settled it, or else the
/// deadline in force. A ledger keeps this per hazard, so that it can filter, count and page by
/// status in SQL ([`Disposition::on`] is the whole rule for the day's part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disposition {
    /// Verified, awaiting the seal (a device's draft) or escalated: the day no longer matters.
    pub settled: Option<HazardStatus>,
    /// The deadline in force: an extension's new deadline, else the order's.
    pub deadline: Option<NaiveDate>,
}

impl Disposition {
    /// From the order's deadline and the review that decides the hazard (see [`follow_up`]).
    pub fn of(order_deadline: Option<NaiveDate>, review: Option<Decision<'_>>) -> Self {
        let settled = |status| Disposition {
            settled: Some(status),
            deadline: order_deadline,
        };
        let by_deadline = |deadline| Disposition {
            settled: None,
            deadline,
        };
        let Some(review) = review else {
            return by_deadline(order_deadline);
        };
        match (review.outcome, review.sealed, review.escalation) {
            (ReviewOutcome::Rectified, true, _) => settled(HazardStatus::Verified),
            (ReviewOutcome::Rectified, false, _) => settled(HazardStatus::Rectified),
            (ReviewOutcome::NotRectified, true, Some(Escalation::Extension)) => {
                by_deadline(parse_date(review.new_deadline).or(order_deadline))
            }
            (ReviewOutcome::NotRectified, true, _) => settled(HazardStatus::Escalated),
            (ReviewOutcome::NotRectified, false, _) | (ReviewOutcome::Pending, _, _) => {
                by_deadline(order_deadline)
            }
        }
    }

    /// The status on `today`.
    pub fn on(&self, today: NaiveDate) -> HazardStatus {
        self.settled
            .unwrap_or_else(|| status_by_deadline(self.deadline, today))
    }
}

/// One decided review of a hazard in a sealed re-inspection, as far as conflicts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedReview<'a> {
    /// The re-inspection holding it.
    pub reinspection: &'a str,
    /// When that re-inspection started and was sealed.
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub sealed_at: chrono::DateTime<chrono::Utc>,
}

/// The pairs of reviews that conflict (复查冲突): two re-inspections that decided one hazard
/// each without the other's result, because the one sealed later had started before the
/// other was sealed (two devices, each offline, or two people on one site). Both stay; the one
/// sealed last decides, as everywhere, and the conflict is shown rather than resolved, as ODK
/// Central shows conflicting entity updates. Pairs are (earlier sealed, later sealed), as
/// indices into `reviews`.
pub fn review_conflicts(reviews: &[SealedReview<'_>]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..reviews.len()).collect();
    order.sort_by_key(|i| (reviews[*i].sealed_at, reviews[*i].reinspection));
    let mut out = Vec::new();
    for (n, &first) in order.iter().enumerate() {
        for &later in &order[n + 1..] {
            let (a, b) = (&reviews[first], &reviews[later]);
            if a.reinspection != b.reinspection && b.started_at < a.sealed_at {
                out.push((first, later));
            }
        }
    }
    out
}

/// One hazard on the follow-up list.
#[derive(Debug, Clone)]
pub struct FollowUp<'a> {
    pub inspection: &'a Inspection,
    pub item_id: &'a str,
    pub answer: &'a Answer,
    pub status: HazardStatus,
    /// The deadline in force: an extension's new deadline, else the order's.
    pub deadline: Option<NaiveDate>,
    /// The latest decided review and the re-inspection that holds it.
    pub review: Option<(&'a Inspection, &'a HazardReview)>,
}

impl FollowUp<'_> {
    pub fn hazard(&self) -> HazardRef {
        HazardRef {
            inspection_id: self.inspection.id,
            item_id: self.item_id.to_string(),
        }
    }

    /// A review, not yet decided, of this hazard, carrying the deadline in force (an earlier
    /// extension's, if any) as the deadline it checks.
    pub fn new_review(&self) -> Option<HazardReview> {
        let mut review = HazardReview::of(self.inspection, self.item_id)?;
        if let Some(deadline) = self.deadline {
            review.original_deadline = deadline.format("%Y-%m-%d").to_string();
        }
        Some(review)
    }
}

/// Every hazard recorded by a sealed inspection, most urgent first (status, then deadline,
/// then newest inspection).
pub fn follow_up<'a>(
    inspections: impl IntoIterator<Item = &'a Inspection>,
    today: NaiveDate,
) -> Vec<FollowUp<'a>> {
    let inspections: Vec<&Inspection> = inspections.into_iter().collect();
    let mut out: Vec<FollowUp> = inspections
        .iter()
        .filter(|i| i.is_sealed())
        .flat_map(|inspection| {
            inspection
                .answers
                .iter()
                .filter(|(_, a)| a.verdict.is_hazard())
                .map(move |(item_id, answer)| (*inspection, item_id.as_str(), answer))
        })
        .map(|(inspection, item_id, answer)| {
            let hazard = HazardRef {
                inspection_id: inspection.id,
                item_id: item_id.to_string(),
            };
            let review = latest_review_of(&inspections, &hazard);
            let original = answer
                .rectification
                .as_ref()
                .and_then(|o| parse_date(&o.deadline));
            let decision = review.map(|(re, r)| Decision {
                outcome: r.outcome,
                escalation: r.escalation,
                new_deadline: &r.new_deadline,
                sealed: re.is_sealed(),
            });
            let (status, deadline) = status_of(original, decision, today);
            FollowUp {
                inspection,
                item_id,
                answer,
                status,
                deadline,
                review,
            }
        })
        .collect();
    sort_by_urgency(&mut out);
    out
}

/// Most urgent first: status, then deadline, then newest inspection (the list's order, kept
/// when a caller changes statuses it knows more about).
pub fn sort_by_urgency(list: &mut [FollowUp<'_>]) {
    list.sort_by(|a, b| {
        (a.status, a.deadline.unwrap_or(NaiveDate::MAX))
            .cmp(&(b.status, b.deadline.unwrap_or(NaiveDate::MAX)))
            .then(b.inspection.started_at.cmp(&a.inspection.started_at))
            .then(a.item_id.cmp(b.item_id))
    });
}

/// The review among `inspections` that decides `hazard`'s status: the newest one in a sealed
/// re-inspection, unless a re-inspection started after that one was sealed is still being
/// written and has decided it.
pub fn latest_review_of<'a>(
    inspections: &[&'a Inspection],
    hazard: &HazardRef,
) -> Option<(&'a Inspection, &'a HazardReview)> {
    let decided = || {
        inspections
            .iter()
            .flat_map(|re| re.reviews.iter().map(move |r| (*re, r)))
            .filter(|(_, r)| &r.hazard == hazard && r.outcome != ReviewOutcome::Pending)
    };
    let sealed = decided()
        .filter(|(re, _)| re.is_sealed())
        .max_by_key(|(re, _)| re.sealed_at);
    let draft = decided()
        .filter(|(re, _)| !re.is_sealed())
        .max_by_key(|(_, r)| r.reviewed_at);
    // A draft overrides a sealed review only to show "rectified, awaiting the seal": a draft
    // "not rectified" has no force until sealed, so the sealed review (and any extension's
    // deadline) stays in force — as on the ledger, which sees sealed reviews only.
    match (sealed, draft) {
        (Some(s), Some(d))
            if d.1.outcome == ReviewOutcome::Rectified
                && s.0.sealed_at.is_some_and(|t| d.0.started_at > t) =>
        {
            Some(d)
        }
        (Some(s), _) => Some(s),
        (None, d) => d,
    }
}

/// The hazards of the site with this credit code that a new re-inspection should review:
/// every one that still needs review and is not already under review in another
/// re-inspection being written (`except` is the re-inspection asking).
pub fn due_for_review<'a>(
    list: &'a [FollowUp<'a>],
    inspections: impl IntoIterator<Item = &'a Inspection>,
    site: &CreditCode,
    except: Option<uuid::Uuid>,
) -> Vec<&'a FollowUp<'a>> {
    let in_progress = under_review(inspections, except);
    list.iter()
        .filter(|f| &f.inspection.site.credit_code == site && f.status.needs_review())
        .filter(|f| !in_progress.contains(&&f.hazard()))
        .collect()
}

/// The hazards under review in a re-inspection still being written (but `except`): a new
/// re-inspection leaves them to it.
pub fn under_review<'a>(
    inspections: impl IntoIterator<Item = &'a Inspection>,
    except: Option<uuid::Uuid>,
) -> Vec<&'a HazardRef> {
    inspections
        .into_iter()
        .filter(|i| !i.is_sealed() && Some(i.id) != except)
        .flat_map(|i| i.reviews.iter().map(|r| &r.hazard))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, d).unwrap()
    }

    fn decision(
        outcome: ReviewOutcome,
        escalation: Option<Escalation>,
        sealed: bool,
    ) -> Decision<'static> {
        Decision {
            outcome,
            escalation,
            new_deadline: "2026-05-20",
            sealed,
        }
    }

    #[test]
    fn a_review_has_force_once_sealed_except_to_show_a_rectification() {
        use Escalation::{Extension, PenaltyCase};
        use ReviewOutcome::{NotRectified, Pending, Rectified};
        let order = Some(day(10));
        let status = |d: Option<Decision<'static>>| status_of(order, d, day(12));
        assert_eq!(status(None), (HazardStatus::Overdue, order));
        assert_eq!(
            status(Some(decision(Pending, None, true))),
            (HazardStatus::Overdue, order)
        );
        assert_eq!(
            status(Some(decision(Rectified, None, true))),
            (HazardStatus::Verified, order)
        );
        assert_eq!(
            status(Some(decision(Rectified, None, false))),
            (HazardStatus::Rectified, order)
        );
        assert_eq!(
            status(Some(decision(NotRectified, Some(PenaltyCase), true))),
            (HazardStatus::Escalated, order)
        );
        // Not sealed yet: the order's deadline still rules.
        assert_eq!(
            status(Some(decision(NotRectified, Some(PenaltyCase), false))),
            (HazardStatus::Overdue, order)
        );
        // A sealed extension judges by its new deadline; one that is not a date keeps the old.
        assert_eq!(
            status(Some(decision(NotRectified, Some(Extension), true))),
            (HazardStatus::Open, Some(day(20)))
        );
        let unreadable = Decision {
            new_deadline: "next week",
            ..decision(NotRectified, Some(Extension), true)
        };
        assert_eq!(status(Some(unreadable)), (HazardStatus::Overdue, order));
    }

    #[test]
    fn reviews_that_did_not_see_each_other_conflict() {
        use chrono::TimeZone;
        let at = |h: u32| chrono::Utc.with_ymd_and_hms(2026, 5, 12, h, 0, 0).unwrap();
        let review = |id, started, sealed| SealedReview {
            reinspection: id,
            started_at: at(started),
            sealed_at: at(sealed),
        };
        // A sealed at 10; B started at 9 (before A's seal), sealed at 11: conflict.
        let overlapping = [review("a", 8, 10), review("b", 9, 11)];
        assert_eq!(review_conflicts(&overlapping), [(0, 1)]);
        // C started at 12, after A's seal: it could know A's result.
        let after = [review("a", 8, 10), review("c", 12, 13)];
        assert!(review_conflicts(&after).is_empty());
        // One re-inspection reviewing twice is no conflict; order of the input does not matter.
        let same = [review("a", 8, 10), review("a", 8, 10)];
        assert!(review_conflicts(&same).is_empty());
        let reversed = [review("b", 9, 11), review("a", 8, 10)];
        assert_eq!(review_conflicts(&reversed), [(1, 0)]);
    }
}
