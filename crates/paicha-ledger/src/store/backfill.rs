//! Completing inspections stored before the current schema version.
//!
//! Version 3 keeps more of each inspection in columns and tables: its kind and team, the
//! site's details, each hazard's location and deadline and a re-inspection's reviews;
//! version 4 the rest of each hazard's order (measures, responsible, funds, a major hazard's
//! plan and suspension). Rows stored earlier lack them, but the bundle that carried each
//! inspection is stored verbatim, so they are read from there once, when the ledger opens:
//! afterwards an old hazard has its deadline (and can be overdue), its whole order in the
//! hazard ledger, and an old re-inspection closes its hazards.

use super::bundles::{DETAILS_VERSION, insert_team_and_reviews, store_details, store_order};
use super::hazard_state::{Which, refresh};
use super::{Store, StoreError};
use paicha_core::BundlePayload;
use paicha_core::dsse::{Envelope, b64_decode};
use sqlx::Row;
use std::collections::BTreeMap;

impl Store {
    /// Fills the columns of versions 3 and 4 of inspections stored before them from their
    /// bundles. Each bundle is one transaction; running it again (or in two processes at
    /// once) is harmless.
    pub(super) async fn complete_old_inspections(&self) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT id, bundle_payload_sha256 FROM inspections WHERE details_version < $1 \
             ORDER BY bundle_payload_sha256, id",
        )
        .bind(DETAILS_VERSION)
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut by_bundle: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in &rows {
            by_bundle
                .entry(row.try_get("bundle_payload_sha256")?)
                .or_default()
                .push(row.try_get("id")?);
        }
        let _serialised = self.import_lock.lock().await;
        let mut completed = 0;
        for (sha, ids) in &by_bundle {
            let envelope: String =
                sqlx::query_scalar("SELECT envelope FROM bundles WHERE payload_sha256 = $1")
                    .bind(sha.as_str())
                    .fetch_one(self.pool())
                    .await?;
            let payload = match stored_payload(&envelope, sha) {
                Ok(payload) => payload,
                Err(e) => {
                    tracing::warn!(
                        bundle = %sha,
                        "cannot read the stored bundle to complete its inspections: {e}"
                    );
                    continue;
                }
            };
            let mut tx = self.pool().begin().await?;
            for inspection in &payload.inspections {
                let id = inspection.id.to_string();
                let Some(sealed_at) = inspection.sealed_at else {
                    continue;
                };
                if !ids.contains(&id) {
                    continue;
                }
                store_details(&mut tx, inspection).await?;
                for (item_id, answer) in &inspection.answers {
                    store_order(&mut tx, &id, item_id, answer).await?;
                }
                insert_team_and_reviews(&mut tx, sha, inspection, sealed_at).await?;
                refresh(&mut tx, Which::Inspection(&id)).await?;
                refresh(&mut tx, Which::ReviewedBy(&id)).await?;
                completed += 1;
            }
            tx.commit().await?;
        }
        if completed > 0 {
            tracing::info!(
                "completed {completed} inspection(s) stored before schema version {DETAILS_VERSION} \
                 from their bundles"
            );
        }
        if completed < rows.len() {
            tracing::warn!(
                "{} inspection(s) stored before schema version {DETAILS_VERSION} could not be \
                 completed from their bundles: their orders and reviews are unknown to the ledger",
                rows.len() - completed
            );
        }
        Ok(())
    }
}

/// The payload of a stored envelope, checked against the hash it is stored under. Its
/// signature was verified when it was imported (the key may have been revoked since).
fn stored_payload(envelope: &str, sha: &str) -> Result<BundlePayload, String> {
    let envelope: Envelope = serde_json::from_str(envelope).map_err(|e| e.to_string())?;
    let bytes = b64_decode(&envelope.payload).map_err(|e| e.to_string())?;
    if paicha_core::sha256_hex(&bytes) != sha {
        return Err("the stored envelope's payload does not hash to its key".into());
    }
    paicha_core::verify::parse_payload(&bytes).map_err(|e| e.to_string())
}
