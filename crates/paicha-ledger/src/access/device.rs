//! Requests a device signs with its key (RFC 9421, the profile in `paicha_core::httpsig`):
//! who sent it, refused when the signature, its time, its nonce or the key do not hold.

use crate::store::{Device, DeviceRequest, Store, StoreError};
use chrono::{DateTime, Utc};
use paicha_core::KeyId;
use paicha_core::httpsig::{DeviceSignature, Request, SignatureError};

/// Why a signed request was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeviceAuthError {
    #[error("请求未签名或签名无效 / the request is not signed as a device must sign it: {0}")]
    Signature(#[from] SignatureError),
    #[error("请求已被使用过（重放） / this signed request was sent before (a replay)")]
    Replayed,
    #[error("设备密钥未登记 / the device key {0} is not enrolled")]
    UnknownKey(String),
    #[error("设备密钥已停用 / the device key is revoked: {0}")]
    Revoked(String),
    #[error("设备密钥与签名不符 / the key id is not the public key's")]
    KeyMismatch,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DeviceAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            DeviceAuthError::Signature(SignatureError::Expired | SignatureError::Future) => {
                "signature_expired"
            }
            DeviceAuthError::Signature(_) => "bad_signature",
            DeviceAuthError::Replayed => "replayed",
            DeviceAuthError::UnknownKey(_) => "unknown_key",
            DeviceAuthError::Revoked(_) => "revoked_key",
            DeviceAuthError::KeyMismatch => "bad_signature",
            DeviceAuthError::Store(_) => "internal",
        }
    }

    /// 401 for a request that proves nothing, 403 for a known refusal of the key.
    pub fn status(&self) -> u16 {
        match self {
            DeviceAuthError::UnknownKey(_) | DeviceAuthError::Revoked(_) => 403,
            DeviceAuthError::Store(_) => 503,
            _ => 401,
        }
    }
}

/// Checks `signature` with `public_key` and spends its nonce.
async fn verified(
    store: &Store,
    now: DateTime<Utc>,
    public_key: [u8; 32],
    signature: &DeviceSignature,
) -> Result<(), DeviceAuthError> {
    signature.verify(&public_key)?;
    let expires = DateTime::from_timestamp(signature.expires, 0).unwrap_or(now);
    if !store
        .use_nonce(&signature.key_id, &signature.nonce, expires, now)
        .await?
    {
        return Err(DeviceAuthError::Replayed);
    }
    Ok(())
}

/// Who signed a device request.
pub enum Signer {
    /// An enrolled device (possibly revoked: see [`Device::refusal`]).
    Enrolled(Device),
    /// A key that asked to be enrolled (`POST /api/device/enrolment`) and is not yet: its
    /// request holds the public key that proves the signature.
    Asking(DeviceRequest),
}

/// The enrolled, usable device that signed `request`.
pub async fn authenticate(
    store: &Store,
    request: &Request<'_>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Device, DeviceAuthError> {
    match authenticate_signer(store, request, body, now).await? {
        Signer::Enrolled(device) => match device.refusal() {
            Some(reason) => Err(DeviceAuthError::Revoked(reason)),
            None => Ok(device),
        },
        Signer::Asking(asked) => Err(DeviceAuthError::UnknownKey(short(&asked.key_id))),
    }
}

/// The key that signed `request`: an enrolled device or one that asked to be; unknown keys
/// are refused.
pub async fn authenticate_signer(
    store: &Store,
    request: &Request<'_>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Signer, DeviceAuthError> {
    let signature = DeviceSignature::read(request, body, now.timestamp())?;
    let key_id = KeyId::try_from(signature.key_id.clone())
        .map_err(|_| DeviceAuthError::UnknownKey(short(&signature.key_id)))?;
    let (public_key, signer) = match store.device(&key_id).await? {
        Some(device) => (device.public_key.clone(), Signer::Enrolled(device)),
        None => {
            let asked = store
                .device_request(key_id.as_str())
                .await?
                .ok_or_else(|| DeviceAuthError::UnknownKey(key_id.short()))?;
            (asked.public_key.clone(), Signer::Asking(asked))
        }
    };
    let public_key: [u8; 32] = paicha_core::dsse::b64_decode(&public_key)
        .ok()
        .and_then(|raw| raw.try_into().ok())
        .ok_or(DeviceAuthError::KeyMismatch)?;
    // The signature is checked before the key's state, so that an unsigned or forged request
    // learns nothing about which keys exist.
    verified(store, now, public_key, &signature).await?;
    Ok(signer)
}

/// A request signed by a key that need not be enrolled yet (asking to be enrolled): the
/// signature is checked with `public_key`, whose key id must be the signature's `keyid`.
pub async fn authenticate_new_key(
    store: &Store,
    request: &Request<'_>,
    body: &[u8],
    public_key: [u8; 32],
    now: DateTime<Utc>,
) -> Result<KeyId, DeviceAuthError> {
    let signature = DeviceSignature::read(request, body, now.timestamp())?;
    let key_id = KeyId::from_public_key(&public_key);
    if key_id.as_str() != signature.key_id {
        return Err(DeviceAuthError::KeyMismatch);
    }
    verified(store, now, public_key, &signature).await?;
    Ok(key_id)
}

fn short(text: &str) -> String {
    text.chars().take(16).collect()
}
