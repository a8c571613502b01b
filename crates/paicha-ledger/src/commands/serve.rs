//! `paicha-ledger serve`: binds, announces the URL, serves the app and the API until Ctrl-C
//! or SIGTERM, then lets requests and imports in progress finish.

use crate::server::{AppState, app, shutdown_signal};
use crate::store::Store;
use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Directory with the built app (index.html, the wasm and JS files, sw.js, ...).
    #[arg(long, value_name = "DIR", default_value = "dist", env = "PAICHA_DIST")]
    pub dist: PathBuf,
    /// Address to listen on. Keep 127.0.0.1 unless a reverse proxy or firewall guards the port.
    #[arg(long, default_value = "127.0.0.1", env = "PAICHA_HOST")]
    pub host: String,
    /// Port to listen on; 0 picks a free port (the printed URL shows which).
    #[arg(long, default_value_t = 8080, env = "PAICHA_PORT")]
    pub port: u16,
    /// Checklist files (*.toml) served at GET /api/checklists, re-read when they change.
    /// Without this option: ./checklists if it exists, else the pack in DIST/checklists.
    #[arg(long, value_name = "DIR", env = "PAICHA_CHECKLISTS")]
    pub checklists: Option<PathBuf>,
    /// Seconds an upload may send nothing before it is answered 408 and its connection
    /// closed (a phone that lost its network, a client that hangs).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30.0,
        env = "PAICHA_BODY_TIMEOUT"
    )]
    pub body_timeout: f64,
}

pub async fn run(store: &Store, args: &ServeArgs) -> anyhow::Result<()> {
    if !(args.body_timeout.is_finite() && args.body_timeout > 0.0) {
        anyhow::bail!("--body-timeout must be a positive number of seconds");
    }
    let mut state = AppState::new(store.clone(), &args.dist)?
        .with_body_timeout(std::time::Duration::from_secs_f64(args.body_timeout));
    // The repository's checklists/ when run from a checkout, else the copy the build put in dist.
    let checklists = args.checklists.clone().or_else(|| {
        let repo = PathBuf::from("checklists");
        repo.is_dir().then_some(repo)
    });
    if let Some(dir) = checklists {
        state = state.with_checklists(dir);
    }
    let imports = state.imports.clone();
    let draining = state.draining.clone();
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}:{} (is another server using the port? try --port 0)",
                args.host, args.port
            )
        })?;
    let addr = listener.local_addr()?;
    tracing::info!(
        %addr,
        dist = %state.dist.display(),
        checklists = %state.checklists.dir().display(),
        "serving"
    );
    // The e2e harness reads this exact line to find the port.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "Paicha ledger listening on http://{addr}/")?;
    stdout.flush()?;
    drop(stdout);

    axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            draining.store(true, std::sync::atomic::Ordering::SeqCst);
        })
        .await?;
    // Imports whose client hung up still run to completion (commit or roll back).
    if imports.running() > 0 {
        tracing::info!(running = imports.running(), "waiting for imports to finish");
        imports.wait_idle().await;
    }
    tracing::info!("stopped");
    Ok(())
}
