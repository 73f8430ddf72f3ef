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
//! An open read transaction holds back checkpoints. A checkpoint is what
//! lets the WAL start again from its beginning, and if some reader always
//! held a snapshot the WAL would grow without bound. So snapshots are kept
//! only while the WAL is shorter than the point where SQLite checkpoints on
//! its own (`KEEP_BELOW_FRAMES`); past it every statement is its own
//! transaction again, as SQLite's usual readers are, until a checkpoint has
//! reset the WAL. And none is kept longer than `MAX_AGE`: the next read after
//! that begins a new one, and a sweeper thread ends those of idle connections,
//! so a checkpoint asked for by hand waits at most that long.

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::commit_watch::CommitStamp;
use crate::error::{Result, StoreError};
use crate::thread_slot;

/// How long a snapshot may be reused, and how often idle ones are ended.
const MAX_AGE: Duration = Duration::from_millis(100);

/// SQLite checkpoints after a commit that leaves at least this many frames in
/// the WAL (`wal_autocheckpoint`, whose default Switchboard keeps).
const KEEP_BELOW_FRAMES: u32 = 1000;

pub(super) struct Readers {
    slots: Arc<[Mutex<Reader>]>,
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
    pub(super) fn new(conns: Vec<Connection>) -> Readers {
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
            .spawn(move || sweep(weak));
        Readers { slots }
    }

    /// Runs `f` on a free reader connection, in a read transaction that sees
    /// everything committed before `stamp` was taken. Without a stamp (a VFS
    /// without shared memory) each statement is a transaction of its own.
    pub(super) fn read<T>(
        &self,
        stamp: Option<CommitStamp>,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        let mut reader = self.take();
        reader.be_at(stamp)?;
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
        // is only ever held for one synchronous query, so the wait is short.
        lock(&self.slots[start])
    }
}

impl Reader {
    fn be_at(&mut self, stamp: Option<CommitStamp>) -> Result<()> {
        let stamp = stamp.filter(|s| s.wal_frames() < KEEP_BELOW_FRAMES);
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
        if self.snapshot.take().is_some() && !self.conn.is_autocommit() {
            // A read-only transaction: ending it cannot fail in a way that
            // loses anything, and the next BEGIN would report a connection
            // still in a transaction.
            let _ = self.conn.execute_batch("COMMIT");
        }
    }
}

fn sweep(slots: Weak<[Mutex<Reader>]>) {
    loop {
        std::thread::sleep(MAX_AGE);
        let Some(slots) = slots.upgrade() else {
            return;
        };
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

fn lock(slot: &Mutex<Reader>) -> MutexGuard<'_, Reader> {
    // A reader's state is checked before every use (`be_at`), so a poisoned
    // lock is still usable.
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::super::commit_watch::CommitWatch;
    use super::*;

    struct World {
        _dir: tempfile::TempDir,
        writer: Connection,
        watch: CommitWatch,
        readers: Readers,
    }

    fn world() -> World {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("readers.db");
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer
            .execute_batch("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
        let watch = CommitWatch::open(&path).unwrap();
        let readers = Readers::new(vec![Connection::open(&path).unwrap()]);
        World {
            _dir: dir,
            writer,
            watch,
            readers,
        }
    }

    fn count(w: &World, stamp: Option<CommitStamp>) -> i64 {
        w.readers
            .read(stamp, |c| {
                c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                    .map_err(StoreError::from_sqlite)
            })
            .unwrap()
    }

    #[test]
    fn a_snapshot_is_reused_only_while_nothing_commits() {
        let w = world();
        let before = w.watch.stamp();
        assert_eq!(count(&w, before), 1);
        w.writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        // Under the stamp it began with, the open snapshot is what the reader
        // sees: this is the reuse, and why the stamp must be taken fresh.
        assert_eq!(count(&w, before), 1);
        // The stamp the commit left makes the next read see it.
        let after = w.watch.stamp();
        assert_ne!(after, before);
        assert_eq!(count(&w, after), 2);
        // So does an old snapshot, whatever the stamp.
        w.writer.execute("INSERT INTO t VALUES (3)", []).unwrap();
        std::thread::sleep(MAX_AGE);
        assert_eq!(count(&w, after), 3);
        // Without a stamp, every statement reads the latest state.
        w.writer.execute("INSERT INTO t VALUES (4)", []).unwrap();
        assert_eq!(count(&w, None), 4);
    }

    #[test]
    fn no_snapshot_is_kept_while_the_wal_is_due_for_a_checkpoint() {
        let w = world();
        w.writer
            .execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA busy_timeout = 0;")
            .unwrap();
        for v in 0..KEEP_BELOW_FRAMES {
            w.writer.execute("INSERT INTO t VALUES (?1)", [v]).unwrap();
        }
        let stamp = w.watch.stamp();
        assert!(stamp.unwrap().wal_frames() >= KEEP_BELOW_FRAMES);
        assert_eq!(count(&w, stamp), 1 + i64::from(KEEP_BELOW_FRAMES));
        // At once, not after MAX_AGE: the read kept nothing open.
        let outcome: (i64, i64, i64) = w
            .writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(outcome, (0, 0, 0));
    }

    #[test]
    fn idle_snapshots_do_not_hold_back_checkpoints() {
        let w = world();
        assert_eq!(count(&w, w.watch.stamp()), 1);
        w.writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        w.writer.pragma_update(None, "busy_timeout", 0).unwrap();
        std::thread::sleep(MAX_AGE * 3);
        // busy, frames in the WAL, frames checkpointed: a reader still on the
        // first snapshot would make it busy.
        let outcome: (i64, i64, i64) = w
            .writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(outcome, (0, 0, 0));
    }
}
