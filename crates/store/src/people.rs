//! Persons, units and employment history. A person's ID number is never stored in clear: it
//! is sealed, found by a keyed blind index, shown masked, and enters the ledger only as a salted
//! commitment (D19). Changing unit adds an employment; past records stay with the person.

use sha2::{Digest, Sha256};
use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::input::Cohort;

use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::keys::{Keys, random};
use crate::on_db;

/// The kinds of employer (235号 一).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    Enterprise,
    Institution,
    SocialOrg,
    NonPublic,
    StateOwned,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        Self::Enterprise,
        Self::Institution,
        Self::SocialOrg,
        Self::NonPublic,
        Self::StateOwned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::Institution => "institution",
            Self::SocialOrg => "social_org",
            Self::NonPublic => "non_public",
            Self::StateOwned => "state_owned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUnit {
    pub credit_code: CreditCode,
    pub name: String,
    /// The city for a city-direct unit, else its county or district.
    pub region: RegionCode,
    /// A development zone the unit belongs to, by zone id.
    pub zone_id: Option<i64>,
    pub industry: String,
    pub kind: UnitKind,
}

#[derive(Clone, Debug)]
pub struct NewPerson {
    pub id_number: IdNumber,
    pub name: String,
    pub cohort: Cohort,
    pub phone: Option<String>,
}

/// A person as most screens see them: masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub id_masked: String,
    pub name: String,
    pub cohort: Cohort,
    pub left_on: Option<Date>,
    pub commitment: [u8; 32],
}

/// The salted commitment to a person's identity that the ledger carries instead of it.
pub fn commitment(salt: &[u8], id_number: &str, name: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"xueshi-person-v1\0");
    h.update(salt);
    h.update(id_number.as_bytes());
    h.update([0]);
    h.update(name.as_bytes());
    h.finalize().into()
}

fn to32(bytes: &[u8]) -> Result<[u8; 32], StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::corrupt("哈希长度错误"))
}

/// Inserts a unit through `$exec` (a pool or a transaction's connection), giving its id.
macro_rules! insert_unit_row {
    ($exec:expr, $unit:expr, $now_ms:expr) => {{
        let unit: &$crate::people::NewUnit = $unit;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (credit_code, name, region, zone_id, industry, kind, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(unit.credit_code.as_str())
        .bind(&unit.name)
        .bind(i64::from(unit.region.as_u32()))
        .bind(unit.zone_id)
        .bind(&unit.industry)
        .bind(unit.kind.as_str())
        .bind($now_ms)
        .fetch_one($exec)
        .await?;
        id
    }};
}

/// What the database keeps of a person's identity: the ID number sealed, its blind index, the
/// masked form, and the salted commitment the ledger carries — made outside any transaction
/// (it needs randomness) and written by [`insert_person_row!`].
#[derive(Clone)]
pub(crate) struct SealedPerson {
    pub blind: Vec<u8>,
    pub id_sealed: Vec<u8>,
    pub id_masked: String,
    pub name: String,
    pub salt: [u8; 16],
    pub commitment: [u8; 32],
    pub cohort: Cohort,
    pub phone_sealed: Option<Vec<u8>>,
}

impl SealedPerson {
    pub(crate) fn new(keys: &Keys, person: &NewPerson) -> Result<Self, StoreError> {
        let id_number = person.id_number.expose();
        let salt: [u8; 16] = random()?;
        Ok(Self {
            blind: keys.blind_index("id_number", id_number),
            id_sealed: keys.seal("id_number", id_number)?,
            id_masked: person.id_number.masked(),
            name: person.name.clone(),
            salt,
            commitment: commitment(&salt, id_number, &person.name),
            cohort: person.cohort,
            phone_sealed: person
                .phone
                .as_deref()
                .map(|p| keys.seal("phone", p))
                .transpose()?,
        })
    }
}

/// Inserts a sealed person through `$exec`, giving their id.
macro_rules! insert_person_row {
    ($exec:expr, $sealed:expr, $now_ms:expr) => {{
        let s: &$crate::people::SealedPerson = $sealed;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO persons (id_blind, id_sealed, id_masked, name, salt, commitment, cohort, phone_sealed, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&s.blind)
        .bind(&s.id_sealed)
        .bind(&s.id_masked)
        .bind(&s.name)
        .bind(s.salt.to_vec())
        .bind(s.commitment.to_vec())
        .bind(s.cohort.as_str())
        .bind(&s.phone_sealed)
        .bind($now_ms)
        .fetch_one($exec)
        .await?;
        id
    }};
}

/// Starts an employment at `$unit_id` from `$from` through `$conn` (inside a transaction),
/// closing the current one the day before.
macro_rules! employ_rows {
    ($conn:expr, $person_id:expr, $unit_id:expr, $from:expr) => {{
        let (person_id, unit_id, from): (i64, i64, xueshi_domain::Date) = ($person_id, $unit_id, $from);
        let day_before = xueshi_domain::Date::from_day_number(from.day_number() - 1)
            .map_err(|_| $crate::error::StoreError::invalid("employment.date", "入职日期无效"))?;
        sqlx::query("UPDATE employments SET to_on = $1 WHERE person_id = $2 AND to_on IS NULL AND from_on <= $1")
            .bind($crate::db::DbDate(day_before))
            .bind(person_id)
            .execute(&mut *$conn)
            .await?;
        sqlx::query("INSERT INTO employments (person_id, unit_id, from_on) VALUES ($1, $2, $3)")
            .bind(person_id)
            .bind(unit_id)
            .bind($crate::db::DbDate(from))
            .execute(&mut *$conn)
            .await?;
    }};
}

pub(crate) use {employ_rows, insert_person_row, insert_unit_row};

/// Inserts a unit, returning its id; an existing credit code is a conflict.
pub async fn insert_unit(db: &Db, unit: &NewUnit, now_ms: i64) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => insert_unit_row!(p, unit, now_ms)))
}

/// Finds a unit by credit code.
pub async fn unit_id(db: &Db, code: &CreditCode) -> Result<Option<i64>, StoreError> {
    let sql = "SELECT id FROM units WHERE credit_code = $1";
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(code.as_str()).fetch_optional(p).await?))
}

/// Inserts a person with sealed identity; an ID number already present is a conflict.
pub async fn insert_person(
    db: &Db,
    keys: &Keys,
    person: &NewPerson,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let sealed = SealedPerson::new(keys, person)?;
    Ok(on_db!(db, p => insert_person_row!(p, &sealed, now_ms)))
}

/// Inserts persons with their employments (unit, from) in one transaction, answering their
/// ids in order: the bulk path of a seed (each person sealed as [`insert_person`] does).
pub async fn insert_persons(
    db: &Db,
    keys: &Keys,
    persons: &[(NewPerson, Vec<(i64, Date)>)],
    now_ms: i64,
) -> Result<Vec<i64>, StoreError> {
    let sealed = persons
        .iter()
        .map(|(p, _)| SealedPerson::new(keys, p))
        .collect::<Result<Vec<_>, _>>()?;
    crate::in_tx!(db, tx => {
        let mut ids = Vec::with_capacity(persons.len());
        for ((_, jobs), s) in persons.iter().zip(&sealed) {
            let id = insert_person_row!(&mut **tx, s, now_ms);
            for (unit_id, from) in jobs {
                employ_rows!(*tx, id, *unit_id, *from);
            }
            ids.push(id);
        }
        Ok::<_, StoreError>(ids)
    })
}

/// Finds a person by ID number through the blind index (the number itself is never queried).
pub async fn person_by_id_number(
    db: &Db,
    keys: &Keys,
    id_number: &IdNumber,
) -> Result<Option<Person>, StoreError> {
    let blind = keys.blind_index("id_number", id_number.expose());
    let sql =
        "SELECT id, id_masked, name, cohort, left_on, commitment FROM persons WHERE id_blind = $1";
    let row = on_db!(db, p => sqlx::query_as::<_, (i64, String, String, String, Option<DbDate>, Vec<u8>)>(sql)
        .bind(blind)
        .fetch_optional(p)
        .await?);
    row.map(person_from_row).transpose()
}

/// A person by internal id.
pub async fn person(db: &Db, id: i64) -> Result<Person, StoreError> {
    let sql = "SELECT id, id_masked, name, cohort, left_on, commitment FROM persons WHERE id = $1";
    let row = on_db!(db, p => sqlx::query_as::<_, (i64, String, String, String, Option<DbDate>, Vec<u8>)>(sql)
        .bind(id)
        .fetch_optional(p)
        .await?);
    row.map(person_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound("人员"))
}

pub(crate) fn person_from_row(
    row: (i64, String, String, String, Option<DbDate>, Vec<u8>),
) -> Result<Person, StoreError> {
    let (id, id_masked, name, cohort, left_on, commitment) = row;
    Ok(Person {
        id,
        id_masked,
        name,
        cohort: Cohort::parse(&cohort).unwrap_or_default(),
        left_on: left_on.map(|d| d.0),
        commitment: to32(&commitment)?,
    })
}

/// The unsealed ID number, for the rare caller entitled to it (the caller audits the disclosure).
pub async fn reveal_id_number(db: &Db, keys: &Keys, person_id: i64) -> Result<String, StoreError> {
    let sql = "SELECT id_sealed FROM persons WHERE id = $1";
    let sealed: Option<Vec<u8>> =
        on_db!(db, p => sqlx::query_scalar(sql).bind(person_id).fetch_optional(p).await?);
    keys.open("id_number", &sealed.ok_or(StoreError::NotFound("人员"))?)
}

/// Starts an employment at `unit_id` from `from`, closing the current one the day before.
pub async fn employ(db: &Db, person_id: i64, unit_id: i64, from: Date) -> Result<(), StoreError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        employ_rows!(tx, person_id, unit_id, from);
        tx.commit().await?;
    });
    Ok(())
}

/// Where a person's unit is on a date: its region and zone name, if employed then.
pub async fn unit_place_on(
    db: &Db,
    person_id: i64,
    on: Date,
) -> Result<Option<(RegionCode, Option<String>)>, StoreError> {
    let sql = "SELECT u.region, z.name FROM employments e JOIN units u ON u.id = e.unit_id
               LEFT JOIN zones z ON z.id = u.zone_id
               WHERE e.person_id = $1 AND e.from_on <= $2 AND (e.to_on IS NULL OR e.to_on >= $2)
               ORDER BY e.from_on DESC LIMIT 1";
    let row: Option<(i64, Option<String>)> = on_db!(db, p => sqlx::query_as(sql)
        .bind(person_id)
        .bind(DbDate(on))
        .fetch_optional(p)
        .await?);
    row.map(|(region, zone)| {
        let region = u32::try_from(region)
            .ok()
            .and_then(|r| RegionCode::from_u32(r).ok());
        region
            .map(|r| (r, zone))
            .ok_or_else(|| StoreError::corrupt("单位行政区划代码无效"))
    })
    .transpose()
}

/// Records that a person retired or left on `on` (D17a): no requirement for the years after.
/// Their history stays; only this date changes.
pub async fn set_left(db: &Db, person_id: i64, on: Option<Date>) -> Result<(), StoreError> {
    let done = on_db!(db, p => sqlx::query("UPDATE persons SET left_on = $1 WHERE id = $2")
        .bind(on.map(DbDate))
        .bind(person_id)
        .execute(p)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound("人员"));
    }
    Ok(())
}

/// A professional title a person holds (series: e.g. 卫生系列).
pub async fn add_title(
    db: &Db,
    person_id: i64,
    level: xueshi_policy::input::TitleLevel,
    series: &str,
    obtained_on: Date,
) -> Result<i64, StoreError> {
    let sql = "INSERT INTO titles (person_id, level, series, obtained_on) VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(on_db!(db, p => sqlx::query_scalar(sql)
        .bind(person_id)
        .bind(level.as_str())
        .bind(series)
        .bind(DbDate(obtained_on))
        .fetch_one(p)
        .await?))
}

/// The tenure cycle a person plans to apply with, for a title level (D15, D22).
pub async fn add_tenure_cycle(
    db: &Db,
    person_id: i64,
    target: xueshi_policy::input::TitleLevel,
    years: std::ops::RangeInclusive<i32>,
) -> Result<i64, StoreError> {
    if years.is_empty() {
        return Err(StoreError::invalid("cycle.years", "任职周期首年晚于末年"));
    }
    let sql = "INSERT INTO tenure_cycles (person_id, target_level, first_year, last_year) VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(on_db!(db, p => sqlx::query_scalar(sql)
        .bind(person_id)
        .bind(target.as_str())
        .bind(i64::from(*years.start()))
        .bind(i64::from(*years.end()))
        .fetch_one(p)
        .await?))
}

/// A unit as authorization sees it: where it is and its industry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitPlace {
    pub unit_id: i64,
    pub region: RegionCode,
    /// The development zone's name, when the unit is in one.
    pub zone: Option<String>,
    pub industry: String,
}

type RawUnitPlace = (i64, i64, Option<String>, String);

fn unit_place_from_row(
    (unit_id, region, zone, industry): RawUnitPlace,
) -> Result<UnitPlace, StoreError> {
    let region = u32::try_from(region)
        .ok()
        .and_then(|r| RegionCode::from_u32(r).ok())
        .ok_or_else(|| StoreError::corrupt("单位行政区划代码无效"))?;
    Ok(UnitPlace {
        unit_id,
        region,
        zone,
        industry,
    })
}

/// A unit's place and industry, by unit id.
pub async fn unit_place(db: &Db, unit_id: i64) -> Result<Option<UnitPlace>, StoreError> {
    let sql = "SELECT u.id, u.region, z.name, u.industry FROM units u
               LEFT JOIN zones z ON z.id = u.zone_id WHERE u.id = $1";
    let row: Option<RawUnitPlace> =
        on_db!(db, p => sqlx::query_as(sql).bind(unit_id).fetch_optional(p).await?);
    row.map(unit_place_from_row).transpose()
}

/// The unit a person last worked for on or before `on` (the one employing them that day, or
/// the last one they left before it), with its place and industry; `None` when they had none.
pub async fn person_unit_on(
    db: &Db,
    person_id: i64,
    on: Date,
) -> Result<Option<UnitPlace>, StoreError> {
    let sql = "SELECT u.id, u.region, z.name, u.industry FROM employments e
               JOIN units u ON u.id = e.unit_id LEFT JOIN zones z ON z.id = u.zone_id
               WHERE e.person_id = $1 AND e.from_on <= $2
               ORDER BY e.from_on DESC, e.id DESC LIMIT 1";
    let row: Option<RawUnitPlace> = on_db!(db, p => sqlx::query_as(sql)
        .bind(person_id)
        .bind(DbDate(on))
        .fetch_optional(p)
        .await?);
    row.map(unit_place_from_row).transpose()
}
