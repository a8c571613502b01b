//! The app's data behind the first screen: the model read from IndexedDB, the persistence
//! Effect, the device key, the checklist catalog and the uploader. All of it is code the first
//! screen does not need (it shows the stored [`Summary`]), so it is loaded on demand, with the
//! screens' chunk, as soon as the first screen is up (issue 8).
//!
//! Nothing is written before the model is loaded: every write goes through the model, and
//! whatever needs it (a screen, registration, the ledger download) waits for [`ready`].

use crate::checklists::{self, Catalog};
use crate::device_key::DeviceKey;
use crate::features::outbox;
use crate::lazy::{Latch, Task, on_demand};
use crate::model::Model;
use crate::storage::{self, Db, StorageError};
use crate::summary::Summary;
use crate::{AppContext, Shell, i18n, persist};
use leptos::prelude::*;

/// Where loading the data stands.
#[derive(Clone)]
pub enum DataState {
    Loading,
    Ready(AppContext),
    Failed(DataError),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DataError {
    /// The chunk could not be fetched (e.g. an old tab after the server was updated): a
    /// reload tries again. Nothing stored was touched.
    Chunk,
    /// What is stored could not be read; the message says why.
    Storage(String),
}

impl DataError {
    /// In the current language.
    pub fn message(&self) -> String {
        match self {
            DataError::Chunk => i18n::t(
                "本机数据的程序未能加载，已保存的数据不受影响。请联网后重试。",
                "The code that reads this device's data could not be loaded; saved data is not affected. Connect and try again.",
            )
            .to_string(),
            DataError::Storage(e) => format!(
                "{}{}",
                i18n::t(
                    "无法打开本地存储，数据未受影响：",
                    "Cannot open local storage; no data was changed: "
                ),
                i18n::localize(e)
            ),
        }
    }
}

thread_local! {
    /// Resolved once [`DataState`] is `Ready` or `Failed`.
    static SETTLED: Latch = Latch::new();
}

/// Starts loading the data; `stored` is the summary read at start-up (what storage holds).
/// Called once, by the component whose owner the model's signals and Effects belong to.
pub fn start(shell: Shell, stored: Option<Summary>) {
    let owner = Owner::current().expect("data::start runs in a component");
    leptos::task::spawn_local(async move {
        // After the first screen is painted: fetching and compiling the chunk on the main
        // thread would otherwise hold that frame back.
        after_paint().await;
        let state = match load(shell, owner, stored).await {
            Ok(task) => match task.await {
                Ok(app) => DataState::Ready(app),
                Err(e) => DataState::Failed(DataError::Storage(e.to_string())),
            },
            Err(_) => DataState::Failed(DataError::Chunk),
        };
        match &state {
            DataState::Failed(e) => leptos::logging::error!("data not loaded: {e:?}"),
            // When every screen can be opened: the benchmark reports it beside the first screen.
            _ => mark("paicha-data-ready"),
        }
        shell.data.set(state);
        SETTLED.with(Latch::settle);
    });
}

/// Resolves after the next frame has been painted (a task queued from `requestAnimationFrame`).
async fn after_paint() {
    use wasm_bindgen::JsCast;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(window) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let queue = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            }
        });
        let _ = window.request_animation_frame(queue.unchecked_ref());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `performance.mark(name)`, if the browser has it.
fn mark(name: &str) {
    use wasm_bindgen::JsCast;
    let performance = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"performance".into()).ok())
        .filter(|p| !p.is_undefined());
    if let Some(performance) = performance
        && let Ok(f) = js_sys::Reflect::get(&performance, &"mark".into())
        && let Ok(f) = f.dyn_into::<js_sys::Function>()
    {
        let _ = f.call1(&performance, &name.into());
    }
}

/// The app's data, once loaded.
pub async fn ready(shell: Shell) -> Result<AppContext, DataError> {
    let _ = SETTLED.with(Latch::wait).await;
    match shell.data.get_untracked() {
        DataState::Ready(app) => Ok(app),
        DataState::Failed(e) => Err(e),
        DataState::Loading => Err(DataError::Storage("still loading".into())),
    }
}

on_demand! {
    /// Reads every record in one transaction with all requests in flight at once (the model,
    /// the checklist catalog and the device key) and starts what keeps them: the persistence
    /// Effect, the catalog's parse, the uploader.
    fn load in screens / preload_data (shell: Shell, owner: Owner, stored: Option<Summary>)
        -> Task<Result<AppContext, StorageError>>
    {
        Box::pin(async move {
            let db = shell.db.get_value();
            let (model_reads, rest) = (persist::READS.len(), Catalog::READS.len());
            let reads: Vec<storage::Read> = persist::READS
                .iter()
                .chain(&Catalog::READS)
                .chain([&DeviceKey::READ])
                .copied()
                .collect();
            let values = db.read(&reads).await?;
            let model = persist::load_from(&db, &values[..model_reads]).await?;
            let checklists = values[model_reads..model_reads + rest].to_vec();
            // The key exists once the inspector has registered; registration creates it.
            let key = if model.profile.is_some() {
                let stored = values.get(model_reads + rest).filter(|v| !v.is_undefined());
                Some(DeviceKey::stored_or_create(&db, stored.cloned()).await?)
            } else {
                None
            };
            Ok(owner.with(|| install(shell, db, model, key, checklists, stored)))
        })
    }
}

/// The model's signals and the Effects that keep storage and the first screen's summary in
/// step with it.
fn install(
    shell: Shell,
    db: Db,
    model: Model,
    key: Option<DeviceKey>,
    checklists: Vec<wasm_bindgen::JsValue>,
    stored: Option<Summary>,
) -> AppContext {
    let has_inspections = !model.inspections.is_empty();
    let model = RwSignal::new(model);
    let device_key = RwSignal::new_local(key);
    let catalog = RwSignal::new(Catalog::default());
    checklists::start(db.clone(), catalog, checklists, has_inspections);
    // Home shows the model's own summary from now on, kept by the persistence Effect.
    let summary = persist::SummarySync {
        device_key,
        shown: shell.summary,
        stored,
    };
    persist::sync_to_storage(model, db.clone(), shell.save_state, summary);
    let context = AppContext {
        model,
        db: StoredValue::new_local(db),
        device_key,
        save_state: shell.save_state.read_only(),
        route: shell.route,
        catalog,
    };
    // On the owner of the first screen's component, so that every screen below it finds it
    // (also in the reactive parts they build after the Suspense around them resolves).
    provide_context(context);
    outbox::start_uploader(context);
    context
}

on_demand! {
    /// Registration: creates (or loads) the device key, then stores the profile.
    pub fn register in screens / preload_register (app: AppContext, inspector: paicha_core::Inspector)
        -> Task<Result<(), StorageError>>
    {
        Box::pin(async move {
            // Records are evidence: ask the browser not to evict them (answer shown on the
            // storage screen).
            crate::features::storage_status::request_persistence().await;
            let key = DeviceKey::load_or_create(&app.db.get_value()).await?;
            app.model.update(|m| m.set_profile(inspector));
            app.device_key.set(Some(key));
            Ok(())
        })
    }
}
