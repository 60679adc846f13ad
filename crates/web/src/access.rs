//! What the few handlers that are not a use case of `xueshi_app` (the password reset, the
//! bases' reports, the demo) ask before acting — thin adapters over `xueshi_app::access` and
//! [`xueshi_app::Actor`] taking the [`AppState`] — and what every adapter reads off a request
//! (its media type) or hides in an answer (a person the caller may not see). Handlers never
//! decide permissions themselves.

use xueshi_app::{Action, Principal, Target};
use xueshi_domain::Date;

pub use xueshi_app::access::place;
pub use xueshi_app::views::Receipt;

use crate::auth::Acting;
use crate::error::ApiError;
use crate::state::AppState;

/// The principal may do `action` to `target`, or the refusal (403 with `auth.*`).
pub fn allow(
    state: &AppState,
    principal: &Principal,
    action: Action,
    target: &Target,
) -> Result<(), ApiError> {
    Ok(xueshi_app::access::allow(
        &state.ctx(),
        principal,
        action,
        target,
    )?)
}

/// Today in Beijing, by the state's clock.
pub fn today(state: &AppState) -> Result<Date, ApiError> {
    Ok(state.ctx().today()?)
}

/// The organisation an official account acts for (its absence is a data error: 500).
pub fn organisation(acting: &Acting) -> Result<i64, ApiError> {
    Ok(acting.organisation()?)
}

/// The media type of a request body, lower-cased, without parameters.
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// How an official act names its author: the login and the account's display name.
pub fn actor(acting: &Acting) -> String {
    acting.name()
}

/// The one answer under `/api/persons/{id}/…` for a person who does not exist and for one the
/// caller may not see: 404 `person.not_found`, the same body either way.
pub fn person_hidden() -> ApiError {
    ApiError::not_found(
        "person.not_found",
        "没有这个人员，或您无权查看或办理该人员的此项事务",
    )
}

/// Under `/api/persons/{id}/…`, whether a person exists is itself personal: an account outside
/// the person's jurisdiction must not learn it by comparing answers. A refusal that depends on
/// who the person is (`auth.role`, `auth.own_only`, `auth.jurisdiction`: the handler looked the
/// person up to decide) and the answers of a missing person or a person without a unit on that
/// date all become [`person_hidden`]. Refusals that do not depend on the id stay as they are
/// (401; 403 for CSRF, a forced password change, an API token where a session is needed).
pub fn hide_persons(path: &str, res: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !path.starts_with("/api/persons/") {
        return res;
    }
    let hide = match res.extensions().get::<crate::error::ErrorCode>() {
        Some(crate::error::ErrorCode(code)) => matches!(
            (res.status().as_u16(), *code),
            (403, "auth.role" | "auth.own_only" | "auth.jurisdiction")
                | (
                    404,
                    "store.not_found" | "person.no_unit" | "person.not_found"
                )
        ),
        None => false,
    };
    if hide {
        person_hidden().into_response()
    } else {
        res
    }
}
