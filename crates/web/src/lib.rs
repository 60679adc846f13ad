//! The web layer of xueshi: a JSON API over axum for the service the province runs. It signs
//! accounts in (server-side sessions in an HttpOnly, SameSite=Strict cookie, with a CSRF token
//! every state-changing cookie request must echo in `X-CSRF-Token`), accepts API tokens
//! (`Authorization: Bearer xs_…`) from bases and providers, checks every read against
//! `xueshi_app::authorize` (role and jurisdiction), and serves the engine's decisions. Every
//! error is JSON `{"code", "message"}` with a stable code and a Chinese message; malformed
//! requests get a 4xx, internal failures an opaque 500 whose detail goes only to the log.
//! Its OpenAPI 3.1 document is generated from the handlers and served at `/api/openapi.json`.
//!
//! It does not decide anything itself: passwords, sessions and tokens are the store's
//! (`xueshi_store::accounts`), permissions the app's, decisions the policy engine's. The HTML
//! pages ([`pages`]) read through the same handlers. No TLS (run it behind a reverse proxy;
//! set secure cookies there).

pub mod access;
pub mod auth;
pub mod demo;
pub mod error;
pub mod extract;
pub mod mailer;
pub mod metrics;
pub mod next;
pub mod pages;
pub mod registrations;
pub mod routes;
pub mod serve;
pub mod session_cache;
pub mod state;
pub mod summaries;
pub mod throttle;
pub mod xlsx;

use std::net::SocketAddr;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;
pub use state::AppState;

/// The OpenAPI document's top level; paths are added from the handlers.
#[derive(OpenApi)]
#[openapi(info(
    title = "xueshi 学时 API",
    description = "专业技术人员继续教育学时管理系统（安徽）接口。错误均为 {\"code\", \"message\"}。"
))]
struct ApiDoc;

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::health::health))
        .routes(routes!(routes::session::login, routes::session::logout))
        .routes(routes!(routes::session::me))
        .routes(routes!(routes::session::change_password))
        .routes(routes!(routes::session::sign_out_everywhere))
        .routes(routes!(routes::persons::person_year))
        .routes(routes!(routes::persons::person_year_summary))
        .routes(routes!(routes::records::register, routes::records::list))
        .routes(routes!(routes::records::void))
        .routes(routes!(routes::record_check::check))
        .routes(routes!(routes::records::upload_evidence))
        .routes(routes!(routes::records::evidence_file))
        .routes(routes!(routes::reviews::submit))
        .routes(routes!(routes::reviews::pending))
        .routes(routes!(routes::reviews::review))
        .routes(routes!(routes::reviews::history))
        .routes(routes!(routes::verifications::apply))
        .routes(routes!(routes::verifications::pending))
        .routes(routes!(routes::verifications::detail))
        .routes(routes!(routes::verifications::decide))
        .routes(routes!(routes::verifications::record_offline))
        .routes(routes!(routes::verifications::readiness))
        .routes(routes!(routes::registers::file, routes::registers::list))
        .routes(routes!(routes::registers::decide))
        .routes(routes!(routes::registers::attachment))
        .routes(routes!(
            routes::registers::register_list,
            routes::registers::register_provider
        ))
        .routes(routes!(routes::slots::open, routes::slots::list))
        .routes(routes!(routes::slots::book, routes::slots::bookings))
        .routes(routes!(routes::slots::cancel))
        .routes(routes!(routes::audit::trail))
        .routes(routes!(routes::audit::reveal))
        .routes(routes!(routes::base::report))
        .routes(routes!(routes::statistics::statistics))
        .routes(routes!(routes::units::staff_list))
        .routes(routes!(routes::units::import_records))
        .routes(routes!(routes::units::bookings))
        .routes(routes!(routes::units::verifiers))
        .routes(routes!(routes::profile::profile))
        .routes(routes!(routes::profile::applications))
        .routes(routes!(routes::profile::bookings))
        .routes(routes!(routes::statistics::statistics_xlsx))
        .routes(routes!(routes::reviews::done))
        .routes(routes!(
            routes::certificates::issue,
            routes::certificates::of_person
        ))
        .routes(routes!(routes::certificates::credential_json))
        .routes(routes!(routes::certificates::pdf))
        .routes(routes!(routes::certificates::revoke))
        .routes(routes!(routes::certificates::status_list))
        .routes(routes!(routes::certificates::check_number))
        .routes(routes!(routes::certificates::check_presented))
        .routes(routes!(routes::messages::list))
        .routes(routes!(routes::messages::read))
        .routes(routes!(routes::messages::set_email))
        .routes(routes!(routes::resets::reset))
        .routes(routes!(routes::resets::staff))
}

/// The OpenAPI 3.1 document of the API, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = api_router().split_for_parts();
    api
}

/// The whole application: the API, its OpenAPI document, and JSON errors for unknown routes
/// and methods.
pub fn router(state: AppState) -> Router {
    let (api_routes, api) = api_router().split_for_parts();
    let doc = std::sync::Arc::new(api);
    api_routes
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(pages::router())
        .route_layer(axum::middleware::from_fn(metrics::tag_route))
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(axum::middleware::from_fn(edge))
        .with_state(state)
}

/// What every answer passes through, in this order from the handler out: a person's existence
/// hidden ([`access::hide_persons`]), the summary drain woken after a write
/// ([`summaries::wake_after_writes`]), the security headers ([`pages::headers`]), the log line
/// ([`log_request`]) — all in the request's span — then its count and id
/// ([`metrics::Observed`]). One middleware rather than a layer each: every `from_fn` layer
/// clones the service behind it and boxes a future per request; folding five into one took an
/// unauthenticated request through them from 52k to 58k a second (BENCH.md).
async fn edge(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument as _;
    let observed = metrics::Observed::begin(&req);
    let path = req.uri().path().to_owned();
    let mut res = async {
        let mut res = access::hide_persons(&path, next.run(req).await);
        summaries::wake_after_writes(observed.method(), &res);
        pages::headers(&mut res);
        log_request(
            observed.method(),
            &path,
            res.status().as_u16(),
            observed.started(),
        );
        res
    }
    .instrument(observed.span())
    .await;
    observed.end(&mut res);
    res
}

/// An unknown path: JSON under `/api`, an HTML page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let e = ApiError::no_route();
    if uri.path().starts_with("/api/") {
        e.into_response()
    } else {
        pages::PageError::Api(ApiError::not_found("page.not_found", "没有这个页面")).into_response()
    }
}

/// Logs each request's method, path (never its query, which may name persons), status and
/// time at debug level; server errors at warn.
fn log_request(method: &axum::http::Method, path: &str, status: u16, started: std::time::Instant) {
    let micros = started.elapsed().as_micros();
    if status >= 500 {
        tracing::warn!(%method, %path, status, micros, "request failed");
    } else {
        tracing::debug!(%method, %path, status, micros, "request");
    }
}

/// Listens on `addr` and serves [`router`] until the process ends, with the default bounds.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    serve_with(state, addr, serve::ServeConfig::default()).await
}

/// Listens on `addr` and serves [`router`] until the process ends, with `config`'s timeouts
/// and connection limit ([`serve::serve_on`]).
pub async fn serve_with(
    state: AppState,
    addr: SocketAddr,
    config: serve::ServeConfig,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, ?config, "xueshi API listening");
    summaries::spawn(state.clone());
    serve::serve_on(listener, state, config).await
}
