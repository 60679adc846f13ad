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

/// [`records_for_years`] on a SQLite connection of our own ([`crate::direct`]): the same query,
/// each row decoded where SQLite holds it.
pub(crate) fn records_for_years_direct(
    conn: &rusqlite::Connection,
    ids: &str,
    (first, last): (i32, i32),
) -> Result<Vec<RecordRow>, StoreError> {
    use crate::direct::{date, int, required, text};
    let (from, to) = days(first, last)?;
    let params = rusqlite::params![
        ids,
        from.to_string(),
        to.to_string(),
        i64::from(first),
        i64::from(last)
    ];
    crate::direct::rows(conn, &records_sql(Backend::Sqlite), params, |row| {
        let v = |i: usize| row.get_ref(i);
        let owned = |s: Option<&str>| s.map(str::to_owned);
        let record = CaseRecord {
            id: required(int(v(0)?, "记录编号")?, "记录编号")?,
            person_id: required(int(v(1)?, "人员编号")?, "人员编号")?,
            label: required(owned(text(v(2)?, "记录名称")?), "记录名称")?,
            subject: required(owned(text(v(3)?, "科目")?), "科目")?,
            form: required(owned(text(v(4)?, "学习形式")?), "学习形式")?,
            provider: owned(text(v(5)?, "机构")?),
            started_on: date(v(6)?, "开始日期")?,
            completed_on: required(date(v(7)?, "完成日期")?, "完成日期")?,
            hours_tenths: int(v(8)?, "学时")?,
            minutes: int(v(9)?, "分钟数")?,
            exam: required(owned(text(v(10)?, "考试结果")?), "考试结果")?,
            for_year: int(v(11)?, "年度")?,
            filing_number: owned(text(v(12)?, "备案号")?),
            conversion_kind: owned(text(v(13)?, "折算类型")?),
            achievement: owned(text(v(14)?, "成果")?),
            corrects: int(v(15)?, "更正记录")?,
            registered_on: required(date(v(16)?, "登记日期")?, "登记日期")?,
            entry_index: required(int(v(17)?, "账本序号")?, "账本序号")?,
        };
        record.into_row()
    })
}
