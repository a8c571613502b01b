//! After a run: every acknowledged bundle is in the database exactly once and whole; no
//! bundle the ledger did not acknowledge is half-stored.

use crate::fleet::Bundle;
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// Bundles sent.
    pub sent: usize,
    /// Answered 201 or 200 (after retries).
    pub acknowledged: usize,
    /// Acknowledged and stored once, whole (its inspection and every finding).
    pub acknowledged_stored: usize,
    /// Never acknowledged but stored whole (the answer was lost, e.g. the instance died after
    /// committing): fine, the phone's retry will be "already imported".
    pub unacknowledged_stored: usize,
    /// Acknowledged, not in the database: lost.
    pub lost: Vec<String>,
    /// Stored without its inspection or with a different number of findings.
    pub half_stored: Vec<String>,
    /// Rows in `bundles` for one payload or one bundle id more than once, or rows nobody sent.
    pub duplicated: usize,
    pub unexpected: usize,
}

impl Reconciliation {
    /// Nothing lost, nothing doubled, nothing half-stored.
    pub fn holds(&self) -> bool {
        self.lost.is_empty()
            && self.half_stored.is_empty()
            && self.duplicated == 0
            && self.unexpected == 0
            && self.acknowledged_stored == self.acknowledged
    }

    pub fn summary(&self) -> String {
        format!(
            "sent {}, acknowledged {}, stored exactly once {}, stored but unacknowledged {}, \
             lost {}, duplicated {}, half-stored {}, unexpected {}: {}",
            self.sent,
            self.acknowledged,
            self.acknowledged_stored,
            self.unacknowledged_stored,
            self.lost.len(),
            self.duplicated,
            self.half_stored.len(),
            self.unexpected,
            if self.holds() { "OK" } else { "FAILED" }
        )
    }
}

/// Compares what was sent (and which were acknowledged) with the ledger's tables.
pub async fn reconcile(
    database_url: &str,
    bundles: &[Bundle],
    acknowledged: &[bool],
) -> anyhow::Result<Reconciliation> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(database_url)
        .await?;
    let mut stored: HashMap<String, i64> = HashMap::new();
    for row in sqlx::query("SELECT payload_sha256 FROM bundles")
        .fetch_all(&pool)
        .await?
    {
        *stored.entry(row.try_get(0)?).or_default() += 1;
    }
    let mut inspections: HashMap<String, String> = HashMap::new();
    for row in sqlx::query("SELECT id, bundle_payload_sha256 FROM inspections")
        .fetch_all(&pool)
        .await?
    {
        inspections.insert(row.try_get(0)?, row.try_get(1)?);
    }
    let mut findings: HashMap<String, i64> = HashMap::new();
    for row in sqlx::query("SELECT inspection_id, COUNT(*) FROM findings GROUP BY inspection_id")
        .fetch_all(&pool)
        .await?
    {
        findings.insert(row.try_get(0)?, row.try_get(1)?);
    }
    let reused_ids: i64 =
        sqlx::query_scalar("SELECT COUNT(*) - COUNT(DISTINCT bundle_id) FROM bundles")
            .fetch_one(&pool)
            .await?;
    pool.close().await;

    let mut r = Reconciliation {
        sent: bundles.len(),
        duplicated: reused_ids as usize,
        ..Default::default()
    };
    let mut sent = std::collections::HashSet::new();
    for (bundle, &acked) in bundles.iter().zip(acknowledged) {
        sent.insert(bundle.payload_sha256.as_str());
        let copies = stored.get(&bundle.payload_sha256).copied().unwrap_or(0);
        r.duplicated += copies.saturating_sub(1) as usize;
        if acked {
            r.acknowledged += 1;
        }
        if copies == 0 {
            if acked {
                r.lost.push(bundle.payload_sha256.clone());
            }
            continue;
        }
        let id = bundle.inspection_id.to_string();
        let whole = inspections.get(&id) == Some(&bundle.payload_sha256)
            && findings.get(&id).copied().unwrap_or(0) == bundle.findings as i64;
        if !whole {
            r.half_stored.push(bundle.payload_sha256.clone());
        } else if acked {
            r.acknowledged_stored += 1;
        } else {
            r.unacknowledged_stored += 1;
        }
    }
    r.unexpected = stored.keys().filter(|k| !sent.contains(k.as_str())).count();
    Ok(r)
}
