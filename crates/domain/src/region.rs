//! `RegionCode`: a GB/T 2260 administrative division code inside Anhui (34xxxx).
//! The table names Anhui, its 16 cities and Lu'an's 7 districts/counties; counties of the other
//! cities are accepted by shape (their names are not in the table yet). Development zones have
//! no GB/T 2260 code: they are places of the policy's routing table, not region codes.

use std::fmt;

/// Anhui province.
pub const ANHUI: RegionCode = RegionCode(340_000);
/// Lu'an city.
pub const LUAN: RegionCode = RegionCode(341_500);

/// Known divisions (GB/T 2260, as in force 2026).
const NAMED: &[(u32, &str)] = &[
    (340_000, "安徽省"),
    (340_100, "合肥市"),
    (340_200, "芜湖市"),
    (340_300, "蚌埠市"),
    (340_400, "淮南市"),
    (340_500, "马鞍山市"),
    (340_600, "淮北市"),
    (340_700, "铜陵市"),
    (340_800, "安庆市"),
    (341_000, "黄山市"),
    (341_100, "滁州市"),
    (341_200, "阜阳市"),
    (341_300, "宿州市"),
    (341_500, "六安市"),
    (341_502, "金安区"),
    (341_503, "裕安区"),
    (341_504, "叶集区"),
    (341_522, "霍邱县"),
    (341_523, "舒城县"),
    (341_524, "金寨县"),
    (341_525, "霍山县"),
    (341_600, "亳州市"),
    (341_700, "池州市"),
    (341_800, "宣城市"),
];

/// Cities whose full county list is in [`NAMED`]: no other county code is accepted under them.
const CITIES_WITH_FULL_COUNTY_LIST: &[u32] = &[341_500];

/// Level of a division.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    City,
    County,
}

/// A valid Anhui division code.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(u32);

/// Why a text is not a known region code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionError {
    /// Not six ASCII digits.
    Format,
    /// Six digits, but no such division in Anhui.
    Unknown,
}

impl RegionError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "region.format",
            Self::Unknown => "region.unknown",
        }
    }
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Format => "行政区划代码应为6位数字",
            Self::Unknown => "不是安徽省的行政区划代码",
        })
    }
}

impl std::error::Error for RegionError {}

fn is_named(code: u32) -> bool {
    NAMED.iter().any(|&(c, _)| c == code)
}

/// Every division the table names, province first, each city followed by its counties.
pub fn named() -> impl Iterator<Item = (RegionCode, &'static str)> {
    NAMED.iter().map(|&(c, n)| (RegionCode(c), n))
}

impl RegionCode {
    /// Parses a six-digit code and checks it against the table.
    pub fn parse(text: &str) -> Result<Self, RegionError> {
        if text.len() != 6 || !text.bytes().all(|c| c.is_ascii_digit()) {
            return Err(RegionError::Format);
        }
        let code: u32 = text.parse().map_err(|_| RegionError::Format)?;
        Self::from_u32(code)
    }

    /// Checks a numeric code against the table.
    pub fn from_u32(code: u32) -> Result<Self, RegionError> {
        if is_named(code) {
            return Ok(Self(code));
        }
        let city = code / 100 * 100;
        let county_part = code % 100;
        let city_known = city != ANHUI.0 && is_named(city);
        if city_known && county_part != 0 && !CITIES_WITH_FULL_COUNTY_LIST.contains(&city) {
            return Ok(Self(code));
        }
        Err(RegionError::Unknown)
    }

    pub fn as_u32(self) -> u32 {
        self.0
    }

    pub fn level(self) -> Level {
        if self.0.is_multiple_of(10_000) {
            Level::Province
        } else if self.0.is_multiple_of(100) {
            Level::City
        } else {
            Level::County
        }
    }

    /// The city a county belongs to; a city or the province is its own.
    pub fn city(self) -> Self {
        match self.level() {
            Level::County => Self(self.0 / 100 * 100),
            _ => self,
        }
    }

    /// Whether an authority of `self` has jurisdiction over a unit in `other`: the same division
    /// or one containing it (province ⊃ city ⊃ county). A county never covers another county.
    pub fn covers(self, other: Self) -> bool {
        match self.level() {
            Level::Province => self.0 / 10_000 == other.0 / 10_000,
            Level::City => self.0 / 100 == other.0 / 100,
            Level::County => self == other,
        }
    }

    /// The codes of the divisions `self` covers, as one range (for SQL range filters): a county
    /// itself, a city with its counties, the province with everything in it.
    pub fn span(self) -> std::ops::RangeInclusive<u32> {
        match self.level() {
            Level::Province => self.0..=self.0 + 9_999,
            Level::City => self.0..=self.0 + 99,
            Level::County => self.0..=self.0,
        }
    }

    /// Chinese name where known (`None` for counties of cities not yet in the table).
    pub fn name(self) -> Option<&'static str> {
        NAMED.iter().find(|&&(c, _)| c == self.0).map(|&(_, n)| n)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({:06})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn knows_luan_and_its_counties() {
        assert_eq!(r("341500").name(), Some("六安市"));
        assert_eq!(r("341522").name(), Some("霍邱县"));
        assert_eq!(r("341522").city(), LUAN);
        assert_eq!(r("341500").level(), Level::City);
        assert_eq!(ANHUI.level(), Level::Province);
    }

    #[test]
    fn refuses_codes_outside_the_table() {
        assert_eq!(RegionCode::parse("341599"), Err(RegionError::Unknown));
        assert_eq!(RegionCode::parse("341400"), Err(RegionError::Unknown));
        assert_eq!(RegionCode::parse("110101"), Err(RegionError::Unknown));
        assert_eq!(RegionCode::parse("34150"), Err(RegionError::Format));
        assert_eq!(RegionCode::parse("34150a"), Err(RegionError::Format));
        assert!(RegionCode::parse("340102").is_ok());
    }

    #[test]
    fn jurisdiction_nests_but_never_crosses_counties() {
        assert!(ANHUI.covers(r("341522")));
        assert!(LUAN.covers(r("341522")));
        assert!(LUAN.covers(LUAN));
        assert!(!r("341522").covers(r("341523")));
        assert!(!r("341522").covers(LUAN));
        assert!(!r("340100").covers(r("341502")));
    }

    #[test]
    fn a_span_holds_exactly_the_codes_an_authority_covers() {
        for auth in [ANHUI, LUAN, r("341522"), r("340100")] {
            for (code, _) in named() {
                assert_eq!(
                    auth.span().contains(&code.as_u32()),
                    auth.covers(code),
                    "{auth:?} / {code:?}"
                );
            }
        }
    }
}
