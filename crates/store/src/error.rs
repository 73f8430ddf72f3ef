use thiserror::Error;

/// What can go wrong below the domain. Callers match on [`StoreError::Conflict`] to
/// turn a lost race on a unique key into a domain answer; everything else is an
/// internal error.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("a row with the same unique key already exists")]
    Conflict,
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The COMMIT of a group of SQLite transactions (`sqlite::writer`) failed, so
    /// none of them landed.
    #[error("SQLite: the commit failed: {0}")]
    CommitFailed(String),
    #[error("PostgreSQL: {}", postgres_detail(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL connection pool: {0}")]
    Pool(String),
    #[error("unexpected data in column {column}: {reason}")]
    Decode { column: usize, reason: String },
    #[error("migration {version} failed: {reason}")]
    Migration { version: i64, reason: String },
    #[error("expected one row, found none")]
    NotFound,
    #[error("backup: {0}")]
    Backup(String),
}

/// tokio-postgres displays server errors as just "db error"; the server's own
/// message is what says what went wrong.
fn postgres_detail(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        // Its own text names only the step ("error connecting to server");
        // the cause (connection refused, no such host) says what to fix.
        None => match std::error::Error::source(err) {
            Some(cause) => format!("{err}: {cause}"),
            None => err.to_string(),
        },
    }
}

impl StoreError {
    /// Classifies driver errors so unique-key races surface as `Conflict`.
    pub(crate) fn from_sqlite(err: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(code, _) = &err {
            let unique = code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY;
            if unique {
                return StoreError::Conflict;
            }
        }
        StoreError::Sqlite(err)
    }

    pub(crate) fn from_postgres(err: tokio_postgres::Error) -> Self {
        if err.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            return StoreError::Conflict;
        }
        StoreError::Postgres(err)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
