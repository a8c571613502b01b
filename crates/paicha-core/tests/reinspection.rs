//! Re-inspection (复查) and the follow-up list (督查): reviews close or escalate earlier
//! hazards, statuses follow the clock, and reviews travel in signed bundles.

mod support;

use support::vectors as gen_vectors;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use gen_vectors::{PHOTO_PNG, key};
use paicha_core::bundle::{ChainState, sign_with};
use paicha_core::completion::Completion;
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::followup::{HazardStatus, due_for_review, follow_up};
use paicha_core::reinspection::{Escalation, HazardReview, ReviewDecision, ReviewOutcome};
use paicha_core::verify::{EmbeddedKey, verify_bundle_full};
use paicha_core::*;
use uuid::Uuid;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn at(d: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, hour, 0, 0).unwrap()
}

fn site() -> Site {
    Site::new("某烟花厂", CreditCode::parse("91440300708461136T").unwrap()).unwrap()
}

fn order(deadline: &str) -> RectificationOrder {
    RectificationOrder {
        measures: "整改".into(),
        responsible: "厂长".into(),
        deadline: deadline.into(),
        funds_yuan: String::new(),
    }
}

fn team() -> Vec<Inspector> {
    vec![Inspector::new("李四", "2").unwrap()]
}

/// An inspection on 1 December with three hazards: A-01 (major, deadline 10 Dec), A-02
/// (general, deadline 4 Dec) and A-03 (general, deadline 20 Dec).
fn original(checklist: &Checklist) -> Inspection {
    let mut i = Inspection::start(
        Uuid::from_u128(1),
        site(),
        checklist,
        Inspector::new("张三", "1").unwrap(),
        at(1, 8),
    );
    i.set_team(InspectionKind::Routine, team()).unwrap();
    for (item, verdict, deadline) in [
        ("A-01", Verdict::MajorHazard, "2026-12-10"),
        ("A-02", Verdict::GeneralHazard, "2026-12-04"),
        ("A-03", Verdict::GeneralHazard, "2026-12-20"),
    ] {
        i.answer(checklist, item, verdict, "隐患", at(1, 9))
            .unwrap();
        let plan = (verdict == Verdict::MajorHazard).then(|| MajorHazardPlan {
            target: "t".into(),
            organisation: "o".into(),
            safety_measures: "s".into(),
            funds_materials: "f".into(),
            time_limit: "2026-12-10".into(),
            suspension: Suspension::Partial,
        });
        i.set_order(item, "仓库", order(deadline), plan).unwrap();
    }
    i.seal(checklist, at(1, 10)).unwrap();
    i
}

fn reinspection(checklist: &Checklist, id: u128, started: DateTime<Utc>) -> Inspection {
    let mut re = Inspection::start(
        Uuid::from_u128(id),
        site(),
        checklist,
        Inspector::new("张三", "1").unwrap(),
        started,
    );
    re.set_team(InspectionKind::Reinspection, team()).unwrap();
    re
}

fn decide(outcome: ReviewOutcome, escalation: Option<Escalation>) -> ReviewDecision {
    ReviewDecision {
        outcome,
        note: "复查意见".into(),
        escalation,
        new_deadline: String::new(),
    }
}

fn statuses(list: &[followup::FollowUp]) -> Vec<(String, HazardStatus)> {
    let mut out: Vec<_> = list
        .iter()
        .map(|f| (f.item_id.to_string(), f.status))
        .collect();
    out.sort();
    out
}

fn checklist() -> Checklist {
    Checklist::from_toml("three.toml", THREE).unwrap()
}

const THREE: &str = r#"
id = "three"
sector = "fireworks"
version = "1"
effective = "2026-01-01"
title = { zh = "三项", en = "Three" }

[[sources]]
key = "law"
title = "测试依据"
status = "unverified"

[[sections]]
id = "s"
title = { zh = "一", en = "One" }

[[sections.items]]
id = "A-01"
zh = "一"
en = "One"
basis = { source = "law", clause = "1" }
major = true
verification = "verbatim"

[[sections.items]]
id = "A-02"
zh = "二"
en = "Two"
basis = { source = "law", clause = "2" }
major = false
verification = "verbatim"

[[sections.items]]
id = "A-03"
zh = "三"
en = "Three"
basis = { source = "law", clause = "3" }
major = false
verification = "verbatim"
"#;

#[test]
fn statuses_follow_the_deadline_and_the_clock() {
    let checklist = checklist();
    let first = original(&checklist);
    let list = follow_up([&first], day(2));
    assert_eq!(
        statuses(&list),
        [
            ("A-01".into(), HazardStatus::Open),
            ("A-02".into(), HazardStatus::DueSoon),
            ("A-03".into(), HazardStatus::Open),
        ]
    );
    // Most urgent first.
    assert_eq!(list[0].item_id, "A-02");
    let later = follow_up([&first], day(8));
    assert_eq!(
        statuses(&later),
        [
            ("A-01".into(), HazardStatus::DueSoon),
            ("A-02".into(), HazardStatus::Overdue),
            ("A-03".into(), HazardStatus::Open),
        ]
    );
    // The deadline day itself is not overdue yet.
    assert_eq!(
        follow_up([&first], day(4))
            .iter()
            .find(|f| f.item_id == "A-02")
            .unwrap()
            .status,
        HazardStatus::DueSoon
    );
    // Hazards of an inspection still being written are not on the list.
    let mut draft = first.clone();
    draft.sealed_at = None;
    assert!(follow_up([&draft], day(2)).is_empty());
}

#[test]
fn a_reinspection_closes_two_hazards_and_escalates_one() {
    let checklist = checklist();
    let first = original(&checklist);
    let today = day(8);
    let mut re = reinspection(&checklist, 2, at(8, 8));
    let list = follow_up([&first, &re], today);
    let due = due_for_review(&list, [&first, &re], &first.site.credit_code, Some(re.id));
    assert_eq!(due.len(), 3);
    let reviews: Vec<HazardReview> = due
        .iter()
        .map(|f| HazardReview::of(f.inspection, f.item_id).unwrap())
        .collect();
    re.add_reviews(reviews.clone()).unwrap();
    // Adding the same hazards again changes nothing.
    re.add_reviews(reviews).unwrap();
    assert_eq!(re.reviews.len(), 3);
    assert_eq!(re.reviews[0].original_description, "隐患");

    let c = Completion::of(&re, &checklist);
    assert!(matches!(c.blockers(), Err(InspectionError::ReviewsPending(p)) if p.len() == 3));

    let hazard = |item: &str| {
        re.reviews
            .iter()
            .find(|r| r.hazard.item_id == item)
            .unwrap()
            .hazard
            .clone()
    };
    let (a1, a2, a3) = (hazard("A-01"), hazard("A-02"), hazard("A-03"));
    re.review(&a1, decide(ReviewOutcome::Rectified, None), at(8, 9))
        .unwrap();
    re.review(&a2, decide(ReviewOutcome::Rectified, None), at(8, 9))
        .unwrap();
    re.review(&a3, decide(ReviewOutcome::NotRectified, None), at(8, 9))
        .unwrap();
    // Rectified needs a photo; not rectified needs an escalation.
    assert!(matches!(
        Completion::of(&re, &checklist).blockers(),
        Err(InspectionError::RectifiedWithoutPhoto(p)) if p == ["A-02", "A-01"]
    ));
    let photo = sha256_hex(PHOTO_PNG);
    re.attach_review_photo(&a1, &photo).unwrap();
    re.attach_review_photo(&a2, &photo).unwrap();
    assert!(matches!(
        Completion::of(&re, &checklist).blockers(),
        Err(InspectionError::EscalationMissing(p)) if p == ["A-03"]
    ));
    re.review(
        &a3,
        decide(ReviewOutcome::NotRectified, Some(Escalation::PenaltyCase)),
        at(8, 9),
    )
    .unwrap();
    assert_eq!(Completion::of(&re, &checklist).blockers(), Ok(()));

    // Before sealing: the two are "rectified", awaiting the signature; A-03 is judged by
    // its deadline still.
    assert_eq!(
        statuses(&follow_up([&first, &re], today)),
        [
            ("A-01".into(), HazardStatus::Rectified),
            ("A-02".into(), HazardStatus::Rectified),
            ("A-03".into(), HazardStatus::Open),
        ]
    );
    re.seal(&checklist, at(8, 10)).unwrap();
    assert_eq!(
        re.review(&a1, decide(ReviewOutcome::Pending, None), at(8, 11)),
        Err(InspectionError::Sealed)
    );
    let list = follow_up([&first, &re], today);
    assert_eq!(
        statuses(&list),
        [
            ("A-01".into(), HazardStatus::Verified),
            ("A-02".into(), HazardStatus::Verified),
            ("A-03".into(), HazardStatus::Escalated),
        ]
    );
    // The escalated hazard is due for the next re-inspection; verified ones are not.
    let next = due_for_review(&list, [&first, &re], &first.site.credit_code, None);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].item_id, "A-03");

    // The reviews and their photos travel in a bundle that verifies.
    let payload = BundlePayload::new(
        Uuid::from_u128(99),
        at(8, 12),
        "0.1.0",
        DeviceInfo::from_public_key(&key().verifying_key().to_bytes()),
        &ChainState::default(),
        re.inspector.clone(),
        vec![re.clone()],
    )
    .unwrap();
    let without_photo = sign_with(&key(), &payload.to_bytes());
    assert!(verify_bundle_full(without_photo.to_json().as_bytes(), &EmbeddedKey).is_err());
    let payload = payload
        .with_attachments(vec![Attachment::new("image/png", PHOTO_PNG).unwrap()])
        .unwrap();
    let envelope = sign_with(&key(), &payload.to_bytes());
    let verified = verify_bundle_full(envelope.to_json().as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(verified.payload.inspections[0].reviews, re.reviews);
    assert_eq!(
        verified.payload.inspections[0].kind,
        InspectionKind::Reinspection
    );
}

#[test]
fn an_extension_moves_the_deadline_and_a_draft_review_does_not_override_a_later_seal() {
    let checklist = checklist();
    let first = original(&checklist);
    let mut re = reinspection(&checklist, 2, at(5, 8));
    re.add_reviews(HazardReview::of(&first, "A-02")).unwrap();
    let a2 = re.reviews[0].hazard.clone();
    let mut extension = decide(ReviewOutcome::NotRectified, Some(Escalation::Extension));
    // Not a date, a date already past on the day of the review, or one that is not after the
    // deadline it extends (4 Dec): none of them extends anything.
    for bad in ["not a date", "2026-12-01", "2026-12-04"] {
        extension.new_deadline = bad.into();
        re.review(&a2, extension.clone(), at(5, 9)).unwrap();
        assert_eq!(
            Completion::of(&re, &checklist).blockers(),
            Err(InspectionError::BadNewDeadline(vec!["A-02".into()])),
            "{bad}"
        );
    }
    extension.new_deadline = "2026-12-15".into();
    re.review(&a2, extension.clone(), at(5, 9)).unwrap();
    // Switching the outcome back and forth loses nothing typed.
    re.review(
        &a2,
        decide(ReviewOutcome::Rectified, Some(Escalation::Extension)),
        at(5, 9),
    )
    .unwrap();
    re.review(&a2, extension, at(5, 9)).unwrap();
    assert_eq!(re.reviews[0].new_deadline, "2026-12-15");
    re.seal(&checklist, at(5, 10)).unwrap();
    let list = follow_up([&first, &re], day(6));
    let a02 = list.iter().find(|f| f.item_id == "A-02").unwrap();
    assert_eq!(a02.status, HazardStatus::Open);
    assert_eq!(a02.deadline, Some(day(15)));
    let list = follow_up([&first, &re], day(16));
    assert_eq!(
        list.iter().find(|f| f.item_id == "A-02").unwrap().status,
        HazardStatus::Overdue
    );

    // A draft started before that seal no longer decides the status.
    let mut stale = reinspection(&checklist, 3, at(5, 7));
    stale.add_reviews(HazardReview::of(&first, "A-02")).unwrap();
    stale
        .review(&a2, decide(ReviewOutcome::Rectified, None), at(5, 7))
        .unwrap();
    let list = follow_up([&first, &re, &stale], day(6));
    assert_eq!(
        list.iter().find(|f| f.item_id == "A-02").unwrap().status,
        HazardStatus::Open
    );
    // …and a hazard under review in another draft is not offered to a new re-inspection.
    let due = due_for_review(&list, [&first, &re, &stale], &first.site.credit_code, None);
    assert!(due.iter().all(|f| f.item_id != "A-02"));

    // A later re-inspection reviews it against the extended deadline, and its draft "not
    // rectified" (no escalation chosen yet) leaves the sealed extension in force.
    let list = follow_up([&first, &re], day(6));
    let mut next = reinspection(&checklist, 4, at(6, 8));
    let a02 = list.iter().find(|f| f.item_id == "A-02").unwrap();
    next.add_reviews(a02.new_review()).unwrap();
    assert_eq!(next.reviews[0].original_deadline, "2026-12-15");
    next.review(&a2, decide(ReviewOutcome::NotRectified, None), at(6, 9))
        .unwrap();
    let list = follow_up([&first, &re, &next], day(6));
    let a02 = list.iter().find(|f| f.item_id == "A-02").unwrap();
    assert_eq!(
        (a02.status, a02.deadline),
        (HazardStatus::Open, Some(day(15)))
    );
    // Sealing drops what the outcome makes meaningless.
    next.review(
        &a2,
        ReviewDecision {
            outcome: ReviewOutcome::Rectified,
            note: String::new(),
            escalation: Some(Escalation::PenaltyCase),
            new_deadline: "2026-12-31".into(),
        },
        at(6, 9),
    )
    .unwrap();
    next.attach_review_photo(&a2, &sha256_hex(PHOTO_PNG))
        .unwrap();
    next.seal(&checklist, at(6, 10)).unwrap();
    assert_eq!(
        (
            next.reviews[0].escalation,
            next.reviews[0].new_deadline.as_str()
        ),
        (None, "")
    );
}

#[test]
fn the_verifier_insists_on_one_spelling_of_review_ids() {
    let checklist = checklist();
    let first = original(&checklist);
    let mut re = reinspection(&checklist, 0xABCD, at(8, 8));
    re.add_reviews(HazardReview::of(&first, "A-01")).unwrap();
    let a1 = re.reviews[0].hazard.clone();
    re.review(
        &a1,
        decide(ReviewOutcome::NotRectified, Some(Escalation::PenaltyCase)),
        at(8, 9),
    )
    .unwrap();
    re.seal(&checklist, at(8, 10)).unwrap();
    let payload = BundlePayload::new(
        Uuid::from_u128(98),
        at(8, 12),
        "0.1.0",
        DeviceInfo::from_public_key(&key().verifying_key().to_bytes()),
        &ChainState::default(),
        re.inspector.clone(),
        vec![re],
    )
    .unwrap();
    let text = String::from_utf8(payload.to_bytes()).unwrap();
    let id = Uuid::from_u128(1).to_string();
    assert_eq!(text.matches(&id).count(), 1, "the reviewed inspection's id");
    let verify = |text: &str| {
        let envelope = sign_with(&key(), text.as_bytes());
        verify_bundle_full(envelope.to_json().as_bytes(), &EmbeddedKey)
    };
    assert!(verify(&text).is_ok());
    // The typed parse would read it without hyphens; the format allows one spelling only.
    let simple = text.replace(&id, &id.replace('-', ""));
    assert!(
        matches!(verify(&simple), Err(VerifyError::Schema(m)) if m.contains("reviewed inspection id"))
    );
}

#[test]
fn team_and_kind_rules() {
    let checklist = checklist();
    let mut i = Inspection::start(
        Uuid::from_u128(5),
        site(),
        &checklist,
        Inspector::new("张三", "1").unwrap(),
        at(1, 8),
    );
    assert_eq!(
        i.set_team(
            InspectionKind::Special,
            vec![Inspector::new("某", "1").unwrap()]
        ),
        Err(InspectionError::DuplicateInspector("某（1）".into()))
    );
    assert_eq!(i.add_reviews(None), Err(InspectionError::NotAReinspection));
    i.set_team(InspectionKind::Special, team()).unwrap();
    assert_eq!(i.officers().count(), 2);
    // A re-inspection with nothing to review cannot be sealed.
    i.set_team(InspectionKind::Reinspection, team()).unwrap();
    assert_eq!(
        i.seal(&checklist, at(1, 9)),
        Err(InspectionError::NothingToReview)
    );
    // Records from before kinds and teams existed parse as routine inspections alone.
    let text = serde_json::to_string(&gen_vectors::inspection()).unwrap();
    assert!(!text.contains("kind") && !text.contains("co_inspectors") && !text.contains("reviews"));
    let back: Inspection = serde_json::from_str(&text).unwrap();
    assert_eq!(back.kind, InspectionKind::Routine);
    let profile = Inspector::new("张三", "1")
        .unwrap()
        .with_unit(" 某县应急管理局 ", "某镇");
    assert_eq!(profile.organisation, "某县应急管理局");
    let json = serde_json::to_string(&Inspector::new("张三", "1").unwrap()).unwrap();
    assert_eq!(json, r#"{"name":"张三","cert_no":"1"}"#);
}
