//! Storing a verified bundle: one transaction, whole or not at all.

use super::hazard_state::{Which, refresh};
use super::reviews::{UnmatchedReview, unmatched_reviews_of};
use super::{Backend, Store, StoreError};
use crate::rules::ChainLink;
use crate::time::to_db;
use chrono::{DateTime, Utc};
use paicha_core::finding::MajorHazardPlan;
use paicha_core::{Answer, Inspection, Verdict, VerifiedBundle};
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

/// What storing a bundle did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    Imported {
        /// Another bundle from the same key already held this sequence number.
        fork: bool,
        /// Inspections stored by this bundle (an inspection carried before is linked, not copied).
        new_inspections: usize,
        findings: usize,
        /// Re-inspection reviews stored by this bundle.
        reviews: usize,
        /// Those of them whose hazard the ledger does not hold (yet): the original bundle has
        /// not arrived, or names no such hazard. They count once it does (see `gaps`).
        unmatched_reviews: Vec<UnmatchedReview>,
    },
    /// The identical payload was imported before; nothing changed.
    AlreadyImported,
    /// The bundle contradicts what is stored; nothing changed.
    Conflict(Conflict),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// A different payload already uses this bundle id.
    BundleIdReused(Uuid),
    /// A sealed inspection arrives with content different from the stored one.
    InspectionChanged(Uuid),
    /// The key was revoked (or removed) after verification started.
    KeyNoLongerUsable,
}

impl Store {
    /// The chain facts of every stored bundle, by key and sequence (for `gaps`).
    pub async fn chain_links(&self) -> Result<Vec<ChainLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, sequence, bundle_id, payload_sha256, previous_payload_sha256 \
             FROM bundles ORDER BY key_id, sequence, received_at",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let corrupt = |detail: String| StoreError::Corrupt {
                    table: "bundles",
                    detail,
                };
                let sequence: i64 = row.try_get("sequence")?;
                let bundle_id: String = row.try_get("bundle_id")?;
                Ok(ChainLink {
                    key_id: row.try_get("key_id")?,
                    sequence: u64::try_from(sequence)
                        .map_err(|_| corrupt(format!("negative sequence {sequence}")))?,
                    bundle_id: Uuid::parse_str(&bundle_id)
                        .map_err(|e| corrupt(format!("bundle id {bundle_id:?}: {e}")))?,
                    payload_sha256: row.try_get("payload_sha256")?,
                    previous_payload_sha256: row.try_get("previous_payload_sha256")?,
                })
            })
            .collect()
    }

    /// Stores a bundle whose signature was verified against the enrolled key.
    /// `envelope` is the uploaded text, kept verbatim for audit.
    pub async fn insert_bundle(
        &self,
        bundle: &VerifiedBundle,
        envelope: &str,
        received_at: DateTime<Utc>,
    ) -> Result<InsertOutcome, StoreError> {
        self.insert_bundle_with_blobs(bundle, envelope, received_at, &[])
            .await
    }

    /// [`Self::insert_bundle`] for a bundle some of whose named files the blob store already
    /// holds, written and verified before (`arrived`: an archive's blobs). Files a version 1
    /// bundle embeds are written to the blob store here, before any row names them.
    pub async fn insert_bundle_with_blobs(
        &self,
        bundle: &VerifiedBundle,
        envelope: &str,
        received_at: DateTime<Utc>,
        arrived: &[String],
    ) -> Result<InsertOutcome, StoreError> {
        let mut held: Vec<String> = arrived.to_vec();
        for attachment in &bundle.payload.attachments {
            if let Some(data) = &attachment.data {
                let bytes =
                    paicha_core::dsse::b64_decode(data).map_err(|e| StoreError::Corrupt {
                        table: "attachments",
                        detail: format!("attachment {}: {e}", attachment.sha256),
                    })?;
                self.blobs()
                    .put_verified(&attachment.sha256, bytes.into())
                    .await?;
                held.push(attachment.sha256.clone());
            }
        }
        // PostgreSQL may abort one of two transactions that wait on each other (two devices'
        // bundles naming the same sites in another order); it rolled back whole, so run it again.
        let mut attempt = 1;
        loop {
            match self
                .insert_bundle_once(bundle, envelope, received_at, &held)
                .await
            {
                Err(e) if e.is_transient_conflict() && attempt < 3 => {
                    tracing::warn!(
                        attempt,
                        "import rolled back by a lock conflict, retrying: {e}"
                    );
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn insert_bundle_once(
        &self,
        bundle: &VerifiedBundle,
        envelope: &str,
        received_at: DateTime<Utc>,
        held: &[String],
    ) -> Result<InsertOutcome, StoreError> {
        let regions = self.region_table().await?;
        let _serialised = match self.backend {
            Backend::Sqlite => Some(self.import_lock.lock().await),
            Backend::Postgres => None,
        };
        let mut tx = self.pool().begin().await?;
        if self.backend == Backend::Postgres {
            // One device's bundles one after the other, across every instance of the ledger:
            // the fork check below then sees the device's other bundles committed. Also makes
            // a revocation wait for (or be seen by) this import.
            let usable: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM devices WHERE key_id = $1 AND revoked_at IS NULL FOR UPDATE",
            )
            .bind(bundle.key_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if usable.is_none() {
                tx.rollback().await?;
                return Ok(InsertOutcome::Conflict(Conflict::KeyNoLongerUsable));
            }
        }
        let outcome = insert_in(&mut tx, bundle, envelope, received_at, held).await?;
        if matches!(outcome, InsertOutcome::Imported { .. }) {
            for inspection in &bundle.payload.inspections {
                super::regions::place(&mut tx, &regions, inspection).await?;
            }
            // After placing: each hazard's state row carries its region.
            for inspection in &bundle.payload.inspections {
                let id = inspection.id.to_string();
                refresh(&mut tx, Which::Inspection(&id)).await?;
                if !inspection.reviews.is_empty() {
                    refresh(&mut tx, Which::ReviewedBy(&id)).await?;
                }
            }
        }
        // Anything but a fresh import leaves the database as it was.
        if matches!(outcome, InsertOutcome::Imported { .. }) {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(outcome)
    }
}

async fn insert_in(
    tx: &mut Transaction<'static, Any>,
    bundle: &VerifiedBundle,
    envelope: &str,
    received_at: DateTime<Utc>,
    held: &[String],
) -> Result<InsertOutcome, StoreError> {
    let p = &bundle.payload;
    let sha = bundle.payload_sha256.as_str();
    let sequence = i64::try_from(p.sequence).map_err(|_| StoreError::Corrupt {
        table: "bundles",
        detail: format!("sequence {} does not fit the database", p.sequence),
    })?;

    // Write first: the insert takes SQLite's write lock at once, so the reads below cannot be
    // invalidated by a concurrent writer (which would end in SQLITE_BUSY instead of waiting).
    let inserted = sqlx::query(
        "INSERT INTO bundles (payload_sha256, bundle_id, key_id, sequence, previous_payload_sha256, \
         created_at, received_at, app_version, inspector_name, inspector_cert_no, is_fork, envelope) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11) ON CONFLICT DO NOTHING",
    )
    .bind(sha)
    .bind(p.bundle_id.to_string())
    .bind(bundle.key_id.as_str())
    .bind(sequence)
    .bind(p.previous_payload_sha256.as_str())
    .bind(to_db(p.created_at))
    .bind(to_db(received_at))
    .bind(p.app_version.as_str())
    .bind(p.inspector.name.as_str())
    .bind(p.inspector.cert_no.as_str())
    .bind(envelope)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        let same: Option<String> =
            sqlx::query_scalar("SELECT payload_sha256 FROM bundles WHERE payload_sha256 = $1")
                .bind(sha)
                .fetch_optional(&mut **tx)
                .await?;
        return Ok(match same {
            Some(_) => InsertOutcome::AlreadyImported,
            None => InsertOutcome::Conflict(Conflict::BundleIdReused(p.bundle_id)),
        });
    }

    // Re-check the key inside the transaction: a revocation (or its account being disabled)
    // may have landed meanwhile.
    let usable: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM devices d LEFT JOIN accounts a ON a.id = d.account_id \
         WHERE d.key_id = $1 AND d.revoked_at IS NULL AND a.disabled_at IS NULL",
    )
    .bind(bundle.key_id.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if usable.is_none() {
        return Ok(InsertOutcome::Conflict(Conflict::KeyNoLongerUsable));
    }

    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bundles WHERE key_id = $1 AND sequence = $2 AND payload_sha256 <> $3",
    )
    .bind(bundle.key_id.as_str())
    .bind(sequence)
    .bind(sha)
    .fetch_one(&mut **tx)
    .await?;
    let fork = others > 0;
    if fork {
        sqlx::query("UPDATE bundles SET is_fork = 1 WHERE payload_sha256 = $1")
            .bind(sha)
            .execute(&mut **tx)
            .await?;
    }

    for (position, co) in p.co_inspectors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO bundle_co_inspectors (payload_sha256, position, name, cert_no) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(sha)
        .bind(position as i64)
        .bind(co.name.as_str())
        .bind(co.cert_no.as_str())
        .execute(&mut **tx)
        .await?;
    }

    // Content-addressed and checked by the verifier (hash spelling, size, media type): a file
    // that an earlier bundle named is already there. Its bytes are in the blob store if `held`
    // (written before this transaction) or if they arrived earlier; else they are awaited.
    for attachment in &p.attachments {
        let size = i64::try_from(attachment.size).map_err(|_| StoreError::Corrupt {
            table: "attachments",
            detail: format!("attachment {}: size {}", attachment.sha256, attachment.size),
        })?;
        let stored_at = held
            .contains(&attachment.sha256)
            .then(|| to_db(received_at));
        sqlx::query(
            "INSERT INTO attachments (sha256, media_type, size, data_base64, \
             first_bundle_payload_sha256, stored_at) VALUES ($1, $2, $3, '', $4, $5) \
             ON CONFLICT (sha256) DO UPDATE \
             SET stored_at = COALESCE(attachments.stored_at, excluded.stored_at)",
        )
        .bind(attachment.sha256.as_str())
        .bind(attachment.media_type.as_str())
        .bind(size)
        .bind(sha)
        .bind(stored_at)
        .execute(&mut **tx)
        .await?;
    }

    let (mut new_inspections, mut findings, mut reviewing) = (0, 0, Vec::new());
    for inspection in &p.inspections {
        match insert_inspection(tx, sha, inspection, received_at).await? {
            InspectionOutcome::New { findings: n } => {
                new_inspections += 1;
                findings += n;
                if !inspection.reviews.is_empty() {
                    reviewing.push(inspection.id.to_string());
                }
            }
            InspectionOutcome::Known => {}
            InspectionOutcome::Changed => {
                return Ok(InsertOutcome::Conflict(Conflict::InspectionChanged(
                    inspection.id,
                )));
            }
        }
        sqlx::query(
            "INSERT INTO bundle_inspections (payload_sha256, inspection_id) VALUES ($1, $2)",
        )
        .bind(sha)
        .bind(inspection.id.to_string())
        .execute(&mut **tx)
        .await?;
    }
    // Checked after every inspection is in: a bundle may carry a hazard and its review.
    let mut unmatched_reviews = Vec::new();
    for id in &reviewing {
        unmatched_reviews.extend(unmatched_reviews_of(tx, id).await?);
    }
    let reviews = p
        .inspections
        .iter()
        .filter(|i| reviewing.contains(&i.id.to_string()))
        .map(|i| i.reviews.len())
        .sum();
    Ok(InsertOutcome::Imported {
        fork,
        new_inspections,
        findings,
        reviews,
        unmatched_reviews,
    })
}

/// Rows per INSERT of findings: 6 values each, far below SQLite's 32,766 parameters and
/// PostgreSQL's 65,535.
const FINDINGS_PER_INSERT: usize = 200;

enum InspectionOutcome {
    New { findings: usize },
    Known,
    Changed,
}

async fn insert_inspection(
    tx: &mut Transaction<'static, Any>,
    bundle_sha: &str,
    inspection: &Inspection,
    received_at: DateTime<Utc>,
) -> Result<InspectionOutcome, StoreError> {
    let id = inspection.id.to_string();
    // Inspections are compared by their JSON as serialised from the verified payload; the
    // serialisation is deterministic (struct field order, answers in a BTreeMap).
    let content = paicha_core::sha256_hex(
        &serde_json::to_vec(inspection).expect("an inspection always serialises"),
    );
    let stored: Option<String> =
        sqlx::query_scalar("SELECT content_sha256 FROM inspections WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(stored) = stored {
        return Ok(if stored == content {
            InspectionOutcome::Known
        } else {
            InspectionOutcome::Changed
        });
    }
    let Some(sealed_at) = inspection.sealed_at else {
        // verify_bundle rejects unsealed inspections; reaching this is a bug, not bad input.
        return Err(StoreError::Corrupt {
            table: "inspections",
            detail: format!("inspection {id} is not sealed"),
        });
    };

    sqlx::query(
        "INSERT INTO sites (credit_code, name, first_seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(inspection.site.credit_code.as_str())
    .bind(inspection.site.name.as_str())
    .bind(to_db(received_at))
    .execute(&mut **tx)
    .await?;

    let site = &inspection.site;
    sqlx::query(
        "INSERT INTO inspections (id, bundle_payload_sha256, content_sha256, site_credit_code, \
         site_name, checklist_id, checklist_version, checklist_content_hash, inspector_name, \
         inspector_cert_no, started_at, sealed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.as_str())
    .bind(bundle_sha)
    .bind(content.as_str())
    .bind(site.credit_code.as_str())
    .bind(site.name.as_str())
    .bind(inspection.checklist.id.as_str())
    .bind(inspection.checklist.version.as_str())
    .bind(inspection.checklist.content_hash.0.as_str())
    .bind(inspection.inspector.name.as_str())
    .bind(inspection.inspector.cert_no.as_str())
    .bind(to_db(inspection.started_at))
    .bind(to_db(sealed_at))
    .execute(&mut **tx)
    .await?;
    store_details(tx, inspection).await?;

    // The findings in a few multi-row INSERTs rather than one statement each: an inspection
    // has tens of answers, and on PostgreSQL every statement is a round trip.
    let answers: Vec<_> = inspection.answers.iter().collect();
    for chunk in answers.chunks(FINDINGS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO findings (inspection_id, item_id, verdict, level, description, answered_at) VALUES ",
        );
        for row in 0..chunk.len() {
            let n = row * 6;
            if row > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6
            ));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (item_id, answer) in chunk {
            query = query
                .bind(id.as_str())
                .bind(item_id.as_str())
                .bind(verdict_code(answer.verdict))
                .bind(hazard_level(answer.verdict))
                .bind(answer.description.as_str())
                .bind(to_db(answer.answered_at));
        }
        query.execute(&mut **tx).await?;
    }
    for (item_id, answer) in &inspection.answers {
        store_order(tx, &id, item_id, answer).await?;
        for (position, photo) in answer.photos.iter().enumerate() {
            sqlx::query(
                "INSERT INTO finding_photos (inspection_id, item_id, position, sha256) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id.as_str())
            .bind(item_id.as_str())
            .bind(position as i64)
            .bind(photo.as_str())
            .execute(&mut **tx)
            .await?;
        }
    }
    insert_team_and_reviews(tx, bundle_sha, inspection, sealed_at).await?;
    Ok(InspectionOutcome::New {
        findings: inspection.answers.len(),
    })
}

/// `inspections.details_version` of a row whose kind, team, site details, reviews (migration
/// 3) and whole hazard orders (migration 4) are stored; rows stored before hold a lower
/// number until completed from their bundles.
pub(super) const DETAILS_VERSION: i64 = 4;

/// Stores an inspection's details beyond its first version's columns: its kind, the
/// inspector's unit and the site's details, and marks the row as complete
/// ([`DETAILS_VERSION`]). The row must exist.
pub(super) async fn store_details(
    tx: &mut Transaction<'static, Any>,
    inspection: &Inspection,
) -> Result<(), StoreError> {
    let site = &inspection.site;
    sqlx::query(
        "UPDATE inspections SET kind = $1, inspector_organisation = $2, \
         inspector_region = $3, site_address = $4, site_township = $5, site_grid = $6, \
         site_sectors = $7, site_contact_name = $8, site_contact_phone = $9, \
         details_version = $10 WHERE id = $11",
    )
    .bind(snake_case(&inspection.kind))
    .bind(inspection.inspector.organisation.as_str())
    .bind(inspection.inspector.region.as_str())
    .bind(site.address.as_str())
    .bind(site.township.as_str())
    .bind(site.grid.as_str())
    .bind(site.sectors.join(","))
    .bind(site.contact_name.as_str())
    .bind(site.contact_phone.as_str())
    .bind(DETAILS_VERSION)
    .bind(inspection.id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores what a hazard's answer orders (交办): 隐患部位, the rectification order and a major
/// hazard's plan, each as typed. An answer without any of them leaves the defaults ('').
pub(super) async fn store_order(
    tx: &mut Transaction<'static, Any>,
    inspection_id: &str,
    item_id: &str,
    answer: &Answer,
) -> Result<(), StoreError> {
    if answer.location.is_empty() && answer.rectification.is_none() && answer.major_plan.is_none() {
        return Ok(());
    }
    let order = answer.rectification.clone().unwrap_or_default();
    let plan = answer.major_plan.as_ref();
    let plan_field = |field: fn(&MajorHazardPlan) -> &String| plan.map_or("", |p| field(p));
    sqlx::query(
        "UPDATE findings SET location = $1, deadline = $2, measures = $3, responsible = $4, \
         funds_yuan = $5, suspension = $6, plan_target = $7, plan_organisation = $8, \
         plan_safety_measures = $9, plan_funds_materials = $10, plan_time_limit = $11 \
         WHERE inspection_id = $12 AND item_id = $13",
    )
    .bind(answer.location.as_str())
    .bind(order.deadline.as_str())
    .bind(order.measures.as_str())
    .bind(order.responsible.as_str())
    .bind(order.funds_yuan.as_str())
    .bind(plan.map(|p| snake_case(&p.suspension)).unwrap_or_default())
    .bind(plan_field(|p| &p.target))
    .bind(plan_field(|p| &p.organisation))
    .bind(plan_field(|p| &p.safety_measures))
    .bind(plan_field(|p| &p.funds_materials))
    .bind(plan_field(|p| &p.time_limit))
    .bind(inspection_id)
    .bind(item_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An enum as the bundle format spells it (serde's snake_case), e.g. `not_rectified`.
pub(super) fn snake_case<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => unreachable!("a unit enum variant serialises as a string, got {other:?}"),
    }
}

/// The inspection's co-inspectors and, for a re-inspection, its reviews with their photos.
/// Idempotent (`ON CONFLICT DO NOTHING`), so completing an old row may meet some of them.
pub(super) async fn insert_team_and_reviews(
    tx: &mut Transaction<'static, Any>,
    bundle_sha: &str,
    inspection: &Inspection,
    sealed_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id = inspection.id.to_string();
    for (position, co) in inspection.co_inspectors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO inspection_co_inspectors (inspection_id, position, name, cert_no, \
             organisation, region) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(id.as_str())
        .bind(position as i64)
        .bind(co.name.as_str())
        .bind(co.cert_no.as_str())
        .bind(co.organisation.as_str())
        .bind(co.region.as_str())
        .execute(&mut **tx)
        .await?;
    }
    for (position, review) in inspection.reviews.iter().enumerate() {
        sqlx::query(
            "INSERT INTO hazard_reviews (reviewing_inspection_id, position, bundle_payload_sha256, \
             original_inspection_id, item_id, original_verdict, original_description, \
             original_deadline, outcome, escalation, new_deadline, note, reviewed_at, sealed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id.as_str())
        .bind(position as i64)
        .bind(bundle_sha)
        .bind(review.hazard.inspection_id.to_string())
        .bind(review.hazard.item_id.as_str())
        .bind(verdict_code(review.original_verdict))
        .bind(review.original_description.as_str())
        .bind(review.original_deadline.as_str())
        .bind(snake_case(&review.outcome))
        .bind(review.escalation.as_ref().map(snake_case))
        .bind(review.new_deadline.as_str())
        .bind(review.note.as_str())
        .bind(review.reviewed_at.map(to_db))
        .bind(to_db(sealed_at))
        .execute(&mut **tx)
        .await?;
        for (photo_position, photo) in review.photos.iter().enumerate() {
            sqlx::query(
                "INSERT INTO review_photos (reviewing_inspection_id, position, photo_position, \
                 sha256) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(id.as_str())
            .bind(position as i64)
            .bind(photo_position as i64)
            .bind(photo.as_str())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The verdict as spelled in the bundle format (serde's snake_case of [`Verdict`]).
pub fn verdict_code(v: Verdict) -> &'static str {
    match v {
        Verdict::Compliant => "compliant",
        Verdict::GeneralHazard => "general_hazard",
        Verdict::MajorHazard => "major_hazard",
        Verdict::NotApplicable => "not_applicable",
    }
}

/// 隐患等级 for the hazard ledger: general (一般) or major (重大); none for other verdicts.
pub fn hazard_level(v: Verdict) -> Option<&'static str> {
    match v {
        Verdict::GeneralHazard => Some("general"),
        Verdict::MajorHazard => Some("major"),
        Verdict::Compliant | Verdict::NotApplicable => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_are_spelled_as_in_the_bundle_format() {
        use paicha_core::InspectionKind;
        use paicha_core::reinspection::{Escalation, ReviewOutcome};
        assert_eq!(snake_case(&InspectionKind::Reinspection), "reinspection");
        assert_eq!(snake_case(&ReviewOutcome::NotRectified), "not_rectified");
        assert_eq!(
            snake_case(&Escalation::ListedSupervision),
            "listed_supervision"
        );
    }

    #[test]
    fn verdict_codes_match_the_bundle_format() {
        for v in Verdict::ALL {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", verdict_code(v)));
            assert_eq!(hazard_level(v).is_some(), v.is_hazard());
        }
    }
}
