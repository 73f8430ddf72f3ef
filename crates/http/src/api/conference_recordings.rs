//! `…/Conferences/{ConferenceSid}/Recordings…`: the recordings of a
//! conference made with `record="record-from-start"`, in Twilio's
//! `conference_recording` shape; listed, read, paused, resumed, stopped and
//! deleted through the recordings' own domain operations.

use axum::extract::State;
use axum::http::StatusCode;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::calls::RecordingsOf;
use switchboard_domain::telephony::live_recordings::RecordingOf;
use switchboard_types::{ConferenceSid, RecordingSid};

use super::calls::{recording_ref, recording_update};
use super::scope::AccountScope;
use super::telephony_json::RecordingJson;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json, dates};

/// `GET …/Conferences/{ConferenceSid}/Recordings.json`, newest first
/// (`DateCreated`, `DateCreated<`, `DateCreated>` narrow it).
pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<RecordingJson>>, ApiError> {
    let read = call.read(&app, Resource::Recordings).await?;
    let conference = read.within("conference", ConferenceSid::parse).await?;
    let paging = read.paging()?;
    let date_created = dates::range(call.query()?, "DateCreated")?;
    let page = app
        .sb
        .list_recordings(
            &read.request,
            read.account,
            (RecordingsOf::Conference(&conference), date_created),
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("recordings", &paging, page, RecordingJson::of_conference)
}

/// `GET …/Conferences/{ConferenceSid}/Recordings/{Sid}.json`: only a
/// recording of that conference.
pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<RecordingJson>, ApiError> {
    let read = call.read(&app, Resource::Recordings).await?;
    let conference = read.within("conference", ConferenceSid::parse).await?;
    let sid = read.item("sid", RecordingSid::parse).await?;
    let record = app
        .sb
        .fetch_recording(&read.request, read.account, &sid)
        .await?;
    if record.conference_sid.as_ref() != Some(&conference) {
        return Err(ApiError::not_found());
    }
    Ok(Json(RecordingJson::of_conference(record)))
}

/// `POST …/Conferences/{ConferenceSid}/Recordings/{Sid}.json` (or
/// `Twilio.CURRENT.json`): pauses, resumes or stops it.
pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<RecordingJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Recordings).await?;
    let conference = granted.within("conference", ConferenceSid::parse)?;
    let which = granted.item("sid", recording_ref)?;
    let update = recording_update(call.form()?);
    let recording = app
        .sb
        .update_live_recording(
            &granted.access,
            RecordingOf::Conference(&conference),
            &which,
            &update,
        )
        .await?;
    Ok(Json(RecordingJson::of_conference(recording)))
}

/// `DELETE …/Conferences/{ConferenceSid}/Recordings/{Sid}.json`: a
/// recording that has finished, with its media.
pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Recordings).await?;
    let conference = granted.within("conference", ConferenceSid::parse)?;
    let sid = granted.item("sid", RecordingSid::parse)?;
    app.sb
        .delete_recording(&granted.access, RecordingsOf::Conference(&conference), &sid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
