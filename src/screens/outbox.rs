//! The outbox (导出与上传): sealed inspections not exported yet, and every bundle with where its
//! upload stands.

use crate::model::context::{use_app, use_model};
use crate::model::{BundleRecord, UploadState};
use crate::platform::clock::{local_time, now};
use crate::platform::i18n::{localize, t, t_string};
use crate::platform::route::Route;
use crate::screens::device::ENROLMENT_ANCHOR;
use crate::services::outbox::{awaits_enrolment, progress, upload_due};
use crate::services::signing::{create_bundle, download};
use crate::widgets::field_error::error_line;
use leptos::prelude::*;
use uuid::Uuid;

fn describe(bundle: &BundleRecord) -> (String, &'static str) {
    match &bundle.upload {
        // The ledger has the signed file and waits for photos.
        UploadState::Pending if bundle.missing_blobs.is_some() => (
            t(
                "签名文件已送达，照片待上传",
                "Signed file delivered; photos pending",
            )
            .into(),
            "pending",
        ),
        UploadState::Pending => (t("待上传", "Pending").into(), "pending"),
        UploadState::Retrying {
            attempts,
            retry_at,
            last_error,
        } => {
            let (error, at) = (localize(last_error), local_time(retry_at));
            (
                t_string(
                    format!("待上传（第{attempts}次失败：{error}；{at} 后重试）"),
                    format!("Pending (attempt {attempts} failed: {error}; retrying at {at})"),
                ),
                "pending",
            )
        }
        UploadState::Uploaded {
            at,
            duplicate: false,
        } => (
            format!("{} {}", t("已上传", "Uploaded"), local_time(at)),
            "uploaded",
        ),
        UploadState::Uploaded {
            at,
            duplicate: true,
        } => (
            format!(
                "{} {}",
                t("台账已收到（此前已上传）", "Already received by the ledger"),
                local_time(at)
            ),
            "uploaded",
        ),
        UploadState::Rejected { reason, .. } => (
            format!("{}{}", t("被拒绝：", "Rejected: "), localize(reason)),
            "rejected",
        ),
    }
}

#[component]
pub fn OutboxScreen() -> impl IntoView {
    let app = use_app();
    let model = use_model();
    let bundles = move || {
        model.with(|m| {
            m.bundles
                .iter()
                .rev()
                .cloned()
                .collect::<Vec<BundleRecord>>()
        })
    };
    let unexported = move || {
        model.with(|m| {
            m.inspections_newest_first()
                .into_iter()
                .filter(|i| i.is_sealed() && m.bundle_for(i.id).is_none())
                .map(|i| {
                    (
                        i.id,
                        format!(
                            "{} · {}",
                            i.site.name,
                            i.sealed_at.as_ref().map(local_time).unwrap_or_default()
                        ),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let selected = RwSignal::new(Vec::<Uuid>::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let on_export = move |_| {
        let ids = selected.get_untracked();
        if ids.is_empty() {
            return error.set(Some(
                "请选择要导出的检查 / select inspections to export".into(),
            ));
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match create_bundle(app, ids).await {
                Ok((record, envelope)) => {
                    selected.set(Vec::new());
                    let downloaded = download(&app.db.get_value(), &record, &envelope).await;
                    error.set(downloaded.err().map(|e| localize(&e.to_string())));
                }
                Err(e) => error.set(Some(format!(
                    "{}{}",
                    t("导出失败：", "Export failed: "),
                    localize(&e.to_string())
                ))),
            }
            busy.set(false);
        });
    };
    let retry = move |bundle_id: Uuid| {
        model.update(|m| m.set_upload(bundle_id, UploadState::Pending));
        upload_due(app);
    };
    view! {
        <section class="card">
            <h2>{t("待导出的检查", "Sealed, not yet exported")}</h2>
            <Show when=move || !unexported().is_empty() fallback=|| view! { <p>{t("没有待导出的检查。", "Nothing to export.")}</p> }>
                <For each=unexported key=|(id, _)| *id children=move |(id, label)| view! {
                    <label class="check">
                        <input type="checkbox"
                            prop:checked=move || selected.with(|s| s.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                selected.update(|s| { s.retain(|x| *x != id); if on { s.push(id) } });
                            } />
                        <span>{label}</span>
                    </label>
                } />
                <button type="button" class="primary" disabled=move || busy.get() on:click=on_export>
                    {move || if busy.get() { t("正在签名…", "Signing…") } else { t("签名并导出所选", "Sign and export selected") }}
                </button>
                <progress hidden=move || !busy.get() aria-label=t("导出进度", "Export progress")></progress>
            </Show>
            {error_line(error)}
        </section>
        <section class="card" aria-labelledby="outbox-title">
            <h2 id="outbox-title">{t("外发箱", "Outbox")}</h2>
            <button type="button" on:click=move |_| {
                model.update(|m| m.retry_waiting_uploads(now()));
                upload_due(app);
            }>{t("立即上传", "Upload now")}</button>
            <Show when=move || model.with(|m| m.bundles.iter().any(|b| awaits_enrolment(&b.upload)))>
                <p class="hint">
                    {t("本设备尚未登记，记录在此等待。", "This device is not enrolled yet; its records wait here. ")}
                    <a href=format!("{}{ENROLMENT_ANCHOR}", Route::Profile.href())>{t("申请登记", "Ask to be enrolled")}</a>
                </p>
            </Show>
            {move || progress().get().map(|(sent, total)| view! {
                <p role="status">
                    <progress max=total.to_string() value=sent.to_string() aria-label=t("上传进度", "Upload progress")></progress>
                    {format!(" {} {}/{}", t("正在上传", "Uploading"), sent + 1, total)}
                </p>
            })}
            <ul class="list">
                <For each=bundles key=|b| (b.bundle_id, format!("{:?}", b.upload), b.blob_progress()) children=move |b| {
                    let (text, class) = describe(&b);
                    let rejected = matches!(b.upload, UploadState::Rejected { .. });
                    let bundle_id = b.bundle_id;
                    let name = b.download_name();
                    view! {
                        <li class=format!("bundle {class}") aria-label=format!("{} {name}", t("签名文件", "Signed file"))>
                            <span class="mono">{name.clone()}</span>
                            <p role="status">{text}</p>
                            {b.blob_progress().map(|(delivered, named)| view! {
                                <p class="photo-progress">
                                    <progress max=named.to_string() value=delivered.to_string()
                                        aria-label=t("照片送达进度", "Photo delivery")></progress>
                                    {t_string(
                                        format!(" 照片 {delivered} / {named} 已送达"),
                                        format!(" {delivered} of {named} photos delivered"),
                                    )}
                                </p>
                            })}
                            {rejected.then(|| view! {
                                <button type="button" on:click=move |_| retry(bundle_id)>{t("重新上传", "Retry upload")}</button>
                            })}
                        </li>
                    }
                } />
            </ul>
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
    }
}
