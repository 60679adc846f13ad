//! `/reviews` 审核学时: the industry authority's queue of submitted year pages, each with its
//! records of that year and the engine's reading of them, a stamp form and a rejection form
//! with a reason per record (collapsed until opened, so a long queue stays short on a phone),
//! ten pages at a time, narrowed to one unit or a name; pages picked on the screen are stamped
//! together (one act each, by `people.js`); then what the authority reviewed lately.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Narrow, given, guard, when};
use crate::pages::plain::Names;
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use xueshi_app::persons;
use xueshi_app::reviews::{self, DoneReviewView, ReviewView};

/// Year pages per screen (each reads records and asks the engine); the rest are paged.
const SHOWN: usize = 10;

/// The page's query, taken leniently.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Ask {
    page: Option<String>,
    unit: Option<String>,
    name: Option<String>,
}

/// One review done, as people read it.
#[derive(Debug)]
struct Done {
    d: DoneReviewView,
    by: String,
    /// Each reason with its record as people read it.
    reasons: Vec<(String, String)>,
}

/// An earlier review of a page: the act, who (agency and official), and its reasons by record.
type Past = (ReviewView, String, Vec<(String, String)>);

fn shown(label: &str) -> String {
    crate::pages::plain::record_label(label).unwrap_or_else(|| "网上登记".to_owned())
}

/// A record of the page, with what the engine made of it.
#[derive(Debug)]
struct Line {
    /// The record's label as the API knows it (sent back with a reason).
    label: String,
    /// The label as people read it.
    shown: String,
    content: String,
    subject: &'static str,
    form: &'static str,
    completed_on: String,
    claimed: String,
    credited: String,
    /// The rule that rejected or limited it, in Chinese.
    note: Option<String>,
    /// Where the record's evidence file opens, if it has one.
    evidence: Option<String>,
}

#[derive(Debug)]
struct PageCard {
    person_id: i64,
    year: i32,
    name: String,
    id_masked: String,
    unit_name: String,
    submitted_by: String,
    submitted_at: String,
    lines: Vec<Line>,
    compliant: bool,
    total: String,
    professional: String,
    public: String,
    history: Vec<Past>,
}

#[derive(Template)]
#[template(path = "officials/reviews.html")]
struct Reviews {
    chrome: Chrome,
    cards: Vec<PageCard>,
    total: usize,
    page: usize,
    prev: Option<usize>,
    next: Option<usize>,
    done: Vec<Done>,
    narrow: Narrow,
    /// How many pages wait in all, before narrowing.
    waiting_all: i64,
}

fn subject_zh(s: &str) -> &'static str {
    xueshi_policy::input::Subject::parse(s).map_or("—", |s| s.zh())
}

fn form_zh(s: &str) -> &'static str {
    xueshi_policy::input::Form::parse(s).map_or("—", |f| f.zh())
}

/// The queue, the pages in full, and the authority's recent acts.
pub async fn page(
    State(state): State<AppState>,
    page: Page,
    axum::extract::Query(ask): axum::extract::Query<Ask>,
) -> Result<Response, PageError> {
    guard(&page, "/reviews")?;
    let mut names = Names::new(&state);
    let ctx = state.ctx();
    let units = reviews::pending_units(&ctx, &page.acting).await?;
    let waiting_all = units.iter().map(|u| u.waiting).sum();
    let narrow = Narrow::new("/reviews", given(&ask.unit), given(&ask.name), units);
    let pending = reviews::pending(&ctx, &page.acting, &narrow.filter, 500).await?;
    let total = pending.len();
    let pages = total.div_ceil(SHOWN).max(1);
    let n = ask
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let mut cards = Vec::new();
    for p in pending.into_iter().skip((n - 1) * SHOWN).take(SHOWN) {
        let (person_id, year) = (p.subject.person_id, p.year);
        let year_page = persons::year_page(&ctx, &page.acting, person_id, year).await?;
        let decision = year_page.decision;
        // The page of a year: the records the engine credits to it (D5), unvoided.
        let lines = year_page
            .records
            .into_iter()
            .map(
                |persons::PageRecord {
                     record: r,
                     outcome: o,
                 }| {
                    let note = o
                        .rejected
                        .map(|rule| format!("不予认定：{}", rule.zh()))
                        .or_else(|| o.limited_by.map(|rule| format!("受限：{}", rule.zh())));
                    Line {
                        content: r.content,
                        subject: subject_zh(&r.subject),
                        form: form_zh(&r.form),
                        completed_on: r.completed_on,
                        claimed: o.claimed.to_string(),
                        credited: o.credited.to_string(),
                        note,
                        evidence: r
                            .evidence
                            .as_deref()
                            .map(|h| crate::pages::me::evidence_href(person_id, h)),
                        shown: shown(&r.label),
                        label: r.label,
                    }
                },
            )
            .collect();
        let acts = reviews::history(&ctx, &page.acting, person_id, year)
            .await?
            .acts;
        let mut history = Vec::with_capacity(acts.len());
        for a in acts {
            let by = names.full(&a.actor).await;
            let reasons = a
                .reasons
                .iter()
                .map(|r| (shown(&r.record), r.reason.clone()))
                .collect();
            history.push((a, by, reasons));
        }
        cards.push(PageCard {
            person_id,
            year,
            name: p.subject.name,
            id_masked: p.subject.id_masked,
            unit_name: p.subject.unit_name,
            submitted_by: names.agency(&p.submitted_by).await,
            submitted_at: when(p.submitted_ms),
            lines,
            compliant: decision.compliant,
            total: decision.total.to_string(),
            professional: decision.professional.to_string(),
            public: decision.public.to_string(),
            history,
        });
    }
    let done = reviews::done(&ctx, &page.acting, 20).await?;
    let mut done_lines = Vec::with_capacity(done.len());
    for d in done {
        let by = names.full(&d.act.actor).await;
        let reasons = d
            .act
            .reasons
            .iter()
            .map(|r| (shown(&r.record), r.reason.clone()))
            .collect();
        done_lines.push(Done { d, by, reasons });
    }
    Ok(render(&Reviews {
        chrome: page.chrome("审核学时", "/reviews"),
        cards,
        total,
        page: n,
        prev: (n > 1).then(|| n - 1),
        next: (n < pages).then(|| n + 1),
        done: done_lines,
        narrow,
        waiting_all,
    }))
}
