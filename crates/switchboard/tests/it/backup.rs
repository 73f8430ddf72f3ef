//! `switchboard backup`: a consistent copy of a SQLite database taken while
//! other connections write to it.

use crate::support::AsOperator;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::{Settings, Switchboard};
use switchboard_store::testing::TestDb;
use switchboard_store::{PoolSize, Store};
use switchboard_types::AccountType;

use crate::support::{install_crypto, rand_id};

fn backup(database_url: &str, to: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["backup", "--to"])
        .arg(to)
        .env("SWITCHBOARD_DATABASE_URL", database_url)
        .output()
        .expect("switchboard runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_is_a_consistent_copy() {
    install_crypto();
    let db = TestDb::sqlite();
    let store = Store::open(&db.database_url(), PoolSize::default())
        .await
        .unwrap();
    let sb = Switchboard::open(store, Settings::default()).await.unwrap();
    let create = |sb: Switchboard| async move {
        sb.new_main_account(NewMainAccount {
            email: format!("writer{}@example.com", rand_id()),
            password: "correct horse battery".into(),
            friendly_name: "Writer".into(),
            account_type: AccountType::Full,
        })
        .await
        .unwrap();
    };
    for _ in 0..20 {
        create(sb.clone()).await;
    }
    // Writers go on creating accounts until the backup is done.
    let stop = Arc::new(AtomicBool::new(false));
    let created = Arc::new(AtomicUsize::new(20));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (sb, stop, created) = (sb.clone(), stop.clone(), created.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    create(sb.clone()).await;
                    created.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    while created.load(Ordering::Relaxed) < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let to = std::env::temp_dir().join(format!("switchboard-backup-{}.db", rand_id()));
    let url = db.url().to_owned();
    let copy_to = to.clone();
    let out = tokio::task::spawn_blocking(move || backup(&url, &copy_to))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let after = created.load(Ordering::Relaxed);
    assert!(after > 40, "writes went on during the backup");

    let copy = rusqlite::Connection::open(&to).unwrap();
    let check: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let accounts: i64 = copy
        .query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))
        .unwrap();
    let without_user: i64 = copy
        .query_row(
            "SELECT COUNT(*) FROM accounts a WHERE NOT EXISTS \
             (SELECT 1 FROM users u WHERE u.account_sid = a.sid)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Every account created before the backup began is there, and each with
    // its console user: one transaction, never half of one.
    assert!(accounts >= 40, "{accounts}");
    assert!(accounts as usize <= after, "{accounts} of {after}");
    assert_eq!(without_user, 0, "an account without its user");
    drop(copy);

    // A second backup to the same file is refused rather than overwriting it.
    let url = db.url().to_owned();
    let again = to.clone();
    let out = tokio::task::spawn_blocking(move || backup(&url, &again))
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let _ = std::fs::remove_file(&to);
}

#[test]
fn a_backup_of_postgres_points_to_pg_dump() {
    let to = std::env::temp_dir().join(format!("switchboard-backup-{}.db", rand_id()));
    let out = backup("postgres://postgres@127.0.0.1:5432/nothing", &to);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!to.exists());
}
