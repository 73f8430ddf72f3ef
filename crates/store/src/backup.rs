//! An online copy of a SQLite database, taken with SQLite's backup API while
//! the server goes on writing (`switchboard backup`).
//!
//! The copy is made in one step: in WAL mode that is one read transaction,
//! which writers do not wait for, so the copy is the database as of one
//! commit. Copying a few pages at a time would start over after every commit
//! by another connection, and might never finish under a steady write load.

use std::path::Path;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::error::{Result, StoreError};

/// Copies the SQLite database at `from` to the new file `to`.
pub fn sqlite(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        return Err(StoreError::Backup(format!(
            "{} already exists; a backup never overwrites a file",
            to.display()
        )));
    }
    // Not SQLITE_OPEN_CREATE: a wrong path is an error, not a new empty database.
    let source = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Backup(format!("cannot open {}: {e}", from.display())))?;
    source.busy_timeout(Duration::from_secs(30))?;
    // Written beside the target and renamed into place: a copy cut short is
    // never mistaken for a backup.
    let partial = to.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let result = copy(&source, &partial);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, to)
        .map_err(|e| StoreError::Backup(format!("cannot move the copy to {}: {e}", to.display())))
}

fn copy(source: &Connection, to: &Path) -> Result<()> {
    let mut target = Connection::open(to)?;
    {
        let backup = Backup::new(source, &mut target)?;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                // Another connection held a lock the copy needs: try again.
                StepResult::More | StepResult::Busy | StepResult::Locked => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }
    // A single file, readable without the server's WAL.
    target.pragma_update(None, "journal_mode", "DELETE")?;
    let check: String = target.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Backup(format!(
            "the copy failed its check: {check}"
        )));
    }
    Ok(())
}
