//! The rows an official or a decision reads that are not themselves ledger acts — training
//! filings (D8 decides on their dates), verification applications, year-page submissions and
//! bookings — and their digests. Each act that writes or changes such a row writes an audit
//! line carrying the row's digest as the act left it (`audit_log.row_digest`); the trail is
//! hash-chained and anchored in the signed checkpoints (see `audit`), so `ledger verify` names
//! a row altered, deleted, inserted (no line covers it) or swapped with another.
//!
//! A digest is SHA-256 over the table's name and its columns as text, in a fixed order, each
//! length-prefixed (NULL apart): the database renders every value (`CAST … AS TEXT`), the same
//! way on both backends for the integers, texts and dates these tables hold.

use sha2::{Digest, Sha256};

use crate::db::Backend;

/// A table whose rows the trail covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Watched {
    Filing,
    Application,
    Submission,
    Booking,
}

impl Watched {
    pub const ALL: [Watched; 4] = [
        Self::Filing,
        Self::Application,
        Self::Submission,
        Self::Booking,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Self::Filing => "filings",
            Self::Application => "verification_applications",
            Self::Submission => "year_page_submissions",
            Self::Booking => "bookings",
        }
    }

    pub fn parse(table: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.table() == table)
    }

    /// The columns, as text, in digest order (`id` first).
    fn columns(self, backend: Backend) -> &'static [&'static str] {
        match (self, backend) {
            (Self::Filing, Backend::Sqlite) => &[
                "id",
                "number",
                "title",
                "provider_org",
                "region",
                "zone_id",
                "starts_on",
                "ends_on",
                "submitted_ms",
                "hours_tenths",
                "content",
                "venue",
                "trainees",
                "lower(hex(attachment_hash))",
            ],
            (Self::Filing, Backend::Postgres) => &[
                "id",
                "number",
                "title",
                "provider_org",
                "region",
                "zone_id",
                "starts_on",
                "ends_on",
                "submitted_ms",
                "hours_tenths",
                "content",
                "venue",
                "trainees",
                "encode(attachment_hash, 'hex')",
            ],
            (Self::Application, _) => &[
                "id",
                "person_id",
                "level",
                "first_year",
                "last_year",
                "unit_id",
                "verifier_region",
                "verifier_zone_id",
                "applied_by",
                "applied_ms",
                "ledger_size",
            ],
            (Self::Submission, _) => &[
                "id",
                "person_id",
                "year",
                "unit_id",
                "submitted_by",
                "submitted_ms",
                "ledger_size",
            ],
            (Self::Booking, Backend::Sqlite) => &[
                "id",
                "slot_id",
                "unit_id",
                "status",
                "created_ms",
                "cancelled_ms",
                "(SELECT group_concat(person_id, ',') FROM (SELECT person_id FROM booking_persons WHERE booking_id = t.id ORDER BY person_id))",
            ],
            (Self::Booking, Backend::Postgres) => &[
                "id",
                "slot_id",
                "unit_id",
                "status",
                "created_ms",
                "cancelled_ms",
                "(SELECT string_agg(person_id::text, ',' ORDER BY person_id) FROM booking_persons WHERE booking_id = t.id)",
            ],
        }
    }

    /// `SELECT` of every row's columns as text (`id` first), with `where_` over `t`.
    pub fn select(self, backend: Backend, where_: &str) -> String {
        let cols: Vec<String> = self
            .columns(backend)
            .iter()
            .map(|c| format!("CAST({c} AS TEXT)"))
            .collect();
        format!(
            "SELECT {} FROM {} t WHERE {where_} ORDER BY t.id",
            cols.join(", "),
            self.table()
        )
    }

    /// The number of columns [`Watched::select`] returns.
    pub fn width(self) -> usize {
        self.columns(Backend::Sqlite).len()
    }

    /// The columns the table had when the trail first covered it: those added since (a
    /// filing's details, v17) are hashed only when set, so a row written before keeps its
    /// digest while a value written into, changed in or taken out of them still changes it.
    fn first_width(self) -> usize {
        match self {
            Self::Filing => 9,
            _ => self.width(),
        }
    }

    /// The digest of a row's values as [`Watched::select`] returns them.
    pub fn digest(self, values: &[Option<String>]) -> [u8; 32] {
        // Trailing later columns that are NULL are left out (see `first_width`).
        let set = values
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |i| i + 1);
        let end = set.max(self.first_width()).min(values.len());
        let mut h = Sha256::new();
        h.update(b"xueshi-row-v1\n");
        h.update(self.table().as_bytes());
        h.update(b"\n");
        for v in values.iter().take(end) {
            match v {
                None => h.update([0]),
                Some(text) => {
                    h.update([1]);
                    h.update(u64::try_from(text.len()).unwrap_or(u64::MAX).to_be_bytes());
                    h.update(text.as_bytes());
                }
            }
        }
        h.finalize().into()
    }
}

/// Reads one row's values as text inside the transaction `$tx` (`None` if there is no such
/// row).
#[macro_export]
macro_rules! watched_row {
    ($tx:expr, $watched:expr, $id:expr) => {{
        let watched: $crate::covered::Watched = $watched;
        let sql = watched.select($crate::db::tx_backend(&*$tx), "t.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind($id)
            .fetch_optional(&mut **$tx)
            .await?;
        match row {
            None => None,
            Some(row) => {
                let mut values: Vec<Option<String>> = Vec::with_capacity(watched.width());
                for i in 0..watched.width() {
                    values.push(sqlx::Row::try_get(&row, i)?);
                }
                Some(values)
            }
        }
    }};
}

/// Seals the rows written before migration 0010, once: each gets a system line
/// (`ledger.coverage`) recording its digest as it stands. Runs only while the trail has no
/// chained line yet — after that, every row has its line from the act that wrote it, and a
/// row without one is an insertion for `ledger verify` to name, never something to seal.
/// The lines are dated with the trail's latest time (the store has no clock).
pub(crate) async fn backfill(db: &crate::db::Db) -> Result<(), crate::error::StoreError> {
    use crate::on_db;
    let started: Option<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT id FROM audit_log WHERE chain IS NOT NULL LIMIT 1"
    ).fetch_optional(p).await?);
    if started.is_some() {
        return Ok(());
    }
    let at_ms: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COALESCE(MAX(at_ms), 0) FROM audit_log"
    ).fetch_one(p).await?);
    for w in Watched::ALL {
        let sql = format!("SELECT id FROM {} ORDER BY id", w.table());
        let ids: Vec<i64> =
            on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?);
        if ids.is_empty() {
            continue;
        }
        crate::in_tx!(db, tx => {
            for id in &ids {
                let subject = format!("{}:{id}", w.table());
                crate::write_line!(tx, crate::audit::Fields {
                    at_ms,
                    actor: "system",
                    region: None,
                    action: "ledger.coverage",
                    subject: Some(&subject),
                    detail: Some("迁移 0010 之前写入的数据行，按升级时的内容封存"),
                    entry_index: None,
                    row: Some((w, *id)),
                })?;
            }
            Ok::<(), crate::error::StoreError>(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod later_columns {
    use super::*;

    #[test]
    fn a_filing_written_before_its_details_keeps_its_digest_and_a_detail_changes_it() {
        let first: Vec<Option<String>> = (0..9).map(|i| Some(i.to_string())).collect();
        let mut now = first.clone();
        now.extend([None, None, None, None, None]);
        assert_eq!(Watched::width(Watched::Filing), now.len());
        assert_eq!(Watched::Filing.digest(&first), Watched::Filing.digest(&now));
        let mut venue = now.clone();
        venue[11] = Some("线上".to_owned());
        assert_ne!(Watched::Filing.digest(&venue), Watched::Filing.digest(&now));
        let mut elsewhere = now.clone();
        elsewhere[12] = Some("线上".to_owned());
        assert_ne!(
            Watched::Filing.digest(&venue),
            Watched::Filing.digest(&elsewhere)
        );
        // A NULL among the first columns still counts.
        let mut zone = first.clone();
        zone[5] = None;
        assert_ne!(
            Watched::Filing.digest(&zone),
            Watched::Filing.digest(&first)
        );
    }
}
