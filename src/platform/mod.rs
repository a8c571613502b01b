//! The browser underneath the app, one module per API: IndexedDB, the WebCrypto device key,
//! the writer lock, service-worker updates, geolocation, downloads and sharing, requests to
//! the ledger, the clock, the URL fragment, the interface language, and the on-demand chunks.
//!
//! The lowest layer: it imports no other layer of the app (docs/architecture.md).

pub mod clock;
pub mod device_key;
pub mod download;
pub mod geo;
pub mod http;
pub mod i18n;
pub mod ids;
pub mod lazy;
pub mod route;
pub mod share;
pub mod storage;
pub mod storage_info;
pub mod timing;
pub mod update;
pub mod writer_lock;

/// This build's version, as bundles and backups name it.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");
