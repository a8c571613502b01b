//! Trust in device keys: building enrolments and answering the verifier's key questions from
//! the registry rather than from the bundle.

use crate::store::{Device, NewDevice};
use paicha_core::dsse::{self, KeyId};
use paicha_core::verify::{EmbeddedKey, KeySource, embedded_public_key, verify_bundle};
use paicha_core::{VerifiedBundle, VerifyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolError {
    #[error("key id must be 64 hex digits (spaces allowed), got {0:?}")]
    KeyId(String),
    #[error("public key is not valid base64: {0}")]
    PublicKeyEncoding(String),
    #[error("public key must be 32 bytes (raw Ed25519), it has {0}")]
    PublicKeyLength(usize),
    #[error(
        "the public key is not a usable Ed25519 key (not a curve point, or one of small order \
         that verifies forged signatures); no signature could be checked against it"
    )]
    WeakKey,
    #[error("the public key does not match key id {given}; its key id is {actual}")]
    KeyMismatch { given: String, actual: String },
    #[error("{0} must not be empty")]
    Required(&'static str),
    #[error("the bundle's signature does not hold, so its key cannot be enrolled: {0}")]
    Bundle(VerifyError),
    #[error(
        "the bundle's key id {actual} does not start with the expected {expected}; \
         do not enrol it, and ask the inspector to read the key id on the phone again"
    )]
    UnexpectedKey { expected: String, actual: String },
}

/// Normalises a key id or key id prefix as an operator may type it ("1a2b 3c4d …").
pub fn normalise_key_id(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

impl NewDevice {
    /// An enrolment from explicit values; the public key must hash to the key id.
    pub fn from_parts(
        key_id: &str,
        public_key_b64: &str,
        inspector_name: &str,
        cert_no: &str,
        organisation: &str,
    ) -> Result<Self, EnrolError> {
        let key_id = KeyId::try_from(normalise_key_id(key_id))
            .map_err(|_| EnrolError::KeyId(key_id.to_string()))?;
        let raw = dsse::b64_decode(public_key_b64.trim())
            .map_err(|e| EnrolError::PublicKeyEncoding(e.to_string()))?;
        let raw: [u8; 32] = raw
            .as_slice()
            .try_into()
            .map_err(|_| EnrolError::PublicKeyLength(raw.len()))?;
        // Every enrolment path comes through here; bundles are verified strictly (section 6 of
        // docs/bundle-format.md), so such a key could never sign one, and enrolling it would
        // only show an unusable device as enrolled.
        let usable = ed25519_dalek::VerifyingKey::from_bytes(&raw).is_ok_and(|k| !k.is_weak());
        if !usable {
            return Err(EnrolError::WeakKey);
        }
        let actual = KeyId::from_public_key(&raw);
        if actual != key_id {
            return Err(EnrolError::KeyMismatch {
                given: key_id.to_string(),
                actual: actual.to_string(),
            });
        }
        let required = |value: &str, what: &'static str| {
            let value = value.trim();
            if value.is_empty() {
                Err(EnrolError::Required(what))
            } else {
                Ok(value.to_string())
            }
        };
        Ok(Self {
            key_id,
            // Re-encoded so that the registry always holds the canonical spelling.
            public_key: dsse::b64_encode(&raw),
            inspector_name: required(inspector_name, "the inspector name")?,
            cert_no: required(cert_no, "the certificate number (执法证号)")?,
            organisation: organisation.trim().to_string(),
            account_id: None,
        })
    }

    /// An enrolment read from a bundle the device exported. The signature is checked with the
    /// key the bundle carries, which proves the bundle is intact but not who holds the key: the
    /// operator confirms that by comparing the key id with the one on the inspector's phone
    /// (or passes it as `expected_key_id`).
    pub fn from_bundle(
        bytes: &[u8],
        organisation: &str,
        expected_key_id: Option<&str>,
    ) -> Result<(Self, VerifiedBundle), EnrolError> {
        let bundle = verify_bundle(bytes, &EmbeddedKey).map_err(EnrolError::Bundle)?;
        if let Some(expected) = expected_key_id {
            let expected = normalise_key_id(expected);
            if expected.is_empty() || !bundle.key_id.as_str().starts_with(&expected) {
                return Err(EnrolError::UnexpectedKey {
                    expected,
                    actual: bundle.key_id.to_string(),
                });
            }
        }
        let p = &bundle.payload;
        let device = Self::from_parts(
            bundle.key_id.as_str(),
            &p.device.public_key,
            &p.inspector.name,
            &p.inspector.cert_no,
            organisation,
        )?;
        Ok((device, bundle))
    }
}

/// The verifier's key source backed by the registry entry for the bundle's key (looked up
/// beforehand, because the registry is async and [`KeySource`] is not).
pub struct EnrolledKey<'a> {
    pub device: Option<&'a Device>,
}

impl KeySource for EnrolledKey<'_> {
    fn public_key(&self, key_id: &KeyId, payload: &[u8]) -> Result<[u8; 32], VerifyError> {
        let device = self
            .device
            .filter(|d| &d.key_id == key_id)
            .ok_or_else(|| VerifyError::UnknownKey(key_id.to_string()))?;
        if let Some(at) = device.revoked_at {
            let reason = device.revoke_reason.clone().unwrap_or_default();
            return Err(VerifyError::RevokedKey {
                key_id: key_id.to_string(),
                reason: format!("{reason} (revoked {})", crate::time::cst_minute(at)),
            });
        }
        // A disabled account's devices are refused like revoked keys, from that moment on.
        if let Some(reason) = device.refusal() {
            return Err(VerifyError::RevokedKey {
                key_id: key_id.to_string(),
                reason,
            });
        }
        let enrolled: [u8; 32] = dsse::b64_decode(&device.public_key)
            .ok()
            .and_then(|raw| raw.try_into().ok())
            .ok_or_else(|| VerifyError::KeyMismatch(key_id.to_string()))?;
        // A registry row whose key does not hash to its id must never vouch for a signature.
        if &KeyId::from_public_key(&enrolled) != key_id {
            return Err(VerifyError::KeyMismatch(key_id.to_string()));
        }
        // The payload must declare the same key (both hash to key_id, so they are equal).
        embedded_public_key(key_id, payload)?;
        Ok(enrolled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enrol(raw: &[u8; 32]) -> Result<NewDevice, EnrolError> {
        let key_id = KeyId::from_public_key(raw);
        NewDevice::from_parts(
            key_id.as_str(),
            &dsse::b64_encode(raw),
            "张三",
            "13010000001",
            "",
        )
    }

    #[test]
    fn small_order_and_off_curve_keys_are_never_enrolled() {
        // The identity point (small order) and the point of order 2 (y = -1).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut order_two = [0xffu8; 32];
        order_two[0] = 0xec;
        order_two[31] = 0x7f;
        for weak in [identity, order_two] {
            assert_eq!(enrol(&weak).unwrap_err(), EnrolError::WeakKey);
        }
        // The first small y that is no point's y-coordinate (about half of them are not).
        let off_curve = (2u8..100)
            .map(|y| {
                let mut raw = [0u8; 32];
                raw[0] = y;
                raw
            })
            .find(|raw| ed25519_dalek::VerifyingKey::from_bytes(raw).is_err())
            .expect("an encoding that is not a curve point");
        assert_eq!(enrol(&off_curve).unwrap_err(), EnrolError::WeakKey);
        // A real key is enrolled.
        let real = ed25519_dalek::SigningKey::from_bytes(&[7; 32])
            .verifying_key()
            .to_bytes();
        assert!(enrol(&real).is_ok());
    }
}
