//! A short-lived in-process cache of checked sessions: a cookie's session, its account and
//! principal, for [`TTL_MS`]. Without it every request pays three to five database reads before
//! its own work. Signing out and changing a password drop the account's entries at once; other
//! changes made elsewhere (an account disabled by another instance, an organisation relinked)
//! take effect within [`TTL_MS`]. Holds at most [`MAX_ENTRIES`] sessions; when full it starts
//! over rather than track recency.

use std::collections::HashMap;
use std::sync::Mutex;

use xueshi_app::Principal;
use xueshi_domain::RegionCode;
use xueshi_store::accounts::{Account, Session};

/// How long a checked session is trusted without asking the database again.
pub const TTL_MS: i64 = 5_000;
/// The most sessions kept.
pub const MAX_ENTRIES: usize = 100_000;

/// What a cookie was found to stand for.
#[derive(Clone, Debug)]
pub struct Checked {
    pub session: Session,
    pub account: Account,
    /// Filled on first use by an acting request: the principal and where the account acts.
    pub principal: Option<(Principal, Option<RegionCode>)>,
    checked_ms: i64,
}

/// Checked sessions by cookie token.
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, Checked>>,
}

impl SessionCache {
    /// The checked session of `token`, if checked less than [`TTL_MS`] ago and not expired.
    pub fn get(&self, token: &str, now_ms: i64) -> Option<Checked> {
        let entries = self.entries.lock().ok()?;
        let c = entries.get(token)?;
        (now_ms.saturating_sub(c.checked_ms) < TTL_MS && now_ms < c.session.expires_ms)
            .then(|| c.clone())
    }

    /// Remembers a session just checked against the database.
    pub fn put(&self, token: &str, session: Session, account: Account, now_ms: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                token.to_owned(),
                Checked {
                    session,
                    account,
                    principal: None,
                    checked_ms: now_ms,
                },
            );
        }
    }

    /// Adds the principal built for a cached session, and the region the account acts in.
    pub fn set_principal(&self, token: &str, principal: &Principal, region: Option<RegionCode>) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(c) = entries.get_mut(token)
        {
            c.principal = Some((principal.clone(), region));
        }
    }

    /// Forgets every session of an account (signed out, password changed).
    pub fn forget_account(&self, account_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, c| c.account.id != account_id);
        }
    }
}
