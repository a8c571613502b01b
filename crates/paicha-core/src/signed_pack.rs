//! Signed checklist packs (spec: docs/checklist-packs.md): the province signs each pack as a DSSE
//! v1 envelope (Ed25519, payload type [`PACK_PAYLOAD_TYPE`]); the app installs a pack only when
//! the signature is made by a key it trusts. The trusted keys start as the trust root shipped in
//! the build and change only through key statements (payload type [`KEYS_PAYLOAD_TYPE`]), each
//! signed by a key trusted before it and carrying a higher serial number.
//!
//! The file served at `GET /api/checklists` and shipped as `checklists/pack.json`:
//!
//! ```json
//! {"envelope": {"payload": …, "payloadType": "application/vnd.paicha.checklist-pack.v1+json",
//!               "signatures": [{"keyid": …, "sig": …}]},
//!  "key_statements": [ {…DSSE envelope of a key list…}, … ]}
//! ```
//!
//! Verification is written once, generic over how an Ed25519 signature is checked, so that the
//! app can use the browser's WebCrypto (asynchronous) and the ledger and the build ed25519-dalek.

use crate::dsse::{self, Envelope, KeyId};
use crate::pack::{ChecklistPack, PackError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// DSSE payload type of a signed checklist pack.
pub const PACK_PAYLOAD_TYPE: &str = "application/vnd.paicha.checklist-pack.v1+json";
/// DSSE payload type of a key statement: the complete list of keys trusted from its serial on.
pub const KEYS_PAYLOAD_TYPE: &str = "application/vnd.paicha.checklist-keys.v1+json";

/// One key allowed to sign checklist packs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedKey {
    /// `hex(SHA-256(public key))`, as for device keys.
    pub key_id: KeyId,
    /// The raw 32-byte Ed25519 public key, standard base64.
    pub public_key: String,
    /// Whose key it is, e.g. 省应急管理厅 2026.
    pub name: String,
}

impl TrustedKey {
    pub fn new(public_key: &[u8; 32], name: &str) -> Self {
        Self {
            key_id: KeyId::from_public_key(public_key),
            public_key: dsse::b64_encode(public_key),
            name: name.to_string(),
        }
    }

    /// The raw key, checked against its key id.
    pub fn raw(&self) -> Result<[u8; 32], PackRefusal> {
        let raw: [u8; 32] = dsse::b64_decode(&self.public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| PackRefusal::Malformed(format!("key {}: not 32 bytes", self.key_id)))?;
        if KeyId::from_public_key(&raw) != self.key_id {
            return Err(PackRefusal::Malformed(format!(
                "key {}: the public key does not hash to its id",
                self.key_id
            )));
        }
        Ok(raw)
    }
}

/// The keys trusted to sign packs, and the serial number of the statement (or trust root) that
/// set them. A higher serial replaces a lower one; an equal or lower one changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyList {
    pub serial: u64,
    pub keys: Vec<TrustedKey>,
    /// When the statement was made (absent in a trust root written by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
}

impl KeyList {
    /// Parses a trust root (or a stored key list): at least one key, each 32 bytes matching its
    /// id, no id twice.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PackRefusal> {
        let list: Self = serde_json::from_slice(bytes)
            .map_err(|e| PackRefusal::Malformed(format!("key list: {e}")))?;
        list.check()?;
        Ok(list)
    }

    fn check(&self) -> Result<(), PackRefusal> {
        if self.keys.is_empty() {
            return Err(PackRefusal::Malformed("key list: no keys".into()));
        }
        for (i, key) in self.keys.iter().enumerate() {
            key.raw()?;
            if self.keys[..i].iter().any(|k| k.key_id == key.key_id) {
                return Err(PackRefusal::Malformed(format!(
                    "key list: key {} twice",
                    key.key_id
                )));
            }
        }
        Ok(())
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a key list always serialises")
    }

    pub fn key(&self, id: &str) -> Option<&TrustedKey> {
        self.keys.iter().find(|k| k.key_id.as_str() == id)
    }

    /// The newer of two lists (by serial; `self` on a tie).
    pub fn newest(self, other: Self) -> Self {
        if other.serial > self.serial {
            other
        } else {
            self
        }
    }
}

/// The file a pack travels in: the signed pack and the key statements a device may not have yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedPackFile {
    pub envelope: Envelope,
    /// Oldest first; statements the device already has (serial not above its own) are skipped.
    #[serde(default)]
    pub key_statements: Vec<Envelope>,
}

impl SignedPackFile {
    /// Compact JSON and a final newline, as the build and `checklists sign` write it.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).expect("a pack file always serialises");
        out.push(b'\n');
        out
    }
}

/// Why a pack was refused: the app shows it and keeps the installed pack; the ledger refuses to
/// serve it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackRefusal {
    #[error("检查表包未签名 / the checklist pack is not signed")]
    Unsigned,
    #[error("不是签名的检查表包 / not a signed checklist pack: {0}")]
    Malformed(String),
    #[error("签名类型不符（{0}） / wrong payload type {0}")]
    WrongPayloadType(String),
    #[error("须恰有一个签名，实有 {0} 个 / exactly one signature is required, found {0}")]
    SignatureCount(usize),
    #[error("签名密钥 {0} 不在信任的密钥中 / signed by key {0}, which is not trusted")]
    UntrustedKey(String),
    #[error(
        "签名无效：检查表包被改动，或者不是密钥 {0} 签的 / bad signature: the pack was altered or not signed by key {0}"
    )]
    BadSignature(String),
    #[error(
        "密钥轮换声明无效（序号 {serial}）：{reason} / key statement {serial} refused: {reason}"
    )]
    BadKeyStatement { serial: u64, reason: String },
    #[error("检查表内容与其哈希不符 / {0}")]
    Content(#[from] PackError),
}

impl PackRefusal {
    /// A stable machine-readable name, as listed in docs/checklist-packs.md.
    pub fn code(&self) -> &'static str {
        match self {
            PackRefusal::Unsigned => "unsigned",
            PackRefusal::Malformed(_) => "malformed",
            PackRefusal::WrongPayloadType(_) => "wrong_payload_type",
            PackRefusal::SignatureCount(_) => "signature_count",
            PackRefusal::UntrustedKey(_) => "untrusted_key",
            PackRefusal::BadSignature(_) => "bad_signature",
            PackRefusal::BadKeyStatement { .. } => "bad_key_statement",
            PackRefusal::Content(_) => "content_hash",
        }
    }
}

/// One Ed25519 check the caller performs: `signature` over `message` (a DSSE PAE) by `public_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    pub public_key: [u8; 32],
    pub message: Vec<u8>,
    pub signature: [u8; 64],
}

/// A verified pack: the checklists, who signed it, and the key list to trust from now on (when
/// the file's statements changed it).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedPack {
    pub pack: ChecklistPack,
    pub signed_by: TrustedKey,
    /// The trusted keys after this file's statements; `Some` only when they changed.
    pub new_keys: Option<KeyList>,
    /// SHA-256 (hex) of the pack payload: names this exact pack.
    pub payload_sha256: String,
}

/// What a device remembers of the pack it installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
    pub signed_by: TrustedKey,
    pub payload_sha256: String,
}

/// What to do with a pack that opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// Newer than (or as new as, but different from) the installed pack: install it.
    Install,
    /// The very pack installed.
    Unchanged,
    /// Older than the installed pack (e.g. the copy shipped with an older app): keep ours.
    Older,
}

impl OpenedPack {
    pub fn info(&self) -> PackInfo {
        PackInfo {
            issuer: self.pack.issuer.clone(),
            issued_at: self.pack.issued_at,
            signed_by: self.signed_by.clone(),
            payload_sha256: self.payload_sha256.clone(),
        }
    }

    /// Whether to install this pack over `installed` (none on a first run, or on a device that
    /// installed packs before they were signed).
    pub fn adoption(&self, installed: Option<&PackInfo>) -> Adoption {
        let Some(installed) = installed else {
            return Adoption::Install;
        };
        if installed.payload_sha256 == self.payload_sha256 {
            return Adoption::Unchanged;
        }
        match (self.pack.issued_at, installed.issued_at) {
            (Some(new), Some(old)) if new < old => Adoption::Older,
            _ => Adoption::Install,
        }
    }
}

/// The one signature of an envelope of `payload_type`, signed by a key of `trusted`, as a check
/// for the caller to run, with the decoded payload.
fn prepare(
    envelope: &Envelope,
    payload_type: &str,
    trusted: &KeyList,
) -> Result<(SignatureCheck, TrustedKey, Vec<u8>), PackRefusal> {
    if envelope.payload_type != payload_type {
        return Err(PackRefusal::WrongPayloadType(envelope.payload_type.clone()));
    }
    let [signature] = envelope.signatures.as_slice() else {
        return Err(PackRefusal::SignatureCount(envelope.signatures.len()));
    };
    let key = trusted
        .key(&signature.keyid)
        .ok_or_else(|| PackRefusal::UntrustedKey(signature.keyid.clone()))?
        .clone();
    let payload = dsse::b64_decode(&envelope.payload)
        .map_err(|e| PackRefusal::Malformed(format!("payload: {e}")))?;
    let sig: [u8; 64] = dsse::b64_decode(&signature.sig)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| PackRefusal::Malformed("a signature must be 64 bytes of base64".into()))?;
    let check = SignatureCheck {
        public_key: key.raw()?,
        message: dsse::pae(payload_type, &payload),
        signature: sig,
    };
    Ok((check, key, payload))
}

/// Opens a pack file against the keys a device trusts (`trusted`: the newer of its trust root
/// and the list it stored), checking every signature with `verify`: first the key statements
/// newer than `trusted` (each signed by a key trusted before it), then the pack (signed by a key
/// trusted after them), then the content hash of every checklist. The signature is checked
/// before the payload is parsed.
pub async fn open<F, Fut>(
    bytes: &[u8],
    trusted: &KeyList,
    verify: F,
) -> Result<OpenedPack, PackRefusal>
where
    F: Fn(SignatureCheck) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let file: SignedPackFile = serde_json::from_slice(bytes).map_err(|e| {
        // A bare pack (what the ledger served before packs were signed) says so plainly.
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(v) if v.get("checklists").is_some() => PackRefusal::Unsigned,
            _ => PackRefusal::Malformed(e.to_string()),
        }
    })?;
    let mut keys = trusted.clone();
    let mut changed = false;
    for statement in &file.key_statements {
        // The serial is read before the signature only to skip statements already applied:
        // skipping one grants nothing.
        let unverified: KeyList = dsse::b64_decode(&statement.payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or_else(|| PackRefusal::Malformed("a key statement's payload".into()))?;
        if unverified.serial <= keys.serial {
            continue;
        }
        let serial = unverified.serial;
        let refused = |reason: String| PackRefusal::BadKeyStatement { serial, reason };
        let (check, _, payload) =
            prepare(statement, KEYS_PAYLOAD_TYPE, &keys).map_err(|e| refused(e.to_string()))?;
        if !verify(check).await {
            return Err(refused(
                "签名无效 / the signature does not verify".to_string(),
            ));
        }
        let next = KeyList::from_json(&payload).map_err(|e| refused(e.to_string()))?;
        if next.serial != serial {
            return Err(refused("serial changed after signing".into()));
        }
        keys = next;
        changed = true;
    }
    let (check, signed_by, payload) = prepare(&file.envelope, PACK_PAYLOAD_TYPE, &keys)?;
    if !verify(check).await {
        return Err(PackRefusal::BadSignature(signed_by.key_id.to_string()));
    }
    let pack = ChecklistPack::from_json(&payload)?;
    Ok(OpenedPack {
        pack,
        signed_by,
        new_keys: changed.then_some(keys),
        payload_sha256: crate::sha256_hex(&payload),
    })
}

/// Strict Ed25519 verification (ed25519-dalek's `verify_strict`, as for bundles).
pub fn verify_strict(check: &SignatureCheck) -> bool {
    use ed25519_dalek::{Signature, VerifyingKey};
    VerifyingKey::from_bytes(&check.public_key)
        .and_then(|key| key.verify_strict(&check.message, &Signature::from_bytes(&check.signature)))
        .is_ok()
}

/// [`open`] with ed25519-dalek, for callers without an event loop (the ledger, the build).
pub fn open_sync(bytes: &[u8], trusted: &KeyList) -> Result<OpenedPack, PackRefusal> {
    let future = open(bytes, trusted, |check| {
        std::future::ready(verify_strict(&check))
    });
    // Every future in `open` is ready at once: one poll completes it.
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(result) => result,
        std::task::Poll::Pending => unreachable!("ready futures complete in one poll"),
    }
}

/// What a signing key file says it is (`kind`).
pub const KEY_FILE_KIND: &str = "paicha checklist-pack signing key";

/// A private signing key as `paicha-ledger checklists keygen` writes it. Keep it off every
/// machine that does not sign packs, and never in the repository (the development key in
/// `checklists/keys/` is the one exception, and no production build trusts it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub kind: String,
    pub name: String,
    /// The 32-byte Ed25519 seed (RFC 8032 private key), hex.
    pub seed: String,
    pub key_id: KeyId,
    pub public_key: String,
    /// A warning for people who open the file (the development key carries one).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub warning: String,
}

impl KeyFile {
    pub fn new(seed: [u8; 32], name: &str, warning: &str) -> Self {
        let public = ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes();
        Self {
            kind: KEY_FILE_KIND.to_string(),
            name: name.to_string(),
            seed: crate::hex(&seed),
            key_id: KeyId::from_public_key(&public),
            public_key: dsse::b64_encode(&public),
            warning: warning.to_string(),
        }
    }

    /// Reads a key file and checks that its seed gives its public key and id.
    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let file: Self =
            serde_json::from_slice(bytes).map_err(|e| format!("not a key file: {e}"))?;
        if file.kind != KEY_FILE_KIND {
            return Err(format!("not a {KEY_FILE_KIND} (kind {:?})", file.kind));
        }
        let seed = file.seed_bytes()?;
        if Self::new(seed, &file.name, &file.warning) != file {
            return Err("the seed does not give the public key and key id in the file".into());
        }
        Ok(file)
    }

    fn seed_bytes(&self) -> Result<[u8; 32], String> {
        let s = &self.seed;
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("seed must be 64 hex digits".into());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(out)
    }

    pub fn signing_key(&self) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&self.seed_bytes().expect("checked when read"))
    }

    /// The public half, as a trust root or key statement lists it.
    pub fn trusted(&self) -> TrustedKey {
        TrustedKey {
            key_id: self.key_id.clone(),
            public_key: self.public_key.clone(),
            name: self.name.clone(),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a key file always serialises");
        out.push(b'\n');
        out
    }
}

/// Signs a pack (native tools only: the app never signs packs).
pub fn sign_pack(pack: &ChecklistPack, key: &ed25519_dalek::SigningKey) -> Envelope {
    sign(PACK_PAYLOAD_TYPE, &pack.to_json(), key)
}

/// Signs a key statement: `next` becomes the trusted list for devices that trust `key`.
pub fn sign_key_statement(next: &KeyList, key: &ed25519_dalek::SigningKey) -> Envelope {
    sign(KEYS_PAYLOAD_TYPE, &next.to_json(), key)
}

fn sign(payload_type: &str, payload: &[u8], key: &ed25519_dalek::SigningKey) -> Envelope {
    use ed25519_dalek::Signer;
    let public = key.verifying_key().to_bytes();
    let signature = key.sign(&dsse::pae(payload_type, payload));
    Envelope::new(
        payload_type,
        payload,
        &KeyId::from_public_key(&public),
        &signature.to_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Checklist;
    use ed25519_dalek::SigningKey;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn list(serial: u64, seeds: &[u8]) -> KeyList {
        KeyList {
            serial,
            keys: seeds
                .iter()
                .map(|s| TrustedKey::new(&key(*s).verifying_key().to_bytes(), &format!("key {s}")))
                .collect(),
            issued_at: None,
        }
    }

    fn pack() -> ChecklistPack {
        let c = Checklist::from_toml(
            "minimal.toml",
            include_str!("../tests/fixtures/minimal.toml"),
        )
        .unwrap();
        ChecklistPack::new(vec![c], |_| String::new())
    }

    fn file(signer: u8, statements: Vec<Envelope>) -> Vec<u8> {
        SignedPackFile {
            envelope: sign_pack(&pack(), &key(signer)),
            key_statements: statements,
        }
        .to_json()
    }

    #[test]
    fn an_older_pack_never_replaces_a_newer_one() {
        use chrono::TimeZone;
        let at = |d| Utc.with_ymd_and_hms(2026, 12, d, 0, 0, 0).unwrap();
        let opened = |d| {
            let file = SignedPackFile {
                envelope: sign_pack(&pack().issued("省", at(d)), &key(1)),
                key_statements: vec![],
            };
            open_sync(&file.to_json(), &list(1, &[1])).unwrap()
        };
        let installed = opened(7).info();
        assert_eq!(opened(7).adoption(Some(&installed)), Adoption::Unchanged);
        assert_eq!(opened(8).adoption(Some(&installed)), Adoption::Install);
        assert_eq!(opened(6).adoption(Some(&installed)), Adoption::Older);
        assert_eq!(opened(6).adoption(None), Adoption::Install);
    }

    #[test]
    fn a_pack_signed_by_a_trusted_key_opens() {
        let opened = open_sync(&file(1, vec![]), &list(1, &[1])).unwrap();
        assert_eq!(opened.pack, pack());
        assert_eq!(opened.signed_by.name, "key 1");
        assert_eq!(opened.new_keys, None);
    }

    #[test]
    fn tampered_unsigned_and_foreign_packs_are_refused() {
        let trusted = list(1, &[1]);
        let good = file(1, vec![]);
        let tampered = String::from_utf8(good.clone()).unwrap();
        // Flip one payload character (base64), keeping it valid base64.
        let mut f: SignedPackFile = serde_json::from_str(&tampered).unwrap();
        let mut payload = dsse::b64_decode(&f.envelope.payload).unwrap();
        let at = payload
            .windows(3)
            .position(|w| w == "防".as_bytes())
            .unwrap();
        payload[at..at + 3].copy_from_slice("无".as_bytes());
        f.envelope.payload = dsse::b64_encode(&payload);
        let err = open_sync(&f.to_json(), &trusted).unwrap_err();
        assert_eq!(err.code(), "bad_signature", "{err}");
        assert_eq!(
            open_sync(&pack().to_json(), &trusted).unwrap_err(),
            PackRefusal::Unsigned
        );
        assert_eq!(
            open_sync(&file(2, vec![]), &trusted).unwrap_err().code(),
            "untrusted_key"
        );
        assert_eq!(open_sync(b"{", &trusted).unwrap_err().code(), "malformed");
    }

    #[test]
    fn a_new_key_is_trusted_only_through_a_statement_signed_by_a_trusted_key() {
        let root = list(1, &[1]);
        // Key 2 signs the pack; the statement adding it is signed by key 1 (trusted).
        let rotation = sign_key_statement(&list(2, &[2]), &key(1));
        let opened = open_sync(&file(2, vec![rotation.clone()]), &root).unwrap();
        assert_eq!(opened.signed_by.name, "key 2");
        assert_eq!(opened.new_keys, Some(list(2, &[2])));
        // The same statement signed by key 2 itself (not trusted yet) is refused.
        let self_signed = sign_key_statement(&list(2, &[2]), &key(2));
        let err = open_sync(&file(2, vec![self_signed]), &root).unwrap_err();
        assert_eq!(err.code(), "bad_key_statement", "{err}");
        // After the rotation, key 1 is no longer trusted (the list replaced it).
        let err = open_sync(&file(1, vec![]), &list(2, &[2])).unwrap_err();
        assert_eq!(err.code(), "untrusted_key");
        // A statement the device already applied is skipped, even though its signer (key 1)
        // is not trusted any more.
        assert!(open_sync(&file(2, vec![rotation]), &list(2, &[2])).is_ok());
        // A statement whose signature does not verify is refused.
        let mut forged = sign_key_statement(&list(3, &[3]), &key(1));
        forged.payload = dsse::b64_encode(&list(3, &[2]).to_json());
        let err = open_sync(&file(2, vec![forged]), &list(2, &[2, 1])).unwrap_err();
        assert_eq!(err.code(), "bad_key_statement");
    }
}
