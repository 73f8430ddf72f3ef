//! A sandbox's clock (`…/Sandboxes/{Sid}/Clock.json`, docs/sandbox.md): read
//! it, and move it on, playing in order of due time everything of the world
//! that falls due on the way (see [`crate::clock`] for how a world keeps
//! time).
//!
//! Moving on is a series of rounds: find the world's soonest timer (a call's
//! or message's next step, a number's renewal, a webhook's next attempt); if
//! it falls within the advance, set the clock to it and play everything then
//! due at that time (steps, then webhooks, each sent and recorded before the
//! next round), and look again. So a call placed before a one-hour advance
//! rings, is answered and completes inside it, each callback dated and sent
//! when it happened, and a webhook that failed is retried on its schedule.

use std::time::Duration;

use switchboard_store::sandboxes;
use switchboard_types::{SandboxSid, Timestamp};

use super::Sandboxes;
use crate::access::{Access, Action};
use crate::delivery::worker::client;
use crate::error::{DomainError, DomainResult};

/// The furthest one advance moves a clock: ten years.
pub const MAX_ADVANCE: Duration = Duration::from_secs(10 * 366 * 86_400);

/// The most rounds one advance plays (each plays everything due at one
/// instant): a guard against a timer that never stops falling due.
const MAX_ROUNDS: usize = 100_000;

/// How often an advance looks again while another worker sends one of the
/// world's webhooks (whose answer may bring more to play).
const IN_FLIGHT_POLL: Duration = Duration::from_millis(10);

/// A sandbox's clock.
#[derive(Debug, Clone)]
pub struct ClockView {
    pub sandbox: SandboxSid,
    /// Now in the sandbox's world.
    pub now: Timestamp,
    /// How far (microseconds) the world runs ahead of real time.
    pub offset_micros: i64,
    /// What the advance played: steps of calls and messages, number
    /// renewals and webhook attempts (0 for a read).
    pub played: usize,
}

impl Sandboxes<'_> {
    /// The sandbox's clock.
    pub async fn clock(&self, access: &Access) -> DomainResult<ClockView> {
        self.enabled(access, Action::Read)?;
        let sid = access.sandbox()?;
        let offset = self.offset(sid).await?;
        Ok(ClockView {
            sandbox: sid.clone(),
            now: Timestamp::now().plus_micros(offset),
            offset_micros: offset,
            played: 0,
        })
    }

    /// Moves the sandbox's clock on by `by` (at most [`MAX_ADVANCE`]),
    /// playing everything of its world that falls due on the way, in order.
    /// Returns once all of it, the webhooks included, is done.
    pub async fn advance_clock(&self, access: &Access, by: Duration) -> DomainResult<ClockView> {
        self.enabled(access, Action::Write)?;
        if by > MAX_ADVANCE {
            return Err(DomainError::Internal(format!(
                "a clock moves at most {MAX_ADVANCE:?} at once"
            )));
        }
        let sid = access.sandbox()?;
        let sb = self.sb;
        let mut offset = self.offset(sid).await?;
        let target = Timestamp::now().plus_micros(offset + by.as_micros() as i64);
        let http = client(&sb.settings().callbacks);
        let callbacks = &sb.settings().callbacks;
        // A webhook another worker claimed is sent (or its lease over) by then.
        let wait_limit = callbacks.timeout.saturating_mul(2) + Duration::from_secs(5);
        let mut waited = Duration::ZERO;
        let mut played = 0;
        for _ in 0..MAX_ROUNDS {
            let real = Timestamp::now();
            let timers = sb.store().one(sandboxes::timers(sid, real)).await?;
            match timers.next {
                Some(due) if due <= target.micros() => {
                    if due > real.micros() + offset {
                        offset = self.move_to(sid, due - real.micros()).await?;
                    }
                }
                _ if timers.in_flight == 0 || waited >= wait_limit => break,
                _ => {
                    tokio::time::sleep(IN_FLIGHT_POLL).await;
                    waited += IN_FLIGHT_POLL;
                    continue;
                }
            }
            let world_now = Timestamp::now().plus_micros(offset);
            played += sb.simulate_due_in_world(sid, world_now).await?;
            played += sb.deliver_due_in_world(&http, sid, offset).await?;
        }
        offset = self
            .move_to(sid, target.micros() - Timestamp::now().micros())
            .await?;
        // What falls due after the advance is the workers' again.
        sb.wake_simulator();
        sb.wake_deliveries();
        tracing::info!(sandbox = %sid, ?by, played, "advanced a sandbox's clock");
        Ok(ClockView {
            sandbox: sid.clone(),
            now: Timestamp::now().plus_micros(offset),
            offset_micros: offset,
            played,
        })
    }

    async fn offset(&self, sid: &SandboxSid) -> DomainResult<i64> {
        let offset = self
            .sb
            .store()
            .opt(sandboxes::clock_offset(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        self.sb.clock_moved(sid, offset);
        Ok(offset)
    }

    /// Sets the world's clock `offset` ahead of real time, unless it already
    /// is as far (clocks never go back); answers where it is now.
    async fn move_to(&self, sid: &SandboxSid, offset: i64) -> DomainResult<i64> {
        if self
            .sb
            .store()
            .run(sandboxes::move_clock(sid, offset))
            .await?
            == 0
        {
            return self.offset(sid).await;
        }
        self.sb.clock_moved(sid, offset);
        Ok(offset)
    }
}
