//! Form building blocks shared by the profile, site and inspection forms.

use super::field_error::FieldError;
use leptos::prelude::*;

/// How a text field is typed on a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Tel,
    /// Codes (credit code): capitals, no spell checking.
    Code,
}

/// A labelled text input bound to one field of a form signal, with its validation message
/// (`error`: message element id and message) shown right below it. The value is kept exactly
/// as typed; the form's `TryFrom` judges it.
///
/// Plain `fn` accessors rather than closures: one instance of this function per form type.
#[allow(clippy::too_many_arguments)]
pub fn text_input<F: Send + Sync + 'static>(
    id: &'static str,
    label: &'static str,
    kind: Kind,
    autocomplete: &'static str,
    form: RwSignal<F>,
    get: fn(&F) -> &String,
    set: fn(&mut F) -> &mut String,
    error: Option<(&'static str, Signal<Option<String>>)>,
) -> AnyView {
    let message = error.map(|(_, m)| m);
    view! {
        <label for=id>{label}</label>
        <input id=id
            type=if kind == Kind::Tel { "tel" } else { "text" }
            autocomplete=autocomplete
            autocapitalize=(kind == Kind::Code).then_some("characters")
            spellcheck=(kind == Kind::Code).then_some("false")
            aria-describedby=error.map(|(error_id, _)| error_id)
            aria-invalid=move || message.is_some_and(|m| m.with(Option::is_some)).to_string()
            prop:value=move || form.with(|f| get(f).clone())
            on:input=move |ev| form.update(|f| *set(f) = event_target_value(&ev)) />
        {error.map(|(error_id, message)| view! { <FieldError id=error_id message /> })}
    }
    .into_any()
}
