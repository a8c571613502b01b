//! The one error of the HTTP API: a status and the wire's error body, `{"error", "code"}`.

use crate::import::ImportError;
use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use paicha_core::wire::{ErrorBody, QueryError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds for the `Retry-After` header (503, 507): when a client should try again.
    pub retry_after: Option<u64>,
    /// `Connection: close`: the connection cannot carry another request (a stalled body).
    pub close_connection: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                message: message.into(),
                code: code.to_string(),
            },
            retry_after: None,
            close_connection: false,
        }
    }

    pub fn closing_connection(mut self) -> Self {
        self.close_connection = true;
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The database cannot be reached: one message, no internals, and when to come back.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the ledger's database is unavailable; nothing was stored, try again later",
        )
        .with_retry_after(super::ops::RETRY_AFTER_SECONDS)
    }

    /// The database's disk or the data directory is full.
    pub fn storage_full() -> Self {
        Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "storage_full",
            "the ledger's storage is full; nothing was stored, try again later",
        )
        .with_retry_after(STORAGE_FULL_RETRY_AFTER_SECONDS)
    }

    /// A store failure while doing `what`: unavailable (503), full (507) or our own (500).
    pub fn store(what: &str, error: impl std::borrow::Borrow<StoreError>) -> Self {
        let error = error.borrow();
        if error.is_unavailable() {
            tracing::error!("{what}: database unavailable: {error}");
            Self::unavailable()
        } else if error.is_storage_full() {
            tracing::error!("{what}: storage full: {error}");
            Self::storage_full()
        } else {
            Self::internal(what, error)
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

    /// A store failure where naming the action adds nothing (sign-in, the console's pages).
    pub fn from_store(error: impl std::borrow::Borrow<StoreError>) -> Self {
        Self::store("read or write the ledger", error)
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

/// A full disk is not fixed in seconds: ask clients to come back in a minute.
pub const STORAGE_FULL_RETRY_AFTER_SECONDS: u64 = 60;

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        if let ImportError::Store(error) = e {
            return Self::store("store the bundle", error);
        }
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
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.close_connection {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
