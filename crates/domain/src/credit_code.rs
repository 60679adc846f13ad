//! Unified social credit code (统一社会信用代码), GB 32100-2015.
//!
//! [`CreditCode::parse`] checks an 18-character code once — length, charset,
//! numeric region code and the MOD 31 check character — so code holding a
//! [`CreditCode`] never re-validates it. Lowercase input is accepted and
//! normalised to uppercase.
//!
//! Layout: position 1 is the registration-authority code, 2 the organisation
//! type, 3–8 the administrative-division code of the registering authority,
//! 9–17 the organisation's own code and 18 the check character.
//!
//! What it does not do: it does not trim whitespace, does not check that the
//! authority/type pair is one the standard assigns, and does not look the
//! region code up in the list of administrative divisions (national-level
//! bodies use `100000`, so even a province range check would be wrong). A
//! code that parses is well-formed, not necessarily registered.
//!
//! Unlike identity numbers, credit codes are public registry data, so `Debug`
//! and `Display` show them in full.

use std::fmt;
use std::str::FromStr;

/// Length of a unified social credit code.
const LEN: usize = 18;

/// The 31 characters allowed; a character's value is its index. I, O, Z, S
/// and V are left out because they are easily confused with 1, 0, 2, 5 and U.
const CHARSET: [u8; 31] = *b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17: 3^(i − 1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Modulus of the check computation, equal to the charset size.
const MODULUS: u32 = 31;

/// A validated 18-character unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode {
    // Invariant: 18 uppercase characters from `CHARSET`, positions 3–8 digits,
    // check character correct. `region_prefix` is derived from it, so the
    // derived ordering is the ordering of the code.
    code: String,
    region_prefix: u32,
}

/// Why a string is not a valid unified social credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CreditCodeError {
    /// Not 18 characters long.
    Length {
        /// Number of characters found.
        found: usize,
    },
    /// A character outside the charset (digits and uppercase letters other
    /// than I, O, Z, S, V, case-insensitively).
    Charset {
        /// 1-based position of the first offending character.
        position: usize,
    },
    /// Positions 3–8 (the region code) are not all digits.
    Region,
    /// The 18th character does not match the MOD 31 check character.
    CheckChar,
}

impl CreditCodeError {
    /// Stable machine-readable code, e.g. for API responses and translations.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "credit_code.length",
            Self::Charset { .. } => "credit_code.charset",
            Self::Region => "credit_code.region",
            Self::CheckChar => "credit_code.check_char",
        }
    }
}

impl fmt::Display for CreditCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { found } => write!(f, "统一社会信用代码应为18位，实际为{found}位"),
            Self::Charset { position } => write!(
                f,
                "统一社会信用代码第{position}位字符无效：只允许数字和除I、O、Z、S、V以外的大写字母"
            ),
            Self::Region => {
                f.write_str("统一社会信用代码第3至8位（登记管理机关行政区划码）须为数字")
            }
            Self::CheckChar => f.write_str("统一社会信用代码校验码不正确"),
        }
    }
}

impl std::error::Error for CreditCodeError {}

impl CreditCode {
    /// Completes 17 leading characters with their check character (test data).
    pub fn complete(body: &str) -> Result<Self, CreditCodeError> {
        let values: Option<Vec<u32>> = body
            .bytes()
            .map(|b| value_of(b.to_ascii_uppercase()))
            .collect();
        let check = values.and_then(|v| check_char(&v)).map_or('?', char::from);
        Self::parse(&format!("{body}{check}"))
    }

    /// Parses and validates an 18-character unified social credit code.
    ///
    /// Checks run from structure to checksum (length, charset, region,
    /// check character) and the first failure is reported.
    ///
    /// # Errors
    ///
    /// Returns the [`CreditCodeError`] describing the first failed check.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        // Count characters, not bytes, so the message matches what a user typed.
        let found = input.chars().count();
        if found != LEN {
            return Err(CreditCodeError::Length { found });
        }

        let mut bytes = [0_u8; LEN];
        let mut values = [0_u32; LEN];
        for (((index, ch), byte), value) in input
            .chars()
            .enumerate()
            .zip(bytes.iter_mut())
            .zip(values.iter_mut())
        {
            let (b, v) = u8::try_from(ch)
                .ok()
                .map(|b| b.to_ascii_uppercase())
                .and_then(|b| value_of(b).map(|v| (b, v)))
                .ok_or(CreditCodeError::Charset {
                    position: index + 1,
                })?;
            *byte = b;
            *value = v;
        }

        let region = &bytes[2..8];
        if !region.iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::Region);
        }

        if check_char(&values[0..17]) != Some(bytes[17]) {
            return Err(CreditCodeError::CheckChar);
        }

        let region_prefix = region
            .iter()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'));
        let code = bytes.iter().copied().map(char::from).collect();
        Ok(Self {
            code,
            region_prefix,
        })
    }

    /// The code, uppercase.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The 6-digit administrative-division code of the registering
    /// authority (positions 3–8), e.g. `350100`.
    #[must_use]
    pub const fn region_prefix(&self) -> u32 {
        self.region_prefix
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Value of an (uppercase) charset character, `None` if it is not in the set.
fn value_of(byte: u8) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&c| c == byte)
        .and_then(|index| u32::try_from(index).ok())
}

/// Check character for the values of the 17 leading characters:
/// `CHARSET[(31 − Σ value·weight mod 31) mod 31]`. `None` only for input
/// `parse` has already ruled out.
fn check_char(values: &[u32]) -> Option<u8> {
    if values.len() != WEIGHTS.len() {
        return None;
    }
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let index = usize::try_from((MODULUS - sum % MODULUS) % MODULUS).ok()?;
    CHARSET.get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Test helper: the check character for a 17-character uppercase body.
    fn check_for(body: &str) -> char {
        let values: Vec<u32> = body.bytes().map(|b| value_of(b).unwrap()).collect();
        char::from(check_char(&values).unwrap())
    }

    #[test]
    fn known_examples_parse() {
        // A widely published example code.
        assert_eq!(check_for("91350100M000100Y4"), '3');
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.region_prefix(), 350_100);

        // Constructed: an enterprise in Beijing and a national-level body.
        assert_eq!(check_for("91110000802100433"), 'B');
        let code = CreditCode::parse("91110000802100433B").unwrap();
        assert_eq!(code.region_prefix(), 110_000);
        assert_eq!(check_for("12100000400000624"), 'D');
        let code = CreditCode::parse("12100000400000624D").unwrap();
        assert_eq!(code.region_prefix(), 100_000);
    }

    #[test]
    fn lowercase_is_normalised() {
        let code = CreditCode::parse("91350100m000100y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code, CreditCode::parse("91350100M000100Y43").unwrap());
        let parsed: CreditCode = "91350100m000100y43".parse().unwrap();
        assert_eq!(parsed, code);
    }

    #[test]
    fn display_and_debug_show_the_code() {
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.to_string(), "91350100M000100Y43");
        assert!(format!("{code:?}").contains("91350100M000100Y43"));
    }

    #[test]
    fn length_error() {
        let err = CreditCode::parse("91350100M000100Y4").unwrap_err();
        assert_eq!(err, CreditCodeError::Length { found: 17 });
        assert_eq!(err.code(), "credit_code.length");
        assert_eq!(err.to_string(), "统一社会信用代码应为18位，实际为17位");
        assert_eq!(
            CreditCode::parse("91350100M000100Y430"),
            Err(CreditCodeError::Length { found: 19 })
        );
    }

    #[test]
    fn charset_error() {
        for (input, position) in [
            ("91350100I000100Y43", 9),
            ("91350100O000100Y43", 9),
            ("91350100M000100Z43", 16),
            ("91350100M000100S43", 16),
            ("91350100M000100v43", 16),
            ("91350100M000100Y4-", 18),
            ("９1350100M000100Y43", 1),
        ] {
            let err = CreditCode::parse(input).unwrap_err();
            assert_eq!(err, CreditCodeError::Charset { position }, "{input}");
            assert_eq!(err.code(), "credit_code.charset");
        }
        assert!(
            CreditCodeError::Charset { position: 9 }
                .to_string()
                .contains("第9位")
        );
    }

    #[test]
    fn region_error() {
        let body = "9135A100M000100Y4";
        let err = CreditCode::parse(&format!("{body}{}", check_for(body))).unwrap_err();
        assert_eq!(err, CreditCodeError::Region);
        assert_eq!(err.code(), "credit_code.region");
    }

    #[test]
    fn check_char_error() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(err, CreditCodeError::CheckChar);
        assert_eq!(err.code(), "credit_code.check_char");
        assert_eq!(err.to_string(), "统一社会信用代码校验码不正确");
    }

    /// A 17-character body whose positions 3–8 are digits.
    fn valid_body() -> impl Strategy<Value = String> {
        let any_char = proptest::sample::select(CHARSET.to_vec());
        let digit = proptest::sample::select(CHARSET[..10].to_vec());
        (
            proptest::collection::vec(any_char.clone(), 2),
            proptest::collection::vec(digit, 6),
            proptest::collection::vec(any_char, 9),
        )
            .prop_map(|(head, region, tail)| {
                head.into_iter()
                    .chain(region)
                    .chain(tail)
                    .map(char::from)
                    .collect()
            })
    }

    proptest! {
        #[test]
        fn computed_check_always_parses(body in valid_body()) {
            let code = format!("{body}{}", check_for(&body));
            let parsed = CreditCode::parse(&code).unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
            prop_assert_eq!(CreditCode::parse(&code.to_ascii_lowercase()), Ok(parsed));
        }

        #[test]
        fn any_other_check_always_fails(body in valid_body()) {
            let check = check_for(&body);
            for other in CHARSET.iter().copied().map(char::from).filter(|&c| c != check) {
                prop_assert_eq!(
                    CreditCode::parse(&format!("{body}{other}")),
                    Err(CreditCodeError::CheckChar)
                );
            }
        }
    }
}
