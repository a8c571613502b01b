//! Attachments: photos and the site representative's drawn signature, embedded in a bundle payload, named by
//! the SHA-256 of their bytes and referenced from answers by that hash
//! (spec: docs/bundle-format.md, "Attachments").

use crate::dsse;
use crate::inspection::Inspection;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The media types an attachment may have. Anything else is rejected by producer and verifier.
pub const MEDIA_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// One embedded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// SHA-256 of the decoded bytes, 64 lower-case hex digits. Answers refer to it by this.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[0-9a-f]{64}$")))]
    pub sha256: String,
    /// One of `image/jpeg`, `image/png`, `image/webp`.
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["image/jpeg", "image/png", "image/webp"]))
    )]
    pub media_type: String,
    /// Length of the decoded bytes.
    pub size: u64,
    /// The bytes, base64 (RFC 4648 §4, standard alphabet, padded).
    #[cfg_attr(feature = "schema", schemars(extend("contentEncoding" = "base64")))]
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error(
        "attachment {index}: media type {media_type:?} is not allowed (allowed: image/jpeg, image/png, image/webp)"
    )]
    MediaType { index: usize, media_type: String },
    #[error("attachment {index}: sha256 must be 64 lower-case hex digits, got {sha256:?}")]
    BadHash { index: usize, sha256: String },
    #[error("attachment {sha256}: data is not valid base64: {reason}")]
    Encoding { sha256: String, reason: String },
    #[error("attachment {sha256}: declares {declared} bytes but its data has {actual}")]
    SizeMismatch {
        sha256: String,
        declared: u64,
        actual: u64,
    },
    #[error("attachment {declared}: its data hashes to {actual}, not to the declared sha256")]
    HashMismatch { declared: String, actual: String },
    #[error("attachment {0} is embedded more than once")]
    Duplicate(String),
    #[error(
        "inspection {inspection}, item {item}: photo {sha256} is not among the bundle's attachments"
    )]
    Missing {
        inspection: Uuid,
        item: String,
        sha256: String,
    },
    #[error(
        "inspection {inspection}: the site representative's signature {sha256} is not among the bundle's attachments"
    )]
    MissingSignature { inspection: Uuid, sha256: String },
}

impl AttachmentError {
    /// Stable machine-readable name (used in the test vectors and by the ledger's API).
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentError::MediaType { .. } => "attachment_media_type",
            AttachmentError::BadHash { .. } => "attachment_bad_hash",
            AttachmentError::Encoding { .. } => "attachment_encoding",
            AttachmentError::SizeMismatch { .. } => "attachment_size_mismatch",
            AttachmentError::HashMismatch { .. } => "attachment_hash_mismatch",
            AttachmentError::Duplicate(_) => "attachment_duplicate",
            AttachmentError::Missing { .. } | AttachmentError::MissingSignature { .. } => {
                "attachment_missing"
            }
        }
    }
}

impl Attachment {
    /// Embeds `bytes`; fails only for a media type that is not allowed.
    pub fn new(media_type: &str, bytes: &[u8]) -> Result<Self, AttachmentError> {
        if !MEDIA_TYPES.contains(&media_type) {
            return Err(AttachmentError::MediaType {
                index: 0,
                media_type: media_type.to_string(),
            });
        }
        Ok(Self {
            sha256: crate::sha256_hex(bytes),
            media_type: media_type.to_string(),
            size: bytes.len() as u64,
            data: dsse::b64_encode(bytes),
        })
    }

    /// The decoded bytes, after checking them against `size` and `sha256`. `index` is the
    /// attachment's position in the payload, for messages.
    pub fn checked_bytes(&self, index: usize) -> Result<Vec<u8>, AttachmentError> {
        if !MEDIA_TYPES.contains(&self.media_type.as_str()) {
            return Err(AttachmentError::MediaType {
                index,
                media_type: self.media_type.clone(),
            });
        }
        if !crate::is_hex64(&self.sha256) {
            return Err(AttachmentError::BadHash {
                index,
                sha256: self.sha256.clone(),
            });
        }
        let bytes = dsse::b64_decode(&self.data).map_err(|e| AttachmentError::Encoding {
            sha256: self.sha256.clone(),
            reason: e.to_string(),
        })?;
        if bytes.len() as u64 != self.size {
            return Err(AttachmentError::SizeMismatch {
                sha256: self.sha256.clone(),
                declared: self.size,
                actual: bytes.len() as u64,
            });
        }
        let actual = crate::sha256_hex(&bytes);
        if actual != self.sha256 {
            return Err(AttachmentError::HashMismatch {
                declared: self.sha256.clone(),
                actual,
            });
        }
        Ok(bytes)
    }
}

/// Checks every attachment (in order: media type, hash spelling, base64, size, hash, not a
/// duplicate), then that every photo an answer names, and each inspection's site signature,
/// is embedded. Attachments that nothing names are allowed.
pub fn check_attachments(
    attachments: &[Attachment],
    inspections: &[Inspection],
) -> Result<(), AttachmentError> {
    let mut seen = BTreeSet::new();
    for (index, attachment) in attachments.iter().enumerate() {
        attachment.checked_bytes(index)?;
        if !seen.insert(attachment.sha256.as_str()) {
            return Err(AttachmentError::Duplicate(attachment.sha256.clone()));
        }
    }
    for inspection in inspections {
        for (item, answer) in &inspection.answers {
            if let Some(missing) = answer.photos.iter().find(|p| !seen.contains(p.as_str())) {
                return Err(AttachmentError::Missing {
                    inspection: inspection.id,
                    item: item.clone(),
                    sha256: missing.clone(),
                });
            }
        }
        for review in &inspection.reviews {
            if let Some(missing) = review.photos.iter().find(|p| !seen.contains(p.as_str())) {
                return Err(AttachmentError::Missing {
                    inspection: inspection.id,
                    item: review.hazard.to_string(),
                    sha256: missing.clone(),
                });
            }
        }
        if let Some(signature) = &inspection.site_signature
            && !seen.contains(signature.as_str())
        {
            return Err(AttachmentError::MissingSignature {
                inspection: inspection.id,
                sha256: signature.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_hashes_and_encodes_and_checked_bytes_round_trips() {
        let a = Attachment::new("image/png", b"abc").unwrap();
        assert_eq!(
            a.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((a.size, a.data.as_str()), (3, "YWJj"));
        assert_eq!(a.checked_bytes(0).unwrap(), b"abc");
        assert!(matches!(
            Attachment::new("image/gif", b"abc"),
            Err(AttachmentError::MediaType { .. })
        ));
    }

    #[test]
    fn each_defect_has_its_own_error() {
        let good = Attachment::new("image/jpeg", b"abc").unwrap();
        let cases = [
            (
                Attachment {
                    media_type: "text/html".into(),
                    ..good.clone()
                },
                "attachment_media_type",
            ),
            (
                Attachment {
                    sha256: good.sha256.to_uppercase(),
                    ..good.clone()
                },
                "attachment_bad_hash",
            ),
            (
                Attachment {
                    data: "YW*j".into(),
                    ..good.clone()
                },
                "attachment_encoding",
            ),
            (
                Attachment {
                    size: 4,
                    ..good.clone()
                },
                "attachment_size_mismatch",
            ),
            (
                Attachment {
                    data: "YWJk".into(),
                    ..good.clone()
                },
                "attachment_hash_mismatch",
            ),
        ];
        for (attachment, code) in cases {
            let err = check_attachments(&[attachment], &[]).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
        }
        let err = check_attachments(&[good.clone(), good], &[]).unwrap_err();
        assert_eq!(err.code(), "attachment_duplicate");
    }
}
