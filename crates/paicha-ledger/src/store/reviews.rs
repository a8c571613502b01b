//! Re-inspection reviews whose hazard the ledger does not hold.
//!
//! A review names its hazard by the original inspection's id and the item id. Devices sync
//! out of order, so the review may be stored before the bundle with the hazard; it is kept
//! and counts as soon as that bundle arrives. Until then (or for ever, if the bundle was lost
//! or the review names something that is no hazard) it is listed here, never dropped.

use super::{Store, StoreError, parse_time};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// Why a review does not (yet) decide a hazard's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// The ledger has no inspection with the original id: its bundle has not arrived.
    NotReceived,
    /// The original inspection is stored but has no answer to the item.
    NoSuchItem,
    /// The original inspection answered the item with this verdict, which is no hazard.
    NotAHazard(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedReview {
    /// The re-inspection that holds the review.
    pub reviewing_inspection_id: String,
    /// The bundle that first carried the re-inspection.
    pub bundle_id: String,
    /// When the re-inspection was sealed.
    pub sealed_at: DateTime<Utc>,
    pub original_inspection_id: String,
    pub item_id: String,
    /// What the review records: `rectified`, `not_rectified` (or `pending`).
    pub outcome: String,
    pub reason: Unmatched,
}

impl std::fmt::Display for UnmatchedReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "re-inspection {} reviews hazard {} of inspection {} ({}): ",
            self.reviewing_inspection_id, self.item_id, self.original_inspection_id, self.outcome
        )?;
        match &self.reason {
            Unmatched::NotReceived => f.write_str(
                "that inspection is not in the ledger yet; the review counts once its bundle is imported",
            ),
            Unmatched::NoSuchItem => f.write_str("that inspection did not answer this item"),
            Unmatched::NotAHazard(verdict) => {
                write!(f, "that inspection found the item {verdict}, not a hazard")
            }
        }
    }
}

/// Reviews with what the ledger holds about their hazards; conditions and order are appended.
macro_rules! unmatched_sql {
    () => {
        "SELECT r.reviewing_inspection_id, r.original_inspection_id, r.item_id, \
     r.outcome, r.sealed_at, b.bundle_id, o.id AS original_id, f.verdict \
     FROM hazard_reviews r \
     JOIN bundles b ON b.payload_sha256 = r.bundle_payload_sha256 \
     LEFT JOIN inspections o ON o.id = r.original_inspection_id \
     LEFT JOIN findings f ON f.inspection_id = r.original_inspection_id AND f.item_id = r.item_id \
     WHERE f.level IS NULL"
    };
}

fn unmatched_from_row(row: &AnyRow) -> Result<UnmatchedReview, StoreError> {
    let original: Option<String> = row.try_get("original_id")?;
    let verdict: Option<String> = row.try_get("verdict")?;
    Ok(UnmatchedReview {
        reviewing_inspection_id: row.try_get("reviewing_inspection_id")?,
        bundle_id: row.try_get("bundle_id")?,
        sealed_at: parse_time("hazard_reviews", &row.try_get::<String, _>("sealed_at")?)?,
        original_inspection_id: row.try_get("original_inspection_id")?,
        item_id: row.try_get("item_id")?,
        outcome: row.try_get("outcome")?,
        reason: match (original, verdict) {
            (None, _) => Unmatched::NotReceived,
            (Some(_), None) => Unmatched::NoSuchItem,
            (Some(_), Some(verdict)) => Unmatched::NotAHazard(verdict),
        },
    })
}

/// The reviews of one re-inspection that match no stored hazard, inside an import.
pub(super) async fn unmatched_reviews_of(
    tx: &mut Transaction<'static, Any>,
    reviewing_inspection_id: &str,
) -> Result<Vec<UnmatchedReview>, StoreError> {
    let rows = sqlx::query(concat!(
        unmatched_sql!(),
        " AND r.reviewing_inspection_id = $1 ORDER BY r.position"
    ))
    .bind(reviewing_inspection_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(unmatched_from_row).collect()
}

impl Store {
    /// Every stored review whose hazard the ledger does not hold, oldest seal first.
    pub async fn unmatched_reviews(&self) -> Result<Vec<UnmatchedReview>, StoreError> {
        let rows = sqlx::query(concat!(
            unmatched_sql!(),
            " ORDER BY r.sealed_at, r.reviewing_inspection_id, r.position"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(unmatched_from_row).collect()
    }
}
