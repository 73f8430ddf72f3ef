//! Accounts and subaccounts.

use switchboard_types::{AccountSid, AccountStatus, AccountType, SandboxSid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub sid: AccountSid,
    pub owner_account_sid: AccountSid,
    pub friendly_name: String,
    pub account_type: AccountType,
    pub status: AccountStatus,
    pub auth_token_sealed: Vec<u8>,
    pub secondary_token_sealed: Option<Vec<u8>>,
    pub secondary_token_created: Option<Timestamp>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// The sandbox whose world the account is in; `None` is the default world.
    pub sandbox_sid: Option<SandboxSid>,
}

impl AccountRecord {
    pub fn is_main(&self) -> bool {
        self.sid == self.owner_account_sid
    }
}

impl Keyed for AccountRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// A new account with its auth token already protected by the domain.
pub struct NewAccount<'a> {
    pub sid: &'a AccountSid,
    pub owner_account_sid: &'a AccountSid,
    pub friendly_name: &'a str,
    pub account_type: AccountType,
    pub auth_token_mac: &'a [u8],
    pub auth_token_sealed: &'a [u8],
    pub now: Timestamp,
}

macro_rules! account_columns {
    () => {
        "sid, owner_account_sid, friendly_name, type, status, auth_token_sealed, \
         secondary_token_sealed, secondary_token_created, date_created, date_updated, sandbox_sid"
    };
}

pub(crate) fn decode(c: &mut Cols<'_>) -> Result<AccountRecord> {
    Ok(AccountRecord {
        sid: c.parsed(AccountSid::parse)?,
        owner_account_sid: c.parsed(AccountSid::parse)?,
        friendly_name: c.text()?,
        account_type: c.parsed(AccountType::parse)?,
        status: c.parsed(AccountStatus::parse)?,
        auth_token_sealed: c.bytes()?,
        secondary_token_sealed: c.opt_bytes()?,
        secondary_token_created: c.opt_timestamp()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
        sandbox_sid: c.opt_parsed(SandboxSid::parse)?,
    })
}

pub fn insert<'a>(a: &'a NewAccount<'a>) -> Statement<'a> {
    Statement::new(
        // A subaccount is in its parent's world; a main account made here is
        // in the default world (sandboxes insert theirs themselves).
        "INSERT INTO accounts (sid, owner_account_sid, friendly_name, type, status, \
         auth_token_mac, auth_token_sealed, date_created, date_updated, sandbox_sid) \
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $7, \
         (SELECT o.sandbox_sid FROM accounts o WHERE o.sid = $2))",
        params![
            a.sid,
            a.owner_account_sid,
            a.friendly_name,
            a.account_type.as_str(),
            a.auth_token_mac,
            a.auth_token_sealed,
            a.now
        ],
    )
}

pub fn by_sid(sid: &AccountSid) -> Query<'_, AccountRecord> {
    Query::new(
        concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE sid = $1"
        ),
        params![sid],
        decode,
    )
}

/// Main accounts only, oldest first (the CLI's `accounts list`).
pub fn main_accounts(at: &PageAt, size: u32) -> (Query<'_, AccountRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", account_columns!(), " FROM accounts"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("sid = owner_account_sid", [])
    .page(at, size, decode)
}

/// Which accounts a listing may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountScope {
    /// A main account and all its subaccounts.
    Tree(AccountSid),
    /// One account alone.
    Single(AccountSid),
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub friendly_name: Option<String>,
    pub status: Option<AccountStatus>,
}

pub fn list<'a>(
    scope: &'a AccountScope,
    filter: &'a AccountFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, AccountRecord>, PageShape) {
    let q = ListQuery::new(
        concat!("SELECT ", account_columns!(), " FROM accounts"),
        "date_created",
        "sid",
        Order::Ascending,
    );
    let q = match scope {
        AccountScope::Tree(main) => q.filter("owner_account_sid = {}", [main.into()]),
        AccountScope::Single(sid) => q.filter("sid = {}", [sid.into()]),
    };
    q.filter_opt("friendly_name = {}", filter.friendly_name.as_deref())
        .filter_opt("status = {}", filter.status.map(AccountStatus::as_str))
        .page(at, size, decode)
}

pub fn set_friendly_name<'a>(sid: &'a AccountSid, name: &'a str, now: Timestamp) -> Statement<'a> {
    Statement::new(
        "UPDATE accounts SET friendly_name = $2, date_updated = $3 WHERE sid = $1",
        params![sid, name, now],
    )
}

pub fn set_status(sid: &AccountSid, status: AccountStatus, now: Timestamp) -> Statement<'_> {
    Statement::new(
        "UPDATE accounts SET status = $2, date_updated = $3 WHERE sid = $1",
        params![sid, status.as_str(), now],
    )
}

/// Sets the type of a main account and of all its subaccounts, which share it.
pub fn set_type_of_tree(
    main: &AccountSid,
    account_type: AccountType,
    now: Timestamp,
) -> Statement<'_> {
    Statement::new(
        "UPDATE accounts SET type = $2, date_updated = $3 WHERE owner_account_sid = $1",
        params![main, account_type.as_str(), now],
    )
}

pub fn set_secondary_token<'a>(
    sid: &'a AccountSid,
    mac: &'a [u8],
    sealed: &'a [u8],
    now: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "UPDATE accounts SET secondary_token_mac = $2, secondary_token_sealed = $3, \
         secondary_token_created = $4, date_updated = $4 WHERE sid = $1",
        params![sid, mac, sealed, now],
    )
}

pub fn clear_secondary_token(sid: &AccountSid, now: Timestamp) -> Statement<'_> {
    Statement::new(
        "UPDATE accounts SET secondary_token_mac = NULL, secondary_token_sealed = NULL, \
         secondary_token_created = NULL, date_updated = $2 WHERE sid = $1",
        params![sid, now],
    )
}

/// Makes the secondary token the primary one; the old primary stops working with
/// this commit. Returns 0 rows changed when there is no secondary token.
pub fn promote_secondary_token(sid: &AccountSid, now: Timestamp) -> Statement<'_> {
    Statement::new(
        "UPDATE accounts SET auth_token_mac = secondary_token_mac, \
         auth_token_sealed = secondary_token_sealed, secondary_token_mac = NULL, \
         secondary_token_sealed = NULL, secondary_token_created = NULL, date_updated = $2 \
         WHERE sid = $1 AND secondary_token_mac IS NOT NULL",
        params![sid, now],
    )
}
