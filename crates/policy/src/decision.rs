//! What the engine answers: decisions that say compliant or not, the hours credited, each
//! record's fate with the rule behind it, each rule checked with required and actual values and
//! its citation, warnings, the unconfirmed values used, and (on request) a step-by-step trace.

use xueshi_domain::{Hours, RegionCode};

use crate::input::{Place, TitleLevel};
use crate::model::{Citation, UnitClass, YearPolicy};
use crate::rule::{RuleId, RuleSet};

/// Engine version recorded in every decision (D23).
pub const ENGINE_VERSION: &str = concat!("xueshi-policy ", env!("CARGO_PKG_VERSION"));

/// Credited hours by subject.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubjectHours {
    pub total: Hours,
    pub professional: Hours,
    pub public: Hours,
}

impl SubjectHours {
    pub fn add(&mut self, subject: crate::input::Subject, hours: Hours) {
        match subject {
            crate::input::Subject::Professional => self.professional += hours,
            crate::input::Subject::Public => self.public += hours,
        }
        self.total += hours;
    }
}

/// What happened to one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordOutcome {
    /// The year the record counts for (D5).
    pub credit_year: i32,
    /// Hours the record claims, after minutes conversion or the conversion table.
    pub claimed: Hours,
    /// Hours credited in the judged year(s).
    pub credited: Hours,
    /// The rule that excluded the record entirely.
    pub rejected: Option<RuleId>,
    /// The rule that credited less than claimed (a cap, the conversion table).
    pub limited_by: Option<RuleId>,
}

impl RecordOutcome {
    pub(crate) fn rejected(credit_year: i32, claimed: Hours, rule: RuleId) -> Self {
        Self {
            credit_year,
            claimed,
            credited: Hours::ZERO,
            rejected: Some(rule),
            limited_by: None,
        }
    }
}

/// What a check's two numbers are, so that every renderer labels them right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// A year's credited hours against that year's minimum (D4).
    Year,
    /// The sum over the cycle against the sum of each year's own requirement (D15).
    CycleSum,
    /// The largest single year's credited total against the whole cycle's required total
    /// (D15 no cramming): reaching it fails only while the other years fall short.
    LargestYear,
}

impl Measure {
    /// Stable code for programs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Year => "year",
            Self::CycleSum => "cycle_sum",
            Self::LargestYear => "largest_year",
        }
    }

    /// What `required` is, in Chinese.
    pub fn required_zh(self) -> &'static str {
        match self {
            Self::Year => "当年要求",
            Self::CycleSum => "周期内各年度要求之和",
            Self::LargestYear => "整个周期要求合计",
        }
    }

    /// What `actual` is, in Chinese.
    pub fn actual_zh(self) -> &'static str {
        match self {
            Self::Year => "当年认定",
            Self::CycleSum => "周期内认定合计",
            Self::LargestYear => "认定最多的单一年度",
        }
    }

    /// Whether `required − actual` is what is missing (not for [`Measure::LargestYear`],
    /// where the number to reach is a ceiling, not a floor).
    pub fn is_minimum(self) -> bool {
        !matches!(self, Self::LargestYear)
    }
}

/// A rule checked against the person's hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check<'p> {
    pub rule: RuleId,
    /// The year checked (the last year for cycle rules).
    pub year: i32,
    /// What `required` and `actual` are.
    pub measure: Measure,
    pub required: Hours,
    pub actual: Hours,
    pub passed: bool,
    pub cite: &'p Citation,
}

/// Something the verifier should look at; never a failure by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub rule: RuleId,
    pub year: Option<i32>,
    /// Index of the record concerned, if one.
    pub record: Option<usize>,
    /// In Chinese, for a person.
    pub detail: String,
}

/// One step of the explanation trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    pub record: Option<usize>,
    pub rule: RuleId,
    pub detail: String,
}

/// The decision on one credit year (D4–D9, D21).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnualDecision<'p> {
    pub year: i32,
    /// False when the person had left before this year (D17a): nothing is required.
    pub required: bool,
    pub compliant: bool,
    pub hours: SubjectHours,
    /// One per input record, in input order.
    pub records: Vec<RecordOutcome>,
    pub checks: Vec<Check<'p>>,
    pub warnings: Vec<Warning>,
    pub unconfirmed: RuleSet,
    pub trace: Vec<TraceStep>,
    pub policy: &'p YearPolicy,
}

impl AnnualDecision<'_> {
    /// Rules that failed, in rule order.
    pub fn failed(&self) -> RuleSet {
        failed(&self.checks)
    }
}

/// The decision on a tenure cycle (D15).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleDecision<'p> {
    pub first: i32,
    pub last: i32,
    /// True in the transition: the cycle need only meet the requirement on average.
    pub averaged: bool,
    pub compliant: bool,
    pub years: Vec<AnnualDecision<'p>>,
    /// Per record: credited in its own year, or rejected.
    pub records: Vec<RecordOutcome>,
    pub checks: Vec<Check<'p>>,
    pub warnings: Vec<Warning>,
    pub unconfirmed: RuleSet,
    pub trace: Vec<TraceStep>,
}

impl CycleDecision<'_> {
    pub fn failed(&self) -> RuleSet {
        failed(&self.checks)
    }
}

/// Which bureau verifies (D13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteDecision<'p> {
    pub unit: Place,
    pub unit_class: UnitClass,
    pub level: TitleLevel,
    pub city: RegionCode,
    pub verifier: Place,
    pub cite: &'p Citation,
    pub unconfirmed: RuleSet,
}

/// Any decision, with what makes it reproducible (D23).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation<'p> {
    pub engine: &'static str,
    pub policy_name: &'p str,
    pub policy_hash: &'p str,
    pub decision: Decision<'p>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision<'p> {
    Annual(AnnualDecision<'p>),
    Cycle(CycleDecision<'p>),
    Route(RouteDecision<'p>),
}

fn failed(checks: &[Check<'_>]) -> RuleSet {
    checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.rule)
        .collect()
}

/// Why the engine could not decide at all (as opposed to deciding "not compliant").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// The policy has no rules for that credit year.
    NoPolicyForYear(i32),
    /// No routing table covers the unit's city.
    NoRouteTable(String),
    /// The routing table has no entry for this unit class and level.
    NoRoute(String),
    /// A cycle whose first year is after its last.
    BadCycle(i32, i32),
}

impl EvalError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoPolicyForYear(_) => "policy.no_year",
            Self::NoRouteTable(_) => "route.no_table",
            Self::NoRoute(_) => "route.no_entry",
            Self::BadCycle(..) => "cycle.bad_years",
        }
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoPolicyForYear(y) => write!(f, "政策中没有 {y} 年度的规则"),
            Self::NoRouteTable(p) => write!(f, "{p} 所在地市没有学时验证路由表"),
            Self::NoRoute(p) => write!(f, "路由表中没有适用于 {p} 的验证机构"),
            Self::BadCycle(a, b) => write!(f, "任职周期起止年度颠倒：{a}–{b}"),
        }
    }
}

impl std::error::Error for EvalError {}
