//! A real Switchboard on a random port, over a fresh database, and a client that
//! speaks HTTP to it.

use std::future::Future;
use std::net::SocketAddr;

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_domain::access::{Access, Action, RequestTarget, Resource};
use switchboard_domain::accounts::{CreatedAccount, NewMainAccount};
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_domain::grants::{Approval, Return};
use switchboard_domain::{DomainResult, Settings, Switchboard};
use switchboard_store::accounts::AccountRecord;
use switchboard_store::audit::AuditEvent;
use switchboard_store::authorizations::AuthorizedApp;
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_store::page::{Page, PageAt};
use switchboard_store::testing::TestDb;
use switchboard_store::{PoolSize, Store};
use switchboard_types::{AccountSid, AccountType, ConnectAppSid, Permissions};
use tokio::sync::oneshot;

pub struct TestServer {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when started with metrics.
    pub metrics_addr: Option<SocketAddr>,
    pub sb: Switchboard,
    pub http: reqwest::Client,
    _db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    deliveries: Option<BackgroundWorker>,
    simulator: Option<BackgroundWorker>,
    housekeeping: Option<BackgroundWorker>,
}

/// A worker loop (deliveries, the simulator) and what stops it.
struct BackgroundWorker {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl BackgroundWorker {
    fn spawn<F>(run: impl FnOnce(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) -> F) -> Self
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run(Box::pin(async {
            let _ = stopped.await;
        })));
        BackgroundWorker { stop, task }
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// An account's API credentials.
#[derive(Clone, Debug)]
pub struct Creds {
    pub sid: AccountSid,
    pub token: String,
}

/// The path of `c`'s account in the 2010 API: `/2010-04-01/Accounts/{sid}`.
pub fn base(c: &Creds) -> String {
    format!("/2010-04-01/Accounts/{}", c.sid)
}

pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Server logs go to the test's captured output: shown only when it fails.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHBOARD_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_test_writer()
        .try_init();
}

impl TestServer {
    /// Starts with adjusted settings (the public URL is filled in first).
    pub async fn start_with(db: TestDb, adjust: impl FnOnce(&mut Settings)) -> TestServer {
        Self::start_full(
            db,
            adjust,
            switchboard_http::ServerSettings::default(),
            false,
        )
        .await
    }

    /// Starts with adjusted settings and these connection limits.
    pub async fn start_serving(
        db: TestDb,
        adjust: impl FnOnce(&mut Settings),
        server: switchboard_http::ServerSettings,
    ) -> TestServer {
        Self::start_full(db, adjust, server, false).await
    }

    /// With metrics on their own listener, as `serve --metrics-listen` does.
    pub async fn start_with_metrics(db: TestDb) -> TestServer {
        Self::start_full(
            db,
            |_| {},
            switchboard_http::ServerSettings::default(),
            true,
        )
        .await
    }

    async fn start_full(
        db: TestDb,
        adjust: impl FnOnce(&mut Settings),
        server: switchboard_http::ServerSettings,
        with_metrics: bool,
    ) -> TestServer {
        install_crypto();
        let store = Store::open(&db.database_url(), PoolSize::default())
            .await
            .expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut settings = Settings {
            public_url: format!("http://{addr}"),
            ..Settings::default()
        };
        // Tests receive webhooks on 127.0.0.1 and cannot wait seconds for retries.
        settings.callbacks.allow_private = true;
        settings.callbacks.retry_base = std::time::Duration::from_millis(50);
        settings.callbacks.timeout = std::time::Duration::from_secs(2);
        settings.callbacks.poll_interval = std::time::Duration::from_millis(200);
        // Calls and messages play out at once unless a test slows them down.
        settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Instant;
        adjust(&mut settings);
        let sb = Switchboard::open(store, settings).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let mut app = switchboard_http::App::new(sb.clone());
        let mut metrics_addr = None;
        if with_metrics {
            let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            metrics_addr = Some(metrics_listener.local_addr().unwrap());
            // Stops with the test's runtime.
            tokio::spawn(switchboard_http::metrics::enable(
                &mut app,
                metrics_listener,
                std::future::pending(),
            ));
        }
        let simulator = BackgroundWorker::spawn(|stopped| sb.clone().run_simulator(stopped));
        let deliveries = BackgroundWorker::spawn(|stopped| sb.clone().run_deliveries(stopped));
        // Often, so a test sees what it expired cleared up.
        let housekeeping = BackgroundWorker::spawn(|stopped| {
            sb.clone()
                .run_housekeeping(std::time::Duration::from_millis(100), stopped)
        });
        let task = tokio::spawn(async move {
            switchboard_http::serve(listener, app, server, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            addr,
            metrics_addr,
            sb,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            _db: db,
            stop: Some(stop),
            task: Some(task),
            deliveries: Some(deliveries),
            simulator: Some(simulator),
            housekeeping: Some(housekeeping),
        }
    }

    /// Stops this node's delivery worker and waits until it has returned (the
    /// server keeps answering).
    pub async fn stop_deliveries(&mut self) {
        if let Some(worker) = self.deliveries.take() {
            worker.stop().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A main account with a console user, straight through the domain.
    pub async fn main_account(&self, account_type: AccountType) -> Creds {
        let n: u64 = rand_id();
        let created = self
            .sb
            .new_main_account(NewMainAccount {
                email: format!("user{n}@example.com"),
                password: "correct horse battery".into(),
                friendly_name: format!("Account {n}"),
                account_type,
            })
            .await
            .unwrap();
        Creds {
            sid: created.account.sid,
            token: created.auth_token,
        }
    }

    /// Sends a request with Basic credentials and form parameters; returns the
    /// status and the JSON body (Null when empty).
    pub async fn call(
        &self,
        creds: Option<&Creds>,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method.clone(), self.url(path));
        if let Some(c) = creds {
            req = req.header("Authorization", basic(c.sid.as_str(), &c.token));
        }
        if !form.is_empty() {
            req = req.form(form);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, creds: &Creds, path: &str) -> (StatusCode, Value) {
        self.call(Some(creds), Method::GET, path, &[]).await
    }

    pub async fn post(
        &self,
        creds: &Creds,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        self.call(Some(creds), Method::POST, path, form).await
    }

    /// The kinds of the webhook deliveries recorded for `c`'s account
    /// (Switchboard's Deliveries.json), newest first.
    pub async fn delivery_kinds(&self, c: &Creds) -> Vec<String> {
        let path = format!("/switchboard/v1/Accounts/{}/Deliveries.json", c.sid);
        let (status, body) = self.get(c, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The server still answers (after something nasty was sent to it).
    pub async fn assert_alive(&self, creds: &Creds) {
        let (status, _) = self.get(creds, "/2010-04-01/Accounts.json").await;
        assert_eq!(status, StatusCode::OK, "the server stopped answering");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for worker in [
            self.deliveries.take(),
            self.simulator.take(),
            self.housekeeping.take(),
        ]
        .into_iter()
        .flatten()
        {
            let _ = worker.stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

pub fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    nanos * 1000 + N.fetch_add(1, Ordering::Relaxed)
}

/// `…/{Sid}/{list}.json`: a list under a resource, from the resource's `uri`
/// (`Recordings` under a call, say).
#[track_caller]
pub fn list_under(resource: &Value, list: &str) -> String {
    format!("{}/{list}.json", uri_stem(resource))
}

/// `…/{Sid}/{list}/{item}.json`: one item of a list under a resource.
#[track_caller]
pub fn item_under(resource: &Value, list: &str, item: &str) -> String {
    format!("{}/{list}/{item}.json", uri_stem(resource))
}

#[track_caller]
fn uri_stem(resource: &Value) -> &str {
    resource["uri"]
        .as_str()
        .and_then(|u| u.strip_suffix(".json"))
        .unwrap_or_else(|| panic!("no `uri` ending .json: {resource}"))
}

/// Asserts a Twilio-shaped error body with this status and code.
#[track_caller]
pub fn assert_twilio_error(status: StatusCode, body: &Value, want_status: u16, want_code: u64) {
    assert_eq!(status.as_u16(), want_status, "status; body: {body}");
    assert_eq!(body["status"], want_status, "body status: {body}");
    assert_eq!(body["code"], want_code, "code: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message: {body}"
    );
    assert_eq!(
        body["more_info"],
        format!("https://www.twilio.com/docs/errors/{want_code}"),
        "more_info: {body}"
    );
}

/// Runs an async test body against a fresh server on each backend; with
/// `settings = |s| …`, on a server whose settings that closure adjusted.
#[macro_export]
macro_rules! server_test {
    ($name:ident, |$s:ident| $body:block) => {
        $crate::server_test!($name, settings = |_| {}, |$s| $body);
    };
    ($name:ident, settings = $adjust:expr, |$s:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($s: $crate::support::TestServer) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = switchboard_store::testing::TestDb::sqlite();
                run($crate::support::TestServer::start_with(db, $adjust).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = switchboard_store::testing::TestDb::postgres().await {
                    run($crate::support::TestServer::start_with(db, $adjust).await).await;
                }
            }
        }
    };
}

/// What tests set up straight through the domain, as the operator's command
/// line would: every change passes the policy and lands in the audit log as
/// the operator's.
pub trait AsOperator {
    fn new_main_account(
        &self,
        new: NewMainAccount,
    ) -> impl Future<Output = DomainResult<CreatedAccount>> + Send;
    fn read_account(
        &self,
        sid: &AccountSid,
    ) -> impl Future<Output = DomainResult<AccountRecord>> + Send;
    fn upgrade_main(
        &self,
        sid: &AccountSid,
    ) -> impl Future<Output = DomainResult<AccountRecord>> + Send;
    fn new_connect_app(
        &self,
        owner: &AccountSid,
        fields: &ConnectAppFields,
    ) -> impl Future<Output = DomainResult<ConnectAppRecord>> + Send;
    fn apps_of(
        &self,
        owner: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> impl Future<Output = DomainResult<Page<ConnectAppRecord>>> + Send;
    fn grants_of(
        &self,
        customer: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> impl Future<Output = DomainResult<Page<AuthorizedApp>>> + Send;
    fn revoke_as_customer(
        &self,
        customer: &AccountSid,
        app: &ConnectAppSid,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// A main account's audit log, newest first.
    fn log_of(
        &self,
        main: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> impl Future<Output = DomainResult<Page<AuditEvent>>> + Send;
    /// Approves an app for a customer, as if on the consent page.
    fn approve_for(
        &self,
        customer: &AccountSid,
        app: &ConnectAppSid,
        shown: Permissions,
    ) -> impl Future<Output = DomainResult<Approval>> + Send;
}

async fn operator(
    sb: &Switchboard,
    target: RequestTarget<'_>,
    action: Action,
    resource: Resource,
) -> DomainResult<Access> {
    sb.operator_access(target, action, resource).await
}

impl AsOperator for Switchboard {
    async fn new_main_account(&self, new: NewMainAccount) -> DomainResult<CreatedAccount> {
        let access = operator(
            self,
            RequestTarget::AccountList,
            Action::Write,
            Resource::AccountList,
        )
        .await?;
        self.accounts().create_main(&access, new).await
    }

    async fn read_account(&self, sid: &AccountSid) -> DomainResult<AccountRecord> {
        let target = RequestTarget::Account(sid);
        let access = operator(self, target, Action::Read, Resource::Account).await?;
        self.accounts().get(&access).await
    }

    async fn upgrade_main(&self, sid: &AccountSid) -> DomainResult<AccountRecord> {
        let target = RequestTarget::Account(sid);
        let access = operator(self, target, Action::Write, Resource::AccountType).await?;
        self.accounts().upgrade(&access).await
    }

    async fn new_connect_app(
        &self,
        owner: &AccountSid,
        fields: &ConnectAppFields,
    ) -> DomainResult<ConnectAppRecord> {
        let target = RequestTarget::Account(owner);
        let access = operator(self, target, Action::Write, Resource::ConnectApps).await?;
        self.connect_apps().create(&access, fields).await
    }

    async fn apps_of(
        &self,
        owner: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<ConnectAppRecord>> {
        let target = RequestTarget::Account(owner);
        let access = operator(self, target, Action::Read, Resource::ConnectApps).await?;
        self.connect_apps().list((&access).into(), at, size).await
    }

    async fn grants_of(
        &self,
        customer: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AuthorizedApp>> {
        let target = RequestTarget::Account(customer);
        let reading = Resource::AuthorizedConnectApps;
        let access = operator(self, target, Action::Read, reading).await?;
        self.grants().list((&access).into(), at, size).await
    }

    async fn revoke_as_customer(
        &self,
        customer: &AccountSid,
        app: &ConnectAppSid,
    ) -> DomainResult<()> {
        let target = RequestTarget::Account(customer);
        let writing = Resource::AuthorizedConnectApps;
        let access = operator(self, target, Action::Write, writing).await?;
        self.grants().revoke(&access, app).await
    }

    async fn approve_for(
        &self,
        customer: &AccountSid,
        app: &ConnectAppSid,
        shown: Permissions,
    ) -> DomainResult<Approval> {
        let target = RequestTarget::Account(customer);
        let writing = Resource::AuthorizedConnectApps;
        let access = operator(self, target, Action::Write, writing).await?;
        self.grants()
            .approve(&access, app, shown, Return::default())
            .await
    }

    async fn log_of(
        &self,
        main: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AuditEvent>> {
        let target = RequestTarget::Account(main);
        let access = operator(self, target, Action::Read, Resource::AuditLog).await?;
        self.audit_log(&access, at, size).await
    }
}
