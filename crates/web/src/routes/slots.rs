//! Verification appointments (D16): the JSON adapter over `xueshi_app::slots`, which holds
//! each use case (a bureau opens slots; a unit books for its staff or a professional for
//! themself; either cancels; the bureau sees the bookings). The store never overbooks
//! (`booking.full`, 409).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use xueshi_app::slots;
pub use xueshi_app::slots::{Attendee, BookBody, Booked, BookingView, SlotBody, SlotInfo};

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Opens an appointment slot of the calling bureau.
#[utoipa::path(post, path = "/api/slots", tag = "appointments",
    request_body = SlotBody,
    responses(
        (status = 201, description = "已开放", body = SlotInfo),
        (status = 400, description = "日期、地点或容量无效（slot.*）", body = ErrorBody),
        (status = 403, description = "只有人社部门开放预约", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn open(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<SlotBody>,
) -> Result<(StatusCode, Json<SlotInfo>), ApiError> {
    let slot = slots::open(&state.ctx(), &acting, body).await?;
    Ok((StatusCode::CREATED, Json(slot)))
}

/// Whose slots, from when.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// The bureau (default: the caller's own bureau, or the bureau of the caller's unit's place).
    pub bureau_id: Option<i64>,
    /// From this day (default today).
    pub from: Option<String>,
}

/// A bureau's slots from a day on (signed-in accounts).
#[utoipa::path(get, path = "/api/slots", tag = "appointments", params(SlotsQuery),
    responses(
        (status = 200, description = "预约时段", body = [SlotInfo]),
        (status = 400, description = "参数无效", body = ErrorBody),
        (status = 404, description = "所指的人社部门不存在（slot.bureau）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 403, description = "无权操作（auth.*）；以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.missing / csrf.mismatch）", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<SlotsQuery>,
) -> Result<Json<Vec<SlotInfo>>, ApiError> {
    Ok(Json(
        slots::list(&state.ctx(), &acting, q.bureau_id, q.from.as_deref()).await?,
    ))
}

/// Books seats at a slot for a unit's staff (or a professional for themself). All staff must
/// work for the booking unit today; never overbooks.
#[utoipa::path(post, path = "/api/slots/{slot_id}/bookings", tag = "appointments",
    params(("slot_id" = i64, Path)),
    request_body = BookBody,
    responses(
        (status = 201, description = "已预约", body = Booked),
        (status = 403, description = "无权预约（只能为本单位或本人）", body = ErrorBody),
        (status = 409, description = "名额不足（booking.full），或名单中有人已预约该时段（booking.duplicate，附已有预约编号）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path），或请求体不是有效的 JSON、缺少字段（request.json / request.fields）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn book(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(slot_id): ApiPath<i64>,
    ApiJson(body): ApiJson<BookBody>,
) -> Result<(StatusCode, Json<Booked>), ApiError> {
    let booked = slots::book(&state.ctx(), &acting, slot_id, &body).await?;
    Ok((StatusCode::CREATED, Json(booked)))
}

/// The bookings of one of the calling bureau's slots.
#[utoipa::path(get, path = "/api/slots/{slot_id}/bookings", tag = "appointments",
    params(("slot_id" = i64, Path)),
    responses(
        (status = 200, description = "预约名单", body = [BookingView]),
        (status = 403, description = "只有开放该时段的人社部门可查看", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
    ))]
pub async fn bookings(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(slot_id): ApiPath<i64>,
) -> Result<Json<Vec<BookingView>>, ApiError> {
    Ok(Json(slots::bookings(&state.ctx(), &acting, slot_id).await?))
}

/// Cancels a booking (its unit, the professional booked alone, or the slot's bureau).
#[utoipa::path(delete, path = "/api/bookings/{booking_id}", tag = "appointments",
    params(("booking_id" = i64, Path)),
    responses(
        (status = 204, description = "已取消"),
        (status = 400, description = "已取消过（booking.cancelled）", body = ErrorBody),
        (status = 403, description = "无权取消", body = ErrorBody),
        (status = 404, description = "预约不存在", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(booking_id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    slots::cancel(&state.ctx(), &acting, booking_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
