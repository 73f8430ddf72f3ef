//! The one SQLite writer connection, shared by write transactions that commit in
//! groups.
//!
//! SQLite has one writer at a time, and every COMMIT writes each page the
//! transaction changed to the WAL (and, every thousand pages, copies them on into
//! the database file). Concurrent requests mostly change the same few pages: the
//! tails of the outbox, the audit log and their indexes. Committed one by one,
//! every request wrote those pages again; that was most of the cost of a
//! revocation (docs/benchmarks.md, finding 11).
//!
//! So a transaction that finishes while others wait to begin does not COMMIT.
//! Each transaction runs inside its own savepoint, within one SQLite transaction
//! shared by the group; when it finishes it releases the savepoint into the
//! group's transaction, hands the writer on, and waits; the last one of the group
//! (no one waiting, or the group full) commits for all and tells the others how
//! it went. Each transaction is still all or nothing (a failed one rolls back to
//! its savepoint, leaving the others' work alone), none returns before the COMMIT
//! that makes it durable, and a failed COMMIT fails every transaction in it.
//! Readers, on their own connections, see none of a group until it commits.
//!
//! Whoever waits for a group's outcome also queues for the writer: if the
//! transactions it handed on to have all gone away (their requests cancelled),
//! it gets the writer back with its group still open and commits it itself, so a
//! group is never left open with nobody to commit it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rusqlite::Connection;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, watch};

use crate::counted::Counted;
use crate::error::{Result, StoreError};

/// The most transactions one COMMIT carries, which bounds how long the first of
/// a group waits for the others.
const MAX_GROUP: usize = 32;

/// A group's outcome, sent once to everyone in it: `None` until the COMMIT.
type Outcome = Option<std::result::Result<(), String>>;

pub(crate) struct Writer {
    shared: Arc<Shared>,
}

struct Shared {
    state: Arc<AsyncMutex<WriterState>>,
    /// Transactions waiting to begin, whom a finishing one leaves the group open
    /// for.
    waiting: AtomicUsize,
    next_group: AtomicU64,
}

struct WriterState {
    conn: Connection,
    group: Option<Group>,
}

struct Group {
    id: u64,
    /// Transactions that released their work into the group and wait for it.
    members: usize,
    outcome: watch::Sender<Outcome>,
}

impl Writer {
    /// Whether a transaction holds the writer, and how many wait to begin.
    pub(crate) fn usage(&self) -> (bool, usize) {
        (
            self.shared.state.try_lock().is_err(),
            self.shared.waiting.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn new(conn: Connection) -> Self {
        Writer {
            shared: Arc::new(Shared {
                state: Arc::new(AsyncMutex::new(WriterState { conn, group: None })),
                waiting: AtomicUsize::new(0),
                next_group: AtomicU64::new(0),
            }),
        }
    }

    /// Starts a write transaction (see the module's description).
    pub(crate) async fn begin(&self) -> Result<SqliteTx> {
        let mut state = {
            // Counted as waiting while it queues for the writer, also when cancelled there.
            let _waiting = Counted::enter(&self.shared.waiting);
            self.shared.state.clone().lock_owned().await
        };
        if state.group.is_some() && state.conn.is_autocommit() {
            // SQLite itself rolled the group's transaction back (an I/O error, a
            // full disk): finishing the group tells its members so.
            let _ = state.finish_group();
        }
        if state.group.is_none() {
            // IMMEDIATE takes the write lock now, so a transaction that reads then
            // writes cannot fail half-way because another process wrote in between.
            state.conn.execute_batch("BEGIN IMMEDIATE")?;
            let id = self.shared.next_group.fetch_add(1, Ordering::Relaxed);
            state.group = Some(Group {
                id,
                members: 0,
                outcome: watch::channel(None).0,
            });
        }
        if let Err(e) = state.conn.execute_batch("SAVEPOINT member") {
            let _ = leave(state, &self.shared);
            return Err(e.into());
        }
        Ok(SqliteTx {
            state: Some(state),
            shared: self.shared.clone(),
        })
    }
}

impl WriterState {
    /// Commits the group's transaction, unless SQLite already rolled it back,
    /// and tells its members how it went.
    fn finish_group(&mut self) -> Result<()> {
        let Some(group) = self.group.take() else {
            return Ok(());
        };
        let result = if self.conn.is_autocommit() {
            Err("SQLite rolled the transaction back".to_owned())
        } else {
            self.conn.execute_batch("COMMIT").map_err(|e| e.to_string())
        };
        if result.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        group.outcome.send_replace(Some(result.clone()));
        result.map_err(StoreError::CommitFailed)
    }
}

/// What a transaction does once its own work is released or undone.
enum Leave {
    /// Nothing more: its group was committed (or rolled back) just now.
    Done(Result<()>),
    /// Its group is open for those waiting; wait for its outcome.
    Wait {
        group: u64,
        outcome: watch::Receiver<Outcome>,
    },
}

/// Hands the writer on with the group open when someone waits for it and there
/// is room, otherwise ends the group now.
fn leave(mut state: OwnedMutexGuard<WriterState>, shared: &Shared) -> Leave {
    let Some(group) = state.group.as_ref() else {
        return Leave::Done(Ok(()));
    };
    if group.members == 0 {
        // No one's work is in it: nothing to commit.
        state.group = None;
        let _ = state.conn.execute_batch("ROLLBACK");
        return Leave::Done(Ok(()));
    }
    if shared.waiting.load(Ordering::SeqCst) > 0 && group.members < MAX_GROUP {
        return Leave::Wait {
            group: group.id,
            outcome: group.outcome.subscribe(),
        };
    }
    Leave::Done(state.finish_group())
}

/// Waits for the group's COMMIT; commits it if the writer comes back to this
/// transaction with the group still open.
async fn await_group(
    shared: &Shared,
    group: u64,
    mut outcome: watch::Receiver<Outcome>,
) -> Result<()> {
    loop {
        tokio::select! {
            biased;
            sent = outcome.wait_for(Option::is_some) => {
                return match sent.as_deref() {
                    Ok(Some(Ok(()))) => Ok(()),
                    Ok(Some(Err(e))) => Err(StoreError::CommitFailed(e.clone())),
                    _ => Err(StoreError::CommitFailed("the group was abandoned".to_owned())),
                };
            }
            mut state = shared.state.clone().lock_owned() => {
                if state.group.as_ref().is_some_and(|g| g.id == group) {
                    return state.finish_group();
                }
                // Someone else ended it; its outcome is there to read.
            }
        }
    }
}

/// A write transaction on the writer connection (see the module's description).
pub struct SqliteTx {
    /// `None` once committed.
    state: Option<OwnedMutexGuard<WriterState>>,
    shared: Arc<Shared>,
}

impl SqliteTx {
    pub(crate) fn conn(&self) -> &Connection {
        &self
            .state
            .as_ref()
            .expect("a transaction is used before it commits")
            .conn
    }

    pub(crate) async fn commit(mut self) -> Result<()> {
        let mut state = self.state.take().expect("a transaction commits only once");
        if let Err(e) = state.conn.execute_batch("RELEASE member") {
            // Dropped, the transaction undoes its work and hands the writer on.
            self.state = Some(state);
            return Err(e.into());
        }
        if let Some(group) = state.group.as_mut() {
            group.members += 1;
        }
        match leave(state, &self.shared) {
            Leave::Done(result) => result,
            Leave::Wait { group, outcome } => await_group(&self.shared, group, outcome).await,
        }
    }
}

/// Rolls the current transaction's own work back, leaving the group's.
fn undo(state: &mut WriterState) {
    if state.conn.is_autocommit() {
        return;
    }
    if let Err(e) = state
        .conn
        .execute_batch("ROLLBACK TO member; RELEASE member")
    {
        tracing::warn!(error = %e, "rolling back an abandoned SQLite transaction failed");
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if let Some(mut state) = self.state.take() {
            undo(&mut state);
            // Whoever the group is handed to (or, failing them, a member waiting
            // for it) commits it; this transaction has nothing to wait for.
            if let Leave::Done(Err(e)) = leave(state, &self.shared) {
                tracing::warn!(error = %e, "committing a group after an abandoned transaction failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::path::PathBuf;
    use std::pin::{Pin, pin};
    use std::task::{Context, Poll, Waker};

    use super::*;

    /// A writer on a WAL database with a table `t`, whose `parent` column is a
    /// foreign key checked only at COMMIT.
    fn database() -> (tempfile::TempDir, PathBuf, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA foreign_keys = ON;
             CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE t (id INTEGER PRIMARY KEY,
                 parent INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);",
        )
        .unwrap();
        (dir, path, Writer::new(conn))
    }

    fn rows(path: &PathBuf) -> Vec<i64> {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn.prepare("SELECT id FROM t ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn groups(writer: &Writer) -> u64 {
        writer.shared.next_group.load(Ordering::Relaxed)
    }

    fn poll_once<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// Runs `transaction` for the ids `0..n`, each on a task of its own, all at
    /// once, and waits for every one to succeed.
    async fn at_once<F, T>(writer: &Arc<Writer>, n: i64, transaction: F)
    where
        F: Fn(Arc<Writer>, i64) -> T,
        T: Future<Output = Result<()>> + Send + 'static,
    {
        let tasks: Vec<_> = (0..n)
            .map(|id| tokio::spawn(transaction(writer.clone(), id)))
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    }

    async fn insert(writer: &Writer, id: i64, parent: Option<i64>) -> Result<()> {
        let tx = writer.begin().await?;
        tx.conn()
            .execute("INSERT INTO t (id, parent) VALUES (?1, ?2)", (id, parent))?;
        // Let the other transactions queue for the writer meanwhile.
        tokio::task::yield_now().await;
        tx.commit().await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_transactions_all_land_in_fewer_commits() {
        let (_dir, path, writer) = database();
        let writer = Arc::new(writer);
        at_once(&writer, 200, |writer, id| async move {
            insert(&writer, id, None).await
        })
        .await;
        assert_eq!(rows(&path), (0..200).collect::<Vec<_>>());
        let groups = groups(&writer);
        assert!(groups < 100, "200 transactions took {groups} commits");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_abandoned_transaction_leaves_the_rest_of_its_group() {
        let (_dir, path, writer) = database();
        let writer = Arc::new(writer);
        at_once(&writer, 90, |writer, id| async move {
            let tx = writer.begin().await?;
            tx.conn().execute("INSERT INTO t (id) VALUES (?1)", [id])?;
            tokio::task::yield_now().await;
            if id % 3 == 0 {
                drop(tx); // rolled back
                Ok(())
            } else {
                tx.commit().await
            }
        })
        .await;
        let expected: Vec<i64> = (0..90).filter(|id| id % 3 != 0).collect();
        assert_eq!(rows(&path), expected);
    }

    #[tokio::test]
    async fn a_failed_commit_fails_every_transaction_in_the_group() {
        let (_dir, path, writer) = database();
        // A holds the writer; B and C queue behind it, so A's work waits in the
        // group for theirs, and C's row breaks a foreign key checked at COMMIT.
        let mut a = pin!(insert(&writer, 1, None));
        let mut b = pin!(insert(&writer, 2, None));
        let mut c = pin!(insert(&writer, 3, Some(99)));
        assert!(poll_once(a.as_mut()).is_pending()); // at its yield, holding the writer
        assert!(poll_once(b.as_mut()).is_pending());
        assert!(poll_once(c.as_mut()).is_pending());
        let (a, b, c) = tokio::join!(a, b, c);
        for result in [a, b, c] {
            assert!(
                matches!(result, Err(StoreError::CommitFailed(_))),
                "{result:?}"
            );
        }
        assert!(rows(&path).is_empty());
        // The writer is usable again.
        insert(&writer, 4, None).await.unwrap();
        assert_eq!(rows(&path), [4]);
    }

    /// A writes row 1 and finishes while B queues for the writer, so A hands its
    /// group on to B and waits: A's commit and B's begin, both pending.
    async fn handed_on(
        writer: &Writer,
    ) -> (
        Pin<Box<impl Future<Output = Result<()>>>>,
        Pin<Box<impl Future<Output = Result<SqliteTx>> + '_>>,
    ) {
        let a = writer.begin().await.unwrap();
        a.conn()
            .execute("INSERT INTO t (id) VALUES (1)", [])
            .unwrap();
        let mut b = Box::pin(writer.begin());
        assert!(poll_once(b.as_mut()).is_pending());
        let mut a_commit = Box::pin(a.commit());
        assert!(poll_once(a_commit.as_mut()).is_pending());
        (a_commit, b)
    }

    #[tokio::test]
    async fn a_group_handed_to_a_cancelled_waiter_is_committed_by_its_member() {
        let (_dir, path, writer) = database();
        let (a_commit, b) = handed_on(&writer).await;
        // B's request goes away before it ever runs.
        drop(b);
        tokio::time::timeout(std::time::Duration::from_secs(10), a_commit)
            .await
            .expect("A's group was left open with nobody to commit it")
            .unwrap();
        assert_eq!(rows(&path), [1]);
        assert_eq!(writer.shared.waiting.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_group_whose_last_transaction_is_abandoned_still_commits() {
        let (_dir, path, writer) = database();
        let (a_commit, b) = handed_on(&writer).await;
        // B gets the writer, writes, and is dropped without committing.
        let b = b.await.unwrap();
        b.conn()
            .execute("INSERT INTO t (id) VALUES (2)", [])
            .unwrap();
        drop(b);
        a_commit.await.unwrap();
        assert_eq!(rows(&path), [1]);
    }
}
