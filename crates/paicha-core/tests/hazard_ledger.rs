//! The hazard ledger's rows as the device builds them from its inspections, and the one
//! spelling of a legal basis.

use chrono::{DateTime, NaiveDate, Utc};
use paicha_core::checklist::Verification;
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::followup::follow_up;
use paicha_core::hazard_ledger::{COLUMNS, HazardLedgerRow, column, hazard_no};
use paicha_core::reinspection::{
    Escalation, HazardRef, HazardReview, ReviewDecision, ReviewOutcome,
};
use paicha_core::*;
use uuid::Uuid;

fn fireworks() -> Checklist {
    Checklist::from_toml(
        "fireworks.toml",
        include_str!("../../../checklists/fireworks.toml"),
    )
    .unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// FW-01 compliant, FW-02 a general hazard, FW-05 a major hazard with its plan; two officers.
fn inspection(checklist: &Checklist, id: u128, started: &str) -> Inspection {
    let site = Site::with_details(
        "某某烟花爆竹有限公司",
        CreditCode::parse("91440300708461136T").unwrap(),
        SiteDetails {
            address: "某路1号".into(),
            sectors: vec!["fireworks".into()],
            ..SiteDetails::default()
        },
    )
    .unwrap();
    let inspector = Inspector::new("张三", "44010012345")
        .unwrap()
        .with_unit("某县应急管理局", "某县");
    let now = at(started);
    let mut i = Inspection::start(Uuid::from_u128(id), site, checklist, inspector, now);
    i.set_team(
        InspectionKind::Special,
        vec![Inspector::new("李四", "GD-0002").unwrap()],
    )
    .unwrap();
    i.answer(checklist, "FW-01", Verdict::Compliant, "", now)
        .unwrap();
    i.answer(checklist, "FW-02", Verdict::GeneralHazard, "通道堵塞", now)
        .unwrap();
    i.answer(checklist, "FW-05", Verdict::MajorHazard, "超量存药", now)
        .unwrap();
    let order = RectificationOrder {
        measures: "清理通道".into(),
        responsible: "王某".into(),
        deadline: "2026-11-10".into(),
        funds_yuan: "5000".into(),
    };
    i.set_order("FW-02", "二号工房", order.clone(), None)
        .unwrap();
    let plan = MajorHazardPlan {
        target: "消除重大事故隐患".into(),
        organisation: "安全科".into(),
        safety_measures: "停用工房".into(),
        funds_materials: "企业安全费用".into(),
        time_limit: "2026-11-10".into(),
        suspension: Suspension::Partial,
    };
    i.set_order("FW-05", "中转库", order, Some(plan)).unwrap();
    i
}

#[test]
fn a_draft_hazard_has_its_order_but_no_status() {
    let checklist = fireworks();
    let draft = inspection(
        &checklist,
        0xabcdef12_0000_0000_0000_000000000001,
        "2026-11-29T20:00:00Z",
    );
    assert!(HazardLedgerRow::from_inspection(&draft, Some(&checklist), "FW-01", None).is_none());
    let general =
        HazardLedgerRow::from_inspection(&draft, Some(&checklist), "FW-02", None).unwrap();
    // 20:00 UTC is the next morning in China.
    assert_eq!(general.hazard_no, "YH-20261130-000000000001-FW-02");
    assert_eq!(
        general.hazard_no,
        hazard_no(&draft.id.to_string(), draft.started_at, "FW-02")
    );
    assert_eq!(general.check_date, "2026-11-30");
    assert_eq!(general.area_code, "440300");
    assert_eq!(general.industry, "烟花爆竹");
    assert_eq!(general.inspectors, "张三、李四");
    assert_eq!(general.enforcement_cert_no, "44010012345、GD-0002");
    assert_eq!(general.inspector_organisation, "某县应急管理局");
    assert_eq!(general.level, "一般隐患");
    assert_eq!(general.item_id, "FW-02");
    assert_eq!(general.measures, "清理通道");
    assert_eq!(general.responsible, "王某");
    assert_eq!(general.funds_yuan, "5000");
    assert_eq!(
        general.deadline, "2026-11-10",
        "the order's deadline as typed"
    );
    assert_eq!(general.suspension, "否");
    assert_eq!(general.plan_target, "", "a general hazard has no plan");
    assert_eq!(
        (general.status.as_str(), general.status_code.as_str()),
        ("", "")
    );
    assert_eq!(general.record_state, "草稿（未签章）");
    assert_eq!(general.site_sectors, "烟花爆竹");
    assert_eq!(general.inspection_kind, "专项检查");
    assert_eq!(
        general.checklist,
        format!("fireworks {}", checklist.version)
    );
    let major = HazardLedgerRow::from_inspection(&draft, Some(&checklist), "FW-05", None).unwrap();
    assert_eq!(major.level, "重大隐患");
    assert_eq!(major.suspension, "局部停产停业");
    assert_eq!(major.plan_target, "消除重大事故隐患");
    assert_eq!(major.plan_time_limit, "2026-11-10");
    assert!(major.basis.starts_with(
        "《烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）"
    ));
    // Without the checklist version the row still says what the record holds.
    let bare = HazardLedgerRow::from_inspection(&draft, None, "FW-05", None).unwrap();
    assert_eq!(
        (
            bare.item.as_str(),
            bare.basis.as_str(),
            bare.industry.as_str()
        ),
        ("FW-05", "", "")
    );
    assert_eq!(bare.cells().len(), COLUMNS.len());
}

#[test]
fn sealed_hazards_show_where_they_stand_after_a_re_inspection() {
    let checklist = fireworks();
    let mut original = inspection(&checklist, 1, "2026-11-01T02:00:00Z");
    original
        .seal(&checklist, at("2026-11-01T03:00:00Z"))
        .unwrap();
    let reviewed = at("2026-11-15T02:00:00Z");
    let mut re = Inspection::start(
        Uuid::from_u128(2),
        original.site.clone(),
        &checklist,
        original.inspector.clone(),
        reviewed,
    );
    re.set_team(InspectionKind::Reinspection, vec![]).unwrap();
    re.add_reviews(["FW-02", "FW-05"].map(|item| HazardReview::of(&original, item).unwrap()))
        .unwrap();
    let [fw02, fw05] = ["FW-02", "FW-05"].map(|item| HazardRef {
        inspection_id: original.id,
        item_id: item.into(),
    });
    let decide = |outcome, escalation: Option<Escalation>| ReviewDecision {
        outcome,
        note: "复查意见".into(),
        escalation,
        new_deadline: escalation.map(|_| "2026-11-20".into()).unwrap_or_default(),
    };
    re.review(
        &fw02,
        decide(ReviewOutcome::NotRectified, Some(Escalation::Extension)),
        reviewed,
    )
    .unwrap();
    re.review(&fw05, decide(ReviewOutcome::Rectified, None), reviewed)
        .unwrap();
    re.attach_review_photo(&fw05, &sha256_hex(b"after"))
        .unwrap();

    let rows = |inspections: &[&Inspection], day: u32| -> Vec<HazardLedgerRow> {
        let today = NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        let list = follow_up(inspections.iter().copied(), today);
        ["FW-02", "FW-05"]
            .map(|item| {
                let f = list.iter().find(|f| f.item_id == item);
                HazardLedgerRow::from_inspection(&original, Some(&checklist), item, f).unwrap()
            })
            .to_vec()
    };
    // The re-inspection still open: the rectification awaits its seal.
    let open = rows(&[&original, &re], 16);
    assert_eq!(open[1].status, "已整改待验收");
    assert_eq!(open[1].review_outcome, "已整改（复查未签章）");
    assert_eq!(open[1].review_date, "", "verified only by the seal");

    re.seal(&checklist, reviewed).unwrap();
    let sealed = rows(&[&original, &re], 18);
    assert_eq!(
        sealed[0].status, "即将到期",
        "the extension runs to the 20th"
    );
    assert_eq!(sealed[0].status_code, "due_soon");
    assert_eq!(sealed[0].deadline, "2026-11-20", "the deadline in force");
    assert_eq!(sealed[0].escalation, "责令延期整改");
    assert_eq!(sealed[0].review_outcome, "未整改");
    assert_eq!(sealed[0].review_day, "2026-11-15");
    assert_eq!(sealed[0].review_note, "复查意见");
    assert_eq!(sealed[0].review_inspection_id, re.id.to_string());
    assert_eq!(sealed[0].record_state, "已签章");
    assert_eq!(sealed[1].status, "已验收销号");
    assert_eq!(sealed[1].review_date, "2026-11-15");
    assert_eq!(sealed[1].review_outcome, "已整改");
    let later = rows(&[&original, &re], 21);
    assert_eq!(later[0].status_code, "overdue");
    let cells = later[0].cells();
    assert_eq!(cells[column("status_code").unwrap()], "overdue");
    assert_eq!(cells[column("item_id").unwrap()], "FW-02");
}

#[test]
fn the_legal_basis_is_spelled_once_with_its_caveats() {
    let checklist = fireworks();
    let verbatim = checklist.item("FW-05").unwrap();
    assert!(checklist.basis_caveats(verbatim).is_empty());
    assert_eq!(
        checklist.basis_text(verbatim),
        "《烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）第五项"
    );
    assert_eq!(
        checklist.basis_with_caveats(verbatim),
        checklist.basis_text(verbatim)
    );
    let paraphrase = checklist
        .items()
        .find(|i| i.verification == Verification::Paraphrase)
        .expect("the fireworks checklist has paraphrased items");
    let text = checklist.basis_with_caveats(paraphrase);
    assert!(
        text.contains("〔转述，非法规原文，引用前请核对原文〕"),
        "{text}"
    );
    assert!(text.contains("〔出处待核实〕"), "{text}");
    // No document number is printed when the checklist has none.
    assert!(
        text.starts_with("《烟花爆竹安全管理条例；烟花爆竹经营许可实施办法》许可与经营管理规定"),
        "{text}"
    );
}

/// Issue 20: the ledger shows the edition of the document each finding was judged by, and the
/// exact checklist version's content hash; columns 45–47, after every earlier one.
#[test]
fn each_hazard_names_the_document_edition_it_was_judged_by() {
    let checklist = fireworks();
    let mut i = inspection(&checklist, 9, "2026-11-01T02:00:00Z");
    let n = COLUMNS.len();
    assert_eq!(
        COLUMNS[n - 3..].iter().map(|c| c.key).collect::<Vec<_>>(),
        ["basis_document", "basis_edition", "checklist_content_hash"],
        "appended, never inserted"
    );
    let row = HazardLedgerRow::from_inspection(&i, Some(&checklist), "FW-05", None).unwrap();
    assert_eq!(
        row.basis_document,
        "《烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）"
    );
    assert_eq!(
        row.basis_edition,
        "安监总管三〔2017〕121号，2017-11-13发布；现行，2026-12-07核对"
    );
    assert_eq!(row.checklist_content_hash, checklist.content_hash().0);
    assert_eq!(
        row.cells()[column("basis_edition").unwrap()],
        row.basis_edition
    );

    // A superseded document says what replaced it.
    let venues = Checklist::from_toml(
        "crowded-venues.toml",
        include_str!("../../../checklists/crowded-venues.toml"),
    )
    .unwrap();
    i.checklist = venues.reference();
    i.answers.clear();
    i.answers.insert(
        "CV-05".into(),
        Answer {
            verdict: Verdict::GeneralHazard,
            description: "安全出口不足".into(),
            answered_at: at("2026-11-01T02:00:00Z"),
            photos: vec![],
            location: String::new(),
            rectification: None,
            major_plan: None,
        },
    );
    let row = HazardLedgerRow::from_inspection(&i, Some(&venues), "CV-05", None).unwrap();
    assert!(
        row.basis_edition
            .starts_with("GB 35181-2017；已被代替（GB 35181-2025）"),
        "{}",
        row.basis_edition
    );
}
