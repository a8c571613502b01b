//! Storage screen: whether the browser may evict this app's data, and how much it uses.
//! Browsers evict non-persistent storage under pressure; records are legal evidence, so the
//! app asks for persistence and warns clearly when it was not granted.

use crate::route::Route;
use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StorageInfo {
    pub persisted: Option<bool>,
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

async fn call(method: &str) -> Option<JsValue> {
    let storage = Reflect::get(&web_sys::window()?.navigator(), &"storage".into()).ok()?;
    let f: Function = Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = f.call0(&storage).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

/// Asks the browser to keep this app's data (no prompt in Chromium; it decides by engagement).
pub async fn request_persistence() -> Option<bool> {
    call("persist").await.and_then(|v| v.as_bool())
}

pub async fn read() -> StorageInfo {
    let estimate = call("estimate").await;
    let number = |name: &str| {
        estimate
            .as_ref()
            .and_then(|e| Reflect::get(e, &name.into()).ok())
            .and_then(|v| v.as_f64())
    };
    StorageInfo {
        persisted: call("persisted").await.and_then(|v| v.as_bool()),
        usage: number("usage"),
        quota: number("quota"),
    }
}

fn megabytes(bytes: Option<f64>) -> String {
    bytes.map_or("未知 unknown".into(), |b| {
        format!("{:.1} MB", b / 1_048_576.0)
    })
}

#[component]
pub fn StorageScreen() -> impl IntoView {
    let info = RwSignal::new(None::<StorageInfo>);
    let refresh = move || leptos::task::spawn_local(async move { info.set(Some(read().await)) });
    refresh();
    let on_persist = move |_| {
        leptos::task::spawn_local(async move {
            request_persistence().await;
            info.set(Some(read().await));
        })
    };
    view! {
        <section class="card" aria-labelledby="storage-title">
            <h2 id="storage-title">"本机存储 " <small>"Storage on this device"</small></h2>
            {move || info.get().map(|i| {
                let persisted = i.persisted == Some(true);
                view! {
                    <p role="status" class=if persisted { "ok" } else { "error" }>
                        {if persisted {
                            "✓ 已启用持久存储：浏览器不会自动清除本应用的数据。 Persistent: the browser will not evict this data."
                        } else {
                            "⚠ 未启用持久存储：存储空间紧张时浏览器可能清除数据。请尽快导出并上传已签章的检查。 Not persistent: the browser may evict data under storage pressure; export and upload sealed inspections soon."
                        }}
                    </p>
                    <p>"已用 Used: " {megabytes(i.usage)} " / 可用 Quota: " {megabytes(i.quota)}</p>
                    {(!persisted).then(|| view! {
                        <button type="button" class="primary" on:click=on_persist>"申请持久存储 Request persistent storage"</button>
                    })}
                }
            })}
            <a class="button" href=Route::Home.href()>"返回首页 Home"</a>
        </section>
    }
}
