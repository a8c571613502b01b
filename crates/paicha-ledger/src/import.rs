//! Importing a bundle: look up the signing key in the registry, verify against the enrolled
//! key, apply the ledger's rules, store in one transaction.

use crate::registry::EnrolledKey;
use crate::store::{Conflict, InsertOutcome, Store, StoreError, UnmatchedReview};
use chrono::{DateTime, Utc};
use paicha_core::VerifyError;
use paicha_core::dsse::{Envelope, KeyId};
use paicha_core::verify::verify_envelope_full;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported(Imported),
    AlreadyImported {
        bundle_id: Uuid,
        payload_sha256: String,
        /// Files the payload names that have not arrived.
        missing_blobs: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub bundle_id: Uuid,
    pub key_id: KeyId,
    pub sequence: u64,
    pub payload_sha256: String,
    pub inspector_name: String,
    pub new_inspections: usize,
    pub findings: usize,
    /// Re-inspection reviews stored (of earlier hazards, 复查).
    pub reviews: usize,
    /// Reviews whose hazard the ledger does not hold yet (the original bundle has not
    /// arrived) or names no hazard. They are stored and count once the hazard arrives.
    pub unmatched_reviews: Vec<UnmatchedReview>,
    /// Another bundle from this device already held the sequence number; stored and flagged.
    pub fork: bool,
    /// Files the payload names that have not arrived (`PUT /api/blobs/{sha256}`).
    pub missing_blobs: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Verify(VerifyError),
    #[error(
        "signing key {short} is not enrolled in this ledger (key id {key_id}). Enrol the device \
         first: paicha-ledger keys add --from-bundle FILE --account ACCOUNT, after comparing the \
         key id with the one shown on the inspector's phone (or confirm the phone's request in \
         the console)"
    )]
    UnknownKey { key_id: KeyId, short: String },
    #[error(
        "signing key {key_id} was revoked: {reason}; bundles from a revoked key are not accepted"
    )]
    RevokedKey { key_id: String, reason: String },
    #[error(
        "bundle id {0} was already imported with different content; a bundle id cannot be reused"
    )]
    BundleIdReused(Uuid),
    #[error(
        "inspection {0} was already imported with different content; a sealed inspection cannot change"
    )]
    InspectionChanged(Uuid),
    #[error("the signing key was revoked while the bundle was being imported; nothing was stored")]
    KeyRevokedDuringImport,
    #[error("the bundle is larger than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportError {
    /// The HTTP status for this failure: 4xx for bad input, 5xx only for our own trouble.
    pub fn http_status(&self) -> u16 {
        use VerifyError as V;
        match self {
            ImportError::Verify(
                V::MalformedEnvelope(_) | V::Encoding(_) | V::SignatureCount(_),
            ) => 400,
            ImportError::Verify(V::UnknownKey(_) | V::RevokedKey { .. }) => 403,
            ImportError::Verify(_) => 422,
            ImportError::UnknownKey { .. }
            | ImportError::RevokedKey { .. }
            | ImportError::KeyRevokedDuringImport => 403,
            ImportError::BundleIdReused(_) | ImportError::InspectionChanged(_) => 409,
            ImportError::TooLarge { .. } => 413,
            ImportError::Store(e) if e.is_unavailable() => 503,
            ImportError::Store(e) if e.is_storage_full() => 507,
            ImportError::Store(_) => 500,
        }
    }

    /// A stable machine-readable code, so that a client can tell "retry later" from "give up".
    pub fn code(&self) -> &'static str {
        match self {
            // The codes of docs/bundle-format.md (e.g. `attachment_missing`,
            // `chain_first_without_genesis`), the same as the negative test vectors use.
            ImportError::Verify(e) => e.code(),
            ImportError::UnknownKey { .. } => "unknown_key",
            ImportError::RevokedKey { .. } | ImportError::KeyRevokedDuringImport => "revoked_key",
            ImportError::BundleIdReused(_) => "bundle_id_reused",
            ImportError::InspectionChanged(_) => "inspection_changed",
            ImportError::TooLarge { .. } => "too_large",
            ImportError::Store(e) if e.is_unavailable() => "unavailable",
            ImportError::Store(e) if e.is_storage_full() => "storage_full",
            ImportError::Store(_) => "internal",
        }
    }
}

/// An upload parsed as a DSSE envelope, not verified yet.
#[derive(Debug)]
pub struct ParsedUpload<'a> {
    pub envelope: Envelope,
    /// The upload as text, kept verbatim for audit.
    pub text: &'a str,
    /// The key id of the only signature, if there is exactly one and it is well-formed (a
    /// malformed one is left for the verifier to report in its usual words).
    pub claimed_key: Option<KeyId>,
}

/// The first step of an import, without a database: size limit, JSON, UTF-8, signer.
pub fn parse_upload(bytes: &[u8]) -> Result<ParsedUpload<'_>, ImportError> {
    if bytes.len() > crate::MAX_BUNDLE_BYTES {
        return Err(ImportError::TooLarge {
            limit: crate::MAX_BUNDLE_BYTES,
        });
    }
    let envelope: Envelope = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::Verify(VerifyError::MalformedEnvelope(e.to_string())))?;
    // JSON that parsed is UTF-8.
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ImportError::Verify(VerifyError::MalformedEnvelope(e.to_string())))?;
    let claimed_key = match envelope.signatures.as_slice() {
        [only] => KeyId::try_from(only.keyid.clone()).ok(),
        _ => None,
    };
    Ok(ParsedUpload {
        envelope,
        text,
        claimed_key,
    })
}

/// The second step, without a database: every check of the bundle format (signature, schema,
/// attachments, single-bundle chain rules) against `device`, the registry's entry for the
/// claimed key (`None`: not enrolled).
pub fn verify_with_registry(
    parsed: ParsedUpload<'_>,
    device: Option<&crate::store::Device>,
) -> Result<paicha_core::VerifiedBundle, ImportError> {
    let claimed = parsed.claimed_key;
    verify_envelope_full(parsed.envelope, &EnrolledKey { device }).map_err(|e| match e {
        VerifyError::UnknownKey(_) if claimed.is_some() => {
            let key_id = claimed.clone().expect("checked above");
            ImportError::UnknownKey {
                short: key_id.short(),
                key_id,
            }
        }
        VerifyError::RevokedKey { key_id, reason } => ImportError::RevokedKey { key_id, reason },
        other => ImportError::Verify(other),
    })
}

/// Verifies and stores one envelope (the bytes of a bundle file or an upload).
pub async fn import_bytes(
    store: &Store,
    bytes: &[u8],
    received_at: DateTime<Utc>,
) -> Result<ImportOutcome, ImportError> {
    let (bundle, text) = verify_upload(store, bytes).await?;
    store_verified(store, &bundle, text, received_at, &[]).await
}

/// Size limit, parse and verification against the registry.
async fn verify_upload<'a>(
    store: &Store,
    bytes: &'a [u8],
) -> Result<(paicha_core::VerifiedBundle, &'a str), ImportError> {
    let parsed = parse_upload(bytes)?;
    // The key source is synchronous, so fetch the registry entry first.
    let device = match &parsed.claimed_key {
        Some(key_id) => store.device(key_id).await?,
        None => None,
    };
    let text = parsed.text;
    Ok((verify_with_registry(parsed, device.as_ref())?, text))
}

/// Imports a transfer archive (`.zip`): verifies its bundle file against the registry, then
/// streams each blob, checked, into the blob store, then stores the bundle. An archive
/// refused half-way leaves nothing: the blobs it wrote that no row marks are deleted.
pub async fn import_archive(
    store: &Store,
    path: &std::path::Path,
    received_at: DateTime<Utc>,
) -> Result<ImportOutcome, ImportError> {
    let mut archive = crate::archive::Archive::open(path).map_err(ImportError::Verify)?;
    let bundle_file = archive.bundle_file().map_err(ImportError::Verify)?;
    let (bundle, text) = verify_upload(store, &bundle_file).await?;
    let mut written = Vec::new();
    let result = async {
        let mut checks = paicha_core::archive::BlobChecks::new(&bundle.payload);
        for n in 1..=archive.blob_entries() {
            let (sha256, bytes) = archive.blob(n, &mut checks).map_err(ImportError::Verify)?;
            store
                .blobs()
                .put_verified(&sha256, bytes.into())
                .await
                .map_err(StoreError::from)?;
            written.push(sha256);
        }
        checks.finish().map_err(ImportError::Verify)?;
        store_verified(store, &bundle, text, received_at, &written).await
    }
    .await;
    if result.is_err() {
        for sha256 in &written {
            if store.missing_or_unknown(sha256).await.unwrap_or(false) {
                let _ = store.blobs().delete(sha256).await;
            }
        }
    }
    result
}

async fn store_verified(
    store: &Store,
    bundle: &paicha_core::VerifiedBundle,
    text: &str,
    received_at: DateTime<Utc>,
    arrived: &[String],
) -> Result<ImportOutcome, ImportError> {
    let p = &bundle.payload;
    let outcome = store
        .insert_bundle_with_blobs(bundle, text, received_at, arrived)
        .await?;
    let missing_blobs = match outcome {
        InsertOutcome::Imported { .. } | InsertOutcome::AlreadyImported => {
            store.missing_blobs(p).await?
        }
        InsertOutcome::Conflict(_) => Vec::new(),
    };
    match outcome {
        InsertOutcome::Imported {
            fork,
            new_inspections,
            findings,
            reviews,
            unmatched_reviews,
        } => Ok(ImportOutcome::Imported(Imported {
            bundle_id: p.bundle_id,
            key_id: bundle.key_id.clone(),
            sequence: p.sequence,
            payload_sha256: bundle.payload_sha256.clone(),
            inspector_name: p.inspector.name.clone(),
            new_inspections,
            findings,
            reviews,
            unmatched_reviews,
            fork,
            missing_blobs,
        })),
        InsertOutcome::AlreadyImported => Ok(ImportOutcome::AlreadyImported {
            bundle_id: p.bundle_id,
            payload_sha256: bundle.payload_sha256.clone(),
            missing_blobs,
        }),
        InsertOutcome::Conflict(Conflict::BundleIdReused(id)) => {
            Err(ImportError::BundleIdReused(id))
        }
        InsertOutcome::Conflict(Conflict::InspectionChanged(id)) => {
            Err(ImportError::InspectionChanged(id))
        }
        InsertOutcome::Conflict(Conflict::KeyNoLongerUsable) => {
            Err(ImportError::KeyRevokedDuringImport)
        }
    }
}
