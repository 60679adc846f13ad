//! [`Actor`]: who calls a use case — the signed-in account, the [`Principal`] it acts as, and
//! the region it acts in (written with every audit line and official act, so that a supervisor
//! reads them within its region). Adapters build it from a session; use cases never look at
//! cookies or tokens.

use xueshi_domain::RegionCode;
use xueshi_store::accounts::Account;
use xueshi_store::audit::Line;
use xueshi_store::ledger::Act;

use crate::Principal;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// A signed-in account acting.
#[derive(Clone, Debug)]
pub struct Actor {
    pub account: Account,
    pub principal: Principal,
    /// Where the account acts (`accounts::account_region`).
    pub region: Option<RegionCode>,
}

impl Actor {
    /// How an act and an audit line name their author: the login and the display name.
    pub fn name(&self) -> String {
        format!("{}（{}）", self.account.login, self.account.display_name)
    }

    /// The audit line of an act of this actor, written by the store in the act's transaction
    /// (the store sets the subject).
    pub fn line(&self, ctx: &Ctx, action: &str) -> Line {
        Line::new(
            ctx.now_ms(),
            self.name(),
            self.region,
            action,
            String::new(),
        )
    }

    /// An official act by `name` (this actor's [`Actor::name`]), where it acts, dated today
    /// by the context's clock.
    pub fn act<'a>(&self, ctx: &Ctx, name: &'a str) -> Result<Act<'a>> {
        Ok(Act {
            actor: name,
            region: self.region,
            on: ctx.today()?,
            now_ms: ctx.now_ms(),
        })
    }

    /// The organisation an official account acts for (its absence is a data error).
    pub fn organisation(&self) -> Result<i64> {
        self.account.organisation_id.ok_or_else(|| {
            Error::internal(
                "account.scope",
                format!("account {} without organisation", self.account.id),
            )
        })
    }
}

/// Whoever acts for an organisation or person: a signed-in account ([`Actor`]) or, for the
/// bases' and providers' systems, an API token of their organisation. Adapters build it.
#[derive(Clone, Debug)]
pub struct Agent {
    pub principal: Principal,
    /// How acts and audit lines name the agent.
    pub actor: String,
    /// The organisation acted for (none for professionals and unit administrators).
    pub organisation_id: Option<i64>,
    /// Where the agent acts: its organisation's region, or the signed-in account's.
    pub region: Option<RegionCode>,
}

impl From<&Actor> for Agent {
    fn from(a: &Actor) -> Self {
        Self {
            principal: a.principal.clone(),
            actor: a.name(),
            organisation_id: a.account.organisation_id,
            region: a.region,
        }
    }
}

impl Agent {
    /// The audit line of an act of this agent, written by the store in the act's transaction.
    pub fn line(&self, ctx: &Ctx, action: &str) -> Line {
        Line::new(
            ctx.now_ms(),
            self.actor.clone(),
            self.region,
            action,
            String::new(),
        )
    }
}
