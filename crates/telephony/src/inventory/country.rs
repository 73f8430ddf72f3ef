//! The countries and number types Switchboard sells.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
/// Kinds of number are shared vocabulary: the store keeps them too.
pub use switchboard_types::NumberType;

/// A name that is not one of the values Switchboard knows.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("unknown {what} '{value}'")]
pub struct ParseError {
    what: &'static str,
    value: String,
}

impl ParseError {
    fn new(what: &'static str, value: &str) -> ParseError {
        ParseError {
            what,
            value: value.chars().take(32).collect(),
        }
    }
}

/// The countries whose numbers Switchboard sells (and prices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Country {
    Us,
    Ca,
    Gb,
    Au,
    De,
    Fr,
    Es,
    It,
    Nl,
    Se,
    Ie,
    Br,
    Mx,
    Jp,
}

/// Each country: ISO 3166-1 alpha-2 code, E.164 calling code, English name.
static COUNTRIES: [(Country, &str, &str, &str); 14] = [
    (Country::Us, "US", "1", "United States"),
    (Country::Ca, "CA", "1", "Canada"),
    (Country::Gb, "GB", "44", "United Kingdom"),
    (Country::Au, "AU", "61", "Australia"),
    (Country::De, "DE", "49", "Germany"),
    (Country::Fr, "FR", "33", "France"),
    (Country::Es, "ES", "34", "Spain"),
    (Country::It, "IT", "39", "Italy"),
    (Country::Nl, "NL", "31", "Netherlands"),
    (Country::Se, "SE", "46", "Sweden"),
    (Country::Ie, "IE", "353", "Ireland"),
    (Country::Br, "BR", "55", "Brazil"),
    (Country::Mx, "MX", "52", "Mexico"),
    (Country::Jp, "JP", "81", "Japan"),
];

impl Country {
    fn entry(&self) -> &'static (Country, &'static str, &'static str, &'static str) {
        // The table lists the variants in declaration order.
        &COUNTRIES[*self as usize]
    }

    /// ISO 3166-1 alpha-2, as in Twilio's `iso_country` and URL paths.
    pub fn iso(&self) -> &'static str {
        self.entry().1
    }

    /// Case-insensitive ISO code.
    pub fn parse(s: &str) -> Option<Country> {
        Country::all()
            .into_iter()
            .find(|c| c.iso().eq_ignore_ascii_case(s))
    }

    pub fn all() -> [Country; 14] {
        COUNTRIES.map(|(c, ..)| c)
    }

    /// The E.164 country calling code, without `+`.
    pub fn dial_code(&self) -> &'static str {
        self.entry().2
    }

    pub fn name(&self) -> &'static str {
        self.entry().3
    }

    /// The country whose calling code `digits` (an E.164 number without
    /// `+`) starts with, for the countries with a calling code of their own
    /// (not the North American plan's `1`, which the US and Canada share).
    pub(crate) fn by_calling_code(digits: &str) -> Option<Country> {
        Country::all()
            .into_iter()
            .filter(|c| c.dial_code() != "1")
            .find(|c| digits.starts_with(c.dial_code()))
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iso())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.iso())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Country, D::Error> {
        let s = String::deserialize(deserializer)?;
        Country::parse(&s).ok_or_else(|| serde::de::Error::custom(ParseError::new("country", &s)))
    }
}
