//! Creating accounts and their one-time enrolment links: shared by `users add|link` on the
//! command line and the console's accounts page, so both check and audit alike.

use super::{random_token, token_hash};
use crate::store::{AuditEntry, Grant, Outcome, Store, StoreError};
use chrono::{DateTime, Duration, Utc};

/// A new account id: a version-4 UUID.
pub fn new_account_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Why an account or a link cannot be made, in words for people.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("姓名应为1到100个字 / the name must be 1 to 100 characters")]
    Name,
    #[error(
        "区域 {0} 不在平台的行政区划表中 / region {0} is not in the ledger's region table; see `paicha-ledger regions list`"
    )]
    UnknownRegion(String),
    #[error("链接有效期应为1到336小时 / a link lasts 1 to 336 hours (two weeks)")]
    Hours,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The name as stored, once it is one.
pub fn check_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AccountError::Name);
    }
    Ok(name.to_string())
}

/// Every region named must be in the ledger's table (a typo would scope a person to nothing).
pub async fn check_regions(store: &Store, grants: &[Grant]) -> Result<(), AccountError> {
    let regions = store.region_table().await?;
    match grants.iter().find(|g| regions.get(&g.region).is_none()) {
        Some(grant) => Err(AccountError::UnknownRegion(grant.region.to_string())),
        None => Ok(()),
    }
}

/// Makes a one-time enrolment link for `account_id`, valid `hours`, audited as `actor`:
/// the token (only its hash is stored) and when it expires.
pub async fn issue_link(
    store: &Store,
    account_id: &str,
    hours: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), AccountError> {
    if !(1..=24 * 14).contains(&hours) {
        return Err(AccountError::Hours);
    }
    let expires = now + Duration::hours(hours);
    let token = random_token();
    let audit = AuditEntry::new(actor, "enrolment_link_created", Outcome::Ok)
        .target(account_id)
        .detail(format!("valid until {}", crate::time::to_db(expires)));
    store
        .create_enrolment_link(&token_hash(&token), account_id, now, expires, &audit)
        .await?;
    Ok((token, expires))
}

/// Where a link's token is opened.
pub fn link_url(public_url: &url::Url, token: &str) -> Result<url::Url, url::ParseError> {
    public_url.join(&format!("/console/enrol/{token}"))
}
