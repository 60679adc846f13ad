//! The operators' side door: `/metrics` in Prometheus' text format, `/livez` and `/readyz`,
//! served on their own address (`serve --ops-listen`) so that neither the figures nor the
//! probes are reachable from the public side, and request ids on every request.
//!
//! What is counted: requests by method, *route template* (`/api/persons/{id}/records`, never
//! the path a client sent, so no person id and no unbounded label) and status, with their
//! latency; the sizes of registration batches (group commit); the summary refresh's backlog;
//! the ledger's size; the database pool's use. Nothing personal: no ids, names, queries or
//! login names reach a label or a log line from here.
//!
//! One registry per process ([`registry`]), as Prometheus clients keep it: every instance of
//! the service is scraped on its own and the figures are summed by the scraper.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Upper bounds of the latency buckets, in microseconds, and as Prometheus writes them.
const LATENCY_BUCKETS: [(u64, &str); 12] = [
    (1_000, "0.001"),
    (5_000, "0.005"),
    (10_000, "0.01"),
    (25_000, "0.025"),
    (50_000, "0.05"),
    (100_000, "0.1"),
    (250_000, "0.25"),
    (500_000, "0.5"),
    (1_000_000, "1"),
    (2_500_000, "2.5"),
    (5_000_000, "5"),
    (10_000_000, "10"),
];

/// Upper bounds of the registration batch-size buckets (the batch is at most 256).
const BATCH_BUCKETS: [u64; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/// A cumulative histogram: counts per bucket (not yet cumulated), total count and sum.
#[derive(Clone, Debug, Default)]
struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: impl Iterator<Item = u64>, value: u64) {
        let mut at = None;
        for (i, bound) in bounds.enumerate() {
            if self.buckets.len() <= i {
                self.buckets.push(0);
            }
            if at.is_none() && value <= bound {
                at = Some(i);
            }
        }
        if let Some(slot) = at.and_then(|i| self.buckets.get_mut(i)) {
            *slot += 1;
        }
        self.count += 1;
        self.sum = self.sum.saturating_add(value);
    }

    /// `name_bucket{labels,le=…}` lines (cumulative), `_sum` (by `sum_text`) and `_count`.
    fn write(
        &self,
        out: &mut String,
        name: &str,
        labels: &str,
        les: impl Iterator<Item = String>,
        sum_text: String,
    ) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, le) in les.enumerate() {
            cumulative += self.buckets.get(i).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        // No braces at all when there are no labels.
        let braced = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braced} {sum_text}");
        let _ = writeln!(out, "{name}_count{braced} {}", self.count);
    }
}

/// Microseconds as seconds with six decimals, without floating point.
fn seconds(micros: u64) -> String {
    format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

/// The process's figures.
#[derive(Debug, Default)]
pub struct Registry {
    /// (method, status) → route template → latency histogram: a request's figures are found
    /// by borrowed keys, without an allocation under the lock (every request passes here).
    requests: Mutex<HashMap<(Method, u16), HashMap<String, Histogram>>>,
    batches: Mutex<Histogram>,
    /// E-mails the mailer settled, by outcome (sent, retry, failed, uncertain, lost).
    mail: Mutex<HashMap<&'static str, u64>>,
}

/// The process-wide registry.
pub fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::default)
}

impl Registry {
    fn request(&self, method: &Method, route: &str, status: u16, micros: u64) {
        let bounds = LATENCY_BUCKETS.iter().map(|(b, _)| *b);
        if let Ok(mut map) = self.requests.lock() {
            let routes = map.entry((method_label(method), status)).or_default();
            match routes.get_mut(route) {
                Some(h) => h.observe(bounds, micros),
                None => routes
                    .entry(route.to_owned())
                    .or_default()
                    .observe(bounds, micros),
            }
        }
    }

    /// One registration batch of `size` records written (or tried) in one transaction.
    pub fn registration_batch(&self, size: usize) {
        if let Ok(mut h) = self.batches.lock() {
            h.observe(
                BATCH_BUCKETS.iter().copied(),
                u64::try_from(size).unwrap_or(u64::MAX),
            );
        }
    }

    /// One e-mail of the outbox settled by this instance's mailer (`sent`, `retry`, `failed`,
    /// `uncertain`, `lost`).
    pub fn mail(&self, outcome: &'static str) {
        if let Ok(mut map) = self.mail.lock() {
            *map.entry(outcome).or_default() += 1;
        }
    }

    /// The request and batch figures in Prometheus' text format (version 0.0.4).
    fn write(&self, out: &mut String) {
        out.push_str("# HELP xueshi_mail_total E-mails of the outbox settled by this instance's mailer, by outcome.\n");
        out.push_str("# TYPE xueshi_mail_total counter\n");
        if let Ok(map) = self.mail.lock() {
            for outcome in ["sent", "retry", "failed", "uncertain", "lost"] {
                let n = map.get(outcome).copied().unwrap_or(0);
                let _ = writeln!(out, "xueshi_mail_total{{outcome=\"{outcome}\"}} {n}");
            }
        }
        out.push_str("# HELP xueshi_http_request_duration_seconds Time to answer a request, by method, route template and status.\n");
        out.push_str("# TYPE xueshi_http_request_duration_seconds histogram\n");
        if let Ok(map) = self.requests.lock() {
            let mut rows: Vec<_> = map
                .iter()
                .flat_map(|((method, status), routes)| {
                    routes
                        .iter()
                        .map(move |(route, h)| ((method.as_str(), route, *status), h))
                })
                .collect();
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            for ((method, route, status), h) in rows {
                let labels = format!(
                    "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                    escape(route)
                );
                h.write(
                    out,
                    "xueshi_http_request_duration_seconds",
                    &labels,
                    LATENCY_BUCKETS.iter().map(|(_, le)| (*le).to_owned()),
                    seconds(h.sum),
                );
            }
        }
        out.push_str("# HELP xueshi_registration_batch_size Records per group-commit transaction of registrations.\n");
        out.push_str("# TYPE xueshi_registration_batch_size histogram\n");
        if let Ok(h) = self.batches.lock() {
            h.write(
                out,
                "xueshi_registration_batch_size",
                "",
                BATCH_BUCKETS.iter().map(u64::to_string),
                h.sum.to_string(),
            );
        }
    }
}

/// A method as counted: the standard ones by name, any other as `OTHER` — HTTP/1 lets a
/// client send any token as its method, and each must not grow the registry.
fn method_label(method: &Method) -> Method {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if STANDARD.contains(method) {
        method.clone()
    } else {
        Method::from_bytes(b"OTHER").unwrap_or(Method::TRACE)
    }
}

/// A label value as Prometheus' text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A request being answered, as it is counted: when it began, its method and its id — the
/// client's `X-Request-Id` when it is short and plain, else a new one. The id is on every log
/// line of the request ([`Observed::span`]) and answered back in `X-Request-Id`; the request
/// is counted under its route template when it ends ([`Observed::end`]). Both are steps of the
/// service's one middleware (`crate::edge`).
#[derive(Debug)]
pub struct Observed {
    started: Instant,
    method: Method,
    id: String,
}

impl Observed {
    pub fn begin(req: &Request) -> Self {
        let id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 64
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            })
            .map_or_else(new_request_id, str::to_owned);
        Observed {
            started: Instant::now(),
            method: req.method().clone(),
            id,
        }
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// When the request began.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The span every log line of the request is written in.
    pub fn span(&self) -> tracing::Span {
        tracing::info_span!("request", id = %self.id)
    }

    /// Counts the answered request and tells its id back.
    pub fn end(self, res: &mut Response) {
        let micros = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        // Unmatched paths share one label: a scanner must not grow the registry.
        let route = res
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str);
        registry().request(&self.method, route, res.status().as_u16(), micros);
        if let Ok(v) = HeaderValue::from_str(&self.id) {
            res.headers_mut().insert("x-request-id", v);
        }
    }
}

/// Hands the matched route template on to [`Observed::end`], which runs outside routing (a
/// `route_layer`, so only matched routes pass here).
pub async fn tag_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut res = next.run(req).await;
    if let Some(route) = route {
        res.extensions_mut().insert(route);
    }
    res
}

/// 16 hex digits, distinct for every request of the process: a counter from a random start,
/// scrambled by a bijection (SplitMix64's finaliser) so that ids do not read as a sequence.
/// A request id correlates log lines; it is no secret, so it need not cost a system call for
/// randomness per request (that was ~2 % of a point read's CPU).
fn new_request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: OnceLock<AtomicU64> = OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let mut bytes = [0u8; 8];
        // Without the system's randomness the ids still differ within the process.
        let _ = getrandom::fill(&mut bytes);
        AtomicU64::new(u64::from_le_bytes(bytes))
    });
    let mut z = next
        .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    format!("{:016x}", z ^ (z >> 31))
}

/// The operators' router: `/metrics`, `/livez` (the process answers), `/readyz` (its
/// database answers; behind failover, a node that accepts writes).
pub fn ops_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .route("/livez", axum::routing::get(|| async { "ok\n" }))
        .route("/readyz", axum::routing::get(ready))
        .with_state(state)
}

async fn ready(State(state): State<AppState>) -> Response {
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        xueshi_store::ops::ready(&state.db),
    )
    .await;
    match check {
        Ok(Ok(())) => (StatusCode::OK, "ready\n").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(code = e.code(), "not ready: database");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timeout\n").into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::with_capacity(8192);
    registry().write(&mut out);
    let (open, idle) = xueshi_store::ops::pool_use(&state.db);
    out.push_str("# HELP xueshi_db_pool_connections Database connections of this instance's pool, by state.\n");
    out.push_str("# TYPE xueshi_db_pool_connections gauge\n");
    let _ = writeln!(out, "xueshi_db_pool_connections{{state=\"idle\"}} {idle}");
    let _ = writeln!(
        out,
        "xueshi_db_pool_connections{{state=\"busy\"}} {}",
        open.saturating_sub(idle)
    );
    // Database figures: a failing read leaves its metric out (and the scrape says so in
    // xueshi_up) rather than reporting a false zero.
    let ledger = xueshi_store::ops::ledger_size(&state.db).await;
    let backlog = xueshi_store::summaries::pending(&state.db, None).await;
    let mail = xueshi_store::outbox::backlog(&state.db, state.now_ms()).await;
    let up = u8::from(ledger.is_ok() && backlog.is_ok() && mail.is_ok());
    if let Ok(size) = ledger {
        out.push_str(
            "# HELP xueshi_ledger_entries Entries in the ledger by its latest signed checkpoint.\n",
        );
        out.push_str("# TYPE xueshi_ledger_entries gauge\n");
        let _ = writeln!(out, "xueshi_ledger_entries {size}");
    }
    if let Ok(n) = backlog {
        out.push_str("# HELP xueshi_summary_backlog Person-years waiting to be decided again by the summary refresh.\n");
        out.push_str("# TYPE xueshi_summary_backlog gauge\n");
        let _ = writeln!(out, "xueshi_summary_backlog {n}");
    }
    if let Ok((counts, overdue_ms)) = mail {
        out.push_str("# HELP xueshi_mail_outbox E-mails not yet settled, by state (pending, sending, committing).\n");
        out.push_str("# TYPE xueshi_mail_outbox gauge\n");
        for s in ["pending", "sending", "committing"] {
            let n = counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
            let _ = writeln!(out, "xueshi_mail_outbox{{state=\"{s}\"}} {n}");
        }
        out.push_str("# HELP xueshi_mail_overdue_seconds How long the most overdue pending e-mail has been due (0: none).\n");
        out.push_str("# TYPE xueshi_mail_overdue_seconds gauge\n");
        let _ = writeln!(out, "xueshi_mail_overdue_seconds {}", overdue_ms / 1000);
    }
    out.push_str("# HELP xueshi_database_up Whether the database answered this scrape's reads.\n");
    out.push_str("# TYPE xueshi_database_up gauge\n");
    let _ = writeln!(out, "xueshi_database_up {up}");
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// Binds `addr` (keep it private: loopback or the operators' network) and serves
/// [`ops_router`] on a task of its own; a failure to bind is the caller's to report.
pub async fn serve_ops(
    state: AppState,
    addr: std::net::SocketAddr,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "operators' endpoints listening: /metrics, /livez, /readyz");
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, ops_router(state)).await {
            tracing::error!(error = %e, "operators' endpoints stopped");
        }
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn methods_a_client_makes_up_share_one_label() {
        let r = Registry::default();
        for m in ["FOOBAR", "FOOBAZ", "QUUX"] {
            r.request(&Method::from_bytes(m.as_bytes()).unwrap(), "/x", 405, 10);
        }
        r.request(&Method::GET, "/x", 200, 10);
        let mut out = String::new();
        r.write(&mut out);
        assert!(!out.contains("FOO") && !out.contains("QUUX"), "{out}");
        assert!(
            out.contains(
                "xueshi_http_request_duration_seconds_count{method=\"OTHER\",route=\"/x\",status=\"405\"} 3\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "xueshi_http_request_duration_seconds_count{method=\"GET\",route=\"/x\",status=\"200\"} 1\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn latency_buckets_are_cumulative_and_count_everything() {
        let mut h = Histogram::default();
        for v in [500, 4_000, 4_000, 20_000_000] {
            h.observe(LATENCY_BUCKETS.iter().map(|(b, _)| *b), v);
        }
        let mut out = String::new();
        h.write(
            &mut out,
            "m",
            "route=\"/x\"",
            LATENCY_BUCKETS.iter().map(|(_, le)| (*le).to_owned()),
            seconds(h.sum),
        );
        assert!(
            out.contains("m_bucket{route=\"/x\",le=\"0.001\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("m_bucket{route=\"/x\",le=\"0.005\"} 3\n"),
            "{out}"
        );
        assert!(
            out.contains("m_bucket{route=\"/x\",le=\"10\"} 3\n"),
            "{out}"
        );
        assert!(
            out.contains("m_bucket{route=\"/x\",le=\"+Inf\"} 4\n"),
            "{out}"
        );
        assert!(out.contains("m_sum{route=\"/x\"} 20.008500\n"), "{out}");
        assert!(out.contains("m_count{route=\"/x\"} 4\n"), "{out}");
    }

    #[test]
    fn request_ids_are_sixteen_hex_digits_and_differ() {
        let a = new_request_id();
        let b = new_request_id();
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
