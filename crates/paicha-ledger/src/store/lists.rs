//! 交办 and the three lists a supervisor records (案件查办, 违法企业处罚, 追责问责): rows written
//! with their audit entry in one transaction, read back scoped to the reader's regions.
//!
//! Checking what was typed is [`paicha_core::lists`]'s; deciding where a record belongs and
//! whether the person may record there is the console's. This module only stores and reads.

use super::audit::append;
use super::hazards::{keys_clause_on, scope_clause_on};
use super::{AuditEntry, Store, StoreError, parse_time};
use crate::time::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use paicha_core::hazard_ledger::hazard_no;
use paicha_core::lists::{AccountabilityMeasure, Assignee, CaseStatus, HazardNumber, PenaltyKind};
use paicha_core::region::RegionCode;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A hazard as the lists name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HazardKey {
    pub inspection_id: String,
    pub item_id: String,
}

/// A stored hazard found by its printed number: its key, the number and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHazard {
    pub key: HazardKey,
    pub number: String,
    pub region_code: String,
    pub org_name: String,
    pub credit_code: String,
}

impl super::HazardRow {
    /// The hazard as the lists name it.
    pub fn key(&self) -> HazardKey {
        HazardKey {
            inspection_id: self.inspection_id.clone(),
            item_id: self.item_id.clone(),
        }
    }

    /// The hazard as a form or a page finds it: the row already holds all of it.
    pub fn found(&self) -> FoundHazard {
        FoundHazard {
            key: self.key(),
            number: hazard_no(&self.inspection_id, self.started_at, &self.item_id),
            region_code: self.region_code.clone(),
            org_name: self.site_name.clone(),
            credit_code: self.credit_code.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: String,
    pub hazard: HazardKey,
    pub region_code: String,
    pub assignee: Assignee,
    pub assignee_name: String,
    pub deadline: NaiveDate,
    pub note: String,
    pub assigned_by: String,
    pub assigned_at: DateTime<Utc>,
    pub superseded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: String,
    pub case_no: String,
    pub cause: String,
    pub org_name: String,
    pub credit_code: String,
    pub region_code: String,
    pub opened_on: NaiveDate,
    pub status: CaseStatus,
    pub closed_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The hazards it was opened for, by printed number.
    pub hazards: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Penalty {
    pub id: String,
    pub decision_no: String,
    pub org_name: String,
    pub credit_code: String,
    pub legal_basis: String,
    pub kind: PenaltyKind,
    pub amount_fen: Option<i64>,
    pub decided_on: NaiveDate,
    /// The case's number, if linked.
    pub case_no: Option<String>,
    pub region_code: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accountability {
    pub id: String,
    pub person: String,
    pub post: String,
    pub unit: String,
    pub reason: String,
    pub measure: AccountabilityMeasure,
    pub decided_on: NaiveDate,
    /// The hazard's printed number, if linked.
    pub hazard: Option<String>,
    pub case_no: Option<String>,
    pub region_code: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// What a write that must be unique met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Recorded,
    /// The number (案件编号, 决定书文号) is recorded already: nothing was written.
    Duplicate,
}

/// Which rows of a list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only rows inside these regions (the reader's); `None`: all (an operator).
    pub scope: Option<Vec<RegionCode>>,
    /// Only rows whose enterprise name or credit code contains this.
    pub enterprise: Option<String>,
}

fn day(table: &'static str, text: &str) -> Result<NaiveDate, StoreError> {
    paicha_core::finding::parse_date(text).ok_or_else(|| StoreError::Corrupt {
        table,
        detail: format!("bad day {text:?}"),
    })
}

fn corrupt(table: &'static str, what: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: format!("unknown value {what:?}"),
    }
}

/// Whether an insert failed on a unique constraint (the number is taken).
fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("23505" | "2067" | "1555")))
        || matches!(e, sqlx::Error::Database(db) if db.message().contains("UNIQUE constraint failed"))
}

/// The printed number of a hazard from a row with `inspection_id`, `item_id`, `started_at`.
fn number_of(row: &AnyRow, table: &'static str) -> Result<Option<String>, StoreError> {
    let inspection: Option<String> = row.try_get("inspection_id")?;
    let item: Option<String> = row.try_get("item_id")?;
    let started: Option<String> = row.try_get("started_at")?;
    Ok(match (inspection, item, started) {
        (Some(i), Some(item), Some(started)) => {
            Some(hazard_no(&i, parse_time(table, &started)?, &item))
        }
        // A hazard named by a review before its bundle arrived is shown by its ids.
        (Some(i), Some(item), None) => Some(format!("{i}/{item}")),
        _ => None,
    })
}

impl Store {
    /// Runs `sql` with `params` bound in order (`$1`, `$2`, …).
    async fn rows(&self, sql: String, params: &[String]) -> Result<Vec<AnyRow>, StoreError> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in params {
            query = query.bind(p.as_str());
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// A list's rows: `select` names its table as `t` and has `{where}` where the conditions
    /// go: the enterprise (or person) filter on `searched` columns and the reader's scope.
    async fn list_rows(
        &self,
        select: &str,
        searched: [&str; 2],
        filter: &ListFilter,
    ) -> Result<Vec<AnyRow>, StoreError> {
        let (scope, mut params) = scope_clause_on("t.region_code", filter.scope.as_deref(), 2);
        let conditions = format!(
            // UPPER on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
            "($1 = '' OR UPPER(t.{}) LIKE UPPER($1) OR UPPER(t.{}) LIKE UPPER($1)) {scope}",
            searched[0], searched[1]
        );
        params.insert(0, enterprise_pattern(filter));
        self.rows(select.replace("{where}", &conditions), &params)
            .await
    }

    /// The stored hazards a printed number names (normally one), wherever they are: the
    /// caller keeps those the person may read.
    pub async fn find_hazard(&self, number: &HazardNumber) -> Result<Vec<FoundHazard>, StoreError> {
        // The number's day bounds the search to one day's hazards (hazard_state's index by
        // start time), not every finding of the item in the province.
        let from = paicha_core::hazard_ledger::china_day_start(number.day);
        let to = from + chrono::Duration::days(1);
        let rows = sqlx::query(
            "SELECT h.inspection_id, h.item_id, i.started_at, i.region_code, i.site_name, \
             i.site_credit_code FROM hazard_state h JOIN inspections i ON i.id = h.inspection_id \
             WHERE h.started_at >= $1 AND h.started_at < $2 AND h.item_id = $3 \
             AND LOWER(h.inspection_id) LIKE $4",
        )
        .bind(to_db(from))
        .bind(to_db(to))
        .bind(number.item_id.as_str())
        .bind(format!("%{}", number.inspection_tail))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let inspection_id: String = row.try_get("inspection_id")?;
            let started_at = parse_time("inspections", &row.try_get::<String, _>("started_at")?)?;
            if !number.names(&inspection_id, started_at, &number.item_id) {
                continue;
            }
            out.push(FoundHazard {
                number: hazard_no(&inspection_id, started_at, &number.item_id),
                key: HazardKey {
                    inspection_id,
                    item_id: row.try_get("item_id")?,
                },
                region_code: row.try_get("region_code")?,
                org_name: row.try_get("site_name")?,
                credit_code: row.try_get("site_credit_code")?,
            });
        }
        Ok(out)
    }

    // ---- 交办 ----------------------------------------------------------------------------------

    /// Assigns a hazard, superseding its current assignment, with the audit entry. Two
    /// supervisors assigning one hazard at the same moment: the unique index of current
    /// assignments refuses the second insert, which then runs again and supersedes the first.
    pub async fn assign(
        &self,
        assignment: &Assignment,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.assign_once(assignment, audit).await {
                Err(StoreError::Sql(e)) if attempt < 3 && is_unique_violation(&e) => continue,
                Err(e) if attempt < 3 && e.is_transient_conflict() => continue,
                other => return other,
            }
        }
    }

    async fn assign_once(
        &self,
        assignment: &Assignment,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let at = to_db(assignment.assigned_at);
        let (kind, assignee) = match &assignment.assignee {
            Assignee::Township(code) => ("township", code.to_string()),
            Assignee::Inspector(id) => ("inspector", id.clone()),
        };
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE assignments SET superseded_at = $1 \
             WHERE inspection_id = $2 AND item_id = $3 AND superseded_at IS NULL",
        )
        .bind(at.as_str())
        .bind(assignment.hazard.inspection_id.as_str())
        .bind(assignment.hazard.item_id.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO assignments (id, inspection_id, item_id, region_code, assignee_kind, \
             assignee, assignee_name, deadline, note, assigned_by, assigned_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(assignment.id.as_str())
        .bind(assignment.hazard.inspection_id.as_str())
        .bind(assignment.hazard.item_id.as_str())
        .bind(assignment.region_code.as_str())
        .bind(kind)
        .bind(assignee.as_str())
        .bind(assignment.assignee_name.as_str())
        .bind(assignment.deadline.to_string())
        .bind(assignment.note.as_str())
        .bind(assignment.assigned_by.as_str())
        .bind(at.as_str())
        .execute(&mut *tx)
        .await?;
        // Devices pull what changed: the assignee's device learns of it at its next pull.
        super::hazard_state::touch(
            &mut tx,
            &assignment.hazard.inspection_id,
            &assignment.hazard.item_id,
            &at,
        )
        .await?;
        append(&mut tx, audit, assignment.assigned_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every assignment of a hazard, the first first (the current one has no `superseded_at`).
    pub async fn assignments_of(&self, hazard: &HazardKey) -> Result<Vec<Assignment>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM assignments WHERE inspection_id = $1 AND item_id = $2 \
             ORDER BY assigned_at, id",
        )
        .bind(hazard.inspection_id.as_str())
        .bind(hazard.item_id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(assignment).collect()
    }

    /// The current assignment of every hazard inside `scope` that has one.
    pub async fn current_assignments(
        &self,
        scope: Option<&[RegionCode]>,
    ) -> Result<Vec<Assignment>, StoreError> {
        let (clause, patterns) = scope_clause_on("region_code", scope, 1);
        let sql = format!(
            "SELECT * FROM assignments WHERE superseded_at IS NULL {clause} ORDER BY assigned_at, id"
        );
        let rows = self.rows(sql, &patterns).await?;
        rows.iter().map(assignment).collect()
    }

    /// The current assignments of these hazards (a pull's page), in one query.
    pub async fn current_assignments_of(
        &self,
        keys: &[(String, String)],
    ) -> Result<Vec<Assignment>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let (condition, values) = keys_clause_on("inspection_id", "item_id", Some(keys), 1);
        let sql = format!(
            "SELECT * FROM assignments WHERE superseded_at IS NULL {condition} ORDER BY assigned_at, id"
        );
        let rows = self.rows(sql, &values).await?;
        rows.iter().map(assignment).collect()
    }

    // ---- 案件查办 ------------------------------------------------------------------------------

    /// Records a case and the hazards it was opened for, with the audit entry.
    pub async fn open_case(
        &self,
        case: &Case,
        hazards: &[HazardKey],
        audit: &AuditEntry,
    ) -> Result<Recorded, StoreError> {
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO cases (id, case_no, cause, org_name, credit_code, region_code, opened_on, \
             status, closed_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)",
        )
        .bind(case.id.as_str())
        .bind(case.case_no.as_str())
        .bind(case.cause.as_str())
        .bind(case.org_name.as_str())
        .bind(case.credit_code.as_str())
        .bind(case.region_code.as_str())
        .bind(case.opened_on.to_string())
        .bind(CaseStatus::Open.slug())
        .bind(case.created_by.as_str())
        .bind(to_db(case.created_at))
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => return Ok(Recorded::Duplicate),
            other => other?,
        };
        for hazard in hazards {
            sqlx::query("INSERT INTO case_hazards (case_id, inspection_id, item_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(case.id.as_str())
                .bind(hazard.inspection_id.as_str())
                .bind(hazard.item_id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, audit, case.created_at).await?;
        tx.commit().await?;
        Ok(Recorded::Recorded)
    }

    /// Closes an open case (结案); false if it was not open.
    pub async fn close_case(
        &self,
        id: &str,
        closed_on: NaiveDate,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let changed = sqlx::query(
            "UPDATE cases SET status = $1, closed_on = $2 WHERE id = $3 AND status = $4",
        )
        .bind(CaseStatus::Closed.slug())
        .bind(closed_on.to_string())
        .bind(id)
        .bind(CaseStatus::Open.slug())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            append(&mut tx, audit, now).await?;
            tx.commit().await?;
        }
        Ok(changed == 1)
    }

    /// Cases, the newest first, each with its hazards' numbers.
    pub async fn cases(&self, filter: &ListFilter) -> Result<Vec<Case>, StoreError> {
        let rows = self
            .list_rows(
                "SELECT t.* FROM cases t WHERE {where} ORDER BY t.opened_on DESC, t.created_at DESC",
                ["org_name", "credit_code"],
                filter,
            )
            .await?;
        self.cases_from(rows).await
    }

    /// The case with this number, wherever it is: the caller checks the person may read it.
    pub async fn case_by_no(&self, case_no: &str) -> Result<Option<Case>, StoreError> {
        let mut found = self
            .read_cases(
                "SELECT c.* FROM cases c WHERE c.case_no = $1",
                &[case_no.to_string()],
            )
            .await?;
        Ok(found.pop())
    }

    pub async fn case_by_id(&self, id: &str) -> Result<Option<Case>, StoreError> {
        let mut found = self
            .read_cases("SELECT c.* FROM cases c WHERE c.id = $1", &[id.to_string()])
            .await?;
        Ok(found.pop())
    }

    /// The cases opened for a hazard.
    pub async fn cases_of(&self, hazard: &HazardKey) -> Result<Vec<Case>, StoreError> {
        self.read_cases(
            "SELECT c.* FROM cases c JOIN case_hazards h ON h.case_id = c.id \
             WHERE h.inspection_id = $1 AND h.item_id = $2 ORDER BY c.opened_on, c.case_no",
            &[hazard.inspection_id.clone(), hazard.item_id.clone()],
        )
        .await
    }

    async fn read_cases(&self, sql: &str, params: &[String]) -> Result<Vec<Case>, StoreError> {
        let rows = self.rows(sql.to_string(), params).await?;
        self.cases_from(rows).await
    }

    async fn cases_from(&self, rows: Vec<AnyRow>) -> Result<Vec<Case>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let closed_on: Option<String> = row.try_get("closed_on")?;
            let hazards = sqlx::query(
                "SELECT h.inspection_id, h.item_id, i.started_at FROM case_hazards h \
                 LEFT JOIN inspections i ON i.id = h.inspection_id WHERE h.case_id = $1 \
                 ORDER BY h.inspection_id, h.item_id",
            )
            .bind(id.as_str())
            .fetch_all(self.pool())
            .await?;
            out.push(Case {
                case_no: row.try_get("case_no")?,
                cause: row.try_get("cause")?,
                org_name: row.try_get("org_name")?,
                credit_code: row.try_get("credit_code")?,
                region_code: row.try_get("region_code")?,
                opened_on: day("cases", &row.try_get::<String, _>("opened_on")?)?,
                status: CaseStatus::from_slug(&status).ok_or_else(|| corrupt("cases", &status))?,
                closed_on: closed_on.map(|d| day("cases", &d)).transpose()?,
                created_by: row.try_get("created_by")?,
                created_at: parse_time("cases", &row.try_get::<String, _>("created_at")?)?,
                hazards: hazards
                    .iter()
                    .map(|h| number_of(h, "case_hazards").map(Option::unwrap_or_default))
                    .collect::<Result<_, _>>()?,
                id,
            });
        }
        Ok(out)
    }

    // ---- 违法企业处罚 -------------------------------------------------------------------------

    pub async fn record_penalty(
        &self,
        penalty: &Penalty,
        case_id: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<Recorded, StoreError> {
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO penalties (id, decision_no, org_name, credit_code, legal_basis, kind, \
             amount_fen, decided_on, case_id, region_code, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(penalty.id.as_str())
        .bind(penalty.decision_no.as_str())
        .bind(penalty.org_name.as_str())
        .bind(penalty.credit_code.as_str())
        .bind(penalty.legal_basis.as_str())
        .bind(penalty.kind.slug())
        .bind(penalty.amount_fen)
        .bind(penalty.decided_on.to_string())
        .bind(case_id)
        .bind(penalty.region_code.as_str())
        .bind(penalty.created_by.as_str())
        .bind(to_db(penalty.created_at))
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => return Ok(Recorded::Duplicate),
            other => other?,
        };
        append(&mut tx, audit, penalty.created_at).await?;
        tx.commit().await?;
        Ok(Recorded::Recorded)
    }

    pub async fn penalties(&self, filter: &ListFilter) -> Result<Vec<Penalty>, StoreError> {
        let rows = self
            .list_rows(
                "SELECT t.*, c.case_no FROM penalties t LEFT JOIN cases c ON c.id = t.case_id \
                 WHERE {where} ORDER BY t.decided_on DESC, t.created_at DESC",
                ["org_name", "credit_code"],
                filter,
            )
            .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(Penalty {
                    id: row.try_get("id")?,
                    decision_no: row.try_get("decision_no")?,
                    org_name: row.try_get("org_name")?,
                    credit_code: row.try_get("credit_code")?,
                    legal_basis: row.try_get("legal_basis")?,
                    kind: PenaltyKind::from_slug(&kind)
                        .ok_or_else(|| corrupt("penalties", &kind))?,
                    amount_fen: row.try_get("amount_fen")?,
                    decided_on: day("penalties", &row.try_get::<String, _>("decided_on")?)?,
                    case_no: row.try_get("case_no")?,
                    region_code: row.try_get("region_code")?,
                    created_by: row.try_get("created_by")?,
                    created_at: parse_time("penalties", &row.try_get::<String, _>("created_at")?)?,
                })
            })
            .collect()
    }

    // ---- 追责问责 -----------------------------------------------------------------------------

    pub async fn record_accountability(
        &self,
        entry: &Accountability,
        hazard: Option<&HazardKey>,
        case_id: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO accountabilities (id, person, post, unit, reason, measure, decided_on, \
             inspection_id, item_id, case_id, region_code, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(entry.id.as_str())
        .bind(entry.person.as_str())
        .bind(entry.post.as_str())
        .bind(entry.unit.as_str())
        .bind(entry.reason.as_str())
        .bind(entry.measure.slug())
        .bind(entry.decided_on.to_string())
        .bind(hazard.map(|h| h.inspection_id.as_str()))
        .bind(hazard.map(|h| h.item_id.as_str()))
        .bind(case_id)
        .bind(entry.region_code.as_str())
        .bind(entry.created_by.as_str())
        .bind(to_db(entry.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit, entry.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn accountabilities(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<Accountability>, StoreError> {
        let rows = self
            .list_rows(
                "SELECT t.*, c.case_no, i.started_at FROM accountabilities t \
                 LEFT JOIN cases c ON c.id = t.case_id LEFT JOIN inspections i ON i.id = t.inspection_id \
                 WHERE {where} ORDER BY t.decided_on DESC, t.created_at DESC",
                ["unit", "person"],
                filter,
            )
            .await?;
        rows.iter()
            .map(|row| {
                let measure: String = row.try_get("measure")?;
                Ok(Accountability {
                    id: row.try_get("id")?,
                    person: row.try_get("person")?,
                    post: row.try_get("post")?,
                    unit: row.try_get("unit")?,
                    reason: row.try_get("reason")?,
                    measure: AccountabilityMeasure::from_slug(&measure)
                        .ok_or_else(|| corrupt("accountabilities", &measure))?,
                    decided_on: day("accountabilities", &row.try_get::<String, _>("decided_on")?)?,
                    hazard: number_of(row, "accountabilities")?,
                    case_no: row.try_get("case_no")?,
                    region_code: row.try_get("region_code")?,
                    created_by: row.try_get("created_by")?,
                    created_at: parse_time(
                        "accountabilities",
                        &row.try_get::<String, _>("created_at")?,
                    )?,
                })
            })
            .collect()
    }
}

/// `%text%` for the enterprise filter, `''` for none (`%` and `_` typed are matched literally
/// enough: they only widen a person's own search within their regions).
fn enterprise_pattern(filter: &ListFilter) -> String {
    match filter.enterprise.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => format!("%{text}%"),
        _ => String::new(),
    }
}

fn assignment(row: &AnyRow) -> Result<Assignment, StoreError> {
    let kind: String = row.try_get("assignee_kind")?;
    let assignee: String = row.try_get("assignee")?;
    let assignee = match kind.as_str() {
        "township" => Assignee::Township(
            RegionCode::parse(&assignee).map_err(|_| corrupt("assignments", &assignee))?,
        ),
        "inspector" => Assignee::Inspector(assignee),
        _ => return Err(corrupt("assignments", &kind)),
    };
    let superseded: Option<String> = row.try_get("superseded_at")?;
    Ok(Assignment {
        id: row.try_get("id")?,
        hazard: HazardKey {
            inspection_id: row.try_get("inspection_id")?,
            item_id: row.try_get("item_id")?,
        },
        region_code: row.try_get("region_code")?,
        assignee,
        assignee_name: row.try_get("assignee_name")?,
        deadline: day("assignments", &row.try_get::<String, _>("deadline")?)?,
        note: row.try_get("note")?,
        assigned_by: row.try_get("assigned_by")?,
        assigned_at: parse_time("assignments", &row.try_get::<String, _>("assigned_at")?)?,
        superseded_at: superseded
            .map(|t| parse_time("assignments", &t))
            .transpose()?,
    })
}
