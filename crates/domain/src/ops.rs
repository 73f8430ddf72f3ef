//! What an operator monitors: the outbox, the simulation in flight, the
//! database's connections and what webhook attempts came to. The wire layer
//! exports these (`serve --metrics-listen`); nothing here knows the format.

use std::sync::atomic::{AtomicU64, Ordering};

use switchboard_store::deliveries::{self, OutboxDepth};
use switchboard_store::{PoolStats, calls, messages};
use switchboard_types::Timestamp;

use crate::Switchboard;
use crate::error::DomainResult;

/// How a webhook attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A 2xx answer.
    Delivered,
    /// Another answer, a network error or a timeout: retried while the
    /// schedule allows.
    Failed,
    /// The destination was not allowed (a non-public address): never retried.
    Refused,
}

impl AttemptOutcome {
    pub const ALL: [AttemptOutcome; 3] = [
        AttemptOutcome::Delivered,
        AttemptOutcome::Failed,
        AttemptOutcome::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::Refused => "refused",
        }
    }
}

/// Attempts this node made since it started, by outcome.
#[derive(Debug, Default)]
pub(crate) struct AttemptCounters([AtomicU64; 3]);

impl AttemptCounters {
    pub(crate) fn count(&self, outcome: AttemptOutcome) {
        self.0[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self, outcome: AttemptOutcome) -> u64 {
        self.0[outcome as usize].load(Ordering::Relaxed)
    }
}

/// One reading of everything [`Switchboard::ops_snapshot`] reports.
#[derive(Debug, Clone)]
pub struct OpsSnapshot {
    /// The outbox, shared by every node.
    pub outbox: OutboxDepth,
    /// Simulated calls and messages not yet in a final state (every node's).
    pub calls_in_flight: i64,
    pub messages_in_flight: i64,
    /// This node's transaction connections.
    pub pool: PoolStats,
    /// This node's webhook attempts since it started, by outcome.
    pub attempts: Vec<(AttemptOutcome, u64)>,
}

impl Switchboard {
    pub(crate) fn count_attempt(&self, outcome: AttemptOutcome) {
        self.shared.attempts.count(outcome);
    }

    /// Reads the outbox and the simulation in flight (three counts over
    /// partial indexes, so their cost follows what is pending, not history).
    pub async fn ops_snapshot(&self) -> DomainResult<OpsSnapshot> {
        let store = self.store();
        let outbox = store
            .one(deliveries::outbox_depth(Timestamp::now()))
            .await?;
        let calls_in_flight = store.one(calls::in_flight()).await?;
        let messages_in_flight = store.one(messages::in_flight()).await?;
        Ok(OpsSnapshot {
            outbox,
            calls_in_flight,
            messages_in_flight,
            pool: store.pool_stats(),
            attempts: AttemptOutcome::ALL
                .iter()
                .map(|&o| (o, self.shared.attempts.get(o)))
                .collect(),
        })
    }
}
