//! Real processes for tests and the load run: PostgreSQL from `scripts/postgres`, instances of
//! `paicha-ledger serve`, nginx in front of them. Each is stopped when dropped. Nothing is
//! installed or configured system-wide: nginx runs from a configuration in a temporary
//! directory, on free loopback ports.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The repository's root (for `scripts/postgres` and `checklists/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository")
}

/// A free TCP port on 127.0.0.1 (bound, read, released: the caller binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Waits until something accepts connections on the port.
pub fn wait_for_port(port: u16, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr(port), Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listens on 127.0.0.1:{port} after {within:?}")
}

/// Sends SIGTERM (std's `Child::kill` sends SIGKILL).
pub fn sigterm(pid: u32) -> anyhow::Result<()> {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()?;
    if !status.success() {
        bail!("kill -TERM {pid} failed");
    }
    Ok(())
}

/// Where a program is: PATH, then Debian's sbin (nginx lives in /usr/sbin).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into(), "/sbin".into()])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Whether `scripts/postgres start` can work: Debian's server binaries are installed.
pub fn postgres_installed() -> bool {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.flatten()
                .any(|d| d.path().join("bin/initdb").is_file())
        })
        .unwrap_or(false);
    debian || find_program("initdb").is_some()
}

// ---------------------------------------------------------------- PostgreSQL

/// A throwaway PostgreSQL server of its own (`scripts/postgres start`), removed when dropped.
#[derive(Debug)]
pub struct Postgres {
    pub dir: PathBuf,
    pub port: u16,
    /// `postgres://postgres@127.0.0.1:PORT/paicha_test`
    pub url: String,
    script: PathBuf,
}

impl Postgres {
    pub fn start() -> anyhow::Result<Self> {
        let script = repo_root().join("scripts/postgres");
        // Away from the shared test server's 54329: start the search at a free port.
        let out = Command::new(&script)
            .arg("start")
            .env("PAICHA_POSTGRES_PORT", free_port().to_string())
            .stderr(Stdio::inherit())
            .output()
            .context("scripts/postgres start")?;
        if !out.status.success() {
            bail!("scripts/postgres start failed");
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .map(str::to_string)
                .with_context(|| format!("{name} in {text:?}"))
        };
        Ok(Self {
            dir: value("PAICHA_POSTGRES_DIR")?.into(),
            port: value("PAICHA_POSTGRES_PORT")?.parse()?,
            url: value("PAICHA_TEST_POSTGRES_URL")?,
            script,
        })
    }

    fn run(&self, what: &str) -> anyhow::Result<()> {
        let status = Command::new(&self.script)
            .arg(what)
            .arg(&self.dir)
            .status()?;
        if !status.success() {
            bail!("scripts/postgres {what} {} failed", self.dir.display());
        }
        Ok(())
    }

    /// Stops the server (fast shutdown: sessions are cut), keeping its data.
    pub fn down(&self) -> anyhow::Result<()> {
        self.run("down")
    }

    /// Starts it again on the same port.
    pub fn up(&self) -> anyhow::Result<()> {
        self.run("up")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .arg("stop")
            .arg(&self.dir)
            .stderr(Stdio::null())
            .status();
    }
}

// ---------------------------------------------------------------- the ledger

/// How to start `paicha-ledger serve`.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    pub bin: PathBuf,
    pub database_url: String,
    pub dist: PathBuf,
    /// Extra environment (PAICHA_BODY_TIMEOUT, PAICHA_DB_ACQUIRE_TIMEOUT, PAICHA_LOG, …).
    pub env: Vec<(String, String)>,
    /// Directory for the instances' logs.
    pub log_dir: PathBuf,
}

/// One `paicha-ledger serve` process on a fixed port, so that it can be restarted behind nginx.
#[derive(Debug)]
pub struct Ledger {
    pub name: String,
    pub port: u16,
    config: LedgerConfig,
    child: Option<Child>,
}

impl Ledger {
    pub fn start(name: &str, config: &LedgerConfig) -> anyhow::Result<Self> {
        let mut ledger = Self {
            name: name.to_string(),
            port: free_port(),
            config: config.clone(),
            child: None,
        };
        ledger.spawn()?;
        Ok(ledger)
    }

    pub fn log_path(&self) -> PathBuf {
        self.config.log_dir.join(format!("{}.log", self.name))
    }

    /// Starts the process (again) and waits for its "listening" line.
    pub fn spawn(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            bail!("{} is running", self.name);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())?;
        let mut child = Command::new(&self.config.bin)
            .args(["--database-url", &self.config.database_url, "--blob-store"])
            // One blob store for every instance, as a deployment shares one bucket.
            .arg(self.config.log_dir.join("blobs"))
            .args(["serve", "--dist"])
            .arg(&self.config.dist)
            .args(["--port", &self.port.to_string()])
            .envs(
                self.config
                    .env
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .env_remove("PAICHA_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("start {}", self.config.bin.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        if !line.starts_with("Paicha ledger listening on http://") {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{} did not start (first line {line:?}); its log:\n{}",
                self.name,
                self.log_tail()
            );
        }
        self.child = Some(child);
        Ok(())
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn addr(&self) -> SocketAddr {
        addr(self.port)
    }

    /// Waits until `/readyz` answers 200 (the database answers too).
    pub fn wait_ready(&self, within: Duration) -> anyhow::Result<()> {
        use std::io::Write;
        let deadline = Instant::now() + within;
        loop {
            let ready = TcpStream::connect_timeout(&self.addr(), Duration::from_millis(500))
                .and_then(|mut s| {
                    s.set_read_timeout(Some(Duration::from_secs(2)))?;
                    write!(
                        s,
                        "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    )?;
                    let mut answer = String::new();
                    s.read_to_string(&mut answer)?;
                    Ok(answer.starts_with("HTTP/1.1 200"))
                })
                .unwrap_or(false);
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} is not ready after {within:?}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One step of a rolling restart, as docs/deploy.md describes it: SIGTERM (requests in
    /// progress finish), start again, wait until ready, then wait out nginx's `fail_timeout`
    /// so that the proxy sends to this instance again before the next one stops. nginx
    /// counts it in whole seconds from the failure, so a second more: stopping the next
    /// instance earlier leaves nginx with "no live upstreams" (502s).
    pub fn rolling_restart(&mut self, nginx: &NginxConfig) -> anyhow::Result<()> {
        let status = self.stop()?;
        if !status.success() {
            bail!("{} exited with {status} on SIGTERM", self.name);
        }
        self.spawn()?;
        self.wait_ready(Duration::from_secs(30))?;
        std::thread::sleep(nginx.fail_timeout + Duration::from_millis(1100));
        Ok(())
    }

    /// SIGKILL: the process dies at once, mid-request, its database sessions cut.
    pub fn kill9(&mut self) -> anyhow::Result<()> {
        let mut child = self.child.take().context("not running")?;
        child.kill()?;
        child.wait()?;
        Ok(())
    }

    /// SIGTERM and wait: stops accepting, finishes requests in progress, exits.
    pub fn stop(&mut self) -> anyhow::Result<ExitStatus> {
        let mut child = self.child.take().context("not running")?;
        sigterm(child.id())?;
        Ok(child.wait()?)
    }

    /// Open file descriptors of the process (sockets included), from /proc.
    pub fn open_files(&self) -> Option<usize> {
        let pid = self.pid()?;
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .ok()
            .map(|d| d.count())
    }

    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(self.log_path()) {
            let _ = f.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------- nginx

/// How the proxy is set up; the defaults are those of docs/deploy.md.
#[derive(Debug, Clone)]
pub struct NginxConfig {
    /// nginx's own limit for a client that stops sending its body (answers 408).
    pub client_body_timeout: Duration,
    /// How long an upstream is skipped after a failed connection (`max_fails=1`). A rolling
    /// restart waits this long after an instance is back before stopping the next one.
    pub fail_timeout: Duration,
}

impl Default for NginxConfig {
    fn default() -> Self {
        Self {
            client_body_timeout: Duration::from_secs(30),
            fail_timeout: Duration::from_secs(1),
        }
    }
}

/// The nginx configuration in front of the ledger instances (the `http` block's content is
/// what docs/deploy.md shows, minus TLS).
pub fn nginx_conf(dir: &Path, listen: u16, upstreams: &[u16], config: &NginxConfig) -> String {
    let d = dir.display();
    let servers: String = upstreams
        .iter()
        .map(|port| {
            format!(
                "        server 127.0.0.1:{port} max_fails=1 fail_timeout={}s;\n",
                config.fail_timeout.as_secs().max(1)
            )
        })
        .collect();
    // As root, nginx's workers would switch to `nobody`, which cannot use the temp directory.
    let user = if is_root() { "user root root;\n" } else { "" };
    format!(
        r#"# Written by paicha-load's cluster harness.
{user}daemon off;
master_process on;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    log_format upstreams '$time_iso8601 $request_id "$request" $status $request_time '
                         'upstream $upstream_addr $upstream_status $upstream_response_time';
    access_log {d}/access.log upstreams;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;

    # A bundle is at most 32 MiB; nginx reads it whole before passing it on, so a slow phone
    # never holds a ledger connection and a failed instance can be retried with the body.
    client_max_body_size 33m;
    client_body_buffer_size 1m;
    client_body_timeout {body}ms;
    proxy_request_buffering on;

    upstream paicha_ledger {{
{servers}        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://paicha_ledger;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-Id $request_id;
            # An upload is idempotent (the same bundle is stored once), so a request that
            # failed on one instance (refused, reset, killed mid-import) is sent to the next.
            proxy_next_upstream error timeout non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"#,
        body = config.client_body_timeout.as_millis(),
    )
}

fn is_root() -> bool {
    // /proc/self/status: "Uid:\treal\teffective\t…"
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// nginx in the foreground with a configuration of its own in `dir`.
#[derive(Debug)]
pub struct Nginx {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

impl Nginx {
    pub fn start(dir: &Path, upstreams: &[u16], config: &NginxConfig) -> anyhow::Result<Self> {
        let bin =
            find_program("nginx").context("nginx is not installed (scripts/setup --nginx)")?;
        std::fs::create_dir_all(dir)?;
        let port = free_port();
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, nginx_conf(dir, port, upstreams, config))?;
        let child = Command::new(bin)
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start nginx")?;
        let mut nginx = Self {
            port,
            dir: dir.to_path_buf(),
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // A bad configuration exits at once.
            if let Some(status) = nginx
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!("nginx exited with {status}:\n{}", nginx.error_log());
            }
            if wait_for_port(port, Duration::from_millis(100)).is_ok() {
                return Ok(nginx);
            }
            if Instant::now() > deadline {
                bail!(
                    "nginx does not listen on {port}; its error log:\n{}",
                    nginx.error_log()
                );
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        addr(self.port)
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }

    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM: nginx's fast shutdown, workers included.
            let _ = sigterm(child.id());
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
