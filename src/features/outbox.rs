//! The outbox: bundles wait here until the ledger has them. Uploads are tried when a bundle
//! is created, when the browser comes back online, and every 30 s while any is due; failures
//! that may pass (offline, server error) back off, refusals wait for the user.

use crate::features::{export, local_time, now};
use crate::i18n::{localize, t, t_string};
use crate::lazy::{Task, on_demand};
use crate::model::{BundleRecord, UploadState};
use crate::route::Route;
use crate::storage::StorageError;
use crate::{AppContext, use_app};
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Relative, so the app talks to the ledger that served it (the CSP allows only 'self').
const UPLOAD_URL: &str = "api/bundles";

enum Outcome {
    Accepted { duplicate: bool },
    Refused(String),
    TryLater(String),
}

fn js_error(e: JsValue) -> String {
    StorageError::from(e).to_string()
}

async fn post(envelope_json: &str) -> Outcome {
    let Some(window) = web_sys::window() else {
        return Outcome::TryLater("no window".into());
    };
    if !window.navigator().on_line() {
        return Outcome::TryLater("离线 / offline".into());
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(envelope_json));
    let headers = web_sys::Headers::new().expect("Headers");
    let _ = headers.set("Content-Type", "application/json");
    init.set_headers(&headers);
    let response: web_sys::Response =
        match JsFuture::from(window.fetch_with_str_and_init(UPLOAD_URL, &init)).await {
            Ok(r) => r.unchecked_into(),
            Err(e) => return Outcome::TryLater(js_error(e)),
        };
    let status = response.status();
    let body = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    match status {
        200 | 201 => Outcome::Accepted {
            duplicate: json["status"] == "already_imported",
        },
        400..=499 => Outcome::Refused(
            json["error"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {status}")),
        ),
        _ => Outcome::TryLater(format!("HTTP {status}")),
    }
}

thread_local! {
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// (sent so far, total) while an upload run is under way; not tied to any screen, so the
    /// outbox shows it whenever it is opened.
    static PROGRESS: ArcRwSignal<Option<(usize, usize)>> = ArcRwSignal::new(None);
}

fn progress() -> ArcRwSignal<Option<(usize, usize)>> {
    PROGRESS.with(Clone::clone)
}

/// Sends every due bundle, one at a time, oldest first (the ledger checks the chain in order).
/// The sending code is loaded on demand, so nothing is fetched while nothing is due.
pub fn upload_due(app: AppContext) {
    if !app.model.with_untracked(|m| m.any_upload_due(now())) || RUNNING.with(|r| r.replace(true)) {
        return;
    }
    leptos::task::spawn_local(async move {
        // Without its code (offline before it was cached) nothing is sent; a later trigger
        // tries again.
        if let Ok(run) = upload_run(app).await {
            run.await;
        }
        progress().set(None);
        RUNNING.with(|r| r.set(false));
    });
}

on_demand! {
    /// One upload run: sends due bundles until none is left or the ledger cannot be reached.
    fn upload_run in screens / preload_upload (app: AppContext) -> Task<()> {
        Box::pin(async move {
            let total = app.model.with_untracked(|m| m.due_uploads(now()).len());
            let mut sent = 0;
            loop {
                let due = app.model.with_untracked(|m| m.due_uploads(now()));
                let Some(bundle) = due.into_iter().next() else {
                    break;
                };
                progress().set(Some((sent, total.max(sent + 1))));
                sent += 1;
                let envelope = crate::persist::envelope(&app.db.get_value(), &bundle).await;
                let next = match envelope {
                    Ok(envelope) => post(&envelope).await,
                    // Nothing to send: say so in the outbox rather than retrying forever.
                    Err(e) => Outcome::Refused(e.to_string()),
                };
                let next = match next {
                    Outcome::Accepted { duplicate } => UploadState::Uploaded {
                        at: now(),
                        duplicate,
                    },
                    Outcome::Refused(reason) => UploadState::Rejected { at: now(), reason },
                    Outcome::TryLater(error) => bundle.upload.after_failure(error, now()),
                };
                let stop = matches!(next, UploadState::Retrying { .. });
                app.model.update(|m| m.set_upload(bundle.bundle_id, next));
                if stop {
                    // The network or the server is down: the next trigger tries again.
                    break;
                }
            }
        })
    }
}

/// Starts the triggers: the `online` event and a 30 s timer.
pub fn start_uploader(app: AppContext) {
    upload_due(app);
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_online = Closure::<dyn Fn()>::new(move || upload_due(app));
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        on_online.as_ref().unchecked_ref(),
        30_000,
    );
    // Both live as long as the page.
    on_online.forget();
}

fn describe(state: &UploadState) -> (String, &'static str) {
    match state {
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
    let bundles = move || {
        app.model.with(|m| {
            m.bundles
                .iter()
                .rev()
                .cloned()
                .collect::<Vec<BundleRecord>>()
        })
    };
    let unexported = move || {
        app.model.with(|m| {
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
            match export::create_bundle(app, ids).await {
                Ok((record, envelope)) => {
                    selected.set(Vec::new());
                    error.set(
                        export::download(&record, &envelope)
                            .err()
                            .map(|e| e.to_string()),
                    );
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
        app.model
            .update(|m| m.set_upload(bundle_id, UploadState::Pending));
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
            {crate::features::error_line(error)}
        </section>
        <section class="card" aria-labelledby="outbox-title">
            <h2 id="outbox-title">{t("外发箱", "Outbox")}</h2>
            <button type="button" on:click=move |_| upload_due(app)>{t("立即上传", "Upload now")}</button>
            {move || progress().get().map(|(sent, total)| view! {
                <p role="status">
                    <progress max=total.to_string() value=sent.to_string() aria-label=t("上传进度", "Upload progress")></progress>
                    {format!(" {} {}/{}", t("正在上传", "Uploading"), sent + 1, total)}
                </p>
            })}
            <ul class="list">
                <For each=bundles key=|b| (b.bundle_id, format!("{:?}", b.upload)) children=move |b| {
                    let (text, class) = describe(&b.upload);
                    let rejected = matches!(b.upload, UploadState::Rejected { .. });
                    let bundle_id = b.bundle_id;
                    view! {
                        <li class=format!("bundle {class}") aria-label=format!("{} {}", t("签名文件", "Signed file"), b.file_name)>
                            <span class="mono">{b.file_name.clone()}</span>
                            <p role="status">{text}</p>
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
