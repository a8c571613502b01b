//! The device registry: which signing keys belong to which enrolled inspector.

use super::{Store, StoreError, parse_time};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use paicha_core::KeyId;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An enrolled device key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub key_id: KeyId,
    /// Raw 32-byte Ed25519 public key, standard base64.
    pub public_key: String,
    pub inspector_name: String,
    /// 执法证号
    pub cert_no: String,
    pub organisation: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    /// The account the key belongs to (keys enrolled before accounts existed have none).
    pub account_id: Option<String>,
    /// When that account was disabled: the key is then refused like a revoked one.
    pub account_disabled_at: Option<DateTime<Utc>>,
}

impl Device {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// Why the key may not be used now (revoked, or its account disabled), if so.
    pub fn refusal(&self) -> Option<String> {
        if self.is_revoked() {
            return Some(self.revoke_reason.clone().unwrap_or_default());
        }
        self.account_disabled_at
            .map(|_| "该设备所属账号已停用 / the device's account is disabled".to_string())
    }
}

/// A device to enrol, already validated (see [`crate::registry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub key_id: KeyId,
    pub public_key: String,
    pub inspector_name: String,
    pub cert_no: String,
    pub organisation: String,
    /// The inspector's account the key is bound to.
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrolOutcome {
    Enrolled(Device),
    /// The key was already enrolled; nothing was changed.
    AlreadyEnrolled(Device),
    /// The key was revoked earlier; a revoked key stays revoked.
    Revoked(Device),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeOutcome {
    Revoked(Device),
    AlreadyRevoked(Device),
    NotFound,
    /// The prefix matches more than one key.
    Ambiguous(Vec<KeyId>),
}

macro_rules! device_columns {
    () => {
        "d.key_id, d.public_key, d.inspector_name, d.cert_no, d.organisation, d.enrolled_at, \
         d.revoked_at, d.revoke_reason, d.account_id, a.disabled_at AS account_disabled_at \
         FROM devices d LEFT JOIN accounts a ON a.id = d.account_id"
    };
}
const SELECT_ONE: &str = concat!("SELECT ", device_columns!(), " WHERE d.key_id = $1");
const SELECT_ALL: &str = concat!(
    "SELECT ",
    device_columns!(),
    " ORDER BY d.enrolled_at, d.key_id"
);

fn device_from_row(row: &AnyRow) -> Result<Device, StoreError> {
    let key_id: String = row.try_get("key_id")?;
    let revoked_at: Option<String> = row.try_get("revoked_at")?;
    Ok(Device {
        key_id: KeyId::try_from(key_id).map_err(|e| StoreError::Corrupt {
            table: "devices",
            detail: e.to_string(),
        })?,
        public_key: row.try_get("public_key")?,
        inspector_name: row.try_get("inspector_name")?,
        cert_no: row.try_get("cert_no")?,
        organisation: row.try_get("organisation")?,
        enrolled_at: parse_time("devices", &row.try_get::<String, _>("enrolled_at")?)?,
        revoked_at: revoked_at
            .as_deref()
            .map(|t| parse_time("devices", t))
            .transpose()?,
        revoke_reason: row.try_get("revoke_reason")?,
        account_id: row.try_get("account_id")?,
        account_disabled_at: row
            .try_get::<Option<String>, _>("account_disabled_at")?
            .as_deref()
            .map(|t| parse_time("accounts", t))
            .transpose()?,
    })
}

impl Store {
    pub async fn device(&self, key_id: &KeyId) -> Result<Option<Device>, StoreError> {
        let row = sqlx::query(SELECT_ONE)
            .bind(key_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(device_from_row).transpose()
    }

    pub async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let rows = sqlx::query(SELECT_ALL).fetch_all(self.pool()).await?;
        rows.iter().map(device_from_row).collect()
    }

    /// Enrols a key. Enrolling an enrolled key again changes nothing.
    pub async fn enrol(
        &self,
        new: &NewDevice,
        now: DateTime<Utc>,
    ) -> Result<EnrolOutcome, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO devices (key_id, public_key, inspector_name, cert_no, organisation, enrolled_at, account_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(new.key_id.as_str())
        .bind(new.public_key.as_str())
        .bind(new.inspector_name.as_str())
        .bind(new.cert_no.as_str())
        .bind(new.organisation.as_str())
        .bind(to_db(now))
        .bind(new.account_id.as_deref())
        .execute(self.pool())
        .await?
        .rows_affected();
        let device = self
            .device(&new.key_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                table: "devices",
                detail: format!("key {} vanished right after enrolment", new.key_id),
            })?;
        Ok(match (inserted, device.is_revoked()) {
            (1, _) => EnrolOutcome::Enrolled(device),
            (_, true) => EnrolOutcome::Revoked(device),
            (_, false) => EnrolOutcome::AlreadyEnrolled(device),
        })
    }

    /// Revokes one key with its audit entry in the same transaction (the console's way, where
    /// the key is known whole); false if it was revoked already.
    pub async fn revoke_audited(
        &self,
        key_id: &KeyId,
        reason: &str,
        audit: &super::AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let changed = sqlx::query(
            "UPDATE devices SET revoked_at = $1, revoke_reason = $2 \
             WHERE key_id = $3 AND revoked_at IS NULL",
        )
        .bind(to_db(now))
        .bind(reason)
        .bind(key_id.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            super::audit::append(&mut tx, audit, now).await?;
            tx.commit().await?;
        }
        Ok(changed == 1)
    }

    /// Revokes the key whose id starts with `key_id_prefix` (lower-case hex, already validated).
    pub async fn revoke(
        &self,
        key_id_prefix: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<RevokeOutcome, StoreError> {
        debug_assert!(key_id_prefix.bytes().all(|b| b.is_ascii_hexdigit()));
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key_id FROM devices WHERE key_id LIKE $1")
                .bind(format!("{key_id_prefix}%"))
                .fetch_all(self.pool())
                .await?;
        let key = match keys.as_slice() {
            [] => return Ok(RevokeOutcome::NotFound),
            [one] => KeyId::try_from(one.clone()).map_err(|e| StoreError::Corrupt {
                table: "devices",
                detail: e.to_string(),
            })?,
            many => {
                let ids = many
                    .iter()
                    .filter_map(|k| KeyId::try_from(k.clone()).ok())
                    .collect();
                return Ok(RevokeOutcome::Ambiguous(ids));
            }
        };
        let changed = sqlx::query(
            "UPDATE devices SET revoked_at = $1, revoke_reason = $2 \
             WHERE key_id = $3 AND revoked_at IS NULL",
        )
        .bind(to_db(now))
        .bind(reason)
        .bind(key.as_str())
        .execute(self.pool())
        .await?
        .rows_affected();
        let device = self
            .device(&key)
            .await?
            .ok_or_else(|| StoreError::Corrupt {
                table: "devices",
                detail: format!("key {key} vanished during revocation"),
            })?;
        Ok(if changed == 1 {
            RevokeOutcome::Revoked(device)
        } else {
            RevokeOutcome::AlreadyRevoked(device)
        })
    }
}
