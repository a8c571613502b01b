//! Sealed inspection → signed DSSE bundle → file. A created bundle is stored verbatim with the
//! advanced hash chain in one transaction, so it is never lost and a re-download gives the same
//! bytes.

use crate::features::{local_time, new_uuid, now};
use crate::model::BundleRecord;
use crate::route::Route;
use crate::storage::{self, StorageError};
use crate::{APP_VERSION, AppContext, use_app};
use leptos::prelude::*;
use paicha_core::bundle::{BundlePayload, DeviceInfo, PAYLOAD_TYPE};
use paicha_core::dsse::{Envelope, pae};
use paicha_core::{Verdict, sha256_hex};
use uuid::Uuid;
use wasm_bindgen::JsCast;

/// `paicha-<site credit code>-<yyyymmdd>-<sequence>.json`
fn file_name(credit_code: &str, created: &chrono::DateTime<chrono::Utc>, sequence: u64) -> String {
    format!(
        "paicha-{credit_code}-{}-{sequence:06}.json",
        created.with_timezone(&chrono::Local).format("%Y%m%d")
    )
}

async fn create_bundle(app: AppContext, inspection_id: Uuid) -> Result<BundleRecord, StorageError> {
    let key = app
        .device_key
        .get_untracked()
        .ok_or_else(|| StorageError("no device key".into()))?;
    let (inspection, chain, inspector) = app.model.with_untracked(|m| {
        (
            m.inspections.get(&inspection_id).cloned(),
            m.chain.clone(),
            m.profile.clone(),
        )
    });
    let inspection = inspection.ok_or_else(|| StorageError("inspection not found".into()))?;
    let inspector = inspector.ok_or_else(|| StorageError("no inspector profile".into()))?;
    let created_at = now();
    let site_code = inspection.site.credit_code.to_string();
    let payload = BundlePayload::new(
        new_uuid(),
        created_at,
        APP_VERSION,
        DeviceInfo::from_public_key(&key.public_raw),
        &chain,
        inspector,
        vec![inspection],
    )
    .map_err(|e| StorageError(e.to_string()))?;
    let bytes = payload.to_bytes();
    let signature = key.sign(&pae(PAYLOAD_TYPE, &bytes)).await?;
    let envelope = Envelope::new(PAYLOAD_TYPE, &bytes, &key.key_id, &signature);
    let record = BundleRecord {
        bundle_id: payload.bundle_id,
        sequence: payload.sequence,
        file_name: file_name(&site_code, &created_at, payload.sequence),
        envelope_json: envelope.to_json(),
        inspection_ids: vec![inspection_id],
        created_at,
    };
    let next_chain = chain.after(&bytes);
    debug_assert_eq!(next_chain.previous_payload_sha256, sha256_hex(&bytes));
    let db = app.db.get_value();
    db.put_all(&[
        (
            storage::BUNDLES,
            &format!("{:020}", record.sequence),
            storage::to_js(&record),
        ),
        (
            storage::KV,
            crate::persist::CHAIN,
            storage::to_js(&next_chain),
        ),
    ])
    .await?;
    app.model
        .update(|m| m.bundle_created(record.clone(), next_chain));
    Ok(record)
}

/// Offers the bundle as a download through a temporary object URL.
fn download(record: &BundleRecord) -> Result<(), StorageError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| StorageError("no document".into()))?;
    let parts = js_sys::Array::of1(&record.envelope_json.clone().into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(&record.file_name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
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
            let result = match create_bundle(app, id).await {
                Ok(record) => download(&record),
                Err(e) => Err(e),
            };
            error.set(
                result
                    .err()
                    .map(|e| format!("导出失败 / export failed: {e}")),
            );
            busy.set(false);
        });
    };
    let on_download = move |_| {
        if let Some(record) = bundle() {
            error.set(download(&record).err().map(|e| e.to_string()));
        }
    };
    view! {
        <section class="card">
            <h2>"导出签名记录 " <small>"Export signed record"</small></h2>
            {move || inspection().map(|i| view! {
                <p><strong>{i.site.name.clone()}</strong> " · " <span class="mono">{i.site.credit_code.to_string()}</span></p>
                <p>"签章时间 Sealed: " {i.sealed_at.as_ref().map(local_time).unwrap_or_else(|| "未签章 not sealed".into())}</p>
                <ul class="counts">
                    <li>"重大隐患 Major: " {i.count(Verdict::MajorHazard)}</li>
                    <li>"一般隐患 General: " {i.count(Verdict::GeneralHazard)}</li>
                    <li>"符合 Compliant: " {i.count(Verdict::Compliant)}</li>
                    <li>"不适用 N/A: " {i.count(Verdict::NotApplicable)}</li>
                </ul>
            })}
            <Show when=move || bundle().is_none()
                fallback=move || view! {
                    <p role="status">"已生成签名文件 Signed bundle: " <span class="mono">{move || bundle().map(|b| b.file_name)}</span></p>
                    <button type="button" class="primary" on:click=on_download>"再次下载签名文件 Download again"</button>
                }>
                <button type="button" class="primary" disabled=move || busy.get() on:click=on_export>
                    "签名并导出 Sign and export"
                </button>
            </Show>
            <p class="error" role="alert" hidden=move || error.with(Option::is_none)>{move || error.get()}</p>
            <a class="button" href=Route::Home.href()>"返回首页 Home"</a>
        </section>
    }
}
