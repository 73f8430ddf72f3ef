//! `…/Conferences…` and `…/Conferences/{Sid}/Participants…`, in Twilio's
//! 2010 shape.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::conferences::{
    Conference, ConferenceFilter, ConferenceUpdate, NewParticipant, Participant, ParticipantFilter,
    ParticipantUpdate, Status,
};
use switchboard_types::{AccountSid, CallSid, ConferenceSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json, dates};

/// A conference as Twilio writes it: every field of the spec's
/// `api.v2010.account.conference`.
#[derive(Serialize)]
pub struct ConferenceJson {
    account_sid: AccountSid,
    date_created: String,
    date_updated: String,
    api_version: &'static str,
    friendly_name: String,
    region: String,
    sid: ConferenceSid,
    status: &'static str,
    uri: String,
    subresource_uris: BTreeMap<&'static str, String>,
    reason_conference_ended: Option<String>,
    call_sid_ending_conference: Option<CallSid>,
}

impl From<Conference> for ConferenceJson {
    fn from(c: Conference) -> Self {
        let base = format!(
            "{API_PREFIX}/Accounts/{}/Conferences/{}",
            c.account_sid, c.sid
        );
        ConferenceJson {
            uri: format!("{base}.json"),
            subresource_uris: BTreeMap::from([
                ("participants", format!("{base}/Participants.json")),
                ("recordings", format!("{base}/Recordings.json")),
            ]),
            account_sid: c.account_sid,
            date_created: c.date_created.rfc2822(),
            date_updated: c.date_updated.rfc2822(),
            api_version: "2010-04-01",
            friendly_name: c.friendly_name,
            region: c.region,
            sid: c.sid,
            status: c.status.as_str(),
            reason_conference_ended: c.reason_conference_ended,
            call_sid_ending_conference: c.call_sid_ending_conference,
        }
    }
}

/// A participant as Twilio writes it: every field of the spec's
/// `api.v2010.account.conference.participant`.
#[derive(Serialize)]
pub struct ParticipantJson {
    account_sid: AccountSid,
    call_sid: CallSid,
    label: Option<String>,
    call_sid_to_coach: Option<CallSid>,
    coaching: bool,
    conference_sid: ConferenceSid,
    date_created: String,
    date_updated: String,
    end_conference_on_exit: bool,
    muted: bool,
    hold: bool,
    start_conference_on_enter: bool,
    status: String,
    queue_time: String,
    uri: String,
}

impl From<Participant> for ParticipantJson {
    fn from(p: Participant) -> Self {
        ParticipantJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Conferences/{}/Participants/{}.json",
                p.account_sid, p.conference_sid, p.call_sid
            ),
            account_sid: p.account_sid,
            call_sid: p.call_sid,
            label: p.label,
            call_sid_to_coach: p.call_sid_to_coach,
            coaching: p.coaching,
            conference_sid: p.conference_sid,
            date_created: p.date_created.rfc2822(),
            date_updated: p.date_updated.rfc2822(),
            end_conference_on_exit: p.end_conference_on_exit,
            muted: p.muted,
            hold: p.hold,
            start_conference_on_enter: p.start_conference_on_enter,
            status: p.status,
            // Joined at once: no time in a queue.
            queue_time: "0".to_owned(),
        }
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<ConferenceJson>>, ApiError> {
    let read = call.read(&app, Resource::Conferences).await?;
    let paging = read.paging()?;
    let params = call.query()?;
    let filter = ConferenceFilter {
        friendly_name: params
            .get("FriendlyName")
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
        status: params.optional("Status", Status::parse)?,
        date_created: dates::range(params, "DateCreated")?,
        date_updated: dates::range(params, "DateUpdated")?,
    };
    let page = app
        .sb
        .conferences()
        .list((&read.request).into(), &filter, &paging.at, paging.size)
        .await?;
    read.envelope("conferences", &paging, page, ConferenceJson::from)
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ConferenceJson>, ApiError> {
    let read = call.read(&app, Resource::Conferences).await?;
    let sid = read.item("sid", ConferenceSid::parse).await?;
    let found = app
        .sb
        .conferences()
        .get((&read.request).into(), &sid)
        .await?;
    Ok(Json(found.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ConferenceJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Conferences).await?;
    let sid = granted.item("sid", ConferenceSid::parse)?;
    let form = call.form()?;
    let update = ConferenceUpdate {
        status: form.owned("Status"),
        announce_url: form.owned("AnnounceUrl"),
        announce_method: form.owned("AnnounceMethod"),
    };
    let updated = app
        .sb
        .conferences()
        .update(&granted.access, &sid, &update)
        .await?;
    Ok(Json(updated.into()))
}

pub async fn participants(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<ParticipantJson>>, ApiError> {
    let read = call.read(&app, Resource::Conferences).await?;
    let conference = read.within("conference", ConferenceSid::parse).await?;
    let paging = read.paging()?;
    let params = call.query()?;
    let filter = ParticipantFilter {
        muted: params.boolean("Muted")?,
        hold: params.boolean("Hold")?,
        coaching: params.boolean("Coaching")?,
    };
    let page = app
        .sb
        .conferences()
        .participants(
            (&read.request).into(),
            &conference,
            filter,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("participants", &paging, page, ParticipantJson::from)
}

/// `POST …/Conferences/{Sid}/Participants.json`: dials a participant in;
/// `{Sid}` may be the conference's friendly name, as Twilio allows.
pub async fn create_participant(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<ParticipantJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Conferences).await?;
    let conference = granted.within("conference", call_or_label)?;
    let form = call.form()?;
    let all = |name: &str| form.get_all(name).map(str::to_owned).collect::<Vec<_>>();
    let new = NewParticipant {
        from: form.owned("From"),
        to: form.owned("To"),
        label: form.owned("Label"),
        early_media: form.owned("EarlyMedia"),
        status_callback: form.owned("StatusCallback"),
        status_callback_method: form.owned("StatusCallbackMethod"),
        status_callback_events: all("StatusCallbackEvent"),
        timeout: form.owned("Timeout"),
        record: form.owned("Record"),
        muted: form.owned("Muted"),
        beep: form.owned("Beep"),
        start_conference_on_enter: form.owned("StartConferenceOnEnter"),
        end_conference_on_exit: form.owned("EndConferenceOnExit"),
        wait_url: form.owned("WaitUrl"),
        wait_method: form.owned("WaitMethod"),
        max_participants: form.owned("MaxParticipants"),
        conference_record: form.owned("ConferenceRecord"),
        conference_status_callback: form.owned("ConferenceStatusCallback"),
        conference_status_callback_method: form.owned("ConferenceStatusCallbackMethod"),
        conference_status_callback_events: all("ConferenceStatusCallbackEvent"),
        conference_recording_status_callback: form.owned("ConferenceRecordingStatusCallback"),
        conference_recording_status_callback_method: form
            .owned("ConferenceRecordingStatusCallbackMethod"),
        conference_recording_status_callback_events: all("ConferenceRecordingStatusCallbackEvent"),
        coaching: form.owned("Coaching"),
        call_sid_to_coach: form.owned("CallSidToCoach"),
    };
    let added = app
        .sb
        .conferences()
        .add_participant(&granted.access, &conference, &new)
        .await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// The participant a path's last segment names: its call's SID or its
/// label.
fn call_or_label(segment: &str) -> Result<String, std::convert::Infallible> {
    Ok(segment.to_owned())
}

pub async fn participant(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ParticipantJson>, ApiError> {
    let read = call.read(&app, Resource::Conferences).await?;
    let conference = read.within("conference", ConferenceSid::parse).await?;
    let who = read.item("sid", call_or_label).await?;
    let found = app
        .sb
        .conferences()
        .participant((&read.request).into(), &conference, &who)
        .await?;
    Ok(Json(found.into()))
}

pub async fn update_participant(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ParticipantJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Conferences).await?;
    let conference = granted.within("conference", ConferenceSid::parse)?;
    let who = granted.item("sid", call_or_label)?;
    let form = call.form()?;
    let update = ParticipantUpdate {
        muted: form.owned("Muted"),
        hold: form.owned("Hold"),
        hold_url: form.owned("HoldUrl"),
        hold_method: form.owned("HoldMethod"),
        announce_url: form.owned("AnnounceUrl"),
        announce_method: form.owned("AnnounceMethod"),
        wait_url: form.owned("WaitUrl"),
        wait_method: form.owned("WaitMethod"),
        beep_on_exit: form.owned("BeepOnExit"),
        end_conference_on_exit: form.owned("EndConferenceOnExit"),
        coaching: form.owned("Coaching"),
        call_sid_to_coach: form.owned("CallSidToCoach"),
    };
    let updated = app
        .sb
        .conferences()
        .update_participant(&granted.access, &conference, &who, &update)
        .await?;
    Ok(Json(updated.into()))
}

pub async fn remove_participant(
    State(app): State<App>,
    call: AccountScope,
) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Conferences).await?;
    let conference = granted.within("conference", ConferenceSid::parse)?;
    let who = granted.item("sid", call_or_label)?;
    app.sb
        .conferences()
        .remove_participant(&granted.access, &conference, &who)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
