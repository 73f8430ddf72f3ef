//! What follows a request for one of a call's documents: its answer run,
//! or its failure recorded (11200, 11750, 12100, 12300…) and the fallback
//! URL tried, then the call ended. It runs in the transaction that records
//! the request's last attempt, as a message's conversation does
//! (`telephony/conversation.rs`), so an answer is executed exactly once.

use switchboard_store::Tx;
use switchboard_store::call_voice::CallVoiceRecord;
use switchboard_store::calls::CallRecord;
use switchboard_types::{CallDirection, CallSid, CallStage, HookMethod, NotificationLevel};

use super::{Run, codes, phase};
use crate::Switchboard;
use crate::delivery::worker::{ANSWER_LIMIT, Finished};
use crate::delivery::{WebhookKind, decode_params};
use crate::error::DomainResult;
use crate::notifications;

/// The request a notification is about.
pub(crate) struct Request<'a> {
    pub finished: &'a Finished,
}

/// Records a notification on the call, with the request it is about when
/// there is one (as Twilio's debugger shows it: URL without the connection
/// overrides, method, parameters, the answer).
pub(crate) async fn report(
    tx: &mut Tx,
    run: &Run,
    request: Option<&Request<'_>>,
    code: u32,
    level: NotificationLevel,
    text: String,
) -> DomainResult<()> {
    let n = run.notice(code, level, text);
    let n = match request {
        Some(r) => n.about(r.finished),
        None => n,
    };
    notifications::record(tx, &n, run.now).await?;
    Ok(())
}

impl Switchboard {
    /// Follows the last attempt of a request for a call's document, inside
    /// the transaction that records it. A request the call no longer
    /// awaits (it ended, or was given another document) changes nothing.
    pub(crate) async fn follow_call_document(
        &self,
        tx: &mut Tx,
        f: &Finished,
        kind: WebhookKind,
    ) -> DomainResult<()> {
        let d = &f.delivery;
        let Some(sid) = d
            .resource_sid
            .as_deref()
            .and_then(|s| CallSid::parse(s).ok())
        else {
            return Ok(());
        };
        let speed = self.settings().telephony.speed;
        let awaits = |call: &CallRecord, voice: &CallVoiceRecord| {
            call.account_sid == d.account_sid
                && voice.phase == phase::FETCHING
                && voice.awaiting.as_deref() == Some(d.sid.as_str())
                // An inbound call rings until its document answers it.
                && match call.status.stage() {
                    CallStage::InProgress => true,
                    CallStage::Ringing => call.direction == CallDirection::Inbound,
                    _ => false,
                }
        };
        let Some(mut run) = Run::claim_awaiting(tx, &sid, f.completed_at, speed, awaits).await?
        else {
            return Ok(());
        };
        let request = Request { finished: f };
        let taken = self.read_answer(tx, &mut run, &request).await?;
        if taken {
            // Due at once: the simulator runs it.
            run.c.next_transition_at = Some(run.now);
        } else if !self.fall_back(tx, &mut run, f, kind).await? {
            self.hang_up(&mut run);
        }
        // The worker wakes the simulator and the deliveries once this commits.
        self.save_claimed(tx, &mut run).await?;
        Ok(())
    }

    /// Makes the answer the call's document; `false` (the problem
    /// recorded) when there is none to run.
    async fn read_answer(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        request: &Request<'_>,
    ) -> DomainResult<bool> {
        let f = request.finished;
        if f.state != "delivered" {
            let why = f.error.as_deref().unwrap_or("no answer");
            report(
                tx,
                run,
                Some(request),
                codes::HTTP_RETRIEVAL_FAILURE,
                NotificationLevel::Error,
                format!("HTTP retrieval failure: {why}"),
            )
            .await?;
            return Ok(false);
        }
        let Some(answer) = &f.answer else {
            return Ok(false);
        };
        if answer.too_large {
            report(
                tx,
                run,
                Some(request),
                codes::RESPONSE_TOO_LARGE,
                NotificationLevel::Error,
                format!(
                    "The response body is larger than the {ANSWER_LIMIT} bytes (64 kB) a TwiML document may have"
                ),
            )
            .await?;
            return Ok(false);
        }
        let url = f.delivery.url.clone();
        self.take_document(
            tx,
            run,
            &answer.body,
            answer.content_type.as_deref(),
            Some(&url),
            Some(request),
        )
        .await
    }

    /// A call's first request failed, or its answer could not run: the
    /// same request goes to the fallback URL, once. `false` when there is
    /// none to try.
    async fn fall_back(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        f: &Finished,
        kind: WebhookKind,
    ) -> DomainResult<bool> {
        let d = &f.delivery;
        let (WebhookKind::VoiceAnswer, Some(url)) = (kind, &d.fallback_url) else {
            return Ok(false);
        };
        let method = d
            .fallback_method
            .as_deref()
            .and_then(|m| HookMethod::parse(m).ok())
            .unwrap_or(HookMethod::Post);
        // The fallback stands in for the first request.
        run.v.documents -= 1;
        self.request_document(
            tx,
            run,
            WebhookKind::VoiceFallback,
            (method, url.clone()),
            decode_params(&d.params),
            None,
        )
        .await?;
        Ok(true)
    }
}
