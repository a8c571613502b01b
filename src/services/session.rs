//! Loading the app's data and starting what keeps it: the persistence Effect (`model::data`),
//! the checklist catalog's updates, the uploader, the puller (`sync`) and the photo store's
//! pruning; and registering the inspector. All of it
//! is code the first screen does not need (it shows the stored summary), so it is loaded on
//! demand, with the screens' chunk, as soon as the first screen is up (issue 8).

use crate::model::catalog::Catalog;
use crate::model::context::{AppContext, Shell};
use crate::model::context::{DataError, DataState};
use crate::model::data;
use crate::model::persist;
use crate::model::summary::Summary;
use crate::platform::device_key::DeviceKey;
use crate::platform::lazy::{Task, on_demand};
use crate::platform::storage::{self, StorageError};
use crate::platform::{storage_info, timing};
use crate::services::{checklists, outbox, photos, regions, sync};
use leptos::prelude::*;

/// Starts loading the data; `stored` is the summary read at start-up (what storage holds).
/// Called once, by the component whose owner the model's signals and Effects belong to.
pub fn start(shell: Shell, stored: Option<Summary>) {
    let owner = Owner::current().expect("session::start runs in a component");
    leptos::task::spawn_local(async move {
        // After the first screen is painted: fetching and compiling the chunk on the main
        // thread would otherwise hold that frame back.
        timing::after_paint().await;
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
            _ => timing::mark("paicha-data-ready"),
        }
        data::settle(shell, state);
    });
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
            let stored_checklists = values[model_reads..model_reads + rest].to_vec();
            // The registration form is up: offer it the region table (from here, so that
            // the app shell does not carry the call; see `services::regions`).
            if model.profile.is_none() {
                regions::offer("inspector-region");
            }
            // The key exists once the inspector has registered; registration creates it.
            let key = if model.profile.is_some() {
                let stored = values.get(model_reads + rest).filter(|v| !v.is_undefined());
                Some(DeviceKey::stored_or_create(&db, stored.cloned()).await?)
            } else {
                None
            };
            let has_inspections = !model.inspections.is_empty();
            let app = owner.with(|| {
                let catalog = RwSignal::new(Catalog::default());
                checklists::start(db.clone(), catalog, stored_checklists, has_inspections);
                data::install(shell, db, model, key, catalog, stored)
            });
            outbox::start_uploader(app);
            sync::start_puller(app);
            prune_photos(app);
            Ok(app)
        })
    }
}

/// Deletes the stored photos no record refers to any more (`services::photos::prune`), in the
/// background: a photo removed from an answer while its deletion could not run, or one whose
/// answer was never written; and, if the person chose so, those the ledger holds
/// (`Model::photos_to_free`) whose freeing the page did not live to finish.
fn prune_photos(app: AppContext) {
    let keep = app.model.with_untracked(|m| {
        let free = m.photos_to_free();
        let mut keep = m.files_in_use();
        keep.retain(|h| !free.contains(h));
        keep
    });
    let db = app.db.get_value();
    leptos::task::spawn_local(async move {
        if let Err(e) = photos::prune(&db, &keep).await {
            leptos::logging::warn!("unused photos not deleted yet: {e}");
        }
    });
}

/// Registration: creates (or loads) the device key, then stores the profile. Called from the
/// registration form's own on-demand step (`screens::onboarding`).
pub async fn register(
    app: AppContext,
    inspector: paicha_core::Inspector,
) -> Result<(), StorageError> {
    // Records are evidence: ask the browser not to evict them (answer shown on the storage
    // screen).
    storage_info::request_persistence().await;
    let key = DeviceKey::load_or_create(&app.db.get_value()).await?;
    app.model.update(|m| m.set_profile(inspector));
    app.device_key.set(Some(key));
    Ok(())
}
