//! `/statistics` 统计: a year's compliance over the bureau's jurisdiction, grouped by county,
//! industry or unit (optionally within a place or an industry), as an SVG bar chart drawn here
//! (no script, no library: a title, a description and the same numbers in the table beside it)
//! and a link to the same statistics as an Excel workbook (`/api/statistics.xlsx`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{given, guard};
use crate::pages::plain::url_component;
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use xueshi_app::statistics::{self, By, StatisticsQuery};

/// The page's query, taken leniently (an unknown grouping falls back to counties).
#[derive(Debug, Default, Deserialize)]
pub struct Ask {
    year: Option<String>,
    by: Option<String>,
    place: Option<String>,
    industry: Option<String>,
}

/// Chart geometry (SVG user units): labels above bars, the values in a column after the
/// bars' full length. Narrow enough that a phone's width shows the text legibly.
const WIDTH: i64 = 360;
const BAR_MAX: i64 = 290;
const ROW: i64 = 34;
const TOP: i64 = 4;

#[derive(Debug)]
struct Bar {
    name: String,
    key: String,
    persons: i64,
    compliant: i64,
    rate: String,
    /// The bar's length and the rows' offsets, in SVG units.
    width: i64,
    y: i64,
    /// Where a row leads: the units within this county or industry.
    drill: Option<String>,
}

#[derive(Template)]
#[template(path = "officials/statistics.html")]
struct Statistics {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    by: &'static str,
    by_zh: &'static str,
    place: String,
    /// The place asked for, named.
    place_zh: String,
    industry: String,
    bars: Vec<Bar>,
    total: Bar,
    pending: i64,
    height: i64,
    width: i64,
    bar_max: i64,
    value_x: i64,
    xlsx: String,
}

/// A per mille as a percentage with one decimal, `25.0%`.
pub fn rate(permille: i64) -> String {
    format!("{}.{}%", permille / 10, (permille % 10).abs())
}

/// The statistics of the asked year and grouping, charted.
pub async fn page(
    State(state): State<AppState>,
    page: Page,
    Query(ask): Query<Ask>,
) -> Result<Response, PageError> {
    guard(&page, "/statistics")?;
    let today = crate::access::today(&state)?;
    let years: Vec<i32> = state.policy.years.iter().rev().map(|y| y.year).collect();
    let year = given(&ask.year)
        .and_then(|y| y.parse().ok())
        .filter(|y| years.contains(y))
        .unwrap_or_else(|| today.year());
    let by = match given(&ask.by) {
        Some("industry") => By::Industry,
        Some("unit") => By::Unit,
        _ => By::County,
    };
    let place = given(&ask.place).map(str::to_owned);
    let industry = given(&ask.industry).map(str::to_owned);
    let s = statistics::statistics(
        &state.ctx(),
        &page.acting,
        &StatisticsQuery {
            year,
            by,
            place: place.clone(),
            industry: industry.clone(),
            unit: None,
        },
    )
    .await?;
    let by_str = by.as_str();
    let mut query = format!("year={year}&by={by_str}");
    if let Some(p) = &place {
        query.push_str(&format!("&place={}", url_component(p)));
    }
    if let Some(i) = &industry {
        query.push_str(&format!("&industry={}", url_component(i)));
    }
    let bar = |i: i64, name: String, key: String, c: &statistics::Counts, drill| Bar {
        name,
        key,
        persons: c.persons,
        compliant: c.compliant,
        rate: rate(c.rate_permille),
        width: c.rate_permille.clamp(0, 1000) * BAR_MAX / 1000,
        y: TOP + i * ROW,
        drill,
    };
    let mut bars = Vec::with_capacity(s.rows.len());
    for (i, r) in (0i64..).zip(&s.rows) {
        // A county leads to its units (a zone is named, its key is internal); an industry too.
        let drill = match by {
            By::County if r.key.starts_with("zone:") => Some(format!(
                "year={year}&by=unit&place={}",
                url_component(&r.name)
            )),
            // The city's own row (city-direct units) has no narrower place to open.
            By::County if xueshi_domain::RegionCode::parse(&r.key).is_ok_and(|c| c.city() == c) => {
                None
            }
            By::County => Some(format!(
                "year={year}&by=unit&place={}",
                url_component(&r.key)
            )),
            By::Industry => Some(format!(
                "year={year}&by=unit&industry={}",
                url_component(&r.key)
            )),
            By::Unit => None,
        };
        bars.push(bar(i, r.name.clone(), r.key.clone(), &r.counts, drill));
    }
    let n = i64::try_from(bars.len()).unwrap_or(0);
    let total = bar(n, "合计".to_owned(), String::new(), &s.total, None);
    Ok(render(&Statistics {
        chrome: page.chrome("统计", "/statistics"),
        year,
        years,
        by: by_str,
        by_zh: by.zh(),
        place_zh: place.as_deref().map(super::region_zh).unwrap_or_default(),
        place: place.unwrap_or_default(),
        industry: industry.unwrap_or_default(),
        height: TOP * 2 + (n + 1) * ROW,
        width: WIDTH,
        bar_max: BAR_MAX,
        value_x: BAR_MAX + 6,
        bars,
        total,
        pending: s.pending,
        xlsx: format!("/api/statistics.xlsx?{query}"),
    }))
}
