//! `…/Transcriptions.json`, `…/Transcriptions/{Sid}.json`, and a
//! recording's `…/Recordings/{RecordingSid}/Transcriptions…`.

use axum::extract::State;
use axum::http::StatusCode;
use switchboard_domain::access::Resource;
use switchboard_types::{RecordingSid, TranscriptionSid};

use super::scope::AccountScope;
use super::telephony_json::TranscriptionJson;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<TranscriptionJson>>, ApiError> {
    let read = call.read(&app, Resource::Transcriptions).await?;
    let recording = read
        .within_if_routed("recording", RecordingSid::parse)
        .await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .transcriptions()
        .list(
            (&read.request).into(),
            recording.as_ref(),
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("transcriptions", &paging, page, TranscriptionJson::from)
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<TranscriptionJson>, ApiError> {
    let read = call.read(&app, Resource::Transcriptions).await?;
    let recording = read
        .within_if_routed("recording", RecordingSid::parse)
        .await?;
    let sid = read.item("sid", TranscriptionSid::parse).await?;
    let found = app
        .sb
        .transcriptions()
        .get((&read.request).into(), recording.as_ref(), &sid)
        .await?;
    Ok(Json(found.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Transcriptions).await?;
    let recording = granted.within_if_routed("recording", RecordingSid::parse)?;
    let sid = granted.item("sid", TranscriptionSid::parse)?;
    app.sb
        .transcriptions()
        .delete(&granted.access, recording.as_ref(), &sid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
