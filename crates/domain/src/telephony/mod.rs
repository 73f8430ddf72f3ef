//! Simulated telephony: phone numbers, calls, messages and recordings, billed to
//! the account that owns them and rolled up to its main account.
//!
//! The rules (which numbers exist, how a message splits into segments, what a
//! call costs, how a call to a given number ends) are pure functions in the
//! `switchboard-telephony` crate; this module applies them to accounts and the
//! store. The course of a call or message is planned when it is created and
//! played out by the [`simulator`] on a clock whose speed the operator sets.

pub mod addresses;
pub mod amd;
pub mod billing;
pub mod call_events;
pub mod caller_ids;
pub mod calls;
pub mod conferences;
pub mod conversation;
pub mod feedback;
pub mod inbound;
pub mod live_recordings;
pub mod media;
pub mod messages;
pub mod numbers;
pub mod outcomes;
pub mod queues;
pub mod realtime_transcriptions;
pub mod seed;
pub mod short_codes;
pub mod simulator;
pub mod transcriptions;
pub mod usage;
pub mod voice;

pub use calls::{Call, Recording};
pub use messages::Message;
pub use numbers::{IncomingPhoneNumber, Webhooks};

use std::time::Duration;

use switchboard_store::Tx;
use switchboard_store::calls::{self as call_rows, CallRecord};
use switchboard_telephony::PriceList;
use switchboard_types::{AccountSid, CallSid, CallStatus, HookMethod, Timestamp};

use crate::Switchboard;
use crate::access::{Access, Principal};
use crate::error::{DomainError, DomainResult, Field, Problem, invalid};

/// A month of number rent, in simulated seconds.
pub const MONTH_SECS: i64 = 30 * 86_400;

/// How fast simulated time runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SimSpeed {
    /// Every step of a call or message is due at once (tests, demos).
    Instant,
    /// Simulated seconds per real second (1: real time).
    Factor(f64),
}

impl SimSpeed {
    /// The slowest and fastest clocks `parse` accepts.
    pub const RANGE: std::ops::RangeInclusive<f64> = 0.001..=1_000_000.0;

    /// `instant`, or a number of simulated seconds per second such as `1`,
    /// `60` or `0.5`, within [`SimSpeed::RANGE`].
    pub fn parse(value: &str) -> Result<SimSpeed, String> {
        if value.eq_ignore_ascii_case("instant") {
            return Ok(SimSpeed::Instant);
        }
        match value.parse::<f64>() {
            Ok(f) if Self::RANGE.contains(&f) => Ok(SimSpeed::Factor(f)),
            _ => Err(format!(
                "'{value}' is not a speed: use 'instant' or a number of simulated seconds per second from {} to {}",
                Self::RANGE.start(),
                Self::RANGE.end()
            )),
        }
    }

    /// The real time `sim_secs` simulated seconds take (at most a year: no
    /// step of a simulation waits longer).
    pub fn real(self, sim_secs: i64) -> Duration {
        const YEAR: Duration = Duration::from_secs(365 * 86_400);
        match self {
            SimSpeed::Instant => Duration::ZERO,
            SimSpeed::Factor(f) => Duration::try_from_secs_f64(sim_secs.max(0) as f64 / f)
                .map_or(YEAR, |d| d.min(YEAR)),
        }
    }

    /// The instant a step `sim_secs` simulated seconds from `now` falls due.
    pub fn due_after(self, now: Timestamp, sim_secs: i64) -> Timestamp {
        now.plus_micros(self.real(sim_secs).as_micros() as i64)
    }

    /// When a number's next month of rent falls due: a simulated month on, or
    /// on the instant clock a real one (months cannot all pass at once).
    pub fn month_after(self, at: Timestamp) -> Timestamp {
        match self {
            SimSpeed::Instant => at.plus_micros(MONTH_SECS * 1_000_000),
            // Never less than a millisecond, so rent cannot fall due forever.
            SimSpeed::Factor(_) => self.due_after(at, MONTH_SECS).max(at.plus_micros(1_000)),
        }
    }
}

/// The operator's telephony settings.
#[derive(Debug, Clone)]
pub struct TelephonySettings {
    pub speed: SimSpeed,
    pub prices: PriceList,
    /// Whether a media item's content (`…/Media/{Sid}`) and a recording's
    /// audio (`…/Recordings/{Sid}`) ask for the account's credentials; off by
    /// default, as Twilio serves media (`serve --media-requires-auth`).
    pub media_requires_auth: bool,
}

impl Default for TelephonySettings {
    fn default() -> Self {
        TelephonySettings {
            speed: SimSpeed::Factor(1.0),
            prices: PriceList::default(),
            media_requires_auth: false,
        }
    }
}

/// Whose auth token signs a resource's status callbacks: the Connect App
/// owner's when an app acts (the app knows no token of its customer's), the
/// owning account's otherwise.
pub(crate) fn callback_signer(access: &Access) -> DomainResult<AccountSid> {
    Ok(match access.principal() {
        Some(Principal::Connect(c)) => c.app_owner.clone(),
        _ => access.target_account()?.sid.clone(),
    })
}

/// Reads an optional `GET`/`POST` parameter.
pub(crate) fn method_param(
    field: impl Into<Field>,
    value: Option<&str>,
    default: HookMethod,
) -> DomainResult<HookMethod> {
    match value {
        None | Some("") => Ok(default),
        Some(m) => HookMethod::parse(&m.to_ascii_uppercase()).map_err(|_| {
            invalid(
                field,
                Problem::NotMethod {
                    given: m.to_owned(),
                },
            )
        }),
    }
}

/// Reads an optional `true`/`false` parameter (either case; absent or
/// empty is `false`).
pub(crate) fn bool_param(field: impl Into<Field>, value: Option<&str>) -> DomainResult<bool> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(invalid(field, Problem::NotBoolean)),
    }
}

/// Reads an optional absolute http(s) URL parameter.
pub(crate) fn url_param(
    field: impl Into<Field>,
    value: Option<&str>,
) -> DomainResult<Option<String>> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => crate::validate::absolute_url(field, v).map(Some),
    }
}

/// `YYYY-MM-DD` of an instant, UTC: the day usage is rolled up under.
pub(crate) fn day_of(t: Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%d").to_string()
}

/// What one try of a change guarded by what it read came to (see
/// [`Switchboard::guarded`]).
pub(crate) enum Try<T> {
    /// Done in `tx`: commit it, and wake the deliveries if a webhook was
    /// queued (`hooked`).
    Done { tx: Tx, value: T, hooked: bool },
    /// A guarded write changed nothing: another transaction changed the
    /// row since it was read, so read it again in a new transaction.
    Lost,
}

impl<T> Try<T> {
    pub(crate) fn done(tx: Tx, value: T, hooked: bool) -> Self {
        Try::Done { tx, value, hooked }
    }
}

/// Reads the account's call `sid` in `tx` and holds it while it is in
/// progress, for a change that must not race with its ending (a live
/// recording or transcription starting). Writing the call row, guarded by
/// its status, orders the two: a call that ends meanwhile is read again
/// (and refused), and an ending that follows sees the change. `None` when
/// that write lost a race ([`Try::Lost`]: read again); `not_in_progress`
/// when the call is not in progress.
pub(crate) async fn hold_call_in_progress(
    tx: &mut Tx,
    account: &AccountSid,
    sid: &CallSid,
    not_in_progress: DomainError,
) -> DomainResult<Option<CallRecord>> {
    let call = tx
        .opt(call_rows::of_account(account, sid))
        .await?
        .ok_or(DomainError::NotFound)?;
    if call.status != CallStatus::InProgress {
        return Err(not_in_progress);
    }
    if tx.run(call_rows::advance(&call, call.status)).await? == 0 {
        return Ok(None);
    }
    Ok(Some(call))
}

/// How often [`Switchboard::guarded`] tries before answering a conflict.
const GUARDED_TRIES: usize = 3;

/// How often a transaction runner ([`Switchboard::guarded`],
/// [`Switchboard::retrying`]) runs a transaction that the database gave up
/// for another one (a deadlock, a serialization failure) or that lost a
/// race ([`DomainError::Lost`]), in all.
pub(crate) const RETRYABLE_TRIES: usize = 5;

/// A short, random pause before running a given-up transaction again, so
/// that the two that collided do not meet again in step.
async fn pause_before_retry(tried: usize) {
    let ms = 1 + rand::random::<u64>() % (5 * tried as u64).max(1);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

impl Switchboard {
    /// Runs `attempt` in a transaction of its own, and again in a new one
    /// while it loses a race ([`Try::Lost`]), a few times; then commits
    /// what it did and wakes the deliveries if it queued a webhook. An
    /// error ends it (the transaction is rolled back), except one that
    /// says the transaction was given up for another
    /// ([`DomainError::is_retryable`]: a deadlock, a serialization failure,
    /// a claim lost deep inside it), which runs it again in a new one, up
    /// to [`RETRYABLE_TRIES`] times in all. After the last lost try it
    /// answers `409` with `conflict` ("… try again").
    ///
    /// `attempt` owns the transaction and hands it back when done (rather
    /// than borrowing it) so that the future stays `Send` for any caller.
    pub(crate) async fn guarded<T, F, Fut>(&self, conflict: &str, mut attempt: F) -> DomainResult<T>
    where
        F: FnMut(Tx) -> Fut,
        Fut: Future<Output = DomainResult<Try<T>>>,
    {
        let (mut lost, mut given_up) = (0, 0);
        while lost < GUARDED_TRIES {
            let tried: DomainResult<Option<(T, bool)>> = async {
                let tx = self.store().begin().await?;
                match attempt(tx).await? {
                    Try::Done { tx, value, hooked } => {
                        tx.commit().await?;
                        Ok(Some((value, hooked)))
                    }
                    Try::Lost => Ok(None),
                }
            }
            .await;
            match tried {
                Ok(Some((value, hooked))) => {
                    if hooked {
                        self.wake_deliveries();
                    }
                    return Ok(value);
                }
                Ok(None) => lost += 1,
                Err(e) if e.is_retryable() && given_up + 1 < RETRYABLE_TRIES => {
                    given_up += 1;
                    tracing::debug!(error = %e, tries = given_up, "running a transaction again");
                    pause_before_retry(given_up).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(DomainError::Conflict(conflict.to_owned()))
    }

    /// Runs `op` again while it fails because its transaction was given up
    /// for another ([`DomainError::is_retryable`]), up to
    /// [`RETRYABLE_TRIES`] times in all, and hands back the last error
    /// after that. For an operation that commits at most one transaction,
    /// as the last thing it does (it may read before it): a try that failed
    /// left nothing behind, so the next starts afresh. For work whose
    /// transaction is written inline rather than through
    /// [`Switchboard::guarded`]: a worker's step, an API request's change.
    pub(crate) async fn retrying<T, F, Fut>(&self, op: F) -> DomainResult<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = DomainResult<T>>,
    {
        run_again_while_given_up(op).await
    }
}

/// [`Switchboard::retrying`].
async fn run_again_while_given_up<T, F, Fut>(mut op: F) -> DomainResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = DomainResult<T>>,
{
    let mut tried = 1;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && tried < RETRYABLE_TRIES => {
                tracing::debug!(error = %e, tries = tried, "running a transaction again");
                pause_before_retry(tried).await;
                tried += 1;
            }
            done => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A transaction given up for another runs again, a bounded number of
    // times; any other error ends it at once.
    #[tokio::test]
    async fn given_up_transactions_run_again_a_few_times() {
        let tries = std::cell::Cell::new(0);
        let lost = || DomainError::Lost("lost".into());
        let recovers = run_again_while_given_up(|| {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move { if n < 3 { Err(lost()) } else { Ok(n) } }
        })
        .await;
        assert_eq!(recovers.unwrap(), 3);

        tries.set(0);
        let never: DomainResult<()> = run_again_while_given_up(|| {
            tries.set(tries.get() + 1);
            async { Err(lost()) }
        })
        .await;
        assert!(matches!(never, Err(DomainError::Lost(_))));
        assert_eq!(tries.get(), RETRYABLE_TRIES);

        tries.set(0);
        let refused: DomainResult<()> = run_again_while_given_up(|| {
            tries.set(tries.get() + 1);
            async { Err(DomainError::Conflict("no".into())) }
        })
        .await;
        assert!(matches!(refused, Err(DomainError::Conflict(_))));
        assert_eq!(tries.get(), 1);
    }

    #[test]
    fn speeds_are_bounded_and_never_panic() {
        assert_eq!(SimSpeed::parse("instant"), Ok(SimSpeed::Instant));
        assert_eq!(SimSpeed::parse("60"), Ok(SimSpeed::Factor(60.0)));
        for bad in ["0", "-1", "1e-300", "1e300", "NaN", "inf", "fast"] {
            assert!(SimSpeed::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SimSpeed::Factor(1e-300).real(60),
            Duration::from_secs(365 * 86_400)
        );
        assert_eq!(SimSpeed::Factor(60.0).real(60), Duration::from_secs(1));
        let at = Timestamp::from_seconds(1_000);
        assert!(SimSpeed::Factor(1e300).month_after(at) > at);
    }
}
