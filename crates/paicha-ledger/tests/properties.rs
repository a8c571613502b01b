//! Property-based tests of the parser and verifier on the import path: no input makes them
//! panic, and no change to a valid envelope verifies unless it changes nothing that is signed.
//! `PROPTEST_CASES=N` runs more cases (default 256 per property).

mod common;

use common::*;
use paicha_core::dsse::{self, Envelope};
use paicha_core::verify::{EmbeddedKey, verify_bundle_full};
use paicha_ledger::import::{parse_upload, verify_with_registry};
use paicha_ledger::store::Device;
use proptest::prelude::*;
use std::sync::LazyLock;

static GOOD: LazyLock<String> = LazyLock::new(good_bundle);

static DEVICE: LazyLock<Device> = LazyLock::new(|| {
    let new = Phone::new(7).new_device();
    Device {
        key_id: new.key_id,
        public_key: new.public_key,
        inspector_name: new.inspector_name,
        cert_no: new.cert_no,
        organisation: new.organisation,
        enrolled_at: t(0),
        revoked_at: None,
        revoke_reason: None,
        account_id: None,
        account_disabled_at: None,
    }
});

/// The import path without a database, with the default phone's key enrolled.
fn import_check(bytes: &[u8]) -> Option<paicha_core::VerifiedBundle> {
    let parsed = parse_upload(bytes).ok()?;
    let device = (parsed.claimed_key.as_ref() == Some(&DEVICE.key_id)).then_some(&*DEVICE);
    verify_with_registry(parsed, device).ok()
}

/// What the signature covers: payload type, payload bytes, signer, signature.
fn signed_content(bundle: &paicha_core::VerifiedBundle) -> (String, Vec<u8>, String, Vec<u8>) {
    let sig = &bundle.envelope.signatures[0];
    (
        bundle.envelope.payload_type.clone(),
        bundle.payload_bytes.clone(),
        sig.keyid.clone(),
        dsse::b64_decode(&sig.sig).unwrap(),
    )
}

fn original() -> (String, Vec<u8>, String, Vec<u8>) {
    signed_content(&verify_bundle_full(GOOD.as_bytes(), &EmbeddedKey).unwrap())
}

/// Envelope-shaped JSON with arbitrary field contents, to get past the JSON parser.
fn envelope_like() -> impl Strategy<Value = String> {
    (
        any::<Vec<u8>>(),
        prop_oneof![
            Just(paicha_core::PAYLOAD_TYPE.to_string()),
            ".{0,40}".prop_map(|s| s)
        ],
        proptest::collection::vec(("[0-9a-fA-F]{0,70}", any::<Vec<u8>>()), 0..3),
    )
        .prop_map(|(payload, payload_type, sigs)| {
            serde_json::json!({
                "payload": dsse::b64_encode(&payload),
                "payloadType": payload_type,
                "signatures": sigs
                    .into_iter()
                    .map(|(keyid, sig)| serde_json::json!({"keyid": keyid, "sig": dsse::b64_encode(&sig)}))
                    .collect::<Vec<_>>(),
            })
            .to_string()
        })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_never_verify(bytes in any::<Vec<u8>>()) {
        prop_assert!(verify_bundle_full(&bytes, &EmbeddedKey).is_err());
        prop_assert!(import_check(&bytes).is_none());
    }

    #[test]
    fn arbitrary_envelopes_never_panic_and_never_verify(text in envelope_like()) {
        prop_assert!(verify_bundle_full(text.as_bytes(), &EmbeddedKey).is_err());
        prop_assert!(import_check(text.as_bytes()).is_none());
    }

    #[test]
    fn a_changed_byte_of_the_file_verifies_only_if_nothing_signed_changed(
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = GOOD.as_bytes().to_vec();
        let i = index.index(bytes.len());
        bytes[i] = byte;
        for verified in [verify_bundle_full(&bytes, &EmbeddedKey).ok(), import_check(&bytes)]
            .into_iter()
            .flatten()
        {
            // E.g. '+' -> '-' in the base64 (both alphabets decode alike) or a space for the
            // final newline: the file differs, what was signed does not.
            prop_assert_eq!(signed_content(&verified), original(), "byte {} -> {:#04x}", i, byte);
        }
    }

    #[test]
    fn a_changed_payload_never_verifies(
        index in any::<prop::sample::Index>(),
        mask in 1u8..,
        truncate in any::<bool>(),
    ) {
        let mut envelope: Envelope = serde_json::from_str(&GOOD).unwrap();
        let mut payload = dsse::b64_decode(&envelope.payload).unwrap();
        let i = index.index(payload.len());
        if truncate {
            payload.truncate(i);
        } else {
            payload[i] ^= mask;
        }
        envelope.payload = dsse::b64_encode(&payload);
        let bytes = envelope.to_json();
        prop_assert!(verify_bundle_full(bytes.as_bytes(), &EmbeddedKey).is_err());
        prop_assert!(import_check(bytes.as_bytes()).is_none());
    }

    #[test]
    fn a_changed_signature_never_verifies(index in 0usize..64, mask in 1u8..) {
        let mut envelope: Envelope = serde_json::from_str(&GOOD).unwrap();
        let mut sig = dsse::b64_decode(&envelope.signatures[0].sig).unwrap();
        sig[index] ^= mask;
        envelope.signatures[0].sig = dsse::b64_encode(&sig);
        let bytes = envelope.to_json();
        prop_assert!(verify_bundle_full(bytes.as_bytes(), &EmbeddedKey).is_err());
        prop_assert!(import_check(bytes.as_bytes()).is_none());
    }
}

#[test]
fn the_unchanged_envelope_verifies_on_both_paths() {
    assert!(verify_bundle_full(GOOD.as_bytes(), &EmbeddedKey).is_ok());
    assert!(import_check(GOOD.as_bytes()).is_some());
}
