//! Verifying an envelope: signature first, payload parsing only after the signature holds.
//! The steps, their order and their error classes are those of docs/bundle-format.md,
//! "Verifying a bundle".

use crate::attachment::AttachmentError;
use crate::bundle::{BundlePayload, GENESIS_HASH, PAYLOAD_TYPE, SCHEMA_VERSIONS};
use crate::dsse::{self, Envelope, KeyId};
use crate::is_hex64;
use ed25519_dalek::{Signature, VerifyingKey};
use std::collections::BTreeSet;
use uuid::Uuid;

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
    #[error("unsupported schema_version {0} (this verifier knows 1 and 2)")]
    SchemaVersion(u32),
    #[error("{0}")]
    Attachment(#[from] AttachmentError),
    #[error("chain rule: {0}")]
    ChainRule(#[from] ChainRuleError),
    #[error("not a Paicha transfer archive: {0}")]
    MalformedArchive(String),
}

/// Rules about a bundle's own place in its device's hash chain and about what one bundle may
/// contain. Forks and gaps between bundles are the ledger's to detect, not a verifier's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainRuleError {
    #[error("sequence 1 must name the genesis hash (64 zeros) as previous_payload_sha256")]
    FirstWithoutGenesis,
    #[error("sequence {0} names the genesis hash as previous_payload_sha256; only sequence 1 may")]
    GenesisAfterFirst(u64),
    #[error("sequence {0} is too large (at most {max})", max = i64::MAX)]
    SequenceTooLarge(u64),
    #[error("inspection {0} appears more than once in the bundle")]
    DuplicateInspection(Uuid),
}

impl ChainRuleError {
    pub fn code(&self) -> &'static str {
        match self {
            ChainRuleError::FirstWithoutGenesis => "chain_first_without_genesis",
            ChainRuleError::GenesisAfterFirst(_) => "chain_genesis_after_first",
            ChainRuleError::SequenceTooLarge(_) => "chain_sequence_too_large",
            ChainRuleError::DuplicateInspection(_) => "chain_duplicate_inspection",
        }
    }
}

impl VerifyError {
    /// A stable machine-readable name for the failure, as listed in docs/bundle-format.md and
    /// used by the negative test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::MalformedEnvelope(_) => "malformed_envelope",
            VerifyError::WrongPayloadType(_) => "wrong_payload_type",
            VerifyError::SignatureCount(_) => "signature_count",
            VerifyError::Encoding(_) => "bad_encoding",
            VerifyError::UnknownKey(_) => "unknown_key",
            VerifyError::RevokedKey { .. } => "revoked_key",
            VerifyError::KeyMismatch(_) => "key_mismatch",
            VerifyError::BadSignature(_) => "bad_signature",
            VerifyError::Schema(_) => "schema",
            VerifyError::SchemaVersion(_) => "schema_version",
            VerifyError::Attachment(e) => e.code(),
            VerifyError::ChainRule(e) => e.code(),
            VerifyError::MalformedArchive(_) => "malformed_archive",
        }
    }
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

/// Verifies envelope bytes (a bundle file's content) against keys from `keys`: steps 1 to 10
/// of the spec. The single-bundle chain rules (step 11) are left to the caller
/// ([`check_chain_rules`]); [`verify_bundle_full`] applies them too.
pub fn verify_bundle(bytes: &[u8], keys: &dyn KeySource) -> Result<VerifiedBundle, VerifyError> {
    verify_envelope(parse_envelope(bytes)?, keys)
}

/// Every check of the spec (steps 1 to 11) for one bundle file.
pub fn verify_bundle_full(
    bytes: &[u8],
    keys: &dyn KeySource,
) -> Result<VerifiedBundle, VerifyError> {
    verify_envelope_full(parse_envelope(bytes)?, keys)
}

fn parse_envelope(bytes: &[u8]) -> Result<Envelope, VerifyError> {
    serde_json::from_slice(bytes).map_err(|e| VerifyError::MalformedEnvelope(e.to_string()))
}

/// [`verify_envelope`] and then [`check_chain_rules`].
pub fn verify_envelope_full(
    envelope: Envelope,
    keys: &dyn KeySource,
) -> Result<VerifiedBundle, VerifyError> {
    let bundle = verify_envelope(envelope, keys)?;
    check_chain_rules(&bundle.payload)?;
    Ok(bundle)
}

/// Steps 2 to 10 of the spec on a parsed envelope.
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
    // `from_bytes` rejects encodings that are not curve points; `verify_strict` rejects a
    // non-canonical S, small-order keys and small-order R, and compares R's encoding.
    let verifying_key = VerifyingKey::from_bytes(&raw_key)
        .map_err(|_| VerifyError::BadSignature(key_id.to_string()))?;
    verifying_key
        .verify_strict(
            &dsse::pae(&envelope.payload_type, &payload_bytes),
            &Signature::from_bytes(&sig_bytes),
        )
        .map_err(|_| VerifyError::BadSignature(key_id.to_string()))?;

    // Only now is the payload trusted enough to parse.
    let payload = parse_payload(&payload_bytes)?;
    if payload.device.key_id != key_id {
        return Err(VerifyError::KeyMismatch(key_id.to_string()));
    }
    check_payload(&payload)?;
    Ok(VerifiedBundle {
        payload_sha256: crate::sha256_hex(&payload_bytes),
        envelope,
        key_id,
        payload_bytes,
        payload,
    })
}

/// Step 9: `schema_version` first (so that a newer payload is named as such rather than as
/// unknown fields), then a strict parse: no unknown fields, no duplicate keys, exact types.
pub fn parse_payload(payload: &[u8]) -> Result<BundlePayload, VerifyError> {
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let version: Version = serde_json::from_slice(payload)
        .map_err(|e| VerifyError::Schema(format!("cannot read schema_version: {e}")))?;
    if !SCHEMA_VERSIONS.contains(&version.schema_version) {
        return Err(VerifyError::SchemaVersion(version.schema_version));
    }
    serde_json::from_slice::<NoDuplicateKeys>(payload)
        .map_err(|e| VerifyError::Schema(e.to_string()))?;
    let parsed: BundlePayload =
        serde_json::from_slice(payload).map_err(|e| VerifyError::Schema(e.to_string()))?;
    check_spelling(payload)?;
    crate::bundle::attachment_form(parsed.schema_version, &parsed.attachments)
        .map_err(VerifyError::Schema)?;
    Ok(parsed)
}

/// Whether `s` is spelled as the format's timestamps are (section 8 of docs/bundle-format.md):
/// `YYYY-MM-DDThh:mm:ss`, then `.` and 1 to 9 digits or nothing, then `Z` or `±hh:mm` with ASCII
/// signs, seconds 00-59. chrono's RFC 3339 parser also takes a space or `t` for `T`, `z`,
/// U+2212 for `-`, leap seconds and any number of fraction digits (dropping those past the
/// ninth); other implementations differ on each, so the format allows none of them. Ranges
/// (months, days, hours, offsets) are left to the parser that follows.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|d| d.len() == range.len() && d.iter().all(u8::is_ascii_digit))
    };
    let head = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b'T')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19)
        && b[17] <= b'5';
    if !head {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let fraction = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&fraction) {
            return false;
        }
        rest = &after_dot[fraction..];
    }
    match rest {
        b"Z" => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-') && [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// The typed parse is lenient about how some values are spelled (it upper-cases a credit
/// code, reads UUIDs without hyphens, timestamps with a space); the format allows exactly one
/// spelling, the one the JSON Schema describes, so that every verifier agrees.
fn check_spelling(payload: &[u8]) -> Result<(), VerifyError> {
    use serde::Deserialize;
    use std::collections::BTreeMap;
    #[derive(Deserialize)]
    struct Raw {
        bundle_id: String,
        created_at: String,
        inspections: Vec<RawInspection>,
    }
    #[derive(Deserialize)]
    struct RawInspection {
        id: String,
        site: RawSite,
        started_at: String,
        sealed_at: Option<String>,
        answers: BTreeMap<String, RawAnswer>,
        #[serde(default)]
        reviews: Vec<RawReview>,
    }
    #[derive(Deserialize)]
    struct RawReview {
        hazard: RawHazard,
        reviewed_at: Option<String>,
    }
    #[derive(Deserialize)]
    struct RawHazard {
        inspection_id: String,
    }
    #[derive(Deserialize)]
    struct RawSite {
        credit_code: String,
    }
    #[derive(Deserialize)]
    struct RawAnswer {
        answered_at: String,
    }
    let raw: Raw =
        serde_json::from_slice(payload).map_err(|e| VerifyError::Schema(e.to_string()))?;
    let uuid = |what: &str, s: &str| {
        let ok = s.len() == 36
            && s.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => matches!(b, b'0'..=b'9' | b'a'..=b'f'),
            });
        if ok {
            Ok(())
        } else {
            Err(VerifyError::Schema(format!(
                "{what} {s:?} must be a lower-case hyphenated UUID"
            )))
        }
    };
    let time = |what: &str, s: &str| {
        if !is_timestamp(s) {
            return Err(VerifyError::Schema(format!(
                "{what} {s:?} must be written YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm) \
                 (upper-case T and Z, 1 to 9 fraction digits, seconds 00-59)"
            )));
        }
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|_| ())
            .map_err(|e| {
                VerifyError::Schema(format!("{what} {s:?} is not an RFC 3339 date-time: {e}"))
            })
    };
    uuid("bundle_id", &raw.bundle_id)?;
    time("created_at", &raw.created_at)?;
    for i in &raw.inspections {
        uuid("inspection id", &i.id)?;
        time("started_at", &i.started_at)?;
        if let Some(sealed_at) = &i.sealed_at {
            time("sealed_at", sealed_at)?;
        }
        for a in i.answers.values() {
            time("answered_at", &a.answered_at)?;
        }
        for r in &i.reviews {
            uuid("reviewed inspection id", &r.hazard.inspection_id)?;
            if let Some(at) = &r.reviewed_at {
                time("reviewed_at", at)?;
            }
        }
        let code = &i.site.credit_code;
        if crate::CreditCode::parse(code).map(|c| c.as_str() == code) != Ok(true) {
            return Err(VerifyError::Schema(format!(
                "credit_code {code:?} must be 18 upper-case characters without spaces"
            )));
        }
    }
    Ok(())
}

impl BundlePayload {
    /// Every rule the verifier applies to a parsed payload (docs/bundle-format.md,
    /// verification steps 10 and 11), for producers to run before signing. Here rather than
    /// in `bundle`, which the verifier builds on.
    pub fn check(&self) -> Result<(), VerifyError> {
        check_payload(self)?;
        check_chain_rules(self)
    }
}

/// Step 10: the rules a well-formed payload must meet on its own, apart from the chain rules.
pub fn check_payload(p: &BundlePayload) -> Result<(), VerifyError> {
    if !SCHEMA_VERSIONS.contains(&p.schema_version) {
        return Err(VerifyError::SchemaVersion(p.schema_version));
    }
    let raw: [u8; 32] = dsse::b64_decode(&p.device.public_key)
        .map_err(|e| VerifyError::Encoding(format!("device.public_key: {e}")))?
        .try_into()
        .map_err(|_| VerifyError::Encoding("device.public_key must be 32 bytes".into()))?;
    if KeyId::from_public_key(&raw) != p.device.key_id {
        return Err(VerifyError::KeyMismatch(p.device.key_id.to_string()));
    }
    if p.sequence == 0 {
        return Err(VerifyError::Schema("sequence starts at 1".into()));
    }
    if !is_hex64(&p.previous_payload_sha256) {
        return Err(VerifyError::Schema(
            "previous_payload_sha256 must be 64 lower-case hex digits".into(),
        ));
    }
    if p.inspections.is_empty() {
        return Err(VerifyError::Schema(
            "a bundle carries at least one inspection".into(),
        ));
    }
    for inspection in &p.inspections {
        if !inspection.is_sealed() {
            return Err(VerifyError::Schema(format!(
                "inspection {} is not sealed",
                inspection.id
            )));
        }
        if !is_hex64(&inspection.checklist.content_hash.0) {
            return Err(VerifyError::Schema(format!(
                "inspection {}: checklist content_hash must be 64 lower-case hex digits",
                inspection.id
            )));
        }
    }
    crate::bundle::attachment_form(p.schema_version, &p.attachments)
        .map_err(VerifyError::Schema)?;
    crate::attachment::check_attachments(&p.attachments, &p.inspections)?;
    Ok(())
}

/// Step 11, the single-bundle chain rules: sequence 1 and only sequence 1 names the genesis
/// hash; the sequence fits a signed 64-bit integer (SQL BIGINT, Java `long`); no inspection
/// twice in one bundle.
pub fn check_chain_rules(p: &BundlePayload) -> Result<(), VerifyError> {
    let genesis = p.previous_payload_sha256 == GENESIS_HASH;
    match (p.sequence, genesis) {
        (1, false) => return Err(ChainRuleError::FirstWithoutGenesis.into()),
        (n, true) if n != 1 => return Err(ChainRuleError::GenesisAfterFirst(n).into()),
        _ => {}
    }
    if i64::try_from(p.sequence).is_err() {
        return Err(ChainRuleError::SequenceTooLarge(p.sequence).into());
    }
    let mut seen = BTreeSet::new();
    if let Some(dup) = p.inspections.iter().find(|i| !seen.insert(i.id)) {
        return Err(ChainRuleError::DuplicateInspection(dup.id).into());
    }
    Ok(())
}

/// Any JSON value, read only to reject an object that names one key twice (which JSON
/// parsers resolve differently: some keep the first value, some the last).
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut keys = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }
}
