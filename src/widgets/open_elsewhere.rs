//! Shown in a tab that is not the writer ([`crate::platform::writer_lock`]).

use crate::platform::i18n::t;
use crate::platform::writer_lock::{Writer, request};
use leptos::prelude::*;

#[component]
pub fn OpenElsewhere(state: RwSignal<Writer>) -> impl IntoView {
    let taken = move || state.get() == Writer::TakenOver;
    view! {
        <section class="card" role="alert">
            <h2>{t("已在其他标签页中打开", "Open in another tab")}</h2>
            <p>
                {move || if taken() {
                    t("本应用已在另一个标签页中继续使用，此页已停止编辑，所有已保存的内容都在。",
                      "The app went on in another tab: this tab has stopped editing. Everything saved is there.")
                } else {
                    t("本应用已在另一个标签页中打开。为防止互相覆盖，同一时间只能在一个标签页中编辑。",
                      "The app is open in another tab. To keep changes from overwriting each other, only one tab edits at a time.")
                }}
            </p>
            <button type="button" class="primary" on:click=move |_| request(state, true)>{t("在此标签页中使用", "Use this tab")}</button>
        </section>
    }
}
