//! Verification of hours for a title application (D13–D15, D17, D22): the JSON adapter over
//! `xueshi_app::verifications`, which holds each use case (routing, the queue, D14's check,
//! the act with its audit line and ledger leaf in one transaction).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use xueshi_app::verifications::{
    self, ApplicationDetail, ApplicationView, Applied, ApplyBody, DecisionBody, OfflineBody,
    Readiness,
};
use xueshi_app::views::ActDone;

use xueshi_app::queues::QueueAsk;

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Applies for verification, for oneself or a unit's staff (all or none).
#[utoipa::path(post, path = "/api/verifications", tag = "verifications",
    request_body = ApplyBody,
    responses(
        (status = 201, description = "已申请，附核验机构", body = [Applied]),
        (status = 400, description = "级别、周期或名单无效", body = ErrorBody),
        (status = 403, description = "无权为其中某人申请", body = ErrorBody),
        (status = 404, description = "名单中的人员不存在（store.not_found）", body = ErrorBody),
        (status = 409, description = "已有相同的申请正在等待核验（verification.duplicate，附已有申请编号）", body = ErrorBody),
        (status = 422, description = "路由表无法确定核验机构（verification.route）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<ApplyBody>,
) -> Result<(StatusCode, Json<Vec<Applied>>), ApiError> {
    let out = verifications::apply(&state.ctx(), &acting, &body).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// The applications routed to the calling bureau and not yet answered, oldest first.
#[utoipa::path(get, path = "/api/verifications/pending", tag = "verifications", params(QueueAsk),
    responses(
        (status = 200, description = "待核验的申请", body = [ApplicationView]),
        (status = 403, description = "只有人社部门核验（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query），或姓名检索过长（queue.name）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn pending(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<QueueAsk>,
) -> Result<Json<Vec<ApplicationView>>, ApiError> {
    Ok(Json(
        verifications::pending(&state.ctx(), &acting, &q.filter()?, q.limit()).await?,
    ))
}

/// One application with the engine's explanation.
#[utoipa::path(get, path = "/api/verifications/{application_id}", tag = "verifications",
    params(("application_id" = i64, Path)),
    responses(
        (status = 200, description = "申请及引擎判定依据", body = ApplicationDetail),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "申请不存在", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApplicationDetail>, ApiError> {
    Ok(Json(
        verifications::detail(&state.ctx(), &acting, id).await?,
    ))
}

/// Stamps (核验章) or refuses an application routed to the calling bureau. A stamp is refused
/// unless the engine says the cycle complies (D14).
#[utoipa::path(post, path = "/api/verifications/{application_id}/decision", tag = "verifications",
    params(("application_id" = i64, Path)),
    request_body = DecisionBody,
    responses(
        (status = 201, description = "已核验（签名账本行为）", body = ActDone),
        (status = 403, description = "无权核验，或不是该申请的核验机构（verification.not_routed_here）", body = ErrorBody),
        (status = 409, description = "学时不达标不能盖章（verification.not_compliant）、已核验、或判定已变化（verification.stale）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path），或请求体不是有效的 JSON、缺少字段（request.json / request.fields）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<(StatusCode, Json<ActDone>), ApiError> {
    let done = verifications::decide(&state.ctx(), &acting, id, &body).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// Records an offline (paper) verification of a person's cycle.
#[utoipa::path(post, path = "/api/persons/{person_id}/offline-verifications", tag = "verifications",
    params(("person_id" = i64, Path)),
    request_body = OfflineBody,
    responses(
        (status = 201, description = "已补录（签名账本行为）", body = ActDone),
        (status = 400, description = "缺少纸质证书页码或级别、周期无效", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn record_offline(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
    ApiJson(body): ApiJson<OfflineBody>,
) -> Result<(StatusCode, Json<ActDone>), ApiError> {
    let done = verifications::record_offline(&state.ctx(), &acting, person_id, &body).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// The planned application a readiness check is about.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadinessQuery {
    /// junior | intermediate | senior
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
}

/// The readiness check for a planned title application: what is missing, by when, who will
/// verify, and the next open slot.
#[utoipa::path(get, path = "/api/persons/{person_id}/readiness", tag = "verifications",
    params(("person_id" = i64, Path), ReadinessQuery),
    responses(
        (status = 200, description = "申报准备情况", body = Readiness),
        (status = 400, description = "级别或周期无效", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn readiness(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReadinessQuery>,
) -> Result<Json<Readiness>, ApiError> {
    let r = verifications::readiness(
        &state.ctx(),
        &acting,
        person_id,
        &q.level,
        q.first_year,
        q.last_year,
    )
    .await?;
    Ok(Json(r))
}
