//! `POST …/Calls/{CallSid}/Transcriptions.json` (real-time transcription of
//! a live call) and `POST …/Calls/{CallSid}/Transcriptions/{Sid}.json` (stop
//! it; `{Sid}` may be its `Name`).

use std::convert::Infallible;

use axum::extract::State;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::realtime_transcriptions::{
    NewRealtimeTranscription, RealtimeTranscription,
};
use switchboard_types::{
    AccountSid, CallSid, RealtimeTranscriptionSid, RealtimeTranscriptionStatus,
};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Json};

/// Twilio's `realtime_transcription` resource.
#[derive(Serialize)]
pub struct RealtimeTranscriptionJson {
    pub sid: RealtimeTranscriptionSid,
    pub account_sid: AccountSid,
    pub call_sid: CallSid,
    pub name: Option<String>,
    pub status: RealtimeTranscriptionStatus,
    pub date_updated: String,
    pub uri: String,
}

impl From<RealtimeTranscription> for RealtimeTranscriptionJson {
    fn from(t: RealtimeTranscription) -> Self {
        RealtimeTranscriptionJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Calls/{}/Transcriptions/{}.json",
                t.account_sid, t.call_sid, t.sid
            ),
            sid: t.sid,
            account_sid: t.account_sid,
            call_sid: t.call_sid,
            name: t.name,
            status: t.status,
            date_updated: t.date_updated.rfc2822(),
        }
    }
}

/// Starts transcribing a call in progress. `200`, as Twilio's API
/// document says for this operation.
pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<RealtimeTranscriptionJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Transcriptions).await?;
    let sid = granted.within("call", CallSid::parse)?;
    let form = call.form()?;
    let new = NewRealtimeTranscription {
        name: form.owned("Name"),
        track: form.owned("Track"),
        status_callback_url: form.owned("StatusCallbackUrl"),
        status_callback_method: form.owned("StatusCallbackMethod"),
        language_code: form.owned("LanguageCode"),
        partial_results: form.owned("PartialResults"),
        profanity_filter: form.owned("ProfanityFilter"),
        enable_automatic_punctuation: form.owned("EnableAutomaticPunctuation"),
        enable_provider_data: form.owned("EnableProviderData"),
        transcription_engine: form.owned("TranscriptionEngine"),
    };
    let started = app
        .sb
        .start_realtime_transcription(&granted.access, &sid, &new)
        .await?;
    Ok(Json(started.into()))
}

/// `Status=stopped` stops the transcription named by SID or `Name`.
pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<RealtimeTranscriptionJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Transcriptions).await?;
    let sid = granted.within("call", CallSid::parse)?;
    let which = granted.item("sid", |s| Ok::<_, Infallible>(s.to_owned()))?;
    let form = call.form()?;
    let stopped = app
        .sb
        .stop_realtime_transcription(&granted.access, &sid, &which, form.get("Status"))
        .await?;
    Ok(Json(stopped.into()))
}
