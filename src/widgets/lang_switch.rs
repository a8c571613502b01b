//! The interface-language switch.

use crate::platform::i18n::{Lang, lang_untracked, set_lang, t};
use leptos::prelude::*;

/// The language switch. It rebuilds the screen, so it sits only on home, the profile and the
/// registration screen (which keeps what was typed), never where a record is being filled in. It reads "切换语言 English" or "Switch
/// language 中文": what it does in the current language, and the other language named in
/// itself (marked with its `lang`), for whoever cannot read the current one.
#[component]
pub fn LangSwitch() -> impl IntoView {
    view! {
        <button type="button" class="secondary lang-switch"
            on:click=move |_| set_lang(lang_untracked().pick(Lang::En, Lang::Zh))>
            {t("切换语言 ", "Switch language ")}
            <span lang=t("en", "zh-CN")>{t("English", "中文")}</span>
        </button>
    }
}
