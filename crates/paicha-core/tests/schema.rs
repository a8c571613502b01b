//! `docs/bundle.schema.json`: generated from the Rust types, and produced payloads (with and
//! without attachments) validate against it with an independent validator (`jsonschema`).
//!
//! To update the file after a deliberate change of the payload types:
//! `PAICHA_UPDATE_SCHEMA=1 cargo test -p paicha-core --test schema`
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::vectors as gen_vectors;

use paicha_core::bundle::{ChainState, sign_with};
use paicha_core::schema::{SCHEMA_PATH, payload_schema_json};
use paicha_core::verify::{EmbeddedKey, verify_bundle_full};
use paicha_core::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use uuid::Uuid;

const UPDATE: &str = "PAICHA_UPDATE_SCHEMA";

/// An edit of a payload's JSON, for the cases below.
type Change = Box<dyn Fn(&mut Value)>;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(SCHEMA_PATH)
}

#[test]
fn the_checked_in_schema_is_generated_from_the_rust_types() {
    let generated = payload_schema_json();
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{SCHEMA_PATH} is out of date with the payload types in crates/paicha-core.\n\
         Run `{UPDATE}=1 cargo test -p paicha-core --test schema` to update it, review the \
         diff, and describe any change of the format in docs/bundle-format.md."
    );
}

fn validator() -> jsonschema::Validator {
    // The checked-in file, not the generated one: it is what other teams use.
    let text = std::fs::read_to_string(schema_path()).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is a valid JSON Schema")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// A second, larger bundle: two inspections, general and major hazards, several photos of
/// all three media types, a co-inspector, sequence 2.
fn bigger_payload() -> BundlePayload {
    let checklist = gen_vectors::checklist();
    let key = gen_vectors::key();
    let jpeg = Attachment::new("image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg").unwrap();
    let webp = Attachment::new("image/webp", b"RIFF\x00\x00\x00\x00WEBP").unwrap();
    let png = Attachment::new("image/png", gen_vectors::PHOTO_PNG).unwrap();
    let mut inspections = Vec::new();
    for n in 0..2u128 {
        let mut i = Inspection::start(
            Uuid::from_u128(100 + n),
            Site::new("某商场", CreditCode::parse("91440300708461136T").unwrap()).unwrap(),
            &checklist,
            Inspector::new("王五", "123").unwrap(),
            gen_vectors::at(10, 0),
        );
        i.set_applicability(&checklist, [("retail_point".to_string(), true)].into())
            .unwrap();
        i.answer(
            &checklist,
            "A-01",
            Verdict::MajorHazard,
            "无接地",
            gen_vectors::at(10, 5),
        )
        .unwrap();
        i.answer(
            &checklist,
            "A-02",
            Verdict::GeneralHazard,
            "明火",
            gen_vectors::at(10, 6),
        )
        .unwrap();
        i.attach_photo("A-01", &jpeg.sha256).unwrap();
        i.attach_photo("A-01", &png.sha256).unwrap();
        i.attach_photo("A-02", &webp.sha256).unwrap();
        i.seal(&checklist, gen_vectors::at(10, 30)).unwrap();
        inspections.push(i);
    }
    let chain = ChainState::default().after(&gen_vectors::payload().to_bytes());
    BundlePayload::new(
        Uuid::from_u128(200),
        gen_vectors::at(11, 0),
        "0.2.0",
        DeviceInfo::from_public_key(&key.verifying_key().to_bytes()),
        &chain,
        Inspector::new("王五", "123").unwrap(),
        inspections,
    )
    .unwrap()
    .with_co_inspectors(vec![
        Inspector::new("赵六", "456").unwrap(),
        Inspector::new("钱七", "789").unwrap(),
    ])
    .with_attachments(vec![png, jpeg, webp])
    .unwrap()
}

/// A bundle as the app made them before attachments existed: no photos anywhere.
fn plain_payload() -> BundlePayload {
    let mut i = gen_vectors::inspection();
    i.answers.values_mut().for_each(|a| a.photos.clear());
    BundlePayload::new(
        Uuid::from_u128(300),
        gen_vectors::at(12, 0),
        "0.1.0",
        DeviceInfo::from_public_key(&gen_vectors::key().verifying_key().to_bytes()),
        &ChainState::default(),
        i.inspector.clone(),
        vec![i],
    )
    .unwrap()
}

#[test]
fn produced_payloads_validate_against_the_schema() {
    let validator = validator();
    for payload in [gen_vectors::payload(), bigger_payload(), plain_payload()] {
        // Through the real path: sign, verify, then validate the exact signed bytes.
        let envelope = sign_with(&gen_vectors::key(), &payload.to_bytes());
        let verified = verify_bundle_full(envelope.to_json().as_bytes(), &EmbeddedKey).unwrap();
        let instance: Value = serde_json::from_slice(&verified.payload_bytes).unwrap();
        let errs = errors(&validator, &instance);
        assert!(errs.is_empty(), "bundle {}: {errs:#?}", payload.bundle_id);
    }
    let plain: Value = serde_json::from_slice(&plain_payload().to_bytes()).unwrap();
    assert!(plain.get("attachments").is_none(), "omitted when empty");
    let answer = &plain["inspections"][0]["answers"]["A-01"];
    assert!(answer.get("photos").is_none(), "omitted when empty");
}

#[test]
fn the_checked_in_vector_validates_against_the_schema() {
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/vectors/bundle-v1/payload.json"),
    )
    .unwrap();
    let instance: Value = serde_json::from_slice(&bytes).unwrap();
    let errs = errors(&validator(), &instance);
    assert!(errs.is_empty(), "{errs:#?}");
}

#[test]
fn the_schema_rejects_what_the_verifier_rejects() {
    let validator = validator();
    let good: Value = serde_json::from_slice(&gen_vectors::payload().to_bytes()).unwrap();
    assert!(validator.is_valid(&good));

    let cases: Vec<(&str, Change)> = vec![
        (
            "unknown top-level field",
            Box::new(|v| v["extra"] = json!(1)),
        ),
        (
            "unknown answer field",
            Box::new(|v| v["inspections"][0]["answers"]["A-01"]["gps"] = json!("x")),
        ),
        (
            "schema_version 2",
            Box::new(|v| v["schema_version"] = json!(2)),
        ),
        ("sequence 0", Box::new(|v| v["sequence"] = json!(0))),
        (
            "sequence as string",
            Box::new(|v| v["sequence"] = json!("1")),
        ),
        (
            "upper-case previous hash",
            Box::new(|v| v["previous_payload_sha256"] = json!("A".repeat(64))),
        ),
        ("no inspections", Box::new(|v| v["inspections"] = json!([]))),
        (
            "missing inspector",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("inspector");
            }),
        ),
        (
            "unknown verdict",
            Box::new(|v| v["inspections"][0]["answers"]["A-01"]["verdict"] = json!("dangerous")),
        ),
        (
            "photo ref not hex",
            Box::new(|v| v["inspections"][0]["answers"]["A-01"]["photos"] = json!(["cat.png"])),
        ),
        (
            "media type gif",
            Box::new(|v| v["attachments"][0]["media_type"] = json!("image/gif")),
        ),
        (
            "negative size",
            Box::new(|v| v["attachments"][0]["size"] = json!(-1)),
        ),
        (
            "attachment without data",
            Box::new(|v| {
                v["attachments"][0].as_object_mut().unwrap().remove("data");
            }),
        ),
        (
            "bad key id",
            Box::new(|v| v["device"]["key_id"] = json!("abc")),
        ),
        (
            "bad credit code alphabet",
            Box::new(|v| v["inspections"][0]["site"]["credit_code"] = json!("91440300708461136I")),
        ),
        (
            "bad uuid",
            Box::new(|v| v["bundle_id"] = json!("not-a-uuid")),
        ),
        (
            "upper-case uuid",
            Box::new(|v| v["bundle_id"] = json!("8D4E2F60-1C3B-4A5D-9E7F-0A1B2C3D4E5F")),
        ),
        (
            "uuid without hyphens",
            Box::new(|v| v["inspections"][0]["id"] = json!("3f2b8c1e7a4d4f6b9e2a5c8d1b0a7e64")),
        ),
        (
            "lower-case credit code",
            Box::new(|v| v["inspections"][0]["site"]["credit_code"] = json!("91440300708461136t")),
        ),
        (
            "bad timestamp",
            Box::new(|v| v["created_at"] = json!("yesterday")),
        ),
        (
            "timestamp without offset",
            Box::new(|v| v["inspections"][0]["sealed_at"] = json!("2026-11-29T08:30:00")),
        ),
    ];
    for (what, change) in cases {
        let mut bad = good.clone();
        change(&mut bad);
        assert!(!validator.is_valid(&bad), "the schema accepts: {what}");
        // The Rust verifier's parse + rules reject the same payload.
        let bytes = serde_json::to_vec(&bad).unwrap();
        let rejected = paicha_core::verify::parse_payload(&bytes)
            .and_then(|p| paicha_core::verify::check_payload(&p));
        assert!(rejected.is_err(), "the verifier accepts: {what}");
    }
}

#[test]
fn the_schema_and_the_verifier_accept_the_same_variations() {
    let validator = validator();
    let good: Value = serde_json::from_slice(&gen_vectors::payload().to_bytes()).unwrap();
    let cases: Vec<(&str, Change)> = vec![
        (
            "a +08:00 offset",
            Box::new(|v| v["created_at"] = json!("2026-11-29T17:00:00+08:00")),
        ),
        (
            "fractional seconds",
            Box::new(|v| v["inspections"][0]["sealed_at"] = json!("2026-11-29T08:30:00.250Z")),
        ),
        (
            "no co_inspectors member",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("co_inspectors");
            }),
        ),
        (
            "no applicability member",
            Box::new(|v| {
                v["inspections"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("applicability");
            }),
        ),
        (
            "an empty attachments array",
            Box::new(|v| {
                v["attachments"] = json!([]);
                v["inspections"][0]["answers"]["A-01"]
                    .as_object_mut()
                    .unwrap()
                    .remove("photos");
            }),
        ),
        (
            "the largest sequence",
            Box::new(|v| {
                v["sequence"] = json!(i64::MAX);
                v["previous_payload_sha256"] = json!("1".repeat(64));
            }),
        ),
    ];
    for (what, change) in cases {
        let mut variant = good.clone();
        change(&mut variant);
        let errs = errors(&validator, &variant);
        assert!(errs.is_empty(), "the schema rejects {what}: {errs:#?}");
        let bytes = serde_json::to_vec(&variant).unwrap();
        let payload = paicha_core::verify::parse_payload(&bytes)
            .unwrap_or_else(|e| panic!("the verifier rejects {what}: {e}"));
        paicha_core::verify::check_payload(&payload)
            .unwrap_or_else(|e| panic!("the verifier rejects {what}: {e}"));
    }
}
