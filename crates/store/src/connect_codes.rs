//! One-time codes of a Connect authorization (`response_type=code`), kept as
//! the SHA-256 of the code: the code itself is only ever in the redirect.

use switchboard_types::{AccountSid, ConnectAppSid, Permissions, Timestamp};

use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectCodeRecord {
    /// Hex SHA-256 of the code.
    pub code_hash: String,
    pub connect_app_sid: ConnectAppSid,
    pub customer_account_sid: AccountSid,
    pub subaccount_sid: AccountSid,
    /// What the customer granted with this approval.
    pub permissions: Permissions,
    /// PKCE's `code_challenge` (S256), when the link had one.
    pub code_challenge: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

fn decode(c: &mut Cols<'_>) -> Result<ConnectCodeRecord> {
    Ok(ConnectCodeRecord {
        code_hash: c.text()?,
        connect_app_sid: c.parsed(ConnectAppSid::parse)?,
        customer_account_sid: c.parsed(AccountSid::parse)?,
        subaccount_sid: c.parsed(AccountSid::parse)?,
        permissions: Permissions::from_bits(c.int()?),
        code_challenge: c.opt_text()?,
        created_at: c.timestamp()?,
        expires_at: c.timestamp()?,
        used_at: c.opt_timestamp()?,
    })
}

pub fn insert(r: &ConnectCodeRecord) -> Statement<'_> {
    Statement::new(
        "INSERT INTO connect_codes (code_hash, connect_app_sid, customer_account_sid, subaccount_sid, \
         permissions, code_challenge, created_at, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
        params![
            &r.code_hash,
            &r.connect_app_sid,
            &r.customer_account_sid,
            &r.subaccount_sid,
            r.permissions.bits(),
            r.code_challenge.as_deref(),
            r.created_at,
            r.expires_at
        ],
    )
}

pub fn by_hash(hash: &str) -> Query<'_, ConnectCodeRecord> {
    Query::new(
        "SELECT code_hash, connect_app_sid, customer_account_sid, subaccount_sid, permissions, \
         code_challenge, created_at, expires_at, used_at FROM connect_codes WHERE code_hash = $1",
        params![hash],
        decode,
    )
}

/// Marks a code used; 0 rows when it already was (a concurrent exchange won).
pub fn use_up(hash: &str, now: Timestamp) -> Statement<'_> {
    Statement::new(
        "UPDATE connect_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
        params![hash, now],
    )
}
