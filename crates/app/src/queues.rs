//! Narrowing an official's queue (year pages to review, applications to verify) to one unit's
//! staff and/or to a name, as typed by the official: bounded and checked here, matched
//! literally by the store.

use serde::Deserialize;
use utoipa::IntoParams;
pub use xueshi_store::requests::{QueueFilter, QueueUnit};

use crate::error::{Error, Result};

/// The longest name fragment searched for (a Chinese name is 2–4 characters; some minority
/// names run longer).
pub const NAME_MAX_CHARS: usize = 20;

/// A queue's query: how many, and what to narrow it to.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueAsk {
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
    /// Only the staff of this unit.
    pub unit_id: Option<i64>,
    /// Only persons whose name contains this (at most 20 characters).
    pub name: Option<String>,
}

impl QueueAsk {
    /// How many to list.
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, 500)
    }

    /// The filter, or `queue.name` when the name is too long or holds control characters.
    pub fn filter(&self) -> Result<QueueFilter> {
        filter(self.unit_id, self.name.as_deref())
    }
}

/// The filter for `unit_id` and a typed `name` (trimmed; empty is no filter).
pub fn filter(unit_id: Option<i64>, name: Option<&str>) -> Result<QueueFilter> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = name
        && (n.chars().count() > NAME_MAX_CHARS || n.chars().any(char::is_control))
    {
        return Err(Error::invalid(
            "queue.name",
            format!("姓名检索最多 {NAME_MAX_CHARS} 个字，且不含控制字符"),
        ));
    }
    Ok(QueueFilter {
        unit_id,
        name: name.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_bounded_and_empty_means_everyone() {
        assert_eq!(filter(None, Some("  ")).unwrap(), QueueFilter::default());
        assert_eq!(
            filter(Some(3), Some(" 张 ")).unwrap().name.as_deref(),
            Some("张")
        );
        let long = "张".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(filter(None, Some(&long)).unwrap_err().code, "queue.name");
        assert_eq!(
            filter(None, Some("a\u{7}b")).unwrap_err().code,
            "queue.name"
        );
    }
}
