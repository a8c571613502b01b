//! An enterprise (site) as a form: the list's add/edit screen and the new-inspection form for a
//! site not saved yet use the same fields.

use super::field_error::FieldError;
use super::form::{Kind, text_input};
use crate::model::SiteConflict;
use crate::platform::i18n::t;
use crate::platform::route::Route;
use leptos::prelude::*;
use paicha_core::checklist::SECTORS;
use paicha_core::site::PhoneNumber;
use paicha_core::{CreditCode, InspectionError, Site, SiteDetails};
use uuid::Uuid;

/// The site form as typed; [`TryFrom`] turns it into a [`Site`] or per-field messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteForm {
    pub name: String,
    pub credit_code: String,
    pub address: String,
    pub township: String,
    pub grid: String,
    /// Sector ids from [`SECTORS`].
    pub sectors: Vec<String>,
    pub contact_name: String,
    pub contact_phone: String,
}

/// One message per field that can be wrong. `existing` names the saved site that already has
/// the typed credit code (its message is in `credit_code`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteFormErrors {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub sectors: Option<String>,
    pub contact_phone: Option<String>,
    pub existing: Option<Uuid>,
}

impl SiteFormErrors {
    pub fn conflict(conflict: &SiteConflict) -> Self {
        Self {
            credit_code: Some(conflict.to_string()),
            existing: Some(conflict.existing),
            ..Self::default()
        }
    }
}

impl From<&Site> for SiteForm {
    fn from(site: &Site) -> Self {
        Self {
            name: site.name.clone(),
            credit_code: site.credit_code.to_string(),
            address: site.address.clone(),
            township: site.township.clone(),
            grid: site.grid.clone(),
            sectors: site.sectors.clone(),
            contact_name: site.contact_name.clone(),
            contact_phone: site.contact_phone.clone(),
        }
    }
}

impl TryFrom<&SiteForm> for Site {
    type Error = SiteFormErrors;
    fn try_from(form: &SiteForm) -> Result<Self, SiteFormErrors> {
        // Every problem is reported at once, each for its own field.
        let code = CreditCode::parse(&form.credit_code);
        let mut errors = SiteFormErrors {
            name: form
                .name
                .trim()
                .is_empty()
                .then(|| InspectionError::Required("单位名称 enterprise name").to_string()),
            credit_code: code.as_ref().err().map(ToString::to_string),
            contact_phone: match form.contact_phone.trim() {
                "" => None,
                typed => PhoneNumber::parse(typed).err().map(|e| e.to_string()),
            },
            ..SiteFormErrors::default()
        };
        let code = match code {
            Ok(code) if errors == SiteFormErrors::default() => code,
            _ => return Err(errors),
        };
        let details = SiteDetails {
            address: form.address.clone(),
            township: form.township.clone(),
            grid: form.grid.clone(),
            sectors: form.sectors.clone(),
            contact_name: form.contact_name.clone(),
            contact_phone: form.contact_phone.clone(),
        };
        Site::with_details(&form.name, code, details).map_err(|e| {
            let message = Some(e.to_string());
            match e {
                InspectionError::BadPhone(_) => errors.contact_phone = message,
                InspectionError::UnknownSector(_) => errors.sectors = message,
                _ => errors.name = message,
            }
            errors
        })
    }
}

/// The site's fields, each with its message. `use_existing`, when given, is offered on a
/// credit-code conflict instead of a link to the saved site (the new-inspection form uses it to
/// switch to that site without leaving the form).
pub fn site_fields(
    form: RwSignal<SiteForm>,
    errors: RwSignal<SiteFormErrors>,
    use_existing: Option<Callback<Uuid>>,
) -> AnyView {
    let message = |get: fn(&SiteFormErrors) -> &Option<String>| {
        Signal::derive(move || errors.with(|e| get(e).clone()))
    };
    let existing = move || errors.with(|e| e.existing);
    let sectors = SECTORS
        .iter()
        .map(|&(sector, zh, en)| {
            view! {
                <label class="check">
                    <input type="checkbox"
                        prop:checked=move || form.with(|f| f.sectors.iter().any(|s| s == sector))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            form.update(|f| {
                                f.sectors.retain(|s| s != sector);
                                if on {
                                    f.sectors.push(sector.to_string());
                                }
                            });
                        } />
                    <span>{t(zh, en)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        {text_input("site-name", t("被检单位名称", "Enterprise name"), Kind::Text, "organization", form,
            |f| &f.name, |f| &mut f.name, Some(("site-name-error", message(|e| &e.name))))}
        {text_input("site-code", t("统一社会信用代码", "Unified social credit code"), Kind::Code, "off", form,
            |f| &f.credit_code, |f| &mut f.credit_code, Some(("site-code-error", message(|e| &e.credit_code))))}
        {move || existing().map(|other| match use_existing {
            Some(callback) => view! {
                <button type="button" class="secondary" on:click=move |_| callback.run(other)>
                    {t("改用已登记的单位", "Use the saved enterprise")}
                </button>
            }.into_any(),
            None => view! {
                <a class="button secondary" href=Route::Site(Some(other)).href()>{t("查看已登记的单位", "Open the saved enterprise")}</a>
            }.into_any(),
        })}
        {text_input("site-address", t("地址", "Address"), Kind::Text, "street-address", form,
            |f| &f.address, |f| &mut f.address, None)}
        <div class="row">
            <div>{text_input("site-township", t("乡镇（街道）", "Township / sub-district"), Kind::Text, "off", form,
                |f| &f.township, |f| &mut f.township, None)}</div>
            <div>{text_input("site-grid", t("网格", "Grid"), Kind::Text, "off", form,
                |f| &f.grid, |f| &mut f.grid, None)}</div>
        </div>
        <fieldset aria-describedby="site-sectors-error">
            <legend>{t("行业", "Sectors")}</legend>
            <div class="sector-grid">{sectors}</div>
            <FieldError id="site-sectors-error" message=message(|e| &e.sectors) />
        </fieldset>
        <div class="row">
            <div>{text_input("site-contact", t("联系人", "Contact person"), Kind::Text, "off", form,
                |f| &f.contact_name, |f| &mut f.contact_name, None)}</div>
            <div>{text_input("site-phone", t("联系电话", "Contact phone"), Kind::Tel, "off", form,
                |f| &f.contact_phone, |f| &mut f.contact_phone, Some(("site-phone-error", message(|e| &e.contact_phone))))}</div>
        </div>
    }
    .into_any()
}

/// A one-line summary of where a site is and whom to call, for lists.
pub fn site_summary(site: &Site) -> String {
    let mut parts = vec![site.credit_code.to_string()];
    for part in [
        &site.township,
        &site.grid,
        &site.address,
        &site.contact_name,
    ] {
        if !part.is_empty() {
            parts.push(part.clone());
        }
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SiteForm {
        SiteForm {
            name: " 浏阳某烟花厂 ".into(),
            credit_code: "91440300708461136t".into(),
            address: "浏阳市大瑶镇某村".into(),
            township: "大瑶镇".into(),
            grid: "3号网格".into(),
            sectors: vec!["fireworks".into()],
            contact_name: "王五".into(),
            contact_phone: "138 1234 5678".into(),
        }
    }

    #[test]
    fn a_complete_form_becomes_a_site_and_back() {
        let site = Site::try_from(&form()).unwrap();
        assert_eq!(site.name, "浏阳某烟花厂");
        assert_eq!(site.credit_code.as_str(), "91440300708461136T");
        assert_eq!(site.contact_phone, "13812345678");
        assert_eq!(site.sectors, ["fireworks"]);
        let again = SiteForm::from(&site);
        assert_eq!(again.township, "大瑶镇");
        assert_eq!(Site::try_from(&again).unwrap(), site);
        // Only the name and the code are required.
        let bare = SiteForm {
            name: "某公司".into(),
            credit_code: "91440300708461136T".into(),
            ..SiteForm::default()
        };
        assert!(Site::try_from(&bare).is_ok());
    }

    #[test]
    fn a_bad_phone_and_a_bad_check_digit_are_reported_next_to_their_fields_together() {
        let typed = SiteForm {
            credit_code: "91440300708461136X".into(),
            contact_phone: "12345".into(),
            ..form()
        };
        let errors = Site::try_from(&typed).unwrap_err();
        assert!(
            errors
                .credit_code
                .as_deref()
                .unwrap()
                .contains("校验码错误"),
            "{errors:?}"
        );
        assert!(
            errors
                .contact_phone
                .as_deref()
                .unwrap()
                .contains("电话号码格式不正确"),
            "{errors:?}"
        );
        assert_eq!(errors.name, None);
        assert_eq!(errors.existing, None);
        // The form itself is untouched: nothing typed is lost.
        assert_eq!(typed.contact_phone, "12345");
    }

    #[test]
    fn missing_name_short_code_and_unknown_sector() {
        let errors = Site::try_from(&SiteForm {
            name: "  ".into(),
            credit_code: "9144".into(),
            ..SiteForm::default()
        })
        .unwrap_err();
        assert!(errors.name.as_deref().unwrap().contains("单位名称"));
        assert!(errors.credit_code.as_deref().unwrap().contains("18位"));
        let errors = Site::try_from(&SiteForm {
            sectors: vec!["bakery".into()],
            ..form()
        })
        .unwrap_err();
        assert!(errors.sectors.as_deref().unwrap().contains("bakery"));
    }

    #[test]
    fn a_duplicate_credit_code_names_the_saved_site() {
        let conflict = SiteConflict {
            existing: Uuid::from_u128(7),
            name: "甲厂".into(),
        };
        let errors = SiteFormErrors::conflict(&conflict);
        assert_eq!(errors.existing, Some(Uuid::from_u128(7)));
        assert!(errors.credit_code.unwrap().contains("甲厂"));
    }

    #[test]
    fn the_summary_lists_only_what_is_present() {
        let site = Site::try_from(&form()).unwrap();
        assert_eq!(
            site_summary(&site),
            "91440300708461136T · 大瑶镇 · 3号网格 · 浏阳市大瑶镇某村 · 王五"
        );
        let bare = Site::new("x", site.credit_code.clone()).unwrap();
        assert_eq!(site_summary(&bare), "91440300708461136T");
    }
}
