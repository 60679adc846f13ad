//! Signing in, changing the initial password, and the home page (each role's first page).
//! The forms post JSON to `/api/session` and `/api/password` through `app.js`.

use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Page, PageError, nav, render};
use crate::auth::Caller;
use crate::state::AppState;

/// Home: a signed-in account goes to its role's first page.
pub async fn home(page: Page) -> Response {
    let to = nav(page.role()).first().map_or("/login", |(href, _)| href);
    Redirect::to(to).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    next: String,
}

/// The sign-in page. `next` is where to go after it (a local path only).
pub async fn login(Query(q): Query<Next>) -> Response {
    let next = q
        .next
        .as_deref()
        .and_then(crate::next::local_path)
        .unwrap_or("/")
        .to_owned();
    render(&Login { next })
}

#[derive(Template)]
#[template(path = "password.html")]
struct Password {
    csrf: String,
    forced: bool,
}

/// Changing one's password (required before anything else after the first sign-in).
pub async fn password(
    State(state): State<AppState>,
    mut parts: Parts,
) -> Result<Response, PageError> {
    match Caller::from_request_parts(&mut parts, &state).await {
        Ok(Caller::Session { session, .. }) => Ok(render(&Password {
            forced: session.must_change_password,
            csrf: session.csrf_token,
        })),
        _ => Err(PageError::Redirect("/login?next=/password".to_owned())),
    }
}
