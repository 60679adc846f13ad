//! Writes a [`Case`] back as a policy-case file (../shared/CASES.md), so that a person-year
//! exported from the store can be evaluated, read and archived like any hand-written case.
//! Every string is double-quoted with escapes: the output always parses back to the same case.

use std::fmt::Write as _;

use crate::case::{Case, Question};
use crate::input::{Amount, Exam, Place};

/// A YAML double-quoted scalar.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn place(p: &Place) -> String {
    q(&p.to_string())
}

impl Case {
    /// The case as a policy-case file.
    pub fn to_yaml(&self) -> String {
        let mut y = String::new();
        let _ = writeln!(y, "name: {}", q(&self.name));
        match &self.question {
            Question::Annual { year } => {
                let _ = writeln!(y, "kind: annual\nyear: {year}");
            }
            Question::Cycle { first, last } => {
                let _ = writeln!(y, "kind: cycle\nyears: [{first}, {last}]");
            }
            Question::Route { unit, level, year } => {
                let _ = writeln!(y, "kind: route");
                if let Some(year) = year {
                    let _ = writeln!(y, "year: {year}");
                }
                let key = if matches!(unit, Place::Zone(_)) {
                    "zone"
                } else {
                    "region"
                };
                let _ = writeln!(
                    y,
                    "unit: {{{key}: {}}}\ntitle_level: {}",
                    place(unit),
                    level.as_str()
                );
            }
        }
        let _ = writeln!(y, "policy: {}", q(&self.policy));
        let p = &self.person;
        let _ = write!(
            y,
            "person: {{cohort: {}, region: {}",
            p.cohort.as_str(),
            place(&p.place)
        );
        if let Some(left) = p.left {
            let _ = write!(y, ", left: {left}");
        }
        y.push_str("}\n");
        let r = &self.registry;
        if !r.filings.is_empty() || !r.providers.is_empty() || !r.converted.is_empty() {
            y.push_str("registry:\n");
            if !r.filings.is_empty() {
                y.push_str("  filings:\n");
                for f in &r.filings {
                    let _ = writeln!(
                        y,
                        "    - {{id: {}, approved: {}, region: {}}}",
                        q(&f.id),
                        f.approved,
                        place(&f.place)
                    );
                }
            }
            if !r.providers.is_empty() {
                y.push_str("  providers:\n");
                for pr in &r.providers {
                    let regs: Vec<String> = pr
                        .registrations
                        .iter()
                        .map(|g| {
                            format!(
                                "{{region: {}, from: {}, to: {}}}",
                                place(&g.place),
                                g.from,
                                g.to
                            )
                        })
                        .collect();
                    let _ = writeln!(
                        y,
                        "    - {{id: {}, registered: [{}]}}",
                        q(&pr.id),
                        regs.join(", ")
                    );
                }
            }
            if !r.converted.is_empty() {
                let list: Vec<String> = r.converted.iter().map(|c| q(c)).collect();
                let _ = writeln!(y, "  converted: [{}]", list.join(", "));
            }
        }
        if !self.records.is_empty() {
            y.push_str("records:\n");
        }
        for rec in &self.records {
            let _ = write!(
                y,
                "  - {{id: {}, subject: {}, form: {}",
                q(&rec.id),
                rec.subject.as_str(),
                rec.form.as_str()
            );
            if let Some(pr) = &rec.provider {
                let _ = write!(y, ", provider: {}", q(&pr.to_string()));
            }
            if let Some(s) = rec.started {
                let _ = write!(y, ", started: {s}");
            }
            let _ = write!(y, ", completed: {}", rec.completed);
            match rec.amount {
                Some(Amount::Hours(h)) => {
                    let _ = write!(y, ", hours: {h}");
                }
                Some(Amount::Minutes(m)) => {
                    let _ = write!(y, ", minutes: {m}");
                }
                None => {}
            }
            if rec.exam != Exam::None {
                let _ = write!(y, ", exam: {}", rec.exam.as_str());
            }
            if let Some(fy) = rec.for_year {
                let _ = write!(y, ", for_year: {fy}");
            }
            for (key, value) in [
                ("filing", &rec.filing),
                ("conversion", &rec.conversion),
                ("achievement", &rec.achievement),
            ] {
                if let Some(v) = value {
                    let _ = write!(y, ", {key}: {}", q(v));
                }
            }
            if let Some(reg) = rec.registered {
                let _ = write!(y, ", registered: {reg}");
            }
            y.push_str("}\n");
        }
        y.push_str("expect: {}\n");
        y
    }
}

#[cfg(test)]
mod tests {
    use crate::case::parse_case;
    use crate::load::load_embedded;

    #[test]
    fn a_case_written_out_parses_back_to_itself() {
        let policy = load_embedded("anhui").unwrap();
        let text = "name: \"引号\\\"与换行\\n\"\nkind: annual\nyear: 2026\nperson: {cohort: old, region: \"341522\", left: 2027-03-01}
registry:
  filings: [{id: \"六人社培备〔2026〕7号\", approved: 2026-02-10, region: \"341500\"}]
  providers: [{id: \"皖江: 在线\", registered: [{region: \"341500\", from: 2026-01-01, to: 2026-12-31}]}]
  converted: [\"ZL1\"]
records:
  - {id: \"a #1\", subject: public, form: online, provider: base:1, started: 2026-01-02, completed: 2026-02-01, hours: 2.5, exam: pass, for_year: 2026}
  - {id: b, subject: professional, form: training_class, completed: 2026-03-01, minutes: 90, filing: \"六人社培备〔2026〕7号\", registered: 2026-03-05}
  - {id: c, subject: public, form: conversion, conversion: book, achievement: \"ISBN 978\", completed: 2026-04-01}
expect: {}
";
        let case = parse_case(text, &policy).unwrap();
        let again = parse_case(&case.to_yaml(), &policy).unwrap();
        assert_eq!(case, again);
    }
}
