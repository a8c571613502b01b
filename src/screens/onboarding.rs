//! First run: the inspector registers and the device signing key is created.

use crate::model::context::DataError;
use crate::model::context::use_shell;
use crate::model::data;
use crate::platform::i18n::{localize, t, t_string};
use crate::services::session;
use crate::widgets::field_error::FieldError;
use crate::widgets::lang_switch::LangSwitch;
use crate::widgets::profile_form::{ProfileForm, ProfileFormErrors, profile_fields};
use crate::widgets::retry;
use leptos::prelude::*;
use paicha_core::Inspector;

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
        let inspector = match Inspector::try_from(&form.get_untracked()) {
            Ok(i) => i,
            Err(e) => return errors.set(e),
        };
        errors.set(ProfileFormErrors::default());
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = match data::ready(shell).await {
                Ok(app) => match session::register(app, inspector).await {
                    Ok(task) => task.await.map_err(|e| {
                        let e = localize(&e.to_string());
                        t_string(
                            format!("无法创建签名密钥：{e}"),
                            format!("Cannot create the signing key: {e}"),
                        )
                    }),
                    Err(_) => Err(DataError::Chunk.message()),
                },
                // Said by the form's `DataError`, with a retry.
                Err(_) => Ok(()),
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
