//! The [`Target`] of an action: what is acted on, described by the facts authorization needs
//! (whose it is, where it is, which industry), as the caller loaded them. No personal data
//! (ID numbers, names, phones) belongs here: persons and units are referred to by store id.

use xueshi_domain::RegionCode;
use xueshi_policy::input::Place;

use crate::ids::{OrgId, PersonId, UnitId};
use crate::role::Role;

/// What an action is done to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A person (their records, year page, verification, personal data), with their unit.
    Person {
        person: PersonId,
        unit: UnitId,
        /// Where the person's unit is.
        place: Place,
        industry: String,
    },
    /// A unit (statistics, audit).
    Unit {
        unit: UnitId,
        place: Place,
        industry: String,
    },
    /// A whole region or zone (statistics, audit).
    Area(Place),
    /// One industry within a region or zone (statistics).
    Industry { industry: String, place: Place },
    /// A training filing by a provider, addressed to the bureau at `place` (D8).
    Filing { provider: OrgId, place: Place },
    /// A provider's entry on a city's courseware register (D7).
    ProviderRegister { provider: OrgId, city: RegionCode },
    /// An industry's catalogue of professional subjects in a region (D12).
    Catalogue { industry: String, place: Place },
    /// A report of exam certificates by base number 1–4 (D6).
    BaseReport { base: u8 },
    /// An appointment slot of the bureau at `bureau`, booked (or to be booked) for `unit` at
    /// `unit_place`, and for one `person` when a professional books for themself (D16).
    Slot {
        bureau: Place,
        unit: UnitId,
        unit_place: Place,
        person: Option<PersonId>,
    },
    /// An account to manage: its role, the place it belongs to and its unit, if any.
    Account {
        role: Role,
        place: Place,
        unit: Option<UnitId>,
    },
}

/// The kind of a [`Target`], without its facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    Person,
    Unit,
    Area,
    Industry,
    Filing,
    ProviderRegister,
    Catalogue,
    BaseReport,
    Slot,
    Account,
}

impl TargetKind {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Person => "人员",
            Self::Unit => "单位",
            Self::Area => "地区",
            Self::Industry => "行业",
            Self::Filing => "培训备案",
            Self::ProviderRegister => "课件提供方备案",
            Self::Catalogue => "专业科目目录",
            Self::BaseReport => "基地报送",
            Self::Slot => "预约时段",
            Self::Account => "账号",
        }
    }
}

impl Target {
    pub fn kind(&self) -> TargetKind {
        match self {
            Self::Person { .. } => TargetKind::Person,
            Self::Unit { .. } => TargetKind::Unit,
            Self::Area(_) => TargetKind::Area,
            Self::Industry { .. } => TargetKind::Industry,
            Self::Filing { .. } => TargetKind::Filing,
            Self::ProviderRegister { .. } => TargetKind::ProviderRegister,
            Self::Catalogue { .. } => TargetKind::Catalogue,
            Self::BaseReport { .. } => TargetKind::BaseReport,
            Self::Slot { .. } => TargetKind::Slot,
            Self::Account { .. } => TargetKind::Account,
        }
    }

    /// The place a territorial authority must cover to act on the target (for a slot, the
    /// bureau's place). `None` for targets that are not in a place (base reports), and for a
    /// provider's register entry, which is the city's (see [`Target::ProviderRegister`]).
    pub fn place(&self) -> Option<&Place> {
        match self {
            Self::Person { place, .. }
            | Self::Unit { place, .. }
            | Self::Area(place)
            | Self::Industry { place, .. }
            | Self::Filing { place, .. }
            | Self::Catalogue { place, .. }
            | Self::Account { place, .. } => Some(place),
            Self::Slot { bureau, .. } => Some(bureau),
            Self::ProviderRegister { .. } | Self::BaseReport { .. } => None,
        }
    }
}
