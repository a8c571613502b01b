//! `paicha-ledger serve`: one HTTP server for the PWA and the ledger's API.

mod api;
mod headers;
mod static_files;

pub use headers::CONTENT_SECURITY_POLICY;
pub use static_files::{cache_control_for, content_type_for, is_content_hashed};

use crate::cli::ServeArgs;
use crate::store::Store;
use anyhow::Context;
use axum::Router;
use axum::middleware;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    /// Canonical path of the built app; served files must resolve inside it.
    pub dist: Arc<PathBuf>,
    pub max_body_bytes: usize,
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
        Ok(Self {
            store,
            dist: Arc::new(canonical),
            max_body_bytes: crate::MAX_BUNDLE_BYTES,
        })
    }
}

/// The whole application: API routes, the static app as fallback, headers on every response.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::routes(state.max_body_bytes))
        .fallback(static_files::serve)
        .with_state(state)
        .layer(middleware::from_fn(headers::log_request))
        .layer(middleware::map_response(headers::security_headers))
}

/// Binds, announces the URL on stdout, and serves until Ctrl-C or SIGTERM; requests in
/// progress (an import's transaction included) are finished before returning.
pub async fn run(store: Store, args: &ServeArgs) -> anyhow::Result<()> {
    let state = AppState::new(store, &args.dist)?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}:{} (is another server using the port? try --port 0)",
                args.host, args.port
            )
        })?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, dist = %state.dist.display(), "serving");
    // The e2e harness reads this exact line to find the port.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "Paicha ledger listening on http://{addr}/")?;
    stdout.flush()?;
    drop(stdout);

    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
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
