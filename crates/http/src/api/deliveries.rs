//! `/switchboard/v1/Accounts/{AccountSid}/Deliveries…`: every webhook sent on an
//! account's behalf, each attempt, and replaying one (an extension).

use std::collections::BTreeMap;

use crate::twilio::Json;
use crate::twilio::error::codes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::delivery::{
    DeliveryScope, DeliveryView, GrantActiveAgain, Replay, ReplayConfirmation, decode_params,
};
use switchboard_store::deliveries::DeliveryRecord;
use switchboard_types::{ConnectAppSid, DeliverySid};

use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope};

pub const PREFIX: &str = "/switchboard/v1";

#[derive(Serialize)]
pub struct AttemptJson {
    attempt: i64,
    date: String,
    url: String,
    response_code: Option<i64>,
    latency_ms: Option<i64>,
    error: Option<String>,
}

#[derive(Serialize)]
pub struct DeliveryJson {
    sid: String,
    account_sid: String,
    kind: String,
    connect_app_sid: Option<String>,
    resource_sid: Option<String>,
    method: String,
    url: String,
    parameters: BTreeMap<String, String>,
    idempotency_token: String,
    /// `pending`, `delivered`, `failed` (retries exhausted) or `refused`.
    status: String,
    attempts: i64,
    next_attempt_at: Option<String>,
    date_created: String,
    date_completed: Option<String>,
    last_response_code: Option<i64>,
    last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt_log: Option<Vec<AttemptJson>>,
    uri: String,
}

impl DeliveryJson {
    fn new(
        d: DeliveryRecord,
        attempts: Option<Vec<switchboard_store::deliveries::AttemptRecord>>,
    ) -> Self {
        DeliveryJson {
            uri: format!(
                "{PREFIX}/Accounts/{}/Deliveries/{}.json",
                d.account_sid, d.sid
            ),
            sid: d.sid.to_string(),
            account_sid: d.account_sid.to_string(),
            kind: d.kind,
            connect_app_sid: d.connect_app_sid,
            resource_sid: d.resource_sid,
            method: d.method,
            url: d.url,
            parameters: decode_params(&d.params).into_iter().collect(),
            idempotency_token: d.idempotency_token,
            next_attempt_at: (d.state == "pending").then(|| d.next_attempt_at.rfc2822()),
            status: d.state,
            attempts: d.attempts,
            date_created: d.created_at.rfc2822(),
            date_completed: d.completed_at.map(|t| t.rfc2822()),
            last_response_code: d.last_status,
            last_error: d.last_error,
            attempt_log: attempts.map(|list| {
                list.into_iter()
                    .map(|a| AttemptJson {
                        attempt: a.number,
                        date: a.at.rfc2822(),
                        url: a.url,
                        response_code: a.status_code,
                        latency_ms: a.latency_ms,
                        error: a.error,
                    })
                    .collect()
            }),
        }
    }
}

impl From<DeliveryView> for DeliveryJson {
    fn from(v: DeliveryView) -> Self {
        DeliveryJson::new(v.delivery, Some(v.attempts))
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<DeliveryJson>>, ApiError> {
    let read = call.read(&app, Resource::Deliveries).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .deliveries()
        .list(
            (&read.request).into(),
            DeliveryScope::Account,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("deliveries", &paging, page, |d| DeliveryJson::new(d, None))
}

/// `GET …/Accounts/{Owner}/ConnectApps/{Sid}/Deliveries.json`: every
/// callback the owner's app caused across its customers' dedicated
/// subaccounts, and its deauthorize callbacks, oldest first.
pub async fn of_connect_app(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<DeliveryJson>>, ApiError> {
    let granted = call.authorize(&app, Resource::ConnectAppDeliveries).await?;
    let connect_app = granted.within("sid", ConnectAppSid::parse)?;
    let paging = granted.paging()?;
    let page = app
        .sb
        .deliveries()
        .of_connect_app(
            (&granted.access).into(),
            &connect_app,
            &paging.at,
            paging.size,
        )
        .await?;
    granted.envelope("deliveries", &paging, page, |d| DeliveryJson::new(d, None))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<DeliveryJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Deliveries).await?;
    let sid = granted.item("sid", DeliverySid::parse)?;
    let view = app
        .sb
        .deliveries()
        .get(&granted.access, DeliveryScope::Account, &sid)
        .await?;
    Ok(Json(view.into()))
}

/// `POST …/Deliveries/{Sid}/Replay.json`, with `Confirm=true` to send a
/// deauthorize callback whose grant is active again (otherwise `409`).
pub async fn replay(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<DeliveryJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Deliveries).await?;
    let sid = granted.within("sid", DeliverySid::parse)?;
    let confirmation = if call.form()?.boolean("Confirm")?.unwrap_or(false) {
        ReplayConfirmation::GrantActiveAgain
    } else {
        ReplayConfirmation::Plain
    };
    match app
        .sb
        .deliveries()
        .replay(&granted.access, DeliveryScope::Account, &sid, confirmation)
        .await?
    {
        Replay::Queued(view) => Ok(Json((*view).into())),
        Replay::GrantActiveAgain(active) => Err(grant_active_again(&active)),
    }
}

fn grant_active_again(active: &GrantActiveAgain) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        codes::CONFLICT,
        format!(
            "Not replayed: this deauthorize callback is about a grant that is active again \
             (the customer {} authorized the app again on {}, subaccount {}). Replaying it \
             would tell the app the grant is gone while it works. To send it anyway, replay \
             with Confirm=true.",
            active.customer,
            active.authorized_at.rfc2822(),
            active.subaccount
        ),
    )
}
