//! Forgotten passwords (忘记密码): a unit administrator resets the account of one of its staff,
//! a bureau (city, county, zone centre) any account it may manage within its jurisdiction
//! (`manage_accounts`: `xueshi_app`'s rules). The account gets a one-time password, shown once
//! in the answer and never stored in clear; every session of it ends (on this instance at
//! once, on others within the session cache's bound); its holder must change it at the next
//! sign-in; the act is audited under the caller, where it acts. An account outside the caller's
//! reach and an unknown login answer alike (`account.not_found`), so logins cannot be probed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, Scope, Target, UnitId};
use xueshi_domain::Role;
use xueshi_policy::input::Place;
use xueshi_store::accounts::{self, Account};
use xueshi_store::{organisations, people};

use crate::access::{self, allow, today};
use crate::auth::{Acting, principal_of};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

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

fn not_found() -> ApiError {
    ApiError::not_found(
        "account.not_found",
        "没有该登录名的账号，或该账号不在您的管理范围内",
    )
}

fn zone_or_region(region: xueshi_domain::RegionCode, zone: Option<String>) -> Place {
    match zone {
        Some(z) => Place::Zone(z),
        None => Place::Region(region),
    }
}

/// The account as a target of `manage_accounts`: its role, where it belongs, its unit.
async fn account_target(state: &AppState, account: &Account) -> Result<Target, ApiError> {
    let role = account.role;
    let (place, unit) = match role {
        Role::Professional => {
            let person = account.person_id.ok_or_else(not_found)?;
            let unit = people::person_unit_on(&state.db, person, today(state)?)
                .await?
                .ok_or_else(not_found)?;
            (
                zone_or_region(unit.region, unit.zone),
                Some(UnitId(unit.unit_id)),
            )
        }
        _ => match principal_of(state, account).await?.scope().clone() {
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
                let org = organisations::organisation(&state.db, org)
                    .await?
                    .ok_or_else(not_found)?;
                (Place::Region(org.region), None)
            }
        },
    };
    Ok(Target::Account { role, place, unit })
}

/// Resets an account's forgotten password to a one-time password (shown once).
#[utoipa::path(post, path = "/api/accounts/password-reset", tag = "accounts",
    request_body = ResetBody,
    responses(
        (status = 201, description = "已重置：一次性密码只显示这一次", body = ResetDone),
        (status = 400, description = "不能重置自己的密码（account.self）", body = ErrorBody),
        (status = 403, description = "该角色不能重置密码（auth.role）", body = ErrorBody),
        (status = 404, description = "没有该账号，或不在管理范围内（account.not_found）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（request.content_type）", body = ErrorBody),
    ))]
pub async fn reset(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<(StatusCode, Json<ResetDone>), ApiError> {
    if !Action::ManageAccounts
        .allowed_roles()
        .contains(&acting.principal.role())
    {
        return Err(ApiError::forbidden(
            "auth.role",
            "只有用人单位（本单位人员）和人社部门（辖区内账号）可以重置密码",
        ));
    }
    let login = body.login.trim();
    if login.is_empty() || login.chars().count() > 64 {
        return Err(ApiError::bad_request(
            "account.login",
            "请填写登录名（不超过 64 个字符）",
        ));
    }
    let account = accounts::account_by_login(&state.db, login)
        .await?
        .ok_or_else(not_found)?;
    if account.id == acting.account.id {
        return Err(ApiError::bad_request(
            "account.self",
            "不能重置自己的密码，请在“修改密码”中修改",
        ));
    }
    let target = account_target(&state, &account).await?;
    // Outside the caller's reach reads as unknown: no probing of logins.
    allow(&state, &acting.principal, Action::ManageAccounts, &target).map_err(|_| not_found())?;
    let one_time = accounts::generate_initial_password()?;
    let sessions_ended = accounts::reset_password_by(
        &state.db,
        &state.keys,
        &state.accounts,
        account.id,
        &one_time,
        &access::actor(&acting),
        acting.region,
        state.now_ms(),
    )
    .await?;
    state.sessions.forget_account(account.id);
    Ok((
        StatusCode::CREATED,
        Json(ResetDone {
            display_name: account.display_name,
            one_time_password: one_time,
            sessions_ended,
        }),
    ))
}

pub use xueshi_app::accounts::StaffAccountView;

/// A name to look for.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Part of a name (at most 30 characters are used).
    pub name: Option<String>,
}

/// The professional accounts of the calling unit administrator's staff (at most 500, by name).
#[utoipa::path(get, path = "/api/accounts/staff", tag = "accounts", params(StaffQuery),
    responses(
        (status = 200, description = "本单位职工的账号", body = [StaffAccountView]),
        (status = 403, description = "只有用人单位（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn staff(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<StaffQuery>,
) -> Result<Json<Vec<StaffAccountView>>, ApiError> {
    Ok(Json(
        xueshi_app::accounts::staff_accounts(&state.ctx(), &acting, q.name.as_deref()).await?,
    ))
}
