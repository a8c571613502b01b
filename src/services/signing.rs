//! Sealed inspection → signed DSSE bundle (payload version 2: it names its photos, whose bytes
//! go beside it, to the ledger or into a transfer archive). A created bundle is stored verbatim
//! with the advanced hash chain in one transaction (bundle record, envelope, chain: a write
//! outside the persistence Effect, because the envelope is not part of the model and must be on
//! disk before the inspector is told it exists), so it is never lost and a re-download gives
//! the same bytes.

use crate::model::BundleRecord;
use crate::model::context::AppContext;
use crate::model::persist;
use crate::platform::APP_VERSION;
use crate::platform::clock::now;
use crate::platform::download;
use crate::platform::ids::new_uuid;
use crate::platform::storage::{self, Db, StorageError};
use crate::services::{outbox, photos};
use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use paicha_core::archive;
use paicha_core::bundle::{BundlePayload, DeviceInfo, PAYLOAD_TYPE};
use paicha_core::dsse::{Envelope, pae};
use paicha_core::sha256_hex;
use uuid::Uuid;
use wasm_bindgen::JsValue;
use web_sys::Blob;

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
    let (attachments, blob_crc32) = photos::attachments(&app.db.get_value(), &hashes).await?;
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
    // The payload names its files and carries none of their bytes (version 2): the envelope
    // is a few KB however many photos there are, and the photos travel beside it.
    let (bundle_id, sequence) = (payload.bundle_id, payload.sequence);
    let blobs: Vec<String> = payload
        .attachments
        .iter()
        .map(|a| a.sha256.clone())
        .collect();
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
        blobs,
        blob_crc32,
        missing_blobs: None,
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

/// Offers the bundle as a download: its file (`envelope`, its JSON), or, when its payload
/// names files, the transfer archive of the file and those files ([`transfer_archive`]).
pub async fn download(db: &Db, record: &BundleRecord, envelope: &str) -> Result<(), StorageError> {
    if record.blobs.is_empty() {
        return download::download(&record.file_name, "application/json", envelope.as_bytes());
    }
    let archive = transfer_archive(db, record, envelope).await?;
    download::download_blob(&record.download_name(), &archive)
}

/// Why no archive is made of a bundle whose photos were freed after the ledger confirmed them.
pub const FREED: &str = "照片已送达台账并已从本机释放，无法生成含照片的 .zip；台账保存着这些照片 / the photos are held by the ledger and were freed from this device, so no .zip with them can be made";

/// The offline transfer archive of a bundle (`paicha_core::archive`): a stored ZIP holding
/// `bundle.json` (the bundle file, `envelope`) and `blobs/<sha256>` for each file its payload
/// names. Made as a Blob of parts: the headers made here, and each photo's own stored Blob as
/// it is, so the archive is never assembled in the page's memory. A header needs its photo's
/// CRC-32: the one computed when signing read the photo, kept in the record; a record without
/// it (none today) has each photo read again, one at a time, and checked against its hash.
pub async fn transfer_archive(
    db: &Db,
    record: &BundleRecord,
    envelope: &str,
) -> Result<Blob, StorageError> {
    let too_large = |e: archive::ZipError| StorageError(e.to_string());
    let mut zip = archive::ZipWriter::new();
    let parts = Array::new();
    let bundle = envelope.as_bytes();
    let header = zip
        .entry_header(
            archive::BUNDLE_ENTRY,
            bundle.len() as u64,
            paicha_core::archive::crc32(bundle),
        )
        .map_err(too_large)?;
    parts.push(&Uint8Array::from(header.as_slice()));
    parts.push(&Uint8Array::from(bundle));
    let known = record.blob_crc32.len() == record.blobs.len();
    let (mut reader, mut bytes) = (photos::Reader::default(), Vec::new());
    for (i, sha256) in record.blobs.iter().enumerate() {
        let blob = match photos::load(db, sha256).await? {
            Some(blob) => blob,
            None if record.is_delivered() => return Err(StorageError(FREED.into())),
            None => photos::load_own(db, sha256).await?,
        };
        let (size, crc) = if known {
            (blob_size(&blob), record.blob_crc32[i])
        } else {
            reader.read(&blob, &mut bytes).await?;
            photos::check_hash(sha256, &sha256_hex(&bytes))?;
            (bytes.len() as u64, paicha_core::archive::crc32(&bytes))
        };
        let name = archive::blob_entry_name(sha256);
        let header = zip.entry_header(&name, size, crc).map_err(too_large)?;
        parts.push(&Uint8Array::from(header.as_slice()));
        parts.push(&blob);
    }
    parts.push(&Uint8Array::from(
        zip.finish().map_err(too_large)?.as_slice(),
    ));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/zip");
    // The binding's name says u8 arrays; `new Blob` takes any parts, Blobs too (and reusing
    // it keeps another binding out of the app shell's glue).
    Ok(Blob::new_with_u8_array_sequence_and_options(
        &parts, &options,
    )?)
}

/// A Blob's size, without reading it (through `Reflect`: web-sys's `Blob::size` would add a
/// binding to the app shell's glue).
fn blob_size(blob: &Blob) -> u64 {
    js_sys::Reflect::get(blob, &"size".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or_default() as u64
}
