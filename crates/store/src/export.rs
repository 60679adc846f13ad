//! The store feeds the engine: a person-year as a policy case, with exactly the facts the
//! engine needs — the person's non-voided records, the approved filings and the courseware
//! registrations they name, and achievements already converted for someone else before them.
//!
//! The facts are loaded two ways — for one person ([`person_year_case`], a few queries) or for
//! a batch of persons (`Batch`, one query per kind of fact, for refreshing summaries) — and a
//! case is assembled from them by the one function `assemble`, so both give the same case.

use std::collections::{BTreeSet, HashMap};

use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::Policy;
use xueshi_policy::annual::conversion_credited_alone;
use xueshi_policy::case::{Case, DEFAULT_POLICY, Expect, Question};
use xueshi_policy::input::{
    Amount, Exam, Filing, Form, Person, Place, Provider, Record, RegisteredProvider, Registration,
    Registry, Subject, normalise_achievement,
};

use crate::bulk::{Item, in_list};
use crate::db::{Backend, Db, DbDate};
use crate::entries::RecordRow;
use crate::error::StoreError;
use crate::on_db;
use crate::people::{self, person, person_from_row, unit_place_on};
use crate::records::{case_record_json, decode_case_records, person_records};

fn region(code: i64) -> Result<RegionCode, StoreError> {
    u32::try_from(code)
        .ok()
        .and_then(|c| RegionCode::from_u32(c).ok())
        .ok_or_else(|| StoreError::corrupt("行政区划代码无效"))
}

fn place(code: i64, zone: Option<String>) -> Result<Place, StoreError> {
    Ok(match zone {
        Some(z) => Place::Zone(z),
        None => Place::Region(region(code)?),
    })
}

fn year_end(year: i32) -> Result<Date, StoreError> {
    Date::last_of_year(year).map_err(|_| StoreError::invalid("export.year", "年度无效"))
}

/// The registry facts named by some persons' records, keyed as records name them.
#[derive(Default)]
pub(crate) struct Registered {
    /// Approved filings by number.
    filings: HashMap<String, Filing>,
    /// Registrations by provider name, in registration order.
    providers: HashMap<String, Vec<Registration>>,
    /// Per achievement key, the non-voided conversions registering it: (person, entry index,
    /// the record as the engine judges whether its own year credits it, D21).
    conversions: HashMap<String, Vec<(i64, i64, Record)>>,
}

/// Builds the case of `person_id` for `year` from loaded facts: `live` are the person's
/// non-voided records in registration order, `unit` the place of their unit on December 31.
fn assemble(
    policy: &Policy,
    who: &people::Person,
    year: i32,
    unit: Option<(RegionCode, Option<String>)>,
    live: &[&RecordRow],
    registered: &Registered,
) -> Result<Case, StoreError> {
    let person_id = who.id;
    let (unit_region, unit_zone) = unit.unwrap_or((xueshi_domain::region::LUAN, None));
    let person = Person {
        cohort: who.cohort,
        place: match unit_zone {
            Some(z) => Place::Zone(z),
            None => Place::Region(unit_region),
        },
        left: who.left_on,
    };
    let records = live
        .iter()
        .map(|r| r.to_policy())
        .collect::<Result<Vec<_>, _>>()?;
    let mut registry = Registry::default();
    for number in filing_numbers(live) {
        if let Some(f) = registered.filings.get(number) {
            registry.filings.push(f.clone());
        }
    }
    for name in provider_names(&records) {
        registry.providers.push(RegisteredProvider {
            id: name.to_owned(),
            registrations: registered.providers.get(name).cloned().unwrap_or_default(),
        });
    }
    // D21: an achievement converted for someone else before this person registered it.
    for r in live {
        let Some(achievement) = r.achievement.as_deref() else {
            continue;
        };
        let key = normalise_achievement(achievement);
        // Only a record its own year credited counts (not one registered late, D21).
        let earlier = registered.conversions.get(&key).is_some_and(|c| {
            c.iter().any(|(p, index, record)| {
                *p != person_id
                    && *index < r.entry_index
                    && conversion_credited_alone(policy, record)
            })
        });
        if earlier && !registry.converted.contains(&key) {
            registry.converted.push(key);
        }
    }
    Ok(Case {
        name: format!(
            "人员 #{person_id}（{}）{year} 年度学时（由系统导出）",
            who.id_masked
        ),
        policy: if policy.name.is_empty() {
            DEFAULT_POLICY.to_owned()
        } else {
            policy.name.clone()
        },
        question: Question::Annual { year },
        person,
        registry,
        records,
        expect: Expect::default(),
    })
}

fn filing_numbers<'a>(live: &[&'a RecordRow]) -> BTreeSet<&'a str> {
    live.iter().filter_map(|r| r.filing.as_deref()).collect()
}

fn provider_names(records: &[Record]) -> BTreeSet<&str> {
    records
        .iter()
        .filter_map(|r| match &r.provider {
            Some(Provider::Registered(id)) => Some(id.as_str()),
            _ => None,
        })
        .collect()
}

/// Registered providers named by records (an unreadable provider fails in [`assemble`]).
fn named_providers<'a>(rows: impl IntoIterator<Item = &'a RecordRow>) -> BTreeSet<String> {
    rows.into_iter()
        .filter_map(|r| match r.provider.as_deref().and_then(Provider::parse) {
            Some(Provider::Registered(id)) => Some(id),
            _ => None,
        })
        .collect()
}

const FILINGS: &str = "SELECT f.number, d.decided_on, f.region, z.name FROM filings f
    JOIN filing_decisions d ON d.filing_id = f.id LEFT JOIN zones z ON z.id = f.zone_id
    WHERE d.approved AND ";
const REGISTRATIONS: &str =
    "SELECT c.name, r.region, r.from_on, r.to_on FROM provider_registrations r
    JOIN courseware_providers c ON c.id = r.provider_id WHERE ";
const CONVERSIONS: &str = "SELECT r.achievement_key, r.person_id, r.entry_index, r.subject,
    r.completed_on, r.registered_on, r.for_year, r.conversion_kind, r.hours_tenths, r.minutes
    FROM records r WHERE r.form = 'conversion' AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.record_id = r.id) AND ";

type FilingRow = (String, DbDate, i64, Option<String>);
type RegistrationRow = (String, i64, DbDate, DbDate);
/// A non-voided conversion: (achievement key, person, entry index), then what decides whether
/// its own year credits it: subject, completed, registered, for_year, kind, tenths, minutes.
type ConversionRow = (
    String,
    i64,
    i64,
    String,
    DbDate,
    DbDate,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

impl Registered {
    fn add_filing(&mut self, (number, approved, code, zone): FilingRow) -> Result<(), StoreError> {
        let f = Filing {
            id: number.clone(),
            approved: approved.0,
            place: place(code, zone)?,
        };
        self.filings.insert(number, f);
        Ok(())
    }

    fn add_conversion(&mut self, row: ConversionRow) -> Result<(), StoreError> {
        let (key, person, index, subject, completed, registered, for_year, kind, tenths, minutes) =
            row;
        let corrupt = || StoreError::corrupt("折算记录无效");
        let amount = match (tenths, minutes) {
            (Some(t), _) => Some(Amount::Hours(Hours::from_tenths(
                u64::try_from(t).map_err(|_| corrupt())?,
            ))),
            (None, Some(m)) => Some(Amount::Minutes(u64::try_from(m).map_err(|_| corrupt())?)),
            (None, None) => None,
        };
        let record = Record {
            id: String::new(),
            subject: Subject::parse(&subject).ok_or_else(corrupt)?,
            form: Form::Conversion,
            provider: None,
            started: None,
            completed: completed.0,
            amount,
            exam: Exam::None,
            for_year: for_year
                .map(i32::try_from)
                .transpose()
                .map_err(|_| corrupt())?,
            filing: None,
            conversion: kind,
            achievement: None,
            registered: Some(registered.0),
        };
        self.conversions
            .entry(key)
            .or_default()
            .push((person, index, record));
        Ok(())
    }

    fn add_registration(
        &mut self,
        (name, code, from, to): RegistrationRow,
    ) -> Result<(), StoreError> {
        self.providers.entry(name).or_default().push(Registration {
            place: Place::Region(region(code)?),
            from: from.0,
            to: to.0,
        });
        Ok(())
    }
}

/// Builds the annual case of `person_id` for `year`, as the engine will judge it.
pub async fn person_year_case(
    db: &Db,
    policy: &Policy,
    person_id: i64,
    year: i32,
) -> Result<Case, StoreError> {
    case_with(db, policy, person_id, year, None).await
}

/// The annual case of `person_id` for `year` as it would be were `extra` registered too (the
/// last record of the case): what a registration form asks the engine before saving, so that
/// a record that cannot count is said before it is written (issue 13). Nothing is written.
pub async fn person_year_case_with(
    db: &Db,
    policy: &Policy,
    person_id: i64,
    year: i32,
    extra: &crate::records::NewRecord,
) -> Result<Case, StoreError> {
    let row = crate::records::row_of(extra, 0, [0; 32], None, -1);
    case_with(db, policy, person_id, year, Some(&row)).await
}

async fn case_with(
    db: &Db,
    policy: &Policy,
    person_id: i64,
    year: i32,
    extra: Option<&RecordRow>,
) -> Result<Case, StoreError> {
    let who = person(db, person_id).await?;
    let unit = unit_place_on(db, person_id, year_end(year)?).await?;
    let stored = person_records(db, person_id).await?;
    let live: Vec<&RecordRow> = stored
        .iter()
        .filter(|s| s.void.is_none())
        .map(|s| &s.row)
        .chain(extra)
        .collect();
    let mut registered = Registered::default();
    for number in filing_numbers(&live) {
        let sql = format!("{FILINGS} f.number = $1");
        let row: Option<FilingRow> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(number).fetch_optional(p).await?);
        if let Some(row) = row {
            registered.add_filing(row)?;
        }
    }
    for name in named_providers(live.iter().copied()) {
        let sql = format!("{REGISTRATIONS} c.name = $1 ORDER BY r.entry_index");
        let rows: Vec<RegistrationRow> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&name).fetch_all(p).await?);
        for row in rows {
            registered.add_registration(row)?;
        }
    }
    let keys: BTreeSet<String> = live
        .iter()
        .filter_map(|r| r.achievement.as_deref().map(normalise_achievement))
        .collect();
    for key in keys {
        // Every earlier one of someone else: the first may not have been credited (D21).
        let sql = format!(
            "{CONVERSIONS} r.achievement_key = $1 AND r.person_id <> $2 ORDER BY r.entry_index"
        );
        let rows: Vec<ConversionRow> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&key).bind(person_id).fetch_all(p).await?);
        for row in rows {
            registered.add_conversion(row)?;
        }
    }
    assemble(policy, &who, year, unit, &live, &registered)
}

/// Keys as the JSON text of a list parameter.
pub(crate) fn json_list<V: Into<serde_json::Value>>(keys: impl IntoIterator<Item = V>) -> String {
    serde_json::Value::Array(keys.into_iter().map(Into::into).collect()).to_string()
}

/// An employment with its unit, as placing a person-year needs it.
#[derive(Clone, Debug)]
pub(crate) struct Employment {
    pub id: i64,
    pub from: Date,
    pub to: Option<Date>,
    pub unit_id: i64,
    pub region: i64,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub zone_city: Option<i64>,
    pub industry: String,
}

type EmploymentRow = (
    i64,
    i64,
    DbDate,
    Option<DbDate>,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    String,
);

type PersonRow = (i64, String, String, String, Option<DbDate>, Vec<u8>);

/// The persons query of [`Batch::load`] on a connection of our own ([`crate::direct`]).
fn persons_direct(
    conn: &rusqlite::Connection,
    sql: &str,
    ids: &str,
) -> Result<Vec<PersonRow>, StoreError> {
    use crate::direct::{blob, date, int, required, text};
    crate::direct::rows(conn, sql, [ids], |row| {
        let v = |i: usize| row.get_ref(i);
        let owned = |s: Option<&str>, what| required(s, what).map(str::to_owned);
        Ok((
            required(int(v(0)?, "人员编号")?, "人员编号")?,
            owned(text(v(1)?, "证件号")?, "证件号")?,
            owned(text(v(2)?, "姓名")?, "姓名")?,
            owned(text(v(3)?, "人员类别")?, "人员类别")?,
            date(v(4)?, "离职日期")?,
            required(blob(v(5)?, "人员承诺值")?, "人员承诺值")?.to_vec(),
        ))
    })
}

/// The employments query of [`Batch::load`] on a connection of our own.
fn employments_direct(
    conn: &rusqlite::Connection,
    sql: &str,
    ids: &str,
) -> Result<Vec<EmploymentRow>, StoreError> {
    use crate::direct::{date, int, required, text};
    crate::direct::rows(conn, sql, [ids], |row| {
        let v = |i: usize| row.get_ref(i);
        let id = |i: usize, what| -> Result<i64, StoreError> { required(int(v(i)?, what)?, what) };
        Ok((
            id(0, "人员编号")?,
            id(1, "任职编号")?,
            required(date(v(2)?, "任职开始")?, "任职开始")?,
            date(v(3)?, "任职结束")?,
            id(4, "单位编号")?,
            id(5, "单位地区")?,
            int(v(6)?, "园区")?,
            text(v(7)?, "园区名称")?.map(str::to_owned),
            int(v(8)?, "园区所在市")?,
            required(text(v(9)?, "行业")?, "行业")?.to_owned(),
        ))
    })
}

/// A batch's persons and employments queries (`$1`: the persons, a JSON list).
fn batch_sql(b: Backend) -> (String, String) {
    let persons = format!(
        "SELECT id, id_masked, name, cohort, left_on, commitment FROM persons WHERE {}",
        in_list(b, "id", 1, Item::Int)
    );
    let employments = format!(
        "SELECT e.person_id, e.id, e.from_on, e.to_on, u.id, u.region, u.zone_id, z.name, z.city,
                u.industry
         FROM employments e JOIN units u ON u.id = e.unit_id LEFT JOIN zones z ON z.id = u.zone_id
         WHERE {}",
        in_list(b, "e.person_id", 1, Item::Int)
    );
    (persons, employments)
}

/// What a batch's records name: filing numbers, registered providers, achievement keys.
type Named<'a> = (BTreeSet<&'a str>, BTreeSet<String>, BTreeSet<String>);

fn named(all: &[RecordRow]) -> Named<'_> {
    let numbers = all.iter().filter_map(|r| r.filing.as_deref()).collect();
    let keys = all
        .iter()
        .filter_map(|r| r.achievement.as_deref().map(normalise_achievement))
        .collect();
    (numbers, named_providers(all), keys)
}

/// A batch from its rows.
fn batch_of(
    persons: Vec<PersonRow>,
    employments: Vec<EmploymentRow>,
    all: Vec<RecordRow>,
    registered: Registered,
) -> Result<Batch, StoreError> {
    let persons = persons
        .into_iter()
        .map(|row| person_from_row(row).map(|p| (p.id, p)))
        .collect::<Result<HashMap<_, _>, _>>()?;
    let mut by_person: HashMap<i64, Vec<Employment>> = HashMap::new();
    for (person, id, from, to, unit_id, region, zone_id, zone_name, zone_city, industry) in
        employments
    {
        by_person.entry(person).or_default().push(Employment {
            id,
            from: from.0,
            to: to.map(|t| t.0),
            unit_id,
            region,
            zone_id,
            zone_name,
            zone_city,
            industry,
        });
    }
    let mut live: HashMap<i64, Vec<RecordRow>> = HashMap::new();
    for r in all {
        live.entry(r.person_id).or_default().push(r);
    }
    Ok(Batch {
        persons,
        employments: by_person,
        live,
        registered,
    })
}

/// A batch's rows on SQLite before the look-ups of what they name ([`Batch::finish_direct`]).
pub(crate) struct BatchRows {
    persons: Vec<PersonRow>,
    employments: Vec<EmploymentRow>,
    /// In person order.
    pub(crate) records: Vec<RecordRow>,
}

/// Everything the cases of a batch of persons are built from, loaded with one query per kind
/// of fact.
pub(crate) struct Batch {
    persons: HashMap<i64, people::Person>,
    employments: HashMap<i64, Vec<Employment>>,
    /// Non-voided records per person, in registration order.
    live: HashMap<i64, Vec<RecordRow>>,
    registered: Registered,
}

impl Batch {
    /// Loads the facts of `person_ids` (sorted, without duplicates).
    pub(crate) async fn load(db: &Db, person_ids: &[i64]) -> Result<Batch, StoreError> {
        Self::load_with(db, person_ids, None).await
    }

    /// [`Batch::load`] for deciding the years `first..=last` only: of the records, those that
    /// can bear on those years' decisions (`summaries::facts`), read as plain rows.
    pub(crate) async fn load_for_years(
        db: &Db,
        person_ids: &[i64],
        (first, last): (i32, i32),
    ) -> Result<Batch, StoreError> {
        Self::load_with(db, person_ids, Some((first, last))).await
    }

    /// A batch's persons and employments on SQLite, without its records (read by
    /// [`Batch::records_direct`], in parts if need be).
    pub(crate) fn rows_direct(
        conn: &rusqlite::Connection,
        person_ids: &[i64],
    ) -> Result<BatchRows, StoreError> {
        let ids = json_list(person_ids.iter().copied());
        let (persons_sql, employments_sql) = batch_sql(Backend::Sqlite);
        Ok(BatchRows {
            persons: persons_direct(conn, &persons_sql, &ids)?,
            employments: employments_direct(conn, &employments_sql, &ids)?,
            records: Vec::new(),
        })
    }

    /// The records of `person_ids` (sorted) that a case for the years `span` uses, on SQLite.
    pub(crate) fn records_direct(
        conn: &rusqlite::Connection,
        person_ids: &[i64],
        span: (i32, i32),
    ) -> Result<Vec<RecordRow>, StoreError> {
        let ids = json_list(person_ids.iter().copied());
        crate::summaries::facts::records_for_years_direct(conn, &ids, span)
    }

    /// The batch from its rows, with the filings, providers and conversions they name looked
    /// up on `conn`.
    pub(crate) fn finish_direct(
        conn: &rusqlite::Connection,
        rows: BatchRows,
    ) -> Result<Batch, StoreError> {
        let (numbers, names, keys) = named(&rows.records);
        let registered = Registered::load_direct(conn, &numbers, &names, &keys)?;
        batch_of(rows.persons, rows.employments, rows.records, registered)
    }

    /// [`Batch::load_for_years`] on PostgreSQL: the persons, the employments and the records
    /// (in two halves of the persons) read at once on four connections, so that the server's
    /// cores share a batch's read; the records' read alone was ~95 ms of a 2,000-person batch
    /// (most of the refresh) on one backend while the other core idled. The reads need not
    /// share a snapshot: the batch's marks are locked (`FOR UPDATE`), so a writer changing one
    /// of its persons waits for the batch to commit.
    async fn load_for_years_postgres(
        db: &Db,
        pool: &sqlx::PgPool,
        person_ids: &[i64],
        span: (i32, i32),
    ) -> Result<Batch, StoreError> {
        let ids = json_list(person_ids.iter().copied());
        let (persons_sql, employments_sql) = batch_sql(Backend::Postgres);
        let (low, high) = person_ids.split_at(person_ids.len().div_ceil(2));
        let (low, high) = (
            json_list(low.iter().copied()),
            json_list(high.iter().copied()),
        );
        let persons = async {
            let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(persons_sql))
                .bind(&ids)
                .fetch_all(pool)
                .await?;
            Ok::<_, StoreError>(rows)
        };
        let employments = async {
            let rows: Vec<EmploymentRow> = sqlx::query_as(sqlx::AssertSqlSafe(employments_sql))
                .bind(&ids)
                .fetch_all(pool)
                .await?;
            Ok::<_, StoreError>(rows)
        };
        let (persons, employments, mut all, rest) = tokio::try_join!(
            persons,
            employments,
            crate::summaries::facts::records_for_years(db, &low, span),
            crate::summaries::facts::records_for_years(db, &high, span),
        )?;
        // Each half is in person order and the halves follow each other: so is the whole.
        all.extend(rest);
        let (numbers, names, keys) = named(&all);
        let registered = Registered::load(db, &numbers, &names, &keys).await?;
        batch_of(persons, employments, all, registered)
    }

    async fn load_with(
        db: &Db,
        person_ids: &[i64],
        years: Option<(i32, i32)>,
    ) -> Result<Batch, StoreError> {
        let b = db.backend();
        let ids = json_list(person_ids.iter().copied());
        let (persons_sql, employments_sql) = batch_sql(b);
        // Most of a batch's rows: as one JSON text, not row by row through sqlx.
        let (agg, cast) = match b {
            Backend::Sqlite => ("json_group_array", ""),
            Backend::Postgres => ("json_agg", "::text"),
        };
        let records_sql = format!(
            "SELECT {agg}({} ORDER BY r.person_id, r.entry_index){cast}
             FROM records r
             WHERE {} AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.record_id = r.id)",
            case_record_json(b),
            in_list(b, "r.person_id", 1, Item::Int)
        );
        if let (Db::Postgres(p), Some(span)) = (db, years) {
            return Self::load_for_years_postgres(db, p, person_ids, span).await;
        }
        let (persons, employments): (Vec<PersonRow>, Vec<EmploymentRow>) = on_db!(db, p => (
            sqlx::query_as(sqlx::AssertSqlSafe(persons_sql)).bind(&ids).fetch_all(p).await?,
            sqlx::query_as(sqlx::AssertSqlSafe(employments_sql)).bind(&ids).fetch_all(p).await?,
        ));
        let all = match years {
            Some(span) => crate::summaries::facts::records_for_years(db, &ids, span).await?,
            None => {
                let records: Option<String> = on_db!(db, p => sqlx::query_scalar(
                    sqlx::AssertSqlSafe(records_sql)).bind(&ids).fetch_one(p).await?);
                // PostgreSQL's json_agg over no rows is NULL.
                decode_case_records(records.as_deref())?
            }
        };
        let (numbers, names, keys) = named(&all);
        let registered = Registered::load(db, &numbers, &names, &keys).await?;
        batch_of(persons, employments, all, registered)
    }

    /// The person's employments (unordered).
    pub(crate) fn employments(&self, person_id: i64) -> &[Employment] {
        self.employments.get(&person_id).map_or(&[], Vec::as_slice)
    }

    /// The case of `person_id` for `year`, as [`person_year_case`] builds it.
    pub(crate) fn case(
        &self,
        policy: &Policy,
        person_id: i64,
        year: i32,
    ) -> Result<Case, StoreError> {
        let who = self
            .persons
            .get(&person_id)
            .ok_or(StoreError::NotFound("人员"))?;
        let end = year_end(year)?;
        // As `unit_place_on`: the employment covering December 31 that started last.
        let unit = self
            .employments(person_id)
            .iter()
            .filter(|e| e.from <= end && e.to.is_none_or(|t| t >= end))
            .max_by_key(|e| (e.from, e.id))
            .map(|e| region(e.region).map(|r| (r, e.zone_name.clone())))
            .transpose()?;
        let live: Vec<&RecordRow> = self
            .live
            .get(&person_id)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        assemble(policy, who, year, unit, &live, &self.registered)
    }
}

impl Registered {
    /// [`Registered::load`] on a SQLite connection of our own (`crate::direct`).
    fn load_direct(
        conn: &rusqlite::Connection,
        numbers: &BTreeSet<&str>,
        names: &BTreeSet<String>,
        keys: &BTreeSet<String>,
    ) -> Result<Registered, StoreError> {
        use crate::direct::{date, int, required, rows, text};
        let b = Backend::Sqlite;
        let mut registered = Registered::default();
        if !numbers.is_empty() {
            let sql = format!("{FILINGS} {}", in_list(b, "f.number", 1, Item::Text));
            let numbers = json_list(numbers.iter().copied());
            for row in rows(conn, &sql, [numbers], |row| {
                let v = |i: usize| row.get_ref(i);
                Ok((
                    required(text(v(0)?, "备案号")?, "备案号")?.to_owned(),
                    required(date(v(1)?, "备案日期")?, "备案日期")?,
                    required(int(v(2)?, "备案地区")?, "备案地区")?,
                    text(v(3)?, "园区名称")?.map(str::to_owned),
                ))
            })? {
                registered.add_filing(row)?;
            }
        }
        if !names.is_empty() {
            let sql = format!(
                "{REGISTRATIONS} {} ORDER BY r.entry_index",
                in_list(b, "c.name", 1, Item::Text)
            );
            let names = json_list(names.iter().map(String::as_str));
            for row in rows(conn, &sql, [names], |row| {
                let v = |i: usize| row.get_ref(i);
                Ok((
                    required(text(v(0)?, "机构名称")?, "机构名称")?.to_owned(),
                    required(int(v(1)?, "登记地区")?, "登记地区")?,
                    required(date(v(2)?, "登记开始")?, "登记开始")?,
                    required(date(v(3)?, "登记结束")?, "登记结束")?,
                ))
            })? {
                registered.add_registration(row)?;
            }
        }
        if !keys.is_empty() {
            let sql = format!(
                "{CONVERSIONS} {}",
                in_list(b, "r.achievement_key", 1, Item::Text)
            );
            let keys = json_list(keys.iter().map(String::as_str));
            for row in rows(conn, &sql, [keys], |row| {
                let v = |i: usize| row.get_ref(i);
                let owned = |s: Option<&str>| s.map(str::to_owned);
                Ok((
                    required(owned(text(v(0)?, "成果")?), "成果")?,
                    required(int(v(1)?, "人员编号")?, "人员编号")?,
                    required(int(v(2)?, "账本序号")?, "账本序号")?,
                    required(owned(text(v(3)?, "科目")?), "科目")?,
                    required(date(v(4)?, "完成日期")?, "完成日期")?,
                    required(date(v(5)?, "登记日期")?, "登记日期")?,
                    int(v(6)?, "年度")?,
                    owned(text(v(7)?, "折算类型")?),
                    int(v(8)?, "学时")?,
                    int(v(9)?, "分钟数")?,
                ))
            })? {
                registered.add_conversion(row)?;
            }
        }
        Ok(registered)
    }

    /// The approved filings, provider registrations and non-voided conversions named.
    async fn load(
        db: &Db,
        numbers: &BTreeSet<&str>,
        names: &BTreeSet<String>,
        keys: &BTreeSet<String>,
    ) -> Result<Registered, StoreError> {
        let b = db.backend();
        let filings_sql = format!("{FILINGS} {}", in_list(b, "f.number", 1, Item::Text));
        let registrations_sql = format!(
            "{REGISTRATIONS} {} ORDER BY r.entry_index",
            in_list(b, "c.name", 1, Item::Text)
        );
        let conversions_sql = format!(
            "{CONVERSIONS} {}",
            in_list(b, "r.achievement_key", 1, Item::Text)
        );
        let numbers = json_list(numbers.iter().copied());
        let names = json_list(names.iter().map(String::as_str));
        let keys = json_list(keys.iter().map(String::as_str));
        let (filings, registrations, conversions): (
            Vec<FilingRow>,
            Vec<RegistrationRow>,
            Vec<ConversionRow>,
        ) = on_db!(db, p => (
            sqlx::query_as(sqlx::AssertSqlSafe(filings_sql)).bind(&numbers).fetch_all(p).await?,
            sqlx::query_as(sqlx::AssertSqlSafe(registrations_sql)).bind(&names).fetch_all(p).await?,
            sqlx::query_as(sqlx::AssertSqlSafe(conversions_sql)).bind(&keys).fetch_all(p).await?,
        ));
        let mut registered = Registered::default();
        for row in filings {
            registered.add_filing(row)?;
        }
        for row in registrations {
            registered.add_registration(row)?;
        }
        for row in conversions {
            registered.add_conversion(row)?;
        }
        Ok(registered)
    }
}
