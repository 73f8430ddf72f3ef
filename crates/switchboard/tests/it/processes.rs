//! The real `switchboard` binary, as separate processes: crashes and several
//! nodes on one database.

use crate::support::AsOperator;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use switchboard_domain::accounts::{CreatedAccount, NewMainAccount};
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_domain::grants::Approval;
use switchboard_domain::{Settings, Switchboard};
use switchboard_store::testing::TestDb;
use switchboard_store::{PoolSize, Store};
use switchboard_types::{AccountType, Permission, Permissions};

use crate::receiver::Receiver;
use crate::support::{Creds, basic, install_crypto, rand_id};

/// A `switchboard serve` process and the address it listens on.
struct Node {
    child: Child,
    url: String,
}

impl Node {
    fn start(database_url: &str, extra: &[&str]) -> Node {
        Node::start_logging(database_url, extra, "warn", Stdio::inherit())
    }

    /// With `SWITCHBOARD_LOG=log`, its standard error going to `stderr`.
    fn start_logging(database_url: &str, extra: &[&str], log: &str, stderr: Stdio) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .args(extra)
            .env("SWITCHBOARD_LOG", log)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("switchboard starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("Switchboard listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Node { child, url }
    }

    /// Stops it gracefully (SIGTERM) and returns what it wrote on a piped
    /// standard error.
    fn stop_and_read_log(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let mut log = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
        }
        log
    }

    fn kill_9(&mut self) {
        // SIGKILL: no shutdown, no flushing, nothing.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Full main account whose name is also its e-mail's local part.
async fn main_account(sb: &Switchboard, name: &str) -> CreatedAccount {
    sb.new_main_account(NewMainAccount {
        email: format!("{}{}@example.com", name.to_lowercase(), rand_id()),
        password: "correct horse battery".into(),
        friendly_name: name.into(),
        account_type: AccountType::Full,
    })
    .await
    .unwrap()
}

async fn domain(db: &TestDb) -> Switchboard {
    install_crypto();
    let store = Store::open(&db.database_url(), PoolSize::default())
        .await
        .unwrap();
    Switchboard::open(store, Settings::default()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_callback_arrives_after_kill_9_in_the_middle_of_1000_revokes() {
    let db = TestDb::sqlite();
    let sb = domain(&db).await;
    let receiver = Receiver::start().await;
    // The first 150 deliveries are answered; every later one hangs, so when the
    // server is killed some callbacks are acknowledged, some are in flight and the
    // rest still wait in the outbox, however fast this machine is.
    receiver.hang_after(150);
    let owner = main_account(&sb, "Owner").await;
    let customer = main_account(&sb, "Customer").await;
    let mut apps = Vec::new();
    for i in 0..1000 {
        let app = sb
            .new_connect_app(
                &owner.account.sid,
                &ConnectAppFields {
                    friendly_name: Some(format!("App {i}")),
                    company_name: Some("Rossum".into()),
                    authorize_redirect_url: Some("https://app.example.com/auth".into()),
                    deauthorize_callback_url: Some(receiver.url("/deauth")),
                    permissions: Some(Permissions::of(&[Permission::GetAll])),
                    ..ConnectAppFields::default()
                },
            )
            .await
            .unwrap();
        let approval = sb
            .approve_for(&customer.account.sid, &app.sid, app.permissions)
            .await
            .unwrap();
        assert!(matches!(approval, Approval::Granted(_)), "{approval:?}");
        apps.push(app.sid.to_string());
    }
    drop(sb);

    let flags = [
        "--allow-private-callbacks",
        "--callback-retry-base",
        "100ms",
    ];
    let mut node = Node::start(db.url(), &flags);
    let http = reqwest::Client::new();
    let creds = Creds {
        sid: customer.account.sid.clone(),
        token: customer.auth_token.clone(),
    };
    // Revoke every grant through the API, eight at a time.
    let revokes = futures_from(apps.clone(), |app| {
        let http = http.clone();
        let url = format!(
            "{}/2010-04-01/Accounts/{}/AuthorizedConnectApps/{app}.json",
            node.url, creds.sid
        );
        let auth = basic(creds.sid.as_str(), &creds.token);
        async move {
            let status = http
                .request(Method::DELETE, url)
                .header("Authorization", auth)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
    });
    run_concurrently(revokes, 8).await;
    // Part-way through delivering them, the server dies without warning.
    receiver.wait_for(151, Duration::from_secs(60)).await;
    node.kill_9();
    let before_restart = receiver.received().len();
    assert!(
        before_restart < 1000,
        "the crash came too late to test anything ({before_restart} delivered)"
    );

    receiver.stop_hanging();
    let _restarted = Node::start(db.url(), &flags);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let seen: BTreeSet<String> = receiver
            .received()
            .iter()
            .filter_map(|r| r.param("ConnectAppSid"))
            .collect();
        if seen.len() == 1000 {
            let expected: BTreeSet<String> = apps.iter().cloned().collect();
            assert_eq!(seen, expected);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of 1000 callbacks arrived",
            seen.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// SQLite write transactions that finish together share one COMMIT
/// (store/src/sqlite/writer.rs): none may be answered before its group's COMMIT,
/// or a crash loses writes that were acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_kill_9_during_concurrent_writes() {
    let db = TestDb::sqlite();
    let sb = domain(&db).await;
    let owner = main_account(&sb, "Owner").await;
    drop(sb);
    let mut node = Node::start(db.url(), &[]);
    let http = reqwest::Client::new();
    let auth = basic(owner.account.sid.as_str(), &owner.auth_token);
    let url = format!("{}/2010-04-01/Accounts.json", node.url);
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    // 32 clients create subaccounts back to back until the server dies.
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..32 {
        let (http, auth, url) = (http.clone(), auth.clone(), url.clone());
        let acknowledged = acknowledged.clone();
        clients.spawn(async move {
            for n in 0.. {
                let name = format!("Client {client} number {n}");
                let sent = http
                    .post(&url)
                    .header("Authorization", &auth)
                    .form(&[("FriendlyName", name)])
                    .send()
                    .await;
                let Ok(response) = sent else { return };
                if response.status() != StatusCode::CREATED {
                    return;
                }
                let Ok(body) = response.json::<serde_json::Value>().await else {
                    return;
                };
                let sid = body["sid"].as_str().expect("a created account has a SID");
                acknowledged.lock().unwrap().push(sid.to_owned());
            }
        });
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 300 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the writes did not get going"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    node.kill_9();
    while clients.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().unwrap().clone();

    let restarted = Node::start(db.url(), &[]);
    let mut lost = Vec::new();
    for sid in &acknowledged {
        let url = format!("{}/2010-04-01/Accounts/{sid}.json", restarted.url);
        if get_status(&http, &url, &auth).await != StatusCode::OK {
            lost.push(sid);
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged subaccounts were lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
}

fn futures_from<T, F: std::future::Future<Output = ()>>(
    items: Vec<T>,
    f: impl Fn(T) -> F,
) -> Vec<F> {
    items.into_iter().map(f).collect()
}

async fn run_concurrently<F>(futures: Vec<F>, at_once: usize)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(at_once));
    let mut running = tokio::task::JoinSet::new();
    for f in futures {
        let permit = permits.clone().acquire_owned().await.unwrap();
        running.spawn(async move {
            f.await;
            drop(permit);
        });
    }
    while let Some(done) = running.join_next().await {
        done.expect("a request task panicked");
    }
}

/// On PostgreSQL: two nodes. On SQLite: two server processes on one file, where
/// the other process has the app's credentials and grant in its caller cache,
/// which must not outlive the revocation by a single request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_on_one_node_is_refused_at_once_on_another_postgres() {
    if let Some(db) = TestDb::postgres().await {
        revoke_on_one_node_is_refused_at_once_on_another(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_on_one_node_is_refused_at_once_on_another_sqlite() {
    revoke_on_one_node_is_refused_at_once_on_another(TestDb::sqlite()).await;
}

async fn revoke_on_one_node_is_refused_at_once_on_another(db: TestDb) {
    let sb = domain(&db).await;
    let owner = main_account(&sb, "Owner").await;
    let customer = main_account(&sb, "Customer").await;
    let app = sb
        .new_connect_app(
            &owner.account.sid,
            &ConnectAppFields {
                friendly_name: Some("Analytics".into()),
                company_name: Some("Rossum".into()),
                authorize_redirect_url: Some("https://app.example.com/auth".into()),
                permissions: Some(Permissions::of(&[Permission::GetAll])),
                ..ConnectAppFields::default()
            },
        )
        .await
        .unwrap();
    let approval = sb
        .approve_for(&customer.account.sid, &app.sid, app.permissions)
        .await
        .unwrap();
    let Approval::Granted(location) = approval else {
        panic!("not granted: {approval:?}");
    };
    let sub = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "AccountSid")
        .unwrap()
        .1
        .into_owned();
    let a = Node::start(db.url(), &[]);
    let b = Node::start(db.url(), &[]);
    let http = reqwest::Client::new();
    let as_app = basic(&sub, &owner.auth_token);
    let on_b = format!("{}/2010-04-01/Accounts.json", b.url);
    for _ in 0..3 {
        assert_eq!(get_status(&http, &on_b, &as_app).await, StatusCode::OK);
    }
    let revoke = format!(
        "{}/2010-04-01/Accounts/{}/AuthorizedConnectApps/{}.json",
        a.url, customer.account.sid, app.sid
    );
    let status = http
        .delete(revoke)
        .header(
            "Authorization",
            basic(customer.account.sid.as_str(), &customer.auth_token),
        )
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    // No waiting: the very next request on the other node is refused.
    assert_eq!(
        get_status(&http, &on_b, &as_app).await,
        StatusCode::UNAUTHORIZED
    );
}

/// A deleted API key, like a revoked grant, is refused by the very next
/// request on another node (PostGreSQL: the facts epoch moves with the key's
/// row; SQLite: another process's commit stamp).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_deleted_on_one_node_is_refused_at_once_on_another_postgres() {
    if let Some(db) = TestDb::postgres().await {
        key_deleted_on_one_node_is_refused_at_once_on_another(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_deleted_on_one_node_is_refused_at_once_on_another_sqlite() {
    key_deleted_on_one_node_is_refused_at_once_on_another(TestDb::sqlite()).await;
}

async fn key_deleted_on_one_node_is_refused_at_once_on_another(db: TestDb) {
    let sb = domain(&db).await;
    let owner = main_account(&sb, "Keyholder").await;
    let sid = owner.account.sid.clone();
    let as_owner = basic(sid.as_str(), &owner.auth_token);
    let a = Node::start(db.url(), &[]);
    let b = Node::start(db.url(), &[]);
    let http = reqwest::Client::new();
    let created: serde_json::Value = http
        .post(format!("{}/2010-04-01/Accounts/{sid}/Keys.json", a.url))
        .header("Authorization", &as_owner)
        .form(&[("FriendlyName", "nodes")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["sid"].as_str().expect("a key").to_owned();
    let as_key = basic(&key, created["secret"].as_str().unwrap());
    let on_b = format!("{}/2010-04-01/Accounts/{sid}/Calls.json", b.url);
    for _ in 0..3 {
        assert_eq!(get_status(&http, &on_b, &as_key).await, StatusCode::OK);
    }
    let status = http
        .delete(format!(
            "{}/2010-04-01/Accounts/{sid}/Keys/{key}.json",
            a.url
        ))
        .header("Authorization", &as_owner)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        get_status(&http, &on_b, &as_key).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn get_status(http: &reqwest::Client, url: &str, authorization: &str) -> StatusCode {
    http.get(url)
        .header("Authorization", authorization)
        .send()
        .await
        .unwrap()
        .status()
}

/// Token rotations from the operator's command line land in the account's
/// audit log, like rotations through the API and the console.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_line_token_rotations_are_audited() {
    let db = TestDb::sqlite();
    let sb = domain(&db).await;
    let account = main_account(&sb, "Rotator").await.account.sid;
    for step in [
        "create-secondary",
        "promote",
        "create-secondary",
        "delete-secondary",
    ] {
        token_command(db.url(), step, account.as_str());
    }
    let at = switchboard_store::page::PageAt::First;
    let (query, shape) = switchboard_store::audit::of_account(&account, &at, 50);
    let events = shape.assemble(sb.store().all(query).await.unwrap()).items;
    let rotations: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.action.starts_with("token."))
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        rotations,
        [
            ("operator", "token.secondary_deleted"),
            ("operator", "token.secondary_created"),
            ("operator", "token.promoted"),
            ("operator", "token.secondary_created"),
        ]
    );
}

/// `switchboard accounts tokens STEP SID --json`, which must succeed; its output.
fn token_command(database_url: &str, step: &str, sid: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["accounts", "tokens", step, sid, "--json"])
        .args(["--database-url", database_url])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{step}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The operator's command line is another process writing the same database; a
/// running server must not keep accepting a token it has just replaced, however
/// often that token was used (and its caller facts reused) before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_replaced_from_the_command_line_is_refused_at_once_sqlite() {
    token_replaced_from_the_command_line_is_refused_at_once(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_replaced_from_the_command_line_is_refused_at_once_postgres() {
    if let Some(db) = TestDb::postgres().await {
        token_replaced_from_the_command_line_is_refused_at_once(db).await;
    }
}

async fn token_replaced_from_the_command_line_is_refused_at_once(db: TestDb) {
    let sb = domain(&db).await;
    let created = main_account(&sb, "Replaced").await;
    let sid = created.account.sid.to_string();
    let node = Node::start(db.url(), &[]);
    let http = reqwest::Client::new();
    let url = format!("{}/2010-04-01/Accounts/{sid}.json", node.url);
    let status_with = |token: String| {
        let (http, url, auth) = (http.clone(), url.clone(), basic(&sid, &token));
        async move { get_status(&http, &url, &auth).await }
    };
    for _ in 0..3 {
        assert_eq!(
            status_with(created.auth_token.clone()).await,
            StatusCode::OK
        );
    }
    let created_secondary = token_command(db.url(), "create-secondary", &sid);
    let secondary = serde_json::from_slice::<serde_json::Value>(&created_secondary).unwrap()
        ["secondary_auth_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Both tokens work while both exist.
    assert_eq!(status_with(secondary.clone()).await, StatusCode::OK);
    assert_eq!(
        status_with(created.auth_token.clone()).await,
        StatusCode::OK
    );
    token_command(db.url(), "promote", &sid);
    // No waiting: the replaced primary is refused by the very next request.
    assert_eq!(
        status_with(created.auth_token.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status_with(secondary).await, StatusCode::OK);
}

/// With debug logging, every request is one line (method, path, status), and
/// neither the Authorization header nor a query string reaches the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logging_writes_each_request_without_its_secrets() {
    let db = TestDb::sqlite();
    let sb = domain(&db).await;
    let created = main_account(&sb, "Logged").await;
    drop(sb);
    let sid = created.account.sid.to_string();
    let node = Node::start_logging(db.url(), &[], "debug", Stdio::piped());
    let status = reqwest::Client::new()
        .get(format!(
            "{}/2010-04-01/Accounts/{sid}/Calls.json?PageToken=secret-page-token",
            node.url
        ))
        .header("Authorization", basic(&sid, &created.auth_token))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST, "an unsigned PageToken");
    // Stopped, so that its log is complete.
    let log = node.stop_and_read_log();
    let request_line = log
        .lines()
        .find(|l| l.contains(&format!("/2010-04-01/Accounts/{sid}/Calls.json")))
        .unwrap_or_else(|| panic!("no line for the request in:\n{log}"));
    assert!(request_line.contains("GET"), "{request_line}");
    assert!(
        log.contains("status=400"),
        "the response's status is logged:\n{log}"
    );
    for secret in [
        created.auth_token.as_str(),
        "secret-page-token",
        basic(&sid, &created.auth_token).trim_start_matches("Basic "),
    ] {
        assert!(!log.contains(secret), "{secret} reached the log:\n{log}");
    }
}

async fn ask_ready(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: switchboard\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

/// The connection flags reach the server: a silent connection is closed after
/// `--header-read-timeout`, one over `--max-connections` is refused, and the
/// node is ready (its workers run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_applies_its_connection_flags_and_reports_ready() {
    use tokio::io::AsyncReadExt;

    let db = TestDb::sqlite();
    let node = Node::start(
        db.url(),
        &["--header-read-timeout", "300ms", "--max-connections", "2"],
    );
    let addr = node.url.trim_start_matches("http://").to_owned();
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(3), silent.read(&mut byte)).await;
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "a silent connection is still open after 3s"
    );

    let mut first = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let answer = ask_ready(&mut first).await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never ready: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut second = tokio::net::TcpStream::connect(&addr).await.unwrap();
    assert!(ask_ready(&mut second).await.starts_with("HTTP/1.1 200"));
    let mut third = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let refused = ask_ready(&mut third).await;
    assert!(refused.starts_with("HTTP/1.1 503 "), "{refused}");
    assert!(ask_ready(&mut first).await.starts_with("HTTP/1.1 200"));

    for bad in [
        ["--max-connections", "0"],
        ["--header-read-timeout", "0s"],
        ["--idle-timeout", "soon"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["serve", "--database-url", db.url()])
            .args(bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad:?} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(bad[0]), "{bad:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_usage_trigger_fires_once_per_period_across_a_restart_sqlite() {
    usage_trigger_fires_once_across_a_restart(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_usage_trigger_fires_once_per_period_across_a_restart_postgres() {
    if let Some(db) = TestDb::postgres().await {
        usage_trigger_fires_once_across_a_restart(db).await;
    }
}

/// A daily trigger fires once: the first node sends it, the second (on the
/// same database, after a kill -9) sees it fired for the day and sends
/// nothing more, however much more is used.
async fn usage_trigger_fires_once_across_a_restart(db: TestDb) {
    let sb = domain(&db).await;
    let receiver = Receiver::start().await;
    let owner = main_account(&sb, "Owner").await;
    drop(sb);
    let creds = Creds {
        sid: owner.account.sid.clone(),
        token: owner.auth_token.clone(),
    };
    let auth = basic(creds.sid.as_str(), &creds.token);
    let http = reqwest::Client::new();
    let post = |node: &Node, path: &str, form: Vec<(&'static str, String)>| {
        let request = http
            .post(format!(
                "{}/2010-04-01/Accounts/{}{path}",
                node.url, creds.sid
            ))
            .header("Authorization", auth.clone())
            .form(&form);
        async move {
            let answer = request.send().await.unwrap();
            let status = answer.status();
            let body: serde_json::Value = answer.json().await.unwrap();
            (status, body)
        }
    };
    let flags = ["--allow-private-callbacks"];
    let mut node = Node::start(db.url(), &flags);
    let (status, trigger) = post(
        &node,
        "/Usage/Triggers.json",
        vec![
            ("CallbackUrl", receiver.url("/usage")),
            ("TriggerValue", "1".into()),
            ("UsageCategory", "phonenumbers".into()),
            ("TriggerBy", "count".into()),
            ("Recurring", "daily".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{trigger}");
    let buy = vec![("AreaCode", "415".to_owned())];
    let (status, body) = post(&node, "/IncomingPhoneNumbers.json", buy.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hooks = receiver.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(
        hooks[0].param("UsageTriggerSid").as_deref(),
        trigger["sid"].as_str()
    );
    // Killed once the attempt is recorded: one sent and not yet recorded is
    // sent again by the next node (at least once, by design), which is not
    // what this test is about.
    let deliveries = format!(
        "{}/switchboard/v1/Accounts/{}/Deliveries.json",
        node.url, creds.sid
    );
    let get = |url: String| {
        let request = http.get(url).header("Authorization", auth.clone());
        async move {
            let body: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
            body
        }
    };
    let mut recorded = false;
    for _ in 0..400 {
        let page = get(deliveries.clone()).await;
        recorded = page["deliveries"]
            .as_array()
            .is_some_and(|all| all.iter().any(|d| d["status"] == "delivered"));
        if recorded {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        recorded,
        "the trigger's webhook was never recorded as delivered"
    );
    node.kill_9();

    let node = Node::start(db.url(), &flags);
    for _ in 0..2 {
        let (status, body) = post(&node, "/IncomingPhoneNumbers.json", buy.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        receiver.received().len(),
        1,
        "fired again after the restart"
    );
    let fetched = get(format!(
        "{}/2010-04-01/Accounts/{}/Usage/Triggers/{}.json",
        node.url,
        creds.sid,
        trigger["sid"].as_str().unwrap()
    ))
    .await;
    assert_eq!(fetched["current_value"], "1", "{fetched}");
}
