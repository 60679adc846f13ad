//! The two big tables of a chunk — ledger entries and records — read as one JSON text each,
//! built by the database (`json_group_array` on SQLite, `json_agg` on PostgreSQL) and decoded
//! here. Through the driver row by row, every value of every row crossed sqlx's SQLite worker
//! channel on its own: that hop, not SQLite, was most of `verify`'s time. Blobs travel as hex.

use crate::bulk::{Col, json_rows};
use crate::db::{Db, DbDate};
use crate::entries::RecordRow;
use crate::error::StoreError;
use crate::keys::unhex;
use crate::on_db;
use crate::records::{RawRecord, corrupt, decode_record};

/// A ledger entry as `verify` reads it; `leaf` is `None` when it is not 32 bytes.
pub(super) struct EntryRow {
    pub idx: i64,
    pub kind: String,
    pub ref_id: i64,
    pub person_id: Option<i64>,
    pub leaf: Option<[u8; 32]>,
}

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

/// The entries with `from <= idx < to`, in order.
pub(super) async fn entries(db: &Db, from: i64, to: i64) -> Result<Vec<EntryRow>, StoreError> {
    let text = json_text(db, &entries_sql(db), from, to).await?;
    let raw: Vec<(i64, String, i64, Option<i64>, String)> =
        serde_json::from_str(&text).map_err(|e| undecodable("账本条目", &e))?;
    Ok(raw
        .into_iter()
        .map(|(idx, kind, ref_id, person_id, leaf)| EntryRow {
            idx,
            kind,
            ref_id,
            person_id,
            leaf: unhex(&leaf).and_then(|l| <[u8; 32]>::try_from(l).ok()),
        })
        .collect())
}

/// The records with `from <= entry_index < to` (joined with their person's commitment).
pub(super) async fn records(db: &Db, from: i64, to: i64) -> Result<Vec<RecordRow>, StoreError> {
    let text = json_text(db, &records_sql(db), from, to).await?;
    let raw: Vec<(RecordHead, RecordTail)> =
        serde_json::from_str(&text).map_err(|e| undecodable("学习记录", &e))?;
    raw.into_iter().map(record).collect()
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

fn record((h, t): (RecordHead, RecordTail)) -> Result<RecordRow, StoreError> {
    decode_record(RawRecord {
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
