//! Calls, and the simulator's view of them (which are due to move on).

use switchboard_types::{
    AccountSid, AnsweredBy, ApplicationSid, CallDirection, CallEvents, CallSid, CallStatus,
    HookMethod, PhoneNumberSid, SandboxSid, Timestamp,
};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, Value, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub sid: CallSid,
    pub account_sid: AccountSid,
    pub parent_call_sid: Option<CallSid>,
    pub to_number: String,
    pub from_number: String,
    pub phone_number_sid: Option<PhoneNumberSid>,
    pub status: CallStatus,
    pub direction: CallDirection,
    pub url: Option<String>,
    pub twiml: Option<String>,
    pub application_sid: Option<ApplicationSid>,
    pub method: HookMethod,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    pub status_callback_events: CallEvents,
    pub callback_signer_sid: AccountSid,
    pub timeout_secs: i64,
    pub record: bool,
    /// How the call will end, planned when it was placed.
    pub end_status: CallStatus,
    pub ring_secs: i64,
    pub talk_secs: i64,
    pub next_transition_at: Option<Timestamp>,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    pub duration: Option<i64>,
    pub price_micros: Option<i64>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// The answering machine detection asked for (`MachineDetection`,
    /// `AsyncAmd`…, form-encoded, as the domain writes it); `None` without.
    pub machine_detection: Option<String>,
    /// What answering machine detection found, once answered.
    pub answered_by: Option<AnsweredBy>,
    /// The other call of a call between two numbers of this Switchboard: for
    /// a call (or `<Dial>` leg) to a number owned here, the inbound call it
    /// rang; for that inbound call, the call that rang it.
    pub peer_call_sid: Option<CallSid>,
}

impl Keyed for CallRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! call_columns {
    () => {
        "sid, account_sid, parent_call_sid, to_number, from_number, phone_number_sid, status, \
         direction, url, twiml, application_sid, method, status_callback, status_callback_method, \
         status_callback_events, callback_signer_sid, timeout_secs, record, end_status, ring_secs, \
         talk_secs, next_transition_at, start_time, end_time, duration, price_micros, date_created, \
         date_updated, machine_detection, answered_by, peer_call_sid"
    };
}

/// How many columns a call row has (bulk inserts build their placeholders from it).
const CALL_COLUMNS: usize = crate::value::column_count(call_columns!());

/// A select of every column, and the count derived from its list (checked
/// against the databases in the store's tests).
#[cfg(test)]
pub(crate) const ROW: (&str, usize) = (
    concat!("SELECT ", call_columns!(), " FROM calls"),
    CALL_COLUMNS,
);

fn decode(c: &mut Cols<'_>) -> Result<CallRecord> {
    Ok(CallRecord {
        sid: c.parsed(CallSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        parent_call_sid: c.opt_parsed(CallSid::parse)?,
        to_number: c.text()?,
        from_number: c.text()?,
        phone_number_sid: c.opt_parsed(PhoneNumberSid::parse)?,
        status: c.parsed(CallStatus::parse)?,
        direction: c.parsed(CallDirection::parse)?,
        url: c.opt_text()?,
        twiml: c.opt_text()?,
        application_sid: c.opt_parsed(ApplicationSid::parse)?,
        method: c.parsed(HookMethod::parse)?,
        status_callback: c.opt_text()?,
        status_callback_method: c.parsed(HookMethod::parse)?,
        status_callback_events: c.parsed(CallEvents::parse)?,
        callback_signer_sid: c.parsed(AccountSid::parse)?,
        timeout_secs: c.int()?,
        record: c.boolean()?,
        end_status: c.parsed(CallStatus::parse)?,
        ring_secs: c.int()?,
        talk_secs: c.int()?,
        next_transition_at: c.opt_timestamp()?,
        start_time: c.opt_timestamp()?,
        end_time: c.opt_timestamp()?,
        duration: c.opt_int()?,
        price_micros: c.opt_int()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
        machine_detection: c.opt_text()?,
        answered_by: c.opt_parsed(AnsweredBy::parse)?,
        peer_call_sid: c.opt_parsed(CallSid::parse)?,
    })
}

fn values(c: &CallRecord) -> Vec<Value<'_>> {
    params![
        c.sid.as_str(),
        &c.account_sid,
        c.parent_call_sid.as_ref(),
        &c.to_number,
        &c.from_number,
        c.phone_number_sid.as_ref(),
        c.status,
        c.direction,
        c.url.as_deref(),
        c.twiml.as_deref(),
        c.application_sid.as_ref(),
        c.method,
        c.status_callback.as_deref(),
        c.status_callback_method,
        c.status_callback_events,
        &c.callback_signer_sid,
        c.timeout_secs,
        c.record,
        c.end_status,
        c.ring_secs,
        c.talk_secs,
        c.next_transition_at,
        c.start_time,
        c.end_time,
        c.duration,
        c.price_micros,
        c.date_created,
        c.date_updated,
        c.machine_detection.as_deref(),
        c.answered_by,
        c.peer_call_sid.as_ref()
    ]
}

/// Inserts many calls in one statement (one row alone is a new call; many are a
/// seeded history).
pub fn insert_many(calls: &[CallRecord]) -> Statement<'_> {
    let sql = crate::value::multi_row_insert(
        concat!("INSERT INTO calls (", call_columns!(), ") VALUES "),
        CALL_COLUMNS,
        calls.len(),
    );
    Statement::dynamic(sql, calls.iter().flat_map(values).collect())
}

pub fn of_account<'a>(account: &'a AccountSid, sid: &'a CallSid) -> Query<'a, CallRecord> {
    Query::new(
        concat!(
            "SELECT ",
            call_columns!(),
            " FROM calls WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid.as_str()],
        decode,
    )
}

pub fn by_sid(sid: &CallSid) -> Query<'_, CallRecord> {
    Query::new(
        concat!("SELECT ", call_columns!(), " FROM calls WHERE sid = $1"),
        params![sid.as_str()],
        decode,
    )
}

/// A half-open range of instants, `[from, until)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub to: Option<String>,
    pub from: Option<String>,
    pub status: Option<CallStatus>,
    pub parent_call_sid: Option<CallSid>,
    pub start_time: Range,
    pub end_time: Range,
}

/// Newest first, as Twilio lists calls.
pub fn list<'a>(
    account: &'a AccountSid,
    filter: &'a CallFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, CallRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", call_columns!(), " FROM calls"),
        "date_created",
        "sid",
        Order::Descending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("to_number = {}", filter.to.as_deref())
    .filter_opt("from_number = {}", filter.from.as_deref())
    .filter_opt("status = {}", filter.status)
    .filter_opt("parent_call_sid = {}", filter.parent_call_sid.as_ref())
    .filter_opt("start_time >= {}", filter.start_time.from)
    .filter_opt("start_time < {}", filter.start_time.until)
    // A call starts after it is created, so this bound is implied; stating it
    // lets the index stop the scan instead of reading every older call.
    .filter_opt("date_created < {}", filter.start_time.until)
    .filter_opt("end_time >= {}", filter.end_time.from)
    .filter_opt("end_time < {}", filter.end_time.until)
    .filter_opt("date_created < {}", filter.end_time.until)
    .page(at, size, decode)
}

/// Calls whose next step is due, oldest due first.
pub fn due(now: Timestamp, limit: i64) -> Query<'static, CallRecord> {
    Query::new(
        concat!(
            "SELECT ",
            call_columns!(),
            " FROM calls WHERE next_transition_at IS NOT NULL AND next_transition_at <= $1 \
             ORDER BY next_transition_at LIMIT $2"
        ),
        params![now, limit],
        decode,
    )
}

/// Calls due in their own world's time (sandbox mode, once a sandbox's clock
/// ran ahead): `horizon` is real now plus the furthest any world runs ahead,
/// so the index still bounds the scan; each comes with its world's offset.
pub fn due_in_worlds(
    now: Timestamp,
    horizon: Timestamp,
    limit: i64,
) -> Query<'static, (CallRecord, i64)> {
    Query::new(
        concat!(
            "SELECT ",
            call_columns!(),
            ", ",
            crate::sandboxes::offset_of!("calls"),
            " FROM calls WHERE next_transition_at IS NOT NULL AND next_transition_at <= $2 \
             AND next_transition_at <= CAST($1 AS BIGINT) + ",
            crate::sandboxes::offset_of!("calls"),
            " ORDER BY next_transition_at LIMIT $3"
        ),
        params![now, horizon, limit],
        |c| Ok((decode(c)?, c.int()?)),
    )
}

/// The calls of one world due by `world_now`, its time.
pub fn due_in_world(world: &SandboxSid, world_now: Timestamp, limit: i64) -> Query<'_, CallRecord> {
    Query::new(
        concat!(
            "SELECT ",
            call_columns!(),
            " FROM calls WHERE next_transition_at IS NOT NULL AND next_transition_at <= $2 \
             AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1) \
             ORDER BY next_transition_at LIMIT $3"
        ),
        params![world, world_now, limit],
        decode,
    )
}

/// The soonest moment a call is due to move on, if any is.
/// Calls the simulator has yet to move on (through the partial index `calls_due`).
pub fn in_flight() -> Query<'static, i64> {
    Query::new(
        "SELECT COUNT(*) FROM calls WHERE next_transition_at IS NOT NULL",
        vec![],
        |c| c.int(),
    )
}

pub fn next_due() -> Query<'static, Option<i64>> {
    Query::new(
        "SELECT MIN(next_transition_at) FROM calls WHERE next_transition_at IS NOT NULL",
        vec![],
        |c| c.opt_int(),
    )
}

/// Moves a call to its next state, only if it is still in the state it was read
/// in: of two nodes racing, one wins and the other changes nothing (0 rows).
pub fn advance(c: &CallRecord, expected_status: CallStatus) -> Statement<'_> {
    Statement::new(
        "UPDATE calls SET status = $3, next_transition_at = $4, start_time = $5, end_time = $6, \
         duration = $7, price_micros = $8, url = $9, date_updated = $10, answered_by = $11 \
         WHERE sid = $1 AND status = $2",
        params![
            c.sid.as_str(),
            expected_status,
            c.status,
            c.next_transition_at,
            c.start_time,
            c.end_time,
            c.duration,
            c.price_micros,
            c.url.as_deref(),
            c.date_updated,
            c.answered_by
        ],
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a CallSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM calls WHERE account_sid = $1 AND sid = $2",
        params![account, sid.as_str()],
    )
}

/// Links two calls between numbers of this Switchboard (see
/// [`CallRecord::peer_call_sid`]).
pub fn set_peer<'a>(sid: &'a CallSid, peer: &'a CallSid) -> Statement<'a> {
    Statement::new(
        "UPDATE calls SET peer_call_sid = $2 WHERE sid = $1",
        params![sid.as_str(), peer.as_str()],
    )
}

/// The `<Dial>` legs of a call, oldest first.
pub fn legs_of(parent: &CallSid) -> Query<'_, CallRecord> {
    Query::new(
        concat!(
            "SELECT ",
            call_columns!(),
            " FROM calls WHERE parent_call_sid = $1 ORDER BY date_created, sid"
        ),
        params![parent.as_str()],
        decode,
    )
}
