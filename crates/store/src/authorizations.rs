//! Customers' grants to Connect Apps ("authorizations"): one row per customer and
//! app, kept after a revoke so that approving again reuses the dedicated
//! subaccount.

use switchboard_types::{AccountSid, ConnectAppSid, Permissions, Timestamp};

use crate::connect_apps::{self, ConnectAppRecord};
use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRecord {
    pub customer_account_sid: AccountSid,
    pub connect_app_sid: ConnectAppSid,
    pub subaccount_sid: AccountSid,
    /// What the customer approved, as it was when they approved.
    pub permissions: Permissions,
    pub authorized_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl AuthorizationRecord {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

macro_rules! grant_columns {
    () => {
        "g.customer_account_sid, g.connect_app_sid, g.subaccount_sid, g.permissions, g.authorized_at, g.revoked_at"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<AuthorizationRecord> {
    Ok(AuthorizationRecord {
        customer_account_sid: c.parsed(AccountSid::parse)?,
        connect_app_sid: c.parsed(ConnectAppSid::parse)?,
        subaccount_sid: c.parsed(AccountSid::parse)?,
        permissions: Permissions::from_bits(c.int()?),
        authorized_at: c.timestamp()?,
        revoked_at: c.opt_timestamp()?,
    })
}

/// The grant of one customer to one app, active or not.
pub fn of<'a>(customer: &'a AccountSid, app: &'a ConnectAppSid) -> Query<'a, AuthorizationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            grant_columns!(),
            " FROM authorizations g WHERE g.customer_account_sid = $1 AND g.connect_app_sid = $2"
        ),
        params![customer, app],
        decode,
    )
}

/// The active grants `account` takes part in: as the customer's main account,
/// or as a dedicated subaccount.
pub fn active_touching(account: &AccountSid) -> Query<'_, AuthorizationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            grant_columns!(),
            " FROM authorizations g WHERE g.revoked_at IS NULL \
              AND (g.customer_account_sid = $1 OR g.subaccount_sid = $1)"
        ),
        params![account],
        decode,
    )
}

/// The grant a dedicated subaccount was made for.
pub fn by_subaccount(subaccount: &AccountSid) -> Query<'_, AuthorizationRecord> {
    Query::new(
        concat!(
            "SELECT ",
            grant_columns!(),
            " FROM authorizations g WHERE g.subaccount_sid = $1"
        ),
        params![subaccount],
        decode,
    )
}

pub fn insert(g: &AuthorizationRecord) -> Statement<'_> {
    Statement::new(
        "INSERT INTO authorizations (customer_account_sid, connect_app_sid, subaccount_sid, permissions, \
         authorized_at, revoked_at) VALUES ($1, $2, $3, $4, $5, NULL)",
        params![
            &g.customer_account_sid,
            &g.connect_app_sid,
            &g.subaccount_sid,
            g.permissions.bits(),
            g.authorized_at
        ],
    )
}

/// Approving again: a fresh snapshot of the permissions, active from now.
pub fn reactivate<'a>(
    customer: &'a AccountSid,
    app: &'a ConnectAppSid,
    subaccount: &'a AccountSid,
    permissions: Permissions,
    now: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "UPDATE authorizations SET subaccount_sid = $3, permissions = $4, authorized_at = $5, revoked_at = NULL \
         WHERE customer_account_sid = $1 AND connect_app_sid = $2",
        params![customer, app, subaccount, permissions.bits(), now],
    )
}

/// Ends an active grant; 0 rows when there was none.
pub fn revoke<'a>(
    customer: &'a AccountSid,
    app: &'a ConnectAppSid,
    now: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "UPDATE authorizations SET revoked_at = $3 \
         WHERE customer_account_sid = $1 AND connect_app_sid = $2 AND revoked_at IS NULL",
        params![customer, app, now],
    )
}

/// A grant with the app it was given to.
#[derive(Debug, Clone)]
pub struct AuthorizedApp {
    pub grant: AuthorizationRecord,
    pub app: ConnectAppRecord,
}

impl Keyed for AuthorizedApp {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.grant.authorized_at.micros(),
            sid: self.grant.connect_app_sid.to_string(),
        }
    }
}

fn decode_with_app(c: &mut Cols<'_>) -> Result<AuthorizedApp> {
    let grant = decode(c)?;
    let app = connect_apps::decode(c)?;
    Ok(AuthorizedApp { grant, app })
}

macro_rules! with_app {
    () => {
        "SELECT g.customer_account_sid, g.connect_app_sid, g.subaccount_sid, g.permissions, \
         g.authorized_at, g.revoked_at, ca.sid, ca.account_sid, ca.friendly_name, ca.company_name, \
         ca.description, ca.homepage_url, ca.terms_of_service_url, ca.authorize_redirect_url, \
         ca.deauthorize_callback_url, ca.deauthorize_callback_method, ca.permissions, ca.sign_redirects, \
         ca.authorize_callback_url, ca.authorize_callback_method, \
         ca.logo_content_type IS NOT NULL, ca.date_created, ca.date_updated \
         FROM authorizations g JOIN connect_apps ca ON ca.sid = g.connect_app_sid"
    };
}

/// Active grants reaching `account`: a customer's main account sees all its
/// grants, a subaccount the grant it is dedicated to.
pub fn active_for<'a>(
    account: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, AuthorizedApp>, PageShape) {
    ListQuery::new(
        with_app!(),
        "g.authorized_at",
        "g.connect_app_sid",
        Order::Ascending,
    )
    .filter("g.revoked_at IS NULL", [])
    .filter(
        "(g.customer_account_sid = {} OR g.subaccount_sid = {})",
        [account.into(), account.into()],
    )
    .page(at, size, decode_with_app)
}

/// One active grant reaching `account` (as [`active_for`]) to `app`.
pub fn active_for_app<'a>(
    account: &'a AccountSid,
    app: &'a ConnectAppSid,
) -> Query<'a, AuthorizedApp> {
    Query::new(
        concat!(
            with_app!(),
            " WHERE g.revoked_at IS NULL AND g.connect_app_sid = $2 \
              AND (g.customer_account_sid = $1 OR g.subaccount_sid = $1)"
        ),
        params![account, app],
        decode_with_app,
    )
}

/// Every grant (active or not) of an app, for its owner.
pub fn of_app<'a>(
    app: &'a ConnectAppSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, AuthorizationRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", grant_columns!(), " FROM authorizations g"),
        "g.authorized_at",
        "g.subaccount_sid",
        Order::Descending,
    )
    .filter("g.connect_app_sid = {}", [app.into()])
    .page(at, size, decode)
}

impl Keyed for AuthorizationRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.authorized_at.micros(),
            sid: self.subaccount_sid.to_string(),
        }
    }
}
