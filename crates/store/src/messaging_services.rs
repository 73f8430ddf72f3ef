//! Messaging Services and their sender pools (`/v1/Services` on the messaging
//! host).

use switchboard_types::{AccountSid, HookMethod, MessagingServiceSid, PhoneNumberSid, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagingServiceRecord {
    pub sid: MessagingServiceSid,
    pub account_sid: AccountSid,
    pub friendly_name: String,
    pub inbound_request_url: Option<String>,
    pub inbound_method: HookMethod,
    pub fallback_url: Option<String>,
    pub fallback_method: HookMethod,
    pub status_callback: Option<String>,
    pub sticky_sender: bool,
    pub mms_converter: bool,
    pub smart_encoding: bool,
    /// `inherit`, `enable` or `disable`.
    pub scan_message_content: String,
    pub fallback_to_long_code: bool,
    pub area_code_geomatch: bool,
    pub validity_period: i64,
    pub synchronous_validation: bool,
    pub usecase: String,
    pub use_inbound_webhook_on_number: bool,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for MessagingServiceRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! service_columns {
    () => {
        "sid, account_sid, friendly_name, inbound_request_url, inbound_method, fallback_url, \
         fallback_method, status_callback, sticky_sender, mms_converter, smart_encoding, \
         scan_message_content, fallback_to_long_code, area_code_geomatch, validity_period, \
         synchronous_validation, usecase, use_inbound_webhook_on_number, date_created, date_updated"
    };
}

/// The same columns, of the table aliased `s` (in joins).
macro_rules! service_columns_of_s {
    () => {
        "s.sid, s.account_sid, s.friendly_name, s.inbound_request_url, s.inbound_method, \
         s.fallback_url, s.fallback_method, s.status_callback, s.sticky_sender, s.mms_converter, \
         s.smart_encoding, s.scan_message_content, s.fallback_to_long_code, s.area_code_geomatch, \
         s.validity_period, s.synchronous_validation, s.usecase, s.use_inbound_webhook_on_number, \
         s.date_created, s.date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<MessagingServiceRecord> {
    Ok(MessagingServiceRecord {
        sid: c.parsed(MessagingServiceSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        friendly_name: c.text()?,
        inbound_request_url: c.opt_text()?,
        inbound_method: c.parsed(HookMethod::parse)?,
        fallback_url: c.opt_text()?,
        fallback_method: c.parsed(HookMethod::parse)?,
        status_callback: c.opt_text()?,
        sticky_sender: c.boolean()?,
        mms_converter: c.boolean()?,
        smart_encoding: c.boolean()?,
        scan_message_content: c.text()?,
        fallback_to_long_code: c.boolean()?,
        area_code_geomatch: c.boolean()?,
        validity_period: c.int()?,
        synchronous_validation: c.boolean()?,
        usecase: c.text()?,
        use_inbound_webhook_on_number: c.boolean()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(s: &MessagingServiceRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO messaging_services (",
            service_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20)"
        ),
        params![
            &s.sid,
            &s.account_sid,
            &s.friendly_name,
            s.inbound_request_url.as_deref(),
            s.inbound_method,
            s.fallback_url.as_deref(),
            s.fallback_method,
            s.status_callback.as_deref(),
            s.sticky_sender,
            s.mms_converter,
            s.smart_encoding,
            &s.scan_message_content,
            s.fallback_to_long_code,
            s.area_code_geomatch,
            s.validity_period,
            s.synchronous_validation,
            &s.usecase,
            s.use_inbound_webhook_on_number,
            s.date_created,
            s.date_updated
        ],
    )
}

/// Writes every setting of a service.
pub fn update(s: &MessagingServiceRecord) -> Statement<'_> {
    Statement::new(
        "UPDATE messaging_services SET friendly_name = $3, inbound_request_url = $4, \
         inbound_method = $5, fallback_url = $6, fallback_method = $7, status_callback = $8, \
         sticky_sender = $9, mms_converter = $10, smart_encoding = $11, \
         scan_message_content = $12, fallback_to_long_code = $13, area_code_geomatch = $14, \
         validity_period = $15, synchronous_validation = $16, usecase = $17, \
         use_inbound_webhook_on_number = $18, date_updated = $19 \
         WHERE account_sid = $1 AND sid = $2",
        params![
            &s.account_sid,
            &s.sid,
            &s.friendly_name,
            s.inbound_request_url.as_deref(),
            s.inbound_method,
            s.fallback_url.as_deref(),
            s.fallback_method,
            s.status_callback.as_deref(),
            s.sticky_sender,
            s.mms_converter,
            s.smart_encoding,
            &s.scan_message_content,
            s.fallback_to_long_code,
            s.area_code_geomatch,
            s.validity_period,
            s.synchronous_validation,
            &s.usecase,
            s.use_inbound_webhook_on_number,
            s.date_updated
        ],
    )
}

/// Deletes a service; its pool goes with it (`ON DELETE CASCADE`).
pub fn delete<'a>(account: &'a AccountSid, sid: &'a MessagingServiceSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM messaging_services WHERE account_sid = $1 AND sid = $2",
        params![account, sid],
    )
}

/// A service of one account (`None` when it belongs to another).
pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a MessagingServiceSid,
) -> Query<'a, MessagingServiceRecord> {
    Query::new(
        concat!(
            "SELECT ",
            service_columns!(),
            " FROM messaging_services WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid],
        decode,
    )
}

/// The services of an account, oldest first.
pub fn list<'a>(
    account: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, MessagingServiceRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", service_columns!(), " FROM messaging_services"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .page(at, size, decode)
}

/// The service whose pool holds a number, if any.
pub fn of_number(number: &PhoneNumberSid) -> Query<'_, MessagingServiceRecord> {
    Query::new(
        concat!(
            "SELECT ",
            service_columns_of_s!(),
            " FROM messaging_services s JOIN messaging_service_numbers n ON n.service_sid = s.sid \
             WHERE n.phone_number_sid = $1"
        ),
        params![number],
        decode,
    )
}

/// A number of a service's pool, with what the API shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolNumberRecord {
    pub sid: PhoneNumberSid,
    pub account_sid: AccountSid,
    pub service_sid: MessagingServiceSid,
    pub phone_number: String,
    pub iso_country: String,
    pub voice_capable: bool,
    pub sms_capable: bool,
    pub mms_capable: bool,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Keyed for PoolNumberRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! pool_select {
    () => {
        "SELECT n.phone_number_sid, p.account_sid, n.service_sid, p.phone_number, p.iso_country, \
         p.voice_capable, p.sms_capable, p.mms_capable, n.date_created, n.date_updated \
         FROM messaging_service_numbers n JOIN phone_numbers p ON p.sid = n.phone_number_sid"
    };
}

fn decode_pool(c: &mut Cols<'_>) -> Result<PoolNumberRecord> {
    Ok(PoolNumberRecord {
        sid: c.parsed(PhoneNumberSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        service_sid: c.parsed(MessagingServiceSid::parse)?,
        phone_number: c.text()?,
        iso_country: c.text()?,
        voice_capable: c.boolean()?,
        sms_capable: c.boolean()?,
        mms_capable: c.boolean()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

/// Puts a number in a service's pool; a unique violation when it is in one.
pub fn add_number<'a>(
    service: &'a MessagingServiceSid,
    number: &'a PhoneNumberSid,
    now: Timestamp,
) -> Statement<'a> {
    Statement::new(
        "INSERT INTO messaging_service_numbers (phone_number_sid, service_sid, date_created, date_updated) \
         VALUES ($1, $2, $3, $3)",
        params![number, service, now],
    )
}

pub fn remove_number<'a>(
    service: &'a MessagingServiceSid,
    number: &'a PhoneNumberSid,
) -> Statement<'a> {
    Statement::new(
        "DELETE FROM messaging_service_numbers WHERE service_sid = $1 AND phone_number_sid = $2",
        params![service, number],
    )
}

/// Which service, if any, holds a number (of any account).
pub fn pool_of(number: &PhoneNumberSid) -> Query<'_, MessagingServiceSid> {
    Query::new(
        "SELECT service_sid FROM messaging_service_numbers WHERE phone_number_sid = $1",
        params![number],
        |c| c.parsed(MessagingServiceSid::parse),
    )
}

/// One number of a service's pool, the service being the account's.
pub fn pool_number<'a>(
    account: &'a AccountSid,
    service: &'a MessagingServiceSid,
    number: &'a PhoneNumberSid,
) -> Query<'a, PoolNumberRecord> {
    Query::new(
        concat!(
            pool_select!(),
            " WHERE p.account_sid = $1 AND n.service_sid = $2 AND n.phone_number_sid = $3"
        ),
        params![account, service, number],
        decode_pool,
    )
}

/// A service's pool, oldest addition first.
pub fn pool<'a>(
    account: &'a AccountSid,
    service: &'a MessagingServiceSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, PoolNumberRecord>, PageShape) {
    ListQuery::new(
        pool_select!(),
        "n.date_created",
        "n.phone_number_sid",
        Order::Ascending,
    )
    .filter("p.account_sid = {}", [account.into()])
    .filter("n.service_sid = {}", [service.into()])
    .page(at, size, decode_pool)
}

/// Every SMS- or MMS-capable number of a service's pool (the senders it may
/// pick from), in the order they were added.
pub fn senders(service: &MessagingServiceSid) -> Query<'_, String> {
    Query::new(
        "SELECT p.phone_number FROM messaging_service_numbers n \
         JOIN phone_numbers p ON p.sid = n.phone_number_sid \
         WHERE n.service_sid = $1 AND (p.sms_capable OR p.mms_capable) \
         ORDER BY n.date_created, n.phone_number_sid",
        params![service],
        |c| c.text(),
    )
}

/// The sender of the last message a service sent to a recipient (sticky
/// sender).
pub fn last_sender<'a>(service: &'a MessagingServiceSid, to: &'a str) -> Query<'a, String> {
    Query::new(
        "SELECT from_number FROM messages WHERE messaging_service_sid = $1 AND to_number = $2 \
         ORDER BY date_created DESC LIMIT 1",
        params![service, to],
        |c| c.text(),
    )
}
