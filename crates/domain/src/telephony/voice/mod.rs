//! The call engine: an answered call fetches its TwiML and executes it,
//! verb by verb, on the simulated clock, as Twilio's Programmable Voice
//! does with real audio (docs/telephony.md, "The call engine").
//!
//! A call with a document to run (its `Url`, inline `Twiml` or
//! `ApplicationSid`) has a `call_voice` row (migration 0017) saying how far
//! it got: `waiting` to be answered, `fetching` a document (through the
//! delivery pipeline: outbox, signature, retries, recorded attempts),
//! `running` a document from a verb, or `gathering` input. The simulator
//! steps it when `calls.next_transition_at` falls due; the delivery worker
//! hands it each document in the transaction that records the request's
//! last attempt. Every change is guarded by the row's version, so a crash or
//! a second node loses nothing and plays nothing twice.
//!
//! Every function takes `now` rather than reading the clock, so the clock
//! may be anything the caller says it is.

mod bridge;
pub(crate) mod conference;
mod dial;
mod documents;
mod gather;
mod input;
mod live;
mod params;
mod queue;
pub(crate) mod record;
pub mod timeline;
pub mod timing;
mod waiting;

pub use bridge::IncomingCall;
pub use conference::{CONFERENCE_FULL, REGION};
pub(crate) use conference::{EndReason, Leaving};
pub(crate) use dial::DialLegs;
pub use gather::CallInput;
pub use input::check_input;
pub(crate) use live::NewDocument;
pub(crate) use queue::QueueResult;

use switchboard_store::Tx;
use switchboard_store::call_voice::{self, CallVoiceRecord};
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::conferences;
use switchboard_twiml::{
    GatherVerb, RedirectVerb, RejectReason, VoiceVerb, parse_voice, resolve_url,
};
use switchboard_types::{
    CallDirection, CallEvent, CallSid, CallStage, CallStatus, HookMethod, NotificationLevel,
    Timestamp,
};

use super::SimSpeed;
use super::realtime_transcriptions::Said;
use super::simulator::{call_event, elapsed_sim_secs};
use crate::Switchboard;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{DomainError, DomainResult};
use crate::notifications::{self, NewNotification};
use gather::Taken;

/// How many documents one call may request (its answer, each `<Redirect>`
/// and `action`): a redirect loop stops here with error 11215.
pub const MAX_DOCUMENTS: i64 = 50;

/// How often [`Run::claim_awaiting`] reads again after losing a race.
const CLAIM_TRIES: usize = 16;

/// Twilio's codes for what goes wrong in a call's TwiML.
pub mod codes {
    pub use crate::notifications::codes::{
        DOCUMENT_PARSE_FAILURE, HTTP_RETRIEVAL_FAILURE, RESPONSE_TOO_LARGE, SCHEMA_VALIDATION,
    };
    /// A `<Redirect>` or `action` URL is not a URL.
    pub const INVALID_URL: u32 = 11100;
    /// Too many documents requested for one call (a redirect loop): Twilio's
    /// "redirected too many times and may be in a loop".
    pub const DOCUMENT_LIMIT: u32 = 11215;
}

/// Seconds of the call's timeline executed by `now`. The timeline counts
/// a timed verb (`<Say>`, `<Play>`, `<Pause>`) whole once it starts, and a
/// `<Gather>` or `<Record>` only once it ends; a call interrupted part way
/// (hung up, or given a new document) has talked only what was played.
/// `due` is when the current verb ends (the call's next transition).
pub(crate) fn elapsed_by(
    v: &CallVoiceRecord,
    due: Option<Timestamp>,
    now: Timestamp,
    speed: SimSpeed,
) -> i64 {
    // On the instant clock a verb takes no time: nothing is under way.
    let SimSpeed::Factor(f) = speed else {
        return v.elapsed_secs;
    };
    match (v.phase.as_str(), due, v.since) {
        (phase::RUNNING, Some(due), _) => {
            let left = ((due.micros() - now.micros()).max(0) as f64 / 1e6 * f) as i64;
            (v.elapsed_secs - left).max(0)
        }
        (
            phase::GATHERING
            | phase::RECORDING
            | phase::QUEUE_BRIDGED
            | phase::DEQUEUING
            | phase::CONNECTING
            | phase::CONFERENCE,
            _,
            Some(since),
        ) => v.elapsed_secs + elapsed_sim_secs(speed, since, now).max(0),
        _ => v.elapsed_secs,
    }
}

/// Where a call is in its document (`call_voice.phase`).
pub(crate) mod phase {
    pub const WAITING: &str = "waiting";
    pub const FETCHING: &str = "fetching";
    pub const RUNNING: &str = "running";
    pub const GATHERING: &str = "gathering";
    pub const DIALING: &str = "dialing";
    /// A `<Record>` at `position` records; `awaiting` is its recording's SID.
    pub const RECORDING: &str = "recording";
    /// A `<Dial>` leg's own document (its `<Number url>` whisper, its
    /// `sendDigits`) is over: it is connected, talking until one side
    /// hangs up.
    pub const BRIDGED: &str = "bridged";
    /// Waiting in a queue with nothing to run (queue.rs).
    pub const QUEUED: &str = "queued";
    /// A `<Dial><Queue>` waits for a caller to join an empty queue;
    /// `awaiting` is the queue's SID.
    pub const DEQUEUING: &str = "dequeuing";
    /// Talking across a queue; `awaiting` names the other side (queue.rs).
    pub const QUEUE_BRIDGED: &str = "queue-bridged";
    /// A `<Dial><Queue url>` waits while the caller it took hears the
    /// whisper; `awaiting` names that call (queue.rs).
    pub const CONNECTING: &str = "queue-connecting";
    /// In a conference (`<Dial><Conference>`): `awaiting` is its SID,
    /// `since` when it joined.
    pub const CONFERENCE: &str = "conference";
    pub const ENDED: &str = "ended";
}

/// Hosts reserved for documentation (RFC 2606, RFC 6761): no application
/// can answer there, so a call whose `Url` names one is not requested and
/// talks for its planned time, as every call did before the engine.
pub fn is_documentation_url(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || ["example", "invalid", "test"]
            .iter()
            .any(|tld| host == *tld || host.ends_with(&format!(".{tld}")))
}

/// The engine's row for a call being placed, if it has a document to run:
/// inline `Twiml`, or a `Url` (its own or its application's) that is not a
/// documentation URL.
pub(crate) fn planned(
    call: &CallRecord,
    fallback: Option<(String, HookMethod)>,
    now: Timestamp,
) -> Option<CallVoiceRecord> {
    let runs = call.twiml.is_some()
        || call
            .url
            .as_deref()
            .is_some_and(|u| !is_documentation_url(u));
    if !runs {
        return None;
    }
    let (fallback_url, fallback_method) = match fallback {
        Some((url, method)) => (Some(url), method),
        None => (None, HookMethod::Post),
    };
    Some(CallVoiceRecord {
        call_sid: call.sid.clone(),
        account_sid: call.account_sid.clone(),
        fallback_url,
        fallback_method,
        phase: phase::WAITING.to_owned(),
        version: 0,
        awaiting: None,
        document: None,
        document_url: None,
        position: 0,
        elapsed_secs: 0,
        since: None,
        documents: 0,
        input: String::new(),
        date_updated: now,
        timeline: String::new(),
    })
}

/// One change to a call and its engine row, in a transaction.
pub(crate) struct Run {
    pub c: CallRecord,
    pub v: CallVoiceRecord,
    /// The call's status when it was read (the guard of its update).
    was: CallStatus,
    pub now: Timestamp,
    pub speed: SimSpeed,
    /// Whether a webhook was queued.
    pub hooked: bool,
}

impl Run {
    /// Takes the call's engine row at the version it was read at, with the
    /// call as it is now; `None` when another node (or request) changed the
    /// row first.
    pub(crate) async fn claim(
        tx: &mut Tx,
        call: CallRecord,
        voice: CallVoiceRecord,
        now: Timestamp,
        speed: SimSpeed,
    ) -> DomainResult<Option<Run>> {
        let (sid, was) = (call.sid.clone(), call.status);
        let Some(run) = Run::claim_read(tx, call, voice, now, speed).await? else {
            return Ok(None);
        };
        // The call as it is now, not as the caller read it. Every change to
        // a call with an engine row claims the row first, so with it claimed
        // none is under way, and this read sees all that committed. On
        // PostgreSQL each statement reads what committed before it: a call
        // read before another transaction's commit and its engine row after
        // it were a stale pair, and saving the stale call lost that
        // transaction's next step (a call left running with nothing due).
        // A call whose status moved (hung up by the API, say) is not the one
        // the caller decided about: it reads again, or lets it be.
        let Some(call) = tx
            .opt(calls::by_sid(&sid))
            .await?
            .filter(|now| now.status == was)
        else {
            return Ok(None);
        };
        Ok(Some(Run::new(call, run.v, now, speed)))
    }

    /// Takes the engine row `voice` for `call`, which `tx` read *after*
    /// that row, as [`Run::claim`] does but without reading the call again:
    /// a change to the pair that committed before the row was read is in
    /// both reads, and one that committed after it moved the row's version,
    /// so this claim fails (`None`) and the caller reads both again. (A
    /// change of the call's status alone, such as the API's hang-up, is
    /// caught by the status guard of [`Switchboard::save_run`].)
    pub(crate) async fn claim_read(
        tx: &mut Tx,
        call: CallRecord,
        voice: CallVoiceRecord,
        now: Timestamp,
        speed: SimSpeed,
    ) -> DomainResult<Option<Run>> {
        // Conference locks come before call locks (conference.rs).
        tx.run(conferences::lock_of_call(&call.sid)).await?;
        let mut v = voice.clone();
        v.version += 1;
        v.date_updated = now;
        if tx.run(call_voice::update(&v, voice.version)).await? == 0 {
            return Ok(None);
        }
        Ok(Some(Run::new(call, v, now, speed)))
    }

    fn new(call: CallRecord, v: CallVoiceRecord, now: Timestamp, speed: SimSpeed) -> Run {
        let mut c = call.clone();
        c.date_updated = now;
        Run {
            was: call.status,
            c,
            v,
            now,
            speed,
            hooked: false,
        }
    }

    /// Reads the call `sid` and its engine row in `tx` and claims them if
    /// `awaits` holds for what it read, reading again when another
    /// transaction changed them between the read and the claim. For work
    /// that must not be lost to a race (a document's answer, a dialled
    /// leg's end): on PostgreSQL a claim that lost waited for the winner to
    /// commit, so the next read (each statement sees what committed before
    /// it) sees the winner's change. SQLite has one writer: the first claim
    /// holds. `None` when there is no such call or `awaits` refuses it.
    pub(crate) async fn claim_awaiting(
        tx: &mut Tx,
        sid: &CallSid,
        now: Timestamp,
        speed: SimSpeed,
        awaits: impl Fn(&CallRecord, &CallVoiceRecord) -> bool,
    ) -> DomainResult<Option<Run>> {
        for _ in 0..CLAIM_TRIES {
            // The engine row first, then the call: see `claim_read`.
            let Some(voice) = tx.opt(call_voice::of_call(sid)).await? else {
                return Ok(None);
            };
            let Some(call) = tx.opt(calls::by_sid(sid)).await? else {
                return Ok(None);
            };
            if !awaits(&call, &voice) {
                return Ok(None);
            }
            if let Some(run) = Run::claim_read(tx, call, voice, now, speed).await? {
                return Ok(Some(run));
            }
        }
        Err(DomainError::Conflict(format!(
            "call {sid} kept changing while the engine claimed it"
        )))
    }

    /// The next step falls due after `secs` simulated seconds of the call.
    fn wait(&mut self, secs: i64) {
        self.v.elapsed_secs += secs;
        self.c.next_transition_at = Some(self.speed.due_after(self.now, secs));
    }

    /// A notification about the call, not about one request.
    fn notice(&self, code: u32, level: NotificationLevel, text: String) -> NewNotification<'_> {
        NewNotification {
            account: &self.c.account_sid,
            call_sid: Some(&self.c.sid),
            resource_sid: Some(self.c.sid.as_str()),
            error_code: code,
            level,
            message_text: text,
            request_url: self.v.document_url.as_deref(),
            request_method: None,
            request_variables: None,
            response_headers: None,
            response_body: None,
        }
    }

    async fn report(
        &self,
        tx: &mut Tx,
        code: u32,
        level: NotificationLevel,
        text: String,
    ) -> DomainResult<()> {
        notifications::record(tx, &self.notice(code, level, text), self.now).await?;
        Ok(())
    }

    /// A URL of the current document, resolved against the document's URL.
    fn resolve(&self, reference: &str) -> Result<String, String> {
        match &self.v.document_url {
            Some(base) => resolve_url(base, reference)
                .map(|u| u.to_string())
                .map_err(|e| e.to_string()),
            None => crate::validate::absolute_url(crate::error::CallField::Url, reference)
                .map_err(|_| {
                    format!("{reference:?} is not an absolute URL, and an inline document has no URL to resolve it against")
                }),
        }
    }
}

impl Switchboard {
    /// The engine's row of a call whose next step is the engine's: one that
    /// is answered now, or in progress, and has a document to run.
    pub(crate) async fn document_of(
        &self,
        call: &CallRecord,
    ) -> DomainResult<Option<CallVoiceRecord>> {
        let engine_step = match call.status.stage() {
            CallStage::Ringing => call.end_status == CallStatus::Completed,
            CallStage::InProgress => true,
            _ => false,
        };
        if !engine_step {
            return Ok(None);
        }
        Ok(self.store().opt(call_voice::of_call(&call.sid)).await?)
    }

    /// Saves a run: the engine row, then the call guarded by the status it
    /// was read in; what follows a call's end. `false` when the call had
    /// changed meanwhile (nothing of it is saved).
    pub(crate) async fn save_run(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<bool> {
        if tx.run(call_voice::update(&run.v, run.v.version)).await? == 0 {
            return Ok(false);
        }
        if tx.run(calls::advance(&run.c, run.was)).await? == 0 {
            return Ok(false);
        }
        if run.c.status.is_final() && !run.was.is_final() {
            run.hooked |= self.finish_call(tx, &run.c, run.now).await?;
            run.hooked |= Box::pin(self.dial_leg_ended(tx, &run.c)).await?;
        }
        Ok(true)
    }

    /// [`Switchboard::save_run`] for a run claimed inside a larger change
    /// (a conference's, a queue's, a dialled leg's, a document's answer),
    /// which cannot read again on its own: a call that changed meanwhile
    /// ends the whole transaction with [`DomainError::Lost`], so nothing
    /// of the change lands half done (the engine row saved, the call not,
    /// the rest committed), and the transaction runner around it runs it
    /// again, reading the change. The claim holds the engine row, so only
    /// a change that does not claim it (a peer's or a forced ending, which
    /// write the `calls` row alone) can come between.
    pub(crate) async fn save_claimed(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        if self.save_run(tx, run).await? {
            return Ok(());
        }
        Err(DomainError::Lost(format!(
            "The call {} changed while it was being updated; try again",
            run.c.sid
        )))
    }

    /// One due step of a call that has a document to run (called by the
    /// simulator for a call that rings into an answer, or is in progress).
    /// `true` when a webhook was queued.
    pub(crate) async fn step_voice(
        &self,
        call: CallRecord,
        voice: CallVoiceRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let speed = self.settings().telephony.speed;
        let mut tx = self.store().begin().await?;
        let Some(mut run) = Run::claim(&mut tx, call, voice, now, speed).await? else {
            return Ok(false);
        };
        // Still due as the call is now. The call was read as due before its
        // engine row was: another worker (a sandbox clock's advance beside
        // the simulator) may have played this step in between, and set the
        // next one due later. The claim holds (the row was read after that
        // commit), so without this the call stepped again at once: a
        // `<Pause>` that took no time.
        if run.c.next_transition_at.is_none_or(|due| due > now) {
            return Ok(false);
        }
        run.c.next_transition_at = None;
        match run.v.phase.as_str() {
            // An inbound call rings while its TwiML is requested: it is
            // answered by the document's first verb.
            phase::WAITING if run.c.direction == CallDirection::Inbound => {
                self.start_document(&mut tx, &mut run, Vec::new()).await?;
            }
            phase::WAITING => {
                run.c.status = CallStatus::InProgress;
                run.hooked |= call_event(&mut tx, &run.c, CallEvent::Answered, now).await?;
                let detected = crate::telephony::amd::detect(&mut tx, &mut run.c, now).await?;
                run.hooked |= detected.hooked;
                // Synchronous detection holds the call before its TwiML.
                run.v.elapsed_secs += detected.held_secs;
                self.start_document(&mut tx, &mut run, detected.params)
                    .await?;
            }
            phase::RUNNING => {}
            // A connected leg talked as planned.
            phase::BRIDGED => self.hang_up(&mut run),
            phase::GATHERING => self.gather_due(&mut tx, &mut run).await?,
            phase::RECORDING => self.record_due(&mut tx, &mut run).await?,
            phase::QUEUE_BRIDGED | phase::DEQUEUING => {
                self.queue_step_due(&mut tx, &mut run).await?
            }
            phase::CONFERENCE => self.conference_due(&mut tx, &mut run).await?,
            // Waiting for a document, or over: nothing falls due.
            _ => {}
        }
        self.run_verbs(&mut tx, &mut run).await?;
        // The call changed meanwhile (a peer's or forced ending, which do
        // not claim the row): nothing is committed (the transaction is
        // dropped), and the simulator reads the call again if it is still
        // due.
        if !self.save_run(&mut tx, &mut run).await? {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(run.hooked)
    }

    /// The call was answered: its inline document runs, or its URL is
    /// requested.
    /// `detected`: what synchronous answering machine detection adds to the
    /// request (`AnsweredBy`).
    async fn start_document(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        detected: Vec<(String, String)>,
    ) -> DomainResult<()> {
        if let Some(twiml) = run.c.twiml.clone() {
            run.v.documents = 1;
            if !self
                .take_document(tx, run, twiml.as_bytes(), Some("text/xml"), None, None)
                .await?
            {
                self.hang_up(run);
            }
            return Ok(());
        }
        let Some(url) = run.c.url.clone() else {
            self.hang_up(run);
            return Ok(());
        };
        let fallback = run
            .v
            .fallback_url
            .clone()
            .map(|u| (u, run.v.fallback_method));
        // An inbound call is still ringing while its document is requested.
        let mut params = params::voice_params(&run.c, run.c.status.as_str());
        params.extend(detected);
        let method = run.c.method;
        self.request_document(
            tx,
            run,
            WebhookKind::VoiceAnswer,
            (method, url),
            params,
            fallback,
        )
        .await
    }

    /// Requests the call's next document; its answer continues the call.
    async fn request_document(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        kind: WebhookKind,
        (method, url): (HookMethod, String),
        params: Vec<(String, String)>,
        fallback: Option<(String, HookMethod)>,
    ) -> DomainResult<()> {
        if run.v.documents >= MAX_DOCUMENTS {
            run.report(
                tx,
                codes::DOCUMENT_LIMIT,
                NotificationLevel::Error,
                format!(
                    "This call already requested {MAX_DOCUMENTS} documents, the most it may; the call was ended (is a <Redirect> or action looping?)"
                ),
            )
            .await?;
            self.hang_up(run);
            return Ok(());
        }
        let hook = Webhook {
            fallback,
            documents: run.v.documents,
            ..Webhook::notice(
                kind,
                (run.c.account_sid.clone(), run.c.callback_signer_sid.clone()),
                Some(run.c.sid.to_string()),
                (method, url),
                params,
            )
        };
        let sid = delivery::enqueue(tx, &hook, run.now).await?;
        run.v.awaiting = Some(sid.to_string());
        run.v.phase = phase::FETCHING.to_owned();
        run.v.documents += 1;
        run.c.next_transition_at = None;
        run.hooked = true;
        Ok(())
    }

    /// Reads a document and makes it the call's: its warnings recorded,
    /// execution from its first verb. `false` (its error recorded) when it
    /// cannot run.
    async fn take_document(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        body: &[u8],
        content_type: Option<&str>,
        url: Option<&str>,
        request: Option<&documents::Request<'_>>,
    ) -> DomainResult<bool> {
        let document = match parse_voice(body, content_type) {
            Ok(document) => document,
            Err(e) => {
                documents::report(
                    tx,
                    run,
                    request,
                    e.code(),
                    NotificationLevel::Error,
                    e.to_string(),
                )
                .await?;
                return Ok(false);
            }
        };
        for warning in &document.warnings {
            documents::report(
                tx,
                run,
                request,
                warning.code,
                NotificationLevel::Warning,
                warning.to_string(),
            )
            .await?;
        }
        let is_audio =
            content_type.is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("audio/"));
        let text = if is_audio {
            // The answer is the audio: kept as the <Play> it stands for.
            let url = url.unwrap_or_default();
            format!("<Response><Play>{}</Play></Response>", xml_escape(url))
        } else {
            String::from_utf8_lossy(body).into_owned()
        };
        run.v.document = Some(text);
        run.v.document_url = url.map(str::to_owned);
        timeline::document(&mut run.v, request.map(|r| &r.finished.delivery.sid));
        run.v.position = 0;
        run.v.awaiting = None;
        run.v.phase = phase::RUNNING.to_owned();
        Ok(true)
    }

    /// Ends the call as its document does: completed, having talked for
    /// its executed timeline (at least a second: it was answered).
    /// A verb's URL, resolved; when it is not a URL, error 11100 on the
    /// call, which ends (`None`).
    pub(super) async fn url_or_hang_up(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        verb: &str,
        url: Result<String, String>,
    ) -> DomainResult<Option<String>> {
        match url {
            Ok(url) => Ok(Some(url)),
            Err(e) => {
                run.report(
                    tx,
                    codes::INVALID_URL,
                    NotificationLevel::Error,
                    format!("{verb}: {e}; the call was ended"),
                )
                .await?;
                self.hang_up(run);
                Ok(None)
            }
        }
    }

    fn hang_up(&self, run: &mut Run) {
        let talked = run.v.elapsed_secs.max(1);
        self.end_call(&mut run.c, CallStatus::Completed, run.now, talked);
        run.v.phase = phase::ENDED.to_owned();
        run.v.awaiting = None;
    }

    /// Executes verbs from the current one until one takes time, waits for
    /// input, requests a document, or ends the call.
    async fn run_verbs(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        while run.v.phase == phase::RUNNING {
            let verbs = run
                .v
                .document
                .as_deref()
                .and_then(|d| parse_voice(d.as_bytes(), Some("text/xml")).ok())
                .map(|d| d.verbs)
                .unwrap_or_default();
            let Some(verb) = usize::try_from(run.v.position)
                .ok()
                .and_then(|at| verbs.get(at))
            else {
                // A member's wait document is over: it waits on.
                if self.wait_document_over(tx, run).await? {
                    return Ok(());
                }
                // The end of the document hangs up; a <Dial> leg's own
                // document is followed by the conversation.
                if run.c.direction == CallDirection::OutboundDial {
                    self.bridge(run);
                } else {
                    self.hang_up(run);
                }
                return Ok(());
            };
            if run.c.status.stage() == CallStage::Ringing && !matches!(verb, VoiceVerb::Reject(_)) {
                self.answer_inbound(tx, run).await?;
            }
            timeline::verb(&mut run.v, verb);
            let waits_on = !matches!(
                verb,
                VoiceVerb::Say(_)
                    | VoiceVerb::Play(_)
                    | VoiceVerb::Pause(_)
                    | VoiceVerb::Redirect(_)
            );
            if waits_on && self.away_from_conference(tx, run).await? {
                self.skip_in_wait(
                    tx,
                    run,
                    timeline::name(verb),
                    (
                        "a conference's waitUrl or holdUrl document",
                        "<Play>, <Say>, <Pause> and <Redirect>",
                    ),
                )
                .await?;
                continue;
            }
            match verb {
                VoiceVerb::Say(s) => {
                    run.v.position += 1;
                    run.hooked |= self
                        .transcribe_live(tx, &run.c, Said::ByCall, &s.text, 1.0, run.now)
                        .await?;
                    run.wait(timing::say_secs(s));
                    return Ok(());
                }
                VoiceVerb::Play(p) => {
                    run.v.position += 1;
                    run.wait(timing::play_secs(p));
                    return Ok(());
                }
                VoiceVerb::Pause(p) => {
                    run.v.position += 1;
                    run.wait(timing::pause_secs(p));
                    return Ok(());
                }
                VoiceVerb::Gather(g) => self.start_gather(tx, run, g).await?,
                VoiceVerb::Redirect(r) => return self.redirect_call(tx, run, r).await,
                VoiceVerb::Hangup => {
                    self.hang_up(run);
                    return Ok(());
                }
                VoiceVerb::Reject(reason) => {
                    self.reject(run, *reason);
                    return Ok(());
                }
                VoiceVerb::Dial(d) => match &d.queue {
                    Some(q) => self.start_dial_queue(tx, run, d, q).await?,
                    None => self.start_dial(tx, run, d).await?,
                },
                VoiceVerb::Record(_) if self.in_queue(tx, run).await? => {
                    self.refuse_in_wait(tx, run, "Record").await?
                }
                VoiceVerb::Record(r) => self.start_record(tx, run, r).await?,
                VoiceVerb::Enqueue(e) => self.start_enqueue(tx, run, e).await?,
                VoiceVerb::Leave => self.leave_queue(tx, run).await?,
            }
        }
        Ok(())
    }

    /// An inbound call's document answers it (a verb other than `<Reject>`
    /// runs): it is in progress, and the call that rang it, if any, answers.
    async fn answer_inbound(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        run.c.status = CallStatus::InProgress;
        run.hooked |= call_event(tx, &run.c, CallEvent::Answered, run.now).await?;
        self.answer_peer(tx, &run.c, run.now).await
    }

    /// A `<Dial>` leg's own document is over: it is connected, and talks
    /// until one side hangs up (for a number of this Switchboard, the other
    /// side decides; otherwise for its planned time).
    fn bridge(&self, run: &mut Run) {
        run.v.phase = phase::BRIDGED.to_owned();
        if run.c.peer_call_sid.is_some() {
            run.c.next_transition_at = None;
        } else {
            let talk = run.c.talk_secs.max(1);
            run.wait(talk);
        }
    }

    /// `<Reject>`: as the first verb of the call's first document (or on an
    /// inbound call not yet answered), the call ends unanswered and unbilled, `busy` or `no-answer` as its reason
    /// says (Twilio's rule for a call it does not pick up); anywhere later
    /// it hangs up.
    fn reject(&self, run: &mut Run, reason: RejectReason) {
        let unanswered = run.c.status.stage() == CallStage::Ringing
            || (run.v.documents <= 1 && run.v.position == 0 && run.v.elapsed_secs == 0);
        if unanswered {
            let status = match reason {
                RejectReason::Busy => CallStatus::Busy,
                RejectReason::Rejected => CallStatus::NoAnswer,
            };
            self.end_call(&mut run.c, status, run.now, 0);
            run.v.phase = phase::ENDED.to_owned();
        } else {
            self.hang_up(run);
        }
    }

    /// `<Redirect>`: the next document, with the call's parameters.
    async fn redirect_call(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        r: &RedirectVerb,
    ) -> DomainResult<()> {
        let url = run.resolve(&r.url);
        let Some(url) = self.url_or_hang_up(tx, run, "<Redirect>", url).await? else {
            return Ok(());
        };
        let params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
        self.request_document(
            tx,
            run,
            WebhookKind::VoiceRedirect,
            (r.method, url),
            params,
            None,
        )
        .await
    }

    /// Reaching a `<Gather>`: its prompts play, then it takes input queued
    /// before it, or waits for some until its `timeout`. On the instant
    /// clock nothing waits: what is queued is taken at once, or the gather
    /// times out at once.
    async fn start_gather(&self, tx: &mut Tx, run: &mut Run, g: &GatherVerb) -> DomainResult<()> {
        let prompts = timing::prompts_secs(g);
        run.v.phase = phase::GATHERING.to_owned();
        run.v.since = Some(run.now);
        let input = CallInput::decode(&run.v.input);
        let taken = gather::take(g, &input);
        if run.speed == SimSpeed::Instant {
            return self.gather_due(tx, run).await;
        }
        let wait = match taken {
            Taken::Digits { .. } | Taken::Speech { .. } => prompts,
            Taken::Partial | Taken::Nothing => prompts + i64::from(g.timeout_secs),
        };
        run.c.next_transition_at = Some(run.speed.due_after(run.now, wait));
        Ok(())
    }

    /// A gathering call's step falls due: its prompts are over with input
    /// at hand, or its timeout passed.
    async fn gather_due(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        let Some(g) = current_gather(&run.v) else {
            run.v.phase = phase::RUNNING.to_owned();
            return Ok(());
        };
        let input = CallInput::decode(&run.v.input);
        let (taken, timed_out) = match gather::take(&g, &input) {
            Taken::Partial => (gather::all_keys(&input), true),
            Taken::Nothing => (Taken::Nothing, true),
            complete => (complete, false),
        };
        self.end_gather(tx, run, &g, taken, timed_out).await
    }

    /// The gather is over, with what it took: its `action` is requested
    /// with the input (its answer continues the call), or, with no input
    /// and no `actionOnEmptyResult`, the document goes on.
    pub(crate) async fn end_gather(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        g: &GatherVerb,
        taken: Taken,
        timed_out: bool,
    ) -> DomainResult<()> {
        let prompts = timing::prompts_secs(g);
        let most = prompts + i64::from(g.timeout_secs);
        let waited = match (run.speed, run.v.since) {
            (SimSpeed::Factor(_), Some(since)) => {
                elapsed_sim_secs(run.speed, since, run.now).clamp(0, most)
            }
            _ if timed_out => most,
            _ => prompts,
        };
        run.v.elapsed_secs += waited;
        run.v.since = None;
        run.v.phase = phase::RUNNING.to_owned();
        let mut extra: Vec<(String, String)> = Vec::new();
        match taken {
            Taken::Digits {
                digits,
                finished_on_key,
                rest,
            } if !digits.is_empty() || finished_on_key.is_some() => {
                run.v.input = rest.encode();
                extra.push(("Digits".into(), digits));
                if let Some(key) = finished_on_key {
                    extra.push(("FinishedOnKey".into(), key.to_string()));
                }
            }
            Taken::Speech {
                text,
                confidence,
                rest,
            } => {
                run.v.input = rest.encode();
                let heard = confidence.parse::<f64>().unwrap_or(0.0);
                run.hooked |= self
                    .transcribe_live(tx, &run.c, Said::ByCaller, &text, heard, run.now)
                    .await?;
                extra.push(("SpeechResult".into(), text));
                extra.push(("Confidence".into(), confidence));
            }
            _ => {
                if !g.action_on_empty_result {
                    run.v.position += 1;
                    return Ok(());
                }
                if g.dtmf {
                    extra.push(("Digits".into(), String::new()));
                }
            }
        }
        let url = match (&g.action, &run.v.document_url) {
            (Some(action), _) => run.resolve(action),
            (None, Some(own)) => Ok(own.clone()),
            // An inline document with no action: it goes on.
            (None, None) => {
                run.v.position += 1;
                return Ok(());
            }
        };
        let Some(url) = self.url_or_hang_up(tx, run, "<Gather action>", url).await? else {
            return Ok(());
        };
        let mut params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
        params.extend(extra);
        params.push(("msg".into(), "Gather End".into()));
        self.request_document(
            tx,
            run,
            WebhookKind::VoiceAction,
            (g.method, url),
            params,
            None,
        )
        .await
    }
}

/// The `<Gather>` a gathering call is at.
fn current_gather(v: &CallVoiceRecord) -> Option<GatherVerb> {
    let document = parse_voice(v.document.as_deref()?.as_bytes(), Some("text/xml")).ok()?;
    match document.verbs.get(usize::try_from(v.position).ok()?) {
        Some(VoiceVerb::Gather(g)) => Some(g.clone()),
        _ => None,
    }
}

/// The `<Dial>` a dialling call is at.
fn current_dial(v: &CallVoiceRecord) -> Option<switchboard_twiml::DialVerb> {
    let document = parse_voice(v.document.as_deref()?.as_bytes(), Some("text/xml")).ok()?;
    match document.verbs.get(usize::try_from(v.position).ok()?) {
        Some(VoiceVerb::Dial(d)) => Some(d.clone()),
        _ => None,
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_hosts_are_never_requested() {
        for url in [
            "https://example.com/twiml",
            "https://app.example.com/twiml",
            "http://x.example.org/",
            "https://demo.test/voice",
            "https://a.invalid/",
        ] {
            assert!(is_documentation_url(url), "{url}");
        }
        for url in [
            "http://127.0.0.1:8080/voice",
            "https://myexample.com/",
            "https://example.com.evil.net/",
        ] {
            assert!(!is_documentation_url(url), "{url}");
        }
    }
}
