//! The ledger at provincial scale (issue 21), as code that both the fault tests
//! (`crates/paicha-ledger/tests/cluster.rs`) and the load run (`paicha-load`, run by
//! `scripts/bench --only ledger-load`) use:
//!
//! - [`cluster`]: real processes: a throwaway PostgreSQL (`scripts/postgres`), `paicha-ledger
//!   serve` instances, nginx in front of them with a configuration written to a temporary
//!   directory; killed with SIGKILL, stopped with SIGTERM, restarted on the same port.
//! - [`fleet`]: device keys (Ed25519) enrolled with `paicha-ledger keys add`, and signed
//!   bundles of sealed inspections of the repository's checklists.
//! - [`client`]: the one place where a device talks HTTP to the ledger: an upload with
//!   retries on what the API says is worth retrying. Signed device requests (RFC 9421) will
//!   be added here.
//! - [`reconcile`]: every acknowledged bundle stored exactly once, nothing half-stored.

pub mod client;
pub mod cluster;
pub mod fleet;
pub mod reconcile;
