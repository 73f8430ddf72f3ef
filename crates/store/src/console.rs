//! Queries only the web console needs.

use switchboard_types::{AccountSid, DeliverySid};

use crate::accounts::{self, AccountRecord};
use crate::deliveries::DeliveryRecord;
use crate::page::{ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, params};

/// A main account's subaccounts (not the main account itself), oldest first.
pub fn subaccounts_of<'a>(
    main: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, AccountRecord>, PageShape) {
    ListQuery::new(
        "SELECT sid, owner_account_sid, friendly_name, type, status, auth_token_sealed, \
         secondary_token_sealed, secondary_token_created, date_created, date_updated FROM accounts",
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("owner_account_sid = {}", [main.into()])
    .filter("sid <> {}", [main.into()])
    .page(at, size, accounts::decode)
}

/// The friendly name of an account, if it exists.
pub fn account_name(sid: &AccountSid) -> Query<'_, String> {
    Query::new(
        "SELECT friendly_name FROM accounts WHERE sid = $1",
        params![sid],
        |c| c.text(),
    )
}

macro_rules! delivery_columns {
    () => {
        "sid, account_sid, kind, connect_app_sid, resource_sid, signing_account_sid, method, url, params, \
         idempotency_token, state, attempts, next_attempt_at, created_at, completed_at, last_status, last_error"
    };
}

fn decode_delivery(c: &mut Cols<'_>) -> Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        sid: c.parsed(DeliverySid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        kind: c.text()?,
        connect_app_sid: c.opt_text()?,
        resource_sid: c.opt_text()?,
        signing_account_sid: c.parsed(AccountSid::parse)?,
        method: c.text()?,
        url: c.text()?,
        params: c.text()?,
        idempotency_token: c.text()?,
        state: c.text()?,
        attempts: c.int()?,
        next_attempt_at: c.timestamp()?,
        created_at: c.timestamp()?,
        completed_at: c.opt_timestamp()?,
        last_status: c.opt_int()?,
        last_error: c.opt_text()?,
    })
}

/// The deliveries a main account's console lists, newest first: those of
/// every account of its tree, and those its apps were sent from customers'
/// dedicated subaccounts (signed with its token).
pub fn deliveries_of_tree<'a>(
    main: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, DeliveryRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", delivery_columns!(), " FROM deliveries"),
        "created_at",
        "sid",
        Order::Descending,
    )
    .filter(
        "(account_sid IN (SELECT sid FROM accounts WHERE owner_account_sid = {}) \
         OR signing_account_sid = {})",
        [main.into(), main.into()],
    )
    .page(at, size, decode_delivery)
}
