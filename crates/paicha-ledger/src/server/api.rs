//! The JSON API under /api. Errors are `{"error": "<reason>", "code": "<machine code>"}`.

use super::AppState;
use crate::import::{ImportOutcome, import_bytes};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::json;

pub fn routes(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route(
            "/api/bundles",
            post(upload_bundle).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        // API answers describe the ledger's state at one moment: never cache them.
        .layer(axum::middleware::map_response(
            |mut r: Response| async move {
                r.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                r
            },
        ))
}

pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": message.into(), "code": code })),
    )
        .into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(_) => Json(json!({ "status": "ok", "version": crate::VERSION })).into_response(),
        Err(e) => {
            tracing::error!("health check: database unavailable: {e}");
            let body = json!({ "status": "error", "version": crate::VERSION, "error": "database unavailable" });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

async fn upload_bundle(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let message = format!(
                "the upload is larger than the limit of {} bytes",
                state.max_body_bytes
            );
            return error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message);
        }
        Err(rejection) => {
            return error(
                rejection.status(),
                "bad_request",
                format!("cannot read the upload: {}", rejection.body_text()),
            );
        }
    };
    match import_bytes(&state.store, &bytes, chrono::Utc::now()).await {
        Ok(ImportOutcome::Imported(b)) => {
            tracing::info!(bundle_id = %b.bundle_id, key = %b.key_id.short(), sequence = b.sequence, fork = b.fork, "bundle imported");
            let body = json!({
                "status": "imported",
                "bundle_id": b.bundle_id,
                "key_id": b.key_id.as_str(),
                "sequence": b.sequence,
                "payload_sha256": b.payload_sha256,
                "new_inspections": b.new_inspections,
                "findings": b.findings,
                "fork": b.fork,
            });
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Ok(ImportOutcome::AlreadyImported {
            bundle_id,
            payload_sha256,
        }) => {
            tracing::info!(%bundle_id, "bundle already imported");
            let body = json!({ "status": "already_imported", "bundle_id": bundle_id, "payload_sha256": payload_sha256 });
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if status.is_server_error() {
                // Details stay in the log; the client only learns to retry later.
                tracing::error!("import failed: {e}");
                return error(
                    status,
                    e.code(),
                    "the ledger could not store the bundle; try again later",
                );
            }
            tracing::warn!(code = e.code(), "bundle rejected: {e}");
            error(status, e.code(), e.to_string())
        }
    }
}

async fn not_found(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no API endpoint {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}
