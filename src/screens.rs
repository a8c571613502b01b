//! Every screen but home and registration, loaded on demand ([`crate::lazy`]) as one chunk,
//! so that code the screens share is fetched once.

use crate::checklists::LoadError;
use crate::features::onboarding::ProfileForm;
use crate::features::{
    completion, export, followup, inspection, new_inspection, outbox, profile, records, sites,
    storage_status,
};
use crate::lazy::{ChunkError, Task, on_demand};
use crate::route::Route;
use leptos::prelude::*;

on_demand! {
    /// The view of `route`, once the stored checklists are parsed (the screens look
    /// checklists up as they are built); `profile_form` keeps the profile screen's typing
    /// across a language switch. Waiting happens in the chunk, so the checklist loader
    /// ([`crate::checklists`]) is not part of the app shell.
    fn screen_view in screens / preload_screens (route: Route, profile_form: RwSignal<ProfileForm>)
        -> Task<Result<AnyView, ChunkError>>
    {
        Box::pin(async move {
            crate::checklists::ready().await;
            match crate::checklists::load_error() {
                Some(LoadError::Chunk(e)) => Err(e),
                Some(LoadError::Storage(error)) => Ok(view! {
                    <p class="error" role="alert">
                        {crate::i18n::t("无法读取本机的检查表，数据未受影响：", "Cannot read the checklists on this device; no data was changed: ")}
                        {crate::i18n::localize(&error)}
                    </p>
                }
                .into_any()),
                None => Ok(view_of(route, profile_form)),
            }
        })
    }
}

fn view_of(route: Route, profile_form: RwSignal<ProfileForm>) -> AnyView {
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

/// The view of an on-demand screen. Called once the data is loaded ([`crate::data::ready`]),
/// which loads this chunk too.
pub async fn screen(
    route: Route,
    profile_form: RwSignal<ProfileForm>,
) -> Result<AnyView, ChunkError> {
    screen_view(route, profile_form).await?.await
}
