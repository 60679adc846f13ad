//! The web pages: server-rendered HTML in Chinese (askama templates under `templates/`), one set
//! per role, usable on a phone. Pages read through the same use cases as the JSON API (a page
//! handler calls e.g. `xueshi_app::reviews` with the caller's [`Acting`]) and import nothing
//! from `routes/`, so every page is authorized exactly as the API is and no logic is written
//! twice. Forms change nothing by
//! themselves: `static/app.js` sends them as JSON to the API with the session's CSRF token and
//! shows the API's Chinese message on failure, so a refusal reads the same on a page as over
//! the API.
//!
//! Conventions for a page module:
//! - take a [`Page`] (signed in, password changed; else a redirect to `/login` or `/password`);
//! - build the template struct with `chrome: page.chrome("标题", "/current/path")`;
//! - return `Result<Response, PageError>` via [`render`]; API errors become an HTML error page.

pub mod certificate;
pub mod me;
pub mod messages;
pub mod officials;
pub mod plain;
pub mod resets;
pub mod session;
pub mod unit;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use xueshi_domain::Role;

use crate::auth::{Acting, Caller};
use crate::error::ApiError;
use crate::state::AppState;

/// The pages' routes (everything outside `/api`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::home))
        .route("/login", get(session::login))
        .route("/password", get(session::password))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/reviews", get(officials::reviews::page))
        .route("/verifications", get(officials::verifications::list))
        .route("/verifications/{id}", get(officials::verifications::detail))
        .route("/filings", get(officials::filings::filings))
        .route("/providers", get(officials::filings::providers))
        .route("/slots", get(officials::slots::page))
        .route("/statistics", get(officials::statistics::page))
        .route("/audit", get(officials::audit::page))
        .route("/audit/export.xlsx", get(officials::audit::export))
        .route("/base/reports", get(officials::base::page))
        .route("/base/reports/template.csv", get(officials::base::template))
        .route("/static/base-report.js", get(officials::base::script))
        .route("/static/people.css", get(me::css))
        .route("/static/people.js", get(me::js))
        .route("/me", get(me::me))
        .route("/me/records/new", get(me::new_record))
        .route("/me/readiness", get(me::readiness))
        .route("/persons/{person_id}", get(me::person))
        .route("/unit/staff", get(unit::staff))
        .route("/unit/staff/export.xlsx", get(unit::staff_export))
        .route("/unit/import", get(unit::import))
        .route("/unit/import/template.csv", get(unit::template))
        .route("/unit/submit", get(unit::submit))
        .route("/unit/bookings", get(unit::bookings))
        .route("/me/certificate", get(certificate::mine))
        .route("/messages", get(messages::page))
        .route("/accounts/reset", get(resets::page))
        .route("/static/reset.js", get(resets::js))
        .merge(certificate::router())
}

/// A signed-in account whose password is changed: it may see pages.
#[derive(Clone, Debug)]
pub struct Page {
    pub acting: Acting,
    /// The session's CSRF token, for the page's forms (sent by `app.js` in `X-CSRF-Token`).
    pub csrf: String,
    /// Unread messages, for the navigation's 消息 badge.
    pub unread: i64,
}

impl Page {
    pub fn role(&self) -> Role {
        self.acting.principal.role()
    }

    /// The frame around a page: title, the account, the role's navigation.
    pub fn chrome(&self, title: &str, current: &str) -> Chrome {
        let role = self.role();
        Chrome {
            title: title.to_owned(),
            user: self.acting.account.display_name.clone(),
            role_zh: role.zh().to_owned(),
            csrf: self.csrf.clone(),
            nav: nav(role)
                .iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: current == *href,
                    badge: if *href == messages::PATH {
                        self.unread
                    } else {
                        0
                    },
                })
                .collect(),
        }
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let login = login_url(parts.uri.path_and_query());
        let to_login = || PageError::Redirect(login);
        let csrf = match Caller::from_request_parts(parts, state).await {
            Ok(Caller::Session { session, .. }) if session.must_change_password => {
                return Err(PageError::Redirect("/password".to_owned()));
            }
            Ok(Caller::Session { session, .. }) => session.csrf_token,
            Ok(Caller::Token(_)) => return Err(to_login()),
            Err(e) if e.status() == StatusCode::UNAUTHORIZED => return Err(to_login()),
            Err(e) => return Err(PageError::Api(e)),
        };
        let acting = Acting::from_request_parts(parts, state).await?;
        let unread = messages::unread(state, &acting).await;
        Ok(Self {
            acting,
            csrf,
            unread,
        })
    }
}

/// `/login?next=…` back to where the caller was going (only a local path).
fn login_url(target: Option<&axum::http::uri::PathAndQuery>) -> String {
    match target.map(|t| t.as_str()) {
        Some(t) if t != "/" && crate::next::local_path(t).is_some() => {
            let mut next = String::new();
            for b in t.bytes() {
                if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                    next.push(char::from(b));
                } else {
                    next.push_str(&format!("%{b:02X}"));
                }
            }
            format!("/login?next={next}")
        }
        _ => "/login".to_owned(),
    }
}

/// A link of a role's navigation.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
    /// A count shown beside the label (unread messages), 0 for none.
    pub badge: i64,
}

/// What `base.html` shows around every signed-in page.
#[derive(Clone, Debug)]
pub struct Chrome {
    pub title: String,
    pub user: String,
    pub role_zh: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

/// 重置密码: a unit's for its staff, a bureau's within its jurisdiction.
const RESET: (&str, &str) = (resets::PATH, "重置密码");
/// 消息, the last page of every role.
const MESSAGES: (&str, &str) = (messages::PATH, "消息");

/// Each role's pages, the first being its home.
pub fn nav(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Professional => &[
            ("/me", "我的学时"),
            ("/me/records/new", "登记学习"),
            ("/me/readiness", "职称申报准备"),
            ("/me/certificate", "我的证书"),
            MESSAGES,
        ],
        Role::UnitAdmin => &[
            ("/unit/staff", "职工学时"),
            ("/unit/import", "批量导入"),
            ("/unit/submit", "提交审核"),
            ("/unit/bookings", "预约核验"),
            RESET,
            MESSAGES,
        ],
        Role::IndustryAuthority => &[("/reviews", "审核学时"), MESSAGES],
        Role::CityBureau | Role::CountyBureau | Role::ZoneCentre => &[
            ("/verifications", "核验"),
            ("/filings", "培训备案"),
            ("/providers", "课件机构"),
            ("/slots", "预约时段"),
            ("/statistics", "统计"),
            RESET,
            MESSAGES,
        ],
        Role::StateOwnedUnit => &[
            ("/verifications", "核验"),
            ("/unit/staff", "职工学时"),
            MESSAGES,
        ],
        // The API gives supervisors the trail, not statistics (`view_statistics`).
        Role::Supervisor => &[("/audit", "审计日志"), MESSAGES],
        Role::Base => &[("/base/reports", "证书报送"), MESSAGES],
        Role::Provider => &[("/filings", "培训备案"), MESSAGES],
    }
}

/// Why a page is not shown: a redirect (to sign in, to change the password) or an API error
/// shown as an HTML page with its Chinese message and code.
#[derive(Debug)]
pub enum PageError {
    Redirect(String),
    Api(ApiError),
}

impl From<xueshi_app::Error> for PageError {
    fn from(e: xueshi_app::Error) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e.code() {
            "auth.required" | "session.expired" | "session.invalid" => {
                Self::Redirect("/login".to_owned())
            }
            "password.must_change" => Self::Redirect("/password".to_owned()),
            _ => Self::Api(e),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
    code: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            Self::Redirect(to) => Redirect::to(&to).into_response(),
            Self::Api(e) => {
                let page = ErrorPage {
                    status: e.status().as_u16(),
                    message: e.message(),
                    code: e.code(),
                };
                let mut res = render(&page);
                *res.status_mut() = e.status();
                res
            }
        }
    }
}

/// A template as an HTML response (a template that fails to render is a logged 500).
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => ApiError::internal("page.render", &e).into_response(),
    }
}

/// Security headers for every answer: scripts and styles only from this server (inline style
/// attributes allowed for bar widths), never framed, and `Cache-Control: no-store` unless the
/// answer set its own.
pub fn headers(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Whatever did not say how it may be cached is not stored: pages and answers carry
    // personal data (ID numbers disclosed, records, certificates), and a shared computer's
    // browser or a proxy must keep none of it. Static files say otherwise themselves.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

async fn css() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    )
}

async fn js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/app.js"),
    )
}

/// Hours given in tenths, as the API writes them (`12.5`).
pub fn tenths(t: i64) -> String {
    xueshi_app::views::hours_text(t)
}

/// A share as a whole percentage for a bar's width, 0–100.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 100;
    }
    (part.max(0).saturating_mul(100) / whole).min(100)
}
