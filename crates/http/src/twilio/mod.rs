//! Twilio's wire format, built once for every resource: parameters, credentials,
//! errors, dates, paging, and SIDs in paths.

pub mod auth;
pub mod call;
pub mod dates;
pub mod error;
pub mod form;
pub mod invalid;
pub mod json;
pub mod paging;
pub mod path;

pub use call::ApiCall;
pub use error::ApiError;
pub use form::Params;
pub use json::Json;
pub use paging::{Envelope, MetaEnvelope, PageRequest};
