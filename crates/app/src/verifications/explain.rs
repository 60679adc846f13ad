//! The engine's decision on a cycle, typed for people's pages: each check with its measure and
//! legal source, each record's fate, the warnings, the trace, the unconfirmed policy values.
//! The JSON API carries the same decision as the engine's JSON (`render::to_json`); pages read
//! this instead of digging in that JSON.

use xueshi_policy::decision::{CycleDecision, Evaluation, TraceStep, Warning};
use xueshi_policy::input::Record;
use xueshi_policy::model::Citation;
use xueshi_policy::{Policy, render};

/// A check of the decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckLine {
    pub rule: String,
    pub year: i32,
    pub required: String,
    pub actual: String,
    /// What the two numbers are, in Chinese.
    pub required_label: String,
    pub actual_label: String,
    pub passed: bool,
    /// The legal source: document and section.
    pub cite: String,
    pub confirmed: bool,
    pub note: Option<String>,
}

/// A record and what the engine made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordFate {
    /// The record's id in the case (`r<id>`).
    pub label: String,
    pub credit_year: i32,
    pub claimed: String,
    pub credited: String,
    /// The rule that excluded it entirely.
    pub rejected: Option<String>,
    /// The rule that credited less than claimed.
    pub limited_by: Option<String>,
}

/// A warning or a step of the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub rule: String,
    /// The record concerned, if one.
    pub record: Option<String>,
    pub detail: String,
}

/// A policy value the decision used that is not yet confirmed against the notice's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unconfirmed {
    pub rule: String,
    pub cite: String,
}

/// The decision on a cycle, typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The transition: the cycle need only meet the requirement on average.
    pub averaged: bool,
    pub checks: Vec<CheckLine>,
    pub records: Vec<RecordFate>,
    pub warnings: Vec<Note>,
    pub unconfirmed: Vec<Unconfirmed>,
    pub trace: Vec<Note>,
    /// The engine's name and version.
    pub engine: String,
    pub policy_name: String,
    pub policy_hash: String,
}

fn cite(c: &Citation) -> String {
    format!("{} {}", c.doc, c.section).trim().to_owned()
}

fn record_id(records: &[Record], index: Option<usize>) -> Option<String> {
    index.and_then(|i| records.get(i)).map(|r| r.id.clone())
}

fn warning(w: &Warning, records: &[Record]) -> Note {
    Note {
        rule: w.rule.as_str().to_owned(),
        record: record_id(records, w.record),
        detail: w.detail.clone(),
    }
}

fn step(s: &TraceStep, records: &[Record]) -> Note {
    Note {
        rule: s.rule.as_str().to_owned(),
        record: record_id(records, s.record),
        detail: s.detail.clone(),
    }
}

impl Explanation {
    pub fn of_cycle(
        eval: &Evaluation<'_>,
        d: &CycleDecision<'_>,
        policy: &Policy,
        records: &[Record],
    ) -> Self {
        let years: Vec<i32> = (d.first..=d.last).collect();
        Self {
            averaged: d.averaged,
            checks: d
                .checks
                .iter()
                .map(|c| CheckLine {
                    rule: c.rule.as_str().to_owned(),
                    year: c.year,
                    required: c.required.to_string(),
                    actual: c.actual.to_string(),
                    required_label: c.measure.required_zh().to_owned(),
                    actual_label: c.measure.actual_zh().to_owned(),
                    passed: c.passed,
                    cite: cite(c.cite),
                    confirmed: c.cite.confirmed,
                    note: c.cite.note.clone(),
                })
                .collect(),
            records: records
                .iter()
                .zip(&d.records)
                .map(|(r, o)| RecordFate {
                    label: r.id.clone(),
                    credit_year: o.credit_year,
                    claimed: o.claimed.to_string(),
                    credited: o.credited.to_string(),
                    rejected: o.rejected.map(|r| r.as_str().to_owned()),
                    limited_by: o.limited_by.map(|r| r.as_str().to_owned()),
                })
                .collect(),
            warnings: d.warnings.iter().map(|w| warning(w, records)).collect(),
            unconfirmed: render::unconfirmed_citations(d.unconfirmed, policy, &years)
                .into_iter()
                .map(|(rule, c)| Unconfirmed {
                    rule: rule.as_str().to_owned(),
                    cite: c.map(cite).unwrap_or_default(),
                })
                .collect(),
            trace: d.trace.iter().map(|s| step(s, records)).collect(),
            engine: eval.engine.to_owned(),
            policy_name: eval.policy_name.to_owned(),
            policy_hash: eval.policy_hash.to_owned(),
        }
    }
}
