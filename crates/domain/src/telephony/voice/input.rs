//! Caller input (`POST /switchboard/v1/Accounts/{AccountSid}/Calls/{CallSid}/Input.json`):
//! keys and speech for the call's current `<Gather>`, or queued for its next.

use switchboard_store::Tx;
use switchboard_store::call_voice;
use switchboard_store::calls;
use switchboard_types::{CallSid, CallStage, CallStatus, Timestamp};

use super::gather::{self, CallInput, Taken};
use super::{DialLegs, Run, current_dial, current_gather, phase};
use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::{CallField, DomainError, DomainResult, Problem, invalid};
use crate::telephony::Call;

/// The longest input one request gives.
const MAX_INPUT: usize = 256;

/// Checks input as a request gives it: keys among `0`–`9`, `*` and `#`,
/// speech of at most [`MAX_INPUT`] characters, a confidence from 0 to 1.
pub fn check_input(
    digits: Option<&str>,
    speech: Option<&str>,
    confidence: Option<&str>,
) -> DomainResult<CallInput> {
    let digits = digits.unwrap_or_default().trim();
    if let Some(bad) = digits
        .chars()
        .find(|c| !(c.is_ascii_digit() || *c == '*' || *c == '#'))
    {
        return Err(invalid(
            CallField::Input,
            Problem::NotOneOf {
                allowed: vec!["0-9", "*", "#"],
                given: bad.to_string(),
            },
        ));
    }
    let speech = speech.map(str::trim).filter(|s| !s.is_empty());
    for text in [digits, speech.unwrap_or_default()] {
        if text.chars().count() > MAX_INPUT {
            return Err(invalid(
                CallField::Input,
                Problem::TooLong { max: MAX_INPUT },
            ));
        }
    }
    let confidence = match confidence.map(str::trim).filter(|c| !c.is_empty()) {
        None => gather::DEFAULT_CONFIDENCE.to_owned(),
        Some(c) => match c.parse::<f64>() {
            Ok(f) if (0.0..=1.0).contains(&f) => c.to_owned(),
            _ => {
                return Err(invalid(
                    CallField::Input,
                    Problem::OutOfRange { min: 0, max: 1 },
                ));
            }
        },
    };
    let input = CallInput {
        digits: digits.to_owned(),
        speech: speech.map(|s| (s.to_owned(), confidence)),
    };
    if input.is_empty() {
        return Err(invalid(CallField::Input, Problem::Missing));
    }
    Ok(input)
}

impl Switchboard {
    /// Gives a call the caller's input: its current `<Gather>` takes it if
    /// it completes it (its `action` is requested at once), otherwise it
    /// waits, queued, for more keys or the next `<Gather>`.
    pub async fn give_call_input(
        &self,
        access: &Access,
        sid: &CallSid,
        input: CallInput,
    ) -> DomainResult<Call> {
        access.require(Action::Write, Resource::Calls)?;
        let account = access.target_account()?.sid.clone();
        let speed = self.settings().telephony.speed;
        let offset = self.offset_for(access).await?;
        for _ in 0..3 {
            // Read in the transaction that changes them: a request that
            // follows another's input at once must see it (a reader's
            // snapshot may not yet, and every retry would fail alike).
            let mut tx = self.store().begin().await?;
            // The engine row first, then the call, read once: see
            // `Run::claim_read`.
            let voice = tx.opt(call_voice::of_call(sid)).await?;
            let call = tx
                .opt(calls::of_account(&account, sid))
                .await?
                .ok_or(DomainError::NotFound)?;
            if call.status.is_final() {
                return Err(invalid(CallField::Input, Problem::NotInProgress));
            }
            let Some(voice) = voice else {
                return Err(DomainError::Conflict(
                    "This call runs no TwiML (it has no Url, Twiml or ApplicationSid Switchboard requests), so nothing takes input".into(),
                ));
            };
            if voice.phase == phase::ENDED {
                return Err(invalid(CallField::Input, Problem::NotInProgress));
            }
            let now = Timestamp::now().plus_micros(offset);
            if voice.phase == phase::DIALING
                && input.digits.contains('*')
                && current_dial(&voice).is_some_and(|d| d.hangup_on_star)
                && let Some((call, hooked)) = self.hang_up_on_star(&mut tx, &voice, now).await?
            {
                tx.commit().await?;
                if hooked {
                    self.wake_deliveries();
                }
                self.wake_simulator();
                return Ok(call.into());
            }
            let Some(mut run) = Run::claim_read(&mut tx, call, voice, now, speed).await? else {
                continue;
            };
            let queued = CallInput::decode(&run.v.input).then(input.clone());
            run.v.input = queued.encode();
            if run.v.phase == phase::GATHERING
                && let Some(g) = current_gather(&run.v)
            {
                match gather::take(&g, &queued) {
                    Taken::Partial => {
                        // More keys may follow, until the timeout passes.
                        run.c.next_transition_at =
                            Some(speed.due_after(now, i64::from(g.timeout_secs)));
                    }
                    Taken::Nothing => {}
                    complete => {
                        run.c.next_transition_at = None;
                        self.end_gather(&mut tx, &mut run, &g, complete, false)
                            .await?;
                        self.run_verbs(&mut tx, &mut run).await?;
                    }
                }
            }
            // A key of its `finishOnKey` ends a `<Record>` under way.
            if run.v.phase == phase::RECORDING && self.record_input(&mut tx, &mut run).await? {
                self.run_verbs(&mut tx, &mut run).await?;
            }
            // The call changed meanwhile: nothing is committed (the
            // transaction is dropped) and the loop reads it again.
            if !self.save_run(&mut tx, &mut run).await? {
                continue;
            }
            tx.commit().await?;
            if run.hooked {
                self.wake_deliveries();
            }
            self.wake_simulator();
            return Ok(run.c.into());
        }
        Err(DomainError::Conflict(
            "The call changed while its input was being given; try again".into(),
        ))
    }

    /// `<Dial hangupOnStar>`: the caller pressed `*` while connected, so
    /// the connected leg hangs up and the call goes on after its `<Dial>`
    /// (the keys of that input are not queued). `None` when no leg was
    /// connected yet (the keys are then queued as any). With the call as it
    /// is then, and whether a webhook was queued; the caller commits `tx`.
    async fn hang_up_on_star(
        &self,
        tx: &mut Tx,
        voice: &call_voice::CallVoiceRecord,
        now: Timestamp,
    ) -> DomainResult<Option<(calls::CallRecord, bool)>> {
        let legs = DialLegs::decode(voice.awaiting.as_deref());
        let mut hooked = false;
        let mut ended = false;
        for sid in legs.pending() {
            let Ok(sid) = CallSid::parse(sid) else {
                continue;
            };
            // Only a connected leg: before, `*` is input like any other.
            let end = |leg: &calls::CallRecord| {
                (leg.status.stage() == CallStage::InProgress)
                    .then_some((CallStatus::Completed, None))
            };
            if let Some(h) = self.end_live_call(tx, &sid, now, end).await? {
                hooked |= h;
                ended = true;
            }
        }
        if !ended {
            return Ok(None);
        }
        let call = tx.opt(calls::by_sid(&voice.call_sid)).await?;
        Ok(call.map(|c| (c, hooked)))
    }
}
