//! Each world's time. The default world runs on real time. A sandbox's world
//! runs `clock_offset` microseconds ahead of it (migration 0018), moved on by
//! its `Clock.json` (see [`crate::sandbox::clock`]) and put back to 0 by a
//! reset. Every date an operation writes for an account of a sandbox, and
//! every timer it sets (a call's or message's next step, a number's renewal,
//! a webhook's next attempt), is in that world's time; the workers compare
//! each world's timers with that world's now.
//!
//! A node remembers a sandbox's offset for [`TRUSTED_FOR`] (the node that
//! moves a clock knows at once), so an API request of a sandbox account
//! costs a map look-up, and one of the default world nothing at all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use switchboard_store::sandboxes;
use switchboard_types::{SandboxSid, Timestamp};

use crate::Switchboard;
use crate::access::{Access, Principal};
use crate::error::DomainResult;

/// How long a node trusts an offset it read: a clock moved on another node
/// is seen here within this time.
const TRUSTED_FOR: Duration = Duration::from_millis(250);

/// The offsets this node read lately.
#[derive(Default)]
pub struct WorldClocks {
    offsets: Mutex<HashMap<SandboxSid, (i64, Instant)>>,
    /// The furthest any sandbox runs ahead, for the workers' due queries.
    furthest: Mutex<Option<(i64, Instant)>>,
}

impl WorldClocks {
    fn known(&self, world: &SandboxSid) -> Option<i64> {
        let map = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        map.get(world)
            .filter(|(_, at)| at.elapsed() < TRUSTED_FOR)
            .map(|(offset, _)| *offset)
    }

    fn remember(&self, world: &SandboxSid, offset: i64) {
        let mut map = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: forget old entries rather than grow with every sandbox.
        if map.len() > 10_000 {
            map.retain(|_, (_, at)| at.elapsed() < TRUSTED_FOR);
        }
        map.insert(world.clone(), (offset, Instant::now()));
    }

    fn known_furthest(&self) -> Option<i64> {
        let furthest = self.furthest.lock().unwrap_or_else(|e| e.into_inner());
        furthest
            .filter(|(_, at)| at.elapsed() < TRUSTED_FOR)
            .map(|(offset, _)| offset)
    }

    fn remember_furthest(&self, offset: i64) {
        *self.furthest.lock().unwrap_or_else(|e| e.into_inner()) = Some((offset, Instant::now()));
    }
}

/// The world an access acts in: its target account's, else its principal's
/// (creating a subaccount names no target), else the sandbox it names.
pub(crate) fn world_of(access: &Access) -> Option<&SandboxSid> {
    if let Some(target) = access.target() {
        return target.sandbox_sid.as_ref();
    }
    match access.principal() {
        Some(Principal::Account { world, .. }) => world.as_ref(),
        Some(Principal::Key(k)) => k.world.as_ref(),
        _ => access.sandbox().ok(),
    }
}

impl Switchboard {
    /// Now in `world`: real time in the default world and outside sandbox
    /// mode (which reads nothing), the sandbox's clock otherwise.
    pub async fn now_in(&self, world: Option<&SandboxSid>) -> DomainResult<Timestamp> {
        let real = Timestamp::now();
        match world {
            Some(world) if self.settings().sandbox => {
                Ok(real.plus_micros(self.clock_offset(world).await?))
            }
            _ => Ok(real),
        }
    }

    /// Now in the world `access` acts in (see [`world_of`]).
    pub async fn now_for(&self, access: &Access) -> DomainResult<Timestamp> {
        self.now_in(world_of(access)).await
    }

    /// How far the world `access` acts in runs ahead of real time (0 for
    /// the default world, which reads nothing).
    pub(crate) async fn offset_for(&self, access: &Access) -> DomainResult<i64> {
        match world_of(access) {
            Some(world) if self.settings().sandbox => self.clock_offset(world).await,
            _ => Ok(0),
        }
    }

    /// How far `world`'s clock runs ahead of real time (0 for a sandbox
    /// that is gone).
    pub(crate) async fn clock_offset(&self, world: &SandboxSid) -> DomainResult<i64> {
        if let Some(offset) = self.shared_clocks().known(world) {
            return Ok(offset);
        }
        let offset = self
            .store()
            .opt(sandboxes::clock_offset(world))
            .await?
            .unwrap_or(0);
        self.shared_clocks().remember(world, offset);
        Ok(offset)
    }

    /// Records on this node that `world`'s clock now runs `offset` ahead.
    pub(crate) fn clock_moved(&self, world: &SandboxSid, offset: i64) {
        let clocks = self.shared_clocks();
        clocks.remember(world, offset);
        if let Some(furthest) = clocks.known_furthest()
            && offset > furthest
        {
            clocks.remember_furthest(offset);
        }
    }

    /// The furthest any world runs ahead of real time: 0 outside sandbox
    /// mode, and while no sandbox's clock was moved, so the workers' due
    /// queries stay as they are.
    pub(crate) async fn furthest_clock(&self) -> DomainResult<i64> {
        if !self.settings().sandbox {
            return Ok(0);
        }
        if let Some(offset) = self.shared_clocks().known_furthest() {
            return Ok(offset);
        }
        let offset = self.store().one(sandboxes::furthest_clock()).await?;
        self.shared_clocks().remember_furthest(offset);
        Ok(offset)
    }
}
