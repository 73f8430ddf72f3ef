//! TwiML Applications (`…/Applications`): a set of voice and messaging URLs
//! that calls and numbers use instead of their own.

use switchboard_types::{AccountSid, ApplicationSid, HookMethod, PhoneNumberSid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRecord {
    pub sid: ApplicationSid,
    pub account_sid: AccountSid,
    /// `None` until one is given (Twilio shows `null`).
    pub friendly_name: Option<String>,
    pub api_version: String,
    pub voice_url: Option<String>,
    pub voice_method: HookMethod,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: HookMethod,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    pub voice_caller_id_lookup: bool,
    pub sms_url: Option<String>,
    pub sms_method: HookMethod,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: HookMethod,
    pub sms_status_callback: Option<String>,
    pub message_status_callback: Option<String>,
    pub public_application_connect_enabled: bool,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for ApplicationRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! application_columns {
    () => {
        "sid, account_sid, friendly_name, api_version, voice_url, voice_method, \
         voice_fallback_url, voice_fallback_method, status_callback, status_callback_method, \
         voice_caller_id_lookup, sms_url, sms_method, sms_fallback_url, sms_fallback_method, \
         sms_status_callback, message_status_callback, public_application_connect_enabled, \
         date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<ApplicationRecord> {
    Ok(ApplicationRecord {
        sid: c.parsed(ApplicationSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        friendly_name: c.opt_text()?,
        api_version: c.text()?,
        voice_url: c.opt_text()?,
        voice_method: c.parsed(HookMethod::parse)?,
        voice_fallback_url: c.opt_text()?,
        voice_fallback_method: c.parsed(HookMethod::parse)?,
        status_callback: c.opt_text()?,
        status_callback_method: c.parsed(HookMethod::parse)?,
        voice_caller_id_lookup: c.boolean()?,
        sms_url: c.opt_text()?,
        sms_method: c.parsed(HookMethod::parse)?,
        sms_fallback_url: c.opt_text()?,
        sms_fallback_method: c.parsed(HookMethod::parse)?,
        sms_status_callback: c.opt_text()?,
        message_status_callback: c.opt_text()?,
        public_application_connect_enabled: c.boolean()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(a: &ApplicationRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO applications (",
            application_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20)"
        ),
        params![
            &a.sid,
            &a.account_sid,
            a.friendly_name.as_deref(),
            &a.api_version,
            a.voice_url.as_deref(),
            a.voice_method,
            a.voice_fallback_url.as_deref(),
            a.voice_fallback_method,
            a.status_callback.as_deref(),
            a.status_callback_method,
            a.voice_caller_id_lookup,
            a.sms_url.as_deref(),
            a.sms_method,
            a.sms_fallback_url.as_deref(),
            a.sms_fallback_method,
            a.sms_status_callback.as_deref(),
            a.message_status_callback.as_deref(),
            a.public_application_connect_enabled,
            a.date_created,
            a.date_updated
        ],
    )
}

/// Writes every setting of an application.
pub fn update(a: &ApplicationRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE applications SET friendly_name = $3, api_version = $4, voice_url = $5, \
         voice_method = $6, voice_fallback_url = $7, voice_fallback_method = $8, \
         status_callback = $9, status_callback_method = $10, voice_caller_id_lookup = $11, \
         sms_url = $12, sms_method = $13, sms_fallback_url = $14, sms_fallback_method = $15, \
         sms_status_callback = $16, message_status_callback = $17, \
         public_application_connect_enabled = $18, date_updated = $19 \
         WHERE account_sid = $1 AND sid = $2",
        params![
            &a.account_sid,
            &a.sid,
            a.friendly_name.as_deref(),
            &a.api_version,
            a.voice_url.as_deref(),
            a.voice_method,
            a.voice_fallback_url.as_deref(),
            a.voice_fallback_method,
            a.status_callback.as_deref(),
            a.status_callback_method,
            a.voice_caller_id_lookup,
            a.sms_url.as_deref(),
            a.sms_method,
            a.sms_fallback_url.as_deref(),
            a.sms_fallback_method,
            a.sms_status_callback.as_deref(),
            a.message_status_callback.as_deref(),
            a.public_application_connect_enabled,
            a.date_updated
        ],
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a ApplicationSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM applications WHERE account_sid = $1 AND sid = $2",
        params![account, sid],
    )
}

/// Numbers that stop using a deleted application: their voice and SMS
/// application SIDs are cleared where they named it.
pub fn release_numbers<'a>(sid: &'a ApplicationSid, now: Timestamp) -> Statement<'a> {
    Statement::new(
        "UPDATE phone_numbers SET \
         voice_application_sid = CASE WHEN voice_application_sid = $1 THEN NULL \
         ELSE voice_application_sid END, \
         sms_application_sid = CASE WHEN sms_application_sid = $1 THEN NULL \
         ELSE sms_application_sid END, \
         date_updated = $2 \
         WHERE voice_application_sid = $1 OR sms_application_sid = $1",
        params![sid, now],
    )
}

/// An application of one account (`None` when it belongs to another).
pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a ApplicationSid,
) -> Query<'a, ApplicationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            application_columns!(),
            " FROM applications WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// An application by its SID alone: for routing a number's traffic, whose
/// application is always its own account's.
pub fn by_sid(sid: &ApplicationSid) -> Query<'_, ApplicationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            application_columns!(),
            " FROM applications WHERE sid = $1"
        ),
        params![sid],
        decode,
    )
}

/// The SMS application of a number, if it has one.
pub fn sms_of_number(number: &PhoneNumberSid) -> Query<'_, ApplicationRecord> {
    Query::new(
        "SELECT a.sid, a.account_sid, a.friendly_name, a.api_version, a.voice_url, \
         a.voice_method, a.voice_fallback_url, a.voice_fallback_method, a.status_callback, \
         a.status_callback_method, a.voice_caller_id_lookup, a.sms_url, a.sms_method, \
         a.sms_fallback_url, a.sms_fallback_method, a.sms_status_callback, \
         a.message_status_callback, a.public_application_connect_enabled, a.date_created, \
         a.date_updated \
         FROM applications a JOIN phone_numbers p ON p.sms_application_sid = a.sid \
         WHERE p.sid = $1",
        params![number],
        decode,
    )
}

/// How many applications an account has (Twilio allows 1,000).
pub fn count(account: &AccountSid) -> Query<'_, i64> {
    Query::new(
        "SELECT COUNT(*) FROM applications WHERE account_sid = $1",
        params![account],
        |c| c.int(),
    )
}

/// The applications of an account, oldest first, optionally those of one
/// friendly name.
pub fn list<'a>(
    account: &'a AccountSid,
    friendly_name: Option<&'a str>,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, ApplicationRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", application_columns!(), " FROM applications"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("friendly_name = {}", friendly_name)
    .page(at, size, decode)
}
