//! Query parameters and result rows, shared by both databases.
//!
//! A query is written once, in PostgreSQL's `$1` placeholder syntax, with its
//! parameters as [`Value`]s and a decoder reading [`Cols`]; each backend binds and
//! reads them with its own driver.

use std::error::Error as StdError;

use bytes::BytesMut;
use postgres_types::{IsNull, ToSql, Type, to_sql_checked};
use rusqlite::types::{ToSqlOutput, ValueRef};
use switchboard_types::{
    AccountSid, AddressRequirement, AddressSid, AnsweredBy, ApiKeyKind, ApiKeySid, ApplicationSid,
    CallDirection, CallEvents, CallSid, CallStatus, ConferenceSid, ConnectAppSid, DeliverySid,
    FeedbackOutcome, HookMethod, MediaSid, MessageDirection, MessageSid, MessageStatus,
    MessagingServiceSid, NotificationLevel, NotificationSid, NumberType, OutgoingCallerIdSid,
    PauseBehavior, PhoneNumberSid, QueueSid, RealtimeTranscriptionSid, RealtimeTranscriptionStatus,
    RecordingSid, RecordingSource, RecordingStatus, RecordingTrack, SandboxSid, ShortCodeSid,
    Timestamp, TranscriptionSid, TranscriptionStatus, TranscriptionTrack, TriggerField,
    TriggerRecurring, UsageCategory, UsageTriggerSid,
};

use crate::error::{Result, StoreError};

/// One bound parameter.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
    Bool(bool),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(v)
    }
}
impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Text(v)
    }
}
impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(v: &'a [u8]) -> Self {
        Value::Bytes(v)
    }
}
impl<'a> From<&'a Vec<u8>> for Value<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<Timestamp> for Value<'_> {
    fn from(v: Timestamp) -> Self {
        Value::Int(v.micros())
    }
}
/// SIDs are bound as their text.
macro_rules! sid_values {
    ($($sid:ty),+) => {$(
        impl<'a> From<&'a $sid> for Value<'a> {
            fn from(v: &'a $sid) -> Self {
                Value::Text(v.as_str())
            }
        }
    )+};
}
sid_values!(
    AccountSid,
    ConnectAppSid,
    CallSid,
    ConferenceSid,
    MediaSid,
    MessageSid,
    PhoneNumberSid,
    RecordingSid,
    ApplicationSid,
    NotificationSid,
    MessagingServiceSid,
    DeliverySid,
    SandboxSid,
    ApiKeySid,
    UsageTriggerSid,
    AddressSid,
    OutgoingCallerIdSid,
    ShortCodeSid,
    QueueSid,
    TranscriptionSid,
    RealtimeTranscriptionSid
);

/// Closed sets are bound as the Twilio string the column holds.
macro_rules! enum_values {
    ($($enum:ty),+) => {$(
        impl From<$enum> for Value<'_> {
            fn from(v: $enum) -> Self {
                Value::Text(v.as_str())
            }
        }
    )+};
}
enum_values!(
    ApiKeyKind,
    CallEvents,
    CallStatus,
    CallDirection,
    MessageStatus,
    MessageDirection,
    RecordingStatus,
    RecordingSource,
    AnsweredBy,
    HookMethod,
    NumberType,
    NotificationLevel,
    UsageCategory,
    TriggerRecurring,
    TriggerField,
    AddressRequirement,
    FeedbackOutcome,
    RecordingTrack,
    PauseBehavior,
    TranscriptionStatus,
    RealtimeTranscriptionStatus,
    TranscriptionTrack
);
impl<'a, T> From<Option<T>> for Value<'a>
where
    T: Into<Value<'a>>,
{
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds a `Vec<Value>` from anything convertible.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::Value::from($value)),*]
    };
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Bytes(v) => ValueRef::Blob(v),
            Value::Bool(v) => ValueRef::Integer(i64::from(v)),
        }))
    }
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        // PostgreSQL types its parameters from the statement, so a NULL needs no
        // type of its own; every other value defers to the driver's encoding.
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Text(v) => v.to_sql(ty, out),
            Value::Bytes(v) => v.to_sql(ty, out),
            Value::Bool(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A result row of either driver, read by column index.
pub trait Row {
    fn int(&self, idx: usize) -> Result<Option<i64>>;
    fn text(&self, idx: usize) -> Result<Option<String>>;
    fn bytes(&self, idx: usize) -> Result<Option<Vec<u8>>>;
    fn boolean(&self, idx: usize) -> Result<Option<bool>>;
}

fn decode_err(column: usize, reason: impl ToString) -> StoreError {
    StoreError::Decode {
        column,
        reason: reason.to_string(),
    }
}

impl Row for rusqlite::Row<'_> {
    fn int(&self, idx: usize) -> Result<Option<i64>> {
        self.get(idx).map_err(|e| decode_err(idx, e))
    }
    fn text(&self, idx: usize) -> Result<Option<String>> {
        self.get(idx).map_err(|e| decode_err(idx, e))
    }
    fn bytes(&self, idx: usize) -> Result<Option<Vec<u8>>> {
        self.get(idx).map_err(|e| decode_err(idx, e))
    }
    fn boolean(&self, idx: usize) -> Result<Option<bool>> {
        self.get(idx).map_err(|e| decode_err(idx, e))
    }
}

impl Row for tokio_postgres::Row {
    fn int(&self, idx: usize) -> Result<Option<i64>> {
        self.try_get(idx).map_err(|e| decode_err(idx, e))
    }
    fn text(&self, idx: usize) -> Result<Option<String>> {
        self.try_get(idx).map_err(|e| decode_err(idx, e))
    }
    fn bytes(&self, idx: usize) -> Result<Option<Vec<u8>>> {
        self.try_get(idx).map_err(|e| decode_err(idx, e))
    }
    fn boolean(&self, idx: usize) -> Result<Option<bool>> {
        self.try_get(idx).map_err(|e| decode_err(idx, e))
    }
}

/// Reads the columns of a row in order, so a decoder lists fields in the same order
/// as its `SELECT` and never counts indexes by hand.
pub struct Cols<'r> {
    row: &'r dyn Row,
    next: usize,
}

impl<'r> Cols<'r> {
    pub fn new(row: &'r dyn Row) -> Self {
        Cols { row, next: 0 }
    }

    fn advance(&mut self) -> usize {
        let idx = self.next;
        self.next += 1;
        idx
    }

    fn required<T>(
        &mut self,
        value: impl FnOnce(&dyn Row, usize) -> Result<Option<T>>,
    ) -> Result<T> {
        let idx = self.advance();
        value(self.row, idx)?.ok_or_else(|| decode_err(idx, "unexpected NULL"))
    }

    pub fn int(&mut self) -> Result<i64> {
        self.required(|r, i| r.int(i))
    }
    pub fn opt_int(&mut self) -> Result<Option<i64>> {
        let idx = self.advance();
        self.row.int(idx)
    }
    pub fn text(&mut self) -> Result<String> {
        self.required(|r, i| r.text(i))
    }
    pub fn opt_text(&mut self) -> Result<Option<String>> {
        let idx = self.advance();
        self.row.text(idx)
    }
    pub fn bytes(&mut self) -> Result<Vec<u8>> {
        self.required(|r, i| r.bytes(i))
    }
    pub fn opt_bytes(&mut self) -> Result<Option<Vec<u8>>> {
        let idx = self.advance();
        self.row.bytes(idx)
    }
    pub fn boolean(&mut self) -> Result<bool> {
        self.required(|r, i| r.boolean(i))
    }
    pub fn timestamp(&mut self) -> Result<Timestamp> {
        self.int().map(Timestamp::from_micros)
    }
    pub fn opt_timestamp(&mut self) -> Result<Option<Timestamp>> {
        Ok(self.opt_int()?.map(Timestamp::from_micros))
    }

    /// Parses a column with `parse`, reporting failures as decode errors.
    pub fn parsed<T, E: ToString>(
        &mut self,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Result<T> {
        let idx = self.next;
        let text = self.text()?;
        parse(&text).map_err(|e| decode_err(idx, e))
    }

    pub fn opt_parsed<T, E: ToString>(
        &mut self,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Result<Option<T>> {
        let idx = self.next;
        match self.opt_text()? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).map_err(|e| decode_err(idx, e)),
        }
    }

    /// Whether the next column is NULL, read as TEXT, without consuming it.
    pub(crate) fn peek_text_is_null(&self) -> Result<bool> {
        Ok(self.row.text(self.next)?.is_none())
    }

    /// Skips columns this decoder does not need.
    pub fn skip(&mut self, n: usize) {
        self.next += n;
    }

    /// The index of the next column to be read.
    pub(crate) fn position(&self) -> usize {
        self.next
    }

    /// Goes on reading at column `at` (a position an earlier row reached).
    pub(crate) fn skip_to(&mut self, at: usize) {
        self.next = at;
    }
}

/// Turns one row into a value.
pub type Decode<T> = fn(&mut Cols<'_>) -> Result<T>;

/// A statement that returns rows, with its parameters and decoder.
pub struct Query<'a, T> {
    pub(crate) sql: std::borrow::Cow<'static, str>,
    pub(crate) params: Vec<Value<'a>>,
    pub(crate) decode: Decode<T>,
    /// The `ORDER BY` of a list query (unqualified column names), restated when
    /// the query is folded into another.
    pub(crate) order: Option<String>,
}

impl<'a, T> Query<'a, T> {
    pub fn new(sql: &'static str, params: Vec<Value<'a>>, decode: Decode<T>) -> Self {
        Query {
            sql: sql.into(),
            params,
            decode,
            order: None,
        }
    }

    /// A query whose text is assembled at run time (filters chosen per request).
    /// Only ever built from fixed fragments, never from user input.
    pub fn dynamic(sql: String, params: Vec<Value<'a>>, decode: Decode<T>) -> Self {
        Query {
            sql: sql.into(),
            params,
            decode,
            order: None,
        }
    }

    pub(crate) fn ordered_by(mut self, order: String) -> Self {
        self.order = Some(order);
        self
    }
}

/// A statement that returns no rows.
pub struct Statement<'a> {
    pub(crate) sql: std::borrow::Cow<'static, str>,
    pub(crate) params: Vec<Value<'a>>,
}

impl<'a> Statement<'a> {
    pub fn new(sql: &'static str, params: Vec<Value<'a>>) -> Self {
        Statement {
            sql: sql.into(),
            params,
        }
    }

    /// See [`Query::dynamic`].
    pub fn dynamic(sql: String, params: Vec<Value<'a>>) -> Self {
        Statement {
            sql: sql.into(),
            params,
        }
    }
}

/// `prefix` followed by `rows` groups of `columns` numbered placeholders:
/// `($1, $2), ($3, $4)`. Both databases take one multi-row `INSERT` far faster
/// than as many single ones.
pub(crate) fn multi_row_insert(prefix: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * columns * 6);
    sql.push_str(prefix);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for col in 0..columns {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * columns + col + 1));
        }
        sql.push(')');
    }
    sql
}

/// How many columns a column list (`a, b AS c`) or a `SELECT … FROM …` names:
/// its commas outside parentheses, plus one. A `const fn`, so that counts kept
/// beside a list (placeholders of a bulk insert, the columns facts take in a
/// folded row) are derived from the list at compile time and cannot drift from
/// it. Quoted text would hide commas, so it does not compile.
pub(crate) const fn column_count(sql: &str) -> usize {
    let b = sql.as_bytes();
    let mut i = if bytes_at(b, 0, b"SELECT ") { 7 } else { 0 };
    let mut depth = 0usize;
    let mut columns = 1;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' if depth > 0 => depth -= 1,
            b',' if depth == 0 => columns += 1,
            b' ' if depth == 0 && bytes_at(b, i, b" FROM ") => return columns,
            b'\'' | b'"' => panic!("column_count: quoted text would hide its commas"),
            _ => {}
        }
        i += 1;
    }
    columns
}

/// The highest `$N` in `sql`: how many parameters it takes.
pub(crate) const fn placeholder_count(sql: &str) -> usize {
    let b = sql.as_bytes();
    let (mut i, mut highest) = (0, 0);
    while i < b.len() {
        if b[i] == b'$' {
            let mut n = 0;
            while i + 1 < b.len() && b[i + 1].is_ascii_digit() {
                n = n * 10 + (b[i + 1] - b'0') as usize;
                i += 1;
            }
            if n > highest {
                highest = n;
            }
        }
        i += 1;
    }
    highest
}

const fn bytes_at(haystack: &[u8], at: usize, needle: &[u8]) -> bool {
    if at + needle.len() > haystack.len() {
        return false;
    }
    let mut i = 0;
    while i < needle.len() {
        if haystack[at + i] != needle[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Rewrites `$N` placeholders to SQLite's `?N`, which binds by the same number.
pub(crate) fn sqlite_placeholders(sql: &str) -> String {
    // Runs on every query (a folded read is a few kilobytes of SQL): copy the runs
    // between `$` signs whole rather than char by char.
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let numbered = rest.as_bytes().get(at + 1).is_some_and(u8::is_ascii_digit);
        out.push(if numbered { '?' } else { '$' });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_multi_row_placeholders_in_order() {
        assert_eq!(
            multi_row_insert("INSERT INTO t (a, b) VALUES ", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }

    #[test]
    fn counts_columns_outside_parentheses_up_to_from() {
        assert_eq!(column_count("a"), 1);
        assert_eq!(column_count("a, b_c, d"), 3);
        assert_eq!(
            column_count(
                "SELECT coalesce(a, b) AS x, t.c FROM t JOIN u ON (t.a, t.b) = (u.a, u.b)"
            ),
            2
        );
        assert_eq!(column_count("SELECT a, b FROM t WHERE c IN (1, 2, 3)"), 2);
    }

    #[test]
    fn counts_placeholders_by_the_highest() {
        assert_eq!(placeholder_count("SELECT 1"), 0);
        assert_eq!(placeholder_count("a = $2 AND b = $1"), 2);
        assert_eq!(placeholder_count("a = $12 AND b = $3"), 12);
    }

    #[test]
    fn rewrites_numbered_placeholders_only() {
        assert_eq!(
            sqlite_placeholders("SELECT a FROM t WHERE b = $2 AND c = $1 AND d = '$x'"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?1 AND d = '$x'"
        );
    }
}
