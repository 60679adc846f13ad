//! `/verifications` 核验: the applications routed to the calling bureau (or, for a state-owned
//! unit, those of its own staff); `/verifications/{id}` shows the engine's decision on the
//! cycle — each check with its legal source, warnings, each record's fate, and the trace; rule
//! ids, hashes and versions under 技术信息 — who answered it and when, a stamp form (the API refuses a stamp the hours do not
//! support, or one made on a stale decision) and a refusal with reason; bureaus may also record
//! a paper verification done before the system (D17).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use xueshi_app::verifications::{self, ApplicationView, Followed, YearProgress, explain};
use xueshi_domain::Role;

use super::{Narrow, given, guard, level_zh, rule_zh, when};
use crate::pages::plain::{Names, TechInfo};
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use xueshi_store::names::{self, Answer};

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

/// An application answered lately, as people read it.
#[derive(Debug)]
struct Handled {
    f: Followed,
    level: &'static str,
}

#[derive(Template)]
#[template(path = "officials/verifications.html")]
struct Queue {
    chrome: Chrome,
    rows: Vec<Row>,
    narrow: Narrow,
    /// How many applications wait in all, before narrowing.
    waiting_all: i64,
    handled: Vec<Handled>,
}

/// The page's query, taken leniently.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Ask {
    unit: Option<String>,
    name: Option<String>,
}

/// The queue of applications to verify (narrowed to one unit or a name), then what was
/// answered lately.
pub async fn list(
    State(state): State<AppState>,
    page: Page,
    axum::extract::Query(ask): axum::extract::Query<Ask>,
) -> Result<Response, PageError> {
    guard(&page, "/verifications")?;
    let ctx = state.ctx();
    let units = verifications::pending_units(&ctx, &page.acting).await?;
    let waiting_all = units.iter().map(|u| u.waiting).sum();
    let narrow = Narrow::new("/verifications", given(&ask.unit), given(&ask.name), units);
    let apps = verifications::pending(&ctx, &page.acting, &narrow.filter, 500).await?;
    let mut names = Names::new(&state);
    let mut rows = Vec::with_capacity(apps.len());
    for a in apps {
        rows.push(Row {
            id: a.application_id,
            level: level_zh(&a.level),
            first_year: a.first_year,
            last_year: a.last_year,
            applied_at: when(a.applied_ms),
            applied_by: names.agency(&a.applied_by).await,
            name: a.subject.name,
            id_masked: a.subject.id_masked,
            unit_name: a.subject.unit_name,
        });
    }
    let handled = verifications::answered(&ctx, &page.acting, 20)
        .await?
        .into_iter()
        .map(|f| Handled {
            level: level_zh(&f.application.level),
            f,
        })
        .collect();
    Ok(render(&Queue {
        chrome: page.chrome("核验", "/verifications"),
        rows,
        narrow,
        waiting_all,
        handled,
    }))
}

/// A check of the decision, with its legal source.
#[derive(Debug)]
struct CheckLine {
    rule_zh: String,
    year: i32,
    required: String,
    actual: String,
    /// What the two numbers are (the decision's labels).
    required_label: String,
    actual_label: String,
    passed: bool,
    cite: String,
    note: Option<String>,
}

#[derive(Debug)]
struct Note {
    rule_zh: String,
    record: Option<String>,
    detail: String,
}

#[derive(Debug)]
struct RecordLine {
    label: String,
    content: String,
    credit_year: i32,
    claimed: String,
    credited: String,
    fate: Option<String>,
    bad: bool,
    /// Where the record's evidence file opens, if it has one.
    evidence: Option<String>,
}

#[derive(Template)]
#[template(path = "officials/verification.html")]
struct Detail {
    chrome: Chrome,
    app: ApplicationView,
    applied_by: String,
    /// Who answered the application and when, with a refusal's reason.
    answer: Option<Answer>,
    level: &'static str,
    compliant: bool,
    averaged: bool,
    failed: Vec<String>,
    /// Each year with what it lacks, in words.
    years: Vec<(YearProgress, Vec<String>)>,
    checks: Vec<CheckLine>,
    warnings: Vec<Note>,
    records: Vec<RecordLine>,
    trace: Vec<Note>,
    /// The decision's hash, which a stamp names (the form sends it).
    decision_hash: String,
    /// Rule ids, hashes, the engine and policy versions, unverified policy values.
    techinfo: TechInfo,
    pending: bool,
    /// Bureaus record paper verifications; a state-owned unit does not.
    offline: bool,
}

/// A record as the decision names it, for people: its label, or 网上登记 for a generated one.
fn shown(label: &str) -> String {
    crate::pages::plain::record_label(label).unwrap_or_else(|| "网上登记".to_owned())
}

fn note(n: explain::Note) -> Note {
    Note {
        rule_zh: rule_zh(&n.rule),
        record: n.record.map(|r| shown(&r)),
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
    let e = &d.explanation;
    let mut techinfo = TechInfo::default();
    let checks = e
        .checks
        .iter()
        .map(|c| CheckLine {
            rule_zh: rule_zh(&c.rule),
            year: c.year,
            required: c.required.clone(),
            actual: c.actual.clone(),
            required_label: c.required_label.clone(),
            actual_label: c.actual_label.clone(),
            passed: c.passed,
            cite: c.cite.clone(),
            note: c.note.clone(),
        })
        .collect();
    // Each record by its content, as the person wrote it (the decision names records by
    // label), and its evidence file.
    let person_id = d.application.subject.person_id;
    let stored: std::collections::HashMap<String, (String, Option<String>)> =
        xueshi_app::records::list(&state.ctx(), &page.acting, person_id)
            .await
            .map(|l| {
                l.into_iter()
                    .map(|r| (r.label, (r.content, r.evidence)))
                    .collect()
            })
            .unwrap_or_default();
    let records = e
        .records
        .iter()
        .map(|r| RecordLine {
            content: stored
                .get(&r.label)
                .map(|(c, _)| c.clone())
                .unwrap_or_default(),
            evidence: stored
                .get(&r.label)
                .and_then(|(_, e)| e.as_deref())
                .map(|h| crate::pages::me::evidence_href(person_id, h)),
            label: shown(&r.label),
            credit_year: r.credit_year,
            claimed: r.claimed.clone(),
            credited: r.credited.clone(),
            bad: r.rejected.is_some(),
            fate: match (&r.rejected, &r.limited_by) {
                (Some(rule), _) => Some(format!("不予认定：{}", rule_zh(rule))),
                (None, Some(rule)) => Some(format!("受限：{}", rule_zh(rule))),
                (None, None) => None,
            },
        })
        .collect();
    // What programs and auditors check, kept out of the page's text: the rules by id, the
    // policy values not yet verified against their source, the hashes and versions.
    let rules: Vec<String> = e
        .checks
        .iter()
        .map(|c| format!("{}：{}", c.rule, rule_zh(&c.rule)))
        .collect();
    techinfo.add("规则", rules.join("；"));
    techinfo.add("未通过的规则", d.failed.join("、"));
    let unconfirmed: Vec<String> = e
        .unconfirmed
        .iter()
        .map(|u| format!("{}（{}）{}", u.rule, rule_zh(&u.rule), u.cite))
        .collect();
    techinfo.add("未经原文核实的政策值", unconfirmed.join("；"));
    techinfo.add("判定摘要", format!("sha256:{}", d.decision_hash));
    techinfo.add("引擎", e.engine.clone());
    techinfo.add(
        "政策数据",
        format!("{} sha256:{}", e.policy_name, e.policy_hash),
    );
    let mut names = Names::new(&state);
    let answer = match d.application.act_id {
        Some(act) => names::verification_answer(
            &state.db,
            act,
            d.application.subject.person_id,
            d.application.application_id,
        )
        .await
        .map_err(crate::error::ApiError::from)?,
        None => None,
    };
    let answer = match answer {
        Some(mut a) => {
            if a.verifier.is_none() {
                a.verifier = Some(names.agency(&a.actor).await);
            }
            a.actor = names.full(&a.actor).await;
            Some(a)
        }
        None => None,
    };
    let applied_by = names.agency(&d.application.applied_by).await;
    let offline = matches!(
        page.role(),
        Role::CityBureau | Role::CountyBureau | Role::ZoneCentre
    );
    let view = Detail {
        chrome: page.chrome(&format!("核验申请 {id}"), "/verifications"),
        applied_by,
        answer,
        level: level_zh(&d.application.level),
        compliant: d.compliant,
        averaged: e.averaged,
        failed: d.failed.iter().map(|f| rule_zh(f)).collect(),
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
        warnings: e.warnings.iter().cloned().map(note).collect(),
        records,
        trace: e.trace.iter().cloned().map(note).collect(),
        decision_hash: d.decision_hash,
        techinfo,
        pending: d.application.status == "pending",
        offline,
        app: d.application,
    };
    Ok(render(&view))
}
