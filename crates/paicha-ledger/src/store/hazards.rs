//! Reading hazards (findings judged 一般隐患 or 重大隐患) for the hazard ledger, each with its
//! follow-up status.
//!
//! The status is derived when it is read, never stored, with the rules of
//! [`paicha_core::followup`]: the latest review of the hazard in a sealed re-inspection
//! decides (rectified → verified; not rectified → escalated, or with an extension judged by
//! the new deadline); without one, the deadline of the hazard's order against the day asked
//! about decides (overdue, due soon, open). Reviews and hazards are matched by the original
//! inspection's id and the item id whichever arrived first.

use super::{Store, StoreError, parse_time};
use crate::time::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, parse_date};
pub use paicha_core::followup::HazardStatus;
use paicha_core::followup::{Decision, Disposition};
use paicha_core::hazard_ledger::HazardLevel;
use paicha_core::reinspection::{Escalation, ReviewOutcome};
use paicha_core::{InspectionKind, SiteDetails};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Which hazards to read. Times bound the inspection's start; `credit_code_area` is a prefix
/// of the 行政区划码 in positions 3–8 of the credit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HazardFilter {
    pub level: Option<HazardLevel>,
    pub started_from: Option<DateTime<Utc>>,
    pub started_before: Option<DateTime<Utc>>,
    /// Digits only (validated by the caller).
    pub area_prefix: Option<String>,
    /// Only inspections placed inside one of these regions (`inspections.region_code`):
    /// what the person asking may read. `None` is an operator on the server, who reads all.
    pub scope: Option<Vec<paicha_core::region::RegionCode>>,
    /// Only hazards with one of these statuses; empty: any.
    pub statuses: Vec<HazardStatus>,
    /// The day statuses are judged on (deadlines before it are overdue); `None`: today, by
    /// this computer's clock and time zone (as a phone judges its follow-up list).
    pub as_of: Option<NaiveDate>,
    /// Only these hazards (inspection id, item id): the evidence view of one, a page of the
    /// console's ledger.
    pub hazards: Option<Vec<(String, String)>>,
    /// Only hazards of inspections with one of these checklists (ids): a sector's.
    pub checklists: Option<Vec<String>>,
    /// Only this enterprise's hazards (its 统一社会信用代码, exactly).
    pub credit_code: Option<String>,
}

impl HazardFilter {
    /// The day statuses are judged on: [`HazardFilter::as_of`], else today. Deadlines are dates
    /// in China Standard Time, like every other day the ledger reports; a server running on
    /// UTC must not call a hazard overdue 8 hours late.
    pub fn day(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| paicha_core::hazard_ledger::china_day(chrono::Utc::now()))
    }
}

/// The review that decides a hazard's status: the latest one in a sealed re-inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestReview {
    pub reviewing_inspection_id: String,
    pub outcome: ReviewOutcome,
    pub escalation: Option<Escalation>,
    /// For an extension, as typed.
    pub new_deadline: String,
    /// 复查意见
    pub note: String,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When the re-inspection was sealed: a rectification is verified (验收) then.
    pub sealed_at: DateTime<Utc>,
}

/// A hazard's status and the deadline in force, by the rules of
/// [`paicha_core::followup::follow_up`] for a ledger, which holds sealed inspections only:
/// `review` is the latest decided review in a sealed re-inspection, `order_deadline` the
/// 整改期限 as typed in the hazard's order.
pub fn derive_status(
    order_deadline: &str,
    review: Option<&LatestReview>,
    as_of: NaiveDate,
) -> (HazardStatus, Option<NaiveDate>) {
    let disposition = derive_disposition(order_deadline, review);
    (disposition.on(as_of), disposition.deadline)
}

/// What decides the hazard's status whatever the day ([`derive_status`] without the day), as
/// `hazard_state` keeps it.
pub fn derive_disposition(order_deadline: &str, review: Option<&LatestReview>) -> Disposition {
    let decision = review.map(|r| Decision {
        outcome: r.outcome,
        escalation: r.escalation,
        new_deadline: &r.new_deadline,
        sealed: true,
    });
    Disposition::of(parse_date(order_deadline), decision)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardRow {
    pub inspection_id: String,
    pub item_id: String,
    pub level: HazardLevel,
    pub description: String,
    /// 隐患部位
    pub location: String,
    pub site_name: String,
    pub credit_code: String,
    /// Where the inspection is placed (`inspections.region_code`), for scoping and counting.
    pub region_code: String,
    /// The site as the inspection recorded it (address, township, grid, sectors, contact).
    pub site: SiteDetails,
    pub kind: InspectionKind,
    pub checklist_id: String,
    pub checklist_version: String,
    pub checklist_content_hash: String,
    /// The inspection's inspector first, then its co-inspectors, then any other co-inspectors
    /// the bundle names (older apps recorded the team per bundle): (name, 执法证号).
    pub inspectors: Vec<(String, String)>,
    /// The inspector's unit (所属单位) as the inspection records it.
    pub inspector_organisation: String,
    pub started_at: DateTime<Utc>,
    pub bundle_id: String,
    /// The hazard's order as typed (all empty without one); its deadline is the 整改期限
    /// ordered.
    pub order: RectificationOrder,
    /// A major hazard's plan (五落实) and suspension, if the answer has one.
    pub plan: Option<MajorHazardPlan>,
    /// The deadline in force: an extension's new deadline, else the order's.
    pub deadline: Option<NaiveDate>,
    pub status: HazardStatus,
    /// The review that decided the status, if any.
    pub review: Option<LatestReview>,
}

impl HazardRow {
    /// When the rectification was verified (the re-inspection's seal), for verified hazards.
    pub fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.review
            .as_ref()
            .filter(|_| self.status == HazardStatus::Verified)
            .map(|r| r.sealed_at)
    }
}

/// The latest decided review of each hazard, newest seal first; ties (one re-inspection
/// reviewing a hazard twice) go to the later entry, as on the device.
pub(super) const LATEST_REVIEW_JOIN: &str = "LEFT JOIN hazard_reviews r ON r.original_inspection_id = f.inspection_id \
     AND r.item_id = f.item_id AND r.outcome <> 'pending' \
     AND NOT EXISTS (SELECT 1 FROM hazard_reviews n WHERE n.original_inspection_id = r.original_inspection_id \
     AND n.item_id = r.item_id AND n.outcome <> 'pending' AND (n.sealed_at > r.sealed_at \
     OR (n.sealed_at = r.sealed_at AND (n.reviewing_inspection_id > r.reviewing_inspection_id \
     OR (n.reviewing_inspection_id = r.reviewing_inspection_id AND n.position > r.position)))))";

pub(super) fn parse_enum<T: serde::de::DeserializeOwned>(
    table: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| {
        StoreError::Corrupt {
            table,
            detail: format!("unknown value {text:?}"),
        }
    })
}

pub(super) fn latest_review(row: &AnyRow) -> Result<Option<LatestReview>, StoreError> {
    let Some(reviewing_inspection_id) = row.try_get::<Option<String>, _>("r_inspection_id")? else {
        return Ok(None);
    };
    let escalation: Option<String> = row.try_get("r_escalation")?;
    let reviewed_at: Option<String> = row.try_get("r_reviewed_at")?;
    Ok(Some(LatestReview {
        reviewing_inspection_id,
        outcome: parse_enum("hazard_reviews", &row.try_get::<String, _>("r_outcome")?)?,
        escalation: escalation
            .map(|e| parse_enum("hazard_reviews", &e))
            .transpose()?,
        new_deadline: row.try_get("r_new_deadline")?,
        note: row.try_get("r_note")?,
        reviewed_at: reviewed_at
            .map(|t| parse_time("hazard_reviews", &t))
            .transpose()?,
        sealed_at: parse_time("hazard_reviews", &row.try_get::<String, _>("r_sealed_at")?)?,
    }))
}

/// The plan columns of a hazard, if the answer had a plan (`suspension` is set then).
fn hazard_plan(row: &AnyRow) -> Result<Option<MajorHazardPlan>, StoreError> {
    let suspension: String = row.try_get("suspension")?;
    if suspension.is_empty() {
        return Ok(None);
    }
    Ok(Some(MajorHazardPlan {
        target: row.try_get("plan_target")?,
        organisation: row.try_get("plan_organisation")?,
        safety_measures: row.try_get("plan_safety_measures")?,
        funds_materials: row.try_get("plan_funds_materials")?,
        time_limit: row.try_get("plan_time_limit")?,
        suspension: parse_enum("findings", &suspension)?,
    }))
}

impl Store {
    pub async fn hazards(&self, filter: &HazardFilter) -> Result<Vec<HazardRow>, StoreError> {
        let as_of = filter.day();
        // Open bounds are spelled as values that every stored timestamp passes.
        let from = filter.started_from.map(to_db).unwrap_or_default();
        let before = filter
            .started_before
            .map(to_db)
            .unwrap_or_else(|| "9999".to_string());
        let level = filter.level.map(HazardLevel::slug).unwrap_or("");
        let area = format!("__{}%", filter.area_prefix.as_deref().unwrap_or(""));
        let only_site = filter.credit_code.clone().unwrap_or_default();
        let (scope_sql, scope) = scope_clause(filter.scope.as_deref(), 6);
        let (keys_sql, keys) = keys_clause(filter.hazards.as_deref(), 6 + scope.len());
        let (checklists_sql, checklists) =
            checklists_clause(filter.checklists.as_deref(), 6 + scope.len() + keys.len());
        let sql = format!(
            "SELECT f.inspection_id, f.item_id, f.level, f.description, f.location, f.deadline, \
             f.measures, f.responsible, f.funds_yuan, f.suspension, f.plan_target, \
             f.plan_organisation, f.plan_safety_measures, f.plan_funds_materials, \
             f.plan_time_limit, \
             i.site_name, i.site_credit_code, i.region_code, i.site_address, i.site_township, i.site_grid, \
             i.site_sectors, i.site_contact_name, i.site_contact_phone, i.kind, \
             i.checklist_id, i.checklist_version, i.checklist_content_hash, \
             i.inspector_name, i.inspector_cert_no, i.inspector_organisation, i.started_at, \
             i.bundle_payload_sha256, b.bundle_id, \
             r.reviewing_inspection_id AS r_inspection_id, r.outcome AS r_outcome, \
             r.escalation AS r_escalation, r.new_deadline AS r_new_deadline, r.note AS r_note, \
             r.reviewed_at AS r_reviewed_at, r.sealed_at AS r_sealed_at \
             FROM findings f \
             JOIN inspections i ON i.id = f.inspection_id \
             JOIN bundles b ON b.payload_sha256 = i.bundle_payload_sha256 \
             {LATEST_REVIEW_JOIN} \
             WHERE f.level IS NOT NULL AND ($1 = '' OR f.level = $1) \
             AND i.started_at >= $2 AND i.started_at < $3 AND i.site_credit_code LIKE $4 \
             AND ($5 = '' OR i.site_credit_code = $5) {scope_sql} {keys_sql} {checklists_sql} \
             ORDER BY i.started_at, f.inspection_id, f.item_id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(level)
            .bind(from.as_str())
            .bind(before.as_str())
            .bind(area.as_str())
            .bind(only_site.as_str());
        for value in scope.iter().chain(&keys).chain(&checklists) {
            query = query.bind(value.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;

        let teams = self
            .inspection_teams(
                &from,
                &before,
                &area,
                (filter.hazards.as_deref(), &only_site),
                filter.scope.as_deref(),
            )
            .await?;
        let mut bundle_teams: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let review = latest_review(&row)?;
            let order_deadline: String = row.try_get("deadline")?;
            let (status, deadline) = derive_status(&order_deadline, review.as_ref(), as_of);
            if !filter.statuses.is_empty() && !filter.statuses.contains(&status) {
                continue;
            }
            let inspection_id: String = row.try_get("inspection_id")?;
            let bundle_sha: String = row.try_get("bundle_payload_sha256")?;
            if !bundle_teams.contains_key(&bundle_sha) {
                let list = self.co_inspectors(&bundle_sha).await?;
                bundle_teams.insert(bundle_sha.clone(), list);
            }
            let mut inspectors: Vec<(String, String)> = vec![(
                row.try_get("inspector_name")?,
                row.try_get("inspector_cert_no")?,
            )];
            let team = teams.get(&inspection_id).map_or(&[][..], Vec::as_slice);
            for officer in team.iter().chain(&bundle_teams[&bundle_sha]) {
                if !inspectors.iter().any(|(_, cert)| cert == &officer.1) {
                    inspectors.push(officer.clone());
                }
            }
            let level: String = row.try_get("level")?;
            let sectors: String = row.try_get("site_sectors")?;
            out.push(HazardRow {
                inspection_id,
                item_id: row.try_get("item_id")?,
                level: HazardLevel::from_slug(&level).ok_or_else(|| StoreError::Corrupt {
                    table: "findings",
                    detail: format!("unknown level {level:?}"),
                })?,
                description: row.try_get("description")?,
                location: row.try_get("location")?,
                site_name: row.try_get("site_name")?,
                credit_code: row.try_get("site_credit_code")?,
                region_code: row.try_get("region_code")?,
                site: SiteDetails {
                    address: row.try_get("site_address")?,
                    township: row.try_get("site_township")?,
                    grid: row.try_get("site_grid")?,
                    sectors: sectors
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    contact_name: row.try_get("site_contact_name")?,
                    contact_phone: row.try_get("site_contact_phone")?,
                },
                kind: parse_enum("inspections", &row.try_get::<String, _>("kind")?)?,
                checklist_id: row.try_get("checklist_id")?,
                checklist_version: row.try_get("checklist_version")?,
                checklist_content_hash: row.try_get("checklist_content_hash")?,
                inspectors,
                inspector_organisation: row.try_get("inspector_organisation")?,
                started_at: parse_time("inspections", &row.try_get::<String, _>("started_at")?)?,
                bundle_id: row.try_get("bundle_id")?,
                plan: hazard_plan(&row)?,
                order: RectificationOrder {
                    measures: row.try_get("measures")?,
                    responsible: row.try_get("responsible")?,
                    deadline: order_deadline,
                    funds_yuan: row.try_get("funds_yuan")?,
                },
                deadline,
                status,
                review,
            });
        }
        Ok(out)
    }

    /// The co-inspectors of every inspection in the time and region window (and of the listed
    /// hazards' inspections, if listed), by inspection.
    async fn inspection_teams(
        &self,
        from: &str,
        before: &str,
        area: &str,
        (only_hazards, only_site): (Option<&[(String, String)]>, &str),
        scope: Option<&[paicha_core::region::RegionCode]>,
    ) -> Result<HashMap<String, Vec<(String, String)>>, StoreError> {
        let (scope_sql, scope) = scope_clause(scope, 5);
        let inspections: Option<Vec<String>> =
            only_hazards.map(|keys| keys.iter().map(|(i, _)| i.clone()).collect());
        let (ids_sql, ids) = match &inspections {
            None => (String::new(), Vec::new()),
            Some(ids) if ids.is_empty() => ("AND 1 = 0".to_string(), Vec::new()),
            Some(ids) => {
                let first = 5 + scope.len();
                let params: Vec<String> =
                    (0..ids.len()).map(|n| format!("${}", first + n)).collect();
                (format!("AND i.id IN ({})", params.join(", ")), ids.clone())
            }
        };
        let sql = format!(
            "SELECT c.inspection_id, c.name, c.cert_no FROM inspection_co_inspectors c \
             JOIN inspections i ON i.id = c.inspection_id \
             WHERE i.started_at >= $1 AND i.started_at < $2 AND i.site_credit_code LIKE $3 \
             AND ($4 = '' OR i.site_credit_code = $4) {scope_sql} {ids_sql} \
             ORDER BY c.inspection_id, c.position"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(before)
            .bind(area)
            .bind(only_site);
        for value in scope.iter().chain(&ids) {
            query = query.bind(value.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut out: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for row in rows {
            out.entry(row.try_get("inspection_id")?)
                .or_default()
                .push((row.try_get("name")?, row.try_get("cert_no")?));
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

/// The SQL that keeps only inspections inside `scope` (its parameters numbered from `first`),
/// and the `LIKE` patterns to bind. No scope: no condition; an empty scope: nothing at all.
pub(super) fn scope_clause(
    scope: Option<&[paicha_core::region::RegionCode]>,
    first: usize,
) -> (String, Vec<String>) {
    scope_clause_on("i.region_code", scope, first)
}

/// The SQL that keeps only the listed hazards (parameters numbered from `first`) and the values
/// to bind. No list: no condition; an empty list: nothing at all.
pub(super) fn keys_clause(
    keys: Option<&[(String, String)]>,
    first: usize,
) -> (String, Vec<String>) {
    keys_clause_on("f.inspection_id", "f.item_id", keys, first)
}

/// [`keys_clause`] on other columns (a table holding hazard keys under other names).
pub(super) fn keys_clause_on(
    inspection_column: &str,
    item_column: &str,
    keys: Option<&[(String, String)]>,
    first: usize,
) -> (String, Vec<String>) {
    match keys {
        None => (String::new(), Vec::new()),
        Some([]) => ("AND 1 = 0".to_string(), Vec::new()),
        Some(keys) => {
            let alternatives: Vec<String> = (0..keys.len())
                .map(|n| {
                    let p = first + 2 * n;
                    format!(
                        "({inspection_column} = ${p} AND {item_column} = ${})",
                        p + 1
                    )
                })
                .collect();
            let values = keys
                .iter()
                .flat_map(|(i, item)| [i.clone(), item.clone()])
                .collect();
            (format!("AND ({})", alternatives.join(" OR ")), values)
        }
    }
}

/// The SQL that keeps only inspections with one of `ids` as their checklist.
fn checklists_clause(ids: Option<&[String]>, first: usize) -> (String, Vec<String>) {
    match ids {
        None => (String::new(), Vec::new()),
        Some([]) => ("AND 1 = 0".to_string(), Vec::new()),
        Some(ids) => {
            let params: Vec<String> = (0..ids.len()).map(|n| format!("${}", first + n)).collect();
            (
                format!("AND i.checklist_id IN ({})", params.join(", ")),
                ids.to_vec(),
            )
        }
    }
}

/// [`scope_clause`] on another region column (the console's lists carry their own).
pub(super) fn scope_clause_on(
    column: &str,
    scope: Option<&[paicha_core::region::RegionCode]>,
    first: usize,
) -> (String, Vec<String>) {
    match scope {
        None => (String::new(), Vec::new()),
        Some([]) => ("AND 1 = 0".to_string(), Vec::new()),
        Some(regions) => {
            let alternatives: Vec<String> = (0..regions.len())
                .map(|n| format!("{column} LIKE ${}", first + n))
                .collect();
            let patterns = regions.iter().map(|r| format!("{r}%")).collect();
            (format!("AND ({})", alternatives.join(" OR ")), patterns)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn review(outcome: ReviewOutcome, escalation: Option<Escalation>, new: &str) -> LatestReview {
        LatestReview {
            reviewing_inspection_id: "r".into(),
            outcome,
            escalation,
            new_deadline: new.into(),
            note: String::new(),
            reviewed_at: None,
            sealed_at: Utc.with_ymd_and_hms(2026, 12, 8, 2, 0, 0).unwrap(),
        }
    }

    #[test]
    fn statuses_follow_the_core_rules() {
        use HazardStatus::*;
        let d = "2026-12-10";
        assert_eq!(derive_status(d, None, day(1)), (Open, Some(day(10))));
        assert_eq!(derive_status(d, None, day(7)).0, DueSoon);
        assert_eq!(derive_status(d, None, day(10)).0, DueSoon);
        assert_eq!(derive_status(d, None, day(11)).0, Overdue);
        assert_eq!(derive_status("", None, day(11)), (Open, None));
        assert_eq!(derive_status("soon", None, day(11)), (Open, None));
        let rectified = review(ReviewOutcome::Rectified, None, "");
        assert_eq!(derive_status(d, Some(&rectified), day(11)).0, Verified);
        let penalty = review(
            ReviewOutcome::NotRectified,
            Some(Escalation::PenaltyCase),
            "",
        );
        assert_eq!(derive_status(d, Some(&penalty), day(1)).0, Escalated);
        let extension = review(
            ReviewOutcome::NotRectified,
            Some(Escalation::Extension),
            "2026-12-20",
        );
        assert_eq!(
            derive_status(d, Some(&extension), day(11)),
            (Open, Some(day(20)))
        );
        assert_eq!(derive_status(d, Some(&extension), day(21)).0, Overdue);
        let bad_extension = review(
            ReviewOutcome::NotRectified,
            Some(Escalation::Extension),
            "later",
        );
        assert_eq!(
            derive_status(d, Some(&bad_extension), day(11)),
            (Overdue, Some(day(10)))
        );
    }
}
