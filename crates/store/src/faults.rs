//! Fault rules of sandboxes (sandbox mode): what the next matching API
//! requests made with a sandbox's credentials answer instead.

use switchboard_types::Timestamp;

use crate::{Query, Statement, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRecord {
    pub sid: String,
    pub sandbox_sid: String,
    /// Upper case, or `*`.
    pub method: String,
    pub path: String,
    pub status: Option<i64>,
    pub code: Option<i64>,
    pub message: Option<String>,
    pub delay_ms: i64,
    pub count: i64,
    pub remaining: i64,
    pub date_created: Timestamp,
}

macro_rules! fault_columns {
    () => {
        "sid, sandbox_sid, method, path, status, code, message, delay_ms, count, remaining, \
         date_created"
    };
}

fn decode(c: &mut crate::Cols<'_>) -> crate::Result<FaultRecord> {
    Ok(FaultRecord {
        sid: c.text()?,
        sandbox_sid: c.text()?,
        method: c.text()?,
        path: c.text()?,
        status: c.opt_int()?,
        code: c.opt_int()?,
        message: c.opt_text()?,
        delay_ms: c.int()?,
        count: c.int()?,
        remaining: c.int()?,
        date_created: c.timestamp()?,
    })
}

pub fn insert(f: &FaultRecord) -> Statement<'_> {
    Statement::new(
        concat!(
            "INSERT INTO sandbox_faults (",
            fault_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ),
        params![
            f.sid.as_str(),
            f.sandbox_sid.as_str(),
            f.method.as_str(),
            f.path.as_str(),
            f.status,
            f.code,
            f.message.as_deref(),
            f.delay_ms,
            f.count,
            f.remaining,
            f.date_created
        ],
    )
}

/// A sandbox's rules with failures left, oldest first (the order they are
/// tried in). A sandbox has a handful: no paging.
pub fn active(sandbox: &str) -> Query<'_, FaultRecord> {
    Query::new(
        concat!(
            "SELECT ",
            fault_columns!(),
            " FROM sandbox_faults WHERE sandbox_sid = $1 AND remaining > 0 \
             ORDER BY date_created, sid LIMIT 1000"
        ),
        params![sandbox],
        decode,
    )
}

/// Takes one of a rule's failures, if it has one left: in one statement, so
/// two requests (on any nodes) never take the same one. 0 rows: spent.
pub fn take<'a>(sandbox: &'a str, sid: &'a str) -> Statement<'a> {
    Statement::new(
        "UPDATE sandbox_faults SET remaining = remaining - 1 \
         WHERE sandbox_sid = $1 AND sid = $2 AND remaining > 0",
        params![sandbox, sid],
    )
}

/// Clears a sandbox's rules (`DELETE …/Faults.json`, and when the sandbox is
/// reset or deleted).
pub fn clear(sandbox: &str) -> Statement<'_> {
    Statement::new(
        "DELETE FROM sandbox_faults WHERE sandbox_sid = $1",
        params![sandbox],
    )
}
