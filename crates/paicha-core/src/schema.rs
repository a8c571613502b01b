//! The JSON Schema of the bundle payload, generated from the Rust types (feature `schema`).
//! `docs/bundle.schema.json` is its checked-in copy; a test fails when the two differ.

use crate::bundle::BundlePayload;
use crate::checklist::ContentHash;
use crate::credit_code::CreditCode;
use crate::dsse::KeyId;
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde_json::Value;
use std::borrow::Cow;

/// Where the checked-in copy lives, relative to the workspace root.
pub const SCHEMA_PATH: &str = "docs/bundle.schema.json";

const HEX64: &str = "^[0-9a-f]{64}$";

impl JsonSchema for KeyId {
    fn schema_name() -> Cow<'static, str> {
        "KeyId".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Lower-case hex SHA-256 of the raw 32-byte Ed25519 public key.",
            "type": "string",
            "pattern": HEX64,
        })
    }
}

impl JsonSchema for ContentHash {
    fn schema_name() -> Cow<'static, str> {
        "ContentHash".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Lower-case hex SHA-256 of the checklist's canonical JSON.",
            "type": "string",
            "pattern": HEX64,
        })
    }
}

impl JsonSchema for CreditCode {
    fn schema_name() -> Cow<'static, str> {
        "CreditCode".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "统一社会信用代码 (GB 32100-2015): 18 characters, upper case, no I O S V Z; \
                            the last is a check character that the schema cannot check \
                            (docs/bundle-format.md, step 9).",
            "type": "string",
            "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$",
        })
    }
}

/// The payload schema (JSON Schema draft 2020-12, the deserialising side: what a verifier
/// accepts).
pub fn payload_schema() -> Schema {
    let mut schema = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<BundlePayload>();
    schema.insert("$id".into(), "urn:paicha:schema:bundle-payload:v1".into());
    // The one rule that depends on the version (docs/bundle-format.md, section 9): version 1
    // embeds every file, version 2 none.
    let attachments_must = |rule: Value| {
        serde_json::json!({
            "properties": { "attachments": { "items": rule } }
        })
    };
    schema.insert(
        "allOf".into(),
        serde_json::json!([
            {
                "if": { "properties": { "schema_version": { "const": 1 } } },
                "then": attachments_must(serde_json::json!({ "required": ["data"] })),
            },
            {
                "if": { "properties": { "schema_version": { "const": 2 } } },
                "then": attachments_must(serde_json::json!({ "not": { "required": ["data"] } })),
            },
        ]),
    );
    schema
}

/// The schema as checked in: pretty JSON with object keys sorted at every level (so the file
/// does not depend on serde_json's `preserve_order` feature), and a final newline.
pub fn payload_schema_json() -> String {
    let value = sort_keys(payload_schema().to_value());
    let mut text = serde_json::to_string_pretty(&value).expect("a schema always serialises");
    text.push('\n');
    text
}

fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}
