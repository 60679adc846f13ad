//! Writing a decided batch: its summaries replaced and its marks deleted in one transaction of
//! set-based statements (one statement per kind of change, whatever the batch's size).
//!
//! SQLite keeps only the person-years whose mark still has the `seq` read: a write that
//! renumbered a mark meanwhile leaves it for the next batch. A database in a file is written row
//! by row with cached statements on a connection of our own (`crate::direct`); an in-memory one
//! through sqlx, the batch as one JSON parameter per statement (`jsonb_each`). PostgreSQL takes it as arrays (`UNNEST`) in the transaction
//! that holds the batch's marks locked, so nothing can have renumbered them.

use std::collections::BTreeMap;

use super::{Evaluated, ON_CONFLICT, SUMMARY_COLUMNS};
use crate::error::StoreError;

fn hash_of(hashes: &BTreeMap<i64, String>, year: i64) -> &str {
    hashes.get(&year).map_or("", String::as_str)
}

/// Writes the batch on SQLite; returns the person-years written.
pub(super) async fn sqlite(
    pool: &sqlx::SqlitePool,
    now_ms: i64,
    hashes: &BTreeMap<i64, String>,
    marks: &[Evaluated],
) -> Result<usize, StoreError> {
    use serde_json::json;
    let mut written = Vec::new();
    let mut gone = Vec::new();
    let mut all = Vec::with_capacity(marks.len());
    for &((seq, person_id, year), ref summary) in marks {
        all.push(json!([seq, person_id, year]));
        match summary {
            Some(s) => written.push(json!([
                seq,
                person_id,
                year,
                s.unit_id,
                s.region,
                s.zone_id,
                s.city,
                s.industry,
                s.required,
                s.compliant,
                s.total_tenths,
                s.professional_tenths,
                s.public_tenths,
                s.total_short_tenths,
                s.professional_short_tenths,
                hash_of(hashes, year)
            ])),
            None => gone.push(json!([seq, person_id, year])),
        }
    }
    if all.is_empty() {
        return Ok(0);
    }
    let text = |v: Vec<serde_json::Value>| serde_json::Value::Array(v).to_string();
    let unchanged = "EXISTS (SELECT 1 FROM summary_dirty d WHERE d.person_id = j.value->>1
        AND d.year = j.value->>2 AND d.seq = j.value->>0)";
    let values: Vec<String> = (1..=15).map(|i| format!("j.value->>{i}")).collect();
    let upsert = format!(
        "INSERT INTO person_year_summaries ({SUMMARY_COLUMNS}) SELECT {}, $2 FROM jsonb_each($1) j
         WHERE {unchanged} {ON_CONFLICT}",
        values.join(", ")
    );
    let delete = format!(
        "DELETE FROM person_year_summaries WHERE (person_id, year) IN
         (SELECT j.value->>1, j.value->>2 FROM jsonb_each($1) j WHERE {unchanged})"
    );
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut n = sqlx::query(sqlx::AssertSqlSafe(upsert))
        .bind(text(written))
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    n += sqlx::query(sqlx::AssertSqlSafe(delete))
        .bind(text(gone))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "DELETE FROM summary_dirty WHERE (person_id, year, seq) IN
         (SELECT value->>1, value->>2, value->>0 FROM jsonb_each($1))",
    )
    .bind(text(all))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// SQLite's `unchanged` test for one row: its mark `(?1, ?2)` still has the `seq` read (`?3`
/// of the mark deletion, `?17` of the upsert).
const MARK_KEPT: &str = "EXISTS (SELECT 1 FROM summary_dirty d
    WHERE d.person_id = ?1 AND d.year = ?2 AND d.seq = ?{seq})";

/// Writes the batch on SQLite through a connection of our own ([`crate::direct::write`]), row by
/// row with cached statements inside its transaction; the same statements as [`sqlite`], with
/// parameters for the JSON. Returns the person-years written.
pub(super) fn sqlite_direct(
    tx: &rusqlite::Connection,
    now_ms: i64,
    hashes: &BTreeMap<i64, String>,
    marks: &[Evaluated],
) -> Result<usize, StoreError> {
    let kept = |seq: u8| MARK_KEPT.replace("{seq}", &seq.to_string());
    let params: Vec<String> = (1..=16).map(|i| format!("?{i}")).collect();
    let upsert = format!(
        "INSERT INTO person_year_summaries ({SUMMARY_COLUMNS}) SELECT {} WHERE {} {ON_CONFLICT}",
        params.join(", "),
        kept(17)
    );
    let delete = format!(
        "DELETE FROM person_year_summaries WHERE person_id = ?1 AND year = ?2 AND {}",
        kept(3)
    );
    let mut upsert = tx.prepare_cached(&upsert)?;
    let mut delete = tx.prepare_cached(&delete)?;
    let mut written = 0;
    for &((seq, person_id, year), ref summary) in marks {
        written += match summary {
            Some(s) => upsert.execute(rusqlite::params![
                person_id,
                year,
                s.unit_id,
                s.region,
                s.zone_id,
                s.city,
                s.industry,
                s.required,
                s.compliant,
                s.total_tenths,
                s.professional_tenths,
                s.public_tenths,
                s.total_short_tenths,
                s.professional_short_tenths,
                hash_of(hashes, year),
                now_ms,
                seq
            ])?,
            None => delete.execute(rusqlite::params![person_id, year, seq])?,
        };
    }
    let mut unmark = tx.prepare_cached(
        "DELETE FROM summary_dirty WHERE person_id = ?1 AND year = ?2 AND seq = ?3",
    )?;
    for &((seq, person_id, year), _) in marks {
        unmark.execute(rusqlite::params![person_id, year, seq])?;
    }
    Ok(written)
}

/// Writes the batch on PostgreSQL in the transaction holding its marks, and commits.
pub(super) async fn postgres(
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    now_ms: i64,
    hashes: &BTreeMap<i64, String>,
    marks: &[Evaluated],
) -> Result<usize, StoreError> {
    #[derive(Default)]
    struct Columns {
        person: Vec<i64>,
        year: Vec<i64>,
        unit: Vec<i64>,
        region: Vec<i64>,
        zone: Vec<Option<i64>>,
        city: Vec<i64>,
        industry: Vec<String>,
        required: Vec<bool>,
        compliant: Vec<bool>,
        total: Vec<i64>,
        professional: Vec<i64>,
        public: Vec<i64>,
        total_short: Vec<i64>,
        professional_short: Vec<i64>,
        hash: Vec<String>,
    }
    let mut c = Columns::default();
    let (mut gone_person, mut gone_year, mut seqs) = (Vec::new(), Vec::new(), Vec::new());
    for &((seq, person_id, year), ref summary) in marks {
        seqs.push(seq);
        let Some(s) = summary else {
            gone_person.push(person_id);
            gone_year.push(year);
            continue;
        };
        c.person.push(person_id);
        c.year.push(year);
        c.unit.push(s.unit_id);
        c.region.push(s.region);
        c.zone.push(s.zone_id);
        c.city.push(s.city);
        c.industry.push(s.industry.clone());
        c.required.push(s.required);
        c.compliant.push(s.compliant);
        c.total.push(s.total_tenths);
        c.professional.push(s.professional_tenths);
        c.public.push(s.public_tenths);
        c.total_short.push(s.total_short_tenths);
        c.professional_short.push(s.professional_short_tenths);
        c.hash.push(hash_of(hashes, year).to_owned());
    }
    let mut n = 0;
    if !c.person.is_empty() {
        let upsert = format!(
            "INSERT INTO person_year_summaries ({SUMMARY_COLUMNS})
             SELECT *, $16 FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[],
                $5::bigint[], $6::bigint[], $7::text[], $8::boolean[], $9::boolean[], $10::bigint[],
                $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::text[])
             {ON_CONFLICT}"
        );
        n += sqlx::query(sqlx::AssertSqlSafe(upsert))
            .bind(&c.person)
            .bind(&c.year)
            .bind(&c.unit)
            .bind(&c.region)
            .bind(&c.zone)
            .bind(&c.city)
            .bind(&c.industry)
            .bind(&c.required)
            .bind(&c.compliant)
            .bind(&c.total)
            .bind(&c.professional)
            .bind(&c.public)
            .bind(&c.total_short)
            .bind(&c.professional_short)
            .bind(&c.hash)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    if !gone_person.is_empty() {
        n += sqlx::query(
            "DELETE FROM person_year_summaries WHERE (person_id, year) IN
             (SELECT * FROM UNNEST($1::bigint[], $2::bigint[]))",
        )
        .bind(&gone_person)
        .bind(&gone_year)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    if !seqs.is_empty() {
        sqlx::query("DELETE FROM summary_dirty WHERE seq = ANY($1::bigint[])")
            .bind(&seqs)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}
