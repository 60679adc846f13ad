//! Bulk writes of prepared rows, one way per backend: multi-row INSERTs on SQLite (anonymous
//! parameters), `COPY … FROM STDIN` on PostgreSQL for large batches (its bulk path, far faster
//! than INSERTs) and multi-row INSERTs for small ones.
//! The rows are the same either way; only how they reach the database differs.

use std::fmt::Write as _;

use sqlx::{Postgres, Sqlite, Transaction};

use crate::db::{Backend, DbDate, values};
use crate::entries::RecordRow;
use crate::error::StoreError;
use crate::ledger::Pending;

/// Rows per multi-row INSERT: 23 columns × 1000 stays under SQLite's parameter limit.
const ROWS_PER_INSERT: usize = 1000;

const RECORD_COLUMNS: &str = "id, person_id, label, content, subject, form, provider, started_on, completed_on,
    hours_tenths, minutes, exam, for_year, filing_number, conversion_kind, achievement, achievement_key,
    certificate_no, corrects, evidence_hash, registered_on, actor, entry_index";

const ENTRY_COLUMNS: &str = "idx, kind, ref_id, person_id, leaf, at_ms";

fn achievement_key(r: &RecordRow) -> Option<String> {
    r.achievement
        .as_deref()
        .map(xueshi_policy::input::normalise_achievement)
}

/// Writes rows inside the caller's transaction.
pub(crate) trait BulkWrite {
    async fn write_records(&mut self, rows: &[RecordRow]) -> Result<(), StoreError>;
    async fn write_entries(&mut self, pending: &[Pending], at_ms: i64) -> Result<(), StoreError>;
}

/// Multi-row INSERTs of records in `$tx` with `$backend`'s placeholders.
macro_rules! insert_records {
    ($tx:expr, $backend:expr, $rows:expr) => {{
        let rows: &[RecordRow] = $rows;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO records ({RECORD_COLUMNS}) VALUES {}",
                values($backend, chunk.len(), 23)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(r.id)
                    .bind(r.person_id)
                    .bind(&r.label)
                    .bind(&r.content)
                    .bind(r.subject.as_str())
                    .bind(r.form.as_str())
                    .bind(&r.provider)
                    .bind(r.started.map(DbDate))
                    .bind(DbDate(r.completed))
                    .bind(r.hours.and_then(|h| i64::try_from(h.tenths()).ok()))
                    .bind(r.minutes.and_then(|m| i64::try_from(m).ok()))
                    .bind(r.exam.as_str())
                    .bind(r.for_year.map(i64::from))
                    .bind(&r.filing)
                    .bind(&r.conversion)
                    .bind(&r.achievement)
                    .bind(achievement_key(r))
                    .bind(&r.certificate_no)
                    .bind(r.corrects)
                    .bind(r.evidence.map(|e| e.to_vec()))
                    .bind(DbDate(r.registered_on))
                    .bind(&r.actor)
                    .bind(r.entry_index);
            }
            q.execute(&mut **$tx).await?;
        }
        Ok::<(), StoreError>(())
    }};
}

/// Multi-row INSERTs of ledger entries in `$tx` with `$backend`'s placeholders.
macro_rules! insert_entries {
    ($tx:expr, $backend:expr, $pending:expr, $at_ms:expr) => {{
        let (pending, at_ms): (&[Pending], i64) = ($pending, $at_ms);
        for chunk in pending.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO ledger_entries ({ENTRY_COLUMNS}) VALUES {}",
                values($backend, chunk.len(), 6)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q
                    .bind(p.idx)
                    .bind(p.kind.as_str())
                    .bind(p.ref_id)
                    .bind(p.person_id)
                    .bind(p.leaf.to_vec())
                    .bind(at_ms);
            }
            q.execute(&mut **$tx).await?;
        }
        Ok::<(), StoreError>(())
    }};
}

impl BulkWrite for Transaction<'_, Sqlite> {
    async fn write_records(&mut self, rows: &[RecordRow]) -> Result<(), StoreError> {
        insert_records!(self, Backend::Sqlite, rows)
    }

    async fn write_entries(&mut self, pending: &[Pending], at_ms: i64) -> Result<(), StoreError> {
        insert_entries!(self, Backend::Sqlite, pending, at_ms)
    }
}

/// One row of COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
#[derive(Default)]
struct CopyRow(String);

impl CopyRow {
    fn sep(&mut self) {
        if !self.0.is_empty() && !self.0.ends_with('\n') {
            self.0.push('\t');
        }
    }

    fn text(&mut self, v: Option<&str>) -> &mut Self {
        self.sep();
        match v {
            None => self.0.push_str("\\N"),
            Some(v) => {
                for c in v.chars() {
                    match c {
                        '\\' => self.0.push_str("\\\\"),
                        '\t' => self.0.push_str("\\t"),
                        '\n' => self.0.push_str("\\n"),
                        '\r' => self.0.push_str("\\r"),
                        c => self.0.push(c),
                    }
                }
            }
        }
        self
    }

    fn int(&mut self, v: Option<i64>) -> &mut Self {
        self.sep();
        match v {
            None => self.0.push_str("\\N"),
            Some(v) => {
                let _ = write!(self.0, "{v}");
            }
        }
        self
    }

    fn bytes(&mut self, v: Option<&[u8]>) -> &mut Self {
        self.sep();
        match v {
            None => self.0.push_str("\\N"),
            Some(v) => {
                // bytea's hex form `\x…`, its backslash escaped for COPY.
                self.0.push_str("\\\\x");
                for b in v {
                    let _ = write!(self.0, "{b:02x}");
                }
            }
        }
        self
    }

    fn end(&mut self) {
        self.0.push('\n');
    }
}

async fn copy_in(
    tx: &mut Transaction<'_, Postgres>,
    table: &str,
    columns: &str,
    data: String,
) -> Result<(), StoreError> {
    let statement = format!("COPY {table} ({columns}) FROM STDIN");
    let mut copy = tx.copy_in_raw(&statement).await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// Below this many rows PostgreSQL gets INSERTs: a COPY round trip costs ~40 ms on loopback
/// (its final CopyDone waits out the peer's delayed ACK), ruinous for one-record writes.
const MIN_COPY_ROWS: usize = 64;

impl BulkWrite for Transaction<'_, Postgres> {
    async fn write_records(&mut self, rows: &[RecordRow]) -> Result<(), StoreError> {
        if rows.len() < MIN_COPY_ROWS {
            return insert_records!(self, Backend::Postgres, rows);
        }
        let mut c = CopyRow(String::with_capacity(rows.len() * 320));
        for r in rows {
            let date = |d: Option<xueshi_domain::Date>| d.map(|d| d.to_string());
            c.int(Some(r.id))
                .int(Some(r.person_id))
                .text(Some(&r.label))
                .text(Some(&r.content))
                .text(Some(r.subject.as_str()))
                .text(Some(r.form.as_str()))
                .text(r.provider.as_deref())
                .text(date(r.started).as_deref())
                .text(Some(&r.completed.to_string()))
                .int(r.hours.and_then(|h| i64::try_from(h.tenths()).ok()))
                .int(r.minutes.and_then(|m| i64::try_from(m).ok()))
                .text(Some(r.exam.as_str()))
                .int(r.for_year.map(i64::from))
                .text(r.filing.as_deref())
                .text(r.conversion.as_deref())
                .text(r.achievement.as_deref())
                .text(achievement_key(r).as_deref())
                .text(r.certificate_no.as_deref())
                .int(r.corrects)
                .bytes(r.evidence.as_ref().map(|e| e.as_slice()))
                .text(Some(&r.registered_on.to_string()))
                .text(Some(&r.actor))
                .int(Some(r.entry_index))
                .end();
        }
        copy_in(self, "records", RECORD_COLUMNS, c.0).await
    }

    async fn write_entries(&mut self, pending: &[Pending], at_ms: i64) -> Result<(), StoreError> {
        if pending.len() < MIN_COPY_ROWS {
            return insert_entries!(self, Backend::Postgres, pending, at_ms);
        }
        let mut c = CopyRow(String::with_capacity(pending.len() * 100));
        for p in pending {
            c.int(Some(p.idx))
                .text(Some(p.kind.as_str()))
                .int(Some(p.ref_id))
                .int(p.person_id)
                .bytes(Some(&p.leaf))
                .int(Some(at_ms))
                .end();
        }
        copy_in(self, "ledger_entries", ENTRY_COLUMNS, c.0).await
    }
}
