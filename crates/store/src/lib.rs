//! Switchboard's storage layer.
//!
//! [`Store`] is one interface over two databases: SQLite, the embedded default, and
//! PostgreSQL, for running several nodes. Queries are values ([`Query`],
//! [`Statement`]) written once in PostgreSQL's placeholder syntax and defined by
//! topic in the modules below; [`Store`] runs them outside a transaction and
//! [`Tx`] inside one. Where a database needs SQL of its own, the two versions sit
//! side by side in the topic module.
//!
//! `unsafe` is denied here and forbidden in every other crate of the workspace;
//! the one module allowed it is `sqlite::commit_watch`, which reads SQLite's
//! shared-memory WAL index (see DEVELOPERS.md, "Where `unsafe` is allowed").

#![deny(unsafe_code)]

mod caller_cache;
mod counted;
mod error;
mod lock;
mod migrate;
mod postgres;
mod sqlite;
mod thread_slot;
mod value;

pub mod access;
pub mod accounts;
pub mod addresses;
pub mod api_keys;
pub mod applications;
pub mod audit;
pub mod authorizations;
pub mod backup;
pub mod call_voice;
pub mod calls;
pub mod conferences;
pub mod connect_apps;
pub mod connect_codes;
pub mod console;
pub mod deliveries;
pub mod faults;
pub mod instance;
pub mod media;
pub mod message_feedback;
pub mod messages;
pub mod messaging_services;
pub mod notifications;
pub mod opt_outs;
pub mod outgoing_caller_ids;
pub mod page;
pub mod phone_numbers;
pub mod queues;
pub mod realtime_transcriptions;
pub mod recordings;
pub mod sandboxes;
pub mod sessions;
pub mod short_codes;
pub mod transcriptions;
pub mod usage;
pub mod usage_triggers;
pub mod users;

#[cfg(feature = "testing")]
pub mod testing;

use std::path::PathBuf;
use std::sync::Arc;

use switchboard_types::{AccountSid, Username};

pub use error::{Result, StoreError};
pub use migrate::SchemaState;
pub use value::{Cols, Decode, Query, Row, Statement, Value};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database. Cheap to clone; every clone shares the connections.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

// There is one per process, behind an `Arc`: the SQLite side's size costs nothing.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

/// Where a database URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite://relative.db`, `sqlite:///absolute.db`, `sqlite:file.db`, or a
    /// `postgres://` / `postgresql://` URL.
    pub fn parse(url: &str) -> Result<Self> {
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(url.to_owned()));
            }
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else {
            Err(StoreError::UnsupportedUrl(
                url.chars().take(40).collect::<String>(),
            ))
        }
    }

    /// A form safe to print: no password.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => postgres::redact(url),
        }
    }
}

/// How many connections to open.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    pub sqlite_readers: usize,
    pub postgres_connections: usize,
    /// Shared, pipelined connections for reads of one statement (see
    /// `postgres::readers`); the others serve transactions.
    pub postgres_read_connections: usize,
}

impl Default for PoolSize {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        PoolSize {
            sqlite_readers: cores + 2,
            postgres_connections: (cores * 4).max(8),
            postgres_read_connections: cores.max(2),
        }
    }
}

/// What the connections that run transactions are doing (SQLite's single
/// writer; PostgreSQL's pool), for monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub connections: usize,
    pub in_use: usize,
    /// Transactions waiting for a connection.
    pub waiting: usize,
}

impl Store {
    pub fn pool_stats(&self) -> PoolStats {
        match &*self.inner {
            Inner::Sqlite(s) => s.pool_stats(),
            Inner::Postgres(p) => p.pool_stats(),
        }
    }

    /// Opens the database and brings its schema up to date.
    pub async fn open(url: &DatabaseUrl, size: PoolSize) -> Result<Store> {
        let inner = match url {
            DatabaseUrl::Sqlite(path) => {
                Inner::Sqlite(sqlite::SqliteStore::open(path, size.sqlite_readers)?)
            }
            DatabaseUrl::Postgres(url) => Inner::Postgres(postgres::PgStore::open(
                url,
                size.postgres_connections,
                size.postgres_read_connections,
            )?),
        };
        let store = Store {
            inner: Arc::new(inner),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn all<T>(&self, q: Query<'_, T>) -> Result<Vec<T>> {
        match &*self.inner {
            Inner::Sqlite(s) => s.read(|c| sqlite::query_all(c, &q)),
            Inner::Postgres(p) => p.all(&q).await,
        }
    }

    pub async fn opt<T>(&self, q: Query<'_, T>) -> Result<Option<T>> {
        match &*self.inner {
            Inner::Sqlite(s) => s.read(|c| sqlite::query_opt(c, &q)),
            Inner::Postgres(p) => p.opt(&q).await,
        }
    }

    pub async fn one<T>(&self, q: Query<'_, T>) -> Result<T> {
        self.opt(q).await?.ok_or(StoreError::NotFound)
    }

    /// The facts an API request is authorised from (see [`access`]). `None` when
    /// the username names no account.
    pub async fn read_caller(
        &self,
        username: &Username,
        target: Option<&AccountSid>,
    ) -> Result<Option<Arc<access::CallerFacts>>> {
        match &*self.inner {
            Inner::Sqlite(s) => s.read_caller(username, target),
            Inner::Postgres(p) => p.read_caller(username, target).await,
        }
    }

    /// Runs a resource query with the caller's facts, in one round trip (see
    /// [`access`]). `None` when the username names no account.
    pub async fn read_folded<T>(
        &self,
        folded: access::Folded<'_, T>,
    ) -> Result<Option<access::FoldedRows<T>>> {
        match &*self.inner {
            Inner::Sqlite(s) => s.read_folded(folded),
            Inner::Postgres(p) => p.read_folded(folded).await,
        }
    }

    /// Runs one statement in its own transaction.
    pub async fn run(&self, s: Statement<'_>) -> Result<u64> {
        match &*self.inner {
            Inner::Sqlite(st) => {
                let tx = st.begin().await?;
                let n = sqlite::execute(tx.conn(), &s)?;
                tx.commit().await?;
                Ok(n)
            }
            Inner::Postgres(p) => postgres::execute(&p.client().await?, &s).await,
        }
    }

    /// Runs a query that writes (`INSERT … RETURNING`, `UPDATE … RETURNING`) in its
    /// own transaction.
    pub async fn write_all<T>(&self, q: Query<'_, T>) -> Result<Vec<T>> {
        match &*self.inner {
            Inner::Sqlite(st) => {
                let tx = st.begin().await?;
                let rows = sqlite::query_all(tx.conn(), &q)?;
                tx.commit().await?;
                Ok(rows)
            }
            Inner::Postgres(p) => postgres::query_all(&p.client().await?, &q).await,
        }
    }

    /// Whether the database answers and its schema is the one this build
    /// migrates to (for readiness checks).
    pub async fn schema_state(&self) -> Result<SchemaState> {
        migrate::state(self).await
    }

    /// Starts a write transaction. Dropping the [`Tx`] without [`Tx::commit`]
    /// rolls it back.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &*self.inner {
            Inner::Sqlite(s) => TxInner::Sqlite(s.begin().await?),
            Inner::Postgres(p) => {
                TxInner::Postgres(Box::new(postgres::PgTx::begin(p.client().await?).await?))
            }
        };
        Ok(Tx { inner })
    }
}

/// A write transaction: everything in it lands together or not at all.
pub struct Tx {
    inner: TxInner,
}

enum TxInner {
    Sqlite(sqlite::SqliteTx),
    // Boxed: the pooled connection is large, and a Tx moves through await points.
    Postgres(Box<postgres::PgTx>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match &self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn all<T>(&mut self, q: Query<'_, T>) -> Result<Vec<T>> {
        match &self.inner {
            TxInner::Sqlite(t) => sqlite::query_all(t.conn(), &q),
            TxInner::Postgres(t) => postgres::query_all(t.client(), &q).await,
        }
    }

    pub async fn opt<T>(&mut self, q: Query<'_, T>) -> Result<Option<T>> {
        match &self.inner {
            TxInner::Sqlite(t) => sqlite::query_opt(t.conn(), &q),
            TxInner::Postgres(t) => postgres::query_opt(t.client(), &q).await,
        }
    }

    pub async fn one<T>(&mut self, q: Query<'_, T>) -> Result<T> {
        self.opt(q).await?.ok_or(StoreError::NotFound)
    }

    pub async fn run(&mut self, s: Statement<'_>) -> Result<u64> {
        match &self.inner {
            TxInner::Sqlite(t) => sqlite::execute(t.conn(), &s),
            TxInner::Postgres(t) => postgres::execute(t.client(), &s).await,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await,
            TxInner::Postgres(t) => t.commit().await,
        }
    }

    /// Runs raw SQL (several statements, no parameters): migrations only.
    pub(crate) async fn batch(&mut self, sql: &str) -> Result<()> {
        match &self.inner {
            TxInner::Sqlite(t) => Ok(t.conn().execute_batch(sql)?),
            TxInner::Postgres(t) => t
                .client()
                .batch_execute(sql)
                .await
                .map_err(StoreError::from_postgres),
        }
    }
}

/// Column counts read from the databases themselves, for tests that check the
/// counts the store derives from its SQL (`value::column_count`).
#[cfg(all(test, feature = "testing"))]
impl Store {
    /// How many columns `sql` returns, as the database prepares it.
    async fn columns_of(&self, sql: &str) -> usize {
        match &*self.inner {
            Inner::Sqlite(s) => s
                .read(|c| {
                    let stmt = c
                        .prepare(&value::sqlite_placeholders(sql))
                        .map_err(StoreError::from_sqlite)?;
                    Ok(stmt.column_count())
                })
                .expect("SQLite prepares the statement"),
            Inner::Postgres(p) => {
                let client = p.client().await.expect("a connection");
                client
                    .prepare(sql)
                    .await
                    .expect("PostgreSQL prepares the statement")
                    .columns()
                    .len()
            }
        }
    }

    /// How many columns `q`'s decoder reads of its first row.
    async fn columns_decoded<T>(&self, q: &Query<'_, T>) -> usize {
        let mut read = None;
        let mut decode = |c: &mut Cols<'_>| -> Result<bool> {
            (q.decode)(c)?;
            read = Some(c.position());
            Ok(false)
        };
        match &*self.inner {
            Inner::Sqlite(s) => s
                .read(|c| sqlite::for_each_row(c, &q.sql, &q.params, &mut decode))
                .expect("the query runs"),
            Inner::Postgres(p) => {
                let client = p.client().await.expect("a connection");
                let rows = postgres::rows(&client, &q.sql, &q.params)
                    .await
                    .expect("the query runs");
                decode(&mut Cols::new(rows.first().expect("a row"))).expect("it decodes");
            }
        }
        read.expect("the query returned a row")
    }
}

#[cfg(all(test, feature = "testing"))]
mod column_counts {
    use super::*;
    use crate::testing::TestDb;
    use switchboard_types::{AccountType, Timestamp};

    // The counts the store derives from its SQL at compile time, against the
    // databases' own reading of that SQL; and the facts' decoder, which reads
    // by position, against the facts' columns (a folded row's resource starts
    // where it stops).
    on_both_backends!(
        derived_column_counts_are_the_databases_own,
        |db: TestDb| async move {
            let store = Store::open(&db.database_url(), PoolSize::default())
                .await
                .unwrap();
            for (sql, derived) in [
                messages::ROW,
                calls::ROW,
                notifications::ROW,
                media::ROW,
                access::FACTS,
                access::KEY_FACTS,
            ] {
                assert_eq!(store.columns_of(sql).await, derived, "{sql}");
            }

            let sid = AccountSid::generate();
            store
                .run(accounts::insert(&accounts::NewAccount {
                    sid: &sid,
                    owner_account_sid: &sid,
                    friendly_name: "columns",
                    account_type: AccountType::Full,
                    auth_token_mac: &[1; 32],
                    auth_token_sealed: &[2; 40],
                    now: Timestamp::from_seconds(1),
                }))
                .await
                .unwrap();
            let username = switchboard_types::Username::Account(sid.clone());
            let facts = access::caller(&username, None);
            assert_eq!(store.columns_decoded(&facts).await, access::FACTS.1);
        }
    );
}
