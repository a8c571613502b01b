//! Requests to the ledger that served the app. Paths (`/api/bundles`, `paicha_core::wire`)
//! are requested relative to the page, so the app talks to the ledger that served it, under
//! whatever prefix (the Content-Security-Policy allows only 'self').

use crate::platform::storage::StorageError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What came back: the status and the body's text.
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// Whether the browser believes it is online (a hint: a request may still fail).
pub fn online() -> bool {
    web_sys::window().is_some_and(|w| w.navigator().on_line())
}

/// Calls `f` whenever the browser comes back online and every `period_ms` while the page is
/// open (for the page's lifetime): what retries work that needs the network.
pub fn when_online_and_every(period_ms: i32, f: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::<dyn Fn()>::new(f);
    let _ = window.add_event_listener_with_callback("online", callback.as_ref().unchecked_ref());
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        callback.as_ref().unchecked_ref(),
        period_ms,
    );
    // Both live as long as the page.
    callback.forget();
}

/// `path` relative to the page.
fn relative(path: &str) -> &str {
    path.trim_start_matches('/')
}

/// `GET path`, the body as bytes; anything but 2xx is an error naming the status.
pub async fn get_bytes(path: &str) -> Result<Vec<u8>, StorageError> {
    let url = relative(path);
    let window = web_sys::window().ok_or_else(|| StorageError("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await?
        .unchecked_into();
    if !response.ok() {
        return Err(StorageError(format!("{url}: HTTP {}", response.status())));
    }
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// `POST path` with a JSON body. An error only when no answer came (offline, connection cut).
pub async fn post_json(path: &str, body: &str) -> Result<Reply, StorageError> {
    send("POST", path, Some(body), &[]).await
}

/// The absolute URL of `path` as the browser requests it (what a signed request covers as its
/// `@target-uri`): `path` relative to the page's directory. Done on the text of
/// `location.href` rather than with `URL`, whose glue would grow the app shell.
pub fn absolute(path: &str) -> Result<String, StorageError> {
    let href = web_sys::window()
        .ok_or_else(|| StorageError("no window".into()))?
        .location()
        .href()?;
    let page = href.split(['#', '?']).next().unwrap_or_default();
    let directory = &page[..page.rfind('/').map_or(page.len(), |i| i + 1)];
    Ok(format!("{directory}{}", relative(path)))
}

/// `method path` with an optional JSON body and extra header fields. An error only when no
/// answer came (offline, connection cut).
pub async fn send(
    method: &str,
    path: &str,
    body: Option<&str>,
    extra: &[(&str, String)],
) -> Result<Reply, StorageError> {
    let body = body.map(|b| (JsValue::from_str(b), "application/json"));
    let response = fetch(method, path, body.as_ref().map(|(b, t)| (b, *t)), extra).await?;
    reply(response).await
}

/// `method path` with `body` (e.g. a file's `ArrayBuffer`) of type `content_type` and extra
/// header fields. An error only when no answer came (offline, connection cut).
pub async fn send_bytes(
    method: &str,
    path: &str,
    body: &JsValue,
    content_type: &str,
    extra: &[(&str, String)],
) -> Result<Reply, StorageError> {
    reply(fetch(method, path, Some((body, content_type)), extra).await?).await
}

async fn reply(response: web_sys::Response) -> Result<Reply, StorageError> {
    let status = response.status();
    let body = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok(Reply { status, body })
}

/// `GET path` with extra header fields: (media type, bytes); anything but 200 is an error
/// naming the status.
pub async fn get_bytes_with(
    path: &str,
    extra: &[(&str, String)],
) -> Result<(String, Vec<u8>), StorageError> {
    let response = fetch("GET", path, None, extra).await?;
    if response.status() != 200 {
        return Err(StorageError(format!("{path}: HTTP {}", response.status())));
    }
    let media_type = response.headers().get("Content-Type")?.unwrap_or_default();
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok((media_type, js_sys::Uint8Array::new(&buffer).to_vec()))
}

async fn fetch(
    method: &str,
    path: &str,
    body: Option<(&JsValue, &str)>,
    extra: &[(&str, String)],
) -> Result<web_sys::Response, StorageError> {
    let url = relative(path);
    let window = web_sys::window().ok_or_else(|| StorageError("no window".into()))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new()?;
    if let Some((body, content_type)) = body {
        init.set_body(body);
        headers.set("Content-Type", content_type)?;
    }
    for (name, value) in extra {
        headers.set(name, value)?;
    }
    init.set_headers(&headers);
    Ok(JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await?
        .unchecked_into())
}
