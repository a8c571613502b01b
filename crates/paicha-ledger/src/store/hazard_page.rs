//! The hazard ledger a page at a time, and its counts, in SQL over `hazard_state`: the filters,
//! the status on the day asked about, the order and keyset paging run in the database, and
//! only the page's hazards are then read in full through [`Store::hazards`]. Reading every
//! hazard of a province to show fifty took 20–45 s at a million hazards
//! (docs/performance.md).

use super::hazards::{HazardFilter, HazardRow, HazardStatus, parse_enum};
use super::{Store, StoreError};
use crate::time::to_db;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use paicha_core::followup::DUE_SOON_DAYS;
use paicha_core::hazard_ledger::HazardLevel;
use paicha_core::overview::{TrendDates, TrendWindow};
use paicha_core::region::{RegionCode, RegionLevel};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The ledger's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HazardOrder {
    /// The newest inspection first.
    #[default]
    Newest,
    Oldest,
    /// The earliest deadline in force first; hazards without one last.
    Deadline,
}

/// Where a page starts: the order's key of the row next to it. Opaque to readers
/// ([`HazardCursor::encode`] for links).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardCursor {
    due: String,
    started_at: String,
    inspection_id: String,
    item_id: String,
}

impl HazardCursor {
    fn of(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(HazardCursor {
            due: row.try_get("due")?,
            started_at: row.try_get("started_at")?,
            inspection_id: row.try_get("inspection_id")?,
            item_id: row.try_get("item_id")?,
        })
    }

    /// The cursor as text for a link (`~`-separated; the item id last, as it may hold any
    /// character).
    pub fn encode(&self) -> String {
        format!(
            "{}~{}~{}~{}",
            self.due, self.started_at, self.inspection_id, self.item_id
        )
    }

    /// A cursor from [`HazardCursor::encode`]'s text; `None` when it is not one.
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(4, '~');
        let due = parts.next()?;
        let started_at = parts.next()?;
        let inspection_id = parts.next()?;
        let item_id = parts.next()?;
        NaiveDate::parse_from_str(due, "%Y-%m-%d").ok()?;
        crate::time::from_db(started_at).ok()?;
        if inspection_id.is_empty() || item_id.is_empty() {
            return None;
        }
        Some(HazardCursor {
            due: due.to_string(),
            started_at: started_at.to_string(),
            inspection_id: inspection_id.to_string(),
            item_id: item_id.to_string(),
        })
    }
}

/// Which page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PageStart {
    #[default]
    First,
    /// The rows after this one.
    After(HazardCursor),
    /// The rows before this one (the previous page).
    Before(HazardCursor),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub order: HazardOrder,
    pub start: PageStart,
    pub size: usize,
}

#[derive(Debug, Clone)]
pub struct HazardPage {
    /// In the order asked for, with their status on the filter's day.
    pub rows: Vec<HazardRow>,
    /// How many hazards the filter selects in all.
    pub total: Total,
    /// The start of the next page, if there are more rows.
    pub next: Option<HazardCursor>,
    /// The start of the previous page, if this is not the first.
    pub previous: Option<HazardCursor>,
}

/// The most rows a page counts exactly.
pub const COUNT_CAP: usize = 10_000;

/// How many rows a filter selects: exactly, or more than [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Exact(usize),
    /// More than this many.
    AtLeast(usize),
}

/// Hazards counted in groups for the overview (`paicha_core::overview::Overview::of_tallies`).
#[derive(Debug, Clone, Default)]
pub struct HazardTallies {
    /// (status, level, region code, checklist id, how many).
    pub counts: Vec<(HazardStatus, HazardLevel, String, String, usize)>,
    /// The trend's dates, clipped to its window.
    pub dates: Vec<TrendDates>,
}

/// A WHERE clause with its values, numbered as they are added.
#[derive(Default)]
struct Clause {
    conditions: Vec<String>,
    values: Vec<String>,
}

impl Clause {
    /// A placeholder for `value`.
    fn param(&mut self, value: impl Into<String>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn query(&self, sql: String) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in &self.values {
            query = query.bind(value.as_str());
        }
        query
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The conditions of `filter` on `hazard_state h`, statuses judged on `as_of`.
fn conditions(filter: &HazardFilter, as_of: NaiveDate) -> Clause {
    let mut c = Clause::default();
    if let Some(level) = filter.level {
        let p = c.param(level.slug());
        c.and(format!("h.level = {p}"));
    }
    if let Some(from) = filter.started_from {
        let p = c.param(to_db(from));
        c.and(format!("h.started_at >= {p}"));
    }
    if let Some(before) = filter.started_before {
        let p = c.param(to_db(before));
        c.and(format!("h.started_at < {p}"));
    }
    if let Some(area) = &filter.area_prefix {
        let p = c.param(format!("__{area}%"));
        c.and(format!("h.credit_code LIKE {p}"));
    }
    if let Some(code) = &filter.credit_code {
        let p = c.param(code.as_str());
        c.and(format!("h.credit_code = {p}"));
    }
    if let Some(scope) = &filter.scope {
        let alternatives: Vec<String> = scope.iter().map(|r| region_is(&mut c, r)).collect();
        c.and(any_of(alternatives));
    }
    if let Some(keys) = &filter.hazards {
        let alternatives: Vec<String> = keys
            .iter()
            .map(|(inspection, item)| {
                let i = c.param(inspection.as_str());
                let t = c.param(item.as_str());
                format!("(h.inspection_id = {i} AND h.item_id = {t})")
            })
            .collect();
        c.and(any_of(alternatives));
    }
    if let Some(ids) = &filter.checklists {
        let params: Vec<String> = ids.iter().map(|id| c.param(id.as_str())).collect();
        c.and(if params.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("h.checklist_id IN ({})", params.join(", "))
        });
    }
    if !filter.statuses.is_empty() {
        let today = c.param(day(as_of));
        let soon = c.param(day(as_of + Duration::days(DUE_SOON_DAYS)));
        let alternatives = filter
            .statuses
            .iter()
            .map(|status| status_is(*status, &today, &soon))
            .collect();
        c.and(any_of(alternatives));
    }
    c
}

/// `(a OR b …)`, or a condition nothing meets when there is no alternative.
fn any_of(alternatives: Vec<String>) -> String {
    if alternatives.is_empty() {
        "1 = 0".to_string()
    } else {
        format!("({})", alternatives.join(" OR "))
    }
}

/// The condition that a hazard lies in `region`: an equality on the column of its level.
fn region_is(c: &mut Clause, region: &RegionCode) -> String {
    let column = match region.level() {
        RegionLevel::Province => "h.province",
        RegionLevel::City => "h.city",
        RegionLevel::County => "h.county",
        RegionLevel::Township => "h.region_code",
    };
    let p = c.param(region.as_str());
    format!("{column} = {p}")
}

/// The condition that a hazard has `status` on the day `today` (`soon`: the last day that is
/// still "due soon"): [`paicha_core::followup::Disposition::on`] in SQL.
fn status_is(status: HazardStatus, today: &str, soon: &str) -> String {
    match status {
        HazardStatus::Verified => "h.settled = 'verified'".to_string(),
        HazardStatus::Escalated => "h.settled = 'escalated'".to_string(),
        HazardStatus::Overdue => format!("(h.settled = '' AND h.due < {today})"),
        HazardStatus::DueSoon => {
            format!("(h.settled = '' AND h.due >= {today} AND h.due <= {soon})")
        }
        HazardStatus::Open => format!("(h.settled = '' AND h.due > {soon})"),
        // Awaiting the seal exists on devices only: a ledger holds sealed reviews.
        HazardStatus::Rectified => "1 = 0".to_string(),
    }
}

/// The status as a SQL expression, for counting.
fn status_case(today: &str, soon: &str) -> String {
    format!(
        "CASE WHEN h.settled <> '' THEN h.settled WHEN h.due < {today} THEN 'overdue' \
         WHEN h.due <= {soon} THEN 'due_soon' ELSE 'open' END"
    )
}

impl Store {
    /// One page of the hazards `filter` selects, in `request`'s order, and how many there are.
    pub async fn hazard_page(
        &self,
        filter: &HazardFilter,
        request: &PageRequest,
    ) -> Result<HazardPage, StoreError> {
        let as_of = filter.day();
        let mut clause = conditions(filter, as_of);
        // Counting a province's million rows takes 60-250 ms; counting to just past the cap
        // takes one. The overview shows the exact figures beside the list.
        let total: i64 = clause
            .query(format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM hazard_state h {} LIMIT {}) AS capped",
                clause.sql(),
                COUNT_CAP + 1
            ))
            .fetch_one(self.pool())
            .await?
            .try_get(0)?;
        let total = usize::try_from(total).unwrap_or(0);
        let total = if total > COUNT_CAP {
            Total::AtLeast(COUNT_CAP)
        } else {
            Total::Exact(total)
        };

        let (columns, forwards_descending) = match request.order {
            HazardOrder::Newest => (&["h.started_at", "h.inspection_id", "h.item_id"][..], true),
            HazardOrder::Oldest => (&["h.started_at", "h.inspection_id", "h.item_id"][..], false),
            HazardOrder::Deadline => (
                &["h.due", "h.started_at", "h.inspection_id", "h.item_id"][..],
                false,
            ),
        };
        let backwards = matches!(request.start, PageStart::Before(_));
        let descending = forwards_descending != backwards;
        if let PageStart::After(cursor) | PageStart::Before(cursor) = &request.start {
            let values = [
                &cursor.due,
                &cursor.started_at,
                &cursor.inspection_id,
                &cursor.item_id,
            ];
            let values = &values[values.len() - columns.len()..];
            let params: Vec<String> = values.iter().map(|v| clause.param(v.as_str())).collect();
            clause.and(format!(
                "({}) {} ({})",
                columns.join(", "),
                if descending { "<" } else { ">" },
                params.join(", ")
            ));
        }
        let direction = if descending { " DESC" } else { "" };
        let order: Vec<String> = columns.iter().map(|c| format!("{c}{direction}")).collect();
        let limit = clause.param(request.size.saturating_add(1).to_string());
        let sql = format!(
            "SELECT h.inspection_id, h.item_id, h.started_at, h.due FROM hazard_state h {} \
             ORDER BY {} LIMIT CAST({limit} AS BIGINT)",
            clause.sql(),
            order.join(", ")
        );
        let mut keys = clause.query(sql).fetch_all(self.pool()).await?;
        let more = keys.len() > request.size;
        keys.truncate(request.size);
        if backwards {
            keys.reverse();
        }
        let (next, previous) = match (&request.start, keys.first(), keys.last()) {
            (_, None, _) | (_, _, None) => (None, None),
            (PageStart::First, _, Some(last)) => (more.then(|| HazardCursor::of(last)), None),
            (PageStart::After(_), Some(first), Some(last)) => (
                more.then(|| HazardCursor::of(last)),
                Some(HazardCursor::of(first)),
            ),
            (PageStart::Before(_), Some(first), Some(last)) => (
                Some(HazardCursor::of(last)),
                more.then(|| HazardCursor::of(first)),
            ),
        };
        let wanted: Vec<(String, String)> = keys
            .iter()
            .map(|k| Ok((k.try_get("inspection_id")?, k.try_get("item_id")?)))
            .collect::<Result<_, StoreError>>()?;
        let mut rows = self
            .hazards(&HazardFilter {
                hazards: Some(wanted.clone()),
                scope: filter.scope.clone(),
                as_of: Some(as_of),
                ..HazardFilter::default()
            })
            .await?;
        rows.sort_by_key(|row| {
            wanted
                .iter()
                .position(|(i, t)| *i == row.inspection_id && *t == row.item_id)
        });
        Ok(HazardPage {
            rows,
            total,
            next: next.transpose()?,
            previous: previous.transpose()?,
        })
    }

    /// The hazards `filter` selects counted for the overview: by status (on the filter's day),
    /// level, region and checklist, and by the dates of a trend of `weeks` weeks.
    pub async fn hazard_tallies(
        &self,
        filter: &HazardFilter,
        weeks: usize,
    ) -> Result<HazardTallies, StoreError> {
        let as_of = filter.day();
        let mut clause = conditions(filter, as_of);
        let today = clause.param(day(as_of));
        let soon = clause.param(day(as_of + Duration::days(DUE_SOON_DAYS)));
        let sql = format!(
            "SELECT {} AS status, h.level, h.region_code, h.checklist_id, COUNT(*) AS n \
             FROM hazard_state h {} GROUP BY 1, 2, 3, 4",
            status_case(&today, &soon),
            clause.sql()
        );
        let mut counts = Vec::new();
        for row in clause.query(sql).fetch_all(self.pool()).await? {
            let level: String = row.try_get("level")?;
            counts.push((
                // The stored spelling is serde's snake_case, as for every stored enum.
                parse_enum("hazard_state", &row.try_get::<String, _>("status")?)?,
                HazardLevel::from_slug(&level).ok_or_else(|| StoreError::Corrupt {
                    table: "hazard_state",
                    detail: format!("unknown level {level:?}"),
                })?,
                row.try_get("region_code")?,
                row.try_get("checklist_id")?,
                count(&row)?,
            ));
        }

        let window = TrendWindow::new(as_of, weeks);
        let mut clause = conditions(filter, as_of);
        let first = clause.param(day(window.first));
        let last = clause.param(day(window.last));
        let before = clause.param(day(window.before()));
        let after = clause.param(day(window.after()));
        let clip = |column: &str| {
            format!(
                "CASE WHEN {column} < {first} THEN {before} WHEN {column} > {last} THEN {after} \
                 ELSE {column} END"
            )
        };
        let sql = format!(
            "SELECT {} AS found_on, {} AS due, \
             CASE WHEN h.verified_on = '' THEN '' ELSE {} END AS verified_on, COUNT(*) AS n \
             FROM hazard_state h {} GROUP BY 1, 2, 3",
            clip("h.found_on"),
            clip("h.due"),
            clip("h.verified_on"),
            clause.sql()
        );
        let date = |text: &str| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| StoreError::Corrupt {
                table: "hazard_state",
                detail: format!("bad day {text:?}"),
            })
        };
        let mut dates = Vec::new();
        for row in clause.query(sql).fetch_all(self.pool()).await? {
            let found_on: String = row.try_get("found_on")?;
            let due: String = row.try_get("due")?;
            let verified_on: String = row.try_get("verified_on")?;
            dates.push(TrendDates {
                found_on: date(&found_on)?,
                // No deadline (NO_DEADLINE) is clipped to after the window like any later
                // one: the trend counts both alike.
                deadline: Some(date(&due)?),
                verified_on: if verified_on.is_empty() {
                    None
                } else {
                    Some(date(&verified_on)?)
                },
                count: count(&row)?,
            });
        }
        Ok(HazardTallies { counts, dates })
    }
}

/// A point in the order devices pull changes in: after every row changed before `changed_at`,
/// and after the rows changed at that time up to (inspection id, item id). Ordered so (the
/// stored times sort as text).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeCursor {
    changed_at: String,
    inspection_id: String,
    item_id: String,
}

impl ChangeCursor {
    /// Before every row changed after `t`, whatever its key.
    pub fn at(t: DateTime<Utc>) -> Self {
        ChangeCursor {
            changed_at: to_db(t),
            ..Default::default()
        }
    }

    /// When the last row before the cursor changed (`None` at the start).
    pub fn time(&self) -> Option<DateTime<Utc>> {
        crate::time::from_db(&self.changed_at).ok()
    }

    /// The cursor as text for a device to send back (`~`-separated, the item id last; `""`
    /// at the start, which is what a pull over nothing yet gives back).
    pub fn encode(&self) -> String {
        if *self == Self::default() {
            return String::new();
        }
        format!(
            "{}~{}~{}",
            self.changed_at, self.inspection_id, self.item_id
        )
    }

    /// A cursor from [`ChangeCursor::encode`]'s text (`""` is the start); `None` when it is
    /// not one.
    pub fn decode(text: &str) -> Option<Self> {
        if text.is_empty() {
            return Some(Self::default());
        }
        let mut parts = text.splitn(3, '~');
        let changed_at = parts.next()?;
        let inspection_id = parts.next()?;
        let item_id = parts.next()?;
        crate::time::from_db(changed_at).ok()?;
        Some(ChangeCursor {
            changed_at: changed_at.to_string(),
            inspection_id: inspection_id.to_string(),
            item_id: item_id.to_string(),
        })
    }
}

/// Whose 交办 a pull follows: an inspector's account and the townships where they hold a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedTo {
    pub account_id: String,
    pub townships: Vec<RegionCode>,
}

/// A hazard that changed, as a pull lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardChange {
    pub inspection_id: String,
    pub item_id: String,
    /// Whether a sealed re-inspection verified it (it leaves devices).
    pub verified: bool,
    /// The cursor just after this change.
    pub cursor: ChangeCursor,
}

impl Store {
    /// The hazards of `scope`, or ever assigned to `assigned` (wherever they are), that
    /// changed after `after`, in the order they changed, at most `limit` of them.
    pub async fn hazard_changes(
        &self,
        scope: &[RegionCode],
        assigned: Option<&AssignedTo>,
        after: &ChangeCursor,
        limit: usize,
    ) -> Result<Vec<HazardChange>, StoreError> {
        let filter = HazardFilter::default();
        let mut clause = conditions(&filter, filter.day());
        let mut reach: Vec<String> = scope.iter().map(|r| region_is(&mut clause, r)).collect();
        if let Some(assigned) = assigned {
            let id = clause.param(assigned.account_id.as_str());
            let mut whom = vec![format!(
                "(a.assignee_kind = 'inspector' AND a.assignee = {id})"
            )];
            for township in &assigned.townships {
                let p = clause.param(township.as_str());
                whom.push(format!(
                    "(a.assignee_kind = 'township' AND a.assignee = {p})"
                ));
            }
            reach.push(format!(
                "EXISTS (SELECT 1 FROM assignments a WHERE a.inspection_id = h.inspection_id \
                 AND a.item_id = h.item_id AND ({}))",
                whom.join(" OR ")
            ));
        }
        clause.and(any_of(reach));
        let t = clause.param(after.changed_at.as_str());
        let i = clause.param(after.inspection_id.as_str());
        let k = clause.param(after.item_id.as_str());
        clause.and(format!(
            "(h.changed_at, h.inspection_id, h.item_id) > ({t}, {i}, {k})"
        ));
        let limit = clause.param(limit.to_string());
        let sql = format!(
            "SELECT h.inspection_id, h.item_id, h.settled, h.changed_at FROM hazard_state h {} \
             ORDER BY h.changed_at, h.inspection_id, h.item_id LIMIT CAST({limit} AS BIGINT)",
            clause.sql()
        );
        clause
            .query(sql)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                let inspection_id: String = row.try_get("inspection_id")?;
                let item_id: String = row.try_get("item_id")?;
                Ok(HazardChange {
                    verified: row.try_get::<String, _>("settled")? == "verified",
                    cursor: ChangeCursor {
                        changed_at: row.try_get("changed_at")?,
                        inspection_id: inspection_id.clone(),
                        item_id: item_id.clone(),
                    },
                    inspection_id,
                    item_id,
                })
            })
            .collect()
    }
}

fn count(row: &AnyRow) -> Result<usize, StoreError> {
    let n: i64 = row.try_get("n")?;
    Ok(usize::try_from(n).unwrap_or(0))
}
