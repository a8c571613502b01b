//! Keeping `hazard_state` current: one row per hazard with what decides its status whatever
//! the day (`paicha_core::followup::Disposition`), so that reads filter, count and page by
//! status in SQL ([`super::hazard_page`]).
//!
//! A hazard's disposition changes only when its finding is stored, when a review of it in a
//! sealed re-inspection is stored (before or after the hazard: devices sync out of order), or
//! when its inspection is placed in another region. Each of those writes refreshes the rows it
//! touches in its own transaction, with the same rules that [`Store::hazards`] applies when it
//! reads; rows missing when the ledger opens (stored before schema version 7) are computed
//! then.

use super::hazards::{LATEST_REVIEW_JOIN, derive_disposition, latest_review};
use super::{Store, StoreError, parse_time};
use crate::time::to_db;
use chrono::Utc;
use paicha_core::hazard_ledger::china_day;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

/// `due` of a hazard without a deadline in force: later than any deadline, so never overdue
/// nor due soon, and last in deadline order.
pub(super) const NO_DEADLINE: &str = "9999-12-31";

/// Rows per multi-row upsert: 15 values each.
const ROWS_PER_UPSERT: usize = 200;

/// Hazards computed per transaction when many are missing.
const CHUNK: i64 = 5_000;

/// Which hazards to compute again.
pub(super) enum Which<'a> {
    /// Every hazard of this inspection.
    Inspection(&'a str),
    /// Every hazard that this re-inspection reviews.
    ReviewedBy(&'a str),
}

const SOURCE_SQL: &str = "SELECT f.inspection_id, f.item_id, f.level, f.deadline, \
     i.region_code, i.site_credit_code, i.checklist_id, i.started_at, \
     r.reviewing_inspection_id AS r_inspection_id, r.outcome AS r_outcome, \
     r.escalation AS r_escalation, r.new_deadline AS r_new_deadline, r.note AS r_note, \
     r.reviewed_at AS r_reviewed_at, r.sealed_at AS r_sealed_at \
     FROM findings f JOIN inspections i ON i.id = f.inspection_id";

/// Computes the rows of the hazards `which` names, inside the caller's transaction.
pub(super) async fn refresh(
    tx: &mut Transaction<'static, Any>,
    which: Which<'_>,
) -> Result<usize, StoreError> {
    let (condition, id) = match which {
        Which::Inspection(id) => ("f.inspection_id = $1", id),
        Which::ReviewedBy(id) => (
            "EXISTS (SELECT 1 FROM hazard_reviews x WHERE x.reviewing_inspection_id = $1 \
             AND x.original_inspection_id = f.inspection_id AND x.item_id = f.item_id)",
            id,
        ),
    };
    let sql =
        format!("{SOURCE_SQL} {LATEST_REVIEW_JOIN} WHERE f.level IS NOT NULL AND {condition}");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
    upsert(tx, &rows).await
}

/// Writes the rows computed from `sources` (rows of [`SOURCE_SQL`] with the latest review).
async fn upsert(conn: &mut AnyConnection, sources: &[AnyRow]) -> Result<usize, StoreError> {
    // Recomputing a row that did not change keeps its changed_at: devices pull nothing again.
    let now = to_db(Utc::now());
    let mut states = Vec::with_capacity(sources.len());
    for row in sources {
        states.push(State::of(row)?);
    }
    for chunk in states.chunks(ROWS_PER_UPSERT) {
        let mut sql = String::from(
            "INSERT INTO hazard_state (inspection_id, item_id, region_code, province, city, \
             county, level, credit_code, checklist_id, started_at, found_on, settled, due, \
             verified_on, changed_at) VALUES ",
        );
        for n in 0..chunk.len() {
            let params: Vec<String> = (1..=15).map(|k| format!("${}", n * 15 + k)).collect();
            if n > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("({})", params.join(", ")));
        }
        sql.push_str(
            " ON CONFLICT (inspection_id, item_id) DO UPDATE SET \
             region_code = excluded.region_code, province = excluded.province, \
             city = excluded.city, county = excluded.county, level = excluded.level, \
             credit_code = excluded.credit_code, checklist_id = excluded.checklist_id, \
             started_at = excluded.started_at, found_on = excluded.found_on, \
             settled = excluded.settled, due = excluded.due, verified_on = excluded.verified_on, \
             changed_at = CASE WHEN hazard_state.settled <> excluded.settled \
             OR hazard_state.due <> excluded.due \
             OR hazard_state.region_code <> excluded.region_code \
             THEN excluded.changed_at ELSE hazard_state.changed_at END",
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in chunk {
            query = query
                .bind(s.inspection_id.as_str())
                .bind(s.item_id.as_str())
                .bind(s.region_code.as_str())
                .bind(prefix(&s.region_code, 2))
                .bind(prefix(&s.region_code, 4))
                .bind(prefix(&s.region_code, 6))
                .bind(s.level.as_str())
                .bind(s.credit_code.as_str())
                .bind(s.checklist_id.as_str())
                .bind(s.started_at.as_str())
                .bind(s.found_on.as_str())
                .bind(s.settled)
                .bind(s.due.as_str())
                .bind(s.verified_on.as_str())
                .bind(now.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(states.len())
}

/// The first `digits` digits of a region code, or `""` when it is shorter (`hazard_state`'s
/// province, city and county).
pub(super) fn prefix(region_code: &str, digits: usize) -> &str {
    region_code.get(..digits).unwrap_or("")
}

/// Moves an inspection's hazards to the region it is now placed in.
pub(super) async fn move_region(
    conn: &mut AnyConnection,
    inspection_id: &str,
    region_code: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE hazard_state SET region_code = $1, province = $2, city = $3, county = $4, \
         changed_at = $5 WHERE inspection_id = $6 AND region_code <> $1",
    )
    .bind(region_code)
    .bind(prefix(region_code, 2))
    .bind(prefix(region_code, 4))
    .bind(prefix(region_code, 6))
    .bind(to_db(Utc::now()))
    .bind(inspection_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a hazard as changed for devices (its 交办 changed), inside the caller's transaction.
pub(super) async fn touch(
    conn: &mut AnyConnection,
    inspection_id: &str,
    item_id: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE hazard_state SET changed_at = $1 WHERE inspection_id = $2 AND item_id = $3",
    )
    .bind(at)
    .bind(inspection_id)
    .bind(item_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// One row of `hazard_state`.
struct State {
    inspection_id: String,
    item_id: String,
    region_code: String,
    level: String,
    credit_code: String,
    checklist_id: String,
    started_at: String,
    found_on: String,
    settled: &'static str,
    due: String,
    verified_on: String,
}

impl State {
    fn of(row: &AnyRow) -> Result<Self, StoreError> {
        let review = latest_review(row)?;
        let order_deadline: String = row.try_get("deadline")?;
        let disposition = derive_disposition(&order_deadline, review.as_ref());
        let started_at: String = row.try_get("started_at")?;
        let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        let settled = match disposition.settled {
            None => "",
            Some(status) => status.slug(),
        };
        let verified_on = match (&review, disposition.settled) {
            (Some(r), Some(paicha_core::followup::HazardStatus::Verified)) => {
                day(china_day(r.sealed_at))
            }
            _ => String::new(),
        };
        Ok(State {
            inspection_id: row.try_get("inspection_id")?,
            item_id: row.try_get("item_id")?,
            region_code: row.try_get("region_code")?,
            level: row.try_get("level")?,
            credit_code: row.try_get("site_credit_code")?,
            checklist_id: row.try_get("checklist_id")?,
            found_on: day(china_day(parse_time("inspections", &started_at)?)),
            started_at,
            settled,
            due: disposition
                .deadline
                .map_or_else(|| NO_DEADLINE.to_string(), day),
            verified_on,
        })
    }
}

impl Store {
    /// Computes the rows of hazards stored before schema version 7, once: migration 7 leaves
    /// a marker that this removes when every hazard has its row.
    pub(super) async fn complete_hazard_states(&self) -> Result<(), StoreError> {
        let pending: Option<String> = sqlx::query_scalar("SELECT reason FROM hazard_state_pending")
            .fetch_optional(self.pool())
            .await?;
        if pending.is_none() {
            return Ok(());
        }
        let computed = self.rebuild_hazard_states().await?;
        self.analyse().await?;
        sqlx::query("DELETE FROM hazard_state_pending")
            .execute(self.pool())
            .await?;
        if computed > 0 {
            tracing::info!("computed the follow-up state of {computed} hazard(s) stored before");
        }
        Ok(())
    }

    /// Computes every hazard's row again, a few thousand per transaction (after seeding
    /// findings directly, or to repair). Returns how many hazards it computed.
    pub async fn rebuild_hazard_states(&self) -> Result<usize, StoreError> {
        let _serialised = self.import_lock.lock().await;
        let (mut after_inspection, mut after_item) = (String::new(), String::new());
        let mut computed = 0;
        loop {
            let sql = format!(
                "{SOURCE_SQL} {LATEST_REVIEW_JOIN} WHERE f.level IS NOT NULL \
                 AND (f.inspection_id > $1 OR (f.inspection_id = $1 AND f.item_id > $2)) \
                 ORDER BY f.inspection_id, f.item_id LIMIT $3"
            );
            let mut tx = self.pool().begin().await?;
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(after_inspection.as_str())
                .bind(after_item.as_str())
                .bind(CHUNK)
                .fetch_all(&mut *tx)
                .await?;
            let Some(last) = rows.last() else {
                tx.commit().await?;
                return Ok(computed);
            };
            after_inspection = last.try_get("inspection_id")?;
            after_item = last.try_get("item_id")?;
            computed += upsert(&mut tx, &rows).await?;
            tx.commit().await?;
        }
    }
}
