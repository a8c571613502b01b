//! `paicha-ledger serve`: one HTTP server for the PWA and the ledger's API.

mod access_api;
pub(crate) mod api;
pub mod auth;
mod blob_api;
pub mod checklists;
mod console;
mod device_api;
mod error;
mod headers;
mod limits;
pub mod metrics;
pub mod ops;
mod pwa;

pub use error::ApiError;
pub use headers::CONTENT_SECURITY_POLICY;
pub use ops::{BlobStoreCheck, DatabaseCheck, ReadinessCheck};
pub use pwa::{cache_control_for, content_type_for, is_content_hashed};

use crate::access::passkeys::Passkeys;
use crate::access::sessions::CookiePolicy;
use crate::store::Store;
use anyhow::Context;
use axum::Router;
use axum::middleware;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// How long an upload may go without sending anything before it is answered 408.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    /// Canonical path of the built app; served files must resolve inside it.
    pub dist: Arc<PathBuf>,
    pub max_body_bytes: usize,
    /// The checklist pack served at /api/checklists.
    pub checklists: Arc<checklists::ChecklistSource>,
    /// Imports that have started and not finished; shutdown waits for them.
    pub imports: Arc<InFlight>,
    /// Where people reach the ledger (`--public-url`): the origin state-changing requests
    /// must come from, the base of the URIs devices sign, and the passkeys' relying party.
    pub public_origin: Arc<url::Url>,
    /// The relying party; `None` when the public URL's host is not a domain (passkeys then
    /// cannot work, and the sign-in page says why).
    pub passkeys: Option<Passkeys>,
    pub cookies: CookiePolicy,
    /// Whether `X-Forwarded-For` names the client (a trusted proxy in front): rate limits.
    pub trust_proxy: bool,
    /// Longest pause between two pieces of an upload's body.
    pub body_timeout: Duration,
    /// What `/readyz` checks: the database and the blob store.
    pub readiness: Arc<Vec<Arc<dyn ReadinessCheck>>>,
    /// Set once shutdown began: `/readyz` says `draining` so balancers stop sending.
    pub draining: Arc<AtomicBool>,
    /// The bearer token a scraper on another host sends for `/metrics` (`--metrics-token`).
    pub metrics_token: Option<Arc<str>>,
}

/// Counts running imports. An import runs in a task of its own, so a client that hangs up
/// cannot cut it short, and `serve` waits for the count to reach zero before it closes the
/// database.
#[derive(Debug, Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Held while an import runs.
pub struct InFlightGuard(Arc<InFlight>);

impl InFlight {
    pub fn start(self: &Arc<Self>) -> InFlightGuard {
        self.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self.clone())
    }

    pub fn running(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Resolves once no import is running.
    pub async fn wait_idle(&self) {
        loop {
            let idle = self.idle.notified();
            if self.running() == 0 {
                return;
            }
            idle.await;
        }
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl AppState {
    /// `dist` must exist: serving an unbuilt app would only produce confusing 404s.
    pub fn new(store: Store, dist: &std::path::Path) -> anyhow::Result<Self> {
        let canonical = dist.canonicalize().with_context(|| {
            format!(
                "the app directory {} does not exist; build the app first or pass --dist DIR",
                dist.display()
            )
        })?;
        if !canonical.is_dir() {
            anyhow::bail!("--dist {} is not a directory", dist.display());
        }
        let origin = url::Url::parse("http://localhost:8080/").expect("a valid URL");
        Ok(Self {
            checklists: Arc::new(checklists::ChecklistSource::new(
                canonical.join("checklists"),
                canonical.join("checklists/trust-root.json"),
            )),
            dist: Arc::new(canonical),
            max_body_bytes: crate::MAX_BUNDLE_BYTES,
            imports: Arc::default(),
            passkeys: Passkeys::new(&origin).ok(),
            public_origin: Arc::new(origin),
            cookies: CookiePolicy { secure: false },
            trust_proxy: false,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            readiness: Arc::new(vec![
                Arc::new(DatabaseCheck(store.clone())),
                Arc::new(BlobStoreCheck(store.blobs().clone())),
            ]),
            draining: Arc::default(),
            metrics_token: None,
            store,
        })
    }

    /// Adds a check to `/readyz` (e.g. the blob store, once photos are files).
    pub fn with_readiness_check(mut self, check: Arc<dyn ReadinessCheck>) -> Self {
        let mut checks = self.readiness.as_ref().clone();
        checks.push(check);
        self.readiness = Arc::new(checks);
        self
    }

    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Where people reach the ledger. HTTPS makes cookies `Secure`; a domain name enables
    /// passkeys (browsers refuse them for IP addresses).
    pub fn with_public_url(mut self, url: url::Url) -> Self {
        self.cookies = CookiePolicy {
            secure: url.scheme() == "https",
        };
        self.passkeys = match Passkeys::new(&url) {
            Ok(passkeys) => Some(passkeys),
            Err(e) => {
                tracing::warn!(url = %url, "passkey sign-in is off: {e}");
                None
            }
        };
        self.public_origin = Arc::new(url);
        self
    }

    /// Serves the signed pack `dir/pack.json` instead of the app's copy
    /// (`DIST/checklists/pack.json`), checked against `trust_root`.
    pub fn with_checklists(
        mut self,
        dir: impl Into<PathBuf>,
        trust_root: impl Into<PathBuf>,
    ) -> Self {
        self.checklists = Arc::new(checklists::ChecklistSource::new(dir, trust_root));
        self
    }
}

/// The whole application: API routes, operations (`/healthz`, `/readyz`, `/metrics`), the
/// static app as fallback, headers on every response. Every request gets an `x-request-id`
/// (the proxy's, or a new UUID), echoed in the response and named by every log line.
pub fn app(state: AppState) -> Router {
    metrics::handle();
    let files = pwa::files(&state.dist);
    Router::new()
        .merge(api::routes(state.max_body_bytes))
        // Sign-in and enrolment: 10 tries, then one every 6 s, per client address.
        .merge(access_api::routes().layer(limits::layer(state.trust_proxy, 10, 6_000)))
        // Phones asking to be enrolled: 5, then one a minute.
        .merge(device_api::enrolment_routes().layer(limits::layer(state.trust_proxy, 5, 60_000)))
        .merge(device_api::routes())
        .merge(blob_api::routes())
        .merge(console::routes())
        .merge(ops::routes())
        .with_state(state)
        .fallback_service(files)
        .layer(middleware::from_fn(headers::log_request))
        .layer(middleware::map_response(headers::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Resolves on Ctrl-C or SIGTERM: the signal to stop accepting connections.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in progress");
}
