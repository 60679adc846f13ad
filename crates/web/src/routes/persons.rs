//! `GET /api/persons/{person_id}/years/{year}`: the engine's decision on a person's year, for
//! whoever may see that person's records (`view_records`): the person, their unit, and the
//! industry authority and bureaus whose jurisdiction covers the unit the person worked for on
//! December 31 of that year (or last before it). Refusals are `xueshi_app::authorize`'s
//! (`auth.role`, `auth.own_only`, `auth.jurisdiction`). It writes nothing and shows no ID number.

use axum::Json;
use axum::extract::State;
use serde_json::Value;
use xueshi_app::{Action, Context, PersonId, Target, UnitId, authorize};
use xueshi_domain::Date;
use xueshi_policy::Options;
use xueshi_policy::input::Place;
use xueshi_store::{export, people, summaries};

use crate::access;

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;

/// The engine's decision (the same JSON as `xueshi evaluate --format json`).
#[utoipa::path(get, path = "/api/persons/{person_id}/years/{year}", tag = "persons",
    params(
        ("person_id" = i64, Path, description = "人员内部编号"),
        ("year" = i32, Path, description = "学时年度"),
    ),
    responses(
        (status = 200, description = "年度学时判定（引擎 JSON）", body = Object),
        (status = 400, description = "路径参数格式不正确（request.path / request.year）", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）；该年度没有政策（policy.no_year）", body = ErrorBody),
    ))]
pub async fn person_year(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<Json<Value>, ApiError> {
    let year_end =
        Date::last_of_year(year).map_err(|_| ApiError::bad_request("request.year", "年度无效"))?;
    let db = &state.db;
    people::person(db, person_id).await?;
    let unit = people::person_unit_on(db, person_id, year_end)
        .await?
        .ok_or_else(|| ApiError::not_found("person.no_unit", "该人员在该年度没有任职单位"))?;
    let target = Target::Person {
        person: PersonId(person_id),
        unit: UnitId(unit.unit_id),
        place: match unit.zone {
            Some(z) => Place::Zone(z),
            None => Place::Region(unit.region),
        },
        industry: unit.industry,
    };
    let policy = state.policy.as_ref();
    authorize(
        &acting.principal,
        Action::ViewRecords,
        &target,
        &Context::new(policy),
    )?;
    let case = export::person_year_case(db, policy, person_id, year).await?;
    let eval = case.evaluate(policy, Options::default())?;
    Ok(Json(xueshi_policy::render::to_json(
        &eval,
        policy,
        &case.records,
    )))
}

/// A person-year's compliance in brief, from the summary the store keeps current.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct YearSummary {
    pub person_id: i64,
    pub year: i32,
    /// Whether the person had to study that year at all (D17a).
    pub required: bool,
    pub compliant: bool,
    /// Credited hours (text, tenths exact).
    pub total: String,
    pub professional: String,
    pub public: String,
    /// Hours still missing to the yearly total and professional minimums.
    pub total_short: String,
    pub professional_short: String,
    /// `summary` when read from the kept summary, `evaluated` when a write since made it stale
    /// and the engine was asked now.
    pub source: &'static str,
}

fn hours(tenths: i64) -> String {
    xueshi_domain::Hours::from_tenths(u64::try_from(tenths).unwrap_or(0)).to_string()
}

impl YearSummary {
    fn from(s: &summaries::Summary, source: &'static str) -> Self {
        Self {
            person_id: s.person_id,
            year: s.year,
            required: s.required,
            compliant: s.compliant,
            total: hours(s.total_tenths),
            professional: hours(s.professional_tenths),
            public: hours(s.public_tenths),
            total_short: hours(s.total_short_tenths),
            professional_short: hours(s.professional_short_tenths),
            source,
        }
    }
}

/// The compliance read: whether a person's year complies and by how much it falls short, for
/// whoever may see the person's records. Answered from the person-year's summary in one query
/// when it is current, else by the engine now.
#[utoipa::path(get, path = "/api/persons/{person_id}/years/{year}/summary", tag = "persons",
    params(
        ("person_id" = i64, Path, description = "人员内部编号"),
        ("year" = i32, Path, description = "学时年度"),
    ),
    responses(
        (status = 200, description = "年度学时是否达标（摘要）", body = YearSummary),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn person_year_summary(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<Json<YearSummary>, ApiError> {
    let db = &state.db;
    if let Some(now) = summaries::summary_now(db, person_id, year).await?
        && !now.stale
    {
        let region = u32::try_from(now.summary.region)
            .ok()
            .and_then(|r| xueshi_domain::RegionCode::from_u32(r).ok())
            .ok_or_else(|| ApiError::internal("summary.region", &"bad region"))?;
        let unit = people::UnitPlace {
            unit_id: now.summary.unit_id,
            region,
            zone: now.zone.clone(),
            industry: now.summary.industry.clone(),
        };
        access::allow(
            &state,
            &acting.principal,
            Action::ViewRecords,
            &access::person_in(person_id, &unit),
        )?;
        return Ok(Json(YearSummary::from(&now.summary, "summary")));
    }
    let (target, _) = access::person_target(&state, person_id, access::year_end(year)?).await?;
    access::allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let fresh = summaries::evaluate(db, &state.policy, person_id, year)
        .await?
        .ok_or_else(|| ApiError::not_found("summary.none", "该人员该年度不在职或无该年度政策"))?;
    Ok(Json(YearSummary::from(&fresh, "evaluated")))
}
