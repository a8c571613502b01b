//! The checklist-pack test vectors of `tests/vectors/checklist-pack-v1/` (spec:
//! docs/checklist-packs.md): regenerated here byte for byte (Ed25519 signatures are
//! deterministic), opened step by step, and every negative vector refused with its code.
//!
//! After a deliberate format change:
//! `PAICHA_UPDATE_VECTORS=1 cargo test -p paicha-core --test pack_vectors`
#![cfg(not(target_arch = "wasm32"))]

use chrono::{TimeZone, Utc};
use ed25519_dalek::SigningKey;
use paicha_core::dsse::{Envelope, Signature, b64_decode, b64_encode, pae};
use paicha_core::pack::ChecklistPack;
use paicha_core::signed_pack::*;
use paicha_core::{Checklist, hex, sha256_hex};
use std::path::{Path, PathBuf};

const UPDATE: &str = "PAICHA_UPDATE_VECTORS";
/// The root TEST key (32 bytes 0x11) and the key it rotates to (32 bytes 0x22): public seeds,
/// never trust them anywhere real.
const ROOT_SEED: [u8; 32] = [0x11; 32];
const NEXT_SEED: [u8; 32] = [0x22; 32];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/checklist-pack-v1")
}

fn key(seed: [u8; 32]) -> KeyFile {
    let name = if seed == ROOT_SEED {
        "测试根密钥 root TEST key"
    } else {
        "测试新密钥 next TEST key"
    };
    KeyFile::new(seed, name, "TEST KEY: the seed is public")
}

fn list(serial: u64, seeds: &[[u8; 32]], at: Option<chrono::DateTime<Utc>>) -> KeyList {
    KeyList {
        serial,
        keys: seeds.iter().map(|s| key(*s).trusted()).collect(),
        issued_at: at,
    }
}

/// The pack payload: the minimal test checklist, with fixed pinyin and time.
fn pack() -> ChecklistPack {
    let checklist =
        Checklist::from_toml("minimal.toml", include_str!("fixtures/minimal.toml")).unwrap();
    ChecklistPack::new(vec![checklist], |_| "zxjcb".to_string()).issued(
        "测试发布机关",
        Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap(),
    )
}

fn file(envelope: Envelope, statements: Vec<Envelope>) -> Vec<u8> {
    SignedPackFile {
        envelope,
        key_statements: statements,
    }
    .to_json()
}

/// A validly signed envelope over arbitrary bytes.
fn signed(payload_type: &str, payload: &[u8], seed: [u8; 32]) -> Envelope {
    use ed25519_dalek::Signer;
    let k = SigningKey::from_bytes(&seed);
    let sig = k.sign(&pae(payload_type, payload));
    Envelope::new(
        payload_type,
        payload,
        &paicha_core::KeyId::from_public_key(&k.verifying_key().to_bytes()),
        &sig.to_bytes(),
    )
}

fn json(value: &serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap();
    out.push(b'\n');
    out
}

/// Every file of the vectors, by name.
fn files() -> Vec<(String, Vec<u8>)> {
    let root = key(ROOT_SEED);
    let next = key(NEXT_SEED);
    let trust = list(1, &[ROOT_SEED], None);
    let payload = pack().to_json();
    let pae_bytes = pae(PACK_PAYLOAD_TYPE, &payload);
    let envelope = sign_pack(&pack(), &root.signing_key());
    let signature = b64_decode(&envelope.signatures[0].sig).unwrap();
    let good = file(envelope.clone(), vec![]);

    // The rotation: the root key signs the list {next}; the pack is signed by next.
    let rotated = list(
        2,
        &[NEXT_SEED],
        Some(Utc.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).unwrap()),
    );
    let statement = sign_key_statement(&rotated, &root.signing_key());
    let rotated_pack = file(
        sign_pack(&pack(), &next.signing_key()),
        vec![statement.clone()],
    );

    let mut out: Vec<(String, Vec<u8>)> = vec![
        (
            "root-seed.hex".into(),
            format!("{}\n", hex(&ROOT_SEED)).into_bytes(),
        ),
        (
            "next-seed.hex".into(),
            format!("{}\n", hex(&NEXT_SEED)).into_bytes(),
        ),
        ("trust-root.json".into(), {
            let mut t = trust.to_json();
            t.push(b'\n');
            t
        }),
        ("payload.json".into(), payload.clone()),
        (
            "pae.b64".into(),
            format!("{}\n", b64_encode(&pae_bytes)).into_bytes(),
        ),
        (
            "signature.hex".into(),
            format!("{}\n", hex(&signature)).into_bytes(),
        ),
        ("pack.json".into(), good.clone()),
        ("rotation/statement-payload.json".into(), rotated.to_json()),
        (
            "rotation/statement.json".into(),
            statement.to_json().into_bytes(),
        ),
        ("rotation/pack.json".into(), rotated_pack.clone()),
    ];
    let entry = &pack().checklists[0];
    out.push((
        "expected.json".into(),
        json(&serde_json::json!({
            "root_key_id": root.key_id.as_str(),
            "root_public_key_b64": root.public_key,
            "next_key_id": next.key_id.as_str(),
            "next_public_key_b64": next.public_key,
            "payload_type": PACK_PAYLOAD_TYPE,
            "keys_payload_type": KEYS_PAYLOAD_TYPE,
            "payload_length": payload.len(),
            "payload_sha256": sha256_hex(&payload),
            "pae_sha256": sha256_hex(&pae_bytes),
            "signature_b64": envelope.signatures[0].sig,
            "checklist_id": entry.checklist.id,
            "checklist_content_hash": entry.content_hash,
            "rotation": {
                "statement_serial": 2,
                "statement_signed_by": root.key_id.as_str(),
                "pack_signed_by": next.key_id.as_str(),
            },
        })),
    ));

    // Negative vectors: a device trusting trust-root.json (serial 1) refuses each.
    let mut negative: Vec<(&str, Vec<u8>, &str, &str)> = Vec::new();
    let tampered = {
        let text = String::from_utf8(payload.clone())
            .unwrap()
            .replace("测试发布机关", "测试发布机构");
        let mut e = envelope.clone();
        e.payload = b64_encode(text.as_bytes());
        file(e, vec![])
    };
    negative.push((
        "tampered-payload.json",
        tampered,
        "bad_signature",
        "one character of the signed payload changed after signing (测试发布机关 → 测试发布机构)",
    ));
    negative.push((
        "unsigned.json",
        payload.clone(),
        "unsigned",
        "the bare pack payload, not wrapped and signed",
    ));
    let mut swapped = envelope.clone();
    swapped.payload_type = "application/vnd.paicha.bundle.v1+json".into();
    negative.push((
        "wrong-payload-type.json",
        file(swapped, vec![]),
        "wrong_payload_type",
        "payloadType of a bundle",
    ));
    let mut two = envelope.clone();
    two.signatures.push(two.signatures[0].clone());
    negative.push((
        "two-signatures.json",
        file(two, vec![]),
        "signature_count",
        "the same signature twice",
    ));
    negative.push((
        "untrusted-key.json",
        file(sign_pack(&pack(), &next.signing_key()), vec![]),
        "untrusted_key",
        "signed by the next key without the statement that trusts it",
    ));
    let self_signed = sign_key_statement(&rotated, &next.signing_key());
    negative.push(("self-signed-statement.json", file(sign_pack(&pack(), &next.signing_key()), vec![self_signed]), "bad_key_statement", "the next key's statement signed by the next key itself, which the device does not trust yet"));
    let forged = {
        let mut s = statement.clone();
        s.payload = b64_encode(&list(2, &[NEXT_SEED, [0x33; 32]], rotated.issued_at).to_json());
        s
    };
    negative.push((
        "forged-statement.json",
        file(sign_pack(&pack(), &next.signing_key()), vec![forged]),
        "bad_key_statement",
        "the statement's payload changed after the root key signed it (a third key added)",
    ));
    let wrong_hash = {
        let text = String::from_utf8(payload.clone())
            .unwrap()
            .replace("防静电设施缺失。", "防静电设施齐全。");
        file(
            signed(PACK_PAYLOAD_TYPE, text.as_bytes(), ROOT_SEED),
            vec![],
        )
    };
    negative.push((
        "content-hash.json",
        wrong_hash,
        "content_hash",
        "validly signed by the root key, but a checklist's text no longer matches its content_hash",
    ));
    let mut manifest = Vec::new();
    for (name, bytes, code, what) in negative {
        out.push((format!("negative/{name}"), bytes));
        manifest.push(serde_json::json!({"file": name, "error": code, "defect": what}));
    }
    out.push((
        "negative/manifest.json".into(),
        json(&serde_json::Value::Array(manifest)),
    ));
    out
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(dir().join(rel)).unwrap_or_else(|e| {
        panic!("tests/vectors/checklist-pack-v1/{rel}: {e}; run `{UPDATE}=1 cargo test -p paicha-core --test pack_vectors`")
    })
}

#[test]
fn the_checked_in_vectors_are_exactly_what_the_code_produces() {
    let files = files();
    if std::env::var_os(UPDATE).is_some() {
        for (rel, bytes) in &files {
            let path = dir().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let stale: Vec<String> = files
        .iter()
        .filter(|(rel, bytes)| std::fs::read(dir().join(rel)).ok().as_ref() != Some(bytes))
        .map(|(rel, _)| rel.clone())
        .collect();
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run `{UPDATE}=1 cargo test -p paicha-core --test pack_vectors` after a deliberate change"
    );
}

#[test]
fn the_pack_vector_opens_step_by_step() {
    let trust = KeyList::from_json(&read("trust-root.json")).unwrap();
    let bytes = read("pack.json");
    let file: SignedPackFile = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(file.envelope.payload_type, PACK_PAYLOAD_TYPE);
    let payload = b64_decode(&file.envelope.payload).unwrap();
    assert_eq!(payload, read("payload.json"));
    let pae_bytes = pae(PACK_PAYLOAD_TYPE, &payload);
    assert_eq!(
        b64_encode(&pae_bytes),
        String::from_utf8(read("pae.b64")).unwrap().trim()
    );
    assert_eq!(PACK_PAYLOAD_TYPE.len(), 45);
    assert!(
        pae_bytes
            .starts_with(format!("DSSEv1 45 {PACK_PAYLOAD_TYPE} {} ", payload.len()).as_bytes())
    );
    let Signature { keyid, sig } = &file.envelope.signatures[0];
    let key = trust.key(keyid).unwrap();
    let raw = key.raw().unwrap();
    let sig: [u8; 64] = b64_decode(sig).unwrap().try_into().unwrap();
    assert_eq!(
        hex(&sig),
        String::from_utf8(read("signature.hex")).unwrap().trim()
    );
    assert!(verify_strict(&SignatureCheck {
        public_key: raw,
        message: pae_bytes,
        signature: sig
    }));
    let opened = open_sync(&bytes, &trust).unwrap();
    assert_eq!(opened.payload_sha256, sha256_hex(&payload));
    // The content hash is SHA-256 of the entry's members before content_hash, as one compact
    // object: the entry in the payload is those bytes with the two members appended.
    let entry = &opened.pack.checklists[0];
    let canonical = entry.checklist.canonical_json();
    let claimed = entry.content_hash.clone();
    assert_eq!(sha256_hex(&canonical), claimed);
    let mut written = canonical[..canonical.len() - 1].to_vec();
    let search_key = &entry.search_key;
    written.extend_from_slice(
        format!(",\"content_hash\":\"{claimed}\",\"search_key\":\"{search_key}\"}}").as_bytes(),
    );
    assert!(
        payload
            .windows(written.len())
            .any(|w| w == written.as_slice()),
        "the entry is the canonical bytes plus content_hash and search_key"
    );
    let expected: serde_json::Value = serde_json::from_slice(&read("expected.json")).unwrap();
    assert_eq!(expected["checklist_content_hash"], claimed);
    assert_eq!(expected["payload_sha256"], opened.payload_sha256.as_str());
}

#[test]
fn the_rotated_pack_opens_only_through_its_statement() {
    let trust = KeyList::from_json(&read("trust-root.json")).unwrap();
    let opened = open_sync(&read("rotation/pack.json"), &trust).unwrap();
    assert_eq!(opened.signed_by.key_id, key(NEXT_SEED).key_id);
    let keys = opened.new_keys.unwrap();
    assert_eq!(keys.serial, 2);
    assert_eq!(keys.to_json(), read("rotation/statement-payload.json"));
    // Once the device trusts the list of serial 2, the same file opens with the statement
    // skipped, and a pack by the root key no longer does.
    assert!(
        open_sync(&read("rotation/pack.json"), &keys)
            .unwrap()
            .new_keys
            .is_none()
    );
    assert_eq!(
        open_sync(&read("pack.json"), &keys).unwrap_err().code(),
        "untrusted_key"
    );
}

#[test]
fn every_negative_vector_is_refused_with_its_code() {
    let trust = KeyList::from_json(&read("trust-root.json")).unwrap();
    let manifest: Vec<serde_json::Value> =
        serde_json::from_slice(&read("negative/manifest.json")).unwrap();
    assert_eq!(manifest.len(), 8);
    for entry in manifest {
        let name = entry["file"].as_str().unwrap();
        let refusal = open_sync(&read(&format!("negative/{name}")), &trust).unwrap_err();
        assert_eq!(
            refusal.code(),
            entry["error"].as_str().unwrap(),
            "{name}: {refusal}"
        );
        assert!(
            refusal.to_string().contains(" / "),
            "{name}: bilingual: {refusal}"
        );
    }
}
