//! Call queues (`…/Queues`) and the calls waiting in them (`…/Members`,
//! migration 0029). A queue's size and its members' positions are counted
//! when read, never stored.

use switchboard_types::{AccountSid, CallSid, HookMethod, QueueSid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

/// A queue as read, with what its members add up to now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRecord {
    pub sid: QueueSid,
    pub account_sid: AccountSid,
    pub friendly_name: String,
    pub max_size: i64,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// How many calls wait in it.
    pub current_size: i64,
    /// The sum of its members' `date_enqueued` (µs), for their average wait.
    pub enqueued_sum: i64,
}

impl Keyed for QueueRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! queue_columns {
    () => {
        "q.sid, q.account_sid, q.friendly_name, q.max_size, q.date_created, q.date_updated, \
         (SELECT COUNT(*) FROM queue_members m WHERE m.queue_sid = q.sid \
          AND m.dequeued_by IS NULL), \
         (SELECT CAST(COALESCE(SUM(m.date_enqueued), 0) AS BIGINT) FROM queue_members m \
          WHERE m.queue_sid = q.sid AND m.dequeued_by IS NULL)"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<QueueRecord> {
    Ok(QueueRecord {
        sid: c.parsed(QueueSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        friendly_name: c.text()?,
        max_size: c.int()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
        current_size: c.int()?,
        enqueued_sum: c.int()?,
    })
}

pub fn insert(q: &QueueRecord) -> Statement<'_> {
    Statement::new(
        "INSERT INTO queues (sid, account_sid, friendly_name, max_size, date_created, \
         date_updated) VALUES ($1, $2, $3, $4, $5, $6)",
        params![
            &q.sid,
            &q.account_sid,
            &q.friendly_name,
            q.max_size,
            q.date_created,
            q.date_updated
        ],
    )
}

/// Writes a queue's name and size limit.
pub fn update(q: &QueueRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE queues SET friendly_name = $3, max_size = $4, date_updated = $5 \
         WHERE account_sid = $1 AND sid = $2",
        params![
            &q.account_sid,
            &q.sid,
            &q.friendly_name,
            q.max_size,
            q.date_updated
        ],
    )
}

/// Deletes a queue no call waits in: 0 rows when one does (or it is not the
/// account's).
pub fn delete_empty<'a>(account: &'a AccountSid, sid: &'a QueueSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM queues WHERE account_sid = $1 AND sid = $2 \
         AND NOT EXISTS (SELECT 1 FROM queue_members m WHERE m.queue_sid = $2)",
        params![account, sid],
    )
}

/// A queue of one account (`None` when it belongs to another).
pub fn of_account<'a>(account: &'a AccountSid, sid: &'a QueueSid) -> Query<'a, QueueRecord> {
    Query::new(
        concat!(
            "SELECT ",
            queue_columns!(),
            " FROM queues q WHERE q.account_sid = $1 AND q.sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// A queue of one account by its name.
pub fn by_name<'a>(account: &'a AccountSid, name: &'a str) -> Query<'a, QueueRecord> {
    Query::new(
        concat!(
            "SELECT ",
            queue_columns!(),
            " FROM queues q WHERE q.account_sid = $1 AND q.friendly_name = $2"
        ),
        params![account, name],
        decode,
    )
}

/// The queues of an account, oldest first.
pub fn list<'a>(
    account: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, QueueRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", queue_columns!(), " FROM queues q"),
        "q.date_created",
        "q.sid",
        Order::Ascending,
    )
    .filter("q.account_sid = {}", [account.into()])
    .page(at, size, decode)
}

/// A call waiting in a queue, and what the engine needs once it leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub call_sid: CallSid,
    pub queue_sid: QueueSid,
    pub account_sid: AccountSid,
    pub date_enqueued: Timestamp,
    /// The `<Enqueue>`'s `waitUrl` (resolved), `None` for silence.
    pub wait_url: Option<String>,
    pub wait_method: HookMethod,
    /// The `<Enqueue>`'s `action` (resolved), `None` to fall through.
    pub action: Option<String>,
    pub action_method: HookMethod,
    /// The document the `<Enqueue>` is in, its URL, and the verb's index.
    pub document: Option<String>,
    pub document_url: Option<String>,
    pub position: i64,
    /// The call's executed seconds when its wait document was requested.
    pub wait_elapsed: i64,
    /// The call whose `<Dial><Queue url>` took it, while the whisper plays.
    pub dequeued_by: Option<CallSid>,
    /// 1 for the front of the queue (counted when read; 0 in a new row).
    pub queue_position: i64,
}

impl Keyed for MemberRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_enqueued.micros(),
            sid: self.call_sid.to_string(),
        }
    }
}

macro_rules! member_columns {
    () => {
        "m.call_sid, m.queue_sid, m.account_sid, m.date_enqueued, m.wait_url, m.wait_method, \
         m.action, m.action_method, m.document, m.document_url, m.position, m.wait_elapsed, \
         m.dequeued_by, \
         (SELECT COUNT(*) FROM queue_members o WHERE o.queue_sid = m.queue_sid \
          AND o.dequeued_by IS NULL \
          AND (o.date_enqueued, o.call_sid) < (m.date_enqueued, m.call_sid)) + 1"
    };
}

fn decode_member(c: &mut Cols<'_>) -> Result<MemberRecord> {
    Ok(MemberRecord {
        call_sid: c.parsed(CallSid::parse)?,
        queue_sid: c.parsed(QueueSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        date_enqueued: c.timestamp()?,
        wait_url: c.opt_text()?,
        wait_method: c.parsed(HookMethod::parse)?,
        action: c.opt_text()?,
        action_method: c.parsed(HookMethod::parse)?,
        document: c.opt_text()?,
        document_url: c.opt_text()?,
        position: c.int()?,
        wait_elapsed: c.int()?,
        dequeued_by: c.opt_parsed(CallSid::parse)?,
        queue_position: c.int()?,
    })
}

pub fn insert_member(m: &MemberRecord) -> Statement<'_> {
    Statement::new(
        "INSERT INTO queue_members (call_sid, queue_sid, account_sid, date_enqueued, wait_url, \
         wait_method, action, action_method, document, document_url, position, wait_elapsed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        params![
            &m.call_sid,
            &m.queue_sid,
            &m.account_sid,
            m.date_enqueued,
            m.wait_url.as_deref(),
            m.wait_method,
            m.action.as_deref(),
            m.action_method,
            m.document.as_deref(),
            m.document_url.as_deref(),
            m.position,
            m.wait_elapsed
        ],
    )
}

/// Takes a call out of its queue: 0 rows when it is in none (another
/// transaction took it first).
pub fn remove_member(call: &CallSid) -> Statement<'_> {
    Statement::new(
        "DELETE FROM queue_members WHERE call_sid = $1",
        params![call],
    )
}

/// The queue entry of a call, in whichever queue it waits.
pub fn member_of_call(call: &CallSid) -> Query<'_, MemberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            member_columns!(),
            " FROM queue_members m WHERE m.call_sid = $1"
        ),
        params![call],
        decode_member,
    )
}

/// A member of one account's queue (`None` when the call does not wait there).
pub fn member<'a>(
    account: &'a AccountSid,
    queue: &'a QueueSid,
    call: &'a CallSid,
) -> Query<'a, MemberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            member_columns!(),
            " FROM queue_members m WHERE m.account_sid = $1 AND m.queue_sid = $2 \
             AND m.call_sid = $3 AND m.dequeued_by IS NULL"
        ),
        params![account, queue, call],
        decode_member,
    )
}

/// The member at the front of one account's queue (`None` when it is empty).
pub fn front<'a>(account: &'a AccountSid, queue: &'a QueueSid) -> Query<'a, MemberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            member_columns!(),
            " FROM queue_members m WHERE m.account_sid = $1 AND m.queue_sid = $2 \
             AND m.dequeued_by IS NULL ORDER BY m.date_enqueued, m.call_sid LIMIT 1"
        ),
        params![account, queue],
        decode_member,
    )
}

/// The members of one account's queue, front first.
pub fn members<'a>(
    account: &'a AccountSid,
    queue: &'a QueueSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, MemberRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", member_columns!(), " FROM queue_members m"),
        "m.date_enqueued",
        "m.call_sid",
        Order::Ascending,
    )
    .filter("m.account_sid = {}", [account.into()])
    .filter("m.queue_sid = {}", [queue.into()])
    .filter("m.dequeued_by IS NULL", [])
    .page(at, size, decode_member)
}

/// Notes that a member's wait document was requested again.
pub fn set_wait_elapsed(call: &CallSid, secs: i64) -> Statement<'_> {
    Statement::new(
        "UPDATE queue_members SET wait_elapsed = $2 WHERE call_sid = $1",
        params![call, secs],
    )
}

/// The oldest call whose `<Dial><Queue>` waits for a caller to join the
/// queue (engine phase `dequeuing`).
pub fn dequeuer(queue: &QueueSid) -> Query<'_, CallSid> {
    Query::new(
        "SELECT call_sid FROM call_voice WHERE phase = 'dequeuing' AND awaiting = $1 \
         ORDER BY date_updated, call_sid LIMIT 1",
        params![queue.as_str()],
        |c| c.parsed(CallSid::parse),
    )
}

/// Marks a member taken by `by`'s `<Dial><Queue url>` while the whisper
/// plays: 0 rows when another call took it first.
pub fn mark_dequeued<'a>(call: &'a CallSid, by: &'a CallSid) -> Statement<'a> {
    Statement::new(
        "UPDATE queue_members SET dequeued_by = $2 WHERE call_sid = $1 AND dequeued_by IS NULL",
        params![call, by],
    )
}

/// Puts a member taken by `by` back in its queue, at its place (the
/// dequeuer went away before the whisper ended).
pub fn put_back<'a>(call: &'a CallSid, by: &'a CallSid) -> Statement<'a> {
    Statement::new(
        "UPDATE queue_members SET dequeued_by = NULL WHERE call_sid = $1 AND dequeued_by = $2",
        params![call, by],
    )
}
