//! The checklist catalog: every checklist version this device knows, each kept in IndexedDB,
//! so an inspection keeps the exact version it started with after newer packs arrive, offline
//! or not; with the signed pack it installed last and the keys it trusts to sign packs
//! (docs/checklist-packs.md). Which pack is current, and fetching newer ones, is
//! `services::checklists`.

use crate::platform::storage::{self, Db, StorageError};
use paicha_core::Checklist;
use paicha_core::pack::{ChecklistPack, PackEntry};
use paicha_core::signed_pack::{KeyList, PackInfo};

/// Keys (`id@hash`) of the checklists of the newest pack seen.
const CURRENT: &str = "current_checklists";
/// The signed pack installed last ([`PackInfo`]).
const INSTALLED: &str = "checklist_pack";
/// The key list taken from key statements, when newer than the built-in trust root.
const TRUST: &str = "checklist_trust";

/// The keys this build trusts to sign checklist packs (embedded at build time, see build.rs).
pub fn trust_root() -> KeyList {
    KeyList::from_json(include_bytes!(concat!(env!("OUT_DIR"), "/trust-root.json")))
        .expect("the build checked the trust root")
}

/// Catalog entries live for the whole page: each version is loaded once and never changes
/// (it is identified by its content hash), so handing out `&'static` is sound and cheap.
pub type Entry = &'static PackEntry;

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Every known version.
    all: Vec<Entry>,
    /// The versions offered for new inspections, in pack order.
    current: Vec<Entry>,
    /// The signed pack they came from (none before packs were signed, or on a first run).
    installed: Option<PackInfo>,
    /// Keys learnt from key statements (trusted when newer than the built-in trust root).
    stored_trust: Option<KeyList>,
    /// Why the last pack offered was refused, shown until one is accepted: the installed pack
    /// stays.
    refusal: Option<String>,
}

fn key(entry: &PackEntry) -> String {
    format!("{}@{}", entry.checklist.id, entry.content_hash)
}

impl Catalog {
    /// A catalog of exactly these checklists (tests and first runs).
    pub fn from_checklists(checklists: Vec<Checklist>) -> Self {
        let pack = ChecklistPack::new(checklists, |_| String::new());
        let mut catalog = Self::default();
        catalog.adopt(pack);
        catalog
    }

    pub fn current(&self) -> &[Entry] {
        &self.current
    }

    /// The exact version an inspection was started with.
    pub fn find(&self, id: &str, content_hash: &str) -> Option<&'static Checklist> {
        self.all
            .iter()
            .find(|e| e.checklist.id == id && e.content_hash == content_hash)
            .map(|e| &e.checklist)
    }

    /// For a re-inspection: the version the original inspection used, else the current version
    /// of that checklist (the original version is not on this device).
    pub fn for_reinspection(
        &self,
        r: &paicha_core::checklist::ChecklistRef,
    ) -> Option<&'static Checklist> {
        self.find(&r.id, &r.content_hash.0).or_else(|| {
            self.current
                .iter()
                .find(|e| e.checklist.id == r.id)
                .map(|e| &e.checklist)
        })
    }

    /// Makes `pack` current; returns the versions that were not known before.
    fn adopt(&mut self, pack: ChecklistPack) -> Vec<Entry> {
        let mut new = Vec::new();
        self.current.clear();
        for entry in pack.checklists {
            let known = self.all.iter().find(|e| key(e) == key(&entry)).copied();
            let entry = known.unwrap_or_else(|| {
                let leaked: Entry = Box::leak(Box::new(entry));
                self.all.push(leaked);
                new.push(leaked);
                leaked
            });
            self.current.push(entry);
        }
        new
    }

    /// The signed pack installed last.
    pub fn installed(&self) -> Option<&PackInfo> {
        self.installed.as_ref()
    }

    /// The keys trusted to sign packs now: the newer of the built-in trust root and the list
    /// key statements brought.
    pub fn trusted(&self) -> KeyList {
        match &self.stored_trust {
            Some(stored) => trust_root().newest(stored.clone()),
            None => trust_root(),
        }
    }

    /// Why the last pack offered was refused, if it was.
    pub fn refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }

    pub fn set_refusal(&mut self, refusal: Option<String>) {
        self.refusal = refusal;
    }

    /// The records [`Catalog::from_values`] needs ([`Db::read`]).
    pub const READS: [storage::Read<'static>; 4] = [
        storage::Read::GetAll(storage::CHECKLISTS),
        storage::Read::Get(storage::KV, CURRENT),
        storage::Read::Get(storage::KV, INSTALLED),
        storage::Read::Get(storage::KV, TRUST),
    ];

    /// The catalog from the results of [`Catalog::READS`], in that order.
    pub fn from_values(values: &[wasm_bindgen::JsValue]) -> Result<Self, StorageError> {
        let [versions, current, installed, trust] = values else {
            return Err(StorageError(
                "checklist read returned the wrong number of results".into(),
            ));
        };
        let mut catalog = Self::default();
        for value in js_sys::Array::from(versions).iter() {
            let entry: PackEntry = storage::from_js(&value)?;
            catalog.all.push(Box::leak(Box::new(entry)));
        }
        let current: Vec<String> = if current.is_undefined() {
            Vec::new()
        } else {
            storage::from_js(current)?
        };
        catalog.current = current
            .iter()
            .filter_map(|k| catalog.all.iter().find(|e| &key(e) == k).copied())
            .collect();
        fn optional<T: serde::de::DeserializeOwned>(
            value: &wasm_bindgen::JsValue,
        ) -> Result<Option<T>, StorageError> {
            if value.is_undefined() {
                Ok(None)
            } else {
                storage::from_js(value).map(Some)
            }
        }
        catalog.installed = optional(installed)?;
        catalog.stored_trust = optional(trust)?;
        Ok(catalog)
    }

    /// Makes `pack` current and durably stores, in one transaction, new versions, the current
    /// list, what was installed and the keys to trust from now on (when they changed).
    pub async fn install(
        &mut self,
        db: &Db,
        pack: ChecklistPack,
        info: PackInfo,
        new_keys: Option<KeyList>,
    ) -> Result<(), StorageError> {
        let mut next = self.clone();
        let new = next.adopt(pack);
        let info_js = storage::to_js(&info);
        next.installed = Some(info);
        next.refusal = None;
        if new_keys.is_some() {
            next.stored_trust = new_keys;
        }
        let current: Vec<String> = next.current.iter().map(|e| key(e)).collect();
        let mut writes: Vec<(&str, String, wasm_bindgen::JsValue)> = new
            .iter()
            .map(|e| (storage::CHECKLISTS, key(e), storage::to_js(*e)))
            .collect();
        writes.push((storage::KV, CURRENT.to_string(), storage::to_js(&current)));
        writes.push((storage::KV, INSTALLED.to_string(), info_js));
        if let Some(keys) = &next.stored_trust {
            writes.push((storage::KV, TRUST.to_string(), storage::to_js(keys)));
        }
        let writes: Vec<(&str, &str, wasm_bindgen::JsValue)> = writes
            .iter()
            .map(|(s, k, v)| (*s, k.as_str(), v.clone()))
            .collect();
        db.put_all(&writes).await?;
        *self = next;
        Ok(())
    }
}
