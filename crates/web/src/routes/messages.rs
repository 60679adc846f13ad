//! 消息: the calling account's messages (its mailbox: a professional's own, a unit
//! administrator's unit, an official's organisation), newest first and paged; marking them
//! read; and the optional e-mail address its messages are also sent to. Every endpoint acts on
//! the caller's own mailbox only — there is no id of someone else's to ask for — and needs a
//! signed-in session (API tokens have no mailbox).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_store::accounts::beijing_time;
use xueshi_store::messages::{self, Mailbox, Message};

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A message as shown: a title and a text in plain Chinese, and the facts it was written from.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    /// review.stamped | review.returned | verification.approved | verification.refused |
    /// reminder.person | reminder.unit
    pub kind: String,
    pub title: String,
    pub text: String,
    pub year: Option<i32>,
    pub agency: Option<String>,
    /// The deadline a reminder is about (YYYY-MM-DD).
    pub deadline_on: Option<String>,
    pub created_ms: i64,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub created_at: String,
    pub read: bool,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        Self {
            id: m.id,
            kind: m.kind.as_str().to_owned(),
            title: m.title(),
            text: m.text(),
            year: m.year,
            agency: m.agency.clone(),
            deadline_on: m.deadline_on.map(|d| d.to_string()),
            created_ms: m.created_ms,
            created_at: beijing_time(m.created_ms),
            read: m.read_ms.is_some(),
        }
    }
}

/// A page of messages.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MessagesPage {
    /// Unread messages in the whole mailbox.
    pub unread: i64,
    /// The address messages are also e-mailed to, if the account gave one.
    pub email: Option<String>,
    pub messages: Vec<MessageView>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// Which page.
#[derive(Clone, Copy, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Messages older than this id (the previous page's `next_before`).
    pub before: Option<i64>,
    /// At most this many (1–100, default 30).
    pub limit: Option<i64>,
}

/// The caller's mailbox.
pub fn mailbox(acting: &Acting) -> Result<Mailbox, ApiError> {
    Mailbox::of(&acting.account)
        .ok_or_else(|| ApiError::forbidden("messages.no_mailbox", "该账号没有消息"))
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
    let mailbox = mailbox(&acting)?;
    let limit = q
        .limit
        .unwrap_or(messages::DEFAULT_PAGE)
        .clamp(1, messages::MAX_PAGE);
    let found = messages::list(&state.db, mailbox, q.before, limit).await?;
    let next_before = if i64::try_from(found.len()).unwrap_or(0) == limit {
        found.last().map(|m| m.id)
    } else {
        None
    };
    Ok(Json(MessagesPage {
        unread: messages::unread(&state.db, mailbox).await?,
        email: messages::email(&state.db, acting.account.id).await?,
        messages: found.iter().map(MessageView::from).collect(),
        next_before,
    }))
}

/// Which messages to mark read.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    /// These messages (at most 100; others' ids are ignored).
    #[serde(default)]
    pub ids: Vec<i64>,
    /// Every message of the mailbox.
    #[serde(default)]
    pub all: bool,
}

/// How many were marked, and how many remain unread.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReadDone {
    pub marked: u64,
    pub unread: i64,
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
    let mailbox = mailbox(&acting)?;
    let max = usize::try_from(messages::MAX_PAGE).unwrap_or(100);
    if body.ids.len() > max || (!body.all && body.ids.is_empty()) {
        return Err(ApiError::bad_request(
            "messages.ids",
            "请指明要标为已读的消息（每次最多 100 条），或选择全部",
        ));
    }
    let ids = (!body.all).then_some(body.ids.as_slice());
    let marked = messages::mark_read(&state.db, mailbox, ids, state.now_ms()).await?;
    Ok(Json(ReadDone {
        marked,
        unread: messages::unread(&state.db, mailbox).await?,
    }))
}

/// The e-mail address to send messages to; empty or absent removes it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    pub email: Option<String>,
}

/// The address now in force.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EmailView {
    pub email: Option<String>,
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
    let email = messages::set_email(
        &state.db,
        &acting.account,
        body.email.as_deref(),
        acting.region,
        state.now_ms(),
    )
    .await?;
    Ok(Json(EmailView { email }))
}
