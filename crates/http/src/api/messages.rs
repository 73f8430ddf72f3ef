//! `…/Messages…`.

use crate::twilio::Json;
use axum::extract::State;
use axum::http::StatusCode;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::inbound::IncomingMessage;
use switchboard_domain::telephony::messages::{MessageFilter, NewMessage};
use switchboard_types::{MessageSid, MessagingServiceSid};

use super::scope::{AccountScope, Read};
use super::telephony_json::MessageJson;
use crate::App;
use crate::twilio::{ApiError, Envelope, PageRequest, dates};

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<MessageJson>>, ApiError> {
    let Read {
        request, account, ..
    } = call.read(&app, Resource::Messages).await?;
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
        .await?;
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
    call: AccountScope,
) -> Result<(StatusCode, Json<MessageJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Messages).await?;
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
    let record = app.sb.create_message(&granted.access, &new).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// `POST /switchboard/v1/Accounts/{Sid}/InboundMessages.json`: a simulated
/// handset sends a message to one of the account's numbers.
pub async fn receive(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<MessageJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Messages).await?;
    let form = call.form()?;
    let text = |name: &str| form.get(name).map(str::to_owned);
    let new = IncomingMessage {
        from: text("From"),
        to: text("To"),
        body: text("Body"),
        media_urls: form.get_all("MediaUrl").map(str::to_owned).collect(),
    };
    let record = app.sb.receive_message(&granted.access, &new).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<MessageJson>, ApiError> {
    let read = call.read(&app, Resource::Messages).await?;
    let sid = read.item("sid", MessageSid::parse).await?;
    let record = app
        .sb
        .fetch_message(&read.request, read.account, &sid)
        .await?;
    Ok(Json(record.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<MessageJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Messages).await?;
    let sid = granted.item("sid", MessageSid::parse)?;
    let record = app
        .sb
        .redact_message(&granted.access, &sid, call.form()?.get("Body"))
        .await?;
    Ok(Json(record.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Messages).await?;
    let sid = granted.item("sid", MessageSid::parse)?;
    app.sb.delete_message(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
