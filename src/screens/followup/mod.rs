//! Follow-up (隐患督查): every hazard of every sealed inspection on this device with where it
//! stands today, filtered by site, sector, level and status, each linking to its original
//! record; per site a button starts the re-inspection (复查) of its open hazards.
//!
//! "Today" is the device's local date, read whenever the list is drawn (never kept from
//! start-up), so the list follows the clock.

use crate::model::context::{use_app, use_catalog, use_model};
use crate::model::followup::{Filter, Origin, Reinspect, Row, by_site, sectors, sites};
use crate::model::persist::navigate_once_saved;
use crate::platform::clock::{local_time, now, today};
use crate::platform::geo;
use crate::platform::i18n::{t, t_string};
use crate::platform::ids::new_uuid;
use crate::platform::route::Route;
use crate::services::sync;
use crate::widgets::field_error::error_line;
use chrono::NaiveDate;
use leptos::prelude::*;
use paicha_core::checklist::ChecklistRef;
use paicha_core::followup::HazardStatus;
use paicha_core::hazard_ledger::HazardLevel;
use paicha_core::{CreditCode, InspectionError};

mod pulled_photos;
mod sync_bar;

use pulled_photos::PhotoViewer;

fn deadline_text(row: &Row, today: NaiveDate) -> String {
    match (row.deadline, row.days_overdue(today)) {
        (Some(d), Some(n)) if n > 0 && row.status == HazardStatus::Overdue => t_string(
            format!("{d}（逾期 {n} 天）"),
            format!("{d} ({n} days overdue)"),
        ),
        (Some(d), Some(0)) if row.status.needs_review() => {
            t_string(format!("{d}（今天到期）"), format!("{d} (due today)"))
        }
        (Some(d), Some(n)) if n < 0 && row.status.needs_review() => t_string(
            format!("{d}（剩 {} 天）", -n),
            format!("{d} ({} days left)", -n),
        ),
        (Some(d), _) => d.to_string(),
        (None, _) => "—".to_string(),
    }
}

fn row_view(row: &Row, today: NaiveDate, viewer: PhotoViewer) -> impl IntoView + use<> {
    let level = t(row.level.label_zh(), row.level.label_en());
    let level_class = format!("level {}", row.level.slug());
    let slug = row.status.slug();
    let status = t(row.status.label_zh(), row.status.label_en());
    let escalation = row.escalation.map(|e| {
        format!(
            "{}{}",
            t("处理措施：", "Escalation: "),
            t(e.label_zh(), e.label_en())
        )
    });
    let (inspected, source) = match &row.origin {
        Origin::Own => {
            let original = t("原检查记录", "Original record");
            let link_name = format!("{} {} {original}", row.site_name, row.hazard.item_id);
            let record = Route::Record(row.hazard.inspection_id).href();
            (
                local_time(&row.inspected_at),
                view! { <a class="button secondary" href=record aria-label=link_name>{original}</a> }.into_any(),
            )
        }
        Origin::Ledger {
            hazard_no,
            found_by,
            found_on,
            photos,
        } => (
            found_on.clone(),
            view! {
                <p class="fu-source">
                    {t_string(
                        format!("来自台账：{found_by} 发现，隐患编号 {hazard_no}"),
                        format!("From the ledger: found by {found_by}, hazard {hazard_no}"),
                    )}
                </p>
                {pulled_photos::photos_button(viewer, row.hazard.inspection_id.to_string(),
                    row.hazard.item_id.clone(), photos.clone())}
            }
            .into_any(),
        ),
    };
    let assignment = row.assignment.as_ref().map(|a| {
        let text = t_string(
            format!(
                "交办：{}，办理期限 {}{}",
                a.assigned_to,
                a.deadline,
                note_suffix(&a.note)
            ),
            format!(
                "Assigned: {}, by {}{}",
                a.assigned_to,
                a.deadline,
                note_suffix(&a.note)
            ),
        );
        view! { <p class="fu-assignment">{text}</p> }
    });
    let verified = row.verified.as_ref().map(|v| {
        let text = t_string(
            format!("已由 {}（{}）验收销号，{}", v.by, v.cert_no, v.on),
            format!("Verified by {} ({}) on {}", v.by, v.cert_no, v.on),
        );
        view! { <p class="fu-verified">{text}</p> }
    });
    let todo = row.is_todo();
    let conflict = row.conflict;
    let own = row.origin == Origin::Own;
    // Named by item and status ("FW-02 逾期未整改"), so each row is found by its label.
    view! {
        <li class=format!("fu-row status-{slug}") aria-label=format!("{} {status}", row.hazard.item_id)>
            <p class="fu-badges">
                <span class=format!("status-badge {slug}")>{status}</span>
                <span class=level_class>{level}</span>
                <span class="source-badge" class:ledger=!own>
                    {if own { t("本机记录", "This device") } else { t("台账下发", "From the ledger") }}
                </span>
                {todo.then(|| view! { <span class="todo-badge">{t("待办", "To do")}</span> })}
                {conflict.then(|| view! { <span class="conflict-badge">{t("复查冲突", "Review conflict")}</span> })}
            </p>
            <p class="fu-item">
                <strong class="mono">{row.hazard.item_id.clone()}</strong> " " {row.item_text.clone()}
            </p>
            <dl class="fu-facts">
                <dt>{t("整改期限", "Deadline")}</dt>
                <dd>{deadline_text(row, today)}</dd>
                <dt>{t("隐患描述", "Description")}</dt>
                <dd>{if row.description.trim().is_empty() { "—".to_string() } else { row.description.clone() }}</dd>
                <dt>{t("隐患部位", "Location")}</dt>
                <dd>{if row.location.trim().is_empty() { "—".to_string() } else { row.location.clone() }}</dd>
                <dt>{t("检查时间", "Inspected")}</dt>
                <dd>{inspected}</dd>
            </dl>
            {escalation.map(|text| view! { <p class="fu-escalation">{text}</p> })}
            {assignment}
            {verified}
            {conflict.then(|| view! {
                <p class="fu-conflict">{t(
                    "两次复查互不知情，均已存入台账，以最后签章的为准。",
                    "Two re-inspections decided this without seeing each other; both are on the ledger and the one sealed last decides.",
                )}</p>
            })}
            {source}
        </li>
    }
}

/// "；note" when there is one.
fn note_suffix(note: &str) -> String {
    if note.trim().is_empty() {
        String::new()
    } else {
        format!("；{note}")
    }
}

#[component]
pub fn FollowUpScreen() -> impl IntoView {
    let app = use_app();
    let model = use_model();
    let catalog = use_catalog();
    let filter = RwSignal::new(Filter::default());
    let error = RwSignal::new(None::<String>);
    let viewer = PhotoViewer::new();
    // Re-read "today" every minute too, so a screen left open over midnight moves on.
    let tick = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(
        move || tick.update(|t| *t = t.wrapping_add(1)),
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || handle.clear());
    }
    let current = move || {
        tick.track();
        let today = today();
        let rows = model.with(|m| {
            catalog.with(|c| {
                m.follow_up_rows(today, |r: &ChecklistRef| c.find(&r.id, &r.content_hash.0))
            })
        });
        (today, rows)
    };
    let data = Memo::new(move |_| current());

    let start = move |code: String| {
        error.set(None);
        let Ok(code) = CreditCode::parse(&code) else {
            return;
        };
        let today = today();
        let action = model.with_untracked(|m| m.reinspect_action(&code, today));
        let result = match action {
            Some(Reinspect::Continue(draft)) => {
                model.try_update(|m| m.add_due_reviews(draft, today).map(|_| draft))
            }
            Some(Reinspect::Start(_)) => {
                let id = new_uuid();
                let started = model.try_update(|m| {
                    catalog
                        .with_untracked(|c| {
                            m.start_reinspection(
                                id,
                                &code,
                                None,
                                &|r| c.for_reinspection(r),
                                today,
                                now(),
                            )
                        })
                        .map(|_| id)
                });
                if matches!(started, Some(Ok(_))) {
                    // The photos of pulled hazards it reviews, fetched now if online (kept
                    // for offline use); the device's own are on it already.
                    sync::pull_now(app);
                    geo::current_position(move |position| {
                        // A sealed or deleted inspection simply does not take it.
                        model.update(|m| drop(m.set_position(id, position)));
                    });
                }
                started
            }
            None => Some(Err(InspectionError::NothingToReview)),
        };
        match result {
            // To the re-inspection once it is durably stored.
            Some(Ok(id)) => navigate_once_saved(error, Route::Inspection(id)),
            Some(Err(e)) => error.set(Some(e.to_string())),
            None => {}
        }
    };

    // Filter controls: a labelled select each.
    let select = move |key: &'static str,
                       label: &'static str,
                       options: Vec<(String, String)>,
                       get: fn(&Filter) -> String,
                       set: fn(&mut Filter, String)| {
        let input_id = format!("fu-filter-{key}");
        view! {
            <div class="fu-filter">
                <label for=input_id.clone()>{label}</label>
                <select id=input_id on:change=move |ev| { let v = event_target_value(&ev); filter.update(|f| set(f, v)) }>
                    <option value="" prop:selected=move || filter.with(get).is_empty()>{t("全部", "All")}</option>
                    {options.into_iter().map(|(value, text)| {
                        let mine = value.clone();
                        view! { <option value=value prop:selected=move || filter.with(get) == mine>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let filters = move || {
        let (_, rows) = data.get();
        let count = |s: HazardStatus| rows.iter().filter(|r| r.status == s).count();
        let statuses = HazardStatus::ALL
            .into_iter()
            .map(|s| {
                (
                    s.slug().to_string(),
                    format!("{} ({})", t(s.label_zh(), s.label_en()), count(s)),
                )
            })
            .collect();
        let levels = [HazardLevel::Major, HazardLevel::General]
            .into_iter()
            .map(|l| {
                (
                    l.slug().to_string(),
                    t(l.label_zh(), l.label_en()).to_string(),
                )
            })
            .collect();
        let todo = rows.iter().filter(|r| r.is_todo()).count();
        let sources = vec![
            (
                "todo".to_string(),
                format!(
                    "{} ({todo})",
                    t("待办（交办给我）", "To do (assigned to me)")
                ),
            ),
            (
                "own".to_string(),
                t("本机记录", "Recorded on this device").to_string(),
            ),
            (
                "ledger".to_string(),
                t("台账下发", "From the ledger").to_string(),
            ),
        ];
        view! {
            {select("source", t("来源", "Source"), sources, |f| f.source.clone(), |f, v| f.source = v)}
            {select("site", t("被检单位", "Enterprise"), sites(&rows), |f| f.site.clone(), |f, v| f.site = v)}
            {select("sector", t("行业", "Sector"), sectors(&rows), |f| f.sector.clone(), |f, v| f.sector = v)}
            {select("level", t("隐患等级", "Level"), levels,
                |f| f.level.map(HazardLevel::slug).unwrap_or_default().to_string(),
                |f, v| f.level = HazardLevel::from_slug(&v))}
            {select("status", t("状态", "Status"), statuses,
                |f| f.status.map(HazardStatus::slug).unwrap_or_default().to_string(),
                |f, v| f.status = HazardStatus::ALL.into_iter().find(|s| s.slug() == v))}
        }
    };
    let list = move || {
        let (today, rows) = data.get();
        let filter = filter.get();
        if rows.is_empty() {
            return view! {
                <p class="card">{t("已签章的检查中没有隐患，台账也没有下发隐患。", "No hazards in sealed inspections on this device, and none from the ledger.")}</p>
            }
            .into_any();
        }
        let groups = by_site(&rows, &filter);
        if groups.is_empty() {
            return view! { <p class="card">{t("没有符合筛选条件的隐患。", "No hazard matches the filters.")}</p> }.into_any();
        }
        let actions: Vec<Option<Reinspect>> = model.with(|m| {
            groups
                .iter()
                .map(|(code, _, _)| {
                    CreditCode::parse(code)
                        .ok()
                        .and_then(|c| m.reinspect_action(&c, today))
                })
                .collect()
        });
        groups
            .into_iter()
            .zip(actions)
            .map(|((code, name, rows), action)| {
                let heading_id = format!("fu-site-{code}");
                let button = action.map(|action| {
                    let (text, hint) = match action {
                        Reinspect::Start(n) => (
                            t("复查", "Re-inspect"),
                            t_string(format!("{n} 项隐患待复查"), format!("{n} hazards to re-inspect")),
                        ),
                        Reinspect::Continue(_) => (
                            t("继续复查", "Continue re-inspection"),
                            t("复查进行中", "A re-inspection is in progress").to_string(),
                        ),
                    };
                    let code = code.clone();
                    let name = format!("{text} {name}");
                    view! {
                        <p class="fu-site-hint">{hint}</p>
                        <button type="button" class="primary" aria-label=name
                            on:click=move |_| start(code.clone())>{text}</button>
                    }
                });
                let labelled = heading_id.clone();
                view! {
                    <section class="card fu-site" aria-labelledby=labelled>
                        <h3 id=heading_id>{name.clone()} " " <small class="mono">{code.clone()}</small></h3>
                        {button}
                        <ul class="fu-list" aria-label=format!("{name} {}", t("隐患", "hazards"))>
                            {rows.into_iter().map(|r| row_view(r, today, viewer)).collect_view()}
                        </ul>
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="card" aria-labelledby="fu-title">
            <h2 id="fu-title">{t("隐患督查", "Follow-up")}</h2>
            <p>{move || format!("{}{}", t("今天：", "Today: "), data.with(|d| d.0))}</p>
            <p><small>{t("本机已签章检查中的全部隐患，以及台账下发的本辖区隐患，按紧急程度排列；逾期未整改的排在最前。", "Every hazard of the sealed inspections on this device and the open hazards of your regions from the ledger, most urgent first; overdue ones lead.")}</small></p>
            <sync_bar::SyncBar />
            <div class="fu-filters" role="group" aria-label=t("筛选", "Filters")>{filters}</div>
            <p role="status">{move || {
                let shown = data.with(|(_, rows)| filter.with(|f| rows.iter().filter(|r| f.keeps(r)).count()));
                let total = data.with(|(_, rows)| rows.len());
                t_string(format!("显示 {shown} / {total} 项隐患"), format!("Showing {shown} of {total} hazards"))
            }}</p>
            <button type="button" class="secondary" hidden=move || filter.with(Filter::is_empty)
                on:click=move |_| filter.set(Filter::default())>{t("清除筛选", "Clear filters")}</button>
            {error_line(error)}
        </section>
        {list}
        <pulled_photos::PhotoPanel viewer />
        <nav class="actions">
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </nav>
    }
}
