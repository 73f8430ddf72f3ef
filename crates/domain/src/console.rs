//! Console sign-up, sign-in and sessions.
//!
//! A session is a random 256-bit value in an `HttpOnly` cookie; the database keeps
//! only its SHA-256, so a copy of the database cannot be replayed as a cookie.
//! Each session carries its own CSRF token.
//!
//! Failed sign-ins are throttled per (client address, email), with delays that
//! grow with each failure, and per client address across all emails (a
//! ceiling). A stranger's failures therefore slow down only the stranger's own
//! address: the right password from anywhere else is never refused because of
//! them. The state is in the database, so the limits hold across nodes.

use std::net::IpAddr;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use switchboard_store::sessions::{self, FailureRun, SessionRecord};
use switchboard_store::users;
use switchboard_types::{AccountSid, AccountStatus, AccountType, Timestamp};

use crate::accounts::{CreatedAccount, NewMainAccount};
use crate::audit::{Change, Event};
use crate::error::{DomainError, DomainResult};
use crate::secrets::random_id;
use crate::{Switchboard, password, validate};

/// The most worlds one email is tried in when signing in (sandboxes made from
/// one seed share their emails): the default world, then the newest sandboxes.
pub const SIGN_IN_CANDIDATES: i64 = 20;

/// How long a session lasts.
pub const SESSION_LIFETIME_SECONDS: i64 = 12 * 60 * 60;
/// Failed sign-ins from one address for one email before each further
/// attempt waits.
pub const FREE_FAILURES: i64 = 3;
/// The longest wait between attempts from one address for one email.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// How long a run of failures from one address for one email is remembered
/// after its last failure (a success forgets it at once).
pub const FAILURE_MEMORY_SECONDS: i64 = 24 * 60 * 60;
/// The window the per-address ceiling counts failures over.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Failed sign-ins allowed per client address, over all emails, in the window.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 100;
/// How often a sign-in tries again to count itself when concurrent attempts
/// for the same address and email keep moving the count under it.
const CLAIM_TRIES: usize = 8;

const SECOND: i64 = 1_000_000;

/// How long attempts wait after the `failures`-th failure in a row from one
/// address for one email: nothing for the first [`FREE_FAILURES`] - 1, then 1 s,
/// 2 s, 4 s… up to [`MAX_DELAY_SECONDS`].
pub fn delay_seconds(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    // 2^10 s is already past the cap; the shift must not overflow.
    (1i64 << (failures - FREE_FAILURES).min(10)).min(MAX_DELAY_SECONDS)
}

/// What throttling counts an address as: an IPv4 address, or an IPv6 address's
/// /64, which one subscriber usually holds whole (counting its addresses one
/// by one would give them 2^64 fresh starts).
pub fn throttle_address(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, 64)
            .map(|net| net.trunc().to_string())
            .unwrap_or_else(|_| v6.to_string()),
    }
}

fn seconds_until(until: Timestamp, now: Timestamp) -> u64 {
    ((until.micros() - now.micros()).max(0) as u64)
        .div_ceil(SECOND as u64)
        .max(1)
}

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

fn address_subject(address: &str) -> String {
    format!("ip:{address}")
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
        let mut tx = self.store().begin().await?;
        let created = self
            .insert_main_account(
                &mut tx,
                NewMainAccount {
                    email: email.to_owned(),
                    password: password.to_owned(),
                    friendly_name: friendly_name.to_owned(),
                    account_type: AccountType::Trial,
                },
            )
            .await?;
        crate::audit::record(
            &mut tx,
            Event {
                change: Change::of_account(&created.account.sid, "account.sign_up"),
                actor: &created.user.email,
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        let session = self.start_session(&created.user.id).await?;
        Ok((created, session))
    }

    /// Refuses when the address has failed too often lately, over all emails;
    /// otherwise says how many failures it has in the window.
    async fn check_address_ceiling(&self, address: &str, now: Timestamp) -> DomainResult<i64> {
        let subject = address_subject(address);
        let since = now.plus_micros(-THROTTLE_WINDOW_SECONDS * SECOND);
        let failures = self
            .store()
            .one(sessions::failures_since(
                &subject,
                since,
                MAX_FAILURES_PER_ADDRESS,
            ))
            .await?;
        if failures >= MAX_FAILURES_PER_ADDRESS {
            let oldest = self
                .store()
                .one(sessions::oldest_failure_since(&subject, since))
                .await?
                .unwrap_or(now.micros());
            let reopens = Timestamp::from_micros(oldest + THROTTLE_WINDOW_SECONDS * SECOND);
            return Err(DomainError::TooManyAttempts {
                retry_after_seconds: seconds_until(reopens, now),
            });
        }
        Ok(failures)
    }

    /// Counts this attempt as a failure of (address, email) before the password
    /// is checked (a success forgets it), or refuses while the pair waits. The
    /// count moves by compare-and-set, so concurrent attempts cannot all pass
    /// one check: each one is counted, and the later ones wait.
    async fn claim_attempt(
        &self,
        address: &str,
        email: &str,
        now: Timestamp,
    ) -> DomainResult<FailureRun> {
        let forgotten = now.plus_micros(-FAILURE_MEMORY_SECONDS * SECOND);
        for _ in 0..CLAIM_TRIES {
            let seen = self
                .store()
                .opt(sessions::failure_run(address, email))
                .await?;
            if let Some(run) = &seen
                && run.locked_until > now
            {
                return Err(DomainError::TooManyAttempts {
                    retry_after_seconds: seconds_until(run.locked_until, now),
                });
            }
            let failures = match &seen {
                Some(run) if run.last_failure_at >= forgotten => run.failures + 1,
                _ => 1,
            };
            let next = FailureRun {
                failures,
                last_failure_at: now,
                locked_until: now.plus_micros(delay_seconds(failures) * SECOND),
            };
            let claimed = match &seen {
                None => sessions::start_failure_run(address, email, &next),
                Some(run) => sessions::advance_failure_run(address, email, run, &next),
            };
            if self.store().run(claimed).await? == 1 {
                return Ok(next);
            }
        }
        Err(DomainError::TooManyAttempts {
            retry_after_seconds: 1,
        })
    }

    /// Signs in with email and password from the client at `client`. Wrong
    /// credentials give the same answer whether or not the email exists, take
    /// as long, and are throttled alike. Failures and the throttling they start
    /// are in the account's audit log, with the client's address.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> DomainResult<(ConsoleSession, NewSession)> {
        let email = validate::email(email).unwrap_or_else(|_| email.trim().to_lowercase());
        let now = Timestamp::now();
        let ip = client.to_canonical().to_string();
        let address = throttle_address(client);
        let address_failures = self.check_address_ceiling(&address, now).await?;
        let run = self.claim_attempt(&address, &email, now).await?;
        // One email may sign in to several worlds (sandboxes made from one
        // seed): the first whose password matches is the one signed in to.
        let candidates = self
            .store()
            .all(users::sign_in_candidates(&email, SIGN_IN_CANDIDATES))
            .await?;
        let mut matched = None;
        for u in &candidates {
            if password::verify(password.to_owned(), u.password_hash.clone()).await {
                matched = Some(u.clone());
                break;
            }
        }
        if candidates.is_empty() {
            password::burn_time(password.to_owned()).await;
        }
        let user = match matched {
            Some(user) => user,
            None => {
                let unknown_or_wrong = candidates.into_iter().next();
                self.store()
                    .run(sessions::record_failure(&address_subject(&address), now))
                    .await?;
                tracing::info!(ip, "failed console sign-in");
                if let Some(user) = &unknown_or_wrong {
                    self.audit_failed_sign_in(user, &ip, &run, address_failures + 1)
                        .await?;
                }
                return Err(DomainError::Unauthenticated);
            }
        };
        self.store()
            .run(sessions::clear_failure_run(&address, &email))
            .await?;
        let new = self.start_session(&user.id).await?;
        let session = self
            .session(&new.cookie_value)
            .await?
            .ok_or_else(|| DomainError::Internal("a new session could not be read back".into()))?;
        self.record_event(Event {
            change: Change::of_account(&user.account_sid, "console.sign_in"),
            actor: &user.email,
            ip: Some(&ip),
        })
        .await?;
        Ok((session, new))
    }

    /// A failed sign-in in the account's audit log, and the throttling it
    /// starts. Refused attempts are not recorded one by one: they cost an
    /// attacker nothing, so they could fill the log.
    async fn audit_failed_sign_in(
        &self,
        user: &users::UserRecord,
        ip: &str,
        run: &FailureRun,
        address_failures: i64,
    ) -> DomainResult<()> {
        let event = |action, detail| Event {
            change: Change {
                detail: Some(detail),
                ..Change::of_account(&user.account_sid, action)
            },
            actor: &user.email,
            ip: Some(ip),
        };
        let in_a_row = run.failures;
        self.record_event(event(
            "console.sign_in_failed",
            format!(
                "Wrong password ({in_a_row} failure{} in a row from this address)",
                if in_a_row == 1 { "" } else { "s" }
            ),
        ))
        .await?;
        let delay = delay_seconds(in_a_row);
        if delay > 0 {
            self.record_event(event(
                "console.sign_in_throttled",
                format!(
                    "Sign-ins to this account from this address wait {delay} s before the next attempt"
                ),
            ))
            .await?;
        }
        if address_failures == MAX_FAILURES_PER_ADDRESS {
            self.record_event(event(
                "console.sign_in_throttled",
                format!(
                    "This address reached {MAX_FAILURES_PER_ADDRESS} failed sign-ins in {} minutes, over all accounts; its sign-ins wait until older failures expire",
                    THROTTLE_WINDOW_SECONDS / 60
                ),
            ))
            .await?;
        }
        Ok(())
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
                now.plus_micros(-THROTTLE_WINDOW_SECONDS * SECOND),
            ))
            .await?;
        self.store()
            .run(sessions::forget_failure_runs_before(
                now.plus_micros(-FAILURE_MEMORY_SECONDS * SECOND),
            ))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_double_and_stop_at_the_cap() {
        let delays: Vec<i64> = (0..=14).map(delay_seconds).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        );
        assert_eq!(delay_seconds(i64::MAX), MAX_DELAY_SECONDS);
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(throttle_address(a), "2001:db8:1:2::/64");
        assert_eq!(throttle_address(a), throttle_address(b));
        assert_ne!(throttle_address(a), throttle_address(other));
        assert_eq!(
            throttle_address("203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
        // An IPv4 client seen through an IPv6 socket is the same client.
        assert_eq!(
            throttle_address("::ffff:203.0.113.7".parse().unwrap()),
            "203.0.113.7"
        );
    }
}
