//! Recordings of calls: placed with `Record=true`, or made by `<Record>`
//! and `<Dial record>` (metadata only).

use switchboard_types::{
    AccountSid, CallSid, RecordingSid, RecordingSource, RecordingStatus, Timestamp,
};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingRecord {
    pub sid: RecordingSid,
    pub account_sid: AccountSid,
    pub call_sid: CallSid,
    pub duration: i64,
    pub status: RecordingStatus,
    pub start_time: Timestamp,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// What started it.
    pub source: RecordingSource,
    /// 1, or 2 for a dual-channel `<Dial record>`.
    pub channels: i64,
}

impl Keyed for RecordingRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! recording_columns {
    () => {
        "sid, account_sid, call_sid, duration, status, start_time, date_created, date_updated, \
         source, channels"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<RecordingRecord> {
    Ok(RecordingRecord {
        sid: c.parsed(RecordingSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        call_sid: c.parsed(CallSid::parse)?,
        duration: c.int()?,
        status: c.parsed(RecordingStatus::parse)?,
        start_time: c.timestamp()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
        source: c.parsed(RecordingSource::parse)?,
        channels: c.int()?,
    })
}

pub fn insert(r: &RecordingRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO recordings (",
            recording_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ),
        params![
            r.sid.as_str(),
            &r.account_sid,
            &r.call_sid,
            r.duration,
            r.status,
            r.start_time,
            r.date_created,
            r.date_updated,
            r.source,
            r.channels
        ],
    )
}

pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a RecordingSid,
) -> Query<'a, RecordingRecord> {
    Query::new(
        concat!(
            "SELECT ",
            recording_columns!(),
            " FROM recordings WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid.as_str()],
        decode,
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a RecordingSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM recordings WHERE account_sid = $1 AND sid = $2",
        params![account, sid.as_str()],
    )
}

/// Newest first; `call` narrows to one call's recordings.
pub fn list<'a>(
    account: &'a AccountSid,
    call: Option<&'a CallSid>,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, RecordingRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", recording_columns!(), " FROM recordings"),
        "date_created",
        "sid",
        Order::Descending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("call_sid = {}", call)
    .page(at, size, decode)
}
