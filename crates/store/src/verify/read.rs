//! The two big tables of a chunk — ledger entries and records — read as plain rows: blobs as
//! bytes, no JSON text built by the database to be parsed (and un-hexed) again here. That
//! round trip was most of `verify`'s CPU (SQLite building and our decoding JSON text, hex both
//! ways, a `String` per value); rows now cross sqlx's worker channel in a deep buffer
//! (`db.rs`), so the hop per row that once made JSON text the faster path is no longer paid as
//! a wake-up per row.

use crate::db::Db;
use crate::entries::RecordRow;
use crate::error::StoreError;
use crate::on_db;
use crate::records::{RECORD_COLUMNS, RawRecord, decode_record};

/// A ledger entry as `verify` reads it; `leaf` is `None` when it is not 32 bytes.
pub(super) struct EntryRow {
    pub idx: i64,
    pub kind: String,
    pub ref_id: i64,
    pub person_id: Option<i64>,
    pub leaf: Option<[u8; 32]>,
}

/// The entries with `from <= idx < to`, in order.
pub(super) async fn entries(db: &Db, from: i64, to: i64) -> Result<Vec<EntryRow>, StoreError> {
    let raw: Vec<(i64, String, i64, Option<i64>, Vec<u8>)> = on_db!(db, p => sqlx::query_as(
        "SELECT idx, kind, ref_id, person_id, leaf FROM ledger_entries
          WHERE idx >= $1 AND idx < $2 ORDER BY idx",
    )
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?);
    Ok(raw
        .into_iter()
        .map(|(idx, kind, ref_id, person_id, leaf)| EntryRow {
            idx,
            kind,
            ref_id,
            person_id,
            leaf: <[u8; 32]>::try_from(leaf.as_slice()).ok(),
        })
        .collect())
}

/// The records with `from <= entry_index < to` (joined with their person's commitment).
pub(super) async fn records(db: &Db, from: i64, to: i64) -> Result<Vec<RecordRow>, StoreError> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM records r JOIN persons p ON p.id = r.person_id
          WHERE r.entry_index >= $1 AND r.entry_index < $2"
    );
    let raw: Vec<RawRecord> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?);
    raw.into_iter().map(decode_record).collect()
}
