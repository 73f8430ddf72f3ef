//! Caller facts on PostgreSQL, reused while the facts epoch is unchanged.
//!
//! Reading the facts is six index lookups joined to the resource; on the
//! benchmark's shared cores that was half of PostgreSQL's work per fetch
//! (finding 12 in docs/benchmarks.md). Nodes share no memory, but they share
//! the database: the one-row table `facts_epoch` is bumped by triggers in the
//! same transaction as any change to the rows facts are read from (an account's
//! status, type, owner or tokens; a grant; an app's permissions or owner: see
//! migration 0007). So a repeated caller's request reads the epoch beside the
//! resource, in one statement and one snapshot, and when it is the epoch its
//! facts were read at, nothing they came from has changed since, on any node.
//! When it is not, the request reads facts and resource again, folded, with the
//! new epoch. A revocation is still refused by the very next request everywhere,
//! and nothing is ever invalidated by hand.

use std::sync::Arc;

use switchboard_types::AccountSid;

use super::PgStore;
use crate::access::{self, CallerFacts, Folded, FoldedRows};
use crate::error::Result;
use crate::value::Cols;

/// The one-row table whose `n` moves with every change to caller facts.
macro_rules! epoch_table {
    () => {
        "facts_epoch"
    };
}
const EPOCH: &str = epoch_table!();
const EPOCH_COLUMN: &str = concat!(epoch_table!(), ".n");
const EPOCH_ALONE: &str = concat!("SELECT n FROM ", epoch_table!());

impl PgStore {
    /// The caller facts alone: those last read when the epoch has not moved
    /// since, otherwise read again with the new epoch.
    pub(crate) async fn read_caller(
        &self,
        username: &AccountSid,
        target: Option<&AccountSid>,
    ) -> Result<Option<Arc<CallerFacts>>> {
        if let Some((epoch, facts)) = self.callers.latest(username, target) {
            let now = self.readers.rows(EPOCH_ALONE, &[]).await?;
            if now.first().map(|row| Cols::new(row).int()).transpose()? == Some(epoch) {
                return Ok(Some(facts));
            }
        }
        let query = access::caller(username, target);
        let sql = access::beside_resource(EPOCH_COLUMN, EPOCH, &query.sql, None);
        let rows = self.readers.rows(&sql, &query.params).await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let mut c = Cols::new(row);
        let epoch = c.int()?;
        if c.peek_text_is_null()? {
            return Ok(None);
        }
        let facts = Arc::new((query.decode)(&mut c)?);
        self.callers.put(epoch, username, target, facts.clone());
        Ok(Some(facts))
    }

    /// Runs a resource query with the caller's facts, in one round trip when
    /// nothing they depend on has changed, two when it has (see the module).
    pub(crate) async fn read_folded<T>(
        &self,
        folded: Folded<'_, T>,
    ) -> Result<Option<FoldedRows<T>>> {
        let (username, target) = (folded.username, folded.target);
        if let Some((epoch, facts)) = self.callers.latest(username, target) {
            let resource = &folded.resource;
            let sql = access::beside_resource(
                EPOCH_COLUMN,
                EPOCH,
                &resource.sql,
                resource.order.as_deref(),
            );
            let rows = self.readers.rows(&sql, &resource.params).await?;
            let mut now = None;
            let mut items = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut c = Cols::new(row);
                now = Some(c.int()?);
                if !c.peek_text_is_null()? {
                    items.push((resource.decode)(&mut c)?);
                }
            }
            if now == Some(epoch) {
                return Ok(Some((facts, items)));
            }
        }
        self.read_folded_afresh(username, target, folded).await
    }

    async fn read_folded_afresh<T>(
        &self,
        username: &AccountSid,
        target: Option<&AccountSid>,
        folded: Folded<'_, T>,
    ) -> Result<Option<FoldedRows<T>>> {
        let (query, mut collector) = folded.into_query(Some(EPOCH));
        let mut epoch = None;
        for row in self.readers.rows(&query.sql, &query.params).await? {
            let mut c = Cols::new(&row);
            epoch = Some(c.int()?);
            collector.take(&mut c)?;
        }
        let found = collector.finish();
        if let (Some(epoch), Some((facts, _))) = (epoch, &found) {
            self.callers.put(epoch, username, target, facts.clone());
        }
        Ok(found)
    }
}
