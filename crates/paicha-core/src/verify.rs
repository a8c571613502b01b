//! Verifying an envelope: signature first, payload parsing only after the signature holds.

use crate::bundle::{BundlePayload, PAYLOAD_TYPE, SCHEMA_VERSION};
use crate::dsse::{self, Envelope, KeyId};
use ed25519_dalek::{Signature, VerifyingKey};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a DSSE envelope (malformed JSON): {0}")]
    MalformedEnvelope(String),
    #[error("wrong payloadType {0:?} (expected {PAYLOAD_TYPE})")]
    WrongPayloadType(String),
    #[error("the envelope must carry exactly one signature, it has {0}")]
    SignatureCount(usize),
    #[error("bad encoding: {0}")]
    Encoding(String),
    #[error("unknown signing key {0}")]
    UnknownKey(String),
    #[error("signing key {key_id} was revoked: {reason}")]
    RevokedKey { key_id: String, reason: String },
    #[error("the embedded public key does not match key id {0}")]
    KeyMismatch(String),
    #[error("signature does not verify: the bundle was altered or not signed by key {0}")]
    BadSignature(String),
    #[error("payload does not match the bundle schema: {0}")]
    Schema(String),
    #[error("unsupported schema_version {0} (this verifier knows {SCHEMA_VERSION})")]
    SchemaVersion(u32),
}

/// Where the verifier gets the public key for a key id.
pub trait KeySource {
    /// `payload` is the still-unverified payload: a source may only read the embedded key from
    /// it, and must check that the key hashes to `key_id`.
    fn public_key(&self, key_id: &KeyId, payload: &[u8]) -> Result<[u8; 32], VerifyError>;
}

/// Uses the public key the bundle itself carries. This proves integrity and that the holder of
/// that key signed; whether the key belongs to an enrolled inspector is the ledger's registry's
/// question.
pub struct EmbeddedKey;

impl KeySource for EmbeddedKey {
    fn public_key(&self, key_id: &KeyId, payload: &[u8]) -> Result<[u8; 32], VerifyError> {
        embedded_public_key(key_id, payload)
    }
}

/// Reads only `device.public_key` from the payload and checks it hashes to `key_id`.
pub fn embedded_public_key(key_id: &KeyId, payload: &[u8]) -> Result<[u8; 32], VerifyError> {
    #[derive(serde::Deserialize)]
    struct Partial {
        device: Device,
    }
    #[derive(serde::Deserialize)]
    struct Device {
        public_key: String,
    }
    let partial: Partial = serde_json::from_slice(payload)
        .map_err(|e| VerifyError::Schema(format!("cannot read device.public_key: {e}")))?;
    let raw: [u8; 32] = dsse::b64_decode(&partial.device.public_key)
        .map_err(|e| VerifyError::Encoding(format!("device.public_key: {e}")))?
        .try_into()
        .map_err(|_| VerifyError::Encoding("device.public_key must be 32 bytes".into()))?;
    if &KeyId::from_public_key(&raw) != key_id {
        return Err(VerifyError::KeyMismatch(key_id.to_string()));
    }
    Ok(raw)
}

#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedBundle {
    pub envelope: Envelope,
    pub key_id: KeyId,
    pub payload_bytes: Vec<u8>,
    /// SHA-256 (hex) of the payload bytes: the next bundle's `previous_payload_sha256`.
    pub payload_sha256: String,
    pub payload: BundlePayload,
}

/// Verifies envelope bytes (a bundle file's content) against keys from `keys`.
pub fn verify_bundle(bytes: &[u8], keys: &dyn KeySource) -> Result<VerifiedBundle, VerifyError> {
    let envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| VerifyError::MalformedEnvelope(e.to_string()))?;
    verify_envelope(envelope, keys)
}

pub fn verify_envelope(
    envelope: Envelope,
    keys: &dyn KeySource,
) -> Result<VerifiedBundle, VerifyError> {
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(VerifyError::WrongPayloadType(envelope.payload_type));
    }
    let [signature] = envelope.signatures.as_slice() else {
        return Err(VerifyError::SignatureCount(envelope.signatures.len()));
    };
    let key_id = KeyId::try_from(signature.keyid.clone())
        .map_err(|e| VerifyError::Encoding(e.to_string()))?;
    let payload_bytes = dsse::b64_decode(&envelope.payload)
        .map_err(|e| VerifyError::Encoding(format!("payload: {e}")))?;
    let sig_bytes: [u8; 64] = dsse::b64_decode(&signature.sig)
        .map_err(|e| VerifyError::Encoding(format!("sig: {e}")))?
        .try_into()
        .map_err(|_| VerifyError::Encoding("sig must be 64 bytes".into()))?;

    let raw_key = keys.public_key(&key_id, &payload_bytes)?;
    let verifying_key = VerifyingKey::from_bytes(&raw_key)
        .map_err(|_| VerifyError::BadSignature(key_id.to_string()))?;
    verifying_key
        .verify_strict(
            &dsse::pae(&envelope.payload_type, &payload_bytes),
            &Signature::from_bytes(&sig_bytes),
        )
        .map_err(|_| VerifyError::BadSignature(key_id.to_string()))?;

    // Only now is the payload trusted enough to parse.
    let payload: BundlePayload =
        serde_json::from_slice(&payload_bytes).map_err(|e| VerifyError::Schema(e.to_string()))?;
    if payload.schema_version != SCHEMA_VERSION {
        return Err(VerifyError::SchemaVersion(payload.schema_version));
    }
    if payload.device.key_id != key_id {
        return Err(VerifyError::KeyMismatch(key_id.to_string()));
    }
    if payload.sequence == 0 {
        return Err(VerifyError::Schema("sequence starts at 1".into()));
    }
    let prev = &payload.previous_payload_sha256;
    if prev.len() != 64 || !prev.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(VerifyError::Schema(
            "previous_payload_sha256 must be 64 lower-case hex digits".into(),
        ));
    }
    if payload.inspections.is_empty() {
        return Err(VerifyError::Schema(
            "a bundle carries at least one inspection".into(),
        ));
    }
    if let Some(open) = payload.inspections.iter().find(|i| !i.is_sealed()) {
        return Err(VerifyError::Schema(format!(
            "inspection {} is not sealed",
            open.id
        )));
    }
    Ok(VerifiedBundle {
        payload_sha256: crate::sha256_hex(&payload_bytes),
        envelope,
        key_id,
        payload_bytes,
        payload,
    })
}
