//! A professional's own pages — 我的学时 (`/me`), 登记学习 (`/me/records/new`), 职称申报准备
//! (`/me/readiness`) — and the read-only 学时情况 of one person (`/persons/{id}`) for whoever may
//! see their records (their unit, authorities and bureaus in jurisdiction). Everything is read
//! through the use cases of `xueshi_app` that the API calls too (the engine's decisions per
//! year, the records, reviews, applications, bookings, readiness); forms post to the API through `app.js`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use xueshi_app::Scope;
use xueshi_policy::input::{Form, ProviderKind, Subject};
use xueshi_policy::rule::RuleId;

use super::plain::Names;
use super::{Chrome, Page, PageError, percent, render};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::state::AppState;
use xueshi_app::persons::{self, Measure, Outcome, PersonYear};
use xueshi_app::profile::{self, Profile};
use xueshi_app::records::{self, RecordView};
use xueshi_app::reviews::{self, ReviewHistory};
use xueshi_app::units::BookingInfo;
use xueshi_app::verifications::{self as verification, ApplicationView, Readiness};

/// The person a professional's pages are about: themself.
pub(super) fn own_person(page: &Page) -> Result<i64, PageError> {
    match page.acting.principal.scope() {
        Scope::Professional { person } => Ok(person.0),
        _ => Err(PageError::Api(ApiError::forbidden(
            "auth.role",
            "该页面只供专业技术人员本人使用",
        ))),
    }
}

pub(super) fn level_zh(level: &str) -> &'static str {
    match level {
        "junior" => "初级",
        "intermediate" => "中级",
        "senior" => "高级",
        _ => "未知级别",
    }
}

pub(super) fn subject_zh(s: &str) -> &'static str {
    Subject::parse(s).map_or("未知科目", Subject::zh)
}

pub(super) fn form_zh(s: &str) -> &'static str {
    Form::parse(s).map_or("未知形式", Form::zh)
}

/// A rule id as people read it: `年度总学时下限（annual.total_min）`.
pub(super) fn rule_zh(rule: &str) -> String {
    match rule.parse::<RuleId>() {
        Ok(r) => r.zh().to_owned(),
        Err(_) => rule.to_owned(),
    }
}

/// The citation of a rule in a year's policy, for people.
fn rule_cite(state: &AppState, rule: &str, year: i32) -> String {
    rule.parse::<RuleId>()
        .ok()
        .and_then(|r| {
            state
                .policy
                .year(year)?
                .citation(r)
                .map(ToString::to_string)
        })
        .unwrap_or_default()
}

/// A provider as people read it.
pub(super) fn provider_zh(state: &AppState, p: &str, year: i32) -> String {
    if let Some(n) = p.strip_prefix("base:") {
        let name = state.policy.year(year).and_then(|y| {
            y.bases
                .iter()
                .find(|b| n.parse::<u8>().ok() == Some(b.number))
                .map(|b| format!("{}（{}）", b.name, b.subject))
        });
        return name.unwrap_or_else(|| format!("国家级基地 {n}"));
    }
    if let Some(k) = p.strip_prefix("kind:") {
        return ProviderKind::parse(k).map_or_else(|| k.to_owned(), |k| k.zh().to_owned());
    }
    p.to_owned()
}

/// One bar toward a yearly minimum.
pub(super) struct Meter {
    pub label: &'static str,
    pub actual: String,
    pub required: String,
    /// Hours still missing to the minimum.
    pub short: String,
    pub pct: i64,
    pub ok: bool,
}

/// One record as a year shows it.
pub(super) struct RecordLine {
    pub id: i64,
    pub label: String,
    pub content: String,
    pub subject: &'static str,
    pub form: &'static str,
    pub provider: String,
    pub dates: String,
    pub claimed: String,
    /// ok | warn | bad | info
    pub class: &'static str,
    pub status: String,
    /// Why not (fully) credited: the rule, its id and citation.
    pub reason: String,
    pub certificate_no: String,
    /// Where its evidence file opens, if it has one.
    pub evidence: Option<String>,
    pub registered: String,
    pub voided: bool,
    pub is_new: bool,
}

/// A year page's review state.
pub(super) struct ReviewLine {
    pub class: &'static str,
    pub text: String,
    pub reasons: Vec<(String, String)>,
    pub can_submit: bool,
}

/// One year at a glance.
pub(super) struct YearCard {
    pub year: i32,
    /// ok | short | none | not_required
    pub state: &'static str,
    pub headline: String,
    pub meters: Vec<Meter>,
    pub short_text: String,
    pub register_by: String,
    pub open: bool,
    pub review: ReviewLine,
    pub records: Vec<RecordLine>,
    pub warnings: Vec<String>,
    pub unconfirmed: bool,
}

async fn review_line(names: &mut Names, h: &ReviewHistory) -> ReviewLine {
    match (h.pending, h.acts.last()) {
        (true, _) => ReviewLine {
            class: "info",
            text: "已提交，等待行业主管部门审核".to_owned(),
            reasons: Vec::new(),
            can_submit: false,
        },
        (false, Some(a)) if a.approved => ReviewLine {
            class: "ok",
            text: format!(
                "已审核盖章（{}，{}）",
                names.agency(&a.actor).await,
                a.decided_on
            ),
            reasons: Vec::new(),
            can_submit: false,
        },
        (false, Some(a)) => ReviewLine {
            class: "bad",
            text: format!(
                "审核退回（{}，{}）：请按理由更正后重新提交",
                names.agency(&a.actor).await,
                a.decided_on
            ),
            reasons: a
                .reasons
                .iter()
                .map(|r| {
                    (
                        super::plain::record_label(&r.record)
                            .unwrap_or_else(|| "网上登记的记录".to_owned()),
                        r.reason.clone(),
                    )
                })
                .collect(),
            can_submit: true,
        },
        (false, None) => ReviewLine {
            class: "warn",
            text: "尚未提交审核".to_owned(),
            reasons: Vec::new(),
            can_submit: true,
        },
    }
}

/// Record outcomes of the decisions, by label, from the decision of the record's own credit
/// year where it was loaded.
fn outcomes(decisions: &[PersonYear]) -> std::collections::HashMap<String, Outcome> {
    let mut out: std::collections::HashMap<String, Outcome> = std::collections::HashMap::new();
    for d in decisions {
        for o in &d.outcomes {
            if o.credit_year == d.year || !out.contains_key(&o.label) {
                out.insert(o.label.clone(), o.clone());
            }
        }
    }
    out
}

/// Where a person's evidence file opens (the API serves it, authorized and audited).
pub(crate) fn evidence_href(person_id: i64, hash: &str) -> String {
    format!("/api/persons/{person_id}/evidence/{hash}")
}

async fn record_line(
    state: &AppState,
    names: &mut Names,
    person_id: i64,
    r: &RecordView,
    o: Option<&Outcome>,
    new: &[i64],
) -> RecordLine {
    let completed_year = r.completed_year();
    let claimed = match (&r.hours, r.minutes) {
        (Some(h), _) => format!("{h} 学时"),
        (None, Some(m)) => format!("{m} 分钟"),
        (None, None) => "按折算表".to_owned(),
    };
    let (class, status, reason) = match (&r.voided, o) {
        (Some(v), _) => (
            "info",
            "已作废".to_owned(),
            format!(
                "{}（{}，{}）",
                v.reason,
                names.agency(&v.actor).await,
                v.voided_on
            ),
        ),
        (None, None) => ("info", "待认定".to_owned(), String::new()),
        (None, Some(o)) => {
            let year = o.credit_year;
            let credited = o.credited;
            match (
                o.rejected.map(|r| r.as_str()),
                o.limited_by.map(|r| r.as_str()),
            ) {
                (Some(rule), _) => (
                    "bad",
                    "不予认定".to_owned(),
                    format!(
                        "{}{}",
                        rule_zh(rule),
                        cite_suffix(&rule_cite(state, rule, year))
                    ),
                ),
                (None, Some(rule)) => (
                    "warn",
                    format!("认定 {credited} 学时（申报 {}）", o.claimed),
                    format!(
                        "受{}限制{}",
                        rule_zh(rule),
                        cite_suffix(&rule_cite(state, rule, year))
                    ),
                ),
                (None, None) => ("ok", format!("认定 {credited} 学时"), String::new()),
            }
        }
    };
    RecordLine {
        id: r.id,
        label: super::plain::record_label(&r.label).unwrap_or_default(),
        content: r.content.clone(),
        subject: subject_zh(&r.subject),
        form: form_zh(&r.form),
        provider: r
            .provider
            .as_deref()
            .map(|p| provider_zh(state, p, completed_year))
            .unwrap_or_default(),
        dates: match &r.started_on {
            Some(s) if *s != r.completed_on => format!("{s} 至 {}", r.completed_on),
            _ => r.completed_on.clone(),
        },
        claimed,
        class,
        status,
        reason,
        certificate_no: r.certificate_no.clone().unwrap_or_default(),
        evidence: r.evidence.as_deref().map(|h| evidence_href(person_id, h)),
        registered: format!("{} 由{}登记", r.registered_on, names.agency(&r.actor).await),
        voided: r.voided.is_some(),
        is_new: new.contains(&r.id),
    }
}

fn cite_suffix(cite: &str) -> String {
    if cite.is_empty() {
        String::new()
    } else {
        format!("，依据 {cite}")
    }
}

/// The year a record belongs to on the page: its credit year, else the year it counts for,
/// else its completion year.
fn record_year(r: &RecordView, o: Option<&Outcome>) -> i32 {
    o.map(|o| o.credit_year)
        .or(r.for_year)
        .unwrap_or_else(|| r.completed_year())
}

fn meters(d: &PersonYear) -> Vec<Meter> {
    d.meters
        .iter()
        .map(|m| {
            let required = i64::try_from(m.required.tenths()).unwrap_or(i64::MAX);
            // A minimum of 0 (公需, 2026) has no bar: its hours fill the total.
            let pct = if required == 0 {
                100
            } else {
                percent(
                    i64::try_from(m.actual.tenths()).unwrap_or(i64::MAX),
                    required,
                )
            };
            Meter {
                label: match m.measure {
                    Measure::Total => "总学时",
                    Measure::Professional => "专业科目",
                    Measure::Public => "公需科目",
                },
                actual: m.actual.to_string(),
                required: m.required.to_string(),
                short: m.short().to_string(),
                pct,
                ok: m.passed,
            }
        })
        .collect()
}

/// The year cards of a person: each year's decision, records, review.
async fn year_cards(
    state: &AppState,
    page: &Page,
    person_id: i64,
    years: &[i32],
    list: &[RecordView],
    new: &[i64],
) -> Result<(Vec<YearCard>, Vec<RecordLine>), PageError> {
    let ctx = state.ctx();
    let acting = &page.acting;
    let today = ctx.today()?;
    let mut decisions = Vec::new();
    let mut missing = Vec::new();
    for &year in years {
        match persons::year(&ctx, acting, person_id, year).await {
            Ok(d) => decisions.push(d),
            Err(e) if e.kind == xueshi_app::Kind::NotFound => missing.push((year, e.message)),
            Err(e) => return Err(ApiError::from(e).into()),
        }
    }
    let by_label = outcomes(&decisions);
    let mut names = Names::new(state);
    let mut cards = Vec::new();
    for &year in years.iter().rev() {
        let yp = state.policy.year(year);
        let register_by = yp
            .map(|y| y.registration_deadline.value.to_string())
            .unwrap_or_default();
        let open = yp.is_some_and(|y| today <= y.registration_deadline.value);
        let mut records = Vec::new();
        for r in list
            .iter()
            .filter(|r| record_year(r, by_label.get(&r.label)) == year)
        {
            records.push(
                record_line(state, &mut names, person_id, r, by_label.get(&r.label), new).await,
            );
        }
        let Some(d) = decisions.iter().find(|d| d.year == year) else {
            let note = missing
                .iter()
                .find(|(y, _)| *y == year)
                .map(|(_, m)| m.clone())
                .unwrap_or_default();
            cards.push(YearCard {
                year,
                state: "none",
                headline: note,
                meters: Vec::new(),
                short_text: String::new(),
                register_by,
                open,
                review: ReviewLine {
                    class: "info",
                    text: String::new(),
                    reasons: Vec::new(),
                    can_submit: false,
                },
                records,
                warnings: Vec::new(),
                unconfirmed: false,
            });
            continue;
        };
        let history = reviews::history(&ctx, acting, person_id, year).await?;
        let m = meters(d);
        let short: Vec<String> = m
            .iter()
            .filter(|m| !m.ok)
            .map(|m| format!("{}还差 {} 学时", m.label, m.short))
            .collect();
        let (state_name, headline) = match (d.required, d.compliant) {
            (false, _) => (
                "not_required",
                "该年度无学时要求（已离开在职岗位）".to_owned(),
            ),
            (true, true) => ("ok", "已达标".to_owned()),
            (true, false) => ("short", "未达标".to_owned()),
        };
        let warnings = d
            .warnings
            .iter()
            .map(|w| format!("{}：{}", w.rule.zh(), w.detail))
            .collect();
        cards.push(YearCard {
            year,
            state: state_name,
            headline,
            meters: m,
            short_text: short.join("，"),
            register_by,
            open,
            review: review_line(&mut names, &history).await,
            records,
            warnings,
            unconfirmed: d.unconfirmed,
        });
    }
    let mut others = Vec::new();
    for r in list
        .iter()
        .filter(|r| !years.contains(&record_year(r, by_label.get(&r.label))))
    {
        others
            .push(record_line(state, &mut names, person_id, r, by_label.get(&r.label), new).await);
    }
    Ok((cards, others))
}

/// The tenure cycle at a glance.
pub(super) struct CycleCard {
    pub level: &'static str,
    pub first: i32,
    pub last: i32,
    pub compliant: bool,
    pub missing: Vec<String>,
    pub query: String,
}

pub(super) struct ApplicationLine {
    pub text: String,
    pub class: &'static str,
    pub status: &'static str,
    /// Who answered and when (`霍邱县人力资源和社会保障局，2026-12-03`), once answered.
    pub answered: String,
    /// A refusal's reason.
    pub reason: Option<String>,
}

/// The applications, newest first, each with who answered it, when, and why not.
pub(super) async fn application_lines(
    state: &AppState,
    apps: &[ApplicationView],
) -> Vec<ApplicationLine> {
    let mut names = Names::new(state);
    let mut out = Vec::with_capacity(apps.len());
    for a in apps.iter().rev() {
        let (class, status) = match a.status.as_str() {
            "approved" => ("ok", "已核验盖章"),
            "refused" => ("bad", "核验未通过"),
            _ => ("info", "待核验"),
        };
        // An answer that cannot be read leaves the status alone rather than failing the page.
        let answer = match a.act_id {
            Some(act) => xueshi_store::names::verification_answer(
                &state.db,
                act,
                a.subject.person_id,
                a.application_id,
            )
            .await
            .ok()
            .flatten(),
            None => None,
        };
        let (answered, reason) = match answer {
            Some(x) => {
                let by = match x.verifier {
                    Some(v) => v,
                    None => names.agency(&x.actor).await,
                };
                (format!("{by}，{}", x.decided_on), x.reason)
            }
            None => (String::new(), None),
        };
        out.push(ApplicationLine {
            text: format!(
                "{}职称 · 任职周期 {}—{} 年 · 申请人 {}",
                level_zh(&a.level),
                a.first_year,
                a.last_year,
                names.agency(&a.applied_by).await
            ),
            class,
            status,
            answered,
            reason,
        });
    }
    out
}

pub(super) struct BookingLine {
    pub id: i64,
    pub when: String,
    pub place: String,
    pub persons: String,
    pub active: bool,
}

pub(super) fn booking_lines(list: &[BookingInfo], today: &str) -> Vec<BookingLine> {
    list.iter()
        .map(|b| BookingLine {
            id: b.booking_id,
            when: b.slot.when.clone(),
            place: b.slot.place.clone(),
            persons: b
                .persons
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            active: b.status == "booked" && b.slot.on.as_str() >= today,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "me/overview.html")]
struct Overview {
    chrome: Chrome,
    own: bool,
    person_id: i64,
    profile: Profile,
    years: Vec<YearCard>,
    others: Vec<RecordLine>,
    cycle: Option<CycleCard>,
    applications: Vec<ApplicationLine>,
    bookings: Vec<BookingLine>,
    registered: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    /// Ids of records just registered (to highlight them).
    new: Option<String>,
}

fn ids(text: Option<&str>) -> Vec<i64> {
    text.unwrap_or_default()
        .split([',', ' '])
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// The years shown at a glance: this year and the two before.
fn recent_years(state: &AppState) -> Result<Vec<i32>, PageError> {
    let y = crate::access::today(state)?.year();
    Ok(((y - 2)..=y).collect())
}

async fn overview(
    state: AppState,
    page: Page,
    person_id: i64,
    own: bool,
    new: Vec<i64>,
) -> Result<Response, PageError> {
    let acting = page.acting.clone();
    let profile = profile::profile(&state.ctx(), &acting, person_id).await?;
    let list = records::list(&state.ctx(), &acting, person_id).await?;
    let years = recent_years(&state)?;
    let (cards, others) = year_cards(&state, &page, person_id, &years, &list, &new).await?;
    let cycle = match profile.cycles.first() {
        Some(c) => {
            let r = verification::readiness(
                &state.ctx(),
                &acting,
                person_id,
                &c.level,
                c.first_year,
                c.last_year,
            )
            .await?;
            Some(CycleCard {
                level: level_zh(&c.level),
                first: c.first_year,
                last: c.last_year,
                compliant: r.compliant,
                missing: missing_lines(&r),
                query: format!(
                    "level={}&first_year={}&last_year={}",
                    c.level, c.first_year, c.last_year
                ),
            })
        }
        None => None,
    };
    let apps = profile::applications(&state.ctx(), &acting, person_id).await?;
    let bookings = profile::bookings(&state.ctx(), &acting, person_id).await?;
    let today = crate::access::today(&state)?.to_string();
    let title = if own {
        "我的学时".to_owned()
    } else {
        format!("{} 的学时", profile.name)
    };
    let current = if own { "/me" } else { "" };
    Ok(render(&Overview {
        chrome: page.chrome(&title, current),
        own,
        person_id,
        profile,
        years: cards,
        others,
        cycle,
        applications: application_lines(&state, &apps).await,
        bookings: booking_lines(&bookings, &today),
        registered: !new.is_empty(),
    }))
}

/// Every failed check of a readiness answer in one line each.
pub(super) fn missing_lines(r: &Readiness) -> Vec<String> {
    let mut out = Vec::new();
    for y in &r.years {
        for m in &y.missing {
            out.push(format!("{} 年 {}：{}", m.year, rule_zh(&m.rule), m.zh()));
        }
    }
    for m in &r.missing {
        out.push(format!("任职周期 {}：{}", rule_zh(&m.rule), m.zh()));
    }
    out
}

/// `/me`: the professional's years at a glance.
pub async fn me(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, PageError> {
    let person_id = own_person(&page)?;
    overview(state, page, person_id, true, ids(q.new.as_deref())).await
}

/// `/persons/{id}`: a person's years, read-only, for whoever may see their records.
pub async fn person(
    State(state): State<AppState>,
    page: Page,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Response, PageError> {
    let own = matches!(page.acting.principal.scope(),
        Scope::Professional { person } if person.0 == person_id);
    overview(state, page, person_id, own, Vec::new()).await
}

/// An option of a select.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "me/new_record.html")]
struct NewRecord {
    chrome: Chrome,
    person_id: i64,
    today: String,
    open_years: Vec<(i32, String, String)>,
    forms: Vec<Choice>,
    providers: Vec<Choice>,
    conversions: Vec<Choice>,
    /// Approved filings of trainings in the person's city, to pick a 备案号 from.
    filings: Vec<Choice>,
    minutes_per_hour: u64,
    total_min: String,
    professional_min: String,
    base_cap: String,
    max_minutes_per_day: u64,
}

/// `/me/records/new`: the registration form.
pub async fn new_record(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let person_id = own_person(&page)?;
    let profile = profile::profile(&state.ctx(), &page.acting, person_id).await?;
    let today = crate::access::today(&state)?;
    let yp = state
        .policy
        .year(today.year())
        .or_else(|| state.policy.years.last())
        .ok_or_else(|| ApiError::internal("policy", &"no years"))?;
    let mut providers = vec![Choice {
        value: String::new(),
        label: "（无，或下方填写备案机构名称）".to_owned(),
    }];
    for b in &yp.bases {
        providers.push(Choice {
            value: format!("base:{}", b.number),
            label: format!("国家级基地：{}（{}）", b.name, b.subject),
        });
    }
    for k in &yp.provider_kinds.value {
        providers.push(Choice {
            value: format!("kind:{}", k.as_str()),
            label: format!("认可类别：{}", k.zh()),
        });
    }
    let conversions = yp
        .conversion
        .as_ref()
        .map(|t| {
            t.kinds
                .iter()
                .map(|k| Choice {
                    value: k.key.clone(),
                    label: k.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    // The approved filings of the last two years in her city (a training class counts only
    // with one, D8): chosen from a list rather than typed from memory.
    let filings = match xueshi_store::people::person_unit_on(&state.db, person_id, today)
        .await
        .map_err(ApiError::from)?
    {
        Some(unit) => {
            let since = xueshi_domain::Date::new(today.year() - 2, 1, 1).unwrap_or(today);
            xueshi_store::registry::approved_filings(&state.db, unit.region.city(), since, 100)
                .await
                .map_err(ApiError::from)?
                .into_iter()
                .map(|f| Choice {
                    label: format!("{}（{} 至 {}）", f.title, f.starts_on, f.ends_on),
                    value: f.number,
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(render(&NewRecord {
        chrome: page.chrome("登记学习", "/me/records/new"),
        person_id,
        today: today.to_string(),
        open_years: profile
            .open_years
            .iter()
            .map(|y| (y.year, y.register_by.clone(), y.cite.clone()))
            .collect(),
        forms: Form::ALL
            .iter()
            .map(|f| Choice {
                value: f.as_str().to_owned(),
                label: f.zh().to_owned(),
            })
            .collect(),
        providers,
        conversions,
        filings,
        minutes_per_hour: yp.minutes_per_hour.value,
        total_min: yp.total_min.value.to_string(),
        professional_min: yp.professional_min.value.to_string(),
        base_cap: yp.base_cap.value.to_string(),
        max_minutes_per_day: yp.max_minutes_per_day.value,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct ReadinessForm {
    level: Option<String>,
    first_year: Option<i32>,
    last_year: Option<i32>,
}

/// One year of the readiness answer.
struct ReadyYear {
    year: i32,
    required: bool,
    compliant: bool,
    total: String,
    professional: String,
    public: String,
    missing: Vec<String>,
    register_by: String,
    open: bool,
    review: ReviewLine,
}

#[derive(Template)]
#[template(path = "me/readiness.html")]
struct ReadinessPage {
    chrome: Chrome,
    person_id: i64,
    level: String,
    first_year: i32,
    last_year: i32,
    levels: Vec<Choice>,
    result: Option<Readiness>,
    years: Vec<ReadyYear>,
    cycle_missing: Vec<String>,
    applications: Vec<ApplicationLine>,
    bookings: Vec<BookingLine>,
}

/// `/me/readiness`: a planned title application, checked.
pub async fn readiness(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ReadinessForm>,
) -> Result<Response, PageError> {
    let person_id = own_person(&page)?;
    let acting = page.acting.clone();
    let today = crate::access::today(&state)?;
    let profile = profile::profile(&state.ctx(), &acting, person_id).await?;
    let planned = profile.cycles.first();
    let asked = q.level.is_some();
    let level = q
        .level
        .clone()
        .or_else(|| planned.map(|c| c.level.clone()))
        .unwrap_or_else(|| "intermediate".to_owned());
    let last_year = q
        .last_year
        .or_else(|| planned.map(|c| c.last_year))
        .unwrap_or(today.year());
    let first_year = q
        .first_year
        .or_else(|| planned.map(|c| c.first_year))
        .unwrap_or(last_year - 2);
    let show = asked || planned.is_some();
    let result = if show {
        Some(
            verification::readiness(
                &state.ctx(),
                &acting,
                person_id,
                &level,
                first_year,
                last_year,
            )
            .await?,
        )
    } else {
        None
    };
    let mut years = Vec::new();
    let mut names = Names::new(&state);
    if let Some(r) = &result {
        for y in &r.years {
            let history = match reviews::history(&state.ctx(), &acting, person_id, y.year).await {
                Ok(h) => review_line(&mut names, &h).await,
                Err(_) => ReviewLine {
                    class: "info",
                    text: "该年度无任职单位".to_owned(),
                    reasons: Vec::new(),
                    can_submit: false,
                },
            };
            years.push(ReadyYear {
                year: y.year,
                required: y.required,
                compliant: y.compliant,
                total: y.total.clone(),
                professional: y.professional.clone(),
                public: y.public.clone(),
                missing: y
                    .missing
                    .iter()
                    .map(|m| format!("{}：{}", rule_zh(&m.rule), m.zh()))
                    .collect(),
                open: y.register_by.as_str() >= today.to_string().as_str(),
                register_by: y.register_by.clone(),
                review: history,
            });
        }
    }
    let cycle_missing = result
        .as_ref()
        .map(|r| {
            r.missing
                .iter()
                .map(|m| format!("{}：{}", rule_zh(&m.rule), m.zh()))
                .collect()
        })
        .unwrap_or_default();
    let apps = profile::applications(&state.ctx(), &acting, person_id).await?;
    let bookings = profile::bookings(&state.ctx(), &acting, person_id).await?;
    Ok(render(&ReadinessPage {
        chrome: page.chrome("职称申报准备", "/me/readiness"),
        person_id,
        levels: ["junior", "intermediate", "senior"]
            .iter()
            .map(|l| Choice {
                value: (*l).to_owned(),
                label: format!("{}职称", level_zh(l)),
            })
            .collect(),
        level,
        first_year,
        last_year,
        result,
        years,
        cycle_missing,
        applications: application_lines(&state, &apps).await,
        bookings: booking_lines(&bookings, &today.to_string()),
    }))
}

/// The stylesheet of these pages and the unit's (beside `app.css`).
pub async fn css() -> Response {
    super::asset(
        "text/css; charset=utf-8",
        include_str!("../../static/people.css"),
    )
}

/// The script of these pages and the unit's (beside `app.js`): staff pickers, the import
/// report, batch submissions.
pub async fn js() -> Response {
    super::asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/people.js"),
    )
}
