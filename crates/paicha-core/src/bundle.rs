//! The bundle payload: what a device signs and the ledger imports (spec: docs/bundle-format.md).

use crate::attachment::{Attachment, AttachmentError};
use crate::dsse::{self, Envelope, KeyId};
use crate::inspection::{Inspection, Inspector};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// DSSE payloadType of every Paicha bundle, whatever its `schema_version`: the envelope, the
/// PAE and the signature scheme have not changed (docs/bundle-format.md, "Versioning").
pub const PAYLOAD_TYPE: &str = "application/vnd.paicha.bundle.v1+json";
/// What producers write: version 2, whose payload names its files and carries none.
pub const SCHEMA_VERSION: u32 = 2;
/// Every version a verifier accepts: 1 embeds files as base64, 2 names them only.
pub const SCHEMA_VERSIONS: [u32; 2] = [1, 2];
/// `previous_payload_sha256` of a device's first bundle.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The signing device, as the bundle declares it. The ledger trusts its own registry, never this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DeviceInfo {
    /// Lower-case hex SHA-256 of the raw public key; equals the envelope's `keyid`.
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

/// The signed content of a bundle (`payloadType` [`PAYLOAD_TYPE`]). Its JSON Schema is
/// `docs/bundle.schema.json`, generated from these types with the `schema` feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "Paicha bundle payload (application/vnd.paicha.bundle.v1+json)",
        description = "The signed content of a Paicha bundle. Byte-level spec: docs/bundle-format.md."
    )
)]
#[serde(deny_unknown_fields)]
pub struct BundlePayload {
    /// 1 (files embedded in `attachments[].data`) or 2 (files named only; their bytes are
    /// blobs beside the envelope).
    #[cfg_attr(feature = "schema", schemars(extend("enum" = [1, 2])))]
    pub schema_version: u32,
    /// A fresh random UUID per bundle; never reused, not even for a re-export.
    #[cfg_attr(
        feature = "schema",
        schemars(regex(
            pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
        ))
    )]
    pub bundle_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub app_version: String,
    pub device: DeviceInfo,
    /// 1 for a device's first bundle, then +1 for each bundle it creates (at most 2^63-1).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub sequence: u64,
    /// SHA-256 (hex) of the previous bundle's exact payload bytes; for sequence 1 the genesis
    /// hash, 64 zeros ([`GENESIS_HASH`]).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[0-9a-f]{64}$")))]
    pub previous_payload_sha256: String,
    pub inspector: Inspector,
    #[serde(default)]
    pub co_inspectors: Vec<Inspector>,
    /// At least one, each sealed, each id once.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub inspections: Vec<Inspection>,
    /// Photos (and other files) that answers refer to by SHA-256; each once. Absent when empty.
    /// Version 1 embeds each file's bytes; version 2 names them only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("只能导出已签章封存的检查 / only sealed inspections can be exported ({0})")]
    NotSealed(Uuid),
    #[error("没有可导出的检查 / a bundle needs at least one inspection")]
    Empty,
    #[error("附件有误 / {0}")]
    Attachment(#[from] AttachmentError),
    #[error("附件形式与版本不符 / {0}")]
    AttachmentForm(String),
    #[error(
        "重新导出须使用新的批次编号 / a re-export needs a new bundle id, {0} is the original's"
    )]
    BundleIdReused(Uuid),
    #[error(
        "重新导出须使用新的序号 / a re-export needs a sequence after {original}, the chain is at {next}"
    )]
    StaleChain { original: u64, next: u64 },
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
            attachments: Vec::new(),
        })
    }

    /// The other officers present (they appear in the payload; only the device key signs).
    pub fn with_co_inspectors(mut self, co_inspectors: Vec<Inspector>) -> Self {
        self.co_inspectors = co_inspectors;
        self
    }

    /// The same payload as version 1, which embeds its files (for tools and test vectors; the
    /// app writes version 2).
    pub fn version_1(mut self) -> Self {
        self.schema_version = 1;
        self
    }

    /// Names (version 2) or embeds (version 1) the files the inspections' answers refer to.
    /// Fails if an attachment has the wrong form for the version, is malformed or duplicated,
    /// or if an answer names a photo that is not among them: the same checks the verifier
    /// makes, so a device never signs a bundle the ledger must reject.
    pub fn with_attachments(mut self, attachments: Vec<Attachment>) -> Result<Self, BundleError> {
        attachment_form(self.schema_version, &attachments).map_err(BundleError::AttachmentForm)?;
        crate::attachment::check_attachments(&attachments, &self.inspections)?;
        self.attachments = attachments;
        Ok(self)
    }

    /// A new bundle with the same content (inspections, inspectors, attachments) as `self`:
    /// a re-export. It gets a new bundle id, its own creation time and the next place in the
    /// device's chain; `self`, already created, is never changed or signed again
    /// (docs/bundle-format.md, "Re-export").
    pub fn reexport(
        &self,
        bundle_id: Uuid,
        created_at: DateTime<Utc>,
        app_version: &str,
        chain: &ChainState,
    ) -> Result<Self, BundleError> {
        if bundle_id == self.bundle_id {
            return Err(BundleError::BundleIdReused(bundle_id));
        }
        if chain.next_sequence <= self.sequence {
            return Err(BundleError::StaleChain {
                original: self.sequence,
                next: chain.next_sequence,
            });
        }
        Ok(Self {
            bundle_id,
            created_at,
            app_version: app_version.to_string(),
            sequence: chain.next_sequence,
            previous_payload_sha256: chain.previous_payload_sha256.clone(),
            ..self.clone()
        })
    }

    /// The exact payload bytes that are signed: compact JSON, fields in declaration order.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a payload always serialises")
    }
}

/// The schema rule that depends on the version: version 1 embeds every file (`data`
/// required), version 2 embeds none (`data` not allowed). The reason names the first offender.
pub fn attachment_form(schema_version: u32, attachments: &[Attachment]) -> Result<(), String> {
    let embeds = schema_version == 1;
    match attachments.iter().find(|a| a.data.is_some() != embeds) {
        None => Ok(()),
        Some(a) if embeds => Err(format!(
            "attachment {}: a version 1 payload embeds every file (data is required)",
            a.sha256
        )),
        Some(a) => Err(format!(
            "attachment {}: a version 2 payload names files and carries none (data is not allowed)",
            a.sha256
        )),
    }
}

/// Signs payload bytes with an in-memory Ed25519 key (Ed25519 is deterministic: the same key
/// and payload always give the same envelope bytes). The app signs with a non-extractable
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
