//! Whether every change has been committed to storage.

use super::photos::PendingWrites;
use crate::model::context::{use_model, use_save_state};
use crate::model::persist::SaveState;
use crate::platform::i18n::{localize, t};
use leptos::prelude::*;

/// Shows whether every change has been committed to storage; after a failure (e.g. storage
/// full) the user can retry once space has been freed. A photo or signature still being
/// processed and stored counts as "saving".
#[component]
pub fn SaveIndicator() -> impl IntoView {
    let model = use_model();
    let save_state = use_save_state();
    let failed = move || matches!(save_state.get(), SaveState::Failed(_));
    let pending = use_context::<PendingWrites>();
    let state = move || match save_state.get() {
        SaveState::Saved if pending.is_some_and(|p| p.0.get() != 0) => SaveState::Saving,
        state => state,
    };
    view! {
        <p role="status" aria-live="polite" class=move || match state() {
            SaveState::Saved => "save saved",
            SaveState::Saving => "save saving",
            SaveState::Failed(_) => "save error",
        }>
            {move || match state() {
                SaveState::Saved => t("✓ 已保存", "✓ Saved").to_string(),
                SaveState::Saving => t("保存中…", "Saving…").to_string(),
                SaveState::Failed(e) => format!(
                    "{}{}",
                    t("✗ 未保存，请勿关闭页面：", "✗ Not saved, do not close the page: "),
                    localize(&e)
                ),
            }}
        </p>
        <Show when=failed>
            // Touching the model re-runs the persistence Effect, which rewrites every record
            // not yet committed.
            <button type="button" on:click=move |_| model.update(|_| {})>{t("重试保存", "Retry saving")}</button>
        </Show>
    }
}
