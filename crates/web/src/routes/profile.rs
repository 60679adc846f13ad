//! What a professional (and whoever may see their records) needs beside the decisions: who they
//! are (masked), their unit today, the tenure cycles they plan to apply with and the years open
//! for registration; their verification applications with their answers; their bookings. Reads
//! only, each authorized as `view_records` on the person.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use xueshi_app::Action;
use xueshi_store::{people, requests, staff};

use crate::access::{allow, person_target, today};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::routes::units::{BookingInfo, booking_infos};
use crate::state::AppState;
use xueshi_app::verifications::ApplicationView;

/// A planned title application's cycle.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CycleView {
    /// junior | intermediate | senior
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
}

/// A year's registration window.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OpenYear {
    pub year: i32,
    /// The last day records of the year may be registered (D11).
    pub register_by: String,
    pub cite: String,
}

/// A person as their own pages show them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Profile {
    pub person_id: i64,
    pub name: String,
    /// The ID number, masked (D19).
    pub id_masked: String,
    /// old | new: the conversion cohort (D9).
    pub cohort: String,
    pub left_on: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub industry: String,
    /// Planned tenure cycles, latest first.
    pub cycles: Vec<CycleView>,
    /// Years whose registration is still open today, oldest first.
    pub open_years: Vec<OpenYear>,
}

/// A person's profile: masked identity, unit today, planned cycles, open years.
#[utoipa::path(get, path = "/api/persons/{person_id}/profile", tag = "persons",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "人员概况（身份证号已遮蔽）", body = Profile),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn profile(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Profile>, ApiError> {
    let today = today(&state)?;
    let (target, unit) = person_target(&state, person_id, today).await?;
    allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let person = people::person(&state.db, person_id).await?;
    let cycles = staff::tenure_cycles(&state.db, person_id)
        .await?
        .into_iter()
        .map(|c| CycleView {
            level: c.level.as_str().to_owned(),
            first_year: c.first_year,
            last_year: c.last_year,
        })
        .collect();
    let open_years = state
        .policy
        .years
        .iter()
        .filter(|y| y.registration_deadline.value >= today && y.from <= today)
        .map(|y| OpenYear {
            year: y.year,
            register_by: y.registration_deadline.value.to_string(),
            cite: y.registration_deadline.cite.to_string(),
        })
        .collect();
    Ok(Json(Profile {
        person_id,
        name: person.name,
        id_masked: person.id_masked,
        cohort: person.cohort.as_str().to_owned(),
        left_on: person.left_on.map(|d| d.to_string()),
        unit_id: unit.unit_id,
        unit_name: staff::unit_name(&state.db, unit.unit_id)
            .await?
            .unwrap_or_default(),
        industry: unit.industry,
        cycles,
        open_years,
    }))
}

/// A person's verification applications, oldest first, with their answers.
#[utoipa::path(get, path = "/api/persons/{person_id}/verifications", tag = "verifications",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "学时验证申请及结果", body = [ApplicationView]),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn applications(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Vec<ApplicationView>>, ApiError> {
    let (target, _) = person_target(&state, person_id, today(&state)?).await?;
    allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let apps = requests::person_applications(&state.db, person_id).await?;
    Ok(Json(apps.into_iter().map(ApplicationView::from).collect()))
}

/// The bookings that include a person, newest first (naming only that person).
#[utoipa::path(get, path = "/api/persons/{person_id}/bookings", tag = "appointments",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "本人的核验预约", body = [BookingInfo]),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn bookings(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Vec<BookingInfo>>, ApiError> {
    let (target, _) = person_target(&state, person_id, today(&state)?).await?;
    allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let mut rows = staff::person_bookings(&state.db, person_id).await?;
    // A unit's batch names colleagues: the person sees only themself in it.
    for r in &mut rows {
        r.names.retain(|(p, _)| *p == person_id);
    }
    Ok(Json(booking_infos(&state, rows).await?))
}
