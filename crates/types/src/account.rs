//! The states and kinds of an account.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what}; expected one of: {expected}")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountStatus {
    Active,
    Suspended,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseEnumError> {
        match value {
            "active" => Ok(AccountStatus::Active),
            "suspended" => Ok(AccountStatus::Suspended),
            "closed" => Ok(AccountStatus::Closed),
            other => Err(ParseEnumError {
                what: "Status",
                value: other.chars().take(64).collect(),
                expected: "active, suspended, closed",
            }),
        }
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    Trial,
    Full,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Trial => "Trial",
            AccountType::Full => "Full",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseEnumError> {
        match value {
            "Trial" => Ok(AccountType::Trial),
            "Full" => Ok(AccountType::Full),
            other => Err(ParseEnumError {
                what: "Type",
                value: other.chars().take(64).collect(),
                expected: "Trial, Full",
            }),
        }
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
