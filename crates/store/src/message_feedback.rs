//! Message feedback (`…/Messages/{Sid}/Feedback.json`): whether the recipient
//! of a message sent with `ProvideFeedback=true` acted on it.

use switchboard_types::{AccountSid, FeedbackOutcome, MessageSid, Timestamp};

use crate::{Cols, Query, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    pub message_sid: MessageSid,
    pub account_sid: AccountSid,
    pub outcome: FeedbackOutcome,
    /// When the message was sent (the feedback exists from then on).
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

fn decode(c: &mut Cols<'_>) -> crate::Result<FeedbackRecord> {
    Ok(FeedbackRecord {
        message_sid: c.parsed(MessageSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        outcome: c.parsed(FeedbackOutcome::parse)?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(f: &FeedbackRecord) -> Statement<'_> {
    Statement::new(
        "INSERT INTO message_feedback (message_sid, account_sid, outcome, date_created, \
         date_updated) VALUES ($1, $2, $3, $4, $5)",
        params![
            &f.message_sid,
            &f.account_sid,
            f.outcome,
            f.date_created,
            f.date_updated
        ],
    )
}

/// The feedback of one message of one account (`None`: the message was sent
/// without `ProvideFeedback`, or is not the account's).
pub fn of_message<'a>(
    account: &'a AccountSid,
    message: &'a MessageSid,
) -> Query<'a, FeedbackRecord> {
    Query::new(
        "SELECT message_sid, account_sid, outcome, date_created, date_updated \
         FROM message_feedback WHERE account_sid = $1 AND message_sid = $2",
        params![account, message],
        decode,
    )
}

/// Sets the outcome: 1 row changed when the message has feedback.
pub fn set_outcome(f: &FeedbackRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE message_feedback SET outcome = $3, date_updated = $4 \
         WHERE account_sid = $1 AND message_sid = $2",
        params![&f.account_sid, &f.message_sid, f.outcome, f.date_updated],
    )
}

/// Deletes a message's feedback (before the message itself).
pub fn delete_of_message<'a>(account: &'a AccountSid, message: &'a MessageSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM message_feedback WHERE account_sid = $1 AND message_sid = $2",
        params![account, message],
    )
}
