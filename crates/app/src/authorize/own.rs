//! Rules of the roles that act only for what is their own: a professional for themself, a
//! unit admin and a state-owned unit for their own staff and unit, a base for its own
//! reports, a provider for its own filings. Refusals here are `auth.own_only`, except a slot
//! of a bureau with no jurisdiction over the unit (`auth.jurisdiction`) and an account of a
//! role a unit may not manage (`auth.role`). Whether the role may do the action at all is
//! checked before, in [`super::authorize`].

use xueshi_policy::input::Place;

use super::Check;
use crate::denied::{Denied, DenyCode};
use crate::ids::{OrgId, PersonId, UnitId};
use crate::role::Role;
use crate::target::Target;

const SLOT_ELSEWHERE: &str = "该预约时段所属的人社部门对所在单位没有管辖权";

pub(super) fn professional(check: &Check, me: PersonId, target: &Target) -> Result<(), Denied> {
    match target {
        Target::Person { person, .. } => {
            check.require(*person == me, DenyCode::OwnOnly, "只能办理本人的事项")
        }
        Target::Slot {
            bureau,
            unit_place,
            person,
            ..
        } => {
            check.require(*person == Some(me), DenyCode::OwnOnly, "只能为本人预约")?;
            check.require(
                check.ctx.covers(bureau, unit_place),
                DenyCode::Jurisdiction,
                SLOT_ELSEWHERE,
            )
        }
        _ => Err(check.wrong_target()),
    }
}

pub(super) fn unit_admin(
    check: &Check,
    me: UnitId,
    my_place: &Place,
    target: &Target,
) -> Result<(), Denied> {
    match target {
        Target::Person { unit, .. } => {
            check.require(*unit == me, DenyCode::OwnOnly, "只能办理本单位人员的事项")
        }
        Target::Unit { unit, .. } => {
            check.require(*unit == me, DenyCode::OwnOnly, "只能查看本单位的统计")
        }
        Target::Area(_) | Target::Industry { .. } => {
            Err(check.deny(DenyCode::OwnOnly, "只能查看本单位的统计"))
        }
        Target::Slot { bureau, unit, .. } => {
            check.require(*unit == me, DenyCode::OwnOnly, "只能为本单位预约")?;
            check.require(
                check.ctx.covers(bureau, my_place),
                DenyCode::Jurisdiction,
                SLOT_ELSEWHERE,
            )
        }
        Target::Account { role, unit, .. } => {
            check.require(
                *role == Role::Professional,
                DenyCode::Role,
                "用人单位只能管理本单位专业技术人员的账号",
            )?;
            check.require(
                *unit == Some(me),
                DenyCode::OwnOnly,
                "只能管理本单位人员的账号",
            )
        }
        _ => Err(check.wrong_target()),
    }
}

pub(super) fn state_owned_unit(check: &Check, me: UnitId, target: &Target) -> Result<(), Denied> {
    match target {
        Target::Person { unit, .. } => {
            check.require(*unit == me, DenyCode::OwnOnly, "只能办理本单位人员的事项")
        }
        Target::Unit { unit, .. } => {
            check.require(*unit == me, DenyCode::OwnOnly, "只能查看本单位的统计")
        }
        Target::Area(_) | Target::Industry { .. } => {
            Err(check.deny(DenyCode::OwnOnly, "只能查看本单位的统计"))
        }
        _ => Err(check.wrong_target()),
    }
}

pub(super) fn base(check: &Check, me: u8, target: &Target) -> Result<(), Denied> {
    match target {
        Target::BaseReport { base } => {
            check.require(*base == me, DenyCode::OwnOnly, "只能报送本基地的合格证书")
        }
        _ => Err(check.wrong_target()),
    }
}

pub(super) fn provider(check: &Check, me: OrgId, target: &Target) -> Result<(), Denied> {
    match target {
        Target::Filing { provider, .. } => check.require(
            *provider == me,
            DenyCode::OwnOnly,
            "只能办理本机构的培训备案",
        ),
        _ => Err(check.wrong_target()),
    }
}
