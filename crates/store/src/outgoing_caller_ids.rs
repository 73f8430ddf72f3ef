//! Outgoing caller IDs (`…/OutgoingCallerIds`): numbers an account verified
//! and may call from, and the validation requests whose verification call
//! is under way.

use switchboard_types::{AccountSid, CallSid, HookMethod, OutgoingCallerIdSid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdRecord {
    pub sid: OutgoingCallerIdSid,
    pub account_sid: AccountSid,
    /// E.164.
    pub phone_number: String,
    pub friendly_name: String,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for CallerIdRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! caller_id_columns {
    () => {
        "sid, account_sid, phone_number, friendly_name, date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<CallerIdRecord> {
    Ok(CallerIdRecord {
        sid: c.parsed(OutgoingCallerIdSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        phone_number: c.text()?,
        friendly_name: c.text()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(r: &CallerIdRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO outgoing_caller_ids (",
            caller_id_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6)"
        ),
        params![
            &r.sid,
            &r.account_sid,
            &r.phone_number,
            &r.friendly_name,
            r.date_created,
            r.date_updated
        ],
    )
}

/// One caller ID of one account (`None` when it is another's).
pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a OutgoingCallerIdSid,
) -> Query<'a, CallerIdRecord> {
    Query::new(
        concat!(
            "SELECT ",
            caller_id_columns!(),
            " FROM outgoing_caller_ids WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// The account's caller ID for a number (E.164), if it verified it.
pub fn of_account_by_number<'a>(
    account: &'a AccountSid,
    number: &'a str,
) -> Query<'a, CallerIdRecord> {
    Query::new(
        concat!(
            "SELECT ",
            caller_id_columns!(),
            " FROM outgoing_caller_ids WHERE account_sid = $1 AND phone_number = $2"
        ),
        params![account, number],
        decode,
    )
}

/// The account's caller IDs, oldest first, optionally only one number's or
/// those of one name (exact).
pub fn list<'a>(
    account: &'a AccountSid,
    phone_number: Option<&'a str>,
    friendly_name: Option<&'a str>,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, CallerIdRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", caller_id_columns!(), " FROM outgoing_caller_ids"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("phone_number = {}", phone_number)
    .filter_opt("friendly_name = {}", friendly_name)
    .page(at, size, decode)
}

pub fn rename(r: &CallerIdRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE outgoing_caller_ids SET friendly_name = $3, date_updated = $4 \
         WHERE account_sid = $1 AND sid = $2",
        params![&r.account_sid, &r.sid, &r.friendly_name, r.date_updated],
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a OutgoingCallerIdSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM outgoing_caller_ids WHERE account_sid = $1 AND sid = $2",
        params![account, sid],
    )
}

/// A validation request whose verification call has not ended yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRecord {
    /// The verification call.
    pub call_sid: CallSid,
    pub account_sid: AccountSid,
    pub phone_number: String,
    /// The caller ID's name once verified.
    pub friendly_name: String,
    /// The six digits the person called enters.
    pub validation_code: String,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    /// Whose auth token signs the status callback.
    pub callback_signer_sid: AccountSid,
    pub date_created: Timestamp,
}

macro_rules! validation_columns {
    () => {
        "call_sid, account_sid, phone_number, friendly_name, validation_code, status_callback, \
         status_callback_method, callback_signer_sid, date_created"
    };
}

fn decode_validation(c: &mut Cols<'_>) -> Result<ValidationRecord> {
    Ok(ValidationRecord {
        call_sid: c.parsed(CallSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        phone_number: c.text()?,
        friendly_name: c.text()?,
        validation_code: c.text()?,
        status_callback: c.opt_text()?,
        status_callback_method: c.parsed(HookMethod::parse)?,
        callback_signer_sid: c.parsed(AccountSid::parse)?,
        date_created: c.timestamp()?,
    })
}

pub fn insert_validation(v: &ValidationRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO caller_id_validations (",
            validation_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ),
        params![
            &v.call_sid,
            &v.account_sid,
            &v.phone_number,
            &v.friendly_name,
            &v.validation_code,
            v.status_callback.as_deref(),
            v.status_callback_method,
            &v.callback_signer_sid,
            v.date_created
        ],
    )
}

/// The validation a verification call is placed for.
pub fn validation_of_call(call: &CallSid) -> Query<'_, ValidationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            validation_columns!(),
            " FROM caller_id_validations WHERE call_sid = $1"
        ),
        params![call],
        decode_validation,
    )
}

/// Ends a validation: 1 row when this transaction ended it.
pub fn delete_validation(call: &CallSid) -> Statement<'_> {
    Statement::new(
        "DELETE FROM caller_id_validations WHERE call_sid = $1",
        params![call],
    )
}
