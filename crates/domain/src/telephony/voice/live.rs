//! Live call modification: `POST …/Calls/{Sid}.json` with `Url` (and
//! `Method`) or `Twiml` on a call in progress interrupts the current verb
//! and runs the new document.

use switchboard_store::Tx;
use switchboard_store::call_voice;
use switchboard_store::calls::CallRecord;
use switchboard_types::{CallStatus, HookMethod, Timestamp};

use super::{DialLegs, QueueResult, Run, elapsed_by, params, phase, planned};
use crate::Switchboard;
use crate::delivery::WebhookKind;
use crate::error::DomainResult;
use crate::telephony::simulator::elapsed_sim_secs;

/// What a live call is given instead of its document.
#[derive(Clone)]
pub(crate) enum NewDocument {
    Url(String, HookMethod),
    Twiml(String),
}

impl Switchboard {
    /// Runs `new` on a call in progress, in `tx`: what the current verb has
    /// yet to play is not played (nor counted), a request under way is no
    /// longer awaited. A call that talked as planned (no document) starts
    /// running one. `None` when the call changed meanwhile (try again);
    /// otherwise the call, and whether a webhook was queued.
    pub(crate) async fn run_new_document(
        &self,
        tx: &mut Tx,
        call: CallRecord,
        new: NewDocument,
        now: Timestamp,
    ) -> DomainResult<Option<(CallRecord, bool)>> {
        let speed = self.settings().telephony.speed;
        // Out of its queue, or its queue bridge, first (queue.rs).
        let left_queue = self
            .queue_call_left(tx, &call, QueueResult::Redirected, now)
            .await?;
        let voice = match tx.opt(call_voice::of_call(&call.sid)).await? {
            Some(v) => v,
            None => {
                let mut probe = call.clone();
                probe.twiml = Some(String::new());
                let Some(mut v) = planned(&probe, None, now) else {
                    return Ok(None);
                };
                v.phase = phase::RUNNING.to_owned();
                // Talked so far: since it was answered (its start is when
                // it began to ring).
                let since_ringing = elapsed_sim_secs(speed, call.start_time.unwrap_or(now), now);
                v.elapsed_secs = since_ringing
                    .saturating_sub(call.ring_secs)
                    .clamp(0, call.talk_secs.max(0));
                tx.run(call_voice::insert(&v)).await?;
                v
            }
        };
        // A <Dial> under way is over: its legs hang up.
        let legs =
            (voice.phase == phase::DIALING).then(|| DialLegs::decode(voice.awaiting.as_deref()));
        let Some(mut run) = Run::claim(tx, call, voice, now, speed).await? else {
            return Ok(None);
        };
        // A call in a conference leaves it (also one running its wait or
        // hold document there).
        run.hooked |= self
            .leave_conference(tx, &run.c.sid, super::Leaving::Left, now)
            .await?;
        run.v.elapsed_secs = elapsed_by(&run.v, run.c.next_transition_at, now, speed);
        run.v.since = None;
        run.v.awaiting = None;
        run.c.next_transition_at = None;
        match new {
            NewDocument::Twiml(twiml) => {
                run.v.documents += 1;
                if self
                    .take_document(tx, &mut run, twiml.as_bytes(), Some("text/xml"), None, None)
                    .await?
                {
                    self.run_verbs(tx, &mut run).await?;
                } else {
                    self.hang_up(&mut run);
                }
            }
            NewDocument::Url(url, method) => {
                run.c.url = Some(url.clone());
                let params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
                self.request_document(
                    tx,
                    &mut run,
                    WebhookKind::VoiceRedirect,
                    (method, url),
                    params,
                    None,
                )
                .await?;
            }
        }
        // The call changed meanwhile: `None` tells the caller
        // (`update_call`, through `guarded`) to drop the transaction and
        // read it again.
        if !self.save_run(tx, &mut run).await? {
            return Ok(None);
        }
        if let Some(legs) = &legs {
            run.hooked |= self.end_legs(tx, legs, now).await?;
        }
        Ok(Some((run.c, run.hooked || left_queue)))
    }
}
