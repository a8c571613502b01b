//! A device's side of the HTTP API: a small HTTP/1.1 client over one keep-alive connection
//! and the upload with retries. Everything a device sends goes through [`Device::upload`], so
//! request signing (RFC 9421 HTTP Message Signatures, once devices are bound to accounts) is
//! added in one place.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The API's error code (`{"code": …}`), if the body has one.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_string()
    }
}

/// One keep-alive connection, reopened when the server closed it or it broke.
#[derive(Debug)]
pub struct Connection {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
    /// Longest wait for the whole answer.
    pub timeout: Duration,
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            stream: None,
            timeout: Duration::from_secs(60),
        }
    }

    pub async fn get(&mut self, path: &str) -> io::Result<Response> {
        self.request("GET", path, &[], b"").await
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        let result = tokio::time::timeout(self.timeout, self.exchange(method, path, headers, body))
            .await
            .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "no answer in time")));
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        let reused = self.stream.is_some();
        match self.send_and_read(method, path, headers, body).await {
            // A kept-alive connection the server closed meanwhile: once more on a new one.
            // (Only when nothing of an answer arrived; the upload is idempotent anyway.)
            Err(e) if reused && is_stale(&e) => {
                self.stream = None;
                self.send_and_read(method, path, headers, body).await
            }
            other => other,
        }
    }

    async fn send_and_read(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Response> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(BufReader::new(stream));
        }
        let stream = self.stream.as_mut().expect("connected above");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let inner = stream.get_mut();
        inner.write_all(head.as_bytes()).await?;
        inner.write_all(body).await?;
        inner.flush().await?;
        let response = read_response(stream).await?;
        let close = response
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        if close {
            self.stream = None;
        }
        Ok(response)
    }
}

fn is_stale(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
}

async fn read_response(stream: &mut BufReader<TcpStream>) -> io::Result<Response> {
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, format!("status line {line:?}"))
        })?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "headers cut short",
            ));
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(length) = find("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "content-length"))?;
        body.resize(length, 0);
        stream.read_exact(&mut body).await?;
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "chunk size"))?;
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if status != 204 && status != 304 {
        stream.read_to_end(&mut body).await?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// How a device retries: the answers worth another try, and how long to wait.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// Wait after a connection error or a 502/504 (doubling each time).
    pub backoff: Duration,
    /// Upper bound on any wait, also on a `Retry-After` the ledger asks for.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            backoff: Duration::from_millis(100),
            max_wait: Duration::from_secs(5),
        }
    }
}

/// What became of one upload, attempts included.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The answer that ended it (`None`: every attempt failed without an answer).
    pub last: Option<Response>,
    /// Status (or 0 for a connection error) of every attempt, in order.
    pub attempts: Vec<u16>,
    /// From the first byte sent to the last answer.
    pub elapsed: Duration,
}

impl Upload {
    /// The ledger holds the bundle: 201 imported or 200 already imported.
    pub fn acknowledged(&self) -> bool {
        self.last
            .as_ref()
            .is_some_and(|r| r.status == 201 || r.status == 200)
    }

    pub fn status(&self) -> u16 {
        self.last.as_ref().map_or(0, |r| r.status)
    }
}

/// Whether an answer means "try again later" (the phone keeps the bundle in its outbox).
pub fn worth_retrying(status: u16) -> bool {
    matches!(status, 0 | 408 | 429 | 500 | 502 | 503 | 504 | 507)
}

/// A device as the ledger sees it: its connection and retry policy.
#[derive(Debug)]
pub struct Device {
    pub connection: Connection,
    pub retry: RetryPolicy,
}

impl Device {
    pub fn new(addr: SocketAddr, retry: RetryPolicy) -> Self {
        Self {
            connection: Connection::new(addr),
            retry,
        }
    }

    /// `POST /api/bundles` once, as the phone's outbox does.
    pub async fn post_bundle(&mut self, envelope: &[u8]) -> io::Result<Response> {
        self.connection
            .request(
                "POST",
                paicha_core::wire::BUNDLES_PATH,
                &[("Content-Type", "application/json")],
                envelope,
            )
            .await
    }

    /// Uploads until the ledger holds the bundle, refuses it for good, or the attempts run out.
    pub async fn upload(&mut self, envelope: &[u8]) -> Upload {
        let started = Instant::now();
        let mut attempts = Vec::new();
        let mut wait = self.retry.backoff;
        let mut last = None;
        for attempt in 1..=self.retry.max_attempts {
            let (status, retry_after) = match self.post_bundle(envelope).await {
                Ok(response) => {
                    let status = response.status;
                    let after = response
                        .header("retry-after")
                        .and_then(|s| s.parse::<u64>().ok())
                        .map(Duration::from_secs);
                    last = Some(response);
                    (status, after)
                }
                Err(_) => {
                    last = None;
                    (0, None)
                }
            };
            attempts.push(status);
            if !worth_retrying(status) || attempt == self.retry.max_attempts {
                break;
            }
            let pause = retry_after.unwrap_or(wait).min(self.retry.max_wait);
            tokio::time::sleep(pause).await;
            wait = (wait * 2).min(self.retry.max_wait);
        }
        Upload {
            last,
            attempts,
            elapsed: started.elapsed(),
        }
    }
}
