//! Accounts, next to authorization: the [`Principal`] a stored account acts as
//! ([`principal_of`], [`org_scope`]: its role within the scope of its person, unit or
//! organisation), and the accounts a caller manages — the professional accounts of a unit
//! administrator's staff ([`staff_accounts`]) and the reset of a forgotten password
//! ([`reset_password`]: a unit administrator for its staff, a bureau within its jurisdiction,
//! `manage_accounts`). The web layer's session cache is the adapter's to clear.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_policy::input::Place;
use xueshi_store::accounts::{self, Account, AccountPolicy};
use xueshi_store::organisations::{self, OrgKind};
use xueshi_store::{Db, Keys, people, registry, resets};

use crate::access::{allow, place};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::{AccountId, Action, OrgId, PersonId, Principal, Role, Scope, Target, UnitId};

/// A staff member whose account a unit may reset.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StaffAccountView {
    pub login: String,
    pub name: String,
    /// The ID number, masked.
    pub id_masked: String,
    /// A reset (or the initial password) still waits to be changed.
    pub must_change_password: bool,
}

/// The professional accounts of the calling unit administrator's staff (at most 500, by
/// name), those whose name contains `name` if given.
pub async fn staff_accounts(
    ctx: &Ctx,
    actor: &Actor,
    name: Option<&str>,
) -> Result<Vec<StaffAccountView>> {
    let Scope::UnitAdmin { unit, .. } = actor.principal.scope() else {
        return Err(Error::denied(
            "auth.role",
            "只有用人单位查看本单位职工的账号",
        ));
    };
    let found = resets::staff_accounts(&ctx.db, unit.0, ctx.today()?, name).await?;
    Ok(found
        .into_iter()
        .map(|a| StaffAccountView {
            login: a.login,
            name: a.name,
            id_masked: a.id_masked,
            must_change_password: a.must_change_password,
        })
        .collect())
}

/// A stored account whose links are missing or wrong: a data error, logged, opaque.
fn broken(account: &Account, what: &str) -> Error {
    Error::internal(
        "account.scope",
        format!("account {} ({}): {what}", account.id, account.role.as_str()),
    )
}

/// The principal of an account: its role, within the scope of its person, unit or
/// organisation as stored.
pub async fn principal_of(db: &Db, account: &Account) -> Result<Principal> {
    let scope = match account.role {
        Role::Professional => Scope::Professional {
            person: PersonId(
                account
                    .person_id
                    .ok_or_else(|| broken(account, "no person"))?,
            ),
        },
        Role::UnitAdmin => {
            let unit_id = account.unit_id.ok_or_else(|| broken(account, "no unit"))?;
            let unit = people::unit_place(db, unit_id)
                .await?
                .ok_or_else(|| broken(account, "unknown unit"))?;
            Scope::UnitAdmin {
                unit: UnitId(unit.unit_id),
                place: place(unit.region, unit.zone),
            }
        }
        role => {
            let org_id = account
                .organisation_id
                .ok_or_else(|| broken(account, "no organisation"))?;
            let org = organisations::organisation(db, org_id)
                .await?
                .ok_or_else(|| broken(account, "unknown organisation"))?;
            if accounts::org_kind(role) != Some(org.kind) {
                return Err(broken(account, "organisation of another kind"));
            }
            org_scope(db, &org)
                .await?
                .map_err(|what| broken(account, what))?
        }
    };
    Ok(Principal::new(AccountId(account.id), scope)?)
}

/// The scope of an organisation's officials (and of its API tokens), or what is wrong with
/// the stored organisation.
pub async fn org_scope(
    db: &Db,
    org: &organisations::Organisation,
) -> Result<std::result::Result<Scope, &'static str>> {
    Ok(Ok(match org.kind {
        OrgKind::IndustryAuthority => match &org.industry {
            Some(industry) => Scope::IndustryAuthority {
                industry: industry.clone(),
                region: org.region,
            },
            None => return Ok(Err("authority without industry")),
        },
        OrgKind::CityBureau => Scope::CityBureau { city: org.region },
        OrgKind::CountyBureau => Scope::CountyBureau { county: org.region },
        OrgKind::ZoneCentre => {
            let Some(zone_id) = org.zone_id else {
                return Ok(Err("zone centre without zone"));
            };
            match registry::zone_name(db, zone_id).await? {
                Some(zone) => Scope::ZoneCentre { zone },
                None => return Ok(Err("unknown zone")),
            }
        }
        OrgKind::OnlineBase => match org.base_number {
            Some(number) => Scope::Base { number },
            None => return Ok(Err("base without number")),
        },
        OrgKind::TrainingProvider => Scope::Provider {
            provider: OrgId(org.id),
        },
        OrgKind::Supervisor => Scope::Supervisor { region: org.region },
        OrgKind::StateOwnedUnit => {
            let Some(unit_id) = org.unit_id else {
                return Ok(Err("state-owned unit without unit"));
            };
            match people::unit_place(db, unit_id).await? {
                Some(unit) => Scope::StateOwnedUnit {
                    unit: UnitId(unit.unit_id),
                    place: place(unit.region, unit.zone),
                },
                None => return Ok(Err("unknown unit")),
            }
        }
    }))
}

/// Whose password to reset.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    /// The account's login name.
    pub login: String,
}

/// The one-time password, shown this once.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ResetDone {
    /// The account holder's name.
    pub display_name: String,
    /// Give it to the holder in person; it must be changed at the next sign-in.
    pub one_time_password: String,
    /// Sessions of the account that were ended.
    pub sessions_ended: u64,
}

fn not_found() -> Error {
    Error::not_found(
        "account.not_found",
        "没有该登录名的账号，或该账号不在您的管理范围内",
    )
}

/// The account as a target of `manage_accounts`: its role, where it belongs, its unit.
async fn account_target(ctx: &Ctx, account: &Account) -> Result<Target> {
    let role = account.role;
    let (place, unit) = match role {
        Role::Professional => {
            let person = account.person_id.ok_or_else(not_found)?;
            let unit = people::person_unit_on(&ctx.db, person, ctx.today()?)
                .await?
                .ok_or_else(not_found)?;
            (place(unit.region, unit.zone), Some(UnitId(unit.unit_id)))
        }
        _ => match principal_of(&ctx.db, account).await?.scope().clone() {
            Scope::UnitAdmin { unit, place } | Scope::StateOwnedUnit { unit, place } => {
                (place, Some(unit))
            }
            Scope::ZoneCentre { zone } => (Place::Zone(zone), None),
            Scope::CityBureau { city: region }
            | Scope::CountyBureau { county: region }
            | Scope::IndustryAuthority { region, .. }
            | Scope::Supervisor { region } => (Place::Region(region), None),
            Scope::Base { .. } | Scope::Provider { .. } | Scope::Professional { .. } => {
                let org = account.organisation_id.ok_or_else(not_found)?;
                let org = organisations::organisation(&ctx.db, org)
                    .await?
                    .ok_or_else(not_found)?;
                (Place::Region(org.region), None)
            }
        },
    };
    Ok(Target::Account { role, place, unit })
}

/// Resets the forgotten password of the account `body.login` names to a one-time password
/// (answered once, never stored in clear), ending its sessions in the store, audited under
/// the caller (in the reset's transaction). An account outside the caller's reach answers as
/// an unknown login (`account.not_found`). Answers the account's id with the result: the
/// adapter also forgets its cached sessions.
pub async fn reset_password(
    ctx: &Ctx,
    keys: &Keys,
    policy: &AccountPolicy,
    actor: &Actor,
    body: &ResetBody,
) -> Result<(i64, ResetDone)> {
    if !Action::ManageAccounts
        .allowed_roles()
        .contains(&actor.principal.role())
    {
        return Err(Error::denied(
            "auth.role",
            "只有用人单位（本单位人员）和人社部门（辖区内账号）可以重置密码",
        ));
    }
    let login = body.login.trim();
    if login.is_empty() || login.chars().count() > 64 {
        return Err(Error::invalid(
            "account.login",
            "请填写登录名（不超过 64 个字符）",
        ));
    }
    let account = accounts::account_by_login(&ctx.db, login)
        .await?
        .ok_or_else(not_found)?;
    if account.id == actor.account.id {
        return Err(Error::invalid(
            "account.self",
            "不能重置自己的密码，请在“修改密码”中修改",
        ));
    }
    let target = account_target(ctx, &account).await?;
    // Outside the caller's reach reads as unknown: no probing of logins.
    allow(ctx, &actor.principal, Action::ManageAccounts, &target).map_err(|_| not_found())?;
    let one_time = accounts::generate_initial_password()?;
    let sessions_ended = accounts::reset_password_by(
        &ctx.db,
        keys,
        policy,
        account.id,
        &one_time,
        &actor.name(),
        actor.region,
        ctx.now_ms(),
    )
    .await?;
    Ok((
        account.id,
        ResetDone {
            display_name: account.display_name,
            one_time_password: one_time,
            sessions_ended,
        },
    ))
}
