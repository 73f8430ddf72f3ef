//! The webhook outbox: deliveries and their attempts.

use switchboard_types::{
    AccountSid, CallSid, ConnectAppSid, DeliverySid, MessageSid, SandboxSid, Timestamp,
};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Backend, Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub sid: DeliverySid,
    pub account_sid: AccountSid,
    pub kind: String,
    pub connect_app_sid: Option<String>,
    pub resource_sid: Option<String>,
    pub signing_account_sid: AccountSid,
    pub method: String,
    pub url: String,
    pub params: String,
    pub idempotency_token: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub created_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// Where a delivery that asks for TwiML turns when it fails.
    pub fallback_url: Option<String>,
    pub fallback_method: Option<String>,
    /// How many TwiML documents its message had fetched before this one.
    pub documents: i64,
}

impl Keyed for DeliveryRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.created_at.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! delivery_columns {
    () => {
        "sid, account_sid, kind, connect_app_sid, resource_sid, signing_account_sid, method, url, params, \
         idempotency_token, state, attempts, next_attempt_at, created_at, completed_at, last_status, last_error, \
         fallback_url, fallback_method, documents"
    };
}
// The console lists deliveries too, with the same columns.
pub(crate) use delivery_columns;

pub(crate) fn decode(c: &mut Cols<'_>) -> Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        sid: c.parsed(DeliverySid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        kind: c.text()?,
        connect_app_sid: c.opt_text()?,
        resource_sid: c.opt_text()?,
        signing_account_sid: c.parsed(AccountSid::parse)?,
        method: c.text()?,
        url: c.text()?,
        params: c.text()?,
        idempotency_token: c.text()?,
        state: c.text()?,
        attempts: c.int()?,
        next_attempt_at: c.timestamp()?,
        created_at: c.timestamp()?,
        completed_at: c.opt_timestamp()?,
        last_status: c.opt_int()?,
        last_error: c.opt_text()?,
        fallback_url: c.opt_text()?,
        fallback_method: c.opt_text()?,
        documents: c.int()?,
    })
}

pub fn insert(d: &DeliveryRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO deliveries (",
            delivery_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
        ),
        params![
            d.sid.as_str(),
            &d.account_sid,
            &d.kind,
            d.connect_app_sid.as_deref(),
            d.resource_sid.as_deref(),
            &d.signing_account_sid,
            &d.method,
            &d.url,
            &d.params,
            &d.idempotency_token,
            &d.state,
            d.attempts,
            d.next_attempt_at,
            d.created_at,
            d.completed_at,
            d.last_status,
            d.last_error.as_deref(),
            d.fallback_url.as_deref(),
            d.fallback_method.as_deref(),
            d.documents
        ],
    )
}

pub fn by_sid(sid: &DeliverySid) -> Query<'_, DeliveryRecord> {
    Query::new(
        concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM deliveries WHERE sid = $1"
        ),
        params![sid.as_str()],
        decode,
    )
}

/// Claims up to `limit` due deliveries for this worker until `lease_until`, so
/// that another worker (or node) does not send them too. PostgreSQL skips rows
/// another node is claiming at the same moment; SQLite has one writer anyway.
pub fn claim_due(
    backend: Backend,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Query<'static, DeliveryRecord> {
    let sql = match backend {
        Backend::Postgres => concat!(
            "UPDATE deliveries SET lease_until = $2 WHERE sid IN (SELECT sid FROM deliveries \
             WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
             ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ",
            delivery_columns!()
        ),
        Backend::Sqlite => concat!(
            "UPDATE deliveries SET lease_until = $2 WHERE sid IN (SELECT sid FROM deliveries \
             WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
             ORDER BY next_attempt_at LIMIT $3) RETURNING ",
            delivery_columns!()
        ),
    };
    Query::new(sql, params![now, lease_until, limit], decode)
}

/// [`claim_due`] in each delivery's own world's time (sandbox mode, once a
/// sandbox's clock ran ahead): `horizon` is real now plus the furthest any
/// world runs ahead, so the index still bounds the scan. Each comes with its
/// world's offset; leases are in real time.
pub fn claim_due_in_worlds(
    backend: Backend,
    now: Timestamp,
    horizon: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Query<'static, (DeliveryRecord, i64)> {
    macro_rules! claim {
        ($lock:literal) => {
            concat!(
                "UPDATE deliveries SET lease_until = $2 WHERE sid IN (SELECT sid FROM deliveries \
                 WHERE state = 'pending' AND next_attempt_at <= $4 \
                 AND next_attempt_at <= CAST($1 AS BIGINT) + ",
                crate::sandboxes::offset_of!("deliveries"),
                " AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at LIMIT $3",
                $lock,
                ") RETURNING ",
                delivery_columns!(),
                ", ",
                crate::sandboxes::offset_of!("deliveries")
            )
        };
    }
    let sql = match backend {
        Backend::Postgres => claim!(" FOR UPDATE SKIP LOCKED"),
        Backend::Sqlite => claim!(""),
    };
    Query::new(sql, params![now, lease_until, limit, horizon], |c| {
        Ok((decode(c)?, c.int()?))
    })
}

/// [`claim_due`] for the accounts of one world, due by `world_now` (its
/// time); leases are in real time (`now`).
pub fn claim_due_in_world(
    backend: Backend,
    world: &SandboxSid,
    world_now: Timestamp,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Query<'_, DeliveryRecord> {
    macro_rules! claim {
        ($lock:literal) => {
            concat!(
                "UPDATE deliveries SET lease_until = $2 WHERE sid IN (SELECT sid FROM deliveries \
                 WHERE state = 'pending' AND next_attempt_at <= $5 \
                 AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $4) \
                 AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at LIMIT $3",
                $lock,
                ") RETURNING ",
                delivery_columns!()
            )
        };
    }
    let sql = match backend {
        Backend::Postgres => claim!(" FOR UPDATE SKIP LOCKED"),
        Backend::Sqlite => claim!(""),
    };
    Query::new(
        sql,
        params![now, lease_until, limit, world, world_now],
        decode,
    )
}

/// Frees the claims on pending deliveries whose lease ends before `before`:
/// what a process that is gone had claimed.
pub fn release_leases_ending_before(before: Timestamp) -> Statement<'static> {
    Statement::new(
        "UPDATE deliveries SET lease_until = NULL \
         WHERE state = 'pending' AND lease_until IS NOT NULL AND lease_until < $1",
        params![before],
    )
}

/// The outbox: pending deliveries, by what they wait for at `now`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxDepth {
    /// Due and not claimed by a worker.
    pub due: i64,
    /// Claimed by a worker whose lease has not run out: being sent.
    pub sending: i64,
    /// Waiting for a later attempt (a retry).
    pub scheduled: i64,
}

/// Counts only pending rows, through the partial index `deliveries_due`:
/// finished deliveries are history, which grows without bound.
pub fn outbox_depth(now: Timestamp) -> Query<'static, OutboxDepth> {
    Query::new(
        "SELECT \
         COUNT(*) FILTER (WHERE next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)), \
         COUNT(*) FILTER (WHERE lease_until > $1), \
         COUNT(*) FILTER (WHERE next_attempt_at > $1 AND (lease_until IS NULL OR lease_until <= $1)) \
         FROM deliveries WHERE state = 'pending'",
        params![now],
        |c| {
            Ok(OutboxDepth {
                due: c.int()?,
                sending: c.int()?,
                scheduled: c.int()?,
            })
        },
    )
}

/// The soonest moment a pending delivery falls due, if any.
pub fn next_due() -> Query<'static, Option<i64>> {
    Query::new(
        "SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'",
        vec![],
        |c| c.opt_int(),
    )
}

pub struct Attempt<'a> {
    pub delivery: &'a DeliverySid,
    pub number: i64,
    pub at: Timestamp,
    pub url: &'a str,
    pub status_code: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error: Option<&'a str>,
    /// What the receiver answered, for webhooks whose answer matters (capped).
    pub response_content_type: Option<&'a str>,
    pub response_body: Option<&'a str>,
    /// The `X-Twilio-Signature` sent with it.
    pub signature: Option<&'a str>,
    /// The answer's headers, `Name: value` lines (capped; migration 0025).
    pub response_headers: Option<&'a str>,
    /// The start of an answer whose body is not otherwise kept.
    pub response_start: Option<&'a str>,
}

pub fn insert_attempt<'a>(a: &'a Attempt<'a>) -> Statement<'a> {
    Statement::new(
        "INSERT INTO delivery_attempts (delivery_sid, attempt, at, url, status_code, latency_ms, error, \
         response_content_type, response_body, signature, response_headers, response_start) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        params![
            a.delivery.as_str(),
            a.number,
            a.at,
            a.url,
            a.status_code,
            a.latency_ms,
            a.error,
            a.response_content_type,
            a.response_body,
            a.signature,
            a.response_headers,
            a.response_start
        ],
    )
}

/// Records the outcome of an attempt on the delivery: its new state and when to
/// try again.
pub struct Outcome<'a> {
    pub sid: &'a DeliverySid,
    pub state: &'a str,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<&'a str>,
}

pub fn record_outcome<'a>(o: &'a Outcome<'a>) -> Statement<'a> {
    Statement::new(
        "UPDATE deliveries SET state = $2, attempts = $3, next_attempt_at = $4, completed_at = $5, \
         last_status = $6, last_error = $7, lease_until = NULL WHERE sid = $1",
        params![
            o.sid.as_str(),
            o.state,
            o.attempts,
            o.next_attempt_at,
            o.completed_at,
            o.last_status,
            o.last_error
        ],
    )
}

/// Queues a finished delivery to be sent again (a replay), keeping its
/// idempotency token and its attempt history.
pub fn requeue(sid: &DeliverySid, now: Timestamp) -> Statement<'_> {
    Statement::new(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = $2, completed_at = NULL, lease_until = NULL \
         WHERE sid = $1",
        params![sid.as_str(), now],
    )
}

/// The deliveries an account's console lists, newest first.
pub fn of_account<'a>(
    account: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, DeliveryRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", delivery_columns!(), " FROM deliveries"),
        "created_at",
        "sid",
        Order::Descending,
    )
    .filter("account_sid = {}", [account.into()])
    .page(at, size, decode)
}

/// Every delivery a Connect App caused, oldest first: those of the accounts
/// it was given as dedicated subaccounts (authorizations, active or not:
/// what was sent stays), and its deauthorize callbacks (filed under its
/// owner, tagged with the app).
pub fn of_connect_app<'a>(
    owner: &'a AccountSid,
    app: &'a ConnectAppSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, DeliveryRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", delivery_columns!(), " FROM deliveries"),
        "created_at",
        "sid",
        Order::Ascending,
    )
    .filter(
        "(account_sid IN (SELECT subaccount_sid FROM authorizations WHERE connect_app_sid = {}) \
         OR (account_sid = {} AND connect_app_sid = {}))",
        [app.into(), owner.into(), app.into()],
    )
    .page(at, size, decode)
}

/// `$first, $first+1, …`: one placeholder per item of an `IN` list.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The deliveries of `account` about any of `resources` (messages),
/// oldest first. A delivery is made with or after what it is about, so
/// `since` (the oldest resource's creation) lets the account's index bound
/// the scan; `resources` must not be empty.
pub fn about<'a>(
    account: &'a AccountSid,
    resources: &'a [MessageSid],
    since: Timestamp,
) -> Query<'a, DeliveryRecord> {
    let sql = format!(
        concat!(
            "SELECT ",
            delivery_columns!(),
            " FROM deliveries WHERE account_sid = $1 AND created_at >= $2 AND resource_sid IN ({}) \
             ORDER BY created_at, sid"
        ),
        placeholders(3, resources.len())
    );
    let mut params = params![account, since];
    params.extend(resources.iter().map(crate::Value::from));
    Query::dynamic(sql, params, decode)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub number: i64,
    pub at: Timestamp,
    pub url: String,
    pub status_code: Option<i64>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub response_content_type: Option<String>,
    pub response_body: Option<String>,
    /// The `X-Twilio-Signature` sent with it.
    pub signature: Option<String>,
    /// The answer's headers, `Name: value` lines.
    pub response_headers: Option<String>,
    /// The start of an answer whose body is not otherwise kept.
    pub response_start: Option<String>,
}

/// The columns [`decode_attempt`] reads, after the attempt number.
macro_rules! attempt_columns {
    ($t:literal) => {
        concat!(
            $t,
            "attempt, ",
            $t,
            "at, ",
            $t,
            "url, ",
            $t,
            "status_code, ",
            $t,
            "latency_ms, ",
            $t,
            "error, ",
            $t,
            "response_content_type, ",
            $t,
            "response_body, ",
            $t,
            "signature, ",
            $t,
            "response_headers, ",
            $t,
            "response_start"
        )
    };
}

fn decode_attempt(c: &mut Cols<'_>) -> Result<AttemptRecord> {
    Ok(AttemptRecord {
        number: c.int()?,
        at: c.timestamp()?,
        url: c.text()?,
        status_code: c.opt_int()?,
        latency_ms: c.opt_int()?,
        error: c.opt_text()?,
        response_content_type: c.opt_text()?,
        response_body: c.opt_text()?,
        signature: c.opt_text()?,
        response_headers: c.opt_text()?,
        response_start: c.opt_text()?,
    })
}

pub fn attempts_of(sid: &DeliverySid) -> Query<'_, AttemptRecord> {
    Query::new(
        concat!(
            "SELECT ",
            attempt_columns!(""),
            " FROM delivery_attempts WHERE delivery_sid = $1 ORDER BY attempt"
        ),
        params![sid.as_str()],
        decode_attempt,
    )
}

/// The attempts of each of `sids` (not empty), in order, with the delivery
/// each belongs to.
pub fn attempts_of_each(sids: &[DeliverySid]) -> Query<'_, (DeliverySid, AttemptRecord)> {
    let sql = format!(
        concat!(
            "SELECT delivery_sid, ",
            attempt_columns!(""),
            " FROM delivery_attempts WHERE delivery_sid IN ({}) ORDER BY delivery_sid, attempt"
        ),
        placeholders(1, sids.len())
    );
    Query::dynamic(sql, sids.iter().map(crate::Value::from).collect(), |c| {
        Ok((c.parsed(DeliverySid::parse)?, decode_attempt(c)?))
    })
}

/// One attempt of a delivery about a call: a request sent and what came of
/// it (a call's events, `…/Calls/{Sid}/Events.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEventRecord {
    pub delivery_sid: DeliverySid,
    pub kind: String,
    pub method: String,
    pub url: String,
    /// Form-encoded, in the order they were sent.
    pub params: String,
    pub attempt: AttemptRecord,
}

/// Attempts of one delivery are made one after another, so their times
/// differ; the attempt number still breaks a tie. A delivery makes far fewer
/// than 1,024 attempts (retries stop after a day of doubling delays capped at
/// an hour: a few dozen), and a time in microseconds times 1,024 fits 64 bits
/// until the year 2262.
impl Keyed for CallEventRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.attempt.at.micros() * 1024 + self.attempt.number,
            sid: self.delivery_sid.to_string(),
        }
    }
}

/// The attempts of the deliveries of `kinds` about `call` (of `account`),
/// oldest first. A delivery about a call is made with it or after it,
/// so `since` (the call's creation) bounds the scan; the partial index
/// `deliveries_of_calls` (0015) finds them.
pub fn call_events<'a>(
    account: &'a AccountSid,
    call: &'a CallSid,
    since: Timestamp,
    kinds: &'a [&'a str],
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, CallEventRecord>, PageShape) {
    ListQuery::new(
        concat!(
            "SELECT d.sid, d.kind, d.method, d.url, d.params, ",
            attempt_columns!("a."),
            " FROM deliveries d JOIN delivery_attempts a ON a.delivery_sid = d.sid"
        ),
        "a.at * 1024 + a.attempt",
        "d.sid",
        Order::Ascending,
    )
    // Repeated in the query so that it proves the partial index's condition.
    .filter("d.resource_sid LIKE 'CA%'", [])
    .filter("d.resource_sid = {}", [call.into()])
    .filter("d.account_sid = {}", [account.into()])
    .filter("d.created_at >= {}", [since.into()])
    .filter_in("d.kind", kinds.iter().map(|k| crate::Value::Text(k)))
    .page(at, size, |c| {
        Ok(CallEventRecord {
            delivery_sid: c.parsed(DeliverySid::parse)?,
            kind: c.text()?,
            method: c.text()?,
            url: c.text()?,
            params: c.text()?,
            attempt: decode_attempt(c)?,
        })
    })
}
