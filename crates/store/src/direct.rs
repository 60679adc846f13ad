//! SQLite's bulk reads, and the refresh's writes, through a connection of our own: each value
//! read in place while stepping, each row written by a cached statement.
//!
//! sqlx reads SQLite on a worker thread per connection, copies every value of every row
//! (`sqlite3_value_dup`: a `malloc` per value) and sends the rows over a channel to the task
//! that decodes them. For the refresh's reads (about seven records of 18 columns per
//! person-year) that machinery — copies, `malloc`/`free`, the connection's mutex, the threads
//! waking each other — was about 70 % of the CPU and SQLite's own B-tree work about 15 %
//! (`perf`, BENCH.md). Here a read runs on a blocking thread with a connection of our own
//! (rusqlite, linked against the same SQLite; kept between reads) and each value is decoded where
//! SQLite holds it: a string is copied once, into the struct that keeps it.
//!
//! A bulk read ([`read`]) is one transaction, so its statements see one snapshot (the sqlx reads
//! it replaces ran on whichever pool connection was free). A point read on the request path
//! ([`point`]) runs on the calling thread with a kept connection: an indexed look-up in mapped
//! pages takes microseconds, and handing it to sqlx's worker thread and back cost more than the
//! look-up (context switches were 45 % of the compliance read's CPU, BENCH.md). Only a database
//! in a file can be read this way (a second connection cannot see an in-memory one): both say
//! so by returning `None`, and callers keep sqlx then.
//!
//! A refresh batch's write ([`write`]) is one `BEGIN IMMEDIATE` transaction of a few thousand
//! executions of cached statements. Through sqlx it was one statement per kind over a JSON
//! parameter: the JSON built here, parsed again by SQLite, and the statement run on sqlx's
//! worker thread — about as much CPU as the writing itself (BENCH.md).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use xueshi_domain::Date;

use crate::db::DbDate;
use crate::error::StoreError;

/// The pool's database file, if it is one a second connection can open.
pub(crate) fn file_of(pool: &sqlx::SqlitePool) -> Option<PathBuf> {
    let options = pool.connect_options();
    let path = options.get_filename();
    path.is_file().then(|| path.to_owned())
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(sqlx::Error::Protocol(format!("sqlite: {e}")))
    }
}

/// What a kept connection may do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Refuses to write (`query_only`).
    Read,
    /// Writes as the pool's connections do: foreign keys enforced, `synchronous = NORMAL`.
    Write,
}

/// Opens `path` (never creating it) and maps the whole file as the pool's connections do
/// (db.rs).
fn open(path: &Path, using: Use) -> Result<Connection, StoreError> {
    // Read-write at the file level: a reader of a WAL database writes its shared-memory index.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch(
        "PRAGMA cache_size = -65536; PRAGMA mmap_size = 274877906944; PRAGMA temp_store = MEMORY;",
    )?;
    conn.execute_batch(match using {
        Use::Read => "PRAGMA query_only = ON;",
        // The settings db.rs gives the pool (the file is in WAL mode already: it is the pool's).
        Use::Write => "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
    })?;
    Ok(conn)
}

/// Runs `read` on a blocking thread with a connection to `path` inside one read transaction.
pub(crate) async fn read<T, F>(path: PathBuf, read: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let (id, mut conn) = checkout(&path, Use::Read)?;
        let out = {
            let tx = conn.transaction()?;
            read(&tx)
            // The transaction rolls back on drop: it wrote nothing.
        };
        checkin(id, conn);
        out
    })
    .await
    .map_err(|e| StoreError::invalid("store.read", format!("读取线程失败：{e}")))?
}

/// One read transaction kept open across several bulk reads: a refresh's batches.
///
/// In WAL mode, a connection that begins a read transaction after another connection has
/// written resets its page cache **and unmaps the whole file** (`pagerBeginReadTransaction` →
/// `sqlite3OsUnfetch`), so its next reads fault every page back in. A refresh writes every batch
/// between its reads: with a transaction per read that was a third of its CPU at 1M persons
/// (page faults and `munmap`, BENCH.md). Holding one snapshot for many batches keeps the map.
/// Reading an older snapshot is safe for a refresh: what it reads is facts it never writes, a
/// concurrent write renumbers the marks of what it changes, and a batch's write keeps only the
/// person-years whose mark still has the `seq` read (`summaries::write`). [`Snapshot::renew`]
/// lets it go — before a checkpoint, which cannot pass a snapshot still open.
pub(crate) struct Snapshot {
    path: PathBuf,
    conn: std::sync::Arc<Mutex<Option<(FileId, Connection)>>>,
}

impl Snapshot {
    pub(crate) fn new(path: PathBuf) -> Self {
        Snapshot {
            path,
            conn: std::sync::Arc::default(),
        }
    }

    /// Runs `read` on a blocking thread inside the kept read transaction, begun by the first
    /// read after [`Snapshot::new`] or [`Snapshot::renew`]. A failed read ends it.
    pub(crate) async fn read<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (path, kept) = (self.path.clone(), self.conn.clone());
        tokio::task::spawn_blocking(move || {
            let mut kept = kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if kept.is_none() {
                let (id, conn) = checkout(&path, Use::Read)?;
                // Deferred: the snapshot is taken by the first statement that reads.
                conn.execute_batch("BEGIN")?;
                *kept = Some((id, conn));
            }
            let out = kept.as_ref().map(|(_, conn)| read(conn));
            if !matches!(out, Some(Ok(_))) {
                end(kept.take());
            }
            out.unwrap_or(Err(StoreError::NotFound("数据库连接")))
        })
        .await
        .map_err(|e| StoreError::invalid("store.read", format!("读取线程失败：{e}")))?
    }

    /// Ends the kept transaction: the next read sees the latest commit.
    pub(crate) fn renew(&self) {
        let mut kept = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        end(kept.take());
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        self.renew();
    }
}

/// Ends a kept read transaction and keeps its connection for the next read (dropped instead if
/// the transaction cannot be ended).
fn end(kept: Option<(FileId, Connection)>) {
    if let Some((id, conn)) = kept
        && conn.execute_batch("ROLLBACK").is_ok()
    {
        checkin(id, conn);
    }
}

/// Runs `write` on a blocking thread with a writing connection to `path`, inside one
/// `BEGIN IMMEDIATE` transaction (it waits for the write lock up front, as the pool's writers
/// do), committed when `write` returns `Ok` and rolled back otherwise. SQLite has one writer at
/// a time whichever connection writes: this one and the pool's take turns on the file's lock.
pub(crate) async fn write<T, F>(path: PathBuf, write: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let (id, mut conn) = checkout(&path, Use::Write)?;
        let out = (|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = write(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        checkin(id, conn);
        out
    })
    .await
    .map_err(write_thread)?
}

/// A writing thread that panicked or was cancelled.
fn write_thread(e: tokio::task::JoinError) -> StoreError {
    StoreError::invalid("store.write", format!("写入线程失败：{e}"))
}

/// One write transaction kept open across several steps on a connection of our own: an
/// import's batches, written while the next batch is read and checked, all committed or none.
///
/// The transaction begins `IMMEDIATE` (the file's write lock up front, as [`write`] and the
/// pool's writers take it) and ends with [`HeldWrite::commit`]; dropped without it — an error, a
/// refusal, a cancelled task — it rolls back, and a process killed meanwhile leaves only
/// uncommitted WAL frames, which SQLite ignores. Each step runs on a blocking thread.
pub(crate) struct HeldWrite {
    conn: std::sync::Arc<Mutex<Option<(FileId, Connection)>>>,
}

impl HeldWrite {
    /// Begins the transaction on the file at `path`.
    pub(crate) async fn begin(path: PathBuf) -> Result<Self, StoreError> {
        let conn = tokio::task::spawn_blocking(move || {
            let (id, conn) = checkout(&path, Use::Write)?;
            conn.execute_batch("BEGIN IMMEDIATE")?;
            Ok::<_, StoreError>((id, conn))
        })
        .await
        .map_err(write_thread)??;
        Ok(HeldWrite {
            conn: std::sync::Arc::new(Mutex::new(Some(conn))),
        })
    }

    /// Runs one step of the transaction on a blocking thread.
    pub(crate) async fn run<T, F>(&self, step: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let kept = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let kept = kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match kept.as_ref() {
                Some((_, conn)) => step(conn),
                None => Err(StoreError::NotFound("数据库连接")),
            }
        })
        .await
        .map_err(write_thread)?
    }

    /// Commits what the steps wrote.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        let kept = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut kept = kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (id, conn) = kept.take().ok_or(StoreError::NotFound("数据库连接"))?;
            conn.execute_batch("COMMIT")?;
            checkin(id, conn);
            Ok(())
        })
        .await
        .map_err(write_thread)?
    }
}

impl Drop for HeldWrite {
    /// Rolls back a transaction not committed (a step still running holds the lock and has the
    /// connection: it rolls back when that step's thread lets go, as the connection closes).
    fn drop(&mut self) {
        let Ok(mut kept) = self.conn.try_lock() else {
            return;
        };
        if let Some((id, conn)) = kept.take()
            && conn.execute_batch("ROLLBACK").is_ok()
        {
            checkin(id, conn);
        }
    }
}

/// A database file as the kernel knows it (a file replaced at the same path is another file),
/// and what its kept connection may do.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
    using: Use,
}

fn file_id(path: &Path, using: Use) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    Some(FileId {
        device: meta.dev(),
        inode: meta.ino(),
        using,
    })
}

/// Connections kept between reads (at most [`KEEP`], of any file): a point read cannot afford
/// to open one (schema parse, statement cache); for bulk reads it made no measurable difference
/// (a 297,500-person refresh: 42.7 against 43.4 CPU-seconds).
static IDLE: Mutex<Vec<(FileId, Connection)>> = Mutex::new(Vec::new());
const KEEP: usize = 16;

/// A kept connection to the file at `path` for `using`, or a new one.
fn checkout(path: &Path, using: Use) -> Result<(FileId, Connection), StoreError> {
    let id = file_id(path, using).ok_or(StoreError::NotFound("数据库文件"))?;
    Ok((id, take_or_open(path, id)?))
}

/// A kept connection to the file `id` (at `path`), or a new one.
fn take_or_open(path: &Path, id: FileId) -> Result<Connection, StoreError> {
    let kept = {
        let mut idle = IDLE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        idle.iter()
            .position(|(f, _)| *f == id)
            .map(|i| idle.swap_remove(i).1)
    };
    kept.map_or_else(|| open(path, id.using), Ok)
}

/// Keeps a connection for the next read, if fewer than [`KEEP`] are kept.
fn checkin(id: FileId, conn: Connection) {
    let mut idle = IDLE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if idle.len() < KEEP {
        idle.push((id, conn));
    }
}

/// Runs a point read on the calling thread with a kept connection to the pool's file; `None`
/// when the pool's database is not a file. Meant for a few indexed look-ups: it blocks the
/// thread for as long as `read` runs. Statements run outside any transaction, so each sees the
/// latest commit.
pub(crate) fn point<T>(
    pool: &sqlx::SqlitePool,
    read: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Option<Result<T, StoreError>> {
    let options = pool.connect_options();
    let path = options.get_filename();
    let id = file_id(path, Use::Read)?;
    Some(take_or_open(path, id).and_then(|conn| {
        let out = read(&conn);
        checkin(id, conn);
        out
    }))
}

/// Runs `sql` with `params` and decodes each row with `decode`, in order.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut decode: impl FnMut(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// A column's value as text (`None` for NULL); anything else is corrupt data.
pub(crate) fn text<'a>(v: ValueRef<'a>, what: &str) -> Result<Option<&'a str>, StoreError> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .map(Some)
            .map_err(|_| StoreError::corrupt(format!("{what}不是文本"))),
        _ => Err(StoreError::corrupt(format!("{what}不是文本"))),
    }
}

/// A column's value as an integer (`None` for NULL).
pub(crate) fn int(v: ValueRef<'_>, what: &str) -> Result<Option<i64>, StoreError> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(i) => Ok(Some(i)),
        _ => Err(StoreError::corrupt(format!("{what}不是整数"))),
    }
}

/// A column's value as a blob (`None` for NULL).
pub(crate) fn blob<'a>(v: ValueRef<'a>, what: &str) -> Result<Option<&'a [u8]>, StoreError> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Blob(b) => Ok(Some(b)),
        _ => Err(StoreError::corrupt(format!("{what}不是二进制值"))),
    }
}

/// A column's value as a date (stored as `YYYY-MM-DD` text, as [`DbDate`] writes it).
pub(crate) fn date(v: ValueRef<'_>, what: &str) -> Result<Option<DbDate>, StoreError> {
    text(v, what)?
        .map(|t| {
            Date::parse(t)
                .map(DbDate)
                .map_err(|_| StoreError::corrupt(format!("{what}不是日期")))
        })
        .transpose()
}

/// A value that may not be NULL.
pub(crate) fn required<T>(v: Option<T>, what: &str) -> Result<T, StoreError> {
    v.ok_or_else(|| StoreError::corrupt(format!("{what}为空")))
}
