//! Storage screen (本机存储): whether the browser may evict this app's data, how much it uses
//! and how much of that the photos take, and backup to one file and restore from one.

use crate::model::context::{use_db, use_model};
use crate::platform::clock::local_minute;
use crate::platform::download::download;
use crate::platform::i18n::{localize, t, t_string};
use crate::platform::route::Route;
use crate::platform::storage::StorageError;
use crate::platform::storage_info::{StorageInfo, read, request_persistence};
use crate::services::backup;
use crate::services::photos::{self, PhotoUsage, usage as photo_usage};
use crate::widgets::field_error::error_line;
use leptos::prelude::*;

fn megabytes(bytes: Option<f64>) -> String {
    bytes.map_or(t("未知", "unknown").into(), |b| {
        format!("{:.1} MB", b / 1_048_576.0)
    })
}

#[component]
pub fn StorageScreen() -> impl IntoView {
    let db = use_db();
    let model = use_model();
    let info = RwSignal::new(None::<StorageInfo>);
    let photos = RwSignal::new(None::<PhotoUsage>);
    // The device's own stored files and their sizes: what "free now" would take away.
    let stored = RwSignal::new(std::collections::BTreeMap::<String, f64>::new());
    let refresh = move || {
        let db = db.get_value();
        leptos::task::spawn_local(async move {
            info.try_set(Some(read().await));
            photos.try_set(photo_usage(&db).await.ok());
            if let Ok(sizes) = photos::stored_sizes(&db).await {
                stored.try_set(sizes);
            }
        })
    };
    refresh();
    // Photos the ledger holds that no other record needs and that are still on the device.
    let freeable = move || {
        let hashes = model.with(|m| m.freeable_photos());
        stored.with(|s| {
            hashes
                .iter()
                .filter_map(|h| s.get(h))
                .fold((0usize, 0.0), |(n, b), size| (n + 1, b + size))
        })
    };
    let free_on = move || model.with(|m| m.settings.free_delivered_photos);
    let on_setting = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        model.update(|m| m.set_free_delivered_photos(on));
        if on {
            photos::free_delivered(db.get_value(), model, false, refresh);
        }
    };
    let on_free = move |_| {
        // A change in flight first reaches the disk; then the rule runs once.
        model.update(|m| m.set_free_delivered_photos(m.settings.free_delivered_photos));
        photos::free_delivered(db.get_value(), model, true, refresh);
    };
    // Photos kept until the ledger has confirmed them: those of bundles it still lacks.
    let undelivered = move || {
        model.with(|m| {
            m.bundles
                .iter()
                .filter_map(|b| b.blob_progress())
                .map(|(delivered, named)| named - delivered)
                .sum::<usize>()
        })
    };
    let on_persist = move |_| {
        leptos::task::spawn_local(async move {
            request_persistence().await;
            info.set(Some(read().await));
        })
    };
    view! {
        <section class="card" aria-labelledby="storage-title">
            <h2 id="storage-title">{t("本机存储", "Storage on this device")}</h2>
            {move || info.get().map(|i| {
                let persisted = i.persisted == Some(true);
                view! {
                    <p role="status" class=if persisted { "ok" } else { "error" }>
                        {if persisted {
                            t("✓ 已启用持久存储：浏览器不会自动清除本应用的数据。", "✓ Persistent: the browser will not evict this data.")
                        } else {
                            t("⚠ 未启用持久存储：存储空间紧张时浏览器可能清除数据。请尽快导出并上传已签章的检查。",
                              "⚠ Not persistent: the browser may evict data under storage pressure; export and upload sealed inspections soon.")
                        }}
                    </p>
                    <p>{t("已用：", "Used: ")} {megabytes(i.usage)} {t(" / 可用：", " / Quota: ")} {megabytes(i.quota)}</p>
                    {(!persisted).then(|| view! {
                        <button type="button" class="primary" on:click=on_persist>{t("申请持久存储", "Request persistent storage")}</button>
                    })}
                }
            })}
            {move || photos.get().map(|p| {
                let ((own, own_bytes), (pulled, pulled_bytes)) = (p.own, p.pulled);
                let (own_size, pulled_size) = (megabytes(Some(own_bytes)), megabytes(Some(pulled_bytes)));
                view! {
                    <p class="photo-usage">
                        {t_string(
                            format!("照片及签名：{own} 个文件，{own_size}"),
                            format!("Photos and signatures: {own} files, {own_size}"),
                        )}
                        {(pulled > 0).then(|| t_string(
                            format!("；台账下发的照片：{pulled} 个文件，{pulled_size}"),
                            format!("; photos pulled from the ledger: {pulled} files, {pulled_size}"),
                        ))}
                    </p>
                }
            })}
            <p class="hint" hidden=move || undelivered() == 0>
                {move || {
                    let n = undelivered();
                    t_string(
                        format!("{n} 张照片尚未送达台账，送达前保留在本机。"),
                        format!("{n} photos are not delivered to the ledger yet; they stay on this device until they are."),
                    )
                }}
            </p>
            <label class="check">
                <input type="checkbox" prop:checked=free_on on:change=on_setting />
                {t("照片送达台账后从本机释放", "Free photos from this device once the ledger holds them")}
            </label>
            {move || {
                let (n, bytes) = freeable();
                (n > 0).then(|| {
                    let size = megabytes(Some(bytes));
                    view! {
                        <button type="button" on:click=on_free>
                            {t_string(
                                format!("释放已送达的照片（{n} 个文件，{size}）"),
                                format!("Free delivered photos now ({n} files, {size})"),
                            )}
                        </button>
                    }
                })
            }}
            <p><small>{move || if free_on() {
                t("照片在台账确认收到后从本机删除（台账保存着它们）；不再被引用的照片（已从隐患中删除的）会被清除。",
                  "Photos are deleted from this device once the ledger has confirmed them (the ledger holds them); photos no record refers to any more (removed from a finding) are deleted.")
            } else {
                t("检查记录引用的照片始终保留在本机（上传后也保留）；不再被引用的照片（已从隐患中删除的）会被清除。",
                  "Photos a record refers to stay on this device, also after upload; photos no record refers to any more (removed from a finding) are deleted.")
            }}</small></p>
            <a class="button" href=Route::Home.href()>{t("返回首页", "Home")}</a>
        </section>
        <BackupRestore />
    }
}

const REPORT_KEY: &str = "paicha-restore-report";

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Backup to one file, and restore from one; the result of a restore is shown after the
/// reload that makes the app read the restored records.
#[component]
fn BackupRestore() -> impl IntoView {
    let db = use_db();
    let model = use_model();
    let message = RwSignal::new(session().and_then(|s| {
        let report = s.get_item(REPORT_KEY).ok().flatten();
        let _ = s.remove_item(REPORT_KEY);
        report
    }));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_backup = move |_| {
        busy.set(true);
        let db = db.get_value();
        leptos::task::spawn_local(async move {
            let mut freed = 0;
            let result = backup::create(&db).await.and_then(|b| {
                // Photos the ledger holds and this device freed are not in it: said, not failed.
                let kept = b.stores.get(crate::platform::storage::PHOTOS);
                freed = model.with_untracked(|m| {
                    m.bundles
                        .iter()
                        .filter(|b| b.is_delivered())
                        .flat_map(|b| b.blobs.iter())
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .filter(|h| !kept.is_some_and(|k| k.contains_key(*h)))
                        .count()
                });
                // `2026-11-29 08:05` → `20261129-0805`
                let stamp: String = local_minute(b.created_at.timestamp_millis())
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == ' ')
                    .map(|c| if c == ' ' { '-' } else { c })
                    .collect();
                let name = format!("paicha-backup-{stamp}.json");
                let text = serde_json::to_string(&b).map_err(|e| StorageError(e.to_string()))?;
                download(&name, "application/json", text.as_bytes())
            });
            if result.is_ok() && freed > 0 {
                message.set(Some(t_string(
                    format!("备份已下载；{freed} 张照片已送达台账并已从本机释放，未包含在备份中。"),
                    format!("Backup downloaded; {freed} photos held by the ledger and freed from this device are not included."),
                )));
            }
            error.set(result.err().map(|e| {
                format!(
                    "{}{}",
                    t("备份失败：", "Backup failed: "),
                    localize(&e.to_string())
                )
            }));
            busy.set(false);
        });
    };
    let on_restore = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        busy.set(true);
        let db = db.get_value();
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string());
            let result = match text {
                Some(text) => match backup::parse(&text) {
                    Ok(b) => backup::restore(&db, &b).await,
                    Err(e) => Err(e),
                },
                None => Err(StorageError("无法读取文件 / cannot read the file".into())),
            };
            match result {
                Ok(report) => {
                    if let Some(s) = session() {
                        let _ = s.set_item(REPORT_KEY, &report.to_string());
                    }
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(e) => {
                    error.set(Some(format!(
                        "{}{}",
                        t(
                            "恢复失败，未写入任何数据：",
                            "Restore failed, nothing was written: "
                        ),
                        localize(&e.to_string())
                    )));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="backup-title">
            <h2 id="backup-title">{t("备份与恢复", "Backup and restore")}</h2>
            <p>{t("备份包含检查记录、检查表版本、外发箱和照片；签名密钥不能离开本机。恢复只添加本机没有的记录，不会重复或覆盖。",
                "The backup holds inspections, checklist versions, the outbox and photos; the signing key never leaves the device. Restoring only adds missing records, never duplicating or overwriting any.")}</p>
            <button type="button" class="primary" disabled=move || busy.get() on:click=on_backup>{t("备份全部数据", "Back up all data")}</button>
            <label for="restore-file">{t("从备份文件恢复", "Restore from a backup file")}</label>
            <input id="restore-file" type="file" accept="application/json,.json" disabled=move || busy.get() on:change=on_restore />
            <p role="status" hidden=move || message.with(Option::is_none)>{move || message.with(|m| m.as_deref().map(localize))}</p>
            {error_line(error)}
        </section>
    }
}
