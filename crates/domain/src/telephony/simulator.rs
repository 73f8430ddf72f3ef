//! Plays out calls and messages: each is planned when created, and this loop
//! moves it through Twilio's statuses when each step falls due, posting the
//! status callbacks it subscribed to and charging what it cost.
//!
//! Every step is one transaction (the new status, its callbacks in the outbox,
//! its charge), guarded by the status it was read in, so a crash loses nothing
//! and two nodes never play the same step twice.

use std::time::Duration;

use switchboard_store::Tx;
use switchboard_store::accounts;
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::media;
use switchboard_store::messages::{self, MessageRecord};
use switchboard_store::phone_numbers::{self, PhoneNumberRecord};
use switchboard_store::recordings::{self, RecordingRecord};
use switchboard_telephony::outcome::MessageEnd;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, CallDirection, CallEvent, CallStage, CallStatus, HookMethod, MessageStatus,
    RecordingSid, RecordingSource, RecordingStatus, SandboxSid, Timestamp, UsageCategory,
};

use super::billing::{self, Cost};
use super::media::{MediaItem, SentMedia};
use super::{SimSpeed, TelephonySettings};
use crate::Switchboard;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{DomainError, DomainResult};
use crate::telephony::voice::QueueResult;

/// Simulated seconds a call waits in the queue before it rings.
pub const QUEUE_SECS: i64 = 1;
/// Simulated seconds between a message's steps (queued → sending → sent).
pub const MESSAGE_STEP_SECS: i64 = 1;
/// Simulated seconds from sent to the carrier's final word.
pub const DELIVERY_SECS: i64 = 2;
/// Rows taken per round; more are taken at once when a round is full.
const BATCH: i64 = 200;
/// Call or message steps played at once (see `step_concurrently`).
const CONCURRENT_STEPS: usize = 32;
/// How often an idle simulator looks for work committed on other nodes.
const POLL: Duration = Duration::from_secs(1);

/// Simulated seconds between two instants.
pub fn elapsed_sim_secs(speed: SimSpeed, from: Timestamp, to: Timestamp) -> i64 {
    match speed {
        SimSpeed::Instant => i64::MAX,
        SimSpeed::Factor(f) => ((to.micros() - from.micros()).max(0) as f64 / 1e6 * f) as i64,
    }
}

/// What a simulator round found due, each with the now (its world's) it is
/// played at.
struct Due {
    calls: Vec<(CallRecord, Timestamp)>,
    messages: Vec<(MessageRecord, Timestamp)>,
    renewals: Vec<(PhoneNumberRecord, Timestamp)>,
}

/// Each of `rows`, to be played at `now`.
fn at<T>(rows: Vec<T>, now: Timestamp) -> Vec<(T, Timestamp)> {
    rows.into_iter().map(|r| (r, now)).collect()
}

/// Where a resource's status callbacks go and who signs them.
struct HookTarget<'a> {
    kind: WebhookKind,
    account: &'a AccountSid,
    signer: &'a AccountSid,
    resource_sid: &'a str,
    url: Option<&'a String>,
    method: HookMethod,
}

/// Sends a status callback if the resource asked for one: `true` when one was
/// written to the outbox.
async fn send_hook(
    tx: &mut Tx,
    target: HookTarget<'_>,
    params: Vec<(String, String)>,
    now: Timestamp,
) -> DomainResult<bool> {
    let Some(url) = target.url else {
        return Ok(false);
    };
    let hook = Webhook::notice(
        target.kind,
        (target.account.clone(), target.signer.clone()),
        Some(target.resource_sid.to_owned()),
        (target.method, url.clone()),
        params,
    );
    delivery::enqueue(tx, &hook, now).await?;
    Ok(true)
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// Posts the call's status callback for `event` if it subscribed to it.
pub(crate) async fn call_event(
    tx: &mut Tx,
    call: &CallRecord,
    event: CallEvent,
    now: Timestamp,
) -> DomainResult<bool> {
    call_event_with(tx, call, event, now, &[]).await
}

/// [`call_event`] with `extra` parameters (a forced ending's `ErrorCode`).
pub(crate) async fn call_event_with(
    tx: &mut Tx,
    call: &CallRecord,
    event: CallEvent,
    now: Timestamp,
    extra: &[(&str, String)],
) -> DomainResult<bool> {
    if !call.status_callback_events.contains(event) {
        return Ok(false);
    }
    // A call placed is `queued`, but Twilio reports the event as `initiated`.
    let status = if event == CallEvent::Initiated {
        event.as_str()
    } else {
        call.status.as_str()
    };
    let mut params = vec![
        ("AccountSid", call.account_sid.to_string()),
        ("ApiVersion", "2010-04-01".to_owned()),
        ("CallSid", call.sid.to_string()),
        ("CallStatus", status.to_owned()),
        ("Called", call.to_number.clone()),
        ("Caller", call.from_number.clone()),
        ("CallbackSource", "call-progress-events".to_owned()),
        ("Direction", call.direction.as_str().to_owned()),
        ("From", call.from_number.clone()),
        ("SequenceNumber", event.sequence_number().to_string()),
        ("Timestamp", now.rfc2822()),
        ("To", call.to_number.clone()),
    ];
    if event == CallEvent::Completed {
        let duration = call.duration.unwrap_or(0);
        params.push(("CallDuration", duration.to_string()));
        params.push(("Duration", ((duration + 59) / 60).to_string()));
    }
    params.extend(extra.iter().cloned());
    let target = HookTarget {
        kind: WebhookKind::CallStatus,
        account: &call.account_sid,
        signer: &call.callback_signer_sid,
        resource_sid: call.sid.as_str(),
        url: call.status_callback.as_ref(),
        method: call.status_callback_method,
    };
    send_hook(tx, target, pairs(&params), now).await
}

/// Posts a message's status callback, if it gave a URL.
pub(crate) async fn message_event(
    tx: &mut Tx,
    m: &MessageRecord,
    now: Timestamp,
) -> DomainResult<bool> {
    let mut params = vec![
        ("AccountSid", m.account_sid.to_string()),
        ("ApiVersion", "2010-04-01".to_owned()),
        ("From", m.from_number.clone()),
        ("MessageSid", m.sid.to_string()),
        ("MessageStatus", m.status.as_str().to_owned()),
        ("SmsSid", m.sid.to_string()),
        ("SmsStatus", m.status.as_str().to_owned()),
        ("To", m.to_number.clone()),
    ];
    if let Some(code) = m.error_code {
        params.push(("ErrorCode", code.to_string()));
    }
    if let Some(service) = &m.messaging_service_sid {
        params.push(("MessagingServiceSid", service.to_string()));
    }
    let target = HookTarget {
        kind: WebhookKind::MessageStatus,
        account: &m.account_sid,
        signer: &m.callback_signer_sid,
        resource_sid: m.sid.as_str(),
        url: m.status_callback.as_ref(),
        method: HookMethod::Post,
    };
    send_hook(tx, target, pairs(&params), now).await
}

/// The main account a resource's charges roll up to.
pub(crate) async fn main_of(tx: &mut Tx, account: &AccountSid) -> DomainResult<AccountSid> {
    Ok(tx
        .opt(accounts::by_sid(account))
        .await?
        .ok_or(DomainError::NotFound)?
        .owner_account_sid)
}

impl Switchboard {
    /// Ends a call (in memory): status, end time, talk time and price.
    pub(crate) fn end_call(
        &self,
        call: &mut CallRecord,
        status: CallStatus,
        now: Timestamp,
        talked: i64,
    ) {
        call.status = status;
        call.end_time = Some(now);
        call.start_time = call.start_time.or(Some(now));
        call.duration = Some(talked);
        call.next_transition_at = None;
        call.date_updated = now;
        let prices = &self.settings().telephony.prices;
        let secs = u32::try_from(talked).unwrap_or(u32::MAX);
        // A received call is priced at the receiving number's rate.
        let price = match PhoneNumber::parse(&call.to_number) {
            // Verifying a caller ID is free, as at Twilio.
            _ if super::caller_ids::is_verification_call(call) => 0,
            Ok(at) if talked > 0 && call.direction == CallDirection::Inbound => {
                prices.inbound_call(&at, secs).micros()
            }
            Ok(to) if talked > 0 => prices.call(&to, secs).micros(),
            _ => 0,
        };
        call.price_micros = Some(price);
    }

    /// What follows a call's end, in its transaction: the charge, the
    /// recording, the `completed` callback. `true` when a callback was queued.
    pub(crate) async fn finish_call(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        self.finish_call_with(tx, call, now, &[]).await
    }

    /// [`Self::finish_call`] with `extra` parameters on the `completed`
    /// callback.
    pub(crate) async fn finish_call_with(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        now: Timestamp,
        extra: &[(&str, String)],
    ) -> DomainResult<bool> {
        if super::caller_ids::is_verification_call(call) {
            // Free, unrecorded, with no callback of its own: its end
            // decides a caller ID's validation.
            return self.verification_ended(tx, call, now).await;
        }
        // A call in a conference leaves it (which may end it).
        let left = Box::pin(self.leave_conference(tx, &call.sid, super::voice::Leaving::Left, now))
            .await?;
        let duration = call.duration.unwrap_or(0);
        let minutes = (duration + 59) / 60;
        if call.status == CallStatus::Completed {
            let main = main_of(tx, &call.account_sid).await?;
            billing::charge(
                tx,
                &call.account_sid,
                &main,
                Cost {
                    category: if call.direction == CallDirection::Inbound {
                        UsageCategory::CallsInbound
                    } else {
                        UsageCategory::CallsOutbound
                    },
                    count: 1,
                    usage: minutes,
                    price_micros: call.price_micros.unwrap_or(0),
                },
                now,
            )
            .await?;
            if call.record && duration > 0 {
                let recording = RecordingRecord {
                    sid: RecordingSid::generate(),
                    account_sid: call.account_sid.clone(),
                    call_sid: call.sid.clone(),
                    duration,
                    status: RecordingStatus::Completed,
                    start_time: call.start_time.unwrap_or(now),
                    date_created: now,
                    date_updated: now,
                    source: RecordingSource::OutboundApi,
                    channels: 1,
                    track: switchboard_types::RecordingTrack::Both,
                    live: recordings::Live::default(),
                };
                tx.run(recordings::insert(&recording)).await?;
                billing::charge(
                    tx,
                    &call.account_sid,
                    &main,
                    Cost {
                        category: UsageCategory::Recordings,
                        count: 1,
                        usage: minutes,
                        price_micros: 0,
                    },
                    now,
                )
                .await?;
            }
        }
        // Recordings started through the API end with the call.
        let mut hooked = self.end_live_recordings(tx, call, now).await?;
        // So do its real-time transcriptions.
        hooked |= self.end_realtime_transcriptions(tx, call, now).await?;
        hooked |= call_event_with(tx, call, CallEvent::Completed, now, extra).await?;
        // A call waiting in a queue leaves it; a queue bridge's other side
        // goes on (voice/queue.rs).
        let queued = Box::pin(self.queue_call_left(tx, call, QueueResult::Hangup, now)).await?;
        // The other side of a call between numbers here hangs up too.
        Ok(self.peer_ended(tx, call, now).await? | hooked | queued | left)
    }

    /// Moves one call a step on at `now`, its world's time. `true` when a
    /// callback was queued.
    async fn step_call(&self, call: CallRecord, now: Timestamp) -> DomainResult<bool> {
        let speed = self.settings().telephony.speed;
        let ringing = call.status.stage() == CallStage::Ringing;
        if ringing && call.peer_call_sid.is_some() && call.direction != CallDirection::Inbound {
            // It rang a number here, whose answer made it due.
            return self.step_ringing_caller(call, now).await;
        }
        if ringing
            && call.direction == CallDirection::OutboundDial
            && call.end_status == CallStatus::Completed
            && !self.dial_race(&call, now).await?
        {
            return Ok(true);
        }
        if let Some(voice) = self.document_of(&call).await? {
            return self.step_voice(call, voice, now).await;
        }
        let mut next = call.clone();
        next.date_updated = now;
        let event = match call.status.stage() {
            CallStage::Queued if call.end_status == CallStatus::Failed => {
                self.end_call(&mut next, CallStatus::Failed, now, 0);
                None
            }
            CallStage::Queued => {
                next.status = CallStatus::Ringing;
                next.start_time = Some(now);
                next.next_transition_at = Some(speed.due_after(now, call.ring_secs));
                Some(CallEvent::Ringing)
            }
            CallStage::Ringing if call.end_status == CallStatus::Completed => {
                next.status = CallStatus::InProgress;
                next.next_transition_at = Some(speed.due_after(now, call.talk_secs));
                Some(CallEvent::Answered)
            }
            CallStage::Ringing => {
                self.end_call(&mut next, call.end_status, now, 0);
                None
            }
            CallStage::InProgress => {
                self.end_call(&mut next, CallStatus::Completed, now, call.talk_secs);
                None
            }
            CallStage::Ended => {
                next.next_transition_at = None;
                None
            }
        };
        let mut tx = self.store().begin().await?;
        let mut hooked = false;
        if event == Some(CallEvent::Answered) {
            hooked |= super::amd::detect(&mut tx, &mut next, now).await?.hooked;
        }
        // A verification call is answered by the simulated person who
        // enters the code, even at a number of this Switchboard.
        if event == Some(CallEvent::Ringing) && !super::caller_ids::is_verification_call(&next) {
            self.ring_here(&mut tx, &mut next).await?;
        }
        if tx.run(calls::advance(&next, call.status)).await? == 0 {
            return Ok(false);
        }
        if let Some(event) = event {
            hooked |= call_event(&mut tx, &next, event, now).await?;
        }
        if event == Some(CallEvent::Answered) && next.direction == CallDirection::Inbound {
            self.answer_peer(&mut tx, &next, now).await?;
        }
        if next.status.is_final() && !call.status.is_final() {
            hooked |= self.finish_call(&mut tx, &next, now).await?;
            hooked |= self.dial_leg_ended(&mut tx, &next).await?;
        }
        tx.commit().await?;
        Ok(hooked)
    }

    /// A message leaves for the carrier (in memory): see [`mark_sent`].
    pub(crate) fn mark_sent(&self, m: &mut MessageRecord, now: Timestamp) -> i64 {
        mark_sent(&self.settings().telephony, m, now)
    }

    /// Moves one message a step on at `now`, its world's time. `true` when a
    /// callback was queued.
    async fn step_message(&self, m: MessageRecord, now: Timestamp) -> DomainResult<bool> {
        if self.brings_media_here(&m).await? {
            return self.copy_media_then_deliver(m, now).await;
        }
        self.play_message_step(m, None, now).await
    }

    /// Whether `m`'s next step delivers media to a number of this
    /// Switchboard, which then needs its own copy of them first.
    async fn brings_media_here(&self, m: &MessageRecord) -> DomainResult<bool> {
        if m.status != MessageStatus::Sent
            || m.end_status != MessageStatus::Delivered
            || m.media_urls.trim().is_empty()
        {
            return Ok(false);
        }
        Ok(self
            .store()
            .opt(phone_numbers::in_world_of(&m.account_sid, &m.to_number))
            .await?
            .is_some())
    }

    /// Delivers a message with media to a number here once the receiving
    /// side has its copy of them. Fetching may take the callback timeout for
    /// each item, so it is not done in the simulator's round (which would
    /// hold up every other message) nor in a transaction: the step is put
    /// off for as long as the fetching may take (so that no round takes it
    /// again meanwhile, and one does if this node stops), and played by a
    /// task of its own when the copies are made.
    async fn copy_media_then_deliver(
        &self,
        m: MessageRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let items = m.media_urls.lines().filter(|l| !l.is_empty()).count() as i64;
        let per_item =
            i64::try_from(self.settings().callbacks.timeout.as_micros()).unwrap_or(i64::MAX / 64);
        let mut held = m.clone();
        held.next_transition_at = Some(now.plus_micros(per_item.saturating_mul(items + 1)));
        if self.store().run(messages::advance(&held, m.status)).await? == 0 {
            return Ok(false);
        }
        let sb = self.clone();
        let started = std::time::Instant::now();
        tokio::spawn(async move {
            let sid = m.sid.clone();
            let played = match sb.copy_sent_media(&m).await {
                Ok(media) => {
                    // The world's clock ran on while the copies were made.
                    let now = now.plus_micros(started.elapsed().as_micros() as i64);
                    sb.play_message_step(m, Some(media), now).await
                }
                Err(e) => Err(e),
            };
            match played {
                Ok(true) => sb.wake_deliveries(),
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(message = %sid, error = %e, "delivering a message with media failed");
                }
            }
        });
        Ok(false)
    }

    /// Plays one message's step, and the steps after it that are already
    /// due (on the instant clock, all of them), in one transaction: each
    /// step's status callback and charge as if played alone, one COMMIT
    /// (docs/benchmarks.md, finding 18). A message that brings media to a
    /// number here stops at `sent`, where its copies are made first. With
    /// `media`, the receiving side's copy of them for its delivery here.
    async fn play_message_step(
        &self,
        m: MessageRecord,
        mut media: Option<SentMedia>,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let steps = message_steps(&self.settings().telephony, &m, now);
        let Some((last, _)) = steps.last() else {
            return Ok(false);
        };
        let mut tx = self.store().begin().await?;
        if tx.run(messages::advance(last, m.status)).await? == 0 {
            return Ok(false);
        }
        let mut hooked = false;
        let mut from = m.status;
        for (next, charge) in &steps {
            let at = next.date_updated;
            if let Some(price) = charge {
                charge_message(&mut tx, &m, *price, at).await?;
            }
            if next.status != MessageStatus::Sending {
                hooked |= message_event(&mut tx, next, at).await?;
            }
            if next.status == MessageStatus::Delivered && from != MessageStatus::Delivered {
                hooked |= self.deliver_here(&mut tx, next, media.take(), at).await?;
            }
            from = next.status;
        }
        tx.commit().await?;
        Ok(hooked)
    }

    /// A message delivered to a number of this Switchboard arrives there, in
    /// the transaction of its delivery. `true` when a webhook was queued.
    /// Its media are the receiving side's own copies (`media`, made before
    /// the transaction), or the URLs as sent when there are none.
    async fn deliver_here(
        &self,
        tx: &mut Tx,
        m: &MessageRecord,
        media: Option<SentMedia>,
        now: Timestamp,
    ) -> DomainResult<bool> {
        // Only in the sender's world: two sandboxes may hold the same number.
        let Some(number) = tx
            .opt(phone_numbers::in_world_of(&m.account_sid, &m.to_number))
            .await?
        else {
            return Ok(false);
        };
        let body = super::messages::MessageBody {
            text: m.body.clone(),
            media: m
                .media_urls
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        let SentMedia { items, fill, error } = media.unwrap_or_else(|| SentMedia {
            items: super::inbound::recorded(&body.media),
            fill: Vec::new(),
            error: None,
        });
        // Its keyword answer, if any, is a step the running round finds.
        let arrived = self
            .arrive(tx, &number, &m.from_number, (&body, &items), now)
            .await?;
        // The sent items are served from the same copies from now on.
        for (sid, i) in &fill {
            if let Some(MediaItem::Fetched(copy)) = items.get(*i) {
                tx.run(media::set_content(
                    sid,
                    &copy.content_type,
                    &copy.content,
                    now,
                ))
                .await?;
            }
        }
        if let Some(e) = error {
            super::inbound::media_failure(tx, &arrived, &e, now).await?;
        }
        Ok(true)
    }

    /// Charges a number's next month, once. The rent is a usage record of the
    /// account that holds the number, like its first month.
    async fn renew_number(&self, number: PhoneNumberRecord, now: Timestamp) -> DomainResult<()> {
        let speed = self.settings().telephony.speed;
        let next = speed.month_after(number.renews_at);
        let price = self
            .settings()
            .telephony
            .prices
            .number(number.number_type)
            .micros();
        let mut tx = self.store().begin().await?;
        if tx.run(phone_numbers::renew(&number, next)).await? == 0 {
            return Ok(());
        }
        let main = main_of(&mut tx, &number.account_sid).await?;
        billing::charge(
            &mut tx,
            &number.account_sid,
            &main,
            Cost {
                category: UsageCategory::PhoneNumbers,
                count: 1,
                usage: 1,
                price_micros: price,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Plays every step that is due, each in its world's time. Returns how
    /// many were taken.
    pub async fn simulate_due(&self) -> DomainResult<usize> {
        let now = Timestamp::now();
        let furthest = self.furthest_clock().await?;
        let ahead = |offset: i64| now.plus_micros(offset);
        let due = if furthest == 0 {
            // No world runs ahead: the plain queries, as without sandboxes.
            Due {
                calls: at(self.store().all(calls::due(now, BATCH)).await?, now),
                messages: at(self.store().all(messages::due(now, BATCH)).await?, now),
                renewals: at(
                    self.store()
                        .all(phone_numbers::due_renewals(now, BATCH))
                        .await?,
                    now,
                ),
            }
        } else {
            let horizon = ahead(furthest);
            Due {
                calls: self
                    .store()
                    .all(calls::due_in_worlds(now, horizon, BATCH))
                    .await?
                    .into_iter()
                    .map(|(c, o)| (c, ahead(o)))
                    .collect(),
                messages: self
                    .store()
                    .all(messages::due_in_worlds(now, horizon, BATCH))
                    .await?
                    .into_iter()
                    .map(|(m, o)| (m, ahead(o)))
                    .collect(),
                renewals: self
                    .store()
                    .all(phone_numbers::due_renewals_in_worlds(now, horizon, BATCH))
                    .await?
                    .into_iter()
                    .map(|(n, o)| (n, ahead(o)))
                    .collect(),
            }
        };
        self.play_due(due).await
    }

    /// Plays every step of `world` due by `world_now` (its time), at that
    /// time: a sandbox's clock moving on. Returns how many were taken.
    pub(crate) async fn simulate_due_in_world(
        &self,
        world: &SandboxSid,
        world_now: Timestamp,
    ) -> DomainResult<usize> {
        let store = self.store();
        let due = Due {
            calls: at(
                store
                    .all(calls::due_in_world(world, world_now, BATCH))
                    .await?,
                world_now,
            ),
            messages: at(
                store
                    .all(messages::due_in_world(world, world_now, BATCH))
                    .await?,
                world_now,
            ),
            renewals: at(
                store
                    .all(phone_numbers::due_renewals_in_world(
                        world, world_now, BATCH,
                    ))
                    .await?,
                world_now,
            ),
        };
        self.play_due(due).await
    }

    async fn play_due(&self, due: Due) -> DomainResult<usize> {
        let mut taken = due.calls.len() + due.messages.len();
        let mut hooked = self
            .step_concurrently(due.calls, |sb, (call, now)| async move {
                // A step is one transaction (guarded by what it read): one
                // given up for another runs again, reading afresh.
                sb.retrying(|| sb.step_call(call.clone(), now)).await
            })
            .await?;
        hooked |= self
            .step_concurrently(due.messages, |sb, (m, now)| async move {
                sb.step_message(m, now).await
            })
            .await?;
        for (number, now) in due.renewals {
            taken += 1;
            self.renew_number(number, now).await?;
        }
        if hooked {
            self.wake_deliveries();
        }
        Ok(taken)
    }

    /// Moves calls or messages a step on, up to [`CONCURRENT_STEPS`] at
    /// once: each step is still its own transaction, guarded by the state it
    /// was read in, but steps that overlap share one COMMIT
    /// (docs/benchmarks.md, findings 16 and 18). `true` when a callback was
    /// queued. An error ends the round once the steps under way are done.
    async fn step_concurrently<T, F, Fut>(&self, due: Vec<T>, step: F) -> DomainResult<bool>
    where
        F: Fn(Switchboard, T) -> Fut,
        Fut: std::future::Future<Output = DomainResult<bool>> + Send + 'static,
    {
        let mut running = tokio::task::JoinSet::new();
        let mut hooked = false;
        let mut failed = None;
        let mut settle = |done: Result<DomainResult<bool>, tokio::task::JoinError>| match done {
            Ok(Ok(h)) => hooked |= h,
            Ok(Err(e)) => failed = failed.take().or(Some(e)),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Cancelled: only when the runtime shuts down.
            Err(_) => {}
        };
        for item in due {
            if running.len() == CONCURRENT_STEPS
                && let Some(done) = running.join_next().await
            {
                settle(done);
            }
            running.spawn(step(self.clone(), item));
        }
        while let Some(done) = running.join_next().await {
            settle(done);
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(hooked),
        }
    }

    /// Tells this node's simulator that something new was placed or sent.
    pub fn wake_simulator(&self) {
        self.simulator_signal().notify_one();
    }

    /// Runs this node's simulator until `stop` resolves.
    pub async fn run_simulator(self, stop: impl std::future::Future<Output = ()>) {
        let _running = self.running(crate::health::Worker::Simulator);
        tokio::pin!(stop);
        loop {
            let taken = match self.simulate_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "simulating calls and messages failed");
                    0
                }
            };
            if taken > 0 {
                // Steps just taken may have made the next ones due at once.
                tokio::task::yield_now().await;
                continue;
            }
            let wait = match self.next_simulated_step().await {
                Ok(Some(due)) => {
                    let micros = (due - Timestamp::now().micros()).max(0) as u64;
                    Duration::from_micros(micros).min(POLL)
                }
                Ok(None) => POLL,
                Err(e) => {
                    tracing::error!(error = %e, "reading the simulator's schedule failed");
                    POLL
                }
            };
            tokio::select! {
                () = &mut stop => return,
                () = self.simulator_signal().notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn next_simulated_step(&self) -> DomainResult<Option<i64>> {
        let call = self.store().opt(calls::next_due()).await?.flatten();
        let message = self.store().opt(messages::next_due()).await?.flatten();
        let renewal = self
            .store()
            .opt(phone_numbers::next_renewal())
            .await?
            .flatten();
        Ok([call, message, renewal].into_iter().flatten().min())
    }
}

/// A message leaves for the carrier (in memory): its send date and price.
/// Returns the price, which the caller charges with [`charge_message`] in
/// the step's transaction.
fn mark_sent(telephony: &TelephonySettings, m: &mut MessageRecord, now: Timestamp) -> i64 {
    m.status = MessageStatus::Sent;
    m.date_sent = Some(now);
    // A price set in advance stands (Twilio's free keyword answers).
    let price = match PhoneNumber::parse(&m.to_number) {
        _ if m.price_micros.is_some() => m.price_micros.unwrap_or(0),
        Ok(to) => telephony
            .prices
            .message(&to, u32::try_from(m.num_segments).unwrap_or(1))
            .micros(),
        Err(_) => 0,
    };
    m.price_micros = Some(price);
    price
}

/// The step after `m`'s status at `now`: the message as it will be, and the
/// price to charge when the step sends it.
fn next_message_step(
    telephony: &TelephonySettings,
    m: &MessageRecord,
    now: Timestamp,
) -> (MessageRecord, Option<i64>) {
    let mut next = m.clone();
    next.date_updated = now;
    let mut charge = None;
    match m.status {
        MessageStatus::Queued if m.end_status == MessageStatus::Failed => {
            next.status = MessageStatus::Failed;
            next.next_transition_at = None;
            set_error(&mut next);
        }
        MessageStatus::Queued => {
            next.status = MessageStatus::Sending;
            next.next_transition_at = Some(telephony.speed.due_after(now, MESSAGE_STEP_SECS));
        }
        MessageStatus::Sending => {
            charge = Some(mark_sent(telephony, &mut next, now));
            next.next_transition_at = Some(telephony.speed.due_after(now, DELIVERY_SECS));
        }
        MessageStatus::Sent => {
            next.status = m.end_status;
            next.next_transition_at = None;
            set_error(&mut next);
        }
        _ => next.next_transition_at = None,
    }
    (next, charge)
}

/// `m`'s step at `now` and every step after it that falls due as soon as
/// the one before it is played (on the instant clock, all of them), each
/// with the price it charges. Each step is a microsecond after the one
/// before, so its status (`date_updated`) and its callbacks keep their
/// order. A message that brings media stops at `sent`: one delivered here
/// needs its copies made first (`copy_media_then_deliver`).
fn message_steps(
    telephony: &TelephonySettings,
    m: &MessageRecord,
    now: Timestamp,
) -> Vec<(MessageRecord, Option<i64>)> {
    let has_media = !m.media_urls.trim().is_empty();
    let mut steps = vec![next_message_step(telephony, m, now)];
    while let Some((last, _)) = steps.last() {
        let played_at = last.date_updated;
        let due = last.next_transition_at.is_some_and(|at| at <= played_at);
        if !due || (last.status == MessageStatus::Sent && has_media) {
            break;
        }
        let step = next_message_step(telephony, last, played_at.plus_micros(1));
        steps.push(step);
    }
    steps
}

/// Charges a message sent, in the transaction of its step.
pub(crate) async fn charge_message(
    tx: &mut Tx,
    m: &MessageRecord,
    price: i64,
    now: Timestamp,
) -> DomainResult<()> {
    let main = main_of(tx, &m.account_sid).await?;
    billing::charge(
        tx,
        &m.account_sid,
        &main,
        Cost {
            category: UsageCategory::SmsOutbound,
            count: 1,
            usage: m.num_segments,
            price_micros: price,
        },
        now,
    )
    .await?;
    Ok(())
}

fn set_error(m: &mut MessageRecord) {
    if let Some((code, message)) = MessageEnd::of(m.status).and_then(|e| e.error_code()) {
        m.error_code = Some(i64::from(code));
        m.error_message = Some(message.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use switchboard_types::{MessageDirection, MessageSid};

    use super::*;

    fn queued(end: MessageStatus, media: &str) -> MessageRecord {
        let now = Timestamp::now();
        MessageRecord {
            sid: MessageSid::generate(),
            account_sid: AccountSid::generate(),
            to_number: "+14155551212".to_owned(),
            from_number: "+15005550006".to_owned(),
            body: "hello".to_owned(),
            num_segments: 1,
            media_urls: media.to_owned(),
            status: MessageStatus::Queued,
            direction: MessageDirection::OutboundApi,
            status_callback: None,
            callback_signer_sid: AccountSid::generate(),
            end_status: end,
            next_transition_at: Some(now),
            error_code: None,
            error_message: None,
            date_sent: None,
            price_micros: None,
            date_created: now,
            date_updated: now,
            messaging_service_sid: None,
        }
    }

    fn statuses(steps: &[(MessageRecord, Option<i64>)]) -> Vec<MessageStatus> {
        steps.iter().map(|(m, _)| m.status).collect()
    }

    fn instant() -> TelephonySettings {
        TelephonySettings {
            speed: SimSpeed::Instant,
            ..TelephonySettings::default()
        }
    }

    #[test]
    fn on_the_instant_clock_every_step_is_played_at_once_and_charged_once() {
        let m = queued(MessageStatus::Delivered, "");
        let steps = message_steps(&instant(), &m, Timestamp::now());
        assert_eq!(
            statuses(&steps),
            [
                MessageStatus::Sending,
                MessageStatus::Sent,
                MessageStatus::Delivered
            ]
        );
        let charges: Vec<i64> = steps.iter().filter_map(|(_, c)| *c).collect();
        assert_eq!(charges.len(), 1, "charged when sent, once");
        let (last, _) = steps.last().unwrap();
        assert_eq!(last.next_transition_at, None);
        assert_eq!(last.price_micros, Some(charges[0]));
        let times: Vec<i64> = steps.iter().map(|(m, _)| m.date_updated.micros()).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "in order: {times:?}");
    }

    #[test]
    fn a_failing_message_fails_in_one_step() {
        let m = queued(MessageStatus::Failed, "");
        let steps = message_steps(&instant(), &m, Timestamp::now());
        assert_eq!(statuses(&steps), [MessageStatus::Failed]);
        assert!(steps[0].0.error_code.is_some());
    }

    #[test]
    fn a_message_with_media_stops_at_sent_for_its_copies() {
        let m = queued(MessageStatus::Delivered, "https://example.com/a.png");
        let steps = message_steps(&instant(), &m, Timestamp::now());
        assert_eq!(
            statuses(&steps),
            [MessageStatus::Sending, MessageStatus::Sent]
        );
        let (last, _) = steps.last().unwrap();
        assert!(last.next_transition_at.is_some(), "still due, next round");
    }

    #[test]
    fn on_a_running_clock_one_step_is_played_at_a_time() {
        let telephony = TelephonySettings::default();
        let m = queued(MessageStatus::Delivered, "");
        let steps = message_steps(&telephony, &m, Timestamp::now());
        assert_eq!(statuses(&steps), [MessageStatus::Sending]);
    }
}
