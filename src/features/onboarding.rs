//! First run: the inspector registers and the device signing key is created.

use crate::device_key::DeviceKey;
use crate::features::FieldError;
use crate::use_app;
use leptos::prelude::*;
use paicha_core::{InspectionError, Inspector};

/// The registration form as typed; converted to a domain [`Inspector`] in one place.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub name: String,
    pub cert_no: String,
}

impl TryFrom<&ProfileForm> for Inspector {
    type Error = InspectionError;
    fn try_from(form: &ProfileForm) -> Result<Self, Self::Error> {
        Inspector::new(&form.name, &form.cert_no)
    }
}

#[component]
pub fn Onboarding() -> impl IntoView {
    let app = use_app();
    let form = RwSignal::new(ProfileForm::default());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let inspector = match Inspector::try_from(&form.get_untracked()) {
            Ok(i) => i,
            Err(e) => return error.set(Some(e.to_string())),
        };
        error.set(None);
        busy.set(true);
        let db = app.db.get_value();
        leptos::task::spawn_local(async move {
            // Records are evidence: ask the browser not to evict them (answer shown on the
            // storage screen).
            crate::features::storage_status::request_persistence().await;
            match DeviceKey::load_or_create(&db).await {
                Ok(key) => {
                    app.model.update(|m| m.set_profile(inspector));
                    app.device_key.set(Some(key));
                }
                Err(e) => error.set(Some(format!(
                    "无法创建签名密钥 / cannot create the signing key: {e}"
                ))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <h2>"检查人员登记 " <small>"Inspector registration"</small></h2>
            <p>"首次使用：请填写姓名和执法证号。本机将生成不可导出的签名密钥，用于对检查记录签名。"
               <br/><small>"First use: this device creates a non-extractable key to sign your records."</small></p>
            <form on:submit=on_submit>
                <label for="inspector-name">"检查人员姓名 Inspector name"</label>
                <input id="inspector-name" type="text" autocomplete="name" required
                    prop:value=move || form.with(|f| f.name.clone())
                    on:input=move |ev| form.update(|f| f.name = event_target_value(&ev)) />
                <label for="inspector-cert">"执法证号 Law-enforcement certificate No."</label>
                <input id="inspector-cert" type="text" inputmode="text" required
                    prop:value=move || form.with(|f| f.cert_no.clone())
                    on:input=move |ev| form.update(|f| f.cert_no = event_target_value(&ev)) />
                <FieldError id="profile-error" message=error.into() />
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "正在生成密钥… Creating key…" } else { "登记并生成密钥 Register" }}
                </button>
            </form>
        </section>
    }
}
