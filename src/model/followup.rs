//! The follow-up list (督查) as data: every hazard of every sealed inspection on this device
//! with where it stands on a given day, its filters, and starting or continuing a re-inspection
//! (复查) of a site's open hazards. The statuses are derived in `paicha_core::followup`, never
//! stored; "today" is the caller's (the device's local date, read whenever the list is drawn).

use super::pulled::Pulled;
use super::{Model, RecordKey};
use crate::platform::i18n::{sector_name, text_of};
use chrono::{DateTime, NaiveDate, Utc};
use paicha_core::checklist::ChecklistRef;
use paicha_core::followup::{FollowUp, HazardStatus, due_for_review, follow_up, sort_by_urgency};
use paicha_core::hazard_ledger::HazardLevel;
use paicha_core::hazard_ledger::china_day_start;
use paicha_core::pulled::{PulledStanding, pulled_due_for_review};
use paicha_core::reinspection::{Escalation, HazardRef, HazardReview, ReviewDecision};
use paicha_core::wire::{PulledAssignment, PulledHazard, Verification};
use paicha_core::{
    Checklist, CreditCode, Inspection, InspectionError, InspectionKind, Inspector, Site,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One hazard on the list, as shown (owned, so the view does not borrow the model).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub hazard: HazardRef,
    pub item_text: String,
    pub site_name: String,
    pub credit_code: String,
    /// The sector of the checklist the hazard was found with (`fireworks`…), empty if unknown.
    pub sector: String,
    /// Its name in the current language.
    pub sector_name: String,
    pub level: HazardLevel,
    pub status: HazardStatus,
    pub deadline: Option<NaiveDate>,
    pub description: String,
    pub location: String,
    pub inspected_at: DateTime<Utc>,
    /// How a sealed re-inspection escalated it, if it did.
    pub escalation: Option<Escalation>,
    /// Recorded on this device, or pulled from the ledger.
    pub origin: Origin,
    /// Its current 交办 (from the last pull).
    pub assignment: Option<PulledAssignment>,
    /// Two re-inspections decided it without seeing each other (复查冲突), per the ledger.
    pub conflict: bool,
    /// Verified on the ledger by a re-inspection made elsewhere: by whom and when.
    pub verified: Option<Verification>,
}

/// Where a hazard on the list comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Recorded on this device: its record opens here.
    Own,
    /// Recorded by someone else and pulled from the ledger.
    Ledger {
        /// 隐患编号
        hazard_no: String,
        /// The inspectors who found it, and the day.
        found_by: String,
        found_on: String,
        /// SHA-256 of its photos, fetched into the photo store when reviewed.
        photos: Vec<String>,
    },
}

impl Row {
    /// 待办: assigned to this device's person (or their township) and still to re-inspect.
    pub fn is_todo(&self) -> bool {
        self.status.needs_review() && self.assignment.as_ref().is_some_and(|a| a.to_me)
    }
}

impl Row {
    /// Days past the deadline (positive) or left (negative or zero).
    pub fn days_overdue(&self, today: NaiveDate) -> Option<i64> {
        self.deadline.map(|d| (today - d).num_days())
    }
}

/// The rows of `list` (kept in its order: most urgent first).
pub fn rows<'c>(
    list: &[FollowUp<'_>],
    checklist_of: &impl Fn(&ChecklistRef) -> Option<&'c Checklist>,
) -> Vec<Row> {
    list.iter()
        .map(|f| {
            let checklist = checklist_of(&f.inspection.checklist);
            Row {
                hazard: f.hazard(),
                item_text: checklist
                    .and_then(|c| c.item(f.item_id))
                    .map(|i| text_of(&i.zh, &i.en).to_string())
                    .unwrap_or_default(),
                site_name: f.inspection.site.name.clone(),
                credit_code: f.inspection.site.credit_code.to_string(),
                sector: checklist.map(|c| c.sector.clone()).unwrap_or_default(),
                sector_name: checklist
                    .map(|c| sector_name(&c.sector).to_string())
                    .unwrap_or_default(),
                // Follow-up lists hazards only.
                level: HazardLevel::of(f.answer.verdict).unwrap_or(HazardLevel::General),
                status: f.status,
                deadline: f.deadline,
                description: f.answer.description.clone(),
                location: f.answer.location.clone(),
                inspected_at: f.inspection.started_at,
                escalation: f
                    .review
                    .filter(|(re, _)| re.is_sealed())
                    .and_then(|(_, r)| r.escalation),
                origin: Origin::Own,
                assignment: None,
                conflict: false,
                verified: None,
            }
        })
        .collect()
}

/// The row of a hazard pulled from the ledger, standing as `standing` says.
fn pulled_row<'c>(
    h: &PulledHazard,
    standing: &PulledStanding<'_>,
    checklist_of: &impl Fn(&ChecklistRef) -> Option<&'c Checklist>,
) -> Option<Row> {
    let checklist = checklist_of(&h.checklist_ref());
    let row = &h.hazard;
    Some(Row {
        hazard: h.hazard_ref()?,
        item_text: checklist
            .and_then(|c| c.item(&h.item_id))
            .map_or_else(|| row.item.clone(), |i| text_of(&i.zh, &i.en).to_string()),
        site_name: row.org_name.clone(),
        credit_code: row.uscc.clone(),
        sector: checklist.map(|c| c.sector.clone()).unwrap_or_default(),
        sector_name: checklist
            .map(|c| sector_name(&c.sector).to_string())
            .unwrap_or_else(|| row.industry.clone()),
        level: h.level(),
        status: standing.status,
        deadline: standing.deadline,
        description: row.description.clone(),
        location: row.location.clone(),
        inspected_at: NaiveDate::parse_from_str(&row.check_date, "%Y-%m-%d")
            .map(china_day_start)
            .unwrap_or_default(),
        escalation: standing
            .review
            .filter(|(re, _)| re.is_sealed())
            .and_then(|(_, r)| r.escalation)
            .or_else(|| {
                Escalation::ALL
                    .into_iter()
                    .find(|e| e.label_zh() == row.escalation)
            }),
        origin: Origin::Ledger {
            hazard_no: row.hazard_no.clone(),
            found_by: row.inspectors.clone(),
            found_on: row.check_date.clone(),
            photos: h.photos.clone(),
        },
        assignment: h.assignment.clone(),
        conflict: h.conflict,
        verified: None,
    })
}

/// Most urgent first, as the device's own list is ordered.
fn sort_rows(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        (a.status, a.deadline.unwrap_or(NaiveDate::MAX))
            .cmp(&(b.status, b.deadline.unwrap_or(NaiveDate::MAX)))
            .then(b.inspected_at.cmp(&a.inspected_at))
            .then(a.hazard.item_id.cmp(&b.hazard.item_id))
    });
}

/// The list's filters; an empty string or `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Credit code.
    pub site: String,
    pub sector: String,
    pub level: Option<HazardLevel>,
    pub status: Option<HazardStatus>,
    /// `todo` (待办: assigned to me), `own` (recorded here), `ledger` (pulled).
    pub source: String,
}

impl Filter {
    pub fn keeps(&self, row: &Row) -> bool {
        let source = match self.source.as_str() {
            "todo" => row.is_todo(),
            "own" => row.origin == Origin::Own,
            "ledger" => row.origin != Origin::Own,
            _ => true,
        };
        source
            && (self.site.is_empty() || row.credit_code == self.site)
            && (self.sector.is_empty() || row.sector == self.sector)
            && self.level.is_none_or(|l| row.level == l)
            && self.status.is_none_or(|s| row.status == s)
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

/// Distinct (value, text) pairs of `rows`, in order of first appearance.
fn distinct(rows: &[Row], pick: impl Fn(&Row) -> (String, String)) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for row in rows {
        let (value, text) = pick(row);
        if !value.is_empty() && !out.iter().any(|(v, _)| *v == value) {
            out.push((value, text));
        }
    }
    out
}

/// The sites on the list: (credit code, name).
pub fn sites(rows: &[Row]) -> Vec<(String, String)> {
    distinct(rows, |r| (r.credit_code.clone(), r.site_name.clone()))
}

/// The sectors on the list: (sector id, name).
pub fn sectors(rows: &[Row]) -> Vec<(String, String)> {
    distinct(rows, |r| (r.sector.clone(), r.sector_name.clone()))
}

/// The rows `filter` keeps, grouped by site (credit code, name, rows); the site with the most
/// urgent hazard first, rows within a site in list order.
pub fn by_site<'r>(rows: &'r [Row], filter: &Filter) -> Vec<(String, String, Vec<&'r Row>)> {
    let mut groups: Vec<(String, String, Vec<&Row>)> = Vec::new();
    for row in rows.iter().filter(|r| filter.keeps(r)) {
        match groups.iter_mut().find(|g| g.0 == row.credit_code) {
            Some(group) => group.2.push(row),
            None => groups.push((row.credit_code.clone(), row.site_name.clone(), vec![row])),
        }
    }
    groups
}

/// What the site's re-inspect button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reinspect {
    /// Start a re-inspection of this many hazards.
    Start(usize),
    /// A re-inspection of the site is being written: continue it.
    Continue(Uuid),
}

impl Model {
    /// Every hazard of every sealed inspection with its status on `today` (local date). Where
    /// this device has not decided a hazard itself, the ledger's word from the last pull is
    /// newer: verified by someone else, or escalated or extended by another re-inspection.
    pub fn follow_up(&self, today: chrono::NaiveDate) -> Vec<FollowUp<'_>> {
        let mut list = follow_up(self.inspections.values(), today);
        if self.pulled.is_empty() {
            return list;
        }
        for f in &mut list {
            match self.pulled_of(f.inspection.id, f.item_id) {
                Some(Pulled::Verified(_)) => f.status = HazardStatus::Verified,
                Some(Pulled::Open(p)) if f.review.is_none() => {
                    f.status = p.ledger_status(today);
                    f.deadline = p.deadline();
                }
                _ => {}
            }
        }
        sort_by_urgency(&mut list);
        list
    }

    /// Loads into re-inspection `id` every hazard of its site that still needs review: the
    /// device's own and those pulled from the ledger. Returns how many were added.
    pub fn add_due_reviews(
        &mut self,
        id: Uuid,
        today: chrono::NaiveDate,
    ) -> Result<usize, InspectionError> {
        let code = self.inspection_mut(id)?.site.credit_code.clone();
        let reviews = self.due_reviews(&code, Some(id), today);
        let inspection = self.inspection_mut(id)?;
        let before = inspection.reviews.len();
        inspection.add_reviews(reviews)?;
        let added = inspection.reviews.len() - before;
        self.touch(RecordKey::Inspection(id));
        Ok(added)
    }

    /// New reviews of every hazard of the site that a re-inspection (`except`, the one asking)
    /// should review: the device's own first, then the pulled ones.
    fn due_reviews(
        &self,
        site: &CreditCode,
        except: Option<Uuid>,
        today: NaiveDate,
    ) -> Vec<HazardReview> {
        let list = self.follow_up(today);
        let own = due_for_review(&list, self.inspections.values(), site, except)
            .into_iter()
            .filter_map(|f| f.new_review());
        let pulled = self
            .pulled_due(site, except, today)
            .into_iter()
            .filter_map(|h| h.new_review());
        own.chain(pulled).collect()
    }

    /// The hazards pulled from the ledger (others') of the site that a re-inspection
    /// (`except`, the one asking) should review.
    fn pulled_due(
        &self,
        site: &CreditCode,
        except: Option<Uuid>,
        today: NaiveDate,
    ) -> Vec<&PulledHazard> {
        let inspections: Vec<&Inspection> = self.inspections.values().collect();
        let others: Vec<_> = self
            .pulled_others(today)
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        pulled_due_for_review(others, &inspections, site.as_str(), except, today)
    }

    pub fn review(
        &mut self,
        id: Uuid,
        hazard: &HazardRef,
        decision: ReviewDecision,
        now: DateTime<Utc>,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| {
            i.review(hazard, decision, now)
        })
    }

    pub fn attach_review_photo(
        &mut self,
        id: Uuid,
        hazard: &HazardRef,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| {
            i.attach_review_photo(hazard, sha256)
        })
    }

    pub fn detach_review_photo(
        &mut self,
        id: Uuid,
        hazard: &HazardRef,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| {
            i.detach_review_photo(hazard, sha256)
        })
    }

    /// The follow-up list as shown: the device's own hazards (with what the last pull said
    /// of them: 交办, conflict, verified elsewhere) and the hazards pulled from the ledger,
    /// most urgent first.
    pub fn follow_up_rows<'c>(
        &self,
        today: NaiveDate,
        checklist_of: impl Fn(&ChecklistRef) -> Option<&'c Checklist>,
    ) -> Vec<Row> {
        let mut out = rows(&self.follow_up(today), &checklist_of);
        for row in &mut out {
            match self.pulled_of(row.hazard.inspection_id, &row.hazard.item_id) {
                Some(Pulled::Open(p)) => {
                    row.assignment = p.assignment.clone();
                    row.conflict = p.conflict;
                }
                Some(Pulled::Verified(c)) => {
                    row.verified = c.verified.clone();
                    row.conflict = c.verified.as_ref().is_some_and(|v| v.conflict);
                }
                None => {}
            }
        }
        out.extend(
            self.pulled_others(today)
                .iter()
                .filter_map(|(h, standing)| pulled_row(h, standing, &checklist_of)),
        );
        sort_rows(&mut out);
        out
    }

    /// Hazards past their deadline and not closed, on `today`: the device's own and the
    /// pulled ones.
    pub fn overdue_count(&self, today: NaiveDate) -> usize {
        let own = self
            .follow_up(today)
            .iter()
            .filter(|f| f.status == HazardStatus::Overdue)
            .count();
        let pulled = self
            .pulled_others(today)
            .iter()
            .filter(|(_, s)| s.status == HazardStatus::Overdue)
            .count();
        own + pulled
    }

    /// The re-inspection of the site with credit code `site` that is being written, if any.
    pub fn open_reinspection(&self, site: &CreditCode) -> Option<Uuid> {
        self.inspections_newest_first()
            .into_iter()
            .find(|i| {
                i.kind == InspectionKind::Reinspection
                    && !i.is_sealed()
                    && &i.site.credit_code == site
            })
            .map(|i| i.id)
    }

    /// Whether the site's hazards can be re-inspected now, and how.
    pub fn reinspect_action(&self, site: &CreditCode, today: NaiveDate) -> Option<Reinspect> {
        if let Some(draft) = self.open_reinspection(site) {
            return Some(Reinspect::Continue(draft));
        }
        let due = self.due_reviews(site, None, today).len();
        (due > 0).then_some(Reinspect::Start(due))
    }

    /// Starts re-inspection `id` of the site with credit code `site`: the checklist (`checklist_of`
    /// finds it) and applicability answers of the most recent inspection with a hazard due for
    /// review (for a hazard pulled from the ledger: its checklist, no answers), and a review of
    /// every hazard of the site due for review. `form` holds the site and co-inspectors entered
    /// in the new-inspection form; without it, the saved site as it is now (else as that
    /// inspection, or the ledger, recorded it) and the last team. Returns how many hazards it
    /// reviews. Nothing changes on an error.
    pub fn start_reinspection<'c>(
        &mut self,
        id: Uuid,
        site: &CreditCode,
        form: Option<(Site, Vec<Inspector>)>,
        checklist_of: &dyn Fn(&ChecklistRef) -> Option<&'c Checklist>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<usize, InspectionError> {
        let profile = self
            .profile
            .clone()
            .ok_or(InspectionError::Required("检查人员 inspector"))?;
        let (snapshot, checklist_ref, applicability) = {
            let list = self.follow_up(today);
            let due = due_for_review(&list, self.inspections.values(), site, None);
            let latest = due
                .iter()
                .map(|f| f.inspection)
                .max_by_key(|i| i.started_at);
            let saved = self.site_by_code(site).map(|e| &e.site);
            match latest {
                // The saved site's current details (edited since, perhaps) over the old snapshot.
                Some(latest) => (
                    saved.unwrap_or(&latest.site).clone(),
                    latest.checklist.clone(),
                    latest.applicability.clone(),
                ),
                None => {
                    let newest = self
                        .pulled_due(site, None, today)
                        .into_iter()
                        .max_by(|a, b| a.hazard.check_date.cmp(&b.hazard.check_date))
                        .ok_or(InspectionError::NothingToReview)?;
                    let snapshot = match saved {
                        Some(site) => site.clone(),
                        None => newest.site().ok_or(InspectionError::NothingToReview)?,
                    };
                    (snapshot, newest.checklist_ref(), BTreeMap::new())
                }
            }
        };
        let checklist = checklist_of(&checklist_ref).ok_or(InspectionError::ChecklistMismatch)?;
        // Only questions this checklist asks (it may be another version of the original's).
        let applicability: BTreeMap<String, bool> = applicability
            .into_iter()
            .filter(|(k, _)| checklist.questions.iter().any(|q| &q.key == k))
            .collect();
        let (snapshot, team) = form.unwrap_or_else(|| (snapshot, self.last_team()));
        // Without the inspector signing on this device.
        let team = team
            .into_iter()
            .filter(|co| co.cert_no != profile.cert_no)
            .collect();
        self.start_inspection(id, snapshot, checklist, now)?;
        self.set_applicability(id, checklist, applicability)?;
        self.set_team(id, InspectionKind::Reinspection, team)?;
        self.add_due_reviews(id, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::fireworks;
    use chrono::TimeZone;
    use paicha_core::Verdict;
    use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
    use paicha_core::reinspection::{ReviewDecision, ReviewOutcome};
    use paicha_core::{Inspector, Site};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn code(text: &str) -> CreditCode {
        CreditCode::parse(text).unwrap()
    }

    const A: &str = "91440300708461136T";
    const B: &str = "911100001000044477";

    /// A sealed inspection of site `code` with hazards (item, major, deadline).
    fn sealed(
        model: &mut Model,
        checklist: &Checklist,
        id: u128,
        name: &str,
        site_code: &str,
        started: DateTime<Utc>,
        hazards: &[(&str, bool, &str)],
    ) -> Uuid {
        let site = Site::new(name, code(site_code)).unwrap();
        let id = model
            .start_inspection(Uuid::from_u128(id), site, checklist, started)
            .unwrap();
        model
            .set_team(
                id,
                InspectionKind::Routine,
                vec![Inspector::new("李四", "A2").unwrap()],
            )
            .unwrap();
        for (item, major, deadline) in hazards {
            let verdict = if *major {
                Verdict::MajorHazard
            } else {
                Verdict::GeneralHazard
            };
            model
                .answer(id, checklist, item, verdict, "问题", started)
                .unwrap();
            let order = RectificationOrder {
                measures: "整改".into(),
                responsible: "厂长".into(),
                deadline: deadline.to_string(),
                funds_yuan: String::new(),
            };
            let plan = major.then(|| MajorHazardPlan {
                target: "t".into(),
                organisation: "o".into(),
                safety_measures: "s".into(),
                funds_materials: "f".into(),
                time_limit: deadline.to_string(),
                suspension: Suspension::Partial,
            });
            model.set_order(id, item, "仓库", order, plan).unwrap();
            model
                .attach_photo(id, item, &paicha_core::sha256_hex(item.as_bytes()))
                .unwrap();
        }
        model.seal(id, checklist, started).unwrap();
        id
    }

    fn model() -> Model {
        let mut m = Model::default();
        m.set_profile(Inspector::new("张三", "A1").unwrap());
        m
    }

    /// 甲厂 (A), inspected on 1 December: a major hazard due on the 10th and a general one due
    /// on the 4th; 乙厂 (B), on the 2nd: a general hazard due on the 20th. Both sealed.
    fn two_sites(checklist: &Checklist) -> Model {
        let mut m = model();
        sealed(
            &mut m,
            checklist,
            1,
            "甲厂",
            A,
            at(1, 8),
            &[
                ("FW-01", true, "2026-12-10"),
                ("FW-02", false, "2026-12-04"),
            ],
        );
        sealed(
            &mut m,
            checklist,
            2,
            "乙厂",
            B,
            at(2, 8),
            &[("FW-03", false, "2026-12-20")],
        );
        m
    }

    #[test]
    fn rows_carry_item_text_sector_and_status_and_filters_combine() {
        let checklist = fireworks();
        let m = two_sites(&checklist);
        let list = m.follow_up(day(8));
        let rows = rows(&list, &|_| Some(&checklist));
        assert_eq!(rows.len(), 3);
        // Most urgent first: the overdue one.
        assert_eq!(rows[0].hazard.item_id, "FW-02");
        assert_eq!(rows[0].status, HazardStatus::Overdue);
        assert_eq!(rows[0].days_overdue(day(8)), Some(4));
        assert_eq!(rows[0].sector, "fireworks");
        assert!(
            rows[0]
                .item_text
                .starts_with(&checklist.item("FW-02").unwrap().zh)
        );
        assert_eq!(m.overdue_count(day(8)), 1);
        assert_eq!(m.overdue_count(day(2)), 0);

        assert_eq!(
            sites(&rows),
            [
                (A.to_string(), "甲厂".to_string()),
                (B.to_string(), "乙厂".to_string())
            ]
        );
        assert_eq!(sectors(&rows).len(), 1);
        let mut f = Filter::default();
        assert!(f.is_empty());
        assert_eq!(rows.iter().filter(|r| f.keeps(r)).count(), 3);
        f.site = B.into();
        assert_eq!(by_site(&rows, &f).len(), 1);
        assert_eq!(by_site(&rows, &f)[0].2[0].hazard.item_id, "FW-03");
        f = Filter {
            level: Some(HazardLevel::Major),
            ..Filter::default()
        };
        let kept: Vec<_> = rows
            .iter()
            .filter(|r| f.keeps(r))
            .map(|r| r.hazard.item_id.as_str())
            .collect();
        assert_eq!(kept, ["FW-01"]);
        f.status = Some(HazardStatus::Overdue);
        assert!(by_site(&rows, &f).is_empty(), "filters combine");
        f = Filter {
            sector: "mining".into(),
            ..Filter::default()
        };
        assert!(by_site(&rows, &f).is_empty());
        // Grouped by site, the site with the most urgent hazard first.
        let groups = by_site(&rows, &Filter::default());
        assert_eq!(groups[0].1, "甲厂");
        assert_eq!(groups[0].2.len(), 2);
    }

    #[test]
    fn homes_stored_summary_counts_the_overdue_hazards_the_list_does_on_every_day() {
        let checklist = fireworks();
        let mut m = two_sites(&checklist);
        // One hazard marked rectified in a re-inspection still being written: off the
        // calendar, so never overdue.
        let re = Uuid::from_u128(10);
        m.start_reinspection(re, &code(B), None, &|_| Some(&checklist), day(8), at(8, 9))
            .unwrap();
        let hazard = m.inspections[&re].reviews[0].hazard.clone();
        let decision = ReviewDecision {
            outcome: ReviewOutcome::Rectified,
            note: "已整改".into(),
            escalation: None,
            new_deadline: String::new(),
        };
        m.review(re, &hazard, decision, at(8, 10)).unwrap();

        let summary = crate::model::summary::Summary::of(&m, None);
        let mut deadlines = summary.deadlines.clone();
        deadlines.sort();
        assert_eq!(deadlines, ["2026-12-04", "2026-12-10"]);
        for d in 1..=31 {
            let today = format!("2026-12-{d:02}");
            assert_eq!(summary.overdue(&today), m.overdue_count(day(d)), "{today}");
        }
        assert_eq!(summary.overdue("2026-12-21"), 2);
        // Newest first, with where each opens.
        let sites: Vec<_> = summary
            .inspections
            .iter()
            .map(|r| (r.site.as_str(), r.sealed))
            .collect();
        assert_eq!(sites, [("乙厂", false), ("乙厂", true), ("甲厂", true)]);
        assert_eq!(
            summary.inspections[2].href(),
            format!("#/export/{}", Uuid::from_u128(1))
        );
        assert_eq!(summary.inspections[0].href(), format!("#/inspection/{re}"));
        assert_eq!(summary.profile.as_ref().unwrap().name, "张三");
        assert!(!summary.registered(), "no device key yet");
    }

    #[test]
    fn a_reinspection_starts_with_the_sites_due_hazards_and_the_last_team() {
        let checklist = fireworks();
        let mut m = two_sites(&checklist);
        let first = Uuid::from_u128(1);
        assert_eq!(
            m.reinspect_action(&code(A), day(8)),
            Some(Reinspect::Start(2))
        );
        let before = m.revisions().clone();
        let id = Uuid::from_u128(10);
        let added = m
            .start_reinspection(id, &code(A), None, &|_| Some(&checklist), day(8), at(8, 9))
            .unwrap();
        assert_eq!(added, 2);
        let re = &m.inspections[&id];
        assert_eq!(re.kind, InspectionKind::Reinspection);
        assert_eq!(re.site.name, "甲厂");
        assert_eq!(re.co_inspectors, [Inspector::new("李四", "A2").unwrap()]);
        assert!(re.reviews.iter().all(|r| r.hazard.inspection_id == first));
        assert!(
            m.revisions()[&crate::model::RecordKey::Inspection(id)]
                > before.values().copied().max().unwrap()
        );
        // The site now has a re-inspection in progress: the button continues it.
        assert_eq!(
            m.reinspect_action(&code(A), day(8)),
            Some(Reinspect::Continue(id))
        );
        // The other site is untouched; a site with nothing due cannot be re-inspected.
        assert_eq!(
            m.reinspect_action(&code(B), day(8)),
            Some(Reinspect::Start(1))
        );
        let none = code("91340100MA2XXXXX0C");
        assert_eq!(m.reinspect_action(&none, day(8)), None);
        let revisions = m.revisions().clone();
        assert_eq!(
            m.start_reinspection(
                Uuid::from_u128(11),
                &none,
                None,
                &|_| Some(&checklist),
                day(8),
                at(8, 9)
            ),
            Err(InspectionError::NothingToReview)
        );
        assert_eq!(
            m.start_reinspection(
                Uuid::from_u128(12),
                &code(B),
                None,
                &|_| None,
                day(8),
                at(8, 9)
            ),
            Err(InspectionError::ChecklistMismatch)
        );
        assert_eq!(m.revisions(), &revisions, "a refused start changes nothing");
        assert_eq!(m.inspections.len(), 3);

        // Closing one and escalating the other, then sealing: verified and escalated.
        let photo = paicha_core::sha256_hex(b"result");
        let hazards: Vec<HazardRef> = m.inspections[&id]
            .reviews
            .iter()
            .map(|r| r.hazard.clone())
            .collect();
        for (n, hazard) in hazards.iter().enumerate() {
            let rectified = n == 0;
            m.review(
                id,
                hazard,
                ReviewDecision {
                    outcome: if rectified {
                        ReviewOutcome::Rectified
                    } else {
                        ReviewOutcome::NotRectified
                    },
                    note: "复查".into(),
                    escalation: (!rectified).then_some(Escalation::PenaltyCase),
                    new_deadline: String::new(),
                },
                at(8, 10),
            )
            .unwrap();
            if rectified {
                m.attach_review_photo(id, hazard, &photo).unwrap();
            }
        }
        m.seal(id, &checklist, at(8, 11)).unwrap();
        let list = m.follow_up(day(8));
        let rows = rows(&list, &|_| Some(&checklist));
        let status = |item: &str| {
            rows.iter()
                .find(|r| r.hazard.item_id == item)
                .unwrap()
                .status
        };
        assert_eq!(status(&hazards[0].item_id), HazardStatus::Verified);
        assert_eq!(status(&hazards[1].item_id), HazardStatus::Escalated);
        let escalated = rows
            .iter()
            .find(|r| r.status == HazardStatus::Escalated)
            .unwrap();
        assert_eq!(escalated.escalation, Some(Escalation::PenaltyCase));
        // The escalated hazard is due for the next re-inspection.
        assert_eq!(
            m.reinspect_action(&code(A), day(8)),
            Some(Reinspect::Start(1))
        );
    }

    #[test]
    fn without_a_form_the_saved_site_as_edited_since_is_used() {
        let checklist = fireworks();
        let mut m = model();
        sealed(
            &mut m,
            &checklist,
            1,
            "甲厂",
            A,
            at(1, 8),
            &[("FW-02", false, "2026-12-04")],
        );
        // The saved site was renamed and given an address after that inspection.
        let mut edited = m.inspections[&Uuid::from_u128(1)].site.clone();
        edited.name = "甲厂（新址）".into();
        edited.address = "新地址 1 号".into();
        m.save_site(Uuid::from_u128(100), edited.clone(), at(2, 8))
            .unwrap();
        let id = Uuid::from_u128(5);
        m.start_reinspection(id, &code(A), None, &|_| Some(&checklist), day(8), at(8, 9))
            .unwrap();
        assert_eq!(m.inspections[&id].site, edited);
        // The original record keeps what it recorded.
        assert_eq!(m.inspections[&Uuid::from_u128(1)].site.name, "甲厂");
    }

    #[test]
    fn a_co_inspector_who_is_the_inspector_here_is_left_out_of_the_team() {
        let checklist = fireworks();
        let mut m = model();
        sealed(
            &mut m,
            &checklist,
            1,
            "甲厂",
            A,
            at(1, 8),
            &[("FW-02", false, "2026-12-04")],
        );
        // The last inspection was made with 张三 as co-inspector (e.g. on another device).
        m.inspections
            .get_mut(&Uuid::from_u128(1))
            .unwrap()
            .co_inspectors = vec![
            Inspector::new("张三", "A1").unwrap(),
            Inspector::new("王五", "A3").unwrap(),
        ];
        let id = Uuid::from_u128(5);
        m.start_reinspection(id, &code(A), None, &|_| Some(&checklist), day(8), at(8, 9))
            .unwrap();
        assert_eq!(
            m.inspections[&id].co_inspectors,
            [Inspector::new("王五", "A3").unwrap()]
        );
    }
}
