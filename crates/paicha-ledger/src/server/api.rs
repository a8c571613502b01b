//! The JSON API under /api. Errors are `{"error": "<reason>", "code": "<machine code>"}`.

use super::AppState;
use crate::import::{ImportOutcome, import_bytes};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::json;

pub fn routes(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/checklists", get(checklists))
        .route("/api/hazards", get(hazards))
        .route(
            "/api/bundles",
            post(upload_bundle).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        // API answers describe the ledger's state at one moment: never cache them (unless a
        // handler says otherwise, as /api/checklists does for revalidation with its ETag).
        .layer(axum::middleware::map_response(
            |mut r: Response| async move {
                r.headers_mut()
                    .entry(header::CACHE_CONTROL)
                    .or_insert(HeaderValue::from_static("no-store"));
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
    // The import runs in a task of its own: if the client hangs up, it still completes (one
    // transaction either way), and a graceful shutdown waits for it (`InFlight`).
    let guard = state.imports.start();
    let store = state.store.clone();
    let task = tokio::spawn(async move {
        let _guard = guard;
        import_bytes(&store, &bytes, chrono::Utc::now()).await
    });
    let result = match task.await {
        Ok(result) => result,
        Err(e) => {
            tracing::error!("import task failed: {e}");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the ledger could not store the bundle; try again later",
            );
        }
    };
    match result {
        Ok(ImportOutcome::Imported(b)) => {
            tracing::info!(bundle_id = %b.bundle_id, key = %b.key_id.short(), sequence = b.sequence, fork = b.fork, "bundle imported");
            for review in &b.unmatched_reviews {
                tracing::warn!(bundle_id = %b.bundle_id, "{review}");
            }
            let body = json!({
                "status": "imported",
                "bundle_id": b.bundle_id,
                "key_id": b.key_id.as_str(),
                "sequence": b.sequence,
                "payload_sha256": b.payload_sha256,
                "new_inspections": b.new_inspections,
                "findings": b.findings,
                "reviews": b.reviews,
                "unmatched_reviews": b.unmatched_reviews.len(),
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

/// The current checklist pack, read off the async threads (it may re-read files). A failure
/// is a 500 the client may retry.
async fn current_pack(
    state: &AppState,
) -> Result<std::sync::Arc<super::checklists::ServedPack>, Response> {
    let source = state.checklists.clone();
    tokio::task::spawn_blocking(move || source.current())
        .await
        .map_err(|e| {
            tracing::error!("loading checklists failed: {e}");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the checklists could not be read; try again later",
            )
        })
}

/// `GET /api/checklists`: the current checklist pack, `{"checklists": [{...checklist,
/// "content_hash", "search_key"}]}`, with a strong ETag; `If-None-Match` gives 304.
async fn checklists(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let pack = match current_pack(&state).await {
        Ok(pack) => pack,
        Err(response) => return response,
    };
    let etag = HeaderValue::from_str(&pack.etag).expect("hex ETag");
    // The app revalidates every time; an unchanged pack costs a 304.
    let cache = HeaderValue::from_static("no-cache");
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == pack.etag
        });
    if matches {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        pack.json.clone(),
    )
        .into_response()
}

/// Query of `GET /api/hazards`; every filter optional.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardParams {
    /// 2 to 6 digits of the administrative division code.
    region: Option<String>,
    /// A sector id, e.g. `fireworks`.
    sector: Option<String>,
    /// `general` or `major`.
    level: Option<String>,
    /// A follow-up status (`overdue`, `escalated`, `due_soon`, `open`, `rectified`,
    /// `verified`; `closed` = `verified`), or several separated by commas.
    status: Option<String>,
    /// The day (YYYY-MM-DD) statuses are judged on; default today (China Standard Time).
    as_of: Option<String>,
    /// First day (YYYY-MM-DD, China Standard Time) of the inspections' start.
    from: Option<String>,
    /// Last day (YYYY-MM-DD, inclusive).
    to: Option<String>,
    /// At most this many hazards (default 1000, at most 10000).
    limit: Option<String>,
}

const DEFAULT_HAZARD_LIMIT: usize = 1000;
const MAX_HAZARD_LIMIT: usize = 10_000;

/// `GET /api/hazards`: the hazard ledger as JSON, `{"hazards": [{hazard_no, org_name, ...}],
/// "count", "truncated"}`, with the keys and values of `export hazards --header keys`.
async fn hazards(
    State(state): State<AppState>,
    params: Result<Query<HazardParams>, QueryRejection>,
) -> Response {
    use crate::export::{COLUMNS, HazardQuery, HazardQueryInput, hazard_records, parse_status};
    use crate::store::HazardLevel;
    let bad = |message: String| error(StatusCode::BAD_REQUEST, "bad_query", message);
    let params = match params {
        Ok(Query(params)) => params,
        Err(rejection) => return bad(rejection.body_text()),
    };
    let date = |name: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| format!("{name} must be a date like 2026-03-01, got {v:?}"))
            })
            .transpose()
    };
    let level = match params.level.as_deref() {
        None => None,
        Some("general") => Some(HazardLevel::General),
        Some("major") => Some(HazardLevel::Major),
        Some(other) => return bad(format!("level must be general or major, got {other:?}")),
    };
    let mut status = Vec::new();
    for text in params
        .status
        .as_deref()
        .map(|s| s.split(','))
        .into_iter()
        .flatten()
    {
        match parse_status(text) {
            Some(s) => status.push(s),
            None => {
                return bad(format!(
                    "status must be overdue, escalated, due_soon, open, rectified or verified \
                     (several separated by commas), got {text:?}"
                ));
            }
        }
    }
    let limit = match params.limit.as_deref().map(str::parse::<usize>) {
        None => DEFAULT_HAZARD_LIMIT,
        Some(Ok(n)) if (1..=MAX_HAZARD_LIMIT).contains(&n) => n,
        Some(_) => {
            return bad(format!(
                "limit must be a number from 1 to {MAX_HAZARD_LIMIT}"
            ));
        }
    };
    let (since, until, as_of) = match (
        date("from", &params.from),
        date("to", &params.to),
        date("as_of", &params.as_of),
    ) {
        (Ok(since), Ok(until), Ok(as_of)) => (since, until, as_of),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return bad(e),
    };
    let query = match HazardQuery::new(HazardQueryInput {
        region: params.region.as_deref(),
        sector: params.sector.as_deref(),
        level,
        status,
        as_of,
        since,
        until,
    }) {
        Ok(query) => query,
        Err(e) => return bad(e),
    };
    let pack = match current_pack(&state).await {
        Ok(pack) => pack,
        Err(response) => return response,
    };
    let records = match hazard_records(&state.store, &query, &pack.pack).await {
        Ok(records) => records,
        Err(e) => {
            tracing::error!("hazard query failed: {e}");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the ledger could not be read; try again later",
            );
        }
    };
    let truncated = records.len() > limit;
    let hazards: Vec<serde_json::Value> = records
        .into_iter()
        .take(limit)
        .map(|fields| {
            let object: serde_json::Map<String, serde_json::Value> = COLUMNS
                .iter()
                .zip(fields)
                .map(|((_, key), value)| (key.to_string(), serde_json::Value::String(value)))
                .collect();
            serde_json::Value::Object(object)
        })
        .collect();
    Json(json!({ "count": hazards.len(), "truncated": truncated, "hazards": hazards }))
        .into_response()
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
