//! Starting an inspection: checklist, applicability questions and the inspected enterprise.

use crate::checklists;
use crate::features::{FieldError, new_uuid, now};
use crate::route::{Route, navigate};
use crate::use_app;
use leptos::prelude::*;
use paicha_core::{CreditCode, Site};
use std::collections::BTreeMap;

/// The site form as typed; [`TryFrom`] turns it into a [`Site`] or per-field messages.
#[derive(Debug, Clone, Default)]
pub struct SiteForm {
    pub name: String,
    pub credit_code: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteFormErrors {
    pub name: Option<String>,
    pub credit_code: Option<String>,
}

impl TryFrom<&SiteForm> for Site {
    type Error = SiteFormErrors;
    fn try_from(form: &SiteForm) -> Result<Self, SiteFormErrors> {
        let code = CreditCode::parse(&form.credit_code);
        let name_error = form
            .name
            .trim()
            .is_empty()
            .then(|| "请填写单位名称 / enterprise name is required".to_string());
        match (code, name_error) {
            (Ok(code), None) => Site::new(&form.name, code).map_err(|e| SiteFormErrors {
                name: Some(e.to_string()),
                credit_code: None,
            }),
            (code, name) => Err(SiteFormErrors {
                name,
                credit_code: code.err().map(|e| e.to_string()),
            }),
        }
    }
}

#[component]
pub fn NewInspection() -> impl IntoView {
    let app = use_app();
    let catalog = checklists::catalog();
    let checklist_index = RwSignal::new(0usize);
    let form = RwSignal::new(SiteForm::default());
    let errors = RwSignal::new(SiteFormErrors::default());
    let answers = RwSignal::new(BTreeMap::<String, bool>::new());
    let general_error = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(checklist) = catalog.get(checklist_index.get_untracked()) else {
            return;
        };
        let site = match Site::try_from(&form.get_untracked()) {
            Ok(site) => site,
            Err(e) => return errors.set(e),
        };
        errors.set(SiteFormErrors::default());
        let id = new_uuid();
        let mut applicability: BTreeMap<String, bool> = checklist
            .questions
            .iter()
            .map(|q| (q.key.clone(), false))
            .collect();
        applicability.extend(answers.get_untracked());
        let result = app.model.try_update(|m| {
            m.start_inspection(id, site, checklist, now())?;
            m.set_applicability(id, checklist, applicability)
        });
        match result {
            Some(Ok(())) => navigate(Route::Inspection(id)),
            Some(Err(e)) => general_error.set(Some(e.to_string())),
            None => {}
        }
    };

    let questions = move || {
        catalog
            .get(checklist_index.get())
            .map(|c| c.questions.clone())
            .unwrap_or_default()
    };
    view! {
        <section class="card">
            <h2>"新建检查 " <small>"New inspection"</small></h2>
            <form on:submit=on_submit novalidate>
                <label for="checklist">"检查表 Checklist"</label>
                <select id="checklist" on:change=move |ev| {
                    checklist_index.set(event_target_value(&ev).parse().unwrap_or(0));
                    answers.set(BTreeMap::new());
                }>
                    {catalog.iter().enumerate().map(|(i, c)| view! {
                        <option value=i.to_string()>{format!("{} · {}（{}）v{}", c.sector_name_zh(), c.title.zh, c.title.en, c.version)}</option>
                    }).collect_view()}
                </select>
                <fieldset hidden=move || questions().is_empty()>
                    <legend>"适用性 Applicability"</legend>
                    <For each=questions key=|q| q.key.clone() children=move |q| {
                        let key = q.key.clone();
                        view! {
                            <label class="check">
                                <input type="checkbox"
                                    on:change=move |ev| { let on = event_target_checked(&ev); answers.update(|a| { a.insert(key.clone(), on); }); } />
                                {q.zh.clone()} " " <small>{q.en.clone()}</small>
                            </label>
                        }
                    } />
                </fieldset>
                <label for="site-name">"被检单位名称 Enterprise name"</label>
                <input id="site-name" type="text" aria-describedby="site-name-error"
                    aria-invalid=move || errors.with(|e| e.name.is_some()).to_string()
                    prop:value=move || form.with(|f| f.name.clone())
                    on:input=move |ev| form.update(|f| f.name = event_target_value(&ev)) />
                <FieldError id="site-name-error" message=Signal::derive(move || errors.with(|e| e.name.clone())) />
                <label for="site-code">"统一社会信用代码 Unified social credit code"</label>
                <input id="site-code" type="text" maxlength="18" autocapitalize="characters" spellcheck="false"
                    aria-describedby="site-code-error"
                    aria-invalid=move || errors.with(|e| e.credit_code.is_some()).to_string()
                    prop:value=move || form.with(|f| f.credit_code.clone())
                    on:input=move |ev| form.update(|f| f.credit_code = event_target_value(&ev)) />
                <FieldError id="site-code-error" message=Signal::derive(move || errors.with(|e| e.credit_code.clone())) />
                <FieldError id="start-error" message=general_error.into() />
                <button type="submit" class="primary">"开始检查 Start inspection"</button>
                <a class="button" href=Route::Home.href()>"返回 Back"</a>
            </form>
        </section>
    }
}
