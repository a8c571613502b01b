//! First run: the inspector registers and the device signing key is created.

use crate::model::context::DataError;
use crate::model::context::Shell;
use crate::model::context::use_shell;
use crate::model::data;
use crate::platform::i18n::{localize, t, t_string};
use crate::platform::lazy::{Task, on_demand};
use crate::services::session;
use crate::widgets::field_error::FieldError;
use crate::widgets::lang_switch::LangSwitch;
use crate::widgets::profile_form::{ProfileForm, ProfileFormErrors, checked, profile_fields};
use crate::widgets::retry;
use leptos::prelude::*;

/// `form` is owned by the caller, so what was typed survives a language switch (which rebuilds
/// this screen).
#[component]
pub fn Onboarding(form: RwSignal<ProfileForm>) -> impl IntoView {
    let shell = use_shell();
    let errors = RwSignal::new(ProfileFormErrors::default());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = match submit(shell, form.get_untracked(), errors).await {
                Ok(task) => task.await,
                Err(_) => Err(DataError::Chunk.message()),
            };
            // `try_`: the screen may have been rebuilt (language switch) meanwhile.
            if let Err(e) = outcome {
                error.try_set(Some(e));
            }
            busy.try_set(false);
        });
    };
    view! {
        <section class="card">
            <div class="title-row">
                <h2>{t("检查人员登记", "Inspector registration")}</h2>
                <LangSwitch />
            </div>
            <p>{t("首次使用：请填写姓名、执法证号、所属单位和所属区域。本机将生成不可导出的签名密钥，用于对检查记录签名。",
                "First use: enter your name, law-enforcement certificate number, organisation and region. This device creates a non-extractable key to sign your records.")}</p>
            <form on:submit=on_submit novalidate>
                {profile_fields(form, errors)}
                <FieldError id="profile-error" message=error.into() />
                <retry::DataError />
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t("正在生成密钥…", "Creating key…") } else { t("登记并生成密钥", "Register") }}
                </button>
            </form>
        </section>
    }
}

on_demand! {
    /// The form as submitted: checked (each field's message, the region chosen from the
    /// table), then the device key created and the profile stored. On demand, like every check
    /// of the form, so that the app shell carries none (the region check alone cost it 632
    /// bytes brotli, measured); the chunk is fetched right after the first screen.
    fn submit in screens / preload_submit (
        shell: Shell,
        form: ProfileForm,
        errors: RwSignal<ProfileFormErrors>,
    ) -> Task<Result<(), String>> {
        Box::pin(async move {
            let inspector = match checked(&form) {
                Ok(inspector) => inspector,
                Err(e) => {
                    errors.try_set(e);
                    return Ok(());
                }
            };
            errors.try_set(ProfileFormErrors::default());
            let Ok(app) = data::ready(shell).await else {
                // Said by the form's `DataError`, with a retry.
                return Ok(());
            };
            session::register(app, inspector).await.map_err(|e| {
                let e = localize(&e.to_string());
                t_string(
                    format!("无法创建签名密钥：{e}"),
                    format!("Cannot create the signing key: {e}"),
                )
            })
        })
    }
}
