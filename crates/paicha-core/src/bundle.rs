//! The bundle payload: what a device signs and the ledger imports (spec: docs/bundle-format.md).

use crate::dsse::{self, Envelope, KeyId};
use crate::inspection::{Inspection, Inspector};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// DSSE payloadType of every Paicha bundle.
pub const PAYLOAD_TYPE: &str = "application/vnd.paicha.bundle.v1+json";
pub const SCHEMA_VERSION: u32 = 1;
/// `previous_payload_sha256` of a device's first bundle.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The signing device, as the bundle declares it. The ledger trusts its own registry, never this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInfo {
    pub key_id: KeyId,
    /// Raw 32-byte Ed25519 public key, standard base64.
    pub public_key: String,
}

impl DeviceInfo {
    pub fn from_public_key(raw: &[u8; 32]) -> Self {
        Self {
            key_id: KeyId::from_public_key(raw),
            public_key: dsse::b64_encode(raw),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundlePayload {
    pub schema_version: u32,
    pub bundle_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub app_version: String,
    pub device: DeviceInfo,
    /// 1 for a device's first bundle, then +1 for each bundle it creates.
    pub sequence: u64,
    /// SHA-256 (hex) of the previous bundle's payload bytes; [`GENESIS_HASH`] for sequence 1.
    pub previous_payload_sha256: String,
    pub inspector: Inspector,
    #[serde(default)]
    pub co_inspectors: Vec<Inspector>,
    pub inspections: Vec<Inspection>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("只能导出已签章封存的检查 / only sealed inspections can be exported ({0})")]
    NotSealed(Uuid),
    #[error("没有可导出的检查 / a bundle needs at least one inspection")]
    Empty,
}

/// Where a device's hash chain stands: the next sequence number and the previous payload hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainState {
    pub next_sequence: u64,
    pub previous_payload_sha256: String,
}

impl Default for ChainState {
    fn default() -> Self {
        Self {
            next_sequence: 1,
            previous_payload_sha256: GENESIS_HASH.to_string(),
        }
    }
}

impl ChainState {
    /// The state after a bundle with these payload bytes has been created.
    pub fn after(&self, payload: &[u8]) -> Self {
        Self {
            next_sequence: self.next_sequence + 1,
            previous_payload_sha256: crate::sha256_hex(payload),
        }
    }
}

impl BundlePayload {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        bundle_id: Uuid,
        created_at: DateTime<Utc>,
        app_version: &str,
        device: DeviceInfo,
        chain: &ChainState,
        inspector: Inspector,
        inspections: Vec<Inspection>,
    ) -> Result<Self, BundleError> {
        if inspections.is_empty() {
            return Err(BundleError::Empty);
        }
        if let Some(open) = inspections.iter().find(|i| !i.is_sealed()) {
            return Err(BundleError::NotSealed(open.id));
        }
        Ok(Self {
            schema_version: SCHEMA_VERSION,
            bundle_id,
            created_at,
            app_version: app_version.to_string(),
            device,
            sequence: chain.next_sequence,
            previous_payload_sha256: chain.previous_payload_sha256.clone(),
            inspector,
            co_inspectors: Vec::new(),
            inspections,
        })
    }

    /// The exact payload bytes that are signed: compact JSON, fields in declaration order.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a payload always serialises")
    }
}

/// Signs payload bytes with an in-memory Ed25519 key. The app signs with a non-extractable
/// WebCrypto key instead; this serves the ledger's tests, test vectors and tools.
pub fn sign_with(key: &ed25519_dalek::SigningKey, payload: &[u8]) -> Envelope {
    use ed25519_dalek::Signer;
    let raw = key.verifying_key().to_bytes();
    let signature = key.sign(&dsse::pae(PAYLOAD_TYPE, payload));
    Envelope::new(
        PAYLOAD_TYPE,
        payload,
        &KeyId::from_public_key(&raw),
        &signature.to_bytes(),
    )
}
