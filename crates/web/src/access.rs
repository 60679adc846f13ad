//! What every handler asks before acting: who the target is, as `xueshi_app::authorize` sees
//! it (a person through the unit they worked for on a given day, a unit, an area), and whether
//! the principal may do the action to it. Handlers never decide permissions themselves.

use serde::Serialize;
use utoipa::ToSchema;
use xueshi_app::{Action, Context, PersonId, Principal, Target, UnitId, authorize};
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::input::Place;
use xueshi_store::ledger::{Act, Inclusion};
use xueshi_store::people::{self, UnitPlace};

use crate::auth::Acting;
use crate::error::ApiError;
use crate::state::AppState;

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
/// before it). A person with no unit by then is `person.no_unit` (404).
pub async fn person_target(
    state: &AppState,
    person_id: i64,
    on: Date,
) -> Result<(Target, UnitPlace), ApiError> {
    people::person(&state.db, person_id).await?;
    let unit = people::person_unit_on(&state.db, person_id, on)
        .await?
        .ok_or_else(|| ApiError::not_found("person.no_unit", "该人员在该日期没有任职单位"))?;
    Ok((person_in(person_id, &unit), unit))
}

/// The principal may do `action` to `target`, or the refusal (403 with `auth.*`).
pub fn allow(
    state: &AppState,
    principal: &Principal,
    action: Action,
    target: &Target,
) -> Result<(), ApiError> {
    authorize(principal, action, target, &Context::new(&state.policy))?;
    Ok(())
}

/// Today in Beijing, by the state's clock.
pub fn today(state: &AppState) -> Result<Date, ApiError> {
    Date::beijing(state.now_ms()).map_err(|e| ApiError::internal("clock", &e))
}

/// Writes a line to the audit trail (D18) for an act of `acting` that is not itself a ledger
/// act, named by [`actor`] and placed where the account acts.
pub async fn audit(
    state: &AppState,
    acting: &Acting,
    action: &str,
    subject: &str,
) -> Result<(), ApiError> {
    xueshi_store::audit::audit(
        &state.db,
        state.now_ms(),
        &actor(acting),
        acting.region,
        action,
        Some(subject),
        None,
    )
    .await?;
    Ok(())
}

/// The audit line of an act of `acting` that the store writes with the act (in its
/// transaction); the store sets the subject.
pub fn line(state: &AppState, acting: &Acting, action: &str) -> xueshi_store::audit::Line {
    xueshi_store::audit::Line::new(
        state.now_ms(),
        actor(acting),
        acting.region,
        action,
        String::new(),
    )
}

/// An official act by `actor` (as [`actor`] names `acting`), where `acting` acts, dated today
/// by the state's clock.
pub fn act<'a>(state: &AppState, actor: &'a str, acting: &Acting) -> Result<Act<'a>, ApiError> {
    Ok(Act {
        actor,
        region: acting.region,
        on: today(state)?,
        now_ms: state.now_ms(),
    })
}

/// The organisation an official account acts for (its absence is a data error: 500).
pub fn organisation(acting: &Acting) -> Result<i64, ApiError> {
    acting.account.organisation_id.ok_or_else(|| {
        ApiError::internal(
            "account.scope",
            &format!("account {} without organisation", acting.account.id),
        )
    })
}

/// The media type of a request body, lower-cased, without parameters.
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// How an official act names its author: the login and the account's display name.
pub fn actor(acting: &Acting) -> String {
    format!(
        "{}（{}）",
        acting.account.login, acting.account.display_name
    )
}

/// Years a request may name: wide enough for any history and plan, narrow enough that no
/// arithmetic on them can overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// `value` of the request field `field` if it is a year in [`YEARS`], else `request.year`
/// (400) naming the field.
pub fn year_field(field: &str, value: i32) -> Result<i32, ApiError> {
    if YEARS.contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::bad_request(
            "request.year",
            format!(
                "`{field}` 须为 {} 至 {} 之间的年度（收到 {value}）",
                YEARS.start(),
                YEARS.end()
            ),
        ))
    }
}

/// The 31st of December of `year`, or `request.year` (400).
pub fn year_end(year: i32) -> Result<Date, ApiError> {
    Date::last_of_year(year).map_err(|_| ApiError::bad_request("request.year", "年度无效"))
}

/// Where a write sits in the ledger: enough to fetch and check its inclusion proof against a
/// signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Receipt {
    /// The entry's index in the log.
    pub entry_index: u64,
    /// The entry's leaf hash (RFC 6962, hex).
    pub leaf: String,
    /// The log's size after the write's batch.
    pub tree_size: u64,
    /// The log's root at that size (hex).
    pub root: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl From<&Inclusion> for Receipt {
    fn from(i: &Inclusion) -> Self {
        Self {
            entry_index: i.entry_index,
            leaf: hex(&i.leaf),
            tree_size: i.tree_size,
            root: hex(&i.root),
        }
    }
}

/// Parses a 64-digit hex SHA-256, or `code` (400).
pub fn parse_hash(text: &str, code: &'static str) -> Result<[u8; 32], ApiError> {
    let bad = || ApiError::bad_request(code, "须为 64 位十六进制 SHA-256 摘要");
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

/// Hex of a hash.
pub fn hash_hex(hash: &[u8; 32]) -> String {
    hex(hash)
}

/// The one answer under `/api/persons/{id}/…` for a person who does not exist and for one the
/// caller may not see: 404 `person.not_found`, the same body either way.
pub fn person_hidden() -> ApiError {
    ApiError::not_found(
        "person.not_found",
        "没有这个人员，或您无权查看或办理该人员的此项事务",
    )
}

/// Under `/api/persons/{id}/…`, whether a person exists is itself personal: an account outside
/// the person's jurisdiction must not learn it by comparing answers. A refusal that depends on
/// who the person is (`auth.role`, `auth.own_only`, `auth.jurisdiction`: the handler looked the
/// person up to decide) and the answers of a missing person or a person without a unit on that
/// date all become [`person_hidden`]. Refusals that do not depend on the id stay as they are
/// (401; 403 for CSRF, a forced password change, an API token where a session is needed).
pub async fn hide_persons(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let persons = req.uri().path().starts_with("/api/persons/");
    let res = next.run(req).await;
    if !persons {
        return res;
    }
    let hide = match res.extensions().get::<crate::error::ErrorCode>() {
        Some(crate::error::ErrorCode(code)) => matches!(
            (res.status().as_u16(), *code),
            (403, "auth.role" | "auth.own_only" | "auth.jurisdiction")
                | (
                    404,
                    "store.not_found" | "person.no_unit" | "person.not_found"
                )
        ),
        None => false,
    };
    if hide {
        person_hidden().into_response()
    } else {
        res
    }
}
