//! Console sessions and sign-in throttling, in the database so that any node can
//! serve any request.

use switchboard_types::{AccountSid, AccountStatus, AccountType, Timestamp};

use crate::{Cols, Query, Statement, params};

/// A live session with who it belongs to.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user_id: String,
    pub email: String,
    pub account_sid: AccountSid,
    pub account_name: String,
    pub account_type: AccountType,
    pub account_status: AccountStatus,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// Stores a session under the hash of its cookie value: the database never holds
/// a usable cookie.
pub fn insert<'a>(
    id_hash: &'a [u8],
    user_id: &'a str,
    csrf_token: &'a str,
    now: Timestamp,
    expires: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        params![id_hash, user_id, csrf_token, now, expires],
    )
}

pub fn live(id_hash: &[u8], now: Timestamp) -> Query<'_, SessionRecord> {
    Query::new(
        "SELECT u.id, u.email, a.sid, a.friendly_name, a.type, a.status, s.csrf_token, s.expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN accounts a ON a.sid = u.account_sid \
         WHERE s.id_hash = $1 AND s.expires_at > $2",
        params![id_hash, now],
        |c: &mut Cols<'_>| {
            Ok(SessionRecord {
                user_id: c.text()?,
                email: c.text()?,
                account_sid: c.parsed(AccountSid::parse)?,
                account_name: c.text()?,
                account_type: c.parsed(AccountType::parse)?,
                account_status: c.parsed(AccountStatus::parse)?,
                csrf_token: c.text()?,
                expires_at: c.timestamp()?,
            })
        },
    )
}

pub fn delete(id_hash: &[u8]) -> Statement<'_> {
    Statement::new("DELETE FROM sessions WHERE id_hash = $1", params![id_hash])
}

pub fn delete_expired(now: Timestamp) -> Statement<'static> {
    Statement::new("DELETE FROM sessions WHERE expires_at <= $1", params![now])
}

pub fn record_failure(subject: &str, now: Timestamp) -> Statement<'_> {
    Statement::new(
        "INSERT INTO login_failures (subject, at) VALUES ($1, $2)",
        params![subject, now],
    )
}

/// Failed sign-ins for `subject` since `since`, counted up to `cap` (the query
/// stops there, so a flood of failures does not make counting slow).
pub fn failures_since(subject: &str, since: Timestamp, cap: i64) -> Query<'_, i64> {
    Query::new(
        "SELECT COUNT(*) FROM (SELECT 1 FROM login_failures WHERE subject = $1 AND at > $2 LIMIT $3) recent",
        params![subject, since, cap],
        |c| c.int(),
    )
}

/// The oldest failure in the window, to say when sign-in opens again.
pub fn oldest_failure_since(subject: &str, since: Timestamp) -> Query<'_, Option<i64>> {
    Query::new(
        "SELECT MIN(at) FROM login_failures WHERE subject = $1 AND at > $2",
        params![subject, since],
        |c| c.opt_int(),
    )
}

pub fn clear_failures(subject: &str) -> Statement<'_> {
    Statement::new(
        "DELETE FROM login_failures WHERE subject = $1",
        params![subject],
    )
}

pub fn forget_failures_before(before: Timestamp) -> Statement<'static> {
    Statement::new("DELETE FROM login_failures WHERE at < $1", params![before])
}

/// One (client address, email) pair's run of failed sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRun {
    pub failures: i64,
    pub last_failure_at: Timestamp,
    pub locked_until: Timestamp,
}

pub fn failure_run<'a>(address: &'a str, email: &'a str) -> Query<'a, FailureRun> {
    Query::new(
        "SELECT failures, last_failure_at, locked_until FROM sign_in_failures WHERE address = $1 AND email = $2",
        params![address, email],
        |c| {
            Ok(FailureRun {
                failures: c.int()?,
                last_failure_at: c.timestamp()?,
                locked_until: c.timestamp()?,
            })
        },
    )
}

/// Starts a pair's run; changes nothing (0 rows) when another request started
/// one first.
pub fn start_failure_run<'a>(address: &'a str, email: &'a str, run: &FailureRun) -> Statement<'a> {
    Statement::new(
        "INSERT INTO sign_in_failures (address, email, failures, last_failure_at, locked_until) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (address, email) DO NOTHING",
        params![
            address,
            email,
            run.failures,
            run.last_failure_at,
            run.locked_until
        ],
    )
}

/// Moves a pair's run from `seen` to `next`; changes nothing (0 rows) when
/// another request moved it since it was read, so that concurrent attempts
/// cannot all pass one check.
pub fn advance_failure_run<'a>(
    address: &'a str,
    email: &'a str,
    seen: &FailureRun,
    next: &FailureRun,
) -> Statement<'a> {
    Statement::new(
        "UPDATE sign_in_failures SET failures = $3, last_failure_at = $4, locked_until = $5 \
         WHERE address = $1 AND email = $2 AND failures = $6 AND last_failure_at = $7",
        params![
            address,
            email,
            next.failures,
            next.last_failure_at,
            next.locked_until,
            seen.failures,
            seen.last_failure_at
        ],
    )
}

pub fn clear_failure_run<'a>(address: &'a str, email: &'a str) -> Statement<'a> {
    Statement::new(
        "DELETE FROM sign_in_failures WHERE address = $1 AND email = $2",
        params![address, email],
    )
}

pub fn forget_failure_runs_before(before: Timestamp) -> Statement<'static> {
    Statement::new(
        "DELETE FROM sign_in_failures WHERE last_failure_at < $1",
        params![before],
    )
}
