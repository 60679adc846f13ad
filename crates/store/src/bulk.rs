//! Bulk writes of prepared rows, one way per backend: on SQLite a whole batch as ONE JSON
//! parameter that SQLite expands itself (`INSERT … SELECT … FROM json_each(?)`), on PostgreSQL
//! `COPY … FROM STDIN` for large batches (its bulk path, far faster than INSERTs) and the same
//! JSON parameter for small ones. The rows are the same either
//! way; only how they reach the database differs. Key lists for look-ups travel the same way:
//! one JSON array parameter, expanded by the database.

use std::fmt::Write as _;

use sqlx::{Postgres, Sqlite, Transaction};

use crate::db::Backend;
use crate::entries::{RecordRow, hex, push_hex};
use crate::error::StoreError;
use crate::ledger::{KeptNode, Pending};

const RECORD_COLUMNS: &str = "id, person_id, label, content, subject, form, provider, started_on, completed_on,
    hours_tenths, minutes, exam, for_year, filing_number, conversion_kind, achievement, achievement_key,
    certificate_no, corrects, evidence_hash, registered_on, actor, entry_index";

const ENTRY_COLUMNS: &str = "idx, kind, ref_id, person_id, leaf";

const NODE_COLUMNS: &str = "level, idx, hash";

fn achievement_key(r: &RecordRow) -> Option<String> {
    r.achievement
        .as_deref()
        .map(xueshi_policy::input::normalise_achievement)
}

/// What a JSON list holds, and so how the database reads its items.
#[derive(Clone, Copy)]
pub(crate) enum Item {
    Text,
    Int,
    /// Hex text, read back as bytes.
    Blob,
}

/// `column` is one of the items of the JSON array bound as parameter `$n`. PostgreSQL gets
/// `= ANY(ARRAY(…))`, an index condition: `IN (SELECT …)` became a semi-join that scanned every
/// row of a provider (and, during an import, every uncommitted one) per look-up.
pub(crate) fn in_list(backend: Backend, column: &str, n: usize, item: Item) -> String {
    match (backend, item) {
        (Backend::Sqlite, Item::Text | Item::Int) => {
            format!("{column} IN (SELECT value FROM json_each(${n}))")
        }
        (Backend::Sqlite, Item::Blob) => {
            format!("{column} IN (SELECT unhex(value) FROM json_each(${n}))")
        }
        (Backend::Postgres, item) => {
            let value = match item {
                Item::Text => "value",
                Item::Int => "value::bigint",
                Item::Blob => "decode(value, 'hex')",
            };
            format!(
                "{column} = ANY(ARRAY(SELECT {value} FROM json_array_elements_text(${n}::json)))"
            )
        }
    }
}

/// Keys as the JSON text of a list parameter (a list of strings or numbers cannot fail to
/// serialise).
#[macro_export]
macro_rules! json_list {
    ($keys:expr) => {
        serde_json::to_string($keys).unwrap_or_else(|_| "[]".to_owned())
    };
}

/// A column of a [`json_rows`] query: a value, or a blob (travels as hex; NULL stays NULL).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Col<'a> {
    Val(&'a str),
    Blob(&'a str),
}

/// `SELECT` ONE JSON text over `from_where`: an array with one array per row (or, with several
/// groups, one array per group in it — serde decodes tuples of up to 16). Read row by row, each
/// value of each row crosses sqlx's SQLite worker channel on its own (a thread wake-up per few
/// rows); one text crosses once. PostgreSQL's `json_agg` gives NULL for no rows: read an
/// `Option<String>`.
pub(crate) fn json_rows(
    backend: Backend,
    groups: &[&[Col<'_>]],
    order_by: Option<&str>,
    from_where: &str,
) -> String {
    let (agg, array, cast) = match backend {
        Backend::Sqlite => ("json_group_array", "json_array", ""),
        Backend::Postgres => ("json_agg", "json_build_array", "::text"),
    };
    let column = |c: &Col<'_>| match (backend, *c) {
        (_, Col::Val(v)) => v.to_owned(),
        // SQLite's hex(NULL) is '', which would read as an empty blob.
        (Backend::Sqlite, Col::Blob(b)) => format!("iif({b} IS NULL, NULL, hex({b}))"),
        (Backend::Postgres, Col::Blob(b)) => format!("encode({b}, 'hex')"),
    };
    let group = |g: &[Col<'_>]| {
        let columns: Vec<String> = g.iter().map(column).collect();
        format!("{array}({})", columns.join(", "))
    };
    let row = match groups {
        [one] => group(one),
        many => {
            let inner: Vec<String> = many.iter().map(|g| group(g)).collect();
            format!("{array}({})", inner.join(", "))
        }
    };
    let order = order_by
        .map(|o| format!(" ORDER BY {o}"))
        .unwrap_or_default();
    format!("SELECT {agg}({row}{order}){cast} {from_where}")
}

/// Writes rows inside the caller's transaction.
pub(crate) trait BulkWrite {
    async fn write_records(&mut self, rows: &[RecordRow]) -> Result<(), StoreError>;
    async fn write_entries(&mut self, pending: &[Pending]) -> Result<(), StoreError>;
    async fn write_nodes(&mut self, nodes: &[KeptNode]) -> Result<(), StoreError>;
}

/// A JSON array of row arrays, the one parameter of a SQLite bulk INSERT. Bound value by value,
/// every value crossed sqlx's channel to SQLite's worker thread on its own (allocations and
/// locks per value): that, not SQLite, was half of an import's time.
struct JsonRows(Vec<u8>);

/// Where a prepared row's values go, in column order: a JSON array (SQLite) or a line of
/// COPY text (PostgreSQL).
trait RowSink {
    fn start(&mut self) -> &mut Self;
    fn text(&mut self, v: Option<&str>) -> &mut Self;
    fn int(&mut self, v: Option<i64>) -> &mut Self;
    fn bytes(&mut self, v: Option<&[u8]>) -> &mut Self;
    fn end(&mut self);
}

/// A record's values in `RECORD_COLUMNS` order.
fn put_record(s: &mut impl RowSink, r: &RecordRow) {
    let date = |d: Option<xueshi_domain::Date>| d.map(|d| d.to_string());
    s.start()
        .int(Some(r.id))
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

/// An entry's values in `ENTRY_COLUMNS` order.
fn put_entry(s: &mut impl RowSink, p: &Pending) {
    s.start()
        .int(Some(p.idx))
        .text(Some(p.kind.as_str()))
        .int(Some(p.ref_id))
        .int(p.person_id)
        .bytes(Some(&p.leaf))
        .end();
}

/// A kept node's values in `NODE_COLUMNS` order.
fn put_node(s: &mut impl RowSink, n: &KeptNode) {
    s.start()
        .int(Some(i64::from(n.level)))
        .int(Some(i64::try_from(n.index).unwrap_or(i64::MAX)))
        .bytes(Some(&n.hash))
        .end();
}

impl JsonRows {
    fn new(rows: usize, per_row: usize) -> Self {
        let mut out = Vec::with_capacity(2 + rows * per_row);
        out.push(b'[');
        Self(out)
    }

    fn sep(&mut self) {
        if !matches!(self.0.last(), Some(b'[')) {
            self.0.push(b',');
        }
    }

    fn finish(mut self) -> String {
        self.0.push(b']');
        String::from_utf8(self.0).unwrap_or_default()
    }
}

impl RowSink for JsonRows {
    fn start(&mut self) -> &mut Self {
        self.sep();
        self.0.push(b'[');
        self
    }

    fn text(&mut self, v: Option<&str>) -> &mut Self {
        self.sep();
        // Serialising a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.0, &v);
        self
    }

    fn int(&mut self, v: Option<i64>) -> &mut Self {
        self.sep();
        let _ = serde_json::to_writer(&mut self.0, &v);
        self
    }

    /// Bytes as hex text, turned back into a blob by SQLite's `unhex`.
    fn bytes(&mut self, v: Option<&[u8]>) -> &mut Self {
        self.sep();
        match v {
            None => self.0.extend_from_slice(b"null"),
            Some(v) => {
                self.0.push(b'"');
                push_hex(&mut self.0, v);
                self.0.push(b'"');
            }
        }
        self
    }

    fn end(&mut self) {
        self.0.push(b']');
    }
}

/// `INSERT INTO table (columns) SELECT value->>0, … FROM jsonb_each(?)` (its `value` is
/// binary JSON that `->>` reads without re-parsing the row as `json_each`'s text); `blobs` are the
/// positions that travel as hex.
fn json_insert(table: &str, columns: &str, blobs: &[usize]) -> String {
    let n = columns.split(',').count();
    let values: Vec<String> = (0..n)
        .map(|i| {
            if blobs.contains(&i) {
                format!("unhex(value->>{i})")
            } else {
                format!("value->>{i}")
            }
        })
        .collect();
    format!(
        "INSERT INTO {table} ({columns}) SELECT {} FROM jsonb_each(?)",
        values.join(", ")
    )
}

impl BulkWrite for Transaction<'_, Sqlite> {
    async fn write_records(&mut self, rows: &[RecordRow]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut j = JsonRows::new(rows.len(), 320);
        for r in rows {
            put_record(&mut j, r);
        }
        let sql = json_insert("records", RECORD_COLUMNS, &[19]);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(j.finish())
            .execute(&mut **self)
            .await?;
        Ok(())
    }

    async fn write_entries(&mut self, pending: &[Pending]) -> Result<(), StoreError> {
        if pending.is_empty() {
            return Ok(());
        }
        let mut j = JsonRows::new(pending.len(), 120);
        for p in pending {
            put_entry(&mut j, p);
        }
        let sql = json_insert("ledger_entries", ENTRY_COLUMNS, &[4]);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(j.finish())
            .execute(&mut **self)
            .await?;
        Ok(())
    }

    async fn write_nodes(&mut self, nodes: &[KeptNode]) -> Result<(), StoreError> {
        if nodes.is_empty() {
            return Ok(());
        }
        let mut j = JsonRows::new(nodes.len(), 90);
        for n in nodes {
            put_node(&mut j, n);
        }
        let sql = json_insert("ledger_nodes", NODE_COLUMNS, &[2]);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(j.finish())
            .execute(&mut **self)
            .await?;
        Ok(())
    }
}

/// Prepared rows bound value by value into a cached multi-row `INSERT … VALUES (?1, …), …` on
/// a connection of our own (`crate::direct`). Through sqlx the rows went as one JSON text built
/// here and parsed again by SQLite (`jsonb_each`, `->>`) on sqlx's worker thread. Not one row per
/// statement: each execution of a statement with triggers opens a statement journal that copies
/// every page the statement touches first (`memjrnlWrite`, `malloc`), which for `records` (seven
/// indexes, the marking trigger) cost more than the JSON path it replaced (BENCH.md).
struct BoundRow<'s, 'c> {
    stmt: &'s mut rusqlite::CachedStatement<'c>,
    at: usize,
    failed: Option<rusqlite::Error>,
}

impl BoundRow<'_, '_> {
    fn bind(&mut self, v: impl rusqlite::ToSql) -> &mut Self {
        self.at += 1;
        if self.failed.is_none()
            && let Err(e) = self.stmt.raw_bind_parameter(self.at, v)
        {
            self.failed = Some(e);
        }
        self
    }
}

impl RowSink for BoundRow<'_, '_> {
    /// The rows of a chunk follow each other in the statement's parameters.
    fn start(&mut self) -> &mut Self {
        self
    }

    fn text(&mut self, v: Option<&str>) -> &mut Self {
        self.bind(v)
    }

    fn int(&mut self, v: Option<i64>) -> &mut Self {
        self.bind(v)
    }

    fn bytes(&mut self, v: Option<&[u8]>) -> &mut Self {
        self.bind(v)
    }

    fn end(&mut self) {}
}

/// Rows per statement of [`insert_bound`]: 64 rows of 23 columns are 1,472 parameters (SQLite
/// allows 32,766), and a statement journal per 64 rows is a small part of their cost.
const BOUND_ROWS: usize = 64;

/// Inserts `rows` into `table` on `conn`, [`BOUND_ROWS`] rows per execution of a cached
/// statement.
fn insert_bound<T>(
    conn: &rusqlite::Connection,
    table: &str,
    columns: &str,
    rows: &[T],
    put: impl Fn(&mut BoundRow<'_, '_>, &T),
) -> Result<(), StoreError> {
    let width = columns.split(',').count();
    let sql = |n: usize| {
        let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ");
        for p in 1..=n * width {
            let open = if p % width == 1 || width == 1 {
                "("
            } else {
                ""
            };
            let close = if p % width == 0 { ")" } else { ", " };
            let _ = write!(sql, "{open}?{p}{close}");
            if p % width == 0 && p < n * width {
                sql.push_str(", ");
            }
        }
        sql
    };
    // Every chunk but the last has the full statement: its text is built once per call.
    let full = sql(BOUND_ROWS.min(rows.len()));
    for chunk in rows.chunks(BOUND_ROWS) {
        let mut stmt = if chunk.len() == BOUND_ROWS.min(rows.len()) {
            conn.prepare_cached(&full)?
        } else {
            conn.prepare_cached(&sql(chunk.len()))?
        };
        let mut sink = BoundRow {
            stmt: &mut stmt,
            at: 0,
            failed: None,
        };
        for r in chunk {
            put(&mut sink, r);
        }
        if let Some(e) = sink.failed.take() {
            return Err(e.into());
        }
        stmt.raw_execute()?;
    }
    Ok(())
}

/// [`BulkWrite`] on a SQLite connection of our own (`crate::direct`), inside the transaction the
/// caller holds there.
pub(crate) fn write_records_direct(
    conn: &rusqlite::Connection,
    rows: &[RecordRow],
) -> Result<(), StoreError> {
    insert_bound(conn, "records", RECORD_COLUMNS, rows, |s, r| {
        put_record(s, r)
    })
}

/// See [`write_records_direct`].
pub(crate) fn write_entries_direct(
    conn: &rusqlite::Connection,
    pending: &[Pending],
) -> Result<(), StoreError> {
    insert_bound(conn, "ledger_entries", ENTRY_COLUMNS, pending, |s, p| {
        put_entry(s, p)
    })
}

/// See [`write_records_direct`].
pub(crate) fn write_nodes_direct(
    conn: &rusqlite::Connection,
    nodes: &[KeptNode],
) -> Result<(), StoreError> {
    insert_bound(conn, "ledger_nodes", NODE_COLUMNS, nodes, |s, n| {
        put_node(s, n)
    })
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
}

impl RowSink for CopyRow {
    fn start(&mut self) -> &mut Self {
        self
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
                self.0.push_str(&hex(v));
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

/// Below this many rows PostgreSQL gets one INSERT of a JSON parameter instead of COPY: sqlx
/// sends COPY's last message in its own packet behind Nagle's algorithm, which waits out the
/// server's delayed ACK — ~40 ms per COPY, ruinous for one-record writes.
const MIN_COPY_ROWS: usize = 64;

/// The PostgreSQL types of the records and ledger-entry columns, in column order, for the JSON
/// INSERT of small batches (`bytea` travels as hex).
const RECORD_TYPES: [&str; 23] = [
    "bigint", "bigint", "text", "text", "text", "text", "text", "date", "date", "bigint", "bigint",
    "text", "bigint", "text", "text", "text", "text", "text", "bigint", "bytea", "date", "text",
    "bigint",
];
const ENTRY_TYPES: [&str; 5] = ["bigint", "text", "bigint", "bigint", "bytea"];
const NODE_TYPES: [&str; 3] = ["integer", "bigint", "bytea"];

/// `INSERT INTO table (columns) SELECT (value->>0)::type, … FROM json_array_elements($1::json)`.
fn pg_json_insert(table: &str, columns: &str, types: &[&str]) -> String {
    let values: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| match *t {
            "bytea" => format!("decode(value->>{i}, 'hex')"),
            "text" => format!("value->>{i}"),
            t => format!("(value->>{i})::{t}"),
        })
        .collect();
    format!(
        "INSERT INTO {table} ({columns}) SELECT {} FROM json_array_elements($1::json)",
        values.join(", ")
    )
}

/// Writes a small batch through [`pg_json_insert`].
async fn pg_insert(
    tx: &mut Transaction<'_, Postgres>,
    sql: String,
    rows: JsonRows,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(rows.finish())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl BulkWrite for Transaction<'_, Postgres> {
    async fn write_records(&mut self, rows: &[RecordRow]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        if rows.len() < MIN_COPY_ROWS {
            let mut j = JsonRows::new(rows.len(), 320);
            for r in rows {
                put_record(&mut j, r);
            }
            let sql = pg_json_insert("records", RECORD_COLUMNS, &RECORD_TYPES);
            return pg_insert(self, sql, j).await;
        }
        let mut c = CopyRow(String::with_capacity(rows.len() * 320));
        for r in rows {
            put_record(&mut c, r);
        }
        copy_in(self, "records", RECORD_COLUMNS, c.0).await
    }

    async fn write_entries(&mut self, pending: &[Pending]) -> Result<(), StoreError> {
        if pending.is_empty() {
            return Ok(());
        }
        if pending.len() < MIN_COPY_ROWS {
            let mut j = JsonRows::new(pending.len(), 120);
            for p in pending {
                put_entry(&mut j, p);
            }
            let sql = pg_json_insert("ledger_entries", ENTRY_COLUMNS, &ENTRY_TYPES);
            return pg_insert(self, sql, j).await;
        }
        let mut c = CopyRow(String::with_capacity(pending.len() * 100));
        for p in pending {
            put_entry(&mut c, p);
        }
        copy_in(self, "ledger_entries", ENTRY_COLUMNS, c.0).await
    }

    async fn write_nodes(&mut self, nodes: &[KeptNode]) -> Result<(), StoreError> {
        if nodes.is_empty() {
            return Ok(());
        }
        if nodes.len() < MIN_COPY_ROWS {
            let mut j = JsonRows::new(nodes.len(), 90);
            for n in nodes {
                put_node(&mut j, n);
            }
            let sql = pg_json_insert("ledger_nodes", NODE_COLUMNS, &NODE_TYPES);
            return pg_insert(self, sql, j).await;
        }
        let mut c = CopyRow(String::with_capacity(nodes.len() * 90));
        for n in nodes {
            put_node(&mut c, n);
        }
        copy_in(self, "ledger_nodes", NODE_COLUMNS, c.0).await
    }
}
