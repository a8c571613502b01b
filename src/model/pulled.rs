//! What the device pulled from the ledger (issue 18): the open hazards of its person's regions,
//! each with its 交办 and conflict, and for the device's own hazards that someone else verified,
//! who verified them. Pulled data is the ledger's, never evidence this device made: a revoked
//! device wipes it ([`Model::wipe_pulled`]) and nothing the device recorded goes with it.

use super::{Model, RecordKey};
use chrono::NaiveDate;
use paicha_core::followup::FollowUp;
use paicha_core::pulled::{PulledStanding, hazard_key};
use paicha_core::wire::{ClosedHazard, PullResponse, PulledHazard, Verification};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One pulled record, stored by [`hazard_key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pulled {
    /// Open on the ledger: someone's hazard to follow up (this device's own included, for its
    /// 交办 and conflict).
    Open(Box<PulledHazard>),
    /// One of this device's own hazards, verified on the ledger by a re-inspection made
    /// elsewhere.
    Verified(ClosedHazard),
}

/// Where pulling stands, stored beside the pulled hazards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullState {
    /// Where the next pull starts (empty: from the beginning).
    pub after: String,
    /// The local day (`YYYY-MM-DD`) the last full pull finished: once a day the device pulls
    /// everything again and drops what the ledger no longer sends it (a hazard moved to
    /// another region, a role the person no longer holds).
    #[serde(default)]
    pub full_on: String,
}

impl Pulled {
    /// The hazard, while it is open on the ledger.
    pub fn open(&self) -> Option<&PulledHazard> {
        match self {
            Pulled::Open(h) => Some(h),
            Pulled::Verified(_) => None,
        }
    }

    /// Its key: `inspection id/item id`.
    pub fn key(&self) -> String {
        match self {
            Pulled::Open(h) => h.key(),
            Pulled::Verified(c) => hazard_key(&c.inspection_id, &c.item_id),
        }
    }
}

impl Model {
    /// Stores one pull's answer: new and changed hazards replace what was pulled of them,
    /// closed ones leave (this device's own become "verified by …"), and the cursor moves on.
    /// Marked changed together, so the persistence Effect writes them in one transaction.
    pub fn apply_pull(&mut self, page: PullResponse) {
        for hazard in page.hazards {
            let key = hazard.key();
            self.pulled
                .insert(key.clone(), Pulled::Open(Box::new(hazard)));
            self.touch(RecordKey::Pulled(key));
        }
        for closed in page.closed {
            let key = hazard_key(&closed.inspection_id, &closed.item_id);
            if closed.verified.is_some() && self.is_own(&closed.inspection_id) {
                self.pulled.insert(key.clone(), Pulled::Verified(closed));
            } else {
                self.pulled.remove(&key);
            }
            self.touch(RecordKey::Pulled(key));
        }
        if self.pull.after != page.after {
            self.pull.after = page.after;
            self.touch(RecordKey::PullState);
        }
    }

    /// Ends a full pull (every page from the beginning, `seen` the keys it brought): what was
    /// pulled and not sent again has left the person's reach, and leaves the device. The
    /// device's own hazards verified elsewhere stay.
    pub fn finish_full_pull(&mut self, seen: &std::collections::BTreeSet<String>, today: &str) {
        let gone: Vec<String> = self
            .pulled
            .iter()
            .filter(|(key, p)| matches!(p, Pulled::Open(_)) && !seen.contains(*key))
            .map(|(key, _)| key.clone())
            .collect();
        for key in gone {
            self.pulled.remove(&key);
            self.touch(RecordKey::Pulled(key));
        }
        self.pull.full_on = today.to_string();
        self.touch(RecordKey::PullState);
    }

    /// Forgets everything pulled (the ledger revoked this device): the next pull, if ever
    /// allowed again, starts from the beginning. The device's own records stay.
    pub fn wipe_pulled(&mut self) {
        let keys: Vec<String> = std::mem::take(&mut self.pulled).into_keys().collect();
        for key in keys {
            self.touch(RecordKey::Pulled(key));
        }
        self.pull = PullState::default();
        self.touch(RecordKey::PullState);
    }

    /// Whether the inspection is on this device (its own record).
    fn is_own(&self, inspection_id: &str) -> bool {
        inspection_id
            .parse::<Uuid>()
            .is_ok_and(|id| self.inspections.contains_key(&id))
    }

    /// What the ledger said of one of the device's own hazards, if it was pulled.
    pub fn pulled_of(&self, inspection_id: Uuid, item_id: &str) -> Option<&Pulled> {
        self.pulled
            .get(&hazard_key(&inspection_id.to_string(), item_id))
    }

    /// Every pulled hazard still open on the ledger (the device's own included).
    pub fn pulled_open(&self) -> impl Iterator<Item = &PulledHazard> {
        self.pulled.values().filter_map(Pulled::open)
    }

    /// Hazards recorded by others, open on the ledger, with where each stands on `today`.
    pub fn pulled_others(&self, today: NaiveDate) -> Vec<(&PulledHazard, PulledStanding<'_>)> {
        let inspections: Vec<_> = self.inspections.values().collect();
        self.pulled_open()
            .filter(|h| !self.is_own(&h.inspection_id))
            .map(|h| (h, h.standing(&inspections, today)))
            .collect()
    }

    /// 待办 on `today`: open hazards assigned to this device's person (or their township)
    /// that still need a re-inspection.
    pub fn todo_count(&self, today: NaiveDate) -> usize {
        self.todo_of(&self.follow_up(today), &self.pulled_others(today))
    }

    /// 待办 among the device's own list (`own`, which decides its own hazards) and the others'
    /// pulled hazards (`others`), as computed for the same day.
    pub fn todo_of(
        &self,
        own: &[FollowUp<'_>],
        others: &[(&PulledHazard, PulledStanding<'_>)],
    ) -> usize {
        let to_me = |h: &PulledHazard| h.assignment.as_ref().is_some_and(|a| a.to_me);
        let own_todo = own
            .iter()
            .filter(|f| f.status.needs_review())
            .filter(|f| {
                self.pulled_of(f.inspection.id, f.item_id)
                    .and_then(Pulled::open)
                    .is_some_and(to_me)
            })
            .count();
        let others_todo = others
            .iter()
            .filter(|(h, standing)| to_me(h) && standing.status.needs_review())
            .count();
        own_todo + others_todo
    }

    /// Who verified one of this device's own hazards elsewhere, if the ledger said so.
    pub fn verified_elsewhere(&self, inspection_id: Uuid, item_id: &str) -> Option<&Verification> {
        match self.pulled_of(inspection_id, item_id)? {
            Pulled::Verified(c) => c.verified.as_ref(),
            Pulled::Open(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::fireworks;
    use crate::model::followup::{Filter, Origin, Reinspect};
    use chrono::{TimeZone, Utc};
    use paicha_core::hazard_ledger::HazardLedgerRow;
    use paicha_core::reinspection::{ReviewDecision, ReviewOutcome};
    use paicha_core::wire::PulledAssignment;
    use paicha_core::{Checklist, CreditCode, Inspector};

    const SITE: &str = "91440300708461136T";

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    /// A major hazard found by 李四 on another device, due on the 10th.
    fn theirs(checklist: &Checklist, n: u128, to_me: bool) -> PulledHazard {
        PulledHazard {
            inspection_id: Uuid::from_u128(n).to_string(),
            item_id: "FW-01".into(),
            hazard: HazardLedgerRow {
                hazard_no: format!("YH-{n}"),
                org_name: "甲厂".into(),
                uscc: SITE.into(),
                level: "重大隐患".into(),
                description: "仓库超量存放".into(),
                deadline: "2026-12-10".into(),
                status_code: "open".into(),
                checklist: format!("{} {}", checklist.id, checklist.version),
                checklist_content_hash: checklist.content_hash().0,
                inspectors: "李四".into(),
                check_date: "2026-12-01".into(),
                ..HazardLedgerRow::default()
            },
            photos: vec![paicha_core::sha256_hex(b"photo")],
            assignment: Some(PulledAssignment {
                assigned_to: "乡镇 建北街道".into(),
                to_me,
                deadline: day(12),
                note: "请复查".into(),
                assigned_at: Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap(),
            }),
            conflict: false,
            reviewed_in: vec![],
        }
    }

    fn model() -> Model {
        let mut m = Model::default();
        m.set_profile(Inspector::new("王五", "B9").unwrap());
        m
    }

    #[test]
    fn pulled_hazards_join_the_list_and_are_reinspected_like_ones_own() {
        let checklist = fireworks();
        let mut m = model();
        m.apply_pull(PullResponse {
            hazards: vec![theirs(&checklist, 7, true), theirs(&checklist, 7, true)],
            closed: vec![],
            after: "cursor-1".into(),
            more: false,
        });
        // Twice in one answer (an overlap): one hazard, and the cursor is marked for writing.
        assert_eq!(m.pulled.len(), 1);
        assert_eq!(m.pull.after, "cursor-1");
        assert!(m.revisions().contains_key(&RecordKey::PullState));
        assert_eq!(m.todo_count(day(8)), 1);
        assert_eq!(
            m.overdue_count(day(11)),
            1,
            "pulled hazards count as overdue too"
        );

        let rows = m.follow_up_rows(day(8), |_| Some(&checklist));
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert!(matches!(&row.origin, Origin::Ledger { found_by, .. } if found_by == "李四"));
        assert!(row.is_todo());
        assert!(
            row.item_text
                .starts_with(&checklist.item("FW-01").unwrap().zh)
        );
        let todo = Filter {
            source: "todo".into(),
            ..Filter::default()
        };
        assert!(todo.keeps(row));
        let own = Filter {
            source: "own".into(),
            ..Filter::default()
        };
        assert!(!own.keeps(row));

        // 复查 of it, offline: the ledger's site and checklist, a review naming its hazard.
        let code = CreditCode::parse(SITE).unwrap();
        assert_eq!(m.reinspect_action(&code, day(8)), Some(Reinspect::Start(1)));
        let re = Uuid::from_u128(50);
        let now = Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap();
        let added = m
            .start_reinspection(re, &code, None, &|_| Some(&checklist), day(8), now)
            .unwrap();
        assert_eq!(added, 1);
        let inspection = &m.inspections[&re];
        assert_eq!(inspection.site.name, "甲厂");
        let review = &inspection.reviews[0];
        assert_eq!(review.hazard.inspection_id, Uuid::from_u128(7));
        assert_eq!(review.original_description, "仓库超量存放");
        assert_eq!(
            m.reinspect_action(&code, day(8)),
            Some(Reinspect::Continue(re))
        );
        let hazard = review.hazard.clone();
        m.review(
            re,
            &hazard,
            ReviewDecision {
                outcome: ReviewOutcome::Rectified,
                note: "已整改".into(),
                escalation: None,
                new_deadline: String::new(),
            },
            now,
        )
        .unwrap();
        // Decided here: awaiting the seal, no longer to do.
        let rows = m.follow_up_rows(day(8), |_| Some(&checklist));
        assert_eq!(
            rows[0].status,
            paicha_core::followup::HazardStatus::Rectified
        );
        assert_eq!(m.todo_count(day(8)), 0);
    }

    #[test]
    fn closed_hazards_leave_and_own_ones_say_who_verified_them_and_a_wipe_keeps_own_records() {
        let checklist = fireworks();
        let mut m = model();
        // One of this device's own inspections, with a hazard on FW-01.
        let site = paicha_core::Site::new("乙厂", CreditCode::parse(SITE).unwrap()).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let own = Uuid::from_u128(1);
        m.start_inspection(own, site, &checklist, at).unwrap();
        m.inspections.get_mut(&own).unwrap().sealed_at = Some(at);
        m.apply_pull(PullResponse {
            hazards: vec![theirs(&checklist, 7, false)],
            closed: vec![],
            after: "c1".into(),
            more: false,
        });
        let verified = |n: u128| ClosedHazard {
            inspection_id: Uuid::from_u128(n).to_string(),
            item_id: "FW-01".into(),
            verified: Some(Verification {
                by: "赵六".into(),
                cert_no: "C1".into(),
                on: day(9),
                conflict: false,
            }),
        };
        m.apply_pull(PullResponse {
            hazards: vec![],
            closed: vec![verified(7), verified(1)],
            after: "c2".into(),
            more: false,
        });
        // Someone else's verified hazard leaves; this device's own is kept as "verified by".
        assert!(m.pulled_others(day(9)).is_empty());
        assert_eq!(m.verified_elsewhere(own, "FW-01").unwrap().by, "赵六");
        assert_eq!(
            m.revisions()
                .keys()
                .filter(|k| matches!(k, RecordKey::Pulled(_)))
                .count(),
            2,
            "the removal is written (a delete) as well"
        );
        m.apply_pull(PullResponse {
            hazards: vec![theirs(&checklist, 8, true)],
            closed: vec![],
            after: "c3".into(),
            more: false,
        });
        m.wipe_pulled();
        assert!(m.pulled.is_empty() && m.pull == PullState::default());
        assert!(m.inspections.contains_key(&own), "own records stay");
        assert_eq!(m.todo_count(day(9)), 0);
    }

    #[test]
    fn a_full_pull_drops_what_the_ledger_no_longer_sends() {
        let checklist = fireworks();
        let mut m = model();
        m.apply_pull(PullResponse {
            hazards: vec![theirs(&checklist, 7, false), theirs(&checklist, 8, true)],
            closed: vec![],
            after: "c1".into(),
            more: false,
        });
        // The next day's full pull brings 8 only (7 moved to another county).
        let eight = theirs(&checklist, 8, true);
        let seen = std::collections::BTreeSet::from([eight.key()]);
        m.apply_pull(PullResponse {
            hazards: vec![eight],
            closed: vec![],
            after: "c2".into(),
            more: false,
        });
        m.finish_full_pull(&seen, "2026-12-09");
        assert_eq!(
            m.pulled.keys().cloned().collect::<Vec<_>>(),
            [seen.first().unwrap().clone()]
        );
        assert_eq!(m.pull.full_on, "2026-12-09");
        assert!(
            m.revisions()
                .contains_key(&RecordKey::Pulled(theirs(&checklist, 7, false).key())),
            "the removal is written"
        );
    }
}
