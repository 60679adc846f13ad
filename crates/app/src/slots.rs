//! Verification appointments (D16), each use case in one place: a bureau opens slots (date,
//! place or online, capacity, industry: [`open`]); anyone signed in lists a bureau's slots
//! ([`list`]); a unit books a slot for a list of its staff, or a professional for themself
//! ([`book`]); either may cancel ([`cancel`]); the bureau sees the bookings ([`bookings`]).
//! Each write carries its audit line into the store's transaction; the store never overbooks,
//! even under parallel bookings (`booking.full`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_domain::Date;
use xueshi_policy::input::Place;
use xueshi_store::appointments::{self, NewSlot, Slot};
use xueshi_store::{organisations, people};

use crate::access::{allow, place};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::verifications::{slot_place, slot_when};
use crate::{Action, PersonId, Scope, Target, UnitId};

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
    /// From when to when that day ("HH:MM", Beijing); none: the whole working day.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// The day and its times as people read them (`2026-12-10 09:00—11:30`).
    pub when: String,
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
            when: slot_when(s.on, s.times.as_ref()),
            starts_at: s.times.as_ref().map(|t| t.0.clone()),
            ends_at: s.times.map(|t| t.1),
            industry: s.industry,
        }
    }
}

/// The place of a bureau (its zone, or its region), or `slot.bureau` (not found).
async fn bureau_place(ctx: &Ctx, bureau_id: i64) -> Result<Place> {
    let org = organisations::organisation(&ctx.db, bureau_id)
        .await?
        .filter(|o| o.kind.is_bureau())
        .ok_or_else(|| Error::not_found("slot.bureau", "没有这个人社部门"))?;
    let zone = match org.zone_id {
        Some(z) => xueshi_store::registry::zone_name(&ctx.db, z).await?,
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
    /// From when ("HH:MM", Beijing; with `ends_at`, or neither: the whole working day).
    #[serde(default)]
    pub starts_at: Option<String>,
    /// Until when ("HH:MM", after `starts_at`).
    #[serde(default)]
    pub ends_at: Option<String>,
}

/// A time of day as typed ("9:30", "09:30", or "09:30:00" from a time field) as "HH:MM".
fn time_of_day(text: &str) -> Option<String> {
    let mut parts = text.trim().split(':');
    let h: u8 = parts.next()?.parse().ok()?;
    let m = parts.next()?;
    let m: u8 = (m.len() == 2).then(|| m.parse().ok()).flatten()?;
    match parts.next() {
        None => {}
        Some(sec) if sec.len() == 2 && sec.parse::<u8>().is_ok_and(|s| s < 60) => {}
        Some(_) => return None,
    }
    (parts.next().is_none() && h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// The slot's times from the body: both or neither, each a time of day, the start first.
fn slot_times(body: &SlotBody) -> Result<Option<(String, String)>> {
    fn given(t: &Option<String>) -> Option<&str> {
        t.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
    match (given(&body.starts_at), given(&body.ends_at)) {
        (None, None) => Ok(None),
        (Some(a), Some(b)) => {
            let bad = || Error::invalid("slot.time", "时间须为 HH:MM（如 09:00）");
            let (a, b) = (
                time_of_day(a).ok_or_else(bad)?,
                time_of_day(b).ok_or_else(bad)?,
            );
            if a >= b {
                return Err(Error::invalid("slot.time", "结束时间须晚于开始时间"));
            }
            Ok(Some((a, b)))
        }
        _ => Err(Error::invalid(
            "slot.time",
            "开始时间和结束时间须同时填写（都不填表示全天）",
        )),
    }
}

/// Opens an appointment slot of the calling bureau.
pub async fn open(ctx: &Ctx, actor: &Actor, body: SlotBody) -> Result<SlotInfo> {
    let bureau_id = match actor.principal.scope() {
        Scope::CityBureau { .. } | Scope::CountyBureau { .. } | Scope::ZoneCentre { .. } => {
            actor.organisation()?
        }
        _ => {
            return Err(Error::denied(
                "auth.role",
                "只有人社部门（市、县人社局或开发区中心）开放验证预约",
            ));
        }
    };
    let mine = bureau_place(ctx, bureau_id).await?;
    let target = Target::Slot {
        bureau: mine.clone(),
        unit: UnitId(-1),
        unit_place: mine,
        person: None,
    };
    allow(ctx, &actor.principal, Action::OpenSlots, &target)?;
    let on = Date::parse(&body.on).map_err(|_| Error::invalid("slot.on", "日期须为 YYYY-MM-DD"))?;
    if on < ctx.today()? {
        return Err(Error::invalid("slot.on", "不能开放已过去的日期"));
    }
    let place = match (body.online, body.address.as_deref().map(str::trim)) {
        (true, _) => appointments::Place::Online,
        (false, Some(a)) if !a.is_empty() => appointments::Place::At(a.to_owned()),
        (false, _) => {
            return Err(Error::invalid("slot.address", "现场核验须填写地点"));
        }
    };
    if body.capacity == 0 || body.capacity > 10_000 {
        return Err(Error::invalid("slot.capacity", "容量须为 1 至 10000 人"));
    }
    let times = slot_times(&body)?;
    let id = appointments::open_slot(
        &ctx.db,
        &NewSlot {
            bureau_id,
            on,
            place,
            capacity: body.capacity,
            industry: body.industry.filter(|i| !i.trim().is_empty()),
            opened_by: actor.name(),
            times,
        },
        &actor.line(ctx, "slot.open"),
    )
    .await?;
    Ok(appointments::slot(&ctx.db, id).await?.into())
}

/// A bureau's slots from `from` (default today), at most 200; the bureau by default is the
/// caller's own, or the bureau at the place of the caller's unit.
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    bureau_id: Option<i64>,
    from: Option<&str>,
) -> Result<Vec<SlotInfo>> {
    let from = match from {
        Some(f) => {
            Date::parse(f).map_err(|_| Error::invalid("slots.from", "日期须为 YYYY-MM-DD"))?
        }
        None => ctx.today()?,
    };
    let bureau_id = match bureau_id {
        Some(b) => b,
        None => default_bureau(ctx, actor).await?,
    };
    bureau_place(ctx, bureau_id).await?;
    let slots = appointments::bureau_slots(&ctx.db, bureau_id, from, None, 200).await?;
    Ok(slots.into_iter().map(SlotInfo::from).collect())
}

/// The caller's own bureau, or the bureau at the place of the caller's unit.
async fn default_bureau(ctx: &Ctx, actor: &Actor) -> Result<i64> {
    let unit = match actor.principal.scope() {
        Scope::CityBureau { .. } | Scope::CountyBureau { .. } | Scope::ZoneCentre { .. } => {
            return actor.organisation();
        }
        Scope::UnitAdmin { unit, .. } => people::unit_place(&ctx.db, unit.0).await?,
        Scope::Professional { person } => {
            people::person_unit_on(&ctx.db, person.0, ctx.today()?).await?
        }
        _ => None,
    };
    let unit =
        unit.ok_or_else(|| Error::invalid("slots.bureau_id", "请指定人社部门（bureau_id）"))?;
    let zone_id = match &unit.zone {
        Some(z) => xueshi_store::registry::zone_id(&ctx.db, z).await?,
        None => None,
    };
    organisations::bureau_at(&ctx.db, unit.region, zone_id)
        .await?
        .map(|o| o.id)
        .ok_or_else(|| Error::not_found("slot.bureau", "所在地尚无人社部门开放预约"))
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

/// Books seats at `slot_id` for a unit's staff (or a professional for themself). All staff
/// must work for the booking unit today; never overbooks.
pub async fn book(ctx: &Ctx, actor: &Actor, slot_id: i64, body: &BookBody) -> Result<Booked> {
    let slot = appointments::slot(&ctx.db, slot_id).await?;
    let bureau = bureau_place(ctx, slot.bureau_id).await?;
    let today = ctx.today()?;
    if slot.on < today {
        return Err(Error::conflict("slot.past", "该时段已过"));
    }
    if body.persons.is_empty() || body.persons.len() > 500 {
        return Err(Error::invalid(
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
        let unit = people::person_unit_on(&ctx.db, person_id, today)
            .await?
            .ok_or_else(|| Error::not_found("person.no_unit", "名单中有人当前没有任职单位"))?;
        if unit_id.is_some_and(|u| u != unit.unit_id) {
            return Err(Error::invalid(
                "booking.persons",
                "一次预约的人员须属于同一单位",
            ));
        }
        unit_id = Some(unit.unit_id);
        if let Some(industry) = &slot.industry
            && *industry != unit.industry
        {
            return Err(Error::invalid(
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
        allow(ctx, &actor.principal, Action::BookSlot, &target)?;
    }
    let unit_id = unit_id.ok_or_else(|| Error::invalid("booking.persons", "名单为空"))?;
    let booking_id = appointments::book(
        &ctx.db,
        slot_id,
        unit_id,
        &body.persons,
        &actor.line(ctx, "booking.book"),
    )
    .await?;
    Ok(Booked {
        booking_id,
        slot: appointments::slot(&ctx.db, slot_id).await?.into(),
    })
}

/// A booking as the bureau sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingView {
    pub booking_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub persons: Vec<i64>,
    /// The persons named (ID numbers masked), in the order of `persons`.
    pub people: Vec<Attendee>,
    /// booked | cancelled
    pub status: String,
}

/// A person booked on a bureau's slot, named with the ID number masked (its own schema: the
/// unit's `BookedPerson` lacks the masked number, and one name for both hid it in the document).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Attendee {
    pub person_id: i64,
    pub name: String,
    pub id_masked: String,
}

/// The bookings of one of the calling bureau's slots.
pub async fn bookings(ctx: &Ctx, actor: &Actor, slot_id: i64) -> Result<Vec<BookingView>> {
    let slot = appointments::slot(&ctx.db, slot_id).await?;
    if actor.account.organisation_id != Some(slot.bureau_id) {
        return Err(Error::denied(
            "auth.own_only",
            "只能查看本机构开放的时段的预约",
        ));
    }
    let list = appointments::bookings(&ctx.db, slot_id).await?;
    let roster = appointments::roster(&ctx.db, slot_id).await?;
    Ok(list
        .into_iter()
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
                    .map(|l| Attendee {
                        person_id: l.person_id,
                        name: l.name.clone(),
                        id_masked: l.id_masked.clone(),
                    })
                    .collect(),
                persons: b.persons,
                status: b.status.as_str().to_owned(),
            }
        })
        .collect())
}

/// Cancels `booking_id` (its unit, the professional booked alone, or the slot's bureau).
pub async fn cancel(ctx: &Ctx, actor: &Actor, booking_id: i64) -> Result<()> {
    let booking = appointments::booking(&ctx.db, booking_id).await?;
    let slot = appointments::slot(&ctx.db, booking.slot_id).await?;
    let unit = people::unit_place(&ctx.db, booking.unit_id)
        .await?
        .ok_or_else(|| Error::internal("booking.unit", "booking of unknown unit"))?;
    let target = Target::Slot {
        bureau: bureau_place(ctx, slot.bureau_id).await?,
        unit: UnitId(unit.unit_id),
        unit_place: place(unit.region, unit.zone.clone()),
        person: match booking.persons.as_slice() {
            [only] => Some(PersonId(*only)),
            _ => None,
        },
    };
    allow(ctx, &actor.principal, Action::CancelBooking, &target)?;
    appointments::cancel(&ctx.db, booking_id, &actor.line(ctx, "booking.cancel")).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_are_read_as_typed_and_bounded() {
        assert_eq!(time_of_day("9:30").as_deref(), Some("09:30"));
        assert_eq!(time_of_day("09:30:00").as_deref(), Some("09:30"));
        for bad in [
            "24:00",
            "9:3",
            "09:60",
            "x",
            "09:30:00:00",
            "",
            "-1:00",
            "09:30:61",
        ] {
            assert_eq!(time_of_day(bad), None, "{bad}");
        }
    }
}
