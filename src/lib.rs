//! Paicha (排查): the Leptos client app. `main.rs` only mounts [`App`].

pub mod checklists;
pub mod device_key;
pub mod features;
pub mod i18n;
pub mod model;
pub mod persist;
pub mod route;
pub mod storage;
pub mod update;
pub mod writer_lock;

use checklists::Catalog;
use device_key::DeviceKey;
use features::{export, home, inspection, new_inspection, onboarding, outbox};
use leptos::prelude::*;
use model::Model;
use persist::SaveState;
use route::Route;
use storage::Db;

pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Shared handles, provided as context to every screen.
#[derive(Clone, Copy)]
pub struct AppContext {
    pub model: RwSignal<Model>,
    pub db: StoredValue<Db, LocalStorage>,
    pub device_key: RwSignal<Option<DeviceKey>, LocalStorage>,
    pub save_state: ReadSignal<SaveState>,
    pub route: ReadSignal<Route>,
    pub catalog: RwSignal<Catalog>,
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}

#[component]
pub fn App() -> impl IntoView {
    console_error_panic_hook::set_once();
    let writer = RwSignal::new(writer_lock::Writer::Checking);
    writer_lock::request(writer, false);
    view! {
        <header class="app-header">
            // Rebuilt when the language changes (the header is not part of a screen).
            {move || view! {
                <h1>{i18n::lang().pick("排查 ", "Paicha ")} <small>{i18n::t("安全生产隐患排查", "Work-safety hazard inspections")}</small></h1>
            }}
        </header>
        <main>
            {move || match writer.get() {
                writer_lock::Writer::Checking => view! { <p role="status">{i18n::t("正在加载…", "Loading…")}</p> }.into_any(),
                writer_lock::Writer::Held => view! { <Load /> }.into_any(),
                _ => view! { <writer_lock::OpenElsewhere state=writer /> }.into_any(),
            }}
        </main>
    }
}

/// Opens storage and loads everything, once this tab is the writer.
#[component]
fn Load() -> impl IntoView {
    let loaded = LocalResource::new(|| async {
        let db = Db::open().await?;
        // Everything the first screen needs, in one transaction with all requests in flight
        // at once: the model, the checklist catalog and the device key.
        let (model_reads, rest) = (persist::READS.len(), Catalog::READS.len());
        let reads: Vec<storage::Read> = persist::READS
            .iter()
            .chain(&Catalog::READS)
            .chain([&DeviceKey::READ])
            .copied()
            .collect();
        let values = db.read(&reads).await?;
        let model = persist::load_from(&db, &values[..model_reads]).await?;
        // On a first run the catalog is empty: the registration form needs no checklist, so
        // the pack is fetched after it is shown (see `refresh_checklists`).
        let mut catalog = Catalog::from_values(&values[model_reads..model_reads + rest])?;
        if catalog.current().is_empty() && !model.inspections.is_empty() {
            // Inspections stored without any checklist (data from before schema v2): their
            // screens look the checklist up once, so it must be here before they show.
            catalog
                .install(&db, checklists::fetch_pack().await?)
                .await?;
        }
        // The key exists once the inspector has registered; it is created in onboarding.
        let key = if model.profile.is_some() {
            let stored = values.get(model_reads + rest).filter(|v| !v.is_undefined());
            Some(DeviceKey::stored_or_create(&db, stored.cloned()).await?)
        } else {
            None
        };
        Ok::<_, storage::StorageError>((db, model, key, catalog))
    });
    view! {
            <Suspense fallback=|| view! { <p role="status">{i18n::t("正在加载…", "Loading…")}</p> }>
                {move || {
                    loaded.get().map(|result| match result {
                        Ok((db, model, key, catalog)) => view! { <Loaded db model key catalog /> }.into_any(),
                        Err(e) => view! {
                            <p class="error" role="alert">
                                {i18n::t("无法打开本地存储，数据未受影响：", "Cannot open local storage; no data was changed: ")}
                                {i18n::localize(&e.to_string())}
                            </p>
                        }.into_any(),
                    })
                }}
            </Suspense>
    }
}

thread_local! {
    /// The screen shown last, to tell a new screen from the same one rebuilt in another language.
    static SHOWN: std::cell::Cell<Option<Route>> = const { std::cell::Cell::new(None) };
}

#[component]
fn Loaded(db: Db, model: Model, key: Option<DeviceKey>, catalog: Catalog) -> impl IntoView {
    let model = RwSignal::new(model);
    let catalog = RwSignal::new(catalog);
    refresh_checklists(db.clone(), catalog);
    let save_state = persist::sync_to_storage(model, db.clone());
    let context = AppContext {
        model,
        db: StoredValue::new_local(db),
        device_key: RwSignal::new_local(key),
        save_state,
        route: route::current(),
        catalog,
    };
    provide_context(context);
    outbox::start_uploader(context);
    // A Memo, so that the screen is rebuilt only when registration or the route changes, never
    // on each answer (which would reset the screen's state and the focused field).
    let registered = Memo::new(move |_| {
        model.with(|m| m.profile.is_some()) && context.device_key.with(Option::is_some)
    });
    // What the registration form holds, kept across a language switch (which rebuilds it).
    let registration = RwSignal::new(onboarding::ProfileForm::default());
    // Likewise the profile form: filled from the stored profile when the screen is opened,
    // kept when only the language changes.
    let profile_form = RwSignal::new(onboarding::ProfileForm::default());
    view! {
        <update::UpdateBanner />
        {move || {
            // A language switch rebuilds the screen, whose texts are picked as it is built.
            i18n::lang();
            if !registered.get() {
                return view! { <onboarding::Onboarding form=registration /> }.into_any();
            }
            let route = context.route.get();
            if SHOWN.replace(Some(route)) != Some(route) && route == Route::Profile {
                profile_form.set(model.with_untracked(|m| {
                    m.profile.as_ref().map(onboarding::ProfileForm::from).unwrap_or_default()
                }));
            }
            match route {
                Route::Home => view! { <home::Home /> }.into_any(),
                Route::NewInspection => view! { <new_inspection::NewInspection /> }.into_any(),
                Route::Inspection(id) => view! { <inspection::InspectionScreen id /> }.into_any(),
                Route::Export(id) => view! { <export::ExportScreen id /> }.into_any(),
                Route::Complete(id) => view! { <features::completion::CompletionScreen id /> }.into_any(),
                Route::Outbox => view! { <outbox::OutboxScreen /> }.into_any(),
                Route::Storage => view! { <features::storage_status::StorageScreen /> }.into_any(),
                Route::Record(id) => view! { <features::records::RecordScreen id /> }.into_any(),
                Route::Notice(id) => view! { <features::records::NoticeScreen id /> }.into_any(),
                Route::FollowUp => view! { <features::followup::FollowUpScreen /> }.into_any(),
                Route::ReviewRecord(id) => view! { <features::records::ReviewRecordScreen id /> }.into_any(),
                Route::Profile => view! { <features::profile::ProfileScreen form=profile_form /> }.into_any(),
                Route::Sites => view! { <features::sites::SitesScreen /> }.into_any(),
                Route::Site(id) => view! { <features::sites::SiteScreen id /> }.into_any(),
            }
        }}
    }
}

/// Adopts a newer checklist pack when one is available; offline this finds the pack shipped
/// with the app, which is already known, and changes nothing. On a first run (no checklist
/// yet) it starts at once and retries until a pack is stored; otherwise it waits until the
/// first screen is shown and the page is idle, so that parsing and hashing the pack never
/// delays the start.
fn refresh_checklists(db: Db, catalog: RwSignal<Catalog>) {
    leptos::task::spawn_local(async move {
        let first_run = catalog.with_untracked(|c| c.current().is_empty());
        if !first_run {
            checklists::idle(5_000).await;
        }
        let mut retry_ms = 1_000;
        let pack = loop {
            match checklists::fetch_pack().await {
                Ok(pack) => break pack,
                Err(_) if first_run && catalog.with_untracked(|c| c.current().is_empty()) => {
                    checklists::sleep(retry_ms).await;
                    retry_ms = (retry_ms * 2).min(30_000);
                }
                Err(_) => return,
            }
        };
        let mut next = catalog.get_untracked();
        let unchanged = next.current().len() == pack.checklists.len()
            && next
                .current()
                .iter()
                .zip(&pack.checklists)
                .all(|(a, b)| a.content_hash == b.content_hash);
        if unchanged {
            return;
        }
        match next.install(&db, pack).await {
            Ok(()) => catalog.set(next),
            Err(e) => leptos::logging::warn!("checklist pack not stored: {e}"),
        }
    });
}
