//! Hazard orders (交办) on an inspection: recorded as typed, kept across verdict changes
//! between general and major, dropped for non-hazards, and reported when incomplete.

use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::*;

mod support;

fn setup() -> (Checklist, Inspection) {
    let checklist =
        Checklist::from_toml("minimal.toml", include_str!("fixtures/minimal.toml")).unwrap();
    let inspection = support::start(&checklist, 9);
    (checklist, inspection)
}

fn order() -> RectificationOrder {
    support::order("恢复静电接地", "2000")
}

#[test]
fn orders_are_required_for_hazards_and_survive_general_to_major() {
    let (checklist, mut inspection) = setup();
    let now = inspection.started_at;
    inspection
        .answer(
            &checklist,
            "A-01",
            Verdict::GeneralHazard,
            "接地线断开",
            now,
        )
        .unwrap();
    assert_eq!(
        inspection.order_problems(),
        ["A-01：整改措施、整改责任人、整改期限"]
    );
    inspection
        .set_order("A-01", "一号工房", order(), None)
        .unwrap();
    assert!(inspection.order_problems().is_empty());

    inspection
        .answer(&checklist, "A-01", Verdict::MajorHazard, "接地线断开", now)
        .unwrap();
    assert_eq!(
        inspection.answers["A-01"].rectification,
        Some(order()),
        "the order is kept"
    );
    assert_eq!(inspection.answers["A-01"].location, "一号工房");
    let problems = inspection.order_problems();
    assert!(
        problems[0].contains("治理目标和任务") && problems[0].contains("是否停产停业"),
        "{problems:?}"
    );
    let plan = MajorHazardPlan {
        target: "消除静电隐患".into(),
        organisation: "安全科".into(),
        safety_measures: "停用该工房".into(),
        funds_materials: "安全费用".into(),
        time_limit: "2026-12-31".into(),
        suspension: Suspension::Partial,
    };
    inspection
        .set_order("A-01", "一号工房", order(), Some(plan))
        .unwrap();
    assert!(inspection.order_problems().is_empty());

    inspection
        .answer(&checklist, "A-01", Verdict::Compliant, "", now)
        .unwrap();
    assert_eq!(
        inspection.answers["A-01"].rectification, None,
        "a compliant item carries no order"
    );
    assert!(matches!(
        inspection.set_order("A-01", "", order(), None),
        Err(InspectionError::NotAHazard(_))
    ));
}

#[test]
fn records_without_orders_still_parse_and_serialise_unchanged() {
    let old =
        r#"{"verdict":"general_hazard","description":"x","answered_at":"2026-11-20T02:40:00Z"}"#;
    let answer: Answer = serde_json::from_str(old).unwrap();
    assert_eq!(serde_json::to_string(&answer).unwrap(), old);
}
