//! Rules of the roles that act within a territory: an industry authority for its industry in
//! its region, the bureaus (a city with its counties and zones, a county alone, a zone centre
//! alone) and a supervisor, who only reads the audit trail of its region. Refusals here are
//! `auth.jurisdiction`, except accounts of roles a bureau may not manage (`auth.role`).
//! Whether the role may do the action at all is checked before, in [`super::authorize`].

use xueshi_domain::RegionCode;
use xueshi_policy::input::Place;

use super::Check;
use crate::denied::{Denied, DenyCode};
use crate::principal::Scope;
use crate::role::Role;
use crate::target::Target;

pub(super) fn industry_authority(
    check: &Check,
    my_industry: &str,
    region: RegionCode,
    target: &Target,
) -> Result<(), Denied> {
    match target {
        Target::Person {
            industry, place, ..
        }
        | Target::Unit {
            industry, place, ..
        }
        | Target::Industry { industry, place }
        | Target::Catalogue { industry, place } => {
            check.require(
                industry == my_industry,
                DenyCode::Jurisdiction,
                "对象不属于本行业",
            )?;
            check.require(
                check.ctx.region_covers(region, place),
                DenyCode::Jurisdiction,
                "对象不在本部门管辖地区内",
            )
        }
        Target::Area(_) => {
            Err(check.deny(DenyCode::Jurisdiction, "行业主管部门只能查看本行业的统计"))
        }
        _ => Err(check.wrong_target()),
    }
}

pub(super) fn bureau(check: &Check, scope: &Scope, target: &Target) -> Result<(), Denied> {
    let (mine, outside) = match scope {
        Scope::CityBureau { city } => (
            Place::Region(*city),
            "对象不在本市（含所辖县区、开发区）范围内",
        ),
        Scope::CountyBureau { county } => (Place::Region(*county), "对象不在本县区范围内"),
        Scope::ZoneCentre { zone } => (Place::Zone(zone.clone()), "对象不在本开发区范围内"),
        _ => return Err(check.wrong_target()),
    };
    match target {
        Target::ProviderRegister { city, .. } => check.require(
            mine == Place::Region(*city),
            DenyCode::Jurisdiction,
            "只能维护本市的课件提供方名录",
        ),
        Target::Account { role, place, .. } => {
            check.require(
                manageable_by(check.role, *role),
                DenyCode::Role,
                "不能管理该角色的账号",
            )?;
            check.require(
                check.ctx.covers(&mine, place),
                DenyCode::Jurisdiction,
                outside,
            )
        }
        _ => match target.place() {
            Some(place) => check.require(
                check.ctx.covers(&mine, place),
                DenyCode::Jurisdiction,
                outside,
            ),
            None => Err(check.wrong_target()),
        },
    }
}

/// Accounts a bureau may manage within its territory: those of the units, authorities and
/// providers it oversees, and (a city) its county bureaus and zone centres. Never a
/// supervisor's, a base's or a city bureau's: those are set up outside the app.
fn manageable_by(bureau: Role, account: Role) -> bool {
    match account {
        Role::Professional
        | Role::UnitAdmin
        | Role::IndustryAuthority
        | Role::StateOwnedUnit
        | Role::Provider => true,
        Role::CountyBureau | Role::ZoneCentre => bureau == Role::CityBureau,
        Role::CityBureau | Role::Base | Role::Supervisor => false,
    }
}

pub(super) fn supervisor(check: &Check, region: RegionCode, target: &Target) -> Result<(), Denied> {
    match target.place() {
        Some(place) => check.require(
            check.ctx.region_covers(region, place),
            DenyCode::Jurisdiction,
            "对象不在本机关监督范围内",
        ),
        None => Err(check.wrong_target()),
    }
}
