//! The enterprises (sites) this device knows, so inspectors pick one instead of retyping it.

use super::{Model, RecordKey};
use chrono::{DateTime, Utc};
use paicha_core::Site;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An enterprise this device knows, so inspectors pick it instead of retyping it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEntry {
    pub id: Uuid,
    pub site: Site,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A site with this credit code is already saved (the code identifies an enterprise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConflict {
    pub existing: Uuid,
    pub name: String,
}

impl std::fmt::Display for SiteConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "该统一社会信用代码已登记为“{}” / this credit code is already saved as {}",
            self.name, self.name
        )
    }
}

impl Model {
    /// Saves a new site or an edit of a known one. Refuses a second site with the same credit
    /// code (the code identifies an enterprise).
    pub fn save_site(
        &mut self,
        id: Uuid,
        site: Site,
        now: DateTime<Utc>,
    ) -> Result<Uuid, SiteConflict> {
        if let Some(other) = self
            .sites
            .values()
            .find(|e| e.id != id && e.site.credit_code == site.credit_code)
        {
            return Err(SiteConflict {
                existing: other.id,
                name: other.site.name.clone(),
            });
        }
        let created_at = self.sites.get(&id).map_or(now, |e| e.created_at);
        self.sites.insert(
            id,
            SiteEntry {
                id,
                site,
                created_at,
                updated_at: now,
            },
        );
        self.touch(RecordKey::Site(id));
        Ok(id)
    }

    /// When this site was last inspected on this device (by credit code).
    pub fn last_inspected(&self, site: &Site) -> Option<DateTime<Utc>> {
        self.inspections
            .values()
            .filter(|i| i.site.credit_code == site.credit_code)
            .map(|i| i.started_at)
            .max()
    }

    /// Saved sites, most recently inspected or edited first.
    pub fn sites_recent_first(&self) -> Vec<&SiteEntry> {
        let mut list: Vec<&SiteEntry> = self.sites.values().collect();
        let recency = |e: &SiteEntry| {
            self.last_inspected(&e.site)
                .map_or(e.updated_at, |t| t.max(e.updated_at))
        };
        list.sort_by(|a, b| {
            recency(b)
                .cmp(&recency(a))
                .then(a.site.name.cmp(&b.site.name))
        });
        list
    }

    pub fn site_by_code(&self, code: &paicha_core::CreditCode) -> Option<&SiteEntry> {
        self.sites.values().find(|e| &e.site.credit_code == code)
    }
}
