//! The media of messages (`…/Messages/{Sid}/Media`). The content is read only
//! by [`content_of`]: lists and fetches never carry it.

use switchboard_types::{AccountSid, MediaSid, MessageSid, Timestamp};

use crate::calls::Range;
use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

/// One media item, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRecord {
    pub sid: MediaSid,
    pub account_sid: AccountSid,
    pub parent_sid: MessageSid,
    /// Its place among the message's items, from 0.
    pub position: i64,
    pub content_type: String,
    /// Where the content came from (or, for an outbound item recorded only,
    /// where it is to be fetched).
    pub source_url: Option<String>,
    /// Bytes of content held; `None` while there is none.
    pub size: Option<i64>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

/// Media are listed in their message's order (`MediaUrl0` first).
impl Keyed for MediaRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.position,
            sid: self.sid.to_string(),
        }
    }
}

/// What `GET …/Media/{Sid}` answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaContent {
    pub content_type: String,
    pub source_url: Option<String>,
    /// `None` for an item recorded by its URL only.
    pub content: Option<Vec<u8>>,
}

macro_rules! media_columns {
    () => {
        "sid, account_sid, parent_sid, position, content_type, source_url, size, \
         date_created, date_updated"
    };
}

#[cfg(test)]
pub(crate) const ROW: (&str, usize) = (
    concat!("SELECT ", media_columns!(), " FROM message_media"),
    crate::value::column_count(media_columns!()),
);

fn decode(c: &mut Cols<'_>) -> Result<MediaRecord> {
    Ok(MediaRecord {
        sid: c.parsed(MediaSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        parent_sid: c.parsed(MessageSid::parse)?,
        position: c.int()?,
        content_type: c.text()?,
        source_url: c.opt_text()?,
        size: c.opt_int()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

/// Inserts an item; `content` is `None` for one recorded by its URL only (its
/// `size` must then be `None` too).
pub fn insert<'a>(m: &'a MediaRecord, content: Option<&'a [u8]>) -> Statement<'a> {
    Statement::new(
        concat!(
            "INSERT INTO message_media (",
            media_columns!(),
            ", content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ),
        params![
            &m.sid,
            &m.account_sid,
            &m.parent_sid,
            m.position,
            &m.content_type,
            m.source_url.as_deref(),
            m.size,
            m.date_created,
            m.date_updated,
            content
        ],
    )
}

/// One item of one message of an account.
pub fn of_message<'a>(
    account: &'a AccountSid,
    message: &'a MessageSid,
    sid: &'a MediaSid,
) -> Query<'a, MediaRecord> {
    Query::new(
        concat!(
            "SELECT ",
            media_columns!(),
            " FROM message_media WHERE account_sid = $1 AND parent_sid = $2 AND sid = $3"
        ),
        params![account, message, sid],
        decode,
    )
}

/// A message's items in its order, those created within `created` (Twilio's
/// `DateCreated` filters).
pub fn list<'a>(
    account: &'a AccountSid,
    message: &'a MessageSid,
    created: &'a Range,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, MediaRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", media_columns!(), " FROM message_media"),
        "position",
        "sid",
        Order::Ascending,
    )
    .filter("parent_sid = {}", [message.into()])
    .filter("account_sid = {}", [account.into()])
    .filter_opt("date_created >= {}", created.from)
    .filter_opt("date_created < {}", created.until)
    .page(at, size, decode)
}

/// Every item of a message, in its order, without paging (a message has at
/// most ten).
pub fn all_of_message<'a>(
    account: &'a AccountSid,
    message: &'a MessageSid,
) -> Query<'a, MediaRecord> {
    Query::new(
        concat!(
            "SELECT ",
            media_columns!(),
            " FROM message_media WHERE account_sid = $1 AND parent_sid = $2 \
             ORDER BY position, sid"
        ),
        params![account, message],
        decode,
    )
}

/// The content of one item, with its type.
pub fn content_of<'a>(
    account: &'a AccountSid,
    message: &'a MessageSid,
    sid: &'a MediaSid,
) -> Query<'a, MediaContent> {
    Query::new(
        "SELECT content_type, source_url, content FROM message_media \
         WHERE account_sid = $1 AND parent_sid = $2 AND sid = $3",
        params![account, message, sid],
        |c| {
            Ok(MediaContent {
                content_type: c.text()?,
                source_url: c.opt_text()?,
                content: c.opt_bytes()?,
            })
        },
    )
}

/// Stores the content of an item recorded by its URL, once fetched.
pub fn set_content<'a>(
    sid: &'a MediaSid,
    content_type: &'a str,
    content: &'a [u8],
    now: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "UPDATE message_media SET content_type = $2, content = $3, size = $4, date_updated = $5 \
         WHERE sid = $1",
        params![sid, content_type, content, content.len() as i64, now],
    )
}

pub fn delete<'a>(
    account: &'a AccountSid,
    message: &'a MessageSid,
    sid: &'a MediaSid,
) -> Statement<'a> {
    Statement::new(
        "DELETE FROM message_media WHERE account_sid = $1 AND parent_sid = $2 AND sid = $3",
        params![account, message, sid],
    )
}
