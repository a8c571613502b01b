//! The follow-up screen's pull from the ledger: a button, and where the last pull stands.

use crate::model::context::use_app;
use crate::platform::clock::local_time;
use crate::platform::i18n::{localize, t, t_string};
use crate::services::sync::{self, SyncState};
use leptos::prelude::*;

#[component]
pub fn SyncBar() -> impl IntoView {
    let app = use_app();
    let state = sync::state();
    let shown = state.clone();
    let busy = move || {
        matches!(
            state.get(),
            SyncState::Pulling { .. } | SyncState::Photos { .. }
        )
    };
    let text = move || {
        match shown.get() {
        SyncState::Idle => t("尚未与台账同步。", "Not synced with the ledger yet.").to_string(),
        SyncState::Pulling { received } => t_string(
            format!("正在从台账同步…已收到 {received} 项隐患"),
            format!("Syncing with the ledger… {received} hazards received"),
        ),
        SyncState::Photos { done, total } => t_string(
            format!("正在从台账同步…照片与缩略图 {done}/{total}"),
            format!("Syncing with the ledger… photos and thumbnails {done}/{total}"),
        ),
        SyncState::Done { at, received } => t_string(
            format!("已与台账同步（{}），本次收到 {received} 项隐患", local_time(&at)),
            format!("Synced with the ledger ({}); {received} hazards received", local_time(&at)),
        ),
        SyncState::Failed(e) => format!(
            "{}{}",
            t("未能与台账同步，稍后自动重试：", "Could not sync with the ledger; retrying later: "),
            localize(&e)
        ),
        SyncState::NotEnrolled => t(
            "本设备尚未在台账登记，登记后才能接收交办的隐患。",
            "This device is not enrolled on the ledger yet; enrolled devices receive assigned hazards.",
        )
        .to_string(),
        SyncState::Refused(e) => format!(
            "{}{}",
            t(
                "台账拒绝了本设备，已删除台账下发的数据（本机记录保留）：",
                "The ledger refused this device; data received from it was deleted (this device's records are kept): ",
            ),
            localize(&e)
        ),
    }
    };
    view! {
        <div class="fu-sync">
            <button type="button" class="secondary" disabled=busy on:click=move |_| sync::pull_now(app)>
                {t("从台账同步", "Sync with the ledger")}
            </button>
            <p role="status" aria-label=t("台账同步", "Ledger sync")>{text}</p>
        </div>
    }
}
