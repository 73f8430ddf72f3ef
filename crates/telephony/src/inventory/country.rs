//! The countries and number types Switchboard sells.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NumberType {
    Local,
    TollFree,
    Mobile,
}

impl NumberType {
    pub fn all() -> [NumberType; 3] {
        [NumberType::Local, NumberType::TollFree, NumberType::Mobile]
    }

    /// The lowercase name used in price lists and stored rows.
    pub fn as_str(&self) -> &'static str {
        match self {
            NumberType::Local => "local",
            NumberType::TollFree => "tollfree",
            NumberType::Mobile => "mobile",
        }
    }

    pub fn parse(s: &str) -> Option<NumberType> {
        NumberType::all().into_iter().find(|t| t.as_str() == s)
    }

    /// The segment in `/AvailablePhoneNumbers/{Country}/{Type}` and
    /// `/IncomingPhoneNumbers/{Type}`.
    pub fn path_segment(&self) -> &'static str {
        match self {
            NumberType::Local => "Local",
            NumberType::TollFree => "TollFree",
            NumberType::Mobile => "Mobile",
        }
    }

    /// Exact match, as Twilio's routes are case-sensitive.
    pub fn parse_path_segment(s: &str) -> Option<NumberType> {
        NumberType::all()
            .into_iter()
            .find(|t| t.path_segment() == s)
    }
}

impl fmt::Display for NumberType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for NumberType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NumberType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NumberType, D::Error> {
        let s = String::deserialize(deserializer)?;
        NumberType::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(ParseError::new("number type", &s)))
    }
}
