//! What `audit bundles` reads back: every stored envelope, a page at a time, and what the
//! tables hold for each of its inspections.

use super::{Store, StoreError};
use sqlx::Row;

/// One stored bundle as the audit needs it.
#[derive(Debug, Clone)]
pub struct StoredBundle {
    pub payload_sha256: String,
    pub key_id: String,
    pub envelope: String,
}

/// What the tables hold for one inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInspection {
    pub content_sha256: String,
    pub findings: i64,
}

impl Store {
    /// Bundles in payload-hash order after `after` (keyset paging: constant memory).
    pub async fn bundles_after(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<StoredBundle>, StoreError> {
        let rows = sqlx::query(
            "SELECT payload_sha256, key_id, envelope FROM bundles \
             WHERE payload_sha256 > $1 ORDER BY payload_sha256 LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredBundle {
                    payload_sha256: row.try_get("payload_sha256")?,
                    key_id: row.try_get("key_id")?,
                    envelope: row.try_get("envelope")?,
                })
            })
            .collect()
    }

    /// The stored inspection `id` (its content hash and how many findings it has), if any.
    pub async fn stored_inspection(
        &self,
        id: &str,
    ) -> Result<Option<StoredInspection>, StoreError> {
        let content: Option<String> =
            sqlx::query_scalar("SELECT content_sha256 FROM inspections WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let Some(content_sha256) = content else {
            return Ok(None);
        };
        let findings: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM findings WHERE inspection_id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        Ok(Some(StoredInspection {
            content_sha256,
            findings,
        }))
    }
}
