//! Queries only the web console needs.

use switchboard_types::AccountSid;

use crate::accounts::{self, AccountRecord};
use crate::deliveries::{self, DeliveryRecord, delivery_columns};
use crate::page::{ListQuery, Order, PageAt, PageShape};
use crate::{Query, params};

/// A main account's subaccounts (not the main account itself), oldest first.
pub fn subaccounts_of<'a>(
    main: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, AccountRecord>, PageShape) {
    ListQuery::new(
        "SELECT sid, owner_account_sid, friendly_name, type, status, auth_token_sealed, \
         secondary_token_sealed, secondary_token_created, date_created, date_updated, sandbox_sid \
         FROM accounts",
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
    .page(at, size, deliveries::decode)
}
