//! What the evidence view of one hazard adds to its hazard-ledger row: where it is (for
//! scoping), the bundle that carried it and that bundle's place in its device's chain, and
//! its photos.

use super::hazards::{keys_clause, keys_clause_on, parse_enum};
use super::lists::{FoundHazard, HazardKey};
use super::{Store, StoreError, parse_time};
use chrono::{DateTime, Utc};
use paicha_core::followup::{SealedReview, review_conflicts};
use paicha_core::hazard_ledger::hazard_no;
use paicha_core::reinspection::{Escalation, ReviewOutcome};
use sqlx::Row;
use std::collections::HashMap;

/// The bundle that first carried a hazard's inspection, as its device signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub key_id: String,
    /// The enrolled name of the key's inspector.
    pub device_inspector: String,
    pub sequence: i64,
    pub received_at: DateTime<Utc>,
    /// Another bundle from the key already held this sequence number when it arrived.
    pub is_fork: bool,
    /// Sequence numbers missing below this one in the key's chain (never received).
    pub missing_before: i64,
    pub payload_sha256: String,
}

/// What a pull's page tells of a hazard's reviews ([`Store::reviews_of`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageReviews {
    /// The sealed re-inspections that decided it.
    pub reinspections: Vec<String>,
    pub conflict: bool,
}

/// One decided review of a hazard in a sealed re-inspection (its 复查 history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewEntry {
    pub reviewing_inspection_id: String,
    /// The re-inspection's inspector: (name, 执法证号).
    pub inspector: (String, String),
    pub outcome: ReviewOutcome,
    pub escalation: Option<Escalation>,
    pub new_deadline: String,
    pub note: String,
    pub started_at: DateTime<Utc>,
    pub sealed_at: DateTime<Utc>,
    /// It and another review decided the hazard without seeing each other
    /// ([`paicha_core::followup::review_conflicts`]).
    pub conflict: bool,
}

/// One photo of a hazard, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRef {
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    /// Whether its bytes are here: a version 2 bundle names photos before they arrive.
    pub arrived: bool,
}

impl Store {
    /// Every decided review of the hazard in a sealed re-inspection, the first sealed first;
    /// the last decides its status.
    pub async fn review_history(&self, key: &HazardKey) -> Result<Vec<ReviewEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.reviewing_inspection_id, r.outcome, r.escalation, r.new_deadline, r.note, \
             r.sealed_at, i.started_at, i.inspector_name, i.inspector_cert_no \
             FROM hazard_reviews r JOIN inspections i ON i.id = r.reviewing_inspection_id \
             WHERE r.original_inspection_id = $1 AND r.item_id = $2 AND r.outcome <> 'pending' \
             ORDER BY r.sealed_at, r.reviewing_inspection_id, r.position",
        )
        .bind(key.inspection_id.as_str())
        .bind(key.item_id.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            entries.push(ReviewEntry {
                reviewing_inspection_id: row.try_get("reviewing_inspection_id")?,
                inspector: (
                    row.try_get("inspector_name")?,
                    row.try_get("inspector_cert_no")?,
                ),
                outcome: parse_enum("hazard_reviews", &row.try_get::<String, _>("outcome")?)?,
                escalation: row
                    .try_get::<Option<String>, _>("escalation")?
                    .map(|e| parse_enum("hazard_reviews", &e))
                    .transpose()?,
                new_deadline: row.try_get("new_deadline")?,
                note: row.try_get("note")?,
                started_at: parse_time("inspections", &row.try_get::<String, _>("started_at")?)?,
                sealed_at: parse_time("hazard_reviews", &row.try_get::<String, _>("sealed_at")?)?,
                conflict: false,
            });
        }
        let sealed: Vec<SealedReview<'_>> = entries
            .iter()
            .map(|e| SealedReview {
                reinspection: &e.reviewing_inspection_id,
                started_at: e.started_at,
                sealed_at: e.sealed_at,
            })
            .collect();
        let conflicts = review_conflicts(&sealed);
        for (a, b) in conflicts {
            entries[a].conflict = true;
            entries[b].conflict = true;
        }
        Ok(entries)
    }

    /// The photo hashes of each of `keys`, in order, in one query (a pull's page).
    pub async fn photos_of(
        &self,
        keys: &[(String, String)],
    ) -> Result<HashMap<(String, String), Vec<String>>, StoreError> {
        let mut out: HashMap<(String, String), Vec<String>> = HashMap::new();
        if keys.is_empty() {
            return Ok(out);
        }
        let (condition, values) = keys_clause(Some(keys), 1);
        let sql = format!(
            "SELECT f.inspection_id, f.item_id, f.sha256 FROM finding_photos f \
             WHERE 1 = 1 {condition} ORDER BY f.inspection_id, f.item_id, f.position"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in &values {
            query = query.bind(value.as_str());
        }
        for row in query.fetch_all(self.pool()).await? {
            out.entry((row.try_get("inspection_id")?, row.try_get("item_id")?))
                .or_default()
                .push(row.try_get("sha256")?);
        }
        Ok(out)
    }

    /// The sealed re-inspections that decided each of `keys`, and whether they conflict
    /// ([`ReviewEntry::conflict`]), in one query (a pull's page). Hazards nobody reviewed are
    /// absent.
    pub async fn reviews_of(
        &self,
        keys: &[(String, String)],
    ) -> Result<HashMap<(String, String), PageReviews>, StoreError> {
        let mut out = HashMap::new();
        if keys.is_empty() {
            return Ok(out);
        }
        let (condition, values) =
            keys_clause_on("r.original_inspection_id", "r.item_id", Some(keys), 1);
        let sql = format!(
            "SELECT r.original_inspection_id AS inspection_id, r.item_id, \
             r.reviewing_inspection_id, r.sealed_at, i.started_at FROM hazard_reviews r \
             JOIN inspections i ON i.id = r.reviewing_inspection_id \
             WHERE r.outcome <> 'pending' {condition}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in &values {
            query = query.bind(value.as_str());
        }
        // (re-inspection, started, sealed) of each hazard's decided reviews.
        type Reviews = Vec<(String, DateTime<Utc>, DateTime<Utc>)>;
        let mut by_hazard: HashMap<(String, String), Reviews> = HashMap::new();
        for row in query.fetch_all(self.pool()).await? {
            by_hazard
                .entry((row.try_get("inspection_id")?, row.try_get("item_id")?))
                .or_default()
                .push((
                    row.try_get("reviewing_inspection_id")?,
                    parse_time("inspections", &row.try_get::<String, _>("started_at")?)?,
                    parse_time("hazard_reviews", &row.try_get::<String, _>("sealed_at")?)?,
                ));
        }
        for (key, reviews) in by_hazard {
            let sealed: Vec<SealedReview<'_>> = reviews
                .iter()
                .map(|(id, started_at, sealed_at)| SealedReview {
                    reinspection: id,
                    started_at: *started_at,
                    sealed_at: *sealed_at,
                })
                .collect();
            let conflict = !review_conflicts(&sealed).is_empty();
            let reinspections = reviews.iter().map(|(id, _, _)| id.clone()).collect();
            out.insert(
                key,
                PageReviews {
                    reinspections,
                    conflict,
                },
            );
        }
        Ok(out)
    }

    /// The stored hazard (a finding judged a hazard) with this key, wherever it is.
    pub async fn hazard(&self, key: &HazardKey) -> Result<Option<FoundHazard>, StoreError> {
        let row = sqlx::query(
            "SELECT i.started_at, i.region_code, i.site_name, i.site_credit_code FROM findings f \
             JOIN inspections i ON i.id = f.inspection_id \
             WHERE f.inspection_id = $1 AND f.item_id = $2 AND f.level IS NOT NULL",
        )
        .bind(key.inspection_id.as_str())
        .bind(key.item_id.as_str())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let started_at = parse_time("inspections", &row.try_get::<String, _>("started_at")?)?;
        Ok(Some(FoundHazard {
            number: hazard_no(&key.inspection_id, started_at, &key.item_id),
            key: key.clone(),
            region_code: row.try_get("region_code")?,
            org_name: row.try_get("site_name")?,
            credit_code: row.try_get("site_credit_code")?,
        }))
    }

    /// The bundle that first carried the hazard's inspection, and its chain position.
    pub async fn provenance(&self, key: &HazardKey) -> Result<Option<Provenance>, StoreError> {
        let row = sqlx::query(
            "SELECT b.key_id, b.sequence, b.received_at, b.is_fork, b.payload_sha256, d.inspector_name \
             FROM inspections i JOIN bundles b ON b.payload_sha256 = i.bundle_payload_sha256 \
             JOIN devices d ON d.key_id = b.key_id WHERE i.id = $1",
        )
        .bind(key.inspection_id.as_str())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let key_id: String = row.try_get("key_id")?;
        let sequence: i64 = row.try_get("sequence")?;
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT sequence) FROM bundles WHERE key_id = $1 AND sequence < $2",
        )
        .bind(key_id.as_str())
        .bind(sequence)
        .fetch_one(self.pool())
        .await?;
        Ok(Some(Provenance {
            device_inspector: row.try_get("inspector_name")?,
            // Sequences start at 1.
            missing_before: (sequence - 1 - held).max(0),
            sequence,
            received_at: parse_time("bundles", &row.try_get::<String, _>("received_at")?)?,
            is_fork: row.try_get::<i64, _>("is_fork")? != 0,
            payload_sha256: row.try_get("payload_sha256")?,
            key_id,
        }))
    }

    /// The hazard's photos in the order attached.
    pub async fn hazard_photos(&self, key: &HazardKey) -> Result<Vec<PhotoRef>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.sha256, a.media_type, a.size, a.stored_at FROM finding_photos p \
             JOIN attachments a ON a.sha256 = p.sha256 \
             WHERE p.inspection_id = $1 AND p.item_id = $2 ORDER BY p.position",
        )
        .bind(key.inspection_id.as_str())
        .bind(key.item_id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PhotoRef {
                    sha256: r.try_get("sha256")?,
                    media_type: r.try_get("media_type")?,
                    size: r.try_get("size")?,
                    arrived: r.try_get::<Option<String>, _>("stored_at")?.is_some(),
                })
            })
            .collect()
    }

    /// Whether `sha256` is a photo of this hazard.
    async fn is_photo_of(&self, key: &HazardKey, sha256: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM finding_photos \
             WHERE inspection_id = $1 AND item_id = $2 AND sha256 = $3",
        )
        .bind(key.inspection_id.as_str())
        .bind(key.item_id.as_str())
        .bind(sha256)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// The stored thumbnail of one photo of this hazard: `None` when it is not a photo of
    /// this hazard, `Some(None)` when no thumbnail was made yet.
    pub async fn hazard_thumbnail(
        &self,
        key: &HazardKey,
        sha256: &str,
    ) -> Result<Option<Option<Vec<u8>>>, StoreError> {
        if !self.is_photo_of(key, sha256).await? {
            return Ok(None);
        }
        let kept = self.blobs().get_derived(THUMBNAILS, sha256).await?;
        Ok(Some(kept.map(|b| b.to_vec())))
    }

    /// Keeps a photo's thumbnail (a derived file in the blob store; made again if lost).
    pub async fn put_thumbnail(&self, sha256: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.blobs()
            .put_derived(THUMBNAILS, sha256, bytes.to_vec().into())
            .await?;
        Ok(())
    }

    /// One photo's media type and bytes, only if it is a photo of this hazard and its bytes
    /// have arrived.
    pub async fn hazard_photo(
        &self,
        key: &HazardKey,
        sha256: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT a.media_type FROM finding_photos p \
             JOIN attachments a ON a.sha256 = p.sha256 \
             WHERE p.inspection_id = $1 AND p.item_id = $2 AND p.sha256 = $3 \
             AND a.stored_at IS NOT NULL",
        )
        .bind(key.inspection_id.as_str())
        .bind(key.item_id.as_str())
        .bind(sha256)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Some(bytes) = self.blobs().get(sha256).await? else {
            return Err(StoreError::Corrupt {
                table: "attachments",
                detail: format!("photo {sha256} is marked stored but the blob store lacks it"),
            });
        };
        Ok(Some((row.try_get("media_type")?, bytes.to_vec())))
    }
}

/// The blob store's prefix for thumbnails.
const THUMBNAILS: &str = "thumbnails";
