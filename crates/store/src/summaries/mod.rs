//! Compliance statistics per year by county, industry and unit, read from one summary row per
//! person-year (`person_year_summaries`) instead of evaluating everyone on each request.
//!
//! Keeping the summaries current: triggers (migration 0005) mark in `summary_dirty`, inside the
//! writing transaction, every person-year a write may change — records and voids (and the other
//! persons' later registrations of an achievement a void frees, D21), employments, a person's
//! leaving or cohort, a unit's place or industry, a courseware-provider registration (D7) and a
//! filing decision (D8) through the records naming them. [`refresh`] re-decides marked
//! person-years with the engine and replaces their summaries, batch by batch ([`drain`]); each
//! case is assembled by the same code as [`crate::export::person_year_case`], the case every
//! decision is made from. Two things no trigger sees, handled by [`prepare`]: a policy change
//! (summaries decided under other rules for their year are marked, by per-year hashes:
//! [`policy_hash`]) and the persons of a year who have never had a write touching it
//! ([`open_year`] marks everyone in service that year once, so persons without any record count
//! as non-compliant).
//!
//! Who counts: a person-year exists where the person was employed at some time in the year and
//! the policy has rules for the year; it is placed at the unit the person worked for on
//! December 31 (or last before it), as authorization places a person-year. Persons who had left
//! before the year (D17a) keep a row but are not counted. Rates are exact: counts, and per mille
//! rounded half up.

pub(crate) mod facts;
pub mod policy_hash;
pub mod refresh;
mod write;

pub use policy_hash::year_hash;
pub use refresh::{BATCH, Scope, catch_up, drain, mark_all, prepare, refresh_dirty};

use xueshi_domain::region::Level;
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::decision::{AnnualDecision, Decision};
use xueshi_policy::input::Place;
use xueshi_policy::rule::RuleId;
use xueshi_policy::{Options, Policy};

use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::export::{Batch, Employment};
use crate::on_db;

/// One person-year as the engine decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub person_id: i64,
    pub year: i32,
    pub unit_id: i64,
    /// The unit's county or district (its city when city-direct).
    pub region: i64,
    pub zone_id: Option<i64>,
    /// The city of the unit, or of its zone.
    pub city: i64,
    pub industry: String,
    pub required: bool,
    pub compliant: bool,
    pub total_tenths: i64,
    pub professional_tenths: i64,
    pub public_tenths: i64,
    pub total_short_tenths: i64,
    pub professional_short_tenths: i64,
}

fn tenths(h: xueshi_domain::Hours) -> i64 {
    i64::try_from(h.tenths()).unwrap_or(i64::MAX)
}

fn shortfall(d: &AnnualDecision<'_>, rule: RuleId) -> i64 {
    d.checks
        .iter()
        .find(|c| c.rule == rule)
        .map_or(0, |c| tenths(c.required - c.actual))
}

/// The unit a person-year is placed at: `(unit, region, zone, city, industry)`, when the person
/// was employed at some time in `year`: the employment started last by December 31, if it had
/// not ended before January 1.
type Placement = (i64, i64, Option<i64>, i64, String);

fn placement(employments: &[Employment], year: i32) -> Result<Option<Placement>, StoreError> {
    let (first, last) = year_bounds(year)?;
    let Some(e) = employments
        .iter()
        .filter(|e| e.from <= last)
        .max_by_key(|e| (e.from, e.id))
    else {
        return Ok(None);
    };
    if e.to.is_some_and(|t| t < first) {
        return Ok(None);
    }
    let city = e.zone_city.unwrap_or_else(|| {
        u32::try_from(e.region)
            .ok()
            .and_then(|r| RegionCode::from_u32(r).ok())
            .map_or(e.region, |r| i64::from(r.city().as_u32()))
    });
    Ok(Some((
        e.unit_id,
        e.region,
        e.zone_id,
        city,
        e.industry.clone(),
    )))
}

pub(crate) fn year_bounds(year: i32) -> Result<(Date, Date), StoreError> {
    year_span(year, "summary.year")
}

/// The first and last day of `year`; a year the calendar cannot hold is `code` (年度无效).
pub(crate) fn year_span(year: i32, code: &'static str) -> Result<(Date, Date), StoreError> {
    let bad = |_| StoreError::invalid(code, "年度无效");
    Ok((
        Date::first_of_year(year).map_err(bad)?,
        Date::last_of_year(year).map_err(bad)?,
    ))
}

/// The engine's decision on a person-year as a summary; `None` when the person-year does not
/// count (not employed that year, or no policy for the year).
pub async fn evaluate(
    db: &Db,
    policy: &Policy,
    person_id: i64,
    year: i32,
) -> Result<Option<Summary>, StoreError> {
    let batch = Batch::load(db, &[person_id]).await?;
    decide_in(&batch, policy, person_id, year)
}

/// [`evaluate`] from a loaded batch: the case is the one [`crate::export::person_year_case`]
/// builds (same assembly from the same facts).
pub(crate) fn decide_in(
    batch: &Batch,
    policy: &Policy,
    person_id: i64,
    year: i32,
) -> Result<Option<Summary>, StoreError> {
    let Some((unit_id, region, zone_id, city, industry)) =
        placement(batch.employments(person_id), year)?
    else {
        return Ok(None);
    };
    let case = batch.case(policy, person_id, year)?;
    // The only error of an annual question is a year the policy has no rules for.
    let Ok(eval) = case.evaluate(policy, Options::default()) else {
        return Ok(None);
    };
    let Decision::Annual(d) = eval.decision else {
        return Ok(None);
    };
    Ok(Some(Summary {
        person_id,
        year,
        unit_id,
        region,
        zone_id,
        city,
        industry,
        required: d.required,
        compliant: d.compliant,
        total_tenths: tenths(d.hours.total),
        professional_tenths: tenths(d.hours.professional),
        public_tenths: tenths(d.hours.public),
        total_short_tenths: shortfall(&d, RuleId::AnnualTotalMin),
        professional_short_tenths: shortfall(&d, RuleId::AnnualProfessionalMin),
    }))
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "person_id, year, unit_id, region, zone_id, city, industry, required,
    compliant, total_tenths, professional_tenths, public_tenths, total_short_tenths,
    professional_short_tenths, policy_hash, decided_ms";

/// A re-decision replaces a summary only where it differs (its `decided_ms` then says when the
/// decision now kept was reached). Why: re-deciding a year after a policy change mostly
/// confirms what is kept, and rewriting every row anyway re-indexed it and wrote it to the log
/// (on PostgreSQL 86 ms of a 2,000-person batch's ~200 ms at 751,500 persons).
pub(crate) const ON_CONFLICT: &str =
    "ON CONFLICT (person_id, year) DO UPDATE SET unit_id = excluded.unit_id,
        region = excluded.region, zone_id = excluded.zone_id, city = excluded.city,
        industry = excluded.industry, required = excluded.required, compliant = excluded.compliant,
        total_tenths = excluded.total_tenths, professional_tenths = excluded.professional_tenths,
        public_tenths = excluded.public_tenths, total_short_tenths = excluded.total_short_tenths,
        professional_short_tenths = excluded.professional_short_tenths,
        policy_hash = excluded.policy_hash, decided_ms = excluded.decided_ms
     WHERE person_year_summaries.unit_id IS DISTINCT FROM excluded.unit_id
        OR person_year_summaries.region IS DISTINCT FROM excluded.region
        OR person_year_summaries.zone_id IS DISTINCT FROM excluded.zone_id
        OR person_year_summaries.city IS DISTINCT FROM excluded.city
        OR person_year_summaries.industry IS DISTINCT FROM excluded.industry
        OR person_year_summaries.required IS DISTINCT FROM excluded.required
        OR person_year_summaries.compliant IS DISTINCT FROM excluded.compliant
        OR person_year_summaries.total_tenths IS DISTINCT FROM excluded.total_tenths
        OR person_year_summaries.professional_tenths IS DISTINCT FROM excluded.professional_tenths
        OR person_year_summaries.public_tenths IS DISTINCT FROM excluded.public_tenths
        OR person_year_summaries.total_short_tenths IS DISTINCT FROM excluded.total_short_tenths
        OR person_year_summaries.professional_short_tenths
           IS DISTINCT FROM excluded.professional_short_tenths
        OR person_year_summaries.policy_hash IS DISTINCT FROM excluded.policy_hash";

/// A mark `(seq, person_id, year)` with its person-year's summary, if it counts.
pub(crate) type Evaluated = ((i64, i64, i64), Option<Summary>);

/// Marks, once, every person employed at some time in `year`, so that persons no write has
/// touched that year are counted too. Cheap once done (one row read).
pub async fn open_year(db: &Db, year: i32) -> Result<(), StoreError> {
    let (first, last) = year_bounds(year)?;
    let populated: Option<bool> = on_db!(db, p => sqlx::query_scalar(
        "SELECT populated FROM summary_years WHERE year = $1"
    ).bind(i64::from(year)).fetch_optional(p).await?);
    if populated == Some(true) {
        return Ok(());
    }
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        // An existing mark stays as it is: it is evaluated anyway.
        sqlx::query(
            "INSERT INTO summary_dirty (person_id, year)
             SELECT DISTINCT e.person_id, $1 FROM employments e
              WHERE e.from_on <= $2 AND (e.to_on IS NULL OR e.to_on >= $3)
              ORDER BY e.person_id
             ON CONFLICT (person_id, year) DO NOTHING",
        )
        .bind(i64::from(year))
        .bind(DbDate(last))
        .bind(DbDate(first))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO summary_years (year, populated) VALUES ($1, TRUE)
             ON CONFLICT (year) DO UPDATE SET populated = TRUE",
        )
        .bind(i64::from(year))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// Marks waiting, for one year or all.
pub async fn pending(db: &Db, year: Option<i32>) -> Result<i64, StoreError> {
    Ok(match year {
        Some(y) => {
            on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM summary_dirty WHERE year = $1")
            .bind(i64::from(y)).fetch_one(p).await?)
        }
        None => on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM summary_dirty")
            .fetch_one(p).await?),
    })
}

/// How statistics are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// By county or district; a city-direct unit under its city, a zone's unit under its zone.
    County,
    Industry,
    Unit,
}

/// Which person-years statistics cover (all of them when empty): those placed in `area`, of
/// `industry`, at `unit`. Places nest as authorization's do: a city covers its counties and
/// zones, a county only itself (not a zone within it), a zone only itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Within {
    pub area: Option<Place>,
    pub industry: Option<String>,
    pub unit: Option<i64>,
}

/// One group's counts: person-years required to study, those compliant, and the rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Region code, `zone:<id>`, industry name, or unit credit code.
    pub key: String,
    pub name: String,
    pub persons: i64,
    pub compliant: i64,
    /// compliant / persons in per mille, rounded half up (0 when nobody).
    pub rate_permille: i64,
}

/// Per mille, rounded half up, in integers.
pub fn permille(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (part * 2000 + whole) / (whole * 2)
    }
}

/// The SQL condition and its binds (from `$2` on) for `within`.
fn condition(within: &Within) -> (String, Vec<Bind>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    let mut add = |clause: &str, b: Vec<Bind>| {
        let mut text = clause.to_owned();
        for (i, _) in b.iter().enumerate() {
            text = text.replacen('?', &format!("${}", binds.len() + i + 2), 1);
        }
        sql.push_str(" AND ");
        sql.push_str(&text);
        binds.extend(b);
    };
    match &within.area {
        None => {}
        Some(Place::Zone(name)) => add(
            "s.zone_id = (SELECT id FROM zones WHERE name = ?)",
            vec![Bind::Text(name.clone())],
        ),
        Some(Place::Region(code)) => {
            let c = i64::from(code.as_u32());
            match code.level() {
                Level::Province => add(
                    "s.city >= ? AND s.city < ?",
                    vec![Bind::Int(c), Bind::Int(c + 10_000)],
                ),
                Level::City => add("s.city = ?", vec![Bind::Int(c)]),
                Level::County => add("s.region = ? AND s.zone_id IS NULL", vec![Bind::Int(c)]),
            }
        }
    }
    if let Some(industry) = &within.industry {
        add("s.industry = ?", vec![Bind::Text(industry.clone())]);
    }
    if let Some(unit) = within.unit {
        add("s.unit_id = ?", vec![Bind::Int(unit)]);
    }
    (sql, binds)
}

enum Bind {
    Int(i64),
    Text(String),
}

/// Compliance in `year` grouped `by`, over the person-years `within`, from the summaries as
/// they are (see [`refresh_dirty`] and [`pending`] for how current they are). Sorted by key.
pub async fn statistics(
    db: &Db,
    year: i32,
    by: GroupBy,
    within: &Within,
) -> Result<Vec<Row>, StoreError> {
    let (cond, binds) = condition(within);
    let grouped = |cols: &str| {
        format!(
            "SELECT {cols}, COUNT(*) AS persons, COUNT(CASE WHEN s.compliant THEN 1 END) AS compliant
             FROM person_year_summaries s WHERE s.year = $1 AND s.required{cond} GROUP BY {cols}"
        )
    };
    let sql = match by {
        GroupBy::County => format!(
            "SELECT CASE WHEN g.zone_id IS NULL THEN CAST(g.region AS TEXT) ELSE 'zone:' || CAST(g.zone_id AS TEXT) END,
                    COALESCE(z.name, r.name, ''), g.persons, g.compliant
             FROM ({}) g LEFT JOIN regions r ON r.code = g.region LEFT JOIN zones z ON z.id = g.zone_id",
            grouped("s.region, s.zone_id")
        ),
        GroupBy::Industry => format!(
            "SELECT g.industry, g.industry, g.persons, g.compliant FROM ({}) g",
            grouped("s.industry")
        ),
        GroupBy::Unit => format!(
            "SELECT u.credit_code, u.name, g.persons, g.compliant
             FROM ({}) g JOIN units u ON u.id = g.unit_id",
            grouped("s.unit_id")
        ),
    };
    let sql = format!("{sql} ORDER BY 1");
    let rows: Vec<(String, String, i64, i64)> = on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(i64::from(year));
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind(v),
                Bind::Text(v) => q.bind(v),
            };
        }
        q.fetch_all(p).await?
    });
    Ok(rows
        .into_iter()
        .map(|(key, name, persons, compliant)| Row {
            key,
            name,
            persons,
            compliant,
            rate_permille: permille(compliant, persons),
        })
        .collect())
}

/// The summary of a person-year, if it has one.
pub async fn summary(db: &Db, person_id: i64, year: i32) -> Result<Option<Summary>, StoreError> {
    Ok(summary_now(db, person_id, year).await?.map(|n| n.summary))
}

/// A person-year's summary as it stands: its unit's zone by name (for authorization) and
/// whether a write has marked it since it was made (then it is stale until refreshed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryNow {
    pub summary: Summary,
    pub zone: Option<String>,
    pub stale: bool,
    pub decided_ms: i64,
}

const SUMMARY_NOW_SQL: &str = "SELECT s.unit_id, s.region, s.zone_id, s.city, s.industry,
        s.required, s.compliant, s.total_tenths, s.professional_tenths, s.public_tenths,
        s.total_short_tenths, s.professional_short_tenths, z.name AS zone,
        d.seq IS NOT NULL AS stale, s.decided_ms
   FROM person_year_summaries s LEFT JOIN zones z ON z.id = s.zone_id
   LEFT JOIN summary_dirty d ON d.person_id = s.person_id AND d.year = s.year
  WHERE s.person_id = $1 AND s.year = $2";

/// [`summary_now`] on a kept SQLite connection ([`crate::direct::point`]).
fn summary_now_direct(
    conn: &rusqlite::Connection,
    person_id: i64,
    year: i32,
) -> Result<Option<SummaryNow>, StoreError> {
    use crate::direct::{int, required, text};
    let mut stmt = conn.prepare_cached(SUMMARY_NOW_SQL)?;
    let mut rows = stmt.query([person_id, i64::from(year)])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let v = |i: usize| row.get_ref(i);
    let n = |i: usize, what| -> Result<i64, StoreError> { required(int(v(i)?, what)?, what) };
    Ok(Some(SummaryNow {
        summary: Summary {
            person_id,
            year,
            unit_id: n(0, "单位编号")?,
            region: n(1, "地区")?,
            zone_id: int(v(2)?, "园区")?,
            city: n(3, "市")?,
            industry: required(text(v(4)?, "行业")?, "行业")?.to_owned(),
            required: n(5, "是否须达标")? != 0,
            compliant: n(6, "是否达标")? != 0,
            total_tenths: n(7, "总学时")?,
            professional_tenths: n(8, "专业科目学时")?,
            public_tenths: n(9, "公需科目学时")?,
            total_short_tenths: n(10, "总学时缺口")?,
            professional_short_tenths: n(11, "专业科目缺口")?,
        },
        zone: text(v(12)?, "园区名称")?.map(str::to_owned),
        stale: n(13, "是否待更新")? != 0,
        decided_ms: n(14, "判定时间")?,
    }))
}

/// The summary of a person-year with its zone name and staleness, in one query.
pub async fn summary_now(
    db: &Db,
    person_id: i64,
    year: i32,
) -> Result<Option<SummaryNow>, StoreError> {
    let sql = SUMMARY_NOW_SQL;
    if let Db::Sqlite(p) = db
        && let Some(read) = crate::direct::point(p, |c| summary_now_direct(c, person_id, year))
    {
        return read;
    }
    #[derive(sqlx::FromRow)]
    struct Raw {
        unit_id: i64,
        region: i64,
        zone_id: Option<i64>,
        city: i64,
        industry: String,
        required: bool,
        compliant: bool,
        total_tenths: i64,
        professional_tenths: i64,
        public_tenths: i64,
        total_short_tenths: i64,
        professional_short_tenths: i64,
        zone: Option<String>,
        stale: bool,
        decided_ms: i64,
    }
    let row: Option<Raw> = on_db!(db, p => sqlx::query_as(sql)
        .bind(person_id)
        .bind(i64::from(year))
        .fetch_optional(p)
        .await?);
    Ok(row.map(|r| SummaryNow {
        summary: Summary {
            person_id,
            year,
            unit_id: r.unit_id,
            region: r.region,
            zone_id: r.zone_id,
            city: r.city,
            industry: r.industry,
            required: r.required,
            compliant: r.compliant,
            total_tenths: r.total_tenths,
            professional_tenths: r.professional_tenths,
            public_tenths: r.public_tenths,
            total_short_tenths: r.total_short_tenths,
            professional_short_tenths: r.professional_short_tenths,
        },
        zone: r.zone,
        stale: r.stale,
        decided_ms: r.decided_ms,
    }))
}
