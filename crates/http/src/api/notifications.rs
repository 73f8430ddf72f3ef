//! `…/Notifications…` and `…/Calls/{CallSid}/Notifications…`: the debugger's
//! log. Lists leave out the request's variables and the response (as Twilio's
//! do); fetching one shows them. `DELETE` is the 2010 API's, which Twilio's
//! current OpenAPI document no longer lists.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::{ApiRequest, Resource};
use switchboard_domain::notifications::{Notification, NotificationFilter, NotificationScope};
use switchboard_types::{AccountSid, CallSid, NotificationLevel, NotificationSid};

use super::json::API_PREFIX;
use super::scope;
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, Json, PageRequest, dates};

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

async fn list_of(
    app: &App,
    call: &ApiCall,
    account_segment: &str,
    call_segment: Option<&str>,
) -> Result<Json<Envelope<NotificationJson>>, ApiError> {
    let account = scope::account(account_segment);
    let request = call.request(scope::target(&account), Resource::Notifications)?;
    let call_sid = call_segment.map(|s| CallSid::parse(s).ok());
    let (Some(_), None | Some(Some(_))) = (&account, &call_sid) else {
        return Err(scope::not_found(app, call, &request).await);
    };
    let params = call.query()?;
    let paging = PageRequest::parse(params, call.path(), app.sb.keys())?;
    let filter = NotificationFilter {
        level: params.optional("Log", NotificationLevel::parse)?,
        message_date: dates::range(params, "MessageDate")?,
        call_sid: call_sid.flatten(),
    };
    let page = app
        .sb
        .notifications()
        .list(
            (&request).into(),
            NotificationScope::Account,
            &filter,
            &paging.at,
            paging.size,
        )
        .await
        .map_err(|e| call.fail(e))?;
    let under_call = call_segment.is_some();
    Ok(Json(Envelope::new(
        "notifications",
        call.path(),
        params,
        &paging,
        page,
        app.sb.keys(),
        |n| NotificationJson::new(n, false, under_call),
    )))
}

pub async fn list(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Json<Envelope<NotificationJson>>, ApiError> {
    list_of(&app, &call, &account_segment, None).await
}

pub async fn call_list(
    State(app): State<App>,
    Path((account_segment, call_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<Envelope<NotificationJson>>, ApiError> {
    list_of(&app, &call, &account_segment, Some(&call_segment)).await
}

async fn fetch_one(
    app: &App,
    request: &ApiRequest<'_>,
    sid: &NotificationSid,
) -> switchboard_domain::DomainResult<Notification> {
    app.sb
        .notifications()
        .get(request.into(), NotificationScope::Account, sid)
        .await
}

pub async fn fetch(
    State(app): State<App>,
    Path((account_segment, segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<NotificationJson>, ApiError> {
    let n = scope::read_item(
        &app,
        &call,
        (&account_segment, &segment),
        Resource::Notifications,
        NotificationSid::parse,
        async |request, _, sid| fetch_one(&app, request, sid).await,
    )
    .await?;
    Ok(Json(NotificationJson::new(n, true, false)))
}

/// `…/Calls/{CallSid}/Notifications/{Sid}.json`: one of that call's.
pub async fn call_fetch(
    State(app): State<App>,
    Path((account_segment, call_segment, segment)): Path<(String, String, String)>,
    call: ApiCall,
) -> Result<Json<NotificationJson>, ApiError> {
    let call_sid = CallSid::parse(&call_segment).ok();
    let n = scope::read_item(
        &app,
        &call,
        (&account_segment, &segment),
        Resource::Notifications,
        NotificationSid::parse,
        async |request, _, sid| fetch_one(&app, request, sid).await,
    )
    .await?;
    if call_sid.is_none() || n.call_sid != call_sid {
        return Err(ApiError::not_found(call.path()));
    }
    Ok(Json(NotificationJson::new(n, true, true)))
}

pub async fn delete(
    State(app): State<App>,
    Path((account_segment, segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<StatusCode, ApiError> {
    scope::delete_item(
        &app,
        &call,
        (&account_segment, &segment),
        Resource::Notifications,
        NotificationSid::parse,
        async |access, sid| app.sb.notifications().delete(access, sid).await,
    )
    .await
}
