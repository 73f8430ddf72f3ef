//! Calls between numbers of this Switchboard: a call placed (or a `<Dial>`
//! leg) to a number owned here, in the caller's world, rings that number as
//! an inbound call in its owner's account, answered by the number's voice
//! webhook (or its voice application's). The two calls name each other
//! (`calls.peer_call_sid`, migration 0024): the caller's side waits while
//! the inbound call rings, answers when the inbound call's TwiML answers
//! (its first verb that is not `<Reject>`), ends as the inbound call ends
//! when that one is never answered (`busy`, `no-answer`…), and once both
//! talk, whichever side ends first ends the other.
//!
//! Every change to the other side is made in the transaction of the change
//! that causes it, guarded by the other call's status.

use switchboard_store::Tx;
use switchboard_store::applications as app_store;
use switchboard_store::call_voice;
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::phone_numbers::{self, PhoneNumberRecord};
use switchboard_telephony::outcome;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_twiml::{VoiceVerb, parse_voice};
use switchboard_types::{
    CallDirection, CallEvent, CallEvents, CallSid, CallStage, CallStatus, Timestamp,
};

use super::dial::DialLegs;
use super::gather::CallInput;
use super::{phase, planned};
use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::{CallField, DomainResult, Problem, invalid};
use crate::telephony::Call;
use crate::telephony::inbound::webhook_signer;
use crate::telephony::simulator::{self, call_event};

/// Who rings a number of this Switchboard.
pub(crate) struct Caller<'a> {
    /// The calling number (the inbound call's `From`).
    pub from: &'a str,
    /// The call on the other side, when a call of this Switchboard rings;
    /// `None` for a simulated handset.
    pub call: Option<&'a CallRecord>,
    /// Keys the caller presses at once, queued for the first `<Gather>`.
    pub input: CallInput,
}

impl Switchboard {
    /// An inbound call to `number` starts ringing, in `tx`: stored in the
    /// number's account, answered by the TwiML of the number's voice
    /// application (when it has one) or its `VoiceUrl`, with
    /// `VoiceFallbackUrl` on failure, and signed as the number's other
    /// webhooks are. A number with no voice URL is answered by nothing: it
    /// rings for the caller's timeout and ends `no-answer`. The caller
    /// wakes the simulator once `tx` commits.
    pub(crate) async fn ring_number(
        &self,
        tx: &mut Tx,
        number: &PhoneNumberRecord,
        caller: Caller<'_>,
        now: Timestamp,
    ) -> DomainResult<CallRecord> {
        let account = &number.account_sid;
        let signer = webhook_signer(tx, account).await?;
        let application = match &number.hooks.voice_application_sid {
            Some(sid) => tx.opt(app_store::of_account(account, sid)).await?,
            None => None,
        };
        let hooks = &number.hooks;
        let (url, method, fallback, status_callback, status_callback_method) = match &application {
            Some(a) => (
                a.voice_url.clone(),
                a.voice_method,
                a.voice_fallback_url
                    .clone()
                    .map(|u| (u, a.voice_fallback_method)),
                a.status_callback.clone(),
                a.status_callback_method,
            ),
            None => (
                hooks.voice_url.clone(),
                hooks.voice_method,
                hooks
                    .voice_fallback_url
                    .clone()
                    .map(|u| (u, hooks.voice_fallback_method)),
                hooks.status_callback.clone(),
                hooks.status_callback_method,
            ),
        };
        let timeout = caller
            .call
            .map_or(i64::from(outcome::DEFAULT_TIMEOUT_SECS), |c| c.timeout_secs);
        let plan = PhoneNumber::parse(&number.phone_number)
            .ok()
            .map(|to| outcome::plan_call(&to, u32::try_from(timeout).unwrap_or(60)));
        let (plan_end, plan_ring, plan_talk) = plan.map_or((CallStatus::Completed, 2, 30), |p| {
            (
                p.end.status(),
                i64::from(p.ring_secs),
                i64::from(p.talk_secs),
            )
        });
        let speed = self.settings().telephony.speed;
        let answered_by_someone = url.is_some();
        let mut call = CallRecord {
            sid: CallSid::generate(),
            account_sid: account.clone(),
            parent_call_sid: None,
            to_number: number.phone_number.clone(),
            from_number: caller.from.to_owned(),
            phone_number_sid: Some(number.sid.clone()),
            status: CallStatus::Ringing,
            direction: CallDirection::Inbound,
            url,
            twiml: None,
            application_sid: application.map(|a| a.sid),
            method,
            status_callback,
            status_callback_method,
            status_callback_events: CallEvents::empty().with(CallEvent::Completed),
            callback_signer_sid: signer,
            timeout_secs: timeout,
            record: false,
            // A documentation URL talks as planned; no URL at all: nothing
            // picks up.
            end_status: if answered_by_someone {
                plan_end
            } else {
                CallStatus::NoAnswer
            },
            ring_secs: if answered_by_someone {
                plan_ring
            } else {
                timeout
            },
            talk_secs: plan_talk,
            next_transition_at: None,
            start_time: Some(now),
            end_time: None,
            duration: None,
            price_micros: None,
            date_created: now,
            date_updated: now,
            machine_detection: None,
            answered_by: None,
            peer_call_sid: caller.call.map(|c| c.sid.clone()),
        };
        let voice = planned(&call, fallback, now).map(|mut v| {
            v.input = caller.input.encode();
            v
        });
        call.next_transition_at = Some(match &voice {
            // Its webhook is requested at once.
            Some(_) => {
                call.end_status = CallStatus::Completed;
                now
            }
            None => speed.due_after(now, call.ring_secs),
        });
        tx.run(calls::insert_many(std::slice::from_ref(&call)))
            .await?;
        if let Some(v) = &voice {
            tx.run(call_voice::insert(v)).await?;
        }
        Ok(call)
    }

    /// A call of this Switchboard starts ringing (in `tx`, before it is
    /// saved): if its `To` is a voice number owned in its world, that
    /// number rings as an inbound call, and `call` waits for it (its next
    /// step is the inbound call's to cause). `true` when it did.
    pub(crate) async fn ring_here(&self, tx: &mut Tx, call: &mut CallRecord) -> DomainResult<bool> {
        if call.direction == CallDirection::Inbound {
            return Ok(false);
        }
        // Only in the caller's world: two sandboxes may hold the same number.
        let Some(number) = tx
            .opt(phone_numbers::in_world_of(
                &call.account_sid,
                &call.to_number,
            ))
            .await?
            .filter(|n| n.voice_capable)
        else {
            return Ok(false);
        };
        let now = call.date_updated;
        let input = send_digits(call);
        let inbound = self
            .ring_number(
                tx,
                &number,
                Caller {
                    from: &call.from_number,
                    call: Some(call),
                    input,
                },
                now,
            )
            .await?;
        tx.run(calls::set_peer(&call.sid, &inbound.sid)).await?;
        call.peer_call_sid = Some(inbound.sid);
        call.next_transition_at = None;
        Ok(true)
    }

    /// An inbound call was answered (in `tx`): the call that rang it is due
    /// to answer too (it does so in its own step, which runs its TwiML).
    pub(crate) async fn answer_peer(
        &self,
        tx: &mut Tx,
        answered: &CallRecord,
        now: Timestamp,
    ) -> DomainResult<()> {
        let Some(sid) = &answered.peer_call_sid else {
            return Ok(());
        };
        let Some(mut peer) = tx.opt(calls::by_sid(sid)).await? else {
            return Ok(());
        };
        if peer.status.stage() != CallStage::Ringing {
            return Ok(());
        }
        let was = peer.status;
        peer.next_transition_at = Some(now);
        peer.date_updated = now;
        tx.run(calls::advance(&peer, was)).await?;
        Ok(())
    }

    /// A call that rang a number here is due: the inbound call answered.
    /// It answers (a `<Dial>` leg only if it is the first of its `<Dial>`
    /// to), and runs its TwiML if it has any; otherwise it talks until one
    /// side hangs up. `true` when a webhook was queued.
    pub(crate) async fn step_ringing_caller(
        &self,
        call: CallRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(peer_sid) = call.peer_call_sid.clone() else {
            return Ok(false);
        };
        let peer = self.store().opt(calls::by_sid(&peer_sid)).await?;
        let answered = peer.is_some_and(|p| p.status.stage() == CallStage::InProgress);
        if !answered {
            // Not yet: the inbound call's answer (or end) moves it on.
            let mut next = call.clone();
            next.next_transition_at = None;
            self.store().run(calls::advance(&next, call.status)).await?;
            return Ok(false);
        }
        if call.direction == CallDirection::OutboundDial && !self.dial_race(&call, now).await? {
            return Ok(true);
        }
        if let Some(voice) = self.store().opt(call_voice::of_call(&call.sid)).await?
            && voice.phase == phase::WAITING
        {
            return self.step_voice(call, voice, now).await;
        }
        let mut next = call.clone();
        next.status = CallStatus::InProgress;
        next.next_transition_at = None;
        next.date_updated = now;
        let mut tx = self.store().begin().await?;
        // Answering machine detection, as on any call it answers.
        let mut hooked = crate::telephony::amd::detect(&mut tx, &mut next, now)
            .await?
            .hooked;
        if tx.run(calls::advance(&next, call.status)).await? == 0 {
            return Ok(false);
        }
        hooked |= call_event(&mut tx, &next, CallEvent::Answered, now).await?;
        tx.commit().await?;
        Ok(hooked)
    }

    /// A call ended (in `tx`, after it was saved): the call on the other
    /// side ends too, as it would on a real line. One never answered ends as
    /// the ended one did (`busy`, `no-answer`, `failed`, `canceled`; one
    /// that was answered and hung up at once: `completed`); one talking
    /// hangs up `completed`, having talked as long. `true` when a webhook
    /// was queued.
    pub(crate) async fn peer_ended(
        &self,
        tx: &mut Tx,
        ended: &CallRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(sid) = &ended.peer_call_sid else {
            return Ok(false);
        };
        let talked = ended.duration.unwrap_or(0);
        let end = |peer: &CallRecord| {
            Some(match (peer.status.stage(), ended.status) {
                (CallStage::InProgress, _) => (CallStatus::Completed, Some(talked.max(1))),
                (_, CallStatus::Completed) => (CallStatus::Completed, Some(talked.max(1))),
                (_, status) => (status, Some(0)),
            })
        };
        Ok(Box::pin(self.end_live_call(tx, sid, now, end))
            .await?
            .unwrap_or(false))
    }

    /// Ends the call `sid` now (in `tx`) as `end` decides from the call as
    /// read (`None`: leave it), unless it has ended; reads it again when
    /// another transaction changed it between the read and the update (on
    /// PostgreSQL that update waited for the other to commit, so the next
    /// read sees it), as [`Run::claim_awaiting`](super::Run::claim_awaiting)
    /// does: the other side of a call, or a `<Dial>`'s leg, must not be
    /// left talking because it answered at that moment. `Some(hooked)` when
    /// it ended it.
    pub(crate) async fn end_live_call(
        &self,
        tx: &mut Tx,
        sid: &CallSid,
        now: Timestamp,
        end: impl Fn(&CallRecord) -> Option<(CallStatus, Option<i64>)>,
    ) -> DomainResult<Option<bool>> {
        for _ in 0..super::CLAIM_TRIES {
            let Some(call) = tx.opt(calls::by_sid(sid)).await? else {
                return Ok(None);
            };
            if call.status.is_final() {
                return Ok(None);
            }
            let Some((status, talked)) = end(&call) else {
                return Ok(None);
            };
            if let Some(hooked) =
                Box::pin(self.try_end_call_now(tx, call, status, talked, now)).await?
            {
                return Ok(Some(hooked));
            }
        }
        Err(crate::error::DomainError::Conflict(format!(
            "call {sid} kept changing while it was being ended"
        )))
    }

    /// Ends a live call now (in `tx`), with what follows any call's end:
    /// its charge and callback, its `<Dial>`'s parent going on, the other
    /// side of a call here, its own `<Dial>` legs. `talked`: the seconds
    /// it talked, or `None` for its timeline so far. `true` when a webhook
    /// was queued; `false` too when the call changed since it was read
    /// (nothing is done then: see [`Switchboard::end_live_call`]).
    pub(crate) async fn end_call_now(
        &self,
        tx: &mut Tx,
        call: CallRecord,
        status: CallStatus,
        talked: Option<i64>,
        now: Timestamp,
    ) -> DomainResult<bool> {
        Ok(self
            .try_end_call_now(tx, call, status, talked, now)
            .await?
            .unwrap_or(false))
    }

    /// [`Switchboard::end_call_now`], `None` when the call changed since it
    /// was read.
    async fn try_end_call_now(
        &self,
        tx: &mut Tx,
        call: CallRecord,
        status: CallStatus,
        talked: Option<i64>,
        now: Timestamp,
    ) -> DomainResult<Option<bool>> {
        // The conference a participant is in is locked before its call
        // (conference.rs).
        tx.run(switchboard_store::conferences::lock_of_call(&call.sid))
            .await?;
        let voice = tx.opt(call_voice::of_call(&call.sid)).await?;
        let talked = match talked {
            Some(t) => t,
            None if call.status.stage() == CallStage::InProgress => {
                self.talked_so_far(&call, voice.as_ref(), now)
            }
            None => 0,
        };
        let mut next = call.clone();
        self.end_call(&mut next, status, now, talked);
        if tx.run(calls::advance(&next, call.status)).await? == 0 {
            return Ok(None);
        }
        let mut hooked = self.finish_call(tx, &next, now).await?;
        hooked |= Box::pin(self.dial_leg_ended(tx, &next)).await?;
        if let Some(v) = voice.filter(|v| v.phase == phase::DIALING) {
            hooked |=
                Box::pin(self.end_legs(tx, &DialLegs::decode(v.awaiting.as_deref()), now)).await?;
        }
        Ok(Some(hooked))
    }

    /// Seconds a call in progress has talked by `now`: its executed
    /// timeline when it runs TwiML, otherwise the time since it was
    /// answered (at least 1, at most what it planned to).
    pub(crate) fn talked_so_far(
        &self,
        call: &CallRecord,
        voice: Option<&call_voice::CallVoiceRecord>,
        now: Timestamp,
    ) -> i64 {
        match voice {
            Some(v) => super::elapsed_by(
                v,
                call.next_transition_at,
                now,
                self.settings().telephony.speed,
            )
            .max(1),
            None => simulator::elapsed_sim_secs(
                self.settings().telephony.speed,
                call.start_time.unwrap_or(now),
                now,
            )
            .saturating_sub(call.ring_secs)
            .clamp(1, call.talk_secs.max(1)),
        }
    }
}

/// The keys a `<Dial>` leg sends once answered (`<Number sendDigits>`,
/// which the leg's inline document plays first), as input for the
/// `<Gather>` of the number it rings here. `w` (a pause) is no key.
fn send_digits(call: &CallRecord) -> CallInput {
    let digits = call
        .twiml
        .as_deref()
        .filter(|_| call.direction == CallDirection::OutboundDial)
        .and_then(|t| parse_voice(t.as_bytes(), Some("text/xml")).ok())
        .and_then(|d| match d.verbs.first() {
            Some(VoiceVerb::Play(p)) => p.digits.clone(),
            _ => None,
        })
        .unwrap_or_default();
    CallInput {
        digits: digits.chars().filter(|c| *c != 'w').collect(),
        speech: None,
    }
}

/// A call a simulated handset places to one of the account's numbers
/// (`POST /switchboard/v1/Accounts/{Sid}/InboundCalls.json`, the CLI).
#[derive(Debug, Clone, Default)]
pub struct IncomingCall {
    /// The handset's number (E.164).
    pub from: Option<String>,
    /// A number of the account.
    pub to: Option<String>,
    /// Keys the caller presses, queued for the first `<Gather>` (checked
    /// with [`check_input`](super::check_input)).
    pub digits: Option<CallInput>,
}

impl Switchboard {
    /// A simulated handset calls one of the target account's numbers: an
    /// inbound call rings there and the number's voice webhook answers it,
    /// as for a call from another number of this Switchboard.
    pub async fn receive_call(&self, access: &Access, new: &IncomingCall) -> DomainResult<Call> {
        access.require(Action::Write, Resource::Calls)?;
        let account = access.target_account()?.sid.clone();
        let required = |value: &Option<String>, field: CallField| {
            let value = value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| invalid(field, Problem::Missing))?;
            PhoneNumber::parse(value).map_err(|e| invalid(field, Problem::NotPhoneNumber(e)))
        };
        let to = required(&new.to, CallField::To)?;
        let from = required(&new.from, CallField::From)?;
        let number = self
            .store()
            .opt(phone_numbers::of_account_by_number(&account, to.as_str()))
            .await?
            .filter(|n| n.voice_capable)
            .ok_or_else(|| {
                invalid(
                    CallField::To,
                    Problem::NotOwned {
                        number: to.to_string(),
                        account: account.clone(),
                    },
                )
            })?;
        let now = self.now_for(access).await?;
        let mut tx = self.store().begin().await?;
        let call = self
            .ring_number(
                &mut tx,
                &number,
                Caller {
                    from: from.as_str(),
                    call: None,
                    input: new.digits.clone().unwrap_or_default(),
                },
                now,
            )
            .await?;
        tx.commit().await?;
        self.wake_simulator();
        tracing::info!(account = %account, call = %call.sid, "received a call");
        Ok(call.into())
    }
}
