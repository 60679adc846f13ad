//! A [`Principal`]: an account, its role, and the [`Scope`] the role acts within (a person, a
//! unit, an industry in a region, a city, a county, a zone, a base number, a provider, a
//! supervised region). The role is derived from the scope, so the two cannot disagree, and a
//! scope is checked when built (a county bureau has a county code, a base is numbered 1–4).
//! It does not authenticate anyone nor load accounts: the caller builds it from its session.

use std::fmt;

use xueshi_domain::RegionCode;
use xueshi_domain::region::Level;
use xueshi_policy::input::Place;

use crate::ids::{AccountId, OrgId, PersonId, UnitId};
use crate::role::Role;

/// What a role acts within.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A professional: themself.
    Professional { person: PersonId },
    /// A unit's administrator: the unit's staff; `place` is where the unit is.
    UnitAdmin { unit: UnitId, place: Place },
    /// An industry authority: its industry (e.g. 卫生健康) within its region.
    IndustryAuthority {
        industry: String,
        region: RegionCode,
    },
    /// A city bureau: the city, its counties and its development zones.
    CityBureau { city: RegionCode },
    /// A county bureau: its county only.
    CountyBureau { county: RegionCode },
    /// A development-zone centre: its zone only, at county level (D13).
    ZoneCentre { zone: String },
    /// A state-owned unit: its own staff, verified online (235号 五(二)).
    StateOwnedUnit { unit: UnitId, place: Place },
    /// A provincial online base, numbered 1–4 (D6): its own reports.
    Base { number: u8 },
    /// A training or courseware provider: its own filings.
    Provider { provider: OrgId },
    /// A supervisor: reads the audit trail within its region (D18).
    Supervisor { region: RegionCode },
}

impl Scope {
    /// The role this scope belongs to.
    pub fn role(&self) -> Role {
        match self {
            Self::Professional { .. } => Role::Professional,
            Self::UnitAdmin { .. } => Role::UnitAdmin,
            Self::IndustryAuthority { .. } => Role::IndustryAuthority,
            Self::CityBureau { .. } => Role::CityBureau,
            Self::CountyBureau { .. } => Role::CountyBureau,
            Self::ZoneCentre { .. } => Role::ZoneCentre,
            Self::StateOwnedUnit { .. } => Role::StateOwnedUnit,
            Self::Base { .. } => Role::Base,
            Self::Provider { .. } => Role::Provider,
            Self::Supervisor { .. } => Role::Supervisor,
        }
    }

    fn check(&self) -> Result<(), ScopeError> {
        match self {
            Self::CityBureau { city } if city.level() != Level::City => Err(ScopeError::NotACity),
            Self::CountyBureau { county } if county.level() != Level::County => {
                Err(ScopeError::NotACounty)
            }
            Self::ZoneCentre { zone } if zone.trim().is_empty() => Err(ScopeError::EmptyName),
            Self::IndustryAuthority { industry, .. } if industry.trim().is_empty() => {
                Err(ScopeError::EmptyName)
            }
            Self::Base { number } if !(1..=4).contains(number) => Err(ScopeError::BaseNumber),
            _ => Ok(()),
        }
    }
}

/// Why a scope cannot be a principal's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeError {
    NotACity,
    NotACounty,
    EmptyName,
    BaseNumber,
}

impl ScopeError {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotACity => "auth.scope.city",
            Self::NotACounty => "auth.scope.county",
            Self::EmptyName => "auth.scope.name",
            Self::BaseNumber => "auth.scope.base",
        }
    }
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotACity => "市人社局的管辖范围应为市级行政区划代码",
            Self::NotACounty => "县区人社局的管辖范围应为县级行政区划代码",
            Self::EmptyName => "开发区或行业名称不能为空",
            Self::BaseNumber => "国家级继续教育基地编号应为1至4",
        })
    }
}

impl std::error::Error for ScopeError {}

/// Who is asking: an account acting in one role within one scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Principal {
    account_id: AccountId,
    role: Role,
    scope: Scope,
}

impl Principal {
    /// Builds a principal; its role is the scope's.
    pub fn new(account_id: AccountId, scope: Scope) -> Result<Self, ScopeError> {
        scope.check()?;
        Ok(Self {
            account_id,
            role: scope.role(),
            scope,
        })
    }

    pub fn account_id(&self) -> AccountId {
        self.account_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}
