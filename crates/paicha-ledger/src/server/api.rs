//! The JSON API under /api: the handlers answer with the types of [`paicha_core::wire`], and
//! every failure is an [`ApiError`].

use super::AppState;
use super::auth::{Staff, audit};
use super::error::ApiError;
use super::metrics as m;
use crate::import::{ImportOutcome, import_bytes};
use crate::store::{AuditEntry, Outcome};
use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use http_body_util::BodyExt;
use paicha_core::wire::{
    AlreadyImported, HazardsQuery, HazardsResponse, Health, Imported, UploadResult,
};
use std::time::Instant;
use tracing::Instrument;

pub fn routes(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(paicha_core::wire::HEALTH_PATH, get(health))
        .route(paicha_core::wire::CHECKLISTS_PATH, get(checklists))
        .route(paicha_core::wire::HAZARDS_PATH, get(hazards))
        .route(
            paicha_core::wire::BUNDLES_PATH,
            post(upload_bundle).layer(DefaultBodyLimit::max(max_body_bytes)),
        )
        // No path under /api ever reaches the app's files.
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
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

/// The database answers, within the readiness checks' second: a probe never waits on the
/// pool's acquire timeout.
async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match tokio::time::timeout(super::ops::CHECK_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => Ok(Json(Health {
            status: "ok".into(),
            version: crate::VERSION.into(),
        })),
        Ok(Err(e)) => {
            tracing::error!("health check: {e}");
            Err(ApiError::unavailable())
        }
        Err(_) => {
            tracing::error!("health check: the database did not answer within a second");
            Err(ApiError::unavailable())
        }
    }
}

/// Reads the whole upload. Each piece must arrive within `state.body_timeout` of the one
/// before (a phone on a weak network is slow, not silent; a client that stops sending gets
/// 408 and its connection is closed), and the whole within `max_body_bytes`.
async fn read_upload(state: &AppState, body: Body) -> Result<Bytes, ApiError> {
    let too_large = || {
        let message = format!(
            "the upload is larger than the limit of {} bytes",
            state.max_body_bytes
        );
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    };
    let mut body = body;
    let mut buffer = Vec::new();
    loop {
        let frame = match tokio::time::timeout(state.body_timeout, body.frame()).await {
            Err(_) => {
                let message = format!(
                    "the upload stalled: no data for {} s after {} bytes; send it again",
                    state.body_timeout.as_secs_f64(),
                    buffer.len()
                );
                return Err(
                    ApiError::new(StatusCode::REQUEST_TIMEOUT, "body_timeout", message)
                        .closing_connection(),
                );
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                // The length limit (DefaultBodyLimit) surfaces as an error of the body.
                if is_length_limit(&e) {
                    return Err(too_large());
                }
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("cannot read the upload: {e}"),
                ));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > state.max_body_bytes {
                return Err(too_large());
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buffer))
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

async fn upload_bundle(
    State(state): State<AppState>,
    body: Body,
) -> Result<(StatusCode, Json<UploadResult>), ApiError> {
    let result = receive_and_import(&state, body).await;
    match &result {
        Ok((_, Json(UploadResult::Imported(i)))) => {
            m::upload(if i.fork { "fork" } else { "imported" })
        }
        Ok((_, Json(UploadResult::AlreadyImported(_)))) => m::upload("already_imported"),
        Err(e) => m::upload(m::outcome_of_error(e.status.as_u16(), &e.body.code)),
    }
    result
}

async fn receive_and_import(
    state: &AppState,
    body: Body,
) -> Result<(StatusCode, Json<UploadResult>), ApiError> {
    let bytes = read_upload(state, body).await?;
    // The import runs in a task of its own: if the client hangs up, it still completes (one
    // transaction either way), and a graceful shutdown waits for it (`InFlight`).
    let guard = state.imports.start();
    let store = state.store.clone();
    let started = Instant::now();
    let task = tokio::spawn(
        async move {
            let _guard = guard;
            let outcome = import_bytes(&store, &bytes, chrono::Utc::now()).await;
            metrics::histogram!(m::IMPORT_SECONDS).record(started.elapsed().as_secs_f64());
            outcome
        }
        // Its log lines carry the request's id.
        .instrument(tracing::Span::current()),
    );
    let outcome = task
        .await
        .map_err(|e| ApiError::internal("store the bundle", e))??;
    Ok(match outcome {
        ImportOutcome::Imported(b) => {
            tracing::info!(bundle_id = %b.bundle_id, key = %b.key_id.short(), sequence = b.sequence, fork = b.fork, "bundle imported");
            for review in &b.unmatched_reviews {
                tracing::warn!(bundle_id = %b.bundle_id, "{review}");
            }
            let imported = Imported {
                bundle_id: b.bundle_id,
                key_id: b.key_id,
                sequence: b.sequence,
                payload_sha256: b.payload_sha256,
                new_inspections: b.new_inspections as u64,
                findings: b.findings as u64,
                reviews: b.reviews as u64,
                unmatched_reviews: b.unmatched_reviews.len() as u64,
                fork: b.fork,
                missing_blobs: b.missing_blobs,
            };
            (StatusCode::CREATED, Json(UploadResult::Imported(imported)))
        }
        ImportOutcome::AlreadyImported {
            bundle_id,
            payload_sha256,
            missing_blobs,
        } => {
            tracing::info!(%bundle_id, "bundle already imported");
            let already = AlreadyImported {
                bundle_id,
                payload_sha256,
                missing_blobs,
            };
            (StatusCode::OK, Json(UploadResult::AlreadyImported(already)))
        }
    })
}

/// The state of the checklist pack, read off the async threads (it may re-read files).
pub(super) async fn current_pack(
    state: &AppState,
) -> Result<super::checklists::PackState, ApiError> {
    let source = state.checklists.clone();
    tokio::task::spawn_blocking(move || source.current())
        .await
        .map_err(|e| ApiError::internal("read the checklists", e))
}

/// `GET /api/checklists`: the signed checklist pack (docs/checklist-packs.md), sent as the
/// bytes its strong ETag is computed over; `If-None-Match` gives 304. A pack the app would
/// refuse is never served: 503 `checklist_pack_refused` with the reason (the app keeps its
/// installed pack, or falls back to the one it shipped with).
async fn checklists(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pack = match current_pack(&state).await? {
        super::checklists::PackState::Served(pack) => pack,
        super::checklists::PackState::Refused {
            last_good: Some(pack),
            ..
        } => pack,
        super::checklists::PackState::Refused {
            reason,
            last_good: None,
            ..
        } => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "checklist_pack_refused",
                format!(
                    "检查表包被拒绝，不提供 / the checklist pack is refused and not served: {reason}"
                ),
            ));
        }
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
        let headers = [(header::ETAG, etag), (header::CACHE_CONTROL, cache)];
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    let json = HeaderValue::from_static("application/json");
    let headers = [
        (header::CONTENT_TYPE, json),
        (header::ETAG, etag),
        (header::CACHE_CONTROL, cache),
    ];
    Ok((headers, pack.json.clone()).into_response())
}

/// `GET /api/hazards`: the hazard ledger's rows as `export hazards --header keys` has them,
/// only of the regions the signed-in person reads.
async fn hazards(
    State(state): State<AppState>,
    Staff(identity): Staff,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<HazardsResponse>, ApiError> {
    let query = HazardsQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(ApiError::bad_query)?;
    // Every filter is checked first: hostile text gets a 400 before any other answer.
    let checked = crate::hazards::HazardQuery::new(&query).map_err(ApiError::bad_query)?;
    let reads = identity.reads();
    if reads.is_empty() {
        return Err(ApiError::forbidden(
            "forbidden",
            "您的角色不能查看隐患台账 / your roles do not read the hazard ledger",
        ));
    }
    // A region asked for must lie inside what the person reads (or contain it: then the scope
    // narrows it anyway, and asking for the whole province is not an error for a county).
    if let Some(asked) = &query.region {
        let inside = reads
            .iter()
            .any(|r| r.as_str().starts_with(asked.as_str()) || asked.starts_with(r.as_str()));
        if !inside {
            audit(
                &state,
                AuditEntry::new(identity.actor(), "hazards_read", Outcome::Denied)
                    .detail(format!("region {asked} outside the account's regions")),
            )
            .await;
            return Err(ApiError::forbidden(
                "outside_region",
                format!("区域 {asked} 不在您的辖区内 / region {asked} is outside your regions"),
            ));
        }
    }
    let query = checked.within(reads);
    let names = current_pack(&state).await?.names();
    let mut rows =
        crate::hazards::hazard_rows(&state.store, &query.filter, query.sector.as_deref(), &names)
            .await
            .map_err(|e| ApiError::store("read the hazard ledger", e))?;
    let truncated = rows.len() > query.limit;
    rows.truncate(query.limit);
    Ok(Json(HazardsResponse {
        count: rows.len(),
        truncated,
        hazards: rows,
    }))
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no API endpoint {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}
