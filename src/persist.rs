//! Loading the model from IndexedDB, and the one Effect that writes changed records back.

use crate::model::{BundleRecord, Model, RecordKey};
use crate::storage::{self, Db, StorageError};
use leptos::prelude::*;
use paicha_core::bundle::ChainState;
use paicha_core::{Inspection, Inspector};
use std::collections::BTreeMap;

pub const PROFILE: &str = "profile";
pub const CHAIN: &str = "chain";

/// What the user sees about their latest edits.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Saving,
    Failed(String),
}

pub async fn load(db: &Db) -> Result<Model, StorageError> {
    let profile: Option<Inspector> = match db.get(storage::KV, PROFILE).await? {
        Some(v) => Some(storage::from_js(&v)?),
        None => None,
    };
    let chain: ChainState = match db.get(storage::KV, CHAIN).await? {
        Some(v) => storage::from_js(&v)?,
        None => ChainState::default(),
    };
    let inspections = db
        .get_all(storage::INSPECTIONS)
        .await?
        .iter()
        .map(storage::from_js::<Inspection>)
        .collect::<Result<Vec<_>, _>>()?;
    let mut bundles = db
        .get_all(storage::BUNDLES)
        .await?
        .iter()
        .map(storage::from_js::<BundleRecord>)
        .collect::<Result<Vec<_>, _>>()?;
    bundles.sort_by_key(|b| b.sequence);
    Ok(Model::loaded(profile, inspections, chain, bundles))
}

fn record(model: &Model, key: RecordKey) -> Option<(&'static str, String, wasm_bindgen::JsValue)> {
    match key {
        RecordKey::Profile => model
            .profile
            .as_ref()
            .map(|p| (storage::KV, PROFILE.to_string(), storage::to_js(p))),
        RecordKey::Inspection(id) => model
            .inspections
            .get(&id)
            .map(|i| (storage::INSPECTIONS, id.to_string(), storage::to_js(i))),
        RecordKey::Bundle(sequence) => {
            model
                .bundles
                .iter()
                .find(|b| b.sequence == sequence)
                .map(|b| {
                    (
                        storage::BUNDLES,
                        BundleRecord::storage_key(sequence),
                        storage::to_js(b),
                    )
                })
        }
    }
}

/// Installs the persistence Effect and returns the save state to show. Each changed record is
/// written in its own durable transaction; "saved" is shown only once every revision the user
/// made has been committed.
pub fn sync_to_storage(model: RwSignal<Model>, db: Db) -> ReadSignal<SaveState> {
    let (state, set_state) = signal(SaveState::Saved);
    let written: StoredValue<BTreeMap<RecordKey, u64>> = StoredValue::new(BTreeMap::new());
    let db = StoredValue::new_local(db);
    Effect::new(move |_| {
        let pending: Vec<(
            RecordKey,
            u64,
            (&'static str, String, wasm_bindgen::JsValue),
        )> = model.with(|m| {
            m.revisions()
                .iter()
                .filter(|(k, rev)| written.with_value(|w| w.get(k) != Some(rev)))
                .filter_map(|(k, rev)| record(m, *k).map(|r| (*k, *rev, r)))
                .collect()
        });
        if pending.is_empty() {
            return;
        }
        set_state.set(SaveState::Saving);
        let db = db.get_value();
        leptos::task::spawn_local(async move {
            for (key, revision, (store, id, value)) in pending {
                if let Err(e) = db.put(store, &id, value).await {
                    set_state.set(SaveState::Failed(e.to_string()));
                    return;
                }
                written.update_value(|w| {
                    // Writes commit in order, but never step back past a later revision.
                    let entry = w.entry(key).or_insert(0);
                    *entry = (*entry).max(revision);
                });
            }
            let all_written = model.with_untracked(|m| {
                m.revisions()
                    .iter()
                    .all(|(k, rev)| written.with_value(|w| w.get(k) == Some(rev)))
            });
            if all_written {
                set_state.set(SaveState::Saved);
            }
        });
    });
    state
}
