//! Validation and error messages, announced to screen readers (role=alert).

use crate::platform::i18n::localize;
use leptos::prelude::*;

/// A validation message shown next to its field; `id` is referenced by `aria-describedby`.
/// Messages may be written "中文 / English" (the domain's are): the current language is shown.
#[component]
pub fn FieldError(id: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" id=id role="alert" hidden=move || message.with(Option::is_none)>
            {move || message.with(|m| m.as_deref().map(localize)).unwrap_or_default()}
        </p>
    }
}

/// An error paragraph (role=alert), hidden while there is none; a "中文 / English" message
/// is shown in the current language.
pub fn error_line(error: RwSignal<Option<String>>) -> AnyView {
    view! {
        <p class="error" role="alert" hidden=move || error.with(Option::is_none)>
            {move || error.with(|e| e.as_deref().map(localize))}
        </p>
    }
    .into_any()
}
