//! Who may see and do what, as stored: accounts and their roles, passkeys, enrolment links,
//! WebAuthn ceremonies, sessions, the nonces of signed device requests, phones asking to be
//! enrolled, and the region table. The rules are in `crate::access`; this is SQL.
//!
//! Secrets are never stored: links, ceremonies and sessions are kept by the SHA-256 of the
//! random token the person holds.

use super::audit::{AuditEntry, append};
use super::{Store, StoreError, parse_time};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use paicha_core::region::{Region, RegionCode};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 省级管理员: accounts, regions, keys.
    Admin,
    /// 督查: reads and assigns in its region, records the four lists.
    Supervisor,
    /// 乡镇: reads its township, re-inspects.
    Township,
    /// 检查员: a person whose devices upload.
    Inspector,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Supervisor,
        Role::Township,
        Role::Inspector,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Township => "township",
            Role::Inspector => "inspector",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.slug() == slug)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "省级管理员",
            Role::Supervisor => "督查",
            Role::Township => "乡镇",
            Role::Inspector => "检查员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Supervisor => "Supervisor",
            Role::Township => "Township staff",
            Role::Inspector => "Inspector",
        }
    }

    /// Whether the role lets its holder read the hazard ledger of its region.
    pub fn reads_ledger(self) -> bool {
        !matches!(self, Role::Inspector)
    }
}

/// A role held in a region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grant {
    pub role: Role,
    pub region: RegionCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub grants: Vec<Grant>,
}

impl Account {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// An enrolment link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentLink {
    pub account_id: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// A signed-in session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub account_id: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A WebAuthn ceremony between its start and its finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceremony {
    pub kind: String,
    pub account_id: Option<String>,
    pub link_sha256: Option<String>,
    pub state_json: String,
}

/// A phone that asked to be enrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRequest {
    pub key_id: String,
    pub public_key: String,
    pub short_code: String,
    pub inspector_name: String,
    pub cert_no: String,
    pub organisation: String,
    pub region: String,
    pub requested_at: DateTime<Utc>,
    pub decision: String,
}

fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

fn optional_time(
    table: &'static str,
    text: Option<String>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.as_deref().map(|t| parse_time(table, t)).transpose()
}

impl Store {
    // ---- Accounts ---------------------------------------------------------------------------

    /// Creates an account with its roles, recording `audit` in the same transaction.
    pub async fn create_account(
        &self,
        id: &str,
        name: &str,
        grants: &[Grant],
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(name)
            .bind(to_db(now))
            .execute(&mut *tx)
            .await?;
        for grant in grants {
            sqlx::query(
                "INSERT INTO account_roles (account_id, role, region) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(grant.role.slug())
            .bind(grant.region.as_str())
            .execute(&mut *tx)
            .await?;
        }
        append(&mut tx, audit, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn grants_of(&self, account_id: &str) -> Result<Vec<Grant>, StoreError> {
        let rows = sqlx::query(
            "SELECT role, region FROM account_roles WHERE account_id = $1 ORDER BY role, region",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                let region: String = row.try_get("region")?;
                Ok(Grant {
                    role: Role::from_slug(&role).ok_or_else(|| {
                        corrupt("account_roles", format!("unknown role {role:?}"))
                    })?,
                    region: RegionCode::parse(&region).map_err(|e| corrupt("account_roles", e))?,
                })
            })
            .collect()
    }

    fn account_from_row(row: &AnyRow, grants: Vec<Grant>) -> Result<Account, StoreError> {
        Ok(Account {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            created_at: parse_time("accounts", &row.try_get::<String, _>("created_at")?)?,
            disabled_at: optional_time("accounts", row.try_get("disabled_at")?)?,
            grants,
        })
    }

    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row =
            sqlx::query("SELECT id, name, created_at, disabled_at FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        match row {
            Some(row) => {
                let grants = self.grants_of(id).await?;
                Ok(Some(Self::account_from_row(&row, grants)?))
            }
            None => Ok(None),
        }
    }

    /// Every account, by name.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, created_at, disabled_at FROM accounts ORDER BY name, id")
                .fetch_all(self.pool())
                .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            let grants = self.grants_of(&id).await?;
            out.push(Self::account_from_row(row, grants)?);
        }
        Ok(out)
    }

    /// Disables (`Some(now)`) or enables (`None`) an account; its sessions end with a disable.
    /// Returns whether the account exists.
    pub async fn set_account_disabled(
        &self,
        id: &str,
        disabled_at: Option<DateTime<Utc>>,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let changed = sqlx::query("UPDATE accounts SET disabled_at = $1 WHERE id = $2")
            .bind(disabled_at.map(to_db))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        if disabled_at.is_some() {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        append(&mut tx, audit, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds (`add`) or removes a role of an account.
    pub async fn set_grant(
        &self,
        account_id: &str,
        grant: &Grant,
        add: bool,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let sql = if add {
            "INSERT INTO account_roles (account_id, role, region) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM account_roles WHERE account_id = $1 AND role = $2 AND region = $3"
        };
        let changed = sqlx::query(sql)
            .bind(account_id)
            .bind(grant.role.slug())
            .bind(grant.region.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        append(&mut tx, audit, now).await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    // ---- Enrolment links and passkeys -----------------------------------------------------

    pub async fn create_enrolment_link(
        &self,
        token_sha256: &str,
        account_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO enrolment_links (token_sha256, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_sha256)
        .bind(account_id)
        .bind(to_db(now))
        .bind(to_db(expires_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn enrolment_link(
        &self,
        token_sha256: &str,
    ) -> Result<Option<EnrolmentLink>, StoreError> {
        let row = sqlx::query(
            "SELECT account_id, expires_at, used_at FROM enrolment_links WHERE token_sha256 = $1",
        )
        .bind(token_sha256)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(EnrolmentLink {
                account_id: row.try_get("account_id")?,
                expires_at: parse_time(
                    "enrolment_links",
                    &row.try_get::<String, _>("expires_at")?,
                )?,
                used_at: optional_time("enrolment_links", row.try_get("used_at")?)?,
            })
        })
        .transpose()
    }

    /// Stores a new passkey and spends the enrolment link it was registered with, in one
    /// transaction. False (nothing stored) when the link was spent or expired meanwhile.
    pub async fn add_passkey(
        &self,
        link_sha256: &str,
        credential_id: &str,
        account_id: &str,
        passkey_json: &str,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let spent = sqlx::query(
            "UPDATE enrolment_links SET used_at = $1 \
             WHERE token_sha256 = $2 AND account_id = $3 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(to_db(now))
        .bind(link_sha256)
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if spent != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO passkeys (credential_id, account_id, passkey_json, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(credential_id)
        .bind(account_id)
        .bind(passkey_json)
        .bind(to_db(now))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The passkey with this credential id: (account id, the passkey as JSON).
    pub async fn passkey(
        &self,
        credential_id: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row =
            sqlx::query("SELECT account_id, passkey_json FROM passkeys WHERE credential_id = $1")
                .bind(credential_id)
                .fetch_optional(self.pool())
                .await?;
        row.map(|row| Ok((row.try_get("account_id")?, row.try_get("passkey_json")?)))
            .transpose()
    }

    /// The passkeys of an account, as JSON.
    pub async fn passkeys_of(&self, account_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT passkey_json FROM passkeys WHERE account_id = $1 ORDER BY created_at",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Saves a passkey whose counter or backup state changed at a sign-in.
    pub async fn update_passkey(
        &self,
        credential_id: &str,
        passkey_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE passkeys SET passkey_json = $1, last_used_at = $2 WHERE credential_id = $3",
        )
        .bind(passkey_json)
        .bind(to_db(now))
        .bind(credential_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    // ---- Ceremonies -----------------------------------------------------------------------

    pub async fn put_ceremony(
        &self,
        id_sha256: &str,
        ceremony: &Ceremony,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ceremonies (id_sha256, kind, account_id, link_sha256, state_json, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id_sha256)
        .bind(&ceremony.kind)
        .bind(ceremony.account_id.as_deref())
        .bind(ceremony.link_sha256.as_deref())
        .bind(&ceremony.state_json)
        .bind(to_db(expires_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes a ceremony out (it can be finished once), if it has not expired.
    pub async fn take_ceremony(
        &self,
        id_sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Ceremony>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "SELECT kind, account_id, link_sha256, state_json, expires_at FROM ceremonies \
             WHERE id_sha256 = $1",
        )
        .bind(id_sha256)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM ceremonies WHERE id_sha256 = $1 OR expires_at < $2")
            .bind(id_sha256)
            .bind(to_db(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at = parse_time("ceremonies", &row.try_get::<String, _>("expires_at")?)?;
        if expires_at < now {
            return Ok(None);
        }
        Ok(Some(Ceremony {
            kind: row.try_get("kind")?,
            account_id: row.try_get("account_id")?,
            link_sha256: row.try_get("link_sha256")?,
            state_json: row.try_get("state_json")?,
        }))
    }

    // ---- Sessions ---------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        token_sha256: &str,
        session: &SessionRow,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO sessions (token_sha256, account_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_sha256)
        .bind(&session.account_id)
        .bind(&session.csrf_token)
        .bind(to_db(session.created_at))
        .bind(to_db(session.last_seen_at))
        .bind(to_db(session.expires_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit, session.created_at).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session(&self, token_sha256: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT account_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions \
             WHERE token_sha256 = $1",
        )
        .bind(token_sha256)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let time = |column: &str| -> Result<DateTime<Utc>, StoreError> {
                parse_time("sessions", &row.try_get::<String, _>(column)?)
            };
            Ok(SessionRow {
                account_id: row.try_get("account_id")?,
                csrf_token: row.try_get("csrf_token")?,
                created_at: time("created_at")?,
                last_seen_at: time("last_seen_at")?,
                expires_at: time("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn touch_session(
        &self,
        token_sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_sha256 = $2")
            .bind(to_db(now))
            .bind(token_sha256)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends a session (sign-out, or found expired); the audit entry is recorded when given.
    pub async fn end_session(
        &self,
        token_sha256: &str,
        audit: Option<&AuditEntry>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .execute(&mut *tx)
            .await?;
        if let Some(audit) = audit {
            append(&mut tx, audit, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    // ---- Signed device requests -----------------------------------------------------------

    /// Records a request's nonce; false when the same key used it before (a replay).
    pub async fn use_nonce(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // Nonces of expired signatures can go: a request with one is refused by its time.
        sqlx::query("DELETE FROM request_nonces WHERE expires_at < $1")
            .bind(to_db(now))
            .execute(self.pool())
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO request_nonces (key_id, nonce, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(key_id)
        .bind(nonce)
        .bind(to_db(expires_at))
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Records (or renews, keeping its short code) a phone's request to be enrolled.
    pub async fn put_device_request(
        &self,
        request: &DeviceRequest,
        audit: &AuditEntry,
    ) -> Result<DeviceRequest, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO device_requests (key_id, public_key, short_code, inspector_name, cert_no, \
             organisation, region, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (key_id) DO UPDATE SET inspector_name = $4, cert_no = $5, \
             organisation = $6, region = $7",
        )
        .bind(&request.key_id)
        .bind(&request.public_key)
        .bind(&request.short_code)
        .bind(&request.inspector_name)
        .bind(&request.cert_no)
        .bind(&request.organisation)
        .bind(&request.region)
        .bind(to_db(request.requested_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, audit, request.requested_at).await?;
        tx.commit().await?;
        self.device_request(&request.key_id)
            .await?
            .ok_or_else(|| corrupt("device_requests", "a request vanished as it was stored"))
    }

    pub async fn device_request(&self, key_id: &str) -> Result<Option<DeviceRequest>, StoreError> {
        let row = sqlx::query(
            "SELECT key_id, public_key, short_code, inspector_name, cert_no, organisation, region, \
             requested_at, decision FROM device_requests WHERE key_id = $1",
        )
        .bind(key_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(device_request_from_row).transpose()
    }

    /// Requests not decided yet, oldest first.
    pub async fn pending_device_requests(&self) -> Result<Vec<DeviceRequest>, StoreError> {
        let rows = sqlx::query(
            "SELECT key_id, public_key, short_code, inspector_name, cert_no, organisation, region, \
             requested_at, decision FROM device_requests WHERE decision = '' \
             ORDER BY requested_at, key_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(device_request_from_row).collect()
    }

    /// Marks a request decided (`enrolled` or `refused`).
    pub async fn decide_device_request(
        &self,
        key_id: &str,
        decision: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE device_requests SET decision = $1, decided_at = $2 WHERE key_id = $3")
            .bind(decision)
            .bind(to_db(now))
            .bind(key_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Binds an enrolled device key to an account.
    pub async fn bind_device(
        &self,
        key_id: &str,
        account_id: &str,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let changed = sqlx::query("UPDATE devices SET account_id = $1 WHERE key_id = $2")
            .bind(account_id)
            .bind(key_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        append(&mut tx, audit, now).await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    // ---- Regions ------------------------------------------------------------------------------

    /// Adds the regions not stored yet (by code) and renames the others; returns how many were
    /// new. One transaction.
    pub async fn put_regions(&self, regions: &[Region]) -> Result<usize, StoreError> {
        let mut tx = self.pool().begin().await?;
        let mut added = 0;
        for region in regions {
            let parent = region.code.parent().map(String::from).unwrap_or_default();
            let exists: Option<String> =
                sqlx::query_scalar("SELECT name FROM regions WHERE code = $1")
                    .bind(region.code.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            match exists {
                Some(name) if name == region.name => {}
                Some(_) => {
                    sqlx::query("UPDATE regions SET name = $1 WHERE code = $2")
                        .bind(&region.name)
                        .bind(region.code.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query("INSERT INTO regions (code, name, parent) VALUES ($1, $2, $3)")
                        .bind(region.code.as_str())
                        .bind(&region.name)
                        .bind(parent)
                        .execute(&mut *tx)
                        .await?;
                    added += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Every stored region.
    pub async fn regions(&self) -> Result<Vec<Region>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM regions ORDER BY code")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let code: String = row.try_get("code")?;
                Ok(Region {
                    code: RegionCode::parse(&code).map_err(|e| corrupt("regions", e))?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }
}

fn device_request_from_row(row: &AnyRow) -> Result<DeviceRequest, StoreError> {
    Ok(DeviceRequest {
        key_id: row.try_get("key_id")?,
        public_key: row.try_get("public_key")?,
        short_code: row.try_get("short_code")?,
        inspector_name: row.try_get("inspector_name")?,
        cert_no: row.try_get("cert_no")?,
        organisation: row.try_get("organisation")?,
        region: row.try_get("region")?,
        requested_at: parse_time(
            "device_requests",
            &row.try_get::<String, _>("requested_at")?,
        )?,
        decision: row.try_get("decision")?,
    })
}
