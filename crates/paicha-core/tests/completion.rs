//! The completion summary (完成检查), required photo evidence, and the site representative's
//! signature: recorded until sealing, embedded in the bundle, checked by the verifier.

mod support;

use support::vectors as gen_vectors;

use gen_vectors::key;
use paicha_core::attachment::AttachmentError;
use paicha_core::bundle::{BundleError, ChainState, sign_with};
use paicha_core::completion::Completion;
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::verify::{EmbeddedKey, verify_bundle_full};
use paicha_core::*;

/// Three items: a major one that needs a photo as evidence, a general one that needs none,
/// and one that applies only to retail points.
const TOML: &str = r#"
id = "evidence-test"
sector = "fireworks"
version = "1"
effective = "2026-01-01"
title = { zh = "证据测试检查表", en = "Evidence test checklist" }

[[sources]]
key = "law"
title = "测试依据"
status = "unverified"

[[questions]]
key = "retail_point"
zh = "是否设有零售点？"
en = "Retail point?"

[[sections]]
id = "s1"
title = { zh = "第一部分", en = "Part one" }

[[sections.items]]
id = "E-01"
zh = "工房药量超标。"
en = "Powder over the rated amount."
basis = { source = "law", clause = "第一条" }
major = true
verification = "verbatim"
evidence = "photo_if_hazard"

[[sections.items]]
id = "E-02"
zh = "安全管理制度不健全。"
en = "Safety rules incomplete."
basis = { source = "law", clause = "第二条" }
major = false
verification = "verbatim"

[[sections.items]]
id = "E-03"
zh = "零售点使用明火。"
en = "Open flame at the retail point."
basis = { source = "law", clause = "第三条" }
major = false
verification = "verbatim"
applies_if = ["retail_point"]
evidence = "photo_if_hazard"
"#;

fn setup() -> (Checklist, Inspection) {
    let checklist = Checklist::from_toml("evidence.toml", TOML).unwrap();
    let inspection = support::start(&checklist, 11);
    (checklist, inspection)
}

fn order() -> RectificationOrder {
    support::order("清理超量药物", "")
}

fn plan() -> MajorHazardPlan {
    MajorHazardPlan {
        target: "消除超量存药".into(),
        organisation: "安全科".into(),
        safety_measures: "停用该工房".into(),
        funds_materials: "安全费用".into(),
        time_limit: "2026-12-31".into(),
        suspension: Suspension::Partial,
    }
}

const PHOTO: &[u8] = b"\xff\xd8\xff not really a jpeg";
const SIGNATURE: &[u8] = b"\x89PNG not really a png";

#[test]
fn the_summary_counts_levels_lists_unanswered_items_and_names_what_blocks_sealing() {
    let (checklist, mut i) = setup();
    let now = i.started_at;
    let empty = Completion::of(&i, &checklist);
    // E-03 applies only to retail points: not counted as unanswered.
    assert_eq!(empty.unanswered, ["E-01", "E-02"]);
    // One officer alone may not seal a law-enforcement inspection.
    assert_eq!(empty.officers, 1);
    assert_eq!(empty.blockers(), Err(InspectionError::TooFewOfficers));
    i.set_team(
        InspectionKind::Routine,
        vec![Inspector::new("李四", "2").unwrap()],
    )
    .unwrap();
    let empty = Completion::of(&i, &checklist);
    assert_eq!(empty.blockers(), Err(InspectionError::NothingAnswered));

    i.answer(&checklist, "E-01", Verdict::MajorHazard, "", now)
        .unwrap();
    let c = Completion::of(&i, &checklist);
    assert_eq!(c.count(Verdict::MajorHazard), 1);
    assert_eq!(c.answered(), 1);
    assert_eq!(c.unanswered, ["E-02"]);
    assert_eq!(c.without_description, ["E-01"]);
    assert_eq!(c.incomplete_orders.len(), 1);
    assert_eq!(c.missing_evidence, ["E-01"]);
    assert!(matches!(
        c.blockers(),
        Err(InspectionError::HazardsWithoutDescription(_))
    ));

    i.answer(
        &checklist,
        "E-01",
        Verdict::MajorHazard,
        "药量超标两倍",
        now,
    )
    .unwrap();
    i.set_order("E-01", "一号工房", order(), Some(plan()))
        .unwrap();
    let c = Completion::of(&i, &checklist);
    assert!(c.incomplete_orders.is_empty());
    assert_eq!(
        c.blockers(),
        Err(InspectionError::MissingEvidence(vec!["E-01".into()]))
    );
    assert!(
        c.blockers()
            .unwrap_err()
            .to_string()
            .contains("缺少照片证据：E-01")
    );

    i.attach_photo("E-01", &sha256_hex(PHOTO)).unwrap();
    let c = Completion::of(&i, &checklist);
    assert!(c.missing_evidence.is_empty());
    // The unanswered item is shown but does not block.
    assert_eq!(c.unanswered, ["E-02"]);
    assert!(c.may_seal());

    // A general hazard on an item without an evidence rule needs no photo; compliant items never do.
    i.answer(&checklist, "E-02", Verdict::GeneralHazard, "制度缺失", now)
        .unwrap();
    i.set_order("E-02", "办公室", order(), None).unwrap();
    let c = Completion::of(&i, &checklist);
    assert!(c.missing_evidence.is_empty());
    assert_eq!(
        (
            c.count(Verdict::GeneralHazard),
            c.count(Verdict::MajorHazard)
        ),
        (1, 1)
    );
    assert!(c.unanswered.is_empty());
    assert!(c.may_seal());
}

#[test]
fn removing_the_only_photo_brings_the_evidence_requirement_back() {
    let (checklist, mut i) = setup();
    let now = i.started_at;
    i.answer(&checklist, "E-01", Verdict::GeneralHazard, "x", now)
        .unwrap();
    let photo = sha256_hex(PHOTO);
    i.attach_photo("E-01", &photo).unwrap();
    assert!(i.missing_evidence(&checklist).is_empty());
    i.detach_photo("E-01", &photo).unwrap();
    assert_eq!(i.missing_evidence(&checklist), ["E-01"]);
    // Compliant: the photo rule does not apply (photos already attached would stay).
    i.answer(&checklist, "E-01", Verdict::Compliant, "", now)
        .unwrap();
    assert!(i.missing_evidence(&checklist).is_empty());
}

#[test]
fn the_site_signature_is_recorded_until_sealing_and_validated() {
    let (checklist, mut i) = setup();
    let now = i.started_at;
    let signature = sha256_hex(SIGNATURE);
    assert_eq!(
        i.set_site_signature(Some("signature.png")),
        Err(InspectionError::BadSignatureRef("signature.png".into()))
    );
    assert_eq!(i.site_signature, None);
    i.set_site_signature(Some(&signature)).unwrap();
    assert_eq!(i.site_signature.as_deref(), Some(signature.as_str()));
    i.set_site_signature(None).unwrap();
    assert_eq!(i.site_signature, None);
    i.set_site_signature(Some(&signature)).unwrap();

    i.answer(&checklist, "E-02", Verdict::Compliant, "", now)
        .unwrap();
    i.seal(&checklist, now).unwrap();
    assert_eq!(i.set_site_signature(None), Err(InspectionError::Sealed));
    assert_eq!(
        i.set_site_signature(Some(&sha256_hex(b"other"))),
        Err(InspectionError::Sealed)
    );
    assert_eq!(i.site_signature.as_deref(), Some(signature.as_str()));
}

#[test]
fn records_without_a_signature_serialise_as_before() {
    let (_, i) = setup();
    let text = serde_json::to_string(&i).unwrap();
    assert!(!text.contains("site_signature"));
    assert_eq!(serde_json::from_str::<Inspection>(&text).unwrap(), i);
}

fn sealed_with_photo_and_signature() -> (Inspection, String, String) {
    let (checklist, mut i) = setup();
    let now = i.started_at;
    i.answer(&checklist, "E-01", Verdict::MajorHazard, "药量超标", now)
        .unwrap();
    i.set_order("E-01", "一号工房", order(), Some(plan()))
        .unwrap();
    let photo = sha256_hex(PHOTO);
    let signature = sha256_hex(SIGNATURE);
    i.attach_photo("E-01", &photo).unwrap();
    i.set_site_signature(Some(&signature)).unwrap();
    assert_eq!(
        i.attachment_refs(),
        vec![photo.as_str(), signature.as_str()]
    );
    i.seal(&checklist, now).unwrap();
    (i, photo, signature)
}

fn payload(inspection: Inspection) -> BundlePayload {
    gen_vectors::bare_payload(inspection, &key(), &ChainState::default())
}

#[test]
fn a_bundle_must_embed_the_signature_and_the_verifier_checks_it() {
    let (i, _, signature) = sealed_with_photo_and_signature();
    let photo = Attachment::new("image/jpeg", PHOTO).unwrap();
    let png = Attachment::new("image/png", SIGNATURE).unwrap();

    // The builder refuses a bundle whose signature is not embedded ...
    let err = payload(i.clone())
        .with_attachments(vec![photo.clone()])
        .unwrap_err();
    assert!(
        matches!(&err, BundleError::Attachment(AttachmentError::MissingSignature { sha256, .. }) if *sha256 == signature),
        "{err:?}"
    );

    // ... and so does the verifier, with the attachment_missing code.
    let mut dangling = payload(i.clone());
    dangling.attachments = vec![photo.clone()];
    let envelope = sign_with(&key(), &dangling.to_bytes());
    let err = verify_bundle_full(envelope.to_json().as_bytes(), &EmbeddedKey).unwrap_err();
    assert_eq!(err.code(), "attachment_missing", "{err}");

    // With both embedded the bundle verifies and carries the signature reference.
    let good = payload(i).with_attachments(vec![photo, png]).unwrap();
    good.check().unwrap();
    let envelope = sign_with(&key(), &good.to_bytes());
    let verified = verify_bundle_full(envelope.to_json().as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(
        verified.payload.inspections[0].site_signature.as_deref(),
        Some(signature.as_str())
    );
}
