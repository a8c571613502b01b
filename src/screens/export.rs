//! Export (导出签名记录): sign a sealed inspection into a bundle, download it again, share it.

use crate::model::context::{use_app, use_db, use_model};
use crate::model::persist::envelope;
use crate::platform::clock::local_time;
use crate::platform::i18n::{localize, t};
use crate::platform::route::Route;
use crate::platform::share::{self, ShareError};
use crate::services::signing::{FREED, create_bundle, download, transfer_archive};
use crate::widgets::field_error::error_line;
use crate::widgets::record_links::RecordLinks;
use leptos::prelude::*;
use paicha_core::Verdict;
use uuid::Uuid;

#[component]
pub fn ExportScreen(id: Uuid) -> impl IntoView {
    let app = use_app();
    let model = use_model();
    let db = use_db();
    let inspection = move || model.with(|m| m.inspections.get(&id).cloned());
    let bundle = move || model.with(|m| m.bundle_for(id).cloned());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_export = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = match create_bundle(app, vec![id]).await {
                Ok((record, envelope)) => download(&db.get_value(), &record, &envelope).await,
                Err(e) => Err(e),
            };
            error.set(result.err().map(|e| {
                format!(
                    "{}{}",
                    t("导出失败：", "Export failed: "),
                    localize(&e.to_string())
                )
            }));
            busy.set(false);
        });
    };
    // The photos were freed once the ledger held them: the signed file alone is offered.
    let freed = RwSignal::new(false);
    let on_download = move |_| {
        if let Some(record) = bundle() {
            leptos::task::spawn_local(async move {
                let db = db.get_value();
                let result = match envelope(&db, &record).await {
                    Ok(envelope) => download(&db, &record, &envelope).await,
                    Err(e) => Err(e),
                };
                freed.set(matches!(&result, Err(e) if e.0 == FREED));
                error.set(result.err().map(|e| localize(&e.to_string())));
            });
        }
    };
    let on_json = move |_| {
        if let Some(record) = bundle() {
            leptos::task::spawn_local(async move {
                let result = match envelope(&db.get_value(), &record).await {
                    Ok(envelope) => crate::platform::download::download(
                        &record.file_name,
                        "application/json",
                        envelope.as_bytes(),
                    ),
                    Err(e) => Err(e),
                };
                error.set(result.err().map(|e| localize(&e.to_string())));
            });
        }
    };
    let on_share = move |_| {
        if let Some(record) = bundle() {
            leptos::task::spawn_local(async move {
                let db = db.get_value();
                // A bundle that names photos goes as its transfer archive, like the download.
                let shared = match envelope(&db, &record).await {
                    Ok(envelope) if record.blobs.is_empty() => {
                        share::share_file(&record.file_name, "application/json", &envelope)
                    }
                    Ok(envelope) => match transfer_archive(&db, &record, &envelope).await {
                        Ok(archive) => share::share_blob(&record.download_name(), &archive),
                        Err(e) => Err(ShareError::Failed(e)),
                    },
                    Err(e) => Err(ShareError::Failed(e)),
                };
                match shared {
                    Ok(()) => {}
                    Err(ShareError::Unsupported) => error.set(Some(
                        t("此浏览器不能分享文件", "This browser cannot share files").into(),
                    )),
                    Err(ShareError::Failed(e)) => error.set(Some(localize(&e.to_string()))),
                }
            });
        }
    };
    view! {
        <section class="card">
            <h2>{t("导出签名记录", "Export signed record")}</h2>
            {move || inspection().map(|i| view! {
                <p><strong>{i.site.name.clone()}</strong> " · " <span class="mono">{i.site.credit_code.to_string()}</span></p>
                <p>{t("签章时间：", "Sealed: ")} {i.sealed_at.as_ref().map(local_time).unwrap_or_else(|| t("未签章", "not sealed").into())}</p>
                <ul class="counts">
                    <li>{t("重大隐患：", "Major hazards: ")} {i.count(Verdict::MajorHazard)}</li>
                    <li>{t("一般隐患：", "General hazards: ")} {i.count(Verdict::GeneralHazard)}</li>
                    <li>{t("符合：", "Compliant: ")} {i.count(Verdict::Compliant)}</li>
                    <li>{t("不适用：", "Not applicable: ")} {i.count(Verdict::NotApplicable)}</li>
                </ul>
            })}
            <Show when=move || bundle().is_none()
                fallback=move || view! {
                    <p role="status">{t("已生成签名文件：", "Signed bundle: ")} <span class="mono">{move || bundle().map(|b| b.download_name())}</span></p>
                    <button type="button" class="primary" on:click=on_download>{t("再次下载签名文件", "Download the signed file again")}</button>
                    <Show when=move || freed.get()>
                        <button type="button" on:click=on_json>{t("仅下载签名文件（不含照片）", "Download the signed file alone (without photos)")}</button>
                    </Show>
                    <Show when=share::available>
                        <button type="button" on:click=on_share>{t("分享", "Share")}</button>
                    </Show>
                    <a class="button" href=Route::Outbox.href()>{t("上传状态", "Upload status")}</a>
                }>
                <button type="button" class="primary" disabled=move || busy.get() on:click=on_export>
                    {move || if busy.get() { t("正在签名…", "Signing…") } else { t("签名并导出", "Sign and export") }}
                </button>
                <progress hidden=move || !busy.get() aria-label=t("导出进度", "Export progress")></progress>
            </Show>
            {error_line(error)}
            <RecordLinks id />
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
    }
}
