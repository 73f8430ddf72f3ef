//! Opt-outs: recipients who answered STOP to a sender (a number, or a
//! Messaging Service's SID), and may not be sent to from it until they answer
//! START.

use switchboard_types::{AccountSid, Timestamp};

use crate::{Query, Statement, params};

/// Opts `recipient` out of messages from `sender` (again: nothing changes).
pub fn add<'a>(
    sender: &'a str,
    recipient: &'a str,
    account: &'a AccountSid,
    now: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "INSERT INTO opt_outs (sender, recipient, account_sid, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sender, recipient) DO NOTHING",
        params![sender, recipient, account, now],
    )
}

/// Opts `recipient` back in to messages from `sender`.
pub fn remove<'a>(sender: &'a str, recipient: &'a str) -> Statement<'a> {
    Statement::new(
        "DELETE FROM opt_outs WHERE sender = $1 AND recipient = $2",
        params![sender, recipient],
    )
}

/// Whether `recipient` opted out of `number`, or of `service` (the Messaging
/// Service the number sends for, if any).
pub fn opted_out<'a>(
    number: &'a str,
    service: Option<&'a str>,
    recipient: &'a str,
) -> Query<'a, bool> {
    Query::new(
        "SELECT COUNT(*) FROM opt_outs WHERE recipient = $1 AND sender IN ($2, $3)",
        params![recipient, number, service.unwrap_or(number)],
        |c| Ok(c.int()? > 0),
    )
}
