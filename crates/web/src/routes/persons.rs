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
use xueshi_store::{export, people};

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
        (status = 403, description = "无权查看（auth.role / auth.own_only / auth.jurisdiction）", body = ErrorBody),
        (status = 404, description = "人员不存在、该年度无任职单位或无政策", body = ErrorBody),
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
