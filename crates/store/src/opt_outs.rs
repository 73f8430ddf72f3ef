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
        "INSERT INTO opt_outs (sender, recipient, account_sid, created_at, sandbox_sid) \
         VALUES ($1, $2, $3, $4, (SELECT a.sandbox_sid FROM accounts a WHERE a.sid = $3)) \
         ON CONFLICT DO NOTHING",
        params![sender, recipient, account, now],
    )
}

/// Opts `recipient` back in to messages from `sender`, in the world of
/// `account` (the sender's).
pub fn remove<'a>(account: &'a AccountSid, sender: &'a str, recipient: &'a str) -> Statement<'a> {
    Statement::new(
        "DELETE FROM opt_outs WHERE COALESCE(sandbox_sid, '') = \
         (SELECT COALESCE(a.sandbox_sid, '') FROM accounts a WHERE a.sid = $1) \
         AND sender = $2 AND recipient = $3",
        params![account, sender, recipient],
    )
}

/// Whether `recipient` opted out of `number`, or of `service` (the Messaging
/// Service the number sends for, if any), in the world of `account` (the
/// sender's): two sandboxes may hold the same number.
pub fn opted_out<'a>(
    account: &'a AccountSid,
    number: &'a str,
    service: Option<&'a str>,
    recipient: &'a str,
) -> Query<'a, bool> {
    Query::new(
        "SELECT COUNT(*) FROM opt_outs WHERE COALESCE(sandbox_sid, '') = \
         (SELECT COALESCE(a.sandbox_sid, '') FROM accounts a WHERE a.sid = $1) \
         AND recipient = $2 AND sender IN ($3, $4)",
        params![account, recipient, number, service.unwrap_or(number)],
        |c| Ok(c.int()? > 0),
    )
}
