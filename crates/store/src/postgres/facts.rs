//! Caller facts on PostgreSQL, reused while the facts epoch is unchanged.
//!
//! Reading the facts is six index lookups joined to the resource; on the
//! benchmark's shared cores that was half of PostgreSQL's work per fetch
//! (finding 12 in docs/benchmarks.md). Nodes share no memory, but they share
//! the database: the one-row table `facts_epoch` is bumped by triggers in the
//! same transaction as any change to the rows facts are read from (an account's
//! status, type, owner or tokens; a grant; an app's permissions or owner: see
//! migration 0007). So a repeated caller's request reads the epoch beside the
//! resource, in one statement and one snapshot, and when it is the epoch its
//! facts were read at, nothing they came from has changed since, on any node.
//! When it is not, the request reads facts and resource again, folded, with the
//! new epoch. A revocation is still refused by the very next request everywhere,
//! and nothing is ever invalidated by hand.

use std::sync::Arc;

use switchboard_types::{AccountSid, Username};

use super::PgStore;
use crate::access::{self, CallerFacts, Folded, FoldedRows};
use crate::error::Result;
use crate::value::Cols;

/// The one-row table whose `n` moves with every change to caller facts.
macro_rules! epoch_table {
    () => {
        "facts_epoch"
    };
}
const EPOCH: &str = epoch_table!();
const EPOCH_COLUMN: &str = concat!(epoch_table!(), ".n");
const EPOCH_ALONE: &str = concat!("SELECT n FROM ", epoch_table!());

impl PgStore {
    /// The caller facts alone: those last read when the epoch has not moved
    /// since, otherwise read again with the new epoch.
    pub(crate) async fn read_caller(
        &self,
        username: &Username,
        target: Option<&AccountSid>,
    ) -> Result<Option<Arc<CallerFacts>>> {
        if let Some((epoch, facts)) = self.callers.latest(username, target) {
            let now = self.readers.rows(EPOCH_ALONE, &[]).await?;
            if now.first().map(|row| Cols::new(row).int()).transpose()? == Some(epoch) {
                return Ok(Some(facts));
            }
        }
        let query = access::caller(username, target);
        let sql = access::beside_resource(EPOCH_COLUMN, EPOCH, &query.sql, None);
        let rows = self.readers.rows(&sql, &query.params).await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let mut c = Cols::new(row);
        let epoch = c.int()?;
        if c.peek_text_is_null()? {
            return Ok(None);
        }
        let facts = Arc::new((query.decode)(&mut c)?);
        self.callers.put(epoch, username, target, facts.clone());
        Ok(Some(facts))
    }

    /// Runs a resource query with the caller's facts, in one round trip when
    /// nothing they depend on has changed, two when it has (see the module).
    pub(crate) async fn read_folded<T>(
        &self,
        folded: Folded<'_, T>,
    ) -> Result<Option<FoldedRows<T>>> {
        let (username, target) = (folded.username, folded.target);
        if let Some((epoch, facts)) = self.callers.latest(username, target) {
            let resource = &folded.resource;
            let sql = access::beside_resource(
                EPOCH_COLUMN,
                EPOCH,
                &resource.sql,
                resource.order.as_deref(),
            );
            let rows = self.readers.rows(&sql, &resource.params).await?;
            let mut now = None;
            let mut items = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut c = Cols::new(row);
                now = Some(c.int()?);
                if !c.peek_text_is_null()? {
                    items.push((resource.decode)(&mut c)?);
                }
            }
            if now == Some(epoch) {
                return Ok(Some((facts, items)));
            }
        }
        self.read_folded_afresh(username, target, folded).await
    }

    async fn read_folded_afresh<T>(
        &self,
        username: &Username,
        target: Option<&AccountSid>,
        folded: Folded<'_, T>,
    ) -> Result<Option<FoldedRows<T>>> {
        let (query, mut collector) = folded.into_query(Some(EPOCH));
        let mut epoch = None;
        for row in self.readers.rows(&query.sql, &query.params).await? {
            let mut c = Cols::new(&row);
            epoch = Some(c.int()?);
            collector.take(&mut c)?;
        }
        let found = collector.finish();
        if let (Some(epoch), Some((facts, _))) = (epoch, &found) {
            self.callers.put(epoch, username, target, facts.clone());
        }
        Ok(found)
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use switchboard_types::{AccountType, ConnectAppSid, Permission, Permissions, Timestamp};
    use tokio_postgres::{Client, NoTls};

    use super::*;
    use crate::accounts::{self, NewAccount};
    use crate::authorizations::{self, AuthorizationRecord};
    use crate::connect_apps::{self, ConnectAppRecord};
    use crate::testing::TestDb;
    use crate::{PoolSize, Store};

    /// Every `table.column` the facts' SQL reads, from its `alias.column`
    /// references and the aliases its `FROM` and `JOIN`s give the tables.
    fn columns_read(sql: &str) -> BTreeSet<(String, String)> {
        let words: Vec<&str> = sql
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .filter(|w| !w.is_empty())
            .collect();
        let mut tables = BTreeMap::new();
        for at in words.windows(3) {
            if at[0] == "FROM" || at[0] == "JOIN" {
                tables.insert(at[2], at[1]);
            }
        }
        words
            .iter()
            .filter_map(|w| w.split_once('.'))
            .map(|(alias, column)| {
                let table = tables
                    .get(alias)
                    .unwrap_or_else(|| panic!("`{alias}.{column}`: no table is aliased {alias}"));
                ((*table).to_owned(), column.to_owned())
            })
            .collect()
    }

    #[test]
    fn reads_the_columns_of_the_facts_sql() {
        let read = columns_read(crate::access::FACTS.0);
        let has = |t: &str, c: &str| read.contains(&(t.to_owned(), c.to_owned()));
        // Selected, joined on, and filtered on.
        assert!(has("accounts", "secondary_token_mac"));
        assert!(has("connect_apps", "account_sid"));
        assert!(has("authorizations", "revoked_at"));
        assert!(!read.iter().any(|(t, _)| t == "u" || t == "facts_epoch"));
    }

    async fn epoch(client: &Client) -> i64 {
        client
            .query_one(EPOCH_ALONE, &[])
            .await
            .expect("the epoch")
            .get(0)
    }

    /// Runs `sql` and tells whether the facts epoch moved.
    async fn moves_epoch(client: &Client, sql: &str) -> bool {
        let before = epoch(client).await;
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        epoch(client).await != before
    }

    /// The facts query, run as a role that may read only `columns`: refused
    /// if the query reads any column not among them.
    async fn run_facts_reading_only(
        client: &Client,
        columns: &BTreeSet<(String, String)>,
        facts_sql: &str,
        username: &str,
        target: &str,
    ) -> std::result::Result<(), tokio_postgres::Error> {
        let role = format!("sbt_facts_{}_{}", std::process::id(), rand::random::<u32>());
        let schema: String = client
            .query_one("SELECT current_schema()", &[])
            .await
            .unwrap()
            .get(0);
        let mut grants = BTreeMap::<&str, Vec<&str>>::new();
        for (table, column) in columns {
            grants.entry(table).or_default().push(column);
        }
        let mut setup = format!("CREATE ROLE {role}; GRANT USAGE ON SCHEMA {schema} TO {role};");
        for (table, columns) in &grants {
            setup += &format!(
                "GRANT SELECT ({}) ON {table} TO {role};",
                columns.join(", ")
            );
        }
        client.batch_execute(&setup).await.expect("a reader role");
        client
            .batch_execute(&format!("SET ROLE {role}"))
            .await
            .unwrap();
        let read = client
            .query(facts_sql, &[&username, &target])
            .await
            .map(drop);
        client
            .batch_execute(&format!(
                "RESET ROLE; DROP OWNED BY {role}; DROP ROLE {role};"
            ))
            .await
            .expect("the reader role dropped");
        read
    }

    fn account(sid: &AccountSid) -> NewAccount<'_> {
        NewAccount {
            sid,
            owner_account_sid: sid,
            friendly_name: "facts",
            account_type: AccountType::Full,
            auth_token_mac: &[1; 32],
            auth_token_sealed: &[2; 40],
            now: Timestamp::from_seconds(1),
        }
    }

    /// The triggers of migration 0007 must fire on every column the facts are
    /// read from, or a node would keep using facts that changed (a revoked
    /// grant, a rotated token) on another node.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_column_the_facts_read_moves_the_epoch() {
        let Some(db) = TestDb::postgres().await else {
            return;
        };
        let store = Store::open(&db.database_url(), PoolSize::default())
            .await
            .unwrap();
        let (client, connection) = tokio_postgres::connect(db.url(), NoTls).await.unwrap();
        tokio::spawn(connection);
        let mut read = columns_read(crate::access::FACTS.0);
        read.extend(columns_read(crate::access::KEY_FACTS.0));

        // One of each row the facts are read from, each insert moving the epoch.
        let (owner, customer, sub) = (
            AccountSid::generate(),
            AccountSid::generate(),
            AccountSid::generate(),
        );
        for sid in [&owner, &customer, &sub] {
            let before = epoch(&client).await;
            store.run(accounts::insert(&account(sid))).await.unwrap();
            assert_ne!(epoch(&client).await, before, "inserting an account");
        }
        let app = ConnectAppRecord {
            sid: ConnectAppSid::generate(),
            account_sid: owner.clone(),
            friendly_name: "Facts".into(),
            company_name: None,
            description: None,
            homepage_url: None,
            terms_of_service_url: None,
            authorize_redirect_url: None,
            deauthorize_callback_url: None,
            deauthorize_callback_method: "POST".into(),
            permissions: Permissions::of(&[Permission::GetAll]),
            sign_redirects: false,
            authorize_callback_url: None,
            authorize_callback_method: "POST".to_owned(),
            has_logo: false,
            date_created: Timestamp::from_seconds(2),
            date_updated: Timestamp::from_seconds(2),
        };
        let before = epoch(&client).await;
        store.run(connect_apps::insert(&app)).await.unwrap();
        assert_ne!(epoch(&client).await, before, "inserting a connect app");
        let before = epoch(&client).await;
        store
            .run(authorizations::insert(&AuthorizationRecord {
                customer_account_sid: customer.clone(),
                connect_app_sid: app.sid.clone(),
                subaccount_sid: sub.clone(),
                permissions: app.permissions,
                authorized_at: Timestamp::from_seconds(3),
                revoked_at: None,
            }))
            .await
            .unwrap();
        assert_ne!(epoch(&client).await, before, "inserting an authorization");
        let key = crate::api_keys::ApiKeyRecord {
            sid: switchboard_types::ApiKeySid::generate(),
            account_sid: owner.clone(),
            kind: switchboard_types::ApiKeyKind::Standard,
            friendly_name: None,
            date_created: Timestamp::from_seconds(4),
            date_updated: Timestamp::from_seconds(4),
        };
        let before = epoch(&client).await;
        store
            .run(crate::api_keys::insert(&key, &[3; 32]))
            .await
            .unwrap();
        assert_ne!(epoch(&client).await, before, "inserting an API key");
        // Renaming a key is not something the facts read.
        let before = epoch(&client).await;
        let renamed = crate::api_keys::ApiKeyRecord {
            friendly_name: Some("renamed".into()),
            ..key.clone()
        };
        store.run(crate::api_keys::rename(&renamed)).await.unwrap();
        assert_eq!(epoch(&client).await, before, "renaming an API key");

        // The list is the whole of what the facts read: as a role allowed to
        // read only those columns, the facts query still runs.
        for (sql, username) in [
            (crate::access::FACTS.0, sub.as_str()),
            (crate::access::KEY_FACTS.0, key.sid.as_str()),
        ] {
            if let Err(e) =
                run_facts_reading_only(&client, &read, sql, username, sub.as_str()).await
            {
                let reason = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_owned());
                panic!("the facts read a column not in {read:?}: {reason}");
            }
        }

        // Each column, updated on its row, moves the epoch.
        let missed: Vec<String> = {
            let mut missed = Vec::new();
            for (table, column) in &read {
                if !moves_epoch(&client, &format!("UPDATE {table} SET {column} = {column}")).await {
                    missed.push(format!("{table}.{column}"));
                }
            }
            missed
        };
        assert!(
            missed.is_empty(),
            "updating these columns, which the facts read, left facts_epoch where it was \
             (migration 0007's triggers must list them): {missed:?}"
        );

        // And so does removing a row.
        for (what, sql) in [
            ("authorization", "DELETE FROM authorizations"),
            ("connect app", "DELETE FROM connect_apps"),
            ("API key", "DELETE FROM api_keys"),
            ("account", "DELETE FROM accounts"),
        ] {
            assert!(moves_epoch(&client, sql).await, "deleting a {what}");
        }
    }
}
