//! `switchboard short-codes …`: the operator provisions short codes to
//! accounts (Twilio leases them outside the API, so the API only reads and
//! configures them).

use clap::{Args, Subcommand};
use serde::Serialize;
use switchboard_domain::access::{Action, Reader, RequestTarget, Resource};
use switchboard_domain::telephony::short_codes::{NewShortCode, ShortCode};
use switchboard_domain::{DomainError, Settings};
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, ShortCodeSid};

use super::{operator, output};

pub const HELP: &str = "\
An account sends messages from its short code with From=<the digits>; the API \
lists, fetches and configures it under /2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes. \
A short code belongs to one account of its world (a sandbox's accounts have their own). \
The database is --database-url (or SWITCHBOARD_DATABASE_URL).";

#[derive(Subcommand)]
pub enum ShortCodesCommand {
    /// Give an account a short code: it can send messages from it.
    Add(AddArgs),
    /// List an account's short codes.
    List(ListArgs),
    /// Take a short code back from its account.
    Remove(RemoveArgs),
}

#[derive(Args)]
pub struct AddArgs {
    /// The account (AC…) that gets it.
    #[arg(long, env = "SWITCHBOARD_ACCOUNT_SID")]
    account: String,
    /// The short code: 3 to 8 digits (Twilio's are 5 or 6).
    #[arg(long)]
    short_code: String,
    /// Its name [default: the short code].
    #[arg(long)]
    friendly_name: Option<String>,
    /// The URL its incoming messages would be posted to (stored and shown).
    #[arg(long)]
    sms_url: Option<String>,
    /// GET or POST [default: POST].
    #[arg(long)]
    sms_method: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ListArgs {
    /// The account (AC…) whose short codes to list.
    #[arg(long, env = "SWITCHBOARD_ACCOUNT_SID")]
    account: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct RemoveArgs {
    /// The short code's SID (SC…).
    sid: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ShortCodeOut {
    sid: String,
    account_sid: String,
    short_code: String,
    friendly_name: String,
    sms_url: Option<String>,
    sms_method: &'static str,
    date_created: String,
}

fn describe(c: &ShortCode) -> ShortCodeOut {
    ShortCodeOut {
        sid: c.sid.to_string(),
        account_sid: c.account_sid.to_string(),
        short_code: c.short_code.clone(),
        friendly_name: c.friendly_name.clone(),
        sms_url: c.sms_url.clone(),
        sms_method: c.sms_method.as_str(),
        date_created: c.date_created.rfc2822(),
    }
}

fn account(sid: &str) -> Result<AccountSid, String> {
    AccountSid::parse(sid).map_err(|e| format!("--account: {e}"))
}

pub async fn run(database_url: &str, cmd: ShortCodesCommand) -> Result<(), String> {
    let sb = super::open(database_url, Settings::default()).await?;
    let err = super::say;
    match cmd {
        ShortCodesCommand::Add(args) => {
            let sid = account(&args.account)?;
            let access = operator(
                &sb,
                RequestTarget::Account(&sid),
                Action::Write,
                Resource::ShortCodeProvisioning,
            )
            .await?;
            let made = sb
                .short_codes()
                .provision(
                    &access,
                    &NewShortCode {
                        short_code: args.short_code,
                        friendly_name: args.friendly_name,
                        sms_url: args.sms_url,
                        sms_method: args.sms_method,
                    },
                )
                .await
                .map_err(err)?;
            let out = describe(&made);
            if args.json {
                return output::json(&out);
            }
            println!(
                "short code {} ({}) provisioned to {}: send with From={}",
                out.short_code, out.sid, out.account_sid, out.short_code
            );
            Ok(())
        }
        ShortCodesCommand::List(args) => {
            let sid = account(&args.account)?;
            let access = operator(
                &sb,
                RequestTarget::Account(&sid),
                Action::Read,
                Resource::ShortCodes,
            )
            .await?;
            let mut at = PageAt::First;
            let mut all = Vec::new();
            loop {
                let page = sb
                    .short_codes()
                    .list(Reader::Granted(&access), (None, None), &at, 500)
                    .await
                    .map_err(err)?;
                let next = page.next_cursor();
                all.extend(page.items.iter().map(describe));
                match next {
                    Some(c) => at = PageAt::After(c),
                    None => break,
                }
            }
            if args.json {
                return output::json(&all);
            }
            if all.is_empty() {
                println!(
                    "{sid} has no short codes. Provision one with: switchboard short-codes add --help"
                );
                return Ok(());
            }
            output::table(
                &["SID", "SHORT CODE", "NAME", "SMS URL"],
                &all.iter()
                    .map(|c| {
                        vec![
                            c.sid.clone(),
                            c.short_code.clone(),
                            c.friendly_name.clone(),
                            c.sms_url.clone().unwrap_or_default(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            Ok(())
        }
        ShortCodesCommand::Remove(args) => {
            let sid = ShortCodeSid::parse(&args.sid).map_err(|e| e.to_string())?;
            let listing = operator(
                &sb,
                RequestTarget::AccountList,
                Action::Read,
                Resource::AccountList,
            )
            .await?;
            let owner = sb
                .short_codes()
                .owner(&listing, &sid)
                .await
                .map_err(|e| match e {
                    DomainError::NotFound => format!(
                        "no short code {sid}; see an account's with: switchboard short-codes list \
                         --account AC…"
                    ),
                    other => err(other),
                })?;
            let access = operator(
                &sb,
                RequestTarget::Account(&owner),
                Action::Write,
                Resource::ShortCodeProvisioning,
            )
            .await?;
            let removed = sb.short_codes().remove(&access, &sid).await.map_err(err)?;
            let out = describe(&removed);
            if args.json {
                return output::json(&out);
            }
            println!(
                "short code {} ({}) taken back from {}",
                out.short_code, out.sid, out.account_sid
            );
            Ok(())
        }
    }
}
