//! The Web Share API (phones): hands a file to another app, e.g. a messenger.

use crate::platform::storage::StorageError;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn navigator() -> Option<JsValue> {
    web_sys::window().map(|w| w.navigator().into())
}

fn method(name: &str) -> Option<Function> {
    Reflect::get(&navigator()?, &name.into())
        .ok()?
        .dyn_into()
        .ok()
}

fn text_blob(mime: &str, text: &str) -> Option<web_sys::Blob> {
    let parts = Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()
}

fn share_data(file_name: &str, blob: &web_sys::Blob) -> Option<Object> {
    let file_ctor: Function = Reflect::get(&js_sys::global(), &"File".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args = Array::of2(&Array::of1(blob), &file_name.into());
    let file = Reflect::construct(&file_ctor, &args).ok()?;
    let data = Object::new();
    Reflect::set(&data, &"files".into(), &Array::of1(&file)).ok()?;
    Reflect::set(&data, &"title".into(), &file_name.into()).ok()?;
    Some(data)
}

/// Whether this browser can share files at all.
pub fn available() -> bool {
    method("share").is_some() && method("canShare").is_some()
}

/// Why a file could not be handed over.
#[derive(Debug, Clone, PartialEq)]
pub enum ShareError {
    /// This browser cannot share files.
    Unsupported,
    Failed(StorageError),
}

/// Opens the share sheet for `text` as file `file_name`. Call it in the click's task: sharing
/// needs the user's recent activation.
pub fn share_file(file_name: &str, mime: &str, text: &str) -> Result<(), ShareError> {
    let blob = text_blob(mime, text).ok_or(ShareError::Unsupported)?;
    share_blob(file_name, &blob)
}

/// Opens the share sheet for `blob` as file `file_name` (e.g. a transfer archive).
pub fn share_blob(file_name: &str, blob: &web_sys::Blob) -> Result<(), ShareError> {
    let (Some(share), Some(nav), Some(data)) =
        (method("share"), navigator(), share_data(file_name, blob))
    else {
        return Err(ShareError::Unsupported);
    };
    match share.call1(&nav, &data) {
        Ok(promise) => {
            leptos::task::spawn_local(async move {
                // The user closing the share sheet rejects too; that is not an error to show.
                let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await;
            });
            Ok(())
        }
        Err(e) => Err(ShareError::Failed(StorageError::from(e))),
    }
}
