//! One module per screen.

pub mod backup;
pub mod completion;
pub mod export;
pub mod followup;
pub mod form;
pub mod geo;
pub mod home;
pub mod inspection;
pub mod new_inspection;
pub mod onboarding;
pub mod outbox;
pub mod photos;
pub mod profile;
pub mod records;
pub mod reinspection;
pub mod sites;
pub mod storage_status;
pub mod team;

use crate::storage::StorageError;
use leptos::prelude::*;
use wasm_bindgen::JsCast as _;

/// Offers `text` as a file download (`mime` its type) through a temporary object URL: bundles,
/// backups and the hazard ledger.
pub fn download_text(file_name: &str, mime: &str, text: &str) -> Result<(), StorageError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| StorageError("no document".into()))?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// A validation message shown next to its field; `id` is referenced by `aria-describedby`.
/// Messages may be written "中文 / English" (the domain's are): the current language is shown.
#[component]
pub fn FieldError(id: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="error" id=id role="alert" hidden=move || message.with(Option::is_none)>
            {move || message.with(|m| m.as_deref().map(crate::i18n::localize)).unwrap_or_default()}
        </p>
    }
}

/// An error paragraph (role=alert), hidden while there is none; a "中文 / English" message
/// is shown in the current language.
pub fn error_line(error: RwSignal<Option<String>>) -> AnyView {
    view! {
        <p class="error" role="alert" hidden=move || error.with(Option::is_none)>
            {move || error.with(|e| e.as_deref().map(crate::i18n::localize))}
        </p>
    }
    .into_any()
}

/// A sector's name (`fireworks` → 烟花爆竹 or Fireworks); empty for an unknown sector.
pub fn sector_name(sector: &str) -> &'static str {
    paicha_core::checklist::SECTORS
        .iter()
        .find(|s| s.0 == sector)
        .map_or("", |s| crate::i18n::t(s.1, s.2))
}

/// Checklist content (item, section, title, question) in the current language.
pub fn text_of<'a>(zh: &'a str, en: &'a str) -> &'a str {
    crate::i18n::lang_untracked().pick(zh, en)
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
            <p class="error" role="alert">{crate::i18n::t("找不到该检查或其检查表版本。", "Inspection or its checklist version not found.")}</p>
            <a class="button" href=crate::route::Route::Home.href()>{crate::i18n::t("返回", "Back")}</a>
        }
        .into_any()),
    }
}
