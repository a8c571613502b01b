//! The built PWA, served by tower-http's `ServeDir` (path safety, the build's precompressed
//! `.br` files for clients that accept brotli, ETag and Last-Modified with 304s). What is the
//! app's own is here: content types as the service worker expects them, cache headers that
//! keep hashed files for a year and revalidate the rest, and `index.html` for client-side
//! routes (never for a missing asset, nor for `/api/...`, which the API routes answer).

use axum::Router;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Files whose name carries a content hash never change under that name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (index.html, sw.js, the manifest, icons, checklists) is revalidated on each
/// use, so a new deployment is seen at once; the service worker does the offline caching.
const REVALIDATE: &str = "no-cache";

/// The router's fallback: every path no API route takes.
pub fn files(dist: &Path) -> Router {
    let index = dist.join("index.html");
    let client_route = move |request: Request| app_shell(index.clone(), request);
    let serve = ServeDir::new(dist)
        .precompressed_br()
        .append_index_html_on_directories(true)
        .fallback(client_route.into_service());
    Router::new()
        .fallback_service(serve)
        .layer(middleware::from_fn(app_headers))
}

/// `index.html` for a client-side route (a path whose last segment has no extension); a
/// missing asset is a plain 404, so a broken build never looks like a working page.
async fn app_shell(index: PathBuf, request: Request) -> Response {
    if file_name(request.uri().path()).contains('.') {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    if !index.is_file() {
        return (
            StatusCode::NOT_FOUND,
            "the app is not built: index.html is missing from the dist directory\n",
        )
            .into_response();
    }
    match ServeFile::new(index)
        .precompressed_br()
        .oneshot(request)
        .await
    {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// Content type and caching by the name of the file served (index.html for routes).
async fn app_headers(request: Request, next: Next) -> Response {
    let name = served_name(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return response;
    }
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control_for(&name)),
    );
    if status.is_success() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type_for(&name)),
        );
    }
    // ServeDir spells the header field in lower case; HTTP field names are case-insensitive,
    // but clients that compare the text (as the e2e test does) see the usual spelling.
    if headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    response
}

/// The last segment of a URL path ("" for the root or a directory).
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// The file a path is answered with: itself, or index.html for routes and directories.
fn served_name(path: &str) -> String {
    let name = file_name(path);
    if name.contains('.') {
        name.to_string()
    } else {
        "index.html".to_string()
    }
}

pub fn content_type_for(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "toml" => "application/toml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// True when the file name holds a run of at least 16 lower-case hex digits delimited by
/// `-`, `_` or `.` (as in `paicha-0123456789abcdef.wasm` or `app-0123456789abcdef_bg.wasm`).
pub fn is_content_hashed(file_name: &str) -> bool {
    file_name.split(['-', '_', '.']).any(|part| {
        part.len() >= 16 && part.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

pub fn cache_control_for(file_name: &str) -> &'static str {
    if is_content_hashed(file_name) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_cover_the_pwa() {
        assert_eq!(content_type_for("paicha_bg.wasm"), "application/wasm");
        assert_eq!(content_type_for("sw.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type_for("x.MJS"), "text/javascript; charset=utf-8");
        assert_eq!(
            content_type_for("manifest.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type_for("fireworks.toml"), "application/toml");
        assert_eq!(content_type_for("noext"), "application/octet-stream");
    }

    #[test]
    fn hashed_names_are_immutable_and_the_shell_is_revalidated() {
        assert_eq!(cache_control_for("paicha-0123456789abcdef.wasm"), IMMUTABLE);
        assert_eq!(
            cache_control_for("paicha-0123456789abcdef_bg.wasm"),
            IMMUTABLE
        );
        for name in [
            "index.html",
            "sw.js",
            "manifest.webmanifest",
            "paicha-0123456789abcde.js",
            "icon-192.png",
        ] {
            assert_eq!(cache_control_for(name), REVALIDATE, "{name}");
        }
        assert!(!is_content_hashed("paicha-0123456789ABCDEF.wasm"));
    }

    #[test]
    fn routes_are_answered_with_the_app_shell() {
        assert_eq!(served_name("/"), "index.html");
        assert_eq!(served_name("/inspections/42"), "index.html");
        assert_eq!(served_name("/icons/icon-192.png"), "icon-192.png");
    }
}
