//! Passkeys (WebAuthn) with webauthn-rs: registering one from a one-time enrolment link, and
//! signing in with one without typing a name (discoverable credentials). No password is
//! stored anywhere.
//!
//! A ceremony's state stays in the database between its two steps (any instance finishes
//! it); the browser holds only a random id for it, in a cookie.

use super::{random_token, token_hash};
use crate::store::{Account, AuditEntry, Ceremony, Outcome, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid,
    Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

/// How long a ceremony may take between its start and its finish.
pub const CEREMONY: Duration = Duration::minutes(5);
/// How long an enrolment link is valid by default.
pub const LINK_VALIDITY: Duration = Duration::hours(72);

/// Why a passkey step was refused. Each says what a person can do about it.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error(
        "通行密钥需要以域名访问本系统（如 localhost 或 ledger.example.gov.cn），不能用IP地址 / passkeys need the ledger to be opened by a domain name (localhost, or ledger.example.gov.cn), not an IP address"
    )]
    NotADomain,
    #[error("登记链接无效 / this enrolment link is not valid")]
    UnknownLink,
    #[error("登记链接已使用过 / this enrolment link was used already")]
    LinkUsed,
    #[error(
        "登记链接已过期，请向管理员索取新链接 / this enrolment link has expired; ask an administrator for a new one"
    )]
    LinkExpired,
    #[error("账号已停用 / the account is disabled")]
    Disabled,
    #[error("操作已超时，请重试 / the step timed out; start again")]
    NoCeremony,
    #[error("通行密钥未被接受 / the passkey was not accepted: {0}")]
    Rejected(String),
    #[error("未知的通行密钥 / this passkey is not registered here")]
    UnknownPasskey,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PasskeyError {
    pub fn code(&self) -> &'static str {
        match self {
            PasskeyError::NotADomain => "not_a_domain",
            PasskeyError::UnknownLink => "unknown_link",
            PasskeyError::LinkUsed => "link_used",
            PasskeyError::LinkExpired => "link_expired",
            PasskeyError::Disabled => "account_disabled",
            PasskeyError::NoCeremony => "no_ceremony",
            PasskeyError::Rejected(_) => "passkey_rejected",
            PasskeyError::UnknownPasskey => "unknown_passkey",
            PasskeyError::Store(_) => "internal",
        }
    }
}

/// The relying party: this ledger as the browser's WebAuthn sees it.
#[derive(Clone)]
pub struct Passkeys {
    webauthn: std::sync::Arc<Webauthn>,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passkeys")
    }
}

impl Passkeys {
    /// For the ledger served at `origin`. The relying-party id is the origin's host, which
    /// must be a domain: browsers refuse passkeys for IP addresses.
    pub fn new(origin: &Url) -> Result<Self, PasskeyError> {
        let host = match origin.host() {
            Some(url::Host::Domain(host)) => host.to_string(),
            _ => return Err(PasskeyError::NotADomain),
        };
        let webauthn = WebauthnBuilder::new(&host, origin)
            .and_then(|b| b.rp_name("排查 Paicha").build())
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        Ok(Self {
            webauthn: std::sync::Arc::new(webauthn),
        })
    }

    async fn ceremony(
        store: &Store,
        ceremony: Ceremony,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = random_token();
        store
            .put_ceremony(&token_hash(&id), &ceremony, now + CEREMONY)
            .await?;
        Ok(id)
    }

    /// Checks an enrolment link: the account it registers a passkey for.
    pub async fn link_account(
        store: &Store,
        link_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Account, PasskeyError> {
        let link = store
            .enrolment_link(&token_hash(link_token))
            .await?
            .ok_or(PasskeyError::UnknownLink)?;
        if link.used_at.is_some() {
            return Err(PasskeyError::LinkUsed);
        }
        if link.expires_at <= now {
            return Err(PasskeyError::LinkExpired);
        }
        match store.account(&link.account_id).await? {
            Some(account) if account.is_active() => Ok(account),
            Some(_) => Err(PasskeyError::Disabled),
            None => Err(PasskeyError::UnknownLink),
        }
    }

    /// Starts registering a passkey from an enrolment link: (ceremony id, options for
    /// `navigator.credentials.create`).
    pub async fn start_registration(
        &self,
        store: &Store,
        link_token: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, CreationChallengeResponse), PasskeyError> {
        let account = Self::link_account(store, link_token, now).await?;
        let user =
            Uuid::parse_str(&account.id).map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let existing: Vec<_> = store
            .passkeys_of(&account.id)
            .await?
            .iter()
            .filter_map(|json| serde_json::from_str::<Passkey>(json).ok())
            .map(|p| p.cred_id().clone())
            .collect();
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(user, &account.name, &account.name, Some(existing))
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        // A passkey is a discoverable credential: sign-in then needs no name typed.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let ceremony = Ceremony {
            kind: "register".into(),
            account_id: Some(account.id.clone()),
            link_sha256: Some(token_hash(link_token)),
            state_json: serde_json::to_string(&state)
                .map_err(|e| PasskeyError::Rejected(e.to_string()))?,
        };
        Ok((Self::ceremony(store, ceremony, now).await?, options))
    }

    /// Finishes a registration: stores the passkey and spends the link, in one transaction.
    pub async fn finish_registration(
        &self,
        store: &Store,
        ceremony_id: &str,
        credential: &RegisterPublicKeyCredential,
        now: DateTime<Utc>,
    ) -> Result<Account, PasskeyError> {
        let ceremony = store
            .take_ceremony(&token_hash(ceremony_id), now)
            .await?
            .filter(|c| c.kind == "register")
            .ok_or(PasskeyError::NoCeremony)?;
        let (Some(account_id), Some(link)) = (ceremony.account_id, ceremony.link_sha256) else {
            return Err(PasskeyError::NoCeremony);
        };
        let state: PasskeyRegistration = serde_json::from_str(&ceremony.state_json)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(credential, &state)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let credential_id = base64url(passkey.cred_id().as_ref());
        let json =
            serde_json::to_string(&passkey).map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let audit = AuditEntry::new(
            format!("account:{account_id}"),
            "passkey_registered",
            Outcome::Ok,
        )
        .target(&credential_id);
        if !store
            .add_passkey(&link, &credential_id, &account_id, &json, now, &audit)
            .await?
        {
            return Err(PasskeyError::LinkUsed);
        }
        store
            .account(&account_id)
            .await?
            .ok_or(PasskeyError::UnknownLink)
    }

    /// Starts a sign-in: (ceremony id, options for `navigator.credentials.get`).
    pub async fn start_sign_in(
        &self,
        store: &Store,
        now: DateTime<Utc>,
    ) -> Result<(String, RequestChallengeResponse), PasskeyError> {
        let (mut options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        // Asked for on a button press, not offered in an autofill list.
        options.mediation = None;
        let ceremony = Ceremony {
            kind: "sign_in".into(),
            account_id: None,
            link_sha256: None,
            state_json: serde_json::to_string(&state)
                .map_err(|e| PasskeyError::Rejected(e.to_string()))?,
        };
        Ok((Self::ceremony(store, ceremony, now).await?, options))
    }

    /// Finishes a sign-in: the account whose passkey answered.
    pub async fn finish_sign_in(
        &self,
        store: &Store,
        ceremony_id: &str,
        credential: &PublicKeyCredential,
        now: DateTime<Utc>,
    ) -> Result<Account, PasskeyError> {
        let ceremony = store
            .take_ceremony(&token_hash(ceremony_id), now)
            .await?
            .filter(|c| c.kind == "sign_in")
            .ok_or(PasskeyError::NoCeremony)?;
        let state: DiscoverableAuthentication = serde_json::from_str(&ceremony.state_json)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let (user, credential_id) = self
            .webauthn
            .identify_discoverable_authentication(credential)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let credential_id = base64url(credential_id);
        let (account_id, json) = store
            .passkey(&credential_id)
            .await?
            .ok_or(PasskeyError::UnknownPasskey)?;
        if account_id != user.to_string() {
            return Err(PasskeyError::UnknownPasskey);
        }
        let mut passkey: Passkey =
            serde_json::from_str(&json).map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(credential, state, &passkey)
            .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
        if passkey.update_credential(&result) == Some(true) {
            let json = serde_json::to_string(&passkey)
                .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
            store.update_passkey(&credential_id, &json, now).await?;
        }
        match store.account(&account_id).await? {
            Some(account) if account.is_active() => Ok(account),
            Some(_) => Err(PasskeyError::Disabled),
            None => Err(PasskeyError::UnknownPasskey),
        }
    }
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
