//! Real-time transcription of a call in progress (`POST …/Calls/{CallSid}/
//! Transcriptions.json`), stopped with `POST …/Calls/{CallSid}/
//! Transcriptions/{Sid}.json` (`Status=stopped`; `{Sid}` may be its `Name`)
//! or by the call ending.
//!
//! Its `StatusCallbackUrl` hears Twilio's events through the delivery
//! pipeline (kind `realtime-transcription`): `transcription-started`, then
//! one `transcription-content` for each thing said on a track it hears,
//! then `transcription-stopped`. What is said is simulated and
//! deterministic: each `<Say>` the call plays is said on the
//! `outbound_track` (its text, confidence 1.0), and each `SpeechResult` the
//! caller gives a `<Gather>` (`Input.json`) on the `inbound_track` (with
//! its confidence). Content is always final: there are no partial results.

use switchboard_store::Tx;
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::realtime_transcriptions::{self as rows, RealtimeTranscriptionRecord};
use switchboard_types::{
    AccountSid, CallSid, HookMethod, RealtimeTranscriptionSid, RealtimeTranscriptionStatus,
    Timestamp, TranscriptionTrack,
};

use super::{Try, bool_param, hold_call_in_progress, method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{DomainError, DomainResult, Problem, RealtimeTranscriptionField as F, invalid};

/// The language transcribed when `LanguageCode` is not given.
const DEFAULT_LANGUAGE: &str = "en-US";
/// The engine named in the started event when none is given.
const DEFAULT_ENGINE: &str = "google";
/// The most characters of a `Name`.
const NAME_MAX: usize = 255;

/// A real-time transcription of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealtimeTranscription {
    pub sid: RealtimeTranscriptionSid,
    pub account_sid: AccountSid,
    pub call_sid: CallSid,
    pub name: Option<String>,
    pub status: RealtimeTranscriptionStatus,
    pub date_updated: Timestamp,
}

impl From<RealtimeTranscriptionRecord> for RealtimeTranscription {
    fn from(r: RealtimeTranscriptionRecord) -> Self {
        RealtimeTranscription {
            sid: r.sid,
            account_sid: r.account_sid,
            call_sid: r.call_sid,
            name: r.name,
            status: r.status,
            date_updated: r.date_updated,
        }
    }
}

/// `POST …/Calls/{CallSid}/Transcriptions.json`, as given. The parameters
/// that choose a speech engine's options (`SpeechModel`, `Hints`,
/// `IntelligenceService`, the track labels, …) are accepted and change
/// nothing in the simulation.
#[derive(Debug, Default, Clone)]
pub struct NewRealtimeTranscription {
    pub name: Option<String>,
    /// `inbound_track`, `outbound_track` or `both_tracks` (the default).
    pub track: Option<String>,
    pub status_callback_url: Option<String>,
    pub status_callback_method: Option<String>,
    pub language_code: Option<String>,
    pub partial_results: Option<String>,
    pub profanity_filter: Option<String>,
    pub enable_automatic_punctuation: Option<String>,
    pub enable_provider_data: Option<String>,
    pub transcription_engine: Option<String>,
}

/// Where a transcription's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Said {
    /// The call played it (`<Say>`): the outbound track.
    ByCall,
    /// The caller said it (a `SpeechResult`): the inbound track.
    ByCaller,
}

impl Said {
    fn track(self) -> TranscriptionTrack {
        match self {
            Said::ByCall => TranscriptionTrack::Outbound,
            Said::ByCaller => TranscriptionTrack::Inbound,
        }
    }
}

fn hears(t: &RealtimeTranscriptionRecord, said: Said) -> bool {
    t.track == TranscriptionTrack::Both || t.track == said.track()
}

fn flag(field: F, given: &Option<String>) -> DomainResult<bool> {
    bool_param(field, given.as_deref().map(str::trim))
}

impl Switchboard {
    /// Queues one event of a transcription's `StatusCallbackUrl` (with the
    /// next `SequenceId`). `false` when it has none.
    async fn realtime_event(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        t: &mut RealtimeTranscriptionRecord,
        event: &str,
        extra: Vec<(String, String)>,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(url) = t.status_callback.clone() else {
            return Ok(false);
        };
        t.sequence_id += 1;
        let mut params: Vec<(String, String)> = vec![
            ("AccountSid".into(), t.account_sid.to_string()),
            ("CallSid".into(), t.call_sid.to_string()),
            ("TranscriptionSid".into(), t.sid.to_string()),
            ("Timestamp".into(), now.iso8601()),
            ("TranscriptionEvent".into(), event.to_owned()),
            ("SequenceId".into(), t.sequence_id.to_string()),
        ];
        if let Some(name) = &t.name {
            params.push(("Name".into(), name.clone()));
        }
        params.extend(extra);
        let hook = Webhook::notice(
            WebhookKind::RealtimeTranscription,
            (call.account_sid.clone(), call.callback_signer_sid.clone()),
            Some(call.sid.to_string()),
            (t.status_callback_method, url),
            params,
        );
        delivery::enqueue(tx, &hook, now).await?;
        Ok(true)
    }

    /// Starts transcribing a call in progress: the transcription,
    /// `in-progress`, and its `transcription-started` event. A call that is
    /// not in progress is refused (Twilio's 21220).
    pub async fn start_realtime_transcription(
        &self,
        access: &Access,
        call_sid: &CallSid,
        new: &NewRealtimeTranscription,
    ) -> DomainResult<RealtimeTranscription> {
        access.require(Action::Write, Resource::Transcriptions)?;
        let account = access.target_account()?.sid.clone();
        let name = new
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if let Some(n) = &name
            && n.chars().count() > NAME_MAX
        {
            return Err(invalid(F::Name, Problem::TooLong { max: NAME_MAX }));
        }
        let track = match new
            .track
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => TranscriptionTrack::Both,
            Some(v) => TranscriptionTrack::parse(v).map_err(|_| {
                invalid(
                    F::Track,
                    Problem::NotOneOf {
                        allowed: vec!["inbound_track", "outbound_track", "both_tracks"],
                        given: v.to_owned(),
                    },
                )
            })?,
        };
        let status_callback = url_param(F::StatusCallbackUrl, new.status_callback_url.as_deref())?;
        let method = method_param(
            F::StatusCallbackMethod,
            new.status_callback_method.as_deref(),
            HookMethod::Post,
        )?;
        let language_code = new
            .language_code
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(DEFAULT_LANGUAGE)
            .to_owned();
        let partial_results = flag(F::PartialResults, &new.partial_results)?;
        let profanity_filter = match new.profanity_filter.as_deref().map(str::trim) {
            None | Some("") => true,
            Some(_) => flag(F::ProfanityFilter, &new.profanity_filter)?,
        };
        flag(
            F::EnableAutomaticPunctuation,
            &new.enable_automatic_punctuation,
        )?;
        flag(F::EnableProviderData, &new.enable_provider_data)?;
        let engine = new
            .transcription_engine
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(DEFAULT_ENGINE)
            .to_owned();
        let (account, name, status_callback) = (&account, &name, &status_callback);
        let (language_code, engine) = (&language_code, &engine);
        let conflict = "The call changed while its transcription was being started; try again";
        self.guarded(conflict, |mut tx| async move {
            let ended = invalid(F::Call, Problem::NotInProgress);
            let Some(call) = hold_call_in_progress(&mut tx, account, call_sid, ended).await? else {
                return Ok(Try::Lost);
            };
            let now = self.now_for(access).await?;
            let mut t = RealtimeTranscriptionRecord {
                sid: RealtimeTranscriptionSid::generate(),
                account_sid: account.clone(),
                call_sid: call.sid.clone(),
                name: name.clone(),
                status: RealtimeTranscriptionStatus::InProgress,
                track,
                status_callback: status_callback.clone(),
                status_callback_method: method,
                language_code: language_code.clone(),
                partial_results,
                sequence_id: 0,
                date_created: now,
                date_updated: now,
            };
            let extra = vec![
                ("Track".into(), track.as_str().to_owned()),
                ("LanguageCode".into(), language_code.clone()),
                ("TranscriptionEngine".into(), engine.clone()),
                ("PartialResults".into(), partial_results.to_string()),
                ("ProfanityFilter".into(), profanity_filter.to_string()),
            ];
            let hooked = self
                .realtime_event(&mut tx, &call, &mut t, "transcription-started", extra, now)
                .await?;
            tx.run(rows::insert(&t)).await?;
            Ok(Try::done(tx, t.into(), hooked))
        })
        .await
    }

    /// Stops a transcription of a call (`Status=stopped`), named by its SID
    /// or its `Name`; its `transcription-stopped` event is sent. Stopping
    /// one already stopped changes nothing.
    pub async fn stop_realtime_transcription(
        &self,
        access: &Access,
        call_sid: &CallSid,
        sid_or_name: &str,
        status: Option<&str>,
    ) -> DomainResult<RealtimeTranscription> {
        access.require(Action::Write, Resource::Transcriptions)?;
        let account = access.target_account()?.sid.clone();
        match status.map(str::trim) {
            None | Some("") => return Err(invalid(F::Status, Problem::Missing)),
            Some("stopped") => {}
            Some(other) => {
                return Err(invalid(
                    F::Status,
                    Problem::NotOneOf {
                        allowed: vec!["stopped"],
                        given: other.to_owned(),
                    },
                ));
            }
        }
        let account = &account;
        let conflict = "The transcription changed while it was being stopped; try again";
        self.guarded(conflict, |mut tx| async move {
            let call = tx
                .opt(calls::of_account(account, call_sid))
                .await?
                .ok_or(DomainError::NotFound)?;
            let mut t = tx
                .all(rows::of_call(account, &call.sid, sid_or_name))
                .await?
                .into_iter()
                .next()
                .ok_or(DomainError::NotFound)?;
            if t.status == RealtimeTranscriptionStatus::Stopped {
                return Ok(Try::done(tx, t.into(), false));
            }
            let now = self.now_for(access).await?;
            let hooked = self
                .end_realtime_transcription(&mut tx, &call, &mut t, now)
                .await?;
            let saved = tx
                .run(rows::update(&t, RealtimeTranscriptionStatus::InProgress))
                .await?;
            if saved == 0 {
                return Ok(Try::Lost);
            }
            Ok(Try::done(tx, t.into(), hooked))
        })
        .await
    }

    /// Stops a transcription at `now` (its caller saves it) and queues its
    /// `transcription-stopped` event. `true` when one was.
    async fn end_realtime_transcription(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        t: &mut RealtimeTranscriptionRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        t.status = RealtimeTranscriptionStatus::Stopped;
        t.date_updated = now;
        self.realtime_event(tx, call, t, "transcription-stopped", Vec::new(), now)
            .await
    }

    /// A call ended: its transcriptions in progress stop with it. `true`
    /// when an event was queued.
    pub(crate) async fn end_realtime_transcriptions(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let mut hooked = false;
        for mut t in tx.all(rows::live_of_call(&call.sid)).await? {
            hooked |= self
                .end_realtime_transcription(tx, call, &mut t, now)
                .await?;
            tx.run(rows::update(&t, RealtimeTranscriptionStatus::InProgress))
                .await?;
        }
        Ok(hooked)
    }

    /// Something was said on the call: each of its transcriptions in
    /// progress that hears that track sends a final `transcription-content`
    /// event with it. `true` when an event was queued.
    pub(crate) async fn transcribe_live(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        said: Said,
        text: &str,
        confidence: f64,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(false);
        }
        let mut hooked = false;
        for mut t in tx.all(rows::live_of_call(&call.sid)).await? {
            if !hears(&t, said) {
                continue;
            }
            let data = serde_json::json!({ "transcript": text, "confidence": confidence });
            let extra = vec![
                ("LanguageCode".into(), t.language_code.clone()),
                ("Track".into(), said.track().as_str().to_owned()),
                ("TranscriptionData".into(), data.to_string()),
                ("Final".into(), "true".into()),
            ];
            if self
                .realtime_event(tx, call, &mut t, "transcription-content", extra, now)
                .await?
            {
                hooked = true;
                t.date_updated = now;
                tx.run(rows::update(&t, RealtimeTranscriptionStatus::InProgress))
                    .await?;
            }
        }
        Ok(hooked)
    }
}
