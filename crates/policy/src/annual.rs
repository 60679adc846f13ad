//! Annual evaluation (D2, D4–D9, D11, D21): which records count for a credit year, for how many
//! hours, and whether the year meets its minimums. Pure and deterministic: the decision depends
//! only on the policy and the inputs, never on their order.

use xueshi_domain::{Date, Hours};

use crate::decision::*;
use crate::input::*;
use crate::model::{Citation, Policy, YearPolicy};
use crate::rule::{RuleId, RuleSet};
use crate::why::Why;

/// What the records refer to: the person and the registry.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub person: &'a Person,
    pub registry: &'a Registry,
}

/// Evaluation options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Record every step with its reasoning (costs formatting; off for bulk runs).
    pub trace: bool,
}

/// Collects trace steps and warnings; formats nothing unless tracing.
pub(crate) struct Notes {
    pub trace_on: bool,
    pub trace: Vec<TraceStep>,
    pub warnings: Vec<Warning>,
    pub unconfirmed: RuleSet,
}

impl Notes {
    pub fn new(opts: Options) -> Self {
        Self {
            trace_on: opts.trace,
            trace: Vec::new(),
            warnings: Vec::new(),
            unconfirmed: RuleSet::default(),
        }
    }

    pub fn step(&mut self, record: Option<usize>, rule: RuleId, detail: impl FnOnce() -> String) {
        if self.trace_on {
            self.trace.push(TraceStep {
                record,
                rule,
                detail: detail(),
            });
        }
    }

    /// Notes that a value was used, remembering it if unconfirmed.
    pub fn used(&mut self, rule: RuleId, cite: &Citation) {
        if !cite.confirmed {
            self.unconfirmed.insert(rule);
        }
    }

    pub fn warn(&mut self, rule: RuleId, year: Option<i32>, record: Option<usize>, detail: String) {
        self.warnings.push(Warning {
            rule,
            year,
            record,
            detail,
        });
    }
}

/// Whether an authority at `authority` has jurisdiction over a unit at `unit` (D8, D7).
pub fn covers(policy: &Policy, authority: &Place, unit: &Place) -> bool {
    match (authority, unit) {
        (Place::Region(a), Place::Region(u)) => a.covers(*u),
        (Place::Region(a), Place::Zone(z)) => {
            a.level() != xueshi_domain::region::Level::County
                && zone_city(policy, z).is_some_and(|city| a.covers(city))
        }
        (Place::Zone(a), Place::Zone(u)) => a == u,
        (Place::Zone(_), Place::Region(_)) => false,
    }
}

/// The city of a development zone, from the newest routing table that names it.
pub fn zone_city(policy: &Policy, zone: &str) -> Option<xueshi_domain::RegionCode> {
    policy.years.iter().rev().find_map(|y| y.zone_city(zone))
}

/// The credit year of a record (D5), and whether its `for_year` was honoured.
pub(crate) fn credit_year(policy: &Policy, record: &Record) -> (i32, ForYear) {
    let completed_year = record.completed.year();
    match record.for_year {
        Some(fy) if fy != completed_year && record.subject == Subject::Public => {
            let in_window = policy.year(fy).is_some_and(|p| {
                Date::first_of_year(fy).is_ok_and(|start| start <= record.completed)
                    && record.completed <= p.public_deadline.value
            });
            if in_window {
                (fy, ForYear::Honoured)
            } else {
                (completed_year, ForYear::Ignored)
            }
        }
        _ => (completed_year, ForYear::NotAsked),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ForYear {
    NotAsked,
    Honoured,
    Ignored,
}

/// Evaluates one credit year.
pub fn evaluate_annual<'p>(
    policy: &'p Policy,
    facts: Facts<'_>,
    records: &[Record],
    year: i32,
    opts: Options,
) -> Result<AnnualDecision<'p>, EvalError> {
    let yp = policy.year(year).ok_or(EvalError::NoPolicyForYear(year))?;
    let mut notes = Notes::new(opts);
    let mut outcomes = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        outcomes.push(judge_record(policy, yp, facts, r, i, &mut notes));
    }
    reject_duplicate_conversions(policy, yp, facts, records, &mut outcomes, &mut notes);
    apply_base_cap(yp, records, &mut outcomes, &mut notes);

    let mut hours = SubjectHours::default();
    for (r, o) in records.iter().zip(&outcomes) {
        if o.credit_year == year {
            hours.add(r.subject, o.credited);
        }
    }
    let required = facts.person.left.is_none_or(|left| left.year() >= year);
    let checks = annual_checks(yp, &hours, required, &mut notes);
    check_daily_minutes(policy, yp, records, &outcomes, &mut notes);
    let compliant = checks.iter().all(|c| c.passed);
    Ok(AnnualDecision {
        year,
        required,
        compliant,
        hours,
        records: outcomes,
        checks,
        warnings: notes.warnings,
        unconfirmed: notes.unconfirmed,
        trace: notes.trace,
        policy: yp,
    })
}

/// The three minimums of D4 (all zero for a person no longer in service, D17a).
pub(crate) fn annual_checks<'p>(
    yp: &'p YearPolicy,
    hours: &SubjectHours,
    required: bool,
    notes: &mut Notes,
) -> Vec<Check<'p>> {
    let mut check = |rule: RuleId, min: &'p crate::model::Cited<Hours>, actual: Hours| {
        notes.used(rule, &min.cite);
        let required = if required { min.value } else { Hours::ZERO };
        Check {
            rule,
            year: yp.year,
            measure: Measure::Year,
            required,
            actual,
            passed: actual >= required,
            cite: &min.cite,
        }
    };
    vec![
        check(RuleId::AnnualTotalMin, &yp.total_min, hours.total),
        check(
            RuleId::AnnualProfessionalMin,
            &yp.professional_min,
            hours.professional,
        ),
        check(RuleId::AnnualPublicMin, &yp.public_min, hours.public),
    ]
}

/// Applies every per-record rule; the cross-record rules (duplicates, cap) come after.
fn judge_record(
    policy: &Policy,
    yp: &YearPolicy,
    facts: Facts<'_>,
    r: &Record,
    i: usize,
    notes: &mut Notes,
) -> RecordOutcome {
    let (cy, for_year) = credit_year(policy, r);
    let idx = Some(i);
    match for_year {
        ForYear::Honoured => {
            if let Some(p) = policy.year(cy) {
                notes.used(RuleId::RecordYear, &p.public_deadline.cite);
            }
            notes.step(idx, RuleId::RecordYear, || {
                format!(
                    "{} 完成，注明计入 {cy} 年度，在公需科目截止日内，计入 {cy} 年度",
                    r.completed
                )
            });
        }
        ForYear::Ignored => {
            let fy = r.for_year.unwrap_or(cy);
            if let Some(p) = policy.year(fy) {
                notes.used(RuleId::RecordYear, &p.public_deadline.cite);
            }
            if cy == yp.year || fy == yp.year {
                let deadline = policy.year(fy).map(|p| p.public_deadline.value.to_string());
                notes.warn(
                    RuleId::RecordYear,
                    Some(yp.year),
                    idx,
                    format!(
                        "记录 {} 注明计入 {fy} 年度，但完成日期 {} 不在 {fy}-01-01 至 {} 之间，按完成日期计入 {cy} 年度",
                        r.id,
                        r.completed,
                        deadline.as_deref().unwrap_or("（无该年度规则）")
                    ),
                );
            }
        }
        ForYear::NotAsked => {}
    }
    if cy != yp.year {
        notes.step(idx, RuleId::RecordYear, || {
            format!("计入 {cy} 年度，不属于 {} 年度", yp.year)
        });
        let claimed = match r.amount {
            Some(Amount::Hours(h)) => h,
            _ => Hours::ZERO,
        };
        return RecordOutcome::rejected(cy, claimed, RuleId::RecordYear);
    }

    let claimed = match r.amount {
        Some(Amount::Hours(h)) => h,
        Some(Amount::Minutes(m)) => {
            let mph = yp.minutes_per_hour.value;
            notes.used(RuleId::MinutesPerHour, &yp.minutes_per_hour.cite);
            let h = Hours::from_minutes(m, mph);
            notes.step(idx, RuleId::MinutesPerHour, || {
                format!("{m} 分钟 ÷ {mph} 分钟/学时，向下取整得 {h} 学时")
            });
            h
        }
        None => Hours::ZERO,
    };
    let reject = |notes: &mut Notes, rule: RuleId, why: Why<'_>| {
        notes.step(idx, rule, || why.to_string());
        RecordOutcome::rejected(cy, claimed, rule)
    };

    if let Some(registered) = r.registered
        && registered < r.completed
    {
        notes.used(RuleId::RecordNotCompleted, &yp.not_completed);
        return reject(
            notes,
            RuleId::RecordNotCompleted,
            Why::NotCompleted {
                registered,
                completed: r.completed,
            },
        );
    }
    if let Some(registered) = r.registered {
        let deadline = yp.registration_deadline.value;
        notes.used(RuleId::RegistrationClosed, &yp.registration_deadline.cite);
        if registered > deadline {
            return reject(
                notes,
                RuleId::RegistrationClosed,
                Why::RegistrationClosed {
                    registered,
                    year: yp.year,
                    deadline,
                },
            );
        }
    }

    let mut outcome = RecordOutcome {
        credit_year: cy,
        claimed,
        credited: claimed,
        rejected: None,
        limited_by: None,
    };
    // D6: a record that names a base is a base course whatever form it states.
    let at_base = matches!(r.provider, Some(Provider::Base(_)));
    if (r.form == Form::Online || at_base)
        && let Err((rule, why)) = check_online(policy, yp, facts, r, notes)
    {
        return reject(notes, rule, why);
    }
    if r.subject == Subject::Public
        && !at_base
        && !matches!(r.form, Form::Online | Form::Conversion)
    {
        // 235号 五(一) names conversion and online learning; other forms are a reading.
        let other = &yp.public_other_forms;
        notes.used(RuleId::PublicRoutes, &other.cite);
        if !other.value {
            return reject(
                notes,
                RuleId::PublicRoutes,
                Why::PublicRoute { form: r.form },
            );
        }
        notes.step(idx, RuleId::PublicRoutes, || {
            format!(
                "公需科目以“{}”形式学习，按本系统对 {} 的解读计入（学时折算认定、线上学习以外的形式亦可认定）",
                r.form.zh(),
                other.cite
            )
        });
    }
    match r.form {
        Form::Online => {}
        Form::TrainingClass if r.subject == Subject::Professional => {
            if let Err(why) = check_filing(policy, yp, facts, r, i, notes) {
                return reject(notes, RuleId::FilingRequired, why);
            }
        }
        Form::Conversion => match convert(policy, yp, facts, r, i, notes) {
            Ok((hours, limited)) => {
                outcome.claimed = r.amount.map_or(hours, |_| claimed);
                outcome.credited = hours;
                if limited {
                    outcome.limited_by = Some(RuleId::ConversionTable);
                }
            }
            Err(why) => return reject(notes, RuleId::ConversionTable, why),
        },
        _ => {}
    }
    notes.step(idx, RuleId::RecordYear, || {
        format!(
            "{} {} {}，完成于 {}，认定 {} 学时",
            r.subject.zh(),
            r.form.zh(),
            r.id,
            r.completed,
            outcome.credited
        )
    });
    outcome
}

/// D6 (exam) and D7 (provider) for online study.
fn check_online<'a>(
    policy: &Policy,
    yp: &'a YearPolicy,
    facts: Facts<'a>,
    r: &'a Record,
    notes: &mut Notes,
) -> Result<(), (RuleId, Why<'a>)> {
    let kinds = &yp.provider_kinds;
    match &r.provider {
        Some(Provider::Base(n)) => {
            let Some(base) = yp.bases.iter().find(|b| b.number == *n) else {
                notes.used(RuleId::ProviderRegistered, &kinds.cite);
                return Err((
                    RuleId::ProviderRegistered,
                    Why::NoSuchBase {
                        year: yp.year,
                        number: *n,
                    },
                ));
            };
            if r.subject == Subject::Public {
                notes.used(RuleId::OnlineBaseExam, &yp.base_exam);
                if r.exam != Exam::Pass {
                    return Err((RuleId::OnlineBaseExam, Why::BaseExam { base, exam: r.exam }));
                }
            }
            Ok(())
        }
        Some(Provider::Kind(k)) => {
            notes.used(RuleId::ProviderRegistered, &kinds.cite);
            if kinds.value.contains(k) {
                Ok(())
            } else {
                Err((
                    RuleId::ProviderRegistered,
                    Why::KindNotRecognised {
                        year: yp.year,
                        kind: *k,
                    },
                ))
            }
        }
        Some(Provider::Registered(id)) => {
            notes.used(RuleId::ProviderRegistered, &kinds.cite);
            let provider = facts.registry.providers.iter().find(|p| &p.id == id);
            let Some(provider) = provider else {
                return Err((RuleId::ProviderRegistered, Why::ProviderUnknown { id }));
            };
            let (first, last) = (r.first_day(), r.completed);
            let covering = |reg: &&Registration| {
                covers(policy, &reg.place, &facts.person.place)
                    && reg.from <= first
                    && last <= reg.to
            };
            // 在地市备案 (235号 五(三), D7): only a city's register counts.
            let at_city = |reg: &&Registration| matches!(reg.place, Place::Region(c) if c.level() == xueshi_domain::region::Level::City);
            let mut covered = provider.registrations.iter().filter(covering).peekable();
            if covered.peek().is_none() {
                Err((
                    RuleId::ProviderRegistered,
                    Why::ProviderOutOfPeriod { id, first, last },
                ))
            } else if covered.any(|reg| at_city(&reg)) {
                Ok(())
            } else {
                Err((
                    RuleId::ProviderRegistered,
                    Why::ProviderNotCityRegister { id },
                ))
            }
        }
        None => {
            notes.used(RuleId::ProviderRegistered, &kinds.cite);
            Err((RuleId::ProviderRegistered, Why::NoProvider))
        }
    }
}

/// D8: a professional training class needs an approved filing that covers the trainee.
fn check_filing<'a>(
    policy: &Policy,
    yp: &'a YearPolicy,
    facts: Facts<'a>,
    r: &'a Record,
    i: usize,
    notes: &mut Notes,
) -> Result<(), Why<'a>> {
    notes.used(RuleId::FilingRequired, &yp.filing_lead_days.cite);
    let Some(id) = &r.filing else {
        return Err(Why::NoFiling);
    };
    let Some(filing) = facts.registry.filings.iter().find(|f| &f.id == id) else {
        return Err(Why::FilingUnknown { id });
    };
    if !covers(policy, &filing.place, &facts.person.place) {
        return Err(Why::FilingNotCovering {
            id,
            by: &filing.place,
            unit: &facts.person.place,
        });
    }
    let lead = i32::try_from(yp.filing_lead_days.value).unwrap_or(i32::MAX);
    let start = r.first_day();
    if filing.approved.day_number().saturating_add(lead) > start.day_number() {
        return Err(Why::FilingLate {
            id,
            approved: filing.approved,
            start,
        });
    }
    notes.step(Some(i), RuleId::FilingRequired, || {
        format!("备案“{id}”于 {} 同意，开班 {start}", filing.approved)
    });
    Ok(())
}

/// D9: hours of a conversion record, and whether the table limited the claim.
fn convert<'a>(
    policy: &Policy,
    yp: &'a YearPolicy,
    facts: Facts<'a>,
    r: &'a Record,
    i: usize,
    notes: &mut Notes,
) -> Result<(Hours, bool), Why<'a>> {
    let Some(table) = &yp.conversion else {
        return Err(Why::NoConversionTable { year: yp.year });
    };
    notes.used(RuleId::ConversionTable, &table.cite);
    if !table.subjects.contains(&r.subject) {
        return Err(Why::ConversionSubject {
            subjects: &table.subjects,
        });
    }
    let claimed = match r.amount {
        Some(Amount::Hours(h)) => Some(h),
        Some(Amount::Minutes(m)) => Some(Hours::from_minutes(m, yp.minutes_per_hour.value)),
        None => None,
    };
    let Some(key) = &r.conversion else {
        notes.warn(
            RuleId::ConversionTable,
            Some(yp.year),
            Some(i),
            format!(
                "折算记录 {} 未注明成果类别，按申报 {} 学时认定，请核对折算标准",
                r.id,
                claimed.unwrap_or_default()
            ),
        );
        return Ok((claimed.unwrap_or_default(), false));
    };
    let Some(kind) = table.kind(key) else {
        return Err(Why::ConversionKindUnknown { year: yp.year, key });
    };
    notes.used(RuleId::ConversionTable, &kind.cite);
    let exception = (facts.person.cohort == Cohort::Old)
        .then(|| policy.exception(RuleId::ConversionTable, Cohort::Old, r.completed))
        .flatten();
    if let Some(e) = exception {
        notes.used(RuleId::ConversionTable, &e.cite);
    }
    let old = exception.is_some();
    let value = if old {
        kind.old.unwrap_or(kind.new)
    } else {
        kind.new
    };
    let credited = claimed.map_or(value, |c| c.min(value));
    notes.step(Some(i), RuleId::ConversionTable, || {
        format!(
            "{}（{}）按{}折算 {value} 学时",
            kind.name,
            key,
            if old { "老办法" } else { "新办法" }
        )
    });
    Ok((credited, claimed.is_some_and(|c| c > value)))
}

/// D21: one achievement is converted once. Among the records naming it that are credited in
/// their own year, the earliest credit year wins; within a year the largest credit (then
/// earliest completion, then id) — so that adding a record can never lower the year's hours.
/// A record of another year that its own year does not credit (registered late, refused) does
/// not make this one a duplicate.
fn reject_duplicate_conversions(
    policy: &Policy,
    yp: &YearPolicy,
    facts: Facts<'_>,
    records: &[Record],
    outcomes: &mut [RecordOutcome],
    notes: &mut Notes,
) {
    let named = |r: &Record| r.form == Form::Conversion && r.achievement.is_some();
    if !records.iter().any(named) {
        return;
    }
    let keys: Vec<Option<String>> = records
        .iter()
        .map(|r| {
            r.achievement
                .as_deref()
                .filter(|_| named(r))
                .map(normalise_achievement)
        })
        .collect();
    for (i, (r, key)) in records.iter().zip(&keys).enumerate() {
        let (Some(key), Some(&o)) = (key, outcomes.get(i)) else {
            continue;
        };
        if o.credit_year != yp.year || o.rejected.is_some() {
            continue;
        }
        let beaten_by = if facts
            .registry
            .converted
            .iter()
            .any(|c| normalise_achievement(c) == *key)
        {
            Some("已为他人或其他记录折算认定".to_owned())
        } else {
            keys.iter().enumerate().find_map(|(j, k)| {
                if j == i || k.as_ref() != Some(key) {
                    return None;
                }
                let (other, oo) = (records.get(j)?, outcomes.get(j)?);
                let other_year = oo.credit_year;
                let earlier = (other_year < o.credit_year
                    && credited_in_own_year(policy, facts, other, j))
                    || (other_year == o.credit_year
                        && oo.rejected.is_none()
                        && (std::cmp::Reverse(oo.credited), other.completed, &other.id)
                            < (std::cmp::Reverse(o.credited), r.completed, &r.id));
                earlier.then(|| format!("与记录 {}（{} 年度）为同一成果", other.id, other_year))
            })
        };
        if let Some(why) = beaten_by {
            notes.used(RuleId::ConversionDuplicate, &yp.conversion_duplicate);
            notes.step(Some(i), RuleId::ConversionDuplicate, || {
                format!("成果“{key}”{why}，不再折算")
            });
            if let Some(slot) = outcomes.get_mut(i) {
                *slot =
                    RecordOutcome::rejected(o.credit_year, o.claimed, RuleId::ConversionDuplicate);
            }
        }
    }
}

/// Whether someone else's conversion record is credited on its own by its credit year's rules
/// (registered in time, after the activity, a kind of that year's table): D21 lets only such a
/// record make a later one of the same achievement a duplicate. Conversion does not depend on
/// where the person works, so no person is needed.
pub fn conversion_credited_alone(policy: &Policy, record: &Record) -> bool {
    let (person, registry) = (Person::default(), Registry::default());
    let facts = Facts {
        person: &person,
        registry: &registry,
    };
    record.form == Form::Conversion && credited_in_own_year(policy, facts, record, 0)
}

/// Whether a record of another credit year passes that year's per-record rules (D21 asks
/// whether an earlier record of an achievement was itself credited).
fn credited_in_own_year(policy: &Policy, facts: Facts<'_>, r: &Record, i: usize) -> bool {
    let (year, _) = credit_year(policy, r);
    let Some(own) = policy.year(year) else {
        return false;
    };
    let mut scratch = Notes::new(Options::default());
    let outcome = judge_record(policy, own, facts, r, i, &mut scratch);
    outcome.rejected.is_none() && outcome.credited > Hours::ZERO
}

/// D6: base hours fill the yearly cap in completion-date order, then record id.
fn apply_base_cap(
    yp: &YearPolicy,
    records: &[Record],
    outcomes: &mut [RecordOutcome],
    notes: &mut Notes,
) {
    let mut capped: Vec<(Date, &str, usize)> = records
        .iter()
        .zip(outcomes.iter())
        .enumerate()
        .filter(|(_, (r, o))| {
            o.credit_year == yp.year
                && o.rejected.is_none()
                && r.subject == Subject::Public
                && matches!(r.provider, Some(Provider::Base(_)))
        })
        .map(|(i, (r, _))| (r.completed, r.id.as_str(), i))
        .collect();
    if capped.is_empty() {
        return;
    }
    notes.used(RuleId::OnlineBaseCap, &yp.base_cap.cite);
    capped.sort_unstable();
    let mut room = yp.base_cap.value;
    for (_, _, i) in capped {
        let Some(o) = outcomes.get_mut(i) else {
            continue;
        };
        let claimed = o.credited;
        if room == Hours::ZERO {
            *o = RecordOutcome::rejected(o.credit_year, o.claimed, RuleId::OnlineBaseCap);
            notes.step(Some(i), RuleId::OnlineBaseCap, || {
                format!(
                    "四个基地线上公需学时已达年度上限 {}，不再认定",
                    yp.base_cap.value
                )
            });
        } else if claimed > room {
            o.credited = room;
            o.limited_by = Some(RuleId::OnlineBaseCap);
            notes.step(Some(i), RuleId::OnlineBaseCap, || {
                format!("达到年度上限 {}，只认定 {room} 学时", yp.base_cap.value)
            });
            room = Hours::ZERO;
        } else {
            room = room - claimed;
        }
    }
}

/// D21: time-based study spread over its days, summed over all of the person's records
/// whatever year each is credited to (each converted by its own year's minutes per hour); a
/// day above the limit that touches a record of this year is a warning.
fn check_daily_minutes(
    policy: &Policy,
    yp: &YearPolicy,
    records: &[Record],
    outcomes: &[RecordOutcome],
    notes: &mut Notes,
) {
    let limit = yp.max_minutes_per_day.value;
    let timed = || {
        records
            .iter()
            .zip(outcomes)
            .filter(|(r, _)| r.form.is_time_based())
            .map(move |(r, o)| {
                let mph = policy
                    .year(o.credit_year)
                    .map_or(yp.minutes_per_hour.value, |p| p.minutes_per_hour.value);
                let minutes = match r.amount {
                    Some(Amount::Minutes(m)) => m,
                    Some(Amount::Hours(h)) => h.to_minutes(mph),
                    None => 0,
                };
                (r, minutes, o.credit_year == yp.year)
            })
    };
    if !timed().any(|(_, _, mine)| mine) {
        return;
    }
    // No day can exceed the limit when even the sum of every record's daily share stays
    // within it: the common case, decided without allocating.
    let share = |r: &Record, minutes: u64| {
        let (first, last) = (r.first_day().day_number(), r.completed.day_number());
        let days = u64::try_from(last - first + 1).unwrap_or(1).max(1);
        (first, last, minutes.saturating_mul(1000) / days)
    };
    let bound: u64 = timed()
        .map(|(r, m, _)| share(r, m).2)
        .fold(0, u64::saturating_add);
    if bound <= limit.saturating_mul(1000) {
        return;
    }
    // Sweep over day boundaries with per-day rates in thousandths of a minute (exact enough
    // for a warning, and integer so that it is reproducible). Ends sort before starts on the
    // same day number; `mine` counts this year's records open on the day.
    let mut events: Vec<(i32, i64, i64)> = Vec::with_capacity(2 * records.len());
    for (r, minutes, mine) in timed() {
        let (first, last, rate) = share(r, minutes);
        let rate = i64::try_from(rate).unwrap_or(i64::MAX);
        let m = i64::from(mine);
        events.push((first, rate, m));
        events.push((last.saturating_add(1), rate.saturating_neg(), -m));
    }
    events.sort_unstable();
    let (mut sum, mut open_mine, mut worst, mut worst_day) = (0i64, 0i64, 0i64, 0i32);
    let mut k = 0;
    while let Some(&(day, _, _)) = events.get(k) {
        // Apply every event of this day before judging it.
        while let Some(&(d, delta, m)) = events.get(k)
            && d == day
        {
            sum = sum.saturating_add(delta);
            open_mine += m;
            k += 1;
        }
        if open_mine > 0 && sum > worst {
            (worst, worst_day) = (sum, day);
        }
    }
    let limit_milli = i64::try_from(limit.saturating_mul(1000)).unwrap_or(i64::MAX);
    if worst > limit_milli {
        notes.used(RuleId::RecordOverlap, &yp.max_minutes_per_day.cite);
        let day = Date::from_day_number(worst_day)
            .map(|d| d.to_string())
            .unwrap_or_default();
        notes.warn(
            RuleId::RecordOverlap,
            Some(yp.year),
            None,
            format!(
                "{day} 当日学习时长合计约 {} 分钟（含各年度的全部记录），超过每日 {limit} 分钟上限，请核实",
                worst / 1000
            ),
        );
    }
}
