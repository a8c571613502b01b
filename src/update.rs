//! A new version has been downloaded in the background (see `public/loader.js`): the user is
//! told and chooses when to switch. Every answer is already durably saved, so switching never
//! loses work; the button waits while a save is still in flight.

use js_sys::{Function, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

fn window_flag(name: &str) -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &name.into()).ok())
        .is_some_and(|v| v.is_truthy())
}

fn apply_update() {
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

#[component]
pub fn UpdateBanner() -> impl IntoView {
    // The loader may have announced the update before the app started.
    let ready = RwSignal::new(window_flag("paichaUpdateReady"));
    if let Some(window) = web_sys::window() {
        let on_ready = Closure::<dyn Fn()>::new(move || ready.set(true));
        let _ = window.add_event_listener_with_callback(
            "paicha:update-ready",
            on_ready.as_ref().unchecked_ref(),
        );
        on_ready.forget();
    }
    let shell = crate::use_shell();
    let saving = move || shell.save_state.get() == crate::persist::SaveState::Saving;
    view! {
        <aside class="update-banner" role="status" hidden=move || !ready.get()>
            // Outside the screens, so it follows a language switch itself.
            <p>{move || crate::i18n::lang().pick(
                "新版本已下载。所有记录均已保存，可在方便时更新。",
                "A new version is ready. Everything is saved; update when convenient.",
            )}</p>
            <button type="button" class="primary" disabled=saving on:click=move |_| apply_update()>
                {move || crate::i18n::lang().pick("立即更新", "Update now")}
            </button>
        </aside>
    }
}
