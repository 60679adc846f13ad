//! Review of year pages (D12), each use case in one place. A professional or their unit
//! submits a person's year page ([`submit`]; one identical to a pending one is refused,
//! `review.pending`); the industry authority of the unit's industry and region lists what
//! waits in its scope ([`pending`]) and stamps (审核盖章) or rejects with a reason per record
//! ([`review`]) — a signed ledger act with its audit line in one transaction. A page is
//! reviewed only when submitted and not yet answered; a rejected page can be corrected and
//! submitted again.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_store::acts::{self, Review};
use xueshi_store::entries::ReviewReason;
use xueshi_store::requests;

use crate::access::{allow, person_in, person_target, year_end};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::queues::{QueueFilter, QueueUnit};
use crate::views::{ActDone, SubjectView};
use crate::{Action, Scope};

/// A submission's id.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Submitted {
    pub submission_id: i64,
}

/// Submits `person_id`'s page of `year` to their unit's industry authority for review.
pub async fn submit(ctx: &Ctx, actor: &Actor, person_id: i64, year: i32) -> Result<Submitted> {
    let (target, unit) = person_target(ctx, person_id, year_end(year)?).await?;
    allow(ctx, &actor.principal, Action::SubmitYearPage, &target)?;
    let submission_id = requests::submit_year_page(
        &ctx.db,
        person_id,
        year,
        unit.unit_id,
        &actor.line(ctx, "year_page.submit"),
    )
    .await?;
    Ok(Submitted { submission_id })
}

/// A year page waiting for review.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PendingPageView {
    pub submission_id: i64,
    pub year: i32,
    pub submitted_by: String,
    pub submitted_ms: i64,
    pub subject: SubjectView,
}

/// The calling industry authority's scope (its region and industry), or `message` refusing
/// any other caller.
fn authority_scope<'a>(
    actor: &'a Actor,
    message: &str,
) -> Result<(xueshi_domain::RegionCode, &'a str)> {
    match actor.principal.scope() {
        Scope::IndustryAuthority { industry, region } => Ok((*region, industry.as_str())),
        _ => Err(Error::denied("auth.role", message)),
    }
}

const ONLY_AUTHORITIES: &str = "只有行业主管部门审核年度登记";

/// The year pages waiting for the calling industry authority's review, narrowed by `filter`
/// (one unit's staff, a name), oldest first, at most `limit`, each one it may review.
pub async fn pending(
    ctx: &Ctx,
    actor: &Actor,
    filter: &QueueFilter,
    limit: i64,
) -> Result<Vec<PendingPageView>> {
    let (region, industry) = authority_scope(actor, ONLY_AUTHORITIES)?;
    let pages = requests::pending_year_pages(&ctx.db, region, industry, filter, limit).await?;
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let unit = xueshi_store::people::UnitPlace {
            unit_id: page.subject.unit_id,
            region: page.subject.region,
            zone: page.subject.zone.clone(),
            industry: page.subject.industry.clone(),
        };
        let target = person_in(page.subject.person_id, &unit);
        if allow(ctx, &actor.principal, Action::ReviewYearPage, &target).is_ok() {
            out.push(PendingPageView {
                submission_id: page.submission_id,
                year: page.year,
                submitted_by: page.submitted_by,
                submitted_ms: page.submitted_ms,
                subject: page.subject.into(),
            });
        }
    }
    Ok(out)
}

/// The units whose year pages wait for the calling industry authority, by name, with how
/// many each: what its queue can be narrowed to.
pub async fn pending_units(ctx: &Ctx, actor: &Actor) -> Result<Vec<QueueUnit>> {
    let (region, industry) = authority_scope(actor, ONLY_AUTHORITIES)?;
    Ok(requests::pending_page_units(&ctx.db, region, industry).await?)
}

/// A reason for rejecting one record of the page.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// The record's label.
    pub record: String,
    pub reason: String,
}

/// A stamp, or a rejection with reasons.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub approved: bool,
    /// At least one for a rejection; none for a stamp.
    #[serde(default)]
    pub reasons: Vec<ReasonBody>,
}

/// Stamps (审核盖章) or rejects `person_id`'s submitted page of `year`: a signed ledger act by
/// the calling official of the industry authority.
pub async fn review(
    ctx: &Ctx,
    actor: &Actor,
    person_id: i64,
    year: i32,
    body: &ReviewBody,
) -> Result<ActDone> {
    let (target, _) = person_target(ctx, person_id, year_end(year)?).await?;
    allow(ctx, &actor.principal, Action::ReviewYearPage, &target)?;
    if !requests::year_page_pending(&ctx.db, person_id, year).await? {
        return Err(Error::conflict(
            "review.not_submitted",
            "该年度登记尚未提交审核，或已审核",
        ));
    }
    let authority_id = actor.organisation()?;
    let reasons: Vec<ReviewReason> = body
        .reasons
        .iter()
        .map(|r| ReviewReason {
            record: r.record.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    if body.approved && !reasons.is_empty() {
        return Err(Error::invalid("review.reasons", "盖章时不填写退回理由"));
    }
    let name = actor.name();
    let (act_id, inclusion) = acts::review(
        &ctx.db,
        &ctx.signer,
        &Review {
            person_id,
            year,
            authority_id,
            approved: body.approved,
            reasons: &reasons,
        },
        actor.act(ctx, &name)?,
    )
    .await?;
    Ok(ActDone::new(act_id, &inclusion))
}

/// A review act as shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub act_id: i64,
    pub approved: bool,
    pub actor: String,
    pub decided_on: String,
    pub reasons: Vec<ReasonBody>,
    pub entry_index: i64,
}

/// The review acts on a person's year page, oldest first (the last is in force), and whether
/// the page waits for review.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewHistory {
    pub pending: bool,
    pub acts: Vec<ReviewView>,
}

/// `person_id`'s page of `year`: its review acts and whether it waits.
pub async fn history(ctx: &Ctx, actor: &Actor, person_id: i64, year: i32) -> Result<ReviewHistory> {
    let (target, _) = person_target(ctx, person_id, year_end(year)?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let acts = acts::review_history(&ctx.db, person_id, year)
        .await?
        .into_iter()
        .map(review_view)
        .collect();
    Ok(ReviewHistory {
        pending: requests::year_page_pending(&ctx.db, person_id, year).await?,
        acts,
    })
}

/// A review act of the calling authority, with whom it concerns.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DoneReviewView {
    pub person_id: i64,
    pub name: String,
    /// The ID number, masked.
    pub id_masked: String,
    pub year: i32,
    #[serde(flatten)]
    pub act: ReviewView,
}

/// The review acts of the calling official's industry authority (by any of its officials),
/// newest first, at most `limit`: what it stamped and rejected.
pub async fn done(ctx: &Ctx, actor: &Actor, limit: i64) -> Result<Vec<DoneReviewView>> {
    authority_scope(actor, "只有行业主管部门查看审核记录")?;
    let acts = acts::authority_reviews(&ctx.db, actor.organisation()?, limit).await?;
    Ok(acts
        .into_iter()
        .map(|a| DoneReviewView {
            person_id: a.act.row.person_id,
            name: a.person_name,
            id_masked: a.id_masked,
            year: a.act.row.year,
            act: review_view(a.act),
        })
        .collect())
}

fn review_view(a: acts::ReviewAct) -> ReviewView {
    ReviewView {
        act_id: a.row.id,
        approved: a.row.approved,
        actor: a.row.actor,
        decided_on: a.row.decided_on.to_string(),
        reasons: a
            .reasons
            .into_iter()
            .map(|r| ReasonBody {
                record: r.record,
                reason: r.reason,
            })
            .collect(),
        entry_index: a.row.entry_index,
    }
}
