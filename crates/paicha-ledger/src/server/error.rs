//! The one error of the HTTP API: a status and the wire's error body, `{"error", "code"}`.

use crate::import::ImportError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paicha_core::wire::{ErrorBody, QueryError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                message: message.into(),
                code: code.to_string(),
            },
        }
    }

    /// Our own trouble: the details go to the log, the client learns to retry later.
    pub fn internal(what: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!("{what} failed: {error}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the ledger could not {what}; try again later"),
        )
    }

    /// The database cannot be reached: try again later (the client retries; details are logged).
    pub fn unavailable(error: impl std::fmt::Display) -> Self {
        tracing::error!("database unavailable: {error}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the ledger's database is unavailable; try again later",
        )
    }

    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn bad_query(error: QueryError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_query", error.0)
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        let status =
            StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!("import failed: {e}");
            return Self::new(
                status,
                e.code(),
                "the ledger could not store the bundle; try again later",
            );
        }
        tracing::warn!(code = e.code(), "bundle rejected: {e}");
        // A phone's user is told what happens next, not an operator's command line.
        if let ImportError::UnknownKey { .. } = e {
            return Self::new(
                status,
                e.code(),
                "本机尚未登记，登记后将自动上传 / this device is not enrolled yet; uploads resume once a supervisor enrols it",
            );
        }
        Self::new(status, e.code(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
