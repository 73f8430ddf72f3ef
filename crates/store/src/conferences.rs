//! Conferences (`…/Conferences`) and the calls in them
//! (`…/Conferences/{Sid}/Participants`).

use switchboard_types::{AccountSid, CallSid, ConferenceSid, HookMethod, Timestamp};

use crate::calls::Range;
use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

/// Where a conference is (`status`): `init` until it starts, `in-progress`
/// once it does, `completed` once it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConferenceStatus {
    Init,
    InProgress,
    Completed,
}

impl ConferenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConferenceStatus::Init => "init",
            ConferenceStatus::InProgress => "in-progress",
            ConferenceStatus::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s {
            "init" => Ok(ConferenceStatus::Init),
            "in-progress" => Ok(ConferenceStatus::InProgress),
            "completed" => Ok(ConferenceStatus::Completed),
            other => Err(format!("{other:?} is not a conference status")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConferenceRecord {
    pub sid: ConferenceSid,
    pub account_sid: AccountSid,
    pub friendly_name: String,
    pub status: ConferenceStatus,
    pub region: String,
    /// Twilio's `reason_conference_ended` once it ended.
    pub reason_conference_ended: Option<String>,
    pub call_sid_ending_conference: Option<CallSid>,
    pub max_participants: i64,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    /// `statusCallbackEvent` words (`start end join leave mute hold
    /// modify`), space separated.
    pub status_callback_events: String,
    pub callback_signer_sid: AccountSid,
    /// The last `SequenceNumber` a status callback used.
    pub sequence: i64,
    /// `record="record-from-start"`: recorded from its start to its end.
    pub record: bool,
    pub recording_status_callback: Option<String>,
    pub recording_status_callback_method: HookMethod,
    /// `recordingStatusCallbackEvent`, space-separated (empty: `completed`).
    pub recording_status_callback_events: String,
    /// When it started (went `in-progress`).
    pub date_started: Option<Timestamp>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for ConferenceRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! conference_columns {
    () => {
        "sid, account_sid, friendly_name, status, region, reason_conference_ended, \
         call_sid_ending_conference, max_participants, status_callback, status_callback_method, \
         status_callback_events, callback_signer_sid, sequence, record, recording_status_callback, \
         recording_status_callback_method, date_started, date_created, date_updated, \
         recording_status_callback_events"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<ConferenceRecord> {
    Ok(ConferenceRecord {
        sid: c.parsed(ConferenceSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        friendly_name: c.text()?,
        status: c.parsed(ConferenceStatus::parse)?,
        region: c.text()?,
        reason_conference_ended: c.opt_text()?,
        call_sid_ending_conference: c.opt_parsed(CallSid::parse)?,
        max_participants: c.int()?,
        status_callback: c.opt_text()?,
        status_callback_method: c.parsed(HookMethod::parse)?,
        status_callback_events: c.text()?,
        callback_signer_sid: c.parsed(AccountSid::parse)?,
        sequence: c.int()?,
        record: c.boolean()?,
        recording_status_callback: c.opt_text()?,
        recording_status_callback_method: c.parsed(HookMethod::parse)?,
        date_started: c.opt_timestamp()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
        recording_status_callback_events: c.text()?,
    })
}

/// Inserts a conference unless the account has one of that name that has
/// not completed (then nothing: two calls joining a new name at once make
/// one conference).
pub fn insert_if_absent(r: &ConferenceRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO conferences (",
            conference_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20) ON CONFLICT (account_sid, friendly_name) WHERE status <> 'completed' \
             DO NOTHING"
        ),
        params![
            &r.sid,
            &r.account_sid,
            &r.friendly_name,
            r.status.as_str(),
            &r.region,
            r.reason_conference_ended.as_deref(),
            r.call_sid_ending_conference.as_ref(),
            r.max_participants,
            r.status_callback.as_deref(),
            r.status_callback_method,
            &r.status_callback_events,
            &r.callback_signer_sid,
            r.sequence,
            r.record,
            r.recording_status_callback.as_deref(),
            r.recording_status_callback_method,
            r.date_started,
            r.date_created,
            r.date_updated,
            &r.recording_status_callback_events
        ],
    )
}

/// Saves what changes in a conference (status, end, sequence, start); the
/// row was locked first ([`lock`], [`lock_live_by_name`]).
pub fn update(r: &ConferenceRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE conferences SET status = $2, reason_conference_ended = $3, \
         call_sid_ending_conference = $4, sequence = $5, date_updated = $6, date_started = $7 \
         WHERE sid = $1",
        params![
            &r.sid,
            r.status.as_str(),
            r.reason_conference_ended.as_deref(),
            r.call_sid_ending_conference.as_ref(),
            r.sequence,
            r.date_updated,
            r.date_started
        ],
    )
}

/// Takes the conference's row lock (a write that changes nothing), so
/// what the transaction reads of it next is what committed, and no other
/// transaction changes it (or its participants' joining and leaving)
/// until this one ends. SQLite has one writer: nothing to wait for.
pub fn lock(sid: &ConferenceSid) -> Statement<'_> {
    Statement::new(
        "UPDATE conferences SET sequence = sequence WHERE sid = $1",
        params![sid],
    )
}

/// [`lock`] for the account's live conference of that name.
pub fn lock_live_by_name<'a>(account: &'a AccountSid, name: &'a str) -> Statement<'a> {
    Statement::new(
        "UPDATE conferences SET sequence = sequence \
         WHERE account_sid = $1 AND friendly_name = $2 AND status <> 'completed'",
        params![account, name],
    )
}

/// One conference of one account (`None` when it is another's).
pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a ConferenceSid,
) -> Query<'a, ConferenceRecord> {
    Query::new(
        concat!(
            "SELECT ",
            conference_columns!(),
            " FROM conferences WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

pub fn by_sid(sid: &ConferenceSid) -> Query<'_, ConferenceRecord> {
    Query::new(
        concat!(
            "SELECT ",
            conference_columns!(),
            " FROM conferences WHERE sid = $1"
        ),
        params![sid],
        decode,
    )
}

/// The account's conference of that name that has not completed.
pub fn live_by_name<'a>(account: &'a AccountSid, name: &'a str) -> Query<'a, ConferenceRecord> {
    Query::new(
        concat!(
            "SELECT ",
            conference_columns!(),
            " FROM conferences WHERE account_sid = $1 AND friendly_name = $2 \
             AND status <> 'completed'"
        ),
        params![account, name],
        decode,
    )
}

/// What a conference list selects.
#[derive(Debug, Clone, Default)]
pub struct ConferenceFilter {
    pub friendly_name: Option<String>,
    pub status: Option<ConferenceStatus>,
    pub date_created: Range,
    pub date_updated: Range,
}

/// Newest first, as Twilio lists conferences.
pub fn list<'a>(
    account: &'a AccountSid,
    filter: &'a ConferenceFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, ConferenceRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", conference_columns!(), " FROM conferences"),
        "date_created",
        "sid",
        Order::Descending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("friendly_name = {}", filter.friendly_name.as_deref())
    .filter_opt("status = {}", filter.status.map(|s| s.as_str()))
    .filter_opt("date_created >= {}", filter.date_created.from)
    .filter_opt("date_created < {}", filter.date_created.until)
    .filter_opt("date_updated >= {}", filter.date_updated.from)
    .filter_opt("date_updated < {}", filter.date_updated.until)
    .page(at, size, decode)
}

/// A call in a conference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRecord {
    pub call_sid: CallSid,
    pub conference_sid: ConferenceSid,
    pub account_sid: AccountSid,
    pub label: Option<String>,
    /// Twilio's participant status (`connected` once in).
    pub status: String,
    pub muted: bool,
    pub hold: bool,
    pub coaching: bool,
    pub call_sid_to_coach: Option<CallSid>,
    pub start_conference_on_enter: bool,
    pub end_conference_on_exit: bool,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for ParticipantRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.call_sid.to_string(),
        }
    }
}

macro_rules! participant_columns {
    () => {
        "call_sid, conference_sid, account_sid, label, status, muted, hold, coaching, \
         call_sid_to_coach, start_conference_on_enter, end_conference_on_exit, date_created, \
         date_updated"
    };
}

fn decode_participant(c: &mut Cols<'_>) -> Result<ParticipantRecord> {
    Ok(ParticipantRecord {
        call_sid: c.parsed(CallSid::parse)?,
        conference_sid: c.parsed(ConferenceSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        label: c.opt_text()?,
        status: c.text()?,
        muted: c.boolean()?,
        hold: c.boolean()?,
        coaching: c.boolean()?,
        call_sid_to_coach: c.opt_parsed(CallSid::parse)?,
        start_conference_on_enter: c.boolean()?,
        end_conference_on_exit: c.boolean()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert_participant(p: &ParticipantRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO conference_participants (",
            participant_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ),
        params![
            &p.call_sid,
            &p.conference_sid,
            &p.account_sid,
            p.label.as_deref(),
            &p.status,
            p.muted,
            p.hold,
            p.coaching,
            p.call_sid_to_coach.as_ref(),
            p.start_conference_on_enter,
            p.end_conference_on_exit,
            p.date_created,
            p.date_updated
        ],
    )
}

/// Saves a participant's settings (`Muted`, `Hold`, coaching, its exit).
pub fn update_participant(p: &ParticipantRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE conference_participants SET muted = $2, hold = $3, coaching = $4, \
         call_sid_to_coach = $5, end_conference_on_exit = $6, date_updated = $7, label = $8 \
         WHERE call_sid = $1",
        params![
            &p.call_sid,
            p.muted,
            p.hold,
            p.coaching,
            p.call_sid_to_coach.as_ref(),
            p.end_conference_on_exit,
            p.date_updated,
            p.label.as_deref()
        ],
    )
}

/// A participant leaves; `0` rows when it had already left.
pub fn delete_participant(call: &CallSid) -> Statement<'_> {
    Statement::new(
        "DELETE FROM conference_participants WHERE call_sid = $1",
        params![call],
    )
}

/// The conference a call is in, if any.
pub fn participant_of_call(call: &CallSid) -> Query<'_, ParticipantRecord> {
    Query::new(
        concat!(
            "SELECT ",
            participant_columns!(),
            " FROM conference_participants WHERE call_sid = $1"
        ),
        params![call],
        decode_participant,
    )
}

/// One participant of a conference of one account, by its call or label.
pub fn participant<'a>(
    account: &'a AccountSid,
    conference: &'a ConferenceSid,
    call_or_label: &'a str,
) -> Query<'a, ParticipantRecord> {
    Query::new(
        concat!(
            "SELECT ",
            participant_columns!(),
            " FROM conference_participants WHERE account_sid = $1 AND conference_sid = $2 \
             AND (call_sid = $3 OR label = $3)"
        ),
        params![account, conference, call_or_label],
        decode_participant,
    )
}

/// Every participant of a conference, oldest first.
pub fn participants_of(conference: &ConferenceSid) -> Query<'_, ParticipantRecord> {
    Query::new(
        concat!(
            "SELECT ",
            participant_columns!(),
            " FROM conference_participants WHERE conference_sid = $1 \
             ORDER BY date_created, call_sid"
        ),
        params![conference],
        decode_participant,
    )
}

/// What a participant list selects.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParticipantFilter {
    pub muted: Option<bool>,
    pub hold: Option<bool>,
    pub coaching: Option<bool>,
}

/// A conference's participants, oldest first.
pub fn list_participants<'a>(
    account: &'a AccountSid,
    conference: &'a ConferenceSid,
    filter: ParticipantFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, ParticipantRecord>, PageShape) {
    ListQuery::new(
        concat!(
            "SELECT ",
            participant_columns!(),
            " FROM conference_participants"
        ),
        "date_created",
        "call_sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter("conference_sid = {}", [conference.into()])
    .filter_opt("muted = {}", filter.muted)
    .filter_opt("hold = {}", filter.hold)
    .filter_opt("coaching = {}", filter.coaching)
    .page(at, size, decode_participant)
}

/// What a participant runs instead of being in its conference (migration
/// 0034): its wait document while the conference has not started, its
/// hold document while it is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Away {
    Wait,
    Hold,
}

impl Away {
    pub fn as_str(self) -> &'static str {
        match self {
            Away::Wait => "wait",
            Away::Hold => "hold",
        }
    }

    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        match s {
            "wait" => Ok(Away::Wait),
            "hold" => Ok(Away::Hold),
            other => Err(format!("{other:?} is not where a participant is away")),
        }
    }
}

/// A participant's documents: its wait and hold URLs, and, while it runs
/// one of them (`away`), its call's place in the `<Dial><Conference>`
/// document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantDocuments {
    pub call_sid: CallSid,
    pub conference_sid: ConferenceSid,
    pub wait_url: Option<String>,
    pub wait_method: HookMethod,
    pub hold_url: Option<String>,
    pub hold_method: HookMethod,
    pub away: Option<Away>,
    pub place: crate::call_voice::Place,
}

fn decode_documents(c: &mut Cols<'_>) -> Result<ParticipantDocuments> {
    Ok(ParticipantDocuments {
        call_sid: c.parsed(CallSid::parse)?,
        conference_sid: c.parsed(ConferenceSid::parse)?,
        wait_url: c.opt_text()?,
        wait_method: c.parsed(HookMethod::parse)?,
        hold_url: c.opt_text()?,
        hold_method: c.parsed(HookMethod::parse)?,
        away: c.opt_parsed(Away::parse)?,
        place: crate::call_voice::Place {
            document: c.opt_text()?,
            document_url: c.opt_text()?,
            position: c.int()?,
            wait_elapsed: c.int()?,
        },
    })
}

/// The documents of the participant a call is, if it is one.
pub fn documents_of(call: &CallSid) -> Query<'_, ParticipantDocuments> {
    Query::new(
        "SELECT call_sid, conference_sid, wait_url, wait_method, hold_url, hold_method, away, \
         document, document_url, position, wait_elapsed \
         FROM conference_participants WHERE call_sid = $1",
        params![call],
        decode_documents,
    )
}

/// The participants of a conference running its wait document.
pub fn waiting_in(conference: &ConferenceSid) -> Query<'_, CallSid> {
    Query::new(
        "SELECT call_sid FROM conference_participants WHERE conference_sid = $1 \
         AND away = 'wait' ORDER BY date_created, call_sid",
        params![conference],
        |c| c.parsed(CallSid::parse),
    )
}

/// A participant's wait document (`None`: it waits in silence).
pub fn set_wait_url<'a>(
    call: &'a CallSid,
    url: Option<&'a str>,
    method: HookMethod,
) -> Statement<'a> {
    Statement::new(
        "UPDATE conference_participants SET wait_url = $2, wait_method = $3 WHERE call_sid = $1",
        params![call, url, method],
    )
}

/// A participant's hold document (`None`: held in silence).
pub fn set_hold_url<'a>(
    call: &'a CallSid,
    url: Option<&'a str>,
    method: HookMethod,
) -> Statement<'a> {
    Statement::new(
        "UPDATE conference_participants SET hold_url = $2, hold_method = $3 WHERE call_sid = $1",
        params![call, url, method],
    )
}

/// A participant runs its wait or hold document: its call's place is kept.
pub fn go_away<'a>(
    call: &'a CallSid,
    away: Away,
    place: &'a crate::call_voice::Place,
) -> Statement<'a> {
    Statement::new(
        "UPDATE conference_participants SET away = $2, document = $3, document_url = $4, \
         position = $5, wait_elapsed = $6 WHERE call_sid = $1",
        params![
            call,
            away.as_str(),
            place.document.as_deref(),
            place.document_url.as_deref(),
            place.position,
            place.wait_elapsed
        ],
    )
}

/// A participant is back in its conference; `0` rows when it was not
/// away (another transaction brought it back first).
pub fn come_back(call: &CallSid) -> Statement<'_> {
    Statement::new(
        "UPDATE conference_participants SET away = NULL, document = NULL, document_url = NULL \
         WHERE call_sid = $1 AND away IS NOT NULL",
        params![call],
    )
}

/// Notes that an away participant's document was requested again.
pub fn set_away_elapsed(call: &CallSid, secs: i64) -> Statement<'_> {
    Statement::new(
        "UPDATE conference_participants SET wait_elapsed = $2 WHERE call_sid = $1",
        params![call, secs],
    )
}

/// Takes the row locks of the conferences a call and its other side (a
/// call between numbers here, `calls.peer_call_sid`) are in, if they are
/// in any (see [`lock`]): the first lock of a transaction that changes a
/// call which may be a participant, so that conference locks come before
/// call locks everywhere (docs/telephony.md, "Conferences"). The other
/// side's too, because a call's end ends its other side in the same
/// transaction, which then leaves that side's conference. The count of
/// rows is how many it locked (see [`conferences_of_call`]).
pub fn lock_of_call(call: &CallSid) -> Statement<'_> {
    Statement::new(
        "UPDATE conferences SET sequence = sequence WHERE sid IN \
         (SELECT conference_sid FROM conference_participants WHERE call_sid = $1 \
          OR call_sid = (SELECT peer_call_sid FROM calls WHERE sid = $2))",
        params![call, call],
    )
}

/// How many conferences [`lock_of_call`] would lock now: more than it did
/// means the call or its other side joined one since, without its lock.
pub fn conferences_of_call(call: &CallSid) -> Query<'_, i64> {
    Query::new(
        "SELECT COUNT(*) FROM conference_participants WHERE call_sid = $1 \
         OR call_sid = (SELECT peer_call_sid FROM calls WHERE sid = $2)",
        params![call, call],
        |c| c.int(),
    )
}
