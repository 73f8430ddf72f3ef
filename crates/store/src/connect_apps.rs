//! Connect Apps.

use switchboard_types::{AccountSid, ConnectAppSid, Permissions, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

/// A Connect App's settings (its logo is read separately, as it can be large).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectAppRecord {
    pub sid: ConnectAppSid,
    pub account_sid: AccountSid,
    pub friendly_name: String,
    pub company_name: Option<String>,
    pub description: Option<String>,
    pub homepage_url: Option<String>,
    pub terms_of_service_url: Option<String>,
    pub authorize_redirect_url: Option<String>,
    pub deauthorize_callback_url: Option<String>,
    pub deauthorize_callback_method: String,
    pub permissions: Permissions,
    /// Whether the authorize redirect carries `Timestamp` and `Signature`.
    pub sign_redirects: bool,
    /// Called server to server whenever a customer authorizes the app.
    pub authorize_callback_url: Option<String>,
    pub authorize_callback_method: String,
    pub has_logo: bool,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for ConnectAppRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! app_columns {
    () => {
        "sid, account_sid, friendly_name, company_name, description, homepage_url, \
         terms_of_service_url, authorize_redirect_url, deauthorize_callback_url, \
         deauthorize_callback_method, permissions, sign_redirects, authorize_callback_url, \
         authorize_callback_method, logo_content_type IS NOT NULL, date_created, date_updated"
    };
}

pub(crate) fn decode(c: &mut Cols<'_>) -> Result<ConnectAppRecord> {
    Ok(ConnectAppRecord {
        sid: c.parsed(ConnectAppSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        friendly_name: c.text()?,
        company_name: c.opt_text()?,
        description: c.opt_text()?,
        homepage_url: c.opt_text()?,
        terms_of_service_url: c.opt_text()?,
        authorize_redirect_url: c.opt_text()?,
        deauthorize_callback_url: c.opt_text()?,
        deauthorize_callback_method: c.text()?,
        permissions: Permissions::from_bits(c.int()?),
        sign_redirects: c.boolean()?,
        authorize_callback_url: c.opt_text()?,
        authorize_callback_method: c.text()?,
        has_logo: c.boolean()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(app: &ConnectAppRecord) -> Statement<'_> {
    Statement::new(
        "INSERT INTO connect_apps (sid, account_sid, friendly_name, company_name, description, homepage_url, \
         terms_of_service_url, authorize_redirect_url, deauthorize_callback_url, deauthorize_callback_method, \
         permissions, sign_redirects, authorize_callback_url, authorize_callback_method, date_created, date_updated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        params![
            &app.sid,
            &app.account_sid,
            &app.friendly_name,
            app.company_name.as_deref(),
            app.description.as_deref(),
            app.homepage_url.as_deref(),
            app.terms_of_service_url.as_deref(),
            app.authorize_redirect_url.as_deref(),
            app.deauthorize_callback_url.as_deref(),
            &app.deauthorize_callback_method,
            app.permissions.bits(),
            app.sign_redirects,
            app.authorize_callback_url.as_deref(),
            &app.authorize_callback_method,
            app.date_created
        ],
    )
}

/// Writes every setting of an app (the logo aside).
pub fn update(app: &ConnectAppRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE connect_apps SET friendly_name = $2, company_name = $3, description = $4, homepage_url = $5, \
         terms_of_service_url = $6, authorize_redirect_url = $7, deauthorize_callback_url = $8, \
         deauthorize_callback_method = $9, permissions = $10, sign_redirects = $11, date_updated = $12, \
         authorize_callback_url = $13, authorize_callback_method = $14 \
         WHERE sid = $1",
        params![
            &app.sid,
            &app.friendly_name,
            app.company_name.as_deref(),
            app.description.as_deref(),
            app.homepage_url.as_deref(),
            app.terms_of_service_url.as_deref(),
            app.authorize_redirect_url.as_deref(),
            app.deauthorize_callback_url.as_deref(),
            &app.deauthorize_callback_method,
            app.permissions.bits(),
            app.sign_redirects,
            app.date_updated,
            app.authorize_callback_url.as_deref(),
            &app.authorize_callback_method
        ],
    )
}

pub fn delete(sid: &ConnectAppSid) -> Statement<'_> {
    Statement::new("DELETE FROM connect_apps WHERE sid = $1", params![sid])
}

pub fn by_sid(sid: &ConnectAppSid) -> Query<'_, ConnectAppRecord> {
    Query::new(
        concat!(
            "SELECT ",
            app_columns!(),
            " FROM connect_apps WHERE sid = $1"
        ),
        params![sid],
        decode,
    )
}

/// An app of one account (`None` when it belongs to another).
pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a ConnectAppSid,
) -> Query<'a, ConnectAppRecord> {
    Query::new(
        concat!(
            "SELECT ",
            app_columns!(),
            " FROM connect_apps WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

pub fn list<'a>(
    account: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, ConnectAppRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", app_columns!(), " FROM connect_apps"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .page(at, size, decode)
}

pub fn set_logo<'a>(
    sid: &'a ConnectAppSid,
    content_type: Option<&'a str>,
    bytes: Option<&'a [u8]>,
    now: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "UPDATE connect_apps SET logo = $2, logo_content_type = $3, date_updated = $4 WHERE sid = $1",
        params![sid, bytes, content_type, now],
    )
}

/// The logo: its content type and bytes.
pub fn logo(sid: &ConnectAppSid) -> Query<'_, Option<(String, Vec<u8>)>> {
    Query::new(
        "SELECT logo_content_type, logo FROM connect_apps WHERE sid = $1",
        params![sid],
        |c| {
            let content_type = c.opt_text()?;
            let bytes = c.opt_bytes()?;
            Ok(content_type.zip(bytes))
        },
    )
}
