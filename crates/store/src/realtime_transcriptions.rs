//! Real-time transcriptions of live calls (`…/Calls/{CallSid}/
//! Transcriptions.json`).

use switchboard_types::{
    AccountSid, CallSid, HookMethod, RealtimeTranscriptionSid, RealtimeTranscriptionStatus,
    Timestamp, TranscriptionTrack,
};

use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealtimeTranscriptionRecord {
    pub sid: RealtimeTranscriptionSid,
    pub account_sid: AccountSid,
    pub call_sid: CallSid,
    pub name: Option<String>,
    pub status: RealtimeTranscriptionStatus,
    pub track: TranscriptionTrack,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    pub language_code: String,
    pub partial_results: bool,
    /// The `SequenceId` of the last event sent (0 before any).
    pub sequence_id: i64,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

macro_rules! columns {
    () => {
        "sid, account_sid, call_sid, name, status, track, status_callback, \
         status_callback_method, language_code, partial_results, sequence_id, date_created, \
         date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<RealtimeTranscriptionRecord> {
    Ok(RealtimeTranscriptionRecord {
        sid: c.parsed(RealtimeTranscriptionSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        call_sid: c.parsed(CallSid::parse)?,
        name: c.opt_text()?,
        status: c.parsed(RealtimeTranscriptionStatus::parse)?,
        track: c.parsed(TranscriptionTrack::parse)?,
        status_callback: c.opt_text()?,
        status_callback_method: c.parsed(HookMethod::parse)?,
        language_code: c.text()?,
        partial_results: c.boolean()?,
        sequence_id: c.int()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(t: &RealtimeTranscriptionRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO realtime_transcriptions (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ),
        params![
            &t.sid,
            &t.account_sid,
            &t.call_sid,
            t.name.as_deref(),
            t.status,
            t.track,
            t.status_callback.as_deref(),
            t.status_callback_method,
            t.language_code.as_str(),
            t.partial_results,
            t.sequence_id,
            t.date_created,
            t.date_updated
        ],
    )
}

/// A transcription of the account's call, by its SID or, as Twilio lets
/// `{Sid}` be, by its `Name` (the newest of that name).
pub fn of_call<'a>(
    account: &'a AccountSid,
    call: &'a CallSid,
    sid_or_name: &'a str,
) -> Query<'a, RealtimeTranscriptionRecord> {
    Query::new(
        concat!(
            "SELECT ",
            columns!(),
            " FROM realtime_transcriptions WHERE account_sid = $1 AND call_sid = $2 \
             AND (sid = $3 OR name = $3) ORDER BY (sid = $3) DESC, date_created DESC, sid DESC"
        ),
        params![account, call, sid_or_name],
        decode,
    )
}

/// A call's transcriptions in progress, oldest first.
pub fn live_of_call(call: &CallSid) -> Query<'_, RealtimeTranscriptionRecord> {
    Query::new(
        concat!(
            "SELECT ",
            columns!(),
            " FROM realtime_transcriptions WHERE call_sid = $1 AND status = 'in-progress' \
             ORDER BY date_created, sid"
        ),
        params![call],
        decode,
    )
}

/// Saves its status, sequence and date, if its status is still `was`.
pub fn update(t: &RealtimeTranscriptionRecord, was: RealtimeTranscriptionStatus) -> Statement<'_> {
    Statement::new(
        "UPDATE realtime_transcriptions SET status = $1, sequence_id = $2, date_updated = $3 \
         WHERE sid = $4 AND status = $5",
        params![t.status, t.sequence_id, t.date_updated, &t.sid, was],
    )
}
