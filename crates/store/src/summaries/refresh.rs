//! Re-deciding marked person-years: the one refresh the server's background task, the end of
//! an import or a demo seed, a statistics request and `xueshi statistics refresh` all run.
//!
//! A batch goes through three steps: **take** its marks (the oldest, plus the same persons'
//! other marked years, so each person's records are read once), **read** the facts its cases
//! are built from (`export::Batch`, only the records that can count for the batch's years),
//! **decide** each person-year with the engine and **write** the summaries and delete the marks
//! in one transaction of set-based statements. [`drain`] overlaps them: while a batch is decided
//! (on this thread) and written, the next one is taken and read — on SQLite by two blocking
//! threads, each on a read snapshot kept across batches (`Snapshots`); on PostgreSQL by four
//! backends at once — so both cores work.
//!
//! Who wins a race with a write: a mark's `seq` is renumbered on every write (triggers, 0005).
//! On SQLite a batch writes a summary only where the mark still has the `seq` it took (one
//! writer at a time, so nothing is locked while deciding); that is also why its facts may come
//! from a snapshot older than the latest commit, provided it is not older than the marks'.
//! On PostgreSQL a batch takes its
//! marks `FOR UPDATE SKIP LOCKED` in its own transaction and holds them until it commits: a
//! writer touching a taken person-year waits for that commit and then marks it again, another
//! refresher skips it — several refreshers share a queue and never decide a person-year twice.
//! A refresher never waits on a writer's lock (it skips), so the two cannot deadlock.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use xueshi_policy::Policy;

use super::{Evaluated, decide_in, policy_hash::year_hash};
use crate::db::{Backend, Db, DbDate};
use crate::direct::Snapshot;
use crate::error::StoreError;
use crate::export::{Batch, json_list};
use crate::on_db;

/// Marks taken per batch by default.
pub const BATCH: i64 = 2000;

/// A mark: `(seq, person_id, year)`.
pub(crate) type Mark = (i64, i64, i64);

/// What a refresh takes: the marks of one year or of all, `batch` at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub year: Option<i32>,
    pub batch: i64,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            year: None,
            batch: BATCH,
        }
    }
}

/// Marks taken for one batch; on PostgreSQL with the transaction that holds their row locks.
struct Taken {
    marks: Vec<Mark>,
    /// The largest `seq` among the oldest marks taken: the next batch starts after it.
    cursor: i64,
    tx: Option<sqlx::Transaction<'static, sqlx::Postgres>>,
}

/// The queries taking marks: the oldest after `$1` (`$2` of them, `$3` the year if one), and
/// the other marks of a list of persons (`$1`).
fn take_sql(backend: Backend, scope: Scope) -> (String, String) {
    let in_year = if scope.year.is_some() {
        " AND year = $3"
    } else {
        ""
    };
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    };
    let list = crate::bulk::in_list(backend, "person_id", 1, crate::bulk::Item::Int);
    (
        format!(
            "SELECT seq, person_id, year FROM summary_dirty WHERE seq > $1{in_year}
             ORDER BY seq LIMIT $2{lock}"
        ),
        format!("SELECT seq, person_id, year FROM summary_dirty WHERE {list}{lock}"),
    )
}

/// Up to `scope.batch` marks with `seq > after`, oldest first, plus their persons' other marked
/// years (all years in scope), leaving out `busy` (marks of batches still in flight).
fn taken(
    oldest: Vec<Mark>,
    others: Vec<Mark>,
    after: i64,
    busy: &HashSet<(i64, i64)>,
    tx: Option<sqlx::Transaction<'static, sqlx::Postgres>>,
) -> Taken {
    let cursor = oldest.iter().map(|m| m.0).max().unwrap_or(after);
    // A mark renumbered between the two reads keeps the newer number (SQLite; on PostgreSQL
    // both reads see the locked row as it is).
    let mut by_key = BTreeMap::new();
    for (seq, person, year) in oldest.into_iter().chain(others) {
        if busy.contains(&(person, year)) {
            continue;
        }
        let s = by_key.entry((person, year)).or_insert(seq);
        *s = (*s).max(seq);
    }
    Taken {
        marks: by_key
            .into_iter()
            .map(|((person, year), seq)| (seq, person, year))
            .collect(),
        cursor,
        tx,
    }
}

/// Takes a batch's marks through the pool (PostgreSQL; SQLite in memory).
async fn take(
    db: &Db,
    scope: Scope,
    after: i64,
    busy: &HashSet<(i64, i64)>,
) -> Result<Taken, StoreError> {
    let year = scope.year.map(i64::from);
    let (oldest_sql, others_sql) = take_sql(db.backend(), scope);
    let (oldest, others, tx): (Vec<Mark>, Vec<Mark>, _) = match db {
        Db::Sqlite(p) => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(oldest_sql))
                .bind(after)
                .bind(scope.batch);
            if let Some(y) = year {
                q = q.bind(y);
            }
            let oldest: Vec<Mark> = q.fetch_all(p).await?;
            let others = if year.is_none() && !oldest.is_empty() {
                let persons = json_list(oldest.iter().map(|m| m.1));
                sqlx::query_as(sqlx::AssertSqlSafe(others_sql))
                    .bind(persons)
                    .fetch_all(p)
                    .await?
            } else {
                Vec::new()
            };
            (oldest, others, None)
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            // Derived data: a commit lost in a crash loses the marks' deletion with it, so the
            // person-years are simply decided again.
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut *tx)
                .await?;
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(oldest_sql))
                .bind(after)
                .bind(scope.batch);
            if let Some(y) = year {
                q = q.bind(y);
            }
            let oldest: Vec<Mark> = q.fetch_all(&mut *tx).await?;
            let others = if year.is_none() && !oldest.is_empty() {
                let persons = json_list(oldest.iter().map(|m| m.1));
                sqlx::query_as(sqlx::AssertSqlSafe(others_sql))
                    .bind(persons)
                    .fetch_all(&mut *tx)
                    .await?
            } else {
                Vec::new()
            };
            (oldest, others, Some(tx))
        }
    };
    Ok(taken(oldest, others, after, busy, tx))
}

/// A batch's marks with the facts their cases are built from.
struct Read {
    taken: Taken,
    batch: Option<Batch>,
}

/// A batch's persons (sorted, once each) and the span of its years.
fn persons_and_span(marks: &[Mark]) -> (Vec<i64>, (i32, i32)) {
    let mut persons: Vec<i64> = marks.iter().map(|m| m.1).collect();
    persons.sort_unstable();
    persons.dedup();
    let years = marks.iter().filter_map(|m| i32::try_from(m.2).ok());
    let span = years
        .clone()
        .min()
        .zip(years.max())
        .unwrap_or((i32::MAX, i32::MIN));
    (persons, span)
}

async fn read(db: &Db, taken: Taken) -> Result<Read, StoreError> {
    if taken.marks.is_empty() {
        return Ok(Read { taken, batch: None });
    }
    let (persons, span) = persons_and_span(&taken.marks);
    let batch = Batch::load_for_years(db, &persons, span).await?;
    Ok(Read {
        taken,
        batch: Some(batch),
    })
}

/// Takes a batch's marks on SQLite's connection `conn` (a kept snapshot).
fn take_direct(
    conn: &rusqlite::Connection,
    scope: Scope,
    after: i64,
    busy: &HashSet<(i64, i64)>,
) -> Result<Taken, StoreError> {
    let (oldest_sql, others_sql) = take_sql(Backend::Sqlite, scope);
    let mark = |row: &rusqlite::Row<'_>| -> Result<Mark, StoreError> {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    };
    let year = scope.year.map(i64::from);
    // Bound by name: to SQLite `$N` is a name, numbered where it first appears (`$3` before
    // `$2` here).
    let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![("$1", &after), ("$2", &scope.batch)];
    if let Some(y) = &year {
        params.push(("$3", y));
    }
    let oldest = crate::direct::rows(conn, &oldest_sql, params.as_slice(), mark)?;
    let others = if year.is_none() && !oldest.is_empty() {
        let persons = json_list(oldest.iter().map(|m| m.1));
        crate::direct::rows(conn, &others_sql, [persons], mark)?
    } else {
        Vec::new()
    };
    Ok(taken(oldest, others, after, busy, None))
}

/// SQLite's two kept snapshots ([`Snapshot`]) a refresh reads on, one per core. The marks are
/// taken on the first and the facts read on both, so the second's snapshot must never be older
/// than the first's: facts older than the marks read could be decided under a mark that a
/// later write renumbered to the very `seq` read, and be kept. Both are renewed together, and
/// after a renewal the first reads (the take) before the second begins.
struct Snapshots {
    marks: Snapshot,
    other: Snapshot,
}

impl Snapshots {
    fn renew(&self) {
        self.other.renew();
        self.marks.renew();
    }
}

/// Takes and reads a batch on SQLite's kept snapshots: the marks on the first; then the
/// persons, the employments and the first half of the persons' records on the first while the
/// second reads the other half (the records are most of a batch's read: ~55 of ~65 ms at
/// 200,000 persons, and the read is the refresh's critical path); then the look-ups of what the
/// records name on the first.
async fn take_and_read_direct(
    snapshots: &Arc<Snapshots>,
    scope: Scope,
    after: i64,
    busy: HashSet<(i64, i64)>,
) -> Result<Read, StoreError> {
    let taken = snapshots
        .marks
        .read(move |conn| take_direct(conn, scope, after, &busy))
        .await?;
    if taken.marks.is_empty() {
        return Ok(Read { taken, batch: None });
    }
    let (persons, span) = persons_and_span(&taken.marks);
    let (low, high) = persons.split_at(persons.len().div_ceil(2));
    let (low, high) = (low.to_vec(), high.to_vec());
    let first = {
        let s = snapshots.clone();
        async move {
            s.marks
                .read(move |conn| {
                    let mut rows = Batch::rows_direct(conn, &persons)?;
                    rows.records = Batch::records_direct(conn, &low, span)?;
                    Ok(rows)
                })
                .await
        }
    };
    let second = {
        let s = snapshots.clone();
        async move {
            s.other
                .read(move |conn| Batch::records_direct(conn, &high, span))
                .await
        }
    };
    let (mut rows, rest) = tokio::try_join!(first, second)?;
    // Each half is in person order and the halves follow each other: so is the whole.
    rows.records.extend(rest);
    let batch = snapshots
        .marks
        .read(move |conn| Batch::finish_direct(conn, rows))
        .await?;
    Ok(Read {
        taken,
        batch: Some(batch),
    })
}

/// Where a refresh reads its batches: SQLite's file on one kept snapshot, or the pool.
#[derive(Clone)]
enum Source {
    Snapshot(Arc<Snapshots>),
    Pool(Db),
}

impl Source {
    fn of(db: &Db) -> Source {
        match db {
            Db::Sqlite(p) => crate::direct::file_of(p).map_or_else(
                || Source::Pool(db.clone()),
                |path| {
                    Source::Snapshot(Arc::new(Snapshots {
                        marks: Snapshot::new(path.clone()),
                        other: Snapshot::new(path),
                    }))
                },
            ),
            Db::Postgres(_) => Source::Pool(db.clone()),
        }
    }

    /// Takes and reads the next batch after `after`.
    async fn next(
        &self,
        scope: Scope,
        after: i64,
        busy: HashSet<(i64, i64)>,
    ) -> Result<Read, StoreError> {
        match self {
            Source::Snapshot(s) => take_and_read_direct(s, scope, after, busy).await,
            Source::Pool(db) => read(db, take(db, scope, after, &busy).await?).await,
        }
    }

    /// Lets the kept snapshot go: the next batch reads the latest commit.
    fn renew(&self) {
        if let Source::Snapshot(s) = self {
            s.renew();
        }
    }
}

/// Decides every person-year of a read batch (the CPU step).
fn decide(policy: &Policy, read: &Read) -> Result<Vec<Evaluated>, StoreError> {
    let Some(batch) = &read.batch else {
        return Ok(Vec::new());
    };
    read.taken
        .marks
        .iter()
        .map(|&(seq, person_id, year)| {
            // A year outside i32 cannot come from a date; such a mark only needs removing.
            let summary = match i32::try_from(year) {
                Ok(y) => decide_in(batch, policy, person_id, y)?,
                Err(_) => None,
            };
            Ok(((seq, person_id, year), summary))
        })
        .collect()
}

/// The year hashes of a batch's years.
fn hashes(policy: &Policy, decided: &[Evaluated]) -> BTreeMap<i64, String> {
    let mut out = BTreeMap::new();
    for &((_, _, year), _) in decided {
        out.entry(year).or_insert_with(|| {
            i32::try_from(year).map_or_else(|_| String::new(), |y| year_hash(policy, y))
        });
    }
    out
}

/// Writes a decided batch and deletes its marks, in one transaction; returns how many
/// person-years were written (on SQLite, marks renumbered meanwhile are left for later).
async fn write(
    db: &Db,
    policy: &Policy,
    now_ms: i64,
    taken: Taken,
    decided: Vec<Evaluated>,
) -> Result<usize, StoreError> {
    let hashes = hashes(policy, &decided);
    match (db, taken.tx) {
        (Db::Postgres(_), Some(tx)) => super::write::postgres(tx, now_ms, &hashes, &decided).await,
        (Db::Sqlite(p), _) => match crate::direct::file_of(p) {
            Some(path) => {
                crate::direct::write(path, move |tx| {
                    super::write::sqlite_direct(tx, now_ms, &hashes, &decided)
                })
                .await
            }
            None => super::write::sqlite(p, now_ms, &hashes, &decided).await,
        },
        (Db::Postgres(_), None) => Err(StoreError::invalid("summary.refresh", "刷新批次缺少事务")),
    }
}

/// Batches between two checkpoints of SQLite's log ([`Db::checkpoint`]) in a drain; SQLite's
/// kept snapshot is renewed at each.
const CHECKPOINT_EVERY: u64 = 16;

/// Marks added or drained at once above which PostgreSQL's statistics of the queue are brought
/// up to date ([`Db::tidy_queue`]).
const TIDY_AFTER: usize = 10_000;

/// Takes, reads, decides and writes batches until no mark in `scope` is left; `progress` is
/// told the person-years decided so far after each batch. Returns that number.
pub async fn drain(
    db: &Db,
    policy: &Policy,
    now_ms: i64,
    scope: Scope,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<usize, StoreError> {
    let source = Source::of(db);
    let mut total = 0;
    let mut batches = 0u64;
    let mut current = source.next(scope, 0, HashSet::new()).await?;
    // After the cursor reaches the end, one pass from the start again, on the latest commit:
    // marks skipped while another refresher held them, left by a write that lost its race or
    // made after the snapshot read, are found there.
    let mut restarted = false;
    loop {
        if current.taken.marks.is_empty() {
            source.renew();
            // PostgreSQL: the empty take's transaction ends here, not when the pool gets to it.
            if let Some(tx) = current.taken.tx.take() {
                tx.rollback().await?;
            }
            if restarted || current.taken.cursor == 0 {
                db.checkpoint().await?;
                if total >= TIDY_AFTER {
                    db.tidy_queue(true).await?;
                }
                return Ok(total);
            }
            restarted = true;
            current = source.next(scope, 0, HashSet::new()).await?;
            continue;
        }
        restarted = false;
        let busy: HashSet<(i64, i64)> = current.taken.marks.iter().map(|m| (m.1, m.2)).collect();
        let after = current.taken.cursor;
        // The next batch is taken and read by a task of its own, so that its reads go on (on
        // another thread) while this one is decided here.
        let next = tokio::spawn({
            let source = source.clone();
            async move { source.next(scope, after, busy).await }
        });
        let this = async {
            // Decided while the next batch is taken and read by the database.
            let decided = decide(policy, &current)?;
            let n = decided.len();
            let Read { taken, .. } = current;
            write(db, policy, now_ms, taken, decided).await?;
            Ok::<usize, StoreError>(n)
        };
        let (next, done) = tokio::join!(next, this);
        total += done?;
        progress(total);
        batches += 1;
        current = next.map_err(|e| {
            StoreError::invalid("summary.refresh", format!("读取下一批失败：{e}"))
        })??;
        // Neither our read nor our write is open here: the moment to empty SQLite's log, which
        // no checkpoint can pass while the snapshot is held.
        if batches.is_multiple_of(CHECKPOINT_EVERY) {
            source.renew();
            db.checkpoint().await?;
        }
    }
}

/// One batch of up to `limit` marks, oldest first: taken, read, decided and written. Returns
/// how many marks it took (0: none left). A statistics request drains a little with it.
pub async fn refresh_dirty(
    db: &Db,
    policy: &Policy,
    now_ms: i64,
    limit: i64,
) -> Result<usize, StoreError> {
    let scope = Scope {
        year: None,
        batch: limit,
    };
    let read = Source::of(db).next(scope, 0, HashSet::new()).await?;
    let decided = decide(policy, &read)?;
    let n = decided.len();
    write(db, policy, now_ms, read.taken, decided).await?;
    Ok(n)
}

/// Marks every person-year of year `$1` (first day `$3`, last `$2`): those with a summary and
/// everyone in service. In the order of the persons: a drain takes marks in the order they were
/// made, and a batch of neighbouring persons reads neighbouring pages of every table (by unit,
/// as the summaries' index gave them, each 2,000-person batch read pages all over the records'
/// index: ~90 ms a batch where neighbours take a fraction of it, BENCH.md).
const MARK_YEAR: &str = "INSERT INTO summary_dirty (person_id, year)
     SELECT person_id, $1 FROM (
         SELECT person_id FROM person_year_summaries WHERE year = $1
         UNION
         SELECT e.person_id FROM employments e
          WHERE e.from_on <= $2 AND (e.to_on IS NULL OR e.to_on >= $3)) t
      ORDER BY person_id
     ON CONFLICT (person_id, year) DO NOTHING";

/// Marks, for a refresh of everything (`statistics refresh --all`), every person-year of
/// `year` (or of every year with rules): those with a summary and everyone in service.
/// Returns the marks added or renewed.
pub async fn mark_all(db: &Db, policy: &Policy, year: Option<i32>) -> Result<u64, StoreError> {
    let years: Vec<i64> = match year {
        Some(y) => vec![i64::from(y)],
        None => on_db!(db, p => sqlx::query_scalar("SELECT year FROM summary_years ORDER BY year")
            .fetch_all(p).await?),
    };
    let mut n = 0;
    for year in years {
        let Some(y) = i32::try_from(year)
            .ok()
            .filter(|y| policy.year(*y).is_some())
        else {
            continue;
        };
        let (first, last) = super::year_bounds(y)?;
        n += on_db!(db, p => {
            let mut tx = p.begin().await?;
            let n = sqlx::query(MARK_YEAR)
                .bind(year)
                .bind(DbDate(last))
                .bind(DbDate(first))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(
                "INSERT INTO summary_years (year, populated) VALUES ($1, TRUE)
                 ON CONFLICT (year) DO UPDATE SET populated = TRUE",
            )
            .bind(year)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            n
        });
    }
    if n >= TIDY_AFTER as u64 {
        db.tidy_queue(false).await?;
    }
    Ok(n)
}

/// What no trigger sees: marks the summaries of every year whose rules changed since they were
/// decided (per-year hashes, [`year_hash`]), and opens every year that has person-years and
/// rules. Reads one row per year when nothing changed. Run where the policy is loaded (server
/// start, end of an import, `statistics refresh`).
pub async fn prepare(db: &Db, policy: &Policy) -> Result<(), StoreError> {
    let years: Vec<(i64, bool)> = on_db!(db, p => sqlx::query_as(
        "SELECT year, populated FROM summary_years ORDER BY year"
    ).fetch_all(p).await?);
    let stored: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT year, policy_hash FROM summary_policies"
    ).fetch_all(p).await?);
    let stored: BTreeMap<i64, String> = stored.into_iter().collect();
    let mut marked = false;
    for (year, populated) in years {
        let Ok(y) = i32::try_from(year) else {
            continue;
        };
        let hash = year_hash(policy, y);
        if stored.get(&year) != Some(&hash) {
            marked = true;
            on_db!(db, p => {
                let mut tx = p.begin().await?;
                sqlx::query(
                    "INSERT INTO summary_dirty (person_id, year)
                     SELECT person_id, year FROM person_year_summaries
                      WHERE year = $1 AND policy_hash <> $2 ORDER BY person_id
                     ON CONFLICT (person_id, year) DO NOTHING",
                )
                .bind(year)
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO summary_policies (year, policy_hash) VALUES ($1, $2)
                     ON CONFLICT (year) DO UPDATE SET policy_hash = excluded.policy_hash",
                )
                .bind(year)
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            });
        }
        if !populated && policy.year(y).is_some() {
            marked = true;
            super::open_year(db, y).await?;
        }
    }
    if marked {
        db.tidy_queue(false).await?;
    }
    Ok(())
}

/// [`prepare`], then [`drain`]s every mark; returns the person-years decided. For the end of a
/// batch command (import, demo seed), where nobody else is waiting on the queue.
pub async fn catch_up(db: &Db, policy: &Policy, now_ms: i64) -> Result<usize, StoreError> {
    prepare(db, policy).await?;
    drain(db, policy, now_ms, Scope::default(), &mut |_| {}).await
}
