//! `<Dial>` with numbers: the dialled leg is a child call of its own
//! (`direction: outbound-dial`, `parent_call_sid`), planned and played out
//! as any outbound call; the parent waits (`phase: dialing`) until the leg
//! ends, then requests the `action` with `DialCallStatus`, `DialCallSid` and
//! `DialCallDuration`, or goes on with its document.

use switchboard_store::Tx;
use switchboard_store::call_voice::CallVoiceRecord;
use switchboard_store::calls::{self, CallRecord};
use switchboard_telephony::magic;
use switchboard_telephony::outcome;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_twiml::DialVerb;
use switchboard_types::{
    CallDirection, CallEvent, CallEvents, CallSid, CallStage, CallStatus, NotificationLevel,
};

use super::{Run, codes, params, phase};
use crate::Switchboard;
use crate::delivery::WebhookKind;
use crate::error::DomainResult;
use crate::telephony::simulator::{self, call_event};

/// Twilio's code for a `<Dial>` number it cannot call.
pub const INVALID_DIAL_NUMBER: u32 = 13224;

impl Switchboard {
    /// Reaching a `<Dial>`: its first number is called as a child leg; the
    /// call waits for the leg to end. When nothing can be dialled (the
    /// problem recorded), the `<Dial>` ends at once with `failed`.
    pub(crate) async fn start_dial(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
    ) -> DomainResult<()> {
        if d.numbers.len() > 1 {
            run.report(
                tx,
                codes::SCHEMA_VALIDATION,
                NotificationLevel::Warning,
                format!(
                    "<Dial> has {} numbers; Switchboard dials the first only",
                    d.numbers.len()
                ),
            )
            .await?;
        }
        let Some(first) = d.numbers.first() else {
            run.v.position += 1;
            return Ok(());
        };
        let to = match PhoneNumber::parse(&first.number) {
            Ok(to) if magic::check_to(&to, magic::Channel::Voice).is_none() => to,
            _ => {
                run.report(
                    tx,
                    INVALID_DIAL_NUMBER,
                    NotificationLevel::Warning,
                    format!(
                        "<Dial>: {:?} is not a number Switchboard can call",
                        first.number
                    ),
                )
                .await?;
                return self.end_dial(tx, run, d, None).await;
            }
        };
        let from = d
            .caller_id
            .clone()
            .unwrap_or_else(|| run.c.from_number.clone());
        let mut events = CallEvents::empty();
        for e in &first.status_callback_events {
            if let Ok(e) = CallEvent::parse(&e.to_ascii_lowercase()) {
                events = events.with(e);
            }
        }
        if events.is_empty() {
            events = events.with(CallEvent::Completed);
        }
        let status_callback = first
            .status_callback
            .as_deref()
            .and_then(|u| run.resolve(u).ok());
        let plan = outcome::plan_call(&to, d.timeout_secs);
        let talk = i64::from(plan.talk_secs).min(i64::from(d.time_limit_secs));
        let now = run.now;
        let leg = CallRecord {
            sid: CallSid::generate(),
            account_sid: run.c.account_sid.clone(),
            parent_call_sid: Some(run.c.sid.clone()),
            to_number: to.as_str().to_owned(),
            from_number: from,
            phone_number_sid: None,
            status: CallStatus::Queued,
            direction: CallDirection::OutboundDial,
            url: None,
            twiml: None,
            application_sid: None,
            method: first.method,
            status_callback,
            status_callback_method: first.status_callback_method,
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
        };
        tx.run(calls::insert_many(std::slice::from_ref(&leg)))
            .await?;
        run.hooked |= call_event(tx, &leg, CallEvent::Initiated, now).await?;
        run.v.phase = phase::DIALING.to_owned();
        run.v.awaiting = Some(leg.sid.to_string());
        run.v.since = Some(now);
        run.c.next_transition_at = None;
        Ok(())
    }

    /// The `<Dial>` is over (with its leg, or `None` when nothing was
    /// dialled): the `action` gets the outcome, or the document goes on.
    async fn end_dial(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
        leg: Option<&CallRecord>,
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
        match leg {
            Some(leg) => {
                params.push(("DialCallStatus".into(), leg.status.as_str().to_owned()));
                params.push(("DialCallSid".into(), leg.sid.to_string()));
                params.push((
                    "DialCallDuration".into(),
                    leg.duration.unwrap_or(0).to_string(),
                ));
            }
            None => params.push(("DialCallStatus".into(), CallStatus::Failed.as_str().into())),
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

    /// A call ended: if it was a `<Dial>`'s leg, its parent goes on, in the
    /// transaction of the leg's end. `true` when a webhook was queued.
    pub(crate) async fn dial_leg_ended(&self, tx: &mut Tx, leg: &CallRecord) -> DomainResult<bool> {
        let (CallDirection::OutboundDial, Some(parent)) = (leg.direction, &leg.parent_call_sid)
        else {
            return Ok(false);
        };
        let now = leg.end_time.unwrap_or(leg.date_updated);
        let speed = self.settings().telephony.speed;
        let awaits = |call: &CallRecord, voice: &CallVoiceRecord| {
            voice.phase == phase::DIALING
                && voice.awaiting.as_deref() == Some(leg.sid.as_str())
                && call.status.stage() == CallStage::InProgress
        };
        let Some(mut run) = Run::claim_awaiting(tx, parent, now, speed, awaits).await? else {
            return Ok(false);
        };
        let Some(d) = super::current_dial(&run.v) else {
            run.v.phase = phase::RUNNING.to_owned();
            run.c.next_transition_at = Some(now);
            self.save_run(tx, &mut run).await?;
            return Ok(run.hooked);
        };
        // The parent waited while the leg rang and talked.
        run.v.elapsed_secs += leg.ring_secs + leg.duration.unwrap_or(0);
        self.end_dial(tx, &mut run, &d, Some(leg)).await?;
        // The document goes on in the simulator's next round.
        if run.v.phase == phase::RUNNING {
            run.c.next_transition_at = Some(now);
        }
        self.save_run(tx, &mut run).await?;
        Ok(run.hooked)
    }
}
