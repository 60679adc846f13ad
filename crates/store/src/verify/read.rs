//! The two big tables of a chunk — ledger entries and records. On a SQLite file they are read
//! as plain rows on a connection of our own ([`crate::direct`]), each value decoded where
//! SQLite holds it. On SQLite without a file each is read as one JSON text built by SQLite
//! (`json_group_array`) and decoded here: through sqlx row by row, every value of every row
//! crossed its SQLite worker channel on its own, and that hop, not SQLite, was most of
//! `verify`'s time. PostgreSQL sends plain rows (binary, blobs as bytes): building the same JSON
//! text (`json_agg`) took its backend 973 ms a chunk of records at 1M persons, most of the
//! verify (BENCH.md), and sqlx decodes its rows on the calling task without a worker thread.

use xueshi_ledger::merkle::Hash;

use crate::bulk::{Col, json_rows};
use crate::db::{Db, DbDate};
use crate::entries::RecordView;
use crate::error::StoreError;
use crate::keys::unhex;
use crate::on_db;
use crate::records::{RECORD_COLUMNS, RawRecord, RawRecordRef, corrupt};

/// A record as `verify` needs it: what names it, and the leaf its columns hash to — computed
/// where the row is read, from the row as the database sent it (no copy of its text).
pub(super) struct RecordLeaf {
    pub id: i64,
    pub person_id: i64,
    pub entry_index: i64,
    pub leaf: Hash,
}

impl RecordLeaf {
    /// `buf`: the canonical bytes' buffer, reused from row to row.
    fn of(view: RecordView<'_>, buf: &mut Vec<u8>) -> Self {
        RecordLeaf {
            id: view.id,
            person_id: view.person_id,
            entry_index: view.entry_index,
            leaf: view.leaf(buf),
        }
    }

    fn of_raw(raw: &RawRecord, buf: &mut Vec<u8>) -> Result<Self, StoreError> {
        Ok(Self::of(raw.borrowed().view()?, buf))
    }
}

/// A ledger entry as `verify` reads it; `leaf` is `None` when it is not 32 bytes.
pub(super) struct EntryRow {
    pub idx: i64,
    pub kind: String,
    pub ref_id: i64,
    pub person_id: Option<i64>,
    pub leaf: Option<[u8; 32]>,
}

/// An entry's columns as PostgreSQL sends them: idx, kind, ref_id, person_id, leaf.
type EntryColumns = (i64, String, i64, Option<i64>, Vec<u8>);

fn entries_sql(db: &Db) -> String {
    json_rows(
        db.backend(),
        &[&[
            Col::Val("idx"),
            Col::Val("kind"),
            Col::Val("ref_id"),
            Col::Val("person_id"),
            Col::Blob("leaf"),
        ]],
        Some("idx"),
        "FROM ledger_entries WHERE idx >= $1 AND idx < $2",
    )
}

type RecordHead = (
    i64,
    i64,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<i64>,
);
type RecordTail = (
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    String,
    i64,
);

/// A record's columns (as `RECORD_COLUMNS`), in two groups.
fn records_sql(db: &Db) -> String {
    use Col::{Blob, Val};
    json_rows(
        db.backend(),
        &[
            &[
                Val("r.id"),
                Val("r.person_id"),
                Blob("p.commitment"),
                Val("r.label"),
                Val("r.content"),
                Val("r.subject"),
                Val("r.form"),
                Val("r.provider"),
                Val("r.started_on"),
                Val("r.completed_on"),
                Val("r.hours_tenths"),
                Val("r.minutes"),
            ],
            &[
                Val("r.exam"),
                Val("r.for_year"),
                Val("r.filing_number"),
                Val("r.conversion_kind"),
                Val("r.achievement"),
                Val("r.certificate_no"),
                Val("r.corrects"),
                Blob("r.evidence_hash"),
                Val("r.registered_on"),
                Val("r.actor"),
                Val("r.entry_index"),
            ],
        ],
        None,
        "FROM records r JOIN persons p ON p.id = r.person_id
         WHERE r.entry_index >= $1 AND r.entry_index < $2",
    )
}

async fn json_text(db: &Db, sql: &str, from: i64, to: i64) -> Result<String, StoreError> {
    let text: Option<String> = on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(from)
        .bind(to)
        .fetch_one(p)
        .await?);
    Ok(text.unwrap_or_else(|| "[]".to_owned()))
}

fn undecodable(what: &str, e: &serde_json::Error) -> StoreError {
    StoreError::corrupt(format!("数据库中的{what}无法读取：{e}"))
}

/// The SQLite file of `db`, if its chunks can be read on a connection of our own.
fn direct_file(db: &Db) -> Option<std::path::PathBuf> {
    match db {
        Db::Sqlite(p) => crate::direct::file_of(p),
        Db::Postgres(_) => None,
    }
}

/// The entries with `from <= idx < to`, in order.
pub(super) async fn entries(db: &Db, from: i64, to: i64) -> Result<Vec<EntryRow>, StoreError> {
    if let Some(path) = direct_file(db) {
        return crate::direct::read(path, move |conn| entries_direct(conn, from, to)).await;
    }
    if let Db::Postgres(p) = db {
        let rows: Vec<EntryColumns> = sqlx::query_as(
            "SELECT idx, kind, ref_id, person_id, leaf FROM ledger_entries
              WHERE idx >= $1 AND idx < $2 ORDER BY idx",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?;
        return Ok(rows
            .into_iter()
            .map(|(idx, kind, ref_id, person_id, leaf)| {
                entry_row((idx, kind, ref_id, person_id), Some(leaf))
            })
            .collect());
    }
    let text = json_text(db, &entries_sql(db), from, to).await?;
    let raw: Vec<(i64, String, i64, Option<i64>, String)> =
        serde_json::from_str(&text).map_err(|e| undecodable("账本条目", &e))?;
    Ok(raw
        .into_iter()
        .map(|(idx, kind, ref_id, person_id, leaf)| {
            entry_row((idx, kind, ref_id, person_id), unhex(&leaf))
        })
        .collect())
}

/// An entry from its columns; a leaf that is not 32 bytes (or not hex) is kept as `None`, a
/// problem for `verify` to report rather than a failure to read.
fn entry_row(
    (idx, kind, ref_id, person_id): (i64, String, i64, Option<i64>),
    leaf: Option<Vec<u8>>,
) -> EntryRow {
    EntryRow {
        idx,
        kind,
        ref_id,
        person_id,
        leaf: leaf.and_then(|l| <[u8; 32]>::try_from(l).ok()),
    }
}

/// The records with `from <= entry_index < to` (joined with their person's commitment), each
/// with the leaf its columns hash to.
pub(super) async fn records(db: &Db, from: i64, to: i64) -> Result<Vec<RecordLeaf>, StoreError> {
    if let Some(path) = direct_file(db) {
        return crate::direct::read(path, move |conn| records_direct(conn, from, to)).await;
    }
    if let Db::Postgres(p) = db {
        // Each record's person looked up by its key (`LATERAL … OFFSET 0` keeps the planner from
        // flattening it), without JIT: as a join, PostgreSQL hashed the chunk's 25,000 records
        // and scanned all persons for every chunk (190–330 ms a chunk at 1M persons against
        // 72–99 ms so; with JIT the look-ups' estimated cost compiled each query, ~19 ms).
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records r
              CROSS JOIN LATERAL (SELECT commitment FROM persons p WHERE p.id = r.person_id OFFSET 0) p
              WHERE r.entry_index >= $1 AND r.entry_index < $2"
        );
        let mut tx = p.begin().await?;
        sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
        let rows: Vec<RawRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut buf = Vec::new();
        return rows
            .iter()
            .map(|r| RecordLeaf::of_raw(r, &mut buf))
            .collect();
    }
    let text = json_text(db, &records_sql(db), from, to).await?;
    let raw: Vec<(RecordHead, RecordTail)> =
        serde_json::from_str(&text).map_err(|e| undecodable("学习记录", &e))?;
    let mut buf = Vec::new();
    raw.into_iter()
        .map(|r| RecordLeaf::of_raw(&record(r)?, &mut buf))
        .collect()
}

fn bytes(hex: Option<String>, what: &str) -> Result<Option<Vec<u8>>, StoreError> {
    hex.map(|h| unhex(&h).ok_or_else(|| corrupt(what)))
        .transpose()
}

fn date(text: &str) -> Result<DbDate, StoreError> {
    xueshi_domain::Date::parse(text)
        .map(DbDate)
        .map_err(|_| corrupt("日期"))
}

fn record((h, t): (RecordHead, RecordTail)) -> Result<RawRecord, StoreError> {
    Ok(RawRecord {
        id: h.0,
        person_id: h.1,
        commitment: bytes(h.2, "人员承诺值")?.unwrap_or_default(),
        label: h.3,
        content: h.4,
        subject: h.5,
        form: h.6,
        provider: h.7,
        started_on: h.8.as_deref().map(date).transpose()?,
        completed_on: date(&h.9)?,
        hours_tenths: h.10,
        minutes: h.11,
        exam: t.0,
        for_year: t.1,
        filing_number: t.2,
        conversion_kind: t.3,
        achievement: t.4,
        certificate_no: t.5,
        corrects: t.6,
        evidence_hash: bytes(t.7, "证明材料哈希")?,
        registered_on: date(&t.8)?,
        actor: t.9,
        entry_index: t.10,
    })
}

fn entries_direct(
    conn: &rusqlite::Connection,
    from: i64,
    to: i64,
) -> Result<Vec<EntryRow>, StoreError> {
    use crate::direct::{blob, int, required, text};
    let sql = "SELECT idx, kind, ref_id, person_id, leaf FROM ledger_entries
                WHERE idx >= ?1 AND idx < ?2 ORDER BY idx";
    crate::direct::rows(conn, sql, [from, to], |row| {
        let v = |i: usize| row.get_ref(i);
        Ok(EntryRow {
            idx: required(int(v(0)?, "账本序号")?, "账本序号")?,
            kind: required(text(v(1)?, "条目类型")?, "条目类型")?.to_owned(),
            ref_id: required(int(v(2)?, "条目数据行")?, "条目数据行")?,
            person_id: int(v(3)?, "人员编号")?,
            // A leaf that is not 32 bytes is a problem to report, not a failure to read.
            leaf: blob(v(4)?, "叶哈希")?.and_then(|l| <[u8; 32]>::try_from(l).ok()),
        })
    })
}

fn records_direct(
    conn: &rusqlite::Connection,
    from: i64,
    to: i64,
) -> Result<Vec<RecordLeaf>, StoreError> {
    use crate::direct::{blob, date, int, required, text};
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM records r JOIN persons p ON p.id = r.person_id
          WHERE r.entry_index >= ?1 AND r.entry_index < ?2"
    );
    let mut buf = Vec::new();
    crate::direct::rows(conn, &sql, [from, to], |row| {
        let v = |i: usize| row.get_ref(i);
        let string = |i: usize, what| required(text(v(i)?, what)?, what);
        let day = |i: usize, what| Ok::<_, StoreError>(date(v(i)?, what)?.map(|d| d.0));
        let raw = RawRecordRef {
            id: required(int(v(0)?, "记录编号")?, "记录编号")?,
            person_id: required(int(v(1)?, "人员编号")?, "人员编号")?,
            commitment: blob(v(2)?, "人员承诺值")?.unwrap_or_default(),
            label: string(3, "记录名称")?,
            content: string(4, "学习内容")?,
            subject: string(5, "科目")?,
            form: string(6, "学习形式")?,
            provider: text(v(7)?, "机构")?,
            started_on: day(8, "开始日期")?,
            completed_on: required(day(9, "完成日期")?, "完成日期")?,
            hours_tenths: int(v(10)?, "学时")?,
            minutes: int(v(11)?, "分钟数")?,
            exam: string(12, "考试结果")?,
            for_year: int(v(13)?, "年度")?,
            filing_number: text(v(14)?, "备案号")?,
            conversion_kind: text(v(15)?, "折算类型")?,
            achievement: text(v(16)?, "成果")?,
            certificate_no: text(v(17)?, "证书编号")?,
            corrects: int(v(18)?, "更正记录")?,
            evidence_hash: blob(v(19)?, "证明材料哈希")?,
            registered_on: required(day(20, "登记日期")?, "登记日期")?,
            actor: string(21, "登记人")?,
            entry_index: required(int(v(22)?, "账本序号")?, "账本序号")?,
        };
        Ok(RecordLeaf::of(raw.view()?, &mut buf))
    })
}
