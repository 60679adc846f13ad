//! The registers bureaus keep (D7, D8): the JSON adapter over `xueshi_app::registers` —
//! training filings (a provider submits; the bureau of the trainees' place approves or refuses
//! as a signed ledger act) and each city's courseware-provider register. Providers may use an
//! API token instead of a session.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use xueshi_app::registers;
pub use xueshi_app::registers::{
    FilingBody, FilingDecisionBody, FilingView, RegistrationBody, RegistrationView,
};

use crate::access::Receipt;
use crate::auth::{Acting, Agent};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::reviews::QueueQuery;
use crate::state::AppState;

/// A training provider files a training plan with the bureau of the trainees' place (D8).
#[utoipa::path(post, path = "/api/filings", tag = "registers",
    request_body = FilingBody,
    responses(
        (status = 201, description = "已申报备案", body = FilingView),
        (status = 400, description = "字段无效（filing.*）", body = ErrorBody),
        (status = 403, description = "只有培训机构申报（auth.role）", body = ErrorBody),
        (status = 409, description = "备案编号已存在", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn file(
    State(state): State<AppState>,
    agent: Agent,
    ApiJson(body): ApiJson<FilingBody>,
) -> Result<(StatusCode, Json<FilingView>), ApiError> {
    let view = registers::file(&state.ctx(), &agent, &body).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Filings: for a bureau, those waiting for its decision in its area; for a provider, its own.
#[utoipa::path(get, path = "/api/filings", tag = "registers", params(QueueQuery),
    responses(
        (status = 200, description = "备案列表", body = [FilingView]),
        (status = 403, description = "无权查看备案", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    agent: Agent,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<FilingView>>, ApiError> {
    Ok(Json(
        registers::filings(&state.ctx(), &agent, q.limit()).await?,
    ))
}

/// Approves (备案同意) or refuses a filing: a signed ledger act; a filing is decided once.
#[utoipa::path(post, path = "/api/filings/{filing_id}/decision", tag = "registers",
    params(("filing_id" = i64, Path)),
    request_body = FilingDecisionBody,
    responses(
        (status = 201, description = "已决定", body = Receipt),
        (status = 400, description = "不同意须说明理由（filing.reason）", body = ErrorBody),
        (status = 403, description = "无权审批", body = ErrorBody),
        (status = 409, description = "已决定过", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<FilingDecisionBody>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let receipt = registers::decide(&state.ctx(), &acting, id, &body).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// Which city's register.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// The city's six-digit code (default 341500, 六安市).
    pub city: Option<String>,
}

/// A city's courseware-provider register (public to every signed-in account).
#[utoipa::path(get, path = "/api/providers", tag = "registers", params(RegisterQuery),
    responses(
        (status = 200, description = "课件提供方备案名录", body = [RegistrationView]),
        (status = 400, description = "城市代码无效", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 403, description = "无权操作（auth.*）；以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.missing / csrf.mismatch）", body = ErrorBody),
    ))]
pub async fn register_list(
    State(state): State<AppState>,
    _agent: Agent,
    ApiQuery(q): ApiQuery<RegisterQuery>,
) -> Result<Json<Vec<RegistrationView>>, ApiError> {
    Ok(Json(
        registers::providers(&state.ctx(), q.city.as_deref()).await?,
    ))
}

/// The city bureau registers a courseware provider for a period: a signed ledger act.
#[utoipa::path(post, path = "/api/providers", tag = "registers",
    request_body = RegistrationBody,
    responses(
        (status = 201, description = "已备案", body = Receipt),
        (status = 400, description = "有效期无效（provider.period）", body = ErrorBody),
        (status = 403, description = "只有市人社局维护名录", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn register_provider(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<RegistrationBody>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let receipt = registers::register_provider(&state.ctx(), &acting, &body).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// Opens the plan attached to a filing, for its provider and the bureaus that decide it.
#[utoipa::path(get, path = "/api/filings/{filing_id}/attachment", tag = "registers",
    params(("filing_id" = i64, Path)),
    responses(
        (status = 200, description = "备案附件（培训计划）",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 403, description = "无权查看该备案", body = ErrorBody),
        (status = 404, description = "备案不存在，或没有附件（filing.no_attachment）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn attachment(
    State(state): State<AppState>,
    agent: Agent,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::response::Response, ApiError> {
    let file = registers::attachment(&state.ctx(), &agent, id).await?;
    Ok(crate::routes::records::serve_file(file))
}
