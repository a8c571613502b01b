//! Signing and verifying bundles: a valid bundle verifies, any alteration is rejected.

use chrono::Utc;
use ed25519_dalek::SigningKey;
use paicha_core::bundle::{ChainState, sign_with};
use paicha_core::dsse::{b64_decode, b64_encode};
use paicha_core::verify::{EmbeddedKey, VerifyError, verify_bundle};
use paicha_core::*;
use uuid::Uuid;

mod support;

use gen_vectors::key;
use support::vectors as gen_vectors;

/// A sealed inspection with one major hazard, signed by the test key's device.
fn signed_bundle(key: &SigningKey, chain: &ChainState) -> (Vec<u8>, Envelope) {
    let checklist = gen_vectors::checklist();
    let mut inspection = support::start(&checklist, 1);
    let t0 = inspection.started_at;
    inspection
        .answer(
            &checklist,
            "A-01",
            Verdict::MajorHazard,
            "防静电接地线断开",
            t0,
        )
        .unwrap();
    inspection.seal(&checklist, t0).unwrap();
    let payload = gen_vectors::bare_payload(inspection, key, chain).to_bytes();
    let envelope = sign_with(key, &payload);
    (payload, envelope)
}

#[test]
fn a_signed_bundle_verifies_and_names_its_signer() {
    let (payload, envelope) = signed_bundle(&key(), &ChainState::default());
    let verified = verify_bundle(envelope.to_json().as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(verified.payload.inspector.name, "张三");
    assert_eq!(verified.payload.sequence, 1);
    assert_eq!(verified.payload_bytes, payload);
    assert_eq!(
        verified.key_id,
        KeyId::from_public_key(&key().verifying_key().to_bytes())
    );
}

#[test]
fn every_single_payload_byte_flip_is_rejected() {
    let (payload, envelope) = signed_bundle(&key(), &ChainState::default());
    for i in (0..payload.len()).step_by(7) {
        let mut altered = payload.clone();
        altered[i] ^= 0x01;
        let tampered = Envelope {
            payload: b64_encode(&altered),
            ..envelope.clone()
        };
        let err = verify_bundle(tampered.to_json().as_bytes(), &EmbeddedKey).unwrap_err();
        // A flip inside the embedded key is caught as a key mismatch or a malformed key; all
        // other flips break the signature.
        assert!(
            matches!(
                err,
                VerifyError::BadSignature(_)
                    | VerifyError::KeyMismatch(_)
                    | VerifyError::Schema(_)
                    | VerifyError::Encoding(_)
            ),
            "byte {i}: {err:?}"
        );
    }
}

#[test]
fn payload_type_signature_and_key_id_are_all_bound() {
    let (_, envelope) = signed_bundle(&key(), &ChainState::default());
    let wrong_type = Envelope {
        payload_type: "application/json".into(),
        ..envelope.clone()
    };
    assert!(matches!(
        verify_bundle(wrong_type.to_json().as_bytes(), &EmbeddedKey),
        Err(VerifyError::WrongPayloadType(_))
    ));

    let mut bad_sig = envelope.clone();
    let mut sig = b64_decode(&bad_sig.signatures[0].sig).unwrap();
    sig[10] ^= 0x80;
    bad_sig.signatures[0].sig = b64_encode(&sig);
    assert!(matches!(
        verify_bundle(bad_sig.to_json().as_bytes(), &EmbeddedKey),
        Err(VerifyError::BadSignature(_))
    ));

    let mut other_key = envelope.clone();
    other_key.signatures[0].keyid = KeyId::from_public_key(&[1u8; 32]).to_string();
    assert!(matches!(
        verify_bundle(other_key.to_json().as_bytes(), &EmbeddedKey),
        Err(VerifyError::KeyMismatch(_))
    ));

    let mut two = envelope.clone();
    two.signatures.push(envelope.signatures[0].clone());
    assert!(matches!(
        verify_bundle(two.to_json().as_bytes(), &EmbeddedKey),
        Err(VerifyError::SignatureCount(2))
    ));

    assert!(matches!(
        verify_bundle(b"{not json", &EmbeddedKey),
        Err(VerifyError::MalformedEnvelope(_))
    ));
}

#[test]
fn a_bundle_signed_by_another_key_claiming_this_device_is_rejected() {
    // An attacker re-signs an altered payload with their own key but keeps the victim's key id.
    let (payload, envelope) = signed_bundle(&key(), &ChainState::default());
    let attacker = SigningKey::from_bytes(&[9u8; 32]);
    let forged = sign_with(&attacker, &payload);
    let mut mixed = forged.clone();
    mixed.signatures[0].keyid = envelope.signatures[0].keyid.clone();
    assert!(matches!(
        verify_bundle(mixed.to_json().as_bytes(), &EmbeddedKey),
        Err(VerifyError::BadSignature(_))
    ));
}

#[test]
fn the_chain_advances_by_sequence_and_payload_hash() {
    let genesis = ChainState::default();
    let (first, _) = signed_bundle(&key(), &genesis);
    let next = genesis.after(&first);
    assert_eq!(next.next_sequence, 2);
    assert_eq!(next.previous_payload_sha256, sha256_hex(&first));
    let (_, second) = signed_bundle(&key(), &next);
    let verified = verify_bundle(second.to_json().as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(verified.payload.sequence, 2);
    assert_eq!(verified.payload.previous_payload_sha256, sha256_hex(&first));
}

#[test]
fn unsealed_inspections_cannot_be_bundled_and_seal_demands_descriptions() {
    let checklist =
        Checklist::from_toml("minimal.toml", include_str!("fixtures/minimal.toml")).unwrap();
    let now = Utc::now();
    let site = Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
    let inspector = Inspector::new("李四", "123").unwrap();
    let mut inspection =
        Inspection::start(Uuid::from_u128(3), site, &checklist, inspector.clone(), now);
    assert_eq!(
        inspection.seal(&checklist, now),
        Err(InspectionError::NothingAnswered)
    );
    inspection
        .answer(&checklist, "A-01", Verdict::GeneralHazard, "  ", now)
        .unwrap();
    assert_eq!(
        inspection.seal(&checklist, now),
        Err(InspectionError::HazardsWithoutDescription(vec![
            "A-01".into()
        ]))
    );
    let device = DeviceInfo::from_public_key(&[0u8; 32]);
    let err = BundlePayload::new(
        Uuid::from_u128(4),
        now,
        "0.1.0",
        device,
        &ChainState::default(),
        inspector,
        vec![inspection.clone()],
    );
    assert!(err.is_err());
    inspection
        .answer(&checklist, "A-01", Verdict::GeneralHazard, "通道堵塞", now)
        .unwrap();
    inspection.seal(&checklist, now).unwrap();
    assert_eq!(
        inspection.answer(&checklist, "A-01", Verdict::Compliant, "", now),
        Err(InspectionError::Sealed)
    );
}
