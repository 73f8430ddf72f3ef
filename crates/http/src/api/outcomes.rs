//! `POST /switchboard/v1/Accounts/{AccountSid}/Calls/{CallSid}/Outcome.json`
//! and `…/Messages/{MessageSid}/Outcome.json` (sandbox mode): end a call or
//! message still in flight as a test says.

use axum::extract::State;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::outcomes::{CallOutcome, MessageOutcome};
use switchboard_types::{CallSid, MessageSid};

use super::scope::AccountScope;
use super::telephony_json::{CallJson, MessageJson};
use crate::App;
use crate::twilio::{ApiError, Json, Params};

/// Every sandbox control answers 404 outside sandbox mode, before anything
/// else: the route does not exist there.
pub fn sandbox_only(app: &App) -> Result<(), ApiError> {
    match app.sb.settings().sandbox {
        true => Ok(()),
        false => Err(ApiError::not_found()),
    }
}

/// `ErrorCode`: a Twilio error code, five digits.
fn error_code(form: &Params) -> Result<Option<u32>, ApiError> {
    form.optional("ErrorCode", |v| {
        v.parse::<u32>()
            .ok()
            .filter(|c| (10_000..=99_999).contains(c))
            .ok_or("ErrorCode must be a Twilio error code (five digits, such as 30003)")
    })
}

fn outcome<T: Copy>(
    form: &Params,
    all: &[T],
    status: impl Fn(T) -> &'static str,
) -> Result<T, ApiError> {
    let names = || {
        all.iter()
            .map(|o| status(*o))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let given = form
        .get("Status")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(
                Some("Status"),
                format!("Required parameter Status is missing: one of {}", names()),
            )
        })?;
    all.iter()
        .copied()
        .find(|o| status(*o) == given)
        .ok_or_else(|| {
            let shown: String = given.chars().filter(|c| !c.is_control()).take(32).collect();
            ApiError::bad_request(
                Some("Status"),
                format!("Status must be one of {}, not '{shown}'", names()),
            )
        })
}

pub async fn call(State(app): State<App>, call: AccountScope) -> Result<Json<CallJson>, ApiError> {
    sandbox_only(&app)?;
    let granted = call.authorize(&app, Resource::Calls).await?;
    let sid = granted.within("call", CallSid::parse)?;
    let form = call.form()?;
    let outcome = outcome(form, &CallOutcome::ALL, |o| o.status().as_str())?;
    let error_code = error_code(form)?;
    let record = app
        .sb
        .force_call_outcome(&granted.access, &sid, outcome, error_code)
        .await?;
    Ok(Json(record.into()))
}

pub async fn message(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<MessageJson>, ApiError> {
    sandbox_only(&app)?;
    let granted = call.authorize(&app, Resource::Messages).await?;
    let sid = granted.within("message", MessageSid::parse)?;
    let form = call.form()?;
    let outcome = outcome(form, &MessageOutcome::ALL, |o| o.status().as_str())?;
    let error_code = error_code(form)?;
    let record = app
        .sb
        .force_message_outcome(&granted.access, &sid, outcome, error_code)
        .await?;
    Ok(Json(record.into()))
}
