//! Signing in and out and changing one's password: the account holder's own acts. Signing in
//! is throttled per login name and client address ([`Throttle`]) in place of a lockout; an
//! unknown login, a wrong password and an account locked before all answer `auth.failed`
//! alike, count as failures alike, and unknown logins are audited in one line per address and
//! window. Every other act (a started session, a failure, a password change, signing out
//! everywhere) is audited by the store. The adapter sets or clears the cookie and forgets
//! cached sessions; passwords are never logged nor echoed.

use std::net::IpAddr;

use xueshi_store::accounts::{self, Account, AccountPolicy, NewSession};
use xueshi_store::{Keys, StoreError};

use crate::ctx::Ctx;
use crate::error::Result;
use crate::throttle::Throttle;

/// What a sign-in is tried with.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub login: &'a str,
    pub password: &'a str,
    /// The client's address, for throttling and the unknown-login audit line.
    pub address: Option<IpAddr>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("login", &self.login)
            .field("password", &"…")
            .field("address", &self.address)
            .finish()
    }
}

/// A started session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub account: Account,
    /// The password must be changed before anything else (first sign-in, or after a reset).
    pub must_change_password: bool,
    /// The cookie's token and the CSRF token.
    pub session: NewSession,
}

/// How a sign-in ended when it was tried at all.
#[derive(Clone, Debug)]
pub enum SignIn {
    Started(Box<SignedIn>),
    /// Too many failures: wait this long (the same for every login name, known or not); the
    /// password was not tried and nothing was audited.
    Throttled {
        wait_ms: i64,
    },
}

/// Signs in: throttled, then the password checked, then a session started.
pub async fn sign_in(
    ctx: &Ctx,
    policy: &AccountPolicy,
    throttle: &Throttle,
    try_with: Credentials<'_>,
) -> Result<SignIn> {
    let Credentials {
        login,
        password,
        address,
    } = try_with;
    let now = ctx.now_ms();
    if let Some(wait_ms) = throttle.wait_ms(login, address, now) {
        return Ok(SignIn::Throttled { wait_ms });
    }
    // Throttling replaces the store's lockout, which anyone could renew to keep an account
    // locked and which answered differently for a real account.
    let policy = AccountPolicy {
        max_failures: i64::MAX,
        ..*policy
    };
    let outcome = match accounts::login_or_unknown(&ctx.db, &policy, login, password, now).await {
        Ok(Some(outcome)) => outcome,
        Ok(None) => {
            // An unknown login: throttled and answered as a wrong password, audited in one
            // line per address and window (anyone can make up names; the trail must not grow
            // by one line per name).
            throttle.failed(login, address, now);
            if let Some(attempts) = throttle.unknown_login(address, now) {
                let from = address.map(|a| a.to_string());
                accounts::audit_unknown_logins(&ctx.db, now, attempts, from.as_deref()).await?;
            }
            return Err(accounts::login_failed().into());
        }
        // A lock set before (or by another tool) answers as an unknown login or a wrong
        // password does, and counts as a failure alike: the answers never tell an account
        // exists.
        Err(StoreError::AccountLocked { .. }) => {
            throttle.failed(login, address, now);
            return Err(accounts::login_failed().into());
        }
        Err(e) => {
            if is_wrong_password(&e) {
                throttle.failed(login, address, now);
            }
            return Err(e.into());
        }
    };
    throttle.succeeded(login, address);
    let session = accounts::start_session(&ctx.db, &policy, outcome.account.id, now).await?;
    Ok(SignIn::Started(Box::new(SignedIn {
        account: outcome.account,
        must_change_password: outcome.must_change_password,
        session,
    })))
}

/// The store refused the password (not a disabled account nor a failure of ours).
fn is_wrong_password(e: &StoreError) -> bool {
    matches!(e, StoreError::Unauthenticated { .. })
}

/// Signs out of one session (its token); signing out of an ended session does nothing.
pub async fn sign_out(ctx: &Ctx, token: &str) -> Result<()> {
    Ok(accounts::end_session(&ctx.db, token).await?)
}

/// Ends every session of the account (this one included) and its audit line; answers how many.
pub async fn sign_out_everywhere(ctx: &Ctx, account_id: i64) -> Result<u64> {
    Ok(accounts::sign_out_everywhere(&ctx.db, account_id, ctx.now_ms()).await?)
}

/// The account holder changes their password from session `session_id`, proving the old one:
/// the forced change is cleared and every other session and API token of the account ends,
/// with the audit line, in one transaction. The adapter forgets the account's cached sessions.
pub async fn change_password(
    ctx: &Ctx,
    keys: &Keys,
    policy: &AccountPolicy,
    account_id: i64,
    session_id: i64,
    old: &str,
    new: &str,
) -> Result<()> {
    Ok(accounts::change_password_in_session(
        &ctx.db,
        keys,
        policy,
        account_id,
        old,
        new,
        Some(session_id),
        ctx.now_ms(),
    )
    .await?)
}
