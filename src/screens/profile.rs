//! The inspector's profile (个人信息): name, 执法证号, organisation and region, and the
//! device key that signs their records.

use crate::model::context::{use_device_key, use_model};
use crate::platform::i18n::t;
use crate::platform::route::Route;
use crate::screens::device::DeviceEnrolment;
use crate::widgets::lang_switch::LangSwitch;
use crate::widgets::profile_form::{ProfileForm, ProfileFormErrors, checked, profile_fields};
use crate::widgets::save_indicator::SaveIndicator;
use leptos::prelude::*;

/// `form` is owned by the caller (filled from the stored profile when the screen is opened),
/// so unsaved edits survive a language switch, which rebuilds this screen.
#[component]
pub fn ProfileScreen(form: RwSignal<ProfileForm>) -> impl IntoView {
    let model = use_model();
    let device_key = use_device_key();
    let errors = RwSignal::new(ProfileFormErrors::default());
    let submitted = RwSignal::new(false);
    let key_id =
        move || device_key.with(|k| k.as_ref().map(|k| k.key_id.to_string()).unwrap_or_default());
    crate::services::regions::offer("inspector-region");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match checked(&form.get_untracked()) {
            Ok(inspector) => {
                errors.set(ProfileFormErrors::default());
                model.update(|m| m.set_profile(inspector));
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
                <LangSwitch />
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
            <dl class="key-id">
                <dt id="profile-key-label">{t("本机设备密钥标识", "This device's key id")}</dt>
                <dd class="mono" aria-labelledby="profile-key-label">{key_id}</dd>
            </dl>
            <p><small>{t("签名密钥保存在本机且不可导出；更换设备须重新登记。",
                "The signing key stays on this device and cannot be exported; a new device must be registered again.")}</small></p>
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
        <DeviceEnrolment />
    }
}
