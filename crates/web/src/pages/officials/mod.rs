//! The officials' pages: the industry authority's review queue, the bureaus' verification
//! queue and decision detail, training filings, the courseware-provider register, appointment
//! slots, statistics (with its chart and Excel export), the supervisor's audit trail and the
//! bases' certificate reports. Each reads through the API's handlers (so the API authorizes
//! every read) and writes through forms that `app.js` sends to the API.
//!
//! A page is shown only to the roles whose navigation lists it ([`guard`]): the API alone would
//! let some other roles read the same data (every account reads the provider register), but
//! the page is a desk for the roles named.

pub mod audit;
pub mod base;
pub mod filings;
pub mod reviews;
pub mod slots;
pub mod statistics;
pub mod verifications;

use std::str::FromStr;

use xueshi_domain::Date;
use xueshi_policy::RuleId;

use xueshi_app::queues::{self, QueueFilter, QueueUnit};

use super::plain::url_component;
use super::{Page, PageError, nav};
use crate::error::ApiError;

/// Refuses (HTML 403) a role whose navigation does not list `path`.
pub fn guard(page: &Page, path: &str) -> Result<(), PageError> {
    if nav(page.role()).iter().any(|(href, _)| *href == path) {
        Ok(())
    } else {
        Err(PageError::Api(ApiError::forbidden(
            "page.role",
            "该页面不面向当前账号的角色",
        )))
    }
}

/// Unix ms as Beijing time, `YYYY-MM-DD HH:MM`.
pub fn when(ms: i64) -> String {
    xueshi_store::accounts::beijing_time(ms)
}

/// A rule id with its Chinese name, e.g. `年度专业科目学时下限（annual.professional_min）`.
pub fn rule_zh(id: &str) -> String {
    match RuleId::from_str(id) {
        Ok(rule) => rule.zh().to_owned(),
        Err(_) => id.to_owned(),
    }
}

/// A title level's Chinese name (初级、中级、高级).
pub fn level_zh(level: &str) -> &'static str {
    match level {
        "junior" => "初级",
        "intermediate" => "中级",
        "senior" => "高级",
        _ => "（未知级别）",
    }
}

/// A request status's Chinese name.
pub fn status_zh(status: &str) -> &'static str {
    match status {
        "pending" => "待审批",
        "approved" => "已同意",
        "refused" => "不同意",
        "booked" => "已预约",
        "cancelled" => "已取消",
        _ => "—",
    }
}

/// A query parameter as given, or none when empty.
pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Midnight (Beijing) at the start of `day`, as Unix ms.
pub fn day_start_ms(day: Date) -> i64 {
    i64::from(day.day_number()) * 86_400_000 - 8 * 3_600_000
}

/// The divisions of Lu'an (the city first, then its counties and districts), for the filing
/// form's choice of bureau: code and name, from the region table (GB/T 2260).
pub fn luan_places() -> Vec<(String, &'static str)> {
    xueshi_domain::region::named()
        .filter(|(code, _)| code.city() == xueshi_domain::region::LUAN)
        .map(|(code, name)| (code.to_string(), name))
        .collect()
}

/// The development zones of Lu'an, from the newest routing table of the policy.
pub fn luan_zones(state: &crate::state::AppState) -> Vec<String> {
    state
        .policy
        .years
        .iter()
        .rev()
        .find_map(|y| y.routes.as_ref())
        .map(|routes| {
            routes
                .value
                .iter()
                .filter(|c| c.city == xueshi_domain::region::LUAN)
                .flat_map(|c| c.zones.iter().cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// A place code's Chinese name (the code itself when unknown).
pub fn region_zh(code: &str) -> String {
    xueshi_domain::RegionCode::parse(code)
        .ok()
        .and_then(|r| r.name())
        .map_or_else(|| code.to_owned(), str::to_owned)
}

/// A unit to narrow a queue to, as the filter's choice shows it.
#[derive(Debug)]
pub struct UnitChoice {
    pub unit_id: i64,
    pub name: String,
    pub waiting: i64,
    pub selected: bool,
}

/// An official's queue narrowed to one unit and/or a name, as the page's filter form shows it
/// (`officials/_queue_filter.html`) and its links carry it.
#[derive(Debug)]
pub struct Narrow {
    /// The page the form and its links lead to.
    pub path: &'static str,
    pub units: Vec<UnitChoice>,
    pub name: String,
    pub filter: QueueFilter,
}

impl Narrow {
    /// Takes the page's `unit` and `name` leniently: what is not a number is no filter; a unit
    /// with nothing left waiting (its last pages just stamped) stays chosen, so the page says
    /// so rather than widening to every unit; a name is cut to its bound and stripped of
    /// control characters. The store reads only the caller's own queue whatever the unit.
    pub fn new(
        path: &'static str,
        unit: Option<&str>,
        name: Option<&str>,
        mut units: Vec<QueueUnit>,
    ) -> Self {
        let unit_id = unit.and_then(|u| u.trim().parse::<i64>().ok());
        if let Some(u) = unit_id
            && !units.iter().any(|c| c.unit_id == u)
        {
            units.insert(
                0,
                QueueUnit {
                    unit_id: u,
                    name: "所选单位（已无待办）".to_owned(),
                    waiting: 0,
                },
            );
        }
        let name: String = name
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(queues::NAME_MAX_CHARS)
            .collect::<String>()
            .trim()
            .to_owned();
        let filter = queues::filter(unit_id, Some(&name)).unwrap_or_default();
        Self {
            path,
            units: units
                .into_iter()
                .map(|u| UnitChoice {
                    selected: Some(u.unit_id) == unit_id,
                    unit_id: u.unit_id,
                    name: u.name,
                    waiting: u.waiting,
                })
                .collect(),
            name,
            filter,
        }
    }

    /// Whether the queue is narrowed at all.
    pub fn narrowed(&self) -> bool {
        self.filter != QueueFilter::default()
    }

    /// The filter as the start of a query string (`unit=…&name=…&`), for paging links.
    pub fn query(&self) -> String {
        let mut q = String::new();
        if let Some(u) = self.filter.unit_id {
            q.push_str(&format!("unit={u}&"));
        }
        if let Some(n) = &self.filter.name {
            q.push_str(&format!("name={}&", url_component(n)));
        }
        q
    }

    /// The chosen unit's name.
    pub fn unit_name(&self) -> Option<&str> {
        self.units
            .iter()
            .find(|u| u.selected)
            .map(|u| u.name.as_str())
    }
}
