//! `<Dial>` with numbers: each `<Number>` is a child call of its own
//! (`direction: outbound-dial`, `parent_call_sid`), planned and played out
//! as any outbound call, all ringing at once; the first to answer is
//! connected and the others are canceled. The parent waits (`phase:
//! dialing`, `awaiting` its legs, [`DialLegs`]) until the connected leg
//! ends, or every leg ended unanswered, then requests the `action` with
//! `DialCallStatus`, `DialCallSid` and `DialCallDuration`, or goes on with
//! its document.

use switchboard_store::Tx;
use switchboard_store::call_voice::{self, CallVoiceRecord};
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::phone_numbers;
use switchboard_telephony::magic;
use switchboard_telephony::outcome;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_twiml::{DialNumber, DialVerb};
use switchboard_types::{
    CallDirection, CallEvent, CallEvents, CallSid, CallStage, CallStatus, NotificationLevel,
    Timestamp,
};

use super::{Run, codes, params, phase, planned};
use crate::Switchboard;
use crate::delivery::WebhookKind;
use crate::error::DomainResult;
use crate::telephony::simulator::{self, call_event};

/// Twilio's code for a `<Dial>` number it cannot call.
pub const INVALID_DIAL_NUMBER: u32 = 13224;

/// How many `<Dial>` legs deep a chain of calls may go: a leg, the call it
/// rang on a number here, that call's own leg, and so on. Numbers here
/// whose TwiML dial each other would otherwise ring without end.
pub const MAX_DIAL_DEPTH: usize = 10;

/// The code for a `<Dial>` refused because its chain of calls is already
/// [`MAX_DIAL_DEPTH`] legs deep. Twilio has no such case (a carrier ends a
/// loop); its code for "may be in a loop" is used, as for documents.
pub const DIAL_LOOP: u32 = 11215;

/// Twilio's code for a `<Dial>` in a leg's own document (its `<Number url>`
/// whisper, run on the called party before it is connected): "Cannot Dial
/// out from a Dial Call Segment".
pub const DIAL_FROM_LEG: u32 = 13201;

/// The legs a dialling call waits for, in the `<Dial>`'s order, as its
/// engine row's `awaiting` holds them: `CA…` while a leg rings or talks,
/// `CA…=busy` once it ended unanswered. Once one answers, only it is left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DialLegs {
    pub legs: Vec<(String, Option<CallStatus>)>,
}

impl DialLegs {
    pub(crate) fn decode(awaiting: Option<&str>) -> DialLegs {
        let legs = awaiting
            .unwrap_or_default()
            .split(',')
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once('=') {
                Some((sid, status)) => (sid.to_owned(), CallStatus::parse(status).ok()),
                None => (l.to_owned(), None),
            })
            .collect();
        DialLegs { legs }
    }

    pub(crate) fn encode(&self) -> String {
        self.legs
            .iter()
            .map(|(sid, ended)| match ended {
                Some(s) => format!("{sid}={}", s.as_str()),
                None => sid.clone(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    pub(crate) fn pending(&self) -> impl Iterator<Item = &str> {
        self.legs
            .iter()
            .filter(|(_, ended)| ended.is_none())
            .map(|(sid, _)| sid.as_str())
    }

    fn is_pending(&self, sid: &str) -> bool {
        self.pending().any(|s| s == sid)
    }

    /// What `DialCallStatus` says when no leg answered: `no-answer` if any
    /// rang out, else `busy` if any was busy, else the first leg's end.
    fn unanswered_status(&self) -> CallStatus {
        let ends: Vec<CallStatus> = self.legs.iter().filter_map(|(_, s)| *s).collect();
        if ends.contains(&CallStatus::NoAnswer) {
            CallStatus::NoAnswer
        } else if ends.contains(&CallStatus::Busy) {
            CallStatus::Busy
        } else {
            ends.first().copied().unwrap_or(CallStatus::Failed)
        }
    }
}

/// How many `<Dial>` legs lead to `call`: following each leg to the call
/// that dialled it (`parent_call_sid`) and each inbound call rung by a call
/// here to that call (`peer_call_sid`). Stops counting past
/// [`MAX_DIAL_DEPTH`].
async fn dial_depth(tx: &mut Tx, call: &CallRecord) -> DomainResult<usize> {
    let mut depth = 0;
    let mut at = call.clone();
    // Every leg is reached through at most one inbound call.
    for _ in 0..2 * (MAX_DIAL_DEPTH + 1) {
        let up = match (&at.parent_call_sid, &at.peer_call_sid, at.direction) {
            (Some(parent), _, _) => {
                depth += 1;
                parent.clone()
            }
            (None, Some(caller), CallDirection::Inbound) => caller.clone(),
            _ => break,
        };
        if depth >= MAX_DIAL_DEPTH {
            break;
        }
        let Some(next) = tx.opt(calls::by_sid(&up)).await? else {
            break;
        };
        at = next;
    }
    Ok(depth)
}

/// A `<Number>`'s `sendDigits`, if they are keys Switchboard can play
/// (`0`–`9`, `*`, `#`, `w`).
fn send_digits(n: &DialNumber) -> Option<&str> {
    n.send_digits
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .filter(|d| {
            d.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'w' | 'W'))
        })
}

impl Switchboard {
    /// Reaching a `<Dial>`: every number that can be called is called at
    /// once, each as a child leg; the call waits for them. When nothing
    /// can be dialled (the problem recorded), the `<Dial>` ends at once
    /// with `failed`.
    pub(crate) async fn start_dial(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
    ) -> DomainResult<()> {
        if run.c.direction == CallDirection::OutboundDial {
            run.report(
                tx,
                DIAL_FROM_LEG,
                NotificationLevel::Error,
                "<Dial> in a <Dial> leg's own document (its <Number url>) is not allowed: the leg is not connected yet; the <Dial> is skipped".to_owned(),
            )
            .await?;
            run.v.position += 1;
            return Ok(());
        }
        if let Some(noun) = &d.conference {
            return self.start_conference_dial(tx, run, d, noun).await;
        }
        let depth = dial_depth(tx, &run.c).await?;
        if depth >= MAX_DIAL_DEPTH {
            run.report(
                tx,
                DIAL_LOOP,
                NotificationLevel::Error,
                format!(
                    "<Dial> refused: this call is already {depth} <Dial> legs deep (calls to numbers of this Switchboard dialling on), the most Switchboard allows; are numbers dialling each other in a loop?"
                ),
            )
            .await?;
            return self.end_dial(tx, run, d, None, CallStatus::Failed).await;
        }
        let now = run.now;
        let mut legs: Vec<(CallRecord, bool)> = Vec::new();
        for number in &d.numbers {
            let to = match PhoneNumber::parse(&number.number) {
                Ok(to) if magic::check_to(&to, magic::Channel::Voice).is_none() => to,
                _ => {
                    run.report(
                        tx,
                        INVALID_DIAL_NUMBER,
                        NotificationLevel::Warning,
                        format!(
                            "<Dial>: {:?} is not a number Switchboard can call",
                            number.number
                        ),
                    )
                    .await?;
                    continue;
                }
            };
            let here = tx
                .opt(phone_numbers::in_world_of(&run.c.account_sid, to.as_str()))
                .await?
                .is_some();
            let leg = self.dial_leg(tx, run, d, number, &to).await?;
            legs.push((leg, here));
        }
        if legs.is_empty() {
            return self.end_dial(tx, run, d, None, CallStatus::Failed).await;
        }
        // The first to answer wins: of the numbers not on this Switchboard,
        // the one that rings shortest (the earlier <Number> on a tie); the
        // others ring on until they are canceled (or their timeout). A
        // number here answers when its TwiML does.
        let winner = legs
            .iter()
            .enumerate()
            .filter(|(_, (leg, here))| !here && leg.end_status == CallStatus::Completed)
            .min_by_key(|(i, (leg, _))| (leg.ring_secs, *i))
            .map(|(i, _)| i);
        for (i, (leg, here)) in legs.iter_mut().enumerate() {
            if !*here && leg.end_status == CallStatus::Completed && Some(i) != winner {
                leg.end_status = CallStatus::NoAnswer;
                leg.ring_secs = i64::from(d.timeout_secs);
                leg.talk_secs = 0;
            }
        }
        let mut awaiting = DialLegs::default();
        for (leg, _) in &legs {
            tx.run(calls::insert_many(std::slice::from_ref(leg)))
                .await?;
            if let Some(voice) = planned(leg, None, now) {
                tx.run(call_voice::insert(&voice)).await?;
            }
            run.hooked |= call_event(tx, leg, CallEvent::Initiated, now).await?;
            awaiting.legs.push((leg.sid.to_string(), None));
        }
        run.v.phase = phase::DIALING.to_owned();
        run.v.awaiting = Some(awaiting.encode());
        run.v.since = Some(now);
        run.c.next_transition_at = None;
        Ok(())
    }

    /// One `<Number>`'s leg, planned (not stored). Its `url` (the whisper
    /// played to the called party before connecting) and `sendDigits` are
    /// the leg's own TwiML: the keys as a `<Play digits>`, then the URL's
    /// document.
    async fn dial_leg(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
        number: &DialNumber,
        to: &PhoneNumber,
    ) -> DomainResult<CallRecord> {
        let from = d
            .caller_id
            .clone()
            .unwrap_or_else(|| run.c.from_number.clone());
        let mut events = CallEvents::empty();
        for e in &number.status_callback_events {
            if let Ok(e) = CallEvent::parse(&e.to_ascii_lowercase()) {
                events = events.with(e);
            }
        }
        if events.is_empty() {
            events = events.with(CallEvent::Completed);
        }
        let status_callback = number
            .status_callback
            .as_deref()
            .and_then(|u| run.resolve(u).ok());
        let whisper = match number.url.as_deref() {
            None => None,
            Some(url) => match run.resolve(url) {
                Ok(url) => Some(url),
                Err(e) => {
                    run.report(
                        tx,
                        codes::INVALID_URL,
                        NotificationLevel::Warning,
                        format!("<Number url>: {e}; the number is called without it"),
                    )
                    .await?;
                    None
                }
            },
        };
        let (url, twiml) = match (send_digits(number), whisper) {
            (Some(keys), whisper) => {
                let then = whisper.map_or_else(String::new, |u| {
                    format!(
                        "<Redirect method=\"{}\">{}</Redirect>",
                        number.method.as_str(),
                        super::xml_escape(&u)
                    )
                });
                (
                    None,
                    Some(format!(
                        "<Response><Play digits=\"{}\"/>{then}</Response>",
                        keys.to_ascii_lowercase()
                    )),
                )
            }
            (None, whisper) => (whisper, None),
        };
        let plan = outcome::plan_call(to, d.timeout_secs);
        let talk = i64::from(plan.talk_secs).min(i64::from(d.time_limit_secs));
        let now = run.now;
        Ok(CallRecord {
            sid: CallSid::generate(),
            account_sid: run.c.account_sid.clone(),
            parent_call_sid: Some(run.c.sid.clone()),
            to_number: to.as_str().to_owned(),
            from_number: from,
            phone_number_sid: None,
            status: CallStatus::Queued,
            direction: CallDirection::OutboundDial,
            url,
            twiml,
            application_sid: None,
            method: number.method,
            status_callback,
            status_callback_method: number.status_callback_method,
            status_callback_events: events,
            callback_signer_sid: run.c.callback_signer_sid.clone(),
            timeout_secs: i64::from(d.timeout_secs),
            record: false,
            end_status: plan.end.status(),
            ring_secs: i64::from(plan.ring_secs),
            talk_secs: talk,
            next_transition_at: Some(run.speed.due_after(now, simulator::QUEUE_SECS)),
            start_time: None,
            end_time: None,
            duration: None,
            price_micros: None,
            date_created: now,
            date_updated: now,
            machine_detection: None,
            answered_by: None,
            peer_call_sid: None,
        })
    }

    /// The `<Dial>` is over, with the leg that tells how (`None` when
    /// nothing was dialled) and the `DialCallStatus`: the `action` gets the
    /// outcome, or the document goes on.
    pub(super) async fn end_dial(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
        leg: Option<&CallRecord>,
        status: CallStatus,
    ) -> DomainResult<()> {
        run.v.phase = phase::RUNNING.to_owned();
        run.v.awaiting = None;
        run.v.since = None;
        // `<Dial record>`: the leg's recording (record.rs).
        let recorded = match leg {
            Some(leg) => self.record_dial(tx, run, d, leg).await?,
            None => Vec::new(),
        };
        let Some(action) = &d.action else {
            run.v.position += 1;
            return Ok(());
        };
        let url = run.resolve(action);
        let Some(url) = self.url_or_hang_up(tx, run, "<Dial action>", url).await? else {
            return Ok(());
        };
        let mut params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
        params.push(("DialCallStatus".into(), status.as_str().to_owned()));
        if let Some(leg) = leg {
            params.push(("DialCallSid".into(), leg.sid.to_string()));
            params.push((
                "DialCallDuration".into(),
                leg.duration.unwrap_or(0).to_string(),
            ));
        }
        params.extend(recorded);
        self.request_document(
            tx,
            run,
            WebhookKind::VoiceAction,
            (d.method, url),
            params,
            None,
        )
        .await
    }

    /// A call ended: if it was a leg its parent waits for, its parent goes
    /// on once no leg is left ringing or talking, in the transaction of the
    /// leg's end. `true` when a webhook was queued.
    pub(crate) async fn dial_leg_ended(&self, tx: &mut Tx, leg: &CallRecord) -> DomainResult<bool> {
        let (CallDirection::OutboundDial, Some(parent)) = (leg.direction, &leg.parent_call_sid)
        else {
            return Ok(false);
        };
        let now = leg.end_time.unwrap_or(leg.date_updated);
        let speed = self.settings().telephony.speed;
        let awaits = |call: &CallRecord, voice: &CallVoiceRecord| {
            voice.phase == phase::DIALING
                && DialLegs::decode(voice.awaiting.as_deref()).is_pending(leg.sid.as_str())
                && call.status.stage() == CallStage::InProgress
        };
        let Some(mut run) = Run::claim_awaiting(tx, parent, now, speed, awaits).await? else {
            return Ok(false);
        };
        let mut legs = DialLegs::decode(run.v.awaiting.as_deref());
        for (sid, ended) in &mut legs.legs {
            if sid == leg.sid.as_str() {
                *ended = Some(leg.status);
            }
        }
        let answered = leg.status == CallStatus::Completed;
        if !answered && legs.pending().next().is_some() {
            // Others still ring.
            run.v.awaiting = Some(legs.encode());
            self.save_claimed(tx, &mut run).await?;
            return Ok(run.hooked);
        }
        let Some(d) = super::current_dial(&run.v) else {
            run.v.phase = phase::RUNNING.to_owned();
            run.c.next_transition_at = Some(now);
            self.save_claimed(tx, &mut run).await?;
            return Ok(run.hooked);
        };
        // The parent waited while the leg rang and talked.
        run.v.elapsed_secs += leg.ring_secs + leg.duration.unwrap_or(0);
        let (status, told) = if answered || legs.legs.len() == 1 {
            (leg.status, Some(leg.clone()))
        } else {
            // DialCallSid names the first <Number>'s leg.
            let first = legs
                .legs
                .first()
                .and_then(|(sid, _)| CallSid::parse(sid).ok())
                .filter(|sid| *sid != leg.sid);
            let first = match first {
                Some(sid) => tx.opt(calls::by_sid(&sid)).await?,
                None => Some(leg.clone()),
            };
            (legs.unanswered_status(), first)
        };
        self.end_dial(tx, &mut run, &d, told.as_ref(), status)
            .await?;
        // The document goes on in the simulator's next round.
        if run.v.phase == phase::RUNNING {
            run.c.next_transition_at = Some(now);
        }
        self.save_claimed(tx, &mut run).await?;
        Ok(run.hooked)
    }

    /// A `<Dial>` leg is about to answer: it is connected only if no other
    /// leg of its `<Dial>` was first, and then the others are canceled.
    /// `false` when it lost (it is canceled, in its own transaction).
    pub(crate) async fn dial_race(&self, leg: &CallRecord, now: Timestamp) -> DomainResult<bool> {
        let Some(parent) = &leg.parent_call_sid else {
            return Ok(true);
        };
        let Some(voice) = self.store().opt(call_voice::of_call(parent)).await? else {
            return Ok(true);
        };
        let legs = DialLegs::decode(voice.awaiting.as_deref());
        let won = voice.phase == phase::DIALING && legs.is_pending(leg.sid.as_str());
        if won && legs.pending().all(|s| s == leg.sid.as_str()) {
            return Ok(true);
        }
        let mut tx = self.store().begin().await?;
        if !won {
            // The parent moved on (it hung up, or was given a new document).
            self.end_call_now(&mut tx, leg.clone(), CallStatus::Canceled, Some(0), now)
                .await?;
            tx.commit().await?;
            return Ok(false);
        }
        let speed = self.settings().telephony.speed;
        let awaits = |call: &CallRecord, voice: &CallVoiceRecord| {
            voice.phase == phase::DIALING
                && DialLegs::decode(voice.awaiting.as_deref()).is_pending(leg.sid.as_str())
                && call.status.stage() == CallStage::InProgress
        };
        let Some(mut run) = Run::claim_awaiting(&mut tx, parent, now, speed, awaits).await? else {
            // The parent moved on meanwhile: the next round cancels the leg.
            return Ok(false);
        };
        // Read again in the claim: another leg may have ended meanwhile.
        let others: Vec<String> = DialLegs::decode(run.v.awaiting.as_deref())
            .pending()
            .filter(|s| *s != leg.sid.as_str())
            .map(str::to_owned)
            .collect();
        run.v.awaiting = Some(leg.sid.to_string());
        // The parent changed meanwhile: nothing is committed (the
        // transaction is dropped), the leg is still due, and the next
        // round reads both again.
        if !self.save_run(&mut tx, &mut run).await? {
            return Ok(false);
        }
        let mut hooked = run.hooked;
        let others = DialLegs {
            legs: others.into_iter().map(|s| (s, None)).collect(),
        };
        hooked |= self.end_legs(&mut tx, &others, now).await?;
        tx.commit().await?;
        if hooked {
            self.wake_deliveries();
        }
        Ok(true)
    }

    /// Ends the legs still ringing or talking (in `tx`): a ringing leg is
    /// canceled, a talking one hangs up. `true` when a webhook was queued.
    pub(crate) async fn end_legs(
        &self,
        tx: &mut Tx,
        legs: &DialLegs,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let mut hooked = false;
        for sid in legs.pending() {
            let Ok(sid) = CallSid::parse(sid) else {
                continue;
            };
            let end = |leg: &CallRecord| match leg.status.stage() {
                CallStage::Ended => None,
                CallStage::InProgress => Some((CallStatus::Completed, None)),
                _ => Some((CallStatus::Canceled, None)),
            };
            hooked |= self
                .end_live_call(tx, &sid, now, end)
                .await?
                .unwrap_or(false);
        }
        Ok(hooked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legs_read_back_as_written() {
        let mut legs = DialLegs::default();
        legs.legs.push(("CA1".into(), None));
        legs.legs.push(("CA2".into(), Some(CallStatus::Busy)));
        assert_eq!(DialLegs::decode(Some(&legs.encode())), legs);
        assert!(legs.is_pending("CA1"));
        assert!(!legs.is_pending("CA2"));
        legs.legs[0].1 = Some(CallStatus::NoAnswer);
        assert_eq!(legs.unanswered_status(), CallStatus::NoAnswer);
        legs.legs[0].1 = Some(CallStatus::Failed);
        assert_eq!(legs.unanswered_status(), CallStatus::Busy);
    }
}
