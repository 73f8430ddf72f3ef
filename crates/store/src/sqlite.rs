//! SQLite, through rusqlite, called synchronously on the request's own thread.
//!
//! Reads are a few microseconds; handing them to another thread (sqlx, or
//! `spawn_blocking`) costs more than the read itself (see docs/benchmarks.md). So
//! readers are a small set of connections taken without waiting, and the single
//! writer connection sits behind an async mutex that a transaction holds until it
//! is done: SQLite allows one writer at a time anyway, and waiting for it must not
//! block a runtime thread. Transactions finishing while others wait commit
//! together (`writer`).

// The one module of the workspace allowed `unsafe`: it maps SQLite's WAL-index
// header through the VFS (`xShmMap`, an FFI call) and reads that shared memory
// with atomic loads, which is what lets a request skip the read transaction
// when nothing has committed. No safe API of rusqlite exposes that memory.
#[allow(unsafe_code)]
mod commit_watch;
mod readers;
mod writer;

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};
use switchboard_types::{AccountSid, Username};

use crate::access::{self, CallerFacts, Folded, FoldedRows};
use crate::caller_cache::CallerCache;
use crate::error::{Result, StoreError};
use crate::value::{Cols, Query, Statement, Value, sqlite_placeholders};
use commit_watch::{CommitStamp, CommitWatch};
use readers::{Readers, Wal};
pub use writer::SqliteTx;
use writer::Writer;

const STATEMENT_CACHE: usize = 256;

pub struct SqliteStore {
    writer: Writer,
    readers: Readers,
    /// Tells whether anything committed since caller facts were read; without it
    /// (a VFS without shared memory) every request reads them.
    commits: Option<Arc<CommitWatch>>,
    callers: CallerCache<CommitStamp>,
}

fn configure(conn: &Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Without the query planner stability guarantee, SQLite marks a statement
    // with a join and a bound WHERE value for re-planning whenever its bindings
    // are cleared, which the statement cache does on every reuse: each request
    // re-parsed its folded query (over 40% of a request's CPU, see
    // docs/benchmarks.md). Our plans never depend on bound values (equality on
    // keys, no LIKE, no sqlite_stat tables), so nothing is lost.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // WAL keeps readers and the writer out of each other's way, and with
    // synchronous=NORMAL a committed transaction survives kill -9 (only an OS
    // crash can lose the last few). Each transaction of a group commit is a
    // savepoint, whose journal (the copy of every page it first changes,
    // only ever read to roll that savepoint back) is kept in memory rather
    // than written to a temporary file (docs/benchmarks.md, finding 18).
    conn.execute_batch(
        "PRAGMA busy_timeout = 5000;
         PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA temp_store = MEMORY;",
    )?;
    Ok(())
}

impl SqliteStore {
    /// The one writer connection is SQLite's transaction pool.
    pub(crate) fn pool_stats(&self) -> crate::PoolStats {
        let (busy, waiting) = self.writer.usage();
        crate::PoolStats {
            connections: 1,
            in_use: usize::from(busy),
            waiting,
        }
    }

    pub fn open(path: &Path, readers: usize) -> Result<Self> {
        let writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        writer.pragma_update(None, "wal_autocheckpoint", readers::KEEP_BELOW_FRAMES)?;
        let readers = (0..readers.max(1))
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&conn)?;
                conn.pragma_update(None, "query_only", true)?;
                Ok(conn)
            })
            .collect::<Result<Vec<_>>>()?;
        let commits = CommitWatch::open(path).map(Arc::new);
        if commits.is_none() {
            tracing::warn!(
                "cannot watch the SQLite file's WAL index; every API request will read its caller's facts"
            );
        }
        let checkpointer = match &commits {
            Some(watch) => Some((watch.clone(), Connection::open(path)?)),
            None => None,
        };
        Ok(SqliteStore {
            writer: Writer::new(writer),
            readers: Readers::new(readers, checkpointer),
            commits,
            callers: CallerCache::default(),
        })
    }

    /// The WAL as of now: the stamp that files caller facts, and what a read
    /// needs to know to reuse its snapshot. Read once per request and used for
    /// both.
    fn wal(&self) -> Option<Wal> {
        self.commits.as_deref().and_then(Wal::of)
    }

    /// The caller facts alone, read again only when something committed since
    /// they were last read (see `caller_cache`).
    pub(crate) fn read_caller(
        &self,
        username: &Username,
        target: Option<&AccountSid>,
    ) -> Result<Option<Arc<CallerFacts>>> {
        let wal = self.wal();
        let stamp = wal.map(|w| w.stamp);
        if let Some(facts) = stamp.and_then(|s| self.callers.get(s, username, target)) {
            return Ok(Some(facts));
        }
        let facts = self
            .readers
            .read(wal, |c| query_opt(c, &access::caller(username, target)))?
            .map(Arc::new);
        self.remember(stamp, username, target, facts.as_ref());
        Ok(facts)
    }

    /// A resource with the caller's facts: the resource alone when the facts are
    /// still those last read, otherwise both in one statement.
    pub(crate) fn read_folded<T>(&self, folded: Folded<'_, T>) -> Result<Option<FoldedRows<T>>> {
        let (username, target) = (folded.username, folded.target);
        let wal = self.wal();
        let stamp = wal.map(|w| w.stamp);
        if let Some(facts) = stamp.and_then(|s| self.callers.get(s, username, target)) {
            let rows = self.readers.read(wal, |c| query_all(c, &folded.resource))?;
            return Ok(Some((facts, rows)));
        }
        let (query, mut rows) = folded.into_query(None);
        self.readers.read(wal, |c| {
            for_each_row(c, &query.sql, &query.params, |row| rows.take(row))
        })?;
        let found = rows.finish();
        self.remember(stamp, username, target, found.as_ref().map(|(f, _)| f));
        Ok(found)
    }

    fn remember(
        &self,
        stamp: Option<CommitStamp>,
        username: &Username,
        target: Option<&AccountSid>,
        facts: Option<&Arc<CallerFacts>>,
    ) {
        if let (Some(stamp), Some(facts)) = (stamp, facts) {
            self.callers.put(stamp, username, target, facts.clone());
        }
    }

    /// Runs `f` on a free reader connection, seeing every commit made before
    /// the call.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.readers.read(self.wal(), f)
    }

    pub(crate) async fn begin(&self) -> Result<SqliteTx> {
        self.writer.begin().await
    }
}

fn bind<'a>(params: &'a [Value<'a>]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(params.iter())
}

/// Runs `sql` and hands each row to `f`; stops early when `f` says so.
pub(crate) fn for_each_row(
    conn: &Connection,
    sql: &str,
    params: &[Value<'_>],
    mut f: impl FnMut(&mut Cols<'_>) -> Result<bool>,
) -> Result<()> {
    let sql = sqlite_placeholders(sql);
    let mut stmt = conn.prepare_cached(&sql).map_err(StoreError::from_sqlite)?;
    let mut rows = stmt.query(bind(params)).map_err(StoreError::from_sqlite)?;
    while let Some(row) = rows.next().map_err(StoreError::from_sqlite)? {
        if !f(&mut Cols::new(row))? {
            break;
        }
    }
    Ok(())
}

pub(crate) fn query_all<T>(conn: &Connection, q: &Query<'_, T>) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for_each_row(conn, &q.sql, &q.params, |c| {
        out.push((q.decode)(c)?);
        Ok(true)
    })?;
    Ok(out)
}

pub(crate) fn query_opt<T>(conn: &Connection, q: &Query<'_, T>) -> Result<Option<T>> {
    let mut out = None;
    for_each_row(conn, &q.sql, &q.params, |c| {
        out = Some((q.decode)(c)?);
        Ok(false)
    })?;
    Ok(out)
}

pub(crate) fn execute(conn: &Connection, s: &Statement<'_>) -> Result<u64> {
    let sql = sqlite_placeholders(&s.sql);
    let mut stmt = conn.prepare_cached(&sql).map_err(StoreError::from_sqlite)?;
    let n = stmt
        .execute(bind(&s.params))
        .map_err(StoreError::from_sqlite)?;
    Ok(n as u64)
}
