//! The inspector's profile (个人信息): name, 执法证号, organisation and region, and the
//! device key that signs their records.

use crate::features::inspection::SaveIndicator;
use crate::features::onboarding::{ProfileForm, ProfileFormErrors, profile_fields};
use crate::i18n::t;
use crate::route::Route;
use crate::use_app;
use leptos::prelude::*;
use paicha_core::Inspector;

/// `form` is owned by the caller (filled from the stored profile when the screen is opened),
/// so unsaved edits survive a language switch, which rebuilds this screen.
#[component]
pub fn ProfileScreen(form: RwSignal<ProfileForm>) -> impl IntoView {
    let app = use_app();
    let errors = RwSignal::new(ProfileFormErrors::default());
    let submitted = RwSignal::new(false);
    let key_id = move || {
        app.device_key
            .with(|k| k.as_ref().map(|k| k.key_id.to_string()).unwrap_or_default())
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Inspector::try_from(&form.get_untracked()) {
            Ok(inspector) => {
                errors.set(ProfileFormErrors::default());
                app.model.update(|m| m.set_profile(inspector));
                submitted.set(true);
            }
            Err(e) => {
                errors.set(e);
                submitted.set(false);
            }
        }
    };
    view! {
        <section class="card" aria-labelledby="profile-title">
            <div class="title-row">
                <h2 id="profile-title">{t("个人信息", "Profile")}</h2>
                <crate::i18n::LangSwitch />
            </div>
            <form on:submit=on_submit novalidate>
                {profile_fields(form, errors)}
                <p class="hint" id="cert-note"><small>
                    {t("执法证号按每次检查分别记录：修改后只用于此后开始的检查，已有检查记录保留当时的证号。",
                       "A changed certificate number applies to inspections started from now on; each inspection keeps the number it was started with.")}
                </small></p>
                <button type="submit" class="primary">{t("保存个人信息", "Save profile")}</button>
                <Show when=move || submitted.get()>
                    <SaveIndicator />
                </Show>
            </form>
            <p>{t("设备密钥", "Device key")}</p>
            <p class="mono" aria-label=t("本机设备密钥标识", "This device's key id")>{key_id}</p>
            <p><small>{t("签名密钥保存在本机且不可导出；更换设备须重新登记。",
                "The signing key stays on this device and cannot be exported; a new device must be registered again.")}</small></p>
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
    }
}

/// On the home screen: the inspector's unit, or, for a profile registered before units were
/// asked for, a prompt to complete it (records then name the unit).
#[component]
pub fn ProfileUnit() -> impl IntoView {
    let shell = crate::use_shell();
    let unit = move || {
        shell.summary.with(|s| {
            s.as_ref()
                .and_then(|s| s.profile.as_ref())
                .filter(|p| !p.organisation.is_empty() && !p.region.is_empty())
                .map(|p| {
                    format!(
                        "{}{} · {}",
                        t("所属单位：", "Unit: "),
                        p.organisation,
                        p.region
                    )
                })
        })
    };
    view! {
        {move || match unit() {
            Some(text) => view! { <p>{text}</p> }.into_any(),
            None => view! {
                <p class="general">
                    {t("请完善个人信息：所属单位和所属区域将写入检查记录。", "Please complete your profile: your unit and region go on the records.")}
                    " " <a href=Route::Profile.href()>{t("完善个人信息", "Complete profile")}</a>
                </p>
            }
            .into_any(),
        }}
    }
}
