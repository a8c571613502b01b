//! Sealed inspection → signed DSSE bundle → file. A created bundle is stored verbatim with the
//! advanced hash chain in one transaction, so it is never lost and a re-download gives the same
//! bytes.

use crate::features::{local_time, new_uuid, now};
use crate::i18n::{localize, t};
use crate::model::BundleRecord;
use crate::persist::envelope;
use crate::route::Route;
use crate::storage::{self, StorageError};
use crate::{APP_VERSION, AppContext, use_app};
use leptos::prelude::*;
use paicha_core::bundle::{BundlePayload, DeviceInfo, PAYLOAD_TYPE};
use paicha_core::dsse::{Envelope, pae};
use paicha_core::{Verdict, sha256_hex};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

/// `paicha-<site credit code>-<yyyymmdd>-<sequence>.json`
fn file_name(credit_code: &str, created: &chrono::DateTime<chrono::Utc>, sequence: u64) -> String {
    format!(
        "paicha-{credit_code}-{}-{sequence:06}.json",
        created.with_timezone(&chrono::Local).format("%Y%m%d")
    )
}

/// Signs the given sealed inspections into one bundle and stores it (record and envelope) with
/// the advanced chain; returns the record and the envelope JSON.
pub async fn create_bundle(
    app: AppContext,
    inspection_ids: Vec<Uuid>,
) -> Result<(BundleRecord, String), StorageError> {
    let key = app
        .device_key
        .get_untracked()
        .ok_or_else(|| StorageError("no device key".into()))?;
    let (inspections, chain, inspector) = app.model.with_untracked(|m| {
        let found: Option<Vec<_>> = inspection_ids
            .iter()
            .map(|id| m.inspections.get(id).cloned())
            .collect();
        (found, m.chain.clone(), m.profile.clone())
    });
    let inspections = inspections.ok_or_else(|| StorageError("inspection not found".into()))?;
    let inspector = inspector.ok_or_else(|| StorageError("no inspector profile".into()))?;
    let created_at = now();
    let first_site = inspections
        .first()
        .map(|i| i.site.credit_code.to_string())
        .unwrap_or_default();
    let site_part = if inspections
        .iter()
        .all(|i| i.site.credit_code.as_str() == first_site)
    {
        first_site
    } else {
        "multi".to_string()
    };
    // Photos and signatures, each distinct file once across the bundle's inspections.
    let mut hashes: Vec<String> = Vec::new();
    for reference in inspections.iter().flat_map(|i| i.attachment_refs()) {
        if !hashes.iter().any(|h| h == reference) {
            hashes.push(reference.to_string());
        }
    }
    let attachments = crate::features::photos::attachments(&app.db.get_value(), &hashes).await?;
    let payload = BundlePayload::new(
        new_uuid(),
        created_at,
        APP_VERSION,
        DeviceInfo::from_public_key(&key.public_raw),
        &chain,
        inspector,
        inspections,
    )
    .and_then(|p| p.with_attachments(attachments))
    .map_err(|e| StorageError(e.to_string()))?;
    // A bundle with photos is tens of MB and exists in several forms along the way (photo
    // bytes, their base64 in the payload, the payload JSON, the envelope): each is dropped as
    // soon as the next exists, so that only two are alive at once.
    let (bundle_id, sequence) = (payload.bundle_id, payload.sequence);
    let bytes = payload.to_bytes();
    drop(payload);
    let signature = key.sign(&pae(PAYLOAD_TYPE, &bytes)).await?;
    let next_chain = chain.after(&bytes);
    debug_assert_eq!(next_chain.previous_payload_sha256, sha256_hex(&bytes));
    let envelope = Envelope::new(PAYLOAD_TYPE, &bytes, &key.key_id, &signature);
    drop(bytes);
    let envelope = envelope.to_json();
    let record = BundleRecord {
        bundle_id,
        sequence,
        file_name: file_name(&site_part, &created_at, sequence),
        envelope_json: None,
        inspection_ids,
        created_at,
        upload: Default::default(),
    };
    let db = app.db.get_value();
    let key = BundleRecord::storage_key(record.bundle_id);
    db.put_all(&[
        (storage::BUNDLES, &key, storage::to_js(&record)),
        (storage::ENVELOPES, &key, JsValue::from_str(&envelope)),
        (
            storage::KV,
            crate::persist::CHAIN,
            storage::to_js(&next_chain),
        ),
    ])
    .await?;
    app.model
        .update(|m| m.bundle_created(record.clone(), next_chain));
    crate::features::outbox::upload_due(app);
    Ok((record, envelope))
}

/// The Web Share API (phones): hands the bundle file to another app, e.g. a messenger.
mod share {
    use super::*;
    use js_sys::{Array, Function, Object, Reflect};

    fn navigator() -> Option<JsValue> {
        web_sys::window().map(|w| w.navigator().into())
    }

    fn method(name: &str) -> Option<Function> {
        Reflect::get(&navigator()?, &name.into())
            .ok()?
            .dyn_into()
            .ok()
    }

    fn share_data(record: &BundleRecord, envelope: &str) -> Option<Object> {
        let parts = Array::of1(&envelope.into());
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
        let file_ctor: Function = Reflect::get(&js_sys::global(), &"File".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let args = Array::of2(&Array::of1(&blob), &record.file_name.clone().into());
        let file = Reflect::construct(&file_ctor, &args).ok()?;
        let data = Object::new();
        Reflect::set(&data, &"files".into(), &Array::of1(&file)).ok()?;
        Reflect::set(&data, &"title".into(), &record.file_name.clone().into()).ok()?;
        Some(data)
    }

    /// Whether this browser can share files at all.
    pub fn available() -> bool {
        method("share").is_some() && method("canShare").is_some()
    }

    /// Called in the click's task: sharing needs the user's recent activation, which the
    /// short IndexedDB read of the envelope leaves intact.
    pub fn share(record: BundleRecord, envelope: &str, error: RwSignal<Option<String>>) {
        let (Some(share), Some(nav), Some(data)) =
            (method("share"), navigator(), share_data(&record, envelope))
        else {
            return error.set(Some(
                t("此浏览器不能分享文件", "This browser cannot share files").into(),
            ));
        };
        match share.call1(&nav, &data) {
            Ok(promise) => leptos::task::spawn_local(async move {
                // The user closing the share sheet rejects too; that is not an error worth showing.
                let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await;
            }),
            Err(e) => error.set(Some(StorageError::from(e).to_string())),
        }
    }
}

/// Offers the bundle (`envelope`, its JSON) as a download.
pub fn download(record: &BundleRecord, envelope: &str) -> Result<(), StorageError> {
    super::download_text(&record.file_name, "application/json", envelope)
}

#[component]
pub fn ExportScreen(id: Uuid) -> impl IntoView {
    let app = use_app();
    let inspection = move || app.model.with(|m| m.inspections.get(&id).cloned());
    let bundle = move || app.model.with(|m| m.bundle_for(id).cloned());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_export = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = match create_bundle(app, vec![id]).await {
                Ok((record, envelope)) => download(&record, &envelope),
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
    let on_download = move |_| {
        if let Some(record) = bundle() {
            leptos::task::spawn_local(async move {
                let result = match envelope(&app.db.get_value(), &record).await {
                    Ok(envelope) => download(&record, &envelope),
                    Err(e) => Err(e),
                };
                error.set(result.err().map(|e| localize(&e.to_string())));
            });
        }
    };
    let on_share = move |_| {
        if let Some(record) = bundle() {
            leptos::task::spawn_local(async move {
                match envelope(&app.db.get_value(), &record).await {
                    Ok(envelope) => share::share(record, &envelope, error),
                    Err(e) => error.set(Some(localize(&e.to_string()))),
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
                    <p role="status">{t("已生成签名文件：", "Signed bundle: ")} <span class="mono">{move || bundle().map(|b| b.file_name)}</span></p>
                    <button type="button" class="primary" on:click=on_download>{t("再次下载签名文件", "Download the signed file again")}</button>
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
            {crate::features::error_line(error)}
            <crate::features::records::RecordLinks id />
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
    }
}
