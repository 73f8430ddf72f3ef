//! The reader connections, each keeping one read transaction open for as long
//! as nothing commits.
//!
//! Every read transaction in WAL mode takes a shared lock on a slot of the WAL
//! index when it begins and drops it when it ends. SQLite counts these locks
//! per process and asks the kernel (`fcntl`) only when the count leaves or
//! reaches zero, which on a server answering one short read per request was
//! nearly every time: two system calls, and a contended mutex, per request
//! (docs/benchmarks.md, finding 13). So a reader begins a transaction and
//! keeps it while the commit stamp (`commit_watch`) is the one it began under:
//! an unchanged stamp means nothing committed since, by any connection of any
//! process, so the open snapshot is still the latest state and reads from it
//! are as current as a new transaction's.
//!
//! A snapshot of a WAL that is not yet copied back into the database holds
//! back checkpoints, and a checkpoint is what lets the WAL start again from
//! its beginning: if some reader always held such a snapshot, the WAL would
//! grow without bound. So snapshots are kept only while the WAL is shorter
//! than the point where SQLite checkpoints on its own (`KEEP_BELOW_FRAMES`),
//! or once it is all copied back (a snapshot then reads the database file
//! alone and holds nothing back); otherwise every statement is its own
//! transaction again, as SQLite's usual readers are. Since SQLite checkpoints
//! only when something commits, a sweeper thread checkpoints a long WAL that
//! is not all copied back whenever it finds one, so that a server that only
//! reads after a burst of writes keeps its snapshots. And no snapshot is kept
//! longer than `MAX_AGE`: the next read after that begins a new one, and the
//! sweeper ends those of idle connections, so a checkpoint asked for by hand
//! waits at most that long.

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::commit_watch::{CommitStamp, CommitWatch};
use crate::error::{Result, StoreError};
use crate::lock::lock;
use crate::thread_slot;

/// How long a snapshot may be reused, and how often idle ones are ended.
const MAX_AGE: Duration = Duration::from_millis(100);

/// SQLite checkpoints after a commit that leaves at least this many frames in
/// the WAL: the writer's `wal_autocheckpoint` (`SqliteStore::open`), four
/// times SQLite's default of 1,000, so a page written again and again is
/// copied back once per 16 MB of WAL rather than per 4 MB (docs/benchmarks.md,
/// finding 17).
pub(super) const KEEP_BELOW_FRAMES: u32 = 4000;

pub(super) struct Readers {
    slots: Arc<[Mutex<Reader>]>,
}

/// What a read needs to know of the WAL, from the commit watch.
#[derive(Debug, Clone, Copy)]
pub(super) struct Wal {
    pub(super) stamp: CommitStamp,
    pub(super) backfilled: u32,
}

impl Wal {
    pub(super) fn of(watch: &CommitWatch) -> Option<Wal> {
        Some(Wal {
            stamp: watch.stamp()?,
            backfilled: watch.backfilled(),
        })
    }

    /// Whether a snapshot taken now may be kept (see above).
    fn snapshot_may_be_kept(&self) -> bool {
        let frames = self.stamp.wal_frames();
        frames < KEEP_BELOW_FRAMES || self.backfilled >= frames
    }

    fn due_for_checkpoint(&self) -> bool {
        !self.snapshot_may_be_kept()
    }
}

struct Reader {
    conn: Connection,
    snapshot: Option<Snapshot>,
}

struct Snapshot {
    stamp: CommitStamp,
    began: Instant,
}

impl Readers {
    /// `conns` read; `checkpointer`, a connection with the watch it consults,
    /// checkpoints a long WAL that nothing else will (see above).
    pub(super) fn new(
        conns: Vec<Connection>,
        checkpointer: Option<(Arc<CommitWatch>, Connection)>,
    ) -> Readers {
        let slots: Arc<[Mutex<Reader>]> = conns
            .into_iter()
            .map(|conn| {
                Mutex::new(Reader {
                    conn,
                    snapshot: None,
                })
            })
            .collect();
        let weak = Arc::downgrade(&slots);
        // Without a thread the sweeper is missing, not the reads: a snapshot
        // is then ended at its connection's next read after MAX_AGE.
        let _ = std::thread::Builder::new()
            .name("sqlite-snapshots".to_owned())
            .spawn(move || sweep(weak, checkpointer));
        Readers { slots }
    }

    /// Runs `f` on a free reader connection, in a read transaction that sees
    /// everything committed before `wal` was read. Without it (a VFS without
    /// shared memory) each statement is a transaction of its own.
    pub(super) fn read<T>(
        &self,
        wal: Option<Wal>,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        let mut reader = self.take();
        reader.be_at(wal.filter(Wal::snapshot_may_be_kept).map(|w| w.stamp))?;
        f(&reader.conn)
    }

    /// This thread's own connection when it is free, which keeps the
    /// connection's memory in this core's cache, else any free one.
    fn take(&self) -> MutexGuard<'_, Reader> {
        let n = self.slots.len();
        let start = thread_slot::of(n);
        for i in 0..n {
            if let Ok(reader) = self.slots[(start + i) % n].try_lock() {
                return reader;
            }
        }
        // Every reader is busy (more threads than readers): wait for one. A reader
        // is only ever held for one synchronous query, so the wait is short. Its
        // state is checked before every use (`be_at`), so a poisoned lock is
        // still usable.
        lock(&self.slots[start])
    }
}

impl Reader {
    fn be_at(&mut self, stamp: Option<CommitStamp>) -> Result<()> {
        let current = match (&self.snapshot, stamp) {
            (Some(snapshot), Some(stamp)) => {
                snapshot.stamp == stamp
                    && snapshot.began.elapsed() < MAX_AGE
                    // SQLite ends a transaction itself after some errors.
                    && !self.conn.is_autocommit()
            }
            _ => false,
        };
        if current {
            return Ok(());
        }
        self.end();
        if let Some(stamp) = stamp {
            // Deferred: the snapshot is taken by the first read, after the
            // stamp, so it is never older than the stamp says.
            self.conn
                .execute_batch("BEGIN")
                .map_err(StoreError::from_sqlite)?;
            self.snapshot = Some(Snapshot {
                stamp,
                began: Instant::now(),
            });
        }
        Ok(())
    }

    fn end(&mut self) {
        self.snapshot = None;
        // Nothing was written, so nothing is lost either way; what matters is
        // that the connection leaves the transaction, or every later BEGIN on
        // it would fail.
        if !self.conn.is_autocommit() && self.conn.execute_batch("COMMIT").is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn sweep(slots: Weak<[Mutex<Reader>]>, checkpointer: Option<(Arc<CommitWatch>, Connection)>) {
    loop {
        std::thread::sleep(MAX_AGE);
        let Some(slots) = slots.upgrade() else {
            return;
        };
        if let Some((watch, checkpointer)) = &checkpointer
            && Wal::of(watch).is_some_and(|w| w.due_for_checkpoint())
        {
            // PASSIVE never waits: with a reader or the writer in the way it
            // copies what it can, and the next sweep tries again.
            if let Err(e) = checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            {
                tracing::debug!(error = %e, "checkpoint of a long WAL failed; trying again");
            }
        }
        for slot in slots.iter() {
            // A connection in use is ended by its own next read if it is old.
            if let Ok(mut reader) = slot.try_lock()
                && reader
                    .snapshot
                    .as_ref()
                    .is_some_and(|s| s.began.elapsed() >= MAX_AGE)
            {
                reader.end();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct World {
        _dir: tempfile::TempDir,
        writer: Connection,
        watch: Arc<CommitWatch>,
        readers: Readers,
    }

    fn world(checkpointer: bool) -> World {
        let (dir, path, writer) = super::super::commit_watch::tests::wal_database();
        let watch = Arc::new(CommitWatch::open(&path).unwrap());
        let checkpointer = checkpointer.then(|| (watch.clone(), Connection::open(&path).unwrap()));
        let readers = Readers::new(vec![Connection::open(&path).unwrap()], checkpointer);
        World {
            _dir: dir,
            writer,
            watch,
            readers,
        }
    }

    impl World {
        fn wal(&self) -> Option<Wal> {
            Wal::of(&self.watch)
        }

        fn count(&self, wal: Option<Wal>) -> i64 {
            self.readers
                .read(wal, |c| {
                    c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                        .map_err(StoreError::from_sqlite)
                })
                .unwrap()
        }

        /// Writes at least KEEP_BELOW_FRAMES frames, none of them checkpointed.
        fn lengthen_the_wal(&self) {
            self.writer
                .execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA busy_timeout = 0;")
                .unwrap();
            for v in 0..KEEP_BELOW_FRAMES {
                self.writer
                    .execute("INSERT INTO t VALUES (?1)", [v])
                    .unwrap();
            }
        }

        /// (busy, frames in the WAL, frames checkpointed)
        fn truncate(&self) -> (i64, i64, i64) {
            self.writer.pragma_update(None, "busy_timeout", 0).unwrap();
            self.writer
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .unwrap()
        }
    }

    #[test]
    fn a_snapshot_is_reused_only_while_nothing_commits() {
        let w = world(false);
        let before = w.wal();
        assert_eq!(w.count(before), 1);
        w.writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        // Under the stamp it began with, the open snapshot is what the reader
        // sees: this is the reuse, and why the stamp must be read fresh.
        assert_eq!(w.count(before), 1);
        // The stamp the commit left makes the next read see it.
        let after = w.wal();
        assert_ne!(after.unwrap().stamp, before.unwrap().stamp);
        assert_eq!(w.count(after), 2);
        // So does an old snapshot, whatever the stamp.
        w.writer.execute("INSERT INTO t VALUES (3)", []).unwrap();
        std::thread::sleep(MAX_AGE);
        assert_eq!(w.count(after), 3);
        // Without a stamp, every statement reads the latest state.
        w.writer.execute("INSERT INTO t VALUES (4)", []).unwrap();
        assert_eq!(w.count(None), 4);
    }

    #[test]
    fn idle_snapshots_do_not_hold_back_checkpoints() {
        let w = world(false);
        assert_eq!(w.count(w.wal()), 1);
        w.writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        std::thread::sleep(MAX_AGE * 3);
        // A reader still on the first snapshot would make it busy.
        assert_eq!(w.truncate(), (0, 0, 0));
    }

    #[test]
    fn no_snapshot_is_kept_while_a_long_wal_waits_for_a_checkpoint() {
        let w = world(false);
        w.lengthen_the_wal();
        let wal = w.wal();
        assert!(wal.unwrap().due_for_checkpoint());
        assert_eq!(w.count(wal), 1 + i64::from(KEEP_BELOW_FRAMES));
        // At once, not after MAX_AGE: the read kept nothing open.
        assert_eq!(w.truncate(), (0, 0, 0));
    }

    #[test]
    fn a_long_wal_is_checkpointed_once_writes_stop_and_snapshots_are_kept_again() {
        let w = world(true);
        w.lengthen_the_wal();
        let rows = 1 + i64::from(KEEP_BELOW_FRAMES);
        assert!(w.wal().unwrap().due_for_checkpoint());
        std::thread::sleep(MAX_AGE * 3);
        // The sweeper copied the WAL back; it is still long until a write
        // starts it again.
        let checkpointed = w.wal().unwrap();
        assert!(checkpointed.stamp.wal_frames() >= KEEP_BELOW_FRAMES);
        assert!(!checkpointed.due_for_checkpoint());
        assert_eq!(w.count(Some(checkpointed)), rows);
        // That snapshot was kept (read under the same stamp, it does not see
        // the next commit), and it held nothing back: the write that follows
        // starts the WAL again from its beginning.
        w.writer.execute("INSERT INTO t VALUES (0)", []).unwrap();
        assert_eq!(w.count(Some(checkpointed)), rows);
        assert!(w.wal().unwrap().stamp.wal_frames() < KEEP_BELOW_FRAMES);
        assert_eq!(w.count(w.wal()), rows + 1);
    }
}
