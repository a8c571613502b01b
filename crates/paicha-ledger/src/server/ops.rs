//! What operators and load balancers ask: `/healthz` (the process answers), `/readyz` (its
//! database, and later its blob store, answer), `/metrics` (Prometheus).

use super::{AppState, metrics as m};
use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paicha_core::wire::{HEALTHZ_PATH, Health, METRICS_PATH, READYZ_PATH, Readiness};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// How long one readiness check may take: probes (Kubernetes, nginx Plus, a script) give up
/// after about a second, and a check that hangs means "not ready" anyway.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// Seconds a client is told to wait (`Retry-After`) when the ledger cannot take its request.
pub const RETRY_AFTER_SECONDS: u64 = 5;

pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// One thing an instance needs to take uploads: the database and the blob store (photos as
/// files); others can be added with [`AppState::with_readiness_check`].
pub trait ReadinessCheck: Send + Sync + std::fmt::Debug {
    /// The key in `/readyz`'s `checks`.
    fn name(&self) -> &str;
    /// `Err` says why not, in words for the operator (no secrets).
    fn check(&self) -> CheckFuture<'_>;
}

/// The database answers a round trip.
#[derive(Debug)]
pub struct DatabaseCheck(pub crate::store::Store);

impl ReadinessCheck for DatabaseCheck {
    fn name(&self) -> &str {
        "database"
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move { self.0.ping().await.map_err(|e| e.to_string()) })
    }
}

/// The blob store answers (a directory is there, a bucket can be listed).
#[derive(Debug)]
pub struct BlobStoreCheck(pub crate::blobs::BlobStore);

impl ReadinessCheck for BlobStoreCheck {
    fn name(&self) -> &str {
        "blobs"
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move { self.0.check().await.map_err(|e| e.to_string()) })
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(HEALTHZ_PATH, get(healthz))
        .route(READYZ_PATH, get(readyz))
        .route(METRICS_PATH, get(metrics))
}

async fn healthz() -> Response {
    no_store(Json(Health {
        status: "ok".into(),
        version: crate::VERSION.into(),
    }))
}

/// Runs every check at once, each within [`CHECK_TIMEOUT`].
pub async fn run_checks(
    checks: &[Arc<dyn ReadinessCheck>],
) -> BTreeMap<String, Result<(), String>> {
    let mut set = tokio::task::JoinSet::new();
    for check in checks {
        let check = check.clone();
        set.spawn(async move {
            let result = match tokio::time::timeout(CHECK_TIMEOUT, check.check()).await {
                Ok(result) => result,
                Err(_) => Err(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
            };
            (check.name().to_string(), result)
        });
    }
    let mut out = BTreeMap::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((name, result)) => {
                out.insert(name, result);
            }
            Err(e) => {
                out.insert("check".into(), Err(format!("the check failed: {e}")));
            }
        }
    }
    out
}

async fn readyz(State(state): State<AppState>) -> Response {
    let draining = state.draining();
    let results = run_checks(&state.readiness).await;
    let ok = !draining && results.values().all(Result::is_ok);
    let checks = results
        .into_iter()
        .map(|(name, r)| (name, r.err().unwrap_or_else(|| "ok".into())))
        .collect();
    let status = if draining {
        "draining"
    } else if ok {
        "ready"
    } else {
        "not_ready"
    };
    let body = Json(Readiness {
        status: status.into(),
        checks,
    });
    if ok {
        no_store(body)
    } else {
        if !draining {
            tracing::warn!(?body.checks, "not ready");
        }
        let mut response = no_store((StatusCode::SERVICE_UNAVAILABLE, body));
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        response
    }
}

/// Who may read `/metrics`: a scraper on the same host talking to the instance directly
/// (loopback, not relayed by a proxy), or anyone with the configured token
/// (`serve --metrics-token`, `Authorization: Bearer …`). The figures hold no records, but they
/// tell an outsider how busy each region's evening is, so they are not public.
fn may_read_metrics(
    state: &AppState,
    peer: Option<&ConnectInfo<std::net::SocketAddr>>,
    headers: &HeaderMap,
) -> bool {
    let relayed = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    if peer.is_some_and(|p| p.0.ip().is_loopback()) && !relayed {
        return true;
    }
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (&state.metrics_token, sent) {
        // Compared as hashes: equal-length digests, no early exit on the token's own bytes.
        (Some(token), Some(sent)) => {
            crate::access::token_hash(sent) == crate::access::token_hash(token)
        }
        _ => false,
    }
}

async fn metrics(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>();
    if !may_read_metrics(&state, peer, request.headers()) {
        return super::ApiError::forbidden(
            "metrics_forbidden",
            "/metrics answers the same host, or a scraper with the metrics token / 仅本机或持有指标令牌的采集端可读取 /metrics",
        )
        .into_response();
    }
    let (open, idle, max) = state.store.pool_usage();
    metrics::gauge!(m::POOL, "state" => "open").set(open as f64);
    metrics::gauge!(m::POOL, "state" => "idle").set(idle as f64);
    metrics::gauge!(m::POOL, "state" => "max").set(max as f64);
    metrics::gauge!(m::IMPORTS_IN_FLIGHT).set(state.imports.running() as f64);
    let handle = m::handle();
    handle.run_upkeep();
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn no_store(r: impl IntoResponse) -> Response {
    let mut response = r.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
