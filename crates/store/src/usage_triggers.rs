//! Usage triggers (`…/Usage/Triggers`): a webhook sent when an account's
//! usage of a category crosses a value, at most once per period.

use switchboard_types::{
    AccountSid, HookMethod, Timestamp, TriggerField, TriggerRecurring, UsageCategory,
    UsageTriggerSid,
};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::usage::UsageScope;
use crate::{Cols, Query, Result, Statement, params};

/// `armed_from` of a trigger that never fires again (non-recurring, fired).
pub const NEVER_AGAIN: &str = "9999-12-31";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageTriggerRecord {
    pub sid: UsageTriggerSid,
    pub account_sid: AccountSid,
    pub friendly_name: Option<String>,
    pub api_version: String,
    /// One of the categories usage records report (`sms`, `totalprice`…).
    pub usage_category: String,
    pub trigger_by: TriggerField,
    /// Decimal text, as Twilio shows it.
    pub trigger_value: String,
    pub recurring: TriggerRecurring,
    pub callback_url: String,
    pub callback_method: HookMethod,
    /// Whose auth token signs the callback.
    pub callback_signer_sid: AccountSid,
    /// The watched value when it last fired.
    pub current_value: Option<String>,
    pub date_fired: Option<Timestamp>,
    /// The first day (`YYYY-MM-DD`) it may fire on: '' until it first fires.
    pub armed_from: String,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for UsageTriggerRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! trigger_columns {
    () => {
        "sid, account_sid, friendly_name, api_version, usage_category, trigger_by, \
         trigger_value, recurring, callback_url, callback_method, callback_signer_sid, \
         current_value, date_fired, armed_from, date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<UsageTriggerRecord> {
    Ok(UsageTriggerRecord {
        sid: c.parsed(UsageTriggerSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        friendly_name: c.opt_text()?,
        api_version: c.text()?,
        usage_category: c.text()?,
        trigger_by: c.parsed(TriggerField::parse)?,
        trigger_value: c.text()?,
        recurring: c.parsed(TriggerRecurring::parse)?,
        callback_url: c.text()?,
        callback_method: c.parsed(HookMethod::parse)?,
        callback_signer_sid: c.parsed(AccountSid::parse)?,
        current_value: c.opt_text()?,
        date_fired: c.opt_timestamp()?,
        armed_from: c.text()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(t: &UsageTriggerRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO usage_triggers (",
            trigger_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        ),
        params![
            &t.sid,
            &t.account_sid,
            t.friendly_name.as_deref(),
            &t.api_version,
            &t.usage_category,
            t.trigger_by,
            &t.trigger_value,
            t.recurring,
            &t.callback_url,
            t.callback_method,
            &t.callback_signer_sid,
            t.current_value.as_deref(),
            t.date_fired,
            &t.armed_from,
            t.date_created,
            t.date_updated
        ],
    )
}

/// Writes what an update may change: the name and the callback.
pub fn update(t: &UsageTriggerRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE usage_triggers SET friendly_name = $3, callback_url = $4, callback_method = $5, \
         callback_signer_sid = $6, date_updated = $7 WHERE account_sid = $1 AND sid = $2",
        params![
            &t.account_sid,
            &t.sid,
            t.friendly_name.as_deref(),
            &t.callback_url,
            t.callback_method,
            &t.callback_signer_sid,
            t.date_updated
        ],
    )
}

/// Records a firing, only if no one fired it meanwhile (`armed_from` is
/// still what was read): 1 row changed when this transaction fired it.
pub fn fire<'a>(
    t: &'a UsageTriggerRecord,
    armed_was: &'a str,
    current_value: &'a str,
    fired: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "UPDATE usage_triggers SET current_value = $3, date_fired = $4, armed_from = $5, \
         date_updated = $4 WHERE sid = $1 AND armed_from = $2",
        params![&t.sid, armed_was, current_value, fired, &t.armed_from],
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a UsageTriggerSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM usage_triggers WHERE account_sid = $1 AND sid = $2",
        params![account, sid],
    )
}

/// A trigger of one account (`None` when it belongs to another).
pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a UsageTriggerSid,
) -> Query<'a, UsageTriggerRecord> {
    Query::new(
        concat!(
            "SELECT ",
            trigger_columns!(),
            " FROM usage_triggers WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// The triggers a charge to `account` (whose main account is `main`) may
/// fire on `day`: those of the account and of its main account, armed on
/// that day. One probe of the account index each; nothing when neither has
/// any.
pub fn armed<'a>(
    account: &'a AccountSid,
    main: &'a AccountSid,
    day: &'a str,
) -> Query<'a, UsageTriggerRecord> {
    Query::new(
        concat!(
            "SELECT ",
            trigger_columns!(),
            " FROM usage_triggers WHERE account_sid IN ($1, $2) AND armed_from <= $3"
        ),
        params![account, main, day],
        decode,
    )
}

/// The triggers of an account, oldest first, optionally only those of one
/// recurrence, field or category.
pub fn list<'a>(
    account: &'a AccountSid,
    recurring: Option<TriggerRecurring>,
    trigger_by: Option<TriggerField>,
    usage_category: Option<&'a str>,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, UsageTriggerRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", trigger_columns!(), " FROM usage_triggers"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("recurring = {}", recurring)
    .filter_opt("trigger_by = {}", trigger_by)
    .filter_opt("usage_category = {}", usage_category)
    .page(at, size, decode)
}

/// Count, usage and price of some leaf categories (all of them for `None`)
/// from `first_day` to `last_day` (`YYYY-MM-DD`, inclusive; '' from the
/// start).
pub fn totals<'a>(
    scope: UsageScope<'a>,
    leaves: Option<&'a [UsageCategory]>,
    first_day: &'a str,
    last_day: &'a str,
) -> Query<'a, (i64, i64, i64)> {
    let (from, account_condition, account) = match scope {
        UsageScope::Account(a) => ("usage_daily u", "u.account_sid = $1", a),
        UsageScope::Tree(main) => (
            "usage_daily u JOIN accounts a ON a.sid = u.account_sid",
            "a.owner_account_sid = $1",
            main,
        ),
    };
    let mut params = params![account, first_day, last_day];
    let mut categories = String::new();
    if let Some(leaves) = leaves {
        let placeholders: Vec<String> = leaves
            .iter()
            .map(|leaf| {
                params.push((*leaf).into());
                format!("${}", params.len())
            })
            .collect();
        categories = format!(" AND u.category IN ({})", placeholders.join(", "));
    }
    // PostgreSQL sums BIGINT into NUMERIC: cast back so both answer BIGINT.
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(u.count), 0) AS BIGINT), \
         CAST(COALESCE(SUM(u.usage), 0) AS BIGINT), \
         CAST(COALESCE(SUM(u.price_micros), 0) AS BIGINT) FROM {from} \
         WHERE {account_condition} AND u.day >= $2 AND u.day <= $3{categories}"
    );
    Query::dynamic(sql, params, |c| Ok((c.int()?, c.int()?, c.int()?)))
}
