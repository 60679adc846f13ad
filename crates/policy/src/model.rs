//! The policy as loaded: one [`YearPolicy`] per credit year, each value with its [`Citation`],
//! plus the dated transition exceptions. Built only by `load`, which has validated everything;
//! the engine reads it and never changes it.

use crate::input::{Cohort, ProviderKind, Subject, TitleLevel};
use crate::rule::RuleId;
use xueshi_domain::{Date, Hours, RegionCode};

/// Where a value comes from: document number and section, and whether it was checked against
/// that document's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citation {
    /// e.g. `皖人社函〔2026〕235号`.
    pub doc: String,
    /// e.g. `三` or `五(三)`.
    pub section: String,
    /// True only when checked against the text of `doc`.
    pub confirmed: bool,
    /// Why it is unconfirmed, or how it was read.
    pub note: Option<String>,
    /// The sentences of `doc` the value rests on, verbatim (D20). A confirmed value has at
    /// least one; an unconfirmed one may quote what it was read from.
    pub quotes: Vec<String>,
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.doc, self.section)?;
        if !self.confirmed {
            f.write_str("（未经原文核实）")?;
        }
        Ok(())
    }
}

/// A value with its citation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cited<T> {
    pub value: T,
    pub cite: Citation,
}

/// One of the four provincial online bases (D6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    pub number: u8,
    pub name: String,
    pub subject: String,
}

/// One kind of achievement in the conversion table (D9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionKind {
    pub key: String,
    pub name: String,
    /// Hours under the new method (新办法).
    pub new: Hours,
    /// Hours under the old method (老办法), where it differs.
    pub old: Option<Hours>,
    pub cite: Citation,
}

/// The conversion table of a year (D9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionTable {
    pub subjects: Vec<Subject>,
    pub kinds: Vec<ConversionKind>,
    pub cite: Citation,
}

impl ConversionTable {
    pub fn kind(&self, key: &str) -> Option<&ConversionKind> {
        self.kinds.iter().find(|k| k.key == key)
    }
}

/// Which units a route entry applies to (D13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitClass {
    /// 市直: the unit is registered at the city itself.
    CityDirect,
    /// In a county or district of the city.
    County,
    /// In a development zone of the city.
    Zone,
}

/// Who verifies, relative to the unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifierClass {
    /// The city bureau.
    City,
    /// The unit's own county bureau or zone centre.
    Own,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub unit: UnitClass,
    pub levels: Vec<TitleLevel>,
    pub verifier: VerifierClass,
    /// The row's own citation (a row the text does not list is unconfirmed, D20), or the
    /// table's when the row gives none.
    pub cite: Citation,
}

/// A city's routing table (D13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityRoutes {
    pub city: RegionCode,
    pub zones: Vec<String>,
    pub routes: Vec<Route>,
}

/// The cycle rules (D15).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CyclePolicy {
    /// Last year of the transition in which averaging applies (`cycle_average_until`).
    pub average_until: Cited<i32>,
    pub average_professional: Citation,
    pub average_public: Citation,
    pub no_cramming: Citation,
    pub zero_year: Citation,
    /// A year above `factor ×` its requirement is heavy.
    pub heavy_factor: Cited<u64>,
}

/// The rules for one credit year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearPolicy {
    pub year: i32,
    pub file: String,
    pub from: Date,
    pub to: Date,
    pub minutes_per_hour: Cited<u64>,
    pub total_min: Cited<Hours>,
    pub professional_min: Cited<Hours>,
    pub public_min: Cited<Hours>,
    pub public_deadline: Cited<Date>,
    pub registration_deadline: Cited<Date>,
    pub base_exam: Citation,
    pub base_cap: Cited<Hours>,
    pub bases: Vec<Base>,
    pub provider_kinds: Cited<Vec<ProviderKind>>,
    pub filing_lead_days: Cited<u32>,
    pub max_minutes_per_day: Cited<u64>,
    pub conversion: Option<ConversionTable>,
    pub conversion_duplicate: Citation,
    /// D11: an activity is registered only after it ended (`record.not_completed`).
    pub not_completed: Citation,
    /// 235号 五(一): whether public hours from forms other than online learning and
    /// conversion (e.g. a face-to-face public class) count (`public.recognition_routes`).
    pub public_other_forms: Cited<bool>,
    pub cycle: CyclePolicy,
    pub routes: Option<Cited<Vec<CityRoutes>>>,
    /// Set when no file defines this year yet and its rules are projected from an earlier
    /// year's (then every citation is marked unconfirmed).
    pub projected_from: Option<i32>,
}

impl YearPolicy {
    /// Every citation of the year, for bulk marking.
    fn citations_mut(&mut self) -> Vec<&mut Citation> {
        let mut out = vec![
            &mut self.minutes_per_hour.cite,
            &mut self.total_min.cite,
            &mut self.professional_min.cite,
            &mut self.public_min.cite,
            &mut self.public_deadline.cite,
            &mut self.registration_deadline.cite,
            &mut self.base_exam,
            &mut self.base_cap.cite,
            &mut self.provider_kinds.cite,
            &mut self.filing_lead_days.cite,
            &mut self.max_minutes_per_day.cite,
            &mut self.conversion_duplicate,
            &mut self.not_completed,
            &mut self.public_other_forms.cite,
            &mut self.cycle.average_until.cite,
            &mut self.cycle.average_professional,
            &mut self.cycle.average_public,
            &mut self.cycle.no_cramming,
            &mut self.cycle.zero_year,
            &mut self.cycle.heavy_factor.cite,
        ];
        if let Some(t) = &mut self.conversion {
            out.push(&mut t.cite);
            out.extend(t.kinds.iter_mut().map(|k| &mut k.cite));
        }
        if let Some(r) = &mut self.routes {
            out.push(&mut r.cite);
            out.extend(
                r.value
                    .iter_mut()
                    .flat_map(|c| c.routes.iter_mut())
                    .map(|r| &mut r.cite),
            );
        }
        out
    }

    /// Every citation of the year (rules, conversion kinds, routing rows), for checking them
    /// against the texts (D20).
    pub fn citations(&self) -> Vec<&Citation> {
        let mut out = vec![
            &self.minutes_per_hour.cite,
            &self.total_min.cite,
            &self.professional_min.cite,
            &self.public_min.cite,
            &self.public_deadline.cite,
            &self.registration_deadline.cite,
            &self.base_exam,
            &self.base_cap.cite,
            &self.provider_kinds.cite,
            &self.filing_lead_days.cite,
            &self.max_minutes_per_day.cite,
            &self.conversion_duplicate,
            &self.not_completed,
            &self.public_other_forms.cite,
            &self.cycle.average_until.cite,
            &self.cycle.average_professional,
            &self.cycle.average_public,
            &self.cycle.no_cramming,
            &self.cycle.zero_year,
            &self.cycle.heavy_factor.cite,
        ];
        if let Some(t) = &self.conversion {
            out.push(&t.cite);
            out.extend(t.kinds.iter().map(|k| &k.cite));
        }
        if let Some(r) = &self.routes {
            out.push(&r.cite);
            out.extend(
                r.value
                    .iter()
                    .flat_map(|c| c.routes.iter())
                    .map(|r| &r.cite),
            );
        }
        out
    }

    /// The rules of `year`, projected from this (earlier) year: same values, dates moved by
    /// the difference in years, every citation unconfirmed. Used until `year`'s file exists.
    pub fn projected(&self, year: i32) -> YearPolicy {
        let shift = year - self.year;
        let mut p = self.clone();
        p.year = year;
        p.projected_from = Some(self.year);
        for d in [
            &mut p.from,
            &mut p.to,
            &mut p.public_deadline.value,
            &mut p.registration_deadline.value,
        ] {
            *d = d.add_years(shift);
        }
        for c in p.citations_mut() {
            let note = c
                .note
                .take()
                .map(|n| format!("；原注：{n}"))
                .unwrap_or_default();
            c.note = Some(format!(
                "{year} 年度政策尚未发布，按 {} 年度规则推算{note}",
                self.year
            ));
            c.confirmed = false;
        }
        p
    }

    /// The citation behind a rule in this year.
    pub fn citation(&self, rule: RuleId) -> Option<&Citation> {
        Some(match rule {
            RuleId::MinutesPerHour => &self.minutes_per_hour.cite,
            RuleId::RecordYear => &self.public_deadline.cite,
            RuleId::AnnualTotalMin => &self.total_min.cite,
            RuleId::AnnualProfessionalMin => &self.professional_min.cite,
            RuleId::AnnualPublicMin => &self.public_min.cite,
            RuleId::OnlineBaseExam => &self.base_exam,
            RuleId::OnlineBaseCap => &self.base_cap.cite,
            RuleId::ProviderRegistered => &self.provider_kinds.cite,
            RuleId::FilingRequired => &self.filing_lead_days.cite,
            RuleId::ConversionTable => &self.conversion.as_ref()?.cite,
            RuleId::RegistrationClosed => &self.registration_deadline.cite,
            RuleId::CycleAverageTotal => &self.cycle.average_until.cite,
            RuleId::CycleAverageProfessional => &self.cycle.average_professional,
            RuleId::CycleAveragePublic => &self.cycle.average_public,
            RuleId::CycleNoCramming => &self.cycle.no_cramming,
            RuleId::CycleZeroYear => &self.cycle.zero_year,
            RuleId::CycleHeavyYear => &self.cycle.heavy_factor.cite,
            RuleId::VerificationRoute => &self.routes.as_ref()?.cite,
            RuleId::RecordOverlap => &self.max_minutes_per_day.cite,
            RuleId::ConversionDuplicate => &self.conversion_duplicate,
            RuleId::RecordNotCompleted => &self.not_completed,
            RuleId::PublicRoutes => &self.public_other_forms.cite,
        })
    }

    /// Zone names of every city's routing table.
    pub fn zone_city(&self, zone: &str) -> Option<RegionCode> {
        let routes = self.routes.as_ref()?;
        routes
            .value
            .iter()
            .find(|c| c.zones.iter().any(|z| z == zone))
            .map(|c| c.city)
    }
}

/// A dated exception to a rule for one cohort (Catala-style): 老人老办法 in the transition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub id: String,
    pub rule: RuleId,
    pub cohort: Cohort,
    pub from: Date,
    pub to: Date,
    pub cite: Citation,
}

/// A whole policy (e.g. Anhui's), all years.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    /// Consecutive years, ascending.
    pub years: Vec<YearPolicy>,
    pub exceptions: Vec<Exception>,
    /// SHA-256 (hex) of the policy files as loaded (D23).
    pub hash: String,
}

impl Policy {
    /// The rules of a credit year, if the policy has them.
    pub fn year(&self, year: i32) -> Option<&YearPolicy> {
        let first = self.years.first()?.year;
        let index = usize::try_from(year.checked_sub(first)?).ok()?;
        self.years.get(index)
    }

    pub fn first_year(&self) -> Option<i32> {
        self.years.first().map(|y| y.year)
    }

    pub fn last_year(&self) -> Option<i32> {
        self.years.last().map(|y| y.year)
    }

    /// The exception of `rule` for `cohort` in force on `date`, if any.
    pub fn exception(&self, rule: RuleId, cohort: Cohort, date: Date) -> Option<&Exception> {
        self.exceptions
            .iter()
            .find(|e| e.rule == rule && e.cohort == cohort && e.from <= date && date <= e.to)
    }

    /// The routing rules in force for a year: that year's, or the latest earlier year's.
    pub fn routes_for(&self, year: i32) -> Option<(&YearPolicy, &Cited<Vec<CityRoutes>>)> {
        self.years
            .iter()
            .rev()
            .filter(|y| y.year <= year)
            .find_map(|y| y.routes.as_ref().map(|r| (y, r)))
    }
}
