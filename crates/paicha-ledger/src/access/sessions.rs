//! Staff sessions: a random token in an `HttpOnly`, `SameSite=Strict` cookie (`Secure` when
//! the ledger is served over HTTPS), kept in the database by its hash, ending after
//! [`IDLE`] without a request or [`ABSOLUTE`] after sign-in, at sign-out, or at once when the
//! account is disabled.

use super::{Identity, random_token, token_hash};
use crate::store::{AuditEntry, Outcome, SessionRow, Store, StoreError};
use chrono::{DateTime, Duration, Utc};

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, whatever happens.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// How stale `last_seen_at` may get before a request writes it again (fewer writes).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// How cookies are set: `Secure` and the `__Host-` prefix when served over HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn session_name(self) -> &'static str {
        if self.secure {
            "__Host-paicha_session"
        } else {
            "paicha_session"
        }
    }

    pub fn ceremony_name(self) -> &'static str {
        if self.secure {
            "__Host-paicha_ceremony"
        } else {
            "paicha_ceremony"
        }
    }

    /// A `Set-Cookie` value for `name=value`, living `max_age` seconds (0: delete it).
    pub fn set(self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
    }

    pub fn clear(self, name: &str) -> String {
        self.set(name, "", 0)
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// A new session for `account_id`: (the cookie's token, the CSRF token).
pub async fn start(
    store: &Store,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<(String, String), StoreError> {
    let token = random_token();
    let csrf = random_token();
    let row = SessionRow {
        account_id: account_id.to_string(),
        csrf_token: csrf.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + ABSOLUTE,
    };
    let audit = AuditEntry::new(format!("account:{account_id}"), "sign_in", Outcome::Ok);
    store
        .create_session(&token_hash(&token), &row, &audit)
        .await?;
    Ok((token, csrf))
}

/// Why a cookie does not identify anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSession {
    /// No such session (never, or signed out, or a forged token).
    Unknown,
    /// It timed out (idle or absolute).
    Expired,
    /// Its account is disabled.
    Disabled,
}

/// The person a session token belongs to, at `now`. An expired session, or one whose
/// account was disabled, is ended here.
pub async fn identify(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Result<Identity, NoSession>, StoreError> {
    let hash = token_hash(token);
    let Some(row) = store.session(&hash).await? else {
        return Ok(Err(NoSession::Unknown));
    };
    if now >= row.expires_at || now - row.last_seen_at >= IDLE {
        store.end_session(&hash, None, now).await?;
        return Ok(Err(NoSession::Expired));
    }
    let account = match store.account(&row.account_id).await? {
        Some(account) if account.is_active() => account,
        _ => {
            store.end_session(&hash, None, now).await?;
            return Ok(Err(NoSession::Disabled));
        }
    };
    if now - row.last_seen_at >= TOUCH_EVERY {
        store.touch_session(&hash, now).await?;
    }
    Ok(Ok(Identity {
        account,
        csrf_token: row.csrf_token,
        session_hash: hash,
    }))
}

/// Ends `identity`'s session (sign-out).
pub async fn end(store: &Store, identity: &Identity, now: DateTime<Utc>) -> Result<(), StoreError> {
    let audit = AuditEntry::new(identity.actor(), "sign_out", Outcome::Ok);
    store
        .end_session(&identity.session_hash, Some(&audit), now)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        let plain = CookiePolicy { secure: false };
        assert_eq!(
            plain.set("paicha_session", "t", 60),
            "paicha_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=60"
        );
        let secure = CookiePolicy { secure: true };
        assert_eq!(secure.session_name(), "__Host-paicha_session");
        assert!(
            secure
                .set(secure.session_name(), "t", 60)
                .ends_with("; Secure")
        );
        assert!(secure.clear("x").contains("Max-Age=0"));
        assert_eq!(
            cookie("a=1; paicha_session=xyz; b=2", "paicha_session"),
            Some("xyz")
        );
        assert_eq!(cookie("a=1", "paicha_session"), None);
        assert_eq!(cookie("paicha_session_x=1", "paicha_session"), None);
    }
}
