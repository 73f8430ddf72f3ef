//! Recordings of calls: placed with `Record=true`, or made by `<Record>`
//! and `<Dial record>` (metadata only).

use switchboard_types::{
    AccountSid, CallSid, ConferenceSid, HookMethod, PauseBehavior, RecordingSid, RecordingSource,
    RecordingStatus, RecordingTrack, Timestamp,
};

use crate::calls::Range;
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
    pub track: RecordingTrack,
    /// What a recording started on a live call still needs.
    pub live: Live,
}

/// The state of a recording started on a live call (`…/Calls/{CallSid}/
/// Recordings.json`); empty for recordings made whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    /// `RecordingStatusCallback`, its method and events (space-separated).
    pub status_callback: Option<String>,
    pub status_callback_method: Option<HookMethod>,
    pub status_callback_events: Option<String>,
    /// Real time (µs) paused with `skip`, left out of the duration.
    pub skipped_micros: i64,
    /// While paused: since when, and how.
    pub paused: Option<(Timestamp, PauseBehavior)>,
    /// The conference recorded (`record-from-start`); `None` for a call's.
    pub conference_sid: Option<ConferenceSid>,
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
         source, channels, track, status_callback, status_callback_method, \
         status_callback_events, skipped_micros, paused_at, pause_behavior, conference_sid"
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
        track: c.parsed(RecordingTrack::parse)?,
        live: {
            let status_callback = c.opt_text()?;
            let status_callback_method = c.opt_parsed(HookMethod::parse)?;
            let status_callback_events = c.opt_text()?;
            let skipped_micros = c.int()?;
            let paused_at = c.opt_timestamp()?;
            let behavior = c.opt_parsed(PauseBehavior::parse)?;
            let conference_sid = c.opt_parsed(ConferenceSid::parse)?;
            Live {
                conference_sid,
                status_callback,
                status_callback_method,
                status_callback_events,
                skipped_micros,
                paused: paused_at.zip(behavior),
            }
        },
    })
}

pub fn insert(r: &RecordingRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO recordings (",
            recording_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, $18)"
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
            r.channels,
            r.track,
            r.live.status_callback.as_deref(),
            r.live.status_callback_method,
            r.live.status_callback_events.as_deref(),
            r.live.skipped_micros,
            r.live.paused.map(|(at, _)| at),
            r.live.paused.map(|(_, b)| b),
            r.live.conference_sid.as_ref().map(|c| c.as_str())
        ],
    )
}

/// Saves a live recording's new state, guarded by the status it was read
/// with (0 rows: it changed meanwhile).
pub fn update_live(r: &RecordingRecord, was: RecordingStatus) -> Statement<'_> {
    Statement::new(
        "UPDATE recordings SET status = $1, duration = $2, date_updated = $3, \
         skipped_micros = $4, paused_at = $5, pause_behavior = $6 \
         WHERE sid = $7 AND status = $8",
        params![
            r.status,
            r.duration,
            r.date_updated,
            r.live.skipped_micros,
            r.live.paused.map(|(at, _)| at),
            r.live.paused.map(|(_, b)| b),
            r.sid.as_str(),
            was
        ],
    )
}

/// A call's recordings still being made (`in-progress` or `paused`), newest
/// first; not those of a conference it started.
pub fn live_of_call(call: &CallSid) -> Query<'_, RecordingRecord> {
    Query::new(
        concat!(
            "SELECT ",
            recording_columns!(),
            " FROM recordings WHERE call_sid = $1 AND conference_sid IS NULL \
             AND status IN ('in-progress', 'paused') \
             ORDER BY date_created DESC, sid DESC"
        ),
        params![call],
        decode,
    )
}

/// A conference's recordings still being made, newest first.
pub fn live_of_conference(conference: &ConferenceSid) -> Query<'_, RecordingRecord> {
    Query::new(
        concat!(
            "SELECT ",
            recording_columns!(),
            " FROM recordings WHERE conference_sid = $1 AND status IN ('in-progress', 'paused') \
             ORDER BY date_created DESC, sid DESC"
        ),
        params![conference.as_str()],
        decode,
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

/// Which recordings a list holds: the account's, one call's or one
/// conference's.
#[derive(Debug, Clone, Copy)]
pub enum Of<'a> {
    Account,
    Call(&'a CallSid),
    Conference(&'a ConferenceSid),
}

/// Newest first, narrowed by `of`.
pub fn list<'a>(
    account: &'a AccountSid,
    of: Of<'a>,
    date_created: Range,
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
    .filter_opt(
        "call_sid = {} AND conference_sid IS NULL",
        match of {
            Of::Call(call) => Some(call),
            _ => None,
        },
    )
    .filter_opt(
        "conference_sid = {}",
        match of {
            Of::Conference(c) => Some(c.as_str()),
            _ => None,
        },
    )
    .filter_opt("date_created >= {}", date_created.from)
    .filter_opt("date_created < {}", date_created.until)
    .page(at, size, decode)
}
