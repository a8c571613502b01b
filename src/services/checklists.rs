//! Which checklists are current, and keeping them so. The current pack comes from the ledger
//! (`api/checklists`) when online, else from the precached `checklists/pack.json`; either is
//! installed only when it is signed by a key the device trusts (docs/checklist-packs.md), and
//! not older than the pack installed. A refused pack leaves the installed one in place and the
//! reason in the catalog, which the screens show. The catalog ([`Catalog`]) keeps every version
//! it has seen.

use crate::model::catalog::Catalog;
use crate::platform::device_key::verify_ed25519;
use crate::platform::http;
use crate::platform::lazy::{ChunkError, Latch, Task, on_demand};
use crate::platform::storage::{Db, StorageError};
use crate::platform::timing::{idle, sleep};
use paicha_core::signed_pack::{self, Adoption};
use paicha_core::wire;

/// Where a pack came from, for the refusal message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackSource {
    /// The ledger's `GET /api/checklists`.
    Ledger,
    /// The copy shipped with this version of the app.
    Shipped,
}

impl PackSource {
    fn label(self) -> &'static str {
        match self {
            PackSource::Ledger => "台账服务器提供的检查表包 / the ledger's checklist pack",
            PackSource::Shipped => "应用随带的检查表包 / the app's own checklist pack",
        }
    }
}

/// The packs available now, best first: the ledger's when reachable, then the one shipped with
/// this version of the app (precached by the service worker).
async fn fetch_packs() -> Vec<(PackSource, Result<Vec<u8>, StorageError>)> {
    let mut out = Vec::new();
    if http::online() {
        out.push((
            PackSource::Ledger,
            http::get_bytes(wire::CHECKLISTS_PATH).await,
        ));
    }
    out.push((
        PackSource::Shipped,
        http::get_bytes("checklists/pack.json").await,
    ));
    out
}

/// What offering a pack file to the catalog came to.
#[derive(Debug, Clone)]
pub enum Offer {
    /// Installed: this is the catalog to adopt.
    Installed(Catalog),
    /// Valid, but the pack installed is this one or newer.
    Kept,
    /// Refused, with the reason; the installed pack stays.
    Refused(String),
}

/// Opens a pack file against the keys `catalog` trusts (checking signatures with WebCrypto)
/// and, when it is newer than the installed pack, installs it durably (its checklists, what
/// was installed and the keys its statements brought, in one transaction).
pub async fn offer(db: &Db, catalog: &Catalog, source: PackSource, bytes: &[u8]) -> Offer {
    let trusted = catalog.trusted();
    let opened = signed_pack::open(bytes, &trusted, |check| async move {
        verify_ed25519(&check.public_key, &check.message, &check.signature).await
    })
    .await;
    let opened = match opened {
        Ok(opened) => opened,
        Err(refusal) => return Offer::Refused(format!("{}：{refusal}", source.label())),
    };
    match opened.adoption(catalog.installed()) {
        Adoption::Unchanged | Adoption::Older => Offer::Kept,
        Adoption::Install => {
            let mut next = catalog.clone();
            let info = opened.info();
            match next.install(db, opened.pack, info, opened.new_keys).await {
                Ok(()) => Offer::Installed(next),
                Err(e) => Offer::Refused(format!("{}：{e}", source.label())),
            }
        }
    }
}

// ---- Start-up: the catalog is parsed after the first screen is shown --------------------------

thread_local! {
    /// Resolved once the stored catalog is parsed (or failed to be): screens that need a
    /// checklist wait for it ([`ready`]).
    static READY: Latch = Latch::new();
    /// Why the stored catalog could not be loaded, if it could not.
    static LOAD_ERROR: std::cell::RefCell<Option<LoadError>> = const { std::cell::RefCell::new(None) };
}

/// Resolves once the stored catalog is in the catalog (starting to load it
/// if that has not begun); afterwards at once.
pub async fn ready() {
    begin();
    let _ = READY.with(Latch::wait).await;
}

/// Why the stored checklists could not be loaded.
#[derive(Debug, Clone)]
pub enum LoadError {
    /// The parser's chunk could not be fetched: a reload tries again.
    Chunk(ChunkError),
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
    READY.with(Latch::settle);
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

fn chunk_missing(_: ChunkError) -> StorageError {
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
    /// Offers the packs available ([`fetch_packs`]) to the catalog, best first, until one is
    /// installed or found no newer than the installed one: the catalog to adopt, or `None` when
    /// nothing changed. A refusal (of the ledger's pack, say) is kept in the catalog for the
    /// screens even when another pack is then installed or kept. On demand: verifying and
    /// storing a pack is not needed to show the first screen.
    fn update_from_pack in checklists / preload_checklists (db: Db, catalog: Catalog)
        -> Task<Result<Option<Catalog>, StorageError>>
    {
        Box::pin(async move {
            let mut refusals = Vec::new();
            let mut outcome = None;
            for (source, bytes) in fetch_packs().await {
                let bytes = match bytes {
                    Ok(bytes) => bytes,
                    // Unreachable (offline, server down): not a refusal, try the next one.
                    Err(_) => continue,
                };
                match offer(&db, &catalog, source, &bytes).await {
                    Offer::Installed(next) => {
                        outcome = Some(Some(next));
                        break;
                    }
                    Offer::Kept => {
                        outcome = Some(None);
                        break;
                    }
                    Offer::Refused(reason) => refusals.push(reason),
                }
            }
            let refusal = (!refusals.is_empty()).then(|| refusals.join("；"));
            match outcome {
                Some(Some(mut next)) => {
                    next.set_refusal(refusal);
                    Ok(Some(next))
                }
                Some(None) if refusal.as_deref() == catalog.refusal() => Ok(None),
                // Nothing installed (a refusal, or none any more): the installed pack stays,
                // and the screens say why.
                Some(None) | None if refusal.is_some() || outcome.is_some() => {
                    let mut next = catalog;
                    next.set_refusal(refusal);
                    Ok(Some(next))
                }
                _ => Err(StorageError(
                    "检查表包无法取得 / no checklist pack reachable".into(),
                )),
            }
        })
    }
}
