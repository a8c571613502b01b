//! Backup and restore of everything stored on the device, as one JSON file. A restore only
//! adds records that are missing, so restoring twice (or onto a device that already holds
//! some of the data) never duplicates or overwrites anything. The signing key cannot leave
//! the device (it is non-extractable) and the hash chain belongs to that key, so neither is
//! in a backup: a restored device signs with its own key, from its own chain's start.

use crate::model::{persist, summary};
use crate::platform::storage::{self, Db, StorageError};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use paicha_core::dsse::{b64_decode, b64_encode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub const FORMAT: &str = "paicha-backup";
pub const VERSION: u32 = 1;
/// Keys of the `kv` store that describe this device, or are derived from the records, and are
/// never copied.
const DEVICE_ONLY: &[&str] = &[
    "device_key",
    persist::CHAIN,
    "current_checklists",
    // Derived from the records on each start.
    summary::KEY,
    // The ledger's, like the store below.
    persist::PULL_STATE,
    // A choice for this device only (whether delivered photos are freed).
    persist::SETTINGS,
];
/// Stores never copied: what was pulled from the ledger is the ledger's data, readable only
/// where its person holds a role; a device pulls it again itself.
const DEVICE_ONLY_STORES: &[&str] = &[storage::PULLED, storage::PULLED_PHOTOS];

/// A stored value, as the backup file carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Text(String),
    /// Binary data (photos), standard base64, with its media type when it was a Blob.
    Bytes {
        base64: String,
        media_type: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub app_version: String,
    /// Store name → key → value.
    pub stores: BTreeMap<String, BTreeMap<String, Value>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestoreReport {
    pub added: usize,
    pub already_present: usize,
    pub skipped_stores: Vec<String>,
}

/// "中文 / English", like the domain's messages: the app shows the current language's half.
impl std::fmt::Display for RestoreReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (added, present) = (self.added, self.already_present);
        let skipped = self.skipped_stores.join(", ");
        write!(f, "已恢复 {added} 条记录，{present} 条已存在未改动")?;
        if !skipped.is_empty() {
            write!(f, "；未识别的数据未恢复：{skipped}")?;
        }
        write!(
            f,
            " / restored {added} records, {present} already present (unchanged)"
        )?;
        if !skipped.is_empty() {
            write!(f, "; not restored: {skipped}")?;
        }
        Ok(())
    }
}

async fn encode(value: JsValue) -> Result<Option<Value>, StorageError> {
    if let Some(text) = value.as_string() {
        return Ok(Some(Value::Text(text)));
    }
    if let Some(blob) = value.dyn_ref::<web_sys::Blob>() {
        let buffer = JsFuture::from(blob.array_buffer()).await?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        return Ok(Some(Value::Bytes {
            base64: b64_encode(&bytes),
            media_type: Some(blob.type_()),
        }));
    }
    if value.is_instance_of::<ArrayBuffer>() || value.is_instance_of::<Uint8Array>() {
        let bytes = Uint8Array::new(&value).to_vec();
        return Ok(Some(Value::Bytes {
            base64: b64_encode(&bytes),
            media_type: None,
        }));
    }
    // Anything else (the CryptoKeyPair) cannot or must not be copied.
    Ok(None)
}

fn decode(value: &Value) -> Result<JsValue, StorageError> {
    match value {
        Value::Text(text) => Ok(JsValue::from_str(text)),
        Value::Bytes { base64, media_type } => {
            let bytes = b64_decode(base64).map_err(|e| StorageError(e.to_string()))?;
            let array = Uint8Array::from(bytes.as_slice());
            match media_type {
                Some(media_type) => {
                    let options = web_sys::BlobPropertyBag::new();
                    options.set_type(media_type);
                    let parts = Array::of1(&array);
                    Ok(
                        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?
                            .into(),
                    )
                }
                None => Ok(array.buffer().into()),
            }
        }
    }
}

pub async fn create(db: &Db) -> Result<Backup, StorageError> {
    let mut stores = BTreeMap::new();
    for name in db.store_names() {
        if DEVICE_ONLY_STORES.contains(&name.as_str()) {
            continue;
        }
        let mut records = BTreeMap::new();
        for (key, value) in db.entries(&name).await? {
            if name == storage::KV && DEVICE_ONLY.contains(&key.as_str()) {
                continue;
            }
            if let Some(value) = encode(value).await? {
                records.insert(key, value);
            }
        }
        stores.insert(name, records);
    }
    Ok(Backup {
        format: FORMAT.into(),
        version: VERSION,
        created_at: chrono::Utc::now(),
        app_version: crate::platform::APP_VERSION.into(),
        stores,
    })
}

/// Checks a backup file before anything is written.
pub fn parse(text: &str) -> Result<Backup, StorageError> {
    let backup: Backup = serde_json::from_str(text)
        .map_err(|e| StorageError(format!("不是有效的备份文件 / not a valid backup file: {e}")))?;
    if backup.format != FORMAT {
        return Err(StorageError(format!(
            "不是排查备份文件 / not a Paicha backup (format {:?})",
            backup.format
        )));
    }
    if backup.version > VERSION {
        return Err(StorageError(format!(
            "备份来自更新的版本，请先更新应用 / the backup is from a newer version ({})",
            backup.version
        )));
    }
    Ok(backup)
}

/// Adds every record of `backup` that this device does not have, in one transaction.
pub async fn restore(db: &Db, backup: &Backup) -> Result<RestoreReport, StorageError> {
    let known = db.store_names();
    let mut report = RestoreReport::default();
    let mut puts: Vec<(String, String, JsValue)> = Vec::new();
    for (store, records) in &backup.stores {
        if !known.contains(store) || DEVICE_ONLY_STORES.contains(&store.as_str()) {
            report.skipped_stores.push(store.clone());
            continue;
        }
        let existing: std::collections::BTreeSet<String> = db
            .entries(store)
            .await?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        for (key, value) in records {
            if store == storage::KV && DEVICE_ONLY.contains(&key.as_str()) {
                continue;
            }
            if existing.contains(key) {
                report.already_present += 1;
            } else {
                puts.push((store.clone(), key.clone(), decode(value)?));
            }
        }
    }
    let writes: Vec<(&str, &str, JsValue)> = puts
        .iter()
        .map(|(s, k, v)| (s.as_str(), k.as_str(), v.clone()))
        .collect();
    db.put_all(&writes).await?;
    report.added = writes.len();
    Ok(report)
}
