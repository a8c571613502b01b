//! The audit trail: an append-only table of who did what and when, each row carrying the
//! SHA-256 of the row before it, so that an edited or deleted row breaks the chain
//! (`paicha-ledger audit verify`).
//!
//! An append updates the one-row `audit_head` first: that takes the write lock (SQLite) or the
//! row lock (PostgreSQL), so appends from several instances queue up and never share a number,
//! and the head keeps the last hash, so that deleting the last rows shows too.

use super::{Store, StoreError, parse_time};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Refused: no identity, no right, a bad signature.
    Denied,
    /// It could not be done (bad input, a conflict).
    Failed,
}

impl Outcome {
    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// One thing to record. `actor` names who did it: `account:<id>`, `device:<key id>`,
/// `cli` (an operator on the server) or `anonymous`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: String,
    /// What was done, snake_case (`sign_in`, `account_disabled`, `export_hazards`, ...).
    pub action: &'static str,
    /// What it was done to (an account id, a key id, a region...).
    pub target: String,
    pub outcome: Outcome,
    /// Details for people, as text (never secrets).
    pub detail: String,
}

impl AuditEntry {
    pub fn new(actor: impl Into<String>, action: &'static str, outcome: Outcome) -> Self {
        Self {
            actor: actor.into(),
            action,
            target: String::new(),
            outcome,
            detail: String::new(),
        }
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = target.into();
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// A stored row of the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash that precedes the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of a row: SHA-256 over its fields and the previous hash, each length-prefixed so
/// that no two different rows hash the same. (One argument per field: the list is the
/// definition, spelled out where `audit verify` and an append both read it.)
#[allow(clippy::too_many_arguments)]
pub fn row_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    outcome: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    let mut hasher = Sha256::new();
    for field in [
        &seq.to_string(),
        at,
        actor,
        action,
        target,
        outcome,
        detail,
        prev_hash,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("row {seq} is missing (the rows jump from {before} to {seq_after})")]
    Missing {
        seq: i64,
        before: i64,
        seq_after: i64,
    },
    #[error("row {0} was changed: its hash does not match its contents")]
    Edited(i64),
    #[error("row {0} does not follow the row before it (its previous hash differs)")]
    Relinked(i64),
    #[error(
        "the last row is {last}, but the chain's head says {head}: rows were removed from the end"
    )]
    Truncated { last: i64, head: i64 },
    #[error("the chain's head hash does not match the last row")]
    Head,
}

/// Checks `rows` (in sequence order, the whole trail) against the stored head.
pub fn verify_chain(rows: &[AuditRow], head: (i64, &str)) -> Result<usize, ChainBreak> {
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    for row in rows {
        if row.seq != expected_seq {
            return Err(ChainBreak::Missing {
                seq: expected_seq,
                before: expected_seq - 1,
                seq_after: row.seq,
            });
        }
        let hash = row_hash(
            row.seq,
            &to_db(row.at),
            &row.actor,
            &row.action,
            &row.target,
            &row.outcome,
            &row.detail,
            &row.prev_hash,
        );
        if hash != row.hash {
            return Err(ChainBreak::Edited(row.seq));
        }
        if row.prev_hash != prev_hash {
            return Err(ChainBreak::Relinked(row.seq));
        }
        prev_hash = row.hash.clone();
        expected_seq += 1;
    }
    let last = expected_seq - 1;
    if head.0 != last {
        return Err(ChainBreak::Truncated { last, head: head.0 });
    }
    if head.1 != prev_hash {
        return Err(ChainBreak::Head);
    }
    Ok(rows.len())
}

impl Store {
    /// Appends `entry` in a transaction of its own; returns its sequence number.
    pub async fn audit(&self, entry: &AuditEntry, at: DateTime<Utc>) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let seq = append(&mut tx, entry, at).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Every row after `after` (0: from the start), in order, at most `limit`.
    pub async fn audit_rows(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target, outcome, detail, prev_hash, hash \
             FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditRow {
                    seq: row.try_get("seq")?,
                    at: parse_time("audit_log", &row.try_get::<String, _>("at")?)?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    target: row.try_get("target")?,
                    outcome: row.try_get("outcome")?,
                    detail: row.try_get("detail")?,
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect()
    }

    /// The whole trail, in order.
    pub async fn audit_all(&self) -> Result<Vec<AuditRow>, StoreError> {
        let mut out = Vec::new();
        loop {
            let after = out.last().map_or(0, |r: &AuditRow| r.seq);
            let batch = self.audit_rows(after, 10_000).await?;
            if batch.is_empty() {
                return Ok(out);
            }
            out.extend(batch);
        }
    }

    /// The chain's head: the last sequence number and hash appended.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }
}

/// Appends `entry` inside `tx`, so that it commits (or not) with the action it records.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    entry: &AuditEntry,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    // Taking the head first serialises appenders (see the module's comment).
    sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let at = to_db(at);
    let outcome = entry.outcome.slug();
    let hash = row_hash(
        seq,
        &at,
        &entry.actor,
        entry.action,
        &entry.target,
        outcome,
        &entry.detail,
        &prev_hash,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, target, outcome, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(&at)
    .bind(&entry.actor)
    .bind(entry.action)
    .bind(&entry.target)
    .bind(outcome)
    .bind(&entry.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}
