//! `…/Notifications…` and `…/Calls/{CallSid}/Notifications…`: the debugger's
//! log. Lists leave out the request's variables and the response (as Twilio's
//! do); fetching one shows them. `DELETE` is the 2010 API's, which Twilio's
//! current OpenAPI document no longer lists.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::notifications::{Notification, NotificationFilter, NotificationScope};
use switchboard_types::{AccountSid, CallSid, NotificationLevel, NotificationSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json, dates};

const API_VERSION: &str = "2010-04-01";

#[derive(Serialize)]
pub struct NotificationJson {
    pub account_sid: AccountSid,
    pub api_version: &'static str,
    pub call_sid: Option<CallSid>,
    pub date_created: String,
    pub date_updated: String,
    pub error_code: String,
    pub log: NotificationLevel,
    pub message_date: String,
    pub message_text: String,
    pub more_info: String,
    pub request_method: Option<String>,
    pub request_url: String,
    /// Only when fetching one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_variables: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<String>,
    pub sid: NotificationSid,
    pub uri: String,
}

impl NotificationJson {
    /// `under_call`: listed or fetched under `…/Calls/{CallSid}/`, whose URIs
    /// Twilio writes under the call.
    fn new(n: Notification, full: bool, under_call: bool) -> Self {
        let uri = match (&n.call_sid, under_call) {
            (Some(call), true) => format!(
                "{API_PREFIX}/Accounts/{}/Calls/{call}/Notifications/{}.json",
                n.account_sid, n.sid
            ),
            _ => format!(
                "{API_PREFIX}/Accounts/{}/Notifications/{}.json",
                n.account_sid, n.sid
            ),
        };
        let more_info = n.more_info();
        NotificationJson {
            uri,
            more_info,
            account_sid: n.account_sid,
            api_version: API_VERSION,
            call_sid: n.call_sid,
            date_created: n.date_created.rfc2822(),
            date_updated: n.date_updated.rfc2822(),
            error_code: n.error_code.to_string(),
            log: n.level,
            message_date: n.message_date.rfc2822(),
            message_text: n.message_text,
            request_method: n.request_method,
            request_url: n.request_url.unwrap_or_default(),
            request_variables: full.then(|| n.request_variables.unwrap_or_default()),
            response_body: full.then(|| n.response_body.unwrap_or_default()),
            response_headers: full.then(|| n.response_headers.unwrap_or_default()),
            sid: n.sid,
        }
    }
}

/// `…/Notifications.json`, and `…/Calls/{CallSid}/Notifications.json` (one
/// call's).
pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<NotificationJson>>, ApiError> {
    let read = call.read(&app, Resource::Notifications).await?;
    let call_sid = match call.get("call") {
        Some(_) => Some(read.within("call", CallSid::parse).await?),
        None => None,
    };
    let params = call.query()?;
    let paging = read.paging()?;
    let under_call = call_sid.is_some();
    let filter = NotificationFilter {
        level: params.optional("Log", NotificationLevel::parse)?,
        message_date: dates::range(params, "MessageDate")?,
        call_sid,
    };
    let page = app
        .sb
        .notifications()
        .list(
            (&read.request).into(),
            NotificationScope::Account,
            &filter,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("notifications", &paging, page, |n| {
        NotificationJson::new(n, false, under_call)
    })
}

/// `…/Notifications/{Sid}.json`, and `…/Calls/{CallSid}/Notifications/{Sid}.json`
/// (only one of that call's).
pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<NotificationJson>, ApiError> {
    let read = call.read(&app, Resource::Notifications).await?;
    let call_sid = match call.get("call") {
        Some(_) => Some(read.within("call", CallSid::parse).await?),
        None => None,
    };
    let sid = read.item("sid", NotificationSid::parse).await?;
    let n = app
        .sb
        .notifications()
        .get((&read.request).into(), NotificationScope::Account, &sid)
        .await?;
    if call_sid.is_some() && n.call_sid != call_sid {
        return Err(ApiError::not_found());
    }
    let under_call = call_sid.is_some();
    Ok(Json(NotificationJson::new(n, true, under_call)))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Notifications).await?;
    let sid = granted.item("sid", NotificationSid::parse)?;
    app.sb.notifications().delete(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
