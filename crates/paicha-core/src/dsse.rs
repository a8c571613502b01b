//! DSSE v1 envelopes (https://github.com/secure-systems-lab/dsse, protocol.md and envelope.md).
//!
//! The signature covers PAE(payloadType, payload), so the payload type cannot be swapped without
//! breaking it. Base64 is RFC 4648 §4 (standard alphabet, with padding) when encoding; decoding
//! also accepts the URL-safe alphabet and missing padding, as the DSSE envelope spec requires.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Pre-Authentication Encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`,
/// LEN being the byte length in ASCII decimal without leading zeros.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Key id: lower-case hex SHA-256 of the raw 32-byte Ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    pub fn from_public_key(raw: &[u8; 32]) -> Self {
        Self(crate::hex(&Sha256::digest(raw)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The first 16 hex digits, grouped for reading aloud when enrolling a device.
    pub fn short(&self) -> String {
        // The id is validated ASCII hex, so byte offsets are character offsets.
        [
            &self.0[0..4],
            &self.0[4..8],
            &self.0[8..12],
            &self.0[12..16],
        ]
        .join(" ")
    }
}

impl TryFrom<String> for KeyId {
    type Error = DecodeError;
    fn try_from(s: String) -> Result<Self, DecodeError> {
        let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(Self(s))
        } else {
            Err(DecodeError::KeyId(s))
        }
    }
}

impl From<KeyId> for String {
    fn from(k: KeyId) -> Self {
        k.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not valid base64: {0}")]
    Base64(String),
    #[error("key id must be 64 lower-case hex digits, got {0:?}")]
    KeyId(String),
}

pub fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard or URL-safe base64, padded or not.
pub fn b64_decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    let unpadded = text.trim_end_matches('=');
    let url_safe: String = unpadded
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    URL_SAFE_NO_PAD
        .decode(url_safe)
        .map_err(|e| DecodeError::Base64(e.to_string()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub keyid: String,
    pub sig: String,
}

/// The JSON envelope, field names as in the DSSE spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

impl Envelope {
    /// Wraps a payload and a signature that the caller made over `pae(payload_type, payload)`.
    pub fn new(payload_type: &str, payload: &[u8], key_id: &KeyId, signature: &[u8]) -> Self {
        Self {
            payload: b64_encode(payload),
            payload_type: payload_type.to_string(),
            signatures: vec![Signature {
                keyid: key_id.to_string(),
                sig: b64_encode(signature),
            }],
        }
    }

    /// Canonical file form: compact JSON followed by a newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string(self).expect("an envelope always serialises");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // Example from the DSSE protocol document.
        let got = pae("http://example.com/HelloWorld", b"hello world");
        assert_eq!(
            got,
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn pae_counts_bytes_not_chars() {
        let got = pae("t", "隐患".as_bytes());
        assert_eq!(got, "DSSEv1 1 t 6 隐患".as_bytes().to_vec());
    }

    #[test]
    fn base64_accepts_both_alphabets_and_missing_padding() {
        let bytes = [0xfbu8, 0xff, 0xfe, 0x01];
        let std = b64_encode(&bytes);
        assert_eq!(std, "+//+AQ==");
        assert_eq!(b64_decode(&std).unwrap(), bytes);
        assert_eq!(b64_decode("-__-AQ").unwrap(), bytes);
        assert!(b64_decode("not base64!").is_err());
        // docs/bundle-format.md section 4: the exact decoding rules.
        assert_eq!(b64_decode("YQ==").unwrap(), b"a");
        assert_eq!(b64_decode("YQ").unwrap(), b"a");
        assert!(b64_decode("YR").is_err(), "non-zero unused bits");
        assert!(b64_decode("YWJjZ").is_err(), "length mod 4 = 1");
        assert!(b64_decode("YW Jj").is_err(), "whitespace");
        assert!(b64_decode("YWJj\n").is_err(), "line break");
    }

    #[test]
    fn key_id_is_sha256_of_raw_key_and_validated() {
        let id = KeyId::from_public_key(&[0u8; 32]);
        assert_eq!(
            id.as_str(),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
        assert_eq!(id.short(), "6668 7aad f862 bd77");
        assert!(KeyId::try_from("ABC".to_string()).is_err());
    }
}
