//! Console sign-up, sign-in and sessions.
//!
//! A session is a random 256-bit value in an `HttpOnly` cookie; the database keeps
//! only its SHA-256, so a copy of the database cannot be replayed as a cookie.
//! Each session carries its own CSRF token. Failed sign-ins are throttled per
//! email and per client address, in the database, so the limit holds across nodes.

pub mod pages;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use switchboard_store::sessions::{self, SessionRecord};
use switchboard_store::users;
use switchboard_types::{AccountSid, AccountStatus, AccountType, Timestamp};

use crate::accounts::{CreatedAccount, NewMainAccount};
use crate::audit::Event;
use crate::error::{DomainError, DomainResult};
use crate::secrets::random_id;
use crate::{Switchboard, password, validate};

/// How long a session lasts.
pub const SESSION_LIFETIME_SECONDS: i64 = 12 * 60 * 60;
/// The window failed sign-ins are counted over.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Failed sign-ins allowed per email in the window.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed sign-ins allowed per client address in the window.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// A signed-in console user.
#[derive(Debug, Clone)]
pub struct ConsoleSession {
    pub user_id: String,
    pub email: String,
    pub account_sid: AccountSid,
    pub account_name: String,
    pub account_type: AccountType,
    pub account_status: AccountStatus,
    pub csrf_token: String,
}

impl ConsoleSession {
    /// Whether a submitted form carries this session's CSRF token.
    pub fn csrf_matches(&self, presented: &str) -> bool {
        presented.len() == self.csrf_token.len()
            && bool::from(presented.as_bytes().ct_eq(self.csrf_token.as_bytes()))
    }
}

impl From<SessionRecord> for ConsoleSession {
    fn from(r: SessionRecord) -> Self {
        ConsoleSession {
            user_id: r.user_id,
            email: r.email,
            account_sid: r.account_sid,
            account_name: r.account_name,
            account_type: r.account_type,
            account_status: r.account_status,
            csrf_token: r.csrf_token,
        }
    }
}

/// A session just started: the cookie value goes to the browser, once.
pub struct NewSession {
    pub cookie_value: String,
    pub expires_in_seconds: i64,
}

fn hash(cookie_value: &str) -> [u8; 32] {
    Sha256::digest(cookie_value.as_bytes()).into()
}

fn email_subject(email: &str) -> String {
    format!("email:{email}")
}

fn address_subject(ip: &str) -> String {
    format!("ip:{ip}")
}

impl Switchboard {
    async fn start_session(&self, user_id: &str) -> DomainResult<NewSession> {
        let cookie_value = random_id();
        let now = Timestamp::now();
        self.store()
            .run(sessions::insert(
                &hash(&cookie_value),
                user_id,
                &random_id(),
                now,
                now.plus_micros(SESSION_LIFETIME_SECONDS * 1_000_000),
            ))
            .await?;
        Ok(NewSession {
            cookie_value,
            expires_in_seconds: SESSION_LIFETIME_SECONDS,
        })
    }

    /// Sign-up: a Trial main account, its user, and a session.
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        friendly_name: &str,
        ip: Option<&str>,
    ) -> DomainResult<(CreatedAccount, NewSession)> {
        let created = self
            .create_main_account(NewMainAccount {
                email: email.to_owned(),
                password: password.to_owned(),
                friendly_name: friendly_name.to_owned(),
                account_type: AccountType::Trial,
            })
            .await?;
        self.record_event(Event {
            account: &created.account.sid,
            actor: &created.user.email,
            action: "account.sign_up",
            app: None,
            subject: None,
            permissions: None,
            detail: None,
            ip,
        })
        .await?;
        let session = self.start_session(&created.user.id).await?;
        Ok((created, session))
    }

    /// Refuses when `subject` has failed too often lately.
    async fn check_throttle(&self, subject: &str, limit: i64, now: Timestamp) -> DomainResult<()> {
        let since = now.plus_micros(-THROTTLE_WINDOW_SECONDS * 1_000_000);
        let failures = self
            .store()
            .one(sessions::failures_since(subject, since, limit))
            .await?;
        if failures >= limit {
            let oldest = self
                .store()
                .one(sessions::oldest_failure_since(subject, since))
                .await?
                .unwrap_or(now.micros());
            let reopens = oldest + THROTTLE_WINDOW_SECONDS * 1_000_000;
            let retry_after_seconds = ((reopens - now.micros()) / 1_000_000).max(1) as u64;
            return Err(DomainError::TooManyAttempts {
                retry_after_seconds,
            });
        }
        Ok(())
    }

    /// Signs in with email and password. Wrong credentials give the same answer
    /// whether or not the email exists, and take as long.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ip: &str,
    ) -> DomainResult<(ConsoleSession, NewSession)> {
        let email = validate::email(email).unwrap_or_else(|_| email.trim().to_lowercase());
        let now = Timestamp::now();
        self.check_throttle(&address_subject(ip), MAX_FAILURES_PER_ADDRESS, now)
            .await?;
        self.check_throttle(&email_subject(&email), MAX_FAILURES_PER_EMAIL, now)
            .await?;
        let user = self.store().opt(users::by_email(&email)).await?;
        let ok = match &user {
            Some(u) => password::verify(password.to_owned(), u.password_hash.clone()).await,
            None => {
                password::burn_time(password.to_owned()).await;
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            self.store()
                .run(sessions::record_failure(&email_subject(&email), now))
                .await?;
            self.store()
                .run(sessions::record_failure(&address_subject(ip), now))
                .await?;
            tracing::info!(ip, "failed console sign-in");
            return Err(DomainError::Unauthenticated);
        };
        self.store()
            .run(sessions::clear_failures(&email_subject(&email)))
            .await?;
        let new = self.start_session(&user.id).await?;
        let session = self
            .session(&new.cookie_value)
            .await?
            .ok_or_else(|| DomainError::Internal("a new session could not be read back".into()))?;
        self.record_event(Event {
            account: &user.account_sid,
            actor: &user.email,
            action: "console.sign_in",
            app: None,
            subject: None,
            permissions: None,
            detail: None,
            ip: Some(ip),
        })
        .await?;
        Ok((session, new))
    }

    /// The live session a cookie names, if any.
    pub async fn session(&self, cookie_value: &str) -> DomainResult<Option<ConsoleSession>> {
        Ok(self
            .store()
            .opt(sessions::live(&hash(cookie_value), Timestamp::now()))
            .await?
            .map(ConsoleSession::from))
    }

    pub async fn sign_out(&self, cookie_value: &str) -> DomainResult<()> {
        self.store()
            .run(sessions::delete(&hash(cookie_value)))
            .await?;
        Ok(())
    }

    /// Housekeeping: drops expired sessions and old sign-in failures.
    pub async fn forget_expired_sessions(&self) -> DomainResult<()> {
        let now = Timestamp::now();
        self.store().run(sessions::delete_expired(now)).await?;
        self.store()
            .run(sessions::forget_failures_before(
                now.plus_micros(-THROTTLE_WINDOW_SECONDS * 1_000_000),
            ))
            .await?;
        Ok(())
    }
}
