//! The audit trail (D18, D19): the JSON adapter over `xueshi_app::audit` — supervisors read
//! and filter the trail within their region; an authorised official may reveal a person's ID
//! number, and that disclosure is itself written to the trail before it happens.

use axum::Json;
use axum::extract::State;
pub use xueshi_app::audit::{AuditLine, AuditQuery, Revealed};

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// Reads the audit trail, oldest first unless asked newest first, a page at a time
/// (supervisors).
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, description = "审计记录", body = [AuditLine]),
        (status = 403, description = "只有监督机关查阅（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn trail(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditLine>>, ApiError> {
    Ok(Json(
        xueshi_app::audit::trail(&state.ctx(), &acting, &q).await?,
    ))
}

/// Reveals a person's ID number to an authorised official (audited before it is shown).
#[utoipa::path(get, path = "/api/persons/{person_id}/id-number", tag = "audit",
    params(("person_id" = i64, Path)),
    responses(
        (status = 200, description = "身份证号（已记入审计）", body = Revealed),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn reveal(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Revealed>, ApiError> {
    Ok(Json(
        xueshi_app::audit::reveal(&state.ctx(), &state.keys, &acting, person_id).await?,
    ))
}
