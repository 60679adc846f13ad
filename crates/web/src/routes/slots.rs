//! Verification appointments (D16): a bureau opens slots (date, place or online, capacity,
//! industry); a unit books a slot for a list of its staff, or a professional for themself;
//! either may cancel; the bureau sees the bookings. The store never overbooks, even under
//! parallel bookings (`booking.full`, 409).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, PersonId, Scope, Target, UnitId};
use xueshi_domain::Date;
use xueshi_policy::input::Place;
use xueshi_store::appointments::{self, NewSlot, Slot};
use xueshi_store::{organisations, people};

use crate::access::{self, allow, place, today};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use xueshi_app::verifications::slot_place;

/// A slot as listed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SlotInfo {
    pub slot_id: i64,
    pub bureau_id: i64,
    pub on: String,
    /// "线上" or the address.
    pub place: String,
    pub capacity: i64,
    pub booked: i64,
    pub seats_left: i64,
    pub industry: Option<String>,
}

impl From<Slot> for SlotInfo {
    fn from(s: Slot) -> Self {
        Self {
            slot_id: s.id,
            bureau_id: s.bureau_id,
            on: s.on.to_string(),
            place: slot_place(&s.place),
            capacity: s.capacity,
            booked: s.booked,
            seats_left: s.seats_left(),
            industry: s.industry,
        }
    }
}

/// The place of a bureau (its zone, or its region).
async fn bureau_place(state: &AppState, bureau_id: i64) -> Result<Place, ApiError> {
    let org = organisations::organisation(&state.db, bureau_id)
        .await?
        .filter(|o| o.kind.is_bureau())
        .ok_or_else(|| ApiError::not_found("slot.bureau", "没有这个人社部门"))?;
    let zone = match org.zone_id {
        Some(z) => xueshi_store::registry::zone_name(&state.db, z).await?,
        None => None,
    };
    Ok(place(org.region, zone))
}

/// A slot to open.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotBody {
    pub on: String,
    /// Online, or at `address`.
    pub online: bool,
    pub address: Option<String>,
    pub capacity: u32,
    /// Only for this industry (default: any).
    pub industry: Option<String>,
}

/// Opens an appointment slot of the calling bureau.
#[utoipa::path(post, path = "/api/slots", tag = "appointments",
    request_body = SlotBody,
    responses(
        (status = 201, description = "已开放", body = SlotInfo),
        (status = 400, description = "日期、地点或容量无效（slot.*）", body = ErrorBody),
        (status = 403, description = "只有人社部门开放预约", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn open(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<SlotBody>,
) -> Result<(StatusCode, Json<SlotInfo>), ApiError> {
    let bureau_id = match acting.principal.scope() {
        Scope::CityBureau { .. } | Scope::CountyBureau { .. } | Scope::ZoneCentre { .. } => {
            access::organisation(&acting)?
        }
        _ => {
            return Err(ApiError::forbidden(
                "auth.role",
                "只有人社部门（市、县人社局或开发区中心）开放验证预约",
            ));
        }
    };
    let mine = bureau_place(&state, bureau_id).await?;
    let target = Target::Slot {
        bureau: mine.clone(),
        unit: UnitId(-1),
        unit_place: mine,
        person: None,
    };
    allow(&state, &acting.principal, Action::OpenSlots, &target)?;
    let on = Date::parse(&body.on)
        .map_err(|_| ApiError::bad_request("slot.on", "日期须为 YYYY-MM-DD"))?;
    if on < today(&state)? {
        return Err(ApiError::bad_request("slot.on", "不能开放已过去的日期"));
    }
    let place = match (body.online, body.address.as_deref().map(str::trim)) {
        (true, _) => appointments::Place::Online,
        (false, Some(a)) if !a.is_empty() => appointments::Place::At(a.to_owned()),
        (false, _) => {
            return Err(ApiError::bad_request("slot.address", "现场核验须填写地点"));
        }
    };
    if body.capacity == 0 || body.capacity > 10_000 {
        return Err(ApiError::bad_request(
            "slot.capacity",
            "容量须为 1 至 10000 人",
        ));
    }
    let id = appointments::open_slot(
        &state.db,
        &NewSlot {
            bureau_id,
            on,
            place,
            capacity: body.capacity,
            industry: body.industry.filter(|i| !i.trim().is_empty()),
            opened_by: access::actor(&acting),
        },
        &access::line(&state, &acting, "slot.open"),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(appointments::slot(&state.db, id).await?.into()),
    ))
}

/// Whose slots, from when.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// The bureau (default: the caller's own bureau, or the bureau of the caller's unit's place).
    pub bureau_id: Option<i64>,
    /// From this day (default today).
    pub from: Option<String>,
}

/// A bureau's slots from a day on (signed-in accounts).
#[utoipa::path(get, path = "/api/slots", tag = "appointments", params(SlotsQuery),
    responses(
        (status = 200, description = "预约时段", body = [SlotInfo]),
        (status = 400, description = "参数无效", body = ErrorBody),
        (status = 404, description = "所指的人社部门不存在（slot.bureau）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 403, description = "无权操作（auth.*）；以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.missing / csrf.mismatch）", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<SlotsQuery>,
) -> Result<Json<Vec<SlotInfo>>, ApiError> {
    let from = match &q.from {
        Some(f) => Date::parse(f)
            .map_err(|_| ApiError::bad_request("slots.from", "日期须为 YYYY-MM-DD"))?,
        None => today(&state)?,
    };
    let bureau_id = match q.bureau_id {
        Some(b) => b,
        None => default_bureau(&state, &acting).await?,
    };
    bureau_place(&state, bureau_id).await?;
    let slots = appointments::bureau_slots(&state.db, bureau_id, from, None, 200).await?;
    Ok(Json(slots.into_iter().map(SlotInfo::from).collect()))
}

/// The caller's own bureau, or the bureau at the place of the caller's unit.
async fn default_bureau(state: &AppState, acting: &Acting) -> Result<i64, ApiError> {
    let unit = match acting.principal.scope() {
        Scope::CityBureau { .. } | Scope::CountyBureau { .. } | Scope::ZoneCentre { .. } => {
            return access::organisation(acting);
        }
        Scope::UnitAdmin { unit, .. } => people::unit_place(&state.db, unit.0).await?,
        Scope::Professional { person } => {
            people::person_unit_on(&state.db, person.0, today(state)?).await?
        }
        _ => None,
    };
    let unit = unit
        .ok_or_else(|| ApiError::bad_request("slots.bureau_id", "请指定人社部门（bureau_id）"))?;
    let zone_id = match &unit.zone {
        Some(z) => xueshi_store::registry::zone_id(&state.db, z).await?,
        None => None,
    };
    organisations::bureau_at(&state.db, unit.region, zone_id)
        .await?
        .map(|o| o.id)
        .ok_or_else(|| ApiError::not_found("slot.bureau", "所在地尚无人社部门开放预约"))
}

/// Whom to book.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookBody {
    pub persons: Vec<i64>,
}

/// A booking made.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Booked {
    pub booking_id: i64,
    pub slot: SlotInfo,
}

/// Books seats at a slot for a unit's staff (or a professional for themself). All staff must
/// work for the booking unit today; never overbooks.
#[utoipa::path(post, path = "/api/slots/{slot_id}/bookings", tag = "appointments",
    params(("slot_id" = i64, Path)),
    request_body = BookBody,
    responses(
        (status = 201, description = "已预约", body = Booked),
        (status = 403, description = "无权预约（只能为本单位或本人）", body = ErrorBody),
        (status = 409, description = "名额不足（booking.full），或名单中有人已预约该时段（booking.duplicate，附已有预约编号）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path），或请求体不是有效的 JSON、缺少字段（request.json / request.fields）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn book(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(slot_id): ApiPath<i64>,
    ApiJson(body): ApiJson<BookBody>,
) -> Result<(StatusCode, Json<Booked>), ApiError> {
    let slot = appointments::slot(&state.db, slot_id).await?;
    let bureau = bureau_place(&state, slot.bureau_id).await?;
    let today = today(&state)?;
    if slot.on < today {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "slot.past",
            "该时段已过",
        ));
    }
    if body.persons.is_empty() || body.persons.len() > 500 {
        return Err(ApiError::bad_request(
            "booking.persons",
            "预约名单须为 1 至 500 人",
        ));
    }
    let single = match body.persons.as_slice() {
        [only] => Some(PersonId(*only)),
        _ => None,
    };
    let mut unit_id = None;
    for &person_id in &body.persons {
        let unit = people::person_unit_on(&state.db, person_id, today)
            .await?
            .ok_or_else(|| ApiError::not_found("person.no_unit", "名单中有人当前没有任职单位"))?;
        if unit_id.is_some_and(|u| u != unit.unit_id) {
            return Err(ApiError::bad_request(
                "booking.persons",
                "一次预约的人员须属于同一单位",
            ));
        }
        unit_id = Some(unit.unit_id);
        if let Some(industry) = &slot.industry
            && *industry != unit.industry
        {
            return Err(ApiError::bad_request(
                "booking.industry",
                format!("该时段仅面向{industry}行业"),
            ));
        }
        let target = Target::Slot {
            bureau: bureau.clone(),
            unit: UnitId(unit.unit_id),
            unit_place: place(unit.region, unit.zone.clone()),
            person: single.or(Some(PersonId(person_id))),
        };
        allow(&state, &acting.principal, Action::BookSlot, &target)?;
    }
    let unit_id = unit_id.ok_or_else(|| ApiError::bad_request("booking.persons", "名单为空"))?;
    let booking_id = appointments::book(
        &state.db,
        slot_id,
        unit_id,
        &body.persons,
        &access::line(&state, &acting, "booking.book"),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Booked {
            booking_id,
            slot: appointments::slot(&state.db, slot_id).await?.into(),
        }),
    ))
}

/// A booking as the bureau sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingView {
    pub booking_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub persons: Vec<i64>,
    /// The persons named (ID numbers masked), in the order of `persons`.
    pub people: Vec<BookedPerson>,
    /// booked | cancelled
    pub status: String,
}

/// A booked person, named.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookedPerson {
    pub person_id: i64,
    pub name: String,
    pub id_masked: String,
}

/// The bookings of one of the calling bureau's slots.
#[utoipa::path(get, path = "/api/slots/{slot_id}/bookings", tag = "appointments",
    params(("slot_id" = i64, Path)),
    responses(
        (status = 200, description = "预约名单", body = [BookingView]),
        (status = 403, description = "只有开放该时段的人社部门可查看", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
    ))]
pub async fn bookings(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(slot_id): ApiPath<i64>,
) -> Result<Json<Vec<BookingView>>, ApiError> {
    let slot = appointments::slot(&state.db, slot_id).await?;
    if acting.account.organisation_id != Some(slot.bureau_id) {
        return Err(ApiError::forbidden(
            "auth.own_only",
            "只能查看本机构开放的时段的预约",
        ));
    }
    let list = appointments::bookings(&state.db, slot_id).await?;
    let roster = appointments::roster(&state.db, slot_id).await?;
    Ok(Json(
        list.into_iter()
            .map(|b| {
                let mine = || roster.iter().filter(|l| l.booking_id == b.id);
                BookingView {
                    booking_id: b.id,
                    unit_id: b.unit_id,
                    unit_name: mine()
                        .next()
                        .map(|l| l.unit_name.clone())
                        .unwrap_or_default(),
                    people: mine()
                        .map(|l| BookedPerson {
                            person_id: l.person_id,
                            name: l.name.clone(),
                            id_masked: l.id_masked.clone(),
                        })
                        .collect(),
                    persons: b.persons,
                    status: b.status.as_str().to_owned(),
                }
            })
            .collect(),
    ))
}

/// Cancels a booking (its unit, the professional booked alone, or the slot's bureau).
#[utoipa::path(delete, path = "/api/bookings/{booking_id}", tag = "appointments",
    params(("booking_id" = i64, Path)),
    responses(
        (status = 204, description = "已取消"),
        (status = 400, description = "已取消过（booking.cancelled）", body = ErrorBody),
        (status = 403, description = "无权取消", body = ErrorBody),
        (status = 404, description = "预约不存在", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(booking_id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let booking = appointments::booking(&state.db, booking_id).await?;
    let slot = appointments::slot(&state.db, booking.slot_id).await?;
    let unit = people::unit_place(&state.db, booking.unit_id)
        .await?
        .ok_or_else(|| ApiError::internal("booking.unit", &"booking of unknown unit"))?;
    let target = Target::Slot {
        bureau: bureau_place(&state, slot.bureau_id).await?,
        unit: UnitId(unit.unit_id),
        unit_place: place(unit.region, unit.zone.clone()),
        person: match booking.persons.as_slice() {
            [only] => Some(PersonId(*only)),
            _ => None,
        },
    };
    allow(&state, &acting.principal, Action::CancelBooking, &target)?;
    appointments::cancel(
        &state.db,
        booking_id,
        &access::line(&state, &acting, "booking.cancel"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
