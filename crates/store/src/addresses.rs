//! Addresses (`…/Addresses`): where the user of a phone number is, which some
//! countries require before a number is bought.

use switchboard_types::{AccountSid, AddressSid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRecord {
    pub sid: AddressSid,
    pub account_sid: AccountSid,
    pub customer_name: String,
    pub friendly_name: Option<String>,
    pub street: String,
    pub street_secondary: Option<String>,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub iso_country: String,
    pub emergency_enabled: bool,
    pub validated: bool,
    pub verified: bool,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for AddressRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! address_columns {
    () => {
        "sid, account_sid, customer_name, friendly_name, street, street_secondary, city, \
         region, postal_code, iso_country, emergency_enabled, validated, verified, \
         date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<AddressRecord> {
    Ok(AddressRecord {
        sid: c.parsed(AddressSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        customer_name: c.text()?,
        friendly_name: c.opt_text()?,
        street: c.text()?,
        street_secondary: c.opt_text()?,
        city: c.text()?,
        region: c.text()?,
        postal_code: c.text()?,
        iso_country: c.text()?,
        emergency_enabled: c.boolean()?,
        validated: c.boolean()?,
        verified: c.boolean()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(a: &AddressRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO addresses (",
            address_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ),
        params![
            &a.sid,
            &a.account_sid,
            &a.customer_name,
            a.friendly_name.as_deref(),
            &a.street,
            a.street_secondary.as_deref(),
            &a.city,
            &a.region,
            &a.postal_code,
            &a.iso_country,
            a.emergency_enabled,
            a.validated,
            a.verified,
            a.date_created,
            a.date_updated
        ],
    )
}

/// Writes what an update may change (everything but the country, as
/// Twilio's update takes no `IsoCountry`).
pub fn update(a: &AddressRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE addresses SET customer_name = $3, friendly_name = $4, street = $5, \
         street_secondary = $6, city = $7, region = $8, postal_code = $9, \
         emergency_enabled = $10, date_updated = $11 WHERE account_sid = $1 AND sid = $2",
        params![
            &a.account_sid,
            &a.sid,
            &a.customer_name,
            a.friendly_name.as_deref(),
            &a.street,
            a.street_secondary.as_deref(),
            &a.city,
            &a.region,
            &a.postal_code,
            a.emergency_enabled,
            a.date_updated
        ],
    )
}

/// Deletes an address no number uses: 0 rows when one does (or it is not
/// the account's).
pub fn delete_unused<'a>(account: &'a AccountSid, sid: &'a AddressSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM addresses WHERE account_sid = $1 AND sid = $2 \
         AND NOT EXISTS (SELECT 1 FROM phone_numbers n WHERE n.address_sid = $2)",
        params![account, sid],
    )
}

/// An address of one account (`None` when it belongs to another).
pub fn of_account<'a>(account: &'a AccountSid, sid: &'a AddressSid) -> Query<'a, AddressRecord> {
    Query::new(
        concat!(
            "SELECT ",
            address_columns!(),
            " FROM addresses WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// How many numbers use an address.
pub fn dependents<'a>(sid: &'a AddressSid) -> Query<'a, i64> {
    Query::new(
        "SELECT COUNT(*) FROM phone_numbers WHERE address_sid = $1",
        params![sid],
        |c| c.int(),
    )
}

/// The filters of a list, each an exact match.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddressFilter<'a> {
    pub customer_name: Option<&'a str>,
    pub friendly_name: Option<&'a str>,
    pub iso_country: Option<&'a str>,
    pub emergency_enabled: Option<bool>,
}

/// The addresses of an account, oldest first.
pub fn list<'a>(
    account: &'a AccountSid,
    filter: AddressFilter<'a>,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, AddressRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", address_columns!(), " FROM addresses"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("customer_name = {}", filter.customer_name)
    .filter_opt("friendly_name = {}", filter.friendly_name)
    .filter_opt("iso_country = {}", filter.iso_country)
    .filter_opt("emergency_enabled = {}", filter.emergency_enabled)
    .page(at, size, decode)
}
