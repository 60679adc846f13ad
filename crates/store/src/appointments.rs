//! Appointment slots for verification (D16): a bureau opens a slot with a capacity, units book
//! it for a batch of their staff, and a booking may be cancelled, freeing its seats. A slot
//! never overbooks, even under concurrent bookings: each booking counts the booked persons and
//! inserts in one transaction that holds the slot (PostgreSQL locks the slot row with
//! `SELECT … FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` serialises writers). Bookings are a
//! workflow, not official acts: they are not ledger-covered and their status changes. Whether
//! the persons are the unit's staff, or due for verification, is the application's to check.

use xueshi_domain::Date;

use crate::audit::Line;
use crate::covered::Watched;
use crate::db::{Backend, Db, DbDate, tx_backend};
use crate::error::StoreError;
use crate::on_db;
use crate::organisations::kind_of;

/// Where a slot takes place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Online,
    At(String),
}

/// A slot a bureau opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSlot {
    /// The bureau (city, county or zone centre).
    pub bureau_id: i64,
    pub on: Date,
    pub place: Place,
    /// Persons the slot takes.
    pub capacity: u32,
    /// The industry the slot is for, if any.
    pub industry: Option<String>,
    /// The official who opened it.
    pub opened_by: String,
    /// From when to when that day ("HH:MM", Beijing), checked by the use case; none: the
    /// whole working day.
    pub times: Option<(String, String)>,
}

/// A slot as stored, with its seats taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub id: i64,
    pub bureau_id: i64,
    pub on: Date,
    pub place: Place,
    pub capacity: i64,
    pub industry: Option<String>,
    pub opened_by: String,
    /// From when to when that day ("HH:MM", Beijing), if said.
    pub times: Option<(String, String)>,
    /// Persons in bookings not cancelled.
    pub booked: i64,
}

impl Slot {
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.booked).max(0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingStatus {
    Booked,
    Cancelled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "booked" => Some(Self::Booked),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// A booking as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub id: i64,
    pub slot_id: i64,
    pub unit_id: i64,
    pub persons: Vec<i64>,
    pub status: BookingStatus,
    pub created_ms: i64,
    pub cancelled_ms: Option<i64>,
}

/// Opens a slot, returning its id; its audit line `line` (about `slot:ID`) commits with it.
pub async fn open_slot(db: &Db, slot: &NewSlot, line: &Line) -> Result<i64, StoreError> {
    if slot.capacity == 0 {
        return Err(StoreError::invalid("slot.capacity", "预约时段名额须大于零"));
    }
    if slot.opened_by.trim().is_empty() {
        return Err(StoreError::invalid(
            "slot.opened_by",
            "须写明开放预约的人员",
        ));
    }
    let (online, place) = match &slot.place {
        Place::Online => (true, None),
        Place::At(p) if p.trim().is_empty() => {
            return Err(StoreError::invalid("slot.place", "须写明核验地点"));
        }
        Place::At(p) => (false, Some(p.as_str())),
    };
    if !kind_of(db, slot.bureau_id).await?.is_bureau() {
        return Err(StoreError::invalid(
            "slot.bureau",
            "只有人社部门（市、县人社局或开发区中心）可以开放预约",
        ));
    }
    let sql = "INSERT INTO appointment_slots (bureau_id, slot_on, online, place, capacity, industry, opened_by, created_ms, starts_at, ends_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let (starts_at, ends_at) = slot.times.clone().unzip();
    crate::in_tx!(db, tx => {
        let id: i64 = sqlx::query_scalar(sql)
            .bind(slot.bureau_id)
            .bind(DbDate(slot.on))
            .bind(online)
            .bind(place)
            .bind(i64::from(slot.capacity))
            .bind(slot.industry.as_deref())
            .bind(&slot.opened_by)
            .bind(line.at_ms)
            .bind(starts_at.as_deref())
            .bind(ends_at.as_deref())
            .fetch_one(&mut **tx)
            .await?;
        crate::line_in_tx!(tx, &line.about(format!("slot:{id}")))?;
        Ok(id)
    })
}

const BOOKED_SQL: &str =
    "SELECT COUNT(*) FROM booking_persons bp JOIN bookings b ON b.id = bp.booking_id
    WHERE b.slot_id = $1 AND b.status = 'booked'";

/// The columns of a slot with its booked seats, as [`RawSlot`] reads them.
const SLOT_SQL: &str =
    "SELECT s.id, s.bureau_id, s.slot_on, s.online, s.place, s.capacity, s.industry, s.opened_by,
      s.starts_at, s.ends_at, (SELECT COUNT(*) FROM booking_persons bp JOIN bookings b ON b.id = bp.booking_id
        WHERE b.slot_id = s.id AND b.status = 'booked') AS booked
    FROM appointment_slots s";

#[derive(sqlx::FromRow)]
struct RawSlot {
    id: i64,
    bureau_id: i64,
    slot_on: DbDate,
    online: bool,
    place: Option<String>,
    capacity: i64,
    industry: Option<String>,
    opened_by: String,
    starts_at: Option<String>,
    ends_at: Option<String>,
    booked: i64,
}

impl RawSlot {
    fn decode(self) -> Result<Slot, StoreError> {
        let place = match (self.online, self.place) {
            (true, _) => Place::Online,
            (false, Some(p)) => Place::At(p),
            (false, None) => {
                return Err(StoreError::corrupt("预约时段缺少地点"));
            }
        };
        Ok(Slot {
            id: self.id,
            bureau_id: self.bureau_id,
            on: self.slot_on.0,
            place,
            capacity: self.capacity,
            industry: self.industry,
            opened_by: self.opened_by,
            times: self.starts_at.zip(self.ends_at),
            booked: self.booked,
        })
    }
}

/// A slot with its booked seats.
pub async fn slot(db: &Db, slot_id: i64) -> Result<Slot, StoreError> {
    let sql = format!("{SLOT_SQL} WHERE s.id = $1");
    let raw: Option<RawSlot> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(slot_id).fetch_optional(p).await?);
    raw.ok_or(StoreError::NotFound("预约时段"))?.decode()
}

/// A bureau's slots on or after `from`, by date then id, at most `limit`; with `industry`,
/// only the slots open to it (its own and those for every industry).
pub async fn bureau_slots(
    db: &Db,
    bureau_id: i64,
    from: Date,
    industry: Option<&str>,
    limit: i64,
) -> Result<Vec<Slot>, StoreError> {
    let sql = format!(
        "{SLOT_SQL} WHERE s.bureau_id = $1 AND s.slot_on >= $2 AND ($3 IS NULL OR s.industry IS NULL OR s.industry = $3)
         ORDER BY s.slot_on, s.starts_at, s.id LIMIT {limit}"
    );
    let raws: Vec<RawSlot> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(bureau_id).bind(DbDate(from)).bind(industry).fetch_all(p).await?);
    raws.into_iter().map(RawSlot::decode).collect()
}

/// One booking.
pub async fn booking(db: &Db, booking_id: i64) -> Result<Booking, StoreError> {
    let slot_id: Option<i64> = on_db!(db, p => sqlx::query_scalar("SELECT slot_id FROM bookings WHERE id = $1")
        .bind(booking_id).fetch_optional(p).await?);
    let slot_id = slot_id.ok_or(StoreError::NotFound("预约"))?;
    bookings(db, slot_id)
        .await?
        .into_iter()
        .find(|b| b.id == booking_id)
        .ok_or(StoreError::NotFound("预约"))
}

/// Runs `$body` in a transaction that holds slot `$slot_id` against concurrent bookings:
/// `BEGIN IMMEDIATE` on SQLite (one writer at a time), the slot row locked `FOR UPDATE` on
/// PostgreSQL. `$capacity` is bound to the slot's capacity; a missing slot is `NotFound`.
macro_rules! in_slot_tx {
    ($db:expr, $slot_id:expr, $tx:ident, $capacity:ident => $body:expr) => {
        match $db {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let $tx = &mut tx;
                let out = slot_body!($tx, $slot_id, $capacity => $body);
                if out.is_ok() {
                    tx.commit().await?;
                }
                out
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let $tx = &mut tx;
                let out = slot_body!($tx, $slot_id, $capacity => $body);
                if out.is_ok() {
                    tx.commit().await?;
                }
                out
            }
        }
    };
}

macro_rules! slot_body {
    ($tx:ident, $slot_id:expr, $capacity:ident => $body:expr) => {{
        let lock = match tx_backend(&*$tx) {
            Backend::Postgres => "SELECT capacity FROM appointment_slots WHERE id = $1 FOR UPDATE",
            Backend::Sqlite => "SELECT capacity FROM appointment_slots WHERE id = $1",
        };
        let capacity: Option<i64> = sqlx::query_scalar(lock)
            .bind($slot_id)
            .fetch_optional(&mut **$tx)
            .await?;
        match capacity {
            None => Err(StoreError::NotFound("预约时段")),
            Some($capacity) => $body,
        }
    }};
}

/// Books seats at a slot for `persons` of a unit, returning the booking's id; its audit line
/// `line` (about `slot:S/booking:B`) commits with it. Refuses with `booking.full`
/// ([`StoreError::BookingFull`], naming the seats left) when the slot cannot take them all;
/// never overbooks. A person already booked on the slot is refused with
/// [`StoreError::Duplicate`] `booking.duplicate` naming that booking (the check holds the
/// slot, so concurrent identical bookings give one booking).
pub async fn book(
    db: &Db,
    slot_id: i64,
    unit_id: i64,
    persons: &[i64],
    line: &Line,
) -> Result<i64, StoreError> {
    let now_ms = line.at_ms;
    if persons.is_empty() {
        return Err(StoreError::invalid("booking.persons", "预约须至少包含一人"));
    }
    let mut unique = persons.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != persons.len() {
        return Err(StoreError::invalid(
            "booking.persons",
            "预约名单中有重复人员",
        ));
    }
    let asked = i64::try_from(persons.len()).unwrap_or(i64::MAX);
    in_slot_tx!(db, slot_id, tx, capacity => {
        let booked: i64 = sqlx::query_scalar(BOOKED_SQL)
            .bind(slot_id)
            .fetch_one(&mut **tx)
            .await?;
        let left = capacity - booked;
        if asked > left {
            return Err(StoreError::BookingFull { left: left.max(0), asked: persons.len() });
        }
        let dup = format!(
            "SELECT b.id, bp.person_id FROM booking_persons bp JOIN bookings b ON b.id = bp.booking_id
             WHERE b.slot_id = $1 AND b.status = 'booked' AND bp.person_id IN ({}) ORDER BY b.id LIMIT 1",
            // Numbered for both backends: SQLite's anonymous `?` would restart at the first
            // argument after the named `$1`.
            (2..persons.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(dup)).bind(slot_id);
        for p in persons {
            q = q.bind(*p);
        }
        if let Some((existing, person)) = q.fetch_optional(&mut **tx).await? {
            return Err(StoreError::Duplicate {
                code: "booking.duplicate",
                message: format!("人员 #{person} 已预约该时段（预约编号 {existing}），不能重复预约"),
                existing,
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bookings (slot_id, unit_id, status, created_ms) VALUES ($1, $2, 'booked', $3) RETURNING id",
        )
        .bind(slot_id)
        .bind(unit_id)
        .bind(now_ms)
        .fetch_one(&mut **tx)
        .await?;
        let sql = format!(
            "INSERT INTO booking_persons (booking_id, person_id) VALUES {}",
            crate::db::values(tx_backend(&*tx), persons.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for p in persons {
            q = q.bind(id).bind(*p);
        }
        q.execute(&mut **tx).await?;
        crate::line_in_tx!(tx, &line.about(format!("slot:{slot_id}/booking:{id}")), Some((Watched::Booking, id)))?;
        Ok(id)
    })
}

/// Cancels a booking, freeing its seats; its audit line `line` (about `booking:B`) commits
/// with it. Cancelling twice is refused (`booking.cancelled`).
pub async fn cancel(db: &Db, booking_id: i64, line: &Line) -> Result<(), StoreError> {
    let sql = "UPDATE bookings SET status = 'cancelled', cancelled_ms = $1 WHERE id = $2 AND status = 'booked'";
    let done: u64 = crate::in_tx!(db, tx => {
        let done = sqlx::query(sql).bind(line.at_ms).bind(booking_id).execute(&mut **tx).await?.rows_affected();
        if done == 1 {
            crate::line_in_tx!(tx, &line.about(format!("booking:{booking_id}")), Some((Watched::Booking, booking_id)))?;
        }
        Ok::<u64, StoreError>(done)
    })?;
    if done == 1 {
        return Ok(());
    }
    let exists: Option<i64> = on_db!(db, p => sqlx::query_scalar("SELECT id FROM bookings WHERE id = $1")
        .bind(booking_id)
        .fetch_optional(p)
        .await?);
    match exists {
        Some(_) => Err(StoreError::invalid("booking.cancelled", "该预约已取消")),
        None => Err(StoreError::NotFound("预约")),
    }
}

/// The bookings of a slot, oldest first, cancelled ones included.
pub async fn bookings(db: &Db, slot_id: i64) -> Result<Vec<Booking>, StoreError> {
    let sql = "SELECT id, slot_id, unit_id, status, created_ms, cancelled_ms FROM bookings
               WHERE slot_id = $1 ORDER BY id";
    let psql = "SELECT bp.booking_id, bp.person_id FROM booking_persons bp JOIN bookings b ON b.id = bp.booking_id
                WHERE b.slot_id = $1 ORDER BY bp.booking_id, bp.person_id";
    type Raw = (i64, i64, i64, String, i64, Option<i64>);
    let (rows, persons): (Vec<Raw>, Vec<(i64, i64)>) = on_db!(db, p => (
        sqlx::query_as(sql).bind(slot_id).fetch_all(p).await?,
        sqlx::query_as(psql).bind(slot_id).fetch_all(p).await?,
    ));
    rows.into_iter()
        .map(|(id, slot_id, unit_id, status, created_ms, cancelled_ms)| {
            Ok(Booking {
                id,
                slot_id,
                unit_id,
                persons: persons
                    .iter()
                    .filter(|(b, _)| *b == id)
                    .map(|(_, p)| *p)
                    .collect(),
                status: BookingStatus::parse(&status)
                    .ok_or_else(|| StoreError::corrupt("预约状态无效"))?,
                created_ms,
                cancelled_ms,
            })
        })
        .collect()
}

/// One person of a slot's bookings, named for the bureau's list.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct RosterLine {
    pub booking_id: i64,
    pub person_id: i64,
    pub name: String,
    pub id_masked: String,
    pub unit_name: String,
}

/// Who is booked on a slot (cancelled bookings included), by booking then person.
pub async fn roster(db: &Db, slot_id: i64) -> Result<Vec<RosterLine>, StoreError> {
    let sql =
        "SELECT b.id AS booking_id, p.id AS person_id, p.name, p.id_masked, u.name AS unit_name
               FROM bookings b JOIN booking_persons bp ON bp.booking_id = b.id
               JOIN persons p ON p.id = bp.person_id JOIN units u ON u.id = b.unit_id
               WHERE b.slot_id = $1 ORDER BY b.id, p.id";
    Ok(on_db!(db, p => sqlx::query_as(sql).bind(slot_id).fetch_all(p).await?))
}
