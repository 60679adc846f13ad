//! `/audit` 审计日志: the supervisor reads the trail of every official act and disclosure
//! (D18, D19), newest first, filtered by operator (a part of the agency's or official's name,
//! or one operator exactly from a row's link), action and a range of days (Beijing time) in a
//! GET form, a page at a time. Each row says who (agency and official), what in Chinese
//! (盖章/退回, 批准/驳回 …) and about whom (the person's name masked); the raw actor, action
//! and subject stay in the row's `data-` attributes and the API's JSON.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use xueshi_domain::Date;

use super::{day_start_ms, given, guard, level_zh};
use crate::pages::plain::{Names, url_component};
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use xueshi_app::audit::{self, AuditLine, AuditQuery};

/// Lines per page.
const PER_PAGE: u32 = 50;

/// The actions the trail records, for the filter (the API takes any text).
const ACTIONS: [(&str, &str); 27] = [
    ("review.act", "年度登记审核（盖章/退回）"),
    ("verification.act", "学时核验（盖核验章/拒绝）"),
    ("verification.refusal_reason", "核验拒绝理由"),
    ("verification.apply", "申请核验"),
    ("filing.submit", "申报培训备案"),
    ("filing.decision", "培训备案审批（同意/不同意）"),
    ("provider.registration", "课件提供方备案"),
    ("record.register", "登记学习记录"),
    ("records.import", "批量导入学习记录"),
    ("record.void", "作废学习记录"),
    ("year_page.submit", "提交年度登记"),
    ("certificate.issue", "签发继续教育证书"),
    ("certificate.revoke", "撤销继续教育证书"),
    ("person.reveal", "查看完整身份证号"),
    ("evidence.view", "查看证明材料"),
    ("slot.open", "开放预约时段"),
    ("booking.book", "预约核验"),
    ("booking.cancel", "取消预约"),
    ("account.login", "登录"),
    ("account.login_failed", "登录失败"),
    ("account.locked", "账号锁定"),
    ("account.create", "创建账号"),
    ("account.password_change", "修改密码"),
    ("account.password_reset", "重置密码"),
    ("account.sign_out_everywhere", "退出全部登录"),
    ("api_token.issue", "签发 API 令牌"),
    ("api_token.revoke", "吊销 API 令牌"),
];

/// What happened, in Chinese: the action, and for an act that approves or refuses, which.
fn action_zh(action: &str, approved: Option<bool>) -> String {
    let outcome = match (action, approved) {
        ("review.act", Some(true)) => Some("年度登记审核：盖章"),
        ("review.act", Some(false)) => Some("年度登记审核：退回"),
        ("verification.act", Some(true)) => Some("学时核验：盖核验章"),
        ("verification.act", Some(false)) => Some("学时核验：拒绝盖章"),
        ("filing.decision", Some(true)) => Some("培训备案审批：同意"),
        ("filing.decision", Some(false)) => Some("培训备案审批：不同意"),
        _ => None,
    };
    if let Some(o) = outcome {
        return o.to_owned();
    }
    ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map_or("其他操作", |(_, zh)| zh)
        .to_owned()
}

/// A line's subject as people read it: `person:3/year:2026` is 张*梅 · 2026 年度.
async fn subject_zh(state: &AppState, names: &mut Names, subject: &str) -> String {
    let mut parts = Vec::new();
    for seg in subject.split('/') {
        let (kind, value) = seg.split_once(':').unwrap_or((seg, ""));
        let part = match kind {
            "person" => match value.parse::<i64>() {
                Ok(id) => names
                    .person_masked(id)
                    .await
                    .unwrap_or_else(|| "人员".to_owned()),
                Err(_) => "人员".to_owned(),
            },
            "year" => format!("{value} 年度"),
            "application" => "核验申请".to_owned(),
            "record" => "学习记录".to_owned(),
            "certificate" => format!("证书 {value}"),
            "junior" | "intermediate" | "senior" => {
                format!(
                    "{}职称 {} 年任职周期",
                    level_zh(kind),
                    value.replace('-', "—")
                )
            }
            "account" => format!("账号：{}", names.full(seg).await),
            "unit" => match value.parse::<i64>() {
                Ok(id) => xueshi_store::staff::unit_name(&state.db, id)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| "用人单位".to_owned()),
                Err(_) => names.agency(seg).await,
            },
            "filing" => "培训备案".to_owned(),
            "provider" => format!("课件提供方 {value}"),
            "slot" => "预约时段".to_owned(),
            "booking" => "预约".to_owned(),
            "api_token" => "API 令牌".to_owned(),
            "rows" => format!("{value} 行"),
            "sessions_ended" => format!("结束 {value} 处登录"),
            _ => continue,
        };
        parts.push(part);
    }
    parts.join(" · ")
}

/// A line's detail as people read it: free text (a reason) as written; a code-like detail
/// (`id_number`) said in Chinese or left to the row's data attributes.
fn detail_zh(detail: &str) -> String {
    match detail {
        "id_number" => "完整身份证号".to_owned(),
        "unknown_login" => "登录名不存在".to_owned(),
        "wrong_password" => "密码错误".to_owned(),
        "refused_while_locked" => "账号锁定期间尝试登录".to_owned(),
        "disabled" => "账号已停用".to_owned(),
        d if d
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-/".contains(c)) =>
        {
            String::new()
        }
        d => d.to_owned(),
    }
}

/// The page's query, taken leniently.
#[derive(Debug, Default, Deserialize)]
pub struct Ask {
    /// One operator exactly (a row's link).
    actor: Option<String>,
    /// A part of the operator's name (the form).
    actor_name: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

#[derive(Debug)]
struct Line {
    l: AuditLine,
    action_zh: String,
    who: String,
    about: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "officials/audit.html")]
struct Audit {
    chrome: Chrome,
    lines: Vec<Line>,
    actions: &'static [(&'static str, &'static str)],
    actor: String,
    /// The exact operator's name, when filtered to one.
    actor_zh: String,
    actor_name: String,
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

/// The page's filter, read leniently: a malformed day is ignored and said so.
struct Filter {
    actor: Option<String>,
    actor_name: Option<String>,
    action: Option<String>,
    from: Option<Date>,
    to: Option<Date>,
    problem: Option<String>,
}

impl Filter {
    fn of(ask: &Ask) -> Self {
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
        Self {
            actor: given(&ask.actor).map(str::to_owned),
            actor_name: given(&ask.actor_name).map(|n| n.chars().take(100).collect()),
            action: given(&ask.action).map(str::to_owned),
            from,
            to,
            problem,
        }
    }

    /// The filter as a query string (`k=v&…`), for paging links and the export.
    fn query(&self) -> String {
        let mut base = String::new();
        for (k, v) in [
            ("actor", self.actor.as_deref()),
            ("actor_name", self.actor_name.as_deref()),
            ("action", self.action.as_deref()),
            ("from", self.from.map(|d| d.to_string()).as_deref()),
            ("to", self.to.map(|d| d.to_string()).as_deref()),
        ] {
            if let Some(v) = v {
                base.push_str(&format!("{k}={}&", url_component(v)));
            }
        }
        base
    }
}

/// The matching lines, newest first, `limit` from `offset`, as people read them.
async fn lines(
    state: &AppState,
    page: &Page,
    f: &Filter,
    limit: u32,
    offset: u32,
) -> Result<Vec<Line>, PageError> {
    let lines = audit::trail(
        &state.ctx(),
        &page.acting,
        &AuditQuery {
            actor: f.actor.clone(),
            actor_name: f.actor_name.clone(),
            action: f.action.clone(),
            since_ms: f.from.map(day_start_ms),
            until_ms: f.to.map(|d| day_start_ms(d) + 86_400_000),
            limit: Some(limit),
            offset: Some(offset),
            newest_first: Some(true),
        },
    )
    .await?;
    let mut names = Names::new(state);
    let mut rows = Vec::with_capacity(lines.len());
    for l in lines {
        let approved = match l.entry_index {
            Some(e) => xueshi_store::names::act_approved(&state.db, &l.action, e)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        let about = match &l.subject {
            Some(s) => subject_zh(state, &mut names, s).await,
            None => String::new(),
        };
        rows.push(Line {
            action_zh: action_zh(&l.action, approved),
            who: names.full(&l.actor).await,
            about,
            detail: l.detail.as_deref().map(detail_zh).unwrap_or_default(),
            l,
        });
    }
    Ok(rows)
}

/// The trail, filtered and paged.
pub async fn page(
    State(state): State<AppState>,
    page: Page,
    Query(ask): Query<Ask>,
) -> Result<Response, PageError> {
    guard(&page, "/audit")?;
    let f = Filter::of(&ask);
    let n = given(&ask.page)
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    // One line more than a page tells whether there is a next page.
    let mut rows = lines(
        &state,
        &page,
        &f,
        PER_PAGE + 1,
        (n - 1).saturating_mul(PER_PAGE),
    )
    .await?;
    let more = rows.len() > PER_PAGE as usize;
    rows.truncate(PER_PAGE as usize);
    let base = f.query();
    let actor_zh = match &f.actor {
        Some(a) => Names::new(&state).full(a).await,
        None => String::new(),
    };
    Ok(render(&Audit {
        chrome: page.chrome("审计日志", "/audit"),
        lines: rows,
        actions: &ACTIONS,
        actor: f.actor.unwrap_or_default(),
        actor_zh,
        actor_name: f.actor_name.unwrap_or_default(),
        action: f.action.unwrap_or_default(),
        from: f.from.map(|d| d.to_string()).unwrap_or_default(),
        to: f.to.map(|d| d.to_string()).unwrap_or_default(),
        page: n,
        base,
        prev: (n > 1).then(|| n - 1),
        next: more.then(|| n + 1),
        problem: f.problem,
    }))
}

/// The most lines one export holds (the API's largest page); a longer trail is narrowed by
/// days or operator, and the workbook says it was cut.
const EXPORT_MAX: u32 = 10_000;

/// `/audit/export.xlsx`: the filtered trail as an Excel workbook, in the words of the page
/// (operator by agency and name, action in Chinese, the person masked), newest first.
pub async fn export(
    State(state): State<AppState>,
    page: Page,
    Query(ask): Query<Ask>,
) -> Result<Response, PageError> {
    guard(&page, "/audit")?;
    let f = Filter::of(&ask);
    let mut rows = lines(&state, &page, &f, EXPORT_MAX + 1, 0).await?;
    let cut = rows.len() > EXPORT_MAX as usize;
    rows.truncate(EXPORT_MAX as usize);
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|x| {
            vec![
                x.l.at,
                x.who,
                x.action_zh,
                x.about,
                x.detail,
                x.l.entry_index.map(|e| e.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let mut scope = Vec::new();
    if let Some(a) = &f.actor_name {
        scope.push(format!("操作人含“{a}”"));
    }
    if let Some(a) = &f.action {
        scope.push(action_zh(a, None));
    }
    match (f.from, f.to) {
        (Some(a), Some(b)) => scope.push(format!("{a} 至 {b}")),
        (Some(a), None) => scope.push(format!("{a} 起")),
        (None, Some(b)) => scope.push(format!("至 {b}")),
        (None, None) => {}
    }
    let title = if scope.is_empty() {
        "审计日志（最新的在前）".to_owned()
    } else {
        format!("审计日志：{}（最新的在前）", scope.join("，"))
    };
    let note = cut.then(|| {
        format!("注：只导出了最新的 {EXPORT_MAX} 条；请按日期或操作人缩小范围后分次导出。")
    });
    let bytes = crate::xlsx::text_table(
        "审计日志",
        &title,
        &[
            ("时间（北京）", 18.0),
            ("操作人", 36.0),
            ("操作", 26.0),
            ("对象", 30.0),
            ("说明", 40.0),
            ("账本位置", 10.0),
        ],
        &table,
        note.as_deref(),
    )
    .map_err(|e| crate::error::ApiError::internal("audit.xlsx", &e))?;
    let day = crate::access::today(&state)?;
    Ok(crate::xlsx::download(
        &format!("xueshi-audit-{day}.xlsx"),
        &format!("审计日志-{day}.xlsx"),
        bytes,
    ))
}
