//! IndexedDB, the app's durable store. Every write runs in a transaction opened with
//! `durability: "strict"` and is reported as done only when the transaction completes, so the
//! UI says "saved" only for data that is on disk.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction};

const DB_NAME: &str = "paicha";
/// Bump together with a migration step in [`upgrade`].
const DB_VERSION: u32 = 7;

pub const KV: &str = "kv";
pub const INSPECTIONS: &str = "inspections";
pub const BUNDLES: &str = "bundles";
pub const CHECKLISTS: &str = "checklists";
pub const ANSWERS: &str = "answers";
/// Photos and drawn signatures: Blobs keyed by the SHA-256 (hex) of their bytes, so the same
/// file is stored once however often it is referenced.
pub const PHOTOS: &str = "photos";
/// The enterprises this device knows (v5), keyed by a site id (UUID).
pub const SITES: &str = "sites";
/// The signed envelope (DSSE JSON) of each bundle (v6), keyed like its record in `bundles`.
/// Apart from the record, so that start-up, which reads every record, never reads envelopes
/// with their embedded photos.
pub const ENVELOPES: &str = "envelopes";
/// Hazards pulled from the ledger (v7), keyed `<inspection id>/<item id>`: the ledger's data,
/// never a backup's (`services::backup`).
pub const PULLED: &str = "pulled";
/// Photos of pulled hazards (v7), keyed by SHA-256 like `photos` but apart from it: the
/// ledger's evidence, deleted with what was pulled and never in a backup.
pub const PULLED_PHOTOS: &str = "pulled_photos";

#[wasm_bindgen]
extern "C" {
    /// The same IDBDatabase, viewed through a binding of `transaction(stores, mode, options)`:
    /// web-sys gates the options overload behind its unstable APIs.
    #[wasm_bindgen(extends = IdbDatabase)]
    type DurableDatabase;

    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(
        this: &DurableDatabase,
        stores: &JsValue,
        mode: &str,
        options: &JsValue,
    ) -> std::result::Result<IdbTransaction, JsValue>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<JsValue> for StorageError {
    fn from(value: JsValue) -> Self {
        let message = Reflect::get(&value, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| value.as_string())
            .unwrap_or_else(|| format!("{value:?}"));
        let name = Reflect::get(&value, &"name".into())
            .ok()
            .and_then(|n| n.as_string());
        StorageError(match name {
            Some(name) if name == "QuotaExceededError" => {
                format!("存储空间已满 / storage is full: {message}")
            }
            Some(name) => format!("{name}: {message}"),
            None => message,
        })
    }
}

pub type Result<T> = std::result::Result<T, StorageError>;

#[derive(Clone)]
pub struct Db(IdbDatabase);

/// One request of a batch read ([`Db::read`]): (store, key) or store.
#[derive(Clone, Copy, Debug)]
pub enum Read<'a> {
    Get(&'a str, &'a str),
    GetAll(&'a str),
    GetAllKeys(&'a str),
}

impl Read<'_> {
    fn store(&self) -> &str {
        match self {
            Read::Get(store, _) | Read::GetAll(store) | Read::GetAllKeys(store) => store,
        }
    }
}

/// Resolves when `request` succeeds, with its result.
async fn request_done(request: &IdbRequest) -> Result<JsValue> {
    Ok(JsFuture::from(request_promise(request)).await?)
}

/// A promise of `request`'s result; the handlers are attached now, before any event can fire.
/// The store names a transaction spans, each once. A transaction names a handful, so a linear
/// scan beats sorting: `sort_unstable` alone put 2 KB of code into the app shell.
fn distinct<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for name in names {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn request_promise(request: &IdbRequest) -> Promise {
    Promise::new(&mut |resolve, reject| {
        let req = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &req.result().unwrap_or(JsValue::UNDEFINED));
        });
        let req = request.clone();
        let on_error = Closure::once_into_js(move || {
            let error = req
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    })
}

/// Resolves when `tx` has committed; rejects if it aborts or fails.
async fn transaction_done(tx: &IdbTransaction) -> Result<()> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let tx_for_error = tx.clone();
        let reject2 = reject.clone();
        let on_error = Closure::once_into_js(move || {
            let error = tx_for_error
                .error()
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        let tx_for_abort = tx.clone();
        let on_abort = Closure::once_into_js(move || {
            let error = tx_for_abort
                .error()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("transaction aborted"));
            let _ = reject2.call1(&JsValue::NULL, &error);
        });
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onerror(Some(on_error.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise).await?;
    Ok(())
}

fn upgrade(db: &IdbDatabase, old_version: u32) -> std::result::Result<(), JsValue> {
    if old_version < 1 {
        db.create_object_store(KV)?;
        db.create_object_store(INSPECTIONS)?;
        db.create_object_store(BUNDLES)?;
    }
    if old_version < 2 {
        // v2: checklist versions, so inspections keep theirs when newer packs arrive.
        db.create_object_store(CHECKLISTS)?;
    }
    if old_version < 3 {
        // v3: one record per answer (`<inspection id>/<item id>`); inspection records become
        // headers. Records in the v1/v2 layout are rewritten on load (see persist::load_from).
        db.create_object_store(ANSWERS)?;
    }
    if old_version < 4 {
        // v4: photos (content-addressed Blobs); answers and inspections refer to them by hash.
        db.create_object_store(PHOTOS)?;
    }
    if old_version < 5 {
        // v5: saved sites (enterprises), so an inspector picks a site instead of retyping it.
        db.create_object_store(SITES)?;
    }
    if old_version < 6 {
        // v6: envelopes apart from the bundle records. Records that still hold theirs are
        // split on load (see persist::load_from).
        db.create_object_store(ENVELOPES)?;
    }
    if old_version < 7 {
        // v7: hazards pulled from the ledger (re-inspection of others' hazards).
        db.create_object_store(PULLED)?;
        db.create_object_store(PULLED_PHOTOS)?;
    }
    Ok(())
}

fn factory() -> Result<web_sys::IdbFactory> {
    web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StorageError("此浏览器不支持 IndexedDB / IndexedDB is not available".into()))
}

/// A newer app version (e.g. a tab that took over after an update) wants to upgrade the
/// schema: this connection would block it forever. Close it (running transactions still
/// finish) and reload, so this tab comes back on the new version too.
fn yield_to_upgrades(db: &IdbDatabase) {
    let on_version_change = Closure::<dyn FnMut()>::new({
        let db = db.clone();
        move || {
            db.close();
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    on_version_change.forget();
}

thread_local! {
    /// The connection [`open_early`] is making: a Promise of the `IDBDatabase`, or of `null`.
    static EARLY: std::cell::RefCell<Option<Promise>> = const { std::cell::RefCell::new(None) };
}

/// Starts opening the app's database while this tab waits to become the writer, so that
/// start-up does not wait for the lock and then for the open (issue 8: warm start). Only an
/// existing database of the current schema is opened, and nothing is read: reading before
/// holding the lock could load what another tab is still changing, and upgrading could pull
/// the schema from under the tab that holds it.
pub fn open_early() {
    let promise = wasm_bindgen_futures::future_to_promise(async {
        Ok(match Db::open_existing(DB_NAME).await {
            Ok(Some(db)) => db.0.into(),
            _ => JsValue::NULL,
        })
    });
    EARLY.with(|e| *e.borrow_mut() = Some(promise));
}

impl Db {
    /// The app's database, opened (created or migrated as needed); the connection
    /// [`open_early`] made if it made one.
    pub async fn open() -> Result<Self> {
        if let Some(early) = EARLY.with(|e| e.borrow_mut().take())
            && let Ok(db) = JsFuture::from(early)
                .await
                .and_then(|v| v.dyn_into::<IdbDatabase>())
        {
            return Ok(Db(db));
        }
        Self::open_named(DB_NAME).await
    }

    /// Opens (creating or migrating) the database called `name`; tests use their own names.
    pub async fn open_named(name: &str) -> Result<Self> {
        let request: IdbOpenDbRequest = factory()?.open_with_u32(name, DB_VERSION)?;
        let req = request.clone();
        let on_upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
            move |event: web_sys::IdbVersionChangeEvent| {
                if let Ok(db) = req.result().and_then(|r| r.dyn_into::<IdbDatabase>())
                    && let Err(e) = upgrade(&db, event.old_version() as u32)
                {
                    web_sys::console::error_1(&e);
                }
            },
        );
        request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let db = request_done(&request).await?;
        drop(on_upgrade);
        let db = db.dyn_into::<IdbDatabase>()?;
        yield_to_upgrades(&db);
        Ok(Db(db))
    }

    /// Opens the database called `name` at the version it has, if that is the current schema;
    /// `None` if it does not exist yet or needs an upgrade (which only [`Db::open_named`] does,
    /// once this tab is the writer). Never creates, upgrades or writes anything.
    async fn open_existing(name: &str) -> Result<Option<Self>> {
        let request: IdbOpenDbRequest = factory()?.open(name)?;
        // Without a version, opening a database that does not exist would create it: abort
        // that, so the first real open creates it with every store.
        let req = request.clone();
        let on_upgrade = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = req.transaction() {
                let _ = tx.abort();
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let opened = request_done(&request).await;
        drop(on_upgrade);
        let Ok(db) = opened.and_then(|db| Ok(db.dyn_into::<IdbDatabase>()?)) else {
            return Ok(None);
        };
        if db.version() as u32 != DB_VERSION {
            db.close();
            return Ok(None);
        }
        yield_to_upgrades(&db);
        Ok(Some(Db(db)))
    }

    fn tx(&self, stores: &[&str], readwrite: bool) -> Result<IdbTransaction> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        let options = Object::new();
        Reflect::set(&options, &"durability".into(), &"strict".into())?;
        let mode = if readwrite { "readwrite" } else { "readonly" };
        Ok(self
            .0
            .unchecked_ref::<DurableDatabase>()
            .transaction_with_options(&names, mode, &options)?)
    }

    pub async fn get(&self, store: &str, key: &str) -> Result<Option<JsValue>> {
        let tx = self.tx(&[store], false)?;
        let value = request_done(&tx.object_store(store)?.get(&key.into())?).await?;
        Ok((!value.is_undefined()).then_some(value))
    }

    pub async fn get_all(&self, store: &str) -> Result<Vec<JsValue>> {
        let tx = self.tx(&[store], false)?;
        let values = request_done(&tx.object_store(store)?.get_all()?).await?;
        Ok(Array::from(&values).iter().collect())
    }

    /// Writes several (store, key, value) records atomically and durably.
    pub async fn put_all(&self, writes: &[(&str, &str, JsValue)]) -> Result<()> {
        self.write(writes, &[]).await
    }

    /// The object stores that exist (a backup covers every one of them).
    pub fn store_names(&self) -> Vec<String> {
        let names = self.0.object_store_names();
        (0..names.length()).filter_map(|i| names.item(i)).collect()
    }

    /// Every (key, value) of a store, in key order (one transaction, so keys and values match).
    pub async fn entries(&self, store: &str) -> Result<Vec<(String, JsValue)>> {
        let tx = self.tx(&[store], false)?;
        let object_store = tx.object_store(store)?;
        let keys = object_store.get_all_keys()?;
        let values = object_store.get_all()?;
        let keys = request_done(&keys).await?;
        let values = request_done(&values).await?;
        Ok(Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .map(|(k, v)| (k.as_string().unwrap_or_default(), v))
            .collect())
    }

    /// Several reads in one readonly transaction, all requested at once, so that start-up
    /// waits for IndexedDB once instead of once per record. Results come in the order of
    /// `reads`: a `Get` of a missing key gives `undefined`, `GetAll`/`GetAllKeys` an array
    /// (in key order, so the keys and values of one store match).
    pub async fn read(&self, reads: &[Read<'_>]) -> Result<Vec<JsValue>> {
        let stores = distinct(reads.iter().map(Read::store));
        let tx = self.tx(&stores, false)?;
        let promises = Array::new();
        for read in reads {
            let store = tx.object_store(read.store())?;
            let request = match read {
                Read::Get(_, key) => store.get(&JsValue::from_str(key))?,
                Read::GetAll(_) => store.get_all()?,
                Read::GetAllKeys(_) => store.get_all_keys()?,
            };
            promises.push(&request_promise(&request));
        }
        let results = JsFuture::from(Promise::all(&promises)).await?;
        Ok(Array::from(&results).iter().collect())
    }

    /// Puts and deletes in one durable transaction.
    pub async fn write(
        &self,
        puts: &[(&str, &str, JsValue)],
        deletes: &[(&str, &str)],
    ) -> Result<()> {
        if puts.is_empty() && deletes.is_empty() {
            // Nothing to write (e.g. a restore where every record exists): IndexedDB refuses a
            // transaction over no stores.
            return Ok(());
        }
        let stores = distinct(puts.iter().map(|w| w.0).chain(deletes.iter().map(|d| d.0)));
        let tx = self.tx(&stores, true)?;
        let queued = (|| -> std::result::Result<(), JsValue> {
            for (store, key) in deletes {
                tx.object_store(store)?.delete(&JsValue::from_str(key))?;
            }
            for (store, key, value) in puts {
                tx.object_store(store)?
                    .put_with_key(value, &JsValue::from_str(key))?;
            }
            Ok(())
        })();
        if let Err(e) = queued {
            // A request that throws (e.g. a value that cannot be cloned) does not abort the
            // transaction: left alone, it would commit the requests queued before it.
            let _ = tx.abort();
            return Err(e.into());
        }
        transaction_done(&tx).await
    }

    pub async fn put(&self, store: &str, key: &str, value: JsValue) -> Result<()> {
        self.put_all(&[(store, key, value)]).await
    }
}

/// Records are stored as JSON text: one serialisation for storage, bundles and backups.
pub fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    JsValue::from_str(&serde_json::to_string(value).expect("records always serialise"))
}

pub fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T> {
    let text = value
        .as_string()
        .ok_or_else(|| StorageError("stored record is not text".into()))?;
    serde_json::from_str(&text).map_err(|e| StorageError(format!("stored record unreadable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::distinct;

    #[test]
    fn distinct_keeps_each_store_once_in_first_seen_order() {
        let names = ["answers", "kv", "answers", "photos", "kv"];
        assert_eq!(distinct(names.into_iter()), ["answers", "kv", "photos"]);
        assert!(distinct(std::iter::empty()).is_empty());
    }
}
