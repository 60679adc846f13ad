//! Compliance statistics per year by county, industry and unit, read from one summary row per
//! person-year (`person_year_summaries`) instead of evaluating everyone on each request.
//!
//! Keeping the summaries current: triggers (migration 0005) mark in `summary_dirty`, inside the
//! writing transaction, every person-year a write may change — records and voids (and the other
//! persons' later registrations of an achievement a void frees, D21), employments, a person's
//! leaving or cohort, a unit's place or industry, a courseware-provider registration (D7) and a
//! filing decision (D8) through the records naming them. [`refresh_dirty`] re-evaluates marked
//! person-years with the engine and replaces their summaries: a batch's facts are loaded with a
//! handful of queries over all its persons (`export::Batch`) and each case is assembled
//! by the same code as [`crate::export::person_year_case`], the case every decision is made from. Two things no trigger sees, handled
//! by [`prepare`]: a new policy (summaries made under another policy hash are marked) and the
//! persons of a year who have never had a write touching it ([`open_year`] marks everyone in
//! service that year once, so persons without any record count as non-compliant).
//!
//! A mark's `seq` is renumbered on every write and never reused, and a refresher deletes a mark
//! and writes its summary in one transaction only if the mark still has the `seq` it read before
//! evaluating: a write that lands meanwhile keeps its mark, and the person-year is evaluated again.
//!
//! Who counts: a person-year exists where the person was employed at some time in the year and
//! the policy has rules for the year; it is placed at the unit the person worked for on
//! December 31 (or last before it), as authorization places a person-year. Persons who had left
//! before the year (D17a) keep a row but are not counted. Rates are exact: counts, and per mille
//! rounded half up.

use xueshi_domain::region::Level;
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::decision::{AnnualDecision, Decision};
use xueshi_policy::input::Place;
use xueshi_policy::rule::RuleId;
use xueshi_policy::{Options, Policy};

use crate::bulk::{Item, in_list};
use crate::db::{Backend, Db, DbDate};
use crate::error::StoreError;
use crate::export::{Batch, Employment, json_list};
use crate::on_db;

/// Marks read per [`refresh_dirty`] call by [`catch_up`] and the server's background drain.
pub const BATCH: i64 = 2000;

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

fn year_bounds(year: i32) -> Result<(Date, Date), StoreError> {
    let bad = |_| StoreError::invalid("summary.year", "年度无效");
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
    decide(&batch, policy, person_id, year)
}

/// [`evaluate`] from a loaded batch: the case is the one [`crate::export::person_year_case`]
/// builds (same assembly from the same facts).
fn decide(
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

const SUMMARY_COLUMNS: &str = "person_id, year, unit_id, region, zone_id, city, industry, required,
    compliant, total_tenths, professional_tenths, public_tenths, total_short_tenths,
    professional_short_tenths, policy_hash, decided_ms";

const ON_CONFLICT: &str = "ON CONFLICT (person_id, year) DO UPDATE SET unit_id = excluded.unit_id,
        region = excluded.region, zone_id = excluded.zone_id, city = excluded.city,
        industry = excluded.industry, required = excluded.required, compliant = excluded.compliant,
        total_tenths = excluded.total_tenths, professional_tenths = excluded.professional_tenths,
        public_tenths = excluded.public_tenths, total_short_tenths = excluded.total_short_tenths,
        professional_short_tenths = excluded.professional_short_tenths,
        policy_hash = excluded.policy_hash, decided_ms = excluded.decided_ms";

/// Re-evaluates up to `limit` marked person-years, oldest mark first, and replaces their
/// summaries; returns how many marks it read (0: the queue is empty). A mark renewed by a write
/// meanwhile stays for the next call, so a caller looping until 0 ends with every write reflected.
pub async fn refresh_dirty(
    db: &Db,
    policy: &Policy,
    now_ms: i64,
    limit: i64,
) -> Result<usize, StoreError> {
    let sql = "SELECT seq, person_id, year FROM summary_dirty ORDER BY seq LIMIT $1";
    let oldest: Vec<(i64, i64, i64)> =
        on_db!(db, p => sqlx::query_as(sql).bind(limit).fetch_all(p).await?);
    let marks = with_other_years(db, oldest).await?;
    let computed = evaluate_all(db, policy, &marks).await?;
    match db {
        // One writer at a time (no deadlock): the whole batch in one transaction, as three
        // set-based statements (a commit, or a statement, per mark was most of the time).
        Db::Sqlite(p) => apply_sqlite(p, policy, now_ms, &computed).await?,
        Db::Postgres(_) => {
            for one in computed.chunks(1) {
                apply(db, policy, now_ms, one).await?;
            }
        }
    }
    Ok(marks.len())
}

/// The marks read, with the other marked years of their persons: a person's facts are loaded
/// once for all of them (opening a year marks everyone, one year after another).
async fn with_other_years(
    db: &Db,
    oldest: Vec<(i64, i64, i64)>,
) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    if oldest.is_empty() {
        return Ok(oldest);
    }
    let persons = json_list(oldest.iter().map(|m| m.1));
    let sql = format!(
        "SELECT seq, person_id, year FROM summary_dirty WHERE {}",
        in_list(db.backend(), "person_id", 1, Item::Int)
    );
    let others: Vec<(i64, i64, i64)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(persons).fetch_all(p).await?);
    // A mark renumbered between the two reads keeps the newer number; one deleted meanwhile by
    // another refresher is deleted again, harmlessly (its `seq` no longer matches).
    let mut by_key = std::collections::BTreeMap::new();
    for (seq, person, year) in oldest.into_iter().chain(others) {
        let s = by_key.entry((person, year)).or_insert(seq);
        *s = (*s).max(seq);
    }
    Ok(by_key
        .into_iter()
        .map(|((person, year), seq)| (seq, person, year))
        .collect())
}

/// A mark `(seq, person_id, year)` with its person-year's summary, if it counts.
type Evaluated = ((i64, i64, i64), Option<Summary>);

/// Evaluates marked person-years from their persons' facts, loaded for the whole batch.
async fn evaluate_all(
    db: &Db,
    policy: &Policy,
    marks: &[(i64, i64, i64)],
) -> Result<Vec<Evaluated>, StoreError> {
    let mut persons: Vec<i64> = marks.iter().map(|m| m.1).collect();
    persons.sort_unstable();
    persons.dedup();
    let batch = Batch::load(db, &persons).await?;
    let mut out = Vec::with_capacity(marks.len());
    for &(seq, person_id, year) in marks {
        // A year outside i32 cannot come from a date; such a mark only needs removing.
        let summary = match i32::try_from(year) {
            Ok(y) => decide(&batch, policy, person_id, y)?,
            Err(_) => None,
        };
        out.push(((seq, person_id, year), summary));
    }
    Ok(out)
}

/// Replaces the person-years' summaries and deletes their marks, in one transaction, each only
/// if its mark still has the number read before evaluating. On PostgreSQL one mark per call: a
/// refresher then holds one mark's row lock at a time and cannot deadlock with a write marking
/// several person-years. Not `in_tx!`: nothing is appended to the ledger, so it need not queue
/// behind ledger writers.
async fn apply(
    db: &Db,
    policy: &Policy,
    now_ms: i64,
    marks: &[Evaluated],
) -> Result<(), StoreError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        if db.backend() == Backend::Postgres {
            // Derived data: a commit lost in a crash loses the mark's deletion with it, so the
            // person-year is simply evaluated again.
            sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await?;
        }
        for &((seq, person_id, year), ref summary) in marks {
            let gone = sqlx::query("DELETE FROM summary_dirty WHERE person_id = $1 AND year = $2 AND seq = $3")
                .bind(person_id)
                .bind(year)
                .bind(seq)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 1 {
                match summary {
                    Some(s) => {
                        let sql = format!(
                            "INSERT INTO person_year_summaries ({SUMMARY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) {ON_CONFLICT}"
                        );
                        sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(s.person_id)
                            .bind(i64::from(s.year))
                            .bind(s.unit_id)
                            .bind(s.region)
                            .bind(s.zone_id)
                            .bind(s.city)
                            .bind(&s.industry)
                            .bind(s.required)
                            .bind(s.compliant)
                            .bind(s.total_tenths)
                            .bind(s.professional_tenths)
                            .bind(s.public_tenths)
                            .bind(s.total_short_tenths)
                            .bind(s.professional_short_tenths)
                            .bind(&policy.hash)
                            .bind(now_ms)
                            .execute(&mut *tx)
                            .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM person_year_summaries WHERE person_id = $1 AND year = $2")
                            .bind(person_id)
                            .bind(year)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
        }
        tx.commit().await?;
    });
    Ok(())
}

/// [`apply`] for a whole batch on SQLite: the summaries and the marks travel as JSON arrays
/// (`[seq, person, year, …summary]`), and each statement keeps only the person-years whose mark
/// still has the number read, before the last deletes those marks.
async fn apply_sqlite(
    pool: &sqlx::SqlitePool,
    policy: &Policy,
    now_ms: i64,
    marks: &[Evaluated],
) -> Result<(), StoreError> {
    use serde_json::json;
    let mut written = Vec::new();
    let mut gone = Vec::new();
    let mut all = Vec::with_capacity(marks.len());
    for &((seq, person_id, year), ref summary) in marks {
        all.push(json!([seq, person_id, year]));
        match summary {
            Some(s) => written.push(json!([
                seq,
                person_id,
                year,
                s.unit_id,
                s.region,
                s.zone_id,
                s.city,
                s.industry,
                s.required,
                s.compliant,
                s.total_tenths,
                s.professional_tenths,
                s.public_tenths,
                s.total_short_tenths,
                s.professional_short_tenths
            ])),
            None => gone.push(json!([seq, person_id, year])),
        }
    }
    let text = |v: Vec<serde_json::Value>| serde_json::Value::Array(v).to_string();
    let unchanged = "EXISTS (SELECT 1 FROM summary_dirty d WHERE d.person_id = j.value->>1
        AND d.year = j.value->>2 AND d.seq = j.value->>0)";
    let values: Vec<String> = (1..=14).map(|i| format!("j.value->>{i}")).collect();
    let upsert = format!(
        "INSERT INTO person_year_summaries ({SUMMARY_COLUMNS}) SELECT {}, $2, $3 FROM json_each($1) j
         WHERE {unchanged} {ON_CONFLICT}",
        values.join(", ")
    );
    let delete = format!(
        "DELETE FROM person_year_summaries WHERE (person_id, year) IN
         (SELECT j.value->>1, j.value->>2 FROM json_each($1) j WHERE {unchanged})"
    );
    let mut tx = pool.begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(upsert))
        .bind(text(written))
        .bind(&policy.hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(delete))
        .bind(text(gone))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "DELETE FROM summary_dirty WHERE (person_id, year, seq) IN
         (SELECT value->>1, value->>2, value->>0 FROM json_each($1))",
    )
    .bind(text(all))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

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

/// What no trigger sees: marks the summaries made under another policy (a new policy file
/// changes decisions without a write), and opens every year that has person-years and rules.
/// Run where the policy is loaded (server start, end of an import); it reads every summary's
/// policy hash once, which is why it is not run per request.
pub async fn prepare(db: &Db, policy: &Policy) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO summary_dirty (person_id, year)
         SELECT person_id, year FROM person_year_summaries WHERE policy_hash <> $1
         ON CONFLICT (person_id, year) DO NOTHING",
    ).bind(&policy.hash).execute(p).await?.rows_affected());
    let years: Vec<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT year FROM summary_years WHERE NOT populated ORDER BY year"
    ).fetch_all(p).await?);
    for year in years {
        if let Some(y) = i32::try_from(year)
            .ok()
            .filter(|y| policy.year(*y).is_some())
        {
            open_year(db, y).await?;
        }
    }
    Ok(())
}

/// [`prepare`], then refreshes until no mark is left; returns the marks read. For the end of a
/// batch command (import, demo seed), where nobody else is waiting on the queue.
pub async fn catch_up(db: &Db, policy: &Policy, now_ms: i64) -> Result<usize, StoreError> {
    prepare(db, policy).await?;
    let mut total = 0;
    loop {
        let n = refresh_dirty(db, policy, now_ms, BATCH).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
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

/// The summary of a person-year with its zone name and staleness, in one query.
pub async fn summary_now(
    db: &Db,
    person_id: i64,
    year: i32,
) -> Result<Option<SummaryNow>, StoreError> {
    let sql = "SELECT s.unit_id, s.region, s.zone_id, s.city, s.industry, s.required, s.compliant,
                      s.total_tenths, s.professional_tenths, s.public_tenths, s.total_short_tenths,
                      s.professional_short_tenths, z.name AS zone, d.seq IS NOT NULL AS stale, s.decided_ms
               FROM person_year_summaries s LEFT JOIN zones z ON z.id = s.zone_id
               LEFT JOIN summary_dirty d ON d.person_id = s.person_id AND d.year = s.year
               WHERE s.person_id = $1 AND s.year = $2";
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
