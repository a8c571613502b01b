//! What could not be loaded, with a retry.

use crate::model::context::DataState;
use crate::model::context::use_shell;
use crate::platform::i18n::t;
use crate::platform::route::Route;
use leptos::prelude::*;

/// Says so when the data could not be loaded, on a first screen that shows without it.
#[component]
pub fn DataError() -> impl IntoView {
    let shell = use_shell();
    move || match shell.data.get() {
        DataState::Failed(e) => Some(view! { <Retry message=e.message() /> }),
        _ => None,
    }
}

/// What could not be loaded, with a retry (a reload) and, on a screen, the way home.
#[component]
pub fn Retry(message: String, #[prop(optional)] home: bool) -> impl IntoView {
    view! {
        <p class="error" role="alert">{message}</p>
        <button type="button" on:click=|_| reload()>{t("重试", "Try again")}</button>
        {home.then(|| view! { <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a> })}
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
