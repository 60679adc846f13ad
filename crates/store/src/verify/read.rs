//! The two big tables of a chunk — ledger entries and records — read as one JSON text each,
//! built by the database (`json_group_array` on SQLite, `json_agg` on PostgreSQL) and decoded
//! here. Through the driver row by row, every value of every row crossed sqlx's SQLite worker
//! channel on its own: that hop, not SQLite, was most of `verify`'s time. Blobs travel as hex.

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
    pub leaf: Option<[u8; 32]>,
}

/// The same column list on both backends; only the array and hex functions differ.
fn entries_sql(db: &Db) -> &'static str {
    match db {
        Db::Sqlite(_) => {
            "SELECT json_group_array(json_array(idx, kind, ref_id, hex(leaf)) ORDER BY idx)
             FROM ledger_entries WHERE idx >= $1 AND idx < $2"
        }
        Db::Postgres(_) => {
            "SELECT json_agg(json_build_array(idx, kind, ref_id, encode(leaf, 'hex')) ORDER BY idx)::text
             FROM ledger_entries WHERE idx >= $1 AND idx < $2"
        }
    }
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

/// A record's columns (as `RECORD_COLUMNS`), as two arrays: serde decodes tuples of up to 16.
fn records_sql(db: &Db) -> String {
    // SQLite's hex(NULL) is '': keep NULL a NULL, so that an empty blob is not taken for none.
    let (agg, array, cast, hex): (_, _, _, fn(&str) -> String) = match db {
        Db::Sqlite(_) => ("json_group_array", "json_array", "", |c| {
            format!("iif({c} IS NULL, NULL, hex({c}))")
        }),
        Db::Postgres(_) => ("json_agg", "json_build_array", "::text", |c| {
            format!("encode({c}, 'hex')")
        }),
    };
    let (commitment, evidence) = (hex("p.commitment"), hex("r.evidence_hash"));
    format!(
        "SELECT {agg}({array}(
             {array}(r.id, r.person_id, {commitment}, r.label, r.content, r.subject, r.form,
                 r.provider, r.started_on, r.completed_on, r.hours_tenths, r.minutes),
             {array}(r.exam, r.for_year, r.filing_number, r.conversion_kind, r.achievement,
                 r.certificate_no, r.corrects, {evidence}, r.registered_on, r.actor, r.entry_index))){cast}
         FROM records r JOIN persons p ON p.id = r.person_id
         WHERE r.entry_index >= $1 AND r.entry_index < $2"
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
    StoreError::invalid("store.corrupt", format!("数据库中的{what}无法读取：{e}"))
}

/// The entries with `from <= idx < to`, in order.
pub(super) async fn entries(db: &Db, from: i64, to: i64) -> Result<Vec<EntryRow>, StoreError> {
    let text = json_text(db, entries_sql(db), from, to).await?;
    let raw: Vec<(i64, String, i64, String)> =
        serde_json::from_str(&text).map_err(|e| undecodable("账本条目", &e))?;
    Ok(raw
        .into_iter()
        .map(|(idx, kind, ref_id, leaf)| EntryRow {
            idx,
            kind,
            ref_id,
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
