//! What a professional (and whoever may see their records) needs beside the decisions: who
//! they are (masked), their unit today, the tenure cycles they plan to apply with and the years
//! open for registration ([`profile`]); their verification applications with their answers
//! ([`applications`]); their bookings ([`bookings`]). Reads only, each authorized as
//! `view_records` on the person through their unit today.

use serde::Serialize;
use utoipa::ToSchema;
use xueshi_store::{people, requests, staff};

use crate::Action;
use crate::access::{allow, person_target};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::units::{BookingInfo, booking_infos};
use crate::verifications::ApplicationView;

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

/// `person_id`'s profile: masked identity, unit today, planned cycles, open years.
pub async fn profile(ctx: &Ctx, actor: &Actor, person_id: i64) -> Result<Profile> {
    let today = ctx.today()?;
    let (target, unit) = person_target(ctx, person_id, today).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let person = people::person(&ctx.db, person_id).await?;
    let cycles = staff::tenure_cycles(&ctx.db, person_id)
        .await?
        .into_iter()
        .map(|c| CycleView {
            level: c.level.as_str().to_owned(),
            first_year: c.first_year,
            last_year: c.last_year,
        })
        .collect();
    let open_years = ctx
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
    Ok(Profile {
        person_id,
        name: person.name,
        id_masked: person.id_masked,
        cohort: person.cohort.as_str().to_owned(),
        left_on: person.left_on.map(|d| d.to_string()),
        unit_id: unit.unit_id,
        unit_name: staff::unit_name(&ctx.db, unit.unit_id)
            .await?
            .unwrap_or_default(),
        industry: unit.industry,
        cycles,
        open_years,
    })
}

/// `person_id`'s verification applications, oldest first, with their answers.
pub async fn applications(
    ctx: &Ctx,
    actor: &Actor,
    person_id: i64,
) -> Result<Vec<ApplicationView>> {
    let (target, _) = person_target(ctx, person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let apps = requests::person_applications(&ctx.db, person_id).await?;
    Ok(apps.into_iter().map(ApplicationView::from).collect())
}

/// The bookings that include `person_id`, newest first (naming only that person).
pub async fn bookings(ctx: &Ctx, actor: &Actor, person_id: i64) -> Result<Vec<BookingInfo>> {
    let (target, _) = person_target(ctx, person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let mut rows = staff::person_bookings(&ctx.db, person_id).await?;
    // A unit's batch names colleagues: the person sees only themself in it.
    for r in &mut rows {
        r.names.retain(|(p, _)| *p == person_id);
    }
    booking_infos(ctx, rows).await
}
