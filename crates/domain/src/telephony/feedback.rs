//! Message feedback (`POST …/Messages/{Sid}/Feedback.json`), reached by
//! [`Switchboard::message_feedback`]: whether the recipient of a message
//! acted on it (entered the code it carried, followed its link).
//!
//! As Twilio's guide has it, a message gets its Feedback resource only when
//! it is sent with `ProvideFeedback=true`: it starts `unconfirmed`, in the
//! transaction that sends the message, and each `POST` sets its outcome
//! (`confirmed` by default). A message sent without it (an API message
//! without the flag, a TwiML reply, an inbound message) has no Feedback
//! resource, so posting one is "not found", as for a message that does not
//! exist. Feedback is written as the message is (`Resource::Messages`).

use switchboard_store::message_feedback::{self as store, FeedbackRecord};
use switchboard_types::{FeedbackOutcome, MessageSid};

use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::{DomainError, DomainResult, MessageField, Problem, invalid};

pub use switchboard_store::message_feedback::FeedbackRecord as MessageFeedback;

impl Switchboard {
    /// Message feedback, in the account an access names.
    pub fn message_feedback(&self) -> Feedback<'_> {
        Feedback { sb: self }
    }
}

/// The feedback of the messages of the account an access names.
pub struct Feedback<'a> {
    sb: &'a Switchboard,
}

/// `Outcome` as given: Twilio's default is `confirmed`.
pub fn parse_outcome(value: Option<&str>) -> DomainResult<FeedbackOutcome> {
    match value.map(str::trim) {
        None | Some("") => Ok(FeedbackOutcome::Confirmed),
        Some(v) => FeedbackOutcome::parse(v).map_err(|_| {
            invalid(
                MessageField::FeedbackOutcome,
                Problem::NotOneOf {
                    allowed: FeedbackOutcome::ALL.iter().map(|o| o.as_str()).collect(),
                    given: v.to_owned(),
                },
            )
        }),
    }
}

impl Feedback<'_> {
    /// Sets the outcome of a message's feedback; "not found" for a message
    /// of another account, or one sent without `ProvideFeedback`.
    pub async fn create(
        &self,
        access: &Access,
        message: &MessageSid,
        outcome: Option<&str>,
    ) -> DomainResult<MessageFeedback> {
        access.require(Action::Write, Resource::Messages)?;
        let account = access.target_account()?.sid.clone();
        let outcome = parse_outcome(outcome)?;
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let mut feedback: FeedbackRecord = tx
            .opt(store::of_message(&account, message))
            .await?
            .ok_or(DomainError::NotFound)?;
        feedback.outcome = outcome;
        feedback.date_updated = now;
        tx.run(store::set_outcome(&feedback)).await?;
        tx.commit().await?;
        tracing::info!(message = %message, outcome = %outcome, "message feedback");
        Ok(feedback)
    }
}
