//! Runs in headless Chromium (wasm-bindgen-test): the content hash is the same as natively.
#![cfg(target_arch = "wasm32")]

use paicha_core::Checklist;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn content_hash_on_wasm32_equals_the_native_pin() {
    let checklist =
        Checklist::from_toml("minimal.toml", include_str!("fixtures/minimal.toml")).unwrap();
    assert_eq!(
        checklist.content_hash().0,
        include_str!("fixtures/minimal.sha256").trim()
    );
}

#[wasm_bindgen_test]
fn shipped_fireworks_checklist_validates_on_wasm32() {
    let text = include_str!("../../../checklists/fireworks.toml");
    let checklist = Checklist::from_toml("fireworks.toml", text).unwrap();
    assert_eq!(checklist.items().filter(|i| i.major).count(), 20);
}
