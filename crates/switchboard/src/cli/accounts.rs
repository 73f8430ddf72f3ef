//! `switchboard accounts …`: the operator's view of accounts.

use clap::{Args, Subcommand};
use serde::Serialize;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::{Settings, Switchboard};
use switchboard_store::accounts::AccountRecord;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use super::{operator, output};

#[derive(Subcommand)]
pub enum AccountsCommand {
    /// Create a main account and the console user that signs in to it.
    Create(CreateArgs),
    /// List main accounts.
    List(ListArgs),
    /// Show one account.
    Show(ShowArgs),
    /// Make a Trial main account (and its subaccounts) Full.
    Upgrade(SidArgs),
    /// Rotate an account's auth token: create a secondary, promote it, delete it.
    #[command(subcommand)]
    Tokens(TokensCommand),
}

#[derive(Args)]
pub struct CreateArgs {
    /// Email the console user signs in with.
    #[arg(long)]
    email: String,
    /// Console password (at least 8 characters). Prefer the environment
    /// variable, or leave both out on a terminal to be asked for it without
    /// echo: a password on the command line lands in shell history, and
    /// `cargo run` prints it.
    #[arg(long, env = "SWITCHBOARD_ACCOUNT_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The account's name.
    #[arg(long)]
    friendly_name: String,
    /// Create the account already upgraded (Full) instead of Trial.
    #[arg(long)]
    full: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The Account SID (AC…).
    sid: String,
    /// Include the auth tokens in the output.
    #[arg(long)]
    show_tokens: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct SidArgs {
    /// The Account SID (AC…).
    sid: String,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum TokensCommand {
    /// Create (or replace) the secondary auth token and print it.
    CreateSecondary(SidArgs),
    /// Make the secondary token primary; the old primary stops working at once.
    Promote(SidArgs),
    /// Delete the secondary auth token.
    DeleteSecondary(SidArgs),
}

#[derive(Serialize)]
struct AccountOut {
    sid: String,
    owner_account_sid: String,
    friendly_name: String,
    #[serde(rename = "type")]
    account_type: &'static str,
    status: &'static str,
    date_created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secondary_auth_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

fn describe(
    a: &AccountRecord,
    auth_token: Option<String>,
    secondary: Option<String>,
    email: Option<String>,
) -> AccountOut {
    AccountOut {
        sid: a.sid.to_string(),
        owner_account_sid: a.owner_account_sid.to_string(),
        friendly_name: a.friendly_name.clone(),
        account_type: a.account_type.as_str(),
        status: a.status.as_str(),
        date_created: a.date_created.rfc2822(),
        auth_token,
        secondary_auth_token: secondary,
        email,
    }
}

fn parse_sid(sid: &str) -> Result<AccountSid, String> {
    AccountSid::parse(sid).map_err(|e| e.to_string())
}

fn print_account(out: &AccountOut) {
    println!("{} {} account {}", out.status, out.account_type, out.sid);
    println!("  name:    {}", out.friendly_name);
    if out.owner_account_sid != out.sid {
        println!("  parent:  {}", out.owner_account_sid);
    }
    if let Some(email) = &out.email {
        println!("  sign-in: {email}");
    }
    println!("  created: {}", out.date_created);
    if let Some(token) = &out.auth_token {
        println!("  auth token: {token}");
    }
    if let Some(token) = &out.secondary_auth_token {
        println!("  secondary auth token: {token}");
    }
}

fn emit(out: &AccountOut, json: bool) -> Result<(), String> {
    if json {
        output::json(out)
    } else {
        print_account(out);
        Ok(())
    }
}

/// The console password when neither `--password` nor
/// `SWITCHBOARD_ACCOUNT_PASSWORD` gave one: asked for twice on the terminal,
/// without echo. Without a terminal there is nobody to ask.
fn ask_password(email: &str) -> Result<String, String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(
            "no console password given and standard input is not a terminal to ask on: \
             set SWITCHBOARD_ACCOUNT_PASSWORD (or pass --password, which shell history keeps)"
                .to_owned(),
        );
    }
    let prompt = |text: &str| {
        rpassword::prompt_password(text).map_err(|e| format!("cannot read the password: {e}"))
    };
    let password = prompt(&format!("Console password for {email}: "))?;
    let again = prompt("The same password again: ")?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        password.as_bytes(),
        again.as_bytes(),
    )) {
        return Err("the two passwords differ; run the command again".to_owned());
    }
    Ok(password)
}

async fn open(database_url: &str) -> Result<Switchboard, String> {
    super::open(database_url, Settings::default()).await
}

pub async fn run(database_url: &str, command: AccountsCommand) -> Result<(), String> {
    let sb = open(database_url).await?;
    let err = super::say;
    match command {
        AccountsCommand::Create(args) => {
            let password = match args.password {
                Some(p) => p,
                None => ask_password(&args.email)?,
            };
            let access = operator(
                &sb,
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
                        email: args.email,
                        password,
                        friendly_name: args.friendly_name,
                        account_type: if args.full {
                            AccountType::Full
                        } else {
                            AccountType::Trial
                        },
                    },
                )
                .await
                .map_err(err)?;
            let out = describe(
                &created.account,
                Some(created.auth_token),
                None,
                Some(created.user.email),
            );
            emit(&out, args.json)
        }
        AccountsCommand::List(args) => {
            let listing = (Action::Read, Resource::AccountList);
            let access = operator(&sb, RequestTarget::AccountList, listing.0, listing.1).await?;
            let mut at = PageAt::First;
            let mut all = Vec::new();
            loop {
                let page = sb
                    .accounts()
                    .list_main(&access, &at, 500)
                    .await
                    .map_err(err)?;
                let next = page.next_cursor();
                all.extend(page.items);
                match next {
                    Some(c) => at = PageAt::After(c),
                    None => break,
                }
            }
            let out: Vec<AccountOut> = all.iter().map(|a| describe(a, None, None, None)).collect();
            if args.json {
                return output::json(&out);
            }
            if out.is_empty() {
                println!("No accounts yet. Create one with: switchboard accounts create --help");
                return Ok(());
            }
            output::table(
                &["SID", "TYPE", "STATUS", "NAME", "CREATED"],
                &out.iter()
                    .map(|a| {
                        vec![
                            a.sid.clone(),
                            a.account_type.to_owned(),
                            a.status.to_owned(),
                            a.friendly_name.clone(),
                            a.date_created.clone(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            Ok(())
        }
        AccountsCommand::Show(args) => {
            let sid = parse_sid(&args.sid)?;
            let target = RequestTarget::Account(&sid);
            let access = operator(&sb, target, Action::Read, Resource::Account).await?;
            let account = sb.accounts().get(&access).await.map_err(err)?;
            let (token, secondary) = if args.show_tokens {
                (
                    Some(sb.reveal_token(&account).map_err(err)?),
                    sb.reveal_secondary_token(&account).map_err(err)?,
                )
            } else {
                (None, None)
            };
            emit(&describe(&account, token, secondary, None), args.json)
        }
        AccountsCommand::Upgrade(args) => {
            let sid = parse_sid(&args.sid)?;
            let target = RequestTarget::Account(&sid);
            let access = operator(&sb, target, Action::Write, Resource::AccountType).await?;
            let account = sb.accounts().upgrade(&access).await.map_err(err)?;
            emit(&describe(&account, None, None, None), args.json)
        }
        AccountsCommand::Tokens(cmd) => tokens(&sb, cmd).await,
    }
}

#[derive(Serialize)]
struct TokenOut {
    account_sid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secondary_auth_token: Option<String>,
}

/// The operator's access to an account's tokens.
async fn rotating(
    sb: &Switchboard,
    sid: &AccountSid,
) -> Result<switchboard_domain::access::Access, String> {
    let target = RequestTarget::Account(sid);
    operator(sb, target, Action::Write, Resource::AuthTokens).await
}

async fn tokens(sb: &Switchboard, cmd: TokensCommand) -> Result<(), String> {
    let err = super::say;
    let (out, json) = match cmd {
        TokensCommand::CreateSecondary(a) => {
            let sid = parse_sid(&a.sid)?;
            let access = rotating(sb, &sid).await?;
            let info = sb
                .auth_tokens()
                .create_secondary(&access)
                .await
                .map_err(err)?;
            (
                TokenOut {
                    account_sid: info.account_sid.to_string(),
                    auth_token: None,
                    secondary_auth_token: Some(info.token),
                },
                a.json,
            )
        }
        TokensCommand::Promote(a) => {
            let sid = parse_sid(&a.sid)?;
            let access = rotating(sb, &sid).await?;
            let info = sb.auth_tokens().promote(&access).await.map_err(err)?;
            (
                TokenOut {
                    account_sid: info.account_sid.to_string(),
                    auth_token: Some(info.token),
                    secondary_auth_token: None,
                },
                a.json,
            )
        }
        TokensCommand::DeleteSecondary(a) => {
            let sid = parse_sid(&a.sid)?;
            let access = rotating(sb, &sid).await?;
            sb.auth_tokens()
                .delete_secondary(&access)
                .await
                .map_err(err)?;
            (
                TokenOut {
                    account_sid: sid.to_string(),
                    auth_token: None,
                    secondary_auth_token: None,
                },
                a.json,
            )
        }
    };
    if json {
        return output::json(&out);
    }
    match (&out.auth_token, &out.secondary_auth_token) {
        (Some(t), _) => println!(
            "{}: secondary token promoted; the auth token is now {t}",
            out.account_sid
        ),
        (_, Some(t)) => println!("{}: secondary auth token {t}", out.account_sid),
        _ => println!("{}: secondary auth token deleted", out.account_sid),
    }
    Ok(())
}
