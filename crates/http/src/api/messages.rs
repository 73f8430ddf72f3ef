//! `…/Messages…`.

use crate::twilio::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::messages::{MessageFilter, NewMessage};
use switchboard_types::{MessageSid, MessagingServiceSid};

use super::scope;
use super::telephony_json::MessageJson;
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, PageRequest, dates};

pub async fn list(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Json<Envelope<MessageJson>>, ApiError> {
    let account = scope::account(&account_segment);
    let request = call.request(scope::target(&account), Resource::Messages)?;
    let Some(account) = account.as_ref() else {
        return Err(scope::not_found(&app, &call, &request).await);
    };
    let params = call.query()?;
    let paging = PageRequest::parse(params, call.path(), app.sb.keys())?;
    let text = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let filter = MessageFilter {
        to: text("To"),
        from: text("From"),
        status: None,
        date_sent: dates::range(params, "DateSent")?,
    };
    let page = app
        .sb
        .list_messages(&request, account, &filter, &paging.at, paging.size)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(Envelope::new(
        "messages",
        call.path(),
        params,
        &paging,
        page,
        app.sb.keys(),
        MessageJson::from,
    )))
}

pub async fn create(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<(StatusCode, Json<MessageJson>), ApiError> {
    let (access, _) = scope::authorized(&app, &call, &account_segment, Resource::Messages).await?;
    let form = call.form()?;
    let text = |name: &str| form.get(name).map(str::to_owned);
    let new = NewMessage {
        to: text("To"),
        from: text("From"),
        body: text("Body"),
        media_urls: form.get_all("MediaUrl").map(str::to_owned).collect(),
        status_callback: text("StatusCallback"),
        messaging_service_sid: form.optional("MessagingServiceSid", MessagingServiceSid::parse)?,
    };
    let record = app
        .sb
        .create_message(&access, &new)
        .await
        .map_err(|e| call.fail(e))?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

pub async fn fetch(
    State(app): State<App>,
    Path((account_segment, segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<MessageJson>, ApiError> {
    let record = scope::read_item(
        &app,
        &call,
        (&account_segment, &segment),
        Resource::Messages,
        MessageSid::parse,
        async |request, account, sid| app.sb.fetch_message(request, account, sid).await,
    )
    .await?;
    Ok(Json(record.into()))
}

pub async fn update(
    State(app): State<App>,
    Path((account_segment, segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<MessageJson>, ApiError> {
    let (access, sid) = scope::authorized_item(
        &app,
        &call,
        (&account_segment, &segment),
        Resource::Messages,
        MessageSid::parse,
    )
    .await?;
    let record = app
        .sb
        .redact_message(&access, &sid, call.form()?.get("Body"))
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
        Resource::Messages,
        MessageSid::parse,
        async |access, sid| app.sb.delete_message(access, sid).await,
    )
    .await
}
