//! Queries only the web console needs.

use switchboard_types::{AccountSid, ConnectAppSid};

use crate::accounts::{self, AccountRecord};
use crate::calls::Range;
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

/// What the console's deliveries page filters by; each is optional.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Those a Connect App of the account caused: its deauthorize callbacks
    /// and what was sent from its customers' dedicated subaccounts.
    pub connect_app: Option<ConnectAppSid>,
    /// `pending`, `delivered`, `failed` or `refused`.
    pub state: Option<String>,
    /// The webhook's kind (`deauthorize`, `call-status`…).
    pub kind: Option<String>,
    /// When the delivery was made.
    pub created: Range,
}

/// The deliveries a main account's console lists, newest first: those of
/// every account of its tree, and those its apps were sent from customers'
/// dedicated subaccounts (signed with its token), as `filter` narrows them.
pub fn deliveries_of_tree<'a>(
    main: &'a AccountSid,
    filter: &'a DeliveryFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, DeliveryRecord>, PageShape) {
    let mut list = ListQuery::new(
        concat!("SELECT ", delivery_columns!(), " FROM deliveries"),
        "created_at",
        "sid",
        Order::Descending,
    )
    .filter(
        "(account_sid IN (SELECT sid FROM accounts WHERE owner_account_sid = {}) \
         OR signing_account_sid = {})",
        [main.into(), main.into()],
    );
    if let Some(app) = &filter.connect_app {
        list = list.filter(
            "(connect_app_sid = {} OR account_sid IN \
             (SELECT subaccount_sid FROM authorizations WHERE connect_app_sid = {}))",
            [app.into(), app.into()],
        );
    }
    list.filter_opt("state = {}", filter.state.as_deref())
        .filter_opt("kind = {}", filter.kind.as_deref())
        .filter_opt("created_at >= {}", filter.created.from)
        .filter_opt("created_at < {}", filter.created.until)
        .page(at, size, deliveries::decode)
}
