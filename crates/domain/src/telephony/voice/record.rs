//! `<Record>`: the caller leaves a message. No audio exists, so what the
//! caller does is decided by the input queued on the call
//! (docs/telephony.md, "Record"): a queued `SpeechResult` is what they say
//! (its length at the speaking rate is how long they talk), a queued key of
//! `finishOnKey` ends the recording once they have spoken, and otherwise
//! the recording ends after `timeout` seconds of silence (or at
//! `maxLength`). The recording is a Recording of the call (`source`
//! `RecordVerb`), its `action` gets `RecordingUrl`, `RecordingSid`,
//! `RecordingDuration` and `Digits`, and its `recordingStatusCallback` goes
//! through the delivery pipeline.

use switchboard_store::Tx;
use switchboard_store::calls::CallRecord;
use switchboard_store::recordings::{self, Live, RecordingRecord};
use switchboard_twiml::{DialRecording, DialVerb, RecordVerb, VoiceVerb, parse_voice};
use switchboard_types::{
    AccountSid, CallSid, CallStatus, ConferenceSid, HookMethod, RecordingSid, RecordingSource,
    RecordingStatus, RecordingTrack, Timestamp, UsageCategory,
};

use super::gather::CallInput;
use super::timing::SPEAKING_RATE;
use super::{Run, params, phase};
use crate::Switchboard;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::DomainResult;
use crate::telephony::SimSpeed;
use crate::telephony::billing::{self, Cost};
use crate::telephony::simulator::{elapsed_sim_secs, main_of};
use crate::telephony::transcriptions;

/// Simulated seconds the beep (`playBeep`) takes on the call, before the
/// recording starts.
pub const BEEP_SECS: i64 = 1;

/// How a recording ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// A key of `finishOnKey` was pressed.
    Key(char),
    /// `timeout` seconds of silence, or `maxLength`.
    Timeout,
}

/// What the simulated caller did during a `<Record>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    /// Simulated seconds recorded (after the beep): talk and silence.
    pub took_secs: i64,
    /// Seconds in the recording (silence trimmed unless `trim="do-not-trim"`).
    pub duration: i64,
    pub ending: Ending,
    /// The input left queued.
    pub rest: CallInput,
    /// What the caller said (a `transcribe` recording's text).
    pub said: Option<String>,
}

/// Seconds `text` takes to say, at the speaking rate of `<Say>`.
fn talk_secs(text: &str) -> i64 {
    text.chars().count().div_ceil(SPEAKING_RATE).max(1) as i64
}

/// What a `<Record>` makes of the input at hand.
pub(crate) fn take(r: &RecordVerb, input: &CallInput) -> Recorded {
    let most = i64::from(r.max_length_secs);
    let talk = input.speech.as_ref().map_or(0, |(text, _)| talk_secs(text));
    let said = input.speech.as_ref().map(|(text, _)| text.clone());
    let mut rest = CallInput {
        digits: input.digits.clone(),
        speech: None,
    };
    let key = input
        .digits
        .char_indices()
        .find(|(_, k)| r.finish_on_key.contains(*k));
    if let Some((at, key)) = key
        && talk < most
    {
        rest.digits = input.digits[at + key.len_utf8()..].to_owned();
        return Recorded {
            took_secs: talk,
            duration: talk,
            ending: Ending::Key(key),
            rest,
            said,
        };
    }
    // Silence after the talk ends it after `timeout` (never when 0), or
    // `maxLength` does.
    let took = if r.timeout_secs == 0 {
        most
    } else {
        (talk + i64::from(r.timeout_secs)).min(most)
    };
    let duration = if r.trim_silence { talk.min(most) } else { took };
    Recorded {
        took_secs: took,
        duration,
        ending: Ending::Timeout,
        rest,
        said,
    }
}

/// The `<Record>` a recording call is at.
pub(crate) fn current_record(run: &Run) -> Option<RecordVerb> {
    let document = parse_voice(run.v.document.as_deref()?.as_bytes(), Some("text/xml")).ok()?;
    match document.verbs.get(usize::try_from(run.v.position).ok()?) {
        Some(VoiceVerb::Record(r)) => Some(r.clone()),
        _ => None,
    }
}

/// Where a recording's media is (Twilio's `RecordingUrl`: the resource's
/// URL without an extension).
pub(crate) fn recording_url(public_url: &str, account: &AccountSid, sid: &RecordingSid) -> String {
    format!(
        "{}/2010-04-01/Accounts/{account}/Recordings/{sid}",
        public_url.trim_end_matches('/')
    )
}

/// What a recording records: a call, or a conference (whose callbacks name
/// it with `ConferenceSid` and have no `CallSid`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject<'a> {
    Call(&'a CallSid),
    Conference(&'a ConferenceSid),
}

impl<'a> From<&'a CallSid> for Subject<'a> {
    fn from(call: &'a CallSid) -> Self {
        Subject::Call(call)
    }
}

/// A recording's status callback, as `<Record>` and `<Dial>` ask for it.
pub(crate) struct StatusCallback<'a> {
    pub url: Option<String>,
    pub method: HookMethod,
    /// The events asked for (`in-progress`, `completed`, `absent`); empty
    /// means `completed`.
    pub events: &'a [String],
    pub source: RecordingSource,
}

impl StatusCallback<'_> {
    fn wants(&self, event: &str) -> bool {
        if self.events.is_empty() {
            return event == "completed";
        }
        self.events.iter().any(|e| e.eq_ignore_ascii_case(event))
    }

    /// Queues the callback for `event` if it was asked for; `true` when it
    /// was.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send(
        &self,
        tx: &mut Tx,
        (account, signer): (&AccountSid, &AccountSid),
        subject: impl Into<Subject<'_>>,
        (sid, url): (&RecordingSid, &str),
        event: &str,
        (duration, channels, started): (Option<i64>, i64, Timestamp),
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(target) = &self.url else {
            return Ok(false);
        };
        if !self.wants(event) {
            return Ok(false);
        }
        let (key, value) = match subject.into() {
            Subject::Call(call) => ("CallSid", call.to_string()),
            Subject::Conference(conference) => ("ConferenceSid", conference.to_string()),
        };
        let mut params: Vec<(String, String)> = vec![
            ("AccountSid".into(), account.to_string()),
            (key.into(), value.clone()),
            ("RecordingSid".into(), sid.to_string()),
            ("RecordingUrl".into(), url.to_owned()),
            ("RecordingStatus".into(), event.to_owned()),
        ];
        if let Some(duration) = duration {
            params.push(("RecordingDuration".into(), duration.to_string()));
        }
        params.extend([
            ("RecordingChannels".into(), channels.to_string()),
            ("RecordingStartTime".into(), started.rfc2822()),
            ("RecordingSource".into(), self.source.as_str().to_owned()),
            ("ErrorCode".into(), "0".into()),
        ]);
        let hook = Webhook::notice(
            WebhookKind::RecordingStatus,
            (account.clone(), signer.clone()),
            Some(value),
            (self.method, target.clone()),
            params,
        );
        delivery::enqueue(tx, &hook, now).await?;
        Ok(true)
    }
}

/// Makes a finished recording a Recording of the call and charges it as a
/// call's `Record=true` recording is (usage in minutes, no price).
pub(crate) async fn save_recording(
    tx: &mut Tx,
    recording: &RecordingRecord,
    now: Timestamp,
) -> DomainResult<()> {
    tx.run(recordings::insert(recording)).await?;
    charge_recording(tx, recording, now).await
}

/// Charges a finished recording: usage `recordings`, in started minutes,
/// no price.
pub(crate) async fn charge_recording(
    tx: &mut Tx,
    recording: &RecordingRecord,
    now: Timestamp,
) -> DomainResult<()> {
    let main = main_of(tx, &recording.account_sid).await?;
    billing::charge(
        tx,
        &recording.account_sid,
        &main,
        Cost {
            category: UsageCategory::Recordings,
            count: 1,
            usage: (recording.duration + 59) / 60,
            price_micros: 0,
        },
        now,
    )
    .await
}

impl Switchboard {
    /// `<Record transcribe>`: the recording's transcription, and its
    /// `transcribeCallback` (`POST`, through the delivery pipeline, kind
    /// `transcription`) with Twilio's parameters. `true` when it was queued.
    pub(crate) async fn transcribe(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        recording: &RecordingRecord,
        said: Option<&str>,
        callback: Option<String>,
    ) -> DomainResult<bool> {
        let t = transcriptions::make(tx, recording, said).await?;
        let Some(target) = callback else {
            return Ok(false);
        };
        let public = &self.settings().public_url;
        let mut params = params::voice_params(call, call.status.as_str());
        params.extend([
            ("TranscriptionSid".to_owned(), t.sid.to_string()),
            (
                "TranscriptionText".to_owned(),
                t.transcription_text.clone().unwrap_or_default(),
            ),
            (
                "TranscriptionStatus".to_owned(),
                t.status.as_str().to_owned(),
            ),
            (
                "TranscriptionUrl".to_owned(),
                format!(
                    "{}/2010-04-01/Accounts/{}/Transcriptions/{}",
                    public.trim_end_matches('/'),
                    t.account_sid,
                    t.sid
                ),
            ),
            (
                "TranscriptionType".to_owned(),
                transcriptions::TYPE.to_owned(),
            ),
            ("RecordingSid".to_owned(), recording.sid.to_string()),
            (
                "RecordingUrl".to_owned(),
                recording_url(public, &recording.account_sid, &recording.sid),
            ),
        ]);
        let hook = Webhook::notice(
            WebhookKind::Transcription,
            (call.account_sid.clone(), call.callback_signer_sid.clone()),
            Some(call.sid.to_string()),
            (HookMethod::Post, target),
            params,
        );
        delivery::enqueue(tx, &hook, recording.date_created).await?;
        Ok(true)
    }

    fn record_callback<'a>(&self, run: &Run, r: &'a RecordVerb) -> StatusCallback<'a> {
        StatusCallback {
            url: r
                .recording_status_callback
                .as_deref()
                .and_then(|u| run.resolve(u).ok()),
            method: r.recording_status_callback_method,
            events: &r.recording_status_callback_events,
            source: RecordingSource::RecordVerb,
        }
    }

    /// Reaching a `<Record>`: the beep, then the recording, which ends as
    /// the input queued says. On the instant clock it ends at once; with a
    /// speed factor when its time has passed, or when a key of
    /// `finishOnKey` comes meanwhile (`Input.json`).
    pub(crate) async fn start_record(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        r: &RecordVerb,
    ) -> DomainResult<()> {
        let sid = RecordingSid::generate();
        let beep = if r.play_beep { BEEP_SECS } else { 0 };
        let started = run.speed.due_after(run.now, beep);
        run.v.phase = phase::RECORDING.to_owned();
        run.v.awaiting = Some(sid.to_string());
        run.v.since = Some(run.now);
        let url = recording_url(&self.settings().public_url, &run.c.account_sid, &sid);
        run.hooked |= self
            .record_callback(run, r)
            .send(
                tx,
                (&run.c.account_sid, &run.c.callback_signer_sid),
                &run.c.sid,
                (&sid, &url),
                "in-progress",
                (None, 1, started),
                run.now,
            )
            .await?;
        if run.speed == SimSpeed::Instant {
            let recorded = take(r, &CallInput::decode(&run.v.input));
            return self.end_record(tx, run, r, recorded).await;
        }
        let recorded = take(r, &CallInput::decode(&run.v.input));
        run.c.next_transition_at = Some(run.speed.due_after(run.now, beep + recorded.took_secs));
        Ok(())
    }

    /// A recording call's step falls due: its recording is over.
    pub(crate) async fn record_due(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        let Some(r) = current_record(run) else {
            run.v.phase = phase::RUNNING.to_owned();
            return Ok(());
        };
        let recorded = take(&r, &CallInput::decode(&run.v.input));
        self.end_record(tx, run, &r, recorded).await
    }

    /// Input came while recording (speed factor): a key of `finishOnKey`
    /// ends the recording now, with what was recorded so far.
    pub(crate) async fn record_input(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<bool> {
        let Some(r) = current_record(run) else {
            return Ok(false);
        };
        let input = CallInput::decode(&run.v.input);
        let Some((at, key)) = input
            .digits
            .char_indices()
            .find(|(_, k)| r.finish_on_key.contains(*k))
        else {
            return Ok(false);
        };
        let beep = if r.play_beep { BEEP_SECS } else { 0 };
        let so_far = run
            .v
            .since
            .map_or(0, |since| elapsed_sim_secs(run.speed, since, run.now));
        let took = (so_far - beep).clamp(0, i64::from(r.max_length_secs));
        let recorded = Recorded {
            took_secs: took,
            duration: took,
            ending: Ending::Key(key),
            rest: CallInput {
                digits: input.digits[at + key.len_utf8()..].to_owned(),
                speech: input.speech.clone(),
            },
            said: input.speech.as_ref().map(|(text, _)| text.clone()),
        };
        run.c.next_transition_at = None;
        self.end_record(tx, run, &r, recorded).await?;
        Ok(true)
    }

    /// The recording is over: an empty one is `absent` (no Recording, no
    /// `action`: the document goes on, as on Twilio); otherwise the
    /// Recording is made and the `action` requested.
    async fn end_record(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        r: &RecordVerb,
        recorded: Recorded,
    ) -> DomainResult<()> {
        let beep = if r.play_beep { BEEP_SECS } else { 0 };
        let since = run.v.since.unwrap_or(run.now);
        let started = run.speed.due_after(since, beep);
        let sid = run
            .v
            .awaiting
            .as_deref()
            .and_then(|s| RecordingSid::parse(s).ok())
            .unwrap_or_else(RecordingSid::generate);
        run.v.elapsed_secs += beep + recorded.took_secs;
        run.v.input = recorded.rest.encode();
        run.v.phase = phase::RUNNING.to_owned();
        run.v.awaiting = None;
        run.v.since = None;
        let url = recording_url(&self.settings().public_url, &run.c.account_sid, &sid);
        let callback = self.record_callback(run, r);
        let who = (&run.c.account_sid, &run.c.callback_signer_sid);
        if recorded.duration <= 0 {
            run.hooked |= callback
                .send(
                    tx,
                    who,
                    &run.c.sid,
                    (&sid, &url),
                    "absent",
                    (Some(0), 1, started),
                    run.now,
                )
                .await?;
            run.v.position += 1;
            return Ok(());
        }
        let recording = RecordingRecord {
            sid: sid.clone(),
            account_sid: run.c.account_sid.clone(),
            call_sid: run.c.sid.clone(),
            duration: recorded.duration,
            status: RecordingStatus::Completed,
            start_time: started,
            date_created: run.now,
            date_updated: run.now,
            source: RecordingSource::RecordVerb,
            channels: 1,
            track: RecordingTrack::Both,
            live: Live::default(),
        };
        save_recording(tx, &recording, run.now).await?;
        if r.transcribe || r.transcribe_callback.is_some() {
            let callback = r
                .transcribe_callback
                .as_deref()
                .and_then(|u| run.resolve(u).ok());
            run.hooked |= self
                .transcribe(tx, &run.c, &recording, recorded.said.as_deref(), callback)
                .await?;
        }
        run.hooked |= callback
            .send(
                tx,
                who,
                &run.c.sid,
                (&sid, &url),
                "completed",
                (Some(recorded.duration), 1, started),
                run.now,
            )
            .await?;
        let target = match (&r.action, &run.v.document_url) {
            (Some(action), _) => run.resolve(action),
            (None, Some(own)) => Ok(own.clone()),
            // An inline document with no action: it goes on.
            (None, None) => {
                run.v.position += 1;
                return Ok(());
            }
        };
        let Some(target) = self
            .url_or_hang_up(tx, run, "<Record action>", target)
            .await?
        else {
            return Ok(());
        };
        let mut params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
        params.extend([
            ("RecordingUrl".to_owned(), url),
            ("RecordingSid".to_owned(), sid.to_string()),
            (
                "RecordingDuration".to_owned(),
                recorded.duration.to_string(),
            ),
        ]);
        if let Ending::Key(key) = recorded.ending {
            params.push(("Digits".to_owned(), key.to_string()));
        }
        self.request_document(
            tx,
            run,
            WebhookKind::VoiceAction,
            (r.method, target),
            params,
            None,
        )
        .await
    }
}

impl Switchboard {
    /// `<Dial record>`: once an answered leg ends, its recording (from the
    /// answer, or from the ringing; two channels for the `-dual` forms)
    /// is a Recording of the dialling call (`source` `DialVerb`), charged
    /// as any recording, with the `<Dial>`'s `recordingStatusCallback`.
    /// The parameters it adds to the `<Dial>`'s `action`.
    pub(crate) async fn record_dial(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
        leg: &CallRecord,
    ) -> DomainResult<Vec<(String, String)>> {
        let (from_ringing, channels) = match d.record {
            DialRecording::DoNotRecord => return Ok(Vec::new()),
            DialRecording::FromAnswer => (false, 1),
            DialRecording::FromRinging => (true, 1),
            DialRecording::FromAnswerDual => (false, 2),
            DialRecording::FromRingingDual => (true, 2),
        };
        let talked = leg.duration.unwrap_or(0);
        if leg.status != CallStatus::Completed || talked <= 0 {
            return Ok(Vec::new());
        }
        let rang = leg.start_time.unwrap_or(run.now);
        let (duration, started) = if from_ringing {
            (talked + leg.ring_secs, rang)
        } else {
            (talked, run.speed.due_after(rang, leg.ring_secs))
        };
        let sid = RecordingSid::generate();
        let recording = RecordingRecord {
            sid: sid.clone(),
            account_sid: run.c.account_sid.clone(),
            call_sid: run.c.sid.clone(),
            duration,
            status: RecordingStatus::Completed,
            start_time: started,
            date_created: run.now,
            date_updated: run.now,
            source: RecordingSource::DialVerb,
            channels,
            track: RecordingTrack::Both,
            live: Live::default(),
        };
        save_recording(tx, &recording, run.now).await?;
        let url = recording_url(&self.settings().public_url, &run.c.account_sid, &sid);
        let callback = StatusCallback {
            url: d
                .recording_status_callback
                .as_deref()
                .and_then(|u| run.resolve(u).ok()),
            method: d.recording_status_callback_method,
            events: &d.recording_status_callback_events,
            source: RecordingSource::DialVerb,
        };
        run.hooked |= callback
            .send(
                tx,
                (&run.c.account_sid, &run.c.callback_signer_sid),
                &run.c.sid,
                (&sid, &url),
                "completed",
                (Some(duration), channels, started),
                run.now,
            )
            .await?;
        Ok(vec![
            ("RecordingUrl".to_owned(), url),
            ("RecordingSid".to_owned(), sid.to_string()),
            ("RecordingDuration".to_owned(), duration.to_string()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(attributes: &str) -> RecordVerb {
        let doc = parse_voice(
            format!("<Response><Record {attributes}/></Response>").as_bytes(),
            Some("text/xml"),
        )
        .unwrap();
        match &doc.verbs[0] {
            VoiceVerb::Record(r) => r.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn input(digits: &str, speech: Option<&str>) -> CallInput {
        CallInput {
            digits: digits.into(),
            speech: speech.map(|s| (s.into(), "0.9".into())),
        }
    }

    #[test]
    fn a_finish_key_ends_the_recording_once_the_caller_has_spoken() {
        // 30 characters: 2 s of talk.
        let said = Some("Call me back at five, please.!");
        let got = take(&record(""), &input("7#", said));
        assert_eq!(
            (
                got.took_secs,
                got.duration,
                got.ending,
                got.rest.digits.as_str()
            ),
            (2, 2, Ending::Key('7'), "#")
        );
        assert_eq!(got.rest.speech, None);
        // A key that does not finish it stays queued; silence ends it.
        let got = take(&record(r##"finishOnKey="#""##), &input("5", said));
        assert_eq!(
            (
                got.took_secs,
                got.duration,
                got.ending,
                got.rest.digits.as_str()
            ),
            (7, 2, Ending::Timeout, "5")
        );
    }

    #[test]
    fn silence_timeout_max_length_and_trim() {
        let said = Some("a".repeat(60));
        let said = said.as_deref();
        // 4 s of talk, then 5 s of silence, trimmed.
        let got = take(&record(""), &input("", said));
        assert_eq!((got.took_secs, got.duration), (9, 4));
        let got = take(
            &record(r#"trim="do-not-trim" timeout="2""#),
            &input("", said),
        );
        assert_eq!((got.took_secs, got.duration), (6, 6));
        // maxLength cuts the talk, and a key pressed after it.
        let got = take(&record(r#"maxLength="3""#), &input("#", said));
        assert_eq!(
            (got.took_secs, got.duration, got.ending),
            (3, 3, Ending::Timeout)
        );
        // timeout 0: only maxLength ends it.
        let got = take(&record(r#"timeout="0" maxLength="20""#), &input("", said));
        assert_eq!((got.took_secs, got.duration), (20, 4));
        // Nothing said: an empty recording.
        let got = take(&record(""), &input("", None));
        assert_eq!((got.took_secs, got.duration), (5, 0));
        let got = take(&record(""), &input("#", None));
        assert_eq!(
            (got.took_secs, got.duration, got.ending),
            (0, 0, Ending::Key('#'))
        );
    }
}
