//! The store feeds the engine: a person-year as a policy case, with exactly the facts the
//! engine needs — the person's non-voided records, the approved filings and the courseware
//! registrations they name, and achievements already converted for someone else before them.

use std::collections::BTreeSet;

use xueshi_domain::{Date, RegionCode};
use xueshi_policy::Policy;
use xueshi_policy::case::{Case, DEFAULT_POLICY, Expect, Question};
use xueshi_policy::input::{
    Filing, Person, Place, Provider, RegisteredProvider, Registration, Registry,
};

use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::on_db;
use crate::people::{person, unit_place_on};
use crate::records::person_records;

fn region(code: i64) -> Result<RegionCode, StoreError> {
    u32::try_from(code)
        .ok()
        .and_then(|c| RegionCode::from_u32(c).ok())
        .ok_or_else(|| StoreError::invalid("store.corrupt", "行政区划代码无效"))
}

fn place(code: i64, zone: Option<String>) -> Result<Place, StoreError> {
    Ok(match zone {
        Some(z) => Place::Zone(z),
        None => Place::Region(region(code)?),
    })
}

/// Builds the annual case of `person_id` for `year`, as the engine will judge it.
pub async fn person_year_case(
    db: &Db,
    policy: &Policy,
    person_id: i64,
    year: i32,
) -> Result<Case, StoreError> {
    let who = person(db, person_id).await?;
    let year_end =
        Date::last_of_year(year).map_err(|_| StoreError::invalid("export.year", "年度无效"))?;
    let (unit_region, unit_zone) = unit_place_on(db, person_id, year_end)
        .await?
        .unwrap_or((xueshi_domain::region::LUAN, None));
    let person = Person {
        cohort: who.cohort,
        place: match unit_zone {
            Some(z) => Place::Zone(z),
            None => Place::Region(unit_region),
        },
        left: who.left_on,
    };
    let stored = person_records(db, person_id).await?;
    let live: Vec<_> = stored
        .iter()
        .filter(|s| s.void.is_none())
        .map(|s| &s.row)
        .collect();
    let records = live
        .iter()
        .map(|r| r.to_policy())
        .collect::<Result<Vec<_>, _>>()?;

    let mut registry = Registry::default();
    let filings: BTreeSet<&str> = records.iter().filter_map(|r| r.filing.as_deref()).collect();
    for number in filings {
        let row: Option<(DbDate, i64, Option<String>)> = on_db!(db, p => sqlx::query_as(
            "SELECT d.decided_on, f.region, z.name FROM filings f JOIN filing_decisions d ON d.filing_id = f.id
             LEFT JOIN zones z ON z.id = f.zone_id WHERE f.number = $1 AND d.approved"
        ).bind(number).fetch_optional(p).await?);
        if let Some((approved, code, zone)) = row {
            registry.filings.push(Filing {
                id: number.to_owned(),
                approved: approved.0,
                place: place(code, zone)?,
            });
        }
    }
    let providers: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| match &r.provider {
            Some(Provider::Registered(id)) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    for name in providers {
        let rows: Vec<(i64, DbDate, DbDate)> = on_db!(db, p => sqlx::query_as(
            "SELECT r.region, r.from_on, r.to_on FROM provider_registrations r
             JOIN courseware_providers c ON c.id = r.provider_id WHERE c.name = $1 ORDER BY r.entry_index"
        ).bind(name).fetch_all(p).await?);
        let registrations = rows
            .into_iter()
            .map(|(code, from, to)| {
                Ok(Registration {
                    place: Place::Region(region(code)?),
                    from: from.0,
                    to: to.0,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        registry.providers.push(RegisteredProvider {
            id: name.to_owned(),
            registrations,
        });
    }
    // D21: an achievement converted for someone else before this person registered it.
    for r in &live {
        let Some(achievement) = r.achievement.as_deref() else {
            continue;
        };
        let key = xueshi_policy::input::normalise_achievement(achievement);
        let earlier: Option<i64> = on_db!(db, p => sqlx::query_scalar(
            "SELECT r.id FROM records r WHERE r.achievement_key = $1 AND r.form = 'conversion' AND r.person_id <> $2
               AND r.entry_index < $3 AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.record_id = r.id) LIMIT 1"
        ).bind(&key).bind(person_id).bind(r.entry_index).fetch_optional(p).await?);
        if earlier.is_some() && !registry.converted.contains(&key) {
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
