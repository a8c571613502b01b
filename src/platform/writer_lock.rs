//! One writer at a time: two tabs of the app must not overwrite each other's changes. The tab
//! that holds the Web Lock `paicha-writer` edits; another tab shows that the app is open
//! elsewhere and can take over, which makes the first tab stop (its lock is stolen).

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const LOCK_NAME: &str = "paicha-writer";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    Checking,
    /// This tab edits.
    Held,
    /// Another tab holds the lock.
    Elsewhere,
    /// Another tab took over from this one.
    TakenOver,
}

fn locks() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| !l.is_undefined())
}

/// Requests the lock (`steal`: take it from the tab holding it) and reports into `state`.
pub fn request(state: RwSignal<Writer>, steal: bool) {
    let Some(locks) = locks() else {
        // No Web Locks (very old browser): nothing to coordinate with.
        return state.set(Writer::Held);
    };
    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &(if steal { "steal" } else { "ifAvailable" }).into(),
        &true.into(),
    );
    // Called with the lock, or with null when `ifAvailable` found it taken. Returning a promise
    // that never settles keeps the lock for the life of the page.
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if lock.is_null() {
            state.set(Writer::Elsewhere);
            JsValue::UNDEFINED
        } else if steal {
            // Taken over: start again from what the other tab saved (the reload releases the
            // lock; the other tab has already stopped editing).
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
            JsValue::UNDEFINED
        } else {
            state.set(Writer::Held);
            Promise::new(&mut |_, _| {}).into()
        }
    });
    let request: Option<Function> = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into().ok());
    let Some(request) = request else {
        return state.set(Writer::Held);
    };
    match request.call3(&locks, &LOCK_NAME.into(), &options, &callback) {
        Ok(held) => leptos::task::spawn_local(async move {
            // Settles only if the lock is lost: another tab stole it.
            if JsFuture::from(Promise::from(held)).await.is_err() {
                state.set(Writer::TakenOver);
            }
        }),
        Err(_) => state.set(Writer::Held),
    }
}
