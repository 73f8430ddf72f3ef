//! `<Dial><Conference>`: a call joins the account's conference of that
//! name (made by the first call to join it while none of that name is
//! live), and waits there (`phase: conference`, `awaiting` the conference's
//! SID) until it leaves: the conference ends, it is kicked
//! (`DELETE …/Participants/{CallSid}`), its call is hung up or given a new
//! document, or the `<Dial timeLimit>` passes (on a timed clock only). Its
//! `<Dial>` then ends as any does: the `action` is requested with
//! `DialCallStatus=completed`, or the document goes on.
//!
//! A conference starts (`in-progress`) once two calls are in it and one of
//! them has `startConferenceOnEnter`, and ends (`completed`) when its last
//! participant leaves, a participant with `endConferenceOnExit` leaves, or
//! the API ends it. Every change takes the conference's row lock first
//! ([`conferences::lock`]), so joining and leaving at once on several
//! nodes is played one after the other. Its status callbacks
//! (`statusCallbackEvent`) go through the delivery pipeline
//! ([`WebhookKind::ConferenceStatus`]), numbered by `SequenceNumber`.
//!
//! **Lock order: the conference, then its participants' calls.** Ending a
//! conference locks it and then claims every participant's call; a
//! participant's call that ends or moves on is claimed (or its `calls` row
//! updated) and then leaves, which locks the conference. Taken in those two
//! orders at once, two transactions on PostgreSQL would wait for each
//! other. So a transaction locks the conference of a call it is about to
//! change before the call: [`Run::claim`] (and [`Run::claim_read`]) take it
//! ([`conferences::lock_of_call`]) before claiming the engine row, and so
//! does every path that updates a `calls` row without a claim (the Calls
//! update, a forced outcome, the simulator's steps, a bridge's end).
//! Joining takes the conference's lock while holding the joining call's
//! claim, which is safe: the call is no participant yet, so no transaction
//! that holds that conference waits for it.
//!
//! [`conferences::lock_of_call`] also locks the conference of the call's
//! other side (a call between numbers here, `peer_call_sid`): a call's
//! end ends its other side in the same transaction, which then leaves
//! *its* conference. So a caller hung up while the room its other side is
//! in ends, both queue on that room: before, the hang-up held the caller
//! and waited for the room, the room's end held the room and waited for
//! the caller. The Calls update (hang-up, redirect) then claims the call's
//! engine row whatever its version (`call_voice::claim`; a step under way
//! commits first) and only then reads the call. A call that joined a
//! conference between that update's conference lock (which found none)
//! and its claim is seen by counting again
//! ([`conferences::conferences_of_call`]): it reads again with the room
//! locked first, since leaving it afterwards would lock the room after the
//! call, while a room ending would hold the room and wait for the call. A
//! conference found locked cannot be left meanwhile (leaving takes the
//! lock held). What is left: the other side joining a conference after an
//! engine step's lock (its versioned claim sees only its own call), and a
//! call and its other side in two conferences ended at once (one statement
//! locks both, in no set order). Those can still deadlock on PostgreSQL,
//! which gives one transaction up; the transaction runners
//! ([`Switchboard::guarded`], [`Switchboard::retrying`]) run it again, so
//! the worst is a retry, never a 500.
//!
//! A participant may run a document instead of being in the conference
//! (waiting.rs, the queue's mechanism): its `waitUrl` while the conference
//! has not started, its `HoldUrl` while it is held (`away` on its row,
//! which keeps its place at the `<Dial>`). The conference starting, or the
//! participant unheld, brings it back ([`Switchboard::back_in_conference`]).

use switchboard_store::Tx;
use switchboard_store::call_voice::{CallVoiceRecord, Place};
use switchboard_store::calls::CallRecord;
use switchboard_store::conferences::{
    self, Away, ConferenceRecord, ConferenceStatus, ParticipantRecord,
};
use switchboard_twiml::{DialConference, DialVerb, VoiceVerb, parse_voice};
use switchboard_types::{
    AccountSid, CallSid, CallStage, CallStatus, ConferenceSid, HookMethod, NotificationLevel,
    Timestamp,
};

use super::{Run, elapsed_by, params, phase, waiting};
use crate::Switchboard;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::DomainResult;
use crate::telephony::SimSpeed;
use crate::telephony::live_recordings::conference_recording_events;
use crate::telephony::simulator::elapsed_sim_secs;

/// Twilio's "Conference is full": a `<Dial><Conference>` into a conference
/// holding its `maxParticipants` ends at once, `DialCallStatus=failed`.
pub const CONFERENCE_FULL: u32 = 16020;

/// The region conferences are reported in (Twilio's default).
pub const REGION: &str = "us1";

/// A participant's status while it is in a conference.
pub const CONNECTED: &str = "connected";

/// What a conference's status callback reports
/// (`StatusCallbackEvent`), and the `statusCallbackEvent` word that asks
/// for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConferenceEvent {
    Start,
    End,
    Join,
    Leave,
    Mute,
    Unmute,
    Hold,
    Unhold,
    Modified,
}

impl ConferenceEvent {
    fn as_str(self) -> &'static str {
        match self {
            ConferenceEvent::Start => "conference-start",
            ConferenceEvent::End => "conference-end",
            ConferenceEvent::Join => "participant-join",
            ConferenceEvent::Leave => "participant-leave",
            ConferenceEvent::Mute => "participant-mute",
            ConferenceEvent::Unmute => "participant-unmute",
            ConferenceEvent::Hold => "participant-hold",
            ConferenceEvent::Unhold => "participant-unhold",
            ConferenceEvent::Modified => "participant-modified",
        }
    }

    /// The `statusCallbackEvent` word that subscribes to it.
    fn word(self) -> &'static str {
        match self {
            ConferenceEvent::Start => "start",
            ConferenceEvent::End => "end",
            ConferenceEvent::Join => "join",
            ConferenceEvent::Leave => "leave",
            ConferenceEvent::Mute | ConferenceEvent::Unmute => "mute",
            ConferenceEvent::Hold | ConferenceEvent::Unhold => "hold",
            ConferenceEvent::Modified => "modify",
        }
    }
}

/// The `statusCallbackEvent` words Switchboard reports, as given (others,
/// such as `speaker` and `announcement`, are kept out: nothing speaks).
const EVENT_WORDS: &[&str] = &["start", "end", "join", "leave", "mute", "hold", "modify"];

/// The words of a `statusCallbackEvent` list Switchboard reports, in a
/// space-separated set.
pub(crate) fn event_words<'a>(given: impl IntoIterator<Item = &'a str>) -> String {
    let given: Vec<String> = given
        .into_iter()
        .flat_map(|g| g.split([' ', ',']))
        .map(|w| w.trim().to_ascii_lowercase())
        .collect();
    EVENT_WORDS
        .iter()
        .filter(|w| given.iter().any(|g| g == *w))
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a participant leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaving {
    /// Its call ended (hung up by the API, the other side, its time).
    Left,
    /// Removed through the API: its `<Dial>` goes on.
    Kicked,
}

/// A conference ended, and why (`ReasonConferenceEnded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndReason {
    ViaApi,
    EndOnExitLeft,
    EndOnExitKicked,
    LastKicked,
    LastLeft,
}

impl EndReason {
    fn as_str(self) -> &'static str {
        match self {
            EndReason::ViaApi => "conference-ended-via-api",
            EndReason::EndOnExitLeft => "participant-with-end-conference-on-exit-left",
            EndReason::EndOnExitKicked => "participant-with-end-conference-on-exit-kicked",
            EndReason::LastKicked => "last-participant-kicked",
            EndReason::LastLeft => "last-participant-left",
        }
    }
}

/// How a call joins a conference: a `<Dial><Conference>`'s attributes, or a
/// participant the API added.
#[derive(Debug, Clone)]
pub(crate) struct Joining {
    pub name: String,
    pub muted: bool,
    pub start_conference_on_enter: bool,
    pub end_conference_on_exit: bool,
    pub max_participants: i64,
    pub record: bool,
    pub label: Option<String>,
    pub coach: Option<CallSid>,
    /// The conference's callback settings, if this call makes it.
    pub status_callback: Option<String>,
    pub status_callback_method: switchboard_types::HookMethod,
    pub status_callback_events: String,
    pub recording_status_callback: Option<String>,
    pub recording_status_callback_method: switchboard_types::HookMethod,
    /// Its recording's callback events, space-separated (empty:
    /// `completed`).
    pub recording_status_callback_events: String,
    /// The document it runs while the conference has not started (`None`:
    /// silence).
    pub wait_url: Option<String>,
    pub wait_method: HookMethod,
}

/// The parameters of a conference's status callback.
fn event_params(
    conf: &ConferenceRecord,
    event: ConferenceEvent,
    participant: Option<&ParticipantRecord>,
    now: Timestamp,
) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = vec![
        ("AccountSid".into(), conf.account_sid.to_string()),
        ("ConferenceSid".into(), conf.sid.to_string()),
        ("FriendlyName".into(), conf.friendly_name.clone()),
        ("StatusCallbackEvent".into(), event.as_str().to_owned()),
        ("SequenceNumber".into(), conf.sequence.to_string()),
        ("Timestamp".into(), now.rfc2822()),
    ];
    if let Some(part) = participant {
        p.push(("CallSid".into(), part.call_sid.to_string()));
        p.push(("Muted".into(), part.muted.to_string()));
        p.push(("Hold".into(), part.hold.to_string()));
        p.push(("Coaching".into(), part.coaching.to_string()));
        p.push((
            "EndConferenceOnExit".into(),
            part.end_conference_on_exit.to_string(),
        ));
        p.push((
            "StartConferenceOnEnter".into(),
            part.start_conference_on_enter.to_string(),
        ));
        if let Some(label) = &part.label {
            p.push(("ParticipantLabel".into(), label.clone()));
        }
        if let Some(coached) = &part.call_sid_to_coach {
            p.push(("CallSidToCoach".into(), coached.to_string()));
        }
    }
    if event == ConferenceEvent::End {
        if let Some(reason) = &conf.reason_conference_ended {
            p.push(("ReasonConferenceEnded".into(), reason.clone()));
        }
        if let Some(call) = &conf.call_sid_ending_conference {
            p.push(("CallSidEndingConference".into(), call.to_string()));
        }
    }
    p
}

/// Puts a conference's status callback for `event` in the outbox, if it
/// asked for it; the conference's `sequence` counts it. `true` when one
/// was queued. The caller saves the conference.
pub(crate) async fn report(
    tx: &mut Tx,
    conf: &mut ConferenceRecord,
    event: ConferenceEvent,
    participant: Option<&ParticipantRecord>,
    now: Timestamp,
) -> DomainResult<bool> {
    let Some(url) = conf.status_callback.clone() else {
        return Ok(false);
    };
    if !conf
        .status_callback_events
        .split(' ')
        .any(|w| w == event.word())
    {
        return Ok(false);
    }
    conf.sequence += 1;
    let hook = Webhook::notice(
        WebhookKind::ConferenceStatus,
        (conf.account_sid.clone(), conf.callback_signer_sid.clone()),
        Some(conf.sid.to_string()),
        (conf.status_callback_method, url),
        event_params(conf, event, participant, now),
    );
    delivery::enqueue(tx, &hook, now).await?;
    Ok(true)
}

/// Puts an announcement into conference `conf` (its `AnnounceUrl`, or a
/// participant's, `call`, in the outbox: `conference-announce`, with the
/// conference's SID and name, and the participant's `CallSid`). Its answer
/// is read by [`Switchboard::follow_announcement`]. `true`: a webhook was
/// queued.
pub(crate) async fn announce(
    tx: &mut Tx,
    conf: &ConferenceRecord,
    call: Option<&CallSid>,
    (method, url): (HookMethod, String),
    now: Timestamp,
) -> DomainResult<bool> {
    let mut params: Vec<(String, String)> = vec![
        ("AccountSid".into(), conf.account_sid.to_string()),
        ("ConferenceSid".into(), conf.sid.to_string()),
        ("FriendlyName".into(), conf.friendly_name.clone()),
    ];
    if let Some(call) = call {
        params.push(("CallSid".into(), call.to_string()));
    }
    let hook = Webhook::notice(
        WebhookKind::ConferenceAnnounce,
        (conf.account_sid.clone(), conf.callback_signer_sid.clone()),
        Some(conf.sid.to_string()),
        (method, url),
        params,
    );
    delivery::enqueue(tx, &hook, now).await?;
    Ok(true)
}

/// The account's live conference of the name `joining` gives, made from
/// `joining` (its callbacks signed by `signer`) if there is none, with its
/// row lock held (in `tx`).
pub(crate) async fn live_conference(
    tx: &mut Tx,
    (account, signer): (&AccountSid, &AccountSid),
    joining: &Joining,
    now: Timestamp,
) -> DomainResult<ConferenceRecord> {
    let fresh = ConferenceRecord {
        sid: ConferenceSid::generate(),
        account_sid: account.clone(),
        friendly_name: joining.name.clone(),
        status: ConferenceStatus::Init,
        region: REGION.to_owned(),
        reason_conference_ended: None,
        call_sid_ending_conference: None,
        max_participants: joining.max_participants,
        status_callback: joining.status_callback.clone(),
        status_callback_method: joining.status_callback_method,
        status_callback_events: joining.status_callback_events.clone(),
        callback_signer_sid: signer.clone(),
        sequence: 0,
        record: joining.record,
        recording_status_callback: joining.recording_status_callback.clone(),
        recording_status_callback_method: joining.recording_status_callback_method,
        recording_status_callback_events: joining.recording_status_callback_events.clone(),
        date_started: None,
        date_created: now,
        date_updated: now,
    };
    tx.run(conferences::insert_if_absent(&fresh)).await?;
    tx.run(conferences::lock_live_by_name(account, &joining.name))
        .await?;
    Ok(tx
        .one(conferences::live_by_name(account, &joining.name))
        .await?)
}

/// Reads a conference with its row lock held (see [`conferences::lock`]).
pub(crate) async fn locked(
    tx: &mut Tx,
    sid: &ConferenceSid,
) -> DomainResult<Option<ConferenceRecord>> {
    tx.run(conferences::lock(sid)).await?;
    Ok(tx.opt(conferences::by_sid(sid)).await?)
}

impl Joining {
    /// What a `<Dial><Conference>` says, its URLs resolved against the
    /// call's document.
    fn of_noun(run: &Run, noun: &DialConference) -> Joining {
        Joining {
            name: noun.name.clone(),
            muted: noun.muted,
            start_conference_on_enter: noun.start_conference_on_enter,
            end_conference_on_exit: noun.end_conference_on_exit,
            max_participants: i64::from(noun.max_participants),
            record: noun.record,
            label: noun.participant_label.clone(),
            coach: noun.coach.as_deref().and_then(|c| CallSid::parse(c).ok()),
            status_callback: noun
                .status_callback
                .as_deref()
                .and_then(|u| run.resolve(u).ok()),
            status_callback_method: noun.status_callback_method,
            status_callback_events: event_words(
                noun.status_callback_events.iter().map(String::as_str),
            ),
            recording_status_callback: noun
                .recording_status_callback
                .as_deref()
                .and_then(|u| run.resolve(u).ok()),
            recording_status_callback_method: noun.recording_status_callback_method,
            recording_status_callback_events: conference_recording_events(
                &noun.recording_status_callback_events,
            ),
            // Twilio's default (no waitUrl) is its hold music, and "" is
            // silence: both are silence here.
            wait_url: noun
                .wait_url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .and_then(|u| run.resolve(u).ok()),
            wait_method: noun.wait_method,
        }
    }
}

impl Switchboard {
    /// Reaching a `<Dial><Conference>`: the call joins (the conference is
    /// made if none of that name is live) and waits there; into a full
    /// conference, the `<Dial>` ends at once, `failed` (16020).
    pub(crate) async fn start_conference_dial(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
        noun: &DialConference,
    ) -> DomainResult<()> {
        let joining = Joining::of_noun(run, noun);
        let now = run.now;
        match self.join_conference(tx, &run.c, &joining, now).await? {
            Joined::Full(conf) => {
                run.report(
                    tx,
                    CONFERENCE_FULL,
                    NotificationLevel::Error,
                    format!(
                        "Conference {:?} is full: it holds its {} participants; the <Dial> ends",
                        conf.friendly_name, conf.max_participants
                    ),
                )
                .await?;
                self.end_dial(tx, run, d, None, CallStatus::Failed).await
            }
            Joined::In { conf, hooked } => {
                run.hooked |= hooked;
                match joining.wait_url {
                    Some(url) if conf.status == ConferenceStatus::Init => {
                        let hook = (joining.wait_method, url);
                        self.go_away(tx, run, &conf, Away::Wait, hook, true).await
                    }
                    _ => {
                        stay_in(run, &conf.sid);
                        Ok(())
                    }
                }
            }
        }
    }

    /// A participant runs its wait or hold document (`away`) instead of
    /// being in the conference: its place at the `<Dial>` is kept (`first`),
    /// or, requesting it again, what it has played so far is noted.
    async fn go_away(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        conf: &ConferenceRecord,
        away: Away,
        hook: (HookMethod, String),
        first: bool,
    ) -> DomainResult<()> {
        if first {
            tx.run(conferences::go_away(
                &run.c.sid,
                away,
                &waiting::place_of(run),
            ))
            .await?;
        } else {
            tx.run(conferences::set_away_elapsed(
                &run.c.sid,
                run.v.elapsed_secs,
            ))
            .await?;
        }
        run.v.since = None;
        let mut params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
        params.push(("ConferenceSid".into(), conf.sid.to_string()));
        params.push(("FriendlyName".into(), conf.friendly_name.clone()));
        let kind = match away {
            Away::Wait => WebhookKind::ConferenceWait,
            Away::Hold => WebhookKind::ConferenceHold,
        };
        self.request_wait_document(tx, run, kind, hook, params)
            .await
    }

    /// Whether the call runs a participant's wait or hold document (where
    /// only `<Play>`, `<Say>`, `<Pause>` and `<Redirect>` may be).
    pub(super) async fn away_from_conference(&self, tx: &mut Tx, run: &Run) -> DomainResult<bool> {
        Ok(tx
            .opt(conferences::documents_of(&run.c.sid))
            .await?
            .is_some_and(|d| d.away.is_some()))
    }

    /// The end of a document: a participant's wait or hold document is
    /// over. It is requested again on a running clock when it took time;
    /// otherwise the call is back at its `<Dial>`, in the conference, in
    /// silence. `false` when the call is no participant away.
    pub(super) async fn conference_document_over(
        &self,
        tx: &mut Tx,
        run: &mut Run,
    ) -> DomainResult<bool> {
        let Some(docs) = tx.opt(conferences::documents_of(&run.c.sid)).await? else {
            return Ok(false);
        };
        let Some(away) = docs.away else {
            return Ok(false);
        };
        let url = match away {
            Away::Wait => docs.wait_url.clone().map(|u| (docs.wait_method, u)),
            Away::Hold => docs.hold_url.clone().map(|u| (docs.hold_method, u)),
        };
        let conf = tx.opt(conferences::by_sid(&docs.conference_sid)).await?;
        if let (Some(hook), Some(conf), true) = (url, conf, waiting::again(run, &docs.place)) {
            self.go_away(tx, run, &conf, away, hook, false).await?;
        } else {
            tx.run(conferences::come_back(&run.c.sid)).await?;
            waiting::restore(run, &docs.place);
            stay_in(run, &docs.conference_sid);
        }
        Ok(true)
    }

    /// A participant running its wait or hold document comes back into the
    /// conference (it started, or the participant is unheld): what it
    /// played counts, and its call is back at its `<Dial>`. `true` when a
    /// webhook was queued.
    pub(crate) async fn back_in_conference(
        &self,
        tx: &mut Tx,
        call: &CallSid,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(docs) = tx.opt(conferences::documents_of(call)).await? else {
            return Ok(false);
        };
        if docs.away.is_none() {
            return Ok(false);
        }
        let speed = self.settings().telephony.speed;
        let awaits =
            |c: &CallRecord, _: &CallVoiceRecord| c.status.stage() == CallStage::InProgress;
        let Some(mut run) = Run::claim_awaiting(tx, call, now, speed, awaits).await? else {
            return Ok(false);
        };
        if tx.run(conferences::come_back(call)).await? == 0 {
            return Ok(false);
        }
        run.v.elapsed_secs = elapsed_by(&run.v, run.c.next_transition_at, now, speed);
        waiting::restore(&mut run, &docs.place);
        stay_in(&mut run, &docs.conference_sid);
        self.save_claimed(tx, &mut run).await?;
        Ok(run.hooked)
    }

    /// A participant in the conference is held (`Hold=true` with a
    /// `HoldUrl`): its call runs the hold document. `true` when a webhook
    /// was queued.
    pub(crate) async fn hold_with_document(
        &self,
        tx: &mut Tx,
        conf: &ConferenceRecord,
        call: &CallSid,
        hook: (HookMethod, String),
        now: Timestamp,
    ) -> DomainResult<bool> {
        let speed = self.settings().telephony.speed;
        let awaits = |c: &CallRecord, v: &CallVoiceRecord| {
            v.phase == phase::CONFERENCE
                && v.awaiting.as_deref() == Some(conf.sid.as_str())
                && c.status.stage() == CallStage::InProgress
        };
        let Some(mut run) = Run::claim_awaiting(tx, call, now, speed, awaits).await? else {
            return Ok(false);
        };
        run.v.elapsed_secs = elapsed_by(&run.v, None, now, speed);
        run.v.awaiting = None;
        self.go_away(tx, &mut run, conf, Away::Hold, hook, true)
            .await?;
        self.save_claimed(tx, &mut run).await?;
        Ok(run.hooked)
    }

    /// `call` joins the conference `joining` names, in `tx`: made if the
    /// account has none of that name live; started if it now can.
    pub(crate) async fn join_conference(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        joining: &Joining,
        now: Timestamp,
    ) -> DomainResult<Joined> {
        let mut conf = live_conference(
            tx,
            (&call.account_sid, &call.callback_signer_sid),
            joining,
            now,
        )
        .await?;
        let present = tx.all(conferences::participants_of(&conf.sid)).await?;
        if present.len() as i64 >= conf.max_participants {
            return Ok(Joined::Full(conf));
        }
        // A label already taken in this conference is not given twice.
        let label = joining
            .label
            .clone()
            .filter(|l| !present.iter().any(|p| p.label.as_deref() == Some(l)));
        let participant = ParticipantRecord {
            call_sid: call.sid.clone(),
            conference_sid: conf.sid.clone(),
            account_sid: call.account_sid.clone(),
            label,
            status: CONNECTED.to_owned(),
            muted: joining.muted,
            hold: false,
            coaching: joining.coach.is_some(),
            call_sid_to_coach: joining.coach.clone(),
            start_conference_on_enter: joining.start_conference_on_enter,
            end_conference_on_exit: joining.end_conference_on_exit,
            date_created: now,
            date_updated: now,
        };
        tx.run(conferences::insert_participant(&participant))
            .await?;
        if let Some(url) = &joining.wait_url {
            tx.run(conferences::set_wait_url(
                &call.sid,
                Some(url),
                joining.wait_method,
            ))
            .await?;
        }
        let mut hooked = report(
            tx,
            &mut conf,
            ConferenceEvent::Join,
            Some(&participant),
            now,
        )
        .await?;
        let starts = conf.status == ConferenceStatus::Init
            && !present.is_empty()
            && (participant.start_conference_on_enter
                || present.iter().any(|p| p.start_conference_on_enter));
        if starts {
            conf.status = ConferenceStatus::InProgress;
            conf.date_started = Some(now);
            hooked |= report(tx, &mut conf, ConferenceEvent::Start, None, now).await?;
            // Those waiting stop running their wait documents.
            for waiter in tx.all(conferences::waiting_in(&conf.sid)).await? {
                hooked |= Box::pin(self.back_in_conference(tx, &waiter, now)).await?;
            }
            if conf.record {
                hooked |= self
                    .start_conference_recording(tx, &conf, &call.sid, now)
                    .await?;
            }
        }
        conf.date_updated = now;
        tx.run(conferences::update(&conf)).await?;
        Ok(Joined::In { conf, hooked })
    }

    /// A participant leaves (in `tx`): its row goes, `participant-leave` is
    /// reported, and the conference ends if it was the last, or had
    /// `endConferenceOnExit`. Its own `<Dial>` is the caller's business.
    /// `true` when a webhook was queued.
    pub(crate) async fn leave_conference(
        &self,
        tx: &mut Tx,
        call: &CallSid,
        why: Leaving,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(part) = tx.opt(conferences::participant_of_call(call)).await? else {
            return Ok(false);
        };
        let Some(mut conf) = locked(tx, &part.conference_sid).await? else {
            return Ok(false);
        };
        if tx.run(conferences::delete_participant(call)).await? == 0 {
            return Ok(false);
        }
        let mut hooked = report(tx, &mut conf, ConferenceEvent::Leave, Some(&part), now).await?;
        let rest = tx.all(conferences::participants_of(&conf.sid)).await?;
        let reason = match (part.end_conference_on_exit, rest.is_empty(), why) {
            (true, _, Leaving::Kicked) => Some(EndReason::EndOnExitKicked),
            (true, _, Leaving::Left) => Some(EndReason::EndOnExitLeft),
            (false, true, Leaving::Kicked) => Some(EndReason::LastKicked),
            (false, true, Leaving::Left) => Some(EndReason::LastLeft),
            (false, false, _) => None,
        };
        match reason {
            Some(reason) => {
                hooked |= self
                    .end_conference(tx, &mut conf, reason, Some(call), now)
                    .await?;
            }
            None => {
                conf.date_updated = now;
                tx.run(conferences::update(&conf)).await?;
            }
        }
        Ok(hooked)
    }

    /// Ends a conference (locked, in `tx`): every participant leaves and its
    /// `<Dial>` ends; `conference-end` is reported. `true` when a webhook
    /// was queued.
    pub(crate) async fn end_conference(
        &self,
        tx: &mut Tx,
        conf: &mut ConferenceRecord,
        reason: EndReason,
        ending_call: Option<&CallSid>,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let mut hooked = false;
        for part in tx.all(conferences::participants_of(&conf.sid)).await? {
            let away = self.away_place(tx, &part.call_sid).await?;
            tx.run(conferences::delete_participant(&part.call_sid))
                .await?;
            hooked |= report(tx, conf, ConferenceEvent::Leave, Some(&part), now).await?;
            hooked |= self
                .release_participant(tx, &part.call_sid, &conf.sid, away, now)
                .await?;
        }
        conf.status = ConferenceStatus::Completed;
        conf.reason_conference_ended = Some(reason.as_str().to_owned());
        conf.call_sid_ending_conference = ending_call.cloned();
        conf.date_updated = now;
        hooked |= self.end_conference_recordings(tx, conf, now).await?;
        hooked |= report(tx, conf, ConferenceEvent::End, None, now).await?;
        tx.run(conferences::update(conf)).await?;
        Ok(hooked)
    }

    /// Where a participant running its wait or hold document was at its
    /// `<Dial>` (`None` when it is in the conference, or no participant).
    pub(crate) async fn away_place(
        &self,
        tx: &mut Tx,
        call: &CallSid,
    ) -> DomainResult<Option<Place>> {
        Ok(tx
            .opt(conferences::documents_of(call))
            .await?
            .filter(|d| d.away.is_some())
            .map(|d| d.place))
    }

    /// A call left conference `conf` while still talking (the conference
    /// ended, or it was kicked): its `<Dial>` ends, in `tx`; a participant
    /// running its wait or hold document (`away`: its place at the
    /// `<Dial>`) stops it first. `true` when a webhook was queued.
    pub(crate) async fn release_participant(
        &self,
        tx: &mut Tx,
        call: &CallSid,
        conf: &ConferenceSid,
        away: Option<Place>,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let speed = self.settings().telephony.speed;
        let was_away = away.is_some();
        let awaits = |c: &CallRecord, v: &CallVoiceRecord| {
            c.status.stage() == CallStage::InProgress
                && (was_away
                    || (v.phase == phase::CONFERENCE
                        && v.awaiting.as_deref() == Some(conf.as_str())))
        };
        let Some(mut run) = Run::claim_awaiting(tx, call, now, speed, awaits).await? else {
            return Ok(false);
        };
        if let Some(place) = &away {
            // Only what its document played counts.
            run.v.elapsed_secs = elapsed_by(&run.v, run.c.next_transition_at, now, speed);
            run.v.since = None;
            waiting::restore(&mut run, place);
        }
        self.conference_dial_over(tx, &mut run).await?;
        self.save_claimed(tx, &mut run).await?;
        Ok(run.hooked)
    }

    /// The call's stay in a conference is over: its `<Dial>` ends
    /// (`DialCallStatus=completed`: the `action`, or the next verb), having
    /// waited there since it joined.
    pub(crate) async fn conference_dial_over(
        &self,
        tx: &mut Tx,
        run: &mut Run,
    ) -> DomainResult<()> {
        if let (SimSpeed::Factor(_), Some(since)) = (run.speed, run.v.since) {
            run.v.elapsed_secs += elapsed_sim_secs(run.speed, since, run.now);
        }
        let Some(d) = super::current_dial(&run.v) else {
            run.v.phase = phase::RUNNING.to_owned();
            run.v.awaiting = None;
            run.v.since = None;
            run.c.next_transition_at = Some(run.now);
            return Ok(());
        };
        self.end_dial(tx, run, &d, None, CallStatus::Completed)
            .await?;
        if run.v.phase == phase::RUNNING {
            run.c.next_transition_at = Some(run.now);
        }
        Ok(())
    }

    /// A conferencing call's step fell due: its `<Dial timeLimit>` passed.
    /// It leaves, and its `<Dial>` ends.
    pub(crate) async fn conference_due(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        run.hooked |= self
            .leave_conference(tx, &run.c.sid, Leaving::Left, run.now)
            .await?;
        self.conference_dial_over(tx, run).await
    }
}

impl Switchboard {
    /// Follows the answer to a conference's announcement
    /// ([`announce`]), in the transaction recording its last attempt. The
    /// announcement is played to every participant (or the one it was made
    /// to): nothing runs it, so its `<Say>` and `<Play>` (an audio answer
    /// is the `<Play>` of its URL) are noted in each hearer's call
    /// timeline, at the second of the call they are heard; `<Pause>` is
    /// silence, and anything else (`<Redirect>` included: no call fetches
    /// it) is skipped with warning 12200.
    pub(crate) async fn follow_announcement(
        &self,
        tx: &mut Tx,
        f: &crate::delivery::worker::Finished,
    ) -> DomainResult<()> {
        let d = &f.delivery;
        let Some(sid) = d
            .resource_sid
            .as_deref()
            .and_then(|s| ConferenceSid::parse(s).ok())
        else {
            return Ok(());
        };
        let (Some(answer), "delivered") = (&f.answer, f.state) else {
            return Ok(());
        };
        let audio = answer
            .content_type
            .as_deref()
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("audio/"));
        let parsed = if audio {
            let play = format!(
                "<Response><Play>{}</Play></Response>",
                super::xml_escape(&d.url)
            );
            parse_voice(play.as_bytes(), Some("text/xml"))
        } else {
            parse_voice(&answer.body, answer.content_type.as_deref())
        };
        let Ok(document) = parsed else {
            return Ok(());
        };
        let to = crate::delivery::decode_params(&d.params)
            .into_iter()
            .find(|(k, _)| k == "CallSid")
            .and_then(|(_, v)| CallSid::parse(&v).ok());
        let hearers = match to {
            Some(call) => vec![call],
            None => tx
                .all(conferences::participants_of(&sid))
                .await?
                .into_iter()
                .map(|p| p.call_sid)
                .collect(),
        };
        let speed = self.settings().telephony.speed;
        let now = f.completed_at;
        let mut warned = false;
        for call in hearers {
            let awaits =
                |c: &CallRecord, _: &CallVoiceRecord| c.status.stage() == CallStage::InProgress;
            let Some(mut run) = Run::claim_awaiting(tx, &call, now, speed, awaits).await? else {
                continue;
            };
            for verb in &document.verbs {
                match verb {
                    VoiceVerb::Say(_) | VoiceVerb::Play(_) => {
                        super::timeline::verb(&mut run.v, verb);
                    }
                    VoiceVerb::Pause(_) => {}
                    other if !warned => {
                        warned = true;
                        run.report(
                            tx,
                            12200,
                            NotificationLevel::Warning,
                            format!(
                                "<{}> is not allowed in an announcement (only <Play>, <Say> and <Pause> are played); it is skipped",
                                super::timeline::name(other)
                            ),
                        )
                        .await?;
                    }
                    _ => {}
                }
            }
            self.save_claimed(tx, &mut run).await?;
        }
        Ok(())
    }
}

/// The call is in conference `conf`, at its `<Dial>`, from now: the `<Dial
/// timeLimit>` ends its stay on a timed clock; on the instant clock it stays
/// until something else ends it.
fn stay_in(run: &mut Run, conf: &ConferenceSid) {
    let now = run.now;
    run.v.phase = phase::CONFERENCE.to_owned();
    run.v.awaiting = Some(conf.to_string());
    run.v.since = Some(now);
    let limit =
        super::current_dial(&run.v).map_or(i64::from(u32::MAX), |d| i64::from(d.time_limit_secs));
    run.c.next_transition_at = match run.speed {
        SimSpeed::Factor(_) => Some(run.speed.due_after(now, limit)),
        SimSpeed::Instant => None,
    };
}

/// What joining came to.
pub(crate) enum Joined {
    In {
        conf: ConferenceRecord,
        hooked: bool,
    },
    /// The conference holds its `maxParticipants`.
    Full(ConferenceRecord),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_events_switchboard_reports_are_kept_in_order() {
        assert_eq!(
            event_words(["Leave join", "speaker,start", "hold", "bogus"]),
            "start join leave hold"
        );
        assert_eq!(event_words(Vec::<&str>::new()), "");
        assert_eq!(ConferenceEvent::Unmute.word(), "mute");
        assert_eq!(ConferenceEvent::Unhold.as_str(), "participant-unhold");
        assert_eq!(
            EndReason::EndOnExitKicked.as_str(),
            "participant-with-end-conference-on-exit-kicked"
        );
    }
}
