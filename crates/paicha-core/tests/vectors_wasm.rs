//! Runs in headless Chromium (wasm-bindgen-test): the browser build of the domain crate makes
//! the vector bundle byte for byte and rejects every negative vector with its code, like the
//! native build (tests/vectors.rs) does.
#![cfg(target_arch = "wasm32")]

mod support;

use support::vectors as gen_vectors;

use paicha_core::bundle::sign_with;
use paicha_core::verify::{EmbeddedKey, verify_bundle_full};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_wasm32_build_produces_the_vector_byte_for_byte() {
    let payload = gen_vectors::payload().to_bytes();
    assert_eq!(
        payload.as_slice(),
        include_bytes!("../../../tests/vectors/bundle-v1/payload.json")
    );
    let envelope = sign_with(&gen_vectors::key(), &payload).to_json();
    assert_eq!(
        envelope.as_bytes(),
        include_bytes!("../../../tests/vectors/bundle-v1/envelope.json")
    );
    let verified = verify_bundle_full(envelope.as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(
        verified.payload_sha256,
        include_str!("../../../tests/vectors/bundle-v1/payload.sha256").trim()
    );
}

#[wasm_bindgen_test]
fn the_wasm32_build_rejects_every_negative_vector_with_its_code() {
    for negative in gen_vectors::negatives() {
        let err = verify_bundle_full(negative.envelope.as_bytes(), &EmbeddedKey).unwrap_err();
        assert_eq!(err.code(), negative.error, "{}: {err}", negative.name);
    }
}
