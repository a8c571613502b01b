//! Paicha's domain: sector checklists, sites, inspections with findings, and the signed bundles
//! (DSSE v1 envelopes, Ed25519) that carry sealed inspections from a device to the ledger.
//!
//! Plain Rust with no I/O: it builds for native and wasm32 so that the app, the ledger and the
//! tests share one definition of every rule.

pub mod archive;
pub mod attachment;
pub mod bundle;
pub mod checklist;
pub mod completion;
pub mod credit_code;
pub mod documents;
pub mod dsse;
pub mod error;
pub mod finding;
pub mod followup;
pub mod hazard_ledger;
pub mod httpsig;
pub mod inspection;
pub mod legal_basis;
pub mod lists;
pub mod overview;
pub mod pack;
pub mod pulled;
pub mod region;
pub mod reinspection;
pub mod review;
#[cfg(feature = "schema")]
pub mod schema;
pub mod signed_pack;
pub mod site;
pub mod verdict;
pub mod verify;
pub mod wire;

pub use attachment::{Attachment, AttachmentError};
pub use bundle::{BundlePayload, DeviceInfo, PAYLOAD_TYPE};
pub use checklist::{Checklist, ChecklistError, ChecklistRef, ContentHash};
pub use credit_code::{CreditCode, CreditCodeError};
pub use dsse::{Envelope, KeyId};
pub use inspection::{
    Answer, Inspection, InspectionError, InspectionKind, Inspector, MissingField, Verdict,
};
pub use site::{Site, SiteDetails};
pub use verify::{ChainRuleError, VerifiedBundle, VerifyError};

/// Lower-case hex of bytes (key ids and hashes are spelled this way everywhere).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// Whether `s` is a SHA-256 as the format spells it: 64 lower-case hex digits.
pub fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}
