//! The registers bureaus keep (D7, D8), each use case in one place: training filings, which a
//! provider submits ([`file`], its audit line in the filing's transaction) and the bureau of
//! the trainees' place approves or refuses ([`decide`]: a signed ledger act, decided once);
//! the filings each caller sees ([`filings`]); and each city's courseware-provider register
//! with validity periods (在地市备案, [`providers`]), kept by the city bureau
//! ([`register_provider`]: a signed ledger act). Providers may act through an API token: those
//! use cases take an [`Agent`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_domain::Hours;
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::input::Place;
use xueshi_store::entries::ProviderRegistrationRow;
use xueshi_store::organisations;
use xueshi_store::registry::{self, Filing, FilingDetails, NewFiling};

use crate::access::{allow, hex, parse_hash, place};
use crate::actor::{Actor, Agent};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::views::Receipt;
use crate::{Action, OrgId, Scope, Target};

fn date(text: &str, code: &'static str) -> Result<Date> {
    Date::parse(text).map_err(|_| Error::invalid(code, "须为有效日期 YYYY-MM-DD"))
}

fn region(text: &str, code: &'static str) -> Result<RegionCode> {
    RegionCode::parse(text).map_err(|_| Error::invalid(code, "行政区划代码无效（六位，安徽省内）"))
}

/// A training plan filed for approval.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingBody {
    /// Only for a filing that already has its 备案编号 (a paper filing from before the system);
    /// otherwise left out: the approving bureau assigns it.
    #[serde(default)]
    pub number: Option<String>,
    pub title: String,
    /// The region of the bureau filed with (the trainees' place), six digits.
    pub region: String,
    /// A development zone, when filed with its centre.
    pub zone: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// The training's hours (学时, tenths exact, e.g. `24` or `7.5`).
    #[serde(default)]
    pub hours: Option<String>,
    /// What is taught (at most 2,000 characters).
    #[serde(default)]
    pub content: Option<String>,
    /// Where it is held (at most 200 characters; `线上` for online).
    #[serde(default)]
    pub venue: Option<String>,
    /// How many trainees are expected (1–100,000).
    #[serde(default)]
    pub trainees: Option<u32>,
    /// The plan as an uploaded evidence file: its SHA-256 (hex) from `/api/evidence`.
    #[serde(default)]
    pub attachment: Option<String>,
}

/// The details of `body`, each checked against its bound (`filing.hours`, `filing.content`,
/// `filing.venue`, `filing.trainees`, `filing.attachment`).
fn details(body: &FilingBody) -> Result<FilingDetails> {
    fn text(
        v: &Option<String>,
        max: usize,
        code: &'static str,
        what: &str,
    ) -> Result<Option<String>> {
        match v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) if t.chars().count() > max => {
                Err(Error::invalid(code, format!("{what}至多 {max} 个字")))
            }
            t => Ok(t.map(str::to_owned)),
        }
    }
    let hours_tenths = match body
        .hours
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        Some(h) => {
            let hours = Hours::parse(h)
                .ok()
                .filter(|h| (1..=10_000).contains(&h.tenths()))
                .ok_or_else(|| {
                    Error::invalid(
                        "filing.hours",
                        "学时须为 0.1 至 1000 之间、至多一位小数的数",
                    )
                })?;
            Some(i64::try_from(hours.tenths()).unwrap_or(i64::MAX))
        }
        None => None,
    };
    if body.trainees.is_some_and(|t| !(1..=100_000).contains(&t)) {
        return Err(Error::invalid(
            "filing.trainees",
            "预计参训人数须为 1 至 100000",
        ));
    }
    Ok(FilingDetails {
        hours_tenths,
        content: text(&body.content, 2_000, "filing.content", "培训内容")?,
        venue: text(&body.venue, 200, "filing.venue", "培训地点")?,
        trainees: body.trainees.map(i64::from),
        attachment: body
            .attachment
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| parse_hash(a, "filing.attachment"))
            .transpose()?,
    })
}

/// A filing as shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FilingView {
    pub filing_id: i64,
    /// The 备案编号; none until the approving bureau assigns it.
    pub number: Option<String>,
    pub title: String,
    pub region: String,
    pub zone: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// The training provider that filed it (none for a filing entered on paper).
    pub provider_name: Option<String>,
    /// pending | approved | refused
    pub status: String,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    /// The training's hours, content, venue and expected trainees, as filed.
    pub hours: Option<String>,
    pub content: Option<String>,
    pub venue: Option<String>,
    pub trainees: Option<i64>,
    /// The attached plan's SHA-256 (hex), opened at `/api/filings/{filing_id}/attachment`.
    pub attachment: Option<String>,
}

impl From<Filing> for FilingView {
    fn from(f: Filing) -> Self {
        let d = f.details;
        Self {
            filing_id: f.id,
            number: (!registry::is_provisional(&f.number)).then_some(f.number),
            hours: d
                .hours_tenths
                .and_then(|t| u64::try_from(t).ok())
                .map(|t| Hours::from_tenths(t).to_string()),
            content: d.content,
            venue: d.venue,
            trainees: d.trainees,
            attachment: d.attachment.map(|a| hex(&a)),
            title: f.title,
            region: f.region.to_string(),
            zone: f.zone,
            starts_on: f.starts_on.to_string(),
            ends_on: f.ends_on.to_string(),
            provider_name: None,
            status: match &f.decision {
                None => "pending",
                Some(d) if d.approved => "approved",
                Some(_) => "refused",
            }
            .to_owned(),
            reason: f.decision.as_ref().and_then(|d| d.reason.clone()),
            decided_by: f.decision.map(|d| d.actor),
        }
    }
}

/// Filings as shown, each named by its provider (one look-up per provider).
async fn named(ctx: &Ctx, filings: Vec<Filing>) -> Result<Vec<FilingView>> {
    let mut names: Vec<(i64, Option<String>)> = Vec::new();
    let mut out = Vec::with_capacity(filings.len());
    for f in filings {
        let name = match f.provider_org {
            Some(id) => match names.iter().find(|(k, _)| *k == id) {
                Some((_, n)) => n.clone(),
                None => {
                    let n = organisations::organisation(&ctx.db, id)
                        .await?
                        .map(|o| o.name);
                    names.push((id, n.clone()));
                    n
                }
            },
            None => None,
        };
        let mut view = FilingView::from(f);
        view.provider_name = name;
        out.push(view);
    }
    Ok(out)
}

fn filing_target(provider: Option<i64>, f_place: Place) -> Target {
    Target::Filing {
        // A filing entered by a bureau on paper has no provider organisation: no provider owns it.
        provider: OrgId(provider.unwrap_or(-1)),
        place: f_place,
    }
}

/// A training provider files a training plan with the bureau of the trainees' place (D8).
pub async fn file(ctx: &Ctx, agent: &Agent, body: &FilingBody) -> Result<FilingView> {
    let region = region(&body.region, "filing.region")?;
    let zone_id = match &body.zone {
        Some(z) => Some(
            registry::zone_id(&ctx.db, z)
                .await?
                .ok_or_else(|| Error::invalid("filing.zone", "没有这个开发区"))?,
        ),
        None => None,
    };
    let target = filing_target(agent.organisation_id, place(region, body.zone.clone()));
    allow(ctx, &agent.principal, Action::FileTraining, &target)?;
    if body.title.trim().is_empty() {
        return Err(Error::invalid("filing.fields", "培训名称不能为空"));
    }
    let number = body
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(n) = number
        && (n.chars().count() > registry::NUMBER_MAX_CHARS || registry::is_provisional(n))
    {
        return Err(Error::invalid(
            "filing.number",
            format!("备案编号至多 {} 个字", registry::NUMBER_MAX_CHARS),
        ));
    }
    let id = registry::submit_filing_by(
        &ctx.db,
        &NewFiling {
            number: number.map(str::to_owned),
            title: body.title.trim().to_owned(),
            region,
            zone_id,
            starts_on: date(&body.starts_on, "filing.starts_on")?,
            ends_on: date(&body.ends_on, "filing.ends_on")?,
            provider_org: agent.organisation_id,
            details: details(body)?,
        },
        &agent.line(ctx, "filing.submit"),
    )
    .await?;
    let filing = registry::filing(&ctx.db, id).await?;
    named(ctx, vec![filing])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("filing", "filed filing not read back"))
}

/// Filings, at most `limit`: for a bureau, those waiting for its decision in its area; for a
/// provider, its own.
pub async fn filings(ctx: &Ctx, agent: &Agent, limit: i64) -> Result<Vec<FilingView>> {
    let filings = match agent.principal.scope() {
        Scope::Provider { provider } => {
            registry::provider_filings(&ctx.db, provider.0, limit).await?
        }
        Scope::CityBureau { city: r } | Scope::CountyBureau { county: r } => {
            registry::pending_filings(&ctx.db, *r, limit).await?
        }
        Scope::ZoneCentre { zone } => {
            let city = xueshi_policy::annual::zone_city(&ctx.policy, zone)
                .ok_or_else(|| Error::internal("policy.zone", "zone without city"))?;
            registry::pending_filings(&ctx.db, city, limit).await?
        }
        _ => {
            return Err(Error::denied(
                "auth.role",
                "只有培训机构和人社部门查看培训备案",
            ));
        }
    };
    let action = if matches!(agent.principal.scope(), Scope::Provider { .. }) {
        Action::FileTraining
    } else {
        Action::ApproveFiling
    };
    let visible = filings
        .into_iter()
        .filter(|f| {
            let target = filing_target(f.provider_org, place(f.region, f.zone.clone()));
            allow(ctx, &agent.principal, action, &target).is_ok()
        })
        .collect();
    named(ctx, visible).await
}

/// A bureau's decision on a filing.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingDecisionBody {
    pub approved: bool,
    /// Required for a refusal.
    pub reason: Option<String>,
    /// The 备案编号 the bureau assigns: required to approve a filing that has none.
    #[serde(default)]
    pub number: Option<String>,
}

/// Approves (备案同意) or refuses filing `id`: a signed ledger act; a filing is decided once.
pub async fn decide(
    ctx: &Ctx,
    actor: &Actor,
    id: i64,
    body: &FilingDecisionBody,
) -> Result<Receipt> {
    let f = registry::filing(&ctx.db, id).await?;
    let target = filing_target(f.provider_org, place(f.region, f.zone.clone()));
    allow(ctx, &actor.principal, Action::ApproveFiling, &target)?;
    if f.decision.is_some() {
        return Err(Error::conflict("filing.decided", "该备案已审批"));
    }
    let name = actor.name();
    let inclusion = registry::decide_filing(
        &ctx.db,
        &ctx.signer,
        id,
        body.approved,
        body.reason.as_deref(),
        body.number.as_deref(),
        actor.act(ctx, &name)?,
    )
    .await?;
    Ok(Receipt::from(&inclusion))
}

/// One registration of the courseware-provider register.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegistrationView {
    pub provider: String,
    pub city: String,
    pub from: String,
    pub to: String,
    /// In force today.
    pub in_force: bool,
    pub registered_by: String,
    pub entry_index: i64,
}

/// A city's courseware-provider register (`city`: six digits; default 341500, 六安市), public
/// to every signed-in account.
pub async fn providers(ctx: &Ctx, city: Option<&str>) -> Result<Vec<RegistrationView>> {
    let city = match city {
        Some(c) => region(c, "providers.city")?,
        None => xueshi_domain::region::LUAN,
    };
    let today = ctx.today()?;
    let rows = registry::provider_register(&ctx.db, city).await?;
    Ok(rows
        .into_iter()
        .map(|r: ProviderRegistrationRow| RegistrationView {
            in_force: r.from <= today && today <= r.to,
            provider: r.provider_name,
            city: r.region.to_string(),
            from: r.from.to_string(),
            to: r.to.to_string(),
            registered_by: r.actor,
            entry_index: r.entry_index,
        })
        .collect())
}

/// A provider registered for a period.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    pub provider: String,
    pub from: String,
    pub to: String,
}

/// The city bureau registers a courseware provider for a period: a signed ledger act.
pub async fn register_provider(
    ctx: &Ctx,
    actor: &Actor,
    body: &RegistrationBody,
) -> Result<Receipt> {
    let Scope::CityBureau { city } = actor.principal.scope() else {
        return Err(Error::denied(
            "auth.role",
            "只有市人社局维护课件提供方备案名录",
        ));
    };
    let city = *city;
    let name = body.provider.trim();
    if name.is_empty() || name.starts_with("base:") || name.starts_with("kind:") {
        return Err(Error::invalid("provider.name", "请填写课件提供方名称"));
    }
    let target = Target::ProviderRegister {
        provider: OrgId(registry::provider_id(&ctx.db, name).await?),
        city,
    };
    allow(ctx, &actor.principal, Action::KeepProviderRegister, &target)?;
    let actor_name = actor.name();
    let inclusion = registry::register_provider(
        &ctx.db,
        &ctx.signer,
        name,
        city,
        date(&body.from, "provider.from")?,
        date(&body.to, "provider.to")?,
        actor.act(ctx, &actor_name)?,
    )
    .await?;
    Ok(Receipt::from(&inclusion))
}

/// Opens the plan attached to filing `id`, for its provider and for the bureaus that decide
/// it (`filing.no_attachment` when none was attached).
pub async fn attachment(ctx: &Ctx, agent: &Agent, id: i64) -> Result<crate::records::EvidenceFile> {
    let f = registry::filing(&ctx.db, id).await?;
    let target = filing_target(f.provider_org, place(f.region, f.zone.clone()));
    let action = if matches!(agent.principal.scope(), Scope::Provider { .. }) {
        Action::FileTraining
    } else {
        Action::ApproveFiling
    };
    allow(ctx, &agent.principal, action, &target)?;
    let hash = f
        .details
        .attachment
        .ok_or_else(|| Error::not_found("filing.no_attachment", "该备案没有附件"))?;
    let file = xueshi_store::evidence::evidence(&ctx.db, &hash)
        .await?
        .ok_or_else(|| Error::internal("filing.attachment", "attachment missing from evidence"))?;
    Ok(xueshi_store::evidence::checked(file)?.into())
}
