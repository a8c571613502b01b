//! Starting an inspection from what the new-inspection form gathered: in one model update, the
//! inspection with its applicability, type and team, a new site saved, and for a re-inspection
//! the hazards it reviews. A refusal changes nothing.

use super::Model;
use super::sites::SiteConflict;
use chrono::{DateTime, NaiveDate, Utc};
use paicha_core::checklist::ChecklistRef;
use paicha_core::{Checklist, InspectionError, InspectionKind, Inspector, Site};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Everything the form gathered, validated.
pub struct Start<'a> {
    pub id: Uuid,
    pub site: Site,
    /// The site was typed in rather than picked: save it to the sites store under `site_id`.
    pub new_site: bool,
    pub site_id: Uuid,
    /// The chosen checklist (none for a re-inspection, which takes the original's).
    pub checklist: Option<&'a Checklist>,
    pub applicability: BTreeMap<String, bool>,
    pub kind: InspectionKind,
    pub co_inspectors: Vec<Inspector>,
    pub now: DateTime<Utc>,
    /// The local date, for what a re-inspection is due to review.
    pub today: NaiveDate,
}

/// Why an inspection was not started. Nothing in the model changed.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// A new site's credit code is already saved.
    Conflict(SiteConflict),
    /// A re-inspection, but no hazard of the site needs one.
    NothingDue,
    /// A re-inspection of the site is being written: continue that one.
    InProgress(Uuid),
    Domain(InspectionError),
}

/// Starts the inspection in one model update: the inspection with its applicability answers,
/// type and team, the new site saved, and for a re-inspection ([`Model::start_reinspection`],
/// `checklist_of` finding the original's checklist) the hazards it reviews.
pub fn start<'c>(
    model: &mut Model,
    s: Start<'_>,
    checklist_of: &dyn Fn(&ChecklistRef) -> Option<&'c Checklist>,
) -> Result<usize, Refusal> {
    let code = s.site.credit_code.clone();
    if let Some(other) = model.site_by_code(&code).filter(|_| s.new_site) {
        return Err(Refusal::Conflict(SiteConflict {
            existing: other.id,
            name: other.site.name.clone(),
        }));
    }
    let site = s.site.clone();
    let started = if s.kind == InspectionKind::Reinspection {
        if let Some(draft) = model.open_reinspection(&code) {
            return Err(Refusal::InProgress(draft));
        }
        let form = Some((s.site, s.co_inspectors));
        model
            .start_reinspection(s.id, &code, form, checklist_of, s.today, s.now)
            .map_err(|e| match e {
                InspectionError::NothingToReview => Refusal::NothingDue,
                e => Refusal::Domain(e),
            })?
    } else {
        let checklist = s
            .checklist
            .ok_or(Refusal::Domain(InspectionError::Required(
                "检查表 checklist",
            )))?;
        model
            .start_inspection(s.id, s.site, checklist, s.now)
            .and_then(|_| model.set_applicability(s.id, checklist, s.applicability))
            .and_then(|_| model.set_team(s.id, s.kind, s.co_inspectors))
            .map_err(Refusal::Domain)?;
        0
    };
    // Saved once the inspection started (its code was checked above), so a refusal saves nothing.
    if s.new_site {
        model
            .save_site(s.site_id, site, s.now)
            .map_err(Refusal::Conflict)?;
    }
    Ok(started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::fireworks;
    use paicha_core::CreditCode;
    use paicha_core::Verdict;

    fn at(hour: u32) -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 29, hour, 0, 0).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn site(name: &str) -> Site {
        Site::new(name, CreditCode::parse("91440300708461136T").unwrap()).unwrap()
    }

    fn request<'a>(
        id: u128,
        site: Site,
        new_site: bool,
        kind: InspectionKind,
        checklist: &'a Checklist,
    ) -> Start<'a> {
        Start {
            id: Uuid::from_u128(id),
            site,
            new_site,
            site_id: Uuid::from_u128(1000 + id),
            checklist: Some(checklist),
            applicability: BTreeMap::new(),
            kind,
            co_inspectors: vec![Inspector::new("李四", "GD-0002").unwrap()],
            now: at(8 + id as u32),
            today: today(),
        }
    }

    #[test]
    fn a_new_site_is_saved_and_the_team_stored_in_the_same_update() {
        let checklist = fireworks();
        let mut model = Model::default();
        model.set_profile(Inspector::new("张三", "GD-0001").unwrap());
        let started = start(
            &mut model,
            request(1, site("甲厂"), true, InspectionKind::Special, &checklist),
            &|_| Some(&checklist),
        );
        assert_eq!(started, Ok(0));
        let inspection = &model.inspections[&Uuid::from_u128(1)];
        assert_eq!(inspection.kind, InspectionKind::Special);
        assert_eq!(inspection.co_inspectors[0].name, "李四");
        assert_eq!(model.sites[&Uuid::from_u128(1001)].site.name, "甲厂");
        assert_eq!(model.last_team(), inspection.co_inspectors);

        // The same code typed again as a new site: refused, nothing changes.
        let before = model.revisions().clone();
        let refused = start(
            &mut model,
            request(2, site("乙厂"), true, InspectionKind::Routine, &checklist),
            &|_| Some(&checklist),
        );
        assert_eq!(
            refused,
            Err(Refusal::Conflict(SiteConflict {
                existing: Uuid::from_u128(1001),
                name: "甲厂".into()
            }))
        );
        assert_eq!(model.revisions(), &before);
        // Picked as the saved site, it starts.
        let picked = model.sites[&Uuid::from_u128(1001)].site.clone();
        assert!(
            start(
                &mut model,
                request(2, picked, false, InspectionKind::Routine, &checklist),
                &|_| Some(&checklist)
            )
            .is_ok()
        );
        assert_eq!(model.sites.len(), 1);
    }

    #[test]
    fn a_reinspection_takes_the_original_checklist_and_the_forms_site_and_team() {
        let checklist = fireworks();
        let mut model = Model::default();
        model.set_profile(Inspector::new("张三", "GD-0001").unwrap());
        let mut reinspect = request(
            1,
            site("甲厂"),
            true,
            InspectionKind::Reinspection,
            &checklist,
        );
        reinspect.checklist = None;
        assert_eq!(
            start(&mut model, reinspect, &|_| Some(&checklist)),
            Err(Refusal::NothingDue)
        );
        assert!(model.inspections.is_empty() && model.sites.is_empty());
        // 日常 and 专项 still need a checklist.
        let mut routine = request(1, site("甲厂"), true, InspectionKind::Routine, &checklist);
        routine.checklist = None;
        assert!(matches!(
            start(&mut model, routine, &|_| Some(&checklist)),
            Err(Refusal::Domain(InspectionError::Required(_)))
        ));
        assert!(model.inspections.is_empty() && model.sites.is_empty());

        // A sealed inspection (retail point: yes) with a hazard, made with 李四.
        let mut first = request(2, site("甲厂"), true, InspectionKind::Routine, &checklist);
        first.applicability.insert("retail_point".into(), true);
        start(&mut model, first, &|_| Some(&checklist)).unwrap();
        let original = model.inspections.get_mut(&Uuid::from_u128(2)).unwrap();
        original
            .answer(&checklist, "FW-02", Verdict::GeneralHazard, "问题", at(11))
            .unwrap();
        original.seal(&checklist, at(12)).unwrap();

        // From the form: the saved site as edited since, with 王五, no checklist chosen.
        let mut saved = model.sites.values().next().unwrap().site.clone();
        saved.address = "新地址 1 号".into();
        let mut reinspect = request(5, saved, false, InspectionKind::Reinspection, &checklist);
        reinspect.checklist = None;
        reinspect.co_inspectors = vec![Inspector::new("王五", "GD-0003").unwrap()];
        assert_eq!(start(&mut model, reinspect, &|_| Some(&checklist)), Ok(1));
        let re = &model.inspections[&Uuid::from_u128(5)];
        assert_eq!(re.kind, InspectionKind::Reinspection);
        assert_eq!(re.reviews.len(), 1);
        assert_eq!(
            re.checklist,
            model.inspections[&Uuid::from_u128(2)].checklist
        );
        assert_eq!(re.applicability.get("retail_point"), Some(&true));
        assert_eq!(re.site.address, "新地址 1 号");
        assert_eq!(
            re.co_inspectors,
            [Inspector::new("王五", "GD-0003").unwrap()]
        );

        // A second one is refused: the one in progress is offered instead.
        let before = model.revisions().clone();
        let saved = model.sites.values().next().unwrap().site.clone();
        let again = request(6, saved, false, InspectionKind::Reinspection, &checklist);
        assert_eq!(
            start(&mut model, again, &|_| Some(&checklist)),
            Err(Refusal::InProgress(Uuid::from_u128(5)))
        );
        assert_eq!(model.revisions(), &before);
    }
}
