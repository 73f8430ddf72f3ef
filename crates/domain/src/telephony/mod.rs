//! Simulated telephony: phone numbers, calls, messages and recordings, billed to
//! the account that owns them and rolled up to its main account.
//!
//! The rules (which numbers exist, how a message splits into segments, what a
//! call costs, how a call to a given number ends) are pure functions in the
//! `switchboard-telephony` crate; this module applies them to accounts and the
//! store. The course of a call or message is planned when it is created and
//! played out by the [`simulator`] on a clock whose speed the operator sets.

pub mod billing;
pub mod calls;
pub mod messages;
pub mod numbers;
pub mod seed;
pub mod simulator;
pub mod usage;

use std::time::Duration;

use switchboard_telephony::PriceList;
use switchboard_types::{AccountSid, Timestamp};

use crate::access::{Access, Principal};
use crate::error::{DomainError, DomainResult};

/// A month of number rent, in simulated seconds.
pub const MONTH_SECS: i64 = 30 * 86_400;

/// How fast simulated time runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SimSpeed {
    /// Every step of a call or message is due at once (tests, demos).
    Instant,
    /// Simulated seconds per real second (1: real time).
    Factor(f64),
}

impl SimSpeed {
    /// `instant`, or a positive number such as `1`, `10`, `0.5`.
    pub fn parse(value: &str) -> Result<SimSpeed, String> {
        if value.eq_ignore_ascii_case("instant") {
            return Ok(SimSpeed::Instant);
        }
        match value.parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 => Ok(SimSpeed::Factor(f)),
            _ => Err(format!(
                "'{value}' is not a speed: use 'instant' or a positive number of simulated seconds per second"
            )),
        }
    }

    /// The real time `sim_secs` simulated seconds take.
    pub fn real(self, sim_secs: i64) -> Duration {
        match self {
            SimSpeed::Instant => Duration::ZERO,
            SimSpeed::Factor(f) => Duration::from_secs_f64(sim_secs.max(0) as f64 / f),
        }
    }

    /// The instant a step `sim_secs` simulated seconds from `now` falls due.
    pub fn due_after(self, now: Timestamp, sim_secs: i64) -> Timestamp {
        now.plus_micros(self.real(sim_secs).as_micros() as i64)
    }

    /// When a number's next month of rent falls due: a simulated month on, or
    /// on the instant clock a real one (months cannot all pass at once).
    pub fn month_after(self, at: Timestamp) -> Timestamp {
        match self {
            SimSpeed::Instant => at.plus_micros(MONTH_SECS * 1_000_000),
            SimSpeed::Factor(_) => self.due_after(at, MONTH_SECS),
        }
    }
}

/// The operator's telephony settings.
#[derive(Debug, Clone)]
pub struct TelephonySettings {
    pub speed: SimSpeed,
    pub prices: PriceList,
}

impl Default for TelephonySettings {
    fn default() -> Self {
        TelephonySettings {
            speed: SimSpeed::Factor(1.0),
            prices: PriceList::default(),
        }
    }
}

/// Whose auth token signs a resource's status callbacks: the Connect App
/// owner's when an app acts (the app knows no token of its customer's), the
/// owning account's otherwise.
pub(crate) fn callback_signer(access: &Access) -> DomainResult<AccountSid> {
    Ok(match access.principal() {
        Principal::Connect(c) => c.app_owner.clone(),
        _ => access.target_account()?.sid.clone(),
    })
}

/// Reads an optional `GET`/`POST` parameter, with the code Twilio uses for it.
pub(crate) fn method_param(
    param: &'static str,
    value: Option<&str>,
    default: &str,
    code: u32,
) -> DomainResult<String> {
    match value {
        None | Some("") => Ok(default.to_owned()),
        Some(m) if m.eq_ignore_ascii_case("GET") || m.eq_ignore_ascii_case("POST") => {
            Ok(m.to_ascii_uppercase())
        }
        Some(m) => Err(DomainError::invalid_with(
            param,
            code,
            format!(
                "{param} must be GET or POST, not '{}'",
                m.chars().take(16).collect::<String>()
            ),
        )),
    }
}

/// Reads an optional absolute http(s) URL parameter, with Twilio's code for it.
pub(crate) fn url_param(
    param: &'static str,
    value: Option<&str>,
    code: u32,
) -> DomainResult<Option<String>> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => crate::validate::absolute_url(param, v)
            .map(Some)
            .map_err(|e| match e {
                DomainError::Invalid { message, .. } => {
                    DomainError::invalid_with(param, code, message)
                }
                other => other,
            }),
    }
}

/// `YYYY-MM-DD` of an instant, UTC: the day usage is rolled up under.
pub(crate) fn day_of(t: Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%d").to_string()
}
