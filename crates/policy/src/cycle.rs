//! Tenure-cycle evaluation (D15): in the transition the cycle need only meet the yearly
//! requirements on average, but not by cramming them into one year; afterwards every year must
//! meet its own. Each year is judged by the annual engine first.

use xueshi_domain::Hours;

use crate::annual::{Facts, Notes, Options, evaluate_annual};
use crate::decision::*;
use crate::input::Record;
use crate::model::Policy;
use crate::rule::RuleId;

/// Evaluates the cycle `first..=last`.
pub fn evaluate_cycle<'p>(
    policy: &'p Policy,
    facts: Facts<'_>,
    records: &[Record],
    first: i32,
    last: i32,
    opts: Options,
) -> Result<CycleDecision<'p>, EvalError> {
    if first > last {
        return Err(EvalError::BadCycle(first, last));
    }
    let last_policy = policy.year(last).ok_or(EvalError::NoPolicyForYear(last))?;
    let years = (first..=last)
        .map(|y| evaluate_annual(policy, facts, records, y, opts))
        .collect::<Result<Vec<_>, _>>()?;
    let mut notes = Notes::new(opts);
    let until = &last_policy.cycle.average_until;
    notes.used(RuleId::CycleAverageTotal, &until.cite);
    let averaged = last <= until.value;

    let mut records_out: Vec<RecordOutcome> = Vec::with_capacity(records.len());
    for (i, _) in records.iter().enumerate() {
        let in_cycle = years.iter().find_map(|y| {
            let o = y.records.get(i)?;
            (o.credit_year == y.year).then_some(*o)
        });
        let outcome = match (in_cycle, years.first().and_then(|y| y.records.get(i))) {
            (Some(o), _) => o,
            (None, Some(o)) => {
                RecordOutcome::rejected(o.credit_year, o.claimed, RuleId::RecordYear)
            }
            (None, None) => continue,
        };
        records_out.push(outcome);
    }

    let mut unconfirmed = notes.unconfirmed;
    for y in &years {
        unconfirmed = unconfirmed.union(y.unconfirmed);
        notes.warnings.extend(y.warnings.iter().cloned());
        notes.trace.extend(y.trace.iter().cloned());
    }
    notes.unconfirmed = unconfirmed;

    let sum = |f: fn(&AnnualDecision<'_>) -> Hours| -> Hours { years.iter().map(f).sum() };
    let req = |y: &AnnualDecision<'_>, rule: RuleId| -> Hours {
        y.checks
            .iter()
            .find(|c| c.rule == rule)
            .map_or(Hours::ZERO, |c| c.required)
    };
    let cycle = &last_policy.cycle;
    let mut checks = Vec::new();
    if averaged {
        let mut average =
            |rule: RuleId, annual: RuleId, actual: fn(&AnnualDecision<'_>) -> Hours, cite| {
                notes.used(rule, cite);
                let required: Hours = years.iter().map(|y| req(y, annual)).sum();
                let actual = sum(actual);
                Check {
                    rule,
                    year: last,
                    measure: Measure::CycleSum,
                    required,
                    actual,
                    passed: actual >= required,
                    cite,
                }
            };
        checks.push(average(
            RuleId::CycleAverageTotal,
            RuleId::AnnualTotalMin,
            |y| y.hours.total,
            &cycle.average_until.cite,
        ));
        checks.push(average(
            RuleId::CycleAverageProfessional,
            RuleId::AnnualProfessionalMin,
            |y| y.hours.professional,
            &cycle.average_professional,
        ));
        checks.push(average(
            RuleId::CycleAveragePublic,
            RuleId::AnnualPublicMin,
            |y| y.hours.public,
            &cycle.average_public,
        ));
        checks.push(no_cramming(&years, last, &cycle.no_cramming, &mut notes));
        notes.step(None, RuleId::CycleAverageTotal, || {
            format!(
                "{first}–{last} 年在过渡期（至 {} 年）内，任职周期年度学时平均达标即可",
                until.value
            )
        });
    } else {
        for y in &years {
            checks.extend(y.checks.iter().copied());
        }
        notes.step(None, RuleId::CycleAverageTotal, || {
            format!(
                "过渡期已于 {} 年结束，周期内每个年度均须达到当年要求",
                until.value
            )
        });
    }
    cycle_warnings(&years, &mut notes, last_policy);

    let compliant = checks.iter().all(|c| c.passed);
    Ok(CycleDecision {
        first,
        last,
        averaged,
        compliant,
        years,
        records: records_out,
        checks,
        warnings: notes.warnings,
        unconfirmed: notes.unconfirmed,
        trace: notes.trace,
    })
}

/// Fails when one year alone reaches the whole cycle's required total while the other years
/// together fall short of their own requirements.
fn no_cramming<'p>(
    years: &[AnnualDecision<'p>],
    last: i32,
    cite: &'p crate::model::Citation,
    notes: &mut Notes,
) -> Check<'p> {
    notes.used(RuleId::CycleNoCramming, cite);
    let req = |y: &AnnualDecision<'_>| {
        y.checks
            .iter()
            .find(|c| c.rule == RuleId::AnnualTotalMin)
            .map_or(Hours::ZERO, |c| c.required)
    };
    let cycle_required: Hours = years.iter().map(req).sum();
    let cycle_total: Hours = years.iter().map(|y| y.hours.total).sum();
    let crammed = years.iter().find(|y| {
        let others_total = cycle_total - y.hours.total;
        let others_required = cycle_required - req(y);
        cycle_required > Hours::ZERO
            && y.hours.total >= cycle_required
            && others_total < others_required
    });
    let heaviest = years
        .iter()
        .map(|y| y.hours.total)
        .max()
        .unwrap_or_default();
    if let Some(y) = crammed {
        notes.step(None, RuleId::CycleNoCramming, || {
            format!(
                "{} 年一年的 {} 学时已达整个周期要求 {cycle_required}，而其他年度合计未达各自要求",
                y.year, y.hours.total
            )
        });
    }
    Check {
        rule: RuleId::CycleNoCramming,
        year: crammed.map_or(last, |y| y.year),
        measure: Measure::LargestYear,
        required: cycle_required,
        actual: crammed.map_or(heaviest, |y| y.hours.total),
        passed: crammed.is_none(),
        cite,
    }
}

fn cycle_warnings(
    years: &[AnnualDecision<'_>],
    notes: &mut Notes,
    last: &crate::model::YearPolicy,
) {
    let factor = last.cycle.heavy_factor.value;
    for y in years {
        let required = y
            .checks
            .iter()
            .find(|c| c.rule == RuleId::AnnualTotalMin)
            .map_or(Hours::ZERO, |c| c.required);
        if required == Hours::ZERO {
            continue;
        }
        if y.hours.total == Hours::ZERO {
            notes.used(RuleId::CycleZeroYear, &last.cycle.zero_year);
            notes.warn(
                RuleId::CycleZeroYear,
                Some(y.year),
                None,
                format!("{} 年度没有认定学时", y.year),
            );
        } else if y.hours.total > required.times(factor) {
            notes.used(RuleId::CycleHeavyYear, &last.cycle.heavy_factor.cite);
            notes.warn(
                RuleId::CycleHeavyYear,
                Some(y.year),
                None,
                format!(
                    "{} 年度认定 {} 学时，超过当年要求 {required} 的 {factor} 倍",
                    y.year, y.hours.total
                ),
            );
        }
    }
}
