//! Loading the model from IndexedDB, and the one Effect that writes changed records back.
//!
//! Every record the model holds (profile, inspection headers, answers, sites, bundle upload
//! states) is written here and nowhere else. Writes of what the model does not hold go to
//! storage directly, each in one durable transaction: photo Blobs (`services::photos`), a new
//! bundle with its envelope and chain (`services::signing`), the device key
//! (`platform::device_key`), checklist versions (`model::catalog`), a restore
//! (`services::backup`) and the layout rewrites in [`load_from`] (docs/architecture.md).

use super::pulled::Pulled;
use super::summary::Summary;
use super::{BundleRecord, Model, RecordKey, SiteEntry};
use crate::platform::device_key::DeviceKey;
use crate::platform::route::Route;
use crate::platform::storage::{self, Db, Read, StorageError};
use leptos::prelude::*;
use paicha_core::bundle::ChainState;
use paicha_core::{Answer, Inspection, Inspector};
use std::collections::BTreeMap;
use uuid::Uuid;

pub const PROFILE: &str = "profile";
pub const CHAIN: &str = "chain";
/// Where the next pull starts and the day of the last full one (`kv`).
pub const PULL_STATE: &str = "pull_state";
/// The device's settings (`kv`, [`super::DeviceSettings`]).
pub const SETTINGS: &str = "settings";

/// What the user sees about their latest edits.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Saving,
    Failed(String),
}

/// One answer as stored: self-describing, so loading needs no second pass over keys.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredAnswer {
    inspection: Uuid,
    item: String,
    answer: Answer,
}

pub fn answer_key(inspection: Uuid, item: &str) -> String {
    format!("{inspection}/{item}")
}

/// The records [`load_from`] needs, read together in one transaction ([`Db::read`]).
pub const READS: [Read<'static>; 10] = [
    Read::Get(storage::KV, PROFILE),
    Read::Get(storage::KV, CHAIN),
    Read::GetAll(storage::INSPECTIONS),
    Read::GetAll(storage::ANSWERS),
    Read::GetAllKeys(storage::BUNDLES),
    Read::GetAll(storage::BUNDLES),
    Read::GetAll(storage::SITES),
    Read::GetAll(storage::PULLED),
    Read::Get(storage::KV, PULL_STATE),
    Read::Get(storage::KV, SETTINGS),
];

fn optional(value: &wasm_bindgen::JsValue) -> Option<&wasm_bindgen::JsValue> {
    (!value.is_undefined()).then_some(value)
}

fn array(value: &wasm_bindgen::JsValue) -> impl Iterator<Item = wasm_bindgen::JsValue> {
    js_sys::Array::from(value).into_iter()
}

/// The model from the results of [`READS`] (in that order); rewrites records still in an
/// older layout.
pub async fn load_from(db: &Db, values: &[wasm_bindgen::JsValue]) -> Result<Model, StorageError> {
    let [
        profile,
        chain,
        inspection_values,
        answer_values,
        bundle_keys,
        bundle_values,
        site_values,
        pulled_values,
        pull_state,
        settings,
    ] = values
    else {
        return Err(StorageError(
            "start-up read returned the wrong number of results".into(),
        ));
    };
    let profile: Option<Inspector> = match optional(profile) {
        Some(v) => Some(storage::from_js(v)?),
        None => None,
    };
    let chain: ChainState = match optional(chain) {
        Some(v) => storage::from_js(v)?,
        None => ChainState::default(),
    };
    let mut inspections: BTreeMap<Uuid, Inspection> = BTreeMap::new();
    // Headers written before v3 still carry their answers: those get rewritten.
    let mut rewrite = Vec::new();
    for value in array(inspection_values) {
        let inspection: Inspection = storage::from_js(&value)?;
        if !inspection.answers.is_empty() {
            rewrite.push(inspection.id);
        }
        inspections.insert(inspection.id, inspection);
    }
    for value in array(answer_values) {
        let stored: StoredAnswer = storage::from_js(&value)?;
        // A per-answer record is newer than an answer inside an old header.
        if let Some(inspection) = inspections.get_mut(&stored.inspection) {
            inspection.answers.insert(stored.item, stored.answer);
        }
    }
    let mut bundles = Vec::new();
    let mut rekey: Vec<(String, BundleRecord)> = Vec::new();
    for (key, value) in array(bundle_keys).zip(array(bundle_values)) {
        let key = key.as_string().unwrap_or_default();
        let bundle: BundleRecord = storage::from_js(&value)?;
        if key != BundleRecord::storage_key(bundle.bundle_id) {
            rekey.push((key, bundle.clone()));
        }
        bundles.push(bundle);
    }
    if !rekey.is_empty() {
        // Before v3 bundles were keyed by sequence: move them to their bundle id, atomically.
        let writes: Vec<(String, wasm_bindgen::JsValue)> = rekey
            .iter()
            .map(|(_, b)| (BundleRecord::storage_key(b.bundle_id), storage::to_js(b)))
            .collect();
        let puts: Vec<(&str, &str, wasm_bindgen::JsValue)> = writes
            .iter()
            .map(|(k, v)| (storage::BUNDLES, k.as_str(), v.clone()))
            .collect();
        let deletes: Vec<(&str, &str)> = rekey
            .iter()
            .map(|(k, _)| (storage::BUNDLES, k.as_str()))
            .collect();
        db.write(&puts, &deletes).await?;
    }
    move_envelopes(db, &mut bundles).await;
    bundles.sort_by_key(|b| b.created_at);
    let mut sites = Vec::new();
    for value in array(site_values) {
        sites.push(storage::from_js::<SiteEntry>(&value)?);
    }
    let mut model = Model::loaded(
        profile,
        inspections.into_values().collect(),
        chain,
        bundles,
        &rewrite,
    );
    model.sites = sites.into_iter().map(|s| (s.id, s)).collect();
    for value in array(pulled_values) {
        let pulled: Pulled = storage::from_js(&value)?;
        model.pulled.insert(pulled.key(), pulled);
    }
    if let Some(v) = optional(pull_state) {
        model.pull = storage::from_js(v)?;
    }
    if let Some(v) = optional(settings) {
        model.settings = storage::from_js(v)?;
    }
    Ok(model)
}

/// Moves the envelopes that records stored before v6 (or restored from an older backup) still
/// hold into the `envelopes` store, records and envelopes in one transaction. If that fails
/// (e.g. the disk is full), the records keep their envelopes, in storage and in the model,
/// and the next start tries again: nothing is lost either way.
async fn move_envelopes(db: &Db, bundles: &mut [BundleRecord]) {
    let mut writes: Vec<(&str, String, wasm_bindgen::JsValue)> = Vec::new();
    for bundle in bundles.iter().filter(|b| b.envelope_json.is_some()) {
        let key = BundleRecord::storage_key(bundle.bundle_id);
        let envelope = bundle.envelope_json.as_deref().unwrap_or_default();
        let record = BundleRecord {
            envelope_json: None,
            ..bundle.clone()
        };
        writes.push((storage::ENVELOPES, key.clone(), envelope.into()));
        writes.push((storage::BUNDLES, key, storage::to_js(&record)));
    }
    if writes.is_empty() {
        return;
    }
    let puts: Vec<(&str, &str, wasm_bindgen::JsValue)> = writes
        .iter()
        .map(|(s, k, v)| (*s, k.as_str(), v.clone()))
        .collect();
    match db.put_all(&puts).await {
        Ok(()) => bundles.iter_mut().for_each(|b| b.envelope_json = None),
        Err(e) => leptos::logging::warn!("bundle envelopes not moved yet: {e}"),
    }
}

/// The signed envelope of a bundle: from the `envelopes` store, or from the record itself if
/// it was stored before v6 and not moved yet.
pub async fn envelope(db: &Db, bundle: &BundleRecord) -> Result<String, StorageError> {
    if let Some(envelope) = &bundle.envelope_json {
        return Ok(envelope.clone());
    }
    db.get(
        storage::ENVELOPES,
        &BundleRecord::storage_key(bundle.bundle_id),
    )
    .await?
    .and_then(|v| v.as_string())
    .ok_or_else(|| {
        StorageError(format!(
            "找不到签名文件 {} / the signed file {} is missing",
            bundle.file_name, bundle.file_name
        ))
    })
}

type Write = (&'static str, String, wasm_bindgen::JsValue);

/// What writing one changed record means: putting it, or deleting it (a pulled hazard the
/// model no longer holds).
enum Op {
    Put(Write),
    Delete(&'static str, String),
}

fn op(model: &Model, key: &RecordKey) -> Option<Op> {
    match key {
        RecordKey::Pulled(k) => Some(match model.pulled.get(k) {
            Some(p) => Op::Put((storage::PULLED, k.clone(), storage::to_js(p))),
            None => Op::Delete(storage::PULLED, k.clone()),
        }),
        RecordKey::PullState => Some(Op::Put((
            storage::KV,
            PULL_STATE.to_string(),
            storage::to_js(&model.pull),
        ))),
        _ => record(model, key).map(Op::Put),
    }
}

fn record(model: &Model, key: &RecordKey) -> Option<Write> {
    match key {
        RecordKey::Pulled(_) | RecordKey::PullState => None,
        RecordKey::Settings => Some((
            storage::KV,
            SETTINGS.to_string(),
            storage::to_js(&model.settings),
        )),
        RecordKey::Profile => model
            .profile
            .as_ref()
            .map(|p| (storage::KV, PROFILE.to_string(), storage::to_js(p))),
        RecordKey::Inspection(id) => model.inspections.get(id).map(|i| {
            let header = Inspection {
                answers: BTreeMap::new(),
                ..i.clone()
            };
            (
                storage::INSPECTIONS,
                id.to_string(),
                storage::to_js(&header),
            )
        }),
        RecordKey::Answer(id, item) => model
            .inspections
            .get(id)
            .and_then(|i| i.answers.get(item))
            .map(|a| {
                let stored = StoredAnswer {
                    inspection: *id,
                    item: item.clone(),
                    answer: a.clone(),
                };
                (
                    storage::ANSWERS,
                    answer_key(*id, item),
                    storage::to_js(&stored),
                )
            }),
        RecordKey::Site(site_id) => model
            .sites
            .get(site_id)
            .map(|s| (storage::SITES, site_id.to_string(), storage::to_js(s))),
        RecordKey::Bundle(bundle_id) => model
            .bundles
            .iter()
            .find(|b| b.bundle_id == *bundle_id)
            .map(|b| {
                (
                    storage::BUNDLES,
                    BundleRecord::storage_key(*bundle_id),
                    storage::to_js(b),
                )
            }),
    }
}

/// Whether a record is what the ledger sent (written apart from the inspector's records).
fn is_pulled(key: &RecordKey) -> bool {
    matches!(key, RecordKey::Pulled(_) | RecordKey::PullState)
}

/// Writes `ops` in one durable transaction (nothing when there are none).
async fn commit(db: &Db, ops: &[(Option<(RecordKey, u64)>, Op)]) -> Result<(), StorageError> {
    let writes: Vec<(&str, &str, wasm_bindgen::JsValue)> = ops
        .iter()
        .filter_map(|(_, op)| match op {
            Op::Put((store, key, value)) => Some((*store, key.as_str(), value.clone())),
            Op::Delete(..) => None,
        })
        .collect();
    let deletes: Vec<(&str, &str)> = ops
        .iter()
        .filter_map(|(_, op)| match op {
            Op::Delete(store, key) => Some((*store, key.as_str())),
            Op::Put(_) => None,
        })
        .collect();
    db.write(&writes, &deletes).await
}

thread_local! {
    static AFTER_SAVED: std::cell::RefCell<Vec<Box<dyn FnOnce()>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` once every change made so far is durably stored (after a failed write: once a
/// retry has stored it), for screens that say "saved" or move on only then. Call it right
/// after changing the model.
pub fn after_saved(f: impl FnOnce() + 'static) {
    AFTER_SAVED.with(|a| a.borrow_mut().push(Box::new(f)));
}

/// Goes to `route` once every change made so far is durably stored ([`after_saved`]), unless
/// the screen that asked was left meanwhile: `screen` is one of its signals, disposed with it.
pub fn navigate_once_saved<T: Send + Sync + 'static>(screen: RwSignal<T>, route: Route) {
    after_saved(move || {
        if !screen.is_disposed() {
            crate::platform::route::navigate(&route);
        }
    });
}

/// The first screen's summary, kept by the persistence Effect.
pub struct SummarySync {
    pub device_key: RwSignal<Option<DeviceKey>, LocalStorage>,
    /// What home shows.
    pub shown: RwSignal<Option<Summary>>,
    /// What storage held at start-up.
    pub stored: Option<Summary>,
}

/// Whether writing `key` can change the first screen's summary: the profile, or an
/// inspection's header (site, start, seal, reviews). Answers cannot: only sealed inspections'
/// answers count, and those never change. Sites and bundles are not shown.
fn shows_on_home(key: &RecordKey) -> bool {
    matches!(
        key,
        RecordKey::Profile | RecordKey::Inspection(_) | RecordKey::Pulled(_)
    )
}

/// Installs the persistence Effect, which reports into `state` what to show. Each batch of
/// changed records is written in one durable transaction; "saved" is shown only once every
/// revision the user made has been committed. The first screen's summary goes into the same
/// transaction whenever it differs from what storage holds, so it never describes records
/// that were not written; it is recomputed only when a batch can change it (saving an answer
/// stays as cheap with 1,000 findings stored as with 10).
pub fn sync_to_storage(
    model: RwSignal<Model>,
    db: Db,
    state: RwSignal<SaveState>,
    summary: SummarySync,
) {
    let SummarySync {
        device_key,
        shown,
        stored,
    } = summary;
    let written: StoredValue<BTreeMap<RecordKey, u64>> = StoredValue::new(BTreeMap::new());
    let summary_written = StoredValue::new(stored);
    let db = StoredValue::new_local(db);
    Effect::new(move |previous_key: Option<Option<String>>| {
        let key_id = device_key.with(|k| k.as_ref().map(|k| k.key_id.to_string()));
        let mut pending: Vec<(Option<(RecordKey, u64)>, Op)> = model.with(|m| {
            m.revisions()
                .iter()
                .filter(|(k, rev)| written.with_value(|w| w.get(*k) != Some(*rev)))
                .filter_map(|(k, rev)| op(m, k).map(|r| (Some((k.clone(), *rev)), r)))
                .collect()
        });
        // On the first run (start-up: storage may hold an older summary, or none), when the
        // key changed (registration), or when a record home shows is to be written.
        let recompute = previous_key.as_ref() != Some(&key_id)
            || pending
                .iter()
                .any(|(k, _)| k.as_ref().is_some_and(|(k, _)| shows_on_home(k)));
        let mut summary_changed = None;
        if recompute {
            let current =
                model.with_untracked(|m| device_key.with_untracked(|k| Summary::of(m, k.as_ref())));
            if shown.with_untracked(|s| s.as_ref() != Some(&current)) {
                shown.set(Some(current.clone()));
            }
            if summary_written.with_value(|s| s.as_ref() != Some(&current)) {
                let record = (
                    storage::KV,
                    super::summary::KEY.to_string(),
                    storage::to_js(&current),
                );
                pending.push((None, Op::Put(record)));
                summary_changed = Some(current);
            }
        }
        if pending.is_empty() {
            return key_id;
        }
        state.set(SaveState::Saving);
        let db = db.get_value();
        leptos::task::spawn_local(async move {
            // What the ledger sent goes in a transaction of its own: a pull too large for the
            // disk must never make the inspector's own saves fail with it.
            let (pulled, own): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|(k, _)| k.as_ref().is_some_and(|(k, _)| is_pulled(k)));
            // Everything the inspector changed since the last run commits together or not at
            // all (e.g. a last answer and the seal that follows it).
            if let Err(e) = commit(&db, &own).await {
                state.set(SaveState::Failed(e.to_string()));
                return;
            }
            if let Some(current) = summary_changed {
                summary_written.set_value(Some(current));
            }
            // A pull's page and the cursor after it, together; if that fails they stay pending
            // and go with the next batch (the pull is repeatable from the stored cursor).
            let stored_pulled = match commit(&db, &pulled).await {
                Ok(()) => pulled,
                Err(e) => {
                    leptos::logging::warn!("pulled hazards not stored yet: {e}");
                    Vec::new()
                }
            };
            written.update_value(|w| {
                for (key, revision) in own.into_iter().chain(stored_pulled).filter_map(|(k, _)| k) {
                    // Transactions commit in order, but never step back past a later revision.
                    let entry = w.entry(key).or_insert(0);
                    *entry = (*entry).max(revision);
                }
            });
            // "Saved" speaks of the inspector's records.
            let all_written = model.with_untracked(|m| {
                m.revisions()
                    .iter()
                    .filter(|(k, _)| !is_pulled(k))
                    .all(|(k, rev)| written.with_value(|w| w.get(k) == Some(rev)))
            });
            if all_written {
                state.set(SaveState::Saved);
                // Untracked: a signal a callback reads must not become a source of this Effect
                // (the callback's screen, and with it the signal, may be gone by its next run).
                for f in AFTER_SAVED.with(|a| a.take()) {
                    untrack(f);
                }
            }
        });
        key_id
    });
}
