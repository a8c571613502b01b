//! The app's data behind the first screen: whether it is loaded, and installing it once read.
//! The first screen shows the stored [`Summary`] and needs none of this; loading it is started
//! after the first screen is painted (`services::session`), and whatever needs the data (a
//! screen, registration, the ledger download) waits for [`ready`].

use super::Model;
use super::catalog::Catalog;
use super::context::{AppContext, DataError, DataState, Shell};
use super::persist;
use super::summary::Summary;
use crate::platform::device_key::DeviceKey;
use crate::platform::lazy::Latch;
use crate::platform::storage::Db;
use leptos::prelude::*;

thread_local! {
    /// Resolved once [`DataState`] is `Ready` or `Failed`.
    static SETTLED: Latch = Latch::new();
}

/// Records how loading ended and wakes whoever waits in [`ready`].
pub fn settle(shell: Shell, state: DataState) {
    shell.data.set(state);
    SETTLED.with(Latch::settle);
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

/// The model's signals and the Effect that keeps storage and the first screen's summary in
/// step with it, provided as context on the current owner (the first screen's component, so
/// that every screen below it finds them, also in the reactive parts they build after the
/// Suspense around them resolves).
pub fn install(
    shell: Shell,
    db: Db,
    model: Model,
    key: Option<DeviceKey>,
    catalog: RwSignal<Catalog>,
    stored: Option<Summary>,
) -> AppContext {
    let model = RwSignal::new(model);
    let device_key = RwSignal::new_local(key);
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
        catalog,
    };
    context.provide();
    context
}
