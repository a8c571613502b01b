//! One saved site to edit, or a new one.

use crate::model::context::use_model;
use crate::model::persist::navigate_once_saved;
use crate::platform::clock::now;
use crate::platform::i18n::t;
use crate::platform::ids::new_uuid;
use crate::platform::route::Route;
use crate::widgets::save_indicator::SaveIndicator;
use crate::widgets::site_form::{SiteForm, SiteFormErrors, site_fields};
use leptos::prelude::*;
use paicha_core::Site;
use uuid::Uuid;

#[component]
pub fn SiteScreen(id: Option<Uuid>) -> impl IntoView {
    let model = use_model();
    let stored =
        id.and_then(|id| model.with_untracked(|m| m.sites.get(&id).map(|e| e.site.clone())));
    if id.is_some() && stored.is_none() {
        return view! {
            <p class="error" role="alert">{t("找不到该单位。", "Enterprise not found.")}</p>
            <a class="button" href=Route::Sites.href()>{t("返回", "Back")}</a>
        }
        .into_any();
    }
    let form = RwSignal::new(stored.as_ref().map(SiteForm::from).unwrap_or_default());
    let errors = RwSignal::new(SiteFormErrors::default());
    // Back to the list only once the site is durably stored; a failed write stays on screen
    // with the save indicator's retry.
    let submitted = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let site = match Site::try_from(&form.get_untracked()) {
            Ok(site) => site,
            Err(e) => return errors.set(e),
        };
        let target = id.unwrap_or_else(new_uuid);
        match model.try_update(|m| m.save_site(target, site, now())) {
            Some(Ok(_)) => {
                submitted.set(true);
                navigate_once_saved(submitted, Route::Sites);
            }
            Some(Err(conflict)) => errors.set(SiteFormErrors::conflict(&conflict)),
            None => {}
        }
    };
    view! {
        <section class="card" aria-labelledby="site-title">
            <h2 id="site-title">
                {if id.is_some() { t("编辑单位", "Edit enterprise") } else { t("新建单位", "New enterprise") }}
            </h2>
            <form on:submit=on_submit novalidate>
                {site_fields(form, errors, None)}
                <div class="button-row">
                    <button type="submit" class="primary">{t("保存单位", "Save enterprise")}</button>
                    <a class="button secondary" href=Route::Sites.href()>{t("返回", "Back")}</a>
                </div>
                <div hidden=move || !submitted.get()>
                    <SaveIndicator />
                </div>
            </form>
            {id.map(|site| view! {
                <a class="button" href=Route::NewInspection(Some(site)).href()>
                    {t("检查该单位", "Inspect this enterprise")}
                </a>
            })}
        </section>
    }
    .into_any()
}
