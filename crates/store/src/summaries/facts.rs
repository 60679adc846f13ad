//! The records a refresh reads: only those that can bear on the decisions of the years being
//! decided, as plain rows (no JSON text built by the database to be parsed again).
//!
//! For a person and the years `first..=last` these are:
//! - the records that can count for one of those years: completed in them, or asking to count
//!   for one of them (D5; whether the request is honoured is the engine's to say);
//! - every record sharing a calendar day with those (the hull of their days): D21's daily
//!   minutes (`record.overlap`) are summed over a person's records on a day whatever year they
//!   count for, so a neighbouring year's record on the same day belongs to the case;
//! - every conversion naming an achievement, whatever its year: D21 converts an achievement
//!   once, the earliest credit year winning, so an earlier year's conversion decides this one.
//!
//! A record outside these changes nothing in the years' decisions: the engine rejects it for
//! the year (`record.year`) before any rule that looks at other records.

use xueshi_domain::Date;

use crate::bulk::{Item, in_list};
use crate::db::{Backend, Db, DbDate};
use crate::entries::RecordRow;
use crate::error::StoreError;
use crate::on_db;
use crate::records::{RawRecord, decode_record};

/// The columns of a record a policy case uses.
#[derive(sqlx::FromRow)]
struct CaseRecord {
    id: i64,
    person_id: i64,
    label: String,
    subject: String,
    form: String,
    provider: Option<String>,
    started_on: Option<DbDate>,
    completed_on: DbDate,
    hours_tenths: Option<i64>,
    minutes: Option<i64>,
    exam: String,
    for_year: Option<i64>,
    filing_number: Option<String>,
    conversion_kind: Option<String>,
    achievement: Option<String>,
    corrects: Option<i64>,
    registered_on: DbDate,
    entry_index: i64,
}

impl CaseRecord {
    /// As a stored record; what a case does not use is left empty (a zero commitment).
    fn into_row(self) -> Result<RecordRow, StoreError> {
        decode_record(RawRecord {
            id: self.id,
            person_id: self.person_id,
            commitment: vec![0; 32],
            label: self.label,
            content: String::new(),
            subject: self.subject,
            form: self.form,
            provider: self.provider,
            started_on: self.started_on,
            completed_on: self.completed_on,
            hours_tenths: self.hours_tenths,
            minutes: self.minutes,
            exam: self.exam,
            for_year: self.for_year,
            filing_number: self.filing_number,
            conversion_kind: self.conversion_kind,
            achievement: self.achievement,
            certificate_no: None,
            corrects: self.corrects,
            evidence_hash: None,
            registered_on: self.registered_on,
            actor: String::new(),
            entry_index: self.entry_index,
        })
    }
}

/// The query of [`records_for_years`]: `$1` the persons (a JSON list), `$2`/`$3` the first and
/// last day of the years, `$4`/`$5` the first and last year.
fn records_sql(backend: Backend) -> String {
    let persons = in_list(backend, "r.person_id", 1, Item::Int);
    format!(
        "WITH span AS (
            SELECT r.person_id, MIN(COALESCE(r.started_on, r.completed_on)) AS lo,
                   MAX(r.completed_on) AS hi
              FROM records r
             WHERE {persons}
               AND ((r.completed_on >= $2 AND r.completed_on <= $3)
                    OR (r.for_year >= $4 AND r.for_year <= $5))
             GROUP BY r.person_id)
         SELECT r.id, r.person_id, r.label, r.subject, r.form, r.provider, r.started_on,
                r.completed_on, r.hours_tenths, r.minutes, r.exam, r.for_year, r.filing_number,
                r.conversion_kind, r.achievement, r.corrects, r.registered_on, r.entry_index
           FROM records r LEFT JOIN span s ON s.person_id = r.person_id
          WHERE {persons}
            AND ((r.form = 'conversion' AND r.achievement IS NOT NULL)
                 OR (r.completed_on >= s.lo AND COALESCE(r.started_on, r.completed_on) <= s.hi))
            AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.record_id = r.id)
          ORDER BY r.person_id, r.entry_index"
    )
}

/// The first and last day of the years `first..=last`.
fn days(first: i32, last: i32) -> Result<(Date, Date), StoreError> {
    let bad = |_| StoreError::invalid("summary.year", "年度无效");
    Ok((
        Date::first_of_year(first).map_err(bad)?,
        Date::last_of_year(last).map_err(bad)?,
    ))
}

/// The non-voided records of the persons in `ids` (a JSON list) that can bear on a decision of
/// a year in `first..=last` (see the module header), per person in registration order.
pub(crate) async fn records_for_years(
    db: &Db,
    ids: &str,
    (first, last): (i32, i32),
) -> Result<Vec<RecordRow>, StoreError> {
    let (from, to) = days(first, last)?;
    let sql = records_sql(db.backend());
    let rows: Vec<CaseRecord> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .bind(DbDate(from))
        .bind(DbDate(to))
        .bind(i64::from(first))
        .bind(i64::from(last))
        .fetch_all(p)
        .await?);
    rows.into_iter().map(CaseRecord::into_row).collect()
}

/// Every non-voided record of the persons in `$1` (a JSON list), each person's together (the
/// order of `records_case`, which SQLite reads without sorting), with the columns of
/// [`CaseRecord`].
fn all_records_sql() -> String {
    let persons = in_list(Backend::Sqlite, "r.person_id", 1, Item::Int);
    format!(
        "SELECT r.id, r.person_id, r.label, r.subject, r.form, r.provider, r.started_on,
                r.completed_on, r.hours_tenths, r.minutes, r.exam, r.for_year, r.filing_number,
                r.conversion_kind, r.achievement, r.corrects, r.registered_on, r.entry_index
           FROM records r
          WHERE {persons} AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.record_id = r.id)
          ORDER BY r.person_id"
    )
}

/// The columns of [`all_records_sql`].
const COLUMNS: usize = 18;

/// A column's value copied out of SQLite's row: text as a range of [`Held::bytes`].
#[derive(Clone)]
enum Cell {
    Null,
    Int(i64),
    Text(std::ops::Range<usize>),
    /// A type no case column has: decoding it reports the corrupt column.
    Other,
}

/// One person's rows as read, held until the person's last row tells which of them a case
/// uses: their values copied into one buffer (no allocation per value), and what the choice
/// needs.
#[derive(Default)]
struct Held {
    bytes: Vec<u8>,
    cells: Vec<Cell>,
    /// Per row: (first day, completion day, counts for one of the years, a conversion naming
    /// an achievement).
    rows: Vec<(Date, Date, bool, bool)>,
}

impl Held {
    fn clear(&mut self) {
        self.bytes.clear();
        self.cells.clear();
        self.rows.clear();
    }

    fn value(&self, row: usize, column: usize) -> rusqlite::types::ValueRef<'_> {
        use rusqlite::types::ValueRef;
        // Out of range cannot happen (every row holds `COLUMNS` cells into `bytes`); read as
        // NULL it would be reported by the decoder as an empty column.
        match self.cells.get(row * COLUMNS + column) {
            None | Some(Cell::Null) => ValueRef::Null,
            Some(Cell::Int(i)) => ValueRef::Integer(*i),
            Some(Cell::Text(r)) => self
                .bytes
                .get(r.clone())
                .map_or(ValueRef::Null, ValueRef::Text),
            // Reported by the decoder as "not text" / "not an integer".
            Some(Cell::Other) => ValueRef::Real(0.0),
        }
    }
}

/// [`records_for_years`] on a SQLite connection of our own ([`crate::direct`]): the same
/// records, chosen here instead of by the query. The query reads every record of the persons
/// straight from the covering index; the choice (the span of each person's days, the
/// conversions) is made in Rust as each person's rows end, and only the rows kept are decoded.
/// With the span as a grouped sub-query joined back (the sqlx path's query), SQLite spent
/// 50 ms of a 2,000-person batch's ~110 CPU-ms on it; reading the rows alone takes 5 ms.
pub(crate) fn records_for_years_direct(
    conn: &rusqlite::Connection,
    ids: &str,
    (first, last): (i32, i32),
) -> Result<Vec<RecordRow>, StoreError> {
    use crate::direct::{date, int, required};
    use rusqlite::types::ValueRef;
    let (from, to) = days(first, last)?;
    let mut stmt = conn.prepare_cached(&all_records_sql())?;
    let mut rows = stmt.query([ids])?;
    let mut out = Vec::new();
    let mut held = Held::default();
    let mut person = None;
    while let Some(row) = rows.next()? {
        let person_id = required(int(row.get_ref(1)?, "人员编号")?, "人员编号")?;
        if person != Some(person_id) {
            if person.is_some_and(|p| p > person_id) {
                return Err(StoreError::corrupt("记录未按人员排序"));
            }
            choose(&held, &mut out)?;
            held.clear();
            person = Some(person_id);
        }
        for i in 0..COLUMNS {
            let cell = match row.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Text(t) => {
                    let at = held.bytes.len();
                    held.bytes.extend_from_slice(t);
                    Cell::Text(at..held.bytes.len())
                }
                _ => Cell::Other,
            };
            held.cells.push(cell);
        }
        let at = held.rows.len();
        let completed = required(date(held.value(at, 7), "完成日期")?, "完成日期")?.0;
        let started = date(held.value(at, 6), "开始日期")?.map_or(completed, |d| d.0);
        let for_year = int(held.value(at, 11), "年度")?;
        let counts = (completed >= from && completed <= to)
            || for_year.is_some_and(|y| y >= i64::from(first) && y <= i64::from(last));
        let conversion = matches!(held.value(at, 4), ValueRef::Text(b"conversion"))
            && !matches!(held.value(at, 14), ValueRef::Null);
        held.rows.push((started, completed, counts, conversion));
    }
    choose(&held, &mut out)?;
    Ok(out)
}

/// Decodes, in registration order, the rows of one person that a case uses (see the module
/// header): the conversions naming an achievement, and every row sharing a day with the span
/// of the rows that count for the years.
fn choose(held: &Held, out: &mut Vec<RecordRow>) -> Result<(), StoreError> {
    let counting = held.rows.iter().filter(|r| r.2);
    let lo = counting.clone().map(|r| r.0).min();
    let hi = counting.map(|r| r.1).max();
    let mut kept = Vec::new();
    for (i, &(started, completed, _, conversion)) in held.rows.iter().enumerate() {
        let in_span = lo
            .zip(hi)
            .is_some_and(|(lo, hi)| completed >= lo && started <= hi);
        if conversion || in_span {
            kept.push(decode(|c| held.value(i, c))?);
        }
    }
    kept.sort_by_key(|r| r.entry_index);
    out.extend(kept);
    Ok(())
}

/// A record's columns (in [`all_records_sql`]'s order) as a case's record.
fn decode<'a>(v: impl Fn(usize) -> rusqlite::types::ValueRef<'a>) -> Result<RecordRow, StoreError> {
    use crate::direct::{date, int, required, text};
    let owned = |s: Option<&str>| s.map(str::to_owned);
    let record = CaseRecord {
        id: required(int(v(0), "记录编号")?, "记录编号")?,
        person_id: required(int(v(1), "人员编号")?, "人员编号")?,
        label: required(owned(text(v(2), "记录名称")?), "记录名称")?,
        subject: required(owned(text(v(3), "科目")?), "科目")?,
        form: required(owned(text(v(4), "学习形式")?), "学习形式")?,
        provider: owned(text(v(5), "机构")?),
        started_on: date(v(6), "开始日期")?,
        completed_on: required(date(v(7), "完成日期")?, "完成日期")?,
        hours_tenths: int(v(8), "学时")?,
        minutes: int(v(9), "分钟数")?,
        exam: required(owned(text(v(10), "考试结果")?), "考试结果")?,
        for_year: int(v(11), "年度")?,
        filing_number: owned(text(v(12), "备案号")?),
        conversion_kind: owned(text(v(13), "折算类型")?),
        achievement: owned(text(v(14), "成果")?),
        corrects: int(v(15), "更正记录")?,
        registered_on: required(date(v(16), "登记日期")?, "登记日期")?,
        entry_index: required(int(v(17), "账本序号")?, "账本序号")?,
    };
    record.into_row()
}
