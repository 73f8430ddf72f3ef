//! `…/OutgoingCallerIds.json` and `…/OutgoingCallerIds/{Sid}.json`: verified
//! caller IDs, and validation requests, in Twilio's 2010 shape.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::caller_ids::{
    NewValidation, OutgoingCallerId, ValidationRequest,
};
use switchboard_types::{AccountSid, CallSid, OutgoingCallerIdSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

/// A caller ID as Twilio writes it: every field of the spec's
/// `api.v2010.account.outgoing_caller_id`.
#[derive(Serialize)]
pub struct OutgoingCallerIdJson {
    account_sid: AccountSid,
    date_created: String,
    date_updated: String,
    friendly_name: String,
    phone_number: String,
    sid: OutgoingCallerIdSid,
    uri: String,
}

impl From<OutgoingCallerId> for OutgoingCallerIdJson {
    fn from(c: OutgoingCallerId) -> Self {
        OutgoingCallerIdJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/OutgoingCallerIds/{}.json",
                c.account_sid, c.sid
            ),
            account_sid: c.account_sid,
            date_created: c.date_created.rfc2822(),
            date_updated: c.date_updated.rfc2822(),
            friendly_name: c.friendly_name,
            phone_number: c.phone_number,
            sid: c.sid,
        }
    }
}

/// The answer to a validation request: every field of the spec's
/// `api.v2010.account.validation_request`.
#[derive(Serialize)]
pub struct ValidationRequestJson {
    account_sid: AccountSid,
    call_sid: CallSid,
    friendly_name: String,
    phone_number: String,
    validation_code: String,
}

impl From<ValidationRequest> for ValidationRequestJson {
    fn from(v: ValidationRequest) -> Self {
        ValidationRequestJson {
            account_sid: v.account_sid,
            call_sid: v.call_sid,
            friendly_name: v.friendly_name,
            phone_number: v.phone_number,
            validation_code: v.validation_code,
        }
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<OutgoingCallerIdJson>>, ApiError> {
    let read = call.read(&app, Resource::OutgoingCallerIds).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let given = |name: &str| params.get(name).filter(|v| !v.is_empty());
    let page = app
        .sb
        .caller_ids()
        .list(
            (&read.request).into(),
            (given("PhoneNumber"), given("FriendlyName")),
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope(
        "outgoing_caller_ids",
        &paging,
        page,
        OutgoingCallerIdJson::from,
    )
}

/// `POST …/OutgoingCallerIds.json`: a validation request, answered `200`
/// as Twilio's document says (the caller ID exists once verified).
pub async fn validate(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ValidationRequestJson>, ApiError> {
    let granted = call.authorize(&app, Resource::OutgoingCallerIds).await?;
    let form = call.form()?;
    let new = NewValidation {
        phone_number: form.owned("PhoneNumber"),
        friendly_name: form.owned("FriendlyName"),
        call_delay: form.owned("CallDelay"),
        extension: form.owned("Extension"),
        status_callback: form.owned("StatusCallback"),
        status_callback_method: form.owned("StatusCallbackMethod"),
    };
    let requested = app
        .sb
        .caller_ids()
        .request_validation(&granted.access, &new)
        .await?;
    Ok(Json(requested.into()))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<OutgoingCallerIdJson>, ApiError> {
    let read = call.read(&app, Resource::OutgoingCallerIds).await?;
    let sid = read.item("sid", OutgoingCallerIdSid::parse).await?;
    let found = app
        .sb
        .caller_ids()
        .get((&read.request).into(), &sid)
        .await?;
    Ok(Json(found.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<OutgoingCallerIdJson>, ApiError> {
    let granted = call.authorize(&app, Resource::OutgoingCallerIds).await?;
    let sid = granted.item("sid", OutgoingCallerIdSid::parse)?;
    let form = call.form()?;
    let updated = app
        .sb
        .caller_ids()
        .update(&granted.access, &sid, form.get("FriendlyName"))
        .await?;
    Ok(Json(updated.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::OutgoingCallerIds).await?;
    let sid = granted.item("sid", OutgoingCallerIdSid::parse)?;
    app.sb.caller_ids().delete(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
