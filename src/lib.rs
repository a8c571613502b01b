//! Paicha (排查): the Leptos client app. `main.rs` only mounts [`App`].
//!
//! The app is four layers over the browser, each importing only the ones below it
//! (docs/architecture.md; `crates/paicha-build/tests/architecture.rs` checks it):
//! [`screens`] → [`widgets`] → [`services`] → [`model`] → [`platform`]. This file composes
//! them: the writer lock, the first screen drawn from the stored summary, and every other
//! screen once its code and the data are loaded.

pub mod model;
pub mod platform;
pub mod screens;
pub mod services;
pub mod widgets;

pub use platform::APP_VERSION;

use leptos::prelude::*;
use model::context::DataState;
use model::context::{Shell, use_shell};
use model::data;
use model::persist::{self, SaveState};
use model::summary::{self, Summary};
use platform::i18n;
use platform::route::{self, Route};
use platform::storage::{self, Db};
use platform::writer_lock;
use screens::{home, onboarding};
use widgets::open_elsewhere::OpenElsewhere;
use widgets::profile_form::ProfileForm;
use widgets::retry::Retry;
use widgets::update_banner::UpdateBanner;

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
                writer_lock::Writer::Checking => loading(),
                writer_lock::Writer::Held => view! { <Load /> }.into_any(),
                _ => view! { <OpenElsewhere state=writer /> }.into_any(),
            }}
        </main>
    }
}

/// Opens storage and reads what the first screen shows, once this tab is the writer.
#[component]
fn Load() -> impl IntoView {
    let loaded = LocalResource::new(|| async {
        let db = Db::open().await?;
        let values = db
            .read(&[
                storage::Read::Get(storage::KV, persist::PROFILE),
                storage::Read::Get(storage::KV, summary::KEY),
            ])
            .await?;
        let first_run = values[0].is_undefined();
        Ok::<_, storage::StorageError>((db, first_run, summary::read(&values[1])))
    });
    view! {
            <Suspense fallback=loading>
                {move || {
                    loaded.get().map(|result| match result {
                        Ok((db, first_run, stored)) => view! { <Loaded db first_run stored /> }.into_any(),
                        Err(e) => view! {
                            <p class="error" role="alert">{model::context::DataError::Storage(e.to_string()).message()}</p>
                        }.into_any(),
                    })
                }}
            </Suspense>
    }
}

thread_local! {
    /// The screen shown last, to tell a new screen from the same one rebuilt in another language.
    static SHOWN: std::cell::RefCell<Option<Route>> = const { std::cell::RefCell::new(None) };
}

#[component]
fn Loaded(db: Db, first_run: bool, stored: Option<Summary>) -> impl IntoView {
    // Nothing stored yet: registration. A profile without a readable summary (stored by an
    // earlier version): wait for the model, which writes one.
    let shown = if first_run {
        Some(Summary::first_run())
    } else {
        stored.clone()
    };
    let shell = Shell {
        db: StoredValue::new_local(db),
        summary: RwSignal::new(shown),
        save_state: RwSignal::new(SaveState::Saved),
        route: route::current(),
        data: RwSignal::new_local(DataState::Loading),
    };
    provide_context(shell);
    services::session::start(shell, stored);
    // A Memo, so that the screen is rebuilt only when registration or the route changes, never
    // on each answer (which would reset the screen's state and the focused field).
    let registered =
        Memo::new(move |_| shell.summary.with(|s| s.as_ref().map(Summary::registered)));
    // What the registration form holds, kept across a language switch (which rebuilds it).
    let registration = RwSignal::new(ProfileForm::default());
    // Likewise the profile form: filled from the stored profile when the screen is opened,
    // kept when only the language changes.
    let profile_form = RwSignal::new(ProfileForm::default());
    view! {
        <UpdateBanner />
        {move || {
            // A language switch rebuilds the screen, whose texts are picked as it is built.
            i18n::lang();
            match registered.get() {
                None => return view! { <DataPending /> }.into_any(),
                Some(false) => return view! { <onboarding::Onboarding form=registration /> }.into_any(),
                Some(true) => {}
            }
            let route = shell.route.get();
            if SHOWN.with(|s| s.replace(Some(route.clone()))).as_ref() != Some(&route) && route == Route::Profile {
                profile_form.set(shell.summary.with_untracked(|s| {
                    s.as_ref()
                        .and_then(|s| s.profile.as_ref())
                        .map(ProfileForm::from)
                        .unwrap_or_default()
                }));
            }
            match route {
                Route::Home => view! { <home::Home /> }.into_any(),
                _ => view! { <OnDemand route profile_form /> }.into_any(),
            }
        }}
    }
}

/// "Loading", wherever something is awaited (one view, for the app shell's size).
fn loading() -> AnyView {
    view! { <p role="status">{i18n::t("正在加载…", "Loading…")}</p> }.into_any()
}

/// Shown while the first screen cannot be chosen without the data: "loading", or why the
/// data could not be loaded.
#[component]
fn DataPending() -> impl IntoView {
    let shell = use_shell();
    move || match shell.data.get() {
        DataState::Failed(e) => view! { <Retry message=e.message() /> }.into_any(),
        _ => loading(),
    }
}

/// A screen whose code is loaded on demand ([`screens`]); "loading" shows only while its
/// chunk is fetched the first time.
#[component]
fn OnDemand(route: Route, profile_form: RwSignal<ProfileForm>) -> impl IntoView {
    // Each screen gets an owner of its own, kept until the route changes: what it creates and
    // the contexts it provides (e.g. `PendingWrites`) go with it. On the route switch's shared
    // owner a context outlives its screen, and the next screen would find a disposed signal.
    let shell = use_shell();
    let owner = Owner::new();
    let keep = owner.clone();
    on_cleanup(move || keep.cleanup());
    // The browser is single-threaded: the wrapper only satisfies `Suspend`'s `Send` bound.
    let screen = owner.with(|| Suspend::new(send_wrapper::SendWrapper::new(async move {
        // The screens find the data as context (provided by `data::install`).
        let message = match data::ready(shell).await {
            Err(error) => error.message(),
            Ok(_) => match screens::screen(route, profile_form).await {
                Ok(screen) => return screen,
                Err(_) => i18n::t(
                    "此页面的程序未能加载，已保存的数据不受影响。请联网后重试。",
                    "This screen's code could not be loaded; saved data is not affected. Connect and try again.",
                )
                .to_string(),
            },
        };
        view! { <Retry message home=true /> }.into_any()
    })));
    view! {
        <Suspense fallback=loading>
            {screen}
        </Suspense>
    }
}
