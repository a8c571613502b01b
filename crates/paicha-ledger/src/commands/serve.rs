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
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub dist: PathBuf,
    /// Address to listen on. Keep 127.0.0.1 unless a reverse proxy or firewall guards the port.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free port (the printed URL shows which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Checklist files (*.toml) served at GET /api/checklists, re-read when they change.
    /// Without this option: ./checklists if it exists, else the pack in DIST/checklists.
    #[arg(long, value_name = "DIR")]
    pub checklists: Option<PathBuf>,
}

pub async fn run(store: &Store, args: &ServeArgs) -> anyhow::Result<()> {
    let mut state = AppState::new(store.clone(), &args.dist)?;
    // The repository's checklists/ when run from a checkout, else the copy the build put in dist.
    let checklists = args.checklists.clone().or_else(|| {
        let repo = PathBuf::from("checklists");
        repo.is_dir().then_some(repo)
    });
    if let Some(dir) = checklists {
        state = state.with_checklists(dir);
    }
    let imports = state.imports.clone();
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
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    // Imports whose client hung up still run to completion (commit or roll back).
    if imports.running() > 0 {
        tracing::info!(running = imports.running(), "waiting for imports to finish");
        imports.wait_idle().await;
    }
    tracing::info!("stopped");
    Ok(())
}
