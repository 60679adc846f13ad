//! Compliance statistics (D4), in one place: how many person-years of a year were required to
//! study and how many met the requirement, with the rate in per mille, grouped by county,
//! industry or unit — over the caller's jurisdiction, or a part of it named by `place`,
//! `industry` or `unit`. Who may see what is [`crate::authorize`]'s (`view_statistics`): a
//! city bureau its city (counties and zones), a county bureau its county, a zone centre its
//! zone, an industry authority its industry in its region, a unit (admin or state-owned unit)
//! itself; everyone else is refused (`auth.role`). Counts come from the per person-year
//! summaries (`xueshi_store::summaries`), never from evaluating everyone. It writes nothing
//! but the summaries it refreshes.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_domain::RegionCode;
use xueshi_policy::input::Place;
use xueshi_store::people;
use xueshi_store::summaries::{self, GroupBy, Within};

use crate::access::{allow, place};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::{Action, Principal, Scope, Target, UnitId};

/// Marked person-years a request refreshes before answering; the background drain does the
/// rest, and `pending` says how many are still waiting.
const READ_DRAIN: i64 = 200;

/// How rows are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// 县区（市直单位计入市，开发区单位计入开发区）
    County,
    /// 行业
    Industry,
    /// 单位
    Unit,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// 学时年度
    pub year: i32,
    /// 分组方式：county（县区）、industry（行业）、unit（单位）
    pub by: By,
    /// 只统计该地区（六位行政区划代码）或开发区（名称）；缺省为本部门管辖范围
    pub place: Option<String>,
    /// 只统计该行业
    pub industry: Option<String>,
    /// 只统计该单位（内部编号）
    pub unit: Option<i64>,
}

/// Counts of one group, or of all rows together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    /// 应参加学习的人数（人年）
    pub persons: i64,
    /// 达到年度学时要求的人数
    pub compliant: i64,
    /// 达标率（千分比，四舍五入）
    pub rate_permille: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatisticsRow {
    /// 行政区划代码、`zone:<编号>`、行业名称或单位统一社会信用代码
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Statistics {
    pub year: i32,
    pub by: By,
    pub rows: Vec<StatisticsRow>,
    pub total: Counts,
    /// 尚待更新的人年数（该年度）；为 0 时统计为最新
    pub pending: i64,
}

/// Compliance statistics of a year over the caller's jurisdiction (or the part `q` names).
pub async fn statistics(ctx: &Ctx, actor: &Actor, q: &StatisticsQuery) -> Result<Statistics> {
    let policy = ctx.policy.as_ref();
    if policy.year(q.year).is_none() {
        return Err(Error::not_found("statistics.year", "该年度没有学时政策"));
    }
    let db = &ctx.db;
    let (target, within) = target(ctx, &actor.principal, q).await?;
    allow(ctx, &actor.principal, Action::ViewStatistics, &target)?;
    summaries::open_year(db, q.year).await?;
    summaries::refresh_dirty(db, policy, ctx.now_ms(), READ_DRAIN).await?;
    let by = match q.by {
        By::County => GroupBy::County,
        By::Industry => GroupBy::Industry,
        By::Unit => GroupBy::Unit,
    };
    let rows = summaries::statistics(db, q.year, by, &within).await?;
    let (persons, compliant) = rows
        .iter()
        .fold((0, 0), |(p, c), r| (p + r.persons, c + r.compliant));
    Ok(Statistics {
        year: q.year,
        by: q.by,
        rows: rows
            .into_iter()
            .map(|r| StatisticsRow {
                key: r.key,
                name: r.name,
                counts: Counts {
                    persons: r.persons,
                    compliant: r.compliant,
                    rate_permille: r.rate_permille,
                },
            })
            .collect(),
        total: Counts {
            persons,
            compliant,
            rate_permille: summaries::permille(compliant, persons),
        },
        pending: summaries::pending(db, Some(q.year)).await?,
    })
}

impl By {
    /// The grouping in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Self::County => "县区",
            Self::Industry => "行业",
            Self::Unit => "单位",
        }
    }

    /// What a row's key is for this grouping.
    pub fn key_zh(self) -> &'static str {
        match self {
            Self::County => "行政区划代码",
            Self::Industry => "行业",
            Self::Unit => "统一社会信用代码",
        }
    }

    /// The grouping as the query names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::Industry => "industry",
            Self::Unit => "unit",
        }
    }
}

/// What the request asks to see, as authorization judges it and as the query filters it: the
/// unit, industry or place asked for, else the caller's own unit, industry or territory.
async fn target(ctx: &Ctx, principal: &Principal, q: &StatisticsQuery) -> Result<(Target, Within)> {
    let scope = principal.scope();
    let unit = match (q.unit, scope) {
        (Some(id), _) => Some(id),
        (None, Scope::UnitAdmin { unit, .. } | Scope::StateOwnedUnit { unit, .. })
            if q.place.is_none() && q.industry.is_none() =>
        {
            Some(unit.0)
        }
        _ => None,
    };
    if let Some(id) = unit {
        let u = people::unit_place(&ctx.db, id)
            .await?
            .ok_or_else(|| Error::not_found("statistics.unit", "单位不存在"))?;
        let target = Target::Unit {
            unit: UnitId(u.unit_id),
            place: place(u.region, u.zone),
            industry: u.industry,
        };
        let within = Within {
            unit: Some(u.unit_id),
            ..Within::default()
        };
        return Ok((target, within));
    }
    let place = match q.place.as_deref() {
        Some(p) => parse_place(p)?,
        None => own_place(scope),
    };
    let industry = match scope {
        Scope::IndustryAuthority { industry, .. } if q.industry.is_none() => Some(industry.clone()),
        _ => q.industry.clone(),
    };
    Ok(match industry {
        Some(industry) => (
            Target::Industry {
                industry: industry.clone(),
                place: place.clone(),
            },
            Within {
                area: Some(place),
                industry: Some(industry),
                unit: None,
            },
        ),
        None => (
            Target::Area(place.clone()),
            Within {
                area: Some(place),
                ..Within::default()
            },
        ),
    })
}

/// The territory a role sees by default; the province for roles without one (they are refused).
fn own_place(scope: &Scope) -> Place {
    match scope {
        Scope::CityBureau { city: r }
        | Scope::CountyBureau { county: r }
        | Scope::IndustryAuthority { region: r, .. }
        | Scope::Supervisor { region: r } => Place::Region(*r),
        Scope::ZoneCentre { zone } => Place::Zone(zone.clone()),
        Scope::UnitAdmin { place, .. } | Scope::StateOwnedUnit { place, .. } => place.clone(),
        Scope::Professional { .. } | Scope::Base { .. } | Scope::Provider { .. } => {
            Place::Region(xueshi_domain::region::ANHUI)
        }
    }
}

/// A six-digit region code, else a development zone's name.
fn parse_place(text: &str) -> Result<Place> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid("statistics.place", "地区不能为空"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return RegionCode::parse(text)
            .map(Place::Region)
            .map_err(|_| Error::invalid("statistics.place", "行政区划代码无效"));
    }
    Ok(Place::Zone(text.to_owned()))
}
