//! `Hours`: 学时 kept exactly as integer tenths. Never a float: policy arithmetic must be exact
//! and reproducible byte for byte (DOMAIN D2, D23).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

/// A non-negative number of hours, in tenths (`Hours::from_tenths(25)` is 2.5 学时).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hours(u64);

/// Why a text is not an amount of hours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoursError {
    /// Not a plain decimal number.
    Format,
    /// Below zero.
    Negative,
    /// Finer than a tenth of an hour.
    TooPrecise,
    /// Implausibly large.
    TooLarge,
}

impl HoursError {
    /// Stable code for programs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "hours.format",
            Self::Negative => "hours.negative",
            Self::TooPrecise => "hours.too_precise",
            Self::TooLarge => "hours.too_large",
        }
    }
}

impl fmt::Display for HoursError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Format => "学时应为数字，如 20 或 2.5",
            Self::Negative => "学时不能为负数",
            Self::TooPrecise => "学时最多精确到 0.1",
            Self::TooLarge => "学时数值过大",
        })
    }
}

impl std::error::Error for HoursError {}

/// Upper bound for one amount: far above any real year, low enough that sums never overflow.
const MAX_TENTHS: u64 = 10_000_000;

impl Hours {
    pub const ZERO: Hours = Hours(0);

    pub const fn from_tenths(tenths: u64) -> Self {
        Self(tenths)
    }

    pub const fn whole(hours: u64) -> Self {
        Self(hours * 10)
    }

    pub const fn tenths(self) -> u64 {
        self.0
    }

    /// Parses `20`, `2.5`, `2.50` (trailing zeros allowed); refuses `-1`, `2.55`, `1e3`.
    pub fn parse(text: &str) -> Result<Self, HoursError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(HoursError::Negative);
        }
        let text = text.strip_prefix('+').unwrap_or(text);
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
            return Err(HoursError::Format);
        }
        if !frac.bytes().all(|c| c.is_ascii_digit()) || (text.contains('.') && frac.is_empty()) {
            return Err(HoursError::Format);
        }
        let mut digits = frac.bytes();
        let tenth = digits.next().map_or(0, |c| u64::from(c - b'0'));
        if digits.any(|c| c != b'0') {
            return Err(HoursError::TooPrecise);
        }
        if int.len() > 7 {
            return Err(HoursError::TooLarge);
        }
        let whole: u64 = int.parse().map_err(|_| HoursError::Format)?;
        let tenths = whole * 10 + tenth;
        if tenths > MAX_TENTHS {
            return Err(HoursError::TooLarge);
        }
        Ok(Self(tenths))
    }

    /// `floor(minutes / minutes_per_hour)` whole hours (DOMAIN D2).
    pub fn from_minutes(minutes: u64, minutes_per_hour: u64) -> Self {
        if minutes_per_hour == 0 {
            return Self::ZERO;
        }
        Self::whole(minutes / minutes_per_hour)
    }

    /// The minutes these hours stand for at `minutes_per_hour` (tenths rounded up).
    pub fn to_minutes(self, minutes_per_hour: u64) -> u64 {
        (self.0 * minutes_per_hour).div_ceil(10)
    }

    pub fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }

    /// `factor × self`, exact.
    pub fn times(self, factor: u64) -> Self {
        Self(self.0.saturating_mul(factor))
    }
}

impl Add for Hours {
    type Output = Hours;
    fn add(self, rhs: Self) -> Self {
        Self(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Hours {
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl Sub for Hours {
    type Output = Hours;
    /// Saturating: hours never go below zero.
    fn sub(self, rhs: Self) -> Self {
        self.saturating_sub(rhs)
    }
}

impl Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Self {
        iter.fold(Hours::ZERO, Add::add)
    }
}

impl fmt::Display for Hours {
    /// `20`, `2.5`: the shortest exact decimal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, tenth) = (self.0 / 10, self.0 % 10);
        if tenth == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{tenth}")
        }
    }
}

impl fmt::Debug for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_whole_and_tenths() {
        assert_eq!(Hours::parse("20").unwrap(), Hours::whole(20));
        assert_eq!(Hours::parse("2.5").unwrap(), Hours::from_tenths(25));
        assert_eq!(Hours::parse("2.50").unwrap(), Hours::from_tenths(25));
        assert_eq!(Hours::parse("0").unwrap(), Hours::ZERO);
    }

    #[test]
    fn refuses_negative_too_precise_and_garbage() {
        assert_eq!(Hours::parse("-1"), Err(HoursError::Negative));
        assert_eq!(Hours::parse("2.55"), Err(HoursError::TooPrecise));
        assert_eq!(Hours::parse("1e3"), Err(HoursError::Format));
        assert_eq!(Hours::parse("2."), Err(HoursError::Format));
        assert_eq!(Hours::parse(".5"), Err(HoursError::Format));
        assert_eq!(Hours::parse("99999999"), Err(HoursError::TooLarge));
    }

    #[test]
    fn minutes_floor_to_whole_hours() {
        assert_eq!(Hours::from_minutes(100, 40), Hours::whole(2));
        assert_eq!(Hours::from_minutes(79, 40), Hours::whole(1));
        assert_eq!(Hours::from_minutes(39, 40), Hours::ZERO);
        assert_eq!(Hours::from_minutes(90, 45), Hours::whole(2));
    }

    proptest! {
        #[test]
        fn display_round_trips(t in 0u64..MAX_TENTHS) {
            let h = Hours::from_tenths(t);
            prop_assert_eq!(Hours::parse(&h.to_string()).unwrap(), h);
        }
    }
}
