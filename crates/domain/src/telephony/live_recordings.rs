//! Recording a call in progress through the API (`POST …/Calls/{CallSid}/
//! Recordings.json`, source `StartCallRecordingAPI`), and pausing, resuming
//! or stopping it (`POST …/Calls/{CallSid}/Recordings/{Sid}.json`, or
//! `Twilio.CURRENT` for the call's newest live recording). A recording ends
//! when it is stopped or when its call ends: it is then `completed` (or
//! `absent` when nothing was recorded), charged as any recording, and its
//! `RecordingStatusCallback` goes through the delivery pipeline.
//!
//! Its duration is the simulated time it recorded: the call's clock from
//! start to end, less the pauses made with `PauseBehavior=skip` (a pause
//! with `silence` records silence, which counts).
//!
//! A conference made with `record="record-from-start"` is recorded the same
//! way (source `Conference`): from when it starts to when it ends, paused,
//! resumed or stopped through `…/Conferences/{ConferenceSid}/Recordings/
//! {Sid}.json`. Its row keeps in `call_sid` the call whose joining started
//! the conference; the API shows no call for it.

use switchboard_store::Tx;
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::conferences::{self, ConferenceRecord};
use switchboard_store::recordings::{self, Live, RecordingRecord};
use switchboard_types::{
    AccountSid, CallSid, ConferenceSid, HookMethod, PauseBehavior, RecordingSid, RecordingSource,
    RecordingStatus, RecordingTrack, Timestamp,
};

use super::calls::Recording;
use super::voice::record::{StatusCallback, Subject, charge_recording, recording_url};
use super::{SimSpeed, Try, hold_call_in_progress, method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::{DomainError, DomainResult, Problem, RecordingField as F, invalid};

/// The events a live recording's status callback may ask for.
const EVENTS: &[&str] = &["in-progress", "completed", "absent"];

/// `POST …/Calls/{CallSid}/Recordings.json`, as given.
#[derive(Debug, Default, Clone)]
pub struct NewCallRecording {
    /// `RecordingChannels`: `mono` (the default) or `dual`.
    pub channels: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
    /// `RecordingStatusCallbackEvent`, repeated or space-separated.
    pub status_callback_events: Vec<String>,
    /// `Trim`: `trim-silence` or `do-not-trim`. The simulated audio has no
    /// silence to trim, so it is checked and changes nothing.
    pub trim: Option<String>,
    /// `RecordingTrack`: `inbound`, `outbound` or `both` (the default).
    pub track: Option<String>,
}

/// The events kept of `given` (repeated or space-separated words): the
/// known ones, in the order given, once each; an unknown one is refused.
fn event_words(given: &[String]) -> DomainResult<Vec<&'static str>> {
    let mut events = Vec::new();
    for event in given
        .iter()
        .flat_map(|e| e.split([' ', ',']))
        .filter(|e| !e.is_empty())
    {
        let Some(known) = EVENTS.iter().find(|k| k.eq_ignore_ascii_case(event)) else {
            return Err(invalid(
                F::StatusCallbackEvent,
                Problem::NotOneOf {
                    allowed: EVENTS.to_vec(),
                    given: event.to_owned(),
                },
            ));
        };
        if !events.contains(known) {
            events.push(*known);
        }
    }
    Ok(events)
}

/// A `<Conference recordingStatusCallbackEvent>`'s events, space-separated:
/// the known ones (TwiML warns, never fails, so unknown words are dropped).
pub(crate) fn conference_recording_events(given: &[String]) -> String {
    let mut events: Vec<&str> = Vec::new();
    for word in given.iter().flat_map(|e| e.split([' ', ','])) {
        if let Some(known) = EVENTS.iter().find(|k| k.eq_ignore_ascii_case(word))
            && !events.contains(known)
        {
            events.push(known);
        }
    }
    events.join(" ")
}

/// What a live recording records, and whom its callbacks are from: a call
/// or a conference.
#[derive(Debug, Clone, Copy)]
enum Owner<'a> {
    Call(&'a CallRecord),
    Conference(&'a ConferenceRecord),
}

impl<'a> Owner<'a> {
    fn account_and_signer(self) -> (&'a AccountSid, &'a AccountSid) {
        match self {
            Owner::Call(c) => (&c.account_sid, &c.callback_signer_sid),
            Owner::Conference(c) => (&c.account_sid, &c.callback_signer_sid),
        }
    }

    fn subject(self) -> Subject<'a> {
        match self {
            Owner::Call(c) => Subject::Call(&c.sid),
            Owner::Conference(c) => Subject::Conference(&c.sid),
        }
    }

    /// Whether `r` is a recording of this call or conference.
    fn owns(self, r: &RecordingRecord) -> bool {
        match self {
            Owner::Call(c) => r.call_sid == c.sid && r.live.conference_sid.is_none(),
            Owner::Conference(c) => r.live.conference_sid.as_ref() == Some(&c.sid),
        }
    }
}

/// What a recording update names: a recording of a call or of a
/// conference.
#[derive(Debug, Clone, Copy)]
pub enum RecordingOf<'a> {
    Call(&'a CallSid),
    Conference(&'a ConferenceSid),
}

/// Which recording of the call (or conference) an update names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingRef {
    Sid(RecordingSid),
    /// `Twilio.CURRENT`: the newest recording in progress or paused.
    Current,
}

/// `POST …/Calls/{CallSid}/Recordings/{Sid}.json`, as given.
#[derive(Debug, Default, Clone)]
pub struct RecordingUpdate {
    /// `paused`, `in-progress` or `stopped`.
    pub status: Option<String>,
    /// `skip` or `silence` (the default), for `paused`.
    pub pause_behavior: Option<String>,
}

fn one_of<T>(
    field: F,
    given: Option<&str>,
    allowed: &'static [&'static str],
    parse: impl Fn(&str) -> Option<T>,
    default: T,
) -> DomainResult<T> {
    match given.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => parse(v).ok_or_else(|| {
            invalid(
                field,
                Problem::NotOneOf {
                    allowed: allowed.to_vec(),
                    given: v.to_owned(),
                },
            )
        }),
    }
}

/// Simulated seconds in `real_micros` of real time on the call's clock. The
/// instant clock has no time of its own for a call waiting in progress, so
/// real time counts as it is.
fn sim_secs(speed: SimSpeed, real_micros: i64) -> i64 {
    let real = real_micros.max(0) as f64 / 1e6;
    match speed {
        SimSpeed::Instant => real as i64,
        SimSpeed::Factor(f) => (real * f) as i64,
    }
}

/// The simulated seconds a live recording holds at `now`.
fn recorded_secs(speed: SimSpeed, r: &RecordingRecord, now: Timestamp) -> i64 {
    let mut skipped = r.live.skipped_micros;
    if let Some((since, PauseBehavior::Skip)) = r.live.paused {
        skipped += now.micros() - since.micros();
    }
    sim_secs(speed, now.micros() - r.start_time.micros() - skipped)
}

fn events_of(r: &RecordingRecord) -> Vec<String> {
    r.live
        .status_callback_events
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

impl Switchboard {
    /// Sends a live recording's status callback for `event`, if asked for.
    async fn live_callback(
        &self,
        tx: &mut Tx,
        owner: Owner<'_>,
        r: &RecordingRecord,
        event: &str,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let events = events_of(r);
        let callback = StatusCallback {
            url: r.live.status_callback.clone(),
            method: r.live.status_callback_method.unwrap_or(HookMethod::Post),
            events: &events,
            source: r.source,
        };
        let url = recording_url(&self.settings().public_url, &r.account_sid, &r.sid);
        let duration = (event != "in-progress").then_some(r.duration);
        callback
            .send(
                tx,
                owner.account_and_signer(),
                owner.subject(),
                (&r.sid, &url),
                event,
                (duration, r.channels, r.start_time),
                now,
            )
            .await
    }

    /// Starts recording a call in progress: `201` with the recording
    /// (`in-progress`, source `StartCallRecordingAPI`). A call that is not
    /// in progress is refused (Twilio's 21220).
    pub async fn start_call_recording(
        &self,
        access: &Access,
        call_sid: &CallSid,
        new: &NewCallRecording,
    ) -> DomainResult<Recording> {
        access.require(Action::Write, Resource::Recordings)?;
        let account = access.target_account()?.sid.clone();
        let channels = one_of(
            F::Channels,
            new.channels.as_deref(),
            &["mono", "dual"],
            |v| match v {
                "mono" => Some(1),
                "dual" => Some(2),
                _ => None,
            },
            1,
        )?;
        let track = one_of(
            F::Track,
            new.track.as_deref(),
            &["inbound", "outbound", "both"],
            |v| RecordingTrack::parse(v).ok(),
            RecordingTrack::Both,
        )?;
        one_of(
            F::Trim,
            new.trim.as_deref(),
            &["trim-silence", "do-not-trim"],
            |v| matches!(v, "trim-silence" | "do-not-trim").then_some(()),
            (),
        )?;
        let status_callback = url_param(F::StatusCallback, new.status_callback.as_deref())?;
        let method = method_param(
            F::StatusCallbackMethod,
            new.status_callback_method.as_deref(),
            HookMethod::Post,
        )?;
        let events = event_words(&new.status_callback_events)?;
        let (account, status_callback, events) = (&account, &status_callback, &events);
        let conflict = "The call changed while its recording was being started; try again";
        self.guarded(conflict, |mut tx| async move {
            let ended = invalid(F::Call, Problem::NotInProgress);
            let Some(call) = hold_call_in_progress(&mut tx, account, call_sid, ended).await? else {
                return Ok(Try::Lost);
            };
            let now = self.now_for(access).await?;
            let recording = RecordingRecord {
                sid: RecordingSid::generate(),
                account_sid: account.clone(),
                call_sid: call.sid.clone(),
                duration: -1,
                status: RecordingStatus::InProgress,
                start_time: now,
                date_created: now,
                date_updated: now,
                source: RecordingSource::StartCallRecordingApi,
                channels,
                track,
                live: Live {
                    status_callback: status_callback.clone(),
                    status_callback_method: Some(method),
                    status_callback_events: Some(events.join(" ")),
                    skipped_micros: 0,
                    paused: None,
                    conference_sid: None,
                },
            };
            tx.run(recordings::insert(&recording)).await?;
            let hooked = self
                .live_callback(&mut tx, Owner::Call(&call), &recording, "in-progress", now)
                .await?;
            Ok(Try::done(tx, recording.into(), hooked))
        })
        .await
    }

    /// Pauses (`paused`, with `PauseBehavior`), resumes (`in-progress`) or
    /// stops (`stopped`: it is `completed` at once) a recording of a call.
    /// Asking for the status it has changes nothing; a recording that has
    /// ended is refused (21220).
    pub async fn update_call_recording(
        &self,
        access: &Access,
        call_sid: &CallSid,
        which: &RecordingRef,
        update: &RecordingUpdate,
    ) -> DomainResult<Recording> {
        self.update_live_recording(access, RecordingOf::Call(call_sid), which, update)
            .await
    }

    /// Pauses, resumes or stops a recording of a call or of a conference
    /// (`…/Conferences/{ConferenceSid}/Recordings/{Sid}.json`), as
    /// [`Switchboard::update_call_recording`] does.
    pub async fn update_live_recording(
        &self,
        access: &Access,
        of: RecordingOf<'_>,
        which: &RecordingRef,
        update: &RecordingUpdate,
    ) -> DomainResult<Recording> {
        access.require(Action::Write, Resource::Recordings)?;
        let account = access.target_account()?.sid.clone();
        let wanted = match update.status.as_deref().map(str::trim) {
            None | Some("") => return Err(invalid(F::Status, Problem::Missing)),
            Some(s) => match RecordingStatus::parse(s) {
                Ok(
                    s @ (RecordingStatus::Paused
                    | RecordingStatus::InProgress
                    | RecordingStatus::Stopped),
                ) => s,
                _ => {
                    return Err(invalid(
                        F::Status,
                        Problem::NotOneOf {
                            allowed: vec!["paused", "in-progress", "stopped"],
                            given: s.to_owned(),
                        },
                    ));
                }
            },
        };
        let behavior = one_of(
            F::PauseBehavior,
            update.pause_behavior.as_deref(),
            &["skip", "silence"],
            |v| PauseBehavior::parse(v).ok(),
            PauseBehavior::Silence,
        )?;
        let speed = self.settings().telephony.speed;
        let account = &account;
        let conflict = "The recording changed while it was being updated; try again";
        self.guarded(conflict, |mut tx| async move {
            let (call, conference);
            let owner = match of {
                RecordingOf::Call(sid) => {
                    call = tx
                        .opt(calls::of_account(account, sid))
                        .await?
                        .ok_or(DomainError::NotFound)?;
                    Owner::Call(&call)
                }
                RecordingOf::Conference(sid) => {
                    conference = tx
                        .opt(conferences::of_account(account, sid))
                        .await?
                        .ok_or(DomainError::NotFound)?;
                    Owner::Conference(&conference)
                }
            };
            let found = match (which, owner) {
                (RecordingRef::Sid(sid), _) => tx
                    .opt(recordings::of_account(account, sid))
                    .await?
                    .filter(|r| owner.owns(r)),
                (RecordingRef::Current, Owner::Call(c)) => tx
                    .all(recordings::live_of_call(&c.sid))
                    .await?
                    .into_iter()
                    .next(),
                (RecordingRef::Current, Owner::Conference(c)) => tx
                    .all(recordings::live_of_conference(&c.sid))
                    .await?
                    .into_iter()
                    .next(),
            };
            // `Twilio.CURRENT` with no recording live names nothing.
            let Some(mut r) = found else {
                return Err(DomainError::NotFound);
            };
            let was = r.status;
            if !matches!(was, RecordingStatus::InProgress | RecordingStatus::Paused) {
                return Err(invalid(F::Status, Problem::NotInProgress));
            }
            let now = self.now_for(access).await?;
            let mut hooked = false;
            match (wanted, was) {
                (RecordingStatus::Paused, RecordingStatus::InProgress) => {
                    r.status = RecordingStatus::Paused;
                    r.live.paused = Some((now, behavior));
                }
                (RecordingStatus::InProgress, RecordingStatus::Paused) => {
                    r.status = RecordingStatus::InProgress;
                    if let Some((since, PauseBehavior::Skip)) = r.live.paused {
                        r.live.skipped_micros += now.micros() - since.micros();
                    }
                    r.live.paused = None;
                }
                (RecordingStatus::Stopped, _) => {
                    hooked = self
                        .end_live_recording(&mut tx, owner, &mut r, speed, now)
                        .await?;
                }
                // Already so.
                _ => return Ok(Try::done(tx, r.into(), false)),
            }
            r.date_updated = now;
            if tx.run(recordings::update_live(&r, was)).await? == 0 {
                return Ok(Try::Lost);
            }
            Ok(Try::done(tx, r.into(), hooked))
        })
        .await
    }

    /// Ends a live recording at `now` (its caller saves it): `completed`
    /// with what it recorded, charged, or `absent` when that is nothing;
    /// its status callback is queued. `true` when a callback was.
    async fn end_live_recording(
        &self,
        tx: &mut Tx,
        owner: Owner<'_>,
        r: &mut RecordingRecord,
        speed: SimSpeed,
        now: Timestamp,
    ) -> DomainResult<bool> {
        r.duration = recorded_secs(speed, r, now);
        r.live.paused = None;
        r.date_updated = now;
        if r.duration <= 0 {
            r.duration = 0;
            r.status = RecordingStatus::Absent;
            return self.live_callback(tx, owner, r, "absent", now).await;
        }
        r.status = RecordingStatus::Completed;
        charge_recording(tx, r, now).await?;
        self.live_callback(tx, owner, r, "completed", now).await
    }

    /// A call ended: the recordings still being made of it end with it.
    /// `true` when a callback was queued.
    pub(crate) async fn end_live_recordings(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let speed = self.settings().telephony.speed;
        let mut hooked = false;
        for mut r in tx.all(recordings::live_of_call(&call.sid)).await? {
            let was = r.status;
            hooked |= self
                .end_live_recording(tx, Owner::Call(call), &mut r, speed, now)
                .await?;
            tx.run(recordings::update_live(&r, was)).await?;
        }
        Ok(hooked)
    }

    /// A conference made with `record="record-from-start"` started (in
    /// `tx`; `starter` is the call whose joining started it): its recording
    /// begins. `true` when a callback was queued.
    pub(crate) async fn start_conference_recording(
        &self,
        tx: &mut Tx,
        conf: &ConferenceRecord,
        starter: &CallSid,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let recording = RecordingRecord {
            sid: RecordingSid::generate(),
            account_sid: conf.account_sid.clone(),
            call_sid: starter.clone(),
            duration: -1,
            status: RecordingStatus::InProgress,
            start_time: now,
            date_created: now,
            date_updated: now,
            source: RecordingSource::Conference,
            channels: 1,
            track: RecordingTrack::Both,
            live: Live {
                status_callback: conf.recording_status_callback.clone(),
                status_callback_method: Some(conf.recording_status_callback_method),
                status_callback_events: Some(conf.recording_status_callback_events.clone()),
                skipped_micros: 0,
                paused: None,
                conference_sid: Some(conf.sid.clone()),
            },
        };
        tx.run(recordings::insert(&recording)).await?;
        self.live_callback(tx, Owner::Conference(conf), &recording, "in-progress", now)
            .await
    }

    /// A conference ended (in `tx`): its recordings still being made end
    /// with it. `true` when a callback was queued.
    pub(crate) async fn end_conference_recordings(
        &self,
        tx: &mut Tx,
        conf: &ConferenceRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let speed = self.settings().telephony.speed;
        let mut hooked = false;
        for mut r in tx.all(recordings::live_of_conference(&conf.sid)).await? {
            let was = r.status;
            hooked |= self
                .end_live_recording(tx, Owner::Conference(conf), &mut r, speed, now)
                .await?;
            tx.run(recordings::update_live(&r, was)).await?;
        }
        Ok(hooked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(start: i64, skipped: i64, paused: Option<(i64, PauseBehavior)>) -> RecordingRecord {
        RecordingRecord {
            sid: RecordingSid::generate(),
            account_sid: switchboard_types::AccountSid::generate(),
            call_sid: CallSid::generate(),
            duration: -1,
            status: RecordingStatus::InProgress,
            start_time: Timestamp::from_micros(start),
            date_created: Timestamp::from_micros(start),
            date_updated: Timestamp::from_micros(start),
            source: RecordingSource::StartCallRecordingApi,
            channels: 1,
            track: RecordingTrack::Both,
            live: Live {
                skipped_micros: skipped,
                paused: paused.map(|(at, b)| (Timestamp::from_micros(at), b)),
                ..Live::default()
            },
        }
    }

    #[test]
    fn skipped_pauses_are_left_out_and_silent_ones_count() {
        let speed = SimSpeed::Factor(10.0);
        let now = Timestamp::from_micros(10_000_000);
        // Ten real seconds at ten times: 100 s.
        assert_eq!(recorded_secs(speed, &live(0, 0, None), now), 100);
        // Two real seconds skipped before, and a skip pause since 7 s.
        let r = live(0, 2_000_000, Some((7_000_000, PauseBehavior::Skip)));
        assert_eq!(recorded_secs(speed, &r, now), 50);
        // A silent pause records its silence.
        let r = live(0, 0, Some((7_000_000, PauseBehavior::Silence)));
        assert_eq!(recorded_secs(speed, &r, now), 100);
        assert_eq!(recorded_secs(SimSpeed::Instant, &live(0, 0, None), now), 10);
    }
}
