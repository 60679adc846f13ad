//! `/verifications` 核验: the applications routed to the calling bureau (or, for a state-owned
//! unit, those of its own staff); `/verifications/{id}` shows the engine's decision on the
//! cycle — each check with its rule id and legal source, warnings, each record's fate, and the
//! trace — with the decision's hash, a stamp form (the API refuses a stamp the hours do not
//! support, or one made on a stale decision) and a refusal with reason; bureaus may also record
//! a paper verification done before the system (D17).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use xueshi_app::verifications::{self, ApplicationView, YearProgress, explain};
use xueshi_domain::Role;

use super::{guard, level_zh, rule_zh, when};
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;

#[derive(Debug)]
struct Row {
    id: i64,
    name: String,
    id_masked: String,
    unit_name: String,
    level: &'static str,
    first_year: i32,
    last_year: i32,
    applied_by: String,
    applied_at: String,
}

#[derive(Template)]
#[template(path = "officials/verifications.html")]
struct Queue {
    chrome: Chrome,
    rows: Vec<Row>,
}

/// The queue of applications to verify.
pub async fn list(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    guard(&page, "/verifications")?;
    let apps = verifications::pending(&state.ctx(), &page.acting, 500).await?;
    let rows = apps
        .into_iter()
        .map(|a| Row {
            id: a.application_id,
            level: level_zh(&a.level),
            first_year: a.first_year,
            last_year: a.last_year,
            applied_at: when(a.applied_ms),
            applied_by: a.applied_by,
            name: a.subject.name,
            id_masked: a.subject.id_masked,
            unit_name: a.subject.unit_name,
        })
        .collect();
    Ok(render(&Queue {
        chrome: page.chrome("核验", "/verifications"),
        rows,
    }))
}

/// A check of the decision, with its legal source.
#[derive(Debug)]
struct CheckLine {
    rule: String,
    rule_zh: String,
    year: i32,
    required: String,
    actual: String,
    /// What the two numbers are (the decision's labels).
    required_label: String,
    actual_label: String,
    passed: bool,
    cite: String,
    confirmed: bool,
    note: Option<String>,
}

#[derive(Debug)]
struct Note {
    rule: String,
    rule_zh: String,
    record: Option<String>,
    detail: String,
}

#[derive(Debug)]
struct RecordLine {
    label: String,
    credit_year: i32,
    claimed: String,
    credited: String,
    fate: Option<String>,
    bad: bool,
}

#[derive(Template)]
#[template(path = "officials/verification.html")]
struct Detail {
    chrome: Chrome,
    app: ApplicationView,
    level: &'static str,
    compliant: bool,
    averaged: bool,
    failed: Vec<(String, String)>,
    /// Each year with what it lacks, in words.
    years: Vec<(YearProgress, Vec<String>)>,
    checks: Vec<CheckLine>,
    warnings: Vec<Note>,
    unconfirmed: Vec<(String, String)>,
    records: Vec<RecordLine>,
    trace: Vec<Note>,
    decision_hash: String,
    engine: String,
    policy: String,
    policy_hash: String,
    pending: bool,
    /// Bureaus record paper verifications; a state-owned unit does not.
    offline: bool,
}

fn note(n: explain::Note) -> Note {
    Note {
        rule_zh: rule_zh(&n.rule),
        rule: n.rule,
        record: n.record,
        detail: n.detail,
    }
}

/// One application with the engine's explanation, and the forms to decide it.
pub async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    guard(&page, "/verifications")?;
    let id: i64 = id.parse().map_err(|_| {
        PageError::Api(crate::error::ApiError::not_found(
            "page.not_found",
            "没有这个核验申请",
        ))
    })?;
    let d = verifications::detail(&state.ctx(), &page.acting, id).await?;
    let e = d.explanation;
    let checks = e
        .checks
        .into_iter()
        .map(|c| CheckLine {
            rule_zh: rule_zh(&c.rule),
            rule: c.rule,
            year: c.year,
            required: c.required,
            actual: c.actual,
            required_label: c.required_label,
            actual_label: c.actual_label,
            passed: c.passed,
            cite: c.cite,
            confirmed: c.confirmed,
            note: c.note,
        })
        .collect();
    let records = e
        .records
        .into_iter()
        .map(|r| RecordLine {
            bad: r.rejected.is_some(),
            fate: match (r.rejected, r.limited_by) {
                (Some(rule), _) => Some(format!("不予认定：{}（{rule}）", rule_zh(&rule))),
                (None, Some(rule)) => Some(format!("受限：{}（{rule}）", rule_zh(&rule))),
                (None, None) => None,
            },
            label: r.label,
            credit_year: r.credit_year,
            claimed: r.claimed,
            credited: r.credited,
        })
        .collect();
    let unconfirmed = e
        .unconfirmed
        .into_iter()
        .map(|u| (format!("{}（{}）", rule_zh(&u.rule), u.rule), u.cite))
        .collect();
    let offline = matches!(
        page.role(),
        Role::CityBureau | Role::CountyBureau | Role::ZoneCentre
    );
    let view = Detail {
        chrome: page.chrome(&format!("核验申请 {id}"), "/verifications"),
        level: level_zh(&d.application.level),
        compliant: d.compliant,
        averaged: e.averaged,
        failed: d.failed.iter().map(|f| (f.clone(), rule_zh(f))).collect(),
        years: d
            .years
            .into_iter()
            .map(|y| {
                let short = y
                    .missing
                    .iter()
                    .map(|m| format!("{}差 {} 学时", rule_zh(&m.rule), m.short_by))
                    .collect();
                (y, short)
            })
            .collect(),
        checks,
        warnings: e.warnings.into_iter().map(note).collect(),
        unconfirmed,
        records,
        trace: e.trace.into_iter().map(note).collect(),
        decision_hash: d.decision_hash,
        engine: e.engine,
        policy: e.policy_name,
        policy_hash: e.policy_hash,
        pending: d.application.status == "pending",
        offline,
        app: d.application,
    };
    Ok(render(&view))
}
