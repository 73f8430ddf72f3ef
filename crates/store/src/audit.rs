//! The audit log: who did what to which account or app, and when.

use switchboard_types::{AccountSid, Permissions, Timestamp};

use crate::page::{Cursor, Keyed, ListQuery, Order, PageAt, PageShape};
use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: String,
    /// The main account whose log this belongs in.
    pub account_sid: AccountSid,
    /// Who acted: an email, `api:AC…`, or `operator`.
    pub actor: String,
    /// What happened, e.g. `connect.authorize`.
    pub action: String,
    pub connect_app_sid: Option<String>,
    /// The account or resource acted on.
    pub subject_sid: Option<String>,
    pub permissions: Option<Permissions>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub at: Timestamp,
}

impl Keyed for AuditEvent {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.at.micros(),
            sid: self.id.clone(),
        }
    }
}

pub fn insert(e: &AuditEvent) -> Statement<'_> {
    Statement::new(
        "INSERT INTO audit_events (id, account_sid, actor, action, connect_app_sid, subject_sid, permissions, \
         detail, ip, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            &e.id,
            &e.account_sid,
            &e.actor,
            &e.action,
            e.connect_app_sid.as_deref(),
            e.subject_sid.as_deref(),
            e.permissions.map(Permissions::bits),
            e.detail.as_deref(),
            e.ip.as_deref(),
            e.at
        ],
    )
}

fn decode(c: &mut Cols<'_>) -> Result<AuditEvent> {
    Ok(AuditEvent {
        id: c.text()?,
        account_sid: c.parsed(AccountSid::parse)?,
        actor: c.text()?,
        action: c.text()?,
        connect_app_sid: c.opt_text()?,
        subject_sid: c.opt_text()?,
        permissions: c.opt_int()?.map(Permissions::from_bits),
        detail: c.opt_text()?,
        ip: c.opt_text()?,
        at: c.timestamp()?,
    })
}

/// A main account's log, newest first.
pub fn of_account<'a>(
    account: &'a AccountSid,
    at: &'a PageAt,
    size: u32,
) -> (Query<'a, AuditEvent>, PageShape) {
    ListQuery::new(
        "SELECT id, account_sid, actor, action, connect_app_sid, subject_sid, permissions, detail, ip, at \
         FROM audit_events",
        "at",
        "id",
        Order::Descending,
    )
    .filter("account_sid = {}", [account.into()])
    .page(at, size, decode)
}
