//! Forced endings (sandbox mode): a test ends a call or message still in
//! flight the way it wants (`POST …/Calls/{Sid}/Outcome.json`,
//! `…/Messages/{Sid}/Outcome.json`), instead of picking the number that ends
//! so. The ending is played as the simulator plays its own: the same status
//! callbacks (with the steps the simulator would have shown on the way), the
//! same price and usage, in one transaction guarded by the status it was read
//! in.

use switchboard_store::calls;
use switchboard_store::messages::{self, MessageRecord};
use switchboard_telephony::outcome::MessageEnd;
use switchboard_types::{
    CallEvent, CallSid, CallStage, CallStatus, MessageSid, MessageStatus, Timestamp,
};

use super::simulator::{call_event, charge_message, message_event};
use super::{Call, Message};
use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::{DomainError, DomainResult};

/// How a test ends a call that has not been answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 4] = [
        CallOutcome::Busy,
        CallOutcome::NoAnswer,
        CallOutcome::Failed,
        CallOutcome::Canceled,
    ];

    pub const fn status(self) -> CallStatus {
        match self {
            CallOutcome::Busy => CallStatus::Busy,
            CallOutcome::NoAnswer => CallStatus::NoAnswer,
            CallOutcome::Failed => CallStatus::Failed,
            CallOutcome::Canceled => CallStatus::Canceled,
        }
    }

    /// The outcome a status names, if it is one.
    pub fn of(status: CallStatus) -> Option<CallOutcome> {
        Self::ALL.into_iter().find(|o| o.status() == status)
    }

    /// The simulator rings a call before it is busy or unanswered; it fails
    /// (or is canceled) without ringing.
    const fn rings_first(self) -> bool {
        matches!(self, CallOutcome::Busy | CallOutcome::NoAnswer)
    }
}

/// How a test ends a message still being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageOutcome {
    Undelivered,
    Failed,
}

impl MessageOutcome {
    pub const ALL: [MessageOutcome; 2] = [MessageOutcome::Undelivered, MessageOutcome::Failed];

    const fn end(self) -> MessageEnd {
        match self {
            MessageOutcome::Undelivered => MessageEnd::Undelivered,
            MessageOutcome::Failed => MessageEnd::Failed,
        }
    }

    pub const fn status(self) -> MessageStatus {
        self.end().status()
    }

    /// The outcome a status names, if it is one.
    pub fn of(status: MessageStatus) -> Option<MessageOutcome> {
        Self::ALL.into_iter().find(|o| o.status() == status)
    }
}

/// Twilio's messages for the messaging error codes a test is likely to force;
/// another code is shown without a message.
fn message_error_text(code: u32) -> Option<&'static str> {
    Some(match code {
        30001 => "Queue overflow",
        30002 => "Account suspended",
        30003 => "Unreachable destination handset",
        30004 => "Message blocked",
        30005 => "Unknown destination handset",
        30006 => "Landline or unreachable carrier",
        30007 => "Message filtered",
        30008 => "Unknown error",
        30009 => "Missing inbound segment",
        30010 => "Message price exceeds max price",
        _ => return None,
    })
}

/// Attempts before giving up on a call or message the simulator keeps moving.
const ATTEMPTS: usize = 3;

fn raced(what: &str) -> DomainError {
    DomainError::Conflict(format!(
        "The {what} changed while its outcome was being set; try again"
    ))
}

impl Switchboard {
    fn require_sandbox(&self) -> DomainResult<()> {
        match self.settings().sandbox {
            true => Ok(()),
            false => Err(DomainError::NotFound),
        }
    }

    /// Ends a call of the access's target account that has not been
    /// answered yet, as `outcome` says; `error_code` is added to its
    /// `completed` status callback as `ErrorCode`. A call already answered
    /// or ended is a conflict.
    pub async fn force_call_outcome(
        &self,
        access: &Access,
        sid: &CallSid,
        outcome: CallOutcome,
        error_code: Option<u32>,
    ) -> DomainResult<Call> {
        self.require_sandbox()?;
        access.require(Action::Write, Resource::Calls)?;
        let account = access.target_account()?.sid.clone();
        let extra: Vec<(&str, String)> = error_code
            .map(|c| ("ErrorCode", c.to_string()))
            .into_iter()
            .collect();
        let offset = self.offset_for(access).await?;
        for _ in 0..ATTEMPTS {
            let mut tx = self.store().begin().await?;
            let call = tx
                .opt(calls::of_account(&account, sid))
                .await?
                .ok_or(DomainError::NotFound)?;
            let stage = call.status.stage();
            match stage {
                CallStage::Queued | CallStage::Ringing => {}
                CallStage::InProgress => {
                    return Err(DomainError::Conflict(
                        "The call was answered: an answered call ends completed \
                         (POST …/Calls/{Sid}.json with Status=completed)"
                            .into(),
                    ));
                }
                CallStage::Ended => return Err(ended("call", call.status.as_str())),
            }
            let now = Timestamp::now().plus_micros(offset);
            let expected = call.status;
            let mut hooked = false;
            let mut next = call.clone();
            if stage == CallStage::Queued && outcome.rings_first() {
                next.status = CallStatus::Ringing;
                next.start_time = Some(now);
                next.date_updated = now;
                hooked |= call_event(&mut tx, &next, CallEvent::Ringing, now).await?;
            }
            self.end_call(&mut next, outcome.status(), now, 0);
            if tx.run(calls::advance(&next, expected)).await? == 0 {
                continue;
            }
            hooked |= self.finish_call_with(&mut tx, &next, now, &extra).await?;
            tx.commit().await?;
            if hooked {
                self.wake_deliveries();
            }
            tracing::info!(call = %sid, outcome = %next.status.as_str(), "forced a call's outcome");
            return Ok(next.into());
        }
        Err(raced("call"))
    }

    /// Ends a message of the access's target account still being sent, as
    /// `outcome` says, with `error_code` (else the simulator's own code for
    /// that ending). An undelivered message was sent first: if it had not
    /// been yet, it is sent now (its `sent` callback, price and usage), as
    /// the simulator would have. A failed one never left: it is not charged
    /// unless it already had been. A message that has finished is a
    /// conflict.
    pub async fn force_message_outcome(
        &self,
        access: &Access,
        sid: &MessageSid,
        outcome: MessageOutcome,
        error_code: Option<u32>,
    ) -> DomainResult<Message> {
        self.require_sandbox()?;
        access.require(Action::Write, Resource::Messages)?;
        let account = access.target_account()?.sid.clone();
        let offset = self.offset_for(access).await?;
        for _ in 0..ATTEMPTS {
            let mut tx = self.store().begin().await?;
            let m = tx
                .opt(messages::of_account(&account, sid))
                .await?
                .ok_or(DomainError::NotFound)?;
            let in_flight = m.next_transition_at.is_some()
                && matches!(
                    m.status,
                    MessageStatus::Queued | MessageStatus::Sending | MessageStatus::Sent
                );
            if !in_flight {
                return Err(ended("message", m.status.as_str()));
            }
            let now = Timestamp::now().plus_micros(offset);
            let mut next: MessageRecord = m.clone();
            next.date_updated = now;
            let mut hooked = false;
            if outcome == MessageOutcome::Undelivered && m.status != MessageStatus::Sent {
                let price = self.mark_sent(&mut next, now);
                charge_message(&mut tx, &next, price, now).await?;
                hooked |= message_event(&mut tx, &next, now).await?;
            }
            next.status = outcome.status();
            next.next_transition_at = None;
            let (code, text) = match error_code {
                Some(code) => (code, message_error_text(code)),
                None => match outcome.end().error_code() {
                    Some((code, text)) => (code, Some(text)),
                    None => return Err(DomainError::Internal("an ending without a code".into())),
                },
            };
            next.error_code = Some(i64::from(code));
            next.error_message = text.map(str::to_owned);
            if tx.run(messages::advance(&next, m.status)).await? == 0 {
                continue;
            }
            hooked |= message_event(&mut tx, &next, now).await?;
            tx.commit().await?;
            if hooked {
                self.wake_deliveries();
            }
            tracing::info!(message = %sid, outcome = %next.status.as_str(), "forced a message's outcome");
            return Ok(next.into());
        }
        Err(raced("message"))
    }
}

fn ended(what: &str, status: &str) -> DomainError {
    DomainError::Conflict(format!(
        "The {what} has already ended ({status}): only a {what} still in flight can be given an outcome"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_name_their_statuses_and_nothing_else() {
        for o in CallOutcome::ALL {
            assert_eq!(CallOutcome::of(o.status()), Some(o));
            assert!(o.status().is_final());
        }
        assert_eq!(CallOutcome::of(CallStatus::Completed), None);
        assert_eq!(CallOutcome::of(CallStatus::Ringing), None);
        for o in MessageOutcome::ALL {
            assert_eq!(MessageOutcome::of(o.status()), Some(o));
        }
        assert_eq!(MessageOutcome::of(MessageStatus::Delivered), None);
        assert_eq!(
            message_error_text(30003),
            MessageEnd::Undelivered.error_code().map(|e| e.1)
        );
        assert_eq!(
            message_error_text(30008),
            MessageEnd::Failed.error_code().map(|e| e.1)
        );
        assert_eq!(message_error_text(12345), None);
    }
}
