//! Starting an inspection: the inspected enterprise (a saved one, or a new one that is saved
//! on start), the inspection type and team, the checklist and its applicability questions.

use crate::model::context::{use_catalog, use_model};
use crate::model::persist::navigate_once_saved;
use crate::model::start::{Refusal, Start, start};
use crate::platform::clock::{now, today};
use crate::platform::geo;
use crate::platform::i18n::{sector_name, t, t_string, text_of};
use crate::platform::ids::new_uuid;
use crate::platform::route::Route;
use crate::widgets::field_error::FieldError;
use crate::widgets::save_indicator::SaveIndicator;
use crate::widgets::site_form::{SiteForm, SiteFormErrors, site_fields, site_summary};
use crate::widgets::team::{CoInspectorRow, TeamForm, TeamFormErrors, kind_label, team_editor};
use leptos::prelude::*;
use paicha_core::pack::matches;
use paicha_core::{CreditCode, InspectionKind, Inspector, Site};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What the picker says about a checklist's sources: a superseded document that items still
/// cite (they are reference items, not current criteria) and current documents whose text could
/// not be obtained.
fn source_warnings(c: &paicha_core::Checklist) -> Vec<String> {
    let name =
        |s: &paicha_core::checklist::Source| s.number.clone().unwrap_or_else(|| s.title.clone());
    let mut out = Vec::new();
    for s in c.superseded_sources_cited() {
        out.push(format!(
            "{}{}{}{}",
            t(
                "⚠ 含已被代替依据的对照条目：",
                "⚠ Reference items citing a superseded document: "
            ),
            name(s),
            t("，现行：", "; now: "),
            s.replaced_by.as_deref().unwrap_or("?")
        ));
    }
    for s in c.unobtainable_sources_cited() {
        out.push(format!(
            "{}{}",
            t(
                "⚠ 现行依据原文未取得，须对照正式文本：",
                "⚠ Official text not obtained; judge against the printed document: "
            ),
            name(s)
        ));
    }
    out
}

/// Who signed the installed checklist pack, and when it was issued.
fn pack_line(info: &paicha_core::signed_pack::PackInfo) -> String {
    format!(
        "{}{}{}{}{}（{}）",
        t("检查表包：", "Checklist pack: "),
        info.issuer.as_deref().unwrap_or("?"),
        info.issued_at
            .map(|at| format!(" {}", paicha_core::hazard_ledger::china_day(at)))
            .unwrap_or_default(),
        t("签发，签名密钥 ", " issued, signed with key "),
        info.signed_by.name,
        info.signed_by.key_id.short()
    )
}

/// Saved sites shown at once in the picker; the search narrows the rest down.
const SITES_SHOWN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SiteMode {
    Saved,
    New,
}

const KIND_VALUES: [&str; 3] = ["routine", "special", "reinspection"];

/// The form; `site` is a saved site to start with (from the enterprise's page).
#[component]
pub fn NewInspection(site: Option<Uuid>) -> impl IntoView {
    let model = use_model();
    let catalog = use_catalog();
    let query = RwSignal::new(String::new());
    // The chosen checklist, by position in the current pack.
    let chosen = RwSignal::new(None::<usize>);
    let form = RwSignal::new(SiteForm::default());
    let errors = RwSignal::new(SiteFormErrors::default());
    let answers = RwSignal::new(BTreeMap::<String, bool>::new());
    let general_error = RwSignal::new(None::<String>);
    let (has_sites, profile, last_team) =
        model.with_untracked(|m| (!m.sites.is_empty(), m.profile.clone(), m.last_team()));
    let preselected = site.filter(|id| model.with_untracked(|m| m.sites.contains_key(id)));
    let mode = RwSignal::new(if has_sites {
        SiteMode::Saved
    } else {
        SiteMode::New
    });
    let picked = RwSignal::new(preselected);
    let site_query = RwSignal::new(String::new());
    let site_error = RwSignal::new(None::<String>);
    let kind = RwSignal::new(InspectionKind::Routine);
    let kind_error = RwSignal::new(None::<String>);
    let starting = RwSignal::new(false);
    // Officers usually work in pairs: the last team comes back; else one empty row to fill.
    let mut initial_team = TeamForm::new(profile.as_ref(), &last_team);
    if initial_team.rows.is_empty() {
        initial_team.rows.push(CoInspectorRow::default());
    }
    let team = RwSignal::new(initial_team);
    let team_errors = RwSignal::new(TeamFormErrors::default());

    // The sectors of the site: their checklists are listed first.
    let site_sectors = Memo::new(move |_| match mode.get() {
        SiteMode::Saved => picked
            .get()
            .and_then(|id| model.with(|m| m.sites.get(&id).map(|e| e.site.sectors.clone())))
            .unwrap_or_default(),
        SiteMode::New => form.with(|f| f.sectors.clone()),
    });
    let matching = Memo::new(move |_| {
        let q = query.get();
        site_sectors.with(|sectors| {
            catalog.with(|c| {
                let mut list: Vec<(bool, usize)> = c
                    .current()
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| matches(e, &q))
                    .map(|(i, e)| (!sectors.contains(&e.checklist.sector), i))
                    .collect();
                list.sort();
                list.into_iter().map(|(_, i)| i).collect::<Vec<_>>()
            })
        })
    });
    let checklist = move || {
        chosen
            .get()
            .and_then(|i| catalog.with(|c| c.current().get(i).copied()))
    };
    let saved_site = move |id: Option<Uuid>| {
        id.and_then(|id| model.with_untracked(|m| m.sites.get(&id).map(|e| e.site.clone())))
    };

    let reinspection = move || kind.get() == InspectionKind::Reinspection;
    // A re-inspection of the chosen site already being written: offered instead of a second one.
    let draft = Memo::new(move |_| {
        let code = match mode.get() {
            SiteMode::Saved => saved_site(picked.get()).map(|s| s.credit_code),
            SiteMode::New => form.with(|f| CreditCode::parse(&f.credit_code).ok()),
        };
        code.filter(|_| reinspection())
            .and_then(|c| model.with(|m| m.open_reinspection(&c)))
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if starting.get_untracked() {
            return; // already started, waiting for the write
        }
        // Every problem is reported at once, each next to its field.
        let new_site = mode.get_untracked() == SiteMode::New;
        let site = if new_site {
            let site = Site::try_from(&form.get_untracked());
            errors.set(site.as_ref().err().cloned().unwrap_or_default());
            site.ok()
        } else {
            saved_site(picked.get_untracked())
        };
        site_error.set(
            (!new_site && site.is_none())
                .then(|| "请选择被检单位 / choose the enterprise".to_string()),
        );
        let co_inspectors = Vec::<Inspector>::try_from(&team.get_untracked());
        team_errors.set(co_inspectors.as_ref().err().cloned().unwrap_or_default());
        // A re-inspection takes the checklist of the inspection that found the hazards.
        let reinspection = kind.get_untracked() == InspectionKind::Reinspection;
        let checklist = checklist().map(|e| &e.checklist).filter(|_| !reinspection);
        general_error.set(
            (checklist.is_none() && !reinspection)
                .then(|| "请选择检查表 / choose a checklist".to_string()),
        );
        kind_error.set(None);
        let (Some(site), Ok(co_inspectors)) = (site, co_inspectors) else {
            return;
        };
        if checklist.is_none() && !reinspection {
            return;
        }
        let id = new_uuid();
        let mut applicability: BTreeMap<String, bool> = checklist
            .iter()
            .flat_map(|c| &c.questions)
            .map(|q| (q.key.clone(), false))
            .collect();
        applicability.extend(answers.get_untracked());
        let name = site.name.clone();
        let started = Start {
            id,
            site,
            new_site,
            site_id: new_uuid(),
            checklist,
            applicability,
            kind: kind.get_untracked(),
            co_inspectors,
            now: now(),
            today: today(),
        };
        let result = model.try_update(|m| {
            catalog.with_untracked(|c| start(m, started, &|r| c.for_reinspection(r)))
        });
        match result {
            Some(Ok(_)) => {
                geo::current_position(move |position| {
                    // A sealed or deleted inspection simply does not take it.
                    model.update(|m| drop(m.set_position(id, position)));
                });
                // To the inspection only once it is durably stored: a failed write stays here
                // with the save indicator's retry (and the button off, so it is not started
                // twice).
                starting.set(true);
                navigate_once_saved(starting, Route::Inspection(id));
            }
            Some(Err(Refusal::InProgress(_))) => kind_error.set(Some(t_string(
                format!("“{name}”已有一次复查正在进行，请继续该复查。"),
                format!("A re-inspection of “{name}” is in progress: continue it."),
            ))),
            Some(Err(Refusal::Conflict(conflict))) => errors.set(SiteFormErrors::conflict(&conflict)),
            Some(Err(Refusal::NothingDue)) => kind_error.set(Some(t_string(
                format!("“{name}”目前没有需要复查的隐患（复查针对已签章检查中尚未验收销号的隐患），未开始复查。"),
                format!("No hazard of “{name}” is due for re-inspection (a re-inspection reviews hazards of sealed inspections not yet verified); nothing was started."),
            ))),
            Some(Err(Refusal::Domain(e))) => general_error.set(Some(e.to_string())),
            None => {}
        }
    };

    // A credit-code conflict in a new site offers the saved one instead.
    let use_existing = Callback::new(move |id: Uuid| {
        picked.set(Some(id));
        mode.set(SiteMode::Saved);
        errors.set(SiteFormErrors::default());
    });
    let site_rows = move || {
        let q = site_query.get();
        model.with(|m| {
            m.sites_recent_first()
                .into_iter()
                .filter(|e| e.site.matches(&q))
                .take(SITES_SHOWN)
                .map(|e| (e.id, e.site.name.clone(), site_summary(&e.site)))
                .collect::<Vec<_>>()
        })
    };
    let picked_name = move || saved_site(picked.get()).map(|s| s.name);
    let saved_picker = move || {
        view! {
            <label for="site-pick-search">{t("搜索已登记单位", "Search saved enterprises")}</label>
            <input id="site-pick-search" type="search" placeholder=t("名称、代码、乡镇、网格…", "Name, code, township, grid…")
                aria-describedby="site-pick-error"
                prop:value=move || site_query.get()
                on:input=move |ev| site_query.set(event_target_value(&ev)) />
            <ul class="choice-list" aria-label=t("已登记单位（最近检查的在前）", "Saved enterprises, most recent first")>
                <For each=site_rows key=|r| r.clone() children=move |(id, name, summary)| view! {
                    <li>
                        <button type="button" class="choice" aria-pressed=move || (picked.get() == Some(id)).to_string()
                            on:click=move |_| { picked.set(Some(id)); site_error.set(None); }>
                            <span>{name}</span> <small>{summary}</small>
                        </button>
                    </li>
                } />
            </ul>
            <p hidden=move || !site_rows().is_empty()>{t("没有匹配的单位。", "No saved enterprise matches.")}</p>
            <p role="status">{move || picked_name().map_or_else(
                || t("尚未选择单位", "No enterprise chosen").to_string(),
                |n| format!("{}{n}", t("已选择：", "Chosen: ")),
            )}</p>
            <FieldError id="site-pick-error" message=site_error.into() />
        }
        .into_any()
    };

    let options = move || {
        let mut last_sector = "";
        catalog.with(|c| {
            matching
                .get()
                .into_iter()
                .filter_map(|i| c.current().get(i).map(|e| (i, *e)))
                .map(|(i, e)| {
                    let sector = sector_name(&e.checklist.sector);
                    let heading = (sector != last_sector).then(|| sector.to_string());
                    last_sector = sector;
                    (i, heading, e)
                })
                .collect::<Vec<_>>()
        })
    };
    // Keyed by checklist and question: another checklist asking the same key (e.g.
    // `major_hazard_open`) gets fresh boxes, which show the stored answer.
    let questions = move || {
        let i = chosen.get();
        checklist()
            .map(|e| {
                e.checklist
                    .questions
                    .iter()
                    .map(|q| (i, q.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let mode_button = move |this: SiteMode, label: &'static str| {
        view! {
            <button type="button" class="choice" aria-pressed=move || (mode.get() == this).to_string()
                on:click=move |_| mode.set(this)>{label}</button>
        }
    };
    view! {
        <section class="card">
            <h2>{t("新建检查", "New inspection")}</h2>
            <form on:submit=on_submit novalidate>
                <fieldset>
                    <legend>{t("被检单位", "Enterprise")}</legend>
                    {has_sites.then(|| view! {
                        <div class="button-row" role="group" aria-label=t("单位来源", "Enterprise source")>
                            {mode_button(SiteMode::Saved, t("已登记单位", "Saved enterprise"))}
                            {mode_button(SiteMode::New, t("新单位", "New enterprise"))}
                        </div>
                    })}
                    {move || match mode.get() {
                        SiteMode::Saved => saved_picker(),
                        SiteMode::New => site_fields(form, errors, Some(use_existing)),
                    }}
                </fieldset>
                <label for="inspection-kind">{t("检查类型", "Inspection type")}</label>
                <select id="inspection-kind" aria-describedby="kind-hint kind-error"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        let i = KIND_VALUES.iter().position(|v| *v == value).unwrap_or(0);
                        kind.set(InspectionKind::ALL[i]);
                        kind_error.set(None);
                    }>
                    {InspectionKind::ALL.into_iter().zip(KIND_VALUES).map(|(k, value)| view! {
                        <option value=value selected=k == InspectionKind::Routine>{kind_label(k)}</option>
                    }).collect_view()}
                </select>
                <p id="kind-hint" class="hint" hidden=move || !reinspection()>
                    {t("复查：逐项复核该单位尚未验收销号的隐患，沿用其最近一次检查的检查表和适用性，无需选择检查表。",
                       "A re-inspection reviews the enterprise's open hazards one by one, with the checklist and applicability of its latest inspection: no checklist to choose.")}
                </p>
                <FieldError id="kind-error" message=kind_error.into() />
                {move || draft.get().map(|id| view! {
                    <p>
                        {t("该单位有一次复查正在进行。", "A re-inspection of this enterprise is in progress.")} " "
                        <a class="button" href=Route::Inspection(id).href()>{t("继续复查", "Continue re-inspection")}</a>
                    </p>
                })}
                <div hidden=reinspection>
                <label for="checklist-search">{t("搜索检查表（中文或拼音首字母）", "Search checklists (Chinese or pinyin initials)")}</label>
                <input id="checklist-search" type="search" placeholder=t("例如 烟花、yhbz、煤矿、mk", "e.g. 烟花, yhbz, 煤矿, mk")
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev)) />
                {move || catalog.with(|c| c.refusal().map(|reason| view! {
                    <p class="warn" role="alert">
                        {t("检查表更新被拒绝，继续使用已安装的检查表。原因：", "Checklist update refused; the installed checklists stay. Reason: ")}
                        {reason.to_string()}
                    </p>
                }))}
                <fieldset class="checklist-picker">
                    <legend>{t("检查表", "Checklist")}</legend>
                    {move || catalog.with(|c| c.installed().map(|i| view! { <p class="hint"><small>{pack_line(i)}</small></p> }))}
                    <p class="hint" hidden=move || site_sectors.with(Vec::is_empty)>
                        {t("该单位所属行业的检查表列在前面。", "Checklists of the enterprise's sectors come first.")}
                    </p>
                    <p hidden=move || !matching.with(Vec::is_empty)>{t("没有匹配的检查表。", "No checklist matches.")}</p>
                    <For each=options key=|(i, h, e)| (*i, h.clone(), e.content_hash.clone()) children=move |(i, heading, e)| view! {
                        {heading.map(|h| view! { <p class="sector-heading">{h}</p> })}
                        <label class="check">
                            <input type="radio" name="checklist"
                                prop:checked=move || chosen.get() == Some(i)
                                on:change=move |_| { chosen.set(Some(i)); answers.set(BTreeMap::new()); } />
                            <span>{text_of(&e.checklist.title.zh, &e.checklist.title.en).to_string()} " " <small>{format!("v{}", e.checklist.version)}</small>
                                {source_warnings(&e.checklist).into_iter().map(|w| view! { <br /><small class="warn">{w}</small> }).collect_view()}
                            </span>
                        </label>
                    } />
                </fieldset>
                <fieldset hidden=move || questions().is_empty()>
                    <legend>{t("适用性", "Applicability")}</legend>
                    <For each=questions key=|(i, q)| format!("{i:?}/{}", q.key) children=move |(_, q)| {
                        let key = StoredValue::new(q.key.clone());
                        view! {
                            <label class="check">
                                <input type="checkbox"
                                    prop:checked=move || answers.with(|a| key.with_value(|k| a.get(k) == Some(&true)))
                                    on:change=move |ev| { let on = event_target_checked(&ev); answers.update(|a| { a.insert(key.get_value(), on); }); } />
                                <span>{text_of(&q.zh, &q.en).to_string()}</span>
                            </label>
                        }
                    } />
                </fieldset>
                </div>
                <fieldset>
                    <legend>{t("执法人员", "Officers")}</legend>
                    <p>{t("检查人员（本人）：", "Inspector (you): ")} {profile.as_ref().map(Inspector::display)}</p>
                    {team_editor(team, team_errors)}
                </fieldset>
                <FieldError id="start-error" message=general_error.into() />
                <button type="submit" class="primary" disabled=move || starting.get()>{t("开始检查", "Start inspection")}</button>
                <a class="button" href=Route::Home.href()>{t("返回", "Back")}</a>
                <div hidden=move || !starting.get()>
                    <SaveIndicator />
                </div>
            </form>
        </section>
    }
}
