//! The HTTP side of sign-in throttling ([`xueshi_app::throttle`] keeps the counts): the
//! client address a request counts under, and the public look-up allowance as an extractor.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use std::net::{IpAddr, SocketAddr};

pub use xueshi_app::throttle::{Throttle, ThrottleConfig};

/// The client's address: the peer's, or — when the peer is a trusted proxy — the last address
/// of `X-Forwarded-For` that is not itself a trusted proxy. `None` when the server was not
/// given peer addresses (tests driving the router directly).
pub fn client_address(parts: &Parts, config: &ThrottleConfig) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !config.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    Some(forwarded(&parts.headers, config).unwrap_or(peer))
}

fn forwarded(headers: &HeaderMap, config: &ThrottleConfig) -> Option<IpAddr> {
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        for hop in value.to_str().ok()?.split(',') {
            hops.push(hop.trim().parse().ok()?);
        }
    }
    hops.into_iter()
        .rev()
        .find(|ip| !config.trusted_proxies.contains(ip))
}

/// One anonymous certificate look-up, taken from the client address's allowance
/// ([`Throttle::lookup`]). Over it: 429 `lookup.throttled` with `Retry-After`
/// — JSON under `/api/`, the error page elsewhere.
#[derive(Clone, Copy, Debug)]
pub struct PublicLookup;

impl FromRequestParts<crate::state::AppState> for PublicLookup {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = client_address(parts, state.throttle.config());
        let Err(wait_ms) = state.throttle.lookup(address, state.now_ms()) else {
            return Ok(Self);
        };
        let seconds = wait_ms.max(1).saturating_add(999) / 1000;
        let e = crate::error::ApiError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "lookup.throttled",
            format!("证书查询过于频繁，请 {seconds} 秒后再试"),
        );
        let mut res = if parts.uri.path().starts_with("/api/") {
            e.into_response()
        } else {
            crate::pages::PageError::Api(e).into_response()
        };
        if let Ok(v) = axum::http::header::HeaderValue::from_str(&seconds.to_string()) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        Err(res)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let config = ThrottleConfig {
            trusted_proxies: vec![ip("10.9.9.9").unwrap()],
            ..ThrottleConfig::default()
        };
        let parts = |peer: &str, xff: &str| {
            let mut req = axum::http::Request::builder()
                .header("x-forwarded-for", xff)
                .body(())
                .unwrap();
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 4000)));
            req.into_parts().0
        };
        let p = parts("10.9.9.9", "6.6.6.6, 203.0.113.5");
        assert_eq!(client_address(&p, &config), ip("203.0.113.5"));
        let p = parts("198.51.100.1", "203.0.113.5");
        assert_eq!(client_address(&p, &config), ip("198.51.100.1"));
        let p = parts("10.9.9.9", "not an address");
        assert_eq!(client_address(&p, &config), ip("10.9.9.9"));
    }
}
