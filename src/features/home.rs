//! Home: who is signing on this device, and the inspections on it.

use crate::features::local_time;
use crate::i18n::t;
use crate::route::Route;
use crate::use_app;
use leptos::prelude::*;

#[component]
pub fn Home() -> impl IntoView {
    let app = use_app();
    let key_id = move || {
        app.device_key
            .with(|k| k.as_ref().map(|k| k.key_id.to_string()).unwrap_or_default())
    };
    let key_short = move || {
        app.device_key
            .with(|k| k.as_ref().map(|k| k.key_id.short()).unwrap_or_default())
    };
    let inspector = move || {
        app.model.with(|m| {
            m.profile.as_ref().map(|p| {
                format!(
                    "{}（{} {}）",
                    p.name,
                    t("执法证号", "certificate No."),
                    p.cert_no
                )
            })
        })
    };
    let rows = move || {
        app.model.with(|m| {
            m.inspections_newest_first()
                .into_iter()
                .map(|i| {
                    let route = if i.is_sealed() {
                        Route::Export(i.id)
                    } else {
                        Route::Inspection(i.id)
                    };
                    let status = if i.is_sealed() {
                        t("已签章", "Sealed")
                    } else {
                        t("进行中", "In progress")
                    };
                    (
                        i.id,
                        i.site.name.clone(),
                        local_time(&i.started_at),
                        status,
                        route.href(),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="me">
            <h2 id="me">{t("本机签名人", "Signing on this device")}</h2>
            <p>{inspector}</p>
            <crate::features::profile::ProfileUnit />
            <p>{t("设备密钥：", "Device key: ")} <strong class="key-short">{key_short}</strong></p>
            <p class="mono" aria-label=t("设备密钥标识", "Device key id")>{key_id}</p>
        </section>
        <nav class="actions">
            <a class="button primary" href=Route::NewInspection.href()>{t("新建检查", "New inspection")}</a>
            <crate::features::followup::FollowUpLink />
            <a class="button" href=Route::Sites.href()>{t("被检单位", "Enterprises")}</a>
            <a class="button" href=Route::Outbox.href()>{t("导出与上传", "Export and upload")}</a>
            <a class="button" href=Route::Storage.href()>{t("本机存储", "Storage")}</a>
            <a class="button" href=Route::Profile.href()>{t("个人信息", "Profile")}</a>
            <crate::i18n::LangSwitch />
        </nav>
        <crate::features::records::LedgerExport />
        <section aria-labelledby="list">
            <h2 id="list">{t("检查记录", "Inspections")}</h2>
            <Show when=move || !rows().is_empty() fallback=|| view! { <p>{t("暂无检查记录。", "No inspections yet.")}</p> }>
                <ul class="list">
                    <For each=rows key=|r| (r.0, r.3) children=|(_, site, started, status, href)| view! {
                        <li><a href=href>{site}</a> " · " {started} " · " <span>{status}</span></li>
                    } />
                </ul>
            </Show>
        </section>
    }
}
