//! The test vectors of `tests/vectors/` (see its README.md): regenerated here byte for byte,
//! verified step by step, and each negative vector rejected with its error.
//!
//! To update the files after a deliberate format change:
//! `PAICHA_UPDATE_VECTORS=1 cargo test -p paicha-core --test vectors`
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::vectors as gen_vectors;

use ed25519_dalek::{Signature, VerifyingKey};
use paicha_core::bundle::PAYLOAD_TYPE;
use paicha_core::dsse::{Envelope, b64_decode, pae};
use paicha_core::verify::{EmbeddedKey, verify_bundle, verify_bundle_full};
use paicha_core::{KeyId, hex, sha256_hex};
use std::path::{Path, PathBuf};

const UPDATE: &str = "PAICHA_UPDATE_VECTORS";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dir() -> PathBuf {
    root().join("tests/vectors")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(dir().join(rel)).unwrap_or_else(|e| {
        panic!(
            "tests/vectors/{rel}: {e}; run `{UPDATE}=1 cargo test -p paicha-core --test vectors`"
        )
    })
}

fn read_text(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

#[test]
fn the_checked_in_vectors_are_exactly_what_the_code_produces() {
    let files = gen_vectors::files();
    if std::env::var_os(UPDATE).is_some() {
        for (rel, bytes) in &files {
            let path = dir().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (rel, bytes) in &files {
        match std::fs::read(dir().join(rel)) {
            Ok(on_disk) if &on_disk == bytes => {}
            Ok(_) => stale.push(format!("{rel} differs")),
            Err(e) => stale.push(format!("{rel}: {e}")),
        }
    }
    // Files nobody generates any more must go too (README.md files are written by hand).
    for sub in [
        "bundle-v1",
        "bundle-v2",
        "bundle-v2/blobs",
        "negative",
        "negative-archive",
    ] {
        for entry in std::fs::read_dir(dir().join(sub)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let rel = format!("{sub}/{name}");
            let is_dir = dir().join(&rel).is_dir();
            if name != "README.md" && !is_dir && !files.iter().any(|(r, _)| *r == rel) {
                stale.push(format!("{rel} is not generated any more: delete it"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "tests/vectors/ is out of date:\n  {}\nIf the format changed on purpose, run \
         `{UPDATE}=1 cargo test -p paicha-core --test vectors`, then update the worked \
         example in docs/bundle-format.md and tests/vectors/*/README.md.",
        stale.join("\n  ")
    );
}

#[test]
fn the_positive_vector_checks_out_at_every_step() {
    let seed: [u8; 32] = hex_decode(read_text("bundle-v1/seed.hex").trim())
        .try_into()
        .unwrap();
    assert_eq!(seed, [7u8; 32]);
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    assert_eq!(hex(&public), read_text("bundle-v1/public_key.hex").trim());
    let key_id = KeyId::from_public_key(&public);
    assert_eq!(key_id.as_str(), read_text("bundle-v1/key_id.txt").trim());

    let envelope_bytes = read("bundle-v1/envelope.json");
    let envelope: Envelope = serde_json::from_slice(&envelope_bytes).unwrap();
    assert_eq!(envelope.payload_type, PAYLOAD_TYPE);
    assert_eq!(envelope.signatures.len(), 1);
    assert_eq!(envelope.signatures[0].keyid, key_id.as_str());
    // Re-serialising the parsed envelope gives the file back: it is stored, never rebuilt.
    assert_eq!(envelope.to_json().as_bytes(), envelope_bytes.as_slice());

    let payload = b64_decode(&envelope.payload).unwrap();
    assert_eq!(payload, read("bundle-v1/payload.json"));
    assert_eq!(
        sha256_hex(&payload),
        read_text("bundle-v1/payload.sha256").trim()
    );

    let pae_bytes = pae(PAYLOAD_TYPE, &payload);
    assert_eq!(
        pae_bytes,
        b64_decode(read_text("bundle-v1/pae.b64").trim()).unwrap()
    );
    let header = format!("DSSEv1 37 {PAYLOAD_TYPE} {} ", payload.len());
    assert!(pae_bytes.starts_with(header.as_bytes()));

    let signature = b64_decode(&envelope.signatures[0].sig).unwrap();
    assert_eq!(hex(&signature), read_text("bundle-v1/signature.hex").trim());
    VerifyingKey::from_bytes(&public)
        .unwrap()
        .verify_strict(&pae_bytes, &Signature::from_slice(&signature).unwrap())
        .unwrap();

    let photo = read("bundle-v1/photo.png");
    let verified = verify_bundle_full(&envelope_bytes, &EmbeddedKey).unwrap();
    assert_eq!(verified.payload.attachments.len(), 1);
    assert_eq!(verified.payload.attachments[0].sha256, sha256_hex(&photo));
    assert_eq!(
        verified.payload.attachments[0].checked_bytes(0).unwrap(),
        photo
    );
    let answer = &verified.payload.inspections[0].answers["A-01"];
    assert_eq!(answer.photos, vec![sha256_hex(&photo)]);
    assert_eq!(verified.payload.sequence, 1);
    assert_eq!(verified.payload_sha256, sha256_hex(&payload));

    let expected: serde_json::Value =
        serde_json::from_slice(&read("bundle-v1/expected.json")).unwrap();
    assert_eq!(expected["key_id"], key_id.as_str());
    assert_eq!(expected["payload_sha256"], sha256_hex(&payload));
    assert_eq!(
        expected["signature_b64"],
        envelope.signatures[0].sig.as_str()
    );
}

#[test]
fn every_negative_vector_fails_with_its_expected_error() {
    let manifest: Vec<serde_json::Value> =
        serde_json::from_slice(&read("negative/manifest.json")).unwrap();
    assert!(manifest.len() >= 5);
    for entry in manifest {
        let file = entry["file"].as_str().unwrap();
        let expected = entry["error"].as_str().unwrap();
        let step = entry["step"].as_u64().unwrap();
        let bytes = read(&format!("negative/{file}"));
        let err = verify_bundle_full(&bytes, &EmbeddedKey).unwrap_err();
        assert_eq!(err.code(), expected, "{file}: {err}");
        // Chain rules (step 11) are the only ones `verify_bundle` leaves to its caller.
        let relaxed = verify_bundle(&bytes, &EmbeddedKey);
        if step == 11 {
            assert!(relaxed.is_ok(), "{file}: {relaxed:?}");
        } else {
            assert_eq!(relaxed.unwrap_err(), err, "{file}");
        }
        // Every rejection explains itself.
        assert!(err.to_string().len() > 20, "{file}: {err}");
    }
}

#[test]
fn the_forgeries_would_pass_a_lenient_verifier() {
    // The small-order and non-canonical-S vectors only test something if a verifier without
    // those checks accepts them. `verify` (not `verify_strict`) is such a verifier for the
    // small-order key; the S + L one is checked arithmetically.
    let bytes = read("negative/small-order-key.json");
    let envelope: Envelope = serde_json::from_slice(&bytes).unwrap();
    let payload = b64_decode(&envelope.payload).unwrap();
    let sig = b64_decode(&envelope.signatures[0].sig).unwrap();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = VerifyingKey::from_bytes(&identity).unwrap();
    assert!(weak.is_weak());
    use ed25519_dalek::Verifier;
    weak.verify(
        &pae(PAYLOAD_TYPE, &payload),
        &Signature::from_slice(&sig).unwrap(),
    )
    .expect("the lenient check accepts the small-order forgery");

    let good: Envelope = serde_json::from_slice(&read("bundle-v1/envelope.json")).unwrap();
    let bad: Envelope = serde_json::from_slice(&read("negative/non-canonical-s.json")).unwrap();
    let (good, bad) = (
        b64_decode(&good.signatures[0].sig).unwrap(),
        b64_decode(&bad.signatures[0].sig).unwrap(),
    );
    assert_eq!(good[..32], bad[..32], "R unchanged");
    let mut s = good[32..].to_vec();
    gen_vectors::add_group_order(&mut s);
    assert_eq!(s, bad[32..], "S' = S + L");
}

/// The encodings docs/bundle-format.md lists as small-order points: each is weak (or not a
/// point at all), and together they are all the encodings of the eight small-order points.
#[test]
fn the_small_order_encodings_in_the_spec_are_exactly_the_weak_ones() {
    let spec = std::fs::read_to_string(root().join("docs/bundle-format.md")).unwrap();
    let listed: Vec<[u8; 32]> = spec
        .lines()
        .skip_while(|l| !l.contains("<!-- small-order-encodings -->"))
        .skip(1)
        .take_while(|l| !l.contains("<!-- /small-order-encodings -->"))
        .filter_map(|l| {
            // "- `<64 hex digits>` what it is"
            let hex64 = l.split('`').nth(1)?;
            (hex64.len() == 64).then(|| hex_decode(hex64).try_into().unwrap())
        })
        .collect();
    assert_eq!(listed.len(), 14, "the spec lists 14 encodings");
    let mut points = std::collections::BTreeSet::new();
    for bytes in &listed {
        let key = VerifyingKey::from_bytes(bytes)
            .unwrap_or_else(|_| panic!("{} decodes in ed25519-dalek", hex(bytes)));
        assert!(key.is_weak(), "{} is listed but not weak", hex(bytes));
        points.insert(key.to_edwards().compress().to_bytes());
    }
    assert_eq!(points.len(), 8, "all eight small-order points are covered");
    // And a strong key is not on the list.
    let strong = gen_vectors::key().verifying_key().to_bytes();
    assert!(!listed.contains(&strong));
}

#[test]
fn the_worked_example_in_the_spec_is_the_vector() {
    let spec = std::fs::read_to_string(root().join("docs/bundle-format.md")).unwrap();
    let expected: serde_json::Value =
        serde_json::from_slice(&read("bundle-v1/expected.json")).unwrap();
    let mut missing = Vec::new();
    for field in [
        "public_key_hex",
        "public_key_b64",
        "key_id",
        "payload_sha256",
        "pae_prefix",
        "pae_sha256",
        "signature_hex",
        "signature_b64",
        "attachment_sha256",
        "envelope_sha256",
    ] {
        let value = expected[field].as_str().unwrap();
        if !spec.contains(value) {
            missing.push(format!("{field} = {value}"));
        }
    }
    for (what, text) in [
        ("payload.json", read_text("bundle-v1/payload.json")),
        ("envelope.json", read_text("bundle-v1/envelope.json")),
    ] {
        if !spec.contains(text.trim_end()) {
            missing.push(format!("the exact content of {what}"));
        }
    }
    let lengths = format!("{} bytes", expected["payload_length"].as_u64().unwrap());
    if !spec.contains(&lengths) {
        missing.push(format!("payload length {lengths}"));
    }
    assert!(
        missing.is_empty(),
        "docs/bundle-format.md's worked example does not match tests/vectors/bundle-v1:\n  {}",
        missing.join("\n  ")
    );
}

fn hex_decode(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "{text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_timestamp_spellings_section_8_allows_verify() {
    let text = String::from_utf8(gen_vectors::payload().to_bytes()).unwrap();
    for spelling in [
        "2026-11-29T17:00:00+08:00",
        "2026-11-29T09:00:00-00:00",
        "2026-11-29T09:00:00.123456789Z",
        "2026-11-29T09:00:00.5Z",
        "2026-11-29T04:30:00-04:30",
    ] {
        let payload = text.replacen(
            r#""created_at":"2026-11-29T09:00:00Z""#,
            &format!(r#""created_at":"{spelling}""#),
            1,
        );
        assert_ne!(payload, text);
        let envelope = paicha_core::bundle::sign_with(&gen_vectors::key(), payload.as_bytes());
        let verified = verify_bundle(envelope.to_json().as_bytes(), &EmbeddedKey);
        assert!(verified.is_ok(), "{spelling}: {verified:?}");
    }
    for not in [
        "2026-11-29T09:00:00",
        "2026-11-29T09:00Z",
        "2026-11-29T09:00:00.Z",
        " 2026-11-29T09:00:00Z",
    ] {
        assert!(!paicha_core::verify::is_timestamp(not), "{not}");
    }
}
