//! Phone numbers in E.164 form.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::inventory::Country;

#[cfg(test)]
mod tests;

/// A phone number in E.164 form: `+` followed by 8 to 15 digits, the first not `0`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// Input that is not a phone number. Keeps (a bounded prefix of) the input so the
/// error can name it without echoing an arbitrarily long request parameter.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("'{input}' is not a valid phone number in E.164 format (for example +15005550006)")]
pub struct PhoneError {
    input: String,
}

impl PhoneError {
    fn new(input: &str) -> PhoneError {
        PhoneError {
            input: input.chars().take(32).collect(),
        }
    }

    /// The offending input, cut to 32 characters.
    pub fn input(&self) -> &str {
        &self.input
    }
}

const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 15;

/// Whether each NANP area code (`0`–`999`) is Canada's, as Google's
/// libphonenumber metadata (the `phonenumber` crate) has it: an area code is
/// Canadian when Canada's fixed-line or mobile pattern takes a number in it.
/// Read once; every other +1 number counts as US, which is what pricing and
/// `iso_country` need (Caribbean NANP members are not simulated).
static CANADIAN_AREA_CODES: LazyLock<Vec<bool>> = LazyLock::new(|| {
    let canada = phonenumber::metadata::DATABASE.by_id("CA");
    let takes = |national: &str| {
        canada.is_some_and(|m| {
            let d = m.descriptors();
            [d.fixed_line(), d.mobile()]
                .into_iter()
                .flatten()
                .any(|p| p.is_match(national))
        })
    };
    (0..1000)
        .map(|npa| npa >= 200 && takes(&format!("{npa}2345678")))
        .collect()
});

impl PhoneNumber {
    /// Parses a number as people type it: spaces, `-`, `.`, `(` and `)` are dropped,
    /// the leading `+` is required (without it a number's country is a guess).
    pub fn parse(s: &str) -> Result<PhoneNumber, PhoneError> {
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let digits = compact
            .strip_prefix('+')
            .ok_or_else(|| PhoneError::new(s))?;
        let valid = (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(PhoneNumber(compact))
        } else {
            Err(PhoneError::new(s))
        }
    }

    /// Reads a number as people type it in a search box: in E.164 with any
    /// punctuation (`+1 415 555 1181`), or, without the `+`, as a number of
    /// the North American plan (`(415) 555-1181`, `415.555.1181`), which is
    /// where a number without a country is looked for. Google's
    /// libphonenumber (the `phonenumber` crate) reads it; the result must
    /// still be E.164 as [`PhoneNumber::parse`] accepts it. Twilio's test
    /// numbers (`+15005550006`) are read too: they need not be assigned.
    pub fn parse_typed(s: &str) -> Result<PhoneNumber, PhoneError> {
        if let Ok(n) = PhoneNumber::parse(s) {
            return Ok(n);
        }
        let trimmed = s.trim();
        // Letters are not dialled here (`1-800-FLOWERS` is not a search).
        if trimmed.is_empty() || trimmed.chars().any(|c| c.is_alphabetic()) {
            return Err(PhoneError::new(s));
        }
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::US), trimmed)
            .map_err(|_| PhoneError::new(s))?;
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        PhoneNumber::parse(&e164).map_err(|_| PhoneError::new(s))
    }

    /// Builds a number from digits already known to be valid (the inventory's).
    pub(crate) fn from_valid_digits(digits: &str) -> PhoneNumber {
        debug_assert!(
            PhoneNumber::parse(&format!("+{digits}")).is_ok(),
            "{digits}"
        );
        PhoneNumber(format!("+{digits}"))
    }

    /// The E.164 form, `+15005550006`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without the `+`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// The national number of a NANP (+1) number, if it is one.
    fn nanp_national(&self) -> Option<&str> {
        self.digits()
            .strip_prefix('1')
            .filter(|national| national.len() == 10)
    }

    /// How Twilio shows a number in `to_formatted`, `from_formatted` and default
    /// friendly names: `(500) 555-0006` for NANP numbers, E.164 for the rest.
    pub fn formatted(&self) -> String {
        match self.nanp_national() {
            Some(n) => ["(", &n[..3], ") ", &n[3..6], "-", &n[6..]].concat(),
            None => self.0.clone(),
        }
    }

    /// The country the number belongs to, among the simulated ones: by its
    /// calling code, and for the North American plan's `+1` by its area code.
    pub fn country(&self) -> Option<Country> {
        if let Some(national) = self.nanp_national() {
            let canadian = national[..3]
                .parse::<usize>()
                .is_ok_and(|npa| CANADIAN_AREA_CODES.get(npa) == Some(&true));
            return Some(if canadian { Country::Ca } else { Country::Us });
        }
        Country::by_calling_code(self.digits())
    }
}

/// Whether `code` is the ISO 3166-1 alpha-2 code (upper case) of a country
/// or territory with telephone numbers, as Google's libphonenumber metadata
/// lists them: Addresses take any of them, not only the inventory's.
pub fn is_region_code(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && phonenumber::metadata::DATABASE.by_id(code).is_some()
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.0)
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<PhoneNumber, PhoneError> {
        PhoneNumber::parse(s)
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PhoneNumber, D::Error> {
        let s = String::deserialize(deserializer)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}
