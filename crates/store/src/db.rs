//! The two backends behind one behaviour: SQLite (bundled, WAL; the embedded default) and
//! PostgreSQL, chosen by URL. Queries are written once, in SQL both accept (`$1` parameters,
//! `RETURNING`, `ON CONFLICT`), and run on either through [`on_db!`]; only the migrations
//! (types, triggers) are written per backend. Dates are stored as dates (`DATE` in PostgreSQL,
//! ISO text in SQLite, SQLite's own convention) through [`DbDate`].

use std::str::FromStr;
use std::time::Duration;

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgPool, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::sqlite::{
    SqliteArgumentsBuffer, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous, SqliteTypeInfo, SqliteValueRef,
};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use xueshi_domain::Date;

use crate::error::StoreError;

/// The default database of `xueshi`: a SQLite file in the working directory.
pub const DEFAULT_URL: &str = "sqlite://xueshi.db";

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to either backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code (usually the same query) on whichever backend `$db` is. Inside, `$pool`
/// is a `&SqlitePool` or a `&PgPool`.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` in one write transaction on whichever backend `$db` is, committing if it
/// returns `Ok`. Inside, `$tx` is `&mut Transaction<'_, Sqlite | Postgres>`. SQLite takes the
/// write lock up front (`BEGIN IMMEDIATE`) so concurrent writers queue instead of failing;
/// PostgreSQL serialises ledger appends with a transaction-scoped advisory lock.
#[macro_export]
macro_rules! in_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let $tx = &mut tx;
                let out = $body;
                if out.is_ok() {
                    tx.commit().await?;
                }
                out
            }
            $crate::db::Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7215)")
                    .execute(&mut *tx)
                    .await?;
                let $tx = &mut tx;
                let out = $body;
                if out.is_ok() {
                    tx.commit().await?;
                }
                out
            }
        }
    };
}

impl Db {
    /// Connects by URL: `sqlite://PATH` (created if missing) or `postgres://…`, also with
    /// several hosts and `target_session_attrs=read-write` ([`crate::pg_hosts`]).
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                // A 64 MiB page cache and the whole file memory-mapped: bulk registration, the
                // refresh and `ledger verify` walk large indexes, and a page read by `read()` is
                // a syscall and a copy (39 % of a 1M-person refresh's CPU with a 1 GiB map).
                // 256 GiB is address space, not memory: SQLite maps no more than the file, and
                // the pages stay the kernel's (shared by every connection). The bundled
                // SQLite's 2 GB cap on the map is raised at build time (.cargo/config.toml).
                .pragma("cache_size", "-65536")
                .pragma("mmap_size", "274877906944")
                .pragma("temp_store", "memory")
                // Rows reach us through a channel from the connection's worker thread. At the
                // default depth of 50 a large read (a refresh batch, a verify chunk) makes the
                // worker and the reading task wake each other every few rows; this depth lets
                // the worker run ahead while the batch before is decided (bounded: ~1 MB of
                // rows per query in flight).
                .row_buffer_size(1024);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // One host, or several behind automatic failover (`pg_autoctl show uri`).
            Ok(Db::Postgres(crate::pg_hosts::connect(url, 16).await?))
        } else {
            Err(StoreError::UnknownScheme(
                url.split(':').next().unwrap_or(url).to_owned(),
            ))
        }
    }

    /// Connects and applies the embedded migrations of the backend.
    pub async fn open(url: &str) -> Result<Db, StoreError> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the embedded migrations (idempotent), then what SQL cannot do: the kept
    /// subtree hashes of a ledger written before migration 0008, and the audit lines sealing
    /// the rows written before migration 0010 (`covered::backfill`).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        crate::ledger::backfill_nodes(self).await?;
        crate::covered::backfill(self).await
    }

    /// SQLite: moves the write-ahead log into the database and empties it
    /// (`wal_checkpoint(TRUNCATE)`), when no reader holds an older snapshot; a no-op on
    /// PostgreSQL. Why: while a long job's reads overlap its writes (the refresh reads the next
    /// batch while writing this one) SQLite can never restart the log, which then grows without
    /// bound — 2.2 GB after seeding a million persons — and every page read searches its index
    /// (`walFindFrame`: 18 % of `ledger verify`'s CPU on that database). Best effort: a reader
    /// in the way leaves the log for the next checkpoint.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if let Db::Sqlite(pool) = self {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_optional(pool)
                .await?;
        }
        Ok(())
    }

    /// Refreshes PostgreSQL's planner statistics after a bulk load (`ANALYZE`). A table that
    /// grew from empty within one load keeps the planner's picture of it empty until autovacuum
    /// comes round, and autovacuum may be off or behind: in the 1M-person demo seed, closing a
    /// person's employment (`UPDATE employments … WHERE person_id = …`) became a bitmap scan of
    /// every open employment, 2.7 ms a call and half of the seed's statement time, until an
    /// `ANALYZE` made it an index look-up again (BENCH.md). SQLite is left as it is: no
    /// `ANALYZE` has ever run on its files, so its plans follow the indexes alone.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        if let Db::Postgres(pool) = self {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    /// [`Db::analyze`] and `VACUUM` at the end of a bulk load, PostgreSQL only: a table loaded
    /// in one go has no page marked all-visible until it is vacuumed, so every index-only scan
    /// still fetches each row from the heap (`Heap Fetches`). The refresh reads a batch's
    /// records by an index-only scan of `records_case`: 86 ms a 2,000-person batch before the
    /// vacuum, 54 ms after (200,000 persons, BENCH.md). Autovacuum does it in time where it runs.
    pub async fn vacuum_analyze(&self) -> Result<(), StoreError> {
        if let Db::Postgres(pool) = self {
            sqlx::query("VACUUM (ANALYZE)").execute(pool).await?;
        }
        Ok(())
    }

    /// Keeps PostgreSQL's picture of the summaries' mark queue (`summary_dirty`) true after a
    /// large change to it: `ANALYZE` after marking many, `VACUUM (ANALYZE)` after draining many
    /// (`vacuum`). A refresh takes its marks by `seq` after a cursor; with statistics from when
    /// the queue was nearly empty and millions of dead rows left by earlier drains, the planner
    /// scanned the whole unique key and sorted instead — 225 ms of a 2,000-mark batch, half the
    /// refresh at 1M persons with autovacuum off (BENCH.md). Autovacuum, where it runs, gets
    /// there too, but minutes later. SQLite is left as it is (see [`Db::analyze`]).
    pub async fn tidy_queue(&self, vacuum: bool) -> Result<(), StoreError> {
        if let Db::Postgres(pool) = self {
            let sql = if vacuum {
                // Without giving back the file's empty end: that needs the table to itself, and
                // waits up to 5 s for it behind any refresher or writer holding a mark.
                "VACUUM (ANALYZE, TRUNCATE FALSE) summary_dirty"
            } else {
                "ANALYZE summary_dirty"
            };
            sqlx::query(sql).execute(pool).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

/// A calendar date as the database stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbDate(pub Date);

/// PostgreSQL counts dates from 2000-01-01.
const PG_EPOCH_DAY: i32 = 10_957;

impl Type<Sqlite> for DbDate {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for DbDate {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        <String as Encode<Sqlite>>::encode(self.0.to_string(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbDate {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(DbDate(Date::parse(text)?))
    }
}

impl Type<Postgres> for DbDate {
    fn type_info() -> PgTypeInfo {
        // 1082 is the fixed OID of DATE in pg_type.
        PgTypeInfo::with_oid(sqlx::postgres::types::Oid(1082))
    }
}

impl Encode<'_, Postgres> for DbDate {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <i32 as Encode<Postgres>>::encode_by_ref(&(self.0.day_number() - PG_EPOCH_DAY), buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbDate {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let bytes: [u8; 4] = value.as_bytes()?.try_into()?;
                Ok(DbDate(Date::from_day_number(
                    i32::from_be_bytes(bytes) + PG_EPOCH_DAY,
                )?))
            }
            PgValueFormat::Text => Ok(DbDate(Date::parse(value.as_str()?)?)),
        }
    }
}

/// The backend of a transaction's type, for SQL text that differs (bind parameters).
pub trait Dialect {
    const BACKEND: Backend;
}

impl Dialect for Sqlite {
    const BACKEND: Backend = Backend::Sqlite;
}

impl Dialect for Postgres {
    const BACKEND: Backend = Backend::Postgres;
}

/// The backend of a transaction (used inside [`in_tx!`] bodies, written once for both).
pub fn tx_backend<DB: sqlx::Database + Dialect>(_tx: &sqlx::Transaction<'_, DB>) -> Backend {
    DB::BACKEND
}

/// `n` bind parameters numbered from `first`: `$first, …` for PostgreSQL, anonymous `?` for
/// SQLite (which looks each `$N` up by a linear scan: quadratic in a long list).
pub fn params(backend: Backend, first: usize, n: usize) -> String {
    let mut out = String::with_capacity(n * 4);
    for i in first..first + n {
        if i > first {
            out.push_str(", ");
        }
        match backend {
            Backend::Sqlite => out.push('?'),
            Backend::Postgres => {
                out.push('$');
                out.push_str(&i.to_string());
            }
        }
    }
    out
}

/// `(…), (…)`: `rows` rows of `cols` bind parameters, for a multi-row INSERT.
pub fn values(backend: Backend, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * (cols * 4 + 4));
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        out.push_str(&params(backend, r * cols + 1, cols));
        out.push(')');
    }
    out
}

/// `text` as a `LIKE … ESCAPE '\'` pattern that finds it anywhere, as typed: LIKE's own
/// wildcards (`%`, `_`) and the escape character in it match themselves.
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
