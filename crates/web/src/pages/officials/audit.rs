//! `/audit` 审计日志: the supervisor reads the trail of every official act and disclosure
//! (D18, D19), newest first, filtered by actor, action and a range of days (Beijing time) in
//! a GET form, a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use xueshi_domain::Date;

use super::{day_start_ms, given, guard};
use crate::extract::ApiQuery;
use crate::pages::{Chrome, Page, PageError, render};
use crate::routes::audit::{self, AuditLine, AuditQuery};
use crate::state::AppState;

/// Lines per page.
const PER_PAGE: u32 = 50;

/// The actions the trail records, for the filter (the API takes any text).
const ACTIONS: [(&str, &str); 18] = [
    ("review.act", "年度登记审核（盖章/退回）"),
    ("verification.act", "学时核验（盖章/拒绝）"),
    ("verification.refusal_reason", "核验拒绝理由"),
    ("verification.apply", "申请核验"),
    ("filing.decision", "培训备案审批"),
    ("provider.registration", "课件提供方备案"),
    ("record.void", "作废或更正记录"),
    ("year_page.submit", "提交年度登记"),
    ("person.reveal", "查看完整身份证号"),
    ("slot.open", "开放预约时段"),
    ("booking.book", "预约"),
    ("booking.cancel", "取消预约"),
    ("account.login", "登录"),
    ("account.login_failed", "登录失败"),
    ("account.locked", "账号锁定"),
    ("account.create", "创建账号"),
    ("account.password_change", "修改密码"),
    ("api_token.issue", "签发 API 令牌"),
];

fn action_zh(action: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(action, |(_, zh)| zh)
}

/// The page's query, taken leniently.
#[derive(Debug, Default, Deserialize)]
pub struct Ask {
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

#[derive(Debug)]
struct Line {
    l: AuditLine,
    action_zh: String,
}

#[derive(Template)]
#[template(path = "officials/audit.html")]
struct Audit {
    chrome: Chrome,
    lines: Vec<Line>,
    actions: &'static [(&'static str, &'static str)],
    actor: String,
    action: String,
    from: String,
    to: String,
    page: u32,
    /// The filter as a query string, for the paging and actor links.
    base: String,
    prev: Option<u32>,
    next: Option<u32>,
    problem: Option<String>,
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The trail, filtered and paged.
pub async fn page(
    State(state): State<AppState>,
    page: Page,
    Query(ask): Query<Ask>,
) -> Result<Response, PageError> {
    guard(&page, "/audit")?;
    let actor = given(&ask.actor).map(str::to_owned);
    let action = given(&ask.action).map(str::to_owned);
    let mut problem = None;
    let mut day = |text: Option<&str>, what: &str| match text.map(Date::parse) {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            problem = Some(format!("{what}须为 YYYY-MM-DD 日期，已忽略"));
            None
        }
        None => None,
    };
    let from = day(given(&ask.from), "起始日期");
    let to = day(given(&ask.to), "截止日期");
    let n = given(&ask.page)
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    // One line more than a page tells whether there is a next page.
    let mut lines = audit::trail(
        State(state),
        page.acting.clone(),
        ApiQuery(AuditQuery {
            actor: actor.clone(),
            action: action.clone(),
            since_ms: from.map(day_start_ms),
            until_ms: to.map(|d| day_start_ms(d) + 86_400_000),
            limit: Some(PER_PAGE + 1),
            offset: Some((n - 1).saturating_mul(PER_PAGE)),
            newest_first: Some(true),
        }),
    )
    .await?
    .0;
    let more = lines.len() > PER_PAGE as usize;
    lines.truncate(PER_PAGE as usize);
    let mut base = String::new();
    for (k, v) in [
        ("actor", actor.as_deref()),
        ("action", action.as_deref()),
        ("from", from.map(|d| d.to_string()).as_deref()),
        ("to", to.map(|d| d.to_string()).as_deref()),
    ] {
        if let Some(v) = v {
            base.push_str(&format!("{k}={}&", enc(v)));
        }
    }
    Ok(render(&Audit {
        chrome: page.chrome("审计日志", "/audit"),
        lines: lines
            .into_iter()
            .map(|l| Line {
                action_zh: action_zh(&l.action).to_owned(),
                l,
            })
            .collect(),
        actions: &ACTIONS,
        actor: actor.unwrap_or_default(),
        action: action.unwrap_or_default(),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        page: n,
        base,
        prev: (n > 1).then(|| n - 1),
        next: more.then(|| n + 1),
        problem,
    }))
}
