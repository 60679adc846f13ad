//! Routing (D13): which bureau verifies a title applicant's hours, read from the policy's
//! routing table — never from code.

use xueshi_domain::region::Level;

use crate::annual::zone_city;
use crate::decision::{EvalError, RouteDecision};
use crate::input::{Place, TitleLevel};
use crate::model::{Policy, UnitClass, VerifierClass};
use crate::rule::{RuleId, RuleSet};

/// Routes a unit's applicant at `level`, by the table in force in `year` — the year of the day
/// the application is made, whatever years the tenure cycle covers (D13); default: the newest.
pub fn route<'p>(
    policy: &'p Policy,
    year: Option<i32>,
    unit: &Place,
    level: TitleLevel,
) -> Result<RouteDecision<'p>, EvalError> {
    let year = year.or(policy.last_year()).unwrap_or_default();
    let (_, table) = policy
        .routes_for(year)
        .ok_or_else(|| EvalError::NoRouteTable(unit.to_string()))?;
    let (city, class) = match unit {
        Place::Region(r) => match r.level() {
            Level::City => (*r, UnitClass::CityDirect),
            Level::County => (r.city(), UnitClass::County),
            Level::Province => return Err(EvalError::NoRouteTable(unit.to_string())),
        },
        Place::Zone(z) => {
            let city =
                zone_city(policy, z).ok_or_else(|| EvalError::NoRouteTable(unit.to_string()))?;
            (city, UnitClass::Zone)
        }
    };
    let city_routes = table
        .value
        .iter()
        .find(|c| c.city == city)
        .ok_or_else(|| EvalError::NoRouteTable(unit.to_string()))?;
    let entry = city_routes
        .routes
        .iter()
        .find(|r| r.unit == class && r.levels.contains(&level))
        .ok_or_else(|| EvalError::NoRoute(format!("{unit}（{}职称）", level.zh())))?;
    let verifier = match entry.verifier {
        VerifierClass::City => Place::Region(city),
        VerifierClass::Own => unit.clone(),
    };
    let mut unconfirmed = RuleSet::default();
    if !table.cite.confirmed || !entry.cite.confirmed {
        unconfirmed.insert(RuleId::VerificationRoute);
    }
    Ok(RouteDecision {
        unit: unit.clone(),
        unit_class: class,
        level,
        city,
        verifier,
        cite: &entry.cite,
        unconfirmed,
    })
}
