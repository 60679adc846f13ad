//! A person's year as the engine decides it, for whoever may see the person's records
//! (`view_records`): the person, their unit, and the industry authority and bureaus whose
//! jurisdiction covers the unit the person worked for on December 31 of that year (or last
//! before it). [`decision`] answers the engine's JSON (the same as `xueshi evaluate --format
//! json`, for programs); [`year`] the same decision typed for pages (outcomes per record, the
//! three yearly minimums as meters, warnings); [`year_page`] a year page as a reviewer reads it
//! (the unvoided records the engine credits to the year, each with its outcome); [`summary`]
//! the compliance read from the summary the store keeps current. Nothing here writes, and
//! nothing shows an ID number.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::case::Case;
use xueshi_policy::input::Record;
use xueshi_policy::{AnnualDecision, Decision, Options, RuleId};
use xueshi_store::people::{self, UnitPlace};
use xueshi_store::{export, records, summaries};

use crate::Action;
use crate::access::{allow, person_in, person_target, year_end};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::records::RecordView;
use crate::views::hours_text as hours;

/// Authorizes `view_records` on `person_id` through the unit of the end of `year`. A person
/// with no unit then is `person.no_unit`, said of the year.
async fn may_view_year(ctx: &Ctx, actor: &Actor, person_id: i64, year: i32) -> Result<()> {
    let end: Date = year_end(year)?;
    people::person(&ctx.db, person_id).await?;
    let unit = people::person_unit_on(&ctx.db, person_id, end)
        .await?
        .ok_or_else(|| Error::not_found("person.no_unit", "该人员在该年度没有任职单位"))?;
    allow(
        ctx,
        &actor.principal,
        Action::ViewRecords,
        &person_in(person_id, &unit),
    )
}

/// The person-year's case (its live records) as the engine takes it.
async fn case(ctx: &Ctx, person_id: i64, year: i32) -> Result<Case> {
    Ok(export::person_year_case(&ctx.db, &ctx.policy, person_id, year).await?)
}

/// The engine's decision on `person_id`'s `year` as its JSON.
pub async fn decision(ctx: &Ctx, actor: &Actor, person_id: i64, year: i32) -> Result<Value> {
    may_view_year(ctx, actor, person_id, year).await?;
    let case = case(ctx, person_id, year).await?;
    let eval = case.evaluate(&ctx.policy, Options::default())?;
    Ok(xueshi_policy::render::to_json(
        &eval,
        &ctx.policy,
        &case.records,
    ))
}

/// What the engine made of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The record's label.
    pub label: String,
    /// The year the record counts for (D5).
    pub credit_year: i32,
    pub claimed: Hours,
    pub credited: Hours,
    /// The rule that excluded it.
    pub rejected: Option<RuleId>,
    /// The rule that credited less than claimed.
    pub limited_by: Option<RuleId>,
}

/// Which hours a yearly minimum counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Total,
    Professional,
    Public,
}

/// One yearly minimum: the hours it counts against what it requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meter {
    pub rule: RuleId,
    pub measure: Measure,
    pub actual: Hours,
    /// Zero when the year's policy has no such check.
    pub required: Hours,
    pub passed: bool,
}

impl Meter {
    /// Hours still missing to the minimum.
    pub fn short(&self) -> Hours {
        Hours::from_tenths(self.required.tenths().saturating_sub(self.actual.tenths()))
    }
}

/// Something the engine asks a reader to look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub rule: RuleId,
    /// In Chinese.
    pub detail: String,
}

/// The engine's decision on a person's year, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonYear {
    pub person_id: i64,
    pub year: i32,
    /// Whether the person had to study that year at all (D17a).
    pub required: bool,
    pub compliant: bool,
    pub total: Hours,
    pub professional: Hours,
    pub public: Hours,
    /// The yearly minimums: total, professional, public, in that order.
    pub meters: Vec<Meter>,
    /// One per live record, in registration order.
    pub outcomes: Vec<Outcome>,
    pub warnings: Vec<Warning>,
    /// The decision rests on a rule not yet confirmed, or on a policy projected from an
    /// earlier year.
    pub unconfirmed: bool,
}

impl PersonYear {
    fn new(person_id: i64, d: &AnnualDecision<'_>, records: &[Record]) -> Self {
        let meters = [
            (RuleId::AnnualTotalMin, Measure::Total, d.hours.total),
            (
                RuleId::AnnualProfessionalMin,
                Measure::Professional,
                d.hours.professional,
            ),
            (RuleId::AnnualPublicMin, Measure::Public, d.hours.public),
        ]
        .into_iter()
        .map(|(rule, measure, actual)| {
            let check = d.checks.iter().find(|c| c.rule == rule);
            Meter {
                rule,
                measure,
                actual,
                required: check.map_or(Hours::ZERO, |c| c.required),
                passed: check.is_none_or(|c| c.passed),
            }
        })
        .collect();
        Self {
            person_id,
            year: d.year,
            required: d.required,
            compliant: d.compliant,
            total: d.hours.total,
            professional: d.hours.professional,
            public: d.hours.public,
            meters,
            outcomes: records
                .iter()
                .zip(&d.records)
                .map(|(r, o)| Outcome {
                    label: r.id.clone(),
                    credit_year: o.credit_year,
                    claimed: o.claimed,
                    credited: o.credited,
                    rejected: o.rejected,
                    limited_by: o.limited_by,
                })
                .collect(),
            warnings: d
                .warnings
                .iter()
                .map(|w| Warning {
                    rule: w.rule,
                    detail: w.detail.clone(),
                })
                .collect(),
            unconfirmed: !d.unconfirmed.is_empty() || d.policy.projected_from.is_some(),
        }
    }

    /// The outcome of the record labelled `label`.
    pub fn outcome(&self, label: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.label == label)
    }
}

async fn decide(ctx: &Ctx, person_id: i64, year: i32) -> Result<PersonYear> {
    let case = case(ctx, person_id, year).await?;
    let eval = case.evaluate(&ctx.policy, Options::default())?;
    match &eval.decision {
        Decision::Annual(d) => Ok(PersonYear::new(person_id, d, &case.records)),
        _ => Err(Error::internal(
            "engine.kind",
            "a person-year case answered other than an annual decision",
        )),
    }
}

/// The engine's decision on `person_id`'s `year`, typed.
pub async fn year(ctx: &Ctx, actor: &Actor, person_id: i64, year: i32) -> Result<PersonYear> {
    may_view_year(ctx, actor, person_id, year).await?;
    decide(ctx, person_id, year).await
}

/// A record of a year page with what the engine made of it.
#[derive(Clone, Debug)]
pub struct PageRecord {
    pub record: RecordView,
    pub outcome: Outcome,
}

/// A year page as its reviewer reads it.
#[derive(Clone, Debug)]
pub struct YearPage {
    pub decision: PersonYear,
    /// The unvoided records the engine credits to the year (D5), in registration order.
    pub records: Vec<PageRecord>,
}

/// `person_id`'s page of `year`: the decision and the records it credits to the year.
pub async fn year_page(ctx: &Ctx, actor: &Actor, person_id: i64, year: i32) -> Result<YearPage> {
    may_view_year(ctx, actor, person_id, year).await?;
    let decision = decide(ctx, person_id, year).await?;
    let records = records::person_records(&ctx.db, person_id)
        .await?
        .into_iter()
        .map(RecordView::from)
        .filter(|r| r.voided.is_none())
        .filter_map(|record| {
            let outcome = decision.outcome(&record.label)?.clone();
            (outcome.credit_year == year).then_some(PageRecord { record, outcome })
        })
        .collect();
    Ok(YearPage { decision, records })
}

/// A person-year's compliance in brief, from the summary the store keeps current.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct YearSummary {
    pub person_id: i64,
    pub year: i32,
    /// Whether the person had to study that year at all (D17a).
    pub required: bool,
    pub compliant: bool,
    /// Credited hours (text, tenths exact).
    pub total: String,
    pub professional: String,
    pub public: String,
    /// Hours still missing to the yearly total and professional minimums.
    pub total_short: String,
    pub professional_short: String,
    /// `summary` when read from the kept summary, `evaluated` when a write since made it stale
    /// and the engine was asked now.
    pub source: &'static str,
}

impl YearSummary {
    fn from(s: &summaries::Summary, source: &'static str) -> Self {
        Self {
            person_id: s.person_id,
            year: s.year,
            required: s.required,
            compliant: s.compliant,
            total: hours(s.total_tenths),
            professional: hours(s.professional_tenths),
            public: hours(s.public_tenths),
            total_short: hours(s.total_short_tenths),
            professional_short: hours(s.professional_short_tenths),
            source,
        }
    }
}

/// The compliance read: whether `person_id`'s `year` complies and by how much it falls short.
/// Answered from the person-year's summary in one query when it is current, else by the
/// engine now.
pub async fn summary(ctx: &Ctx, actor: &Actor, person_id: i64, year: i32) -> Result<YearSummary> {
    if let Some(now) = summaries::summary_now(&ctx.db, person_id, year).await?
        && !now.stale
    {
        let region = u32::try_from(now.summary.region)
            .ok()
            .and_then(|r| RegionCode::from_u32(r).ok())
            .ok_or_else(|| Error::internal("summary.region", "bad region"))?;
        let unit = UnitPlace {
            unit_id: now.summary.unit_id,
            region,
            zone: now.zone.clone(),
            industry: now.summary.industry.clone(),
        };
        allow(
            ctx,
            &actor.principal,
            Action::ViewRecords,
            &person_in(person_id, &unit),
        )?;
        return Ok(YearSummary::from(&now.summary, "summary"));
    }
    let (target, _) = person_target(ctx, person_id, year_end(year)?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let fresh = summaries::evaluate(&ctx.db, &ctx.policy, person_id, year)
        .await?
        .ok_or_else(|| Error::not_found("summary.none", "该人员该年度不在职或无该年度政策"))?;
    Ok(YearSummary::from(&fresh, "evaluated"))
}
