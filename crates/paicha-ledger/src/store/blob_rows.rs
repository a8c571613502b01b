//! The rows that name files, and the blob store that holds their bytes (`crate::blobs`).
//!
//! The order that keeps the two in step: bytes are written to the blob store, verified,
//! before any row says they are there (`attachments.stored_at`). A crash between the two
//! leaves a blob no row marks, which the next arrival of the same bytes finds harmless (the
//! store is content-addressed and idempotent) and `collect_orphan_blobs` removes; never a row
//! that claims bytes the store does not have.

use super::{Store, StoreError};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use paicha_core::{Attachment, AttachmentError, BundlePayload};
use sqlx::Row;

/// What became of a file sent with `PUT /api/blobs/{sha256}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobReceipt {
    /// Stored now.
    Stored { size: u64 },
    /// The ledger held these bytes already; nothing was written.
    AlreadyHeld { size: u64 },
    /// No stored bundle names this hash: the envelope comes first.
    NotNamed,
    /// The bytes are not the ones named (size, then hash).
    Refused(AttachmentError),
}

/// What `blobs check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlobReport {
    pub intact: usize,
    pub awaited: usize,
    /// Files in the blob store that no row marks as stored.
    pub unnamed: usize,
    pub problems: Vec<String>,
}

/// A bundle whose named files have not all arrived (`gaps`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    pub key_id: String,
    pub sequence: i64,
    pub payload_sha256: String,
    /// Files the bundle was the first to name that are still awaited.
    pub awaited: i64,
}

impl Store {
    /// The blob store behind this ledger.
    pub fn blobs(&self) -> &crate::blobs::BlobStore {
        &self.blobs
    }

    /// Takes one file a stored bundle names: checks it against the name, writes it to the
    /// blob store, then marks the row.
    pub async fn receive_blob(
        &self,
        sha256: &str,
        bytes: bytes::Bytes,
        at: DateTime<Utc>,
    ) -> Result<BlobReceipt, StoreError> {
        let row =
            sqlx::query("SELECT media_type, size, stored_at FROM attachments WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(self.pool())
                .await?;
        let Some(row) = row else {
            return Ok(BlobReceipt::NotNamed);
        };
        let named = named_file(sha256, row.try_get("media_type")?, row.try_get("size")?)?;
        if let Err(refused) = named.check_blob(&bytes) {
            return Ok(BlobReceipt::Refused(refused));
        }
        let stored_at: Option<String> = row.try_get("stored_at")?;
        if stored_at.is_some() {
            return Ok(BlobReceipt::AlreadyHeld { size: named.size });
        }
        self.blobs.put_verified(sha256, bytes).await?;
        self.mark_stored(&[sha256.to_string()], at).await?;
        Ok(BlobReceipt::Stored { size: named.size })
    }

    /// Records that the blob store holds these files (written and verified before).
    pub(crate) async fn mark_stored(
        &self,
        hashes: &[String],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for sha256 in hashes {
            sqlx::query(
                "UPDATE attachments SET stored_at = $2 WHERE sha256 = $1 AND stored_at IS NULL",
            )
            .bind(sha256.as_str())
            .bind(to_db(at))
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// Whether no row marks `sha256` as stored (unknown, or awaited): a blob written for it may
    /// go.
    pub async fn missing_or_unknown(&self, sha256: &str) -> Result<bool, StoreError> {
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM attachments WHERE sha256 = $1 AND stored_at IS NOT NULL",
        )
        .bind(sha256)
        .fetch_optional(self.pool())
        .await?;
        Ok(stored.is_none())
    }

    /// The files `payload` names that the ledger does not hold yet, in `attachments` order.
    pub async fn missing_blobs(&self, payload: &BundlePayload) -> Result<Vec<String>, StoreError> {
        let mut missing = Vec::new();
        for attachment in &payload.attachments {
            let awaited: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM attachments WHERE sha256 = $1 AND stored_at IS NULL",
            )
            .bind(attachment.sha256.as_str())
            .fetch_optional(self.pool())
            .await?;
            if awaited.is_some() {
                missing.push(attachment.sha256.clone());
            }
        }
        Ok(missing)
    }

    /// Bundles whose files have not all arrived, by device and sequence.
    pub async fn incomplete_bundles(&self) -> Result<Vec<Incomplete>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.key_id, b.sequence, b.payload_sha256, COUNT(*) AS awaited \
             FROM attachments a JOIN bundles b ON b.payload_sha256 = a.first_bundle_payload_sha256 \
             WHERE a.stored_at IS NULL \
             GROUP BY b.key_id, b.sequence, b.payload_sha256 ORDER BY b.key_id, b.sequence",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Incomplete {
                    key_id: row.try_get("key_id")?,
                    sequence: row.try_get("sequence")?,
                    payload_sha256: row.try_get("payload_sha256")?,
                    awaited: row.try_get("awaited")?,
                })
            })
            .collect()
    }

    /// Moves files that version 1 bundles embedded (kept as base64 in their rows before
    /// schema version 9) into the blob store, a batch at a time: each blob is written and
    /// verified before its row gives up the base64. Running it again, or in two processes at
    /// once, is harmless.
    pub(super) async fn move_embedded_files(&self) -> Result<(), StoreError> {
        loop {
            let rows = sqlx::query(
                "SELECT sha256, data_base64 FROM attachments WHERE data_base64 <> '' \
                 ORDER BY sha256 LIMIT 50",
            )
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            for row in &rows {
                let sha256: String = row.try_get("sha256")?;
                let data: String = row.try_get("data_base64")?;
                let bytes =
                    paicha_core::dsse::b64_decode(&data).map_err(|e| StoreError::Corrupt {
                        table: "attachments",
                        detail: format!("attachment {sha256}: {e}"),
                    })?;
                self.blobs.put_verified(&sha256, bytes.into()).await?;
                sqlx::query(
                    "UPDATE attachments SET data_base64 = '', \
                     stored_at = COALESCE(stored_at, $2) WHERE sha256 = $1",
                )
                .bind(sha256.as_str())
                .bind(to_db(Utc::now()))
                .execute(self.pool())
                .await?;
            }
            tracing::info!(
                files = rows.len(),
                "moved embedded photos to the blob store"
            );
        }
    }

    /// Reads back every file a row marks as stored and checks it against its name.
    pub async fn check_blobs(&self) -> Result<BlobReport, StoreError> {
        let rows = sqlx::query("SELECT sha256, size, stored_at FROM attachments ORDER BY sha256")
            .fetch_all(self.pool())
            .await?;
        let mut report = BlobReport::default();
        let mut marked = std::collections::BTreeSet::new();
        for row in &rows {
            let sha256: String = row.try_get("sha256")?;
            if row.try_get::<Option<String>, _>("stored_at")?.is_none() {
                report.awaited += 1;
                continue;
            }
            let named = named_file(&sha256, String::new(), row.try_get("size")?)?;
            match self.blobs.get(&sha256).await? {
                None => report
                    .problems
                    .push(format!("{sha256}: marked stored, not in the blob store")),
                Some(bytes) => match named.check_blob(&bytes) {
                    Ok(()) => report.intact += 1,
                    Err(e) => report.problems.push(format!("{sha256}: {e}")),
                },
            }
            marked.insert(sha256);
        }
        report.unnamed = self
            .blobs
            .list()
            .await?
            .iter()
            .filter(|h| !marked.contains(*h))
            .count();
        Ok(report)
    }

    /// Deletes blobs that no row marks as stored, left by an import that failed after writing
    /// them. Run it when no import is in progress: an import writes its blobs before its rows.
    pub async fn collect_orphan_blobs(&self) -> Result<usize, StoreError> {
        let mut removed = 0;
        for sha256 in self.blobs.list().await? {
            if self.missing_or_unknown(&sha256).await? {
                self.blobs.delete(&sha256).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// A stored row's file as the attachment it names, to check bytes against (a negative size is
/// a corrupt row, never a size of 0).
fn named_file(sha256: &str, media_type: String, size: i64) -> Result<Attachment, StoreError> {
    let size = u64::try_from(size).map_err(|_| StoreError::Corrupt {
        table: "attachments",
        detail: format!("attachment {sha256}: size {size}"),
    })?;
    Ok(Attachment {
        sha256: sha256.to_string(),
        media_type,
        size,
        data: None,
    })
}
