//! A person's year: the JSON adapter over `xueshi_app::persons` — the engine's decision for
//! whoever may see that person's records (`view_records`), and the compliance read from the
//! kept summary. Refusals are `xueshi_app::authorize`'s (`auth.role`, `auth.own_only`,
//! `auth.jurisdiction`). It writes nothing and shows no ID number.

use axum::Json;
use axum::extract::State;
use serde_json::Value;
use xueshi_app::persons;
pub use xueshi_app::persons::YearSummary;

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;

/// The engine's decision (the same JSON as `xueshi evaluate --format json`).
#[utoipa::path(get, path = "/api/persons/{person_id}/years/{year}", tag = "persons",
    params(
        ("person_id" = i64, Path, description = "人员内部编号"),
        ("year" = i32, Path, description = "学时年度"),
    ),
    responses(
        (status = 200, description = "年度学时判定（引擎 JSON）", body = Object),
        (status = 400, description = "路径参数格式不正确（request.path / request.year）", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）；该年度没有政策（policy.no_year）", body = ErrorBody),
    ))]
pub async fn person_year(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        persons::decision(&state.ctx(), &acting, person_id, year).await?,
    ))
}

/// The compliance read: whether a person's year complies and by how much it falls short, for
/// whoever may see the person's records. Answered from the person-year's summary in one query
/// when it is current, else by the engine now.
#[utoipa::path(get, path = "/api/persons/{person_id}/years/{year}/summary", tag = "persons",
    params(
        ("person_id" = i64, Path, description = "人员内部编号"),
        ("year" = i32, Path, description = "学时年度"),
    ),
    responses(
        (status = 200, description = "年度学时是否达标（摘要）", body = YearSummary),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn person_year_summary(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<Json<YearSummary>, ApiError> {
    Ok(Json(
        persons::summary(&state.ctx(), &acting, person_id, year).await?,
    ))
}
