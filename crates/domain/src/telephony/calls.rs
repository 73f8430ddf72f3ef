//! Calls: placing (`POST …/Calls.json`), listing, fetching, ending or
//! redirecting, deleting; and their recordings.

use switchboard_store::call_voice;
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::outgoing_caller_ids;
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_store::phone_numbers;
use switchboard_store::recordings::{self, RecordingRecord};

pub use switchboard_store::calls::Range;
pub use switchboard_store::recordings::Of as RecordingsOf;
use switchboard_telephony::audio::Wav;
use switchboard_telephony::magic::{self, Channel};
use switchboard_telephony::outcome::{self, DEFAULT_TIMEOUT_SECS};
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, AnsweredBy, ApplicationSid, CallDirection, CallEvent, CallEvents, CallSid,
    CallStage, CallStatus, ConferenceSid, HookMethod, PhoneNumberSid, RecordingSid,
    RecordingSource, RecordingStatus, RecordingTrack, Timestamp,
};

use super::simulator;
use super::voice::{DialLegs, NewDocument, is_documentation_url};
use super::{Try, callback_signer, method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, ApiRequest, Reader, Resource};
use crate::error::{CallField, DomainError, DomainResult, Problem, invalid};

pub use switchboard_store::calls::CallFilter;

/// A call as the API shows it: what was asked and what came of it, without
/// the simulator's plan for it (how it will end, when it moves on, who signs
/// its callbacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub sid: CallSid,
    pub account_sid: AccountSid,
    pub parent_call_sid: Option<CallSid>,
    pub to: String,
    pub from: String,
    /// The bought number it was placed from (none for Twilio's magic From).
    pub phone_number_sid: Option<PhoneNumberSid>,
    pub status: CallStatus,
    pub direction: CallDirection,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    /// Seconds talked, once it has ended.
    pub duration: Option<i64>,
    pub price_micros: Option<i64>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// What answering machine detection found, when the call asked for it.
    pub answered_by: Option<AnsweredBy>,
    /// The inline document it was placed with (`Twiml`), if any.
    pub twiml: Option<String>,
}

impl From<CallRecord> for Call {
    fn from(c: CallRecord) -> Self {
        Call {
            sid: c.sid,
            account_sid: c.account_sid,
            parent_call_sid: c.parent_call_sid,
            to: c.to_number,
            from: c.from_number,
            phone_number_sid: c.phone_number_sid,
            status: c.status,
            direction: c.direction,
            start_time: c.start_time,
            end_time: c.end_time,
            duration: c.duration,
            price_micros: c.price_micros,
            date_created: c.date_created,
            date_updated: c.date_updated,
            answered_by: c.answered_by,
            twiml: c.twiml,
        }
    }
}

/// Calls are listed newest first by creation, as their rows are.
impl Keyed for Call {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// A recording of a call or of a conference (its metadata: Switchboard
/// records no audio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    pub sid: RecordingSid,
    pub account_sid: AccountSid,
    /// The call recorded; `None` for a conference's recording.
    pub call_sid: Option<CallSid>,
    /// The conference recorded (`record-from-start`).
    pub conference_sid: Option<ConferenceSid>,
    /// Seconds.
    pub duration: i64,
    pub status: RecordingStatus,
    pub start_time: Timestamp,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// What started it (`Record=true`, `<Record>`, `<Dial record>`, the
    /// API on a live call).
    pub source: RecordingSource,
    pub channels: i64,
    /// The audio track recorded (`both` but for the API's `RecordingTrack`).
    pub track: RecordingTrack,
}

impl From<RecordingRecord> for Recording {
    fn from(r: RecordingRecord) -> Self {
        Recording {
            sid: r.sid,
            account_sid: r.account_sid,
            call_sid: r.live.conference_sid.is_none().then_some(r.call_sid),
            conference_sid: r.live.conference_sid,
            duration: r.duration,
            status: r.status,
            start_time: r.start_time,
            date_created: r.date_created,
            date_updated: r.date_updated,
            source: r.source,
            channels: r.channels,
            track: r.track,
        }
    }
}

impl Keyed for Recording {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// Twilio's codes for the Calls resource.
/// The longest `Twiml` a call may be given, in characters.
const MAX_TWIML: usize = 4000;
/// The longest `Timeout`, in seconds.
const MAX_TIMEOUT_SECS: u32 = 600;

/// The parameters of `POST …/Calls.json`, as received.
#[derive(Debug, Clone, Default)]
pub struct NewCall {
    pub to: Option<String>,
    pub from: Option<String>,
    pub url: Option<String>,
    pub twiml: Option<String>,
    pub application_sid: Option<String>,
    pub method: Option<String>,
    pub fallback_url: Option<String>,
    pub fallback_method: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
    pub status_callback_events: Vec<String>,
    pub timeout: Option<String>,
    pub record: Option<String>,
    /// Answering machine detection (docs/telephony.md).
    pub machine_detection: Option<String>,
    pub machine_detection_timeout: Option<String>,
    pub async_amd: Option<String>,
    pub async_amd_status_callback: Option<String>,
    pub async_amd_status_callback_method: Option<String>,
}

/// `POST …/Calls/{Sid}.json`.
#[derive(Debug, Clone, Default)]
pub struct CallUpdate {
    pub status: Option<String>,
    pub url: Option<String>,
    pub method: Option<String>,
    pub twiml: Option<String>,
}

fn required(value: &Option<String>, field: CallField) -> DomainResult<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid(field, Problem::Missing))
}

fn number(field: CallField, value: &str) -> DomainResult<PhoneNumber> {
    PhoneNumber::parse(value).map_err(|e| invalid(field, Problem::NotPhoneNumber(e)))
}

/// A call's inline `Twiml`: none when blank, refused when longer than
/// Twilio's limit.
fn twiml_param(given: Option<&str>) -> DomainResult<Option<String>> {
    match given.filter(|t| !t.trim().is_empty()) {
        Some(t) if t.chars().count() > MAX_TWIML => Err(invalid(
            CallField::Twiml,
            Problem::TooLong { max: MAX_TWIML },
        )),
        t => Ok(t.map(str::to_owned)),
    }
}

impl Switchboard {
    /// Checks that `from` may place calls or send messages for `account`: a
    /// number it owns with the capability, Twilio's magic valid From, or for
    /// calls a caller ID it verified (`…/OutgoingCallerIds`). Returns the
    /// owned number's SID, or the caller ID's (Twilio's `phone_number_sid`
    /// of a call placed from one).
    pub(crate) async fn owned_sender(
        &self,
        account: &AccountSid,
        from: &PhoneNumber,
        channel: Channel,
        refusal: impl FnOnce() -> DomainError,
    ) -> DomainResult<Option<PhoneNumberSid>> {
        if magic::is_magic_valid_from(from) {
            return Ok(None);
        }
        let owned = self
            .store()
            .opt(phone_numbers::of_account_by_number(account, from.as_str()))
            .await?
            .filter(|n| match channel {
                Channel::Voice => n.voice_capable,
                Channel::Sms => n.sms_capable,
            });
        if let Some(n) = owned {
            return Ok(Some(n.sid));
        }
        if channel == Channel::Voice
            && let Some(verified) = self
                .store()
                .opt(outgoing_caller_ids::of_account_by_number(
                    account,
                    from.as_str(),
                ))
                .await?
        {
            return Ok(Some(verified.sid.as_phone_number_sid()));
        }
        Err(refusal())
    }

    /// Places a call from a number the target account owns. The call starts
    /// `queued`; the simulator plays out the rest.
    pub async fn create_call(&self, access: &Access, new: &NewCall) -> DomainResult<Call> {
        let account = access.target_account()?.clone();
        let to = number(CallField::To, required(&new.to, CallField::To)?)?;
        if let Some(r) = magic::check_to(&to, Channel::Voice) {
            return Err(invalid(CallField::To, Problem::Magic(r)));
        }
        let from = number(CallField::From, required(&new.from, CallField::From)?)?;
        if let Some(r) = magic::check_from(&from, Channel::Voice) {
            return Err(invalid(CallField::From, Problem::Magic(r)));
        }
        let url = url_param(CallField::Url, new.url.as_deref())?;
        let twiml = twiml_param(new.twiml.as_deref())?;
        let application_sid = new
            .application_sid
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(ApplicationSid::parse)
            .transpose()
            .map_err(|_| invalid(CallField::Application, Problem::NotSid))?;
        if url.is_none() && twiml.is_none() && application_sid.is_none() {
            // Nothing tells the call what to do.
            return Err(invalid(CallField::Url, Problem::Missing));
        }
        let method = method_param(CallField::Method, new.method.as_deref(), HookMethod::Post)?;
        let fallback_url = url_param(CallField::FallbackUrl, new.fallback_url.as_deref())?;
        let fallback_method = method_param(
            CallField::FallbackMethod,
            new.fallback_method.as_deref(),
            HookMethod::Post,
        )?;
        let status_callback = url_param(CallField::StatusCallback, new.status_callback.as_deref())?;
        let status_callback_method = method_param(
            CallField::StatusCallbackMethod,
            new.status_callback_method.as_deref(),
            HookMethod::Post,
        )?;
        let mut fallback = fallback_url.map(|u| (u, fallback_method));
        // An application handles the call with its own URLs: Twilio ignores
        // the voice URLs and status callback passed beside it.
        let (url, twiml, method, status_callback, status_callback_method) = match &application_sid {
            Some(sid) => {
                let app = self.applications().for_call(&account.sid, sid).await?;
                fallback = app
                    .voice_fallback_url
                    .map(|u| (u, app.voice_fallback_method));
                (
                    app.voice_url,
                    None,
                    app.voice_method,
                    app.status_callback,
                    app.status_callback_method,
                )
            }
            None => (url, twiml, method, status_callback, status_callback_method),
        };
        let mut events = CallEvents::empty();
        for event in new
            .status_callback_events
            .iter()
            .flat_map(|e| e.split([' ', ',']))
        {
            let event = event.trim().to_ascii_lowercase();
            if event.is_empty() {
                continue;
            }
            let event = CallEvent::parse(&event).map_err(|_| {
                invalid(
                    CallField::StatusCallbackEvent,
                    Problem::NotOneOf {
                        allowed: vec!["initiated", "ringing", "answered", "completed"],
                        given: event.clone(),
                    },
                )
            })?;
            events = events.with(event);
        }
        if events.is_empty() {
            events = events.with(CallEvent::Completed);
        }
        let timeout = match new.timeout.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_TIMEOUT_SECS,
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|t| (1..=MAX_TIMEOUT_SECS).contains(t))
                .ok_or_else(|| {
                    invalid(
                        CallField::Timeout,
                        Problem::OutOfRange {
                            min: 1,
                            max: MAX_TIMEOUT_SECS.into(),
                        },
                    )
                })?,
        };
        let record = super::bool_param(CallField::Record, new.record.as_deref())?;
        let machine_detection = super::amd::AmdRequest::from_new(new)?.map(|r| r.encode());
        let phone_number_sid = self
            .owned_sender(&account.sid, &from, Channel::Voice, || {
                invalid(
                    CallField::From,
                    Problem::NotOwned {
                        number: from.to_string(),
                        account: account.sid.clone(),
                    },
                )
            })
            .await?;
        let plan = outcome::plan_call(&to, timeout);
        let now = self.now_for(access).await?;
        let speed = self.settings().telephony.speed;
        let call = CallRecord {
            sid: CallSid::generate(),
            account_sid: account.sid.clone(),
            parent_call_sid: None,
            to_number: to.as_str().to_owned(),
            from_number: from.as_str().to_owned(),
            phone_number_sid,
            status: CallStatus::Queued,
            direction: CallDirection::OutboundApi,
            url,
            twiml,
            application_sid,
            method,
            status_callback,
            status_callback_method,
            status_callback_events: events,
            callback_signer_sid: callback_signer(access)?,
            timeout_secs: i64::from(timeout),
            record,
            end_status: plan.end.status(),
            ring_secs: i64::from(plan.ring_secs),
            talk_secs: i64::from(plan.talk_secs),
            next_transition_at: Some(speed.due_after(now, simulator::QUEUE_SECS)),
            start_time: None,
            end_time: None,
            duration: None,
            price_micros: None,
            date_created: now,
            date_updated: now,
            machine_detection,
            answered_by: None,
            peer_call_sid: None,
        };
        let mut tx = self.store().begin().await?;
        tx.run(calls::insert_many(std::slice::from_ref(&call)))
            .await?;
        if let Some(voice) = super::voice::planned(&call, fallback, now) {
            tx.run(call_voice::insert(&voice)).await?;
        }
        let hooked = simulator::call_event(&mut tx, &call, CallEvent::Initiated, now).await?;
        tx.commit().await?;
        if hooked {
            self.wake_deliveries();
        }
        self.wake_simulator();
        tracing::info!(account = %account.sid, call = %call.sid, "placed a call");
        Ok(call.into())
    }

    /// Calls of `account`, for an API request (authorised in the same round
    /// trip as the read) or an access already granted (the console's).
    pub async fn list_calls<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        filter: &CallFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<Call>> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let (query, shape) = calls::list(account, filter, at, size);
        let rows = self.read_as(reader, Resource::Calls, query).await?;
        Ok(shape.assemble(rows).map(Call::from))
    }

    /// One call of `account`, for an API request or an access already
    /// granted (the console's call page).
    pub async fn fetch_call<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        sid: &CallSid,
    ) -> DomainResult<Call> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let query = calls::of_account(account, sid);
        let mut rows = self.read_as(reader, Resource::Calls, query).await?;
        rows.pop().map(Call::from).ok_or(DomainError::NotFound)
    }

    /// `POST …/Calls/{Sid}.json`: `Status=canceled` hangs up a queued or ringing
    /// call, `Status=completed` any live call; a new `Url` or `Twiml` redirects a
    /// call in progress.
    pub async fn update_call(
        &self,
        access: &Access,
        sid: &CallSid,
        update: &CallUpdate,
    ) -> DomainResult<Call> {
        let account = access.target_account()?.sid.clone();
        let status = match update.status.as_deref().map(str::to_ascii_lowercase) {
            None => None,
            Some(s) => match CallStatus::parse(&s) {
                Ok(s @ (CallStatus::Canceled | CallStatus::Completed)) => Some(s),
                _ => return Err(invalid(CallField::Status, Problem::NotSettable)),
            },
        };
        let url = url_param(CallField::Url, update.url.as_deref())?;
        let offset = self.offset_for(access).await?;
        let method = method_param(
            CallField::Method,
            update.method.as_deref(),
            HookMethod::Post,
        )?;
        let twiml = twiml_param(update.twiml.as_deref())?;
        // A new document for a call in progress runs at once, unless it is
        // a documentation URL (which no app answers: the call talks on).
        let new_document = match (&twiml, &url) {
            (Some(t), _) => Some(NewDocument::Twiml(t.clone())),
            (None, Some(u)) if !is_documentation_url(u) => {
                Some(NewDocument::Url(u.clone(), method))
            }
            _ => None,
        };
        let (account, url, new_document) = (&account, &url, &new_document);
        // Two nodes may race the simulator for the call: the claim of its
        // engine row and the guarded update tell the loser, which reads the
        // call again.
        let conflict = "The call changed while it was being updated; try again";
        let (call, redirected) = self
            .guarded(conflict, |mut tx| async move {
                // The conference a participant is in is locked before its
                // call (voice/conference.rs).
                let locked = tx
                    .run(switchboard_store::conferences::lock_of_call(sid))
                    .await?;
                // Then its engine row, claimed before anything is read, as
                // every change to a call with one does: a step under way
                // commits first (this waits for it, on PostgreSQL) and what
                // is read below is what it left; a step that read the row
                // before finds it claimed and lets the call be. (Claimed at
                // the version read instead, the API lost to a call stepping
                // every few milliseconds time after time.)
                tx.run(call_voice::claim(sid)).await?;
                // A call (or its other side) that joined a conference after
                // the lock above found none would take that conference's
                // lock after its call's, in the wrong order: read again,
                // locking it first. (A conference it is in cannot lose it
                // meanwhile: leaving takes the lock held here.)
                let now_in = tx
                    .one(switchboard_store::conferences::conferences_of_call(sid))
                    .await?;
                if now_in > locked as i64 {
                    return Ok(Try::Lost);
                }
                let voice = tx.opt(call_voice::of_call(sid)).await?;
                let mut call = tx
                    .opt(calls::of_account(account, sid))
                    .await?
                    .ok_or(DomainError::NotFound)?;
                let now = Timestamp::now().plus_micros(offset);
                let expected = call.status;
                // A <Dial>'s legs end with the call that dialled them.
                let mut legs = None;
                match (status, call.status.stage()) {
                    (_, CallStage::Ended) => {
                        if status.is_none() && url.is_none() && update.twiml.is_none() {
                            return Ok(Try::done(tx, (call, false), false));
                        }
                        return Err(invalid(CallField::Status, Problem::NotInProgress));
                    }
                    // Twilio cancels a call that was never answered, whichever
                    // status was asked for.
                    (Some(_), CallStage::Queued | CallStage::Ringing) => {
                        self.end_call(&mut call, CallStatus::Canceled, now, 0);
                    }
                    (Some(s), CallStage::InProgress) => {
                        if s == CallStatus::Canceled {
                            return Err(invalid(CallField::Status, Problem::InProgress));
                        }
                        if let Some(v) = voice.as_ref()
                            && v.phase == super::voice::phase::DIALING
                        {
                            legs = Some(DialLegs::decode(v.awaiting.as_deref()));
                        }
                        // The executed timeline so far.
                        let talked = self.talked_so_far(&call, voice.as_ref(), now);
                        self.end_call(&mut call, CallStatus::Completed, now, talked);
                    }
                    (None, CallStage::InProgress) => {
                        if let Some(new) = new_document.clone() {
                            // It claims the engine row itself.
                            return Ok(
                                match self.run_new_document(&mut tx, call, new, now).await? {
                                    Some((call, hooked)) => Try::done(tx, (call, true), hooked),
                                    None => Try::Lost,
                                },
                            );
                        }
                        call.url = url.clone().or(call.url);
                        call.date_updated = now;
                    }
                    (None, _) => {
                        return Err(invalid(CallField::Url, Problem::NotInProgress));
                    }
                }
                if tx.run(calls::advance(&call, expected)).await? == 0 {
                    return Ok(Try::Lost);
                }
                let mut hooked = if call.status.is_final() {
                    self.finish_call(&mut tx, &call, now).await?
                        | self.dial_leg_ended(&mut tx, &call).await?
                } else {
                    false
                };
                if let Some(legs) = &legs {
                    hooked |= self.end_legs(&mut tx, legs, now).await?;
                }
                Ok(Try::done(tx, (call, false), hooked))
            })
            .await?;
        if redirected {
            self.wake_simulator();
        }
        Ok(call.into())
    }

    /// `DELETE …/Calls/{Sid}.json`: only a call that has ended.
    pub async fn delete_call(&self, access: &Access, sid: &CallSid) -> DomainResult<()> {
        let account = access.target_account()?.sid.clone();
        let mut tx = self.store().begin().await?;
        let call = tx
            .opt(calls::of_account(&account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if !call.status.is_final() {
            return Err(DomainError::Conflict(
                "A call that has not ended cannot be deleted; end it with Status=completed first"
                    .into(),
            ));
        }
        tx.run(call_voice::delete(sid)).await?;
        tx.run(calls::delete(&account, sid)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_recordings<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        (of, date_created): (RecordingsOf<'_>, Range),
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<Recording>> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let (query, shape) = recordings::list(account, of, date_created, at, size);
        let rows = self.read_as(reader, Resource::Recordings, query).await?;
        Ok(shape.assemble(rows).map(Recording::from))
    }

    /// `DELETE …/Recordings/{Sid}.json` (and `…/Calls/{CallSid}/Recordings/
    /// {Sid}.json` or `…/Conferences/{ConferenceSid}/Recordings/{Sid}.json`,
    /// naming what it records): only a recording that has finished; one
    /// being made is stopped (or its call or conference ended) first.
    pub async fn delete_recording(
        &self,
        access: &Access,
        of: RecordingsOf<'_>,
        sid: &RecordingSid,
    ) -> DomainResult<()> {
        let account = access.target_account()?.sid.clone();
        let mut tx = self.store().begin().await?;
        let recording = tx
            .opt(recordings::of_account(&account, sid))
            .await?
            .filter(|r| match of {
                RecordingsOf::Account => true,
                RecordingsOf::Call(c) => *c == r.call_sid && r.live.conference_sid.is_none(),
                RecordingsOf::Conference(c) => r.live.conference_sid.as_ref() == Some(c),
            })
            .ok_or(DomainError::NotFound)?;
        if matches!(
            recording.status,
            RecordingStatus::InProgress | RecordingStatus::Paused | RecordingStatus::Processing
        ) {
            return Err(DomainError::Conflict(
                "A recording that is still being made cannot be deleted; stop it first".into(),
            ));
        }
        // Its transcriptions go with it.
        tx.run(switchboard_store::transcriptions::delete_of_recording(
            &account, sid,
        ))
        .await?;
        tx.run(recordings::delete(&account, sid)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn fetch_recording(
        &self,
        request: &ApiRequest<'_>,
        account: &AccountSid,
        sid: &RecordingSid,
    ) -> DomainResult<Recording> {
        let (_, mut rows) = self
            .authorize_read(request, recordings::of_account(account, sid))
            .await?;
        rows.pop().map(Recording::from).ok_or(DomainError::NotFound)
    }

    /// The audio of a recording (its media URL, `…/Recordings/{Sid}`
    /// without `.json`), read as the request may. Only a `completed`
    /// recording has audio; one still being made, or deleted, is not found.
    pub async fn recording_audio(
        &self,
        request: &ApiRequest<'_>,
        account: &AccountSid,
        sid: &RecordingSid,
    ) -> DomainResult<(Recording, Wav)> {
        audio_of(self.fetch_recording(request, account, sid).await?)
    }

    /// The same with no credentials: a recording's media URL is enough, as
    /// Twilio serves recordings by default, unless the operator asks for
    /// credentials (`serve --media-requires-auth`), when this is not found.
    pub async fn public_recording_audio(
        &self,
        account: &AccountSid,
        sid: &RecordingSid,
    ) -> DomainResult<(Recording, Wav)> {
        if self.settings().telephony.media_requires_auth {
            return Err(DomainError::NotFound);
        }
        let record = self
            .store()
            .opt(recordings::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        audio_of(Recording::from(record))
    }
}

/// A finished recording's WAV file: its duration and channels.
fn audio_of(recording: Recording) -> DomainResult<(Recording, Wav)> {
    if recording.status != RecordingStatus::Completed {
        return Err(DomainError::NotFound);
    }
    let wav = Wav::new(recording.duration, recording.channels);
    Ok((recording, wav))
}
