//! Messages, and the simulator's view of them.

use switchboard_types::{
    AccountSid, MessageDirection, MessageSid, MessageStatus, MessagingServiceSid, SandboxSid,
    Timestamp,
};

use crate::calls::Range;
use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, Value, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub sid: MessageSid,
    pub account_sid: AccountSid,
    pub to_number: String,
    pub from_number: String,
    pub body: String,
    pub num_segments: i64,
    /// Media URLs, one per line.
    pub media_urls: String,
    pub status: MessageStatus,
    pub direction: MessageDirection,
    pub status_callback: Option<String>,
    pub callback_signer_sid: AccountSid,
    /// How the message will end, planned when it was sent.
    pub end_status: MessageStatus,
    pub next_transition_at: Option<Timestamp>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub date_sent: Option<Timestamp>,
    pub price_micros: Option<i64>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// The Messaging Service it was sent through, if any.
    pub messaging_service_sid: Option<MessagingServiceSid>,
}

impl Keyed for MessageRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! message_columns {
    () => {
        "sid, account_sid, to_number, from_number, body, num_segments, media_urls, status, \
         direction, status_callback, callback_signer_sid, end_status, next_transition_at, \
         error_code, error_message, date_sent, price_micros, date_created, date_updated, \
         messaging_service_sid"
    };
}

/// How many columns a message row has (bulk inserts build their placeholders from it).
const MESSAGE_COLUMNS: usize = crate::value::column_count(message_columns!());

/// A select of every column, and the count derived from its list (checked
/// against the databases in the store's tests).
#[cfg(test)]
pub(crate) const ROW: (&str, usize) = (
    concat!("SELECT ", message_columns!(), " FROM messages"),
    MESSAGE_COLUMNS,
);

fn decode(c: &mut Cols<'_>) -> Result<MessageRecord> {
    Ok(MessageRecord {
        sid: c.parsed(MessageSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        to_number: c.text()?,
        from_number: c.text()?,
        body: c.text()?,
        num_segments: c.int()?,
        media_urls: c.text()?,
        status: c.parsed(MessageStatus::parse)?,
        direction: c.parsed(MessageDirection::parse)?,
        status_callback: c.opt_text()?,
        callback_signer_sid: c.parsed(AccountSid::parse)?,
        end_status: c.parsed(MessageStatus::parse)?,
        next_transition_at: c.opt_timestamp()?,
        error_code: c.opt_int()?,
        error_message: c.opt_text()?,
        date_sent: c.opt_timestamp()?,
        price_micros: c.opt_int()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
        messaging_service_sid: c.opt_parsed(MessagingServiceSid::parse)?,
    })
}

fn values(m: &MessageRecord) -> Vec<Value<'_>> {
    params![
        m.sid.as_str(),
        &m.account_sid,
        &m.to_number,
        &m.from_number,
        &m.body,
        m.num_segments,
        &m.media_urls,
        m.status,
        m.direction,
        m.status_callback.as_deref(),
        &m.callback_signer_sid,
        m.end_status,
        m.next_transition_at,
        m.error_code,
        m.error_message.as_deref(),
        m.date_sent,
        m.price_micros,
        m.date_created,
        m.date_updated,
        m.messaging_service_sid.as_ref()
    ]
}

pub fn insert_many(messages: &[MessageRecord]) -> Statement<'_> {
    let sql = crate::value::multi_row_insert(
        concat!("INSERT INTO messages (", message_columns!(), ") VALUES "),
        MESSAGE_COLUMNS,
        messages.len(),
    );
    Statement::dynamic(sql, messages.iter().flat_map(values).collect())
}

pub fn of_account<'a>(account: &'a AccountSid, sid: &'a MessageSid) -> Query<'a, MessageRecord> {
    Query::new(
        concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid.as_str()],
        decode,
    )
}

#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub to: Option<String>,
    pub from: Option<String>,
    /// Not a filter of Twilio's API; the console's Logs page uses it.
    pub status: Option<MessageStatus>,
    pub date_sent: Range,
}

/// Newest first, as Twilio lists messages.
pub fn list<'a>(
    account: &'a AccountSid,
    filter: &'a MessageFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, MessageRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", message_columns!(), " FROM messages"),
        "date_created",
        "sid",
        Order::Descending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("to_number = {}", filter.to.as_deref())
    .filter_opt("from_number = {}", filter.from.as_deref())
    .filter_opt("status = {}", filter.status)
    .filter_opt("date_sent >= {}", filter.date_sent.from)
    .filter_opt("date_sent < {}", filter.date_sent.until)
    // A message is sent after it is created: the implied bound lets the index
    // stop the scan.
    .filter_opt("date_created < {}", filter.date_sent.until)
    .page(at, size, decode)
}

pub fn due(now: Timestamp, limit: i64) -> Query<'static, MessageRecord> {
    Query::new(
        concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE next_transition_at IS NOT NULL AND next_transition_at <= $1 \
             ORDER BY next_transition_at LIMIT $2"
        ),
        params![now, limit],
        decode,
    )
}

/// Messages due in their own world's time (see [`crate::calls::due_in_worlds`]).
pub fn due_in_worlds(
    now: Timestamp,
    horizon: Timestamp,
    limit: i64,
) -> Query<'static, (MessageRecord, i64)> {
    Query::new(
        concat!(
            "SELECT ",
            message_columns!(),
            ", ",
            crate::sandboxes::offset_of!("messages"),
            " FROM messages WHERE next_transition_at IS NOT NULL AND next_transition_at <= $2 \
             AND next_transition_at <= CAST($1 AS BIGINT) + ",
            crate::sandboxes::offset_of!("messages"),
            " ORDER BY next_transition_at LIMIT $3"
        ),
        params![now, horizon, limit],
        |c| Ok((decode(c)?, c.int()?)),
    )
}

/// The messages of one world due by `world_now`, its time.
pub fn due_in_world(
    world: &SandboxSid,
    world_now: Timestamp,
    limit: i64,
) -> Query<'_, MessageRecord> {
    Query::new(
        concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE next_transition_at IS NOT NULL AND next_transition_at <= $2 \
             AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1) \
             ORDER BY next_transition_at LIMIT $3"
        ),
        params![world, world_now, limit],
        decode,
    )
}

/// Messages the simulator has yet to move on (through the partial index `messages_due`).
pub fn in_flight() -> Query<'static, i64> {
    Query::new(
        "SELECT COUNT(*) FROM messages WHERE next_transition_at IS NOT NULL",
        vec![],
        |c| c.int(),
    )
}

pub fn next_due() -> Query<'static, Option<i64>> {
    Query::new(
        "SELECT MIN(next_transition_at) FROM messages WHERE next_transition_at IS NOT NULL",
        vec![],
        |c| c.opt_int(),
    )
}

/// Moves a message on, only from the state it was read in (see
/// [`crate::calls::advance`]).
pub fn advance(m: &MessageRecord, expected_status: MessageStatus) -> Statement<'_> {
    Statement::new(
        "UPDATE messages SET status = $3, next_transition_at = $4, date_sent = $5, \
         price_micros = $6, error_code = $7, error_message = $8, date_updated = $9 \
         WHERE sid = $1 AND status = $2",
        params![
            m.sid.as_str(),
            expected_status,
            m.status,
            m.next_transition_at,
            m.date_sent,
            m.price_micros,
            m.error_code,
            m.error_message.as_deref(),
            m.date_updated
        ],
    )
}

/// `Body=""`: the text is gone, the record stays.
pub fn redact<'a>(account: &'a AccountSid, sid: &'a MessageSid, now: Timestamp) -> Statement<'a> {
    Statement::new(
        "UPDATE messages SET body = '', date_updated = $3 WHERE account_sid = $1 AND sid = $2",
        params![account, sid.as_str(), now],
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a MessageSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM messages WHERE account_sid = $1 AND sid = $2",
        params![account, sid.as_str()],
    )
}
