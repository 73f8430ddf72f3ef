//! Conferences (`…/Conferences`) and their participants
//! (`…/Conferences/{Sid}/Participants`), reached by
//! [`Switchboard::conferences`]. Calls join them by `<Dial><Conference>`;
//! the engine's side (joining, starting, leaving, ending, status
//! callbacks) is `voice/conference.rs` (docs/telephony.md, "Conferences").

use switchboard_store::conferences::{self as store, ConferenceStatus};
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{CallSid, ConferenceSid, HookMethod};

use super::calls::NewCall;
use super::live_recordings::conference_recording_events;
use super::voice::conference::{self as engine, ConferenceEvent};
use super::voice::{EndReason, Leaving};
use super::{bool_param, method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, Reader, Resource};
use crate::audit;
use crate::error::{ConferenceField as F, DomainError, DomainResult, Problem, invalid};

pub use switchboard_store::conferences::{
    ConferenceFilter, ConferenceRecord as Conference, ConferenceStatus as Status,
    ParticipantFilter, ParticipantRecord as Participant,
};

/// `POST …/Conferences/{Sid}.json`: what to change (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct ConferenceUpdate {
    /// `completed` ends the conference.
    pub status: Option<String>,
    pub announce_url: Option<String>,
    pub announce_method: Option<String>,
}

/// `POST …/Participants/{CallSid}.json`: what to change (`None`: not
/// given).
#[derive(Debug, Default, Clone)]
pub struct ParticipantUpdate {
    pub muted: Option<String>,
    pub hold: Option<String>,
    pub hold_url: Option<String>,
    pub hold_method: Option<String>,
    pub announce_url: Option<String>,
    pub announce_method: Option<String>,
    pub wait_url: Option<String>,
    pub wait_method: Option<String>,
    pub beep_on_exit: Option<String>,
    pub end_conference_on_exit: Option<String>,
    pub coaching: Option<String>,
    pub call_sid_to_coach: Option<String>,
}

/// `POST …/Conferences/{Sid}/Participants.json`: a call placed into the
/// conference (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct NewParticipant {
    pub from: Option<String>,
    pub to: Option<String>,
    pub label: Option<String>,
    pub early_media: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
    pub status_callback_events: Vec<String>,
    pub timeout: Option<String>,
    pub record: Option<String>,
    pub muted: Option<String>,
    pub beep: Option<String>,
    pub start_conference_on_enter: Option<String>,
    pub end_conference_on_exit: Option<String>,
    pub wait_url: Option<String>,
    pub wait_method: Option<String>,
    pub max_participants: Option<String>,
    pub conference_record: Option<String>,
    pub conference_status_callback: Option<String>,
    pub conference_status_callback_method: Option<String>,
    pub conference_status_callback_events: Vec<String>,
    pub conference_recording_status_callback: Option<String>,
    pub conference_recording_status_callback_method: Option<String>,
    /// `ConferenceRecordingStatusCallbackEvent`, repeated or space-separated.
    pub conference_recording_status_callback_events: Vec<String>,
    pub coaching: Option<String>,
    pub call_sid_to_coach: Option<String>,
}

fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Switchboard {
    /// Conferences, in the account an access names.
    pub fn conferences(&self) -> Conferences<'_> {
        Conferences { sb: self }
    }
}

/// The conferences of the account an access names
/// (`Resource::Conferences`).
pub struct Conferences<'a> {
    sb: &'a Switchboard,
}

/// An optional `true`/`false` parameter: `None` when not given.
fn given_bool(field: F, value: Option<&str>) -> DomainResult<Option<bool>> {
    match value {
        None | Some("") => Ok(None),
        v => bool_param(field, v).map(Some),
    }
}

impl Conferences<'_> {
    /// The account's conferences, newest first, as `filter` selects.
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        filter: &'a ConferenceFilter,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<Conference>> {
        self.sb
            .read_page(reader, Resource::Conferences, |account| {
                store::list(account, filter, at, size)
            })
            .await
    }

    /// One conference of the account; anyone else's is not found.
    pub async fn get<'a>(
        &self,
        reader: Reader<'a>,
        sid: &'a ConferenceSid,
    ) -> DomainResult<Conference> {
        self.sb
            .read_one(reader, Resource::Conferences, |account| {
                store::of_account(account, sid)
            })
            .await
    }

    /// `Status=completed` ends a conference that has not ended (every
    /// participant leaves, and its `<Dial>` goes on). `AnnounceUrl` is
    /// requested (`conference-announce`) for a conference that has not
    /// ended.
    pub async fn update(
        &self,
        access: &Access,
        sid: &ConferenceSid,
        update: &ConferenceUpdate,
    ) -> DomainResult<Conference> {
        let (account, log) = access.write_target(Resource::Conferences)?;
        let end = match update.status.as_deref().map(str::trim) {
            None | Some("") => false,
            Some("completed") => true,
            Some(other) => {
                return Err(invalid(
                    F::Status,
                    Problem::NotOneOf {
                        allowed: vec!["completed"],
                        given: other.to_owned(),
                    },
                ));
            }
        };
        let announce_url = url_param(F::AnnounceUrl, update.announce_url.as_deref())?;
        let announce_method = method_param(
            F::AnnounceMethod,
            update.announce_method.as_deref(),
            HookMethod::Post,
        )?;
        let now = self.sb.now_for(access).await?;
        let announce_url = &announce_url;
        // One transaction, run again if it is given up for another.
        let conf = self
            .sb
            .retrying(|| async move {
                let mut tx = self.sb.store().begin().await?;
                if tx.opt(store::of_account(account, sid)).await?.is_none() {
                    return Err(DomainError::NotFound);
                }
                let mut conf = engine::locked(&mut tx, sid)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                let mut hooked = false;
                if let Some(url) = announce_url.clone()
                    && conf.status != ConferenceStatus::Completed
                {
                    hooked |=
                        engine::announce(&mut tx, &conf, None, (announce_method, url), now).await?;
                }
                if end && conf.status != ConferenceStatus::Completed {
                    hooked = self
                        .sb
                        .end_conference(&mut tx, &mut conf, EndReason::ViaApi, None, now)
                        .await?;
                    audit::record_resource_change(
                        &mut tx,
                        access,
                        log,
                        "conference.end",
                        sid.as_str(),
                        conf.friendly_name.clone(),
                    )
                    .await?;
                }
                tx.commit().await?;
                if hooked {
                    self.sb.wake_deliveries();
                }
                Ok(conf)
            })
            .await?;
        self.sb.wake_simulator();
        Ok(conf)
    }

    /// A conference's participants (its calls in it now), oldest first.
    pub async fn participants<'a>(
        &self,
        reader: Reader<'a>,
        conference: &'a ConferenceSid,
        filter: ParticipantFilter,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<Participant>> {
        self.sb
            .read_page(reader, Resource::Conferences, |account| {
                store::list_participants(account, conference, filter, at, size)
            })
            .await
    }

    /// Dials a participant into a conference (named by its SID, or by its
    /// friendly name: made if the account has none of that name live): an
    /// outbound call from `From` to `To` whose document is the
    /// `<Dial><Conference>` the parameters describe, so it joins once
    /// answered. Answered `queued`: the participant is listed once it
    /// joined.
    pub async fn add_participant(
        &self,
        access: &Access,
        conference: &str,
        new: &NewParticipant,
    ) -> DomainResult<Participant> {
        let (account, _) = access.write_target(Resource::Conferences)?;
        let name = match ConferenceSid::parse(conference) {
            Ok(sid) => {
                let conf = self
                    .sb
                    .store()
                    .opt(store::of_account(account, &sid))
                    .await?
                    .filter(|c| c.status != ConferenceStatus::Completed)
                    .ok_or(DomainError::NotFound)?;
                conf.friendly_name
            }
            Err(_) => conference.trim().to_owned(),
        };
        if name.is_empty() {
            return Err(DomainError::NotFound);
        }
        let flag = |field: F, value: &Option<String>, default: bool| {
            given_bool(field, value.as_deref()).map(|v| v.unwrap_or(default))
        };
        let muted = flag(F::Muted, &new.muted, false)?;
        let start = flag(
            F::StartConferenceOnEnter,
            &new.start_conference_on_enter,
            true,
        )?;
        let end = flag(F::EndConferenceOnExit, &new.end_conference_on_exit, false)?;
        let coaching = flag(F::Coaching, &new.coaching, false)?;
        flag(F::EarlyMedia, &new.early_media, true)?;
        let record = match new.conference_record.as_deref().map(str::trim) {
            None | Some("" | "false" | "do-not-record") => false,
            Some("true" | "record-from-start") => true,
            Some(other) => {
                return Err(invalid(
                    F::ConferenceRecord,
                    Problem::NotOneOf {
                        allowed: vec!["record-from-start", "do-not-record", "true", "false"],
                        given: other.to_owned(),
                    },
                ));
            }
        };
        let coach = match new.call_sid_to_coach.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => {
                Some(CallSid::parse(v).map_err(|_| invalid(F::CallSidToCoach, Problem::NotSid))?)
            }
        };
        if coaching && coach.is_none() {
            return Err(invalid(F::CallSidToCoach, Problem::Missing));
        }
        let max = match new.max_participants.as_deref().map(str::trim) {
            None | Some("") => i64::from(switchboard_twiml::MAX_CONFERENCE_PARTICIPANTS),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|m| {
                    (2..=i64::from(switchboard_twiml::MAX_CONFERENCE_PARTICIPANTS)).contains(m)
                })
                .ok_or_else(|| {
                    invalid(
                        F::MaxParticipants,
                        Problem::OutOfRange {
                            min: 2,
                            max: switchboard_twiml::MAX_CONFERENCE_PARTICIPANTS.into(),
                        },
                    )
                })?,
        };
        let beep = match new.beep.as_deref().map(str::trim) {
            None | Some("") => "true",
            Some(b @ ("true" | "false" | "onEnter" | "onExit")) => b,
            Some(other) => {
                return Err(invalid(
                    F::Beep,
                    Problem::NotOneOf {
                        allowed: vec!["true", "false", "onEnter", "onExit"],
                        given: other.to_owned(),
                    },
                ));
            }
        };
        let wait_url = url_param(F::WaitUrl, new.wait_url.as_deref())?;
        let wait_method =
            method_param(F::WaitMethod, new.wait_method.as_deref(), HookMethod::Post)?;
        let status_callback = url_param(
            F::ConferenceStatusCallback,
            new.conference_status_callback.as_deref(),
        )?;
        let status_callback_method = method_param(
            F::ConferenceStatusCallbackMethod,
            new.conference_status_callback_method.as_deref(),
            HookMethod::Post,
        )?;
        let recording_status_callback = url_param(
            F::ConferenceRecordingStatusCallback,
            new.conference_recording_status_callback.as_deref(),
        )?;
        let recording_status_callback_method = method_param(
            F::ConferenceRecordingStatusCallbackMethod,
            new.conference_recording_status_callback_method.as_deref(),
            HookMethod::Post,
        )?;
        let label = new
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned);
        let events = engine::event_words(
            new.conference_status_callback_events
                .iter()
                .map(String::as_str),
        );
        let joining = engine::Joining {
            name: name.clone(),
            muted,
            start_conference_on_enter: start,
            end_conference_on_exit: end,
            max_participants: max,
            record,
            label: label.clone(),
            coach: coach.clone(),
            status_callback,
            status_callback_method,
            status_callback_events: events,
            recording_status_callback,
            recording_status_callback_method,
            recording_status_callback_events: conference_recording_events(
                &new.conference_recording_status_callback_events,
            ),
            wait_url: wait_url.clone(),
            wait_method,
        };
        // The call's document: the <Dial><Conference> these parameters are.
        let mut attrs = vec![
            format!("muted=\"{muted}\""),
            format!("beep=\"{beep}\""),
            format!("startConferenceOnEnter=\"{start}\""),
            format!("endConferenceOnExit=\"{end}\""),
            format!("maxParticipants=\"{max}\""),
        ];
        if record {
            attrs.push("record=\"record-from-start\"".to_owned());
        }
        if let Some(l) = &label {
            attrs.push(format!("participantLabel=\"{}\"", xml_attr(l)));
        }
        if let Some(c) = &coach {
            attrs.push(format!("coach=\"{c}\""));
        }
        if let Some(u) = &wait_url {
            attrs.push(format!(
                "waitUrl=\"{}\" waitMethod=\"{}\"",
                xml_attr(u),
                wait_method.as_str()
            ));
        }
        if let Some(u) = &joining.status_callback {
            attrs.push(format!(
                "statusCallback=\"{}\" statusCallbackMethod=\"{}\" statusCallbackEvent=\"{}\"",
                xml_attr(u),
                status_callback_method.as_str(),
                joining.status_callback_events
            ));
        }
        if let Some(u) = &joining.recording_status_callback {
            attrs.push(format!(
                "recordingStatusCallback=\"{}\" recordingStatusCallbackMethod=\"{}\" \
                 recordingStatusCallbackEvent=\"{}\"",
                xml_attr(u),
                recording_status_callback_method.as_str(),
                joining.recording_status_callback_events
            ));
        }
        let twiml = format!(
            "<Response><Dial><Conference {}>{}</Conference></Dial></Response>",
            attrs.join(" "),
            xml_attr(&name)
        );
        let call = self
            .sb
            .create_call(
                access,
                &NewCall {
                    to: new.to.clone(),
                    from: new.from.clone(),
                    twiml: Some(twiml),
                    status_callback: new.status_callback.clone(),
                    status_callback_method: new.status_callback_method.clone(),
                    status_callback_events: new.status_callback_events.clone(),
                    timeout: new.timeout.clone(),
                    record: new.record.clone(),
                    ..NewCall::default()
                },
            )
            .await?;
        let now = self.sb.now_for(access).await?;
        let signer = super::callback_signer(access)?;
        let mut tx = self.sb.store().begin().await?;
        let conf = engine::live_conference(&mut tx, (account, &signer), &joining, now).await?;
        tx.commit().await?;
        Ok(Participant {
            call_sid: call.sid,
            conference_sid: conf.sid,
            account_sid: account.clone(),
            label,
            status: "queued".to_owned(),
            muted,
            hold: false,
            coaching,
            call_sid_to_coach: coach,
            start_conference_on_enter: start,
            end_conference_on_exit: end,
            date_created: now,
            date_updated: now,
        })
    }

    /// One participant, by its call's SID or its label.
    pub async fn participant<'a>(
        &self,
        reader: Reader<'a>,
        conference: &'a ConferenceSid,
        call_or_label: &'a str,
    ) -> DomainResult<Participant> {
        self.sb
            .read_one(reader, Resource::Conferences, |account| {
                store::participant(account, conference, call_or_label)
            })
            .await
    }

    /// Changes a participant: `Muted` and `Hold` (reported as
    /// `participant-mute`/`-unmute`, `participant-hold`/`-unhold`),
    /// `EndConferenceOnExit`, `Coaching` and `CallSidToCoach` (reported as
    /// `participant-modified`). Held with a `HoldUrl`, a participant in the
    /// conference runs that document until it is unheld; an `AnnounceUrl`
    /// is requested (`conference-announce`). `WaitUrl` is checked, and not
    /// requested: the participant already joined.
    pub async fn update_participant(
        &self,
        access: &Access,
        conference: &ConferenceSid,
        call_or_label: &str,
        update: &ParticipantUpdate,
    ) -> DomainResult<Participant> {
        let (account, log) = access.write_target(Resource::Conferences)?;
        let muted = given_bool(F::Muted, update.muted.as_deref())?;
        let hold = given_bool(F::Hold, update.hold.as_deref())?;
        let end_on_exit = given_bool(
            F::EndConferenceOnExit,
            update.end_conference_on_exit.as_deref(),
        )?;
        let coaching = given_bool(F::Coaching, update.coaching.as_deref())?;
        given_bool(F::BeepOnExit, update.beep_on_exit.as_deref())?;
        let hold_url = url_param(F::HoldUrl, update.hold_url.as_deref())?;
        let hold_method = method_param(
            F::HoldMethod,
            update.hold_method.as_deref(),
            HookMethod::Get,
        )?;
        let announce_url = url_param(F::AnnounceUrl, update.announce_url.as_deref())?;
        let announce_method = method_param(
            F::AnnounceMethod,
            update.announce_method.as_deref(),
            HookMethod::Post,
        )?;
        url_param(F::WaitUrl, update.wait_url.as_deref())?;
        method_param(
            F::WaitMethod,
            update.wait_method.as_deref(),
            HookMethod::Post,
        )?;
        let coach = match update.call_sid_to_coach.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => {
                Some(CallSid::parse(v).map_err(|_| invalid(F::CallSidToCoach, Problem::NotSid))?)
            }
        };
        let now = self.sb.now_for(access).await?;
        let (hold_url, announce_url, coach) = (&hold_url, &announce_url, &coach);
        // One transaction, run again if it is given up for another.
        self.sb
            .retrying(|| async move {
                let mut tx = self.sb.store().begin().await?;
                let mut conf = match tx.opt(store::of_account(account, conference)).await? {
                    Some(_) => engine::locked(&mut tx, conference)
                        .await?
                        .ok_or(DomainError::NotFound)?,
                    None => return Err(DomainError::NotFound),
                };
                let mut part = tx
                    .opt(store::participant(account, conference, call_or_label))
                    .await?
                    .ok_or(DomainError::NotFound)?;
                let mut events = Vec::new();
                if let Some(m) = muted.filter(|m| *m != part.muted) {
                    part.muted = m;
                    events.push(if m {
                        ConferenceEvent::Mute
                    } else {
                        ConferenceEvent::Unmute
                    });
                }
                let held = hold.filter(|h| *h != part.hold);
                if let Some(h) = held {
                    part.hold = h;
                    events.push(if h {
                        ConferenceEvent::Hold
                    } else {
                        ConferenceEvent::Unhold
                    });
                }
                let mut modified = false;
                if let Some(e) = end_on_exit.filter(|e| *e != part.end_conference_on_exit) {
                    part.end_conference_on_exit = e;
                    modified = true;
                }
                if coach.is_some() && *coach != part.call_sid_to_coach {
                    part.call_sid_to_coach = coach.clone();
                    part.coaching = true;
                    modified = true;
                }
                if let Some(c) = coaching.filter(|c| *c != part.coaching) {
                    if c && part.call_sid_to_coach.is_none() {
                        return Err(invalid(F::CallSidToCoach, Problem::Missing));
                    }
                    part.coaching = c;
                    if !c {
                        part.call_sid_to_coach = None;
                    }
                    modified = true;
                }
                if modified {
                    events.push(ConferenceEvent::Modified);
                }
                let mut hooked = false;
                if !events.is_empty() {
                    part.date_updated = now;
                    tx.run(store::update_participant(&part)).await?;
                    for event in events {
                        hooked |=
                            engine::report(&mut tx, &mut conf, event, Some(&part), now).await?;
                    }
                    conf.date_updated = now;
                    tx.run(store::update(&conf)).await?;
                    match (held, hold_url.clone()) {
                        (Some(true), Some(url)) => {
                            tx.run(store::set_hold_url(&part.call_sid, Some(&url), hold_method))
                                .await?;
                            hooked |= self
                                .sb
                                .hold_with_document(
                                    &mut tx,
                                    &conf,
                                    &part.call_sid,
                                    (hold_method, url),
                                    now,
                                )
                                .await?;
                        }
                        (Some(false), _) => {
                            hooked |= self
                                .sb
                                .back_in_conference(&mut tx, &part.call_sid, now)
                                .await?;
                        }
                        _ => {}
                    }
                    audit::record_resource_change(
                        &mut tx,
                        access,
                        log,
                        "conference.participant.update",
                        part.call_sid.as_str(),
                        format!(
                            "{} muted={} hold={}",
                            conf.friendly_name, part.muted, part.hold
                        ),
                    )
                    .await?;
                }
                if let Some(url) = announce_url.clone() {
                    hooked |= engine::announce(
                        &mut tx,
                        &conf,
                        Some(&part.call_sid),
                        (announce_method, url),
                        now,
                    )
                    .await?;
                }
                tx.commit().await?;
                if hooked {
                    self.sb.wake_deliveries();
                }
                Ok(part)
            })
            .await
    }

    /// Kicks a participant: its call leaves the conference and its `<Dial>`
    /// goes on (the `action`, or the next verb); the conference ends if it
    /// was the last, or had `endConferenceOnExit`.
    pub async fn remove_participant(
        &self,
        access: &Access,
        conference: &ConferenceSid,
        call_or_label: &str,
    ) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::Conferences)?;
        let now = self.sb.now_for(access).await?;
        // One transaction, run again if it is given up for another.
        let part = self
            .sb
            .retrying(|| async move {
                let mut tx = self.sb.store().begin().await?;
                // The conference before its participant's call (voice/conference.rs).
                if tx
                    .opt(store::of_account(account, conference))
                    .await?
                    .is_some()
                {
                    engine::locked(&mut tx, conference).await?;
                }
                let part = tx
                    .opt(store::participant(account, conference, call_or_label))
                    .await?
                    .ok_or(DomainError::NotFound)?;
                let away = self.sb.away_place(&mut tx, &part.call_sid).await?;
                let mut hooked = self
                    .sb
                    .leave_conference(&mut tx, &part.call_sid, Leaving::Kicked, now)
                    .await?;
                hooked |= self
                    .sb
                    .release_participant(&mut tx, &part.call_sid, conference, away, now)
                    .await?;
                audit::record_resource_change(
                    &mut tx,
                    access,
                    log,
                    "conference.participant.remove",
                    part.call_sid.as_str(),
                    conference.to_string(),
                )
                .await?;
                tx.commit().await?;
                if hooked {
                    self.sb.wake_deliveries();
                }
                Ok(part)
            })
            .await?;
        self.sb.wake_simulator();
        tracing::info!(conference = %conference, call = %part.call_sid, "removed a participant");
        Ok(())
    }
}
