//! Saved sites (被检单位): the list with search, and the form to add or edit one.

mod edit;

pub use edit::SiteScreen;

use crate::model::context::use_model;
use crate::platform::clock::local_time;
use crate::platform::i18n::{t, t_string};
use crate::platform::route::Route;
use crate::widgets::site_form::site_summary;
use leptos::prelude::*;

#[component]
pub fn SitesScreen() -> impl IntoView {
    let model = use_model();
    let query = RwSignal::new(String::new());
    let total = move || model.with(|m| m.sites.len());
    let rows = move || {
        let q = query.get();
        model.with(|m| {
            m.sites_recent_first()
                .into_iter()
                .filter(|e| e.site.matches(&q))
                .map(|e| {
                    let last = m.last_inspected(&e.site).map_or_else(
                        || t("尚未检查", "Not inspected yet").to_string(),
                        |at| format!("{} {}", t("最近检查", "Last inspected"), local_time(&at)),
                    );
                    (e.id, e.site.name.clone(), site_summary(&e.site), last)
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="sites-title">
            <h2 id="sites-title">{t("被检单位", "Enterprises")}</h2>
            <div class="button-row">
                <a class="button primary" href=Route::Site(None).href()>{t("新建单位", "New enterprise")}</a>
                <a class="button secondary" href=Route::Home.href()>{t("返回首页", "Home")}</a>
            </div>
            <label for="site-search">{t("搜索单位", "Search enterprises")}</label>
            <input id="site-search" type="search" placeholder=t("名称、代码、地址、乡镇、网格、联系人", "Name, code, address, township, grid, contact")
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev)) />
            <p role="status">{move || {
                let shown = rows().len();
                if total() == 0 {
                    t("尚未登记单位。", "No enterprises saved yet.").to_string()
                } else {
                    let total = total();
                    t_string(format!("共 {total} 个单位，显示 {shown} 个"), format!("{shown} of {total} enterprises shown"))
                }
            }}</p>
            <ul class="site-list" aria-label=t("单位列表", "Enterprise list")>
                <For each=rows key=|r| r.clone() children=|(id, name, summary, last)| view! {
                    <li>
                        <a href=Route::Site(Some(id)).href()>{name}</a>
                        <small>{summary}</small>
                        <small>{last}</small>
                    </li>
                } />
            </ul>
        </section>
    }
}
