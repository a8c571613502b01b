//! Feeds arbitrary bytes to what an upload meets first: `verify_bundle_full` with the key the
//! bundle carries (`paicha-ledger verify`), and the import path's parsing and verification
//! against an enrolled key (`import` and `POST /api/bundles`, without the database).
//! Neither may panic, and nothing but the seed's own content may verify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paicha_core::verify::{EmbeddedKey, verify_bundle_full};
use paicha_ledger::import::{parse_upload, verify_with_registry};
use paicha_ledger::store::Device;
use std::sync::LazyLock;

/// The test vectors' key (seed 0x07 x 32), enrolled.
static DEVICE: LazyLock<Device> = LazyLock::new(|| Device {
    key_id: paicha_core::KeyId::try_from(
        "fe812c12f3ab4ce6ac5db69ac352f906cb1b11ef43fb33e252ef7ff552263889".to_string(),
    )
    .unwrap(),
    public_key: "6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=".into(),
    inspector_name: "张三".into(),
    cert_no: "44010012345".into(),
    organisation: String::new(),
    enrolled_at: chrono::DateTime::UNIX_EPOCH,
    revoked_at: None,
    revoke_reason: None,
});

fuzz_target!(|data: &[u8]| {
    let embedded = verify_bundle_full(data, &EmbeddedKey);
    if let Ok(parsed) = parse_upload(data) {
        let device = (parsed.claimed_key.as_ref() == Some(&DEVICE.key_id)).then_some(&*DEVICE);
        let enrolled = verify_with_registry(parsed, device);
        // Both paths agree on the signed payload whenever the enrolled one accepts.
        if let Ok(bundle) = enrolled {
            let other = embedded
                .as_ref()
                .expect("the embedded key verifies what the registry's does");
            assert_eq!(bundle.payload_bytes, other.payload_bytes);
        }
    }
});
