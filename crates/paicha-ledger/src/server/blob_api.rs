//! `PUT /api/blobs/{sha256}`: a device sends one file its stored bundle names (bundle format
//! version 2: the envelope first, then each photo). Idempotent and checked against the name,
//! so a retry after a dropped connection is harmless and a file arrives once.

use super::AppState;
use super::auth::signed_device;
use super::error::ApiError;
use crate::store::BlobReceipt;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::StatusCode;
use axum::routing::put;
use axum::{Json, Router};
use http_body_util::BodyExt;
use paicha_core::attachment::MAX_BLOB_BYTES;
use paicha_core::wire::{BLOB_ROUTE, BlobStored};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        BLOB_ROUTE,
        // The limit's own answer is 413; one photo is about 300 KB.
        put(receive).layer(DefaultBodyLimit::max(MAX_BLOB_BYTES as usize)),
    )
}

async fn receive(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    request: Request,
) -> Result<(StatusCode, Json<BlobStored>), ApiError> {
    let (parts, body) = request.into_parts();
    let bytes: Bytes = body
        .collect()
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("照片超过 32 MiB / a file may have at most {MAX_BLOB_BYTES} bytes"),
            )
        })?
        .to_bytes();
    // Who sends it: an enrolled device, the body covered by its signature (Content-Digest).
    signed_device(&state, &parts, &bytes).await?;
    if !paicha_core::is_hex64(&sha256) {
        return Err(not_named(&sha256));
    }
    let receipt = state
        .store
        .receive_blob(&sha256, bytes, chrono::Utc::now())
        .await
        .map_err(ApiError::from_store)?;
    match receipt {
        BlobReceipt::Stored { size } => Ok((
            StatusCode::CREATED,
            Json(BlobStored {
                sha256,
                size,
                already_held: false,
            }),
        )),
        BlobReceipt::AlreadyHeld { size } => Ok((
            StatusCode::OK,
            Json(BlobStored {
                sha256,
                size,
                already_held: true,
            }),
        )),
        BlobReceipt::NotNamed => Err(not_named(&sha256)),
        BlobReceipt::Refused(e) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code(),
            format!("照片与批次所记不符 / {e}"),
        )),
    }
}

/// Nothing the ledger holds names this file: whether it exists elsewhere is not said.
fn not_named(sha256: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "blob_not_named",
        format!(
            "没有已上传的批次记载此照片，请先上传批次 / no stored bundle names {sha256}: upload the bundle first"
        ),
    )
}
