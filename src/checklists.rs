//! The checklist catalog: every checklist version this device knows. The current pack comes
//! from the ledger (`api/checklists`) when online, else from the precached
//! `checklists/pack.json`; each version is also kept in IndexedDB, so an inspection keeps the
//! exact version it started with after newer packs arrive, offline or not.

use crate::lazy::{Task, on_demand};
use crate::storage::{self, Db, StorageError};
use paicha_core::Checklist;
use paicha_core::pack::{ChecklistPack, PackEntry};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Keys (`id@hash`) of the checklists of the newest pack seen.
const CURRENT: &str = "current_checklists";

/// Catalog entries live for the whole page: each version is loaded once and never changes
/// (it is identified by its content hash), so handing out `&'static` is sound and cheap.
pub type Entry = &'static PackEntry;

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Every known version.
    all: Vec<Entry>,
    /// The versions offered for new inspections, in pack order.
    current: Vec<Entry>,
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

    /// The records [`Catalog::from_values`] needs ([`Db::read`]).
    pub const READS: [storage::Read<'static>; 2] = [
        storage::Read::GetAll(storage::CHECKLISTS),
        storage::Read::Get(storage::KV, CURRENT),
    ];

    /// The catalog from the results of [`Catalog::READS`], in that order.
    pub fn from_values(values: &[wasm_bindgen::JsValue]) -> Result<Self, StorageError> {
        let [versions, current] = values else {
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
        Ok(catalog)
    }

    /// Makes `pack` current and durably stores new versions and the current list together.
    pub async fn install(&mut self, db: &Db, pack: ChecklistPack) -> Result<(), StorageError> {
        let mut next = self.clone();
        let new = next.adopt(pack);
        let current: Vec<String> = next.current.iter().map(|e| key(e)).collect();
        let mut writes: Vec<(&str, String, wasm_bindgen::JsValue)> = new
            .iter()
            .map(|e| (storage::CHECKLISTS, key(e), storage::to_js(*e)))
            .collect();
        writes.push((storage::KV, CURRENT.to_string(), storage::to_js(&current)));
        let writes: Vec<(&str, &str, wasm_bindgen::JsValue)> = writes
            .iter()
            .map(|(s, k, v)| (*s, k.as_str(), v.clone()))
            .collect();
        db.put_all(&writes).await?;
        *self = next;
        Ok(())
    }
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, StorageError> {
    let window = web_sys::window().ok_or_else(|| StorageError("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await?
        .unchecked_into();
    if !response.ok() {
        return Err(StorageError(format!("{url}: HTTP {}", response.status())));
    }
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The newest pack available now: the ledger's when reachable, else the one shipped with
/// this version of the app (precached by the service worker). A pack whose hashes do not
/// match its content is refused.
async fn fetch_pack() -> Result<ChecklistPack, StorageError> {
    let parse =
        |bytes: Vec<u8>| ChecklistPack::from_json(&bytes).map_err(|e| StorageError(e.to_string()));
    let online = web_sys::window().is_some_and(|w| w.navigator().on_line());
    if online
        && let Ok(pack) = fetch_bytes("api/checklists").await.and_then(parse)
        && !pack.checklists.is_empty()
    {
        return Ok(pack);
    }
    fetch_bytes("checklists/pack.json").await.and_then(parse)
}

// ---- Start-up: the catalog is parsed after the first screen is shown --------------------------

thread_local! {
    /// Resolved once the stored catalog is parsed (or failed to be): screens that need a
    /// checklist wait for it ([`ready`]).
    static READY: crate::lazy::Latch = crate::lazy::Latch::new();
    /// Why the stored catalog could not be loaded, if it could not.
    static LOAD_ERROR: std::cell::RefCell<Option<LoadError>> = const { std::cell::RefCell::new(None) };
}

/// Resolves once the stored catalog is in [`crate::AppContext::catalog`] (starting to load it
/// if that has not begun); afterwards at once.
pub async fn ready() {
    begin();
    let _ = READY.with(crate::lazy::Latch::wait).await;
}

/// Why the stored checklists could not be loaded.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// The parser's chunk could not be fetched: a reload tries again.
    Chunk(crate::lazy::ChunkError),
    /// What is stored could not be read.
    Storage(String),
}

/// Why the stored checklists could not be loaded (the screens that need them show it), if so.
pub fn load_error() -> Option<LoadError> {
    LOAD_ERROR.with(|e| e.borrow().clone())
}

fn mark_ready(error: Option<LoadError>) {
    if let Some(e) = &error {
        leptos::logging::error!("checklists not loaded: {e:?}");
    }
    LOAD_ERROR.with(|slot| *slot.borrow_mut() = error);
    READY.with(crate::lazy::Latch::settle);
}

on_demand! {
    /// The catalog from the results of [`Catalog::READS`]: parsing every stored version is
    /// not needed to show home or registration, so it happens on demand, after them.
    fn parse_stored in checklists / preload_parse (values: Vec<wasm_bindgen::JsValue>)
        -> Result<Catalog, StorageError>
    {
        Catalog::from_values(&values)
    }
}

fn chunk_missing(_: crate::lazy::ChunkError) -> StorageError {
    StorageError("the checklist code could not be loaded".into())
}

/// What [`begin`] needs, kept from start-up until the catalog is parsed.
type Pending = (
    Db,
    leptos::prelude::RwSignal<Catalog>,
    Vec<wasm_bindgen::JsValue>,
    bool,
);

thread_local! {
    static PENDING: std::cell::RefCell<Option<Pending>> = const { std::cell::RefCell::new(None) };
}

/// Loads the catalog once the first screen is up: when the page is next idle, or as soon as a
/// screen needs a checklist ([`ready`]), whichever comes first. `stored` holds the results of
/// [`Catalog::READS`]; `has_inspections`: stored inspections without any checklist (data from
/// before schema v2) make their screens wait for the pack too.
pub fn start(
    db: Db,
    catalog: leptos::prelude::RwSignal<Catalog>,
    stored: Vec<wasm_bindgen::JsValue>,
    has_inspections: bool,
) {
    PENDING.with(|p| *p.borrow_mut() = Some((db, catalog, stored, has_inspections)));
    leptos::task::spawn_local(async {
        idle(1_000).await;
        begin();
    });
}

/// Parses the stored versions into the catalog, then adopts a newer pack when one is
/// available; offline this finds the pack shipped with the app, which is already known, and
/// changes nothing. On a first run (no checklist yet) the pack is fetched at once and retried
/// until stored; otherwise only when the page is idle, so that parsing and hashing it never
/// delays the start. Runs once; later calls do nothing.
fn begin() {
    let Some((db, catalog, stored, has_inspections)) = PENDING.with(|p| p.borrow_mut().take())
    else {
        return;
    };
    use leptos::prelude::*;
    leptos::task::spawn_local(async move {
        // A first run has nothing stored: no parser needed.
        let stored_any = stored
            .first()
            .is_some_and(|v| js_sys::Array::is_array(v) && js_sys::Array::from(v).length() > 0);
        if stored_any {
            match parse_stored(stored).await {
                Ok(Ok(parsed)) => catalog.set(parsed),
                Ok(Err(e)) => return mark_ready(Some(LoadError::Storage(e.to_string()))),
                Err(e) => return mark_ready(Some(LoadError::Chunk(e))),
            }
        }
        let first_run = catalog.with_untracked(|c| c.current().is_empty());
        if first_run && has_inspections {
            // Their screens look the checklist up once: one attempt before they show.
            if let Ok(Some(next)) = update(&db, catalog).await {
                catalog.set(next);
            }
        }
        mark_ready(None);
        if !first_run {
            idle(5_000).await;
        }
        let mut retry_ms = 1_000;
        loop {
            match update(&db, catalog).await {
                Ok(Some(next)) => return catalog.set(next),
                Ok(None) => return,
                // A first run has nothing to start an inspection with: keep trying.
                Err(_) if first_run && catalog.with_untracked(|c| c.current().is_empty()) => {
                    sleep(retry_ms).await;
                    retry_ms = (retry_ms * 2).min(30_000);
                }
                Err(e) => return leptos::logging::warn!("checklist pack not updated: {e}"),
            }
        }
    });
}

async fn update(
    db: &Db,
    catalog: leptos::prelude::RwSignal<Catalog>,
) -> Result<Option<Catalog>, StorageError> {
    use leptos::prelude::GetUntracked;
    update_from_pack(db.clone(), catalog.get_untracked())
        .await
        .map_err(chunk_missing)?
        .await
}

on_demand! {
    /// Fetches the newest pack ([`fetch_pack`]) and, when its checklists differ from
    /// `catalog`'s current ones, stores it: the catalog to adopt, or `None` when nothing
    /// changed. On demand: parsing, verifying and storing a pack is not needed to show the
    /// first screen.
    fn update_from_pack in checklists / preload_checklists (db: Db, catalog: Catalog)
        -> Task<Result<Option<Catalog>, StorageError>>
    {
        Box::pin(async move {
            let pack = fetch_pack().await?;
            let unchanged = catalog.current().len() == pack.checklists.len()
                && catalog
                    .current()
                    .iter()
                    .zip(&pack.checklists)
                    .all(|(a, b)| a.content_hash == b.content_hash);
            if unchanged {
                return Ok(None);
            }
            let mut next = catalog;
            next.install(&db, pack).await?;
            Ok(Some(next))
        })
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves when the page is idle (`requestIdleCallback`), at the latest after `timeout_ms`;
/// where that API is missing, after a short delay.
pub async fn idle(timeout_ms: i32) {
    let window = web_sys::window();
    let request = window.as_ref().and_then(|w| {
        js_sys::Reflect::get(w, &"requestIdleCallback".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    let (Some(window), Some(request)) = (window, request) else {
        return sleep(500).await;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"timeout".into(), &timeout_ms.into());
        let _ = request.call2(&window, &resolve, &options);
    });
    let _ = JsFuture::from(promise).await;
}
