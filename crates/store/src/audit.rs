//! The audit trail (D18, D19): every act of an official and every disclosure of unmasked
//! personal data, appended to `audit_log`, which the database refuses to change or delete (so
//! its actor cannot alter it), and read by supervisors with a filter. It records who did what
//! to which subject, where and when; it does not decide who may read it or who may act.
//! Each line carries the region code of where the act happened (the actor's organisation's or
//! unit's region), so that a supervisor reads the trail within its region.

use xueshi_domain::RegionCode;
use xueshi_domain::region::Level;

use sha2::{Digest, Sha256};

pub use crate::covered::Watched;
use crate::db::Db;
use crate::error::StoreError;
use crate::keys::Keys;
use crate::on_db;

/// Disclosure of a person's unmasked ID number (D19).
pub const PERSON_REVEAL: &str = "person.reveal";

/// An official (or a unit) opening a person's evidence file: it may show an ID number, a
/// diploma, a face (D19).
pub const EVIDENCE_VIEW: &str = "evidence.view";

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
/// for the system's own lines). Its own short transaction: the chain needs the line before it.
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
    let fields = Fields {
        at_ms,
        actor,
        region: region_column(region),
        action,
        subject,
        detail,
        entry_index: None,
        row: None,
    };
    match db {
        Db::Sqlite(p) => {
            let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
            let t = &mut tx;
            let id = crate::write_line!(t, fields)?;
            tx.commit().await?;
            Ok(id)
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            let t = &mut tx;
            let id = crate::write_line!(t, fields)?;
            tx.commit().await?;
            Ok(id)
        }
    }
}

/// What a line holds, as the chain hashes it.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    pub at_ms: i64,
    pub actor: &'a str,
    pub region: Option<i64>,
    pub action: &'a str,
    pub subject: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub entry_index: Option<i64>,
    /// The row the line covers (its digest is read in the same transaction).
    pub row: Option<(Watched, i64)>,
}

/// The id and the previous chain value of the next line, after `last` (the last line's id and
/// chain; a line written before migration 0010 has none, and the chain starts at zero).
pub fn next(last: Option<(i64, Option<Vec<u8>>)>) -> (i64, [u8; 32]) {
    match last {
        None => (1, [0; 32]),
        Some((id, chain)) => (
            id + 1,
            chain
                .and_then(|c| <[u8; 32]>::try_from(c).ok())
                .unwrap_or([0; 32]),
        ),
    }
}

/// A line's chain value: SHA-256 of the previous line's chain value and every field of the
/// line (its id too, so a line moved is a line changed), each length-prefixed, NULL apart.
/// Unkeyed, so whoever rewrites the database could recompute it: the signed checkpoints name
/// the trail's head, which no rewrite can re-sign.
#[allow(clippy::too_many_arguments)]
pub fn link(
    prev: &[u8; 32],
    id: i64,
    f: &Fields<'_>,
    row: Option<(&str, i64, &[u8; 32])>,
) -> [u8; 32] {
    fn text(h: &mut Sha256, v: Option<&[u8]>) {
        match v {
            None => h.update([0]),
            Some(b) => {
                h.update([1]);
                h.update(u64::try_from(b.len()).unwrap_or(u64::MAX).to_be_bytes());
                h.update(b);
            }
        }
    }
    fn int(h: &mut Sha256, v: Option<i64>) {
        match v {
            None => h.update([0]),
            Some(n) => {
                h.update([2]);
                h.update(n.to_be_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    h.update(b"xueshi-audit-v1\n");
    h.update(prev);
    int(&mut h, Some(id));
    int(&mut h, Some(f.at_ms));
    text(&mut h, Some(f.actor.as_bytes()));
    int(&mut h, f.region);
    text(&mut h, Some(f.action.as_bytes()));
    text(&mut h, f.subject.map(str::as_bytes));
    text(&mut h, f.detail.map(str::as_bytes));
    int(&mut h, f.entry_index);
    text(&mut h, row.map(|r| r.0.as_bytes()));
    int(&mut h, row.map(|r| r.1));
    text(&mut h, row.map(|r| r.2.as_slice()));
    h.finalize().into()
}

/// Writes a line ([`Fields`]) inside the transaction `$tx`, chained to the line before it, and
/// returns its id. The trail is one chain: PostgreSQL takes a transaction-scoped advisory lock
/// for it (always the last lock an act takes, so no cycle); SQLite's writers are serialised by
/// `BEGIN IMMEDIATE` already.
#[macro_export]
macro_rules! write_line {
    ($tx:expr, $fields:expr) => {{
        let f: $crate::audit::Fields<'_> = $fields;
        if $crate::db::tx_backend(&*$tx) == $crate::db::Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7216)")
                .execute(&mut **$tx)
                .await?;
        }
        let last: Option<(i64, Option<Vec<u8>>)> =
            sqlx::query_as("SELECT id, chain FROM audit_log ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut **$tx)
                .await?;
        let digest = match f.row {
            None => None,
            Some((watched, row_id)) => {
                let values = $crate::watched_row!($tx, watched, row_id)
                    .ok_or($crate::error::StoreError::NotFound("审计所涉的数据行"))?;
                Some((watched.table(), row_id, watched.digest(&values)))
            }
        };
        let (id, prev) = $crate::audit::next(last);
        let chain = $crate::audit::link(&prev, id, &f, digest.as_ref().map(|(t, i, d)| (*t, *i, d)));
        sqlx::query(
            "INSERT INTO audit_log (id, at_ms, actor, region, action, subject, detail, entry_index, chain, row_table, row_id, row_digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(f.at_ms)
        .bind(f.actor)
        .bind(f.region)
        .bind(f.action)
        .bind(f.subject)
        .bind(f.detail)
        .bind(f.entry_index)
        .bind(chain.to_vec())
        .bind(digest.as_ref().map(|d| d.0))
        .bind(digest.as_ref().map(|d| d.1))
        .bind(digest.as_ref().map(|d| d.2.to_vec()))
        .execute(&mut **$tx)
        .await?;
        Ok::<i64, $crate::error::StoreError>(id)
    }};
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
/// the failure point [`crate::fault::BEFORE_AUDIT`] sits just before it. With `$row` (a
/// [`Watched`] table and a row id), the line covers that row as the act left it.
#[macro_export]
macro_rules! line_in_tx {
    ($tx:expr, $line:expr) => {
        $crate::line_in_tx!($tx, $line, None)
    };
    ($tx:expr, $line:expr, $row:expr) => {{
        let line: &$crate::audit::Line = $line;
        $crate::fault::point($crate::fault::BEFORE_AUDIT, &line.actor)?;
        line.check()?;
        $crate::write_line!(
            $tx,
            $crate::audit::Fields {
                at_ms: line.at_ms,
                actor: &line.actor,
                region: $crate::audit::region_column(line.region),
                action: &line.action,
                subject: Some(&line.subject),
                detail: line.detail.as_deref(),
                entry_index: None,
                row: $row,
            }
        )
        .map(|_| ())
    }};
}

/// Appends the audit line of a ledger-covered act inside the act's own transaction `$tx`, so
/// the act and its line commit together; `$region` (an `Option<RegionCode>`) is where it
/// happened.
#[macro_export]
macro_rules! audit_in_tx {
    ($tx:expr, $at_ms:expr, $actor:expr, $region:expr, $action:expr, $subject:expr, $entry_index:expr) => {
        $crate::audit_in_tx!(
            $tx,
            $at_ms,
            $actor,
            $region,
            $action,
            $subject,
            $entry_index,
            None
        )
    };
    ($tx:expr, $at_ms:expr, $actor:expr, $region:expr, $action:expr, $subject:expr, $entry_index:expr, $row:expr) => {{
        $crate::fault::point($crate::fault::BEFORE_AUDIT, $actor)?;
        let subject: String = $subject;
        $crate::write_line!(
            $tx,
            $crate::audit::Fields {
                at_ms: $at_ms,
                actor: $actor,
                region: $crate::audit::region_column($region),
                action: $action,
                subject: Some(&subject),
                detail: None,
                entry_index: Some($entry_index),
                row: $row,
            }
        )
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
    audit_page_named(db, within, filter, None, offset, limit, newest_first).await
}

/// [`audit_page`], further narrowed to the lines whose actor is named by `name`, a part of
/// what people read as the actor: the actor text itself (login, display name), the name of
/// the organisation or unit of its account, or of the unit (`unit:{credit code}`) or bureau
/// (`bureau:{region}`, `zone:{zone}`) it stands for. A supervisor types 霍邱 and finds the
/// county bureau's acts without knowing its login.
pub async fn audit_page_named(
    db: &Db,
    within: RegionCode,
    filter: &AuditFilter<'_>,
    name: Option<&str>,
    offset: u32,
    limit: u32,
    newest_first: bool,
) -> Result<Vec<AuditRow>, StoreError> {
    const NAMED: &str = "($10 IS NULL OR actor LIKE $10 ESCAPE '\\'
           OR actor IN (SELECT 'unit:' || credit_code FROM units WHERE name LIKE $10 ESCAPE '\\')
           OR EXISTS (SELECT 1 FROM organisations o
                       WHERE o.kind IN ('city_bureau', 'county_bureau') AND o.name LIKE $10 ESCAPE '\\'
                         AND (actor = 'bureau:' || CAST(o.region AS TEXT)
                              OR substr(actor, 1, 14) = 'bureau:' || CAST(o.region AS TEXT) || ' '))
           OR actor IN (SELECT 'zone:' || z.name FROM organisations o JOIN zones z ON z.id = o.zone_id
                        WHERE o.name LIKE $10 ESCAPE '\\')
           OR EXISTS (SELECT 1 FROM accounts a
                        LEFT JOIN organisations o ON o.id = a.organisation_id
                        LEFT JOIN units u ON u.id = a.unit_id
                       WHERE (o.name LIKE $10 ESCAPE '\\' OR u.name LIKE $10 ESCAPE '\\')
                         AND (substr(actor, 1, length(a.login) + 1) = a.login || '（'
                              OR actor = 'account:' || CAST(a.id AS TEXT))))";
    let order = if newest_first {
        "ORDER BY at_ms DESC, id DESC"
    } else {
        "ORDER BY at_ms, id"
    };
    let sql = format!(
        "SELECT id, at_ms, actor, region, action, subject, detail, entry_index FROM audit_log
         WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR action = $2)
           AND ($3 IS NULL OR at_ms >= $3) AND ($4 IS NULL OR at_ms < $4)
           AND ((region >= $7 AND region <= $8) OR (region IS NULL AND $9))
           AND {NAMED}
         {order} LIMIT $5 OFFSET $6"
    );
    let limit = i64::from(limit.min(MAX_LIMIT));
    let span = within.span();
    let provincial = within.level() == Level::Province;
    // The name is matched as typed: LIKE's own wildcards in it are escaped.
    let pattern = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(crate::db::contains_pattern);
    Ok(
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(filter.actor)
        .bind(filter.action)
        .bind(filter.since_ms)
        .bind(filter.until_ms)
        .bind(limit)
        .bind(i64::from(offset))
        .bind(i64::from(*span.start()))
        .bind(i64::from(*span.end()))
        .bind(provincial)
        .bind(pattern.as_deref())
        .fetch_all(p)
        .await?),
    )
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
