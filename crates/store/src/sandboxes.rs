//! Sandboxes (sandbox mode): isolated worlds of accounts made from a seed, and
//! the bulk statements that make, clear and remake a world in one transaction.
//!
//! A world is every row belonging to an account whose `sandbox_sid` is the
//! sandbox's. Clearing one is a fixed list of deletes, children first; a table
//! added later that holds rows of an account must be added to
//! [`clear_world`] (the sandbox tests reset and delete a world that has a row
//! in each, and count what is left).

use switchboard_types::{
    AccountSid, AccountType, ConnectAppSid, PhoneNumberSid, SandboxSid, Timestamp,
};

use crate::connect_apps::ConnectAppRecord;
use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::phone_numbers::PhoneNumberRecord;
use crate::{Cols, Query, Result, Statement, Tx, Value, params};

/// A sandbox as stored: the seed as given (JSON) and the resolved seed,
/// sealed by the domain.
#[derive(Debug, Clone)]
pub struct SandboxRecord {
    pub sid: SandboxSid,
    pub seed: String,
    pub resolved_sealed: Vec<u8>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

fn decode(c: &mut Cols<'_>) -> Result<SandboxRecord> {
    Ok(SandboxRecord {
        sid: c.parsed(SandboxSid::parse)?,
        seed: c.text()?,
        resolved_sealed: c.bytes()?,
        date_created: c.timestamp()?,
        date_updated: c.timestamp()?,
    })
}

pub fn insert(s: &SandboxRecord) -> Statement<'_> {
    Statement::new(
        "INSERT INTO sandboxes (sid, seed, resolved_sealed, date_created, date_updated) \
         VALUES ($1, $2, $3, $4, $5)",
        params![
            &s.sid,
            &s.seed,
            &s.resolved_sealed,
            s.date_created,
            s.date_updated
        ],
    )
}

pub fn by_sid(sid: &SandboxSid) -> Query<'_, SandboxRecord> {
    Query::new(
        "SELECT sid, seed, resolved_sealed, date_created, date_updated \
         FROM sandboxes WHERE sid = $1",
        params![sid],
        decode,
    )
}

/// Marks a reset: the world's clock is real time again.
pub fn touch(sid: &SandboxSid, now: Timestamp) -> Statement<'_> {
    Statement::new(
        "UPDATE sandboxes SET date_updated = $2, clock_offset = 0 WHERE sid = $1",
        params![sid, now],
    )
}

/// How far (microseconds) the sandbox's clock runs ahead of real time.
pub fn clock_offset(sid: &SandboxSid) -> Query<'_, i64> {
    Query::new(
        "SELECT clock_offset FROM sandboxes WHERE sid = $1",
        params![sid],
        |c| c.int(),
    )
}

/// Moves the sandbox's clock on to `offset` ahead of real time; never back
/// (0 rows when it is already as far, or the sandbox is gone).
pub fn move_clock(sid: &SandboxSid, offset: i64) -> Statement<'_> {
    Statement::new(
        "UPDATE sandboxes SET clock_offset = $2 WHERE sid = $1 AND clock_offset < $2",
        params![sid, offset],
    )
}

/// The furthest any sandbox's clock runs ahead of real time (0 for none).
pub fn furthest_clock() -> Query<'static, i64> {
    Query::new(
        "SELECT COALESCE(MAX(clock_offset), 0) FROM sandboxes",
        vec![],
        |c| c.int(),
    )
}

/// A row's world's clock offset, for a table with an `account_sid` (named
/// `table`): 0 in the default world.
macro_rules! offset_of {
    ($table:literal) => {
        concat!(
            "COALESCE((SELECT s.clock_offset FROM accounts a JOIN sandboxes s ON s.sid = a.sandbox_sid \
             WHERE a.sid = ",
            $table,
            ".account_sid), 0)"
        )
    };
}
pub(crate) use offset_of;

/// Where a world's clock may go next, read in one statement (one
/// snapshot) so that no step is missed between two reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// The soonest timer (its calls' and messages' next steps, its numbers'
    /// renewals, its webhooks waiting for an attempt and claimed by no
    /// worker at `real_now`), in the world's time.
    pub next: Option<i64>,
    /// How many of its webhooks a worker is sending at `real_now`.
    pub in_flight: i64,
}

/// A world's [`Timers`]. Both come from one snapshot: a webhook's answer,
/// recorded with the step it makes due in one transaction, is either still
/// in flight or its step is due; two statements could see neither (the
/// answer committed between them) and take the world for idle.
pub fn timers(sid: &SandboxSid, real_now: Timestamp) -> Query<'_, Timers> {
    Query::new(
        "SELECT (SELECT MIN(t) FROM (\
         SELECT MIN(next_transition_at) AS t FROM calls WHERE next_transition_at IS NOT NULL \
           AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1) \
         UNION ALL SELECT MIN(next_transition_at) FROM messages WHERE next_transition_at IS NOT NULL \
           AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1) \
         UNION ALL SELECT MIN(renews_at) FROM phone_numbers \
           WHERE account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1) \
         UNION ALL SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' \
           AND (lease_until IS NULL OR lease_until <= $2) \
           AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1)\
         ) timers), \
         (SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND lease_until > $2 \
           AND account_sid IN (SELECT w.sid FROM accounts w WHERE w.sandbox_sid = $1))",
        params![sid, real_now],
        |c| {
            Ok(Timers {
                next: c.opt_int()?,
                in_flight: c.int()?,
            })
        },
    )
}

pub fn delete(sid: &SandboxSid) -> Statement<'_> {
    Statement::new("DELETE FROM sandboxes WHERE sid = $1", params![sid])
}

/// The main accounts of the world of `sid`: the logs a change to the
/// sandbox itself goes to.
pub fn main_accounts(sid: &SandboxSid) -> Query<'_, AccountSid> {
    Query::new(
        "SELECT sid FROM accounts WHERE sandbox_sid = $1 AND sid = owner_account_sid ORDER BY sid",
        params![sid],
        |c| c.parsed(AccountSid::parse),
    )
}

/// Deletes every row of the world of `sid` (the sandbox's own row stays), in
/// one round trip: children before parents, so no foreign key is in the way.
/// The audit entries about the sandbox itself (`sandbox.*`: created, reset,
/// fault rules, deleted) stay, so its main accounts' logs keep its history
/// and its deletion outlives the world (the log has no foreign key).
pub async fn clear_world(tx: &mut Tx, sid: &SandboxSid) -> Result<()> {
    // A SID is `SB` and 32 hex digits (it was parsed), so it is safe to
    // write into the statements: one batch instead of one round trip each.
    let world = sid.as_str();
    let accounts = format!("(SELECT a.sid FROM accounts a WHERE a.sandbox_sid = '{world}')");
    // Each delete finds its rows by an index: by account, or by the world
    // as the world-unique indexes spell it (`COALESCE(sandbox_sid, '')`).
    let in_world = format!("COALESCE(sandbox_sid, '') = '{world}'");
    let sql = format!(
        "DELETE FROM delivery_attempts WHERE delivery_sid IN \
            (SELECT d.sid FROM deliveries d WHERE d.account_sid IN {accounts});
         DELETE FROM deliveries WHERE account_sid IN {accounts};
         DELETE FROM sessions WHERE user_id IN \
            (SELECT u.id FROM users u WHERE COALESCE(u.sandbox_sid, '') = '{world}');
         DELETE FROM users WHERE {in_world};
         DELETE FROM message_media WHERE parent_sid IN \
            (SELECT m.sid FROM messages m WHERE m.account_sid IN {accounts});
         DELETE FROM message_feedback WHERE account_sid IN {accounts};
         DELETE FROM notifications WHERE account_sid IN {accounts};
         DELETE FROM transcriptions WHERE account_sid IN {accounts};
         DELETE FROM realtime_transcriptions WHERE account_sid IN {accounts};
         DELETE FROM recordings WHERE account_sid IN {accounts};
         DELETE FROM messages WHERE account_sid IN {accounts};
         DELETE FROM caller_id_validations WHERE account_sid IN {accounts};
         DELETE FROM outgoing_caller_ids WHERE account_sid IN {accounts};
         DELETE FROM short_codes WHERE account_sid IN {accounts};
         DELETE FROM queue_members WHERE account_sid IN {accounts};
         DELETE FROM queues WHERE account_sid IN {accounts};
         DELETE FROM conference_participants WHERE account_sid IN {accounts};
         DELETE FROM conferences WHERE account_sid IN {accounts};
         DELETE FROM call_voice WHERE account_sid IN {accounts};
         DELETE FROM calls WHERE account_sid IN {accounts};
         DELETE FROM usage_daily WHERE account_sid IN {accounts};
         DELETE FROM usage_triggers WHERE account_sid IN {accounts};
         DELETE FROM messaging_service_numbers WHERE service_sid IN \
            (SELECT m.sid FROM messaging_services m WHERE m.account_sid IN {accounts});
         DELETE FROM messaging_services WHERE account_sid IN {accounts};
         DELETE FROM phone_numbers WHERE account_sid IN {accounts};
         DELETE FROM addresses WHERE account_sid IN {accounts};
         DELETE FROM opt_outs WHERE {in_world};
         DELETE FROM connect_codes WHERE customer_account_sid IN {accounts};
         DELETE FROM authorizations WHERE customer_account_sid IN {accounts};
         DELETE FROM authorizations WHERE subaccount_sid IN {accounts};
         DELETE FROM audit_events WHERE account_sid IN {accounts} AND action NOT LIKE 'sandbox.%';
         DELETE FROM api_keys WHERE account_sid IN {accounts};
         DELETE FROM connect_apps WHERE account_sid IN {accounts};
         DELETE FROM accounts WHERE sandbox_sid = '{world}';
         DELETE FROM sandbox_faults WHERE sandbox_sid = '{world}';"
    );
    tx.batch(&sql).await
}

/// An account of a world, ready to insert (its token already protected).
pub struct WorldAccount<'a> {
    pub sid: &'a AccountSid,
    pub owner_account_sid: &'a AccountSid,
    pub friendly_name: &'a str,
    pub account_type: AccountType,
    pub auth_token_mac: &'a [u8],
    pub auth_token_sealed: &'a [u8],
    /// What it has left to spend (read on main accounts only).
    pub balance_micros: i64,
}

/// `(…), (…)` for `rows` rows of `width` placeholders, numbered from `$1`.
fn placeholders(rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * width + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// Every account of a world in one statement.
pub fn insert_accounts<'a>(
    world: &'a SandboxSid,
    accounts: &'a [WorldAccount<'a>],
    now: Timestamp,
) -> Statement<'a> {
    const WIDTH: usize = 11;
    let sql = format!(
        "INSERT INTO accounts (sid, owner_account_sid, friendly_name, type, status, \
         auth_token_mac, auth_token_sealed, date_created, date_updated, sandbox_sid, \
         balance_micros) VALUES {}",
        placeholders(accounts.len(), WIDTH)
    );
    let mut params = Vec::with_capacity(accounts.len() * WIDTH);
    for a in accounts {
        params.extend([
            Value::from(a.sid),
            Value::from(a.owner_account_sid),
            Value::from(a.friendly_name),
            Value::from(a.account_type.as_str()),
            Value::from("active"),
            Value::from(a.auth_token_mac),
            Value::from(a.auth_token_sealed),
            Value::from(now),
            Value::from(now),
            Value::from(world),
            Value::from(a.balance_micros),
        ]);
    }
    Statement::dynamic(sql, params)
}

/// A console user of a world, its password already hashed.
pub struct WorldUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub account_sid: &'a AccountSid,
}

pub fn insert_users<'a>(
    world: &'a SandboxSid,
    users: &'a [WorldUser<'a>],
    now: Timestamp,
) -> Statement<'a> {
    let sql = format!(
        "INSERT INTO users (id, email, password_hash, account_sid, date_created, sandbox_sid) \
         VALUES {}",
        placeholders(users.len(), 6)
    );
    let mut params = Vec::with_capacity(users.len() * 6);
    for u in users {
        params.extend([
            Value::from(u.id),
            Value::from(u.email),
            Value::from(u.password_hash),
            Value::from(u.account_sid),
            Value::from(now),
            Value::from(world),
        ]);
    }
    Statement::dynamic(sql, params)
}

pub fn insert_connect_apps(apps: &[ConnectAppRecord]) -> Statement<'_> {
    const WIDTH: usize = 13;
    let sql = format!(
        "INSERT INTO connect_apps (sid, account_sid, friendly_name, company_name, description, \
         homepage_url, terms_of_service_url, authorize_redirect_url, deauthorize_callback_url, \
         deauthorize_callback_method, permissions, date_created, date_updated) VALUES {}",
        placeholders(apps.len(), WIDTH)
    );
    let mut params = Vec::with_capacity(apps.len() * WIDTH);
    for a in apps {
        params.extend([
            Value::from(&a.sid),
            Value::from(&a.account_sid),
            Value::from(&a.friendly_name),
            Value::from(a.company_name.as_deref()),
            Value::from(a.description.as_deref()),
            Value::from(a.homepage_url.as_deref()),
            Value::from(a.terms_of_service_url.as_deref()),
            Value::from(a.authorize_redirect_url.as_deref()),
            Value::from(a.deauthorize_callback_url.as_deref()),
            Value::from(&a.deauthorize_callback_method),
            Value::from(a.permissions.bits()),
            Value::from(a.date_created),
            Value::from(a.date_updated),
        ]);
    }
    Statement::dynamic(sql, params)
}

/// An active grant of a world.
pub struct WorldGrant<'a> {
    pub customer: &'a AccountSid,
    pub app: &'a ConnectAppSid,
    pub subaccount: &'a AccountSid,
    pub permissions: i64,
}

pub fn insert_grants<'a>(grants: &'a [WorldGrant<'a>], now: Timestamp) -> Statement<'a> {
    let sql = format!(
        "INSERT INTO authorizations (customer_account_sid, connect_app_sid, subaccount_sid, \
         permissions, authorized_at) VALUES {}",
        placeholders(grants.len(), 5)
    );
    let mut params = Vec::with_capacity(grants.len() * 5);
    for g in grants {
        params.extend([
            Value::from(g.customer),
            Value::from(g.app),
            Value::from(g.subaccount),
            Value::from(g.permissions),
            Value::from(now),
        ]);
    }
    Statement::dynamic(sql, params)
}

pub fn insert_numbers<'a>(
    world: &'a SandboxSid,
    numbers: &'a [PhoneNumberRecord],
) -> Statement<'a> {
    const WIDTH: usize = 24;
    let sql = format!(
        "INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name, number_type, \
         iso_country, voice_capable, sms_capable, mms_capable, fax_capable, voice_url, \
         voice_method, voice_fallback_url, voice_fallback_method, sms_url, sms_method, \
         sms_fallback_url, sms_fallback_method, status_callback, status_callback_method, \
         renews_at, date_created, date_updated, sandbox_sid) VALUES {}",
        placeholders(numbers.len(), WIDTH)
    );
    let mut params = Vec::with_capacity(numbers.len() * WIDTH);
    for n in numbers {
        let h = &n.hooks;
        params.extend([
            Value::from(n.sid.as_str()),
            Value::from(&n.account_sid),
            Value::from(&n.phone_number),
            Value::from(&n.friendly_name),
            Value::from(n.number_type),
            Value::from(&n.iso_country),
            Value::from(n.voice_capable),
            Value::from(n.sms_capable),
            Value::from(n.mms_capable),
            Value::from(n.fax_capable),
            Value::from(h.voice_url.as_deref()),
            Value::from(h.voice_method),
            Value::from(h.voice_fallback_url.as_deref()),
            Value::from(h.voice_fallback_method),
            Value::from(h.sms_url.as_deref()),
            Value::from(h.sms_method),
            Value::from(h.sms_fallback_url.as_deref()),
            Value::from(h.sms_fallback_method),
            Value::from(h.status_callback.as_deref()),
            Value::from(h.status_callback_method),
            Value::from(n.renews_at),
            Value::from(n.date_created),
            Value::from(n.date_updated),
            Value::from(world),
        ]);
    }
    Statement::dynamic(sql, params)
}

/// Which of these SIDs some row already has (fixed SIDs of a seed: each may
/// be used once on the whole server).
pub fn sids_in_use<'a>(
    accounts: &'a [AccountSid],
    apps: &'a [ConnectAppSid],
    numbers: &'a [PhoneNumberSid],
) -> Query<'a, String> {
    let mut params: Vec<Value<'a>> = Vec::new();
    let mut parts = Vec::new();
    let mut list = |table: &str, values: Vec<Value<'a>>, params: &mut Vec<Value<'a>>| {
        if values.is_empty() {
            return;
        }
        let start = params.len() + 1;
        let marks: Vec<String> = (start..start + values.len())
            .map(|i| format!("${i}"))
            .collect();
        parts.push(format!(
            "SELECT sid FROM {table} WHERE sid IN ({})",
            marks.join(", ")
        ));
        params.extend(values);
    };
    list(
        "accounts",
        accounts.iter().map(Value::from).collect(),
        &mut params,
    );
    list(
        "connect_apps",
        apps.iter().map(Value::from).collect(),
        &mut params,
    );
    list(
        "phone_numbers",
        numbers.iter().map(|n| Value::from(n.as_str())).collect(),
        &mut params,
    );
    if parts.is_empty() {
        parts.push("SELECT sid FROM sandboxes WHERE 1 = 0".to_owned());
    }
    Query::dynamic(parts.join(" UNION ALL "), params, |c| c.text())
}

/// One HTTP request Switchboard made for a world: an attempt of a delivery of
/// one of its accounts.
#[derive(Debug, Clone)]
pub struct RecordedWebhook {
    pub delivery_sid: String,
    pub attempt: i64,
    pub account_sid: AccountSid,
    pub kind: String,
    /// The call, message or Connect App it is about.
    pub related_sid: Option<String>,
    pub method: String,
    pub url: String,
    /// Form-encoded, in the order sent.
    pub params: String,
    pub idempotency_token: String,
    pub signature: Option<String>,
    pub status_code: Option<i64>,
    pub response_body: Option<String>,
    pub latency_ms: Option<i64>,
    pub error: Option<String>,
    pub at: Timestamp,
}

impl Keyed for RecordedWebhook {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.at.micros(),
            sid: format!("{}:{}", self.delivery_sid, self.attempt),
        }
    }
}

/// What a list of recorded webhooks is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct WebhookFilter {
    pub kind: Option<String>,
    pub related_sid: Option<String>,
    pub url: Option<String>,
}

fn decode_webhook(c: &mut Cols<'_>) -> Result<RecordedWebhook> {
    Ok(RecordedWebhook {
        delivery_sid: c.text()?,
        attempt: c.int()?,
        account_sid: c.parsed(AccountSid::parse)?,
        kind: c.text()?,
        related_sid: c.opt_text()?,
        method: c.text()?,
        url: c.text()?,
        params: c.text()?,
        idempotency_token: c.text()?,
        signature: c.opt_text()?,
        status_code: c.opt_int()?,
        response_body: c.opt_text()?,
        latency_ms: c.opt_int()?,
        error: c.opt_text()?,
        at: c.timestamp()?,
    })
}

/// Every attempt of every delivery of the world's accounts (Connect Apps'
/// dedicated subaccounts included: they are in their customer's world), oldest
/// first.
pub fn webhooks<'a>(
    world: &'a SandboxSid,
    filter: &'a WebhookFilter,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, RecordedWebhook>, PageShape) {
    ListQuery::new(
        "SELECT w.delivery_sid, w.attempt, w.account_sid, w.kind, w.related_sid, w.method, \
         w.url, w.params, w.idempotency_token, w.signature, w.status_code, w.response_body, \
         w.latency_ms, w.error, w.at FROM (SELECT d.sid AS delivery_sid, t.attempt AS attempt, \
         d.account_sid AS account_sid, d.kind AS kind, \
         COALESCE(d.resource_sid, d.connect_app_sid) AS related_sid, d.method AS method, \
         t.url AS url, d.params AS params, d.idempotency_token AS idempotency_token, \
         t.signature AS signature, t.status_code AS status_code, \
         t.response_body AS response_body, t.latency_ms AS latency_ms, t.error AS error, \
         t.at AS at, d.sid || ':' || CAST(t.attempt AS TEXT) AS rid, \
         a.sandbox_sid AS sandbox_sid \
         FROM delivery_attempts t JOIN deliveries d ON d.sid = t.delivery_sid \
         JOIN accounts a ON a.sid = d.account_sid) w",
        "w.at",
        "w.rid",
        Order::Ascending,
    )
    .filter("w.sandbox_sid = {}", [Value::from(world)])
    .filter_opt("w.kind = {}", filter.kind.as_deref())
    .filter_opt("w.related_sid = {}", filter.related_sid.as_deref())
    .filter_opt("w.url = {}", filter.url.as_deref())
    .page(at, size, decode_webhook)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_in_order() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
