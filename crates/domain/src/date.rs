//! `Date`: a proleptic Gregorian calendar date, parsed from `YYYY-MM-DD` only.
//! Does not know time zones or times of day: the policy works in calendar days.

use std::fmt;

/// A valid calendar date between years 1900 and 2999. Keeps its day number beside its fields:
/// the policy engine compares and subtracts dates far more often than it builds them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // First, so that the derived order is chronological.
    days: i32,
    year: i16,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD`.
    Format,
    /// Well-formed but no such day (e.g. 2026-02-30).
    NoSuchDay,
}

impl DateError {
    /// Stable code for programs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "date.format",
            Self::NoSuchDay => "date.no_such_day",
        }
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format => f.write_str("日期格式应为 YYYY-MM-DD"),
            Self::NoSuchDay => f.write_str("日期不存在"),
        }
    }
}

impl std::error::Error for DateError {}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Howard Hinnant's days_from_civil, exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i32, month: u8, day: u8) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i32::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i32::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Date {
    /// Builds a date, refusing days that do not exist.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        if !(1900..=2999).contains(&year) {
            return Err(DateError::Format);
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::NoSuchDay);
        }
        Ok(Self {
            days: days_from_civil(year, month, day),
            year: i16::try_from(year).map_err(|_| DateError::Format)?,
            month,
            day,
        })
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, zero-padded).
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let b = text.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(DateError::Format);
        }
        let num = |range: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = text.get(range).ok_or(DateError::Format)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(DateError::Format);
            }
            part.parse().map_err(|_| DateError::Format)
        };
        let year = i32::try_from(num(0..4)?).map_err(|_| DateError::Format)?;
        let month = u8::try_from(num(5..7)?).map_err(|_| DateError::Format)?;
        let day = u8::try_from(num(8..10)?).map_err(|_| DateError::Format)?;
        Self::new(year, month, day)
    }

    /// First day of a year.
    pub fn first_of_year(year: i32) -> Result<Self, DateError> {
        Self::new(year, 1, 1)
    }

    /// Last day of a year.
    pub fn last_of_year(year: i32) -> Result<Self, DateError> {
        Self::new(year, 12, 31)
    }

    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// The same day `years` later (29 February becomes 28 February in a common year).
    pub fn add_years(self, years: i32) -> Self {
        let year = (i32::from(self.year) + years).clamp(1900, 2999);
        let day = self.day.min(days_in_month(year, self.month));
        Self {
            days: days_from_civil(year, self.month, day),
            year: i16::try_from(year).unwrap_or(i16::MAX),
            month: self.month,
            day,
        }
    }

    /// Days since 1970-01-01 (negative before), for day arithmetic.
    pub fn day_number(self) -> i32 {
        self.days
    }

    /// The date in Beijing (UTC+8, no daylight saving) at `ms` Unix milliseconds: the calendar
    /// day every deadline of the policy is counted in.
    pub fn beijing(ms: i64) -> Result<Self, DateError> {
        const DAY_MS: i64 = 86_400_000;
        let day = ms.saturating_add(8 * 3_600_000).div_euclid(DAY_MS);
        Self::from_day_number(i32::try_from(day).map_err(|_| DateError::NoSuchDay)?)
    }

    /// Inverse of [`Date::day_number`].
    pub fn from_day_number(n: i32) -> Result<Self, DateError> {
        let z = n + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i32::from(month <= 2);
        Self::new(
            year,
            u8::try_from(month).map_err(|_| DateError::Format)?,
            u8::try_from(day).map_err(|_| DateError::Format)?,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints_iso_dates() {
        let d = Date::parse("2027-05-31").unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2027, 5, 31));
        assert_eq!(d.to_string(), "2027-05-31");
    }

    #[test]
    fn refuses_impossible_and_malformed_dates() {
        assert_eq!(Date::parse("2026-02-30"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("2026-02-29"), Err(DateError::NoSuchDay));
        assert!(Date::parse("2024-02-29").is_ok());
        assert_eq!(Date::parse("2026-13-01"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("2026-1-01"), Err(DateError::Format));
        assert_eq!(Date::parse("２０２６-01-01"), Err(DateError::Format));
        assert_eq!(Date::parse("+026-01-01"), Err(DateError::Format));
    }

    #[test]
    fn day_numbers_match_known_values() {
        assert_eq!(Date::parse("1970-01-01").unwrap().day_number(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().day_number(), 11_017);
        let a = Date::parse("2026-12-31").unwrap().day_number();
        let b = Date::parse("2027-01-01").unwrap().day_number();
        assert_eq!(b - a, 1);
    }

    #[test]
    fn adding_years_keeps_the_day_where_it_exists() {
        assert_eq!(
            Date::parse("2027-05-31").unwrap().add_years(4).to_string(),
            "2031-05-31"
        );
        assert_eq!(
            Date::parse("2024-02-29").unwrap().add_years(1).to_string(),
            "2025-02-28"
        );
    }

    proptest! {
        #[test]
        fn day_number_round_trips(n in -25_000i32..300_000) {
            let d = Date::from_day_number(n).unwrap();
            prop_assert_eq!(d.day_number(), n);
            prop_assert_eq!(Date::parse(&d.to_string()).unwrap(), d);
        }
    }
}
