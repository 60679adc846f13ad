//! PRC resident identity number (公民身份号码), GB 11643-1999.
//!
//! [`IdNumber::parse`] checks an 18-character number once — length, charset,
//! province code, birth date and the ISO 7064 MOD 11-2 check digit — so code
//! holding an [`IdNumber`] never re-validates it. A lowercase `x` check digit
//! is accepted and normalised to `X`.
//!
//! What it does not do: it does not accept the legacy 15-digit numbers, does
//! not trim whitespace, does not look the region prefix up in the official
//! list of administrative divisions (only the province part is range-checked,
//! 11–82), and does not compare the birth date with today (this crate has no
//! clock). A number that parses is well-formed, not necessarily issued.
//!
//! An identity number is personal data. `Debug` and `Display` print only the
//! masked form (`341***********1235`), so logging a value or an error cannot
//! leak it; the full number is reachable only through [`IdNumber::expose`]
//! (or its alias [`IdNumber::as_str`]), which keeps such uses greppable.
//! Errors likewise never carry the input.

use std::fmt;
use std::str::FromStr;

/// Length of a second-generation identity number.
const LEN: usize = 18;

/// Weights of positions 1–17: 2^(18 − i) mod 11, per ISO 7064 MOD 11-2.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character, indexed by the weighted sum mod 11.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Province codes in use run from 11 (Beijing) to 82 (Macao).
const PROVINCE_MIN: u32 = 11;
const PROVINCE_MAX: u32 = 82;

/// Accepted birth years; wide enough for any living holder, narrow enough to
/// reject obviously corrupt dates.
const YEAR_MIN: i32 = 1900;
const YEAR_MAX: i32 = 2100;

/// Number of characters shown at each end by [`IdNumber::masked`].
const SHOWN_HEAD: usize = 3;
const SHOWN_TAIL: usize = 4;

/// Sex encoded by the 17th digit (the sequence code): odd is male, even female.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    /// Odd 17th digit.
    Male,
    /// Even 17th digit.
    Female,
}

/// A validated 18-character PRC resident identity number.
///
/// `Debug` and `Display` show the masked form; use [`IdNumber::expose`] for
/// the full number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber {
    // Invariant: 18 ASCII characters, 17 digits then a digit or uppercase `X`,
    // all checks of `parse` passed. The other fields are derived from it, so
    // the derived ordering is the ordering of the number.
    number: String,
    region_prefix: u32,
    birth_date: (i32, u8, u8),
    sex: Sex,
}

/// Why a string is not a valid identity number.
///
/// Variants carry no part of the input, so errors are safe to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdNumberError {
    /// Not 18 characters long.
    Length {
        /// Number of characters found.
        found: usize,
    },
    /// A character other than a digit in positions 1–17, or other than a
    /// digit or `X` in position 18.
    Charset {
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// The first two digits are not a plausible province code (11–82).
    Region,
    /// Digits 7–14 are not a real date between 1900-01-01 and 2100-12-31.
    BirthDate,
    /// The 18th character does not match the MOD 11-2 check digit.
    CheckDigit,
}

impl IdNumberError {
    /// Stable machine-readable code, e.g. for API responses and translations.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "id_number.length",
            Self::Charset { .. } => "id_number.charset",
            Self::Region => "id_number.region",
            Self::BirthDate => "id_number.birth_date",
            Self::CheckDigit => "id_number.check_digit",
        }
    }
}

impl fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { found } => write!(f, "身份证号码应为18位，实际为{found}位"),
            Self::Charset { position } => write!(
                f,
                "身份证号码第{position}位字符无效：前17位须为数字，第18位须为数字或X"
            ),
            Self::Region => f.write_str("身份证号码地区码无效：前两位须为11至82之间的省级代码"),
            Self::BirthDate => f.write_str(
                "身份证号码出生日期无效：须为1900年1月1日至2100年12月31日之间的真实日期",
            ),
            Self::CheckDigit => f.write_str("身份证号码校验位不正确"),
        }
    }
}

impl std::error::Error for IdNumberError {}

impl IdNumber {
    /// Completes 17 leading digits with their check digit (test data, synthetic persons).
    pub fn complete(body: &str) -> Result<Self, IdNumberError> {
        let check = check_digit(body.as_bytes()).map_or('?', char::from);
        Self::parse(&format!("{body}{check}"))
    }

    /// Parses and validates an 18-character identity number.
    ///
    /// Checks run from structure to checksum (length, charset, province,
    /// birth date, check digit) and the first failure is reported.
    ///
    /// # Errors
    ///
    /// Returns the [`IdNumberError`] describing the first failed check.
    pub fn parse(input: &str) -> Result<Self, IdNumberError> {
        // Count characters, not bytes, so the message matches what a user typed.
        let found = input.chars().count();
        if found != LEN {
            return Err(IdNumberError::Length { found });
        }

        let mut bytes = [0_u8; LEN];
        for ((index, ch), slot) in input.chars().enumerate().zip(bytes.iter_mut()) {
            let is_check = index == LEN - 1;
            let byte = u8::try_from(ch)
                .ok()
                .map(|b| if is_check { b.to_ascii_uppercase() } else { b })
                .filter(|b| b.is_ascii_digit() || (is_check && *b == b'X'))
                .ok_or(IdNumberError::Charset {
                    position: index + 1,
                })?;
            *slot = byte;
        }

        if !(PROVINCE_MIN..=PROVINCE_MAX).contains(&decimal(&bytes[0..2])) {
            return Err(IdNumberError::Region);
        }

        let year = i32::try_from(decimal(&bytes[6..10])).map_err(|_| IdNumberError::BirthDate)?;
        let month = u8::try_from(decimal(&bytes[10..12])).map_err(|_| IdNumberError::BirthDate)?;
        let day = u8::try_from(decimal(&bytes[12..14])).map_err(|_| IdNumberError::BirthDate)?;
        if !is_valid_birth_date(year, month, day) {
            return Err(IdNumberError::BirthDate);
        }

        if check_digit(&bytes[0..17]) != Some(bytes[17]) {
            return Err(IdNumberError::CheckDigit);
        }

        let sex = if decimal(&bytes[16..17]) % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        };
        let number = bytes.iter().copied().map(char::from).collect();

        Ok(Self {
            number,
            region_prefix: decimal(&bytes[0..6]),
            birth_date: (year, month, day),
            sex,
        })
    }

    /// The full, unmasked number. Same as [`IdNumber::expose`].
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The full, unmasked number, for the rare code that must see it (e.g.
    /// sending it to a verification service). Never log the result.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.number
    }

    /// The 6-digit administrative-division code of the place of first
    /// registration, e.g. `341502`.
    #[must_use]
    pub const fn region_prefix(&self) -> u32 {
        self.region_prefix
    }

    /// Birth date as `(year, month, day)`.
    #[must_use]
    pub const fn birth_date(&self) -> (i32, u8, u8) {
        self.birth_date
    }

    /// Sex encoded by the 17th digit.
    #[must_use]
    pub const fn sex(&self) -> Sex {
        self.sex
    }

    /// The number with all but the first 3 and last 4 characters replaced by
    /// `*`, keeping its length of 18: `341***********1235`.
    #[must_use]
    pub fn masked(&self) -> String {
        self.number
            .chars()
            .enumerate()
            .map(|(index, ch)| {
                if (SHOWN_HEAD..LEN - SHOWN_TAIL).contains(&index) {
                    '*'
                } else {
                    ch
                }
            })
            .collect()
    }
}

// Masked on purpose: `{:?}` ends up in logs and panic messages.
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

// Masked on purpose: `Display` is what templates and log lines use.
impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Value of a run of ASCII digits. Callers pass at most 6 validated digits,
/// so the result cannot overflow.
fn decimal(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, b| acc * 10 + u32::from(b.wrapping_sub(b'0')))
}

/// MOD 11-2 check character for the 17 leading ASCII digits. `None` only if
/// the input is not 17 digits, which `parse` has already ruled out.
fn check_digit(body: &[u8]) -> Option<u8> {
    if body.len() != WEIGHTS.len() || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let index = usize::try_from(sum % 11).ok()?;
    CHECK_CHARS.get(index).copied()
}

const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn is_valid_birth_date(year: i32, month: u8, day: u8) -> bool {
    (YEAR_MIN..=YEAR_MAX).contains(&year) && day >= 1 && day <= days_in_month(year, month)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Test helper: the check character for a 17-digit body.
    fn check_for(body: &str) -> char {
        char::from(check_digit(body.as_bytes()).unwrap())
    }

    #[test]
    fn computed_example_parses() {
        // Body from the brief; its check digit, computed by hand, is 5.
        assert_eq!(check_for("34150219900307123"), '5');
        let id = IdNumber::parse("341502199003071235").unwrap();
        assert_eq!(id.as_str(), "341502199003071235");
        assert_eq!(id.expose(), "341502199003071235");
        assert_eq!(id.region_prefix(), 341_502);
        assert_eq!(id.birth_date(), (1990, 3, 7));
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn standard_example_with_x_parses() {
        // The example printed in GB 11643-1999.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.region_prefix(), 110_105);
        assert_eq!(id.birth_date(), (1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn lowercase_x_is_normalised() {
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.expose(), "11010519491231002X");
        assert_eq!(id, IdNumber::parse("11010519491231002X").unwrap());
    }

    #[test]
    fn leap_day_and_province_bounds() {
        assert_eq!(check_for("11010120000229001"), '8');
        let id = IdNumber::parse("110101200002290018").unwrap();
        assert_eq!(id.birth_date(), (2000, 2, 29));
        assert_eq!(check_for("65010219991231234"), 'X');
        assert!(IdNumber::parse("65010219991231234X").is_ok());
        // 82 (Macao) is the highest accepted province code.
        let body = "82000019900101001";
        assert!(IdNumber::parse(&format!("{body}{}", check_for(body))).is_ok());
    }

    #[test]
    fn length_error() {
        let err = IdNumber::parse("34150219900307123").unwrap_err();
        assert_eq!(err, IdNumberError::Length { found: 17 });
        assert_eq!(err.code(), "id_number.length");
        assert_eq!(err.to_string(), "身份证号码应为18位，实际为17位");
        // Legacy 15-digit numbers are not accepted.
        assert_eq!(
            IdNumber::parse("341502900307123"),
            Err(IdNumberError::Length { found: 15 })
        );
        assert_eq!(IdNumber::parse(""), Err(IdNumberError::Length { found: 0 }));
        // Whitespace is not trimmed.
        assert_eq!(
            IdNumber::parse(" 341502199003071235"),
            Err(IdNumberError::Length { found: 19 })
        );
    }

    #[test]
    fn charset_error() {
        let err = IdNumber::parse("3415021990030712X5").unwrap_err();
        assert_eq!(err, IdNumberError::Charset { position: 17 });
        assert_eq!(err.code(), "id_number.charset");
        assert!(err.to_string().contains("第17位"));
        assert_eq!(
            IdNumber::parse("34150219900307123Y"),
            Err(IdNumberError::Charset { position: 18 })
        );
        // 18 characters but not ASCII: reported as charset, not length.
        assert_eq!(
            IdNumber::parse("３41502199003071235"),
            Err(IdNumberError::Charset { position: 1 })
        );
    }

    #[test]
    fn region_error() {
        for body in [
            "00000019900101001",
            "10010119900101001",
            "83010119900101001",
        ] {
            let number = format!("{body}{}", check_for(body));
            let err = IdNumber::parse(&number).unwrap_err();
            assert_eq!(err, IdNumberError::Region, "{body}");
            assert_eq!(err.code(), "id_number.region");
        }
    }

    #[test]
    fn birth_date_error() {
        for body in [
            "11010118991231001", // before 1900
            "11010121010101001", // after 2100
            "11010119900001001", // month 0
            "11010119901301001", // month 13
            "11010119900100001", // day 0
            "11010119900431001", // 31 April
            "11010119000229001", // 1900 is not a leap year
            "11010120230229001", // 2023 is not a leap year
            "44052418800101001", // GB 11643's own 1880 example, out of range
        ] {
            let number = format!("{body}{}", check_for(body));
            let err = IdNumber::parse(&number).unwrap_err();
            assert_eq!(err, IdNumberError::BirthDate, "{body}");
            assert_eq!(err.code(), "id_number.birth_date");
        }
    }

    #[test]
    fn check_digit_error() {
        let err = IdNumber::parse("341502199003071234").unwrap_err();
        assert_eq!(err, IdNumberError::CheckDigit);
        assert_eq!(err.code(), "id_number.check_digit");
        assert_eq!(err.to_string(), "身份证号码校验位不正确");
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdNumberError::CheckDigit)
        );
    }

    #[test]
    fn masking_hides_the_middle() {
        let id = IdNumber::parse("341502199003071235").unwrap();
        assert_eq!(id.masked(), "341***********1235");
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110***********002X");
        assert_eq!(id.masked().chars().count(), 18);
    }

    #[test]
    fn debug_and_display_never_show_the_number() {
        let id = IdNumber::parse("341502199003071235").unwrap();
        let debug = format!("{id:?}");
        let display = id.to_string();
        assert_eq!(debug, "IdNumber(\"341***********1235\")");
        assert_eq!(display, "341***********1235");
        for shown in [&debug, &display, &format!("{:?}", Some(&id))] {
            assert!(!shown.contains("19900307"), "{shown}");
        }
    }

    #[test]
    fn from_str_matches_parse() {
        let id: IdNumber = "11010519491231002x".parse().unwrap();
        assert_eq!(id, IdNumber::parse("11010519491231002X").unwrap());
    }

    /// A 17-digit body with a plausible province code and a real birth date.
    fn valid_body() -> impl Strategy<Value = String> {
        (
            PROVINCE_MIN..=PROVINCE_MAX,
            0_u32..10_000,
            YEAR_MIN..=YEAR_MAX,
            1_u8..=12,
            0_u32..1_000,
        )
            .prop_flat_map(|(province, county, year, month, sequence)| {
                (1..=days_in_month(year, month)).prop_map(move |day| {
                    format!("{province:02}{county:04}{year:04}{month:02}{day:02}{sequence:03}")
                })
            })
    }

    proptest! {
        #[test]
        fn computed_check_always_parses(body in valid_body()) {
            let check = check_for(&body);
            let id = IdNumber::parse(&format!("{body}{check}")).unwrap();
            prop_assert_eq!(&id.expose()[..17], body.as_str());
            prop_assert_eq!(id.masked().chars().count(), 18);
            let debug = format!("{id:?}");
            prop_assert!(!debug.contains(&body[3..14]));
        }

        #[test]
        fn any_other_check_always_fails(body in valid_body()) {
            let check = check_for(&body);
            for other in "0123456789Xx".chars().filter(|c| !c.eq_ignore_ascii_case(&check)) {
                prop_assert_eq!(
                    IdNumber::parse(&format!("{body}{other}")),
                    Err(IdNumberError::CheckDigit)
                );
            }
        }
    }
}
