//! The built PWA: files from the dist directory with explicit content types and cache headers
//! that suit a service worker, and index.html for client-side routes.

use super::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Files whose name carries a content hash never change under that name.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (index.html, sw.js, the manifest, icons, checklists) is revalidated on each
/// use, so a new deployment is seen at once; the service worker does the offline caching.
const REVALIDATE: &str = "no-cache";

pub fn content_type_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
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

pub async fn serve(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = (
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are allowed here\n",
        )
            .into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let Some(segments) = safe_segments(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad path\n").into_response();
    };
    if !segments.is_empty() {
        let candidate = segments
            .iter()
            .fold(state.dist.to_path_buf(), |p, s| p.join(s));
        if let Some(file) = inside(&state.dist, &candidate).await {
            return send_file(&file, &headers).await;
        }
    }
    // Client-side routes (no file extension) get the app shell; missing assets get a 404.
    let last = segments.last().map(String::as_str).unwrap_or("");
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let index = state.dist.join("index.html");
    if tokio::fs::metadata(&index).await.is_ok_and(|m| m.is_file()) {
        send_file(&index, &headers).await
    } else {
        (
            StatusCode::NOT_FOUND,
            "the app is not built: index.html is missing from the dist directory\n",
        )
            .into_response()
    }
}

/// Decodes the URL path into plain segments, refusing anything that could leave the directory.
fn safe_segments(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let seg = String::from_utf8(percent_decode(raw)?).ok()?;
        if seg == "." || seg == ".." || seg.contains(['/', '\\', '\0']) || seg.starts_with('.') {
            return None;
        }
        out.push(seg);
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The regular file at `candidate` if it resolves (symlinks included) inside `root`.
async fn inside(root: &Path, candidate: &Path) -> Option<PathBuf> {
    let real = tokio::fs::canonicalize(candidate).await.ok()?;
    let meta = tokio::fs::metadata(&real).await.ok()?;
    (real.starts_with(root) && meta.is_file()).then_some(real)
}

/// Whether the client accepts brotli (`br` listed without `q=0`).
fn accepts_brotli(request_headers: &HeaderMap) -> bool {
    let Some(value) = request_headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused =
            parts.any(|p| p.replace(' ', "").trim_start_matches("q=").parse::<f32>() == Ok(0.0));
        name.eq_ignore_ascii_case("br") && !refused
    })
}

/// Sends `path`, or its precompressed `path.br` (written by the build) to clients that accept
/// brotli: the wasm shrinks to about a third, which is most of a cold start on a slow network.
async fn send_file(path: &Path, request_headers: &HeaderMap) -> Response {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let compressed = path.with_file_name(format!("{name}.br"));
    let has_compressed = tokio::fs::metadata(&compressed)
        .await
        .is_ok_and(|m| m.is_file());
    let use_compressed = has_compressed && accepts_brotli(request_headers);
    let source = if use_compressed {
        compressed.as_path()
    } else {
        path
    };
    let Ok(meta) = tokio::fs::metadata(source).await else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
    let etag = format!(
        "W/\"{:x}-{:x}{}\"",
        meta.len(),
        modified.map_or(0, |d| d.as_nanos()),
        if use_compressed { "-br" } else { "" }
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control_for(name)),
    );
    if has_compressed {
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if etag_matches(request_headers, &etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let body = match tokio::fs::read(source).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(path = %source.display(), "cannot read static file: {e}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read file\n").into_response();
        }
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type_for(path)),
    );
    if use_compressed {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    }
    (StatusCode::OK, headers, Body::from(body)).into_response()
}

fn etag_matches(request_headers: &HeaderMap, etag: &str) -> bool {
    let weak = |t: &str| t.trim().trim_start_matches("W/").to_string();
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || weak(t) == weak(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_is_chosen_only_when_accepted() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepts_brotli(&h)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("BR;q=0.5"));
        assert!(!with("gzip, deflate"));
        assert!(!with("br;q=0, gzip"));
        assert!(!accepts_brotli(&HeaderMap::new()));
    }

    #[test]
    fn content_types_cover_the_pwa() {
        assert_eq!(
            content_type_for(Path::new("a/paicha_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(
            content_type_for(Path::new("sw.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type_for(Path::new("x.MJS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type_for(Path::new("manifest.webmanifest")),
            "application/manifest+json"
        );
        assert_eq!(
            content_type_for(Path::new("fireworks.toml")),
            "application/toml"
        );
        assert_eq!(
            content_type_for(Path::new("noext")),
            "application/octet-stream"
        );
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
    fn paths_cannot_escape_the_directory() {
        assert_eq!(safe_segments("/a/b.js").unwrap(), vec!["a", "b.js"]);
        assert_eq!(safe_segments("/caf%C3%A9.png").unwrap(), vec!["café.png"]);
        for bad in [
            "/../etc/passwd",
            "/a/%2e%2e/b",
            "/a%2fb",
            "/.git/config",
            "/%zz",
            "/a%5c..%5cb",
        ] {
            assert!(safe_segments(bad).is_none(), "{bad}");
        }
    }
}
