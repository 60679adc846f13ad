//! Who is calling. [`Caller`] reads the credentials of a request — an API token
//! (`Authorization: Bearer xs_…`) or the session cookie [`SESSION_COOKIE`] — and checks them
//! with the store; a cookie request that changes state (any method but GET, HEAD, OPTIONS) must
//! also carry the session's CSRF token in [`CSRF_HEADER`] (`csrf.missing`, `csrf.mismatch`).
//! Token requests need no CSRF token: a browser never attaches them by itself.
//! [`Acting`] is a signed-in account that may act: its password need not be changed first, and
//! its [`Principal`] (role and scope) is built from the organisation, unit or person it belongs
//! to. What the principal may do is `xueshi_app::authorize`'s, asked by each handler.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use xueshi_app::{AccountId, Actor, Principal};
use xueshi_domain::RegionCode;
use xueshi_store::accounts::{self, Account, ApiPrincipal, Session};
use xueshi_store::organisations;

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "xueshi_session";
/// The header a cookie request that changes state carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of a cookie, from every `Cookie` header of a request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}")
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub enum Caller {
    /// A browser (or script) with a session cookie.
    Session {
        account: Account,
        session: Session,
        /// The cookie's token, to end the session with.
        token: String,
    },
    /// A base or provider with an API token.
    Token(ApiPrincipal),
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let now = state.now_ms();
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    ApiError::new(
                        axum::http::StatusCode::UNAUTHORIZED,
                        "api_token.invalid",
                        "Authorization 须为 Bearer 令牌",
                    )
                })?;
            let api = accounts::authenticate_api_token(&state.db, token, now).await?;
            return Ok(Self::Token(api));
        }
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthenticated)?
            .to_owned();
        let cached = state.sessions.get(&token, now);
        let session = match &cached {
            Some(c) => c.session.clone(),
            None => accounts::session(&state.db, &token, now).await?,
        };
        if changes_state(&parts.method) {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    ApiError::forbidden("csrf.missing", "缺少 CSRF 令牌（X-CSRF-Token）")
                })?;
            if !session.csrf_ok(presented) {
                return Err(ApiError::forbidden(
                    "csrf.mismatch",
                    "CSRF 令牌与当前会话不符",
                ));
            }
        }
        let account = match cached {
            Some(c) => c.account,
            None => {
                let account = accounts::account(&state.db, session.account_id).await?;
                state
                    .sessions
                    .put(&token, session.clone(), account.clone(), now);
                account
            }
        };
        Ok(Self::Session {
            account,
            session,
            token,
        })
    }
}

/// A signed-in account that may act, as the use cases see it ([`Actor`]: the account, its
/// principal and where it acts), extracted from a session.
#[derive(Clone, Debug)]
pub struct Acting(pub Actor);

impl std::ops::Deref for Acting {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.0
    }
}

impl Acting {
    pub fn new(account: Account, principal: Principal, region: Option<RegionCode>) -> Self {
        Self(Actor {
            account,
            principal,
            region,
        })
    }
}

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Caller::Session {
            account,
            session,
            token,
        } = Caller::from_request_parts(parts, state).await?
        else {
            return Err(ApiError::forbidden(
                "auth.session_required",
                "该接口须以账号登录后使用，不接受 API 令牌",
            ));
        };
        if session.must_change_password {
            return Err(ApiError::forbidden(
                "password.must_change",
                "请先修改初始密码",
            ));
        }
        let (principal, region) = match state
            .sessions
            .get(&token, state.now_ms())
            .and_then(|c| c.principal)
        {
            Some(p) => p,
            None => {
                let p = principal_of(state, &account).await?;
                let region = accounts::account_region(&state.db, &account, state.now_ms()).await?;
                state.sessions.set_principal(&token, &p, region);
                (p, region)
            }
        };
        Ok(Self::new(account, principal, region))
    }
}

/// An account as it acts: its principal and where it acts.
pub async fn acting_of(state: &AppState, account: Account) -> Result<Acting, ApiError> {
    let principal = principal_of(state, &account).await?;
    let region = accounts::account_region(&state.db, &account, state.now_ms()).await?;
    Ok(Acting::new(account, principal, region))
}

/// The principal of an account: its role, within the scope of its person, unit or
/// organisation as stored (`xueshi_app::accounts::principal_of`).
pub async fn principal_of(state: &AppState, account: &Account) -> Result<Principal, ApiError> {
    Ok(xueshi_app::accounts::principal_of(&state.db, account).await?)
}

/// Whoever acts for an organisation or person: a signed-in account ([`Acting`]) or, for the
/// bases' and providers' systems, an API token of their organisation.
pub use xueshi_app::actor::Agent;

impl FromRequestParts<AppState> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            let Caller::Token(api) = Caller::from_request_parts(parts, state).await? else {
                return Err(ApiError::unauthenticated());
            };
            let org = organisations::organisation(&state.db, api.organisation_id)
                .await?
                .ok_or_else(|| {
                    ApiError::internal("api_token.scope", &"token of unknown organisation")
                })?;
            let scope = xueshi_app::accounts::org_scope(&state.db, &org)
                .await?
                .map_err(|what| ApiError::internal("api_token.scope", &what))?;
            // Token ids are not account ids: a token principal never matches an account.
            let principal = Principal::new(AccountId(-1), scope)?;
            return Ok(Self {
                principal,
                actor: format!("令牌 {}（{}）", api.token_id, org.name),
                organisation_id: Some(org.id),
                region: Some(org.region),
            });
        }
        let acting = Acting::from_request_parts(parts, state).await?;
        Ok(Self {
            actor: crate::access::actor(&acting),
            organisation_id: acting.account.organisation_id,
            region: acting.region,
            principal: acting.0.principal,
        })
    }
}
