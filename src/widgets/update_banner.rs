//! A new version has been downloaded in the background: the user is told and chooses when to
//! switch. Every answer is already durably saved, so switching never loses work; the button
//! waits while a save is still in flight.

use crate::model::context::use_shell;
use crate::model::persist::SaveState;
use crate::platform::i18n;
use crate::platform::update::{apply_update, on_update_ready, update_ready};
use leptos::prelude::*;

#[component]
pub fn UpdateBanner() -> impl IntoView {
    // The loader may have announced the update before the app started.
    let ready = RwSignal::new(update_ready());
    on_update_ready(move || ready.set(true));
    let shell = use_shell();
    let saving = move || shell.save_state.get() == SaveState::Saving;
    view! {
        <aside class="update-banner" role="status" hidden=move || !ready.get()>
            // Outside the screens, so it follows a language switch itself.
            <p>{move || i18n::lang().pick(
                "新版本已下载。所有记录均已保存，可在方便时更新。",
                "A new version is ready. Everything is saved; update when convenient.",
            )}</p>
            <button type="button" class="primary" disabled=saving on:click=move |_| apply_update()>
                {move || i18n::lang().pick("立即更新", "Update now")}
            </button>
        </aside>
    }
}
