//! Fault rules of sandboxes: counted down one statement at a time, so
//! concurrent requests never take more failures than a rule has.

use switchboard_store::faults::{self, FaultRecord};
use switchboard_store::testing::TestDb;
use switchboard_store::{PoolSize, Store, on_both_backends};
use switchboard_types::Timestamp;

async fn open(db: &TestDb) -> Store {
    Store::open(&db.database_url(), PoolSize::default())
        .await
        .expect("open store")
}

fn rule(sandbox: &str, sid: &str, count: i64, at: i64) -> FaultRecord {
    FaultRecord {
        sid: sid.to_owned(),
        sandbox_sid: sandbox.to_owned(),
        method: "POST".into(),
        path: "/2010-04-01/Accounts/*/Messages.json".into(),
        status: Some(503),
        code: Some(20503),
        message: Some("é <b>down</b>".into()),
        delay_ms: 0,
        count,
        remaining: count,
        date_created: Timestamp::from_micros(at),
    }
}

on_both_backends!(
    rules_count_down_to_nothing_and_stay_in_their_sandbox,
    |db: TestDb| async move {
        let store = open(&db).await;
        let (a, b) = ("SB_a", "SB_b");
        store
            .run(faults::insert(&rule(a, "FR2", 1, 2)))
            .await
            .unwrap();
        store
            .run(faults::insert(&rule(a, "FR1", 3, 1)))
            .await
            .unwrap();
        store
            .run(faults::insert(&rule(b, "FR3", 1, 3)))
            .await
            .unwrap();
        let listed = store.all(faults::active(a)).await.unwrap();
        assert_eq!(
            listed.iter().map(|r| r.sid.as_str()).collect::<Vec<_>>(),
            ["FR1", "FR2"],
            "oldest first"
        );
        assert_eq!(listed[1], rule(a, "FR2", 1, 2));
        // Taken concurrently: exactly three of ten succeed.
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store.run(faults::take("SB_a", "FR1")).await.unwrap()
            }));
        }
        let mut taken = 0;
        for t in tasks {
            taken += t.await.unwrap();
        }
        assert_eq!(taken, 3);
        // Another sandbox's rule is not reached through this one.
        assert_eq!(store.run(faults::take(a, "FR3")).await.unwrap(), 0);
        let listed = store.all(faults::active(a)).await.unwrap();
        assert_eq!(listed.len(), 1, "a spent rule is listed no more");
        store.run(faults::clear(a)).await.unwrap();
        assert!(store.all(faults::active(a)).await.unwrap().is_empty());
        assert_eq!(store.all(faults::active(b)).await.unwrap().len(), 1);
    }
);
