//! Files offered for download through a temporary object URL: bundles (and their transfer
//! archives), backups, the hazard ledger.

use crate::platform::storage::StorageError;
use wasm_bindgen::JsCast as _;

/// Offers `bytes` as a file named `file_name` of type `mime`.
pub fn download(file_name: &str, mime: &str, bytes: &[u8]) -> Result<(), StorageError> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    download_blob(file_name, &blob)
}

/// Offers `blob` as a file named `file_name`. The browser reads the Blob as it writes the
/// file: a Blob made of other Blobs (photos from IndexedDB) is never copied into the page.
pub fn download_blob(file_name: &str, blob: &web_sys::Blob) -> Result<(), StorageError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| StorageError("no document".into()))?;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}
