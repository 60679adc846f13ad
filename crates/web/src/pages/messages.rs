//! `/messages` 消息, on every role's navigation: the account's messages, newest first and paged
//! (unread ones marked, each with a 标为已读 button, and 全部标为已读), and the optional e-mail
//! address the messages are also sent to. Reads through `xueshi_app::messages` (as the API does), writes through its
//! API (by `app.js`), like every page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::Acting;
use crate::extract::ApiQuery;
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use xueshi_app::messages::{self, MessageView};

/// Where the page is.
pub const PATH: &str = "/messages";

/// The unread count for the navigation's badge; a failure to count shows none (and is logged)
/// rather than failing the page.
pub async fn unread(state: &AppState, acting: &Acting) -> i64 {
    let Ok(mailbox) = messages::mailbox(acting) else {
        return 0;
    };
    match xueshi_store::messages::unread(&state.db, mailbox).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "unread messages not counted");
            0
        }
    }
}

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    chrome: Chrome,
    unread: i64,
    email: String,
    messages: Vec<MessageView>,
    older: Option<String>,
    newest: bool,
}

/// `?before=ID`: the page of older messages.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Older {
    pub before: Option<i64>,
}

/// The messages and the e-mail form.
pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ApiQuery(q): ApiQuery<Older>,
) -> Result<Response, PageError> {
    let list = messages::list(&state.ctx(), &page.acting, q.before, None).await?;
    Ok(render(&MessagesPage {
        chrome: page.chrome("消息", PATH),
        unread: list.unread,
        email: list.email.unwrap_or_default(),
        messages: list.messages,
        older: list.next_before.map(|b| format!("{PATH}?before={b}")),
        newest: q.before.is_none(),
    }))
}
