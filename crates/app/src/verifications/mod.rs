//! Verification of hours for a title application (学时核验, D13–D15, D17, D22), each use case
//! in one place: load → authorize → engine → write. A professional, or their unit for a batch,
//! applies for a level and tenure cycle ([`apply`]); the policy's routing table sends the
//! application to a bureau, never code; that bureau's queue ([`pending`]) shows it and its
//! [`detail`] the engine's explanation; [`decide`] refuses a stamp the engine does not support
//! (`verification.not_compliant`, D14) or one made on a decision that has changed since it was
//! seen (`verification.stale`), and writes the signed act, its audit lines and its ledger leaf
//! in one transaction. Paper verifications done before the system are recorded afterwards
//! ([`record_offline`], D17). [`readiness`] tells a professional what is missing, by when, who
//! will verify and the next open slot.

pub mod explain;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::case::Question;
use xueshi_policy::input::{Place, TitleLevel};
use xueshi_policy::{Decision, Options, RouteDecision, render};
use xueshi_store::acts::{self, Mode, Verification, Verifier};
use xueshi_store::requests::{self, Application, NewApplication, Verifier as Queue};
use xueshi_store::{appointments, export, organisations, registry};

pub use explain::Explanation;

use crate::access::{
    allow, hex, parse_hash, person_in, person_target, place, year_end, year_field,
};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::queues::{QueueFilter, QueueUnit};
use crate::views::{ActDone, SubjectView};
use crate::{Action, Principal, Scope};

/// A title level from its API name.
pub fn level(text: &str) -> Result<TitleLevel> {
    TitleLevel::parse(text).ok_or_else(|| {
        Error::invalid(
            "verification.level",
            "职称级别须为 junior（初级）、intermediate（中级）或 senior（高级）",
        )
    })
}

/// A tenure cycle: years in range, first not after last, at most eleven years.
pub fn cycle(first: i32, last: i32) -> Result<()> {
    let first = year_field("first_year", first)?;
    let last = year_field("last_year", last)?;
    if first > last || last - first > 10 {
        return Err(Error::invalid(
            "verification.cycle",
            "任职周期须为首年不晚于末年、至多十一个年度",
        ));
    }
    Ok(())
}

/// The engine's decision on a person's cycle: as JSON with its trace (what the API shows and
/// what a stamp's hash covers), typed for pages, and summed up per year.
#[derive(Clone, Debug)]
pub struct CycleView {
    pub json: Value,
    pub compliant: bool,
    /// SHA-256 of the JSON's bytes (what a stamp relies on).
    pub hash: [u8; 32],
    /// Per year: credited hours, what is missing, the registration deadline.
    pub years: Vec<YearProgress>,
    pub failed: Vec<String>,
    pub missing: Vec<Missing>,
    pub explanation: Explanation,
}

/// One year of a cycle, as the readiness check shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct YearProgress {
    pub year: i32,
    pub required: bool,
    pub compliant: bool,
    /// Credited hours (text, tenths exact).
    pub total: String,
    pub professional: String,
    pub public: String,
    /// Hours still missing against each failed check (rule id → hours).
    pub missing: Vec<Missing>,
    /// The last day records for this year may still be registered (D11).
    pub register_by: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Missing {
    pub rule: String,
    pub year: i32,
    /// What the numbers are: `year` (a year against its minimum), `cycle_sum` (the cycle's
    /// sum against the sum of each year's requirement) or `largest_year` (one year's total
    /// against the whole cycle's required total, D15 no cramming).
    pub measure: String,
    pub required: String,
    /// What `required` is, in Chinese.
    pub required_label: String,
    pub actual: String,
    /// What `actual` is, in Chinese.
    pub actual_label: String,
    /// Hours still missing; for `largest_year`, "0" (the other years' shortfall is in the
    /// years' own checks).
    pub short_by: String,
}

fn missing(checks: &[xueshi_policy::Check<'_>]) -> Vec<Missing> {
    checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| Missing {
            rule: c.rule.as_str().to_owned(),
            year: c.year,
            measure: c.measure.as_str().to_owned(),
            required: c.required.to_string(),
            required_label: c.measure.required_zh().to_owned(),
            actual: c.actual.to_string(),
            actual_label: c.measure.actual_zh().to_owned(),
            short_by: if c.measure.is_minimum() {
                c.required.saturating_sub(c.actual)
            } else {
                xueshi_domain::Hours::ZERO
            }
            .to_string(),
        })
        .collect()
}

impl Missing {
    /// The line for people, labelled by what its numbers are.
    pub fn zh(&self) -> String {
        if self.measure == "largest_year" {
            format!(
                "{} 年一年{} {} 学时，已达{} {} 学时，而其他年度合计未达各自要求",
                self.year, self.actual_label, self.actual, self.required_label, self.required
            )
        } else {
            format!(
                "{} {}，{} {}，还差 {} 学时",
                self.required_label, self.required, self.actual_label, self.actual, self.short_by
            )
        }
    }
}

/// The engine's decision on `person_id`'s cycle `first..=last`.
pub async fn evaluate_cycle(ctx: &Ctx, person_id: i64, first: i32, last: i32) -> Result<CycleView> {
    let policy = ctx.policy.as_ref();
    let mut case = export::person_year_case(&ctx.db, policy, person_id, last).await?;
    case.question = Question::Cycle { first, last };
    let eval = case.evaluate(policy, Options { trace: true })?;
    let json = render::to_json(&eval, policy, &case.records);
    let bytes = serde_json::to_vec(&json).map_err(|e| Error::internal("render", e))?;
    let Decision::Cycle(d) = &eval.decision else {
        return Err(Error::internal("engine", "not a cycle decision"));
    };
    let years = d
        .years
        .iter()
        .map(|y| YearProgress {
            year: y.year,
            required: y.required,
            compliant: y.compliant,
            total: y.hours.total.to_string(),
            professional: y.hours.professional.to_string(),
            public: y.hours.public.to_string(),
            missing: missing(&y.checks),
            register_by: y.policy.registration_deadline.value.to_string(),
        })
        .collect();
    Ok(CycleView {
        compliant: d.compliant,
        failed: d.failed().iter().map(|r| r.as_str().to_owned()).collect(),
        missing: missing(&d.checks),
        hash: acts::decision_hash(&bytes),
        explanation: Explanation::of_cycle(&eval, d, policy, &case.records),
        json,
        years,
    })
}

/// Where the routing table (D13) sends an applicant of a unit at `place` who applies on
/// `applied_on`: the table in force that day decides, whatever years the cycle covers.
pub fn route<'p>(
    ctx: &'p Ctx,
    place: &Place,
    level: TitleLevel,
    applied_on: Date,
) -> Result<RouteDecision<'p>> {
    xueshi_policy::route(&ctx.policy, Some(applied_on.year()), place, level)
        .map_err(|e| Error::unprocessable("verification.route", format!("无法确定核验机构：{e}")))
}

/// The verifier's place as stored: (region, zone id).
pub async fn verifier_key(ctx: &Ctx, r: &RouteDecision<'_>) -> Result<(RegionCode, Option<i64>)> {
    Ok(match &r.verifier {
        Place::Region(region) => (*region, None),
        Place::Zone(name) => {
            let id = registry::zone_id(&ctx.db, name).await?.ok_or_else(|| {
                Error::internal("registry.zone", format!("zone {name} not registered"))
            })?;
            (r.city, Some(id))
        }
    })
}

/// A verifier, named for people.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VerifierView {
    /// The bureau's name when registered, else the place's.
    pub name: String,
    pub region: String,
    pub zone: Option<String>,
    /// The routing rule's source.
    pub cite: String,
}

/// Where the state-owned units' own verification comes from.
const OWN_VERIFICATION_CITE: &str = "皖人社函〔2026〕235号 五(二)";

/// Who verifies a staff member of the unit `unit_id` at `place` applying on `applied_on`: the
/// unit's own office if it is a state-owned unit that verifies its staff (online, so no bureau
/// and no slots), else the bureau at the routed place. Returns the view, the stored key of the
/// routed place (region, zone id) and the bureau's organisation id when one is registered.
pub async fn verifier_of(
    ctx: &Ctx,
    unit_id: i64,
    place: &Place,
    level: TitleLevel,
    applied_on: Date,
) -> Result<(VerifierView, (RegionCode, Option<i64>), Option<i64>)> {
    let r = route(ctx, place, level, applied_on)?;
    let (region, zone_id) = verifier_key(ctx, &r).await?;
    if let Some(name) = requests::own_verifier(&ctx.db, unit_id).await? {
        let view = VerifierView {
            name,
            region: region.to_string(),
            zone: None,
            cite: OWN_VERIFICATION_CITE.to_owned(),
        };
        return Ok((view, (region, zone_id), None));
    }
    let zone = match &r.verifier {
        Place::Zone(z) => Some(z.clone()),
        Place::Region(_) => None,
    };
    let bureau = organisations::bureau_at(&ctx.db, region, zone_id).await?;
    let name = match (&bureau, &zone) {
        (Some(b), _) => b.name.clone(),
        (None, Some(z)) => z.clone(),
        (None, None) => region.name().unwrap_or("（未登记的地区）").to_owned(),
    };
    let view = VerifierView {
        name,
        region: region.to_string(),
        zone,
        cite: r.cite.to_string(),
    };
    Ok((view, (region, zone_id), bureau.map(|b| b.id)))
}

/// An application for verification: the persons (one, or a unit's batch), the title level
/// and the tenure cycle.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    pub persons: Vec<i64>,
    /// junior | intermediate | senior
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
}

/// One application filed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Applied {
    pub application_id: i64,
    pub person_id: i64,
    pub verifier: VerifierView,
}

/// At most this many persons in one application batch.
pub const MAX_BATCH: usize = 500;

/// Applies for verification, for oneself or a unit's staff: all or none, each routed by the
/// table in force today, the batch and its audit line in one transaction. An application
/// identical to a pending one is refused (`verification.duplicate`, naming it).
pub async fn apply(ctx: &Ctx, actor: &Actor, body: &ApplyBody) -> Result<Vec<Applied>> {
    if body.persons.is_empty() || body.persons.len() > MAX_BATCH {
        return Err(Error::invalid(
            "verification.persons",
            "申请名单须为 1 至 500 人",
        ));
    }
    let today = ctx.today()?;
    let mut units = Vec::with_capacity(body.persons.len());
    for &person_id in &body.persons {
        let (target, unit) = person_target(ctx, person_id, today).await?;
        allow(ctx, &actor.principal, Action::ApplyVerification, &target)?;
        units.push((person_id, unit));
    }
    let level = level(&body.level)?;
    cycle(body.first_year, body.last_year)?;
    let mut batch = Vec::with_capacity(units.len());
    let mut verifiers = Vec::with_capacity(units.len());
    for (person_id, unit) in units {
        let at = place(unit.region, unit.zone.clone());
        let (verifier, (region, zone_id), _) =
            verifier_of(ctx, unit.unit_id, &at, level, today).await?;
        verifiers.push(verifier);
        batch.push(NewApplication {
            person_id,
            level,
            first_year: body.first_year,
            last_year: body.last_year,
            unit_id: unit.unit_id,
            verifier_region: region,
            verifier_zone_id: zone_id,
        });
    }
    let ids = requests::apply(&ctx.db, &batch, &actor.line(ctx, "verification.apply")).await?;
    Ok(ids
        .into_iter()
        .zip(batch)
        .zip(verifiers)
        .map(|((application_id, a), verifier)| Applied {
            application_id,
            person_id: a.person_id,
            verifier,
        })
        .collect())
}

/// An application as listed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub application_id: i64,
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
    pub applied_by: String,
    pub applied_ms: i64,
    pub subject: SubjectView,
    /// pending | approved | refused
    pub status: String,
    pub act_id: Option<i64>,
}

impl From<Application> for ApplicationView {
    fn from(a: Application) -> Self {
        Self {
            application_id: a.id,
            level: a.level.as_str().to_owned(),
            first_year: a.first_year,
            last_year: a.last_year,
            applied_by: a.applied_by,
            applied_ms: a.applied_ms,
            subject: a.subject.into(),
            status: match a.answer {
                None => "pending",
                Some((_, true)) => "approved",
                Some((_, false)) => "refused",
            }
            .to_owned(),
            act_id: a.answer.map(|(id, _)| id),
        }
    }
}

/// Whose applications the caller answers (the store's [`Queue`]): those routed to a bureau's
/// place (region, zone id), or — for a state-owned unit, which verifies its own staff online
/// (235号 五(二)) — those of its unit.
async fn queue_of(ctx: &Ctx, principal: &Principal) -> Result<Queue> {
    match principal.scope() {
        Scope::CityBureau { city } => Ok(Queue::Routed(*city, None)),
        Scope::CountyBureau { county } => Ok(Queue::Routed(*county, None)),
        Scope::ZoneCentre { zone } => {
            let id = registry::zone_id(&ctx.db, zone)
                .await?
                .ok_or_else(|| Error::internal("registry.zone", "zone centre's zone"))?;
            let city = xueshi_policy::annual::zone_city(&ctx.policy, zone)
                .ok_or_else(|| Error::internal("policy.zone", "zone without city"))?;
            Ok(Queue::Routed(city, Some(id)))
        }
        Scope::StateOwnedUnit { unit, .. } => Ok(Queue::Unit(unit.0)),
        _ => Err(Error::denied(
            "auth.role",
            "只有人社部门（市、县人社局或开发区中心）和国有企事业单位核验学时",
        )),
    }
}

/// Whether application `a` is answered in `queue`.
async fn holds(queue: Queue, ctx: &Ctx, a: &Application) -> Result<bool> {
    if !matches!(queue, Queue::Unit(_))
        && requests::own_verifier(&ctx.db, a.subject.unit_id)
            .await?
            .is_some()
    {
        // A state-owned unit's staff are verified by its own office only.
        return Ok(false);
    }
    Ok(match queue {
        Queue::Unit(unit) => a.subject.unit_id == unit,
        Queue::Routed(region, None) => a.verifier_zone.is_none() && a.verifier_region == region,
        Queue::Routed(_, Some(zone)) => match &a.verifier_zone {
            Some(name) => registry::zone_id(&ctx.db, name).await? == Some(zone),
            None => false,
        },
    })
}

/// The applications routed to the calling verifier and not yet answered, narrowed by `filter`
/// (one unit's staff, a name), oldest first, at most `limit`.
pub async fn pending(
    ctx: &Ctx,
    actor: &Actor,
    filter: &QueueFilter,
    limit: i64,
) -> Result<Vec<ApplicationView>> {
    let queue = queue_of(ctx, &actor.principal).await?;
    let apps = requests::pending_applications(&ctx.db, queue, filter, limit).await?;
    Ok(apps.into_iter().map(ApplicationView::from).collect())
}

/// The units whose staff's applications wait for the calling verifier, by name, with how many
/// each: what its queue can be narrowed to.
pub async fn pending_units(ctx: &Ctx, actor: &Actor) -> Result<Vec<QueueUnit>> {
    let queue = queue_of(ctx, &actor.principal).await?;
    Ok(requests::pending_application_units(&ctx.db, queue).await?)
}

/// An application followed to its answer: who verifies it (the agency that answered, else the
/// one it is routed to), and when and why it was answered.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Followed {
    pub application: ApplicationView,
    /// The day it was filed (Beijing).
    pub applied_on: String,
    /// The verifying agency, by name.
    pub verifier: String,
    /// The day of the answer (Beijing).
    pub answered_on: Option<String>,
    /// A refusal's reason.
    pub reason: Option<String>,
}

/// `list` followed to their answers, in the same order.
pub(crate) async fn follow(ctx: &Ctx, list: Vec<Application>) -> Result<Vec<Followed>> {
    let mut out = Vec::with_capacity(list.len());
    for a in list {
        let routed = match &a.verifier_zone {
            Some(z) => format!("zone:{z}"),
            None => format!("bureau:{}", a.verifier_region.as_u32()),
        };
        let routed = xueshi_store::names::actor_name(&ctx.db, &routed)
            .await?
            .agency
            .unwrap_or_default();
        let answer = match a.answer {
            Some((act, _)) => {
                xueshi_store::names::verification_answer(&ctx.db, act, a.subject.person_id, a.id)
                    .await?
            }
            None => None,
        };
        let applied_on = xueshi_store::accounts::beijing_time(a.applied_ms)
            .get(..10)
            .unwrap_or_default()
            .to_owned();
        out.push(Followed {
            applied_on,
            verifier: answer
                .as_ref()
                .and_then(|w| w.verifier.clone())
                .unwrap_or(routed),
            answered_on: answer.as_ref().map(|w| w.decided_on.clone()),
            reason: answer.and_then(|w| w.reason),
            application: a.into(),
        });
    }
    Ok(out)
}

/// The latest `limit` applications the calling verifier has answered, newest first, with the
/// answer: the list of what it already handled.
pub async fn answered(ctx: &Ctx, actor: &Actor, limit: i64) -> Result<Vec<Followed>> {
    let queue = queue_of(ctx, &actor.principal).await?;
    let list = requests::answered_applications(&ctx.db, queue, limit).await?;
    follow(ctx, list).await
}

/// An application with the engine's explanation (with citations and trace) of the cycle, as
/// the verifier sees it before stamping.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApplicationDetail {
    pub application: ApplicationView,
    pub compliant: bool,
    /// Failed rule ids.
    pub failed: Vec<String>,
    pub years: Vec<YearProgress>,
    /// SHA-256 of the decision below; a stamp records it.
    pub decision_hash: String,
    /// The engine's decision (same JSON as `xueshi evaluate --format json --trace`).
    #[schema(value_type = Object)]
    pub decision: Value,
    /// The same decision, typed, for pages.
    #[serde(skip)]
    #[schema(ignore)]
    pub explanation: Explanation,
}

fn application_target(a: &Application) -> crate::Target {
    let unit = xueshi_store::people::UnitPlace {
        unit_id: a.subject.unit_id,
        region: a.subject.region,
        zone: a.subject.zone.clone(),
        industry: a.subject.industry.clone(),
    };
    person_in(a.subject.person_id, &unit)
}

/// One application with the engine's explanation.
pub async fn detail(ctx: &Ctx, actor: &Actor, id: i64) -> Result<ApplicationDetail> {
    let a = requests::application(&ctx.db, id).await?;
    allow(
        ctx,
        &actor.principal,
        Action::ViewExplanation,
        &application_target(&a),
    )?;
    let view = evaluate_cycle(ctx, a.subject.person_id, a.first_year, a.last_year).await?;
    Ok(ApplicationDetail {
        application: a.into(),
        compliant: view.compliant,
        failed: view.failed,
        years: view.years,
        decision_hash: hex(&view.hash),
        decision: view.json,
        explanation: view.explanation,
    })
}

/// A verifier's decision.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Stamp (true) or refuse (false).
    pub approved: bool,
    /// The `decision_hash` the verifier saw; when given, the hours must not have changed since.
    pub decision_hash: Option<String>,
    /// Why a stamp is refused (kept in the audit trail with the act's subject).
    pub reason: Option<String>,
}

/// Stamps (核验章) or refuses an application routed to the calling verifier. A stamp is
/// refused unless the engine says the cycle complies (D14); the act, its audit line and the
/// refusal's reason commit together.
pub async fn decide(ctx: &Ctx, actor: &Actor, id: i64, body: &DecisionBody) -> Result<ActDone> {
    let a = requests::application(&ctx.db, id).await?;
    allow(
        ctx,
        &actor.principal,
        Action::Verify,
        &application_target(&a),
    )?;
    if !holds(queue_of(ctx, &actor.principal).await?, ctx, &a).await? {
        return Err(Error::denied(
            "verification.not_routed_here",
            "按路由表，该申请不由本机构核验",
        ));
    }
    if a.answer.is_some() {
        return Err(Error::conflict("verification.answered", "该申请已核验"));
    }
    let view = evaluate_cycle(ctx, a.subject.person_id, a.first_year, a.last_year).await?;
    if let Some(seen) = &body.decision_hash
        && parse_hash(seen, "verification.decision_hash")? != view.hash
    {
        return Err(Error::conflict(
            "verification.stale",
            "学时记录在您查看后已变化，请重新查看判定后再核验",
        ));
    }
    if body.approved && !view.compliant {
        return Err(Error::conflict(
            "verification.not_compliant",
            format!(
                "学时不达标，不能盖核验章（未通过：{}）",
                view.failed.join("、")
            ),
        ));
    }
    let v = Verification {
        person_id: a.subject.person_id,
        level: a.level,
        cycle: a.first_year..=a.last_year,
        verifier: Verifier::Organisation(actor.organisation()?),
        mode: Mode::Online {
            decision_hash: view.hash,
        },
        approved: body.approved,
    };
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty() && !body.approved)
        .map(|reason| xueshi_store::audit::Line {
            detail: Some(reason.to_owned()),
            ..actor
                .line(ctx, "verification.refusal_reason")
                .about(format!("person:{}/application:{id}", a.subject.person_id))
        });
    record(ctx, actor, &v, reason.as_slice()).await
}

/// Records a verification act by the calling official, with `lines`, in one transaction.
async fn record(
    ctx: &Ctx,
    actor: &Actor,
    v: &Verification<'_>,
    lines: &[xueshi_store::audit::Line],
) -> Result<ActDone> {
    let name = actor.name();
    let (act_id, inclusion) =
        acts::record_verification_with(&ctx.db, &ctx.signer, v, actor.act(ctx, &name)?, lines)
            .await?;
    Ok(ActDone::new(act_id, &inclusion))
}

/// A verification done on paper before the system (D17), recorded afterwards.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflineBody {
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
    /// The page and stamp of the paper registration certificate (required).
    pub paper_ref: String,
    /// The bureau as written on the paper, when it was not the recording bureau.
    pub verifier_place: Option<String>,
    pub approved: bool,
}

/// Records an offline (paper) verification of a person's cycle.
pub async fn record_offline(
    ctx: &Ctx,
    actor: &Actor,
    person_id: i64,
    body: &OfflineBody,
) -> Result<ActDone> {
    let level = level(&body.level)?;
    cycle(body.first_year, body.last_year)?;
    let (target, _) = person_target(ctx, person_id, year_end(body.last_year)?).await?;
    allow(
        ctx,
        &actor.principal,
        Action::RecordOfflineVerification,
        &target,
    )?;
    let verifier = match body.verifier_place.as_deref() {
        Some(place) => Verifier::Place(place),
        None => Verifier::Organisation(actor.organisation()?),
    };
    let v = Verification {
        person_id,
        level,
        cycle: body.first_year..=body.last_year,
        verifier,
        mode: Mode::Offline {
            paper_ref: &body.paper_ref,
            decision_hash: None,
        },
        approved: body.approved,
    };
    record(ctx, actor, &v, &[]).await
}

/// An open appointment slot.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub slot_id: i64,
    pub on: String,
    /// The day and its times as people read them (`2026-12-10 09:00—11:30`).
    pub when: String,
    /// "线上" or the address.
    pub place: String,
    pub seats_left: i64,
}

/// A slot's day and times for people: `2026-12-10 09:00—11:30`, or the day alone when no
/// times were set (the whole working day).
pub fn slot_when(on: Date, times: Option<&(String, String)>) -> String {
    match times {
        Some((a, b)) => format!("{on} {a}—{b}"),
        None => on.to_string(),
    }
}

/// A slot's place for people.
pub fn slot_place(p: &appointments::Place) -> String {
    match p {
        appointments::Place::Online => "线上".to_owned(),
        appointments::Place::At(a) => a.clone(),
    }
}

/// Whether a planned title application's hours are ready, and what to do if not.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub compliant: bool,
    pub failed: Vec<String>,
    /// Per year: credited, missing, and the last day to register.
    pub years: Vec<YearProgress>,
    /// The cycle's own failed checks (averages, no cramming) and what each lacks.
    pub missing: Vec<Missing>,
    pub verifier: VerifierView,
    /// The verifier's next slot with free seats, open to the person's industry.
    pub next_slot: Option<SlotView>,
}

/// The readiness check for a planned title application of `person_id` at `level` for the
/// cycle `first..=last`: what is missing, by when, who will verify, and the next open slot.
pub async fn readiness(
    ctx: &Ctx,
    actor: &Actor,
    person_id: i64,
    level_name: &str,
    first: i32,
    last: i32,
) -> Result<Readiness> {
    let level = level(level_name)?;
    cycle(first, last)?;
    let today = ctx.today()?;
    let (target, unit) = person_target(ctx, person_id, today).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let view = evaluate_cycle(ctx, person_id, first, last).await?;
    let at = place(unit.region, unit.zone.clone());
    let (verifier, _, bureau) = verifier_of(ctx, unit.unit_id, &at, level, today).await?;
    let next_slot = match bureau {
        Some(b) => appointments::bureau_slots(&ctx.db, b, today, Some(&unit.industry), 50)
            .await?
            .into_iter()
            .find(|s| s.seats_left() > 0)
            .map(|s| SlotView {
                slot_id: s.id,
                on: s.on.to_string(),
                when: slot_when(s.on, s.times.as_ref()),
                place: slot_place(&s.place),
                seats_left: s.seats_left(),
            }),
        None => None,
    };
    Ok(Readiness {
        compliant: view.compliant,
        failed: view.failed,
        missing: view.missing,
        years: view.years,
        verifier,
        next_slot,
    })
}
