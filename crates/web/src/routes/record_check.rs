//! `POST /api/persons/{person_id}/records/check`: the registration form asks, before saving,
//! whether a record would count (`xueshi_app::records::check`). Same body and checks as
//! registering; nothing is written.

use axum::Json;
use axum::extract::State;
use xueshi_app::record_check::RecordCheck;
use xueshi_app::records::{self, RecordBody};

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// Whether a record would count, and why not, before it is registered.
#[utoipa::path(post, path = "/api/persons/{person_id}/records/check", tag = "records",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    request_body = RecordBody,
    responses(
        (status = 200, description = "引擎对该记录的预判（不写入任何数据）", body = RecordCheck),
        (status = 400, description = "字段无效（record.*）", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 409, description = "该年度登记已截止（registration.closed）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn check(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
    ApiJson(body): ApiJson<RecordBody>,
) -> Result<Json<RecordCheck>, ApiError> {
    Ok(Json(
        records::check(&state.ctx(), &acting, person_id, &body).await?,
    ))
}
