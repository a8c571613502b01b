//! One module per command: its arguments (clap) and its work.

pub mod audit;
pub mod blobs;
pub mod checklists;
pub mod export;
pub mod gaps;
pub mod import;
pub mod keys;
pub mod regions;
pub mod serve;
pub mod users;
pub mod verify;
