//! Phone numbers accounts bought (`IncomingPhoneNumbers`).

use switchboard_types::{
    AccountSid, AddressRequirement, AddressSid, ApplicationSid, HookMethod, NumberType,
    PhoneNumberSid, SandboxSid, Timestamp,
};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumberRecord {
    pub sid: PhoneNumberSid,
    pub account_sid: AccountSid,
    pub phone_number: String,
    pub friendly_name: String,
    pub number_type: NumberType,
    pub iso_country: String,
    pub voice_capable: bool,
    pub sms_capable: bool,
    pub mms_capable: bool,
    pub fax_capable: bool,
    pub hooks: NumberHooks,
    /// Whether the number's country requires an address on file.
    pub address_requirements: AddressRequirement,
    /// The address it was bought (or updated) with.
    pub address_sid: Option<AddressSid>,
    /// When the next month's rent is charged.
    pub renews_at: Timestamp,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

/// Where the number sends its webhooks: the part an owner updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberHooks {
    pub voice_url: Option<String>,
    pub voice_method: HookMethod,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: HookMethod,
    pub sms_url: Option<String>,
    pub sms_method: HookMethod,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: HookMethod,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    /// The application whose voice URLs the number uses instead of its own.
    pub voice_application_sid: Option<ApplicationSid>,
    /// The application whose messaging URLs the number uses instead of its own.
    pub sms_application_sid: Option<ApplicationSid>,
}

impl Keyed for PhoneNumberRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

macro_rules! number_columns {
    () => {
        "sid, account_sid, phone_number, friendly_name, number_type, iso_country, voice_capable, \
         sms_capable, mms_capable, fax_capable, voice_url, voice_method, voice_fallback_url, \
         voice_fallback_method, sms_url, sms_method, sms_fallback_url, sms_fallback_method, \
         status_callback, status_callback_method, voice_application_sid, sms_application_sid, \
         address_requirements, address_sid, renews_at, date_created, date_updated"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<PhoneNumberRecord> {
    Ok(PhoneNumberRecord {
        sid: c.parsed(PhoneNumberSid::parse)?,
        account_sid: c.parsed(AccountSid::parse)?,
        phone_number: c.text()?,
        friendly_name: c.text()?,
        number_type: c.parsed(NumberType::parse)?,
        iso_country: c.text()?,
        voice_capable: c.boolean()?,
        sms_capable: c.boolean()?,
        mms_capable: c.boolean()?,
        fax_capable: c.boolean()?,
        hooks: NumberHooks {
            voice_url: c.opt_text()?,
            voice_method: c.parsed(HookMethod::parse)?,
            voice_fallback_url: c.opt_text()?,
            voice_fallback_method: c.parsed(HookMethod::parse)?,
            sms_url: c.opt_text()?,
            sms_method: c.parsed(HookMethod::parse)?,
            sms_fallback_url: c.opt_text()?,
            sms_fallback_method: c.parsed(HookMethod::parse)?,
            status_callback: c.opt_text()?,
            status_callback_method: c.parsed(HookMethod::parse)?,
            voice_application_sid: c.opt_parsed(ApplicationSid::parse)?,
            sms_application_sid: c.opt_parsed(ApplicationSid::parse)?,
        },
        address_requirements: c.parsed(AddressRequirement::parse)?,
        address_sid: c.opt_parsed(AddressSid::parse)?,
        renews_at: c.timestamp()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

/// Inserts a bought number; fails with a unique violation when somebody owns it.
pub fn insert(n: &PhoneNumberRecord) -> Statement<'_> {
    let h = &n.hooks;
    Statement::new(
        concat!(
            "INSERT INTO phone_numbers (",
            number_columns!(),
            // A number is in its account's world.
            ", sandbox_sid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, \
             (SELECT a.sandbox_sid FROM accounts a WHERE a.sid = $2))"
        ),
        params![
            n.sid.as_str(),
            &n.account_sid,
            &n.phone_number,
            &n.friendly_name,
            n.number_type,
            &n.iso_country,
            n.voice_capable,
            n.sms_capable,
            n.mms_capable,
            n.fax_capable,
            h.voice_url.as_deref(),
            h.voice_method,
            h.voice_fallback_url.as_deref(),
            h.voice_fallback_method,
            h.sms_url.as_deref(),
            h.sms_method,
            h.sms_fallback_url.as_deref(),
            h.sms_fallback_method,
            h.status_callback.as_deref(),
            h.status_callback_method,
            h.voice_application_sid.as_ref(),
            h.sms_application_sid.as_ref(),
            n.address_requirements,
            n.address_sid.as_ref(),
            n.renews_at,
            n.date_created,
            n.date_updated
        ],
    )
}

pub fn of_account<'a>(
    account: &'a AccountSid,
    sid: &'a PhoneNumberSid,
) -> Query<'a, PhoneNumberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            number_columns!(),
            " FROM phone_numbers WHERE account_sid = $1 AND sid = $2"
        ),
        params![account, sid.as_str()],
        decode,
    )
}

/// How a world is bound: the default world (`None`) as the empty string, the
/// same as the `COALESCE(sandbox_sid, '')` of the world-unique indexes.
pub(crate) fn world_key(world: Option<&SandboxSid>) -> &str {
    world.map_or("", SandboxSid::as_str)
}

/// The owner of a number in one world, if anyone there has bought it.
pub fn by_number<'a>(
    world: Option<&'a SandboxSid>,
    number: &'a str,
) -> Query<'a, PhoneNumberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            number_columns!(),
            " FROM phone_numbers WHERE COALESCE(sandbox_sid, '') = $1 AND phone_number = $2"
        ),
        params![world_key(world), number],
        decode,
    )
}

/// The owner of a number in the world `account` is in (where a message from
/// that account arrives).
pub fn in_world_of<'a>(account: &'a AccountSid, number: &'a str) -> Query<'a, PhoneNumberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            number_columns!(),
            " FROM phone_numbers WHERE COALESCE(sandbox_sid, '') = \
             (SELECT COALESCE(a.sandbox_sid, '') FROM accounts a WHERE a.sid = $1) \
             AND phone_number = $2"
        ),
        params![account, number],
        decode,
    )
}

/// A number of `account`, by the number.
pub fn of_account_by_number<'a>(
    account: &'a AccountSid,
    number: &'a str,
) -> Query<'a, PhoneNumberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            number_columns!(),
            " FROM phone_numbers WHERE account_sid = $1 AND phone_number = $2"
        ),
        params![account, number],
        decode,
    )
}

/// Which of `numbers` are already bought in one world (to hide them from
/// that world's inventory).
pub fn taken<'a>(world: Option<&'a SandboxSid>, numbers: &'a [String]) -> Query<'a, String> {
    let mut sql = String::from(
        "SELECT phone_number FROM phone_numbers WHERE COALESCE(sandbox_sid, '') = $1 \
         AND phone_number IN (",
    );
    for i in 2..=numbers.len() + 1 {
        if i > 2 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("${i}"));
    }
    sql.push(')');
    let mut params = vec![crate::Value::from(world_key(world))];
    params.extend(numbers.iter().map(crate::Value::from));
    Query::dynamic(sql, params, |c| c.text())
}

#[derive(Debug, Clone, Default)]
pub struct NumberFilter {
    pub phone_number: Option<String>,
    pub friendly_name: Option<String>,
    pub number_type: Option<NumberType>,
}

pub fn list<'a>(
    account: &'a AccountSid,
    filter: &'a NumberFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, PhoneNumberRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", number_columns!(), " FROM phone_numbers"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("account_sid = {}", [account.into()])
    .filter_opt("phone_number = {}", filter.phone_number.as_deref())
    .filter_opt("friendly_name = {}", filter.friendly_name.as_deref())
    .filter_opt("number_type = {}", filter.number_type)
    .page(at, size, decode)
}

/// The numbers of `account` that use an address (its
/// `DependentPhoneNumbers`), oldest first.
pub fn of_address<'a>(
    account: &'a AccountSid,
    address: &'a AddressSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, PhoneNumberRecord>, PageShape) {
    ListQuery::new(
        concat!("SELECT ", number_columns!(), " FROM phone_numbers"),
        "date_created",
        "sid",
        Order::Ascending,
    )
    .filter("address_sid = {}", [address.into()])
    .filter("account_sid = {}", [account.into()])
    .page(at, size, decode)
}

pub fn update<'a>(n: &'a PhoneNumberRecord) -> Statement<'a> {
    let h = &n.hooks;
    Statement::new(
        "UPDATE phone_numbers SET friendly_name = $3, voice_url = $4, voice_method = $5, \
         voice_fallback_url = $6, voice_fallback_method = $7, sms_url = $8, sms_method = $9, \
         sms_fallback_url = $10, sms_fallback_method = $11, status_callback = $12, \
         status_callback_method = $13, voice_application_sid = $14, sms_application_sid = $15, \
         address_sid = $16, date_updated = $17 WHERE account_sid = $1 AND sid = $2",
        params![
            &n.account_sid,
            n.sid.as_str(),
            &n.friendly_name,
            h.voice_url.as_deref(),
            h.voice_method,
            h.voice_fallback_url.as_deref(),
            h.voice_fallback_method,
            h.sms_url.as_deref(),
            h.sms_method,
            h.sms_fallback_url.as_deref(),
            h.sms_fallback_method,
            h.status_callback.as_deref(),
            h.status_callback_method,
            h.voice_application_sid.as_ref(),
            h.sms_application_sid.as_ref(),
            n.address_sid.as_ref(),
            n.date_updated
        ],
    )
}

pub fn delete<'a>(account: &'a AccountSid, sid: &'a PhoneNumberSid) -> Statement<'a> {
    Statement::new(
        "DELETE FROM phone_numbers WHERE account_sid = $1 AND sid = $2",
        params![account, sid.as_str()],
    )
}

/// Numbers whose next month falls due, soonest first.
pub fn due_renewals(now: Timestamp, limit: i64) -> Query<'static, PhoneNumberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            number_columns!(),
            " FROM phone_numbers WHERE renews_at <= $1 ORDER BY renews_at LIMIT $2"
        ),
        params![now, limit],
        decode,
    )
}

/// Renewals due in their own world's time (see [`crate::calls::due_in_worlds`]).
pub fn due_renewals_in_worlds(
    now: Timestamp,
    horizon: Timestamp,
    limit: i64,
) -> Query<'static, (PhoneNumberRecord, i64)> {
    Query::new(
        concat!(
            "SELECT ",
            number_columns!(),
            ", ",
            crate::sandboxes::offset_of!("phone_numbers"),
            " FROM phone_numbers WHERE renews_at <= $2 AND renews_at <= CAST($1 AS BIGINT) + ",
            crate::sandboxes::offset_of!("phone_numbers"),
            " ORDER BY renews_at LIMIT $3"
        ),
        params![now, horizon, limit],
        |c| Ok((decode(c)?, c.int()?)),
    )
}

/// The renewals of one world due by `world_now`, its time.
pub fn due_renewals_in_world(
    world: &SandboxSid,
    world_now: Timestamp,
    limit: i64,
) -> Query<'_, PhoneNumberRecord> {
    Query::new(
        concat!(
            "SELECT ",
            number_columns!(),
            " FROM phone_numbers WHERE renews_at <= $2 \
             AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1) \
             ORDER BY renews_at LIMIT $3"
        ),
        params![world, world_now, limit],
        decode,
    )
}

pub fn next_renewal() -> Query<'static, Option<i64>> {
    Query::new("SELECT MIN(renews_at) FROM phone_numbers", vec![], |c| {
        c.opt_int()
    })
}

/// Moves a number's renewal on, only if no one else already did (0 rows).
pub fn renew<'a>(n: &'a PhoneNumberRecord, next: Timestamp) -> Statement<'a> {
    Statement::new(
        "UPDATE phone_numbers SET renews_at = $3 WHERE sid = $1 AND renews_at = $2",
        params![n.sid.as_str(), n.renews_at, next],
    )
}
