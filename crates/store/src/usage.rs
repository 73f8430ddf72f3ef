//! Usage and balances: every charge adds to a per-day roll-up of the account
//! that owns the resource and lowers its main account's balance, in the
//! transaction of the change that costs money.

use switchboard_types::{AccountSid, UsageCategory};

use crate::{Query, Statement, params};

/// One charge, or one seeded day of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge<'a> {
    pub account_sid: &'a AccountSid,
    pub main_account_sid: &'a AccountSid,
    pub category: UsageCategory,
    /// `YYYY-MM-DD`, UTC.
    pub day: &'a str,
    pub count: i64,
    pub usage: i64,
    pub price_micros: i64,
}

/// Adds a charge to the day's roll-up (two statements: run both in one
/// transaction, with [`debit`]).
pub fn add<'a>(c: &Charge<'a>) -> Statement<'a> {
    Statement::new(
        "INSERT INTO usage_daily (account_sid, category, day, count, usage, price_micros) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_sid, category, day) DO UPDATE SET \
         count = usage_daily.count + excluded.count, usage = usage_daily.usage + excluded.usage, \
         price_micros = usage_daily.price_micros + excluded.price_micros",
        params![
            c.account_sid,
            c.category,
            c.day,
            c.count,
            c.usage,
            c.price_micros
        ],
    )
}

/// Lowers the main account's balance by the charge.
pub fn debit<'a>(c: &Charge<'a>) -> Statement<'a> {
    Statement::new(
        "UPDATE accounts SET balance_micros = balance_micros - $2 WHERE sid = $1",
        params![c.main_account_sid, c.price_micros],
    )
}

pub fn balance(main: &AccountSid) -> Query<'_, i64> {
    Query::new(
        "SELECT balance_micros FROM accounts WHERE sid = $1",
        params![main],
        |c| c.int(),
    )
}

/// Usage summed per leaf category and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub category: UsageCategory,
    /// The period's prefix of `YYYY-MM-DD`: the whole day, `YYYY-MM`, `YYYY`, or
    /// empty for all time.
    pub period: String,
    pub count: i64,
    pub usage: i64,
    pub price_micros: i64,
}

/// How a report groups days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Month,
    Year,
    All,
}

impl Period {
    /// How much of `YYYY-MM-DD` names the period.
    pub fn prefix_len(self) -> usize {
        match self {
            Period::Day => 10,
            Period::Month => 7,
            Period::Year => 4,
            Period::All => 0,
        }
    }
}

/// Which accounts' usage a report adds up.
#[derive(Debug, Clone, Copy)]
pub enum UsageScope<'a> {
    /// The account alone.
    Account(&'a AccountSid),
    /// A main account and all its subaccounts.
    Tree(&'a AccountSid),
}

pub fn summed<'a>(
    scope: UsageScope<'a>,
    first_day: &'a str,
    last_day: &'a str,
    period: Period,
) -> Query<'a, UsageRow> {
    // PostgreSQL sums BIGINT into NUMERIC: cast back so both databases answer
    // the same type. The period length is one of four constants, never input.
    let len = period.prefix_len();
    let (from, account_condition, account) = match scope {
        UsageScope::Account(a) => ("usage_daily u", "u.account_sid = $1", a),
        UsageScope::Tree(main) => (
            "usage_daily u JOIN accounts a ON a.sid = u.account_sid",
            "a.owner_account_sid = $1",
            main,
        ),
    };
    let sql = format!(
        "SELECT u.category, substr(u.day, 1, {len}) AS period, CAST(SUM(u.count) AS BIGINT), \
         CAST(SUM(u.usage) AS BIGINT), CAST(SUM(u.price_micros) AS BIGINT) FROM {from} \
         WHERE {account_condition} AND u.day >= $2 AND u.day <= $3 \
         GROUP BY u.category, substr(u.day, 1, {len}) ORDER BY u.category, period"
    );
    Query::dynamic(sql, params![account, first_day, last_day], |c| {
        Ok(UsageRow {
            category: c.parsed(UsageCategory::parse)?,
            period: c.text()?,
            count: c.int()?,
            usage: c.int()?,
            price_micros: c.int()?,
        })
    })
}

/// The first day the scope used anything, if ever.
pub fn first_day(scope: UsageScope<'_>) -> Query<'_, Option<String>> {
    let (sql, account) = match scope {
        UsageScope::Account(a) => ("SELECT MIN(day) FROM usage_daily WHERE account_sid = $1", a),
        UsageScope::Tree(main) => (
            "SELECT MIN(u.day) FROM usage_daily u JOIN accounts a ON a.sid = u.account_sid \
             WHERE a.owner_account_sid = $1",
            main,
        ),
    };
    Query::new(sql, params![account], |c| c.opt_text())
}
