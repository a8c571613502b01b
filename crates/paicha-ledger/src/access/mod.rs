//! Who is asking, and what they may see and do (docs/security.md).
//!
//! - Staff sign in with passkeys ([`passkeys`]) and hold a session ([`sessions`]); what they
//!   may read is the union of their roles' regions ([`Identity::reads`]).
//! - Devices sign each request with their key ([`device`], RFC 9421); a key belongs to an
//!   inspector's account, and a disabled account's keys are refused like revoked ones.
//! - Everything that changes who may do what, and every refusal, goes to the audit trail.

pub mod accounts;
pub mod device;
pub mod passkeys;
pub mod sessions;

use crate::store::{Account, Grant, Role};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use paicha_core::region::RegionCode;
use sha2::{Digest, Sha256};

/// A fresh random token for a cookie or a link: 32 bytes from the operating system,
/// base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a token is stored: its SHA-256 in hex (a stolen database gives no usable token).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The regions whose hazard ledger `account` may read (a person signed in, or the person a
/// device belongs to): those of every role that reads it, narrowed to the outermost.
pub fn reads_of(account: &Account) -> Vec<RegionCode> {
    outermost(
        account
            .grants
            .iter()
            .filter(|g| g.role.reads_ledger())
            .map(|g| g.region.clone()),
    )
}

/// The regions whose open hazards `account`'s devices pull for 复查: every region where the
/// person holds any role. An inspector does not read the console's ledger of a region (its
/// exports, cases, people), but re-inspects the hazards found there.
pub fn pulls_of(account: &Account) -> Vec<RegionCode> {
    outermost(account.grants.iter().map(|g| g.region.clone()))
}

/// A signed-in person and what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: Account,
    /// The session's CSRF token, sent back with every form.
    pub csrf_token: String,
    /// Its hash, to end the session at sign-out.
    pub session_hash: String,
}

impl Identity {
    /// The audit trail's name for this person.
    pub fn actor(&self) -> String {
        format!("account:{}", self.account.id)
    }

    /// Whether the account holds `role` somewhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.account.grants.iter().any(|g| g.role == role)
    }

    /// The regions whose hazard ledger this person may read: those of every role that reads
    /// it, narrowed to the outermost (a region inside another one held is not repeated).
    pub fn reads(&self) -> Vec<RegionCode> {
        reads_of(&self.account)
    }

    /// Whether `region` (or all of it) lies inside what this person may read.
    pub fn may_read(&self, region: &RegionCode) -> bool {
        self.reads().iter().any(|r| r.contains(region))
    }

    /// The regions where the account holds `role`.
    pub fn regions_as(&self, role: Role) -> Vec<RegionCode> {
        outermost(
            self.account
                .grants
                .iter()
                .filter(|g| g.role == role)
                .map(|g| g.region.clone()),
        )
    }
}

/// The regions of `codes` that no other one contains, sorted.
fn outermost(codes: impl Iterator<Item = RegionCode>) -> Vec<RegionCode> {
    let mut all: Vec<RegionCode> = codes.collect();
    all.sort();
    all.dedup();
    let keep: Vec<RegionCode> = all
        .iter()
        .filter(|c| !all.iter().any(|o| o != *c && o.contains(c)))
        .cloned()
        .collect();
    keep
}

/// Parses "role@region" (as the command line takes roles), e.g. `supervisor@130102`.
pub fn parse_grant(text: &str) -> Result<Grant, String> {
    let (role, region) = text.split_once('@').ok_or_else(|| {
        format!("a role is written ROLE@REGION, e.g. supervisor@130102; got {text:?}")
    })?;
    let role = Role::from_slug(role.trim()).ok_or_else(|| {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.slug()).collect();
        format!("unknown role {role:?}; roles: {}", known.join(", "))
    })?;
    let region = RegionCode::parse(region).map_err(|e| e.to_string())?;
    Ok(Grant { role, region })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(grants: &[&str]) -> Identity {
        Identity {
            account: Account {
                id: "a".into(),
                name: "张三".into(),
                created_at: chrono::Utc::now(),
                disabled_at: None,
                grants: grants.iter().map(|g| parse_grant(g).unwrap()).collect(),
            },
            csrf_token: String::new(),
            session_hash: String::new(),
        }
    }

    #[test]
    fn what_a_person_reads_is_the_outermost_regions_of_the_roles_that_read() {
        let supervisor = identity(&["supervisor@130102", "township@130102001", "inspector@13"]);
        let code = |c: &str| RegionCode::parse(c).unwrap();
        assert_eq!(
            supervisor.reads(),
            [code("130102")],
            "inspector roles read nothing"
        );
        assert!(supervisor.may_read(&code("130102001")));
        assert!(supervisor.may_read(&code("130102")));
        assert!(!supervisor.may_read(&code("1301")), "not the whole city");
        assert!(!supervisor.may_read(&code("130104")));
        let two = identity(&["supervisor@130104", "township@130102001"]);
        assert_eq!(two.reads(), [code("130102001"), code("130104")]);
        assert!(identity(&["inspector@13"]).reads().is_empty());
        assert!(two.has_role(Role::Township) && !two.has_role(Role::Admin));
    }

    #[test]
    fn grants_are_written_role_at_region() {
        let grant = parse_grant("supervisor@130102").unwrap();
        assert_eq!(grant.role, Role::Supervisor);
        assert_eq!(grant.region.as_str(), "130102");
        assert!(
            parse_grant("supervisor")
                .unwrap_err()
                .contains("ROLE@REGION")
        );
        assert!(parse_grant("boss@13").unwrap_err().contains("unknown role"));
        assert!(parse_grant("admin@13x").is_err());
    }

    #[test]
    fn tokens_are_random_and_stored_as_hashes() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes, base64url without padding");
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
