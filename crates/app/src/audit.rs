//! The audit trail (D18, D19), in one place: supervisors read and filter every official act and
//! every disclosure of unmasked personal data within their region ([`trail`]); an authorised
//! official may reveal a person's ID number ([`reveal`]), and that disclosure is itself written
//! to the trail before it happens (in the same transaction as the read).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_policy::input::Place;
use xueshi_store::Keys;
use xueshi_store::audit::{self, AuditFilter};

use crate::access::{allow, person_target};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::{Action, Scope, Target};

/// Filters on the trail; every given one must match.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The actor text exactly as recorded.
    pub actor: Option<String>,
    /// A part of the actor's name as people read it: its agency's or unit's name, the
    /// official's name or the login (e.g. `霍邱`).
    pub actor_name: Option<String>,
    /// e.g. `review.act`, `verification.act`, `person.reveal`, `account.login`.
    pub action: Option<String>,
    /// From (inclusive), Unix ms.
    pub since_ms: Option<i64>,
    /// Until (exclusive), Unix ms.
    pub until_ms: Option<i64>,
    /// At most this many lines (default 500, at most 10000).
    pub limit: Option<u32>,
    /// Skip this many matching lines first (for paging; default 0).
    pub offset: Option<u32>,
    /// Newest first instead of oldest first.
    pub newest_first: Option<bool>,
}

/// One line of the trail.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditLine {
    pub id: i64,
    pub at_ms: i64,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
    /// The ledger entry of the act, when it is one.
    pub entry_index: Option<i64>,
}

/// Reads the audit trail, oldest first unless asked newest first, a page at a time
/// (supervisors).
pub async fn trail(ctx: &Ctx, actor: &Actor, q: &AuditQuery) -> Result<Vec<AuditLine>> {
    // Each line carries the region where its act happened: a supervisor reads the lines
    // within its own region (a provincial one also reads the system's lines, which have none).
    let Scope::Supervisor { region } = actor.principal.scope() else {
        return Err(Error::denied("auth.role", "只有监督机关查阅审计记录"));
    };
    allow(
        ctx,
        &actor.principal,
        Action::ReadAudit,
        &Target::Area(Place::Region(*region)),
    )?;
    let name = q.actor_name.as_deref();
    if name.is_some_and(|n| n.chars().count() > 100) {
        return Err(Error::invalid(
            "request.actor_name",
            "操作人名称（actor_name）不超过 100 个字",
        ));
    }
    let rows = audit::audit_page_named(
        &ctx.db,
        *region,
        &AuditFilter {
            actor: q.actor.as_deref(),
            action: q.action.as_deref(),
            since_ms: q.since_ms,
            until_ms: q.until_ms,
        },
        name,
        q.offset.unwrap_or(0),
        q.limit.unwrap_or(500),
        q.newest_first.unwrap_or(false),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditLine {
            id: r.id,
            at_ms: r.at_ms,
            at: xueshi_store::accounts::beijing_time(r.at_ms),
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            detail: r.detail,
            entry_index: r.entry_index,
        })
        .collect())
}

/// A person's unmasked ID number.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Revealed {
    pub id_number: String,
}

/// Reveals `person_id`'s ID number to an authorised official (audited before it is shown);
/// `keys` open the registry.
pub async fn reveal(ctx: &Ctx, keys: &Keys, actor: &Actor, person_id: i64) -> Result<Revealed> {
    let (target, _) = person_target(ctx, person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::RevealPersonalData, &target)?;
    let id_number = audit::reveal_id_number_audited(
        &ctx.db,
        keys,
        person_id,
        &actor.name(),
        actor.region,
        ctx.now_ms(),
    )
    .await?;
    Ok(Revealed { id_number })
}
