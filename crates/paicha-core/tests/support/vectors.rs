//! The test vectors of `tests/vectors/`, generated in memory. Ed25519 signatures are
//! deterministic, so these bytes never change unless the format or the payload does.
//! Shared by the native vector test (which compares with the checked-in files) and the wasm32
//! test (which checks that the browser build produces the same bytes).

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use ed25519_dalek::SigningKey;
use paicha_core::bundle::{ChainState, sign_with};
use paicha_core::dsse::{Envelope, b64_encode, pae};
use paicha_core::*;
use uuid::Uuid;

/// The TEST key's seed: 32 bytes 0x07. Never use it for anything real.
pub const SEED: [u8; 32] = [7u8; 32];
/// Another TEST key (32 bytes 0x09), for the wrong-key-id vector.
pub const OTHER_SEED: [u8; 32] = [9u8; 32];

/// A 1×1 orange (#FF6600) PNG, 69 bytes.
pub const PHOTO_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0x9f, 0xc6, 0x00,
    0x00, 0x03, 0xcd, 0x01, 0x66, 0xfd, 0x91, 0x2c, 0xf6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

pub const CHECKLIST_TOML: &str = include_str!("../fixtures/minimal.toml");

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&SEED)
}

pub fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, hour, minute, 0).unwrap()
}

pub fn checklist() -> Checklist {
    Checklist::from_toml("minimal.toml", CHECKLIST_TOML).unwrap()
}

/// The vector's inspection: one major hazard (A-01) with one photo; A-02 does not apply.
pub fn inspection() -> Inspection {
    let checklist = checklist();
    let site = Site::new(
        "某烟花爆竹有限公司",
        CreditCode::parse("91440300708461136T").unwrap(),
    )
    .unwrap();
    let inspector = Inspector::new("张三", "44010012345").unwrap();
    let mut inspection = Inspection::start(
        Uuid::parse_str("3f2b8c1e-7a4d-4f6b-9e2a-5c8d1b0a7e64").unwrap(),
        site,
        &checklist,
        inspector,
        at(8, 0),
    );
    inspection
        .set_applicability(&checklist, [("retail_point".to_string(), false)].into())
        .unwrap();
    inspection
        .answer(
            &checklist,
            "A-01",
            Verdict::MajorHazard,
            "防静电接地线断开",
            at(8, 10),
        )
        .unwrap();
    inspection
        .attach_photo("A-01", &sha256_hex(PHOTO_PNG))
        .unwrap();
    inspection.seal(&checklist, at(8, 30)).unwrap();
    inspection
}

pub fn bundle_id() -> Uuid {
    Uuid::parse_str("8d4e2f60-1c3b-4a5d-9e7f-0a1b2c3d4e5f").unwrap()
}

/// A payload of `key`'s device carrying `inspection` alone: the vector's bundle id and time,
/// no co-inspectors, no attachments.
pub fn bare_payload(inspection: Inspection, key: &SigningKey, chain: &ChainState) -> BundlePayload {
    BundlePayload::new(
        bundle_id(),
        at(9, 0),
        "0.1.0",
        DeviceInfo::from_public_key(&key.verifying_key().to_bytes()),
        chain,
        inspection.inspector.clone(),
        vec![inspection],
    )
    .unwrap()
}

/// The version 1 vector's payload for `key`: the photo embedded.
pub fn payload_for(key: &SigningKey) -> BundlePayload {
    bare_payload(inspection(), key, &ChainState::default())
        .version_1()
        .with_co_inspectors(vec![Inspector::new("李四", "44010067890").unwrap()])
        .with_attachments(vec![Attachment::embedded("image/png", PHOTO_PNG).unwrap()])
        .unwrap()
}

/// The version 1 vector's payload (`bundle-v1/`).
pub fn payload() -> BundlePayload {
    payload_for(&key())
}

/// The version 2 vector's payload (`bundle-v2/`): the same inspection, its photo named only.
pub fn payload_v2() -> BundlePayload {
    bare_payload(inspection(), &key(), &ChainState::default())
        .with_co_inspectors(vec![Inspector::new("李四", "44010067890").unwrap()])
        .with_attachments(vec![Attachment::new("image/png", PHOTO_PNG).unwrap()])
        .unwrap()
}

/// One negative vector: a file, the error the reference verifier reports, the spec step that
/// catches it and why.
pub struct Negative {
    pub name: &'static str,
    pub error: &'static str,
    pub step: u32,
    pub description: &'static str,
    pub envelope: String,
}

fn json_text(envelope: &Envelope) -> String {
    envelope.to_json()
}

fn resign(payload: &[u8]) -> Envelope {
    sign_with(&key(), payload)
}

/// Replaces `from` (which must occur exactly once) in `text`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

pub fn negatives() -> Vec<Negative> {
    let good_bytes = payload().to_bytes();
    let text = String::from_utf8(good_bytes.clone()).unwrap();
    let good = sign_with(&key(), &good_bytes);
    let mut out = Vec::new();

    let tampered = replace_once(
        &text,
        r#""app_version":"0.1.0""#,
        r#""app_version":"0.1.1""#,
    );
    out.push(Negative {
        name: "tampered-payload-byte",
        error: "bad_signature",
        step: 8,
        description: "one payload byte changed after signing (app_version 0.1.0 -> 0.1.1)",
        envelope: json_text(&Envelope {
            payload: b64_encode(tampered.as_bytes()),
            ..good.clone()
        }),
    });

    out.push(Negative {
        name: "swapped-payload-type",
        error: "wrong_payload_type",
        step: 2,
        description: "payloadType changed to application/json (PAE binds it: the signature \
                      would not verify either)",
        envelope: json_text(&Envelope {
            payload_type: "application/json".into(),
            ..good.clone()
        }),
    });

    let mut sig = good.signatures[0].clone();
    let mut bytes = paicha_core::dsse::b64_decode(&sig.sig).unwrap();
    bytes[10] ^= 0x01;
    sig.sig = b64_encode(&bytes);
    out.push(Negative {
        name: "bad-signature",
        error: "bad_signature",
        step: 8,
        description: "one bit of the signature flipped (byte 10, inside R)",
        envelope: json_text(&Envelope {
            signatures: vec![sig],
            ..good.clone()
        }),
    });

    let other = SigningKey::from_bytes(&OTHER_SEED);
    let mut sig = good.signatures[0].clone();
    sig.keyid = KeyId::from_public_key(&other.verifying_key().to_bytes()).to_string();
    out.push(Negative {
        name: "wrong-keyid",
        error: "key_mismatch",
        step: 6,
        description: "keyid names another key (seed 32 x 0x09); the embedded public key does \
                      not hash to it",
        envelope: json_text(&Envelope {
            signatures: vec![sig],
            ..good.clone()
        }),
    });

    // S + L: the same signature with a non-canonical scalar. Lenient verifiers that reduce S
    // accept it; RFC 8032 and verify_strict do not.
    let mut sig = good.signatures[0].clone();
    let mut bytes = paicha_core::dsse::b64_decode(&sig.sig).unwrap();
    add_group_order(&mut bytes[32..]);
    sig.sig = b64_encode(&bytes);
    out.push(Negative {
        name: "non-canonical-s",
        error: "bad_signature",
        step: 8,
        description: "S replaced by S + L (L = the group order): not canonical, must be rejected",
        envelope: json_text(&Envelope {
            signatures: vec![sig],
            ..good.clone()
        }),
    });

    // The identity point as public key, with R = identity and S = 0: [S]B = R + [k]A holds for
    // every message, so a verifier that does not reject small-order keys accepts this forgery.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut weak = payload_for(&key());
    weak.device = DeviceInfo::from_public_key(&identity);
    let weak_bytes = weak.to_bytes();
    let mut forged_sig = [0u8; 64];
    forged_sig[..32].copy_from_slice(&identity);
    out.push(Negative {
        name: "small-order-key",
        error: "bad_signature",
        step: 8,
        description: "public key is the identity point (small order) and the signature R = \
                      identity, S = 0: valid for any message under cofactorless verification \
                      without the small-order check",
        envelope: json_text(&Envelope::new(
            PAYLOAD_TYPE,
            &weak_bytes,
            &KeyId::from_public_key(&identity),
            &forged_sig,
        )),
    });

    // Signed correctly, but the attachment's bytes are not the ones its sha256 names.
    let mut altered_png = PHOTO_PNG.to_vec();
    altered_png[0x2f] ^= 0xff; // inside the IDAT data
    let mut bad = payload();
    bad.attachments[0].data = Some(b64_encode(&altered_png));
    out.push(Negative {
        name: "attachment-hash-mismatch",
        error: "attachment_hash_mismatch",
        step: 10,
        description: "validly signed; the attachment's data (one byte changed) does not hash \
                      to its declared sha256",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    let mut bad = payload();
    bad.attachments[0].size += 1;
    out.push(Negative {
        name: "attachment-size-mismatch",
        error: "attachment_size_mismatch",
        step: 10,
        description: "validly signed; the attachment declares 70 bytes but its data has 69",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    let mut bad = payload();
    bad.attachments.clear();
    out.push(Negative {
        name: "attachment-missing",
        error: "attachment_missing",
        step: 10,
        description: "validly signed; answer A-01 names a photo that the bundle does not embed",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    let mut bad = payload();
    let again = bad.attachments[0].clone();
    bad.attachments.push(again);
    out.push(Negative {
        name: "attachment-duplicate",
        error: "attachment_duplicate",
        step: 10,
        description: "validly signed; the same attachment embedded twice",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    let mut bad = payload();
    bad.attachments[0].media_type = "image/gif".into();
    out.push(Negative {
        name: "attachment-media-type",
        error: "attachment_media_type",
        step: 10,
        description: "validly signed; media type image/gif is not allowed",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    let mut bad = payload();
    bad.previous_payload_sha256 = sha256_hex(b"not the genesis");
    out.push(Negative {
        name: "first-without-genesis",
        error: "chain_first_without_genesis",
        step: 11,
        description: "validly signed; sequence 1 names a previous payload hash other than the \
                      genesis hash",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    let mut bad = payload();
    bad.sequence = 2;
    out.push(Negative {
        name: "genesis-after-first",
        error: "chain_genesis_after_first",
        step: 11,
        description: "validly signed; sequence 2 names the genesis hash",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    // The same item twice in one JSON object: parsers disagree on which value wins, so the
    // verifier refuses the payload instead of picking one.
    let start = text.find(r#""A-01":{"verdict":"major_hazard""#).unwrap();
    let first = &text[start..start + text[start..].find('}').unwrap() + 1];
    let shadow =
        r#""A-01":{"verdict":"compliant","description":"","answered_at":"2026-11-29T08:20:00Z"}"#;
    let duplicated = replace_once(&text, first, &format!("{first},{shadow}"));
    out.push(Negative {
        name: "duplicate-json-key",
        error: "schema",
        step: 9,
        description: "validly signed; the answers object names item A-01 twice (major hazard, \
                      then compliant)",
        envelope: json_text(&resign(duplicated.as_bytes())),
    });

    // Timestamps have one spelling (section 8): each of these is RFC 3339 to some parser, and
    // chrono's lenient one reads most of them, but verifiers would disagree.
    for (name, spelling, what) in [
        (
            "timestamp-space",
            "2026-11-29 09:00:00Z",
            "a space between date and time",
        ),
        (
            "timestamp-lower-case-t",
            "2026-11-29t09:00:00Z",
            "a lower-case t",
        ),
        (
            "timestamp-lower-case-z",
            "2026-11-29T09:00:00z",
            "a lower-case z",
        ),
        (
            "timestamp-offset-without-colon",
            "2026-11-29T17:00:00+0800",
            "an offset without its colon",
        ),
        (
            "timestamp-unicode-minus",
            "2026-11-29T01:00:00\u{2212}08:00",
            "a Unicode minus sign (U+2212) in the offset",
        ),
        (
            "timestamp-ten-fraction-digits",
            "2026-11-29T09:00:00.0000000001Z",
            "ten fraction digits (a parser that keeps nine changes the instant)",
        ),
        (
            "timestamp-leap-second",
            "2026-11-29T09:00:60Z",
            "a leap second",
        ),
    ] {
        let bad = replace_once(
            &text,
            r#""created_at":"2026-11-29T09:00:00Z""#,
            &format!(r#""created_at":"{spelling}""#),
        );
        out.push(Negative {
            name,
            error: "schema",
            step: 9,
            description: what,
            envelope: json_text(&resign(bad.as_bytes())),
        });
    }

    // `null` is allowed only where a member is nullable; `location` is optional, not nullable.
    let bad = replace_once(
        &text,
        r#""A-01":{"verdict""#,
        r#""A-01":{"location":null,"verdict""#,
    );
    out.push(Negative {
        name: "null-optional-member",
        error: "schema",
        step: 9,
        description: "validly signed; answer A-01 has \"location\": null (optional members may be \
                      omitted, not null)",
        envelope: json_text(&resign(bad.as_bytes())),
    });

    let mut bad = payload();
    let again = bad.inspections[0].clone();
    bad.inspections.push(again);
    out.push(Negative {
        name: "duplicate-inspection",
        error: "chain_duplicate_inspection",
        step: 11,
        description: "validly signed; the same inspection twice in inspections (a step-11 rule, \
                      not schema)",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    // A review's photo travels in the bundle that carries the review, like an answer's.
    let mut bad = payload();
    let reviewed = bad.inspections[0].clone();
    let mut review =
        paicha_core::reinspection::HazardReview::of(&reviewed, "A-01").expect("A-01 is a hazard");
    review.outcome = paicha_core::reinspection::ReviewOutcome::Rectified;
    review.photos = vec![sha256_hex(b"a photo that is not embedded")];
    let mut re = bad.inspections[0].clone();
    re.id = Uuid::from_u128(0x5eed);
    re.kind = paicha_core::InspectionKind::Reinspection;
    re.reviews = vec![review];
    bad.inspections.push(re);
    out.push(Negative {
        name: "review-photo-missing",
        error: "attachment_missing",
        step: 10,
        description: "validly signed; a re-inspection's review names a photo (整改后照片) that the \
                      bundle does not embed",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    out.push(Negative {
        name: "byte-order-mark",
        error: "malformed_envelope",
        step: 1,
        description: "the valid envelope preceded by a UTF-8 byte order mark (EF BB BF)",
        envelope: format!("\u{feff}{}", json_text(&good)),
    });

    // Version 2: the form of an attachment belongs to the version.
    let mut bad = payload_v2();
    bad.attachments[0].data = Some(b64_encode(PHOTO_PNG));
    out.push(Negative {
        name: "v2-with-data",
        error: "schema",
        step: 9,
        description: "validly signed; a version 2 payload whose attachment carries data (only \
                      version 1 embeds files)",
        envelope: json_text(&resign(&bad.to_bytes())),
    });
    let mut bad = payload_v2();
    bad.schema_version = 1;
    out.push(Negative {
        name: "v1-without-data",
        error: "schema",
        step: 9,
        description: "validly signed; a version 1 payload whose attachment names its file \
                      without data (version 1 embeds every file)",
        envelope: json_text(&resign(&bad.to_bytes())),
    });
    let mut bad = payload_v2();
    bad.attachments[0].size = paicha_core::attachment::MAX_BLOB_BYTES + 1;
    out.push(Negative {
        name: "attachment-too-large",
        error: "attachment_too_large",
        step: 10,
        description: "validly signed; a version 2 attachment names a file of 32 MiB + 1 byte",
        envelope: json_text(&resign(&bad.to_bytes())),
    });

    out
}

/// Adds the group order L = 2^252 + 27742317777372353535851937790883648493 to a 32-byte
/// little-endian scalar (S < L, so S + L < 2^253 fits).
pub fn add_group_order(s: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x10,
    ];
    let mut carry = 0u16;
    for (b, l) in s.iter_mut().zip(L) {
        let sum = *b as u16 + l as u16 + carry;
        *b = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
}

/// Every file of `tests/vectors/`, path relative to it, with its exact bytes.
pub fn files() -> Vec<(String, Vec<u8>)> {
    let key = key();
    let public = key.verifying_key().to_bytes();
    let key_id = KeyId::from_public_key(&public);
    let payload = payload().to_bytes();
    let pae_bytes = pae(PAYLOAD_TYPE, &payload);
    let envelope = sign_with(&key, &payload);
    let signature = paicha_core::dsse::b64_decode(&envelope.signatures[0].sig).unwrap();
    let photo = Attachment::new("image/png", PHOTO_PNG).unwrap();

    let line = |s: String| format!("{s}\n").into_bytes();
    let mut files = vec![
        ("bundle-v1/seed.hex".to_string(), line(hex(&SEED))),
        ("bundle-v1/public_key.hex".into(), line(hex(&public))),
        ("bundle-v1/key_id.txt".into(), line(key_id.to_string())),
        ("bundle-v1/photo.png".into(), PHOTO_PNG.to_vec()),
        ("bundle-v1/payload.json".into(), payload.clone()),
        (
            "bundle-v1/payload.sha256".into(),
            line(sha256_hex(&payload)),
        ),
        ("bundle-v1/pae.b64".into(), line(b64_encode(&pae_bytes))),
        ("bundle-v1/signature.hex".into(), line(hex(&signature))),
        (
            "bundle-v1/envelope.json".into(),
            envelope.to_json().into_bytes(),
        ),
    ];
    let expected = serde_json::json!({
        "seed_hex": hex(&SEED),
        "public_key_hex": hex(&public),
        "public_key_b64": b64_encode(&public),
        "key_id": key_id.to_string(),
        "payload_type": PAYLOAD_TYPE,
        "payload_length": payload.len(),
        "payload_sha256": sha256_hex(&payload),
        "pae_length": pae_bytes.len(),
        "pae_prefix": format!("DSSEv1 {} {} {} ", PAYLOAD_TYPE.len(), PAYLOAD_TYPE, payload.len()),
        "pae_sha256": sha256_hex(&pae_bytes),
        "signature_hex": hex(&signature),
        "signature_b64": envelope.signatures[0].sig,
        "envelope_sha256": sha256_hex(envelope.to_json().as_bytes()),
        "attachment_sha256": photo.sha256,
        "attachment_size": photo.size,
        "attachment_media_type": photo.media_type,
        "next_chain": {
            "sequence": 2,
            "previous_payload_sha256": sha256_hex(&payload),
        },
    });
    files.push((
        "bundle-v1/expected.json".into(),
        line(pretty_sorted(expected)),
    ));

    let mut manifest = Vec::new();
    for n in negatives() {
        let file = format!("negative/{}.json", n.name);
        manifest.push(serde_json::json!({
            "file": format!("{}.json", n.name),
            "error": n.error,
            "step": n.step,
            "description": n.description,
        }));
        files.push((file, n.envelope.into_bytes()));
    }
    files.push((
        "negative/manifest.json".into(),
        line(pretty_sorted(serde_json::Value::Array(manifest))),
    ));
    files.extend(v2_files());
    files
}

/// `bundle-v2/`: the same inspection with its photo named, the blob beside the envelope, and
/// the transfer archive of both; `negative-archive/`: archives a reader must refuse.
fn v2_files() -> Vec<(String, Vec<u8>)> {
    let line = |s: String| format!("{s}\n").into_bytes();
    let payload = payload_v2().to_bytes();
    let envelope = sign_with(&key(), &payload).to_json().into_bytes();
    let photo = Attachment::new("image/png", PHOTO_PNG).unwrap();
    let blob = format!("bundle-v2/blobs/{}", photo.sha256);
    let mut files = vec![
        ("bundle-v2/payload.json".to_string(), payload.clone()),
        (
            "bundle-v2/payload.sha256".into(),
            line(sha256_hex(&payload)),
        ),
        ("bundle-v2/envelope.json".into(), envelope.clone()),
        (blob, PHOTO_PNG.to_vec()),
        (
            "bundle-v2/archive.zip".into(),
            archive(&envelope, &[(&photo.sha256, PHOTO_PNG)]),
        ),
    ];
    let mut altered = PHOTO_PNG.to_vec();
    altered[0x2f] ^= 0xff;
    let stranger = Attachment::new("image/png", b"a file the payload never names").unwrap();
    let negatives: [(&str, &str, &str, Vec<u8>); 5] = [
        (
            "blob-missing",
            "blob_missing",
            "the payload names the photo; the archive holds only bundle.json",
            archive(&envelope, &[]),
        ),
        (
            "blob-hash-mismatch",
            "blob_hash_mismatch",
            "the photo's entry holds bytes (one changed) that do not hash to its name",
            archive(&envelope, &[(&photo.sha256, &altered)]),
        ),
        (
            "blob-unnamed",
            "blob_unnamed",
            "besides the named photo the archive holds a blob the payload does not name",
            archive(
                &envelope,
                &[
                    (&photo.sha256, PHOTO_PNG),
                    (&stranger.sha256, b"a file the payload never names"),
                ],
            ),
        ),
        (
            "blob-size-mismatch",
            "blob_size_mismatch",
            "the photo's entry holds 68 of its 69 bytes",
            archive(&envelope, &[(&photo.sha256, &PHOTO_PNG[..68])]),
        ),
        (
            "repeated-blob",
            "malformed_archive",
            "the photo's entry twice: first altered bytes, then the right ones (a reader that \
             keeps one entry per name may pick either)",
            archive(
                &envelope,
                &[(&photo.sha256, &altered), (&photo.sha256, PHOTO_PNG)],
            ),
        ),
    ];
    let mut manifest = Vec::new();
    for (name, error, description, bytes) in negatives {
        manifest.push(serde_json::json!({
            "file": format!("{name}.zip"),
            "error": error,
            "step": 12,
            "description": description,
        }));
        files.push((format!("negative-archive/{name}.zip"), bytes));
    }
    files.push((
        "negative-archive/manifest.json".into(),
        line(pretty_sorted(serde_json::Value::Array(manifest))),
    ));
    files
}

/// A transfer archive: `bundle.json`, then each blob under `blobs/<name>` in the order given.
pub fn archive(bundle_file: &[u8], blobs: &[(&str, &[u8])]) -> Vec<u8> {
    use paicha_core::archive::{BUNDLE_ENTRY, ZipWriter, blob_entry_name};
    let mut zip = ZipWriter::new();
    let mut out = zip.entry(BUNDLE_ENTRY, bundle_file).unwrap();
    for (name, bytes) in blobs {
        out.extend(zip.entry(&blob_entry_name(name), bytes).unwrap());
    }
    out.extend(zip.finish().unwrap());
    out
}

/// Pretty JSON with object keys sorted, whatever serde_json's `preserve_order` says.
fn pretty_sorted(value: serde_json::Value) -> String {
    fn sort(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sort(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(sort).collect()),
            other => other,
        }
    }
    serde_json::to_string_pretty(&sort(value)).unwrap()
}
