//! Review of year pages (D12): the JSON adapter over `xueshi_app::reviews`, which holds each
//! use case (submission, the authority's queue, the stamp or rejection as a signed act with
//! its audit line in one transaction).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use xueshi_app::reviews::{
    self, DoneReviewView, PendingPageView, ReviewBody, ReviewHistory, Submitted,
};
pub use xueshi_app::views::{ActDone, Receipt, SubjectView};

use xueshi_app::queues::QueueAsk;

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Submits a person's year page to their unit's industry authority for review.
#[utoipa::path(post, path = "/api/persons/{person_id}/years/{year}/submit", tag = "reviews",
    params(("person_id" = i64, Path), ("year" = i32, Path)),
    responses(
        (status = 201, description = "已提交审核", body = Submitted),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 409, description = "该年度已提交、尚待审核（review.pending）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    let done = reviews::submit(&state.ctx(), &acting, person_id, year).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// How many items a queue shows at most.
#[derive(Clone, Copy, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
}

impl QueueQuery {
    pub fn limit(self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, 500)
    }
}

/// The year pages waiting for the calling industry authority's review, oldest first.
#[utoipa::path(get, path = "/api/reviews/pending", tag = "reviews", params(QueueAsk),
    responses(
        (status = 200, description = "待审核的年度登记", body = [PendingPageView]),
        (status = 403, description = "只有行业主管部门审核（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query），或姓名检索过长（queue.name）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn pending(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<QueueAsk>,
) -> Result<Json<Vec<PendingPageView>>, ApiError> {
    Ok(Json(
        reviews::pending(&state.ctx(), &acting, &q.filter()?, q.limit()).await?,
    ))
}

/// Stamps (审核盖章) or rejects a submitted year page: a signed ledger act by the calling
/// official of the industry authority.
#[utoipa::path(post, path = "/api/persons/{person_id}/years/{year}/review", tag = "reviews",
    params(("person_id" = i64, Path), ("year" = i32, Path)),
    request_body = ReviewBody,
    responses(
        (status = 201, description = "已审核", body = ActDone),
        (status = 400, description = "退回须逐条说明理由（review.reasons）", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 409, description = "该年度登记未提交审核（review.not_submitted）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn review(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<(StatusCode, Json<ActDone>), ApiError> {
    let done = reviews::review(&state.ctx(), &acting, person_id, year, &body).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// A year page's review history.
#[utoipa::path(get, path = "/api/persons/{person_id}/years/{year}/reviews", tag = "reviews",
    params(("person_id" = i64, Path), ("year" = i32, Path)),
    responses(
        (status = 200, description = "审核记录", body = ReviewHistory),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn history(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<Json<ReviewHistory>, ApiError> {
    Ok(Json(
        reviews::history(&state.ctx(), &acting, person_id, year).await?,
    ))
}

/// The review acts of the calling official's industry authority (by any of its officials),
/// newest first: what it stamped and rejected.
#[utoipa::path(get, path = "/api/reviews/done", tag = "reviews", params(QueueQuery),
    responses(
        (status = 200, description = "本部门已审核的年度登记（最新在前）", body = [DoneReviewView]),
        (status = 403, description = "只有行业主管部门（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn done(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<DoneReviewView>>, ApiError> {
    Ok(Json(reviews::done(&state.ctx(), &acting, q.limit()).await?))
}
