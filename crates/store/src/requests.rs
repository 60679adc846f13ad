//! The requests that start an official act: a year page submitted for its industry authority's
//! review (D12) and an application for verification of a tenure cycle's hours (D13). A request
//! decides nothing and is never changed: it is answered by the act (`acts::review`,
//! `acts::record_verification`) whose ledger index is at or after the ledger's size when the
//! request was made, so a queue is "requests with no answering act" — no status to update.
//!
//! Queues are read by the span of region codes a principal covers ([`RegionCode::span`]); the
//! caller still asks `xueshi_app::authorize` for each item, which is the one source of truth on
//! who may act.

use xueshi_domain::RegionCode;
use xueshi_policy::input::TitleLevel;

use crate::audit::Line;
use crate::covered::Watched;
use crate::db::{Db, contains_pattern};
use crate::error::StoreError;
use crate::on_db;

fn region(code: i64) -> Result<RegionCode, StoreError> {
    u32::try_from(code)
        .ok()
        .and_then(|c| RegionCode::from_u32(c).ok())
        .ok_or_else(|| StoreError::corrupt("行政区划代码无效"))
}

fn span(within: RegionCode) -> (i64, i64) {
    let s = within.span();
    (i64::from(*s.start()), i64::from(*s.end()))
}

/// An official's queue narrowed to the staff of one unit and/or to persons whose name holds a
/// fragment (matched literally: `%` and `_` are not wildcards).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub unit_id: Option<i64>,
    pub name: Option<String>,
}

/// A value bound to a numbered parameter of a queue's query.
#[derive(Clone, Debug)]
enum Arg {
    Int(i64),
    Text(String),
}

impl QueueFilter {
    /// The filter's conditions over `u` (the unit) and `p` (the person), each starting with
    /// ` AND`, numbered from `$first`, with their values.
    fn conditions(&self, first: usize) -> (String, Vec<Arg>) {
        let mut sql = String::new();
        let mut args = Vec::new();
        if let Some(unit) = self.unit_id {
            sql.push_str(&format!(" AND u.id = ${}", first + args.len()));
            args.push(Arg::Int(unit));
        }
        if let Some(name) = self.name.as_deref().filter(|n| !n.is_empty()) {
            sql.push_str(&format!(
                " AND p.name LIKE ${} ESCAPE '\\'",
                first + args.len()
            ));
            args.push(Arg::Text(contains_pattern(name)));
        }
        (sql, args)
    }
}

/// A unit with items waiting in an official's queue: what the queue can be narrowed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueUnit {
    pub unit_id: i64,
    pub name: String,
    pub waiting: i64,
}

/// Binds `args` in order to a query built with [`sqlx::query_as`] or [`sqlx::query_scalar`].
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(t) => q.bind(t.clone()),
            };
        }
        q
    }};
}

/// The units in a queue (`from_where`: the queue's `FROM … WHERE …` over `u`, bound to
/// `args`), by name, with how many items each has waiting; at most 500.
async fn queue_units(
    db: &Db,
    from_where: &str,
    args: &[Arg],
) -> Result<Vec<QueueUnit>, StoreError> {
    let sql = format!(
        "SELECT u.id, u.name, COUNT(*) AS waiting {from_where} GROUP BY u.id, u.name ORDER BY u.name, u.id LIMIT 500"
    );
    let rows: Vec<(i64, String, i64)> = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(unit_id, name, waiting)| QueueUnit {
            unit_id,
            name,
            waiting,
        })
        .collect())
}

/// Who a queue item concerns: the person (masked) and the unit they worked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub person_id: i64,
    pub person_name: String,
    pub id_masked: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub region: RegionCode,
    pub zone: Option<String>,
    pub industry: String,
}

#[derive(sqlx::FromRow)]
struct RawSubject {
    person_id: i64,
    person_name: String,
    id_masked: String,
    unit_id: i64,
    unit_name: String,
    region: i64,
    zone: Option<String>,
    industry: String,
}

const SUBJECT_COLUMNS: &str =
    "p.id AS person_id, p.name AS person_name, p.id_masked, u.id AS unit_id,
    u.name AS unit_name, u.region, z.name AS zone, u.industry";

impl RawSubject {
    fn decode(self) -> Result<Subject, StoreError> {
        Ok(Subject {
            person_id: self.person_id,
            person_name: self.person_name,
            id_masked: self.id_masked,
            unit_id: self.unit_id,
            unit_name: self.unit_name,
            region: region(self.region)?,
            zone: self.zone,
            industry: self.industry,
        })
    }
}

fn year(y: i64) -> Result<i32, StoreError> {
    i32::try_from(y).map_err(|_| StoreError::corrupt("年度无效"))
}

// ---------------------------------------------------------------------------------------------
// Year pages (D12)

/// A year page waiting for review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPage {
    pub submission_id: i64,
    pub year: i32,
    pub submitted_by: String,
    pub submitted_ms: i64,
    pub subject: Subject,
}

/// Submits a person's year page for review; `unit_id` is the unit whose industry authority
/// reviews it (the person's unit on 31 December of the year). Returns the submission's id.
/// One transaction, serialised with every other writer (`in_tx!`): the check that no
/// submission of the person-year is pending (else [`StoreError::Duplicate`] `review.pending`,
/// naming it), the submission and its audit line `line` — so two concurrent submissions give
/// one submission and one refusal, and a crash leaves both rows or neither.
pub async fn submit_year_page(
    db: &Db,
    person_id: i64,
    year: i32,
    unit_id: i64,
    line: &Line,
) -> Result<i64, StoreError> {
    let pending = format!(
        "SELECT s.id FROM year_page_submissions s WHERE {PAGE_OPEN} AND s.person_id = $1 AND s.year = $2 LIMIT 1"
    );
    crate::in_tx!(db, tx => {
        let existing: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(pending))
            .bind(person_id)
            .bind(i64::from(year))
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(existing) = existing {
            return Err(StoreError::Duplicate {
                code: "review.pending",
                message: format!("该年度登记已提交（提交编号 {existing}），正在等待审核，不能重复提交"),
                existing,
            });
        }
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries")
            .fetch_one(&mut **tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO year_page_submissions (person_id, year, unit_id, submitted_by, submitted_ms, ledger_size)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(person_id)
        .bind(i64::from(year))
        .bind(unit_id)
        .bind(&line.actor)
        .bind(line.at_ms)
        .bind(size)
        .fetch_one(&mut **tx)
        .await?;
        crate::line_in_tx!(tx, &line.about(format!("person:{person_id}/year:{year}")), Some((Watched::Submission, id)))?;
        Ok(id)
    })
}

/// Whether a person's year page was submitted and not yet answered by a review act.
pub async fn year_page_pending(db: &Db, person_id: i64, year: i32) -> Result<bool, StoreError> {
    let sql = format!(
        "SELECT s.id FROM year_page_submissions s WHERE {PAGE_OPEN} AND s.person_id = $1 AND s.year = $2 LIMIT 1"
    );
    let row: Option<i64> = on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(person_id).bind(i64::from(year)).fetch_optional(p).await?);
    Ok(row.is_some())
}

/// The latest submission of its person-year, not answered by a review act since.
pub(crate) const PAGE_OPEN: &str = "NOT EXISTS (SELECT 1 FROM year_page_submissions s2
       WHERE s2.person_id = s.person_id AND s2.year = s.year AND s2.id > s.id)
   AND NOT EXISTS (SELECT 1 FROM review_acts r
       WHERE r.person_id = s.person_id AND r.year = s.year AND r.entry_index >= s.ledger_size)";

/// The queue of year pages of units of `industry` within `within`: `FROM … WHERE …`.
fn page_queue(filter: &QueueFilter) -> (String, Vec<Arg>) {
    let (more, args) = filter.conditions(4);
    (
        format!(
            "FROM year_page_submissions s JOIN persons p ON p.id = s.person_id
             JOIN units u ON u.id = s.unit_id LEFT JOIN zones z ON z.id = u.zone_id
             WHERE u.region BETWEEN $1 AND $2 AND u.industry = $3 AND {PAGE_OPEN}{more}"
        ),
        args,
    )
}

/// The fixed arguments of a page queue: the region span and the industry.
fn page_queue_args(within: RegionCode, industry: &str, filter: &QueueFilter) -> (String, Vec<Arg>) {
    let (lo, hi) = span(within);
    let (sql, more) = page_queue(filter);
    let mut args = vec![Arg::Int(lo), Arg::Int(hi), Arg::Text(industry.to_owned())];
    args.extend(more);
    (sql, args)
}

/// Year pages waiting for review in units of `industry` within `within`, narrowed by
/// `filter`, oldest first.
pub async fn pending_year_pages(
    db: &Db,
    within: RegionCode,
    industry: &str,
    filter: &QueueFilter,
    limit: i64,
) -> Result<Vec<PendingPage>, StoreError> {
    let (from_where, args) = page_queue_args(within, industry, filter);
    let sql = format!(
        "SELECT s.id AS submission_id, s.year, s.submitted_by, s.submitted_ms, {SUBJECT_COLUMNS}
         {from_where} ORDER BY s.id LIMIT {}",
        limit.max(0)
    );
    #[derive(sqlx::FromRow)]
    struct Raw {
        submission_id: i64,
        year: i64,
        submitted_by: String,
        submitted_ms: i64,
        #[sqlx(flatten)]
        subject: RawSubject,
    }
    let rows: Vec<Raw> = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await?);
    rows.into_iter()
        .map(|r| {
            Ok(PendingPage {
                submission_id: r.submission_id,
                year: year(r.year)?,
                submitted_by: r.submitted_by,
                submitted_ms: r.submitted_ms,
                subject: r.subject.decode()?,
            })
        })
        .collect()
}

/// The units with year pages waiting in the queue of `industry` within `within`.
pub async fn pending_page_units(
    db: &Db,
    within: RegionCode,
    industry: &str,
) -> Result<Vec<QueueUnit>, StoreError> {
    let (from_where, args) = page_queue_args(within, industry, &QueueFilter::default());
    queue_units(db, &from_where, &args).await
}

// ---------------------------------------------------------------------------------------------
// Verification applications (D13)

/// An application to have a tenure cycle's hours verified for a title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApplication {
    pub person_id: i64,
    pub level: TitleLevel,
    pub first_year: i32,
    pub last_year: i32,
    /// The applicant's unit now (its place decided the routing).
    pub unit_id: i64,
    /// Where the routing table sends it: a region, or a zone (by id) with its city.
    pub verifier_region: RegionCode,
    pub verifier_zone_id: Option<i64>,
}

/// An application as stored, with whom it concerns and whether an act answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub level: TitleLevel,
    pub first_year: i32,
    pub last_year: i32,
    pub verifier_region: RegionCode,
    pub verifier_zone: Option<String>,
    pub applied_by: String,
    pub applied_ms: i64,
    pub subject: Subject,
    /// The verification act that answered it (id, stamped or refused), if any.
    pub answer: Option<(i64, bool)>,
}

/// Files applications (a unit's batch, or one), all or none, each with its audit line
/// (`line`, about `person:P/application:A`), in one transaction serialised with every other
/// writer (`in_tx!`). An application identical to a pending one (same person, level and
/// cycle, not yet answered) is refused with [`StoreError::Duplicate`]
/// `verification.duplicate`, naming the pending one — under concurrent requests too, since the
/// check and the insert share the transaction. Returns the ids in order.
pub async fn apply(db: &Db, batch: &[NewApplication], line: &Line) -> Result<Vec<i64>, StoreError> {
    for a in batch {
        if a.first_year > a.last_year {
            return Err(StoreError::invalid(
                "verification.cycle",
                "任职周期首年晚于末年",
            ));
        }
    }
    let pending = format!(
        "SELECT a.id FROM verification_applications a WHERE a.person_id = $1 AND a.level = $2
           AND a.first_year = $3 AND a.last_year = $4 AND {ANSWER} IS NULL ORDER BY a.id LIMIT 1"
    );
    crate::in_tx!(db, tx => {
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries")
            .fetch_one(&mut **tx)
            .await?;
        let mut ids = Vec::with_capacity(batch.len());
        for a in batch {
            let existing: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(pending.as_str()))
                .bind(a.person_id)
                .bind(a.level.as_str())
                .bind(i64::from(a.first_year))
                .bind(i64::from(a.last_year))
                .fetch_optional(&mut **tx)
                .await?;
            if let Some(existing) = existing {
                return Err(StoreError::Duplicate {
                    code: "verification.duplicate",
                    message: format!(
                        "人员 #{} 已有相同的核验申请（申请编号 {existing}：{} 至 {} 年）正在等待核验，不能重复申请",
                        a.person_id, a.first_year, a.last_year
                    ),
                    existing,
                });
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO verification_applications (person_id, level, first_year, last_year, unit_id,
                   verifier_region, verifier_zone_id, applied_by, applied_ms, ledger_size)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(a.person_id)
            .bind(a.level.as_str())
            .bind(i64::from(a.first_year))
            .bind(i64::from(a.last_year))
            .bind(a.unit_id)
            .bind(i64::from(a.verifier_region.as_u32()))
            .bind(a.verifier_zone_id)
            .bind(&line.actor)
            .bind(line.at_ms)
            .bind(size)
            .fetch_one(&mut **tx)
            .await?;
            crate::line_in_tx!(tx, &line.about(format!("person:{}/application:{id}", a.person_id)), Some((Watched::Application, id)))?;
            ids.push(id);
        }
        Ok(ids)
    })
}

const ANSWER: &str = "(SELECT v.id FROM verification_acts v WHERE v.person_id = a.person_id
       AND v.level = a.level AND v.first_year = a.first_year AND v.last_year = a.last_year
       AND v.entry_index >= a.ledger_size ORDER BY v.entry_index DESC LIMIT 1)";

#[derive(sqlx::FromRow)]
struct RawApplication {
    id: i64,
    level: String,
    first_year: i64,
    last_year: i64,
    verifier_region: i64,
    verifier_zone: Option<String>,
    applied_by: String,
    applied_ms: i64,
    #[sqlx(flatten)]
    subject: RawSubject,
    answer: Option<i64>,
    approved: Option<bool>,
}

impl RawApplication {
    fn decode(self) -> Result<Application, StoreError> {
        Ok(Application {
            id: self.id,
            level: TitleLevel::parse(&self.level)
                .ok_or_else(|| StoreError::corrupt("职称级别无效"))?,
            first_year: year(self.first_year)?,
            last_year: year(self.last_year)?,
            verifier_region: region(self.verifier_region)?,
            verifier_zone: self.verifier_zone,
            applied_by: self.applied_by,
            applied_ms: self.applied_ms,
            subject: self.subject.decode()?,
            answer: self.answer.zip(self.approved),
        })
    }
}

const APPLICATION_FROM: &str =
    "FROM verification_applications a JOIN persons p ON p.id = a.person_id
         JOIN units u ON u.id = a.unit_id LEFT JOIN zones z ON z.id = u.zone_id";

/// Applications matching `filter` (SQL over `a`, `p` and `u` with `$1`, `$2`, … bound to
/// `args`), at most `limit`, by id.
async fn applications(
    db: &Db,
    filter: &str,
    args: &[Arg],
    limit: i64,
) -> Result<Vec<Application>, StoreError> {
    let sql = format!(
        "SELECT a.id, a.level, a.first_year, a.last_year, a.verifier_region, vz.name AS verifier_zone,
           a.applied_by, a.applied_ms, {SUBJECT_COLUMNS}, {ANSWER} AS answer,
           (SELECT v.approved FROM verification_acts v WHERE v.id = {ANSWER}) AS approved
         {APPLICATION_FROM} LEFT JOIN zones vz ON vz.id = a.verifier_zone_id
         WHERE {filter} ORDER BY a.id LIMIT {}",
        limit.max(0)
    );
    let rows: Vec<RawApplication> = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), args).fetch_all(p).await?);
    rows.into_iter().map(RawApplication::decode).collect()
}

/// One application by id.
pub async fn application(db: &Db, id: i64) -> Result<Application, StoreError> {
    applications(db, "a.id = $1", &[Arg::Int(id)], 1)
        .await?
        .pop()
        .ok_or(StoreError::NotFound("验证申请"))
}

/// A person's applications, oldest first.
pub async fn person_applications(db: &Db, person_id: i64) -> Result<Vec<Application>, StoreError> {
    applications(db, "a.person_id = $1", &[Arg::Int(person_id)], 1000).await
}

/// The application's unit has its own verifying office (a state-owned unit, 235号 五(二)):
/// its staff are verified there, not by the bureau the routing table names.
const SELF_VERIFIED: &str = "EXISTS (SELECT 1 FROM organisations o
    WHERE o.unit_id = a.unit_id AND o.kind = 'state_owned_unit')";

/// The office of a unit that verifies its own staff (a state-owned unit's), by name.
pub async fn own_verifier(db: &Db, unit_id: i64) -> Result<Option<String>, StoreError> {
    let sql = "SELECT name FROM organisations WHERE unit_id = $1 AND kind = 'state_owned_unit'
               ORDER BY id LIMIT 1";
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(unit_id).fetch_optional(p).await?))
}

/// Whose applications a verifier answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verifier {
    /// Those the routing table sends to the bureau at a region (a city or county), or with a
    /// zone id to that zone's centre — but not those of a unit that verifies its own staff.
    Routed(RegionCode, Option<i64>),
    /// Those of one unit's staff (a state-owned unit verifies its own, 235号 五(二)).
    Unit(i64),
}

impl Verifier {
    /// The condition over `a` selecting the verifier's applications, bound to `$1`.
    fn condition(self) -> (String, Arg) {
        match self {
            Self::Routed(_, Some(zone)) => (
                format!("a.verifier_zone_id = $1 AND NOT {SELF_VERIFIED}"),
                Arg::Int(zone),
            ),
            Self::Routed(region, None) => (
                format!(
                    "a.verifier_zone_id IS NULL AND a.verifier_region = $1 AND NOT {SELF_VERIFIED}"
                ),
                Arg::Int(i64::from(region.as_u32())),
            ),
            Self::Unit(unit) => ("a.unit_id = $1".to_owned(), Arg::Int(unit)),
        }
    }

    /// The verifier's unanswered applications narrowed by `filter`: a condition and its args.
    fn waiting(self, filter: &QueueFilter) -> (String, Vec<Arg>) {
        let (cond, arg) = self.condition();
        let (more, args) = filter.conditions(2);
        let mut all = vec![arg];
        all.extend(args);
        (format!("{cond} AND {ANSWER} IS NULL{more}"), all)
    }
}

/// Unanswered applications the verifier answers, narrowed by `filter`, oldest first.
pub async fn pending_applications(
    db: &Db,
    verifier: Verifier,
    filter: &QueueFilter,
    limit: i64,
) -> Result<Vec<Application>, StoreError> {
    let (cond, args) = verifier.waiting(filter);
    applications(db, &cond, &args, limit).await
}

/// The units with applications waiting for the verifier.
pub async fn pending_application_units(
    db: &Db,
    verifier: Verifier,
) -> Result<Vec<QueueUnit>, StoreError> {
    let (cond, args) = verifier.waiting(&QueueFilter::default());
    queue_units(db, &format!("{APPLICATION_FROM} WHERE {cond}"), &args).await
}

/// The latest `limit` applications the verifier has answered, newest first: what it handled.
pub async fn answered_applications(
    db: &Db,
    verifier: Verifier,
    limit: i64,
) -> Result<Vec<Application>, StoreError> {
    let (cond, arg) = verifier.condition();
    let limit = limit.max(0);
    let mut out = applications(
        db,
        &format!(
            "a.id IN (SELECT a.id FROM verification_applications a WHERE {cond} \
             AND {ANSWER} IS NOT NULL ORDER BY a.id DESC LIMIT {limit})"
        ),
        &[arg],
        limit,
    )
    .await?;
    out.reverse();
    Ok(out)
}

/// The latest `limit` applications filed for a unit's staff (by the unit or by the persons
/// themselves while in it), answered or not, newest first: what the unit follows.
pub async fn unit_applications(
    db: &Db,
    unit_id: i64,
    limit: i64,
) -> Result<Vec<Application>, StoreError> {
    let limit = limit.max(0);
    let mut out = applications(
        db,
        &format!(
            "a.id IN (SELECT id FROM verification_applications WHERE unit_id = $1 \
             ORDER BY id DESC LIMIT {limit})"
        ),
        &[Arg::Int(unit_id)],
        limit,
    )
    .await?;
    out.reverse();
    Ok(out)
}
