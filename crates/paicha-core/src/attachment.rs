//! Attachments: photos and the site representative's drawn signature, named in a bundle payload
//! by the SHA-256 of their bytes and referenced from answers by that hash. Version 1 payloads
//! embed the bytes (`data`); version 2 payloads only name them, and the bytes travel beside
//! the envelope as blobs (spec: docs/bundle-format.md, "Attachments" and "Blobs").

use crate::dsse;
use crate::inspection::Inspection;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The media types an attachment may have. Anything else is rejected by producer and verifier.
pub const MEDIA_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// The largest file a version 2 payload may name (32 MiB): what the ledger takes in one
/// `PUT /api/blobs/{sha256}`. A device's photos are about 300 KB.
pub const MAX_BLOB_BYTES: u64 = 32 * 1024 * 1024;

/// One file: named (version 2) or embedded (version 1).
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
    /// Version 1 only (required there): the bytes, base64 (RFC 4648 §4, standard alphabet,
    /// padded). Version 2 never carries it: the bytes are a blob beside the envelope.
    #[cfg_attr(
        feature = "schema",
        schemars(with = "String", extend("contentEncoding" = "base64"))
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error(
        "attachment {index}: media type {media_type:?} is not allowed (allowed: image/jpeg, image/png, image/webp)"
    )]
    MediaType { index: usize, media_type: String },
    #[error("attachment {index}: sha256 must be 64 lower-case hex digits, got {sha256:?}")]
    BadHash { index: usize, sha256: String },
    #[error(
        "attachment {sha256}: names {size} bytes, more than the {MAX_BLOB_BYTES} a file may have"
    )]
    TooLarge { sha256: String, size: u64 },
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
    #[error("blob {sha256}: the payload names {declared} bytes, the blob has {actual}")]
    BlobSizeMismatch {
        sha256: String,
        declared: u64,
        actual: u64,
    },
    #[error("blob {declared}: its bytes hash to {actual}")]
    BlobHashMismatch { declared: String, actual: String },
    #[error("blob {0} is named by the payload but not there")]
    BlobMissing(String),
    #[error("blob {0} is not named by the payload's attachments")]
    BlobUnnamed(String),
}

impl AttachmentError {
    /// Stable machine-readable name (used in the test vectors and by the ledger's API).
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentError::MediaType { .. } => "attachment_media_type",
            AttachmentError::BadHash { .. } => "attachment_bad_hash",
            AttachmentError::TooLarge { .. } => "attachment_too_large",
            AttachmentError::Encoding { .. } => "attachment_encoding",
            AttachmentError::SizeMismatch { .. } => "attachment_size_mismatch",
            AttachmentError::HashMismatch { .. } => "attachment_hash_mismatch",
            AttachmentError::Duplicate(_) => "attachment_duplicate",
            AttachmentError::Missing { .. } | AttachmentError::MissingSignature { .. } => {
                "attachment_missing"
            }
            AttachmentError::BlobSizeMismatch { .. } => "blob_size_mismatch",
            AttachmentError::BlobHashMismatch { .. } => "blob_hash_mismatch",
            AttachmentError::BlobMissing(_) => "blob_missing",
            AttachmentError::BlobUnnamed(_) => "blob_unnamed",
        }
    }
}

impl Attachment {
    /// Names `bytes` for a version 2 payload (hash, size, type; the bytes travel as a blob).
    /// Fails for a media type that is not allowed or a file over [`MAX_BLOB_BYTES`].
    pub fn new(media_type: &str, bytes: &[u8]) -> Result<Self, AttachmentError> {
        let named = Self {
            sha256: crate::sha256_hex(bytes),
            media_type: media_type.to_string(),
            size: bytes.len() as u64,
            data: None,
        };
        named.check_name(0)?;
        Ok(named)
    }

    /// Embeds `bytes`, for a version 1 payload.
    pub fn embedded(media_type: &str, bytes: &[u8]) -> Result<Self, AttachmentError> {
        Ok(Self {
            data: Some(dsse::b64_encode(bytes)),
            ..Self::new(media_type, bytes)?
        })
    }

    /// The same file named only, as a version 2 payload carries it.
    pub fn without_data(&self) -> Self {
        Self {
            data: None,
            ..self.clone()
        }
    }

    /// Media type and hash spelling: the first rules of every attachment, either version.
    fn check_spelling(&self, index: usize) -> Result<(), AttachmentError> {
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
        Ok(())
    }

    /// Spelling and size limit: what a name alone can be checked for.
    fn check_name(&self, index: usize) -> Result<(), AttachmentError> {
        self.check_spelling(index)?;
        if self.size > MAX_BLOB_BYTES {
            return Err(AttachmentError::TooLarge {
                sha256: self.sha256.clone(),
                size: self.size,
            });
        }
        Ok(())
    }

    /// Checks a blob's bytes against this name (section "Blobs" of the spec): size, then hash.
    pub fn check_blob(&self, bytes: &[u8]) -> Result<(), AttachmentError> {
        self.check_blob_digest(bytes.len() as u64, &crate::sha256_hex(bytes))
    }

    /// [`Self::check_blob`] for a blob hashed while it streamed past.
    pub fn check_blob_digest(&self, size: u64, sha256: &str) -> Result<(), AttachmentError> {
        if size != self.size {
            return Err(AttachmentError::BlobSizeMismatch {
                sha256: self.sha256.clone(),
                declared: self.size,
                actual: size,
            });
        }
        if sha256 != self.sha256 {
            return Err(AttachmentError::BlobHashMismatch {
                declared: self.sha256.clone(),
                actual: sha256.to_string(),
            });
        }
        Ok(())
    }

    /// The decoded bytes of an embedded (version 1) file, after checking them against `size`
    /// and `sha256`. `index` is the attachment's position in the payload, for messages.
    pub fn checked_bytes(&self, index: usize) -> Result<Vec<u8>, AttachmentError> {
        self.check_spelling(index)?;
        let data = self.data.as_deref().unwrap_or_default();
        let bytes = dsse::b64_decode(data).map_err(|e| AttachmentError::Encoding {
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

/// Checks every attachment in order (version 1: media type, hash spelling, base64, size,
/// hash; version 2: media type, hash spelling, size limit; then: not a duplicate), then that
/// every photo an answer or review names, and each inspection's site signature, is among them.
/// Attachments that nothing names are allowed. Whether `data` is there at all is the
/// payload's schema rule, checked before (see `verify::check_payload`).
pub fn check_attachments(
    attachments: &[Attachment],
    inspections: &[Inspection],
) -> Result<(), AttachmentError> {
    let mut seen = BTreeSet::new();
    for (index, attachment) in attachments.iter().enumerate() {
        match attachment.data {
            Some(_) => attachment.checked_bytes(index).map(drop)?,
            None => attachment.check_name(index)?,
        }
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
        let named = Attachment::new("image/png", b"abc").unwrap();
        assert_eq!(
            named.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((named.size, named.data.as_deref()), (3, None));
        let a = Attachment::embedded("image/png", b"abc").unwrap();
        assert_eq!((a.size, a.data.as_deref()), (3, Some("YWJj")));
        assert_eq!(a.without_data(), named);
        assert_eq!(a.checked_bytes(0).unwrap(), b"abc");
        assert!(matches!(
            Attachment::new("image/gif", b"abc"),
            Err(AttachmentError::MediaType { .. })
        ));
    }

    #[test]
    fn each_defect_has_its_own_error() {
        let good = Attachment::embedded("image/jpeg", b"abc").unwrap();
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
                    data: Some("YW*j".into()),
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
                    data: Some("YWJk".into()),
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

    #[test]
    fn a_named_file_is_checked_by_its_name_and_a_blob_against_it() {
        let named = Attachment::new("image/jpeg", b"abc").unwrap();
        let too_large = Attachment {
            size: MAX_BLOB_BYTES + 1,
            ..named.clone()
        };
        let err = check_attachments(&[too_large], &[]).unwrap_err();
        assert_eq!(err.code(), "attachment_too_large");
        let err = check_attachments(&[named.clone(), named.clone()], &[]).unwrap_err();
        assert_eq!(err.code(), "attachment_duplicate");
        assert_eq!(named.check_blob(b"abc"), Ok(()));
        assert_eq!(
            named.check_blob(b"abcd").unwrap_err().code(),
            "blob_size_mismatch"
        );
        assert_eq!(
            named.check_blob(b"abd").unwrap_err().code(),
            "blob_hash_mismatch"
        );
        assert!(Attachment::new("image/gif", b"abc").is_err());
    }
}
