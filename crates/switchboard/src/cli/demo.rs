//! `switchboard demo`: the whole Connect story on one machine. Switchboard on a
//! fresh SQLite file, the example Connect App (Call Analytics) beside it, an app
//! owner, a customer with a history of calls and messages, and the steps to
//! follow in a browser.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_domain::delivery::worker::CallbackSettings;
use switchboard_domain::telephony::seed::SeedPlan;
use switchboard_domain::telephony::{SimSpeed, TelephonySettings};
use switchboard_domain::{Settings, Switchboard};
use switchboard_types::{AccountType, Permissions};
use tokio::net::TcpListener;

/// The demo's sign-ins: shown on screen, so nothing secret.
const PASSWORD: &str = "switchboard-demo";
const OWNER_EMAIL: &str = "owner@demo.example";
const CUSTOMER_EMAIL: &str = "customer@demo.example";
const APP_USER: &str = "ada";
const APP_PASSWORD: &str = "call-analytics";

#[derive(Args)]
pub struct DemoArgs {
    /// Where Switchboard listens (port 0 picks a free one) [default:
    /// 127.0.0.1:8080, or the next free port when that one is taken, for
    /// example by a running `switchboard serve`].
    #[arg(long, env = "SWITCHBOARD_LISTEN")]
    listen: Option<SocketAddr>,
    /// Where the example app, Call Analytics, listens [default:
    /// 127.0.0.1:8090, or the next free port when that one is taken].
    #[arg(long)]
    app_listen: Option<SocketAddr>,
    /// A directory for the demo's database, kept after the demo stops
    /// [default: a new temporary directory, removed when the demo stops].
    /// The database inside must not exist yet: the demo always starts fresh.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// How many calls and how many messages of history the customer has.
    #[arg(long, default_value_t = 300)]
    history: u64,
}

const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);
const DEFAULT_APP_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8090);
/// How many ports after the default one to try before giving up.
const PORTS_TO_TRY: u16 = 20;

/// Binds the address asked for, or, when none was, the default or the first
/// free port after it, saying so: `serve` and the demo share a default, and
/// someone trying the demo often has `serve` still running.
async fn bind(
    asked: Option<SocketAddr>,
    default: SocketAddr,
    what: &str,
) -> Result<TcpListener, String> {
    if let Some(addr) = asked {
        return TcpListener::bind(addr).await.map_err(|e| {
            format!("cannot listen on {addr} for {what}: {e} (choose another address, or port 0)")
        });
    }
    let mut first_error = None;
    for port in default.port()..default.port().saturating_add(PORTS_TO_TRY) {
        let addr = SocketAddr::new(default.ip(), port);
        match TcpListener::bind(addr).await {
            Ok(listener) => {
                if let Some(e) = first_error {
                    eprintln!("{default} is taken ({e}), so {what} listens on {addr} instead");
                }
                return Ok(listener);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(format!(
        "cannot listen for {what} on {default} or the {PORTS_TO_TRY} ports after it: {} \
         (stop what uses them, or choose an address, port 0 for any free one)",
        first_error.map_or_else(String::new, |e| e.to_string())
    ))
}

/// Where the demo's database lives: the directory given, kept, or a new
/// temporary one that is removed when this value is dropped.
enum DemoDir {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl DemoDir {
    fn path(&self) -> &std::path::Path {
        match self {
            DemoDir::Kept(dir) => dir,
            DemoDir::Temporary(dir) => dir.path(),
        }
    }
}

fn fresh_database(dir: Option<PathBuf>) -> Result<(DemoDir, PathBuf), String> {
    let dir = match dir {
        Some(d) => {
            std::fs::create_dir_all(&d).map_err(|e| {
                format!(
                    "cannot create the demo's directory {}: {e} (choose another --dir)",
                    d.display()
                )
            })?;
            DemoDir::Kept(d)
        }
        None => DemoDir::Temporary(
            tempfile::Builder::new()
                .prefix("switchboard-demo-")
                .tempdir()
                .map_err(|e| {
                    format!(
                        "cannot create a temporary directory in {}: {e} \
                         (set TMPDIR to a writable directory, or pass --dir)",
                        std::env::temp_dir().display()
                    )
                })?,
        ),
    };
    let db = dir.path().join("switchboard-demo.db");
    if db.exists() {
        return Err(format!(
            "{} already exists: the demo starts from a fresh database; choose another --dir",
            db.display()
        ));
    }
    Ok((dir, db))
}

async fn account(sb: &Switchboard, email: &str, name: &str) -> Result<(String, String), String> {
    let access = super::operator(
        sb,
        RequestTarget::AccountList,
        Action::Write,
        Resource::AccountList,
    )
    .await?;
    let created = sb
        .accounts()
        .create_main(
            &access,
            NewMainAccount {
                email: email.to_owned(),
                password: PASSWORD.to_owned(),
                friendly_name: name.to_owned(),
                account_type: AccountType::Full,
            },
        )
        .await
        .map_err(|e| format!("creating {email}: {e}"))?;
    Ok((created.account.sid.to_string(), created.auth_token))
}

pub async fn run(args: DemoArgs) -> Result<(), String> {
    let listener = bind(args.listen, DEFAULT_LISTEN, "Switchboard").await?;
    let app_listener = bind(args.app_listen, DEFAULT_APP_LISTEN, "Call Analytics").await?;
    let app_addr = app_listener.local_addr().map_err(|e| e.to_string())?;
    let (dir, db) = fresh_database(args.dir)?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let app_url = format!("http://{app_addr}");
    let settings = Settings {
        public_url: url.clone(),
        allow_self_upgrade: true,
        callbacks: CallbackSettings {
            // The example app listens on this machine.
            allow_private: true,
            retry_base: std::time::Duration::from_secs(1),
            ..CallbackSettings::default()
        },
        telephony: TelephonySettings {
            speed: SimSpeed::Factor(60.0),
            ..TelephonySettings::default()
        },
        sandbox: true,
        ..Settings::default()
    };
    let sb = super::open(&format!("sqlite://{}", db.display()), settings).await?;

    let (owner_sid, owner_token) = account(&sb, OWNER_EMAIL, "Rossum Analytics").await?;
    let (customer_sid, _) = account(&sb, CUSTOMER_EMAIL, "Acme Plumbing").await?;
    let owner = owner_sid.parse().map_err(|e| format!("{e}"))?;
    let access = super::operator(
        &sb,
        RequestTarget::Account(&owner),
        Action::Write,
        Resource::ConnectApps,
    )
    .await?;
    let app = sb
        .connect_apps()
        .create(
            &access,
            &ConnectAppFields {
                friendly_name: Some("Call Analytics".into()),
                company_name: Some("Rossum Analytics".into()),
                description: Some(
                    "Charts of your calls and messages: counts, minutes and spend.".into(),
                ),
                homepage_url: Some(app_url.clone()),
                terms_of_service_url: None,
                authorize_redirect_url: Some(format!("{app_url}/twilio/authorize")),
                deauthorize_callback_url: Some(format!("{app_url}/twilio/deauthorize")),
                deauthorize_callback_method: Some("POST".into()),
                permissions: Some(Permissions::parse_all(["get-all"]).map_err(|e| e.to_string())?),
                sign_redirects: None,
                authorize_callback_url: None,
                authorize_callback_method: None,
            },
        )
        .await
        .map_err(|e| format!("creating the Connect App: {e}"))?;
    let bar = indicatif::ProgressBar::new(args.history * 2);
    sb.seed_history(
        &SeedPlan {
            account: customer_sid.parse().map_err(|e| format!("{e}"))?,
            calls: args.history,
            messages: args.history,
            days: 30,
        },
        |n| bar.set_position(n),
    )
    .await
    .map_err(|e| format!("seeding the customer's history: {e}"))?;
    bar.finish_and_clear();

    let config = call_analytics::Config {
        listen: app_addr,
        public_url: Some(app_url.clone()),
        switchboard_url: url.clone(),
        connect_app_sid: app.sid.to_string(),
        owner_account_sid: owner_sid.clone(),
        owner_auth_token: owner_token,
        users: vec![format!("{APP_USER}:{APP_PASSWORD}")],
    };

    let stop = super::serve::shutdown_signal();
    println!("Switchboard listening on {url}");
    println!("Call Analytics listening on {app_url}");
    println!(
        "
The Connect story, in a browser (data in {db}):

  1. Open {app_url} and sign in to Call Analytics as {APP_USER} / {APP_PASSWORD}.
  2. Press \"Connect with Switchboard\". Switchboard asks you to sign in:
     use the customer, {CUSTOMER_EMAIL} / {PASSWORD}.
  3. Switchboard shows what Call Analytics asks for (read all account data).
     Press Authorize.
  4. You are back in Call Analytics, which now reads the customer's account:
     {n} calls and {n} messages of history, with minutes, spend and a chart.
  5. Revoke it as the customer: {url}/console/authorized-apps. Switchboard
     calls the app's deauthorize URL, signed; reload Call Analytics and it
     says the connection was revoked.

  The app owner signs in to Switchboard as {OWNER_EMAIL} / {PASSWORD}.
  Press Ctrl-C to stop.",
        db = db.display(),
        n = args.history,
    );

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let example = tokio::spawn(call_analytics::serve(
        config,
        app_listener,
        stopped(stop_rx.clone()),
    ));
    let signal = async move {
        stop.await;
        let _ = stop_tx.send(true);
    };
    let served = super::serve::serve_until(
        sb,
        listener,
        switchboard_http::ServerSettings::default(),
        None,
        signal,
    )
    .await;
    match example.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("Call Analytics failed: {e}")),
        Err(e) => return Err(format!("Call Analytics stopped: {e}")),
    }
    served?;
    match dir {
        DemoDir::Kept(dir) => println!("Stopped. The demo's data is kept in {}", dir.display()),
        DemoDir::Temporary(dir) => {
            let path = dir.path().display().to_string();
            dir.close()
                .map_err(|e| format!("cannot remove the demo's directory {path}: {e}"))?;
            println!("Stopped. Removed the demo's data in {path}");
        }
    }
    Ok(())
}
