//! What the database already holds, looked up a chunk of keys at a time (one query per few
//! hundred rows instead of one per row).

use std::collections::{HashMap, HashSet};

use crate::db::{Db, DbDate};
use crate::entries::RecordRow;
use crate::error::StoreError;
use crate::on_db;
use crate::records::{RECORD_COLUMNS, RawRecord, decode_record};

/// Keys per `IN (…)` list: far below both backends' parameter limits.
pub(crate) const CHUNK: usize = 500;

/// A list of keys padded (repeating its last key) to one of a few lengths, so that each query
/// has a handful of shapes that the statement cache keeps, instead of one per length.
fn padded<T: Clone>(keys: &[T]) -> Vec<T> {
    let len = [1, 8, 64, CHUNK]
        .into_iter()
        .find(|&n| n >= keys.len())
        .unwrap_or(keys.len());
    let mut out = keys.to_vec();
    if let Some(last) = keys.last() {
        out.resize(len, last.clone());
    }
    out
}

pub(crate) use crate::db::params;

/// A person already registered, as an import compares it.
#[derive(Clone, Debug)]
pub(crate) struct KnownPerson {
    pub id: i64,
    pub name: String,
    pub cohort: String,
    pub phone_sealed: Option<Vec<u8>>,
}

type PersonRow = (Vec<u8>, i64, String, String, Option<Vec<u8>>);

/// Persons by the blind index of their ID number.
pub(crate) async fn persons_by_blind(
    db: &Db,
    blinds: &[Vec<u8>],
) -> Result<HashMap<Vec<u8>, KnownPerson>, StoreError> {
    let mut out = HashMap::new();
    for chunk in blinds.chunks(CHUNK) {
        let chunk = &padded(chunk);
        let sql = format!(
            "SELECT id_blind, id, name, cohort, phone_sealed FROM persons WHERE id_blind IN ({})",
            params(db.backend(), 1, chunk.len())
        );
        let rows: Vec<PersonRow> = on_db!(db, p => {
            let mut q = sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(sql));
            for b in chunk {
                q = q.bind(b.as_slice());
            }
            q.fetch_all(p).await?
        });
        for (blind, id, name, cohort, phone_sealed) in rows {
            out.insert(
                blind,
                KnownPerson {
                    id,
                    name,
                    cohort,
                    phone_sealed,
                },
            );
        }
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
    let mut out = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        let chunk = &padded(chunk);
        let sql = format!(
            "SELECT id, credit_code, name, region, zone_id, industry, kind FROM units WHERE credit_code IN ({})",
            params(db.backend(), 1, chunk.len())
        );
        let rows: Vec<UnitRow> = on_db!(db, p => {
            let mut q = sqlx::query_as::<_, UnitRow>(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q.bind(c.as_str());
            }
            q.fetch_all(p).await?
        });
        for (id, credit_code, name, region, zone_id, industry, kind) in rows {
            out.insert(
                credit_code.clone(),
                KnownUnit {
                    id,
                    credit_code,
                    name,
                    region,
                    zone_id,
                    industry,
                    kind,
                },
            );
        }
    }
    Ok(out)
}

/// Employments (person, unit, from) of some persons.
pub(crate) async fn employments(
    db: &Db,
    person_ids: &[i64],
) -> Result<Vec<(i64, i64, DbDate)>, StoreError> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(CHUNK) {
        let chunk = &padded(chunk);
        let sql = format!(
            "SELECT person_id, unit_id, from_on FROM employments WHERE person_id IN ({})",
            params(db.backend(), 1, chunk.len())
        );
        let rows: Vec<(i64, i64, DbDate)> = on_db!(db, p => {
            let mut q = sqlx::query_as::<_, (i64, i64, DbDate)>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

async fn records_where(
    db: &Db,
    condition: &str,
    ints: &[i64],
    texts: &[&str],
) -> Result<Vec<RecordRow>, StoreError> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM records r JOIN persons p ON p.id = r.person_id WHERE {condition}"
    );
    let raws: Vec<RawRecord> = on_db!(db, p => {
        let mut q = sqlx::query_as::<_, RawRecord>(sqlx::AssertSqlSafe(sql));
        for i in ints {
            q = q.bind(*i);
        }
        for t in texts {
            q = q.bind(*t);
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
    let mut out = Vec::new();
    for chunk in numbers.chunks(CHUNK) {
        let chunk = &padded(chunk);
        let (condition, texts) = match provider {
            Some(p) => (
                format!(
                    "r.provider = {} AND r.certificate_no IN ({})",
                    params(db.backend(), 1, 1),
                    params(db.backend(), 2, chunk.len())
                ),
                std::iter::once(p)
                    .chain(chunk.iter().copied())
                    .collect::<Vec<_>>(),
            ),
            None => (
                format!(
                    "r.provider IS NULL AND r.certificate_no IN ({})",
                    params(db.backend(), 1, chunk.len())
                ),
                chunk.to_vec(),
            ),
        };
        out.extend(records_where(db, &condition, &[], &texts).await?);
    }
    Ok(out)
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

/// Records of these persons with one of these labels (the caller picks the exact pairs).
pub(crate) async fn records_by_label(
    db: &Db,
    pairs: &[(i64, &str)],
) -> Result<Vec<RecordRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let persons: Vec<i64> = chunk
            .iter()
            .map(|p| p.0)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let persons = padded(&persons);
        let labels: Vec<&str> = chunk
            .iter()
            .map(|p| p.1)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let labels = padded(&labels);
        let condition = format!(
            "r.person_id IN ({}) AND r.label IN ({})",
            params(db.backend(), 1, persons.len()),
            params(db.backend(), 1 + persons.len(), labels.len())
        );
        out.extend(records_where(db, &condition, &persons, &labels).await?);
    }
    Ok(out)
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
