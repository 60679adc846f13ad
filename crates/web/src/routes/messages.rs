//! 消息: the JSON adapter over `xueshi_app::messages` — the calling account's messages, newest
//! first and paged; marking them read; and the optional e-mail address its messages are also
//! sent to. Every endpoint acts on the caller's own mailbox only and needs a signed-in session
//! (API tokens have no mailbox).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use xueshi_app::messages;
pub use xueshi_app::messages::{
    EmailBody, EmailView, MessageView, MessagesPage, ReadBody, ReadDone, mailbox,
};

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Which page.
#[derive(Clone, Copy, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Messages older than this id (the previous page's `next_before`).
    pub before: Option<i64>,
    /// At most this many (1–100, default 30).
    pub limit: Option<i64>,
}

/// The caller's messages, newest first.
#[utoipa::path(get, path = "/api/messages", tag = "messages", params(PageQuery),
    responses(
        (status = 200, description = "本账号的消息（最新在前）", body = MessagesPage),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 403, description = "API 令牌不能读取消息，或须先修改初始密码（auth.session_required / password.must_change）", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<MessagesPage>, ApiError> {
    Ok(Json(
        messages::list(&state.ctx(), &acting, q.before, q.limit).await?,
    ))
}

/// Marks the caller's messages read.
#[utoipa::path(post, path = "/api/messages/read", tag = "messages", request_body = ReadBody,
    responses(
        (status = 200, description = "已标为已读", body = ReadDone),
        (status = 400, description = "未指明消息，或一次超过 100 条（messages.ids）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（request.content_type）", body = ErrorBody),
    ))]
pub async fn read(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<ReadBody>,
) -> Result<Json<ReadDone>, ApiError> {
    Ok(Json(messages::read(&state.ctx(), &acting, &body).await?))
}

/// Sets or removes the caller's e-mail address (messages are then also sent there when the
/// service has an SMTP server). Audited, without the address.
#[utoipa::path(put, path = "/api/me/email", tag = "messages", request_body = EmailBody,
    responses(
        (status = 200, description = "已保存", body = EmailView),
        (status = 400, description = "电子邮箱格式不正确（email.invalid）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（request.content_type）", body = ErrorBody),
    ))]
pub async fn set_email(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Json<EmailView>, ApiError> {
    Ok(Json(
        messages::set_email(&state.ctx(), &acting, &body).await?,
    ))
}
