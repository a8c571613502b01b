//! Rate limits on the endpoints that guess-and-try attacks aim at: passkey sign-in, enrolment
//! links and phones asking to be enrolled. Per client address, in this process (each
//! instance limits what reaches it). Behind a reverse proxy every request comes from the
//! proxy's address unless the proxy's `X-Forwarded-For` is trusted (`--trust-proxy`).

use super::error::ApiError;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use governor::middleware::NoOpMiddleware;
use std::net::{IpAddr, SocketAddr};
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;

/// Whose requests are counted together: the client's address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress {
    /// Take the address from the last hop of `X-Forwarded-For` (set by a trusted proxy).
    pub trust_proxy: bool,
}

impl KeyExtractor for ClientAddress {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        if self.trust_proxy
            && let Some(ip) = request
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Ok(ip);
        }
        // In-process tests have no connection: they share one bucket.
        Ok(request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip()))
    }
}

/// A burst of `burst` requests, then one every `every_ms` milliseconds, per client address.
pub fn layer(
    trust_proxy: bool,
    burst: u32,
    every_ms: u64,
) -> GovernorLayer<ClientAddress, NoOpMiddleware, Body> {
    let config = GovernorConfigBuilder::default()
        .key_extractor(ClientAddress { trust_proxy })
        .per_millisecond(every_ms)
        .burst_size(burst)
        .finish()
        .expect("a burst and a period above zero");
    GovernorLayer::new(config).error_handler(|error| {
        let answer = match error {
            GovernorError::TooManyRequests { wait_time, .. } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!("请求过于频繁，请 {wait_time} 秒后再试 / too many attempts; try again in {wait_time} s"),
            ),
            other => ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("the request could not be attributed to a client: {other:?}"),
            ),
        };
        answer.into_response()
    })
}
