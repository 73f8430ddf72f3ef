//! `switchboard sandbox`: sandbox mode for local development and test suites,
//! with a seed applied at start and its credentials printed.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::delivery::worker::CallbackSettings;
use switchboard_domain::sandbox::SandboxView;
use switchboard_domain::sandbox::seed::SeedDocument;
use switchboard_domain::telephony::{SimSpeed, TelephonySettings};
use switchboard_domain::{Settings, Switchboard};
use tokio::net::TcpListener;

pub const HELP: &str = "Sandbox mode is for tests and local development, never for a shared \
deployment: anyone who reaches the server can create sandboxes. Without an explicit \
--database-url (or SWITCHBOARD_DATABASE_URL), the data lives in a temporary SQLite database \
removed at exit. See docs/sandbox.md.";

#[derive(Args)]
pub struct SandboxArgs {
    /// A seed to apply at start: TOML, or JSON for a file ending in .json
    /// (the structure of docs/sandbox.md). Its credentials are printed.
    #[arg(long, env = "SWITCHBOARD_SANDBOX_SEED")]
    seed: Option<PathBuf>,

    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// How fast simulated calls and messages run: `instant` (the default
    /// here: every step at once), or simulated seconds per real second.
    #[arg(long, env = "SWITCHBOARD_SIM_SPEED", default_value = "instant", value_parser = SimSpeed::parse)]
    sim_speed: SimSpeed,

    /// Delay before the first retry of a failed webhook (later retries
    /// double it). E.g. 1s, 200ms.
    #[arg(long, env = "SWITCHBOARD_CALLBACK_RETRY_BASE", default_value = "1s", value_parser = humantime::parse_duration)]
    callback_retry_base: std::time::Duration,

    /// Print the seeded sandbox as JSON (the API's answer) instead of text.
    #[arg(long)]
    json: bool,
}

/// Whether the database was chosen on purpose, rather than left at its default.
fn database_chosen() -> bool {
    std::env::var_os("SWITCHBOARD_DATABASE_URL").is_some()
        || std::env::args().any(|a| a == "--database-url" || a.starts_with("--database-url="))
}

fn read_seed(path: &PathBuf) -> Result<(SeedDocument, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the seed {}: {e}", path.display()))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        SeedDocument::from_json(&text)
    } else {
        SeedDocument::from_toml(&text)
    };
    let document = parsed.map_err(|e| format!("{}: {e}", path.display()))?;
    // Kept as JSON, as the API keeps a seed.
    let given = if is_json { text } else { toml_to_json(&text)? };
    Ok((document, given))
}

fn toml_to_json(text: &str) -> Result<String, String> {
    let value: serde_json::Value = toml::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_string(&value).map_err(|e| e.to_string())
}

fn print_text(view: &SandboxView, base: &str) {
    println!("Sandbox {}", view.sid);
    for a in &view.accounts {
        println!(
            "  account {:<16} {}  token {}  ({})",
            a.name,
            a.sid,
            a.auth_token,
            a.account_type.as_str()
        );
        if let (Some(email), Some(password)) = (&a.email, &a.password) {
            println!("    console {base}/signin  {email} / {password}");
        }
        for s in &a.subaccounts {
            println!(
                "    subaccount {:<12} {}  token {}",
                s.name, s.sid, s.auth_token
            );
        }
    }
    for c in &view.connect_apps {
        println!(
            "  connect app {:<12} {}  (of {})  {}",
            c.name, c.sid, c.owner, c.connect_url
        );
    }
    for g in &view.authorizations {
        println!(
            "  authorization {} -> {}: dedicated subaccount {}",
            g.customer, g.connect_app, g.account_sid
        );
    }
    for n in &view.phone_numbers {
        println!(
            "  number {} {}  of {}",
            n.phone_number, n.sid, n.account_sid
        );
    }
}

pub async fn run(
    database_url: &str,
    public_url: Option<&str>,
    args: SandboxArgs,
) -> Result<(), String> {
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let public_url = public_url
        .map_or_else(|| format!("http://{addr}"), str::to_owned)
        .trim_end_matches('/')
        .to_owned();
    let document = args.seed.as_ref().map(read_seed).transpose()?;
    let settings = Settings {
        public_url: public_url.clone(),
        callbacks: CallbackSettings {
            // The app under test listens on this machine.
            allow_private: true,
            retry_base: args.callback_retry_base,
            ..CallbackSettings::default()
        },
        telephony: TelephonySettings {
            speed: args.sim_speed,
            ..TelephonySettings::default()
        },
        sandbox: true,
        ..Settings::default()
    };
    // Kept until the server stops; removed with it.
    let mut _temporary = None;
    let database_url = if database_chosen() {
        database_url.to_owned()
    } else {
        let dir = tempfile::Builder::new()
            .prefix("switchboard-sandbox-")
            .tempdir()
            .map_err(|e| {
                format!(
                    "cannot create a temporary directory in {}: {e} \
                     (set TMPDIR to a writable directory, or pass --database-url)",
                    std::env::temp_dir().display()
                )
            })?;
        let url = format!(
            "sqlite://{}",
            dir.path().join("switchboard-sandbox.db").display()
        );
        _temporary = Some(dir);
        url
    };
    let sb: Switchboard = super::open(&database_url, settings).await?;
    let stop = super::serve::shutdown_signal();
    // The first line on stdout says where to go; scripts and tests read it.
    // As `serve` prints it, so the same scripts read it.
    println!("Switchboard listening on http://{addr}");
    if let Some((document, given)) = document {
        let access = super::operator(
            &sb,
            RequestTarget::Sandboxes,
            Action::Write,
            Resource::Sandbox,
        )
        .await?;
        let view = sb
            .sandboxes()
            .create(&access, &document, &given)
            .await
            .map_err(|e| e.to_string())?;
        if args.json {
            let json = switchboard_http::api::sandboxes::SandboxJson::from(view);
            println!(
                "{}",
                serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
            );
        } else {
            print_text(&view, &public_url);
        }
    }
    tracing::info!(%addr, %public_url, "serving in sandbox mode");
    super::serve::serve_until(
        sb,
        listener,
        switchboard_http::ServerSettings::default(),
        None,
        stop,
    )
    .await
}
