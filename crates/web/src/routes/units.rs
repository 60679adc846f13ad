//! A unit's own business: the JSON adapter over `xueshi_app::units` — its staff of a year
//! with each person's compliance and review state, its import of staff learning records from a
//! CSV or XLSX file, its bookings, and which bureau verifies its staff for each title level
//! (D13) with that bureau's open slots.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use utoipa::IntoParams;
use xueshi_app::units;
pub use xueshi_app::units::{
    BookedPerson, BookingInfo, ImportResult, LevelVerifier, StaffCountsView, StaffList,
    StaffParams, StaffView, XLSX,
};

use crate::access;
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiBytes, ApiPath, ApiQuery};
use crate::routes::base::MAX_REPORT_BYTES;
use crate::state::AppState;

/// A unit's staff of a year with each person's compliance (from the kept summaries; a stale or
/// missing one is evaluated now for the rows shown) and year-page review, paged by name.
#[utoipa::path(get, path = "/api/units/{unit_id}/staff", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号"), StaffParams),
    responses(
        (status = 200, description = "职工年度学时情况（分页）", body = StaffList),
        (status = 400, description = "年度或筛选条件无效（staff.*）", body = ErrorBody),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "单位不存在（unit.not_found）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn staff_list(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<StaffParams>,
) -> Result<Json<StaffList>, ApiError> {
    Ok(Json(
        units::staff_list(&state.ctx(), &acting, unit_id, &q).await?,
    ))
}

/// All or nothing (default), or keep the good rows.
#[derive(Clone, Copy, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// true: write the good rows and report the bad; false (default): one bad row and nothing
    /// is written.
    pub keep_good: Option<bool>,
}

/// Imports the unit's staff learning records from a CSV (UTF-8) or XLSX file sent raw, in the
/// columns of `xueshi import records` (template: `/unit/import/template.csv`). Every row is
/// checked — ID number and registered name, that the person is the unit's staff today, dates,
/// hours, a year still open for registration, duplicates — and every bad row reported with its
/// column, code and Chinese reason. All or nothing by default; `keep_good=true` writes the good
/// rows. Re-importing a file writes nothing twice.
#[utoipa::path(post, path = "/api/units/{unit_id}/import", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号"), ImportParams),
    request_body(description = "学习记录表（CSV UTF-8 或 XLSX），列同 `xueshi import records`",
        content((String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "逐行结果：写入、已存在、有错误的行及理由", body = ImportResult),
        (status = 403, description = "只有用人单位为本单位职工导入（auth.role / auth.own_only）", body = ErrorBody),
        (status = 404, description = "单位不存在", body = ErrorBody),
        (status = 413, description = "文件、解压后的部件、共享字符串或行数超过上限（request.too_large、import.limit.*）", body = ErrorBody),
        (status = 415, description = "只接受 CSV 或 XLSX（request.content_type）", body = ErrorBody),
        (status = 422, description = "压缩比、伪造的部件大小、部件数或列数超过上限（import.limit.*）", body = ErrorBody),
        (status = 400, description = "路径或查询参数格式不正确（request.path / request.query），无法读取请求体（request.body），或文件本身无法解析（import.*）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn import_records(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportParams>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes<MAX_REPORT_BYTES>,
) -> Result<Json<ImportResult>, ApiError> {
    Ok(Json(
        units::import_records(
            &state.ctx(),
            &state.keys,
            &acting,
            unit_id,
            &access::media_type(&headers),
            &body,
            q.keep_good.unwrap_or(false),
        )
        .await?,
    ))
}

/// A unit's bookings (newest first, at most 200; cancelled ones included).
#[utoipa::path(get, path = "/api/units/{unit_id}/bookings", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号")),
    responses(
        (status = 200, description = "本单位的预约", body = [BookingInfo]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "单位不存在", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn bookings(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<Json<Vec<BookingInfo>>, ApiError> {
    Ok(Json(units::bookings(&state.ctx(), &acting, unit_id).await?))
}

/// Which bureau verifies the unit's staff for each title level, by the policy's routing table
/// (D13), with its open slots (D16).
#[utoipa::path(get, path = "/api/units/{unit_id}/verifiers", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号")),
    responses(
        (status = 200, description = "各职称级别的核验机构及其可预约时段", body = [LevelVerifier]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "单位不存在", body = ErrorBody),
        (status = 422, description = "路由表无法确定核验机构（verification.route）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn verifiers(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<Json<Vec<LevelVerifier>>, ApiError> {
    Ok(Json(
        units::verifiers(&state.ctx(), &acting, unit_id).await?,
    ))
}
