//! What every use case asks before acting: who the target is, as [`authorize`] sees it (a
//! person through the unit they worked for on a given day), and whether the actor may do the
//! action to it; and the bounds of the fields every request names (years).

use xueshi_domain::{Date, RegionCode};
use xueshi_policy::input::Place;
use xueshi_store::people::{self, UnitPlace};

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::{Action, Context, PersonId, Principal, Target, UnitId, authorize};

/// A unit's place for the engine and for jurisdiction: its zone if it is in one, else its
/// region.
pub fn place(region: RegionCode, zone: Option<String>) -> Place {
    match zone {
        Some(z) => Place::Zone(z),
        None => Place::Region(region),
    }
}

/// The target of an action on a unit's staff member.
pub fn person_in(person_id: i64, unit: &UnitPlace) -> Target {
    Target::Person {
        person: PersonId(person_id),
        unit: UnitId(unit.unit_id),
        place: place(unit.region, unit.zone.clone()),
        industry: unit.industry.clone(),
    }
}

/// The target of an action on a person, through the unit they worked for on `on` (or last
/// before it). A person with no unit by then is `person.no_unit` (not found).
pub async fn person_target(ctx: &Ctx, person_id: i64, on: Date) -> Result<(Target, UnitPlace)> {
    people::person(&ctx.db, person_id).await?;
    let unit = people::person_unit_on(&ctx.db, person_id, on)
        .await?
        .ok_or_else(|| Error::not_found("person.no_unit", "该人员在该日期没有任职单位"))?;
    Ok((person_in(person_id, &unit), unit))
}

/// The principal may do `action` to `target`, or the refusal (`auth.*`).
pub fn allow(ctx: &Ctx, principal: &Principal, action: Action, target: &Target) -> Result<()> {
    authorize(principal, action, target, &Context::new(&ctx.policy))?;
    Ok(())
}

/// Years a request may name: wide enough for any history and plan, narrow enough that no
/// arithmetic on them can overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// `value` of the request field `field` if it is a year in [`YEARS`], else `request.year`
/// naming the field.
pub fn year_field(field: &str, value: i32) -> Result<i32> {
    if YEARS.contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            "request.year",
            format!(
                "`{field}` 须为 {} 至 {} 之间的年度（收到 {value}）",
                YEARS.start(),
                YEARS.end()
            ),
        ))
    }
}

/// The 31st of December of `year`, or `request.year`.
pub fn year_end(year: i32) -> Result<Date> {
    Date::last_of_year(year).map_err(|_| Error::invalid("request.year", "年度无效"))
}

/// Parses a 64-digit hex SHA-256, or `code` (invalid).
pub fn parse_hash(text: &str, code: &'static str) -> Result<[u8; 32]> {
    let bad = || Error::invalid(code, "须为 64 位十六进制 SHA-256 摘要");
    if text.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(text.as_bytes().chunks(2)) {
        let s = std::str::from_utf8(pair).map_err(|_| bad())?;
        *o = u8::from_str_radix(s, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
