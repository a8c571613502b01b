//! Attachments, the single-bundle chain rules, re-export and strict payload parsing
//! (docs/bundle-format.md).

mod support;

use support::vectors as gen_vectors;

use gen_vectors::{PHOTO_PNG, at, key};
use paicha_core::attachment::AttachmentError;
use paicha_core::bundle::{BundleError, ChainState, GENESIS_HASH, sign_with};
use paicha_core::dsse::{Envelope, b64_decode};
use paicha_core::verify::{
    ChainRuleError, EmbeddedKey, check_chain_rules, verify_bundle, verify_bundle_full,
};
use paicha_core::*;
use uuid::Uuid;

fn verify_payload(payload: &BundlePayload) -> Result<verify::VerifiedBundle, VerifyError> {
    let envelope = sign_with(&key(), &payload.to_bytes());
    verify_bundle_full(envelope.to_json().as_bytes(), &EmbeddedKey)
}

fn verify_text(payload: &str) -> Result<verify::VerifiedBundle, VerifyError> {
    let envelope = sign_with(&key(), payload.as_bytes());
    verify_bundle_full(envelope.to_json().as_bytes(), &EmbeddedKey)
}

// ------------------------------------------------------------------ photos on answers

#[test]
fn answers_stored_before_photos_existed_still_parse_and_serialise_the_same() {
    let old = r#"{"verdict":"major_hazard","description":"防静电接地线断开","answered_at":"2026-11-29T08:10:00Z"}"#;
    let answer: Answer = serde_json::from_str(old).unwrap();
    assert!(answer.photos.is_empty());
    assert_eq!(serde_json::to_string(&answer).unwrap(), old);

    let mut inspection = gen_vectors::inspection();
    inspection
        .answers
        .values_mut()
        .for_each(|a| a.photos.clear());
    let text = serde_json::to_string(&inspection).unwrap();
    assert!(!text.contains("photos"));
    assert_eq!(
        serde_json::from_str::<Inspection>(&text).unwrap(),
        inspection
    );
}

#[test]
fn photos_attach_to_answered_items_only_until_sealing_and_survive_a_new_answer() {
    let checklist = gen_vectors::checklist();
    let mut i = Inspection::start(
        Uuid::from_u128(1),
        Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap(),
        &checklist,
        Inspector::new("张三", "1").unwrap(),
        at(8, 0),
    );
    let photo = sha256_hex(PHOTO_PNG);
    assert_eq!(
        i.attach_photo("A-01", &photo),
        Err(InspectionError::NotAnswered("A-01".into()))
    );
    i.answer(&checklist, "A-01", Verdict::GeneralHazard, "x", at(8, 1))
        .unwrap();
    assert_eq!(
        i.attach_photo("A-01", "photo.png"),
        Err(InspectionError::BadPhotoRef("photo.png".into()))
    );
    assert!(matches!(
        i.attach_photo("A-01", &photo.to_uppercase()),
        Err(InspectionError::BadPhotoRef(_))
    ));
    i.attach_photo("A-01", &photo).unwrap();
    i.attach_photo("A-01", &photo).unwrap(); // once only
    assert_eq!(i.answers["A-01"].photos, vec![photo.clone()]);

    // Changing the verdict or the description keeps the evidence.
    i.answer(&checklist, "A-01", Verdict::MajorHazard, "更严重", at(8, 2))
        .unwrap();
    assert_eq!(i.answers["A-01"].photos, vec![photo.clone()]);
    assert_eq!(i.photo_refs(), vec![photo.as_str()]);

    i.detach_photo("A-01", &photo).unwrap();
    assert!(i.answers["A-01"].photos.is_empty());
    i.attach_photo("A-01", &photo).unwrap();
    i.seal(&checklist, at(8, 3)).unwrap();
    assert_eq!(i.attach_photo("A-01", &photo), Err(InspectionError::Sealed));
    assert_eq!(i.detach_photo("A-01", &photo), Err(InspectionError::Sealed));
}

// ------------------------------------------------------------------ attachments

#[test]
fn the_payload_builder_refuses_what_the_verifier_would_reject() {
    let base =
        || gen_vectors::bare_payload(gen_vectors::inspection(), &key(), &ChainState::default());
    let png = Attachment::new("image/png", PHOTO_PNG).unwrap();
    assert!(matches!(
        base().with_attachments(vec![]),
        Err(BundleError::Attachment(AttachmentError::Missing { .. }))
    ));
    assert!(matches!(
        base().with_attachments(vec![png.clone(), png.clone()]),
        Err(BundleError::Attachment(AttachmentError::Duplicate(_)))
    ));
    let ok = base().with_attachments(vec![png.clone()]).unwrap();
    ok.check().unwrap();
    // Without attachments the photo reference dangles: `check` says so before signing.
    assert!(matches!(
        base().check(),
        Err(VerifyError::Attachment(AttachmentError::Missing { .. }))
    ));
    assert!(matches!(
        Attachment::new("image/svg+xml", b"<svg/>"),
        Err(AttachmentError::MediaType { .. })
    ));
    // An unreferenced attachment (e.g. a drawn signature, later) is allowed.
    let extra = Attachment::new("image/webp", b"RIFF....WEBP").unwrap();
    base()
        .with_attachments(vec![png, extra])
        .unwrap()
        .check()
        .unwrap();
}

#[test]
fn verification_rejects_each_attachment_defect_with_its_own_error() {
    let good = gen_vectors::payload();
    verify_payload(&good).unwrap();

    let mut p = good.clone();
    p.attachments[0].data = Some(dsse::b64_encode(b"other bytes"));
    p.attachments[0].size = 11;
    let err = verify_payload(&p).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Attachment(AttachmentError::HashMismatch { .. })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("its data hashes to"), "{err}");

    let mut p = good.clone();
    p.attachments[0].size = 68;
    assert!(matches!(
        verify_payload(&p),
        Err(VerifyError::Attachment(AttachmentError::SizeMismatch {
            declared: 68,
            actual: 69,
            ..
        }))
    ));

    let mut p = good.clone();
    p.attachments[0].data.as_mut().unwrap().push('!');
    assert!(matches!(
        verify_payload(&p),
        Err(VerifyError::Attachment(AttachmentError::Encoding { .. }))
    ));

    let mut p = good.clone();
    p.attachments[0].media_type = "image/gif".into();
    assert!(matches!(
        verify_payload(&p),
        Err(VerifyError::Attachment(AttachmentError::MediaType { .. }))
    ));

    let mut p = good.clone();
    p.attachments.push(p.attachments[0].clone());
    assert!(matches!(
        verify_payload(&p),
        Err(VerifyError::Attachment(AttachmentError::Duplicate(_)))
    ));

    let mut p = good.clone();
    let missing = sha256_hex(b"a photo nobody embedded");
    p.inspections[0]
        .answers
        .get_mut("A-01")
        .unwrap()
        .photos
        .push(missing.clone());
    let err = verify_payload(&p).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Attachment(AttachmentError::Missing { sha256, item, .. })
            if *sha256 == missing && item == "A-01"),
        "{err:?}"
    );
}

#[test]
fn attachment_data_decodes_with_either_base64_alphabet() {
    let bytes = [0xfbu8, 0xff, 0xfe, 0x01, 0x02];
    let mut a = Attachment::embedded("image/jpeg", &bytes).unwrap();
    assert_eq!(a.data.as_deref(), Some("+//+AQI="));
    a.data = Some("-__-AQI".into());
    assert_eq!(a.checked_bytes(0).unwrap(), bytes);
}

// ------------------------------------------------------------------ chain rules

#[test]
fn the_single_bundle_chain_rules_live_in_core() {
    let good = gen_vectors::payload();
    check_chain_rules(&good).unwrap();

    let mut p = good.clone();
    p.previous_payload_sha256 = sha256_hex(b"x");
    assert_eq!(
        check_chain_rules(&p),
        Err(VerifyError::ChainRule(ChainRuleError::FirstWithoutGenesis))
    );

    let mut p = good.clone();
    p.sequence = 7;
    assert_eq!(
        check_chain_rules(&p),
        Err(VerifyError::ChainRule(ChainRuleError::GenesisAfterFirst(7)))
    );
    assert!(
        check_chain_rules(&p)
            .unwrap_err()
            .to_string()
            .contains("only sequence 1 may")
    );

    let mut p = good.clone();
    p.sequence = i64::MAX as u64 + 1;
    p.previous_payload_sha256 = sha256_hex(b"x");
    assert_eq!(
        check_chain_rules(&p),
        Err(VerifyError::ChainRule(ChainRuleError::SequenceTooLarge(
            i64::MAX as u64 + 1
        )))
    );
    p.sequence = i64::MAX as u64;
    check_chain_rules(&p).unwrap();

    let mut p = good.clone();
    let again = p.inspections[0].clone();
    p.inspections.push(again);
    let err = check_chain_rules(&p).unwrap_err();
    assert_eq!(
        err,
        VerifyError::ChainRule(ChainRuleError::DuplicateInspection(p.inspections[0].id))
    );
    assert_eq!(err.code(), "chain_duplicate_inspection");
    assert!(err.to_string().contains("appears more than once"), "{err}");
}

#[test]
fn verify_bundle_leaves_chain_rules_to_the_caller_and_the_full_verifier_applies_them() {
    let mut p = gen_vectors::payload();
    p.sequence = 2; // still names the genesis hash
    let envelope = sign_with(&key(), &p.to_bytes()).to_json();
    let relaxed = verify_bundle(envelope.as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(
        check_chain_rules(&relaxed.payload),
        Err(VerifyError::ChainRule(ChainRuleError::GenesisAfterFirst(2)))
    );
    assert_eq!(
        verify_bundle_full(envelope.as_bytes(), &EmbeddedKey).unwrap_err(),
        VerifyError::ChainRule(ChainRuleError::GenesisAfterFirst(2))
    );
}

// ------------------------------------------------------------------ re-export

#[test]
fn a_created_bundle_is_kept_byte_for_byte_and_a_reexport_is_a_new_bundle() {
    let original = gen_vectors::payload();
    let original_bytes = original.to_bytes();
    let envelope = sign_with(&key(), &original_bytes).to_json();

    // Stored envelope bytes are the bundle: parsing and writing them again changes nothing,
    // and a second download is the same file.
    let verified = verify_bundle_full(envelope.as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(verified.envelope.to_json(), envelope);
    assert_eq!(verified.payload_bytes, original_bytes);
    assert_eq!(verified.payload.to_bytes(), original_bytes);

    // Re-export: same inspections, new bundle id, next sequence, chained to the original.
    let chain = ChainState::default().after(&original_bytes);
    let again = original
        .reexport(Uuid::from_u128(99), at(15, 0), "0.2.0", &chain)
        .unwrap();
    assert_eq!(again.sequence, 2);
    assert_eq!(again.previous_payload_sha256, sha256_hex(&original_bytes));
    assert_ne!(again.bundle_id, original.bundle_id);
    assert_eq!(again.inspections, original.inspections);
    assert_eq!(again.attachments, original.attachments);
    assert_eq!(again.co_inspectors, original.co_inspectors);
    let second = verify_payload(&again).unwrap();
    assert_ne!(second.payload_sha256, verified.payload_sha256);

    assert_eq!(
        original.reexport(original.bundle_id, at(15, 0), "0.2.0", &chain),
        Err(BundleError::BundleIdReused(original.bundle_id))
    );
    assert_eq!(
        original.reexport(
            Uuid::from_u128(98),
            at(15, 0),
            "0.2.0",
            &ChainState::default()
        ),
        Err(BundleError::StaleChain {
            original: 1,
            next: 1
        })
    );
}

#[test]
fn signing_is_deterministic_so_a_lost_file_can_only_come_back_identical() {
    let payload = gen_vectors::payload().to_bytes();
    assert_eq!(
        sign_with(&key(), &payload).to_json(),
        sign_with(&key(), &payload).to_json()
    );
}

// ------------------------------------------------------------------ strict parsing

#[test]
fn a_payload_that_names_a_key_twice_is_refused() {
    let text = String::from_utf8(gen_vectors::payload().to_bytes()).unwrap();
    let dup_top = text.replacen(
        r#""app_version":"0.1.0","#,
        r#""app_version":"0.1.0","app_version":"9","#,
        1,
    );
    assert!(matches!(verify_text(&dup_top), Err(VerifyError::Schema(_))));
    let dup_map = text.replacen(
        r#""applicability":{"retail_point":false}"#,
        r#""applicability":{"retail_point":false,"retail_point":true}"#,
        1,
    );
    let err = verify_text(&dup_map).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Schema(m) if m.contains("duplicate key \"retail_point\"")),
        "{err:?}"
    );
}

#[test]
fn a_newer_schema_version_is_named_as_such() {
    let text = String::from_utf8(gen_vectors::payload().to_bytes()).unwrap();
    let v3 = text
        .replacen(r#""schema_version":1"#, r#""schema_version":3"#, 1)
        .replacen(r#""app_version""#, r#""new_field":true,"app_version""#, 1);
    assert_eq!(verify_text(&v3).unwrap_err(), VerifyError::SchemaVersion(3));
    let unknown = text.replacen(r#""app_version""#, r#""new_field":true,"app_version""#, 1);
    assert!(matches!(verify_text(&unknown), Err(VerifyError::Schema(_))));
}

#[test]
fn each_version_has_its_own_form_of_attachment() {
    // Version 1 with its photo embedded verifies; relabelled 2 it carries data it may not.
    let v1 = String::from_utf8(gen_vectors::payload().to_bytes()).unwrap();
    verify_text(&v1).unwrap();
    let relabelled = v1.replacen(r#""schema_version":1"#, r#""schema_version":2"#, 1);
    let err = verify_text(&relabelled).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Schema(m) if m.contains("data is not allowed")),
        "{err:?}"
    );
    // Version 2 names its photo; relabelled 1 it lacks the bytes version 1 requires.
    let v2 = String::from_utf8(gen_vectors::payload_v2().to_bytes()).unwrap();
    assert!(!v2.contains(r#""data""#), "{v2}");
    let verified = verify_text(&v2).unwrap();
    assert_eq!(verified.payload.attachments[0].size, PHOTO_PNG.len() as u64);
    let relabelled = v2.replacen(r#""schema_version":2"#, r#""schema_version":1"#, 1);
    let err = verify_text(&relabelled).unwrap_err();
    assert!(
        matches!(&err, VerifyError::Schema(m) if m.contains("data is required")),
        "{err:?}"
    );
    // The producer refuses the wrong form before anything is signed.
    let embedded = Attachment::embedded("image/png", PHOTO_PNG).unwrap();
    let base =
        || gen_vectors::bare_payload(gen_vectors::inspection(), &key(), &ChainState::default());
    assert!(matches!(
        base().with_attachments(vec![embedded]),
        Err(BundleError::AttachmentForm(_))
    ));
    let named = Attachment::new("image/png", PHOTO_PNG).unwrap();
    assert!(matches!(
        base().version_1().with_attachments(vec![named]),
        Err(BundleError::AttachmentForm(_))
    ));
}

#[test]
fn semantic_payload_checks() {
    let good = gen_vectors::payload();
    let mut p = good.clone();
    p.inspections[0].checklist.content_hash = ContentHash("abc".into());
    assert!(
        matches!(verify_payload(&p), Err(VerifyError::Schema(m)) if m.contains("content_hash"))
    );

    let mut p = good.clone();
    p.inspections.clear();
    assert!(matches!(verify_payload(&p), Err(VerifyError::Schema(_))));

    let mut p = good.clone();
    p.inspections[0].sealed_at = None;
    assert!(matches!(verify_payload(&p), Err(VerifyError::Schema(m)) if m.contains("not sealed")));

    let mut p = good.clone();
    p.previous_payload_sha256 = GENESIS_HASH.to_uppercase().replace('0', "A");
    assert!(matches!(verify_payload(&p), Err(VerifyError::Schema(_))));

    // A credit code with a wrong check character fails the strict parse (step 9).
    let text = String::from_utf8(good.to_bytes()).unwrap();
    let bad_code = text.replacen("91440300708461136T", "91440300708461136U", 1);
    assert!(matches!(
        verify_text(&bad_code),
        Err(VerifyError::Schema(_))
    ));
}

#[test]
fn url_safe_unpadded_base64_in_the_envelope_is_accepted() {
    let payload = gen_vectors::payload().to_bytes();
    let envelope = sign_with(&key(), &payload);
    let to_url = |s: &str| s.trim_end_matches('=').replace('+', "-").replace('/', "_");
    let relaxed = Envelope {
        payload: to_url(&envelope.payload),
        signatures: vec![dsse::Signature {
            keyid: envelope.signatures[0].keyid.clone(),
            sig: to_url(&envelope.signatures[0].sig),
        }],
        ..envelope.clone()
    };
    assert_ne!(relaxed, envelope);
    let verified = verify_bundle_full(relaxed.to_json().as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(verified.payload_bytes, payload);
    assert_eq!(
        b64_decode(&relaxed.signatures[0].sig).unwrap(),
        b64_decode(&envelope.signatures[0].sig).unwrap()
    );
}

#[test]
fn error_codes_are_distinct() {
    use std::collections::BTreeSet;
    let errors = [
        VerifyError::MalformedEnvelope(String::new()),
        VerifyError::WrongPayloadType(String::new()),
        VerifyError::SignatureCount(0),
        VerifyError::Encoding(String::new()),
        VerifyError::UnknownKey(String::new()),
        VerifyError::RevokedKey {
            key_id: String::new(),
            reason: String::new(),
        },
        VerifyError::KeyMismatch(String::new()),
        VerifyError::BadSignature(String::new()),
        VerifyError::Schema(String::new()),
        VerifyError::SchemaVersion(2),
        AttachmentError::MediaType {
            index: 0,
            media_type: String::new(),
        }
        .into(),
        AttachmentError::BadHash {
            index: 0,
            sha256: String::new(),
        }
        .into(),
        AttachmentError::Encoding {
            sha256: String::new(),
            reason: String::new(),
        }
        .into(),
        AttachmentError::SizeMismatch {
            sha256: String::new(),
            declared: 0,
            actual: 1,
        }
        .into(),
        AttachmentError::HashMismatch {
            declared: String::new(),
            actual: String::new(),
        }
        .into(),
        AttachmentError::Duplicate(String::new()).into(),
        AttachmentError::Missing {
            inspection: Uuid::nil(),
            item: String::new(),
            sha256: String::new(),
        }
        .into(),
        ChainRuleError::FirstWithoutGenesis.into(),
        ChainRuleError::GenesisAfterFirst(2).into(),
        ChainRuleError::SequenceTooLarge(0).into(),
        ChainRuleError::DuplicateInspection(Uuid::nil()).into(),
    ];
    let codes: BTreeSet<&str> = errors.iter().map(VerifyError::code).collect();
    assert_eq!(codes.len(), errors.len());
    // Every code is documented in the spec's error table.
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/bundle-format.md"
    ))
    .unwrap();
    for code in codes {
        assert!(
            spec.contains(&format!("`{code}`")),
            "{code} is not in docs/bundle-format.md"
        );
    }
}
