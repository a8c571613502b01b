//! One module per screen.

pub mod backup;
pub mod completion;
pub mod export;
pub mod home;
pub mod inspection;
pub mod new_inspection;
pub mod onboarding;
pub mod outbox;
pub mod photos;
pub mod records;
pub mod storage_status;

use leptos::prelude::*;

/// A validation message shown next to its field; `id` is referenced by `aria-describedby`.
#[component]
pub fn FieldError(id: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" id=id role="alert" hidden=move || message.with(Option::is_none)>
            {move || message.get().unwrap_or_default()}
        </p>
    }
}

/// A fresh random UUID from the browser's CSPRNG.
pub fn new_uuid() -> uuid::Uuid {
    let text = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .expect("crypto.randomUUID is available in every supported browser");
    uuid::Uuid::parse_str(&text).expect("randomUUID returns a UUID")
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Local-time display of a timestamp (the inspector's wall clock).
pub fn local_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// An inspection with the exact checklist version it was started with, or a view saying
/// that either is missing (e.g. a link to an inspection from another device).
pub fn inspection_with_checklist(
    app: &crate::AppContext,
    id: uuid::Uuid,
) -> Result<(paicha_core::Inspection, &'static paicha_core::Checklist), leptos::prelude::AnyView> {
    let found = app.model.with_untracked(|m| {
        m.inspections.get(&id).map(|i| {
            let checklist = app
                .catalog
                .with_untracked(|c| c.find(&i.checklist.id, &i.checklist.content_hash.0));
            (i.clone(), checklist)
        })
    });
    match found {
        Some((inspection, Some(checklist))) => Ok((inspection, checklist)),
        _ => Err(view! {
            <p class="error" role="alert">"找不到该检查或其检查表版本。 Inspection or its checklist version not found."</p>
            <a class="button" href=crate::route::Route::Home.href()>"返回 Back"</a>
        }
        .into_any()),
    }
}
