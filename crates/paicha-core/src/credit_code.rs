//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! 18 characters from the 31-symbol alphabet `0-9 A-H J-N P-R T U W-Y` (no I, O, S, V, Z).
//! The last character is a check digit: C18 = 31 - (Σ Ci·Wi mod 31), with 31 mapped to 0.

use serde::{Deserialize, Serialize};
use std::fmt;

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为18位，现为{0}位 / the code must have 18 characters, it has {0}")]
    Length(usize),
    #[error(
        "第{position}位字符“{ch}”无效（不可使用 I、O、S、V、Z） / character {position} '{ch}' is not allowed"
    )]
    InvalidChar { position: usize, ch: char },
    /// The message never names the expected digit: the mistake may be in any character, and
    /// "correcting" the last one would turn a mistyped code into a valid-looking wrong one.
    #[error(
        "校验码错误：有字符录入有误，请对照营业执照逐位核对 / the check digit does not match: a character is mistyped; compare each one with the business licence"
    )]
    CheckDigit { expected: char, found: char },
}

/// A validated 统一社会信用代码. Input is trimmed and upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code: String = input.trim().to_uppercase();
        let chars: Vec<char> = code.chars().collect();
        if chars.len() != 18 {
            return Err(CreditCodeError::Length(chars.len()));
        }
        let mut values = [0u32; 18];
        for (i, &ch) in chars.iter().enumerate() {
            values[i] = ALPHABET.find(ch).ok_or(CreditCodeError::InvalidChar {
                position: i + 1,
                ch,
            })? as u32;
        }
        let expected = check_char(&values[..17]);
        if chars[17] != expected {
            return Err(CreditCodeError::CheckDigit {
                expected,
                found: chars[17],
            });
        }
        Ok(Self(code))
    }

    /// Completes a 17-character prefix with its check digit (used by tests and fixtures).
    pub fn with_check_digit(prefix17: &str) -> Result<Self, CreditCodeError> {
        let chars: Vec<char> = prefix17.chars().collect();
        if chars.len() != 17 {
            return Err(CreditCodeError::Length(chars.len() + 1));
        }
        let mut values = [0u32; 17];
        for (i, &ch) in chars.iter().enumerate() {
            values[i] = ALPHABET.find(ch).ok_or(CreditCodeError::InvalidChar {
                position: i + 1,
                ch,
            })? as u32;
        }
        let mut code = prefix17.to_string();
        code.push(check_char(&values));
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_char(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    ALPHABET.as_bytes()[check as usize] as char
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CreditCode> for String {
    fn from(code: CreditCode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Valid codes; their check digits were computed independently of this module.
    const KNOWN_GOOD: &[&str] = &[
        "911100001000044477",
        "91440300708461136T",
        "91340100MA2XXXXX0C",
    ];

    #[test]
    fn accepts_published_codes() {
        for code in KNOWN_GOOD {
            assert!(CreditCode::parse(code).is_ok(), "{code} should be valid");
        }
    }

    #[test]
    fn normalises_case_and_whitespace() {
        let code = CreditCode::parse(" 91440300708461136t ").unwrap();
        assert_eq!(code.as_str(), "91440300708461136T");
    }

    #[test]
    fn rejects_wrong_check_digit_with_expected_value() {
        let err = CreditCode::parse("91440300708461136X").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::CheckDigit {
                expected: 'T',
                found: 'X'
            }
        );
        assert!(err.to_string().contains("校验码"));
        assert!(
            !err.to_string().contains('T'),
            "the expected digit is not given away"
        );
    }

    #[test]
    fn rejects_wrong_length_and_forbidden_letters() {
        assert_eq!(
            CreditCode::parse("9144030070846113").unwrap_err(),
            CreditCodeError::Length(16)
        );
        assert_eq!(
            CreditCode::parse("91440300708461136I").unwrap_err(),
            CreditCodeError::InvalidChar {
                position: 18,
                ch: 'I'
            }
        );
    }

    #[test]
    fn with_check_digit_round_trips_and_detects_every_single_substitution() {
        let code = CreditCode::with_check_digit("91340100MA2XXXXX0").unwrap();
        assert_eq!(code.as_str(), "91340100MA2XXXXX0C");
        // A single changed character in the first 17 positions always changes the check digit,
        // because every weight is invertible mod 31.
        let chars: Vec<char> = code.as_str().chars().collect();
        for pos in 0..17 {
            for replacement in ALPHABET.chars().filter(|&c| c != chars[pos]) {
                let mut altered = chars.clone();
                altered[pos] = replacement;
                let altered: String = altered.into_iter().collect();
                assert!(
                    CreditCode::parse(&altered).is_err(),
                    "{altered} must be rejected"
                );
            }
        }
    }

    #[test]
    fn serde_validates() {
        let ok: CreditCode = serde_json::from_str("\"91440300708461136T\"").unwrap();
        assert_eq!(ok.as_str(), "91440300708461136T");
        assert!(serde_json::from_str::<CreditCode>("\"91440300708461136X\"").is_err());
    }
}
