use thiserror::Error;

/// What can go wrong below the domain. Callers match on [`StoreError::Conflict`] to
/// turn a lost race on a unique key into a domain answer, and ask
/// [`StoreError::is_retryable`] whether running the whole transaction again may
/// succeed; everything else is an internal error.
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
    /// PostgreSQL rolled the transaction back so that another could go on:
    /// `deadlock detected` (SQLSTATE 40P01) or a serialization failure
    /// (40001). Nothing of it landed; the same transaction run again from
    /// its first statement may well succeed.
    #[error("PostgreSQL gave up the transaction for another: {}", postgres_detail(.0))]
    Retryable(tokio_postgres::Error),
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
        match err.code().map(classify) {
            Some(Class::UniqueKey) => StoreError::Conflict,
            Some(Class::Retryable) => StoreError::Retryable(err),
            Some(Class::Other) | None => StoreError::Postgres(err),
        }
    }

    /// Whether the transaction this came from was given up for another one,
    /// so that running it again from the start may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Retryable(_))
    }
}

/// What a PostgreSQL error code means to the store's callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    UniqueKey,
    Retryable,
    Other,
}

fn classify(code: &tokio_postgres::error::SqlState) -> Class {
    use tokio_postgres::error::SqlState;
    if *code == SqlState::UNIQUE_VIOLATION {
        Class::UniqueKey
    } else if *code == SqlState::T_R_DEADLOCK_DETECTED
        || *code == SqlState::T_R_SERIALIZATION_FAILURE
    {
        Class::Retryable
    } else {
        Class::Other
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::{Class, classify};
    use tokio_postgres::error::SqlState;

    #[test]
    fn deadlocks_and_serialization_failures_are_retryable() {
        for (code, class) in [
            ("40P01", Class::Retryable),
            ("40001", Class::Retryable),
            ("23505", Class::UniqueKey),
            // Neighbours that running again would not mend.
            ("40002", Class::Other),
            ("40003", Class::Other),
            ("25P02", Class::Other),
            ("55P03", Class::Other),
            ("23503", Class::Other),
            ("57014", Class::Other),
        ] {
            assert_eq!(classify(&SqlState::from_code(code)), class, "{code}");
        }
    }
}
