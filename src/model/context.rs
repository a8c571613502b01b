//! What the screens find as context. Each handle is provided on its own (narrow contexts), so
//! a component asks for what it uses: `use_model()`, `use_catalog()`, `use_db()`,
//! `use_device_key()`, `use_save_state()`. The first screen (home, registration) is drawn
//! before the data is loaded and works with [`Shell`] instead.

use super::Model;
use super::catalog::Catalog;
use super::persist::SaveState;
use super::summary::Summary;
use crate::platform::device_key::DeviceKey;
use crate::platform::i18n;
use crate::platform::route::Route;
use crate::platform::storage::Db;
use leptos::prelude::*;

/// The app's data once loaded: what services work with ([`super::data::ready`]).
#[derive(Clone, Copy)]
pub struct AppContext {
    pub model: RwSignal<Model>,
    pub db: StoredValue<Db, LocalStorage>,
    pub device_key: RwSignal<Option<DeviceKey>, LocalStorage>,
    pub save_state: ReadSignal<SaveState>,
    pub catalog: RwSignal<Catalog>,
}

impl AppContext {
    /// Provides each handle as its own context, on the current owner.
    pub fn provide(self) {
        provide_context(self);
        provide_context(self.model);
        provide_context(self.db);
        provide_context(self.device_key);
        provide_context(self.save_state);
        provide_context(self.catalog);
    }
}

/// The app's data, for services called from a screen.
pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

pub fn use_model() -> RwSignal<Model> {
    expect_context()
}

pub fn use_catalog() -> RwSignal<Catalog> {
    expect_context()
}

pub fn use_db() -> StoredValue<Db, LocalStorage> {
    expect_context()
}

pub fn use_device_key() -> RwSignal<Option<DeviceKey>, LocalStorage> {
    expect_context()
}

pub fn use_save_state() -> ReadSignal<SaveState> {
    expect_context()
}

/// What the first screen works with, before the data is loaded.
#[derive(Clone, Copy)]
pub struct Shell {
    pub db: StoredValue<Db, LocalStorage>,
    /// What home shows; `None` until known (a summary not stored yet waits for the model).
    pub summary: RwSignal<Option<Summary>>,
    pub save_state: RwSignal<SaveState>,
    pub route: ReadSignal<Route>,
    pub data: RwSignal<DataState, LocalStorage>,
}

pub fn use_shell() -> Shell {
    expect_context::<Shell>()
}

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
