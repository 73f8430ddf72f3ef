//! Call queues in the engine (docs/telephony.md, "Queues"): `<Enqueue>` puts
//! a call in a queue, where it waits while its `waitUrl` document plays,
//! until it leaves: bridged by a `<Dial><Queue>`, by `<Leave>`, redirected
//! (a Members or Calls update), or hung up.
//!
//! The waiting mechanism is the saved continuation of waiting.rs: the
//! member's row (`queue_members`) keeps the document the `<Enqueue>` is
//! in, its URL and the verb's position, while the call runs other
//! documents (the wait URL's); leaving puts them back, so the
//! `<Enqueue>`'s `action` (or the next verb) follows. A call that waits
//! with nothing to run is in the phase `queued`, with no step due.
//!
//! Two calls bridged across a queue are both `queue-bridged`, each naming
//! the other in `awaiting` ([`QueueLink`]); the dequeuer's step falls due
//! when the conversation is over (the member's planned talk time, at most
//! the `<Dial timeLimit>`), and either side hanging up ends it early. Then
//! each goes on with its own document: the dequeuer's `<Dial>` action, the
//! member's `<Enqueue>` action with `QueueResult=bridged`.

use switchboard_store::Tx;
use switchboard_store::call_voice::{self, CallVoiceRecord, Place};
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::queues::{self as store, MemberRecord, QueueRecord};
use switchboard_twiml::{DialQueue, DialVerb, EnqueueVerb, VoiceVerb, parse_voice};
use switchboard_types::{
    AccountSid, CallSid, CallStage, CallStatus, HookMethod, QueueSid, Timestamp,
};

use super::{Run, elapsed_by, params, phase, waiting};
use crate::Switchboard;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::DomainResult;
use crate::telephony::SimSpeed;
use crate::telephony::queues::{DEFAULT_MAX_SIZE, waited};
use crate::telephony::simulator::elapsed_sim_secs;

/// Where a member's call was when it joined the queue.
fn place(m: &MemberRecord) -> Place {
    Place {
        document: m.document.clone(),
        document_url: m.document_url.clone(),
        position: m.position,
        wait_elapsed: m.wait_elapsed,
    }
}

/// Why a call left its queue: the `<Enqueue>` action's `QueueResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueueResult {
    Bridged,
    QueueFull,
    Redirected,
    Hangup,
    Leave,
}

impl QueueResult {
    fn as_str(self) -> &'static str {
        match self {
            QueueResult::Bridged => "bridged",
            QueueResult::QueueFull => "queue-full",
            QueueResult::Redirected => "redirected",
            QueueResult::Hangup => "hangup",
            QueueResult::Leave => "leave",
        }
    }
}

/// What a queue-bridged call's `awaiting` holds: the call on the other
/// side, the queue, and the seconds the member waited in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueueLink {
    pub other: CallSid,
    pub queue: QueueSid,
    pub queue_secs: i64,
}

impl QueueLink {
    fn encode(&self) -> String {
        format!("{} {} {}", self.other, self.queue, self.queue_secs)
    }

    fn decode(awaiting: Option<&str>) -> Option<QueueLink> {
        let mut parts = awaiting?.split(' ');
        let other = CallSid::parse(parts.next()?).ok()?;
        let queue = QueueSid::parse(parts.next()?).ok()?;
        let queue_secs = parts.next()?.parse().ok()?;
        Some(QueueLink {
            other,
            queue,
            queue_secs,
        })
    }

    fn of(v: &CallVoiceRecord) -> Option<QueueLink> {
        (v.phase == phase::QUEUE_BRIDGED)
            .then(|| QueueLink::decode(v.awaiting.as_deref()))
            .flatten()
    }
}

/// The verb a call's engine row is at.
fn current_verb(v: &CallVoiceRecord) -> Option<VoiceVerb> {
    let document = parse_voice(v.document.as_deref()?.as_bytes(), Some("text/xml")).ok()?;
    document
        .verbs
        .get(usize::try_from(v.position).ok()?)
        .cloned()
}

/// The queue named `name` in `account`, made (with the default size) when
/// there is none.
async fn queue_named(
    tx: &mut Tx,
    account: &AccountSid,
    name: &str,
    now: Timestamp,
) -> DomainResult<QueueRecord> {
    if let Some(q) = tx.opt(store::by_name(account, name)).await? {
        return Ok(q);
    }
    let q = QueueRecord {
        sid: QueueSid::generate(),
        account_sid: account.clone(),
        friendly_name: name.to_owned(),
        max_size: DEFAULT_MAX_SIZE,
        date_created: now,
        date_updated: now,
        current_size: 0,
        enqueued_sum: 0,
    };
    tx.run(store::insert(&q)).await?;
    Ok(q)
}

impl Switchboard {
    /// Whether the call waits in a queue (its current document is then a
    /// wait document, where Twilio allows only some verbs).
    pub(super) async fn in_queue(&self, tx: &mut Tx, run: &Run) -> DomainResult<bool> {
        Ok(tx.opt(store::member_of_call(&run.c.sid)).await?.is_some())
    }

    /// A verb a wait document may not hold is skipped, with a warning.
    pub(super) async fn refuse_in_wait(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        verb: &str,
    ) -> DomainResult<()> {
        let allowed = "<Play>, <Say>, <Pause>, <Gather>, <Redirect>, <Leave> and <Hangup>";
        self.skip_in_wait(tx, run, verb, ("a waitUrl document", allowed))
            .await
    }

    /// Reaching an `<Enqueue>`: the call joins the queue (made on first
    /// use) and waits, or is bridged at once to a `<Dial><Queue>` waiting
    /// for a caller; a full queue answers `queue-full` at once.
    pub(super) async fn start_enqueue(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        e: &EnqueueVerb,
    ) -> DomainResult<()> {
        if self.in_queue(tx, run).await? {
            return self.refuse_in_wait(tx, run, "Enqueue").await;
        }
        let action = match &e.action {
            Some(a) => {
                let url = run.resolve(a);
                match self
                    .url_or_hang_up(tx, run, "<Enqueue action>", url)
                    .await?
                {
                    Some(url) => Some(url),
                    None => return Ok(()),
                }
            }
            None => None,
        };
        let wait_url = match &e.wait_url {
            Some(w) => {
                let url = run.resolve(w);
                match self
                    .url_or_hang_up(tx, run, "<Enqueue waitUrl>", url)
                    .await?
                {
                    Some(url) => Some(url),
                    None => return Ok(()),
                }
            }
            None => None,
        };
        let queue = queue_named(tx, &run.c.account_sid, &e.name, run.now).await?;
        // A <Dial><Queue> waiting for a caller takes this one at once.
        if let Some(dequeuer) = tx.opt(store::dequeuer(&queue.sid)).await? {
            let awaits = |c: &CallRecord, v: &CallVoiceRecord| {
                c.status.stage() == CallStage::InProgress
                    && v.phase == phase::DEQUEUING
                    && v.awaiting.as_deref() == Some(queue.sid.as_str())
            };
            if let Some(mut b) =
                Run::claim_awaiting(tx, &dequeuer, run.now, run.speed, awaits).await?
                && let Some(d) = super::current_dial(&b.v)
            {
                // The dequeuer waited since its <Dial>.
                b.v.elapsed_secs = elapsed_by(&b.v, None, run.now, run.speed);
                self.bridge_queue(&mut b, run, &queue.sid, 0, &d);
                Box::pin(self.save_claimed(tx, &mut b)).await?;
                run.hooked |= b.hooked;
                return Ok(());
            }
        }
        if queue.current_size >= queue.max_size {
            let action = action.map(|a| (a, e.method));
            return self
                .left_queue(tx, run, action, QueueResult::QueueFull, None)
                .await;
        }
        let at = waiting::place_of(run);
        let member = MemberRecord {
            call_sid: run.c.sid.clone(),
            queue_sid: queue.sid.clone(),
            account_sid: run.c.account_sid.clone(),
            date_enqueued: run.now,
            wait_url,
            wait_method: e.wait_url_method,
            action,
            action_method: e.method,
            document: at.document,
            document_url: at.document_url,
            position: at.position,
            wait_elapsed: at.wait_elapsed,
            dequeued_by: None,
            queue_position: 0,
        };
        tx.run(store::insert_member(&member)).await?;
        self.wait_in_queue(tx, run, &member).await
    }

    /// A member waits: its wait document is requested (with where it is in
    /// the queue), or, without one, it waits in silence.
    async fn wait_in_queue(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        member: &MemberRecord,
    ) -> DomainResult<()> {
        run.c.next_transition_at = None;
        let Some(url) = member.wait_url.clone() else {
            run.v.phase = phase::QUEUED.to_owned();
            return Ok(());
        };
        let queue = tx
            .opt(store::of_account(&member.account_sid, &member.queue_sid))
            .await?;
        let position = tx
            .opt(store::member_of_call(&member.call_sid))
            .await?
            .map_or(1, |m| m.queue_position);
        let mut params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
        params.push(("QueueSid".into(), member.queue_sid.to_string()));
        params.push(("QueuePosition".into(), position.to_string()));
        params.push((
            "QueueTime".into(),
            waited(run.speed, member.date_enqueued, run.now).to_string(),
        ));
        if let Some(q) = queue {
            let q = crate::telephony::queues::Queue::of(q, run.now, run.speed);
            params.push(("AvgQueueTime".into(), q.average_wait_time.to_string()));
            params.push(("CurrentQueueSize".into(), q.current_size.to_string()));
            params.push(("MaxQueueSize".into(), q.max_size.to_string()));
        }
        tx.run(store::set_wait_elapsed(&run.c.sid, run.v.elapsed_secs))
            .await?;
        self.request_wait_document(
            tx,
            run,
            WebhookKind::QueueWait,
            (member.wait_method, url),
            params,
        )
        .await
    }

    /// The end of a document: a member's wait document is over. On a
    /// running clock it is requested again when it took time; otherwise
    /// (and always on the `instant` clock, where nothing takes time) the
    /// member waits in silence. `false` when the call waits in no queue.
    pub(super) async fn queue_document_over(
        &self,
        tx: &mut Tx,
        run: &mut Run,
    ) -> DomainResult<bool> {
        let Some(member) = tx.opt(store::member_of_call(&run.c.sid)).await? else {
            return Ok(false);
        };
        if let Some(dequeuer) = member.dequeued_by.clone() {
            self.whispered(tx, run, &member, &dequeuer).await?;
            return Ok(true);
        }
        let again = waiting::again(run, &place(&member)) && member.wait_url.is_some();
        if again {
            self.wait_in_queue(tx, run, &member).await?;
        } else {
            run.v.phase = phase::QUEUED.to_owned();
            run.c.next_transition_at = None;
        }
        Ok(true)
    }

    /// `<Leave>`: a member leaves its queue, and its `<Enqueue>`'s action
    /// follows (`QueueResult=leave`), or the verb after it. Elsewhere it
    /// does nothing.
    pub(super) async fn leave_queue(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        let Some(member) = tx
            .opt(store::member_of_call(&run.c.sid))
            .await?
            .filter(|m| m.dequeued_by.is_none())
        else {
            run.v.position += 1;
            return Ok(());
        };
        tx.run(store::remove_member(&run.c.sid)).await?;
        waiting::restore(run, &place(&member));
        let queue_secs = waited(run.speed, member.date_enqueued, run.now);
        let action = member.action.clone().map(|a| (a, member.action_method));
        self.left_queue(
            tx,
            run,
            action,
            QueueResult::Leave,
            Some((member.queue_sid, queue_secs)),
        )
        .await
    }

    /// A call is out of its queue, its document back at its `<Enqueue>`:
    /// the action is requested with `QueueResult` (and, when it was in the
    /// queue, `QueueSid` and `QueueTime`), or the document goes on.
    async fn left_queue(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        action: Option<(String, HookMethod)>,
        result: QueueResult,
        enqueued: Option<(QueueSid, i64)>,
    ) -> DomainResult<()> {
        run.v.phase = phase::RUNNING.to_owned();
        run.v.awaiting = None;
        run.v.since = None;
        let Some((url, method)) = action else {
            run.v.position += 1;
            return Ok(());
        };
        let mut params = params::voice_params(&run.c, CallStatus::InProgress.as_str());
        push_result(&mut params, result, enqueued);
        self.request_document(
            tx,
            run,
            WebhookKind::VoiceAction,
            (method, url),
            params,
            None,
        )
        .await
    }

    /// `<Dial><Queue>`: the call at the front of the queue is taken out and
    /// bridged to this one. An empty queue is waited on until a caller joins
    /// or the `<Dial>`'s `timeout` passes (`no-answer`); a queue that does
    /// not exist fails the `<Dial>` at once (`failed`), as Twilio's does.
    pub(super) async fn start_dial_queue(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        d: &DialVerb,
        q: &DialQueue,
    ) -> DomainResult<()> {
        if self.in_queue(tx, run).await? {
            return self.refuse_in_wait(tx, run, "Dial").await;
        }
        let whisper = match &q.url {
            Some(u) => {
                let url = run.resolve(u);
                match self.url_or_hang_up(tx, run, "<Queue url>", url).await? {
                    Some(url) => Some((url, q.method)),
                    None => return Ok(()),
                }
            }
            None => None,
        };
        let Some(queue) = tx.opt(store::by_name(&run.c.account_sid, &q.name)).await? else {
            return self.end_dial(tx, run, d, None, CallStatus::Failed).await;
        };
        // Two dequeuers may race for the front: the loser takes the next.
        for _ in 0..super::CLAIM_TRIES {
            let Some(front) = tx.opt(store::front(&run.c.account_sid, &queue.sid)).await? else {
                break;
            };
            let queue_secs = waited(run.speed, front.date_enqueued, run.now);
            if let Some(whisper) = &whisper {
                if self
                    .whisper(tx, run, &front, whisper.clone(), queue_secs)
                    .await?
                {
                    return Ok(());
                }
                continue;
            }
            let Some(mut a) = self.take_member(tx, &front, run.now, run.speed).await? else {
                continue;
            };
            self.bridge_queue(run, &mut a, &queue.sid, queue_secs, d);
            Box::pin(self.save_claimed(tx, &mut a)).await?;
            run.hooked |= a.hooked;
            return Ok(());
        }
        run.v.phase = phase::DEQUEUING.to_owned();
        run.v.awaiting = Some(queue.sid.to_string());
        run.v.since = Some(run.now);
        run.c.next_transition_at = Some(run.speed.due_after(run.now, i64::from(d.timeout_secs)));
        Ok(())
    }

    /// `<Dial><Queue url>` took the front member: it hears the whisper
    /// first (kind `queue-whisper`, with `QueueSid`, `QueueTime` and
    /// `DequeingCallSid`), out of the queue but still its member, while the
    /// dequeuer waits (`queue-connecting`); the whisper's end connects them
    /// ([`Switchboard::wait_document_over`]). `false` when another call
    /// took the member first.
    async fn whisper(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        member: &MemberRecord,
        (url, method): (String, HookMethod),
        queue_secs: i64,
    ) -> DomainResult<bool> {
        let awaits =
            |c: &CallRecord, _: &CallVoiceRecord| c.status.stage() == CallStage::InProgress;
        let Some(mut a) =
            Run::claim_awaiting(tx, &member.call_sid, run.now, run.speed, awaits).await?
        else {
            return Ok(false);
        };
        if tx
            .run(store::mark_dequeued(&member.call_sid, &run.c.sid))
            .await?
            == 0
        {
            return Ok(false);
        }
        a.v.elapsed_secs = elapsed_by(&a.v, a.c.next_transition_at, a.now, a.speed);
        a.v.since = None;
        a.v.awaiting = None;
        a.c.next_transition_at = None;
        let mut params = params::voice_params(&a.c, CallStatus::InProgress.as_str());
        params.push(("QueueSid".into(), member.queue_sid.to_string()));
        params.push(("QueueTime".into(), queue_secs.to_string()));
        params.push(("DequeingCallSid".into(), run.c.sid.to_string()));
        let documents = a.v.documents;
        self.request_document(
            tx,
            &mut a,
            WebhookKind::QueueWhisper,
            (method, url),
            params,
            None,
        )
        .await?;
        a.v.documents = documents;
        Box::pin(self.save_claimed(tx, &mut a)).await?;
        run.hooked |= a.hooked;
        run.v.phase = phase::CONNECTING.to_owned();
        run.v.awaiting = Some(
            QueueLink {
                other: member.call_sid.clone(),
                queue: member.queue_sid.clone(),
                queue_secs,
            }
            .encode(),
        );
        run.v.since = Some(run.now);
        run.c.next_transition_at = None;
        Ok(true)
    }

    /// A whisper is over: the member leaves its queue and is connected to
    /// the call that took it; if that call went away meanwhile, the member
    /// is back in its queue, at its place, and waits on.
    async fn whispered(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        member: &MemberRecord,
        dequeuer: &CallSid,
    ) -> DomainResult<()> {
        let me = run.c.sid.clone();
        let awaits = |c: &CallRecord, v: &CallVoiceRecord| {
            c.status.stage() == CallStage::InProgress
                && v.phase == phase::CONNECTING
                && QueueLink::decode(v.awaiting.as_deref()).is_some_and(|l| l.other == me)
        };
        let claimed = Run::claim_awaiting(tx, dequeuer, run.now, run.speed, awaits).await?;
        let Some((mut b, d)) = claimed.and_then(|b| super::current_dial(&b.v).map(|d| (b, d)))
        else {
            tx.run(store::put_back(&run.c.sid, dequeuer)).await?;
            run.v.phase = phase::QUEUED.to_owned();
            run.c.next_transition_at = None;
            return Ok(());
        };
        tx.run(store::remove_member(&run.c.sid)).await?;
        waiting::restore(run, &place(member));
        let queue_secs = QueueLink::decode(b.v.awaiting.as_deref()).map_or(0, |l| l.queue_secs);
        b.v.elapsed_secs = elapsed_by(&b.v, None, run.now, run.speed);
        self.bridge_queue(&mut b, run, &member.queue_sid, queue_secs, &d);
        Box::pin(self.save_claimed(tx, &mut b)).await?;
        run.hooked |= b.hooked;
        Ok(())
    }

    /// The member a dequeuer took for a whisper is gone (hung up, or given
    /// another document): the dequeuer's `<Dial>` ends `no-answer`.
    async fn whisper_lost(
        &self,
        tx: &mut Tx,
        member: &CallSid,
        dequeuer: &CallSid,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let speed = self.settings().telephony.speed;
        let awaits = |c: &CallRecord, v: &CallVoiceRecord| {
            c.status.stage() == CallStage::InProgress
                && v.phase == phase::CONNECTING
                && QueueLink::decode(v.awaiting.as_deref()).is_some_and(|l| &l.other == member)
        };
        let Some(mut b) = Run::claim_awaiting(tx, dequeuer, now, speed, awaits).await? else {
            return Ok(false);
        };
        let Some(d) = super::current_dial(&b.v) else {
            return Ok(false);
        };
        b.v.elapsed_secs = elapsed_by(&b.v, None, now, speed);
        b.v.since = None;
        self.end_dial(tx, &mut b, &d, None, CallStatus::NoAnswer)
            .await?;
        if b.v.phase == phase::RUNNING {
            b.c.next_transition_at = Some(now);
        }
        Box::pin(self.save_claimed(tx, &mut b)).await?;
        Ok(b.hooked)
    }

    /// Takes a member out of its queue for a bridge: its call claimed, what
    /// it was doing interrupted (only what it played counts), its document
    /// back at its `<Enqueue>`. `None` when another transaction took it or
    /// its call changed.
    async fn take_member(
        &self,
        tx: &mut Tx,
        member: &MemberRecord,
        now: Timestamp,
        speed: SimSpeed,
    ) -> DomainResult<Option<Run>> {
        let awaits =
            |c: &CallRecord, _: &CallVoiceRecord| c.status.stage() == CallStage::InProgress;
        let Some(mut a) = Run::claim_awaiting(tx, &member.call_sid, now, speed, awaits).await?
        else {
            return Ok(None);
        };
        if tx.run(store::remove_member(&member.call_sid)).await? == 0 {
            return Ok(None);
        }
        a.v.elapsed_secs = elapsed_by(&a.v, a.c.next_transition_at, now, speed);
        a.v.since = None;
        a.v.awaiting = None;
        a.c.next_transition_at = None;
        waiting::restore(&mut a, &place(member));
        Ok(Some(a))
    }

    /// Connects a dequeuer (`b`, at its `<Dial>`) and a member (`a`, at its
    /// `<Enqueue>`): they talk for the member's planned time, at most the
    /// `<Dial timeLimit>` (at least a second).
    fn bridge_queue(
        &self,
        b: &mut Run,
        a: &mut Run,
        queue: &QueueSid,
        queue_secs: i64,
        d: &DialVerb,
    ) {
        let talk = a.c.talk_secs.clamp(1, i64::from(d.time_limit_secs).max(1));
        let now = b.now;
        let link = |other: &CallSid| {
            QueueLink {
                other: other.clone(),
                queue: queue.clone(),
                queue_secs,
            }
            .encode()
        };
        let (a_link, b_link) = (link(&b.c.sid), link(&a.c.sid));
        for (this, link) in [(&mut *a, a_link), (&mut *b, b_link)] {
            this.v.phase = phase::QUEUE_BRIDGED.to_owned();
            this.v.since = Some(now);
            this.v.awaiting = Some(link);
            this.c.next_transition_at = None;
        }
        b.c.next_transition_at = Some(b.speed.due_after(now, talk));
    }

    /// Seconds a queue bridge talked by now: at most what was planned.
    fn bridge_talked(&self, run: &Run, member: &CallRecord, d_limit: Option<u32>) -> i64 {
        let planned = member
            .talk_secs
            .clamp(1, i64::from(d_limit.unwrap_or(u32::MAX)).max(1));
        match run.v.since {
            Some(since) => elapsed_sim_secs(run.speed, since, run.now).clamp(0, planned),
            None => planned,
        }
    }

    /// A queue bridge is over for one side (`run`), having talked `talked`
    /// seconds with `other`: the dequeuer's `<Dial>` ends `completed`, the
    /// member's `<Enqueue>` action gets `QueueResult=bridged`.
    async fn bridge_over(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        talked: i64,
        other: &CallRecord,
    ) -> DomainResult<()> {
        let link = QueueLink::decode(run.v.awaiting.as_deref());
        run.v.elapsed_secs += talked;
        run.v.since = None;
        run.v.awaiting = None;
        run.v.phase = phase::RUNNING.to_owned();
        match current_verb(&run.v) {
            Some(VoiceVerb::Dial(d)) => {
                let mut told = other.clone();
                told.duration = Some(talked);
                told.status = CallStatus::Completed;
                self.end_dial(tx, run, &d, Some(&told), CallStatus::Completed)
                    .await?;
            }
            Some(VoiceVerb::Enqueue(e)) => {
                let action = match &e.action {
                    Some(a) => run.resolve(a).ok().map(|u| (u, e.method)),
                    None => None,
                };
                let enqueued = link.map(|l| (l.queue, l.queue_secs));
                self.left_queue(tx, run, action, QueueResult::Bridged, enqueued)
                    .await?;
            }
            _ => run.v.position += 1,
        }
        // The document goes on in the simulator's next round.
        if run.v.phase == phase::RUNNING {
            run.c.next_transition_at = Some(run.now);
        }
        Ok(())
    }

    /// The dequeuer's step fell due: the conversation is over, or, still
    /// waiting on an empty queue, its `<Dial>` timed out (`no-answer`).
    pub(super) async fn queue_step_due(&self, tx: &mut Tx, run: &mut Run) -> DomainResult<()> {
        let Some(d) = super::current_dial(&run.v) else {
            run.v.phase = phase::RUNNING.to_owned();
            return Ok(());
        };
        if run.v.phase == phase::DEQUEUING {
            let timeout = i64::from(d.timeout_secs);
            run.v.elapsed_secs += match (run.speed, run.v.since) {
                (SimSpeed::Factor(_), Some(since)) => {
                    elapsed_sim_secs(run.speed, since, run.now).min(timeout)
                }
                _ => timeout,
            };
            run.v.since = None;
            return self.end_dial(tx, run, &d, None, CallStatus::NoAnswer).await;
        }
        let Some(link) = QueueLink::of(&run.v) else {
            run.v.phase = phase::RUNNING.to_owned();
            return Ok(());
        };
        let Some(member) = tx.opt(calls::by_sid(&link.other)).await? else {
            run.v.phase = phase::RUNNING.to_owned();
            return Ok(());
        };
        let talked = self.bridge_talked(run, &member, Some(d.time_limit_secs));
        let me = run.c.sid.clone();
        let awaits = |c: &CallRecord, v: &CallVoiceRecord| {
            c.status.stage() == CallStage::InProgress
                && QueueLink::of(v).is_some_and(|l| l.other == me)
        };
        if let Some(mut a) =
            Run::claim_awaiting(tx, &link.other, run.now, run.speed, awaits).await?
        {
            self.bridge_over(tx, &mut a, talked, &run.c).await?;
            Box::pin(self.save_claimed(tx, &mut a)).await?;
            run.hooked |= a.hooked;
        }
        let member = tx.opt(calls::by_sid(&link.other)).await?.unwrap_or(member);
        self.bridge_over(tx, run, talked, &member).await
    }

    /// A call ended (in `tx`, from [`Switchboard::finish_call`]: `why` is
    /// [`QueueResult::Hangup`]) or was given a new document (a Calls or
    /// Members update: [`QueueResult::Redirected`]): a member leaves its
    /// queue (its `<Enqueue>` action told `why`, its answer not run); the
    /// other side of a queue bridge goes on; a `<Dial><Queue>` waiting on
    /// an empty queue stops waiting. `true` when a webhook was queued.
    pub(crate) async fn queue_call_left(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        why: QueueResult,
        now: Timestamp,
    ) -> DomainResult<bool> {
        if let Some(member) = tx.opt(store::member_of_call(&call.sid)).await? {
            tx.run(store::remove_member(&call.sid)).await?;
            let mut hooked = self.notify_left(tx, call, &member, why, now).await?;
            if let Some(dequeuer) = &member.dequeued_by {
                hooked |= self.whisper_lost(tx, &call.sid, dequeuer, now).await?;
            }
            return Ok(hooked);
        }
        let Some(v) = tx.opt(call_voice::of_call(&call.sid)).await? else {
            return Ok(false);
        };
        if v.phase == phase::CONNECTING {
            // The call it took hears its whisper: back in its queue.
            if let Some(link) = QueueLink::decode(v.awaiting.as_deref()) {
                tx.run(store::put_back(&link.other, &call.sid)).await?;
            }
        }
        if v.phase == phase::DEQUEUING || v.phase == phase::CONNECTING {
            let mut over = v.clone();
            over.phase = phase::ENDED.to_owned();
            over.awaiting = None;
            over.version += 1;
            over.date_updated = now;
            tx.run(call_voice::update(&over, v.version)).await?;
            return Ok(false);
        }
        let Some(link) = QueueLink::of(&v) else {
            return Ok(false);
        };
        let speed = self.settings().telephony.speed;
        let me = call.sid.clone();
        let awaits = |c: &CallRecord, ov: &CallVoiceRecord| {
            c.status.stage() == CallStage::InProgress
                && QueueLink::of(ov).is_some_and(|l| l.other == me)
        };
        let Some(mut other) = Run::claim_awaiting(tx, &link.other, now, speed, awaits).await?
        else {
            return Ok(false);
        };
        // Which side planned the talk: the member's, whichever hung up.
        let (member, limit) = match current_verb(&other.v) {
            Some(VoiceVerb::Dial(d)) => (call.clone(), Some(d.time_limit_secs)),
            _ => (other.c.clone(), None),
        };
        let talked = self.bridge_talked(&other, &member, limit);
        self.bridge_over(tx, &mut other, talked, call).await?;
        Box::pin(self.save_claimed(tx, &mut other)).await?;
        Ok(other.hooked)
    }

    /// Tells a member's `<Enqueue>` action why it left when the call will
    /// not run the answer (it hung up, or runs another document).
    async fn notify_left(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        member: &MemberRecord,
        result: QueueResult,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(action) = member.action.clone() else {
            return Ok(false);
        };
        let speed = self.settings().telephony.speed;
        let mut params = params::voice_params(call, call.status.as_str());
        push_result(
            &mut params,
            result,
            Some((
                member.queue_sid.clone(),
                waited(speed, member.date_enqueued, now),
            )),
        );
        let hook = Webhook::notice(
            WebhookKind::QueueResult,
            (call.account_sid.clone(), call.callback_signer_sid.clone()),
            Some(call.sid.to_string()),
            (member.action_method, action),
            params,
        );
        delivery::enqueue(tx, &hook, now).await?;
        Ok(true)
    }
}

/// `QueueResult`, and `QueueSid` and `QueueTime` when the call was in the
/// queue.
fn push_result(
    params: &mut Vec<(String, String)>,
    result: QueueResult,
    enqueued: Option<(QueueSid, i64)>,
) {
    params.push(("QueueResult".into(), result.as_str().to_owned()));
    if let Some((queue, secs)) = enqueued {
        params.push(("QueueSid".into(), queue.to_string()));
        params.push(("QueueTime".into(), secs.to_string()));
    }
}

impl Switchboard {
    /// A member leaves its queue for a new document (a Members update):
    /// `None` when its call changed meanwhile (read again); otherwise
    /// whether a webhook was queued.
    pub(crate) async fn dequeue_redirected(
        &self,
        tx: &mut Tx,
        member: MemberRecord,
        new: super::NewDocument,
        now: Timestamp,
    ) -> DomainResult<Option<bool>> {
        let Some(call) = tx.opt(calls::by_sid(&member.call_sid)).await? else {
            return Ok(None);
        };
        if call.status.stage() != CallStage::InProgress {
            return Ok(None);
        }
        Ok(self
            .run_new_document(tx, call, new, now)
            .await?
            .map(|(_, hooked)| hooked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_read_back_as_written() {
        let link = QueueLink {
            other: CallSid::generate(),
            queue: QueueSid::generate(),
            queue_secs: 42,
        };
        assert_eq!(QueueLink::decode(Some(&link.encode())), Some(link));
        assert_eq!(QueueLink::decode(Some("CA1 QU2 x")), None);
        assert_eq!(QueueLink::decode(None), None);
    }
}
