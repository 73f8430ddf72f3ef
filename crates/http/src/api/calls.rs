//! `…/Calls…` and `…/Recordings…`.

use crate::twilio::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::calls::{CallFilter, CallUpdate, NewCall};
use switchboard_types::{CallSid, CallStatus, RecordingSid};

use super::scope;
use super::telephony_json::{CallJson, RecordingJson};
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, PageRequest, dates};

pub async fn list(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Json<Envelope<CallJson>>, ApiError> {
    let account = scope::account(&account_segment);
    let request = call.request(scope::target(&account), Resource::Calls)?;
    let Some(account) = account.as_ref() else {
        return Err(scope::not_found(&app, &call, &request).await);
    };
    let params = call.query()?;
    let paging = PageRequest::parse(params, call.path(), app.sb.keys())?;
    let status = params.optional("Status", CallStatus::parse)?;
    // A malformed SID can match no call: say so rather than answer an empty list.
    let parent_call_sid = params.optional("ParentCallSid", CallSid::parse)?;
    let text = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let filter = CallFilter {
        to: text("To"),
        from: text("From"),
        status,
        parent_call_sid,
        start_time: dates::range(params, "StartTime")?,
        end_time: dates::range(params, "EndTime")?,
    };
    let page = app
        .sb
        .list_calls(&request, account, &filter, &paging.at, paging.size)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(Envelope::new(
        "calls",
        call.path(),
        params,
        &paging,
        page,
        app.sb.keys(),
        CallJson::from,
    )))
}

pub async fn create(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<(StatusCode, Json<CallJson>), ApiError> {
    let (access, _) = scope::authorized(&app, &call, &account_segment, Resource::Calls).await?;
    let form = call.form()?;
    let text = |name: &str| form.get(name).map(str::to_owned);
    let new = NewCall {
        to: text("To"),
        from: text("From"),
        url: text("Url"),
        twiml: text("Twiml"),
        application_sid: text("ApplicationSid"),
        method: text("Method"),
        status_callback: text("StatusCallback"),
        status_callback_method: text("StatusCallbackMethod"),
        status_callback_events: form
            .get_all("StatusCallbackEvent")
            .map(str::to_owned)
            .collect(),
        timeout: text("Timeout"),
        record: text("Record"),
    };
    let record = app
        .sb
        .create_call(&access, &new)
        .await
        .map_err(|e| call.fail(e))?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

pub async fn fetch(
    State(app): State<App>,
    Path((account_segment, segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<CallJson>, ApiError> {
    let record = scope::read_item(
        &app,
        &call,
        (&account_segment, &segment),
        Resource::Calls,
        CallSid::parse,
        async |request, account, sid| app.sb.fetch_call(request, account, sid).await,
    )
    .await?;
    Ok(Json(record.into()))
}

pub async fn update(
    State(app): State<App>,
    Path((account_segment, segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<CallJson>, ApiError> {
    let (access, sid) = scope::authorized_item(
        &app,
        &call,
        (&account_segment, &segment),
        Resource::Calls,
        CallSid::parse,
    )
    .await?;
    let form = call.form()?;
    let update = CallUpdate {
        status: form.get("Status").map(str::to_owned),
        url: form.get("Url").map(str::to_owned),
        twiml: form.get("Twiml").map(str::to_owned),
    };
    let record = app
        .sb
        .update_call(&access, &sid, &update)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(record.into()))
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
        Resource::Calls,
        CallSid::parse,
        async |access, sid| app.sb.delete_call(access, sid).await,
    )
    .await
}

async fn recordings_of(
    app: App,
    account_segment: String,
    call_segment: Option<String>,
    call: ApiCall,
) -> Result<Json<Envelope<RecordingJson>>, ApiError> {
    let account = scope::account(&account_segment);
    let request = call.request(scope::target(&account), Resource::Recordings)?;
    let call_sid = match &call_segment {
        Some(seg) => match CallSid::parse(seg) {
            Ok(sid) => Some(sid),
            Err(_) => return Err(scope::not_found(&app, &call, &request).await),
        },
        None => None,
    };
    let Some(account) = account.as_ref() else {
        return Err(scope::not_found(&app, &call, &request).await);
    };
    let params = call.query()?;
    let paging = PageRequest::parse(params, call.path(), app.sb.keys())?;
    let page = app
        .sb
        .list_recordings(
            &request,
            account,
            call_sid.as_ref(),
            &paging.at,
            paging.size,
        )
        .await
        .map_err(|e| call.fail(e))?;
    let public = app.sb.settings().public_url.clone();
    Ok(Json(Envelope::new(
        "recordings",
        call.path(),
        params,
        &paging,
        page,
        app.sb.keys(),
        |r| RecordingJson::new(r, &public),
    )))
}

pub async fn recordings(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Json<Envelope<RecordingJson>>, ApiError> {
    recordings_of(app, account_segment, None, call).await
}

pub async fn call_recordings(
    State(app): State<App>,
    Path((account_segment, call_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<Envelope<RecordingJson>>, ApiError> {
    recordings_of(app, account_segment, Some(call_segment), call).await
}

pub async fn recording(
    State(app): State<App>,
    Path(params): Path<Vec<(String, String)>>,
    call: ApiCall,
) -> Result<Json<RecordingJson>, ApiError> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let account = scope::account(&get("account").unwrap_or_default());
    let request = call.request(scope::target(&account), Resource::Recordings)?;
    let segment = get("sid").unwrap_or_default();
    let (Some(account), Some(sid)) = (
        account.as_ref(),
        scope::sid(&segment, &call, RecordingSid::parse),
    ) else {
        return Err(scope::not_found(&app, &call, &request).await);
    };
    let record = app
        .sb
        .fetch_recording(&request, account, &sid)
        .await
        .map_err(|e| call.fail(e))?;
    if let Some(call_segment) = get("call")
        && CallSid::parse(&call_segment).ok().as_ref() != Some(&record.call_sid)
    {
        return Err(ApiError::not_found(call.path()));
    }
    let public = app.sb.settings().public_url.clone();
    Ok(Json(RecordingJson::new(record, &public)))
}
