//! What the app does with its data beyond changing the model: signing bundles, the outbox that
//! uploads them, the photo store, backups, the hazard-ledger download, keeping the checklists
//! current, and loading the data at start-up (`session`).
//!
//! Services use the model and the platform; screens and widgets call them.

pub mod backup;
pub mod checklists;
pub mod device_requests;
pub mod enrolment;
pub mod ledger_export;
pub mod outbox;
pub mod photos;
pub mod regions;
pub mod session;
pub mod signing;
pub mod sync;
