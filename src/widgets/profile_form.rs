//! The inspector's profile as a form (registration and 个人信息): name, 执法证号, organisation
//! and region, each with its message.

use super::form::{Kind, text_input};
use crate::model::summary;
use crate::platform::i18n::t;
use leptos::prelude::*;
use paicha_core::region::RegionCode;
use paicha_core::{Inspector, MissingField};

/// The registration (and profile) form as typed; converted to a domain [`Inspector`] in one
/// place, [`checked`], which only on-demand code calls (the registration form's submit step
/// included): the app shell carries no validation (the region check alone cost it 632 bytes
/// brotli, measured). The domain keeps organisation and region optional (profiles registered before they
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
impl From<&summary::Profile> for ProfileForm {
    fn from(profile: &summary::Profile) -> Self {
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

/// The profile the form holds, or a message per field: every field filled in, and the region
/// chosen from the table (its leading code, `RegionCode::chosen`).
pub fn checked(form: &ProfileForm) -> Result<Inspector, ProfileFormErrors> {
    // Named together with the other fields' messages, so that one attempt shows them all.
    let region = (!form.region.trim().is_empty())
        .then(|| RegionCode::chosen(&form.region).err())
        .flatten()
        .map(|e| e.to_string());
    match Inspector::try_from(form) {
        Ok(inspector) if region.is_none() => Ok(inspector),
        Ok(_) => Err(ProfileFormErrors {
            region,
            ..ProfileFormErrors::default()
        }),
        Err(mut errors) => {
            errors.region = errors.region.or(region);
            Err(errors)
        }
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
        {text_input("inspector-region", t("所属区域（县/乡镇，从列表中选择）", "Region (county / township, from the list)"), Kind::Text, "off", form,
            |f| &f.region, |f| &mut f.region, Some(("inspector-region-error", message(|e| &e.region))))}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::summary::Profile;

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
        let inspector = Inspector::try_from(&form(
            " 张三 ",
            "GD-0001 ",
            " 某县应急管理局",
            "130102 长安区 ",
        ))
        .unwrap();
        assert_eq!(inspector.name, "张三");
        assert_eq!(inspector.cert_no, "GD-0001");
        assert_eq!(inspector.organisation, "某县应急管理局");
        assert_eq!(inspector.region, "130102 长安区");
        assert_eq!(
            ProfileForm::from(&Profile::from(&inspector)),
            form("张三", "GD-0001", "某县应急管理局", "130102 长安区")
        );
    }

    #[test]
    fn a_region_must_be_chosen_from_the_table_by_its_code() {
        for typed in ["某镇", "长安区", "1301020 长安区"] {
            let errors = checked(&form("张三", "GD-1", "某县应急管理局", typed)).unwrap_err();
            assert!(
                errors
                    .region
                    .as_deref()
                    .unwrap()
                    .contains("请从列表中选择所属区域"),
                "{typed:?}"
            );
            assert_eq!(errors.name, None);
        }
        let inspector = checked(&form(
            "张三",
            "GD-1",
            "某县应急管理局",
            "130102 河北省 石家庄市 长安区",
        ))
        .unwrap();
        assert_eq!(inspector.region, "130102 河北省 石家庄市 长安区");
        // One attempt names every problem: a missing field and a typed region together.
        let both = checked(&form("", "GD-1", "某县应急管理局", "某镇")).unwrap_err();
        assert!(both.name.is_some() && both.region.is_some());
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
