//! The delivery workers: claim due webhooks from the outbox, sign and send them,
//! record every attempt, and schedule retries.
//!
//! Several nodes on one PostgreSQL each run this loop; a claimed delivery carries
//! a lease, so under normal operation each is sent once, and a node that dies
//! mid-send only delays its claimed deliveries until their lease runs out (at
//! least once, always).

use crate::ops::AttemptOutcome;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use switchboard_store::Backend;
use switchboard_store::deliveries::{self, Attempt, DeliveryRecord, Outcome};
use switchboard_types::Timestamp;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use super::guard::{GuardedResolver, check_literal, refusal_in};
use super::overrides::{FailureKind, Overrides};
use super::signature::twilio_signature;
use super::{WebhookKind, decode_params};
use crate::Switchboard;

/// How deliveries are sent and retried.
#[derive(Debug, Clone)]
pub struct CallbackSettings {
    /// The first retry's delay; each later one doubles, up to 720× this (one hour
    /// for the default five seconds), and retries stop 17,280× this after the
    /// delivery was created (one day). Tests shrink it to milliseconds.
    pub retry_base: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// Whether callbacks may go to loopback and private addresses.
    pub allow_private: bool,
    /// Attempts in flight at once on this node.
    pub concurrency: usize,
    /// How often idle workers look for deliveries committed on other nodes.
    pub poll_interval: Duration,
}

impl Default for CallbackSettings {
    fn default() -> Self {
        CallbackSettings {
            retry_base: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            allow_private: false,
            concurrency: 64,
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// The retry schedule, all in multiples of the base delay.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    base: Duration,
}

const CAP_FACTOR: u32 = 720;
const WINDOW_FACTOR: u32 = 17_280;

impl Schedule {
    pub fn new(base: Duration) -> Self {
        Schedule { base }
    }

    /// The delay before attempt `made + 1`, after `made` failed attempts, without
    /// jitter.
    pub fn delay_after(&self, made: u32) -> Duration {
        let doubling = 2u32.saturating_pow(made.saturating_sub(1));
        self.base.saturating_mul(doubling.min(CAP_FACTOR))
    }

    /// How long after creation a delivery keeps being retried.
    pub fn window(&self) -> Duration {
        self.base.saturating_mul(WINDOW_FACTOR)
    }

    /// When to try again, with ±20% jitter so that deliveries failing together
    /// do not retry in lockstep; `None` when retries are over.
    pub fn next_attempt(&self, made: u32, created: Timestamp, now: Timestamp) -> Option<Timestamp> {
        let jitter = rand::rng().random_range(0.8..1.2);
        let delay = self.delay_after(made).mul_f64(jitter);
        let next = now.plus_micros(delay.as_micros() as i64);
        let deadline = created.plus_micros(self.window().as_micros() as i64);
        (next <= deadline).then_some(next)
    }
}

/// The most attempts recorded in one transaction.
const RECORD_BATCH: usize = 256;

/// The most of an answer to a TwiML request that is read: Twilio's limit for a
/// TwiML document (a longer one is error 11750).
pub const ANSWER_LIMIT: usize = 64 * 1024;

/// What a receiver answered a request for TwiML.
#[derive(Debug, Clone)]
pub struct Answer {
    pub content_type: Option<String>,
    /// At most [`ANSWER_LIMIT`] bytes.
    pub body: Vec<u8>,
    /// The body went on past the limit.
    pub too_large: bool,
}

/// An attempt made, waiting to be recorded.
pub(crate) struct Finished {
    pub delivery: DeliveryRecord,
    pub made: i64,
    pub at: Timestamp,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub state: &'static str,
    pub next: Timestamp,
    pub completed_at: Timestamp,
    /// Whether it asked for TwiML (its answer is followed once it is done).
    pub asks_for_twiml: bool,
    /// For a request for TwiML (and, in sandbox mode, for every request:
    /// a sandbox's recorded webhooks show it), what came back.
    pub answer: Option<Answer>,
    /// The `X-Twilio-Signature` sent, if a request was made.
    pub signature: Option<String>,
    /// What else came back, for the console's delivery page.
    pub received: Received,
}

/// An answer's headers and, for a webhook whose answer is not read as
/// [`Answer`], the start of its body.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// `Name: value` lines, at most [`HEADERS_LIMIT`] bytes.
    pub headers: Option<String>,
    /// The first [`START_LIMIT`] bytes of the body.
    pub start: Option<String>,
}

/// How much of an answer's headers is kept.
pub const HEADERS_LIMIT: usize = 2 * 1024;
/// How much of the body of an answer that is only acknowledged is kept.
pub const START_LIMIT: usize = 1024;

fn header_lines(headers: &reqwest::header::HeaderMap) -> String {
    let mut lines = String::new();
    for (name, value) in headers {
        let line = format!(
            "{}: {}\n",
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes())
        );
        if lines.len() + line.len() > HEADERS_LIMIT {
            break;
        }
        lines.push_str(&line);
    }
    lines
}

/// The first [`START_LIMIT`] bytes of an answer that is otherwise ignored.
async fn read_start(mut response: reqwest::Response) -> Option<String> {
    let mut body = Vec::new();
    while body.len() < START_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = START_LIMIT - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            _ => break,
        }
    }
    Some(String::from_utf8_lossy(&body).into_owned())
}

/// What one attempt came to.
enum Sent {
    Answered(u16, Option<Answer>),
    Refused(String),
    Failed(String, FailureKind),
}

/// Reads an answer's body up to [`ANSWER_LIMIT`], and no further.
async fn read_answer(mut response: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = response.chunk().await? {
        let room = ANSWER_LIMIT - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            too_large = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        content_type,
        body,
        too_large,
    })
}

fn failure_of(e: &reqwest::Error) -> FailureKind {
    if e.is_connect() {
        FailureKind::Connect
    } else if e.is_timeout() {
        FailureKind::Timeout
    } else {
        FailureKind::Other
    }
}

/// The `User-Agent` of every webhook request.
pub const USER_AGENT: &str = concat!(
    "Switchboard/",
    env!("CARGO_PKG_VERSION"),
    " (TwilioProxy/1.1)"
);

pub(crate) fn client(settings: &CallbackSettings) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        // A redirect could lead anywhere (including a private address given as a
        // literal); Twilio's callbacks are answered where they are sent.
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: settings.allow_private,
        }))
        .user_agent(USER_AGENT)
        .build()
        .expect("the HTTP client builds")
}

/// The URL actually requested (`url` without its connection overrides): for
/// GET the parameters join the query string.
pub fn request_url(
    url: &str,
    method: &str,
    params: &[(String, String)],
) -> Result<url::Url, String> {
    let mut url = url::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
    if method == "GET" && !params.is_empty() {
        let mut query = url.query_pairs_mut();
        for (k, v) in params {
            query.append_pair(k, v);
        }
    }
    Ok(url)
}

impl Switchboard {
    async fn send_once(
        &self,
        http: &reqwest::Client,
        d: &DeliveryRecord,
        overrides: &Overrides,
        bare_url: &str,
        reads_answer: bool,
        (signature_sent, received): (&mut Option<String>, &mut Received),
    ) -> Sent {
        let params = decode_params(&d.params);
        let url = match request_url(bare_url, &d.method, &params) {
            Ok(u) => u,
            Err(e) => return Sent::Refused(e),
        };
        if let Err(refused) = check_literal(&url, self.settings().callbacks.allow_private) {
            return Sent::Refused(refused.to_string());
        }
        // Signed with the signing account's token as it is now: a rotated token
        // signs the next attempt.
        let token = match self.account_record(&d.signing_account_sid).await {
            Ok(account) => match self.reveal_token(&account) {
                Ok(t) => t,
                Err(e) => return Sent::Failed(e.to_string(), FailureKind::Other),
            },
            Err(e) => {
                return Sent::Failed(
                    format!("signing account unavailable: {e}"),
                    FailureKind::Other,
                );
            }
        };
        let signed_params: &[(String, String)] = if d.method == "GET" { &[] } else { &params };
        let signature = twilio_signature(&token, url.as_str(), signed_params);
        *signature_sent = Some(signature.clone());
        let request = if d.method == "GET" {
            http.get(url)
        } else {
            http.post(url).form(&params)
        };
        let timeout = overrides.attempt_timeout(self.settings().callbacks.timeout);
        let result = request
            .timeout(timeout)
            .header("X-Twilio-Signature", signature)
            .header("I-Twilio-Idempotency-Token", &d.idempotency_token)
            .send()
            .await;
        let failed = |e: reqwest::Error| match refusal_in(&e) {
            Some(refusal) => Sent::Refused(refusal),
            None if e.is_timeout() => {
                Sent::Failed(format!("timed out after {timeout:?}"), FailureKind::Timeout)
            }
            None => Sent::Failed(describe(&e), failure_of(&e)),
        };
        if let Ok(response) = &result {
            received.headers = Some(header_lines(response.headers()));
        }
        match result {
            Ok(response) if reads_answer => {
                let status = response.status().as_u16();
                match read_answer(response).await {
                    Ok(answer) => Sent::Answered(status, Some(answer)),
                    Err(e) => failed(e),
                }
            }
            Ok(response) => {
                let status = response.status().as_u16();
                received.start = read_start(response).await;
                Sent::Answered(status, None)
            }
            Err(e) => failed(e),
        }
    }

    /// Sends one claimed delivery and works out what happened; recording it is
    /// left to [`Switchboard::record_finished`], which commits many at once.
    /// Its dates are in its world's time, `offset` ahead of real time.
    async fn attempt(&self, http: &reqwest::Client, d: DeliveryRecord, offset: i64) -> Finished {
        let made = d.attempts + 1;
        let at = Timestamp::now().plus_micros(offset);
        let started = Instant::now();
        let (bare_url, overrides) = Overrides::split(&d.url);
        let asks_for_twiml = WebhookKind::parse(&d.kind).is_some_and(WebhookKind::asks_for_twiml);
        let mut signature = None;
        let mut received = Received::default();
        let reads_answer = asks_for_twiml || self.settings().sandbox;
        let sent = self
            .send_once(
                http,
                &d,
                &overrides,
                bare_url,
                reads_answer,
                (&mut signature, &mut received),
            )
            .await;
        let latency_ms = started.elapsed().as_millis() as i64;
        let now = Timestamp::now().plus_micros(offset);
        self.count_attempt(match &sent {
            Sent::Answered(code, _) if (200..300).contains(code) => AttemptOutcome::Delivered,
            Sent::Refused(_) => AttemptOutcome::Refused,
            Sent::Answered(..) | Sent::Failed(..) => AttemptOutcome::Failed,
        });
        // A request for TwiML is part of a conversation: Twilio retries it at
        // once, as its overrides say, then turns to the fallback URL. Other
        // webhooks are retried with back-off for a day.
        let schedule = Schedule::new(self.settings().callbacks.retry_base);
        let retry = |failure: FailureKind| -> (&'static str, Timestamp) {
            let next = if asks_for_twiml {
                overrides.retries_after(made as u32, failure).then_some(now)
            } else {
                schedule.next_attempt(made as u32, d.created_at, now)
            };
            match next {
                Some(next) => ("pending", next),
                None => ("failed", now),
            }
        };
        let (status_code, error, state, next, answer) = match sent {
            Sent::Answered(code, answer) if (200..300).contains(&code) => {
                (Some(i64::from(code)), None, "delivered", now, answer)
            }
            Sent::Answered(code, answer) => {
                let failure = if (400..500).contains(&code) {
                    FailureKind::ClientError
                } else {
                    FailureKind::ServerError
                };
                let (state, next) = retry(failure);
                (
                    Some(i64::from(code)),
                    Some(format!("HTTP {code}")),
                    state,
                    next,
                    answer,
                )
            }
            Sent::Refused(why) => (None, Some(why), "refused", now, None),
            Sent::Failed(why, failure) => {
                let (state, next) = retry(failure);
                (None, Some(why), state, next, None)
            }
        };
        Finished {
            delivery: d,
            made,
            at,
            status_code,
            latency_ms,
            error,
            state,
            next,
            completed_at: now,
            asks_for_twiml,
            answer,
            signature,
            received,
        }
    }

    /// Records finished attempts, as many per transaction as have finished since
    /// the last commit. One commit per attempt made the delivery worker take
    /// SQLite's single writer twice per callback (claim, record), which starved
    /// the revocations that enqueue them (docs/benchmarks.md, finding 5).
    ///
    /// An attempt's permit is held until it is recorded, so the claims that follow
    /// a commit take the freed places together, and what waits here stays bounded.
    async fn record_finished(
        self,
        mut finished: mpsc::UnboundedReceiver<(Finished, OwnedSemaphorePermit)>,
    ) {
        let mut batch = Vec::new();
        while finished.recv_many(&mut batch, RECORD_BATCH).await > 0 {
            let all: Vec<&Finished> = batch.iter().map(|(f, _)| f).collect();
            // One transaction: given up for another (a document's answer
            // claims a call the engine may be stepping), it runs again.
            if let Err(e) = self.retrying(|| self.record(&all)).await {
                // Something in the batch could not be written: record them one by
                // one, so one bad row does not cost the others theirs.
                tracing::warn!(error = %e, attempts = all.len(), "recording delivery attempts together failed; one by one");
                for f in &all {
                    let one = [*f];
                    if let Err(e) = self.retrying(|| self.record(&one)).await {
                        // The lease runs out and another attempt follows: at least once.
                        tracing::error!(delivery = %f.delivery.sid, error = %e, "recording a delivery attempt failed");
                    }
                }
            }
            let retry = all.iter().any(|f| f.state == "pending");
            batch.clear();
            if retry {
                self.wake_deliveries();
            }
        }
    }

    async fn record(&self, finished: &[&Finished]) -> crate::error::DomainResult<()> {
        let mut tx = self.store().begin().await?;
        let mut followed = false;
        for f in finished {
            let response_body = f
                .answer
                .as_ref()
                .map(|a| String::from_utf8_lossy(&a.body).into_owned());
            let attempt = Attempt {
                delivery: &f.delivery.sid,
                number: f.made,
                at: f.at,
                url: &f.delivery.url,
                status_code: f.status_code,
                latency_ms: Some(f.latency_ms),
                error: f.error.as_deref(),
                response_content_type: f.answer.as_ref().and_then(|a| a.content_type.as_deref()),
                response_body: response_body.as_deref(),
                signature: f.signature.as_deref(),
                response_headers: f.received.headers.as_deref(),
                response_start: f.received.start.as_deref(),
            };
            let outcome = Outcome {
                sid: &f.delivery.sid,
                state: f.state,
                attempts: f.made,
                next_attempt_at: f.next,
                completed_at: (f.state != "pending").then_some(f.completed_at),
                last_status: f.status_code,
                last_error: f.error.as_deref(),
            };
            tx.run(deliveries::insert_attempt(&attempt)).await?;
            tx.run(deliveries::record_outcome(&outcome)).await?;
            if f.state != "pending" && f.asks_for_twiml {
                self.follow_answer(&mut tx, f).await?;
                followed = true;
            }
        }
        tx.commit().await?;
        if followed {
            // Replies to simulate, documents to fetch.
            self.wake_simulator();
            self.wake_deliveries();
        }
        for f in finished {
            tracing::debug!(delivery = %f.delivery.sid, attempt = f.made, state = f.state, "delivery attempt");
        }
        Ok(())
    }

    /// Claims up to `limit` due deliveries, each with its world's clock
    /// offset; due in each world's time once a sandbox's clock ran ahead.
    async fn claim_due(
        &self,
        lease: Duration,
        limit: i64,
    ) -> crate::error::DomainResult<Vec<(DeliveryRecord, i64)>> {
        let now = Timestamp::now();
        let lease_until = now.plus_micros(lease.as_micros() as i64);
        let backend = self.store().backend();
        let furthest = self.furthest_clock().await?;
        Ok(if furthest == 0 {
            let claim = deliveries::claim_due(backend, now, lease_until, limit);
            let claimed = self.store().write_all(claim).await?;
            claimed.into_iter().map(|d| (d, 0)).collect()
        } else {
            let horizon = now.plus_micros(furthest);
            let claim = deliveries::claim_due_in_worlds(backend, now, horizon, lease_until, limit);
            self.store().write_all(claim).await?
        })
    }

    /// Sends and records, one after the other, every delivery of `world`
    /// due by its clock (`offset` ahead of real time): a sandbox's clock
    /// moving on. Returns how many were attempted.
    pub(crate) async fn deliver_due_in_world(
        &self,
        http: &reqwest::Client,
        world: &switchboard_types::SandboxSid,
        offset: i64,
    ) -> crate::error::DomainResult<usize> {
        let settings = &self.settings().callbacks;
        let lease = settings.timeout.saturating_mul(2) + Duration::from_secs(5);
        let now = Timestamp::now();
        let claim = deliveries::claim_due_in_world(
            self.store().backend(),
            world,
            now.plus_micros(offset),
            now,
            now.plus_micros(lease.as_micros() as i64),
            settings.concurrency as i64,
        );
        let claimed = self.store().write_all(claim).await?;
        let attempts = claimed.len();
        let mut running = tokio::task::JoinSet::new();
        for d in claimed {
            let sb = self.clone();
            let http = http.clone();
            running.spawn(async move { sb.attempt(&http, d, offset).await });
        }
        let mut finished = Vec::with_capacity(attempts);
        while let Some(done) = running.join_next().await {
            match done {
                Ok(f) => finished.push(f),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // Cancelled: only when the runtime shuts down.
                Err(_) => {}
            }
        }
        let all: Vec<&Finished> = finished.iter().collect();
        if !all.is_empty() {
            self.record(&all).await?;
        }
        Ok(attempts)
    }

    /// Runs this node's delivery loop until `stop` resolves.
    pub async fn run_deliveries(self, stop: impl std::future::Future<Output = ()>) {
        let _running = self.running(crate::health::Worker::Deliveries);
        let settings = self.settings().callbacks.clone();
        let http = client(&settings);
        let permits = Arc::new(Semaphore::new(settings.concurrency));
        let (finished, to_record) = mpsc::unbounded_channel();
        tokio::spawn(self.clone().record_finished(to_record));
        // A lease outlives any attempt, so a delivery is only reclaimed from a
        // worker that is gone.
        let lease = settings.timeout.saturating_mul(2) + Duration::from_secs(5);
        if self.store().backend() == Backend::Sqlite {
            // One process delivers from a SQLite file: whatever an earlier one
            // had claimed before a crash is free again. Only that: a lease
            // taken by this process (a sandbox's clock advancing, say, before
            // this loop got going) ends after `opened + lease`; releasing it
            // too sent its webhook twice.
            let before = self.opened().plus_micros(lease.as_micros() as i64);
            let released = self
                .store()
                .run(deliveries::release_leases_ending_before(before))
                .await;
            if let Err(e) = released {
                tracing::error!(error = %e, "releasing delivery leases failed");
            }
        }
        tokio::pin!(stop);
        loop {
            let free = permits.available_permits();
            let mut claimed_all = false;
            if free > 0 {
                match self.claim_due(lease, free as i64).await {
                    Ok(batch) => {
                        claimed_all = batch.len() == free;
                        for d in batch {
                            let Ok(permit) = permits.clone().acquire_owned().await else {
                                return;
                            };
                            let sb = self.clone();
                            let http = http.clone();
                            let finished = finished.clone();
                            tokio::spawn(async move {
                                let (d, offset) = d;
                                let result = sb.attempt(&http, d, offset).await;
                                // Only fails once the recorder is gone, at shutdown:
                                // the lease then brings the delivery back.
                                let _ = finished.send((result, permit));
                            });
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "claiming deliveries failed"),
                }
            }
            if claimed_all {
                // More may be due; go again once a permit frees up.
                tokio::select! {
                    () = &mut stop => return,
                    _ = permits.clone().acquire_owned() => continue,
                }
            }
            let wait = match self.store().opt(deliveries::next_due()).await {
                Ok(Some(Some(due))) => {
                    let until =
                        Duration::from_micros((due - Timestamp::now().micros()).max(0) as u64);
                    until.min(settings.poll_interval)
                }
                _ => settings.poll_interval,
            };
            tokio::select! {
                () = &mut stop => return,
                () = self.delivery_signal().notified() => {}
                () = tokio::time::sleep(wait.max(Duration::from_millis(1))) => {}
            }
        }
    }
}

/// An HTTP client error with every cause, for people (delivery attempts,
/// media fetches).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_doubles_from_five_seconds_to_an_hour_for_a_day() {
        let s = Schedule::new(Duration::from_secs(5));
        assert_eq!(s.delay_after(1), Duration::from_secs(5));
        assert_eq!(s.delay_after(2), Duration::from_secs(10));
        assert_eq!(s.delay_after(3), Duration::from_secs(20));
        assert_eq!(s.delay_after(10), Duration::from_secs(2560));
        assert_eq!(s.delay_after(11), Duration::from_secs(3600));
        assert_eq!(s.delay_after(40), Duration::from_secs(3600));
        assert_eq!(s.window(), Duration::from_secs(24 * 3600));
        let created = Timestamp::from_seconds(1_000_000);
        assert!(
            s.next_attempt(3, created, created.plus_micros(3_600_000_000))
                .is_some()
        );
        assert!(
            s.next_attempt(30, created, created.plus_micros(24 * 3_600_000_000))
                .is_none()
        );
    }

    #[test]
    fn jitter_stays_within_a_fifth() {
        let s = Schedule::new(Duration::from_secs(5));
        let now = Timestamp::from_seconds(1_000_000);
        for _ in 0..200 {
            let next = s.next_attempt(1, now, now).unwrap();
            let delay = next.micros() - now.micros();
            assert!((4_000_000..=6_000_000).contains(&delay), "{delay}");
        }
    }
}
