//! `…/Calls…` and `…/Recordings…`.

use crate::twilio::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::calls::{CallFilter, CallUpdate, NewCall, Range, RecordingsOf};
use switchboard_domain::telephony::live_recordings::{
    NewCallRecording, RecordingRef, RecordingUpdate,
};
use switchboard_domain::telephony::voice::{IncomingCall, check_input};
use switchboard_types::{CallSid, CallStatus, RecordingSid, SidError};

use super::scope::AccountScope;
use super::telephony_json::{CallJson, RecordingJson};
use crate::App;
use crate::twilio::{ApiError, Envelope, Params, dates};

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<CallJson>>, ApiError> {
    let read = call.read(&app, Resource::Calls).await?;
    let params = call.query()?;
    let paging = read.paging()?;
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
        .list_calls(
            &read.request,
            read.account,
            &filter,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("calls", &paging, page, CallJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<CallJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Calls).await?;
    let form = call.form()?;
    let text = |name: &str| form.get(name).map(str::to_owned);
    let new = NewCall {
        to: text("To"),
        from: text("From"),
        url: text("Url"),
        twiml: text("Twiml"),
        application_sid: text("ApplicationSid"),
        method: text("Method"),
        fallback_url: text("FallbackUrl"),
        fallback_method: text("FallbackMethod"),
        status_callback: text("StatusCallback"),
        status_callback_method: text("StatusCallbackMethod"),
        status_callback_events: form
            .get_all("StatusCallbackEvent")
            .map(str::to_owned)
            .collect(),
        timeout: text("Timeout"),
        record: text("Record"),
        machine_detection: text("MachineDetection"),
        machine_detection_timeout: text("MachineDetectionTimeout"),
        async_amd: text("AsyncAmd"),
        async_amd_status_callback: text("AsyncAmdStatusCallback"),
        async_amd_status_callback_method: text("AsyncAmdStatusCallbackMethod"),
    };
    let record = app.sb.create_call(&granted.access, &new).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

pub async fn fetch(State(app): State<App>, call: AccountScope) -> Result<Json<CallJson>, ApiError> {
    let read = call.read(&app, Resource::Calls).await?;
    let sid = read.item("sid", CallSid::parse).await?;
    let record = app.sb.fetch_call(&read.request, read.account, &sid).await?;
    Ok(Json(record.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<CallJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Calls).await?;
    let sid = granted.item("sid", CallSid::parse)?;
    let form = call.form()?;
    let update = CallUpdate {
        status: form.get("Status").map(str::to_owned),
        url: form.get("Url").map(str::to_owned),
        method: form.get("Method").map(str::to_owned),
        twiml: form.get("Twiml").map(str::to_owned),
    };
    let record = app.sb.update_call(&granted.access, &sid, &update).await?;
    Ok(Json(record.into()))
}

/// `POST /switchboard/v1/Accounts/{AccountSid}/InboundCalls.json`: a
/// simulated handset (`From`) calls one of the account's numbers (`To`),
/// optionally pressing keys at once (`Digits`, for the first `<Gather>`).
pub async fn receive(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<CallJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Calls).await?;
    let form = call.form()?;
    let digits = match form.get("Digits").filter(|d| !d.trim().is_empty()) {
        Some(d) => Some(check_input(Some(d), None, None)?),
        None => None,
    };
    let new = IncomingCall {
        from: form.get("From").map(str::to_owned),
        to: form.get("To").map(str::to_owned),
        digits,
    };
    let record = app.sb.receive_call(&granted.access, &new).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// `POST /switchboard/v1/Accounts/{AccountSid}/Calls/{CallSid}/Input.json`:
/// a simulated caller presses keys (`Digits`) or speaks (`SpeechResult`,
/// `Confidence`); the call's `<Gather>` takes it, now or when it reaches one.
pub async fn input(State(app): State<App>, call: AccountScope) -> Result<Json<CallJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Calls).await?;
    let sid = granted.within("call", CallSid::parse)?;
    let form = call.form()?;
    let input = check_input(
        form.get("Digits"),
        form.get("SpeechResult"),
        form.get("Confidence"),
    )?;
    let record = app.sb.give_call_input(&granted.access, &sid, input).await?;
    Ok(Json(record.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Calls).await?;
    let sid = granted.item("sid", CallSid::parse)?;
    app.sb.delete_call(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/Calls/{CallSid}/Recordings.json`: starts recording a call in
/// progress; `201` with the recording in the call's shape.
pub async fn start_recording(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<RecordingJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Recordings).await?;
    let sid = granted.within("call", CallSid::parse)?;
    let form = call.form()?;
    let new = NewCallRecording {
        channels: form.owned("RecordingChannels"),
        status_callback: form.owned("RecordingStatusCallback"),
        status_callback_method: form.owned("RecordingStatusCallbackMethod"),
        status_callback_events: form
            .get_all("RecordingStatusCallbackEvent")
            .map(str::to_owned)
            .collect(),
        trim: form.owned("Trim"),
        track: form.owned("RecordingTrack"),
    };
    let recording = app
        .sb
        .start_call_recording(&granted.access, &sid, &new)
        .await?;
    Ok((StatusCode::CREATED, Json(RecordingJson::of_call(recording))))
}

/// `POST …/Calls/{CallSid}/Recordings/{Sid}.json` (or `Twilio.CURRENT.json`):
/// pauses, resumes or stops a recording of a call.
pub async fn update_recording(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<RecordingJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Recordings).await?;
    let sid = granted.within("call", CallSid::parse)?;
    let which = granted.item("sid", recording_ref)?;
    let update = recording_update(call.form()?);
    let recording = app
        .sb
        .update_call_recording(&granted.access, &sid, &which, &update)
        .await?;
    Ok(Json(RecordingJson::of_call(recording)))
}

/// The recording a live recording's path names: its SID, or
/// `Twilio.CURRENT` (the newest in progress or paused).
pub(super) fn recording_ref(segment: &str) -> Result<RecordingRef, SidError> {
    match segment {
        "Twilio.CURRENT" => Ok(RecordingRef::Current),
        s => RecordingSid::parse(s).map(RecordingRef::Sid),
    }
}

/// A live recording's update (`Status`, `PauseBehavior`).
pub(super) fn recording_update(form: &Params) -> RecordingUpdate {
    RecordingUpdate {
        status: form.owned("Status"),
        pause_behavior: form.owned("PauseBehavior"),
    }
}

/// `…/Recordings.json`, and `…/Calls/{CallSid}/Recordings.json` (one call's).
pub async fn recordings(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<RecordingJson>>, ApiError> {
    let read = call.read(&app, Resource::Recordings).await?;
    let call_sid = read.within_if_routed("call", CallSid::parse).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .list_recordings(
            &read.request,
            read.account,
            (
                call_sid
                    .as_ref()
                    .map_or(RecordingsOf::Account, RecordingsOf::Call),
                Range::default(),
            ),
            &paging.at,
            paging.size,
        )
        .await?;
    let public = app.sb.settings().public_url.clone();
    let through_call = call_sid.is_some();
    read.envelope("recordings", &paging, page, |r| {
        RecordingJson::through(r, &public, through_call)
    })
}

/// `DELETE …/Recordings/{Sid}.json` and `…/Calls/{CallSid}/Recordings/{Sid}.json`.
pub async fn delete_recording(
    State(app): State<App>,
    call: AccountScope,
) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Recordings).await?;
    let sid = granted.item("sid", RecordingSid::parse)?;
    let of_call = granted.within_if_routed("call", CallSid::parse)?;
    app.sb
        .delete_recording(
            &granted.access,
            of_call
                .as_ref()
                .map_or(RecordingsOf::Account, RecordingsOf::Call),
            &sid,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `…/Recordings/{Sid}.json`, and `…/Calls/{CallSid}/Recordings/{Sid}.json`
/// (only if the recording is that call's); without `.json`, its audio.
pub async fn recording(State(app): State<App>, call: AccountScope) -> Result<Response, ApiError> {
    if !call.get("sid").is_some_and(|s| s.ends_with(".json")) {
        return super::recording_media::audio(app, call).await;
    }
    let read = call.read(&app, Resource::Recordings).await?;
    let sid = read.item("sid", RecordingSid::parse).await?;
    let record = app
        .sb
        .fetch_recording(&read.request, read.account, &sid)
        .await?;
    if let Some(call_segment) = call.get("call")
        && CallSid::parse(call_segment).ok() != record.call_sid
    {
        return Err(ApiError::not_found());
    }
    let public = app.sb.settings().public_url.clone();
    let through_call = call.get("call").is_some();
    Ok(Json(RecordingJson::through(record, &public, through_call)).into_response())
}
