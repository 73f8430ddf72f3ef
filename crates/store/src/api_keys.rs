//! API keys (`…/Keys`, `…/SigningKeys`): a SID and a secret that authenticate
//! as the key's account. Only the secret's MAC is kept; the caller facts read
//! it (`access`), so the rows here are also what authentication stands on.

use switchboard_types::{AccountSid, ApiKeyKind, ApiKeySid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

/// A key as its owner sees it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub sid: ApiKeySid,
    pub account_sid: AccountSid,
    pub kind: ApiKeyKind,
    pub friendly_name: Option<String>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for ApiKeyRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! key_columns {
    () => {
        "sid, account_sid, kind, friendly_name, date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<ApiKeyRecord> {
    Ok(ApiKeyRecord {
        sid: c.parsed(ApiKeySid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        kind: c.parsed(ApiKeyKind::parse)?,
        friendly_name: c.opt_text()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

/// Stores a new key with the MAC of its secret.
pub fn insert<'a>(k: &'a ApiKeyRecord, secret_mac: &'a [u8]) -> Statement<'a> {
    Statement::new(
        concat!(
            "INSERT INTO api_keys (",
            key_columns!(),
            ", secret_mac) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ),
        params![
            &k.sid,
            &k.account_sid,
            k.kind,
            k.friendly_name.as_deref(),
            k.date_created,
            k.date_updated,
            secret_mac
        ],
    )
}

pub fn rename<'a>(k: &'a ApiKeyRecord) -> Statement<'a> {
    Statement::new(
        "UPDATE api_keys SET friendly_name = $4, date_updated = $5 \
         WHERE account_sid = $1 AND kind = $2 AND sid = $3",
        params![
            &k.account_sid,
            k.kind,
            &k.sid,
            k.friendly_name.as_deref(),
            k.date_updated
        ],
    )
}

/// Deletes a key: it authenticates nothing from this commit on.
pub fn delete<'a>(account: &'a AccountSid, kind: ApiKeyKind, sid: &'a ApiKeySid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM api_keys WHERE account_sid = $1 AND kind = $2 AND sid = $3",
        params![account, kind, sid],
    )
}

/// A key of one account and kind (`None` for another's, or the other kind's).
pub fn of_account<'a>(
    account: &'a AccountSid,
    kind: ApiKeyKind,
    sid: &'a ApiKeySid,
) -> Query<'a, ApiKeyRecord> {
    Query::new(
        concat!(
            "SELECT ",
            key_columns!(),
            " FROM api_keys WHERE account_sid = $1 AND kind = $2 AND sid = $3"
        ),
        params![account, kind, sid],
        decode,
    )
}

/// The keys of one kind of an account, oldest first.
pub fn list<'a>(
    account: &'a AccountSid,
    kind: ApiKeyKind,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, ApiKeyRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", key_columns!(), " FROM api_keys"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter("kind = {}", [kind.into()])
    .page(at, size, decode)
}

/// How many keys an account has, of both kinds.
pub fn count(account: &AccountSid) -> Query<'_, i64> {
    Query::new(
        "SELECT COUNT(*) FROM api_keys WHERE account_sid = $1",
        params![account],
        |c| c.int(),
    )
}
