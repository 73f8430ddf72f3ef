//! The store's own behaviour, on both databases.

#![forbid(unsafe_code)]

use std::sync::Arc;

use switchboard_store::access::CallerFacts;
use switchboard_store::accounts::{self, AccountFilter, AccountScope, NewAccount};
use switchboard_store::authorizations::{self, AuthorizationRecord};
use switchboard_store::connect_apps::{self, ConnectAppRecord};
use switchboard_store::page::PageAt;
use switchboard_store::testing::TestDb;
use switchboard_store::usage::{self, Charge};
use switchboard_store::{Backend, PoolSize, Query, Store, StoreError, access, on_both_backends};
use switchboard_types::{
    AccountSid, AccountStatus, AccountType, ConnectAppSid, Permission, Permissions, Timestamp,
    Username,
};

async fn open(db: &TestDb) -> Store {
    Store::open(&db.database_url(), PoolSize::default())
        .await
        .expect("open store")
}

async fn add_account(store: &Store, owner: Option<&AccountSid>, name: &str, at: i64) -> AccountSid {
    let sid = AccountSid::generate();
    let owner = owner.cloned().unwrap_or_else(|| sid.clone());
    let mut tx = store.begin().await.unwrap();
    tx.run(accounts::insert(&NewAccount {
        sid: &sid,
        owner_account_sid: &owner,
        friendly_name: name,
        account_type: AccountType::Trial,
        auth_token_mac: &[1; 32],
        auth_token_sealed: &[2; 40],
        now: Timestamp::from_seconds(at),
    }))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sid
}

async fn set_status(store: &Store, sid: &AccountSid, status: AccountStatus) {
    store
        .run(accounts::set_status(sid, status, Timestamp::now()))
        .await
        .unwrap();
}

on_both_backends!(migrations_are_idempotent, |db: TestDb| async move {
    let first = open(&db).await;
    drop(first);
    let _again = open(&db).await;
});

on_both_backends!(
    keyset_pages_walk_forwards_and_back,
    |db: TestDb| async move {
        let store = open(&db).await;
        let main = add_account(&store, None, "main", 1000).await;
        for i in 0..23 {
            // Several share a timestamp, so the SID must break ties.
            add_account(&store, Some(&main), &format!("sub {i}"), 1001 + i / 3).await;
        }
        let scope = AccountScope::Tree(main.clone());
        let filter = AccountFilter::default();
        let mut at = PageAt::First;
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        loop {
            let (q, shape) = accounts::list(&scope, &filter, &at, 10);
            let page = shape.assemble(store.all(q).await.unwrap());
            seen.extend(page.items.iter().map(|a| a.sid.clone()));
            pages.push(page.items.iter().map(|a| a.sid.clone()).collect::<Vec<_>>());
            match page.next_cursor() {
                Some(c) => at = PageAt::After(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 24, "every account exactly once");
        assert_eq!(seen[0], main, "oldest first");
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), 24);
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![10, 10, 4]
        );

        // From the last page, the previous page is the second one again.
        let (q, shape) = accounts::list(&scope, &filter, &at, 10);
        let last = shape.assemble(store.all(q).await.unwrap());
        let before = PageAt::Before(last.previous_cursor().expect("a previous page"));
        let (q, shape) = accounts::list(&scope, &filter, &before, 10);
        let previous = shape.assemble(store.all(q).await.unwrap());
        assert_eq!(
            previous
                .items
                .iter()
                .map(|a| a.sid.clone())
                .collect::<Vec<_>>(),
            pages[1]
        );
        assert!(previous.has_next && previous.has_previous);
    }
);

on_both_backends!(filters_narrow_a_listing, |db: TestDb| async move {
    let store = open(&db).await;
    let main = add_account(&store, None, "main", 1000).await;
    let sub = add_account(&store, Some(&main), "wanted", 1001).await;
    add_account(&store, Some(&main), "other", 1002).await;
    set_status(&store, &sub, AccountStatus::Suspended).await;
    let scope = AccountScope::Tree(main.clone());
    let by_name = AccountFilter {
        friendly_name: Some("wanted".into()),
        status: None,
    };
    let (q, shape) = accounts::list(&scope, &by_name, &PageAt::First, 50);
    let page = shape.assemble(store.all(q).await.unwrap());
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].sid, sub);
    let by_status = AccountFilter {
        friendly_name: None,
        status: Some(AccountStatus::Active),
    };
    let (q, shape) = accounts::list(&scope, &by_status, &PageAt::First, 50);
    assert_eq!(shape.assemble(store.all(q).await.unwrap()).items.len(), 2);
});

on_both_backends!(
    folded_read_returns_facts_and_rows,
    |db: TestDb| async move {
        let store = open(&db).await;
        let main = add_account(&store, None, "main", 1000).await;
        let sub = add_account(&store, Some(&main), "sub", 1001).await;

        let scope = AccountScope::Tree(main.clone());
        let filter = AccountFilter::default();
        let (q, _) = accounts::list(&scope, &filter, &PageAt::First, 50);
        let (facts, rows) = store
            .read_folded(access::caller_with(
                &Username::Account(sub.clone()),
                Some(&main),
                q,
            ))
            .await
            .unwrap()
            .expect("the username exists");
        assert_eq!(facts.username.sid, sub);
        assert_eq!(facts.parent_status, Some(AccountStatus::Active));
        assert!(facts.parent_tokens[0].is_some());
        assert_eq!(
            facts.target.as_ref().map(|t| t.sid.clone()),
            Some(main.clone())
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].sid, main,
            "the page keeps its order through the fold"
        );

        // No resource rows: still the facts.
        let none = AccountSid::generate();
        let (facts, rows) = store
            .read_folded(access::caller_with(
                &Username::Account(main.clone()),
                None,
                accounts::by_sid(&none),
            ))
            .await
            .unwrap()
            .unwrap();
        assert!(rows.is_empty());
        assert!(facts.target.is_none() && facts.parent_status.is_none());

        // An unknown username: nothing at all.
        assert!(
            store
                .read_folded(access::caller_with(
                    &Username::Account(none.clone()),
                    None,
                    accounts::by_sid(&main)
                ))
                .await
                .unwrap()
                .is_none()
        );
    }
);

// On SQLite the facts of a repeated caller are reused; they must still follow
// every commit, whoever makes it: this store, or another one on the same
// database (as another process or node would be).
on_both_backends!(caller_facts_follow_every_commit, |db: TestDb| async move {
    let store = open(&db).await;
    let other = open(&db).await;
    let main = add_account(&store, None, "main", 1000).await;
    let sub = add_account(&store, Some(&main), "sub", 1001).await;
    let caller_status = || async {
        let facts = store
            .read_caller(&Username::Account(sub.clone()), None)
            .await
            .unwrap()
            .unwrap();
        facts.username.status
    };
    let scope = AccountScope::Tree(main.clone());
    let filter = AccountFilter::default();
    let folded_status = || async {
        let (q, _) = accounts::list(&scope, &filter, &PageAt::First, 50);
        let (facts, rows) = store
            .read_folded(access::caller_with(
                &Username::Account(sub.clone()),
                Some(&main),
                q,
            ))
            .await
            .unwrap()
            .unwrap();
        let resource = "the resource comes back with cached facts too";
        assert_eq!(rows.len(), 2, "{resource}");
        facts.username.status
    };
    for _ in 0..3 {
        assert_eq!(folded_status().await, AccountStatus::Active);
        assert_eq!(caller_status().await, AccountStatus::Active);
    }

    set_status(&other, &sub, AccountStatus::Suspended).await;
    assert_eq!(caller_status().await, AccountStatus::Suspended);
    assert_eq!(folded_status().await, AccountStatus::Suspended);

    set_status(&store, &sub, AccountStatus::Active).await;
    assert_eq!(folded_status().await, AccountStatus::Active);
    assert_eq!(caller_status().await, AccountStatus::Active);

    let unknown = AccountSid::generate();
    assert!(
        store
            .read_caller(&Username::Account(unknown.clone()), None)
            .await
            .unwrap()
            .is_none()
    );
});

/// A customer's grant to an app of another account, made through `store`.
struct Granted {
    owner: AccountSid,
    customer: AccountSid,
    subaccount: AccountSid,
    app: ConnectAppRecord,
}

async fn grant(store: &Store) -> Granted {
    let owner = add_account(store, None, "owner", 1000).await;
    let customer = add_account(store, None, "customer", 1001).await;
    let subaccount = add_account(store, Some(&customer), "for the app", 1002).await;
    let app = ConnectAppRecord {
        sid: ConnectAppSid::generate(),
        account_sid: owner.clone(),
        friendly_name: "Analytics".into(),
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
        date_created: Timestamp::from_seconds(1003),
        date_updated: Timestamp::from_seconds(1003),
    };
    store.run(connect_apps::insert(&app)).await.unwrap();
    store
        .run(authorizations::insert(&AuthorizationRecord {
            customer_account_sid: customer.clone(),
            connect_app_sid: app.sid.clone(),
            subaccount_sid: subaccount.clone(),
            permissions: app.permissions,
            authorized_at: Timestamp::from_seconds(1004),
            revoked_at: None,
        }))
        .await
        .unwrap();
    Granted {
        owner,
        customer,
        subaccount,
        app,
    }
}

/// The facts of the app's principal (its dedicated subaccount), read with a
/// resource as an API request reads them.
async fn principal_facts(store: &Store, g: &Granted) -> Arc<CallerFacts> {
    let (facts, rows) = store
        .read_folded(access::caller_with(
            &Username::Account(g.subaccount.clone()),
            Some(&g.subaccount),
            accounts::by_sid(&g.subaccount),
        ))
        .await
        .unwrap()
        .expect("the subaccount exists");
    assert_eq!(rows.len(), 1, "the resource comes with the facts");
    facts
}

// Whatever facts are reused, a change to anything they are read from, made by
// another store on the same database (another process or node), is in the very
// next read. Each step changes one source the facts join.
on_both_backends!(
    caller_facts_follow_every_change_they_are_read_from,
    |db: TestDb| async move {
        let store = open(&db).await;
        let other = open(&db).await;
        let g = grant(&store).await;
        let now = Timestamp::now();
        let facts = || principal_facts(&store, &g);
        let app_of = |f: &CallerFacts| f.grant.as_ref().map(|g| g.app.clone());
        for _ in 0..3 {
            assert_eq!(app_of(&*facts().await), Some(g.app.sid.clone()));
        }

        // The app owner's tokens: a secondary appears, then replaces the primary.
        other
            .run(accounts::set_secondary_token(
                &g.owner, &[9; 32], &[8; 40], now,
            ))
            .await
            .unwrap();
        let f = facts().await;
        assert_eq!(
            f.grant.as_ref().unwrap().app_owner_tokens[1],
            Some(vec![9; 32])
        );
        other
            .run(accounts::promote_secondary_token(&g.owner, now))
            .await
            .unwrap();
        let f = facts().await;
        assert_eq!(
            f.grant.as_ref().unwrap().app_owner_tokens,
            [Some(vec![9; 32]), None]
        );

        // The app's permissions, and its owner's status.
        let mut widened = g.app.clone();
        widened.permissions = Permissions::of(&[Permission::GetAll, Permission::PostAll]);
        other.run(connect_apps::update(&widened)).await.unwrap();
        assert_eq!(
            facts().await.grant.as_ref().unwrap().app_permissions,
            widened.permissions
        );
        set_status(&other, &g.owner, AccountStatus::Suspended).await;
        assert_eq!(
            facts().await.grant.as_ref().unwrap().app_owner_status,
            AccountStatus::Suspended
        );

        // The grant: revoked, approved again, then its app deleted.
        other
            .run(authorizations::revoke(&g.customer, &g.app.sid, now))
            .await
            .unwrap();
        assert_eq!(app_of(&*facts().await), None);
        other
            .run(authorizations::reactivate(
                &g.customer,
                &g.app.sid,
                &g.subaccount,
                g.app.permissions,
                now,
            ))
            .await
            .unwrap();
        assert_eq!(app_of(&*facts().await), Some(g.app.sid.clone()));
        other.run(connect_apps::delete(&g.app.sid)).await.unwrap();
        assert_eq!(app_of(&*facts().await), None);

        // The customer (the subaccount's parent) and the account type they share.
        set_status(&other, &g.customer, AccountStatus::Closed).await;
        assert_eq!(facts().await.parent_status, Some(AccountStatus::Closed));
        other
            .run(accounts::set_type_of_tree(
                &g.customer,
                AccountType::Full,
                now,
            ))
            .await
            .unwrap();
        assert_eq!(facts().await.username.account_type, AccountType::Full);
    }
);

/// PostgreSQL's facts epoch moves with changes to what facts are read from, and
/// only with those: a write elsewhere must not make every node read facts again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facts_epoch_moves_only_with_the_facts() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    assert_eq!(db.backend(), Backend::Postgres);
    let store = open(&db).await;
    let epoch = || async {
        store
            .one(Query::new("SELECT n FROM facts_epoch", vec![], |c| c.int()))
            .await
            .unwrap()
    };
    let g = grant(&store).await;
    let now = Timestamp::now();
    let before = epoch().await;
    store
        .run(accounts::set_friendly_name(&g.customer, "renamed", now))
        .await
        .unwrap();
    store
        .run(usage::debit(&Charge {
            account_sid: &g.subaccount,
            main_account_sid: &g.customer,
            category: switchboard_types::UsageCategory::CallsOutbound,
            day: "2026-11-30",
            count: 1,
            usage: 60,
            price_micros: 14_000,
        }))
        .await
        .unwrap();
    assert_eq!(epoch().await, before, "names and balances are not facts");
    set_status(&store, &g.customer, AccountStatus::Suspended).await;
    let suspended = epoch().await;
    assert!(suspended > before, "a status is");

    // A session with another search path (an operator's psql) still moves
    // this schema's epoch when it changes this schema's accounts.
    let schema = store
        .one(Query::new("SELECT current_schema()", vec![], |c| c.text()))
        .await
        .unwrap();
    let server = switchboard_store::testing::postgres_server().unwrap();
    let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .execute(
            &format!("UPDATE {schema}.accounts SET status = 'active' WHERE sid = $1"),
            &[&g.customer.as_str()],
        )
        .await
        .unwrap();
    assert!(epoch().await > suspended, "whoever writes");
}

on_both_backends!(unique_keys_report_conflicts, |db: TestDb| async move {
    let store = open(&db).await;
    let sid = add_account(&store, None, "main", 1000).await;
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .run(accounts::insert(&NewAccount {
            sid: &sid,
            owner_account_sid: &sid,
            friendly_name: "dup",
            account_type: AccountType::Trial,
            auth_token_mac: &[1; 32],
            auth_token_sealed: &[2; 40],
            now: Timestamp::now(),
        }))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
});

on_both_backends!(abandoned_transactions_roll_back, |db: TestDb| async move {
    let store = open(&db).await;
    let sid = add_account(&store, None, "before", 1000).await;
    {
        let mut tx = store.begin().await.unwrap();
        tx.run(accounts::set_friendly_name(
            &sid,
            "during",
            Timestamp::now(),
        ))
        .await
        .unwrap();
        // dropped without commit
    }
    // Give PostgreSQL's rollback task a moment to return the connection.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let a = store.one(accounts::by_sid(&sid)).await.unwrap();
    assert_eq!(a.friendly_name, "before");
    let mut tx = store.begin().await.unwrap();
    tx.run(accounts::set_friendly_name(&sid, "after", Timestamp::now()))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store
            .one(accounts::by_sid(&sid))
            .await
            .unwrap()
            .friendly_name,
        "after"
    );
});

// Reads share pipelined connections on PostgreSQL: many at once must each get
// their own rows back.
on_both_backends!(
    concurrent_reads_each_get_their_own_rows,
    |db: TestDb| async move {
        let store = open(&db).await;
        let mut sids = Vec::new();
        for i in 0..50 {
            sids.push(add_account(&store, None, &format!("account {i}"), 1000 + i).await);
        }
        let mut reads = tokio::task::JoinSet::new();
        for round in 0..4 {
            for (i, sid) in sids.iter().enumerate() {
                let (store, sid) = (store.clone(), sid.clone());
                reads.spawn(async move {
                    let account = store.one(accounts::by_sid(&sid)).await.unwrap();
                    assert_eq!(account.sid, sid, "round {round}");
                    assert_eq!(account.friendly_name, format!("account {i}"));
                });
            }
        }
        while let Some(read) = reads.join_next().await {
            read.expect("a read panicked");
        }
    }
);

/// A shared read connection the server has closed (a restart, a dropped
/// network) is replaced: reads go on working without restarting the node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_on_after_the_server_drops_their_connections() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let name = format!("sbt_drop_{}", rand_suffix());
    let url = format!("{}&application_name={name}", db.url());
    let store = Store::open(
        &switchboard_store::DatabaseUrl::parse(&url).unwrap(),
        PoolSize::default(),
    )
    .await
    .unwrap();
    let sid = add_account(&store, None, "survivor", 1000).await;
    assert_eq!(store.one(accounts::by_sid(&sid)).await.unwrap().sid, sid);

    let admin = open(&db).await;
    let dropped = admin
        .one(Query::new(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            vec![name.as_str().into()],
            |c| c.int(),
        ))
        .await
        .unwrap();
    assert!(
        dropped >= 1,
        "the node's connections were found and dropped"
    );
    // Give the connections' tasks a moment to see their sockets close.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(store.one(accounts::by_sid(&sid)).await.unwrap().sid, sid);
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        ^ u64::from(std::process::id())
}

on_both_backends!(
    schema_state_follows_the_applied_migrations,
    |db: TestDb| async move {
        use switchboard_store::{SchemaState, Statement};
        let store = open(&db).await;
        assert_eq!(store.schema_state().await.unwrap(), SchemaState::Current);

        let newest = store
            .one(Query::new(
                "SELECT MAX(version) FROM schema_migrations",
                vec![],
                |c| c.int(),
            ))
            .await
            .unwrap();
        store
            .run(Statement::new(
                "DELETE FROM schema_migrations WHERE version = $1",
                switchboard_store::params![newest],
            ))
            .await
            .unwrap();
        assert!(
            matches!(store.schema_state().await.unwrap(), SchemaState::Behind { applied, known } if applied == known - 1),
            "one migration missing"
        );

        store
        .run(Statement::new(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future', 0)",
            switchboard_store::params![newest + 1],
        ))
        .await
        .unwrap();
        assert!(matches!(
            store.schema_state().await.unwrap(),
            SchemaState::Ahead { .. }
        ));
    }
);

on_both_backends!(
    starting_frees_only_a_gone_processs_delivery_leases,
    |db: TestDb| async move {
        use switchboard_store::deliveries::{self, DeliveryRecord};
        use switchboard_types::DeliverySid;

        let store = open(&db).await;
        let account = add_account(&store, None, "Leases", 1_000).await;
        let opened = Timestamp::from_seconds(2_000);
        let lease = 45_000_000;
        let delivery = |due: Timestamp| DeliveryRecord {
            sid: DeliverySid::generate(),
            account_sid: account.clone(),
            kind: "message-status".to_owned(),
            connect_app_sid: None,
            resource_sid: None,
            signing_account_sid: account.clone(),
            method: "POST".to_owned(),
            url: "https://app.example.com/hook".to_owned(),
            params: String::new(),
            idempotency_token: "t".to_owned(),
            state: "pending".to_owned(),
            attempts: 0,
            next_attempt_at: due,
            created_at: due,
            completed_at: None,
            last_status: None,
            last_error: None,
            fallback_url: None,
            fallback_method: None,
            documents: 0,
        };
        // One claimed by a process that died before `opened`, one claimed by
        // this process just after it opened.
        let (gone, ours) = (
            delivery(Timestamp::from_seconds(1_500)),
            delivery(Timestamp::from_seconds(2_000)),
        );
        for (d, claimed_at) in [(&gone, 1_990), (&ours, 2_001)] {
            store.run(deliveries::insert(d)).await.unwrap();
            let at = Timestamp::from_seconds(claimed_at);
            let claimed = store
                .write_all(deliveries::claim_due(
                    store.backend(),
                    at,
                    at.plus_micros(lease),
                    1,
                ))
                .await
                .unwrap();
            assert_eq!(claimed.len(), 1);
        }
        store
            .run(deliveries::release_leases_ending_before(
                opened.plus_micros(lease),
            ))
            .await
            .unwrap();
        // Only the dead process's claim is free to take again.
        let at = Timestamp::from_seconds(2_002);
        let again = store
            .write_all(deliveries::claim_due(
                store.backend(),
                at,
                at.plus_micros(lease),
                10,
            ))
            .await
            .unwrap();
        let sids: Vec<_> = again.iter().map(|d| d.sid.clone()).collect();
        assert_eq!(sids, std::slice::from_ref(&gone.sid));
    }
);

// Two transactions that change the same two rows in opposite orders wait for
// each other; PostgreSQL breaks the cycle by failing one of them, which the
// store reports as retryable (nothing of it landed), while the other goes on.
// SQLite has one writer, so it never deadlocks.
#[tokio::test]
async fn a_deadlock_is_retryable_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store = open(&db).await;
    let a = add_account(&store, None, "a", 1000).await;
    let b = add_account(&store, None, "b", 1000).await;
    let now = Timestamp::now();
    let mut first = store.begin().await.unwrap();
    let mut second = store.begin().await.unwrap();
    first
        .run(accounts::set_friendly_name(&a, "first", now))
        .await
        .unwrap();
    second
        .run(accounts::set_friendly_name(&b, "second", now))
        .await
        .unwrap();
    let (one, two) = tokio::join!(
        first.run(accounts::set_friendly_name(&b, "first", now)),
        second.run(accounts::set_friendly_name(&a, "second", now)),
    );
    let (winner, loser) = match (one, two) {
        (Ok(_), Err(e)) => (first, e),
        (Err(e), Ok(_)) => (second, e),
        other => panic!("expected one deadlock victim: {other:?}"),
    };
    assert!(loser.is_retryable(), "{loser:?}");
    assert!(matches!(loser, StoreError::Retryable(_)), "{loser:?}");
    assert!(loser.to_string().contains("40P01"), "{loser}");
    winner.commit().await.unwrap();
}
