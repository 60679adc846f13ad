//! 消息, in one place: the calling account's messages (its mailbox: a professional's own, a
//! unit administrator's unit, an official's organisation), newest first and paged ([`list`]);
//! marking them read ([`read`]); and the optional e-mail address its messages are also sent to
//! ([`set_email`], audited without the address). Every use case acts on the caller's own
//! mailbox only — there is no id of someone else's to ask for.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_store::accounts::beijing_time;
use xueshi_store::messages::{self, Mailbox, Message};

use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

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

/// The caller's mailbox, or `messages.no_mailbox` (denied).
pub fn mailbox(actor: &Actor) -> Result<Mailbox> {
    Mailbox::of(&actor.account)
        .ok_or_else(|| Error::denied("messages.no_mailbox", "该账号没有消息"))
}

/// The caller's messages older than `before`, newest first, at most `limit` (clamped to
/// 1–100, default 30).
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    before: Option<i64>,
    limit: Option<i64>,
) -> Result<MessagesPage> {
    let mailbox = mailbox(actor)?;
    let limit = limit
        .unwrap_or(messages::DEFAULT_PAGE)
        .clamp(1, messages::MAX_PAGE);
    let found = messages::list(&ctx.db, mailbox, before, limit).await?;
    let next_before = if i64::try_from(found.len()).unwrap_or(0) == limit {
        found.last().map(|m| m.id)
    } else {
        None
    };
    Ok(MessagesPage {
        unread: messages::unread(&ctx.db, mailbox).await?,
        email: messages::email(&ctx.db, actor.account.id).await?,
        messages: found.iter().map(MessageView::from).collect(),
        next_before,
    })
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
pub async fn read(ctx: &Ctx, actor: &Actor, body: &ReadBody) -> Result<ReadDone> {
    let mailbox = mailbox(actor)?;
    let max = usize::try_from(messages::MAX_PAGE).unwrap_or(100);
    if body.ids.len() > max || (!body.all && body.ids.is_empty()) {
        return Err(Error::invalid(
            "messages.ids",
            "请指明要标为已读的消息（每次最多 100 条），或选择全部",
        ));
    }
    let ids = (!body.all).then_some(body.ids.as_slice());
    let marked = messages::mark_read(&ctx.db, mailbox, ids, ctx.now_ms()).await?;
    Ok(ReadDone {
        marked,
        unread: messages::unread(&ctx.db, mailbox).await?,
    })
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

/// Sets or removes the caller's e-mail address. Audited, without the address.
pub async fn set_email(ctx: &Ctx, actor: &Actor, body: &EmailBody) -> Result<EmailView> {
    let email = messages::set_email(
        &ctx.db,
        &actor.account,
        body.email.as_deref(),
        actor.region,
        ctx.now_ms(),
    )
    .await?;
    Ok(EmailView { email })
}
