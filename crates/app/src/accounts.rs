//! Accounts a caller manages, as far as they are use cases here: the professional accounts of a
//! unit administrator's staff ([`staff_accounts`]), the list a unit resets forgotten passwords
//! from. The reset itself ends sessions in the web layer's session cache and stays with it.

use serde::Serialize;
use utoipa::ToSchema;
use xueshi_store::resets;

use crate::Scope;
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

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
