//! Short codes (`…/SMS/ShortCodes`): numbers of 5 or 6 digits (3 to 8
//! accepted) the operator provisions to an account, which it sends messages
//! from.

use switchboard_types::{AccountSid, HookMethod, SandboxSid, ShortCodeSid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortCodeRecord {
    pub sid: ShortCodeSid,
    pub account_sid: AccountSid,
    /// The account's world (`None`: the default one), where it is unique.
    pub sandbox_sid: Option<SandboxSid>,
    /// The digits.
    pub short_code: String,
    pub friendly_name: String,
    pub api_version: String,
    pub sms_url: Option<String>,
    pub sms_method: HookMethod,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: HookMethod,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for ShortCodeRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! short_code_columns {
    () => {
        "sid, account_sid, sandbox_sid, short_code, friendly_name, api_version, sms_url, \
         sms_method, sms_fallback_url, sms_fallback_method, date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<ShortCodeRecord> {
    Ok(ShortCodeRecord {
        sid: c.parsed(ShortCodeSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        sandbox_sid: c.opt_parsed(SandboxSid::parse)?,
        short_code: c.text()?,
        friendly_name: c.text()?,
        api_version: c.text()?,
        sms_url: c.opt_text()?,
        sms_method: c.parsed(HookMethod::parse)?,
        sms_fallback_url: c.opt_text()?,
        sms_fallback_method: c.parsed(HookMethod::parse)?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

/// Inserts a short code into its account's world (read from the account in
/// the statement): [`crate::StoreError::Conflict`] when the world has it
/// already.
pub fn insert(r: &ShortCodeRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO short_codes (",
            short_code_columns!(),
            ") VALUES ($1, $2, (SELECT a.sandbox_sid FROM accounts a WHERE a.sid = $2), \
             $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ),
        params![
            &r.sid,
            &r.account_sid,
            &r.short_code,
            &r.friendly_name,
            &r.api_version,
            r.sms_url.as_deref(),
            r.sms_method,
            r.sms_fallback_url.as_deref(),
            r.sms_fallback_method,
            r.date_created,
            r.date_updated
        ],
    )
}

/// One short code of one account (`None` when it is another's).
pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a ShortCodeSid,
) -> Query<'a, ShortCodeRecord> {
    Query::new(
        concat!(
            "SELECT ",
            short_code_columns!(),
            " FROM short_codes WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// The account's short code with these digits, if it has it.
pub fn of_account_by_code<'a>(
    account: &'a AccountSid,
    short_code: &'a str,
) -> Query<'a, ShortCodeRecord> {
    Query::new(
        concat!(
            "SELECT ",
            short_code_columns!(),
            " FROM short_codes WHERE account_sid = $1 AND short_code = $2"
        ),
        params![account, short_code],
        decode,
    )
}

/// A short code by its SID alone (the operator's command line).
pub fn by_sid(sid: &ShortCodeSid) -> Query<'_, ShortCodeRecord> {
    Query::new(
        concat!(
            "SELECT ",
            short_code_columns!(),
            " FROM short_codes WHERE sid = $1"
        ),
        params![sid],
        decode,
    )
}

/// The account's short codes, oldest first, optionally only those of one
/// name or code (exact).
pub fn list<'a>(
    account: &'a AccountSid,
    friendly_name: Option<&'a str>,
    short_code: Option<&'a str>,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, ShortCodeRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", short_code_columns!(), " FROM short_codes"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("friendly_name = {}", friendly_name)
    .filter_opt("short_code = {}", short_code)
    .page(at, size, decode)
}

/// Writes what an update may change.
pub fn update(r: &ShortCodeRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE short_codes SET friendly_name = $3, api_version = $4, sms_url = $5, \
         sms_method = $6, sms_fallback_url = $7, sms_fallback_method = $8, date_updated = $9 \
         WHERE account_sid = $1 AND sid = $2",
        params![
            &r.account_sid,
            &r.sid,
            &r.friendly_name,
            &r.api_version,
            r.sms_url.as_deref(),
            r.sms_method,
            r.sms_fallback_url.as_deref(),
            r.sms_fallback_method,
            r.date_updated
        ],
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a ShortCodeSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM short_codes WHERE account_sid = $1 AND sid = $2",
        params![account, sid],
    )
}
