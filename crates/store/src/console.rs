//! Queries only the web console needs.

use switchboard_types::AccountSid;

use crate::accounts::{self, AccountRecord};
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
