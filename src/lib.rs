//! Paicha (排查): the Leptos client app. `main.rs` only mounts [`App`].

pub mod checklists;
pub mod device_key;
pub mod features;
pub mod i18n;
mod lazy;
pub mod model;
pub mod persist;
pub mod route;
mod screens;
pub mod storage;
pub mod update;
pub mod writer_lock;

use checklists::Catalog;
use device_key::DeviceKey;
use features::{home, onboarding, outbox};
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
    // Both take a round trip to the browser: open the database while the lock is requested.
    storage::open_early();
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
        // Parsed after the first screen is shown (`checklists::start`): home and registration
        // need no checklist.
        let checklists = values[model_reads..model_reads + rest].to_vec();
        // The key exists once the inspector has registered; it is created in onboarding.
        let key = if model.profile.is_some() {
            let stored = values.get(model_reads + rest).filter(|v| !v.is_undefined());
            Some(DeviceKey::stored_or_create(&db, stored.cloned()).await?)
        } else {
            None
        };
        Ok::<_, storage::StorageError>((db, model, key, checklists))
    });
    view! {
            <Suspense fallback=|| view! { <p role="status">{i18n::t("正在加载…", "Loading…")}</p> }>
                {move || {
                    loaded.get().map(|result| match result {
                        Ok((db, model, key, checklists)) => view! { <Loaded db model key checklists /> }.into_any(),
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
fn Loaded(
    db: Db,
    model: Model,
    key: Option<DeviceKey>,
    checklists: Vec<wasm_bindgen::JsValue>,
) -> impl IntoView {
    let has_inspections = !model.inspections.is_empty();
    let model = RwSignal::new(model);
    let catalog = RwSignal::new(Catalog::default());
    checklists::start(db.clone(), catalog, checklists, has_inspections);
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
    // The other screens' code, fetched once the first screen is up and the page is idle.
    leptos::task::spawn_local(async {
        checklists::idle(5_000).await;
        screens::preload().await;
    });
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
                _ => view! { <OnDemand route profile_form /> }.into_any(),
            }
        }}
    }
}

/// A screen whose code is loaded on demand ([`screens`]); "loading" shows only while its
/// chunk is fetched the first time.
#[component]
fn OnDemand(route: Route, profile_form: RwSignal<onboarding::ProfileForm>) -> impl IntoView {
    // Each screen gets an owner of its own, kept until the route changes: what it creates and
    // the contexts it provides (e.g. `PendingWrites`) go with it. On the route switch's shared
    // owner a context outlives its screen, and the next screen would find a disposed signal.
    let owner = Owner::new();
    let keep = owner.clone();
    on_cleanup(move || keep.cleanup());
    // The browser is single-threaded: the wrapper only satisfies `Suspend`'s `Send` bound.
    let screen = owner.with(|| Suspend::new(send_wrapper::SendWrapper::new(async move {
        screens::screen(route, profile_form).await.unwrap_or_else(|_| {
            view! {
                <p class="error" role="alert">
                    {i18n::t(
                        "此页面的程序未能加载，已保存的数据不受影响。请联网后重试。",
                        "This screen's code could not be loaded; saved data is not affected. Connect and try again.",
                    )}
                </p>
                <button type="button" on:click=|_| reload()>{i18n::t("重试", "Try again")}</button>
                <a class="button" href=Route::Home.href()>{i18n::t("返回首页", "Home")}</a>
            }
            .into_any()
        })
    })));
    view! {
        <Suspense fallback=|| view! { <p role="status">{i18n::t("正在加载…", "Loading…")}</p> }>
            {screen}
        </Suspense>
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
