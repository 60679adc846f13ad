//! Reminders of a year's shortfall before its deadlines: a professional who has not yet met a
//! year's requirement (the engine's decision, as kept in `person_year_summaries`) is told how
//! many hours are still missing, and their unit is told once how many of its staff are short
//! (one message per unit, not one per person), at each threshold before the year's registration
//! deadline (D11) and its public-study deadline (D5) — by default 120, 30 and 7 days before.
//! When both deadlines fall on the same day (2026: 2027-05-31), one reminder names both.
//!
//! Idempotent: each reminder has a unique key (person or unit, year, deadline, threshold) and
//! is written with `ON CONFLICT DO NOTHING`, so running reminders twice a day, from two service
//! instances, or by hand (`xueshi reminders run`) never gives a second one. Only the nearest
//! threshold reached is given: a service started 5 days before a deadline sends the 7-day
//! reminder, not the 120- and 30-day ones as well.

use xueshi_domain::Date;
use xueshi_policy::Policy;

use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::messages::DeadlineKind;
use crate::on_db;
use crate::summaries::{self, Scope};

/// The default thresholds: days before a deadline.
pub const DEFAULT_DAYS: [u32; 3] = [120, 30, 7];
/// The most thresholds accepted, and the farthest (a year).
pub const MAX_THRESHOLDS: usize = 12;
pub const MAX_DAYS: u32 = 366;

/// Parses thresholds like `120,30,7` (each 0–366 days, at most 12).
pub fn parse_days(text: &str) -> Result<Vec<u32>, StoreError> {
    let bad = || {
        StoreError::invalid(
            "reminders.days",
            format!(
                "提醒天数须为逗号分隔的 0—{MAX_DAYS} 之间的整数（例如 120,30,7），最多 {MAX_THRESHOLDS} 个"
            ),
        )
    };
    let mut days = text
        .split(',')
        .map(|d| d.trim().parse::<u32>().ok().filter(|&d| d <= MAX_DAYS))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(bad)?;
    days.sort_unstable();
    days.dedup();
    if days.is_empty() || days.len() > MAX_THRESHOLDS {
        return Err(bad());
    }
    Ok(days)
}

/// A reminder due today: a year's deadline, how far it is, and the threshold reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub year: i32,
    pub kind: DeadlineKind,
    pub on: Date,
    pub days_left: i64,
    pub threshold: u32,
}

/// The reminders due on `today`: for every year of the policy and each of its deadlines not
/// yet passed, the nearest threshold reached (none when the deadline is farther than every
/// threshold).
pub fn due(policy: &Policy, today: Date, thresholds: &[u32]) -> Vec<Due> {
    let mut out = Vec::new();
    for y in &policy.years {
        let (registration, public) = (y.registration_deadline.value, y.public_deadline.value);
        let deadlines = if registration == public {
            vec![(DeadlineKind::Both, public)]
        } else {
            vec![
                (DeadlineKind::Registration, registration),
                (DeadlineKind::Public, public),
            ]
        };
        for (kind, on) in deadlines {
            let days_left = i64::from(on.day_number()) - i64::from(today.day_number());
            if days_left < 0 {
                continue;
            }
            let threshold = thresholds
                .iter()
                .copied()
                .filter(|&t| i64::from(t) >= days_left)
                .min();
            if let Some(threshold) = threshold {
                out.push(Due {
                    year: y.year,
                    kind,
                    on,
                    days_left,
                    threshold,
                });
            }
        }
    }
    out
}

/// What a run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reminded {
    pub due: Vec<Due>,
    /// New reminders to professionals.
    pub persons: u64,
    /// New reminders to units.
    pub units: u64,
}

/// Writes the reminders due on `today` (see [`due`]). The year's summaries are brought up to
/// date first, so the shortfall is the engine's decision on the records as they stand.
pub async fn run(
    db: &Db,
    policy: &Policy,
    today: Date,
    thresholds: &[u32],
    now_ms: i64,
) -> Result<Reminded, StoreError> {
    let due = due(policy, today, thresholds);
    let mut out = Reminded::default();
    if !due.is_empty() {
        summaries::prepare(db, policy).await?;
    }
    let mut refreshed = Vec::new();
    for d in &due {
        if !refreshed.contains(&d.year) {
            summaries::open_year(db, d.year).await?;
            let scope = Scope {
                year: Some(d.year),
                ..Scope::default()
            };
            summaries::drain(db, policy, now_ms, scope, &mut |_| {}).await?;
            refreshed.push(d.year);
        }
        let (persons, units) = write(db, d, now_ms).await?;
        out.persons += persons;
        out.units += units;
    }
    out.due = due;
    Ok(out)
}

/// The reminders of one due deadline: one per short person, one per unit with short staff.
async fn write(db: &Db, d: &Due, now_ms: i64) -> Result<(u64, u64), StoreError> {
    let key = format!(":{}:{}:{}", d.year, d.kind.as_str(), d.threshold);
    let persons =
        "INSERT INTO messages (person_id, kind, year, deadline_on, deadline_kind, days_left,
                       short_total_tenths, short_professional_tenths, dedup_key, created_ms)
                   SELECT s.person_id, 'reminder.person', s.year, $2, $3, $4,
                          s.total_short_tenths, s.professional_short_tenths,
                          'reminder:person:' || s.person_id || $5, $6
                     FROM person_year_summaries s
                    WHERE s.year = $1 AND s.required AND NOT s.compliant
                   ON CONFLICT (dedup_key) DO NOTHING";
    let units = "INSERT INTO messages (unit_id, kind, year, deadline_on, deadline_kind, days_left,
                     staff_short, dedup_key, created_ms)
                 SELECT s.unit_id, 'reminder.unit', $1, $2, $3, $4, count(*),
                        'reminder:unit:' || s.unit_id || $5, $6
                   FROM person_year_summaries s
                  WHERE s.year = $1 AND s.required AND NOT s.compliant
                  GROUP BY s.unit_id
                 ON CONFLICT (dedup_key) DO NOTHING";
    let mut n = [0u64; 2];
    for (i, sql) in [persons, units].into_iter().enumerate() {
        let written = on_db!(db, p => sqlx::query(sql)
            .bind(i64::from(d.year))
            .bind(DbDate(d.on))
            .bind(d.kind.as_str())
            .bind(d.days_left)
            .bind(&key)
            .bind(now_ms)
            .execute(p)
            .await?
            .rows_affected());
        if let Some(slot) = n.get_mut(i) {
            *slot = written;
        }
    }
    let [persons, units] = n;
    Ok((persons, units))
}
