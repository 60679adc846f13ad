//! The hash of the rules that can change a decision of one credit year, so that a policy change
//! marks only the summaries of the years whose rules changed (migration 0012).
//!
//! What a year's annual decision reads from the policy (crates/policy `annual`): that year's
//! rules; the public-subject deadline of an earlier year when a record completed in this year
//! asks to count for it (D5); the transition exceptions in force on a completion date that can
//! count for this year; the zones' cities of every year's routing tables (a filing's or a
//! provider's place covering the unit). The hash covers exactly these, through their `Debug`
//! forms: a change of the policy crate's types changes every year's hash, which re-decides
//! everything once — safe, never stale.

use sha2::{Digest, Sha256};
use xueshi_domain::Date;
use xueshi_policy::Policy;

/// Hex SHA-256 of the rules that can change a decision of `year` (a year without rules has a
/// hash too: its summaries, if any, are re-decided away).
pub fn year_hash(policy: &Policy, year: i32) -> String {
    let mut h = Sha256::new();
    let mut part = |label: &str, text: String| {
        h.update(label.as_bytes());
        h.update([0u8]);
        h.update((text.len() as u64).to_be_bytes());
        h.update(text.as_bytes());
    };
    part("xueshi.summary-year.v1", policy.name.clone());
    match (policy.year(year), Date::first_of_year(year)) {
        (Some(yp), Ok(first)) => {
            part("year", format!("{yp:?}"));
            for earlier in policy
                .years
                .iter()
                .filter(|p| p.year < year && p.public_deadline.value >= first)
            {
                part(
                    "deadline",
                    format!("{} {:?}", earlier.year, earlier.public_deadline),
                );
            }
            let last = Date::last_of_year(year).map_or(yp.public_deadline.value, |l| {
                l.max(yp.public_deadline.value)
            });
            for e in policy
                .exceptions
                .iter()
                .filter(|e| e.from <= last && first <= e.to)
            {
                part("exception", format!("{e:?}"));
            }
            for p in &policy.years {
                if let Some(routes) = &p.routes {
                    let zones: Vec<_> = routes.value.iter().map(|c| (c.city, &c.zones)).collect();
                    part("zones", format!("{} {zones:?}", p.year));
                }
            }
        }
        _ => part("no rules", year.to_string()),
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use xueshi_domain::Hours;

    #[test]
    fn changing_one_years_minimum_changes_that_years_hash_only() {
        let policy = xueshi_policy::load_embedded("anhui").unwrap();
        let mut changed = policy.clone();
        let y = changed.years.iter_mut().find(|y| y.year == 2025).unwrap();
        y.total_min.value = Hours::whole(91);
        for year in 2016..=2030 {
            let same = year_hash(&policy, year) == year_hash(&changed, year);
            assert_eq!(same, year != 2025, "{year}");
        }
        // Stable: the same policy gives the same hash.
        assert_eq!(year_hash(&policy, 2026), year_hash(&policy.clone(), 2026));
    }

    #[test]
    fn a_deadline_reaching_into_the_next_year_belongs_to_both_years() {
        let policy = xueshi_policy::load_embedded("anhui").unwrap();
        let mut changed = policy.clone();
        let y = changed.years.iter_mut().find(|y| y.year == 2024).unwrap();
        y.public_deadline.value = Date::parse("2025-03-31").unwrap();
        assert_ne!(year_hash(&policy, 2024), year_hash(&changed, 2024));
        assert_ne!(year_hash(&policy, 2025), year_hash(&changed, 2025));
        assert_eq!(year_hash(&policy, 2026), year_hash(&changed, 2026));
    }
}
