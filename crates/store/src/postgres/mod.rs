//! PostgreSQL through tokio-postgres: statements prepared once per connection and
//! reused. Reads that are one statement share a few pipelined connections
//! (`readers`); transactions and writes take a pooled connection each. Caller
//! facts are reused while the facts epoch says they cannot have changed
//! (`facts`).

mod facts;
mod readers;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use postgres_types::ToSql;

use crate::caller_cache::CallerCache;
use crate::error::{Result, StoreError};
use crate::value::{Cols, Query, Statement, Value};
use readers::Readers;

pub struct PgStore {
    pool: Pool,
    readers: Readers,
    /// Filed under the facts epoch they were read at.
    callers: CallerCache<i64>,
}

impl PgStore {
    pub fn open(url: &str, max_connections: usize, read_connections: usize) -> Result<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError::UnsupportedUrl(redact(url)))?;
        let readers = Readers::new(config.clone(), read_connections);
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections)
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        Ok(PgStore {
            pool,
            readers,
            callers: CallerCache::default(),
        })
    }

    pub(crate) fn pool_stats(&self) -> crate::PoolStats {
        let status = self.pool.status();
        crate::PoolStats {
            connections: status.size,
            in_use: status.size.saturating_sub(status.available),
            waiting: status.waiting,
        }
    }

    /// A read of one statement, on a shared connection.
    pub(crate) async fn all<T>(&self, q: &Query<'_, T>) -> Result<Vec<T>> {
        decode_all(&self.readers.rows(&q.sql, &q.params).await?, q)
    }

    pub(crate) async fn opt<T>(&self, q: &Query<'_, T>) -> Result<Option<T>> {
        let rows = self.readers.rows(&q.sql, &q.params).await?;
        rows.first()
            .map(|row| (q.decode)(&mut Cols::new(row)))
            .transpose()
    }

    pub(crate) async fn client(&self) -> Result<Object> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::from_postgres(e),
            other => StoreError::Pool(other.to_string()),
        })
    }
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match url.parse::<tokio_postgres::Config>() {
        Ok(cfg) => {
            let hosts = cfg.get_hosts().iter().enumerate().map(|(i, host)| {
                let host = match host {
                    tokio_postgres::config::Host::Tcp(name) => name.clone(),
                    tokio_postgres::config::Host::Unix(dir) => dir.display().to_string(),
                };
                // One port for all hosts, or one each.
                match cfg.get_ports().get(i).or(cfg.get_ports().first()) {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                }
            });
            format!(
                "postgres://{}@{}/{}",
                cfg.get_user().unwrap_or(""),
                hosts.collect::<Vec<_>>().join(","),
                cfg.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "postgres://…".to_owned(),
    }
}

fn bind<'a>(params: &'a [Value<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// Runs `sql` and returns its rows; decoding is the caller's.
pub(crate) async fn rows(
    client: &Object,
    sql: &str,
    params: &[Value<'_>],
) -> Result<Vec<tokio_postgres::Row>> {
    let stmt = client
        .prepare_cached(sql)
        .await
        .map_err(StoreError::from_postgres)?;
    client
        .query(&stmt, &bind(params))
        .await
        .map_err(StoreError::from_postgres)
}

pub(crate) async fn query_all<T>(client: &Object, q: &Query<'_, T>) -> Result<Vec<T>> {
    decode_all(&rows(client, &q.sql, &q.params).await?, q)
}

fn decode_all<T>(rows: &[tokio_postgres::Row], q: &Query<'_, T>) -> Result<Vec<T>> {
    rows.iter()
        .map(|row| (q.decode)(&mut Cols::new(row)))
        .collect()
}

pub(crate) async fn query_opt<T>(client: &Object, q: &Query<'_, T>) -> Result<Option<T>> {
    let stmt = client
        .prepare_cached(&q.sql)
        .await
        .map_err(StoreError::from_postgres)?;
    let row = client
        .query_opt(&stmt, &bind(&q.params))
        .await
        .map_err(StoreError::from_postgres)?;
    row.map(|row| (q.decode)(&mut Cols::new(&row))).transpose()
}

pub(crate) async fn execute(client: &Object, s: &Statement<'_>) -> Result<u64> {
    let stmt = client
        .prepare_cached(&s.sql)
        .await
        .map_err(StoreError::from_postgres)?;
    client
        .execute(&stmt, &bind(&s.params))
        .await
        .map_err(StoreError::from_postgres)
}

/// A transaction on one pooled connection.
pub struct PgTx {
    client: Option<Object>,
}

impl PgTx {
    pub(crate) async fn begin(client: Object) -> Result<Self> {
        client
            .batch_execute("BEGIN")
            .await
            .map_err(StoreError::from_postgres)?;
        Ok(PgTx {
            client: Some(client),
        })
    }

    pub(crate) fn client(&self) -> &Object {
        self.client
            .as_ref()
            .expect("transaction used after it ended")
    }

    pub(crate) async fn commit(mut self) -> Result<()> {
        let client = self.client.take().expect("transaction used after it ended");
        client
            .batch_execute("COMMIT")
            .await
            .map_err(StoreError::from_postgres)
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Dropped without commit (an error, or a cancelled request): roll back
            // before the connection goes back to the pool. Drop cannot wait, so a
            // task does it; if there is no runtime the connection is discarded.
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(async move {
                        if let Err(e) = client.batch_execute("ROLLBACK").await {
                            tracing::warn!(error = %e, "rollback of an abandoned transaction failed");
                            let _ = Object::take(client);
                        }
                    });
                }
                Err(_) => {
                    let _ = Object::take(client);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_redacted_url_reads_as_written_without_its_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example.com:5433/switchboard"),
            "postgres://app@db.example.com:5433/switchboard"
        );
        // The port connected to, even when the URL leaves it out.
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert!(!redact("postgresql://u:pw@h1:1,h2:2/d").contains("pw"));
        assert_eq!(
            redact("postgresql://u:pw@h1:1,h2:2/d"),
            "postgres://u@h1:1,h2:2/d"
        );
    }
}
