//! The fixed rule identifiers of DOMAIN.md. Add new ones, never rename: decisions, cases and
//! the ledger refer to them by these strings.

use std::fmt;
use std::str::FromStr;

macro_rules! rules {
    ($($variant:ident = $id:literal, $zh:literal;)*) => {
        /// A rule identifier (DOMAIN.md, "Rule identifiers").
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $($variant),* }

        impl RuleId {
            /// Every rule, in declaration order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant),*];

            /// The stable identifier, e.g. `annual.total_min`.
            pub fn as_str(self) -> &'static str {
                match self { $(RuleId::$variant => $id),* }
            }

            /// What the rule says, in Chinese.
            pub fn zh(self) -> &'static str {
                match self { $(RuleId::$variant => $zh),* }
            }
        }

        impl FromStr for RuleId {
            type Err = UnknownRule;
            fn from_str(s: &str) -> Result<Self, UnknownRule> {
                match s {
                    $($id => Ok(RuleId::$variant),)*
                    _ => Err(UnknownRule(s.to_owned())),
                }
            }
        }
    };
}

rules! {
    MinutesPerHour = "hours.minutes_per_hour", "每学时分钟数";
    RecordYear = "record.year", "学时计入年度";
    AnnualTotalMin = "annual.total_min", "年度总学时下限";
    AnnualProfessionalMin = "annual.professional_min", "年度专业科目学时下限";
    AnnualPublicMin = "annual.public_min", "年度公需科目学时下限";
    OnlineBaseExam = "public.online_base_exam", "线上基地公需课须考试合格";
    OnlineBaseCap = "public.online_base_cap", "线上基地公需学时年度上限";
    ProviderRegistered = "courseware.provider_registered", "网络课件提供单位须为认可类别或在地市备案";
    FilingRequired = "training.filing_required", "专业科目培训须事先备案同意";
    ConversionTable = "conversion.table", "学时折算认定标准";
    RegistrationClosed = "registration.closed", "年度登记截止";
    CycleAverageTotal = "cycle.average_total", "任职周期总学时（年度平均达标）";
    CycleAverageProfessional = "cycle.average_professional", "任职周期专业科目学时（年度平均达标）";
    CycleAveragePublic = "cycle.average_public", "任职周期公需科目学时（年度平均达标）";
    CycleNoCramming = "cycle.no_cramming", "不得在一个年度内突击完成任职周期学时";
    CycleZeroYear = "cycle.zero_year", "任职周期内有零学时年度";
    CycleHeavyYear = "cycle.heavy_year", "任职周期内有学时畸高年度";
    VerificationRoute = "verification.route", "学时验证机构";
    RecordOverlap = "record.overlap", "单日学习时长超限";
    ConversionDuplicate = "conversion.duplicate", "同一成果只能折算一次";
    RecordNotCompleted = "record.not_completed", "学习结束后方可登记";
    PublicRoutes = "public.recognition_routes", "公需科目学时认定途径";
}

impl RuleId {
    /// Bit for compact rule sets.
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule id that DOMAIN.md does not define.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "未知的规则标识 `{}`", self.0)
    }
}

impl std::error::Error for UnknownRule {}

/// A small set of rules (fits every id in a `u32`), kept in id order.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RuleSet(u32);

impl RuleSet {
    pub fn insert(&mut self, rule: RuleId) {
        self.0 |= rule.bit();
    }

    pub fn contains(self, rule: RuleId) -> bool {
        self.0 & rule.bit() != 0
    }

    pub fn union(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = RuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .filter(move |r| self.contains(*r))
    }
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(RuleId::as_str))
            .finish()
    }
}

impl FromIterator<RuleId> for RuleSet {
    fn from_iter<I: IntoIterator<Item = RuleId>>(iter: I) -> Self {
        let mut set = RuleSet::default();
        for r in iter {
            set.insert(r);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_round_trips_through_its_identifier() {
        for &r in RuleId::ALL {
            assert_eq!(r.as_str().parse::<RuleId>().unwrap(), r);
        }
        assert!(RuleId::ALL.len() <= 32);
        assert!("annual.total".parse::<RuleId>().is_err());
    }
}
