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
use serde::Deserialize;
use utoipa::IntoParams;
pub use xueshi_app::accounts::{ResetBody, ResetDone};

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

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
    let (account_id, done) = xueshi_app::accounts::reset_password(
        &state.ctx(),
        &state.keys,
        &state.accounts,
        &acting,
        &body,
    )
    .await?;
    // Sessions cached on this instance end at once (others within the cache's bound).
    state.sessions.forget_account(account_id);
    Ok((StatusCode::CREATED, Json(done)))
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
