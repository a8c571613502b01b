//! Hazards another device recorded, as a device pulls them from the ledger (复查 across people):
//! where each stands on a day, combined with what this device decided about it meanwhile, and
//! the review a re-inspection of it starts with. The ledger's row says what the ledger knew at
//! the pull; a review this device made since (a draft or a sealed one the ledger has not taken
//! in yet) is newer, so it decides, by the same rule as for the device's own hazards.

use crate::checklist::{ChecklistRef, ContentHash};
use crate::credit_code::CreditCode;
use crate::finding::parse_date;
use crate::followup::{
    Decision, HazardStatus, latest_review_of, status_by_deadline, status_of, under_review,
};
use crate::hazard_ledger::HazardLevel;
use crate::inspection::Inspection;
use crate::reinspection::{HazardRef, HazardReview};
use crate::site::{Site, SiteDetails};
use crate::verdict::Verdict;
use crate::wire::PulledHazard;
use chrono::NaiveDate;

/// Where a pulled hazard stands on a day.
#[derive(Debug, Clone)]
pub struct PulledStanding<'a> {
    pub status: HazardStatus,
    /// The deadline in force.
    pub deadline: Option<NaiveDate>,
    /// The review on this device that decides it, if any, with the re-inspection holding it.
    pub review: Option<(&'a Inspection, &'a HazardReview)>,
}

impl PulledHazard {
    /// How a device stores it: `inspection id/item id` (one hazard, however often pulled).
    pub fn key(&self) -> String {
        hazard_key(&self.inspection_id, &self.item_id)
    }

    /// The hazard as reviews name it; none if the ledger sent an id that is not a UUID.
    pub fn hazard_ref(&self) -> Option<HazardRef> {
        Some(HazardRef {
            inspection_id: self.inspection_id.parse().ok()?,
            item_id: self.item_id.clone(),
        })
    }

    /// 重大隐患 or 一般隐患, as the ledger's row spells it.
    pub fn level(&self) -> HazardLevel {
        HazardLevel::ALL
            .into_iter()
            .find(|l| l.label_zh() == self.hazard.level)
            .unwrap_or(HazardLevel::General)
    }

    /// The deadline in force when pulled.
    pub fn deadline(&self) -> Option<NaiveDate> {
        parse_date(&self.hazard.deadline)
    }

    /// The checklist it was found with: (id, version).
    pub fn checklist(&self) -> (&str, &str) {
        self.hazard
            .checklist
            .split_once(' ')
            .unwrap_or((&self.hazard.checklist, ""))
    }

    /// The checklist it was found with, as an inspection names one.
    pub fn checklist_ref(&self) -> ChecklistRef {
        let (id, version) = self.checklist();
        ChecklistRef {
            id: id.to_string(),
            version: version.to_string(),
            content_hash: ContentHash(self.hazard.checklist_content_hash.clone()),
        }
    }

    /// The enterprise as the ledger recorded it (a re-inspection starts from it when the
    /// device has not saved the site); none if the ledger's name or credit code is not valid.
    pub fn site(&self) -> Option<Site> {
        let code = CreditCode::parse(&self.hazard.uscc).ok()?;
        let details = SiteDetails {
            address: self.hazard.site_address.clone(),
            township: self.hazard.site_township.clone(),
            grid: self.hazard.site_grid.clone(),
            sectors: Vec::new(),
            contact_name: self.hazard.contact_name.clone(),
            contact_phone: self.hazard.contact_phone.clone(),
        };
        Site::with_details(&self.hazard.org_name, code.clone(), details)
            .or_else(|_| Site::new(&self.hazard.org_name, code))
            .ok()
    }

    /// Its status on `today` as the ledger had it: escalated and verified stay so, the others
    /// follow the calendar.
    pub fn ledger_status(&self, today: NaiveDate) -> HazardStatus {
        match self.hazard.status_code.as_str() {
            "escalated" => HazardStatus::Escalated,
            "verified" => HazardStatus::Verified,
            _ => status_by_deadline(self.deadline(), today),
        }
    }

    /// Where it stands on `today`, given this device's re-inspections: a review decided here
    /// that the ledger has not taken in yet is newer than the pull and decides (as for the
    /// device's own hazards); otherwise the ledger's status, which may hold later reviews by
    /// others (an escalation after this device's "rectified").
    pub fn standing<'a>(
        &self,
        inspections: &[&'a Inspection],
        today: NaiveDate,
    ) -> PulledStanding<'a> {
        let review = self
            .hazard_ref()
            .and_then(|h| latest_review_of(inspections, &h));
        let on_ledger =
            |re: &Inspection| re.is_sealed() && self.reviewed_in.contains(&re.id.to_string());
        match review {
            Some((re, _)) if on_ledger(re) => PulledStanding {
                status: self.ledger_status(today),
                deadline: self.deadline(),
                review,
            },
            Some((re, r)) => {
                let decision = Decision {
                    outcome: r.outcome,
                    escalation: r.escalation,
                    new_deadline: &r.new_deadline,
                    sealed: re.is_sealed(),
                };
                let (status, deadline) = status_of(self.deadline(), Some(decision), today);
                PulledStanding {
                    status,
                    deadline,
                    review,
                }
            }
            None => PulledStanding {
                status: self.ledger_status(today),
                deadline: self.deadline(),
                review: None,
            },
        }
    }

    /// A review, not yet decided, of this hazard, carrying the deadline in force.
    pub fn new_review(&self) -> Option<HazardReview> {
        let original_verdict = match self.level() {
            HazardLevel::Major => Verdict::MajorHazard,
            HazardLevel::General => Verdict::GeneralHazard,
        };
        Some(HazardReview::pending(
            self.hazard_ref()?,
            original_verdict,
            &self.hazard.description,
            &self.hazard.deadline,
        ))
    }
}

/// How a device keys a hazard it pulled or learnt about: `inspection id/item id`.
pub fn hazard_key(inspection_id: &str, item_id: &str) -> String {
    format!("{inspection_id}/{item_id}")
}

/// The pulled hazards of the site with credit code `site` that a new re-inspection should
/// review: every one that still needs review on `today` and is not already under review in a
/// re-inspection being written (`except` is the re-inspection asking).
pub fn pulled_due_for_review<'p>(
    pulled: impl IntoIterator<Item = &'p PulledHazard>,
    inspections: &[&Inspection],
    site: &str,
    except: Option<uuid::Uuid>,
    today: NaiveDate,
) -> Vec<&'p PulledHazard> {
    let in_progress = under_review(inspections.iter().copied(), except);
    pulled
        .into_iter()
        .filter(|p| p.hazard.uscc == site)
        .filter(|p| p.standing(inspections, today).status.needs_review())
        .filter(|p| p.hazard_ref().is_some_and(|h| !in_progress.contains(&&h)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hazard_ledger::HazardLedgerRow;
    use crate::reinspection::{Escalation, ReviewDecision, ReviewOutcome};
    use crate::{Checklist, Inspector, Site};
    use chrono::{TimeZone, Utc};

    const ORIGINAL: &str = "6f1c1e3e-8a53-4a8f-9d64-0d4c4b2b1a01";
    const SITE: &str = "91440300708461136T";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn pulled(level: &str, deadline: &str, status_code: &str) -> PulledHazard {
        PulledHazard {
            inspection_id: ORIGINAL.into(),
            item_id: "FW-01".into(),
            hazard: HazardLedgerRow {
                uscc: SITE.into(),
                level: level.into(),
                deadline: deadline.into(),
                status_code: status_code.into(),
                description: "仓库超量存放".into(),
                checklist: "fireworks 2026.1".into(),
                ..HazardLedgerRow::default()
            },
            photos: vec![],
            assignment: None,
            conflict: false,
            reviewed_in: vec![],
        }
    }

    fn reinspection(
        sealed: bool,
        outcome: ReviewOutcome,
        escalation: Option<Escalation>,
    ) -> Inspection {
        let checklist = Checklist::from_toml(
            "minimal.toml",
            include_str!("../tests/fixtures/minimal.toml"),
        )
        .unwrap();
        let site = Site::new("甲厂", crate::CreditCode::parse(SITE).unwrap()).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap();
        let inspector = Inspector::new("李四", "B1").unwrap();
        let mut re = Inspection::start(uuid::Uuid::from_u128(9), site, &checklist, inspector, at);
        re.kind = crate::InspectionKind::Reinspection;
        let review = pulled("重大隐患", "2026-12-10", "open")
            .new_review()
            .unwrap();
        let hazard = review.hazard.clone();
        re.add_reviews([review]).unwrap();
        re.review(
            &hazard,
            ReviewDecision {
                outcome,
                note: "复查".into(),
                escalation,
                new_deadline: String::new(),
            },
            at,
        )
        .unwrap();
        if sealed {
            re.sealed_at = Some(at);
        }
        re
    }

    #[test]
    fn the_ledgers_status_follows_the_calendar_unless_settled() {
        let open = pulled("重大隐患", "2026-12-10", "open");
        assert_eq!(open.level(), HazardLevel::Major);
        assert_eq!(open.ledger_status(day(1)), HazardStatus::Open);
        assert_eq!(open.ledger_status(day(8)), HazardStatus::DueSoon);
        assert_eq!(open.ledger_status(day(11)), HazardStatus::Overdue);
        let escalated = pulled("一般隐患", "2026-12-10", "escalated");
        assert_eq!(escalated.level(), HazardLevel::General);
        assert_eq!(escalated.ledger_status(day(30)), HazardStatus::Escalated);
        assert_eq!(open.checklist(), ("fireworks", "2026.1"));
        assert_eq!(open.checklist_ref().version, "2026.1");
        // The ledger's enterprise, for a re-inspection of a site this device never saved.
        let mut named = open.clone();
        named.hazard.org_name = "甲厂".into();
        named.hazard.site_address = "工业路 1 号".into();
        let site = named.site().unwrap();
        assert_eq!(
            (site.name.as_str(), site.address.as_str()),
            ("甲厂", "工业路 1 号")
        );
        assert!(
            open.site().is_none(),
            "a site without a name is not made up"
        );
        assert_eq!(open.key(), format!("{ORIGINAL}/FW-01"));
    }

    #[test]
    fn a_review_made_here_since_the_pull_decides() {
        let open = pulled("重大隐患", "2026-12-10", "overdue");
        let none: [&Inspection; 0] = [];
        assert_eq!(open.standing(&none, day(11)).status, HazardStatus::Overdue);
        // A draft "rectified" shows as awaiting the seal; sealed, it is verified.
        let draft = reinspection(false, ReviewOutcome::Rectified, None);
        assert_eq!(
            open.standing(&[&draft], day(11)).status,
            HazardStatus::Rectified
        );
        let sealed = reinspection(true, ReviewOutcome::Rectified, None);
        let standing = open.standing(&[&sealed], day(11));
        assert_eq!(standing.status, HazardStatus::Verified);
        assert_eq!(standing.review.unwrap().0.id, sealed.id);
        // A draft "not rectified" has no force until sealed.
        let draft = reinspection(
            false,
            ReviewOutcome::NotRectified,
            Some(Escalation::PenaltyCase),
        );
        assert_eq!(
            open.standing(&[&draft], day(11)).status,
            HazardStatus::Overdue
        );
        let sealed = reinspection(
            true,
            ReviewOutcome::NotRectified,
            Some(Escalation::PenaltyCase),
        );
        assert_eq!(
            open.standing(&[&sealed], day(11)).status,
            HazardStatus::Escalated
        );
    }

    #[test]
    fn once_the_ledger_holds_the_review_made_here_the_ledger_decides() {
        // Verified here and uploaded; someone escalated it since: the ledger says so.
        let sealed = reinspection(true, ReviewOutcome::Rectified, None);
        let mut escalated = pulled("重大隐患", "2026-12-10", "escalated");
        escalated.reviewed_in = vec![sealed.id.to_string(), "another".into()];
        let standing = escalated.standing(&[&sealed], day(11));
        assert_eq!(standing.status, HazardStatus::Escalated);
        assert_eq!(
            standing.review.unwrap().0.id,
            sealed.id,
            "still reviewed here"
        );
        // Not taken in yet (another re-inspection listed): this device's review decides.
        escalated.reviewed_in = vec!["another".into()];
        assert_eq!(
            escalated.standing(&[&sealed], day(11)).status,
            HazardStatus::Verified
        );
        // A draft is never on the ledger, whatever the list says.
        let draft = reinspection(false, ReviewOutcome::Rectified, None);
        escalated.reviewed_in = vec![draft.id.to_string()];
        assert_eq!(
            escalated.standing(&[&draft], day(11)).status,
            HazardStatus::Rectified
        );
    }

    #[test]
    fn a_new_review_carries_the_pulled_facts_and_due_skips_what_is_under_review() {
        let open = pulled("重大隐患", "2026-12-10", "open");
        let review = open.new_review().unwrap();
        assert_eq!(review.hazard.inspection_id.to_string(), ORIGINAL);
        assert_eq!(review.original_verdict, Verdict::MajorHazard);
        assert_eq!(review.original_description, "仓库超量存放");
        assert_eq!(review.original_deadline, "2026-12-10");
        assert_eq!(review.outcome, ReviewOutcome::Pending);

        let list = [open.clone()];
        assert_eq!(
            pulled_due_for_review(&list, &[], SITE, None, day(8)).len(),
            1
        );
        assert!(pulled_due_for_review(&list, &[], "911100001000044477", None, day(8)).is_empty());
        // Under review in a draft: not due for another, but due for that draft itself.
        let draft = reinspection(false, ReviewOutcome::Pending, None);
        assert!(pulled_due_for_review(&list, &[&draft], SITE, None, day(8)).is_empty());
        assert_eq!(
            pulled_due_for_review(&list, &[&draft], SITE, Some(draft.id), day(8)).len(),
            1
        );
        // Verified here: no longer due.
        let sealed = reinspection(true, ReviewOutcome::Rectified, None);
        assert!(pulled_due_for_review(&list, &[&sealed], SITE, None, day(8)).is_empty());
        // An id the ledger got wrong is never reviewed.
        let mut broken = open;
        broken.inspection_id = "not-a-uuid".into();
        assert!(broken.new_review().is_none());
        assert!(pulled_due_for_review(&[broken], &[], SITE, None, day(8)).is_empty());
    }
}
