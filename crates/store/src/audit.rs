//! The audit trail (D18, D19): every act of an official and every disclosure of unmasked
//! personal data, appended to `audit_log`, which the database refuses to change or delete (so
//! its actor cannot alter it), and read by supervisors with a filter. It records who did what
//! to which subject, where and when; it does not decide who may read it or who may act.
//! Each line carries the region code of where the act happened (the actor's organisation's or
//! unit's region), so that a supervisor reads the trail within its region.

use xueshi_domain::RegionCode;
use xueshi_domain::region::Level;

use crate::db::Db;
use crate::error::StoreError;
use crate::keys::Keys;
use crate::on_db;

/// Disclosure of a person's unmasked ID number (D19).
pub const PERSON_REVEAL: &str = "person.reveal";

/// The most rows one read of the trail returns.
pub const MAX_LIMIT: u32 = 10_000;

/// One line of the trail.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    /// The region code of where the act happened; `None` for the system's own lines.
    pub region: Option<i64>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
    /// The ledger entry of the act, when the act is ledger-covered.
    pub entry_index: Option<i64>,
}

/// Which lines to read: every given field must match (`since_ms` inclusive, `until_ms`
/// exclusive).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

/// A region as stored in `audit_log.region`.
pub fn region_column(region: Option<RegionCode>) -> Option<i64> {
    region.map(|r| i64::from(r.as_u32()))
}

fn check_text(actor: &str, action: &str) -> Result<(), StoreError> {
    if actor.trim().is_empty() {
        return Err(StoreError::invalid("audit.actor", "审计记录须写明操作人"));
    }
    if action.trim().is_empty() {
        return Err(StoreError::invalid(
            "audit.action",
            "审计记录须写明操作类型",
        ));
    }
    Ok(())
}

/// Appends a line to the trail, returning its id. `region` is where the act happened (`None`
/// for the system's own lines).
pub async fn audit(
    db: &Db,
    at_ms: i64,
    actor: &str,
    region: Option<RegionCode>,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<i64, StoreError> {
    check_text(actor, action)?;
    let sql = "INSERT INTO audit_log (at_ms, actor, region, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    Ok(on_db!(db, p => sqlx::query_scalar(sql)
        .bind(at_ms)
        .bind(actor)
        .bind(region_column(region))
        .bind(action)
        .bind(subject)
        .bind(detail)
        .fetch_one(p)
        .await?))
}

/// The audit line of an act that is not itself a ledger act (a request, a slot, a booking, an
/// import), handed to the store function that writes the act so that it writes the line in
/// the act's own transaction: both commit, or neither.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub at_ms: i64,
    pub actor: String,
    /// Where the act happened; `None` for the system's own acts.
    pub region: Option<RegionCode>,
    pub action: String,
    pub subject: String,
    pub detail: Option<String>,
}

impl Line {
    pub fn new(
        at_ms: i64,
        actor: impl Into<String>,
        region: Option<RegionCode>,
        action: impl Into<String>,
        subject: impl Into<String>,
    ) -> Self {
        Self {
            at_ms,
            actor: actor.into(),
            region,
            action: action.into(),
            subject: subject.into(),
            detail: None,
        }
    }

    /// The same act's line for another subject (an application of a batch).
    pub fn about(&self, subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            ..self.clone()
        }
    }

    pub(crate) fn check(&self) -> Result<(), StoreError> {
        check_text(&self.actor, &self.action)
    }
}

/// Writes `$line` (a [`Line`]) inside the act's transaction `$tx`, after the act's own write:
/// the failure point [`crate::fault::BEFORE_AUDIT`] sits just before it.
#[macro_export]
macro_rules! line_in_tx {
    ($tx:expr, $line:expr) => {{
        let line: &$crate::audit::Line = $line;
        $crate::fault::point($crate::fault::BEFORE_AUDIT, &line.actor)?;
        line.check()?;
        sqlx::query(
            "INSERT INTO audit_log (at_ms, actor, region, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(line.at_ms)
        .bind(&line.actor)
        .bind($crate::audit::region_column(line.region))
        .bind(&line.action)
        .bind(&line.subject)
        .bind(line.detail.as_deref())
        .execute(&mut **$tx)
        .await
        .map(|_| ())
    }};
}

/// Appends the audit line of a ledger-covered act inside the act's own transaction `$tx`, so
/// the act and its line commit together; `$region` (an `Option<RegionCode>`) is where it
/// happened.
#[macro_export]
macro_rules! audit_in_tx {
    ($tx:expr, $at_ms:expr, $actor:expr, $region:expr, $action:expr, $subject:expr, $entry_index:expr) => {{
        $crate::fault::point($crate::fault::BEFORE_AUDIT, $actor)?;
        let subject: String = $subject;
        sqlx::query(
            "INSERT INTO audit_log (at_ms, actor, region, action, subject, entry_index) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($at_ms)
        .bind($actor)
        .bind($crate::audit::region_column($region))
        .bind($action)
        .bind(subject)
        .bind($entry_index)
        .execute(&mut **$tx)
        .await
        .map(|_| ())
    }};
}

/// Reads the trail within `within` (a supervisor's region, see [`audit_page`]), oldest first,
/// at most `limit` lines (capped at [`MAX_LIMIT`]).
pub async fn audit_trail(
    db: &Db,
    within: RegionCode,
    filter: &AuditFilter<'_>,
    limit: u32,
) -> Result<Vec<AuditRow>, StoreError> {
    audit_page(db, within, filter, 0, limit, false).await
}

/// A page of the trail within `within`: `limit` lines after skipping `offset`, oldest first or
/// newest first. A line is within a region when its own region is one the region covers
/// ([`RegionCode::span`]: a county itself, a city with its counties, the province with
/// everything in it). Lines without a region (the system's own: the CLI import, the demo seed,
/// an unknown login) belong to no city or county, so only a provincial-level reader sees them.
pub async fn audit_page(
    db: &Db,
    within: RegionCode,
    filter: &AuditFilter<'_>,
    offset: u32,
    limit: u32,
    newest_first: bool,
) -> Result<Vec<AuditRow>, StoreError> {
    let sql = if newest_first {
        "SELECT id, at_ms, actor, region, action, subject, detail, entry_index FROM audit_log
         WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR action = $2)
           AND ($3 IS NULL OR at_ms >= $3) AND ($4 IS NULL OR at_ms < $4)
           AND ((region >= $7 AND region <= $8) OR (region IS NULL AND $9))
         ORDER BY at_ms DESC, id DESC LIMIT $5 OFFSET $6"
    } else {
        "SELECT id, at_ms, actor, region, action, subject, detail, entry_index FROM audit_log
         WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR action = $2)
           AND ($3 IS NULL OR at_ms >= $3) AND ($4 IS NULL OR at_ms < $4)
           AND ((region >= $7 AND region <= $8) OR (region IS NULL AND $9))
         ORDER BY at_ms, id LIMIT $5 OFFSET $6"
    };
    let limit = i64::from(limit.min(MAX_LIMIT));
    let span = within.span();
    let provincial = within.level() == Level::Province;
    Ok(on_db!(db, p => sqlx::query_as(sql)
        .bind(filter.actor)
        .bind(filter.action)
        .bind(filter.since_ms)
        .bind(filter.until_ms)
        .bind(limit)
        .bind(i64::from(offset))
        .bind(i64::from(*span.start()))
        .bind(i64::from(*span.end()))
        .bind(provincial)
        .fetch_all(p)
        .await?))
}

/// Logs the disclosure of a person's ID number to `actor` acting in `region`
/// ([`PERSON_REVEAL`]), then reveals it. The line is written first: no disclosure goes unlogged.
pub async fn reveal_id_number_audited(
    db: &Db,
    keys: &Keys,
    person_id: i64,
    actor: &str,
    region: Option<RegionCode>,
    at_ms: i64,
) -> Result<String, StoreError> {
    // An unknown person is not a disclosure.
    crate::people::person(db, person_id).await?;
    audit(
        db,
        at_ms,
        actor,
        region,
        PERSON_REVEAL,
        Some(&format!("person:{person_id}")),
        Some("id_number"),
    )
    .await?;
    crate::people::reveal_id_number(db, keys, person_id).await
}
