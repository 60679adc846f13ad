//! Signing in and out, the current caller, and changing one's password. Login sets the session
//! cookie (HttpOnly, SameSite=Strict, Path=/, Secure when configured) and returns the CSRF
//! token the client must send back in `X-CSRF-Token` with every state-changing request. An
//! unknown login, a wrong password and an account locked by the store fail alike
//! (`auth.failed`, 401); repeated failures are throttled (429, [`crate::throttle`]).
//! Passwords are never logged nor echoed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_app::session;
use xueshi_store::accounts::Account;

use crate::auth::{Caller, clear_cookie, session_cookie};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Login name and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("login", &self.login)
            .field("password", &"…")
            .finish()
    }
}

/// An account as the API shows it (no password hash, no personal data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    /// `professional`, `unit_admin`, `county_bureau`…
    pub role: String,
    /// The role in Chinese.
    pub role_zh: String,
    pub organisation_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub person_id: Option<i64>,
    pub must_change_password: bool,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            login: a.login.clone(),
            display_name: a.display_name.clone(),
            role: a.role.as_str().to_owned(),
            role_zh: a.role.zh().to_owned(),
            organisation_id: a.organisation_id,
            unit_id: a.unit_id,
            person_id: a.person_id,
            must_change_password: a.must_change_password,
        }
    }
}

/// A started session.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub account: AccountView,
    /// The password must be changed (`POST /api/password`) before anything else.
    pub must_change_password: bool,
    /// Send back in `X-CSRF-Token` with every POST, PUT, PATCH and DELETE.
    pub csrf_token: String,
}

/// Who is calling.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Me {
    /// `session` or `api_token`.
    pub kind: &'static str,
    /// The signed-in account (sessions only).
    pub account: Option<AccountView>,
    /// The organisation an API token speaks for (tokens only).
    pub organisation_id: Option<i64>,
    /// The API token's scope (tokens only).
    pub token_scope: Option<String>,
}

/// Old and new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { … }")
    }
}

/// Signs in and starts a session.
#[utoipa::path(post, path = "/api/session", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "登录成功；设置会话 Cookie", body = LoginResponse,
            headers(("set-cookie" = String, description = "xueshi_session=…; HttpOnly; SameSite=Strict; Path=/"))),
        (status = 400, description = "请求格式错误", body = ErrorBody),
        (status = 401, description = "登录名或密码错误（auth.failed）；未知登录名、密码错误与被锁定的账号答复完全相同", body = ErrorBody),
        (status = 403, description = "账号已停用（account.disabled）", body = ErrorBody),
        (status = 429, description = "失败次数过多，须等待后再试（auth.throttled）；未知登录名与已有账号答复相同", body = ErrorBody,
            headers(("retry-after" = String, description = "须等待的秒数"))),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let try_with = session::Credentials {
        login: &req.login,
        password: &req.password,
        address,
    };
    let signed_in =
        match session::sign_in(&state.ctx(), &state.accounts, &state.throttle, try_with).await? {
            session::SignIn::Started(signed_in) => signed_in,
            session::SignIn::Throttled { wait_ms } => return Ok(throttled(wait_ms)),
        };
    let session::SignedIn {
        account,
        must_change_password,
        session,
    } = *signed_in;
    let body = LoginResponse {
        account: AccountView::from(&account),
        must_change_password,
        csrf_token: session.csrf_token,
    };
    Ok((
        [
            (
                SET_COOKIE,
                session_cookie(&session.token, state.secure_cookies),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        Json(body),
    )
        .into_response())
}

/// The client's address for throttling (see [`crate::throttle::client_address`]).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(crate::throttle::client_address(
            parts,
            state.throttle.config(),
        )))
    }
}

/// 429 with the seconds to wait (rounded up): the same for every login name.
fn throttled(wait_ms: i64) -> Response {
    let seconds = wait_ms.max(1).saturating_add(999) / 1000;
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(RETRY_AFTER, seconds.to_string())],
        Json(ErrorBody {
            code: "auth.throttled".to_owned(),
            message: format!("登录失败次数过多，请 {seconds} 秒后再试"),
        }),
    )
        .into_response()
}

/// Signs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    params(("x-csrf-token" = Option<String>, Header, description = "登录时返回的 CSRF 令牌（以会话 Cookie 调用时必填；API 令牌无需）")),
    responses(
        (status = 204, description = "已退出登录"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "CSRF 令牌缺失或不符（csrf.missing / csrf.mismatch）", body = ErrorBody),
    ))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let Caller::Session { token, account, .. } = caller else {
        return Err(ApiError::forbidden(
            "auth.session_required",
            "API 令牌没有会话可退出",
        ));
    };
    session::sign_out(&state.ctx(), &token).await?;
    state.sessions.forget_account(account.id);
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, clear_cookie(state.secure_cookies))],
    )
        .into_response())
}

/// The caller: the signed-in account, or the organisation of an API token.
#[utoipa::path(get, path = "/api/me", tag = "session",
    responses(
        (status = 200, description = "当前调用者", body = Me),
        (status = 401, description = "未登录", body = ErrorBody),
    ))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(match caller {
        Caller::Session { account, .. } => Me {
            kind: "session",
            account: Some(AccountView::from(&account)),
            organisation_id: None,
            token_scope: None,
        },
        Caller::Token(api) => Me {
            kind: "api_token",
            account: None,
            organisation_id: Some(api.organisation_id),
            token_scope: Some(api.scope),
        },
    })
}

/// Changes the signed-in account's password, proving the old one; clears a forced change.
#[utoipa::path(post, path = "/api/password", tag = "session",
    request_body = PasswordChange,
    params(("x-csrf-token" = Option<String>, Header, description = "登录时返回的 CSRF 令牌（以会话 Cookie 调用时必填；API 令牌无需）")),
    responses(
        (status = 204, description = "密码已修改"),
        (status = 400, description = "新密码不符合要求（password.weak / password.from_id / password.reused）", body = ErrorBody),
        (status = 401, description = "未登录，或原密码错误（auth.failed）", body = ErrorBody),
        (status = 403, description = "CSRF 令牌缺失或不符", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let Caller::Session {
        account, session, ..
    } = caller
    else {
        return Err(ApiError::forbidden(
            "auth.session_required",
            "API 令牌不能修改密码",
        ));
    };
    session::change_password(
        &state.ctx(),
        &state.keys,
        &state.accounts,
        account.id,
        session.id,
        &req.old_password,
        &req.new_password,
    )
    .await?;
    // Every other session of the account has ended: none may live on in this process's cache.
    state.sessions.forget_account(account.id);
    Ok(StatusCode::NO_CONTENT)
}

/// How many sessions "sign out everywhere" ended.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SignedOut {
    /// Sessions ended, this one included.
    pub sessions_ended: u64,
}

/// Signs out everywhere: ends every session of the signed-in account (this one included, on
/// every device) and clears the cookie.
#[utoipa::path(delete, path = "/api/sessions", tag = "session",
    params(("x-csrf-token" = Option<String>, Header, description = "登录时返回的 CSRF 令牌（以会话 Cookie 调用时必填；API 令牌无需）")),
    responses(
        (status = 200, description = "已在所有设备上退出登录", body = SignedOut),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "CSRF 令牌缺失或不符；API 令牌没有会话（auth.session_required）", body = ErrorBody),
    ))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let Caller::Session { account, .. } = caller else {
        return Err(ApiError::forbidden(
            "auth.session_required",
            "API 令牌没有会话可退出",
        ));
    };
    let ended = session::sign_out_everywhere(&state.ctx(), account.id).await?;
    state.sessions.forget_account(account.id);
    Ok((
        [
            (SET_COOKIE, clear_cookie(state.secure_cookies)),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        Json(SignedOut {
            sessions_ended: ended,
        }),
    )
        .into_response())
}
