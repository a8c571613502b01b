//! Sealed inspection → signed DSSE bundle. A created bundle is stored verbatim with the
//! advanced hash chain in one transaction (bundle record, envelope, chain: a write outside the
//! persistence Effect, because the envelope is not part of the model and must be on disk before
//! the inspector is told it exists), so it is never lost and a re-download gives the same bytes.

use crate::model::BundleRecord;
use crate::model::context::AppContext;
use crate::model::persist;
use crate::platform::APP_VERSION;
use crate::platform::clock::now;
use crate::platform::download;
use crate::platform::ids::new_uuid;
use crate::platform::storage::{self, StorageError};
use crate::services::{outbox, photos};
use leptos::prelude::*;
use paicha_core::bundle::{BundlePayload, DeviceInfo, PAYLOAD_TYPE};
use paicha_core::dsse::{Envelope, pae};
use paicha_core::sha256_hex;
use uuid::Uuid;
use wasm_bindgen::JsValue;

/// `paicha-<site credit code>-<yyyymmdd>-<sequence>.json`
fn file_name(credit_code: &str, created: &chrono::DateTime<chrono::Utc>, sequence: u64) -> String {
    format!(
        "paicha-{credit_code}-{}-{sequence:06}.json",
        created.with_timezone(&chrono::Local).format("%Y%m%d")
    )
}

/// Signs the given sealed inspections into one bundle and stores it (record and envelope) with
/// the advanced chain; returns the record and the envelope JSON.
pub async fn create_bundle(
    app: AppContext,
    inspection_ids: Vec<Uuid>,
) -> Result<(BundleRecord, String), StorageError> {
    let key = app
        .device_key
        .get_untracked()
        .ok_or_else(|| StorageError("no device key".into()))?;
    let (inspections, chain, inspector) = app.model.with_untracked(|m| {
        let found: Option<Vec<_>> = inspection_ids
            .iter()
            .map(|id| m.inspections.get(id).cloned())
            .collect();
        (found, m.chain.clone(), m.profile.clone())
    });
    let inspections = inspections.ok_or_else(|| StorageError("inspection not found".into()))?;
    let inspector = inspector.ok_or_else(|| StorageError("no inspector profile".into()))?;
    let created_at = now();
    let first_site = inspections
        .first()
        .map(|i| i.site.credit_code.to_string())
        .unwrap_or_default();
    let site_part = if inspections
        .iter()
        .all(|i| i.site.credit_code.as_str() == first_site)
    {
        first_site
    } else {
        "multi".to_string()
    };
    // Photos and signatures, each distinct file once across the bundle's inspections.
    let mut hashes: Vec<String> = Vec::new();
    for reference in inspections.iter().flat_map(|i| i.attachment_refs()) {
        if !hashes.iter().any(|h| h == reference) {
            hashes.push(reference.to_string());
        }
    }
    let attachments = photos::attachments(&app.db.get_value(), &hashes).await?;
    let payload = BundlePayload::new(
        new_uuid(),
        created_at,
        APP_VERSION,
        DeviceInfo::from_public_key(&key.public_raw),
        &chain,
        inspector,
        inspections,
    )
    .and_then(|p| p.with_attachments(attachments))
    .map_err(|e| StorageError(e.to_string()))?;
    // A bundle with photos is tens of MB and exists in several forms along the way (photo
    // bytes, their base64 in the payload, the payload JSON, the envelope): each is dropped as
    // soon as the next exists, so that only two are alive at once.
    let (bundle_id, sequence) = (payload.bundle_id, payload.sequence);
    let bytes = payload.to_bytes();
    drop(payload);
    let signature = key.sign(&pae(PAYLOAD_TYPE, &bytes)).await?;
    let next_chain = chain.after(&bytes);
    debug_assert_eq!(next_chain.previous_payload_sha256, sha256_hex(&bytes));
    let envelope = Envelope::new(PAYLOAD_TYPE, &bytes, &key.key_id, &signature);
    drop(bytes);
    let envelope = envelope.to_json();
    let record = BundleRecord {
        bundle_id,
        sequence,
        file_name: file_name(&site_part, &created_at, sequence),
        envelope_json: None,
        inspection_ids,
        created_at,
        upload: Default::default(),
    };
    let db = app.db.get_value();
    let key = BundleRecord::storage_key(record.bundle_id);
    db.put_all(&[
        (storage::BUNDLES, &key, storage::to_js(&record)),
        (storage::ENVELOPES, &key, JsValue::from_str(&envelope)),
        (storage::KV, persist::CHAIN, storage::to_js(&next_chain)),
    ])
    .await?;
    app.model
        .update(|m| m.bundle_created(record.clone(), next_chain));
    outbox::upload_due(app);
    Ok((record, envelope))
}

/// Offers the bundle (`envelope`, its JSON) as a download.
pub fn download(record: &BundleRecord, envelope: &str) -> Result<(), StorageError> {
    download::download(&record.file_name, "application/json", envelope.as_bytes())
}
