//! What can go wrong in the domain, in terms a Twilio client understands. The wire
//! layer turns each variant into an HTTP status and Twilio's JSON error body, in
//! one place.

use switchboard_store::StoreError;
use thiserror::Error;

/// Twilio error codes used by more than one part of the domain.
pub mod codes {
    /// A parameter is missing or has a value that is not allowed.
    pub const INVALID_PARAMETER: u32 = 20001;
    pub const AUTHENTICATE: u32 = 20003;
    pub const ACCOUNT_NOT_ACTIVE: u32 = 20005;
    pub const FORBIDDEN: u32 = 20403;
    pub const NOT_FOUND: u32 = 20404;
    pub const CONFLICT: u32 = 20409;
    pub const TOO_MANY_REQUESTS: u32 = 20429;
    pub const INTERNAL: u32 = 20500;
}

#[derive(Debug, Error)]
pub enum DomainError {
    /// The credentials do not identify anyone (HTTP 401).
    #[error("Authenticate")]
    Unauthenticated,
    /// Someone known asked for something they may not do (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing there, or nothing this caller may know exists (HTTP 404).
    #[error("The requested resource was not found")]
    NotFound,
    /// A parameter is wrong (HTTP 400), with Twilio's code for it.
    #[error("{message}")]
    Invalid {
        param: &'static str,
        code: u32,
        message: String,
    },
    /// The account the request acts on is suspended or closed.
    #[error("{0}")]
    AccountNotActive(String),
    /// The request conflicts with the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// A sandbox's seed document is wrong (HTTP 400): `path` names the bad
    /// field the way the JSON spells it (`accounts.owner.connect_apps.analytics.permissions[1]`).
    #[error("Invalid seed at {path}: {message}")]
    Seed { path: String, message: String },
    /// Too many failed attempts; try again later (HTTP 429).
    #[error("Too many attempts; try again in {retry_after_seconds} seconds")]
    TooManyAttempts { retry_after_seconds: u64 },
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// A bad value for `param`, with the generic code.
    pub fn invalid(param: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            param,
            code: codes::INVALID_PARAMETER,
            message: message.into(),
        }
    }

    /// A bad value for `param`, with a resource-specific Twilio code.
    pub fn invalid_with(param: &'static str, code: u32, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            param,
            code,
            message: message.into(),
        }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
