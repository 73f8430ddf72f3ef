//! Whether this node can do its work: the database answers with the schema this
//! build expects, and the background workers (webhook deliveries, the
//! telephony simulator) are running.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use switchboard_store::SchemaState;

use crate::Switchboard;

/// How long the readiness check waits for the database.
pub const DATABASE_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// A background task whose running readiness depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// The outbox of webhook deliveries.
    Deliveries,
    /// Calls, messages and number renewals on the simulated clock.
    Simulator,
}

/// How many of each worker run on this node.
#[derive(Default)]
pub(crate) struct Workers {
    deliveries: AtomicUsize,
    simulator: AtomicUsize,
}

impl Workers {
    fn count(&self, worker: Worker) -> &AtomicUsize {
        match worker {
            Worker::Deliveries => &self.deliveries,
            Worker::Simulator => &self.simulator,
        }
    }
}

/// Counts a worker as running until dropped: when its loop returns, panics or
/// its task is aborted.
pub(crate) struct Running {
    sb: Switchboard,
    worker: Worker,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.sb
            .shared
            .workers
            .count(self.worker)
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// What the database check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseState {
    Ready,
    /// The query failed or did not answer in time (the cause is logged, not
    /// shown: the check answers unauthenticated callers).
    Unreachable,
    /// Migrations of this build are not applied yet.
    MigrationsPending {
        applied: i64,
        known: i64,
    },
    /// A newer build migrated the database.
    SchemaNewer {
        newest: i64,
        known: i64,
    },
}

/// The outcome of [`Switchboard::readiness`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub database: DatabaseState,
    pub deliveries_running: bool,
    pub simulator_running: bool,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.database == DatabaseState::Ready && self.deliveries_running && self.simulator_running
    }
}

impl Switchboard {
    pub(crate) fn running(&self, worker: Worker) -> Running {
        self.shared
            .workers
            .count(worker)
            .fetch_add(1, Ordering::Relaxed);
        Running {
            sb: self.clone(),
            worker,
        }
    }

    /// Whether `worker` runs on this node.
    pub fn is_running(&self, worker: Worker) -> bool {
        self.shared.workers.count(worker).load(Ordering::Relaxed) > 0
    }

    /// Checks the database (one short query) and this node's workers.
    pub async fn readiness(&self) -> Readiness {
        let database =
            match tokio::time::timeout(DATABASE_CHECK_TIMEOUT, self.store().schema_state()).await {
                Ok(Ok(SchemaState::Current)) => DatabaseState::Ready,
                Ok(Ok(SchemaState::Behind { applied, known })) => {
                    DatabaseState::MigrationsPending { applied, known }
                }
                Ok(Ok(SchemaState::Ahead { newest, known })) => {
                    DatabaseState::SchemaNewer { newest, known }
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "readiness: the database check failed");
                    DatabaseState::Unreachable
                }
                Err(_) => {
                    tracing::warn!(
                        timeout = ?DATABASE_CHECK_TIMEOUT,
                        "readiness: the database did not answer in time"
                    );
                    DatabaseState::Unreachable
                }
            };
        Readiness {
            database,
            deliveries_running: self.is_running(Worker::Deliveries),
            simulator_running: self.is_running(Worker::Simulator),
        }
    }
}
