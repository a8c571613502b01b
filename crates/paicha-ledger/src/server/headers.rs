//! Headers on every response, and request logging.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;

/// Only the app's own origin may supply scripts, styles, connections and workers; wasm needs
/// 'wasm-unsafe-eval' to compile, nothing needs 'unsafe-inline'.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // No referrer leaves for other sites; `same-origin` rather than `no-referrer` because
    // under `no-referrer` browsers send `Origin: null` with a form's POST, and the console's
    // forms (sign-out, confirming a device) are refused as cross-site (`auth::check_csrf`).
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Logs one line per request, inside a span that carries the request id (`x-request-id`, set
/// by the proxy or by [`tower_http::request_id`]), so every line the request causes names it.
/// Also counts requests in flight and by status class for `/metrics`.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let span = tracing::info_span!("request", request_id = %request_id);
    let start = Instant::now();
    let in_flight = InFlightRequest::start();
    let response = next.run(request).instrument(span.clone()).await;
    drop(in_flight);
    let status = response.status().as_u16();
    let class = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    metrics::counter!(super::metrics::REQUESTS, "status" => class).increment(1);
    // Tenths of a millisecond are plenty for a log line.
    let ms = (start.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    let _entered = span.enter();
    if status >= 500 {
        tracing::error!(%method, path, status, ms, "request");
    } else {
        tracing::info!(%method, path, status, ms, "request");
    }
    response
}

/// Counted in `paicha_http_requests_in_flight` until dropped, also when the client hangs up
/// and the request's future is dropped half-way.
struct InFlightRequest(metrics::Gauge);

impl InFlightRequest {
    fn start() -> Self {
        let gauge = metrics::gauge!(super::metrics::REQUESTS_IN_FLIGHT);
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for InFlightRequest {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}
