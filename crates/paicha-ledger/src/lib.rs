//! The Paicha ledger: verifies signed inspection bundles (DSSE v1, Ed25519), keeps a registry of
//! enrolled device keys, imports bundles into SQL storage, and serves the PWA with the HTTP API.
//!
//! The binary (`src/main.rs`) is a thin shell over this library so that tests drive the same
//! code paths as operators do.

pub mod access;
pub mod archive;
pub mod blobs;
pub mod checklist_pack;
pub mod cli;
pub mod commands;
pub mod files;
pub mod hazards;
pub mod import;
pub mod packs;
pub mod registry;
pub mod rules;
pub mod server;
pub mod store;
pub mod thumbnail;
pub mod time;

/// Largest envelope accepted from a file or an upload. Photos travel inside the payload
/// (base64), so this leaves room for a few dozen phone photos; it bounds memory per request.
pub const MAX_BUNDLE_BYTES: usize = 32 * 1024 * 1024;

/// Version reported by `--version` and `GET /api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
