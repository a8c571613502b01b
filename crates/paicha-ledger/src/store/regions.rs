//! Where inspections are, for scoping reads: each inspection's `region_code`, from the region
//! table (`paicha_core::region::Regions::locate`: the county or city of the site's credit code,
//! or the township its recorded 乡镇 names).

use super::{Store, StoreError};
use paicha_core::Inspection;
use paicha_core::region::{Region, Regions};
use sqlx::{Any, Row, Transaction};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The table the ledger ships (the National Bureau of Statistics' 2023 codes for Hebei), loaded
/// into a database that has no regions yet. See data/regions/SOURCE.md.
pub const SHIPPED: &str = include_str!("../../data/regions/hebei.csv");

/// How long this process trusts its copy of the table; another process (the command line
/// importing townships) may have changed it.
const FRESH_FOR: Duration = Duration::from_secs(300);

/// This process's copy of the region table.
#[derive(Debug, Default)]
pub struct RegionCache(tokio::sync::RwLock<Option<(Instant, Arc<Regions>)>>);

/// The region code of an inspection's site ('' when its credit code names none).
pub fn region_of(regions: &Regions, inspection: &Inspection) -> String {
    regions
        .locate(
            &inspection.site.credit_code,
            &inspection.site.township,
            None,
        )
        .map(String::from)
        .unwrap_or_default()
}

/// Records where `inspection` is, inside the transaction that stores it.
pub(super) async fn place(
    tx: &mut Transaction<'static, Any>,
    regions: &Regions,
    inspection: &Inspection,
) -> Result<(), StoreError> {
    let code = region_of(regions, inspection);
    let id = inspection.id.to_string();
    sqlx::query("UPDATE inspections SET region_code = $1 WHERE id = $2")
        .bind(code.as_str())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    super::hazard_state::move_region(tx, &id, &code).await
}

impl Store {
    /// The region table, as this process last read it (at most [`FRESH_FOR`] ago).
    pub async fn region_table(&self) -> Result<Arc<Regions>, StoreError> {
        if let Some((read_at, table)) = self.regions.0.read().await.as_ref()
            && read_at.elapsed() < FRESH_FOR
        {
            return Ok(table.clone());
        }
        let table = Arc::new(Regions::new(self.regions().await?));
        *self.regions.0.write().await = Some((Instant::now(), table.clone()));
        Ok(table)
    }

    /// Loads the shipped table into a database without regions (a new ledger).
    pub(super) async fn seed_regions(&self) -> Result<(), StoreError> {
        let any: Option<String> = sqlx::query_scalar("SELECT code FROM regions LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        if any.is_none() {
            let shipped = Regions::from_csv(SHIPPED).map_err(|e| StoreError::Corrupt {
                table: "regions",
                detail: format!("the shipped region table does not read: {e}"),
            })?;
            let list: Vec<Region> = shipped.iter().cloned().collect();
            self.put_regions(&list).await?;
        }
        Ok(())
    }

    /// Adds regions (see `put_regions`), then places every inspection again: a new township
    /// may be the one an inspection's 乡镇 names. Returns (regions added, inspections moved).
    pub async fn import_regions(&self, regions: &[Region]) -> Result<(usize, usize), StoreError> {
        let added = self.put_regions(regions).await?;
        *self.regions.0.write().await = None;
        let moved = self.place_inspections(false).await?;
        Ok((added, moved))
    }

    /// Computes `region_code` of the inspections not placed yet (`only_new`) or of all of
    /// them; returns how many changed. One transaction.
    pub(super) async fn place_inspections(&self, only_new: bool) -> Result<usize, StoreError> {
        let regions = self.region_table().await?;
        let sql = if only_new {
            "SELECT id, site_credit_code, site_township, region_code FROM inspections \
             WHERE region_code = ''"
        } else {
            "SELECT id, site_credit_code, site_township, region_code FROM inspections"
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        let mut changes = Vec::new();
        for row in &rows {
            let code: String = row.try_get("site_credit_code")?;
            let township: String = row.try_get("site_township")?;
            let current: String = row.try_get("region_code")?;
            let placed = paicha_core::CreditCode::parse(&code)
                .ok()
                .and_then(|c| regions.locate(&c, &township, None))
                .map(String::from)
                .unwrap_or_default();
            if placed != current {
                changes.push((row.try_get::<String, _>("id")?, placed));
            }
        }
        if changes.is_empty() {
            return Ok(0);
        }
        let _serialised = self.import_lock.lock().await;
        let mut tx = self.pool().begin().await?;
        for (id, code) in &changes {
            sqlx::query("UPDATE inspections SET region_code = $1 WHERE id = $2")
                .bind(code)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            super::hazard_state::move_region(&mut tx, id, code).await?;
        }
        tx.commit().await?;
        Ok(changes.len())
    }
}
