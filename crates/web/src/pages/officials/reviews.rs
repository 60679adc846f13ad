//! `/reviews` 审核学时: the industry authority's queue of submitted year pages, each with its
//! records of that year and the engine's reading of them, a stamp form and a rejection form
//! with a reason per record; then what the authority reviewed lately.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::{at, guard, when};
use crate::extract::ApiPath;
use crate::pages::{Chrome, Page, PageError, render};
use crate::routes::{persons, records};
use crate::state::AppState;
use xueshi_app::reviews::{self, DoneReviewView, ReviewView};

/// Pages shown in full (each reads records and asks the engine); the rest are counted.
const SHOWN: usize = 20;

/// A record of the page, with what the engine made of it.
#[derive(Debug)]
struct Line {
    label: String,
    content: String,
    subject: &'static str,
    form: &'static str,
    completed_on: String,
    claimed: String,
    credited: String,
    /// The rule that rejected or limited it, in Chinese.
    note: Option<String>,
    evidence: bool,
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
    history: Vec<ReviewView>,
}

#[derive(Template)]
#[template(path = "officials/reviews.html")]
struct Reviews {
    chrome: Chrome,
    cards: Vec<PageCard>,
    more: usize,
    done: Vec<DoneReviewView>,
}

fn subject_zh(s: &str) -> &'static str {
    xueshi_policy::input::Subject::parse(s).map_or("—", |s| s.zh())
}

fn form_zh(s: &str) -> &'static str {
    xueshi_policy::input::Form::parse(s).map_or("—", |f| f.zh())
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The queue, the pages in full, and the authority's recent acts.
pub async fn page(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    guard(&page, "/reviews")?;
    let st = || State(state.clone());
    let ctx = state.ctx();
    let pending = reviews::pending(&ctx, &page.acting, 500).await?;
    let more = pending.len().saturating_sub(SHOWN);
    let mut cards = Vec::new();
    for p in pending.into_iter().take(SHOWN) {
        let (person_id, year) = (p.subject.person_id, p.year);
        let decision = persons::person_year(st(), page.acting.clone(), ApiPath((person_id, year)))
            .await?
            .0;
        let all = records::list(st(), page.acting.clone(), ApiPath(person_id))
            .await?
            .0;
        let outcomes = at(&decision, "/records")
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let outcome = |label: &str| {
            outcomes
                .iter()
                .find(|o| at(o, "/id").as_str() == Some(label))
        };
        // The page of a year: the records the engine credits to it (D5), unvoided.
        let lines = all
            .into_iter()
            .filter(|r| r.voided.is_none())
            .filter_map(|r| {
                let o = outcome(&r.label)?;
                (at(o, "/credit_year").as_i64() == Some(i64::from(year))).then(|| {
                    let note = at(o, "/rejected")
                        .as_str()
                        .map(|rule| format!("不予认定：{}", super::rule_zh(rule)))
                        .or_else(|| {
                            at(o, "/limited_by")
                                .as_str()
                                .map(|rule| format!("受限：{}", super::rule_zh(rule)))
                        });
                    Line {
                        content: r.content,
                        subject: subject_zh(&r.subject),
                        form: form_zh(&r.form),
                        completed_on: r.completed_on,
                        claimed: text(at(o, "/claimed")),
                        credited: text(at(o, "/credited")),
                        note,
                        evidence: r.evidence.is_some(),
                        label: r.label,
                    }
                })
            })
            .collect();
        let history = reviews::history(&ctx, &page.acting, person_id, year)
            .await?
            .acts;
        cards.push(PageCard {
            person_id,
            year,
            name: p.subject.name,
            id_masked: p.subject.id_masked,
            unit_name: p.subject.unit_name,
            submitted_by: p.submitted_by,
            submitted_at: when(p.submitted_ms),
            lines,
            compliant: at(&decision, "/compliant").as_bool().unwrap_or(false),
            total: text(at(&decision, "/hours/total")),
            professional: text(at(&decision, "/hours/professional")),
            public: text(at(&decision, "/hours/public")),
            history,
        });
    }
    let done = reviews::done(&ctx, &page.acting, 50).await?;
    Ok(render(&Reviews {
        chrome: page.chrome("审核学时", "/reviews"),
        cards,
        more,
        done,
    }))
}
