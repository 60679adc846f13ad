//! What a unit and a professional see of their own: a unit's staff of a year with each person's
//! compliance and review state, paged in SQL (a unit may have thousands); the bookings of a unit
//! or of a person; a person's planned tenure cycles. Reads only; who may read is the caller's to
//! check. A person's year is placed at the unit they worked for on December 31 (or last before
//! it), as authorization and the summaries place it.

use xueshi_domain::Date;
use xueshi_policy::input::TitleLevel;

use crate::appointments::{Booking, BookingStatus};
use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::on_db;
use crate::requests::PAGE_OPEN;

/// Which of a year's staff to list, by their kept summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StaffStatus {
    #[default]
    All,
    Compliant,
    /// Required to study and short of the minimums.
    Short,
    /// Not required that year (left before it, D17a).
    NotRequired,
    /// No summary yet (never evaluated).
    Unknown,
}

impl StaffStatus {
    pub const ALL: [StaffStatus; 5] = [
        Self::All,
        Self::Compliant,
        Self::Short,
        Self::NotRequired,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Compliant => "compliant",
            Self::Short => "short",
            Self::NotRequired => "not_required",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn condition(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Compliant => " AND y.required AND y.compliant",
            Self::Short => " AND y.required AND NOT y.compliant",
            Self::NotRequired => " AND NOT y.required",
            Self::Unknown => " AND y.person_id IS NULL",
        }
    }
}

/// One staff member of a year as the unit's list shows them (the ID number masked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRow {
    pub person_id: i64,
    pub name: String,
    pub id_masked: String,
    pub left_on: Option<Date>,
    /// The employment at the unit ended on this day (the person moved or left).
    pub until: Option<Date>,
    /// The kept summary of the year, if any, and whether a write has made it stale.
    pub summary: Option<KeptSummary>,
    /// A submitted year page waits for review.
    pub review_pending: bool,
    /// The last review act of the year: stamped (true) or rejected (false).
    pub last_review: Option<bool>,
}

/// A person-year's kept summary, as the staff list reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeptSummary {
    pub required: bool,
    pub compliant: bool,
    pub total_tenths: i64,
    pub professional_tenths: i64,
    pub public_tenths: i64,
    pub total_short_tenths: i64,
    pub professional_short_tenths: i64,
    pub stale: bool,
}

/// How many of a year's staff (matching the name filter) are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StaffCounts {
    pub all: i64,
    pub compliant: i64,
    pub short: i64,
    pub not_required: i64,
    pub unknown: i64,
}

impl StaffCounts {
    pub fn of(&self, status: StaffStatus) -> i64 {
        match status {
            StaffStatus::All => self.all,
            StaffStatus::Compliant => self.compliant,
            StaffStatus::Short => self.short,
            StaffStatus::NotRequired => self.not_required,
            StaffStatus::Unknown => self.unknown,
        }
    }
}

/// A page of a unit's staff.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffPage {
    pub counts: StaffCounts,
    pub rows: Vec<StaffRow>,
}

/// The query of a staff page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffQuery {
    pub status: StaffStatus,
    /// Part of the name (matched literally).
    pub name: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// The person-years placed at the unit: the employment that started last by December 31 ($3),
/// unless it ended before January 1 ($4). `$1` unit, `$2` year, `$5` name pattern or NULL.
const STAFF_FROM: &str = "FROM employments e JOIN persons p ON p.id = e.person_id
    LEFT JOIN person_year_summaries y ON y.person_id = e.person_id AND y.year = $2
    WHERE e.unit_id = $1 AND e.from_on <= $3 AND (e.to_on IS NULL OR e.to_on >= $4)
      AND NOT EXISTS (SELECT 1 FROM employments e2 WHERE e2.person_id = e.person_id
          AND e2.from_on <= $3 AND (e2.from_on > e.from_on OR (e2.from_on = e.from_on AND e2.id > e.id)))
      AND ($5 IS NULL OR p.name LIKE $5 ESCAPE '\\')";

/// A page of the unit's staff of `year`, by name, with the counts of each state.
pub async fn unit_staff(
    db: &Db,
    unit_id: i64,
    year: i32,
    q: &StaffQuery,
) -> Result<StaffPage, StoreError> {
    let (first, last) = crate::summaries::year_span(year, "staff.year")?;
    let name = q
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(crate::db::contains_pattern);
    let count_sql = format!(
        "SELECT COUNT(*),
           COUNT(CASE WHEN y.required AND y.compliant THEN 1 END),
           COUNT(CASE WHEN y.required AND NOT y.compliant THEN 1 END),
           COUNT(CASE WHEN NOT y.required THEN 1 END),
           COUNT(CASE WHEN y.person_id IS NULL THEN 1 END)
         {STAFF_FROM}"
    );
    let page_sql = format!(
        "SELECT p.id AS person_id, p.name, p.id_masked, p.left_on, e.to_on AS until,
           y.person_id IS NOT NULL AS summarised,
           COALESCE(y.required, FALSE) AS required, COALESCE(y.compliant, FALSE) AS compliant,
           COALESCE(y.total_tenths, 0) AS total_tenths,
           COALESCE(y.professional_tenths, 0) AS professional_tenths,
           COALESCE(y.public_tenths, 0) AS public_tenths,
           COALESCE(y.total_short_tenths, 0) AS total_short_tenths,
           COALESCE(y.professional_short_tenths, 0) AS professional_short_tenths,
           EXISTS (SELECT 1 FROM summary_dirty d WHERE d.person_id = p.id AND d.year = $2) AS stale,
           EXISTS (SELECT 1 FROM year_page_submissions s WHERE s.person_id = p.id AND s.year = $2
               AND {PAGE_OPEN}) AS review_pending,
           (SELECT r.approved FROM review_acts r WHERE r.person_id = p.id AND r.year = $2
               ORDER BY r.entry_index DESC LIMIT 1) AS last_review
         {STAFF_FROM}{status}
         ORDER BY p.name, p.id LIMIT $6 OFFSET $7",
        status = q.status.condition()
    );
    #[derive(sqlx::FromRow)]
    struct Raw {
        person_id: i64,
        name: String,
        id_masked: String,
        left_on: Option<DbDate>,
        until: Option<DbDate>,
        summarised: bool,
        required: bool,
        compliant: bool,
        total_tenths: i64,
        professional_tenths: i64,
        public_tenths: i64,
        total_short_tenths: i64,
        professional_short_tenths: i64,
        stale: bool,
        review_pending: bool,
        last_review: Option<bool>,
    }
    let year = i64::from(year);
    let (counts, rows): ((i64, i64, i64, i64, i64), Vec<Raw>) = on_db!(db, p => (
        sqlx::query_as(sqlx::AssertSqlSafe(count_sql))
            .bind(unit_id).bind(year).bind(DbDate(last)).bind(DbDate(first)).bind(name.as_deref())
            .fetch_one(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(page_sql))
            .bind(unit_id).bind(year).bind(DbDate(last)).bind(DbDate(first)).bind(name.as_deref())
            .bind(q.limit.clamp(1, 500)).bind(q.offset.max(0))
            .fetch_all(p).await?,
    ));
    let (all, compliant, short, not_required, unknown) = counts;
    Ok(StaffPage {
        counts: StaffCounts {
            all,
            compliant,
            short,
            not_required,
            unknown,
        },
        rows: rows
            .into_iter()
            .map(|r| StaffRow {
                person_id: r.person_id,
                name: r.name,
                id_masked: r.id_masked,
                left_on: r.left_on.map(|d| d.0),
                until: r.until.map(|d| d.0),
                summary: r.summarised.then_some(KeptSummary {
                    required: r.required,
                    compliant: r.compliant,
                    total_tenths: r.total_tenths,
                    professional_tenths: r.professional_tenths,
                    public_tenths: r.public_tenths,
                    total_short_tenths: r.total_short_tenths,
                    professional_short_tenths: r.professional_short_tenths,
                    stale: r.stale,
                }),
                review_pending: r.review_pending,
                last_review: r.last_review,
            })
            .collect(),
    })
}

/// A booking with the names of its persons and its slot's date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRow {
    pub booking: Booking,
    /// (person id, name), by person id.
    pub names: Vec<(i64, String)>,
}

/// Bookings matching `filter` (over `b`, `$1` bound to `key`), newest first, at most 200.
async fn bookings_where(db: &Db, filter: &str, key: i64) -> Result<Vec<BookingRow>, StoreError> {
    let sql = format!(
        "SELECT b.id, b.slot_id, b.unit_id, b.status, b.created_ms, b.cancelled_ms FROM bookings b
         WHERE {filter} ORDER BY b.id DESC LIMIT 200"
    );
    let psql = format!(
        "SELECT bp.booking_id, bp.person_id, p.name FROM booking_persons bp
         JOIN persons p ON p.id = bp.person_id
         WHERE bp.booking_id IN (SELECT b.id FROM bookings b WHERE {filter} ORDER BY b.id DESC LIMIT 200)
         ORDER BY bp.booking_id, bp.person_id"
    );
    type Raw = (i64, i64, i64, String, i64, Option<i64>);
    let (rows, persons): (Vec<Raw>, Vec<(i64, i64, String)>) = on_db!(db, p => (
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).fetch_all(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(psql)).bind(key).fetch_all(p).await?,
    ));
    rows.into_iter()
        .map(|(id, slot_id, unit_id, status, created_ms, cancelled_ms)| {
            let names: Vec<(i64, String)> = persons
                .iter()
                .filter(|(b, _, _)| *b == id)
                .map(|(_, p, n)| (*p, n.clone()))
                .collect();
            Ok(BookingRow {
                booking: Booking {
                    id,
                    slot_id,
                    unit_id,
                    persons: names.iter().map(|(p, _)| *p).collect(),
                    status: BookingStatus::parse(&status)
                        .ok_or_else(|| StoreError::corrupt("预约状态无效"))?,
                    created_ms,
                    cancelled_ms,
                },
                names,
            })
        })
        .collect()
}

/// A unit's bookings, newest first (at most 200), cancelled ones included.
pub async fn unit_bookings(db: &Db, unit_id: i64) -> Result<Vec<BookingRow>, StoreError> {
    bookings_where(db, "b.unit_id = $1", unit_id).await
}

/// The bookings that include a person, newest first (at most 200), cancelled ones included.
pub async fn person_bookings(db: &Db, person_id: i64) -> Result<Vec<BookingRow>, StoreError> {
    bookings_where(
        db,
        "b.id IN (SELECT booking_id FROM booking_persons WHERE person_id = $1)",
        person_id,
    )
    .await
}

/// A tenure cycle a person plans to apply with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedCycle {
    pub level: TitleLevel,
    pub first_year: i32,
    pub last_year: i32,
}

/// A person's planned tenure cycles, latest first.
pub async fn tenure_cycles(db: &Db, person_id: i64) -> Result<Vec<PlannedCycle>, StoreError> {
    let sql = "SELECT target_level, first_year, last_year FROM tenure_cycles WHERE person_id = $1
               ORDER BY last_year DESC, id DESC";
    let rows: Vec<(String, i64, i64)> =
        on_db!(db, p => sqlx::query_as(sql).bind(person_id).fetch_all(p).await?);
    let year = |y: i64| i32::try_from(y).map_err(|_| StoreError::corrupt("年度无效"));
    rows.into_iter()
        .map(|(level, first, last)| {
            Ok(PlannedCycle {
                level: TitleLevel::parse(&level)
                    .ok_or_else(|| StoreError::corrupt("职称级别无效"))?,
                first_year: year(first)?,
                last_year: year(last)?,
            })
        })
        .collect()
}

/// A unit's name, if the unit exists.
pub async fn unit_name(db: &Db, unit_id: i64) -> Result<Option<String>, StoreError> {
    let sql = "SELECT name FROM units WHERE id = $1";
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(unit_id).fetch_optional(p).await?))
}
