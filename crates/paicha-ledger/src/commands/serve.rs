//! `paicha-ledger serve`: binds, announces the URL, serves the app and the API until Ctrl-C
//! or SIGTERM, then lets requests and imports in progress finish.

use crate::server::checklists::PackState;
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
    /// Directory whose signed pack (pack.json, from the build or `checklists sign`) is served
    /// at GET /api/checklists, re-read when it changes; its *.toml files, if any, also name
    /// hazards. Default: DIST/checklists.
    #[arg(long, value_name = "DIR", env = "PAICHA_CHECKLISTS")]
    pub checklists: Option<PathBuf>,
    /// Where people open the ledger, e.g. https://ledger.example.gov.cn (behind a
    /// TLS-terminating proxy). Staff sign in with passkeys, which need a domain name (never an
    /// IP address); with https:// session cookies are Secure. Default: http://localhost:PORT.
    #[arg(long, value_name = "URL", env = "PAICHA_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// Rate-limit clients by the address in `X-Forwarded-For` (set this only when a reverse
    /// proxy you run sets that header; otherwise clients could pick their own address).
    #[arg(long, env = "PAICHA_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// The trust root the app embeds: a pack it would refuse is not served. Default:
    /// DIR/trust-root.json (the build writes it there), else DIST/checklists/trust-root.json.
    #[arg(long, value_name = "TRUST.json")]
    pub trust_root: Option<PathBuf>,
    /// Seconds an upload may send nothing before it is answered 408 and its connection
    /// closed (a phone that lost its network, a client that hangs).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30.0,
        env = "PAICHA_BODY_TIMEOUT"
    )]
    pub body_timeout: f64,
    /// The bearer token a Prometheus on another host sends for `/metrics`; without it only
    /// the same host, talking to the instance directly, may read `/metrics`.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "PAICHA_METRICS_TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
}

pub async fn run(store: &Store, args: &ServeArgs) -> anyhow::Result<()> {
    if !(args.body_timeout.is_finite() && args.body_timeout > 0.0) {
        anyhow::bail!("--body-timeout must be a positive number of seconds");
    }
    let mut state = AppState::new(store.clone(), &args.dist)?
        .with_body_timeout(std::time::Duration::from_secs_f64(args.body_timeout));
    if args.checklists.is_some() || args.trust_root.is_some() {
        let dir = args
            .checklists
            .clone()
            .unwrap_or_else(|| state.checklists.dir().to_path_buf());
        let trust_root = args.trust_root.clone().unwrap_or_else(|| {
            let beside = dir.join("trust-root.json");
            if beside.exists() {
                beside
            } else {
                state.checklists.trust_root().to_path_buf()
            }
        });
        state = state.with_checklists(dir, trust_root);
    }
    // A pack the app would refuse is not served: say so now, not at the first request.
    let source = state.checklists.clone();
    if let PackState::Refused { reason, .. } =
        tokio::task::spawn_blocking(move || source.current()).await?
    {
        let mut stderr = std::io::stderr().lock();
        writeln!(
            stderr,
            "error: 检查表包被拒绝，GET /api/checklists 不提供检查表（应用继续使用已安装或随带的检查表） / \
             checklist pack refused, GET /api/checklists answers 503 (apps keep the checklists they have): {reason}"
        )?;
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
    let public_url = match &args.public_url {
        Some(url) => url.clone(),
        None => url::Url::parse(&format!("http://localhost:{}/", addr.port()))?,
    };
    state = state.with_public_url(public_url.clone());
    state.trust_proxy = args.trust_proxy;
    state.metrics_token = args.metrics_token.as_deref().map(std::sync::Arc::from);
    tracing::info!(
        %addr,
        dist = %state.dist.display(),
        checklists = %state.checklists.dir().display(),
        "serving"
    );
    // The e2e harness reads the first line to find the port, and may stop reading then: both
    // lines go out in one write, so a closed pipe cannot fail a second one.
    let announcement = format!(
        "Paicha ledger listening on http://{addr}/\nConsole (sign in with a passkey): {}\n",
        public_url.join("/console/")?
    );
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(announcement.as_bytes())?;
    stdout.flush()?;
    drop(stdout);

    // The hazard list's query plans follow the planner's statistics: keep them current.
    let optimising = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3 * 3600));
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(e) = optimising.optimise().await {
                tracing::warn!("refreshing the planner's statistics failed: {e}");
            }
        }
    });
    // The peer's address reaches the rate limits (`server::limits`).
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
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
