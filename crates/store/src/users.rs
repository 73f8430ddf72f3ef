//! Console users: an email and a password hash, signing in to one main account.

use switchboard_types::{AccountSid, Timestamp};

use crate::{Cols, Query, Result, Statement, params};

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub account_sid: AccountSid,
    pub date_created: Timestamp,
}

macro_rules! user_columns {
    () => {
        "id, email, password_hash, account_sid, date_created"
    };
}

fn decode(c: &mut Cols<'_>) -> Result<UserRecord> {
    Ok(UserRecord {
        id: c.text()?,
        email: c.text()?,
        password_hash: c.text()?,
        account_sid: c.parsed(AccountSid::parse)?,
        date_created: c.timestamp()?,
    })
}

pub fn insert(user: &UserRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO users (",
            user_columns!(),
            // A user is in its account's world.
            ", sandbox_sid) VALUES ($1, $2, $3, $4, $5, \
             (SELECT a.sandbox_sid FROM accounts a WHERE a.sid = $4))"
        ),
        params![
            &user.id,
            &user.email,
            &user.password_hash,
            &user.account_sid,
            user.date_created
        ],
    )
}

/// The default world's user with this email. Emails are stored lower-cased;
/// look them up the same way.
pub fn by_email(email: &str) -> Query<'_, UserRecord> {
    Query::new(
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1 AND sandbox_sid IS NULL"
        ),
        params![email],
        decode,
    )
}

/// Every user with this email (one per world at most), in the order signing
/// in tries them: the default world's first, then sandboxes', newest first;
/// at most `limit`.
pub fn sign_in_candidates(email: &str, limit: i64) -> Query<'_, UserRecord> {
    Query::new(
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1 \
             ORDER BY CASE WHEN sandbox_sid IS NULL THEN 0 ELSE 1 END, \
             (SELECT s.date_created FROM sandboxes s WHERE s.sid = users.sandbox_sid) DESC \
             LIMIT $2"
        ),
        params![email, limit],
        decode,
    )
}

pub fn by_id(id: &str) -> Query<'_, UserRecord> {
    Query::new(
        concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"),
        params![id],
        decode,
    )
}

pub fn of_account(account: &AccountSid) -> Query<'_, UserRecord> {
    Query::new(
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE account_sid = $1 ORDER BY date_created"
        ),
        params![account],
        decode,
    )
}
