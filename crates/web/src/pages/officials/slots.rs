//! `/slots` 预约时段: the bureau's verification appointment slots from today on (D16), each
//! with its bookings (units, persons named with masked ID numbers) and a cancel button per
//! booking, and the form to open a slot.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{guard, status_zh};
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use xueshi_app::slots::{self, BookingView, SlotInfo};

#[derive(Debug)]
struct SlotCard {
    slot: SlotInfo,
    /// Seats taken, as a share of the capacity (for the meter).
    used_pct: i64,
    bookings: Vec<(BookingView, &'static str)>,
}

#[derive(Template)]
#[template(path = "officials/slots.html")]
struct Slots {
    chrome: Chrome,
    cards: Vec<SlotCard>,
    today: String,
}

/// The bureau's slots with their bookings, and the form to open one.
pub async fn page(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    guard(&page, "/slots")?;
    let ctx = state.ctx();
    let list = slots::list(&ctx, &page.acting, None, None).await?;
    let mut cards = Vec::with_capacity(list.len());
    for slot in list {
        let bookings = slots::bookings(&ctx, &page.acting, slot.slot_id)
            .await?
            .into_iter()
            .map(|b| {
                let status = status_zh(&b.status);
                (b, status)
            })
            .collect();
        cards.push(SlotCard {
            used_pct: crate::pages::percent(slot.booked, slot.capacity),
            slot,
            bookings,
        });
    }
    Ok(render(&Slots {
        chrome: page.chrome("预约时段", "/slots"),
        cards,
        today: ctx.today()?.to_string(),
    }))
}
