//! Notifications: the debugger's log of errors and warnings about an account's
//! webhooks and TwiML (Twilio's 2010 `Notifications` resource).

use switchboard_types::{
    AccountSid, CallSid, MessageSid, NotificationLevel, NotificationSid, Timestamp,
};

use crate::calls::Range;
use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, Value, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    pub sid: NotificationSid,
    pub account_sid: AccountSid,
    pub call_sid: Option<CallSid>,
    /// What the notification is about when it is not a call (a message's SID).
    pub resource_sid: Option<String>,
    pub error_code: i64,
    pub level: NotificationLevel,
    pub message_text: String,
    /// When the problem happened (Twilio's `message_date`).
    pub message_date: Timestamp,
    pub request_url: Option<String>,
    pub request_method: Option<String>,
    /// Form-encoded, as sent.
    pub request_variables: Option<String>,
    /// Form-encoded, as Twilio writes them.
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for NotificationRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! notification_columns {
    () => {
        "sid, account_sid, call_sid, resource_sid, error_code, log_level, message_text, \
         message_date, request_url, request_method, request_variables, response_headers, \
         response_body, date_created, date_updated"
    };
}

const NOTIFICATION_COLUMNS: usize = crate::value::column_count(notification_columns!());

/// A select of every column, and the count derived from its list (checked
/// against the databases in the store's tests).
#[cfg(test)]
pub(crate) const ROW: (&str, usize) = (
    concat!("SELECT ", notification_columns!(), " FROM notifications"),
    NOTIFICATION_COLUMNS,
);

fn decode(c: &mut Cols<'_>) -> Result<NotificationRecord> {
    Ok(NotificationRecord {
        sid: c.parsed(NotificationSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        call_sid: c.opt_parsed(CallSid::parse)?,
        resource_sid: c.opt_text()?,
        error_code: c.int()?,
        level: c.parsed(NotificationLevel::parse)?,
        message_text: c.text()?,
        message_date: c.timestamp()?,
        request_url: c.opt_text()?,
        request_method: c.opt_text()?,
        request_variables: c.opt_text()?,
        response_headers: c.opt_text()?,
        response_body: c.opt_text()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(n: &NotificationRecord) -> Statement<'_> {
    let values: Vec<Value<'_>> = params![
        &n.sid,
        &n.account_sid,
        n.call_sid.as_ref(),
        n.resource_sid.as_deref(),
        n.error_code,
        n.level,
        &n.message_text,
        n.message_date,
        n.request_url.as_deref(),
        n.request_method.as_deref(),
        n.request_variables.as_deref(),
        n.response_headers.as_deref(),
        n.response_body.as_deref(),
        n.date_created,
        n.date_updated
    ];
    debug_assert_eq!(values.len(), NOTIFICATION_COLUMNS);
    Statement::new(
        concat!(
            "INSERT INTO notifications (",
            notification_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ),
        values,
    )
}

pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a NotificationSid,
) -> Query<'a, NotificationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            notification_columns!(),
            " FROM notifications WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// One notification of any account of a main account's tree (the console's).
pub fn of_tree<'a>(
    main: &'a AccountSid,
    sid: &'a NotificationSid,
) -> Query<'a, NotificationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            notification_columns!(),
            " FROM notifications WHERE sid = $2 AND account_sid IN \
             (SELECT sid FROM accounts WHERE owner_account_sid = $1)"
        ),
        params![main, sid],
        decode,
    )
}

/// The filters of `GET …/Notifications.json`.
#[derive(Debug, Clone, Default)]
pub struct NotificationFilter {
    /// `Log`.
    pub level: Option<NotificationLevel>,
    /// `MessageDate`, `MessageDate<`, `MessageDate>`.
    pub message_date: Range,
    /// `…/Calls/{CallSid}/Notifications.json`.
    pub call_sid: Option<CallSid>,
}

fn filtered<'a>(query: ListQuery<'a>, filter: &'a NotificationFilter) -> ListQuery<'a> {
    query
        .filter_opt("log_level = {}", filter.level)
        .filter_opt("call_sid = {}", filter.call_sid.as_ref())
        .filter_opt("message_date >= {}", filter.message_date.from)
        .filter_opt("message_date < {}", filter.message_date.until)
        // A notification is stored after the problem it records: the implied
        // bound lets the index start the scan.
        .filter_opt("date_created >= {}", filter.message_date.from)
}

fn select() -> ListQuery<'static> {
    ListQuery::new(
        concat!("SELECT ", notification_columns!(), " FROM notifications"),
        "date_created",
        "sid",
        Order::Descending,
    )
}

/// Newest first, as Twilio lists notifications.
pub fn list<'a>(
    account: &'a AccountSid,
    filter: &'a NotificationFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, NotificationRecord>, PageShape) {
    filtered(
        select().filter("account_sid = {}", [account.into()]),
        filter,
    )
    .page(at, size, decode)
}

/// Newest first, those of every account of a main account's tree (the
/// console's debugger).
pub fn list_of_tree<'a>(
    main: &'a AccountSid,
    filter: &'a NotificationFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, NotificationRecord>, PageShape) {
    filtered(
        select().filter(
            "account_sid IN (SELECT sid FROM accounts WHERE owner_account_sid = {})",
            [main.into()],
        ),
        filter,
    )
    .page(at, size, decode)
}

/// The notifications of `account` about any of `resources` (messages,
/// not empty), oldest first. A notification is recorded after what it is
/// about, so `since` (the oldest resource's creation) bounds the scan.
pub fn about<'a>(
    account: &'a AccountSid,
    resources: &'a [MessageSid],
    since: Timestamp,
) -> Query<'a, NotificationRecord> {
    let sql = format!(
        concat!(
            "SELECT ",
            notification_columns!(),
            " FROM notifications WHERE account_sid = $1 AND date_created >= $2 AND resource_sid IN ({}) \
             ORDER BY date_created, sid"
        ),
        crate::deliveries::placeholders(3, resources.len())
    );
    let mut params = params![account, since];
    params.extend(resources.iter().map(Value::from));
    Query::dynamic(sql, params, decode)
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a NotificationSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM notifications WHERE account_sid = $1 AND sid = $2",
        params![account, sid],
    )
}
