//! The hazard ledger (隐患台账) from the ledger's database, for `export hazards` and
//! `GET /api/hazards`: the query (filters checked, then turned into the store's filter), the
//! rows in the one column set of [`paicha_core::hazard_ledger`], and their CSV.

use crate::checklist_pack::ChecklistPack;
use crate::store::{HazardFilter, HazardRow, Store, StoreError};
use paicha_core::Checklist;
pub use paicha_core::hazard_ledger::{COLUMNS, HazardLedgerRow, Header, column, write_csv};
use paicha_core::hazard_ledger::{HazardFacts, ReviewFacts, Standing};
use paicha_core::wire::{HazardsQuery, QueryError};
use std::io::Write;

/// The start of a China Standard Time day, in UTC.
pub use paicha_core::hazard_ledger::china_day_start as day_start;

/// Which hazards to list, checked: the store's filter, the sector (which needs the
/// checklist pack) and the most rows to return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HazardQuery {
    pub filter: HazardFilter,
    pub sector: Option<String>,
    pub limit: usize,
}

impl HazardQuery {
    /// Checks the filters (see [`HazardsQuery::validate`]); the error says what is wrong. The
    /// result reads everything: narrow it with [`HazardQuery::within`] for a person.
    pub fn new(query: &HazardsQuery) -> Result<Self, QueryError> {
        query.validate()?;
        Ok(Self {
            filter: HazardFilter {
                level: query.level,
                statuses: query.status.clone(),
                as_of: query.as_of,
                started_from: query.from.map(day_start),
                started_before: query.to.and_then(|d| d.succ_opt()).map(day_start),
                area_prefix: query.region.clone(),
                scope: None,
                hazards: None,
                checklists: None,
                credit_code: None,
            },
            sector: query.sector.clone(),
            limit: query.limit(),
        })
    }

    /// Only hazards of inspections inside `regions` (what the person asking may read).
    pub fn within(mut self, regions: Vec<paicha_core::region::RegionCode>) -> Self {
        self.filter.scope = Some(regions);
        self
    }
}

/// The hazards the filter and sector select, as hazard-ledger rows.
pub async fn hazard_rows(
    store: &Store,
    filter: &HazardFilter,
    sector: Option<&str>,
    pack: &ChecklistPack,
) -> Result<Vec<HazardLedgerRow>, StoreError> {
    let rows = store.hazards(filter).await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let found = pack.find_noting_exact(&row.checklist_id, &row.checklist_content_hash);
            let checklist = found.map(|(c, _)| c);
            let in_sector = sector.is_none_or(|s| checklist.is_some_and(|c| c.sector == s));
            in_sector.then(|| ledger_row(row, found))
        })
        .collect())
}

/// A stored hazard as its hazard-ledger row; `checklist` is the version found for it and
/// whether it is the exact one the inspection used.
pub fn ledger_row(row: &HazardRow, checklist: Option<(&Checklist, bool)>) -> HazardLedgerRow {
    let (checklist, checklist_exact) = match checklist {
        Some((c, exact)) => (Some(c), exact),
        None => (None, false),
    };
    let review = row.review.as_ref().map(|r| ReviewFacts {
        reviewing_inspection_id: r.reviewing_inspection_id.clone(),
        outcome: r.outcome,
        escalation: r.escalation,
        note: &r.note,
        reviewed_at: r.reviewed_at,
        sealed_at: Some(r.sealed_at),
    });
    HazardLedgerRow::new(&HazardFacts {
        inspection_id: &row.inspection_id,
        item_id: &row.item_id,
        checklist,
        checklist_id: &row.checklist_id,
        checklist_version: &row.checklist_version,
        checklist_content_hash: &row.checklist_content_hash,
        checklist_exact,
        site_name: &row.site_name,
        credit_code: &row.credit_code,
        site_address: &row.site.address,
        site_township: &row.site.township,
        site_grid: &row.site.grid,
        site_sectors: &row.site.sectors,
        contact_name: &row.site.contact_name,
        contact_phone: &row.site.contact_phone,
        kind: row.kind,
        officers: row
            .inspectors
            .iter()
            .map(|(name, cert)| (name.as_str(), cert.as_str()))
            .collect(),
        inspector_organisation: &row.inspector_organisation,
        started_at: row.started_at,
        // The ledger holds sealed inspections only.
        sealed: true,
        bundle_id: &row.bundle_id,
        level: row.level,
        description: &row.description,
        location: &row.location,
        order: Some(&row.order),
        plan: row.plan.as_ref(),
        standing: Some(Standing {
            status: row.status,
            deadline: row.deadline,
            review,
        }),
    })
}

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub header: Header,
    /// Excel/WPS friendly: a UTF-8 byte order mark, and cells that would start a formula are
    /// prefixed with an apostrophe so that opening the file cannot run them.
    pub excel: bool,
    /// Only hazards whose checklist belongs to this sector (needs the checklist pack).
    pub sector: Option<String>,
}

/// Writes the hazards matching `filter` as CSV; returns how many rows were written.
pub async fn write_hazards_csv(
    store: &Store,
    filter: &HazardFilter,
    pack: &ChecklistPack,
    options: &CsvOptions,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let rows = hazard_rows(store, filter, options.sector.as_deref(), pack).await?;
    write_csv(&rows, options.header, options.excel, out)?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_china_standard_time() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            crate::time::to_db(day_start(d)),
            "2026-02-28T16:00:00.000000Z"
        );
    }
}
