//! Every screen but home and registration, loaded on demand ([`crate::lazy`]) as one chunk,
//! so that code the screens share is fetched once.

use crate::checklists::LoadError;
use crate::features::onboarding::ProfileForm;
use crate::features::{
    completion, export, followup, inspection, new_inspection, outbox, profile, records, sites,
    storage_status,
};
use crate::lazy::{ChunkError, on_demand};
use crate::route::Route;
use leptos::prelude::*;

on_demand! {
    /// The view of `route`; `profile_form` keeps the profile screen's typing across a
    /// language switch.
    fn screen_view in screens / preload_screens (route: Route, profile_form: RwSignal<ProfileForm>) -> AnyView {
        match route {
            Route::NewInspection => view! { <new_inspection::NewInspection /> }.into_any(),
            Route::Inspection(id) => view! { <inspection::InspectionScreen id /> }.into_any(),
            Route::Complete(id) => view! { <completion::CompletionScreen id /> }.into_any(),
            Route::Export(id) => view! { <export::ExportScreen id /> }.into_any(),
            Route::Outbox => view! { <outbox::OutboxScreen /> }.into_any(),
            Route::Storage => view! { <storage_status::StorageScreen /> }.into_any(),
            Route::Record(id) => view! { <records::RecordScreen id /> }.into_any(),
            Route::Notice(id) => view! { <records::NoticeScreen id /> }.into_any(),
            Route::ReviewRecord(id) => view! { <records::ReviewRecordScreen id /> }.into_any(),
            Route::FollowUp => view! { <followup::FollowUpScreen /> }.into_any(),
            Route::Profile => view! { <profile::ProfileScreen form=profile_form /> }.into_any(),
            Route::Sites => view! { <sites::SitesScreen /> }.into_any(),
            Route::Site(id) => view! { <sites::SiteScreen id /> }.into_any(),
            // Home is part of the main module (`Loaded` never asks for it here).
            Route::Home => ().into_any(),
        }
    }
}

/// The view of an on-demand screen, once its chunk is loaded and the stored checklists are
/// parsed (the screens look checklists up as they are built).
pub async fn screen(
    route: Route,
    profile_form: RwSignal<ProfileForm>,
) -> Result<AnyView, ChunkError> {
    // The chunk is fetched meanwhile (one load, however many ask for it).
    leptos::task::spawn_local(preload());
    crate::checklists::ready().await;
    match crate::checklists::load_error() {
        Some(LoadError::Chunk(e)) => return Err(e),
        Some(LoadError::Storage(error)) => {
            return Ok(view! {
                <p class="error" role="alert">
                    {crate::i18n::t("无法读取本机的检查表，数据未受影响：", "Cannot read the checklists on this device; no data was changed: ")}
                    {crate::i18n::localize(&error)}
                </p>
            }
            .into_any());
        }
        None => {}
    }
    screen_view(route, profile_form).await
}

/// Fetches the screens' chunk, so that a screen opened later shows at once, also if the
/// connection is lost meanwhile. A failure is left for the screen itself to report.
pub async fn preload() {
    let _ = preload_screens().await;
}
