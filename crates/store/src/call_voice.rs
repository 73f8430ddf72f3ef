//! The call engine's state: how far a call has got in executing its TwiML
//! (migration 0017). Every change is guarded by the version it was read at.

use switchboard_types::{AccountSid, CallSid, HookMethod, Timestamp};

use crate::{Cols, Query, Result, Statement, Value, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallVoiceRecord {
    pub call_sid: CallSid,
    pub account_sid: AccountSid,
    pub fallback_url: Option<String>,
    pub fallback_method: HookMethod,
    /// `waiting`, `fetching`, `running`, `gathering` or `ended`.
    pub phase: String,
    pub version: i64,
    pub awaiting: Option<String>,
    pub document: Option<String>,
    pub document_url: Option<String>,
    pub position: i64,
    pub elapsed_secs: i64,
    pub since: Option<Timestamp>,
    pub documents: i64,
    pub input: String,
    pub date_updated: Timestamp,
    /// The verbs executed so far, one line each (migration 0025; the
    /// domain's `voice::timeline` reads and writes it).
    pub timeline: String,
}

macro_rules! columns {
    () => {
        "call_sid, account_sid, fallback_url, fallback_method, phase, version, awaiting, \
         document, document_url, position, elapsed_secs, since, documents, input, date_updated, timeline"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<CallVoiceRecord> {
    Ok(CallVoiceRecord {
        call_sid: c.parsed(CallSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        fallback_url: c.opt_text()?,
        fallback_method: c.parsed(HookMethod::parse)?,
        phase: c.text()?,
        version: c.int()?,
        awaiting: c.opt_text()?,
        document: c.opt_text()?,
        document_url: c.opt_text()?,
        position: c.int()?,
        elapsed_secs: c.int()?,
        since: c.opt_timestamp()?,
        documents: c.int()?,
        input: c.text()?,
        date_updated: c.timestamp()?,
        timeline: c.text()?,
    })
}

fn values(v: &CallVoiceRecord) -> Vec<Value<'_>> {
    params![
        v.call_sid.as_str(),
        &v.account_sid,
        v.fallback_url.as_deref(),
        v.fallback_method,
        v.phase.as_str(),
        v.version,
        v.awaiting.as_deref(),
        v.document.as_deref(),
        v.document_url.as_deref(),
        v.position,
        v.elapsed_secs,
        v.since,
        v.documents,
        v.input.as_str(),
        v.date_updated,
        v.timeline.as_str()
    ]
}

pub fn insert(v: &CallVoiceRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO call_voice (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        ),
        values(v),
    )
}

pub fn of_call(sid: &CallSid) -> Query<'_, CallVoiceRecord> {
    Query::new(
        concat!(
            "SELECT ",
            columns!(),
            " FROM call_voice WHERE call_sid = $1"
        ),
        params![sid.as_str()],
        decode,
    )
}

/// Writes `v` (whose `version` is already the next one) only if the row is
/// still at `expected_version`: 0 rows when another node got there first.
pub fn update(v: &CallVoiceRecord, expected_version: i64) -> Statement<'_> {
    Statement::new(
        "UPDATE call_voice SET phase = $3, version = $4, awaiting = $5, document = $6, \
         document_url = $7, position = $8, elapsed_secs = $9, since = $10, documents = $11, \
         input = $12, date_updated = $13, timeline = $14 WHERE call_sid = $1 AND version = $2",
        params![
            v.call_sid.as_str(),
            expected_version,
            v.phase.as_str(),
            v.version,
            v.awaiting.as_deref(),
            v.document.as_deref(),
            v.document_url.as_deref(),
            v.position,
            v.elapsed_secs,
            v.since,
            v.documents,
            v.input.as_str(),
            v.date_updated,
            v.timeline.as_str()
        ],
    )
}

/// Takes the engine row of a call whatever its version, moving it on: for
/// a change from outside the engine (the API's hang-up) that reads the row
/// and the call only once it holds the row. An engine step that read the
/// row before then fails its claim ([`update`]), and one under way is
/// waited for, so what is read after is what it left.
pub fn claim(sid: &CallSid) -> Statement<'_> {
    Statement::new(
        "UPDATE call_voice SET version = version + 1 WHERE call_sid = $1",
        params![sid.as_str()],
    )
}

pub fn delete(sid: &CallSid) -> Statement<'_> {
    Statement::new(
        "DELETE FROM call_voice WHERE call_sid = $1",
        params![sid.as_str()],
    )
}

/// The verbs a call of `account` executed (empty when it ran no document:
/// then it has no row).
pub fn timeline_of<'a>(account: &'a AccountSid, sid: &'a CallSid) -> Query<'a, String> {
    Query::new(
        "SELECT timeline FROM call_voice WHERE call_sid = $1 AND account_sid = $2",
        params![sid.as_str(), account],
        |c| c.text(),
    )
}

/// Where a call is in its document, kept while it runs another one (a
/// queue's or a conference's wait document, a held participant's hold
/// document) and put back when that is over: the document, its URL, the
/// verb's position, and the call's executed seconds when the other
/// document was last requested.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub document: Option<String>,
    pub document_url: Option<String>,
    pub position: i64,
    pub wait_elapsed: i64,
}
