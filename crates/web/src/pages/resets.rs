//! `/accounts/reset` 重置密码: a unit administrator picks one of its staff (by name), a bureau
//! types the login name, and the one-time password the API answers is shown once on the page
//! (by `static/reset.js`, which listens for the form's answer: the password is never in a URL
//! or in the HTML the server sends).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use xueshi_domain::Role;

use crate::extract::ApiQuery;
use crate::pages::{Chrome, Page, PageError, asset, officials::guard, render};
use crate::state::AppState;
use xueshi_app::accounts::{self, StaffAccountView};

/// Where the page is.
pub const PATH: &str = "/accounts/reset";

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    chrome: Chrome,
    /// A unit administrator chooses among its staff; a bureau types a login.
    unit: bool,
    name: String,
    staff: Vec<StaffAccountView>,
}

/// `?name=`: look for a staff member by name.
#[derive(Clone, Debug, Deserialize)]
pub struct Find {
    pub name: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ApiQuery(q): ApiQuery<Find>,
) -> Result<Response, PageError> {
    guard(&page, PATH)?;
    let unit = page.role() == Role::UnitAdmin;
    let name: String = q.name.unwrap_or_default().chars().take(30).collect();
    let staff = if unit {
        accounts::staff_accounts(&state.ctx(), &page.acting, Some(&name)).await?
    } else {
        Vec::new()
    };
    Ok(render(&ResetPage {
        chrome: page.chrome("重置密码", PATH),
        unit,
        name,
        staff,
    }))
}

pub async fn js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/reset.js"),
    )
}
