//! Schema migrations, applied in order when a store opens. Each migration has a
//! SQLite and a PostgreSQL version (their DDL differs in types only) and both must
//! describe the same tables; the one exception is PostgreSQL's facts epoch
//! (0007), which SQLite does not need.

use crate::error::{Result, StoreError};
use crate::{Backend, Query, Statement, Store, params};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_accounts"),
    migration!(2, "0002_connect"),
    migration!(3, "0003_console"),
    migration!(4, "0004_deliveries"),
    migration!(5, "0005_telephony"),
    migration!(6, "0006_message_status"),
    migration!(7, "0007_facts_epoch"),
    migration!(8, "0008_sign_in_throttle"),
    migration!(9, "0009_inbound_messages"),
    migration!(10, "0010_messaging_services"),
    migration!(11, "0011_notifications"),
    migration!(12, "0012_message_media"),
    migration!(13, "0013_sandboxes"),
    migration!(14, "0014_sandbox_faults"),
    migration!(15, "0015_call_events"),
    migration!(16, "0016_applications"),
    migration!(17, "0017_call_voice"),
    migration!(18, "0018_sandbox_clocks"),
    migration!(19, "0019_connect_redirects"),
    migration!(20, "0020_recordings_amd"),
    migration!(21, "0021_connect_codes"),
    migration!(22, "0022_api_keys"),
    migration!(23, "0023_usage_triggers"),
    migration!(24, "0024_call_peers"),
    migration!(25, "0025_console_details"),
    migration!(26, "0026_addresses"),
    // 27 is another branch's.
    migration!(28, "0028_caller_ids_short_codes_feedback"),
    migration!(29, "0029_queues"),
    migration!(30, "0030_conferences"),
    migration!(31, "0031_recording_control_transcriptions"),
    migration!(32, "0032_realtime_transcriptions"),
    migration!(33, "0033_conference_recordings"),
    migration!(34, "0034_conference_documents"),
];

/// A fixed key so that nodes starting together on one PostgreSQL migrate one at a
/// time.
const MIGRATION_LOCK: i64 = 0x5357_4254_4348;

pub(crate) async fn run(store: &Store) -> Result<()> {
    let mut tx = store.begin().await?;
    if tx.backend() == Backend::Postgres {
        tx.batch(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
    }
    tx.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .await?;
    let applied: Vec<i64> = tx
        .all(Query::new(
            "SELECT version FROM schema_migrations ORDER BY version",
            vec![],
            |c| c.int(),
        ))
        .await?;
    if let Some(&newest) = applied.last() {
        let known = MIGRATIONS.last().map_or(0, |m| m.version);
        if newest > known {
            return Err(StoreError::Migration {
                version: newest,
                reason: format!(
                    "the database was migrated by a newer Switchboard (schema {newest}, this build knows up to {known})"
                ),
            });
        }
    }
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let sql = match tx.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        tx.batch(sql).await.map_err(|e| StoreError::Migration {
            version: m.version,
            reason: e.to_string(),
        })?;
        tx.run(Statement::new(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            params![m.version, m.name, switchboard_types::Timestamp::now()],
        ))
        .await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    tx.commit().await
}

/// How the database's schema compares with the migrations this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaState {
    /// Every migration this build knows is applied, and no newer one.
    Current,
    /// Some of this build's migrations are not applied: `applied` of `known`.
    Behind { applied: i64, known: i64 },
    /// A newer Switchboard migrated the database (to `newest`).
    Ahead { newest: i64, known: i64 },
}

/// Reads the applied migrations: one short query, which also proves the database
/// answers.
pub(crate) async fn state(store: &Store) -> Result<SchemaState> {
    let (count, newest) = store
        .one(Query::new(
            "SELECT COUNT(*), COALESCE(MAX(version), 0) FROM schema_migrations",
            vec![],
            |c| Ok((c.int()?, c.int()?)),
        ))
        .await?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    Ok(if newest > known {
        SchemaState::Ahead { newest, known }
    } else if newest < known || count < MIGRATIONS.len() as i64 {
        SchemaState::Behind {
            applied: count,
            known: MIGRATIONS.len() as i64,
        }
    } else {
        SchemaState::Current
    })
}
