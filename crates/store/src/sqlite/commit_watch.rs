//! Knowing, without a transaction, whether anything committed to a SQLite file.
//!
//! Beginning a read transaction is most of what a small SQLite read costs under
//! load (file locks, and a process-wide mutex held across `fcntl`: see finding 2
//! in docs/benchmarks.md). In WAL mode every commit, by any connection in any
//! process, ends by writing the WAL-index header in the shared-memory file, and
//! that header changes with every commit (a counter, the last frame, the salts
//! and a checksum). So an unchanged header proves that the database is exactly as
//! it was when the header was last read, which is what lets the caller facts be
//! reused safely (`caller_cache`): a revocation or a rotated token, committed
//! here or by the CLI in another process, changes the header before the commit
//! returns, so the very next request reads the facts again.
//!
//! The header is read the way SQLite's own readers read it
//! (`walIndexTryHdr`, format: <https://www.sqlite.org/walformat.html>): copy 0,
//! a barrier, copy 1; the writer writes them in the opposite order, so equal
//! copies are a consistent header. The mapping comes from SQLite itself, through
//! the VFS's `xShmMap` on a connection kept open only for that, so it is the very
//! memory SQLite writes, for as long as this value lives.

use std::ffi::{CStr, c_int, c_void};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering, fence};

use rusqlite::{Connection, OpenFlags, ffi};

/// The one wal-index layout SQLite has used since 3.7.0 (`WALINDEX_MAX_VERSION`).
const WALINDEX_VERSION: u32 = 3_007_000;
/// Size of a wal-index region, which `xShmMap` must be asked for in.
const WALINDEX_REGION: c_int = 32_768;
/// A `WalIndexHdr` is 48 bytes: 12 words.
const HEADER_WORDS: usize = 12;

/// The state of the database as of one commit: equal stamps, same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CommitStamp([u32; HEADER_WORDS]);

impl CommitStamp {
    /// Frames in the WAL (the header's `mxFrame`): 0 right after the WAL was
    /// reset.
    pub(crate) fn wal_frames(&self) -> u32 {
        self.0[4]
    }
}

pub(crate) struct CommitWatch {
    /// Region 0 of the wal-index, as SQLite mapped it: two copies of the header.
    header: NonNull<AtomicU32>,
    /// Keeps the mapping alive; never used after opening.
    _conn: Mutex<Connection>,
}

// SAFETY: `header` points into shared memory that stays mapped as long as
// `_conn` is open, and is only ever read, through atomic loads.
unsafe impl Send for CommitWatch {}
unsafe impl Sync for CommitWatch {}

impl CommitWatch {
    /// Maps the wal-index of the database at `path`, which must already be in WAL
    /// mode. `None` when it cannot be (another VFS, an unknown layout): callers
    /// then read the database every time, as without a watch.
    pub(crate) fn open(path: &Path) -> Option<CommitWatch> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        // Asking a database in rollback mode for its wal-index would create one.
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .ok()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return None;
        }
        // A first read opens the WAL and maps region 0 of the wal-index.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .ok()?;
        let header = map_region_zero(&conn)?;
        let watch = CommitWatch {
            header,
            _conn: Mutex::new(conn),
        };
        let words = watch.copy(0);
        (words[0] == WALINDEX_VERSION).then_some(watch)
    }

    /// The stamp of the last commit; `None` while a commit is writing the header
    /// (or the header is not initialised), when the caller must read the database.
    pub(crate) fn stamp(&self) -> Option<CommitStamp> {
        let first = self.copy(0);
        fence(Ordering::Acquire);
        let second = self.copy(1);
        let initialised = first[3].to_ne_bytes()[0] != 0;
        (first == second && initialised).then_some(CommitStamp(first))
    }

    /// How far the WAL has been copied back into the database file (the
    /// checkpoint information's `nBackfill`, right after the two header
    /// copies). One word written by checkpoints, read without their lock: a
    /// hint, good for deciding whether to keep a snapshot, not for data.
    pub(crate) fn backfilled(&self) -> u32 {
        // SAFETY: as in `copy`: word 24 is the first word after the headers,
        // inside region 0.
        unsafe { self.header.add(2 * HEADER_WORDS).as_ref() }.load(Ordering::Acquire)
    }

    fn copy(&self, which: usize) -> [u32; HEADER_WORDS] {
        let base = which * HEADER_WORDS;
        std::array::from_fn(|i| {
            // SAFETY: region 0 is 32 KiB and the two header copies are its first
            // 96 bytes; `header` is aligned (mmap'd) and stays mapped (see above).
            unsafe { self.header.add(base + i).as_ref() }.load(Ordering::Acquire)
        })
    }
}

fn map_region_zero(conn: &Connection) -> Option<NonNull<AtomicU32>> {
    const MAIN: &CStr = c"main";
    let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
    let mut region: *mut c_void = std::ptr::null_mut();
    // SAFETY: `conn` is open and used by this thread alone here; the file pointer
    // SQLite returns lives as long as the connection, and `xShmMap` with
    // `bExtend = 0` only returns a region that already exists.
    unsafe {
        let rc = ffi::sqlite3_file_control(
            conn.handle(),
            MAIN.as_ptr(),
            ffi::SQLITE_FCNTL_FILE_POINTER,
            (&mut file as *mut *mut ffi::sqlite3_file).cast(),
        );
        if rc != ffi::SQLITE_OK || file.is_null() || (*file).pMethods.is_null() {
            return None;
        }
        let methods = &*(*file).pMethods;
        if methods.iVersion < 2 {
            return None;
        }
        let rc = (methods.xShmMap?)(file, 0, WALINDEX_REGION, 0, &mut region);
        if rc != ffi::SQLITE_OK {
            return None;
        }
    }
    NonNull::new(region.cast::<AtomicU32>())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A database in WAL mode with a table `t` of one row, and its writer.
    pub(in crate::sqlite) fn wal_database() -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("watch.db");
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer
            .execute_batch("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
        (dir, path, writer)
    }

    #[test]
    fn the_stamp_moves_with_every_commit_and_only_then() {
        let (_dir, path, writer) = wal_database();
        let watch = CommitWatch::open(&path).expect("a WAL database can be watched");
        let before = watch.stamp().unwrap();
        // Reads, by any connection, leave it where it is.
        let reader = Connection::open(&path).unwrap();
        let _: i64 = reader
            .query_row("SELECT sum(v) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(watch.stamp(), Some(before));

        // A commit from another connection (as another process would) moves it.
        writer.execute("UPDATE t SET v = 2", []).unwrap();
        let after_update = watch.stamp().unwrap();
        assert_ne!(after_update, before);

        // An update that rewrites the same bytes changes no page, so SQLite
        // commits no frame: the data, and the stamp, are as they were.
        writer.execute("UPDATE t SET v = 2", []).unwrap();
        assert_eq!(watch.stamp(), Some(after_update));
        writer.execute("INSERT INTO t VALUES (5)", []).unwrap();
        let after_insert = watch.stamp().unwrap();
        assert_ne!(after_insert, after_update);

        // A rolled-back transaction commits nothing.
        writer
            .execute_batch("BEGIN IMMEDIATE; UPDATE t SET v = 3; ROLLBACK;")
            .unwrap();
        assert_eq!(watch.stamp(), Some(after_insert));
        // A checkpoint that resets the WAL moves it too, although no data changed
        // (one needless read of the facts, never a stale one).
        writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let checkpointed = watch.stamp().unwrap();
        // The next commit after a checkpoint restarts the WAL from its first
        // frame; the salts tell it apart from every earlier state.
        writer.execute("UPDATE t SET v = 4", []).unwrap();
        let restarted = watch.stamp().unwrap();
        assert_ne!(restarted, checkpointed);
        assert_ne!(restarted, before);
        assert_ne!(restarted, after_update);
    }

    #[test]
    fn a_database_not_in_wal_mode_is_not_watched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollback.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (v INTEGER)")
            .unwrap();
        assert!(CommitWatch::open(&path).is_none());
        assert!(
            !dir.path().join("rollback.db-shm").exists(),
            "looking left no wal-index behind"
        );
    }
}
