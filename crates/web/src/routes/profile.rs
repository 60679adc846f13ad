//! A person's profile, applications and bookings: the JSON adapter over `xueshi_app::profile`
//! (reads only, each authorized as `view_records` on the person).

use axum::Json;
use axum::extract::State;
use xueshi_app::profile;
pub use xueshi_app::profile::{CycleView, OpenYear, Profile};
use xueshi_app::units::BookingInfo;
use xueshi_app::verifications::ApplicationView;

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;

/// A person's profile: masked identity, unit today, planned cycles, open years.
#[utoipa::path(get, path = "/api/persons/{person_id}/profile", tag = "persons",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "人员概况（身份证号已遮蔽）", body = Profile),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn profile(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(
        profile::profile(&state.ctx(), &acting, person_id).await?,
    ))
}

/// A person's verification applications, oldest first, with their answers.
#[utoipa::path(get, path = "/api/persons/{person_id}/verifications", tag = "verifications",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "学时验证申请及结果", body = [ApplicationView]),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn applications(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Vec<ApplicationView>>, ApiError> {
    Ok(Json(
        profile::applications(&state.ctx(), &acting, person_id).await?,
    ))
}

/// The bookings that include a person, newest first (naming only that person).
#[utoipa::path(get, path = "/api/persons/{person_id}/bookings", tag = "appointments",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "本人的核验预约", body = [BookingInfo]),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn bookings(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Vec<BookingInfo>>, ApiError> {
    Ok(Json(
        profile::bookings(&state.ctx(), &acting, person_id).await?,
    ))
}
