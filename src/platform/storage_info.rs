//! The browser's storage manager: whether it may evict this app's data, and how much it uses.
//! Browsers evict non-persistent storage under pressure; records are legal evidence, so the
//! app asks for persistence and says clearly when it was not granted.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StorageInfo {
    pub persisted: Option<bool>,
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

async fn call(method: &str) -> Option<JsValue> {
    let storage = Reflect::get(&web_sys::window()?.navigator(), &"storage".into()).ok()?;
    let f: Function = Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = f.call0(&storage).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

/// Asks the browser to keep this app's data (no prompt in Chromium; it decides by engagement).
pub async fn request_persistence() -> Option<bool> {
    call("persist").await.and_then(|v| v.as_bool())
}

pub async fn read() -> StorageInfo {
    let estimate = call("estimate").await;
    let number = |name: &str| {
        estimate
            .as_ref()
            .and_then(|e| Reflect::get(e, &name.into()).ok())
            .and_then(|v| v.as_f64())
    };
    StorageInfo {
        persisted: call("persisted").await.and_then(|v| v.as_bool()),
        usage: number("usage"),
        quota: number("quota"),
    }
}
