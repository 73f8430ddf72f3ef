//! Call queues (`/2010-04-01/Accounts/{Sid}/Queues`) and their members,
//! reached by [`Switchboard::queues`]. A queue is made by the API or by the
//! first `<Enqueue>` that names it; calls join it by `<Enqueue>` and leave it
//! by `<Dial><Queue>` (bridged), `<Leave>`, a Members update (redirected) or
//! hanging up. Its name is unique in its account; it holds at most
//! `max_size` calls (100 unless set, at most 5000).
//!
//! A queue's `current_size` and `average_wait_time`, and a member's
//! `position` and `wait_time`, are counted when read: the average is over the
//! calls waiting at that moment (Twilio's "calculated at the time of the
//! request"), 0 for an empty queue. Waits are in simulated seconds (on the
//! `instant` clock, in real seconds: nothing else measures them).

use switchboard_store::Tx;
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_store::queues::{self as store, MemberRecord, QueueRecord};
use switchboard_types::{AccountSid, CallSid, HookMethod, QueueSid, Timestamp};

use crate::access::{Access, Reader, Resource};
use crate::audit;
use crate::error::{DomainError, DomainResult, Problem, QueueField as F, invalid};
use crate::telephony::simulator::elapsed_sim_secs;
use crate::telephony::voice::NewDocument;
use crate::telephony::{SimSpeed, Try};
use crate::{Switchboard, validate};

/// A new queue's size limit (`MaxSize` not given; a queue `<Enqueue>` makes).
pub const DEFAULT_MAX_SIZE: i64 = 100;
/// The largest `MaxSize` Twilio allows.
pub const MAX_MAX_SIZE: i64 = 5000;

/// A call queue, with its members counted now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub sid: QueueSid,
    pub account_sid: AccountSid,
    pub friendly_name: String,
    pub max_size: i64,
    pub current_size: i64,
    /// Seconds, the average of the waiting calls' waits (0 when none wait).
    pub average_wait_time: i64,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

/// A call waiting in a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMember {
    pub call_sid: CallSid,
    pub queue_sid: QueueSid,
    pub account_sid: AccountSid,
    pub date_enqueued: Timestamp,
    /// 1 for the front of the queue.
    pub position: i64,
    /// Seconds it has waited.
    pub wait_time: i64,
}

/// Which member a Members path names: a call, or whichever is at the front
/// (`Front`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRef {
    Call(CallSid),
    Front,
}

/// What a create names (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct NewQueue {
    pub friendly_name: Option<String>,
    pub max_size: Option<String>,
}

/// What an update may change; `None` leaves it as it is.
#[derive(Debug, Default, Clone)]
pub struct QueueChanges {
    pub friendly_name: Option<String>,
    pub max_size: Option<String>,
}

/// Seconds between `since` and `now` on the simulated clock (real seconds
/// on the `instant` one).
pub(crate) fn waited(speed: SimSpeed, since: Timestamp, now: Timestamp) -> i64 {
    match speed {
        SimSpeed::Factor(_) => elapsed_sim_secs(speed, since, now),
        SimSpeed::Instant => (now.micros() - since.micros()).max(0) / 1_000_000,
    }
}

impl Keyed for Queue {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

impl Keyed for QueueMember {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_enqueued.micros(),
            sid: self.call_sid.to_string(),
        }
    }
}

impl Queue {
    pub(crate) fn of(r: QueueRecord, now: Timestamp, speed: SimSpeed) -> Queue {
        let average_wait_time = if r.current_size > 0 {
            waited(
                speed,
                Timestamp::from_micros(r.enqueued_sum / r.current_size),
                now,
            )
        } else {
            0
        };
        Queue {
            sid: r.sid,
            account_sid: r.account_sid,
            friendly_name: r.friendly_name,
            max_size: r.max_size,
            current_size: r.current_size,
            average_wait_time,
            date_created: r.date_created,
            date_updated: r.date_updated,
        }
    }
}

impl QueueMember {
    pub(crate) fn of(r: MemberRecord, now: Timestamp, speed: SimSpeed) -> QueueMember {
        QueueMember {
            wait_time: waited(speed, r.date_enqueued, now),
            call_sid: r.call_sid,
            queue_sid: r.queue_sid,
            account_sid: r.account_sid,
            date_enqueued: r.date_enqueued,
            position: r.queue_position,
        }
    }
}

/// A queue's name: 1 to 64 characters (`FriendlyName`, `<Enqueue>`'s text).
pub fn queue_name(value: &str) -> DomainResult<String> {
    validate::friendly_name(F::Name, value)
}

/// `MaxSize`: a whole number from 1 to 5000.
pub fn max_size(value: &str) -> DomainResult<i64> {
    let out_of_range = || {
        invalid(
            F::MaxSize,
            Problem::OutOfRange {
                min: 1,
                max: MAX_MAX_SIZE,
            },
        )
    };
    let n: i64 = value.trim().parse().map_err(|_| out_of_range())?;
    if (1..=MAX_MAX_SIZE).contains(&n) {
        Ok(n)
    } else {
        Err(out_of_range())
    }
}

impl Switchboard {
    /// Call queues and their members, in the account an access names.
    pub fn queues(&self) -> Queues<'_> {
        Queues { sb: self }
    }
}

/// The queues of the account an access names (`Resource::Queues`).
pub struct Queues<'a> {
    sb: &'a Switchboard,
}

/// Refuses a name another queue of the account has.
async fn name_free(
    tx: &mut Tx,
    account: &AccountSid,
    name: &str,
    except: Option<&QueueSid>,
) -> DomainResult<()> {
    match tx.opt(store::by_name(account, name)).await? {
        Some(q) if Some(&q.sid) != except => Err(invalid(
            F::Name,
            Problem::QueueNameTaken {
                name: name.to_owned(),
            },
        )),
        _ => Ok(()),
    }
}

impl Queues<'_> {
    fn speed(&self) -> SimSpeed {
        self.sb.settings().telephony.speed
    }

    /// Creates a queue; its name must be free in the account.
    pub async fn create(&self, access: &Access, new: &NewQueue) -> DomainResult<Queue> {
        let (account, log) = access.write_target(Resource::Queues)?;
        let name = match new.friendly_name.as_deref() {
            Some(v) if !v.trim().is_empty() => queue_name(v)?,
            _ => return Err(invalid(F::Name, Problem::Missing)),
        };
        let max = match new.max_size.as_deref() {
            Some(v) => max_size(v)?,
            None => DEFAULT_MAX_SIZE,
        };
        let now = self.sb.now_for(access).await?;
        let queue = QueueRecord {
            sid: QueueSid::generate(),
            account_sid: account.clone(),
            friendly_name: name,
            max_size: max,
            date_created: now,
            date_updated: now,
            current_size: 0,
            enqueued_sum: 0,
        };
        let mut tx = self.sb.store().begin().await?;
        name_free(&mut tx, account, &queue.friendly_name, None).await?;
        tx.run(store::insert(&queue)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "queue.create",
            queue.sid.as_str(),
            format!("{} (max {})", queue.friendly_name, queue.max_size),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %account, queue = %queue.sid, "created a queue");
        Ok(Queue::of(queue, now, self.speed()))
    }

    /// The reader's access and its world's now (a queue's waits are counted
    /// at the time of the request).
    async fn reading(&self, reader: Reader<'_>) -> DomainResult<(Access, Timestamp)> {
        let access = self.sb.reader_access(reader, Resource::Queues).await?;
        let now = self.sb.now_for(&access).await?;
        Ok((access, now))
    }

    /// The queues of the account, oldest first.
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<Queue>> {
        let (access, now) = self.reading(reader).await?;
        let page = self
            .sb
            .read_page((&access).into(), Resource::Queues, |account| {
                store::list(account, at, size)
            })
            .await?;
        let speed = self.speed();
        Ok(page.map(|q| Queue::of(q, now, speed)))
    }

    /// One queue of the account; anyone else's is not found.
    pub async fn get<'a>(&self, reader: Reader<'a>, sid: &'a QueueSid) -> DomainResult<Queue> {
        let (access, now) = self.reading(reader).await?;
        let found = self
            .sb
            .read_one((&access).into(), Resource::Queues, |account| {
                store::of_account(account, sid)
            })
            .await?;
        Ok(Queue::of(found, now, self.speed()))
    }

    /// Renames a queue or changes its limit. A smaller limit than the calls
    /// waiting is kept: they stay, and no call joins until it has room.
    pub async fn update(
        &self,
        access: &Access,
        sid: &QueueSid,
        changes: &QueueChanges,
    ) -> DomainResult<Queue> {
        let (account, log) = access.write_target(Resource::Queues)?;
        let name = changes
            .friendly_name
            .as_deref()
            .map(queue_name)
            .transpose()?;
        let max = changes.max_size.as_deref().map(max_size).transpose()?;
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let mut queue = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(name) = name {
            name_free(&mut tx, account, &name, Some(sid)).await?;
            queue.friendly_name = name;
        }
        if let Some(max) = max {
            queue.max_size = max;
        }
        queue.date_updated = now;
        tx.run(store::update(&queue)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "queue.update",
            sid.as_str(),
            format!("{} (max {})", queue.friendly_name, queue.max_size),
        )
        .await?;
        tx.commit().await?;
        Ok(Queue::of(queue, now, self.speed()))
    }

    /// Deletes a queue no call waits in; while one does, it is refused.
    pub async fn delete(&self, access: &Access, sid: &QueueSid) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::Queues)?;
        let mut tx = self.sb.store().begin().await?;
        let queue = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if tx.run(store::delete_empty(account, sid)).await? == 0 {
            return Err(invalid(
                F::Queue,
                Problem::QueueNotEmpty {
                    members: queue.current_size.max(1),
                },
            ));
        }
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "queue.delete",
            sid.as_str(),
            queue.friendly_name.clone(),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(queue = %sid, "deleted a queue");
        Ok(())
    }

    /// The calls waiting in a queue, front first (none for a queue the
    /// account does not have).
    pub async fn members<'a>(
        &self,
        reader: Reader<'a>,
        queue: &'a QueueSid,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<QueueMember>> {
        let (access, now) = self.reading(reader).await?;
        let page = self
            .sb
            .read_page((&access).into(), Resource::Queues, |account| {
                store::members(account, queue, at, size)
            })
            .await?;
        let speed = self.speed();
        Ok(page.map(|m| QueueMember::of(m, now, speed)))
    }

    /// One member of a queue: a call waiting in it, or the one at its
    /// front; not found when there is none.
    pub async fn member<'a>(
        &self,
        reader: Reader<'a>,
        queue: &'a QueueSid,
        which: &'a MemberRef,
    ) -> DomainResult<QueueMember> {
        let (access, now) = self.reading(reader).await?;
        let found = self
            .sb
            .read_one((&access).into(), Resource::Queues, |account| match which {
                MemberRef::Call(call) => store::member(account, queue, call),
                MemberRef::Front => store::front(account, queue),
            })
            .await?;
        Ok(QueueMember::of(found, now, self.speed()))
    }

    /// Dequeues a member: it leaves the queue and runs the document at `url`
    /// (requested with `method`, `POST` unless given). The member as it was
    /// when it left is returned.
    pub async fn dequeue(
        &self,
        access: &Access,
        queue: &QueueSid,
        which: &MemberRef,
        url: Option<&str>,
        method: Option<&str>,
    ) -> DomainResult<QueueMember> {
        let (account, log) = access.write_target(Resource::Queues)?;
        let url = match url {
            Some(u) if !u.trim().is_empty() => validate::absolute_url(F::Url, u)?,
            _ => return Err(invalid(F::Url, Problem::Missing)),
        };
        let method = super::method_param(F::Method, method, HookMethod::Post)?;
        let now = self.sb.now_for(access).await?;
        let speed = self.speed();
        let url = &url;
        // The member's call may be stepped meanwhile: a lost race reads
        // again, and a transaction given up for another runs again.
        let conflict = format!("the member of {queue} kept changing while it was dequeued");
        let left = self
            .sb
            .guarded(&conflict, |mut tx| async move {
                let member = match which {
                    MemberRef::Call(call) => tx.opt(store::member(account, queue, call)).await?,
                    MemberRef::Front => tx.opt(store::front(account, queue)).await?,
                }
                .ok_or(DomainError::NotFound)?;
                let left = QueueMember::of(member.clone(), now, speed);
                let hooked = self
                    .sb
                    .dequeue_redirected(&mut tx, member, NewDocument::Url(url.clone(), method), now)
                    .await?;
                let Some(hooked) = hooked else {
                    return Ok(Try::Lost);
                };
                audit::record_resource_change(
                    &mut tx,
                    access,
                    log,
                    "queue.dequeue",
                    left.call_sid.as_str(),
                    format!("from {queue} to {url}"),
                )
                .await?;
                Ok(Try::done(tx, left, hooked))
            })
            .await?;
        self.sb.wake_simulator();
        Ok(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_sizes_are_from_1_to_5000() {
        assert_eq!(max_size("1").unwrap(), 1);
        assert_eq!(max_size(" 5000 ").unwrap(), 5000);
        for bad in ["0", "5001", "-3", "ten", "", "1.5"] {
            assert!(max_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_1_to_64_characters() {
        assert_eq!(queue_name(" support ").unwrap(), "support");
        assert!(queue_name(&"q".repeat(64)).is_ok());
        assert!(queue_name(&"q".repeat(65)).is_err());
        assert!(queue_name("  ").is_err());
    }

    #[test]
    fn waits_count_simulated_seconds() {
        let t0 = Timestamp::from_seconds(1_000);
        let t1 = Timestamp::from_seconds(1_030);
        assert_eq!(waited(SimSpeed::Factor(1.0), t0, t1), 30);
        assert_eq!(waited(SimSpeed::Factor(2.0), t0, t1), 60);
        assert_eq!(waited(SimSpeed::Instant, t0, t1), 30);
        assert_eq!(waited(SimSpeed::Instant, t1, t0), 0);
    }
}
