//! `switchboard apps …`: Connect Apps from the command line.

use clap::{Args, Subcommand};
use serde::Serialize;
use switchboard_domain::Settings;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, ConnectAppSid, Permissions};

use super::{operator, output};

/// This command cannot know where `serve` is reached, so it is told.
pub const LINK_HELP: &str = "Connect links start with --public-url (SWITCHBOARD_PUBLIC_URL), the \
                             address `serve` is reached at; without it they are printed as a path.";

#[derive(Subcommand)]
pub enum AppsCommand {
    /// Create a Connect App owned by a Full main account.
    #[command(after_help = LINK_HELP)]
    Create(Box<CreateArgs>),
    /// List the Connect Apps of an account.
    #[command(after_help = LINK_HELP)]
    List(ListArgs),
    /// Show one Connect App, with its Connect link.
    #[command(after_help = LINK_HELP)]
    Show(ShowArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    /// The owning main account (AC…); it must be Full.
    #[arg(long)]
    account: String,
    /// The app's name, shown on the consent page (1–64 characters).
    #[arg(long)]
    friendly_name: String,
    /// Who makes the app, shown on the consent page.
    #[arg(long)]
    company_name: String,
    /// Where customers are sent after authorizing (with AccountSid) or denying.
    #[arg(long)]
    authorize_redirect_url: String,
    /// Called server to server when a customer revokes the app.
    #[arg(long)]
    deauthorize_callback_url: Option<String>,
    /// GET or POST.
    #[arg(long, default_value = "POST")]
    deauthorize_callback_method: String,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    homepage_url: Option<String>,
    #[arg(long)]
    terms_of_service_url: Option<String>,
    /// Comma-separated: get-all (read all account data), post-all (charge account for usage).
    #[arg(long)]
    permissions: String,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ListArgs {
    /// The owning main account (AC…).
    #[arg(long)]
    account: String,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The Connect App SID (CN…).
    sid: String,
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct AppOut {
    sid: String,
    account_sid: String,
    friendly_name: String,
    company_name: Option<String>,
    description: Option<String>,
    homepage_url: Option<String>,
    terms_of_service_url: Option<String>,
    authorize_redirect_url: Option<String>,
    deauthorize_callback_url: Option<String>,
    deauthorize_callback_method: String,
    permissions: Vec<&'static str>,
    connect_url: String,
}

/// The Connect link is on the server's public URL, which only the operator
/// knows here: without it, the link is the path alone.
fn describe(a: ConnectAppRecord, public_url: Option<&str>) -> AppOut {
    AppOut {
        connect_url: format!("{}/authorize/{}", public_url.unwrap_or(""), a.sid),
        sid: a.sid.to_string(),
        account_sid: a.account_sid.to_string(),
        friendly_name: a.friendly_name,
        company_name: a.company_name,
        description: a.description,
        homepage_url: a.homepage_url,
        terms_of_service_url: a.terms_of_service_url,
        authorize_redirect_url: a.authorize_redirect_url,
        deauthorize_callback_url: a.deauthorize_callback_url,
        deauthorize_callback_method: a.deauthorize_callback_method,
        permissions: a.permissions.to_strings(),
    }
}

fn print(a: &AppOut) {
    println!("Connect App {} ({})", a.sid, a.friendly_name);
    println!("  owner:        {}", a.account_sid);
    if let Some(c) = &a.company_name {
        println!("  company:      {c}");
    }
    println!("  permissions:  {}", a.permissions.join(", "));
    if let Some(u) = &a.authorize_redirect_url {
        println!("  authorize URL: {u}");
    }
    if let Some(u) = &a.deauthorize_callback_url {
        println!("  deauthorize:  {} {u}", a.deauthorize_callback_method);
    }
    println!("  Connect link: {}", a.connect_url);
    if a.connect_url.starts_with('/') {
        println!(
            "                (a path on Switchboard's public URL; pass --public-url or set \
             SWITCHBOARD_PUBLIC_URL to print the whole link)"
        );
    }
}

pub async fn run(
    database_url: &str,
    public_url: Option<&str>,
    command: AppsCommand,
) -> Result<(), String> {
    let sb = super::open(database_url, Settings::default()).await?;
    let err = super::say;
    match command {
        AppsCommand::Create(a) => {
            let account = AccountSid::parse(&a.account).map_err(|e| e.to_string())?;
            let permissions =
                Permissions::parse_all([a.permissions.as_str()]).map_err(|e| e.to_string())?;
            let fields = ConnectAppFields {
                friendly_name: Some(a.friendly_name),
                company_name: Some(a.company_name),
                description: a.description,
                homepage_url: a.homepage_url,
                terms_of_service_url: a.terms_of_service_url,
                authorize_redirect_url: Some(a.authorize_redirect_url),
                deauthorize_callback_url: a.deauthorize_callback_url,
                deauthorize_callback_method: Some(a.deauthorize_callback_method),
                permissions: Some(permissions),
                sign_redirects: None,
                authorize_callback_url: None,
                authorize_callback_method: None,
            };
            let target = RequestTarget::Account(&account);
            let access = operator(&sb, target, Action::Write, Resource::ConnectApps).await?;
            let app = sb
                .connect_apps()
                .create(&access, &fields)
                .await
                .map_err(err)?;
            let out = describe(app, public_url);
            if a.json {
                output::json(&out)
            } else {
                print(&out);
                Ok(())
            }
        }
        AppsCommand::List(a) => {
            let account = AccountSid::parse(&a.account).map_err(|e| e.to_string())?;
            let target = RequestTarget::Account(&account);
            let access = operator(&sb, target, Action::Read, Resource::ConnectApps).await?;
            let mut at = PageAt::First;
            let mut all = Vec::new();
            loop {
                let page = sb
                    .connect_apps()
                    .list((&access).into(), &at, 500)
                    .await
                    .map_err(err)?;
                let next = page.next_cursor();
                all.extend(page.items.into_iter().map(|r| describe(r, public_url)));
                match next {
                    Some(c) => at = PageAt::After(c),
                    None => break,
                }
            }
            if a.json {
                return output::json(&all);
            }
            if all.is_empty() {
                println!(
                    "{account} has no Connect Apps. Create one with: switchboard apps create --help"
                );
                return Ok(());
            }
            output::table(
                &["SID", "NAME", "PERMISSIONS", "AUTHORIZE URL"],
                &all.iter()
                    .map(|a| {
                        vec![
                            a.sid.clone(),
                            a.friendly_name.clone(),
                            a.permissions.join(","),
                            a.authorize_redirect_url.clone().unwrap_or_default(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            Ok(())
        }
        AppsCommand::Show(a) => {
            let sid = ConnectAppSid::parse(&a.sid).map_err(|e| e.to_string())?;
            let app = sb.connect_app(&sid).await.map_err(|e| match e {
                switchboard_domain::DomainError::NotFound => format!(
                    "no Connect App {sid}; see an account's with: switchboard apps list --account AC…"
                ),
                other => other.to_string(),
            })?;
            let out = describe(app, public_url);
            if a.json {
                output::json(&out)
            } else {
                print(&out);
                Ok(())
            }
        }
    }
}
