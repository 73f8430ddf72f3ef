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
            ") VALUES ($1, $2, $3, $4, $5)"
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

/// Emails are stored lower-cased; look them up the same way.
pub fn by_email(email: &str) -> Query<'_, UserRecord> {
    Query::new(
        concat!("SELECT ", user_columns!(), " FROM users WHERE email = $1"),
        params![email],
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
