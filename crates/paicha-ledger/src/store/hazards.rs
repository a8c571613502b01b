//! Reading hazards (findings judged 一般隐患 or 重大隐患) for the hazard ledger.

use super::{Store, StoreError, parse_time};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardLevel {
    General,
    Major,
}

impl HazardLevel {
    pub fn as_db(self) -> &'static str {
        match self {
            HazardLevel::General => "general",
            HazardLevel::Major => "major",
        }
    }
}

/// Whether a hazard is still open. The ledger has no rectification workflow yet, so the status
/// is derived: a hazard is **closed** (已验收) once a later inspection of the same enterprise
/// with the same checklist found the same item compliant, and **open** (未整改) until then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardStatus {
    Open,
    Closed,
}

/// Which hazards to read. Times bound the inspection's start; `credit_code_area` is a prefix
/// of the 行政区划码 in positions 3–8 of the credit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HazardFilter {
    pub level: Option<HazardLevel>,
    pub started_from: Option<DateTime<Utc>>,
    pub started_before: Option<DateTime<Utc>>,
    /// Digits only (validated by the caller).
    pub area_prefix: Option<String>,
    pub status: Option<HazardStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardRow {
    pub inspection_id: String,
    pub item_id: String,
    pub level: HazardLevel,
    pub description: String,
    pub site_name: String,
    pub credit_code: String,
    pub checklist_id: String,
    pub checklist_version: String,
    pub checklist_content_hash: String,
    /// The inspection's inspector first, then the bundle's co-inspectors: (name, 执法证号).
    pub inspectors: Vec<(String, String)>,
    pub started_at: DateTime<Utc>,
    pub bundle_id: String,
    /// When a later inspection found the item compliant (see [`HazardStatus`]).
    pub closed_at: Option<DateTime<Utc>>,
}

impl HazardRow {
    pub fn status(&self) -> HazardStatus {
        if self.closed_at.is_some() {
            HazardStatus::Closed
        } else {
            HazardStatus::Open
        }
    }
}

impl Store {
    pub async fn hazards(&self, filter: &HazardFilter) -> Result<Vec<HazardRow>, StoreError> {
        // Open bounds are spelled as values that every stored timestamp passes.
        let from = filter.started_from.map(to_db).unwrap_or_default();
        let before = filter
            .started_before
            .map(to_db)
            .unwrap_or_else(|| "9999".to_string());
        let level = filter.level.map(HazardLevel::as_db).unwrap_or("");
        let area = format!("__{}%", filter.area_prefix.as_deref().unwrap_or(""));
        let rows = sqlx::query(
            "SELECT f.inspection_id, f.item_id, f.level, f.description, i.site_name, \
             i.site_credit_code, i.checklist_id, i.checklist_version, i.checklist_content_hash, \
             i.inspector_name, i.inspector_cert_no, i.started_at, i.bundle_payload_sha256, b.bundle_id, \
             (SELECT MIN(later.started_at) FROM findings lf \
              JOIN inspections later ON later.id = lf.inspection_id \
              WHERE later.site_credit_code = i.site_credit_code \
              AND later.checklist_id = i.checklist_id AND lf.item_id = f.item_id \
              AND lf.verdict = 'compliant' AND later.started_at > i.started_at) AS closed_at \
             FROM findings f \
             JOIN inspections i ON i.id = f.inspection_id \
             JOIN bundles b ON b.payload_sha256 = i.bundle_payload_sha256 \
             WHERE f.level IS NOT NULL AND ($1 = '' OR f.level = $1) \
             AND i.started_at >= $2 AND i.started_at < $3 AND i.site_credit_code LIKE $4 \
             ORDER BY i.started_at, f.inspection_id, f.item_id",
        )
        .bind(level)
        .bind(from)
        .bind(before)
        .bind(area)
        .fetch_all(self.pool())
        .await?;

        let mut co_inspectors: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let closed_at: Option<String> = row.try_get("closed_at")?;
            let closed_at = closed_at
                .as_deref()
                .map(|t| parse_time("inspections", t))
                .transpose()?;
            let status = if closed_at.is_some() {
                HazardStatus::Closed
            } else {
                HazardStatus::Open
            };
            if filter.status.is_some_and(|wanted| wanted != status) {
                continue;
            }
            let bundle_sha: String = row.try_get("bundle_payload_sha256")?;
            if !co_inspectors.contains_key(&bundle_sha) {
                let list = self.co_inspectors(&bundle_sha).await?;
                co_inspectors.insert(bundle_sha.clone(), list);
            }
            let mut inspectors = vec![(
                row.try_get("inspector_name")?,
                row.try_get("inspector_cert_no")?,
            )];
            inspectors.extend(co_inspectors[&bundle_sha].iter().cloned());
            let level: String = row.try_get("level")?;
            out.push(HazardRow {
                inspection_id: row.try_get("inspection_id")?,
                item_id: row.try_get("item_id")?,
                level: match level.as_str() {
                    "general" => HazardLevel::General,
                    "major" => HazardLevel::Major,
                    other => {
                        return Err(StoreError::Corrupt {
                            table: "findings",
                            detail: format!("unknown level {other:?}"),
                        });
                    }
                },
                description: row.try_get("description")?,
                site_name: row.try_get("site_name")?,
                credit_code: row.try_get("site_credit_code")?,
                checklist_id: row.try_get("checklist_id")?,
                checklist_version: row.try_get("checklist_version")?,
                checklist_content_hash: row.try_get("checklist_content_hash")?,
                inspectors,
                started_at: parse_time("inspections", &row.try_get::<String, _>("started_at")?)?,
                bundle_id: row.try_get("bundle_id")?,
                closed_at,
            });
        }
        Ok(out)
    }

    async fn co_inspectors(&self, bundle_sha: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, cert_no FROM bundle_co_inspectors WHERE payload_sha256 = $1 ORDER BY position",
        )
        .bind(bundle_sha)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("cert_no")?)))
            .collect()
    }
}
