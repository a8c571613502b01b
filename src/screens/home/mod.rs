//! Home: who is signing on this device, and the inspections on it.

mod follow_up_link;
mod ledger_export;
mod profile_unit;

use crate::model::context::use_shell;
use crate::model::summary::Summary;
use crate::platform::clock;
use crate::platform::i18n::t;
use crate::platform::route::Route;
use crate::widgets::lang_switch::LangSwitch;
use crate::widgets::retry::DataError;
use follow_up_link::FollowUpLink;
use ledger_export::LedgerExport;
use leptos::prelude::*;
use profile_unit::ProfileUnit;

/// Drawn from the stored [`Summary`] (the main module holds no model; issue 8), then from the
/// model's own once it is loaded.
#[component]
pub fn Home() -> impl IntoView {
    let shell = use_shell();
    let read = move |f: fn(&Summary) -> String| {
        move || {
            shell
                .summary
                .with(|s| s.as_ref().map(f).unwrap_or_default())
        }
    };
    let key_id = read(|s| s.key_id.clone());
    let key_short = read(Summary::key_short);
    let inspector = read(|s| {
        s.profile
            .as_ref()
            .map(|p| {
                format!(
                    "{}（{} {}）",
                    p.name,
                    t("执法证号", "certificate No."),
                    p.cert_no
                )
            })
            .unwrap_or_default()
    });
    let rows = move || {
        shell.summary.with(|s| {
            s.iter()
                .flat_map(|s| &s.inspections)
                .map(|row| {
                    let status = if row.sealed {
                        t("已签章", "Sealed")
                    } else {
                        t("进行中", "In progress")
                    };
                    (
                        row.id.clone(),
                        row.site.clone(),
                        clock::local_minute(row.started_ms),
                        status,
                        row.href(),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="me">
            <h2 id="me">{t("本机签名人", "Signing on this device")}</h2>
            <p>{inspector}</p>
            <ProfileUnit />
            <DataError />
            <p>{t("设备密钥：", "Device key: ")} <strong class="key-short">{key_short}</strong></p>
            // A labelled value, not an aria-label on a paragraph (which screen readers drop).
            <dl class="key-id">
                <dt id="key-id-label">{t("设备密钥标识", "Device key id")}</dt>
                <dd class="mono" aria-labelledby="key-id-label">{key_id}</dd>
            </dl>
        </section>
        <nav class="actions">
            <a class="button primary" href=Route::NewInspection(None).href()>{t("新建检查", "New inspection")}</a>
            <FollowUpLink />
            <a class="button" href=Route::Sites.href()>{t("被检单位", "Enterprises")}</a>
            <a class="button" href=Route::Outbox.href()>{t("导出与上传", "Export and upload")}</a>
            <a class="button" href=Route::Storage.href()>{t("本机存储", "Storage")}</a>
            <a class="button" href=Route::Profile.href()>{t("个人信息", "Profile")}</a>
            <LangSwitch />
        </nav>
        <LedgerExport />
        <section aria-labelledby="list">
            <h2 id="list">{t("检查记录", "Inspections")}</h2>
            <Show when=move || !rows().is_empty() fallback=|| view! { <p>{t("暂无检查记录。", "No inspections yet.")}</p> }>
                <ul class="list">
                    <For each=rows key=|r| (r.0.clone(), r.3) children=|(_, site, started, status, href)| view! {
                        <li><a href=href>{site}</a> " · " {started} " · " <span>{status}</span></li>
                    } />
                </ul>
            </Show>
        </section>
    }
}
