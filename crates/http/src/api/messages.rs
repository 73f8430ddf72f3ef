//! `…/Messages…`.

use crate::twilio::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::feedback::MessageFeedback;
use switchboard_domain::telephony::inbound::IncomingMessage;
use switchboard_domain::telephony::messages::{MessageFilter, NewMessage};
use switchboard_types::{AccountSid, FeedbackOutcome, MessageSid, MessagingServiceSid};

use super::json::API_PREFIX;

use super::scope::AccountScope;
use super::telephony_json::MessageJson;
use crate::App;
use crate::twilio::{ApiError, Envelope, dates};

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<MessageJson>>, ApiError> {
    let read = call.read(&app, Resource::Messages).await?;
    let params = call.query()?;
    let paging = read.paging()?;
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
        .list_messages(
            &read.request,
            read.account,
            &filter,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("messages", &paging, page, MessageJson::from)
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
        provide_feedback: text("ProvideFeedback"),
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

/// A message's feedback as Twilio writes it: every field of the spec's
/// `api.v2010.account.message.message_feedback`.
#[derive(Serialize)]
pub struct FeedbackJson {
    account_sid: AccountSid,
    message_sid: MessageSid,
    outcome: FeedbackOutcome,
    date_created: String,
    date_updated: String,
    uri: String,
}

impl From<MessageFeedback> for FeedbackJson {
    fn from(f: MessageFeedback) -> Self {
        FeedbackJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Messages/{}/Feedback.json",
                f.account_sid, f.message_sid
            ),
            account_sid: f.account_sid,
            message_sid: f.message_sid,
            outcome: f.outcome,
            date_created: f.date_created.rfc2822(),
            date_updated: f.date_updated.rfc2822(),
        }
    }
}

/// `POST …/Messages/{Sid}/Feedback.json`: `200`, as Twilio's document says
/// (it creates nothing: the feedback came with the message).
pub async fn feedback(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<FeedbackJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Messages).await?;
    let message = granted.within("message", MessageSid::parse)?;
    let outcome = call.form()?.get("Outcome");
    let feedback = app
        .sb
        .message_feedback()
        .create(&granted.access, &message, outcome)
        .await?;
    Ok(Json(feedback.into()))
}
