//! The listener: HTTP/1.1 connections with bounds, so that slow or idle clients cannot hold the
//! server. Each connection must send a request's headers within [`ServeConfig::header_read`]
//! (hyper's header timeout: a trickled header is cut off), may stay silent between requests at
//! most [`ServeConfig::idle`] (a keep-alive connection with nothing to say is closed; a body
//! trickled slower than that is too), and each request — body read and handler together — has
//! [`ServeConfig::request`] to finish (408 `request.timeout` after it). At most
//! [`ServeConfig::max_connections`] connections are open at once; the next waits in the kernel's
//! backlog until one closes.
//!
//! Peer addresses reach the handlers as axum's `ConnectInfo` (sign-in throttling). With
//! [`ServeConfig::hsts`] every answer carries `Strict-Transport-Security` (off by default: it
//! is for a deployment behind TLS).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;
use crate::state::AppState;

/// The bounds of connections and requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeConfig {
    /// To send a request's headers (from its first byte, or from the end of the last request).
    pub header_read: Duration,
    /// Silence on a connection (between requests, or within a body) before it is closed.
    pub idle: Duration,
    /// A whole request, its body read and its handler (imports of large files included).
    pub request: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Send `Strict-Transport-Security` (only behind TLS: browsers then refuse plain HTTP).
    pub hsts: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            request: Duration::from_secs(300),
            max_connections: 1024,
            hsts: false,
        }
    }
}

/// Serves [`crate::router`] on a bound listener until the process ends.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    config: ServeConfig,
) -> io::Result<()> {
    let limit = config.request;
    let hsts = config.hsts;
    let app = crate::router(state).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| async move {
            let mut res = match tokio::time::timeout(limit, next.run(req)).await {
                Ok(res) => res,
                Err(_) => timed_out(),
            };
            if hsts {
                res.headers_mut().insert(
                    axum::http::header::STRICT_TRANSPORT_SECURITY,
                    axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
                );
            }
            res
        },
    ));
    let slots = Arc::new(tokio::sync::Semaphore::new(config.max_connections.max(1)));
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return Ok(());
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service =
            TowerToHyperService::new(app.clone().layer(axum::Extension(ConnectInfo(peer))));
        tokio::spawn(async move {
            let io = TokioIo::new(Idle::new(stream, config.idle));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(config.header_read)
                .serve_connection(io, service);
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection closed");
            }
            drop(permit);
        });
    }
}

fn timed_out() -> Response {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request.timeout",
        "请求处理超时，请稍后再试",
    )
    .into_response()
}

/// A connection that fails with `TimedOut` once it has neither read nor written for `after`.
#[derive(Debug)]
struct Idle {
    inner: TcpStream,
    after: Duration,
    timer: Pin<Box<Sleep>>,
}

impl Idle {
    fn new(inner: TcpStream, after: Duration) -> Self {
        Self {
            inner,
            after,
            timer: Box::pin(tokio::time::sleep(after)),
        }
    }

    fn active(&mut self) {
        self.timer.as_mut().reset(Instant::now() + self.after);
    }

    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.timer.as_mut().poll(cx).is_ready()
    }
}

fn idle_error() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection idle")
}

impl AsyncRead for Idle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.active();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(idle_error())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for Idle {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                self.active();
                Poll::Ready(Ok(n))
            }
            Poll::Pending if self.expired(cx) => Poll::Ready(Err(idle_error())),
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
