//! The four provincial bases report their exam certificates (D6) with their API token, in
//! batches: the JSON adapter over `xueshi_app::bases` (a CSV or XLSX report in the columns of
//! `xueshi import certificates`, checked row by row, good rows registered idempotently, bad rows
//! rejected with reasons). A base's official signed in on the page sends the same report with
//! the session instead.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
pub use xueshi_app::bases::ReportResult;
pub use xueshi_app::upload::RowProblem;

use crate::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiBytes;
use crate::state::AppState;

/// The largest report taken in one request (about 500,000 rows of CSV); larger reports are
/// sent in several batches.
pub const MAX_REPORT_BYTES: usize = 64 * 1024 * 1024;

/// Reports a batch of exam certificates (the calling base's API token, or a signed-in
/// account of the base).
#[utoipa::path(post, path = "/api/base/certificates", tag = "bases",
    request_body(description = "证书报送表（CSV UTF-8 或 XLSX），列同 `xueshi import certificates`",
        content((String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "逐行结果：写入、已存在、退回及理由", body = ReportResult),
        (status = 403, description = "只有国家级继续教育基地报送（auth.role）", body = ErrorBody),
        (status = 413, description = "文件、解压后的部件、共享字符串或行数超过上限（request.too_large、import.limit.*）", body = ErrorBody),
        (status = 415, description = "只接受 text/csv 或 XLSX", body = ErrorBody),
        (status = 422, description = "压缩比、伪造的部件大小、部件数或列数超过上限（import.limit.*）", body = ErrorBody),
        (status = 400, description = "无法读取请求体（request.body），或文件本身无法解析（import.*）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    agent: Agent,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes<MAX_REPORT_BYTES>,
) -> Result<Json<ReportResult>, ApiError> {
    let media = crate::access::media_type(&headers);
    Ok(Json(
        xueshi_app::bases::report(&state.ctx(), &state.keys, &agent, &media, &body).await?,
    ))
}
