//! First run: the inspector registers and the device signing key is created.

use crate::features::FieldError;
use crate::features::form::{Kind, text_input};
use crate::i18n::t;
use crate::use_shell;
use leptos::prelude::*;
use paicha_core::{Inspector, MissingField};

/// The registration (and profile) form as typed; converted to a domain [`Inspector`] in one
/// place. The domain keeps organisation and region optional (profiles registered before they
/// existed still load); the form asks for both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileForm {
    pub name: String,
    pub cert_no: String,
    pub organisation: String,
    pub region: String,
}

/// One message per field of [`ProfileForm`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileFormErrors {
    pub name: Option<String>,
    pub cert_no: Option<String>,
    pub organisation: Option<String>,
    pub region: Option<String>,
}

/// The profile screen opens with the stored profile, as home's summary holds it.
impl From<&crate::summary::Profile> for ProfileForm {
    fn from(profile: &crate::summary::Profile) -> Self {
        Self {
            name: profile.name.clone(),
            cert_no: profile.cert_no.clone(),
            organisation: profile.organisation.clone(),
            region: profile.region.clone(),
        }
    }
}

impl TryFrom<&ProfileForm> for Inspector {
    type Error = ProfileFormErrors;
    fn try_from(form: &ProfileForm) -> Result<Self, ProfileFormErrors> {
        let required = |value: &str, what: &'static str| {
            value
                .trim()
                .is_empty()
                .then(|| MissingField(what).to_string())
        };
        let errors = ProfileFormErrors {
            name: required(&form.name, "检查人员姓名 inspector name"),
            cert_no: required(&form.cert_no, "执法证号 certificate number"),
            organisation: required(&form.organisation, "所属单位 organisation"),
            region: required(&form.region, "所属区域 region"),
        };
        if errors != ProfileFormErrors::default() {
            return Err(errors);
        }
        Inspector::new(&form.name, &form.cert_no)
            .map(|i| i.with_unit(&form.organisation, &form.region))
            .map_err(|e| ProfileFormErrors {
                name: Some(e.to_string()),
                ..ProfileFormErrors::default()
            })
    }
}

/// Name, certificate number, organisation and region, each with its message.
pub fn profile_fields(form: RwSignal<ProfileForm>, errors: RwSignal<ProfileFormErrors>) -> AnyView {
    let message = |get: fn(&ProfileFormErrors) -> &Option<String>| {
        Signal::derive(move || errors.with(|e| get(e).clone()))
    };
    view! {
        {text_input("inspector-name", t("检查人员姓名", "Inspector name"), Kind::Text, "name", form,
            |f| &f.name, |f| &mut f.name, Some(("inspector-name-error", message(|e| &e.name))))}
        {text_input("inspector-cert", t("执法证号", "Law-enforcement certificate No."), Kind::Code, "off", form,
            |f| &f.cert_no, |f| &mut f.cert_no, Some(("inspector-cert-error", message(|e| &e.cert_no))))}
        {text_input("inspector-org", t("所属单位（如 某县应急管理局）", "Organisation (e.g. county emergency management bureau)"), Kind::Text, "organization", form,
            |f| &f.organisation, |f| &mut f.organisation, Some(("inspector-org-error", message(|e| &e.organisation))))}
        {text_input("inspector-region", t("所属区域（县/乡镇）", "Region (county / township)"), Kind::Text, "off", form,
            |f| &f.region, |f| &mut f.region, Some(("inspector-region-error", message(|e| &e.region))))}
    }
    .into_any()
}

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
            let outcome = match crate::data::ready(shell).await {
                Ok(app) => match crate::data::register(app, inspector).await {
                    Ok(task) => task.await.map_err(|e| {
                        let e = crate::i18n::localize(&e.to_string());
                        crate::i18n::t_string(
                            format!("无法创建签名密钥：{e}"),
                            format!("Cannot create the signing key: {e}"),
                        )
                    }),
                    Err(_) => Err(crate::data::DataError::Chunk.message()),
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
                <crate::i18n::LangSwitch />
            </div>
            <p>{t("首次使用：请填写姓名、执法证号、所属单位和所属区域。本机将生成不可导出的签名密钥，用于对检查记录签名。",
                "First use: enter your name, law-enforcement certificate number, organisation and region. This device creates a non-extractable key to sign your records.")}</p>
            <form on:submit=on_submit novalidate>
                {profile_fields(form, errors)}
                <FieldError id="profile-error" message=error.into() />
                <crate::DataError />
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t("正在生成密钥…", "Creating key…") } else { t("登记并生成密钥", "Register") }}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Profile;

    fn form(name: &str, cert: &str, org: &str, region: &str) -> ProfileForm {
        ProfileForm {
            name: name.into(),
            cert_no: cert.into(),
            organisation: org.into(),
            region: region.into(),
        }
    }

    #[test]
    fn a_complete_profile_becomes_an_inspector_with_a_unit() {
        let inspector =
            Inspector::try_from(&form(" 张三 ", "GD-0001 ", " 某县应急管理局", "某镇 ")).unwrap();
        assert_eq!(inspector.name, "张三");
        assert_eq!(inspector.cert_no, "GD-0001");
        assert_eq!(inspector.organisation, "某县应急管理局");
        assert_eq!(inspector.region, "某镇");
        assert_eq!(
            ProfileForm::from(&Profile::from(&inspector)),
            form("张三", "GD-0001", "某县应急管理局", "某镇")
        );
    }

    #[test]
    fn every_missing_field_gets_its_own_message() {
        let errors = Inspector::try_from(&form("", " ", "", "")).unwrap_err();
        assert!(errors.name.as_deref().unwrap().contains("检查人员姓名"));
        assert!(errors.cert_no.as_deref().unwrap().contains("执法证号"));
        assert!(errors.organisation.as_deref().unwrap().contains("所属单位"));
        assert!(errors.region.as_deref().unwrap().contains("所属区域"));
        let errors = Inspector::try_from(&form("张三", "GD-1", "某县应急管理局", "")).unwrap_err();
        assert_eq!(
            errors,
            ProfileFormErrors {
                region: Some(MissingField("所属区域 region").to_string()),
                ..ProfileFormErrors::default()
            }
        );
    }

    #[test]
    fn a_profile_registered_before_units_existed_opens_with_empty_unit_fields() {
        let old: Inspector = serde_json::from_str(r#"{"name":"张三","cert_no":"A1"}"#).unwrap();
        let form = ProfileForm::from(&Profile::from(&old));
        assert_eq!(form.organisation, "");
        // Saving it again asks for the missing fields.
        assert!(
            Inspector::try_from(&form)
                .unwrap_err()
                .organisation
                .is_some()
        );
    }
}
