//! The command line. Every command reads its settings from flags or the matching
//! `SWITCHBOARD_*` environment variables.

mod accounts;
mod apps;
mod backup;
mod calls;
mod demo;
mod messages;
mod output;
mod sandbox;
mod seed;
mod serve;
mod short_codes;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use switchboard_domain::access::{Access, Action, RequestTarget, Resource};
use switchboard_domain::{Settings, Switchboard};
use switchboard_store::{DatabaseUrl, PoolSize, Store};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "A self-hosted Twilio Connect with the slice of Twilio's REST API that Connect Apps use",
    long_about = "Switchboard lets customers authorize third-party Connect Apps to use their accounts, \
                  and serves the Twilio 2010-04-01 REST API those apps call (accounts, Connect Apps, \
                  calls, messages, phone numbers, usage) with telephony simulated. Point the official \
                  Twilio SDKs at it by changing their base URL."
)]
pub struct Cli {
    /// Where the data lives: sqlite://FILE (created on first use) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_DATABASE_URL",
        default_value = "sqlite://switchboard.db"
    )]
    database_url: String,

    /// The base URL people and apps reach Switchboard at, used in links and
    /// webhook signatures [default: http://<serve's listen address>].
    #[arg(long, global = true, env = "SWITCHBOARD_PUBLIC_URL")]
    public_url: Option<String>,

    /// Log format on standard error.
    #[arg(long, global = true, env = "SWITCHBOARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: the REST API, the consent flow and the console.
    Serve(serve::ServeArgs),
    /// Run the server in sandbox mode for local development and tests: the
    /// sandbox control plane on, the instant clock, webhooks to this machine
    /// allowed, and a seed (if given) applied with its credentials printed.
    #[command(after_help = sandbox::HELP)]
    Sandbox(sandbox::SandboxArgs),
    /// Create, list, show and upgrade accounts, and rotate their auth tokens.
    #[command(subcommand)]
    Accounts(accounts::AccountsCommand),
    /// Create, list and show Connect Apps.
    #[command(subcommand, after_help = apps::LINK_HELP)]
    Apps(apps::AppsCommand),
    /// Start Switchboard on a fresh database with the example Connect App beside
    /// it, an app owner and a customer, and print the steps to follow in a
    /// browser.
    Demo(demo::DemoArgs),
    /// Messages from simulated handsets to this Switchboard's numbers.
    #[command(subcommand)]
    Messages(messages::MessagesCommand),
    /// Calls from simulated handsets to this Switchboard's numbers.
    #[command(subcommand)]
    Calls(calls::CallsCommand),
    /// Provision short codes to accounts, list them, take them back.
    #[command(subcommand, name = "short-codes", after_help = short_codes::HELP)]
    ShortCodes(short_codes::ShortCodesCommand),
    /// Fill an account with a history of finished calls and messages (demos,
    /// scale tests, benchmarks), charged as if they had happened.
    Seed(seed::SeedArgs),
    /// Copy the SQLite database to a new file while the server runs (a
    /// consistent online copy; on PostgreSQL use pg_dump).
    Backup(backup::BackupArgs),
}

fn init_logging(format: LogFormat, default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SWITCHBOARD_LOG")
        .unwrap_or_else(|_| EnvFilter::new(default_level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Opens the database named on the command line, migrating it if needed. A
/// failure says what to change, since the URL came from a flag or the
/// environment.
async fn open(database_url: &str, settings: Settings) -> Result<Switchboard, String> {
    const WHERE: &str = "--database-url (or SWITCHBOARD_DATABASE_URL)";
    let url = DatabaseUrl::parse(database_url).map_err(|e| format!("{e}; set it with {WHERE}"))?;
    if let DatabaseUrl::Sqlite(path) = &url {
        // SQLite's own message ("unable to open database file") names neither.
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|d| !d.is_dir()) {
            return Err(format!(
                "cannot create the SQLite file {}: the directory {} does not exist; \
                 create it, or choose another file with {WHERE}",
                path.display(),
                dir.display()
            ));
        }
    }
    let store = Store::open(&url, PoolSize::default()).await.map_err(|e| {
        let fix = match &url {
            DatabaseUrl::Sqlite(_) => {
                "check that the file and its directory are writable, or choose another file with"
            }
            DatabaseUrl::Postgres(_) => {
                "check that PostgreSQL runs and accepts connections there and that the database \
                 exists, or choose another database with"
            }
        };
        format!("cannot open {}: {e}; {fix} {WHERE}", url.redacted())
    })?;
    Switchboard::open(store, settings)
        .await
        .map_err(|e| e.to_string())
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve(_) | Command::Demo(_) | Command::Sandbox(_) => "info",
        _ => "warn",
    };
    init_logging(cli.log_format, default_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => {
                serve::run(&cli.database_url, cli.public_url.as_deref(), args).await
            }
            Command::Sandbox(args) => {
                sandbox::run(&cli.database_url, cli.public_url.as_deref(), args).await
            }
            Command::Accounts(cmd) => accounts::run(&cli.database_url, cmd).await,
            Command::Seed(args) => seed::run(&cli.database_url, args).await,
            Command::Messages(cmd) => messages::run(&cli.database_url, cmd).await,
            Command::Calls(cmd) => calls::run(&cli.database_url, cmd).await,
            Command::ShortCodes(cmd) => short_codes::run(&cli.database_url, cmd).await,
            Command::Backup(args) => backup::run(&cli.database_url, args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Apps(cmd) => {
                let public_url = cli.public_url.as_deref().map(|u| u.trim_end_matches('/'));
                apps::run(&cli.database_url, public_url, cmd).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A domain error, for the terminal: a refused value in the API's words
/// (the command line's options are named after the API's parameters).
pub(crate) fn say(e: switchboard_domain::DomainError) -> String {
    match e.first_problem() {
        switchboard_domain::DomainError::Invalid(i) => {
            switchboard_http::twilio::invalid::message(&i)
        }
        other => other.to_string(),
    }
}

/// The operator's access for one command: the command line runs with the
/// database's own authority, and still goes through the policy (which also
/// reads the account it names), so its changes are audited like any other.
/// `--sandbox`, when given: the world whose number a simulated handset
/// reaches.
fn world_of(sandbox: Option<&str>) -> Result<Option<switchboard_types::SandboxSid>, String> {
    sandbox
        .map(|s| {
            switchboard_types::SandboxSid::parse(s).map_err(|_| {
                format!(
                    "--sandbox {s} is not a sandbox SID (SB and 32 hexadecimal digits); see --help"
                )
            })
        })
        .transpose()
}

/// The operator's access to write `resource` in the account that owns the
/// number `to` (of `world`, or of the default world): where a simulated
/// handset's message or call arrives.
async fn number_owner_access(
    sb: &Switchboard,
    world: Option<&switchboard_types::SandboxSid>,
    to: &str,
    resource: Resource,
) -> Result<Access, String> {
    let listing = operator(
        sb,
        RequestTarget::AccountList,
        Action::Read,
        Resource::AccountList,
    )
    .await?;
    let account = sb
        .number_owner(&listing, world, to)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| match world {
            None => format!(
                "no account owns {to}; see an account's numbers in the console, or buy one with the API \
                 (a sandbox's number: name it with --sandbox SB…)"
            ),
            Some(sandbox) => format!(
                "no account of sandbox {sandbox} owns {to}; see the sandbox's numbers with GET \
                 /switchboard/v1/Sandboxes/{sandbox}.json"
            ),
        })?;
    operator(
        sb,
        RequestTarget::Account(&account),
        Action::Write,
        resource,
    )
    .await
}

async fn operator(
    sb: &Switchboard,
    target: RequestTarget<'_>,
    action: Action,
    resource: Resource,
) -> Result<Access, String> {
    sb.operator_access(target, action, resource)
        .await
        .map_err(|e| match (e, target) {
            (switchboard_domain::DomainError::NotFound, RequestTarget::Account(sid)) => {
                format!("no account {sid}; see them with: switchboard accounts list")
            }
            (other, _) => say(other),
        })
}
