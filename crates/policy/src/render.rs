//! Renders a decision as JSON (for programs; stable keys, hours as exact decimal strings) or as
//! Chinese text (for a person). Rendering never changes a decision; the same decision always
//! renders to the same bytes (D23).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::decision::*;
use crate::input::Record;
use crate::model::{Citation, Policy, UnitClass};
use crate::rule::{RuleId, RuleSet};

fn cite_json(c: &Citation) -> Value {
    json!({ "doc": c.doc, "section": c.section, "confirmed": c.confirmed, "note": c.note })
}

fn hours_json(h: &SubjectHours) -> Value {
    json!({ "total": h.total.to_string(), "professional": h.professional.to_string(), "public": h.public.to_string() })
}

fn record_json(r: &Record, o: &RecordOutcome) -> Value {
    json!({
        "id": r.id,
        "credit_year": o.credit_year,
        "claimed": o.claimed.to_string(),
        "credited": o.credited.to_string(),
        "rejected": o.rejected.map(RuleId::as_str),
        "limited_by": o.limited_by.map(RuleId::as_str),
    })
}

fn check_json(c: &Check<'_>) -> Value {
    json!({
        "rule": c.rule.as_str(),
        "year": c.year,
        "measure": c.measure.as_str(),
        "required": c.required.to_string(),
        "required_label": c.measure.required_zh(),
        "actual": c.actual.to_string(),
        "actual_label": c.measure.actual_zh(),
        "passed": c.passed,
        "citation": cite_json(c.cite),
    })
}

fn warning_json(w: &Warning, records: &[Record]) -> Value {
    json!({
        "rule": w.rule.as_str(),
        "year": w.year,
        "record": w.record.and_then(|i| records.get(i)).map(|r| r.id.as_str()),
        "detail": w.detail,
    })
}

fn trace_json(t: &[TraceStep], records: &[Record]) -> Value {
    t.iter()
        .map(|s| {
            json!({
                "record": s.record.and_then(|i| records.get(i)).map(|r| r.id.as_str()),
                "rule": s.rule.as_str(),
                "detail": s.detail,
            })
        })
        .collect()
}

/// The citation of each unconfirmed rule, from the newest of `years` that has one.
pub fn unconfirmed_citations<'p>(
    set: RuleSet,
    policy: &'p Policy,
    years: &[i32],
) -> Vec<(RuleId, Option<&'p Citation>)> {
    set.iter()
        .map(|rule| {
            let cite = years
                .iter()
                .rev()
                .filter_map(|y| policy.year(*y))
                .find_map(|y| y.citation(rule).filter(|c| !c.confirmed));
            (rule, cite)
        })
        .collect()
}

fn unconfirmed_json(set: RuleSet, policy: &Policy, years: &[i32]) -> Value {
    unconfirmed_citations(set, policy, years)
        .into_iter()
        .map(|(rule, cite)| json!({ "rule": rule.as_str(), "citation": cite.map(cite_json) }))
        .collect()
}

fn rules_json(set: RuleSet) -> Value {
    set.iter().map(RuleId::as_str).collect()
}

/// The decision as JSON.
pub fn to_json(eval: &Evaluation<'_>, policy: &Policy, records: &[Record]) -> Value {
    let mut v = match &eval.decision {
        Decision::Annual(d) => json!({
            "kind": "annual",
            "year": d.year,
            "projected_from": d.policy.projected_from,
            "required": d.required,
            "compliant": d.compliant,
            "hours": hours_json(&d.hours),
            "records": records.iter().zip(&d.records).map(|(r, o)| record_json(r, o)).collect::<Vec<_>>(),
            "checks": d.checks.iter().map(check_json).collect::<Vec<_>>(),
            "failed": rules_json(d.failed()),
            "warnings": d.warnings.iter().map(|w| warning_json(w, records)).collect::<Vec<_>>(),
            "unconfirmed": unconfirmed_json(d.unconfirmed, policy, &[d.year]),
            "trace": trace_json(&d.trace, records),
        }),
        Decision::Cycle(d) => {
            let years: Vec<i32> = (d.first..=d.last).collect();
            json!({
                "kind": "cycle",
                "years": [d.first, d.last],
                "averaged": d.averaged,
                "compliant": d.compliant,
                "yearly": d.years.iter().map(|y| json!({
                    "year": y.year,
                    "required": y.required,
                    "compliant": y.compliant,
                    "hours": hours_json(&y.hours),
                })).collect::<Vec<_>>(),
                "records": records.iter().zip(&d.records).map(|(r, o)| record_json(r, o)).collect::<Vec<_>>(),
                "checks": d.checks.iter().map(check_json).collect::<Vec<_>>(),
                "failed": rules_json(d.failed()),
                "warnings": d.warnings.iter().map(|w| warning_json(w, records)).collect::<Vec<_>>(),
                "unconfirmed": unconfirmed_json(d.unconfirmed, policy, &years),
                "trace": trace_json(&d.trace, records),
            })
        }
        Decision::Route(d) => json!({
            "kind": "route",
            "unit": d.unit.to_string(),
            "unit_class": match d.unit_class {
                UnitClass::CityDirect => "city_direct",
                UnitClass::County => "county",
                UnitClass::Zone => "zone",
            },
            "title_level": d.level.as_str(),
            "verifier": d.verifier.to_string(),
            "citation": cite_json(d.cite),
            "unconfirmed": rules_json(d.unconfirmed),
        }),
    };
    if let Value::Object(map) = &mut v {
        map.insert("engine".to_owned(), json!(eval.engine));
        map.insert(
            "policy".to_owned(),
            json!({ "name": eval.policy_name, "sha256": eval.policy_hash }),
        );
    }
    v
}

fn place_zh(p: &crate::input::Place) -> String {
    match p {
        crate::input::Place::Region(r) => match r.name() {
            Some(n) => format!("{n}（{r}）"),
            None => r.to_string(),
        },
        crate::input::Place::Zone(z) => z.clone(),
    }
}

/// The records that concern `years` (credited there, completed there, or meant for them); the
/// others are only counted, so that a long history does not bury the year being read.
fn write_records(
    out: &mut String,
    records: &[Record],
    outcomes: &[RecordOutcome],
    years: std::ops::RangeInclusive<i32>,
) {
    let _ = writeln!(out, "逐项认定：");
    let concerns = |r: &Record, o: &RecordOutcome| {
        years.contains(&o.credit_year)
            || years.contains(&r.completed.year())
            || r.for_year.is_some_and(|y| years.contains(&y))
    };
    let others = records
        .iter()
        .zip(outcomes)
        .filter(|(r, o)| !concerns(r, o))
        .count();
    for (r, o) in records.iter().zip(outcomes).filter(|(r, o)| concerns(r, o)) {
        let fate = match (o.rejected, o.limited_by) {
            (Some(rule), _) => format!("不予认定 —— {}（{rule}）", rule.zh()),
            (None, Some(rule)) => format!(
                "认定 {} 学时（申报 {}，受{}限制，{rule}）",
                o.credited,
                o.claimed,
                rule.zh()
            ),
            (None, None) => format!("认定 {} 学时", o.credited),
        };
        let _ = writeln!(
            out,
            "  [{}] {}·{}，{} 完成，计入 {} 年度：{fate}",
            r.id,
            r.subject.zh(),
            r.form.zh(),
            r.completed,
            o.credit_year
        );
    }
    if others > 0 {
        let _ = writeln!(out, "  （另有 {others} 条记录属于其他年度，未列出）");
    }
}

fn write_checks(out: &mut String, checks: &[Check<'_>]) {
    let _ = writeln!(out, "规则检查：");
    for c in checks {
        let mark = if c.passed {
            "✔ 通过"
        } else {
            "✘ 未通过"
        };
        let (m, r, a) = (c.measure, c.required, c.actual);
        let what = match (m, c.passed) {
            (Measure::LargestYear, true) if a >= r => format!(
                "{} {a} 学时，已达{} {r} 学时，但其他年度合计已达各自要求",
                m.actual_zh(),
                m.required_zh()
            ),
            (Measure::LargestYear, true) => format!(
                "{} {a} 学时，未达{} {r} 学时",
                m.actual_zh(),
                m.required_zh()
            ),
            (Measure::LargestYear, false) => format!(
                "{} 年一年认定 {a} 学时，已达{} {r} 学时，而其他年度合计未达各自要求",
                c.year,
                m.required_zh()
            ),
            (_, true) => format!("{} {r}，{} {a}", m.required_zh(), m.actual_zh()),
            (_, false) => format!(
                "{} {r}，{} {a}，差 {} 学时",
                m.required_zh(),
                m.actual_zh(),
                r - a
            ),
        };
        let _ = writeln!(
            out,
            "  {mark} {}（{}，{} 年）：{what} —— 依据 {}",
            c.rule.zh(),
            c.rule,
            c.year,
            c.cite
        );
    }
}

fn write_tail(
    out: &mut String,
    eval: &Evaluation<'_>,
    warnings: &[Warning],
    unconfirmed: RuleSet,
    trace: &[TraceStep],
    records: &[Record],
) {
    if !warnings.is_empty() {
        let _ = writeln!(out, "提示：");
        for w in warnings {
            let _ = writeln!(out, "  ⚠ {}（{}）：{}", w.rule.zh(), w.rule, w.detail);
        }
    }
    if !unconfirmed.is_empty() {
        let list: Vec<String> = unconfirmed
            .iter()
            .map(|r| format!("{}（{r}）", r.zh()))
            .collect();
        let _ = writeln!(
            out,
            "注意：本结论使用了未经原文核实的政策值：{}",
            list.join("、")
        );
    }
    if !trace.is_empty() {
        let _ = writeln!(out, "推理过程：");
        for s in trace {
            let who = s
                .record
                .and_then(|i| records.get(i))
                .map(|r| format!("[{}] ", r.id))
                .unwrap_or_default();
            let _ = writeln!(out, "  {who}{}：{}", s.rule, s.detail);
        }
    }
    let _ = writeln!(
        out,
        "引擎 {}；政策 {} sha256:{}",
        eval.engine, eval.policy_name, eval.policy_hash
    );
}

/// The decision as Chinese text for a person.
pub fn to_text(eval: &Evaluation<'_>, records: &[Record]) -> String {
    let mut out = String::new();
    match &eval.decision {
        Decision::Annual(d) => {
            let verdict = if d.compliant { "达标" } else { "不达标" };
            let _ = writeln!(out, "{} 年度继续教育学时：{verdict}", d.year);
            if let Some(from) = d.policy.projected_from {
                let _ = writeln!(
                    out,
                    "（{} 年度政策尚未发布，本结论按 {from} 年度规则推算）",
                    d.year
                );
            }
            if !d.required {
                let _ = writeln!(out, "（本人已退休或离职，该年度无学时要求）");
            }
            let h = &d.hours;
            let _ = writeln!(
                out,
                "认定学时：合计 {}，其中专业科目 {}，公需科目 {}",
                h.total, h.professional, h.public
            );
            write_records(&mut out, records, &d.records, d.year..=d.year);
            write_checks(&mut out, &d.checks);
            write_tail(
                &mut out,
                eval,
                &d.warnings,
                d.unconfirmed,
                &d.trace,
                records,
            );
        }
        Decision::Cycle(d) => {
            let verdict = if d.compliant { "达标" } else { "不达标" };
            let regime = if d.averaged {
                "过渡期内按年度平均计算"
            } else {
                "每个年度须分别达标"
            };
            let _ = writeln!(
                out,
                "任职周期 {}–{} 年继续教育学时：{verdict}（{regime}）",
                d.first, d.last
            );
            for y in &d.years {
                let h = &y.hours;
                let _ = writeln!(
                    out,
                    "  {} 年：合计 {}，专业科目 {}，公需科目 {}{}",
                    y.year,
                    h.total,
                    h.professional,
                    h.public,
                    if y.compliant {
                        ""
                    } else {
                        "（当年未达标）"
                    }
                );
            }
            write_records(&mut out, records, &d.records, d.first..=d.last);
            write_checks(&mut out, &d.checks);
            write_tail(
                &mut out,
                eval,
                &d.warnings,
                d.unconfirmed,
                &d.trace,
                records,
            );
        }
        Decision::Route(d) => {
            let _ = writeln!(
                out,
                "{} 的单位申报{}职称，继续教育学时由 {} 验证",
                place_zh(&d.unit),
                d.level.zh(),
                place_zh(&d.verifier)
            );
            let _ = writeln!(out, "依据 {}", d.cite);
            write_tail(&mut out, eval, &[], d.unconfirmed, &[], &[]);
        }
    }
    out
}
