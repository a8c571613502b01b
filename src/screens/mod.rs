//! One module (or folder) per screen. Home and registration are drawn first, from the stored
//! summary; every other screen is loaded on demand ([`crate::platform::lazy`]) as one chunk,
//! so that code the screens share is fetched once.
//!
//! The top layer: screens use widgets, services, the model and the platform.

pub mod completion;
pub mod device;
pub mod export;
pub mod followup;
pub mod home;
pub mod inspection;
pub mod new_inspection;
pub mod onboarding;
pub mod outbox;
pub mod profile;
pub mod records;
pub mod sites;
pub mod storage;

use crate::model::context::{use_catalog, use_model};
use crate::platform::i18n::{t, t_string};
use crate::platform::lazy::{ChunkError, Task, on_demand};
use crate::platform::route::Route;
use crate::services::checklists::{self, LoadError};
use crate::widgets::profile_form::ProfileForm;
use leptos::prelude::*;

on_demand! {
    /// The view of `route`, once the stored checklists are parsed (the screens look
    /// checklists up as they are built); `profile_form` keeps the profile screen's typing
    /// across a language switch. Waiting happens in the chunk, so the checklist loader
    /// (`services::checklists`) is not part of the app shell.
    fn screen_view in screens / preload_screens (route: Route, profile_form: RwSignal<ProfileForm>)
        -> Task<Result<AnyView, ChunkError>>
    {
        Box::pin(async move {
            checklists::ready().await;
            match checklists::load_error() {
                Some(LoadError::Chunk(e)) => Err(e),
                Some(LoadError::Storage(error)) => Ok(view! {
                    <p class="error" role="alert">
                        {t("无法读取本机的检查表，数据未受影响：", "Cannot read the checklists on this device; no data was changed: ")}
                        {crate::platform::i18n::localize(&error)}
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
        Route::NewInspection(site) => view! { <new_inspection::NewInspection site /> }.into_any(),
        Route::Inspection(id) => view! { <inspection::InspectionScreen id /> }.into_any(),
        Route::InspectionAt(id, anchor) => {
            view! { <inspection::InspectionScreen id at=anchor /> }.into_any()
        }
        Route::Complete(id) => view! { <completion::CompletionScreen id /> }.into_any(),
        Route::Export(id) => view! { <export::ExportScreen id /> }.into_any(),
        Route::Outbox => view! { <outbox::OutboxScreen /> }.into_any(),
        Route::Storage => view! { <storage::StorageScreen /> }.into_any(),
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

/// The view of an on-demand screen. Called once the data is loaded ([`crate::model::data::ready`]),
/// which loads this chunk too.
pub async fn screen(
    route: Route,
    profile_form: RwSignal<ProfileForm>,
) -> Result<AnyView, ChunkError> {
    screen_view(route, profile_form).await?.await
}

/// An inspection with the exact checklist version it was started with, or a view saying
/// that either is missing (e.g. a link to an inspection from another device).
fn inspection_with_checklist(
    id: uuid::Uuid,
) -> Result<(paicha_core::Inspection, &'static paicha_core::Checklist), AnyView> {
    let catalog = use_catalog();
    let found = use_model().with_untracked(|m| {
        m.inspections.get(&id).map(|i| {
            let checklist =
                catalog.with_untracked(|c| c.find(&i.checklist.id, &i.checklist.content_hash.0));
            (i.clone(), checklist)
        })
    });
    match found {
        Some((inspection, Some(checklist))) => Ok((inspection, checklist)),
        // The record is stored; only the checklist version it was judged by is not on this
        // device (data from before checklists were kept per version): say which, and that
        // nothing is lost.
        Some((inspection, None)) => {
            let r = &inspection.checklist;
            let hash: String = r.content_hash.0.chars().take(12).collect();
            Err(view! {
                <p class="error" role="alert">
                    {t_string(
                        format!("该检查使用的检查表 {} v{}（{hash}）不在本机，暂不能继续填写。检查记录已保存，没有丢失。", r.id, r.version),
                        format!("The checklist this inspection uses, {} v{} ({hash}), is not on this device, so it cannot be continued here. The record is stored; nothing is lost.", r.id, r.version),
                    )}
                </p>
                <a class="button" href=Route::Record(id).href()>{t("查看现场检查记录", "View the inspection record")}</a>
                <a class="button" href=Route::Home.href()>{t("返回", "Back")}</a>
            }
            .into_any())
        }
        None => Err(view! {
            <p class="error" role="alert">{t("找不到该检查。", "Inspection not found.")}</p>
            <a class="button" href=Route::Home.href()>{t("返回", "Back")}</a>
        }
        .into_any()),
    }
}
