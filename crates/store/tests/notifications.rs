//! The debugger's log: notifications are written, read back unchanged, listed
//! newest first with Twilio's filters and paged by key, reached only through
//! their own account (or its main account's tree), and deleted.

use switchboard_store::accounts::{self, NewAccount};
use switchboard_store::calls::Range;
use switchboard_store::notifications::{self, NotificationFilter, NotificationRecord};
use switchboard_store::page::PageAt;
use switchboard_store::testing::TestDb;
use switchboard_store::{PoolSize, Statement, Store, StoreError, on_both_backends};
use switchboard_types::{
    AccountSid, AccountType, CallSid, NotificationLevel, NotificationSid, Timestamp,
};

async fn open(db: &TestDb) -> Store {
    Store::open(&db.database_url(), PoolSize::default())
        .await
        .expect("open store")
}

async fn account(store: &Store, owner: Option<&AccountSid>) -> AccountSid {
    let sid = AccountSid::generate();
    store
        .run(accounts::insert(&NewAccount {
            sid: &sid,
            owner_account_sid: owner.unwrap_or(&sid),
            friendly_name: "n",
            account_type: AccountType::Full,
            auth_token_mac: &[1; 32],
            auth_token_sealed: &[2; 40],
            now: Timestamp::from_seconds(1_000),
        }))
        .await
        .unwrap();
    sid
}

fn notification(
    account: &AccountSid,
    at_secs: i64,
    level: NotificationLevel,
) -> NotificationRecord {
    let at = Timestamp::from_seconds(at_secs);
    NotificationRecord {
        sid: NotificationSid::generate(),
        account_sid: account.clone(),
        call_sid: None,
        resource_sid: Some("SM0123456789abcdef0123456789abcdef".into()),
        error_code: 11200,
        level,
        message_text: "Msg=Got+HTTP+500&ErrorCode=11200&LogLevel=ERROR".into(),
        message_date: at,
        request_url: Some("https://example.com/sms".into()),
        request_method: Some("POST".into()),
        request_variables: Some("From=%2B15005550006&Body=hi".into()),
        response_headers: Some("Content-Type=text%2Fhtml".into()),
        response_body: Some("<html>oops</html>".into()),
        date_created: at,
        date_updated: at,
    }
}

async fn insert(store: &Store, n: &NotificationRecord) {
    let mut tx = store.begin().await.unwrap();
    tx.run(notifications::insert(n)).await.unwrap();
    tx.commit().await.unwrap();
}

async fn listed(
    store: &Store,
    account: &AccountSid,
    filter: &NotificationFilter,
) -> Vec<NotificationSid> {
    let (q, shape) = notifications::list(account, filter, &PageAt::First, 50);
    shape
        .assemble(store.all(q).await.unwrap())
        .items
        .into_iter()
        .map(|n| n.sid)
        .collect()
}

on_both_backends!(
    notifications_round_trip_and_are_fetched_by_their_account_only,
    |db: TestDb| async move {
        let store = open(&db).await;
        let a = account(&store, None).await;
        let b = account(&store, None).await;
        let mut n = notification(&a, 2_000, NotificationLevel::Error);
        n.call_sid = Some(CallSid::generate());
        n.response_body = Some("é <script>alert(1)</script>".into());
        insert(&store, &n).await;
        let mut bare = notification(&a, 2_001, NotificationLevel::Warning);
        bare.resource_sid = None;
        bare.request_url = None;
        bare.request_method = None;
        bare.request_variables = None;
        bare.response_headers = None;
        bare.response_body = None;
        insert(&store, &bare).await;

        let got = store
            .one(notifications::of_account(&a, &n.sid))
            .await
            .unwrap();
        assert_eq!(got, n);
        let got = store
            .one(notifications::of_account(&a, &bare.sid))
            .await
            .unwrap();
        assert_eq!(got, bare);
        assert_eq!(
            store
                .opt(notifications::of_account(&b, &n.sid))
                .await
                .unwrap(),
            None,
            "another account's notification is not found"
        );
    }
);

on_both_backends!(
    notifications_list_newest_first_with_twilios_filters,
    |db: TestDb| async move {
        let store = open(&db).await;
        let a = account(&store, None).await;
        let other = account(&store, None).await;
        const DAY: i64 = 86_400;
        let day0 = 1_700_000_000 - 1_700_000_000 % DAY;
        let old = notification(&a, day0 + 10, NotificationLevel::Error);
        let warn = notification(&a, day0 + DAY + 10, NotificationLevel::Warning);
        let mut newest = notification(&a, day0 + 2 * DAY + 10, NotificationLevel::Error);
        let call = CallSid::generate();
        newest.call_sid = Some(call.clone());
        for n in [
            &old,
            &warn,
            &newest,
            &notification(&other, day0 + 5, NotificationLevel::Error),
        ] {
            insert(&store, n).await;
        }

        let all = NotificationFilter::default();
        assert_eq!(
            listed(&store, &a, &all).await,
            [newest.sid.clone(), warn.sid.clone(), old.sid.clone()]
        );
        let errors = NotificationFilter {
            level: Some(NotificationLevel::Error),
            ..NotificationFilter::default()
        };
        assert_eq!(
            listed(&store, &a, &errors).await,
            [newest.sid.clone(), old.sid.clone()]
        );
        let warnings = NotificationFilter {
            level: Some(NotificationLevel::Warning),
            ..NotificationFilter::default()
        };
        assert_eq!(listed(&store, &a, &warnings).await, vec![warn.sid.clone()]);
        // MessageDate=day1: that day only.
        let day1 = NotificationFilter {
            message_date: Range {
                from: Some(Timestamp::from_seconds(day0 + DAY)),
                until: Some(Timestamp::from_seconds(day0 + 2 * DAY)),
            },
            ..NotificationFilter::default()
        };
        assert_eq!(listed(&store, &a, &day1).await, vec![warn.sid.clone()]);
        // MessageDate>=day1, MessageDate<=day1.
        let since = NotificationFilter {
            message_date: Range {
                from: Some(Timestamp::from_seconds(day0 + DAY)),
                until: None,
            },
            ..NotificationFilter::default()
        };
        assert_eq!(
            listed(&store, &a, &since).await,
            [newest.sid.clone(), warn.sid.clone()]
        );
        let until = NotificationFilter {
            message_date: Range {
                from: None,
                until: Some(Timestamp::from_seconds(day0 + 2 * DAY)),
            },
            ..NotificationFilter::default()
        };
        assert_eq!(
            listed(&store, &a, &until).await,
            [warn.sid.clone(), old.sid.clone()]
        );
        let of_call = NotificationFilter {
            call_sid: Some(call),
            ..NotificationFilter::default()
        };
        assert_eq!(listed(&store, &a, &of_call).await, vec![newest.sid.clone()]);

        // Paged by key: one a page, forwards then back.
        let (q, shape) = notifications::list(&a, &all, &PageAt::First, 1);
        let first = shape.assemble(store.all(q).await.unwrap());
        assert_eq!(first.items[0].sid, newest.sid);
        assert!(first.has_next && !first.has_previous);
        let after = PageAt::After(first.next_cursor().unwrap());
        let (q, shape) = notifications::list(&a, &all, &after, 1);
        let second = shape.assemble(store.all(q).await.unwrap());
        assert_eq!(second.items[0].sid, warn.sid);
        assert!(second.has_next && second.has_previous);
        let before = PageAt::Before(second.previous_cursor().unwrap());
        let (q, shape) = notifications::list(&a, &all, &before, 1);
        let back = shape.assemble(store.all(q).await.unwrap());
        assert_eq!(back.items[0].sid, newest.sid);
    }
);

on_both_backends!(
    the_tree_list_reaches_subaccounts_and_nobody_elses,
    |db: TestDb| async move {
        let store = open(&db).await;
        let main = account(&store, None).await;
        let sub = account(&store, Some(&main)).await;
        let stranger = account(&store, None).await;
        let on_main = notification(&main, 2_000, NotificationLevel::Error);
        let on_sub = notification(&sub, 2_001, NotificationLevel::Error);
        let elsewhere = notification(&stranger, 2_002, NotificationLevel::Error);
        for n in [&on_main, &on_sub, &elsewhere] {
            insert(&store, n).await;
        }
        let all = NotificationFilter::default();
        let (q, shape) = notifications::list_of_tree(&main, &all, &PageAt::First, 50);
        let sids: Vec<_> = shape
            .assemble(store.all(q).await.unwrap())
            .items
            .into_iter()
            .map(|n| n.sid)
            .collect();
        assert_eq!(sids, [on_sub.sid.clone(), on_main.sid.clone()]);
        assert!(
            store
                .opt(notifications::of_tree(&main, &on_sub.sid))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            store
                .opt(notifications::of_tree(&main, &elsewhere.sid))
                .await
                .unwrap()
                .is_none()
        );
        // A subaccount is no tree of its own.
        assert!(
            store
                .opt(notifications::of_tree(&sub, &on_sub.sid))
                .await
                .unwrap()
                .is_none()
        );
    }
);

on_both_backends!(
    deleting_removes_one_of_the_accounts_only,
    |db: TestDb| async move {
        let store = open(&db).await;
        let a = account(&store, None).await;
        let b = account(&store, None).await;
        let n = notification(&a, 2_000, NotificationLevel::Error);
        let kept = notification(&a, 2_001, NotificationLevel::Error);
        insert(&store, &n).await;
        insert(&store, &kept).await;
        assert_eq!(
            store.run(notifications::delete(&b, &n.sid)).await.unwrap(),
            0
        );
        assert_eq!(
            store.run(notifications::delete(&a, &n.sid)).await.unwrap(),
            1
        );
        assert_eq!(
            store.run(notifications::delete(&a, &n.sid)).await.unwrap(),
            0
        );
        assert_eq!(
            listed(&store, &a, &NotificationFilter::default()).await,
            vec![kept.sid.clone()]
        );
    }
);

on_both_backends!(
    a_row_with_an_unknown_level_is_a_clear_decode_error,
    |db: TestDb| async move {
        let store = open(&db).await;
        let a = account(&store, None).await;
        let n = notification(&a, 2_000, NotificationLevel::Error);
        insert(&store, &n).await;
        store
            .run(Statement::new(
                "UPDATE notifications SET log_level = 'error' WHERE sid = $1",
                switchboard_store::params![&n.sid],
            ))
            .await
            .unwrap();
        match store.one(notifications::of_account(&a, &n.sid)).await {
            Err(e @ StoreError::Decode { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains("error") && text.contains("expected"),
                    "{text}"
                );
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
);
