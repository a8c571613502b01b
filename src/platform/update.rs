//! A new version has been downloaded in the background (see `public/loader.js`), which the
//! loader announces with a window flag and an event; the user chooses when to switch.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;

/// Whether the loader has already announced an update (before the app started, perhaps).
pub fn update_ready() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"paichaUpdateReady".into()).ok())
        .is_some_and(|v| v.is_truthy())
}

/// Calls `f` when the loader announces an update from now on (for the life of the page).
pub fn on_update_ready(f: impl Fn() + 'static) {
    if let Some(window) = web_sys::window() {
        let on_ready = Closure::<dyn Fn()>::new(f);
        let _ = window.add_event_listener_with_callback(
            "paicha:update-ready",
            on_ready.as_ref().unchecked_ref(),
        );
        on_ready.forget();
    }
}

/// Switches to the downloaded version (the loader reloads the page).
pub fn apply_update() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(apply) = Reflect::get(&window, &"paichaApplyUpdate".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = apply.call0(&window);
    }
}
