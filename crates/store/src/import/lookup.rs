//! What the database already holds, looked up many keys at a time: the keys travel as ONE
//! bound JSON array per query (expanded by `json_each` on SQLite, `json_array_elements_text` on
//! PostgreSQL). Bound one by one, every key crossed sqlx's SQLite worker channel on its own.

use std::collections::{HashMap, HashSet};

use crate::bulk::{Col, Item, in_list, json_rows};
use crate::db::{Backend, Db, DbDate};
use crate::entries::{RecordRow, hex};
use crate::error::StoreError;
use crate::keys::unhex;
use crate::on_db;
use crate::records::{RECORD_COLUMNS, RawRecord, corrupt, decode_record};

/// A person already registered, as an import compares it.
#[derive(Clone, Debug)]
pub(crate) struct KnownPerson {
    pub id: i64,
    pub name: String,
    pub cohort: String,
    pub phone_sealed: Option<Vec<u8>>,
}

/// Persons by the blind index of their ID number.
pub(crate) async fn persons_by_blind(
    db: &Db,
    blinds: &[Vec<u8>],
) -> Result<HashMap<Vec<u8>, KnownPerson>, StoreError> {
    let mut out = HashMap::with_capacity(blinds.len());
    if blinds.is_empty() {
        return Ok(out);
    }
    // Many rows (a batch's new persons): read as one JSON text.
    let sql = json_rows(
        db.backend(),
        &[&[
            Col::Blob("id_blind"),
            Col::Val("id"),
            Col::Val("name"),
            Col::Val("cohort"),
            Col::Blob("phone_sealed"),
        ]],
        None,
        &format!(
            "FROM persons WHERE {}",
            in_list(db.backend(), "id_blind", 1, Item::Blob)
        ),
    );
    let list = crate::json_list!(&blinds.iter().map(|b| hex(b)).collect::<Vec<_>>());
    let text: Option<String> = on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(list).fetch_one(p).await?);
    let rows: Vec<(String, i64, String, String, Option<String>)> =
        serde_json::from_str(text.as_deref().unwrap_or("[]")).map_err(|_| corrupt("人员"))?;
    for (blind, id, name, cohort, phone) in rows {
        let bytes = |h: &str| unhex(h).ok_or_else(|| corrupt("人员"));
        out.insert(
            bytes(&blind)?,
            KnownPerson {
                id,
                name,
                cohort,
                phone_sealed: phone.as_deref().map(bytes).transpose()?,
            },
        );
    }
    Ok(out)
}

/// A unit already registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KnownUnit {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub region: i64,
    pub zone_id: Option<i64>,
    pub industry: String,
    pub kind: String,
}

type UnitRow = (i64, String, String, i64, Option<i64>, String, String);

pub(crate) async fn units_by_code(
    db: &Db,
    codes: &[String],
) -> Result<HashMap<String, KnownUnit>, StoreError> {
    let sql = format!(
        "SELECT id, credit_code, name, region, zone_id, industry, kind FROM units WHERE {}",
        in_list(db.backend(), "credit_code", 1, Item::Text)
    );
    let list = crate::json_list!(codes);
    let rows: Vec<UnitRow> =
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(list).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(id, credit_code, name, region, zone_id, industry, kind)| {
            let unit = KnownUnit {
                id,
                credit_code: credit_code.clone(),
                name,
                region,
                zone_id,
                industry,
                kind,
            };
            (credit_code, unit)
        })
        .collect())
}

/// Employments (person, unit, from) of some persons.
pub(crate) async fn employments(
    db: &Db,
    person_ids: &[i64],
) -> Result<Vec<(i64, i64, DbDate)>, StoreError> {
    let sql = format!(
        "SELECT person_id, unit_id, from_on FROM employments WHERE {}",
        in_list(db.backend(), "person_id", 1, Item::Int)
    );
    let list = crate::json_list!(person_ids);
    Ok(on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(list).fetch_all(p).await?))
}

/// The unit each of some persons worked for on `on`: the employment started last by then (as
/// authorization places a person), by person id.
pub(crate) async fn units_on(
    db: &Db,
    person_ids: &[i64],
    on: xueshi_domain::Date,
) -> Result<HashMap<i64, i64>, StoreError> {
    if person_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT person_id, unit_id FROM employments WHERE {} AND from_on <= $2
         ORDER BY person_id, from_on, id",
        in_list(db.backend(), "person_id", 1, Item::Int)
    );
    let list = crate::json_list!(person_ids);
    let rows: Vec<(i64, i64)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(list).bind(DbDate(on)).fetch_all(p).await?);
    // Ordered by start: the last one of a person is the one in force.
    Ok(rows.into_iter().collect())
}

/// The records that one key of a JSON list parameter finds, per backend. PostgreSQL walks the
/// list and looks each key up on its own (`LATERAL … OFFSET 0`): during an import the table
/// fills with uncommitted rows while its statistics still say it is empty, and a generic plan
/// that matched the index on the leading column only scanned a whole provider per look-up.
fn keyed(backend: Backend, list: &str, key: &str, condition: &str) -> String {
    match backend {
        Backend::Sqlite => format!(
            "FROM records r JOIN persons p ON p.id = r.person_id
             WHERE {condition} AND {key} IN (SELECT value FROM json_each({list}))"
        ),
        Backend::Postgres => format!(
            "FROM json_array_elements({list}::json) AS k(value)
             CROSS JOIN LATERAL (SELECT * FROM records r WHERE {condition} AND {key} OFFSET 0) AS r
             JOIN persons p ON p.id = r.person_id"
        ),
    }
}

async fn records_where(
    db: &Db,
    from_where: &str,
    texts: &[String],
) -> Result<Vec<RecordRow>, StoreError> {
    let sql = format!("SELECT {RECORD_COLUMNS} {from_where}");
    let raws: Vec<RawRecord> = on_db!(db, p => {
        let mut q = sqlx::query_as::<_, RawRecord>(sqlx::AssertSqlSafe(sql));
        for t in texts {
            q = q.bind(t.as_str());
        }
        q.fetch_all(p).await?
    });
    raws.into_iter().map(decode_record).collect()
}

/// Records of a provider (`None`: no provider) carrying one of these certificate numbers; the
/// condition follows the unique index on (provider, certificate number).
pub(crate) async fn records_by_certificate(
    db: &Db,
    provider: Option<&str>,
    numbers: &[&str],
) -> Result<Vec<RecordRow>, StoreError> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::json_list!(numbers);
    let backend = db.backend();
    // The value of a key: a JSON string (SQLite's json_each gives it as text).
    let number = match backend {
        Backend::Sqlite => "r.certificate_no",
        Backend::Postgres => "r.certificate_no = k.value #>> '{}'",
    };
    match provider {
        Some(p) => {
            let sql = keyed(
                backend,
                "$2",
                number,
                "r.provider = $1 AND r.certificate_no IS NOT NULL",
            );
            records_where(db, &sql, &[p.to_owned(), list]).await
        }
        None => {
            let sql = keyed(
                backend,
                "$1",
                number,
                "r.provider IS NULL AND r.certificate_no IS NOT NULL",
            );
            records_where(db, &sql, &[list]).await
        }
    }
}

/// [`records_by_certificate`] for (provider, number) pairs of several providers.
pub(crate) async fn records_by_certificates(
    db: &Db,
    keys: &[(Option<&str>, &str)],
) -> Result<Vec<RecordRow>, StoreError> {
    let mut by_provider: HashMap<Option<&str>, Vec<&str>> = HashMap::new();
    for &(provider, number) in keys {
        by_provider.entry(provider).or_default().push(number);
    }
    let mut out = Vec::new();
    for (provider, mut numbers) in by_provider {
        numbers.sort_unstable();
        numbers.dedup();
        out.extend(records_by_certificate(db, provider, &numbers).await?);
    }
    Ok(out)
}

/// Records with one of these (person, label) pairs: the unique index on both.
pub(crate) async fn records_by_label(
    db: &Db,
    pairs: &[(i64, &str)],
) -> Result<Vec<RecordRow>, StoreError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = match db.backend() {
        Backend::Sqlite => "FROM records r JOIN persons p ON p.id = r.person_id
             WHERE (r.person_id, r.label) IN (SELECT value->>0, value->>1 FROM json_each($1))"
            .to_owned(),
        Backend::Postgres => keyed(
            Backend::Postgres,
            "$1",
            "r.person_id = (k.value->>0)::bigint AND r.label = k.value->>1",
            "true",
        ),
    };
    let unique: HashSet<&(i64, &str)> = pairs.iter().collect();
    records_where(db, &sql, &[crate::json_list!(&unique)]).await
}

/// Development zones by name: (id, city).
pub(crate) async fn zones(db: &Db) -> Result<HashMap<String, (i64, i64)>, StoreError> {
    let rows: Vec<(i64, String, i64)> =
        on_db!(db, p => sqlx::query_as("SELECT id, name, city FROM zones").fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(id, name, city)| (name, (id, city)))
        .collect())
}

/// Region codes the database knows.
pub(crate) async fn regions(db: &Db) -> Result<HashSet<i64>, StoreError> {
    let rows: Vec<i64> =
        on_db!(db, p => sqlx::query_scalar("SELECT code FROM regions").fetch_all(p).await?);
    Ok(rows.into_iter().collect())
}

/// A person as a records or certificate import needs them: to check the name, and to write.
#[derive(Clone, Debug)]
pub(crate) struct Holder {
    pub id: i64,
    pub name: Box<str>,
}

/// The persons an import has met, by blind index (`None`: not registered). Grows with the
/// distinct persons of the file, not with its rows.
#[derive(Debug, Default)]
pub(crate) struct Holders {
    map: HashMap<[u8; 32], Option<Holder>>,
}

impl Holders {
    /// Looks up the blind indexes not met before.
    pub async fn load(&mut self, db: &Db, blinds: &[[u8; 32]]) -> Result<(), StoreError> {
        let missing: Vec<Vec<u8>> = blinds
            .iter()
            .filter(|b| !self.map.contains_key(*b))
            .collect::<HashSet<_>>()
            .into_iter()
            .map(|b| b.to_vec())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut found = persons_by_blind(db, &missing).await?;
        for blind in missing {
            let holder = found.remove(&blind).map(|k| Holder {
                id: k.id,
                name: k.name.into_boxed_str(),
            });
            if let Ok(key) = <[u8; 32]>::try_from(blind.as_slice()) {
                self.map.insert(key, holder);
            }
        }
        Ok(())
    }

    /// The registered holder of an ID number, if any (`load` first).
    pub fn get(&self, blind: &[u8; 32]) -> Option<&Holder> {
        self.map.get(blind).and_then(Option::as_ref)
    }
}
