//! Shared, pipelined connections for reads that are one statement.
//!
//! A read outside a transaction needs no connection to itself. tokio-postgres
//! lets any number of requests use one connection at once: their statements go
//! out together and the backend answers them in order. Under load that turns a
//! wake-up of PostgreSQL and of the connection's task per request into one per
//! batch, which on the benchmark's two shared cores was worth about half again
//! as many fetches per second as a pooled connection per request (finding 12 in
//! docs/benchmarks.md). Transactions still take a pooled connection each.
//!
//! A read goes to the first connection with fewer than [`SPILL_AT`] statements
//! in flight, so batches stay large; one that is saturated, or held up behind a
//! slow statement such as a page deep in a large listing, fills up and the next
//! one takes the overflow. A connection that has closed (the server restarted,
//! the network dropped it) is replaced at its next use.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use deadpool_postgres::ClientWrapper;
use tokio_postgres::{Config, NoTls, Row};

use super::bind;
use crate::counted::Counted;
use crate::error::{Result, StoreError};
use crate::lock::lock;
use crate::value::Value;

/// Statements in flight on one connection before reads spill to the next.
const SPILL_AT: usize = 32;

pub(crate) struct Readers {
    config: Config,
    slots: Vec<Slot>,
}

#[derive(Default)]
struct Slot {
    /// The same wrapper the pool uses: the client with its prepared statements.
    /// Every critical section on it is one read or one replacement, so a
    /// poisoned lock still guards consistent data.
    current: Mutex<Option<Arc<ClientWrapper>>>,
    /// Held while connecting, so a burst of reads opens one connection, not many.
    connecting: tokio::sync::Mutex<()>,
    in_flight: AtomicUsize,
}

impl Readers {
    pub(crate) fn new(config: Config, connections: usize) -> Self {
        Readers {
            config,
            slots: (0..connections.max(1)).map(|_| Slot::default()).collect(),
        }
    }

    /// Runs `sql` on a shared connection and returns its rows.
    pub(crate) async fn rows(&self, sql: &str, params: &[Value<'_>]) -> Result<Vec<Row>> {
        let slot = self.pick();
        // In flight on its connection until answered, or dropped.
        let _in_flight = Counted::enter(&slot.in_flight);
        let reader = self.connected(slot).await?;
        let statement = reader
            .prepare_cached(sql)
            .await
            .map_err(StoreError::from_postgres)?;
        reader
            .query(&statement, &bind(params))
            .await
            .map_err(StoreError::from_postgres)
    }

    fn pick(&self) -> &Slot {
        let mut least = &self.slots[0];
        for slot in &self.slots {
            let n = slot.in_flight.load(Ordering::Relaxed);
            if n < SPILL_AT {
                return slot;
            }
            if n < least.in_flight.load(Ordering::Relaxed) {
                least = slot;
            }
        }
        least
    }

    async fn connected(&self, slot: &Slot) -> Result<Arc<ClientWrapper>> {
        if let Some(reader) = slot.open_reader() {
            return Ok(reader);
        }
        let _connecting = slot.connecting.lock().await;
        if let Some(reader) = slot.open_reader() {
            return Ok(reader);
        }
        let (client, connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(StoreError::from_postgres)?;
        let task = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "a shared PostgreSQL read connection closed");
            }
        });
        let reader = Arc::new(ClientWrapper::new(client, task));
        *lock(&slot.current) = Some(reader.clone());
        Ok(reader)
    }
}

impl Slot {
    fn open_reader(&self) -> Option<Arc<ClientWrapper>> {
        lock(&self.current)
            .as_ref()
            .filter(|r| !r.is_closed())
            .cloned()
    }
}
