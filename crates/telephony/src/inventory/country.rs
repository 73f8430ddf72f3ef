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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Country {
    Us,
    Ca,
    Gb,
}

impl Country {
    /// ISO 3166-1 alpha-2, as in Twilio's `iso_country` and URL paths.
    pub fn iso(&self) -> &'static str {
        match self {
            Country::Us => "US",
            Country::Ca => "CA",
            Country::Gb => "GB",
        }
    }

    /// Case-insensitive ISO code.
    pub fn parse(s: &str) -> Option<Country> {
        Country::all()
            .into_iter()
            .find(|c| c.iso().eq_ignore_ascii_case(s))
    }

    pub fn all() -> [Country; 3] {
        [Country::Us, Country::Ca, Country::Gb]
    }

    /// The E.164 country calling code, without `+`.
    pub fn dial_code(&self) -> &'static str {
        match self {
            Country::Us | Country::Ca => "1",
            Country::Gb => "44",
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Country::Us => "United States",
            Country::Ca => "Canada",
            Country::Gb => "United Kingdom",
        }
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
