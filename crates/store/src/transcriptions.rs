//! Transcriptions of recordings (`<Record transcribe="true">`).

use switchboard_types::{
    AccountSid, RecordingSid, Timestamp, TranscriptionSid, TranscriptionStatus,
};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptionRecord {
    pub sid: TranscriptionSid,
    pub account_sid: AccountSid,
    pub recording_sid: RecordingSid,
    pub status: TranscriptionStatus,
    /// `None` when it failed.
    pub transcription_text: Option<String>,
    /// Seconds of the recording transcribed.
    pub duration: i64,
    pub price_micros: i64,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for TranscriptionRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! transcription_columns {
    () => {
        "sid, account_sid, recording_sid, status, transcription_text, duration, price_micros, \
         date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<TranscriptionRecord> {
    Ok(TranscriptionRecord {
        sid: c.parsed(TranscriptionSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        recording_sid: c.parsed(RecordingSid::parse)?,
        status: c.parsed(TranscriptionStatus::parse)?,
        transcription_text: c.opt_text()?,
        duration: c.int()?,
        price_micros: c.int()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(t: &TranscriptionRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO transcriptions (",
            transcription_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
        params![
            &t.sid,
            &t.account_sid,
            &t.recording_sid,
            t.status,
            t.transcription_text.as_deref(),
            t.duration,
            t.price_micros,
            t.date_created,
            t.date_updated
        ],
    )
}

/// One transcription of the account; `recording` narrows to one
/// recording's.
pub fn of_account<'a>(
    account: &'a AccountSid,
    recording: Option<&'a RecordingSid>,
    sid: &'a TranscriptionSid,
) -> Query<'a, TranscriptionRecord> {
    Query::new(
        concat!(
            "SELECT ",
            transcription_columns!(),
            " FROM transcriptions WHERE account_sid = $1 AND sid = $2 \
             AND ($3 = '' OR recording_sid = $3)"
        ),
        params![account, sid, recording.map_or("", RecordingSid::as_str)],
        decode,
    )
}

pub fn delete<'a>(
    account: &'a AccountSid,
    recording: Option<&'a RecordingSid>,
    sid: &'a TranscriptionSid,
) -> Statement<'a> {
    Statement::new(
        "DELETE FROM transcriptions WHERE account_sid = $1 AND sid = $2 \
         AND ($3 = '' OR recording_sid = $3)",
        params![account, sid, recording.map_or("", RecordingSid::as_str)],
    )
}

/// A recording's transcriptions go with it.
pub fn delete_of_recording<'a>(
    account: &'a AccountSid,
    recording: &'a RecordingSid,
) -> Statement<'a> {
    Statement::new(
        "DELETE FROM transcriptions WHERE account_sid = $1 AND recording_sid = $2",
        params![account, recording],
    )
}

/// Newest first; `recording` narrows to one recording's.
pub fn list<'a>(
    account: &'a AccountSid,
    recording: Option<&'a RecordingSid>,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, TranscriptionRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", transcription_columns!(), " FROM transcriptions"),
        "date_created",
        "sid",
        Order::Descending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("recording_sid = {}", recording)
    .page(at, size, decode)
}
