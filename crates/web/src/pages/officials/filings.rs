//! `/filings` 培训备案 and `/providers` 课件机构. A bureau sees the training filings waiting for
//! its decision and approves or refuses each with a reason (D8); a training provider sees its
//! own filings and files a new one. The courseware-provider register (D7) lists each
//! registration with its period, marking those in force today; the city bureau registers
//! providers.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use xueshi_app::Scope;
use xueshi_domain::Role;

use super::{guard, luan_places, luan_zones, region_zh, status_zh};
use crate::pages::plain::Names;
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use xueshi_app::actor::Agent;
use xueshi_app::registers::{self, FilingView, RegistrationView};

#[derive(Debug)]
struct FilingLine {
    f: FilingView,
    place: String,
    status: &'static str,
    /// Who decided it (the agency and official), once decided.
    decided_by: Option<String>,
}

#[derive(Template)]
#[template(path = "officials/filings.html")]
struct Filings {
    chrome: Chrome,
    provider: bool,
    filings: Vec<FilingLine>,
    places: Vec<(String, &'static str)>,
    zones: Vec<String>,
    today: String,
}

/// Pending filings (bureaus) or one's own filings and the filing form (providers).
pub async fn filings(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    guard(&page, "/filings")?;
    let list = registers::filings(&state.ctx(), &Agent::from(&page.acting.0), 500).await?;
    let mut names = Names::new(&state);
    let mut filings = Vec::with_capacity(list.len());
    for f in list {
        let decided_by = match &f.decided_by {
            Some(by) => Some(names.full(by).await),
            None => None,
        };
        filings.push(FilingLine {
            place: match &f.zone {
                Some(z) => z.clone(),
                None => region_zh(&f.region),
            },
            status: status_zh(&f.status),
            decided_by,
            f,
        });
    }
    Ok(render(&Filings {
        chrome: page.chrome("培训备案", "/filings"),
        provider: page.role() == Role::Provider,
        filings,
        places: luan_places(),
        zones: luan_zones(&state),
        today: crate::access::today(&state)?.to_string(),
    }))
}

/// A registration with who registered it, by agency.
#[derive(Debug)]
struct ProviderRow {
    r: RegistrationView,
    by: String,
}

#[derive(Template)]
#[template(path = "officials/providers.html")]
struct Providers {
    chrome: Chrome,
    rows: Vec<ProviderRow>,
    in_force: usize,
    keeper: bool,
    today: String,
}

/// The city's courseware-provider register, and (city bureau) the registration form.
pub async fn providers(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    guard(&page, "/providers")?;
    // The register of the caller's own city (a zone centre's: its zone's city).
    let city = match page.acting.principal.scope() {
        Scope::CityBureau { city: r } | Scope::CountyBureau { county: r } => Some(r.city()),
        Scope::ZoneCentre { zone } => xueshi_policy::annual::zone_city(&state.policy, zone),
        _ => None,
    };
    let city = city.map(|c| c.to_string());
    let mut rows = registers::providers(&state.ctx(), city.as_deref()).await?;
    // By provider, each provider's newest period first.
    rows.sort_by(|a, b| {
        a.provider
            .cmp(&b.provider)
            .then_with(|| b.from.cmp(&a.from))
    });
    let mut names = Names::new(&state);
    let mut named = Vec::with_capacity(rows.len());
    for r in rows {
        let by = names.agency(&r.registered_by).await;
        named.push(ProviderRow { r, by });
    }
    Ok(render(&Providers {
        chrome: page.chrome("课件机构", "/providers"),
        in_force: named.iter().filter(|x| x.r.in_force).count(),
        keeper: page.role() == Role::CityBureau,
        rows: named,
        today: crate::access::today(&state)?.to_string(),
    }))
}
