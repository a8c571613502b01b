//! Starting an inspection: checklist, applicability questions and the inspected enterprise.

use crate::features::{FieldError, new_uuid, now};
use crate::route::{Route, navigate};
use crate::use_app;
use leptos::prelude::*;
use paicha_core::pack::matches;
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
    let query = RwSignal::new(String::new());
    // The chosen checklist, by position in the current pack.
    let chosen = RwSignal::new(None::<usize>);
    let form = RwSignal::new(SiteForm::default());
    let errors = RwSignal::new(SiteFormErrors::default());
    let answers = RwSignal::new(BTreeMap::<String, bool>::new());
    let general_error = RwSignal::new(None::<String>);
    let matching = Memo::new(move |_| {
        let q = query.get();
        app.catalog.with(|c| {
            c.current()
                .iter()
                .enumerate()
                .filter(|(_, e)| matches(e, &q))
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        })
    });
    let checklist = move || {
        chosen
            .get()
            .and_then(|i| app.catalog.with(|c| c.current().get(i).copied()))
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Every problem is reported at once, each next to its field.
        let site = Site::try_from(&form.get_untracked());
        errors.set(site.as_ref().err().cloned().unwrap_or_default());
        let entry = checklist();
        general_error.set(
            entry
                .is_none()
                .then(|| "请选择检查表 / choose a checklist".to_string()),
        );
        let (Ok(site), Some(entry)) = (site, entry) else {
            return;
        };
        let checklist = &entry.checklist;
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
            Some(Ok(())) => {
                capture_position(app, id);
                navigate(Route::Inspection(id));
            }
            Some(Err(e)) => general_error.set(Some(e.to_string())),
            None => {}
        }
    };

    let options = move || {
        let mut last_sector = "";
        app.catalog.with(|c| {
            matching
                .get()
                .into_iter()
                .filter_map(|i| c.current().get(i).map(|e| (i, *e)))
                .map(|(i, e)| {
                    let sector = e.checklist.sector_name_zh();
                    let heading = (sector != last_sector).then(|| sector.to_string());
                    last_sector = sector;
                    (i, heading, e)
                })
                .collect::<Vec<_>>()
        })
    };
    let questions = move || {
        checklist()
            .map(|e| e.checklist.questions.clone())
            .unwrap_or_default()
    };
    view! {
        <section class="card">
            <h2>"新建检查 " <small>"New inspection"</small></h2>
            <form on:submit=on_submit novalidate>
                <label for="checklist-search">"搜索检查表（中文或拼音首字母） Search checklists"</label>
                <input id="checklist-search" type="search" placeholder="例如 烟花、yhbz、煤矿、mk"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev)) />
                <fieldset class="checklist-picker">
                    <legend>"检查表 Checklist"</legend>
                    <p hidden=move || !matching.with(Vec::is_empty)>"没有匹配的检查表。 No checklist matches."</p>
                    <For each=options key=|(i, _, e)| (*i, e.content_hash.clone()) children=move |(i, heading, e)| view! {
                        {heading.map(|h| view! { <p class="sector-heading">{h}</p> })}
                        <label class="check">
                            <input type="radio" name="checklist"
                                prop:checked=move || chosen.get() == Some(i)
                                on:change=move |_| { chosen.set(Some(i)); answers.set(BTreeMap::new()); } />
                            <span>{e.checklist.title.zh.clone()} " " <small>{format!("{} · v{}", e.checklist.title.en, e.checklist.version)}</small></span>
                        </label>
                    } />
                </fieldset>
                <fieldset hidden=move || questions().is_empty()>
                    <legend>"适用性 Applicability"</legend>
                    <For each=questions key=|q| q.key.clone() children=move |q| {
                        let key = q.key.clone();
                        view! {
                            <label class="check">
                                <input type="checkbox"
                                    on:change=move |ev| { let on = event_target_checked(&ev); answers.update(|a| { a.insert(key.clone(), on); }); } />
                                <span>{q.zh.clone()} " " <small>{q.en.clone()}</small></span>
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

/// Asks the device for its position and records it on the inspection. Refusal, no fix or a
/// timeout leave the inspection without one: the inspector carries on either way.
fn capture_position(app: crate::AppContext, id: uuid::Uuid) {
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::prelude::*;
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(geolocation) = Reflect::get(&window.navigator(), &"geolocation".into()) else {
        return;
    };
    let Some(get) = Reflect::get(&geolocation, &"getCurrentPosition".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return;
    };
    let on_fix = Closure::once_into_js(move |position: JsValue| {
        let coords = Reflect::get(&position, &"coords".into()).unwrap_or(JsValue::NULL);
        let number = |name: &str| {
            Reflect::get(&coords, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        let (Some(lat), Some(lon)) = (number("latitude"), number("longitude")) else {
            return;
        };
        if let Some(position) = paicha_core::finding::GeoPosition::from_degrees(
            lat,
            lon,
            number("accuracy").unwrap_or(0.0),
        ) {
            app.model.update(|m| {
                // A sealed or deleted inspection simply does not take it.
                let _ = m.set_position(id, position);
            });
        }
    });
    let on_error = Closure::once_into_js(|_: JsValue| {});
    let options = Object::new();
    let _ = Reflect::set(&options, &"enableHighAccuracy".into(), &true.into());
    let _ = Reflect::set(&options, &"timeout".into(), &20_000.into());
    let _ = Reflect::set(&options, &"maximumAge".into(), &60_000.into());
    let _ = get.call3(&geolocation, &on_fix, &on_error, &options);
}
