//! `bench-fixtures`: builds a benchmark's world straight through the domain (the
//! same code the server runs), because building it over HTTP would spend minutes
//! on argon2 sign-ups before the first measurement.
//!
//! ```text
//! bench-fixtures --database-url sqlite://bench.db --customers 100 --apps 100 \
//!     --callback http://127.0.0.1:9000/deauthorize --approve > world.json
//! ```
//!
//! One Full app owner with `--apps` Connect Apps (get-all, deauthorize callback
//! POSTed to `--callback`), `--customers` Full customers with console users (all
//! with the password in `PASSWORD`), and with `--approve` every customer authorizes
//! every app (customers × apps grants; the first 16 are listed with their
//! dedicated subaccounts); with `--revoke` every grant is revoked again, leaving
//! customers × apps deauthorize callbacks pending in the outbox for the next
//! server. With `--numbers N --sms-url URL` the app owner's account also buys
//! N numbers (area code 415, then others) whose messaging webhook is URL.
//! Prints the world as JSON on stdout. Run it
//! while the server is stopped or running; both use the same database.

#![forbid(unsafe_code)]

use clap::Parser;
use serde_json::json;
use switchboard_domain::access::{Access, Action, RequestTarget, Resource};
use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_domain::grants::{Approval, Return};
use switchboard_domain::telephony::numbers::{NumberSettings, Purchase};
use switchboard_domain::{Settings, Switchboard};
use switchboard_store::{DatabaseUrl, PoolSize, Store};
use switchboard_types::{AccountSid, AccountType, Permission, Permissions};

const PASSWORD: &str = "bench password 1234";

#[derive(Parser)]
struct Args {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 1)]
    customers: usize,
    #[arg(long, default_value_t = 1)]
    apps: usize,
    /// Where the apps' deauthorize callbacks go.
    #[arg(long, default_value = "http://127.0.0.1:9/deauthorize")]
    callback: String,
    /// Every customer authorizes every app.
    #[arg(long)]
    approve: bool,
    /// Then revokes every grant again, so their deauthorize callbacks wait in the
    /// outbox for the next server to start (to time delivery alone).
    #[arg(long, requires = "approve")]
    revoke: bool,
    /// Numbers the app owner's account buys, for inbound messages.
    #[arg(long, default_value_t = 0)]
    numbers: usize,
    /// The bought numbers' `SmsUrl`.
    #[arg(long, default_value = "http://127.0.0.1:9/sms")]
    sms_url: String,
}

/// Area codes the numbers are bought in, in turn as each runs out.
const AREA_CODES: &[&str] = &["415", "628", "510", "650", "408", "212", "646", "312"];

fn run_id() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// The operator's access: the fixtures are set up as the command line would.
async fn operator(
    sb: &Switchboard,
    target: RequestTarget<'_>,
    resource: Resource,
) -> Result<Access, String> {
    sb.operator_access(target, Action::Write, resource)
        .await
        .map_err(|e| e.to_string())
}

/// The operator's access to a customer's grants (the console is theirs).
async fn customer(sb: &Switchboard, sid: &AccountSid) -> Result<Access, String> {
    let grants = Resource::AuthorizedConnectApps;
    operator(sb, RequestTarget::Account(sid), grants).await
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let url = DatabaseUrl::parse(&args.database_url).map_err(|x| e(&x))?;
    let store = Store::open(&url, PoolSize::default())
        .await
        .map_err(|x| e(&x))?;
    let sb = Switchboard::open(store, Settings::default())
        .await
        .map_err(|x| e(&x))?;
    let id = run_id();

    let creating = operator(&sb, RequestTarget::AccountList, Resource::AccountList).await?;
    let owner = sb
        .accounts()
        .create_main(
            &creating,
            NewMainAccount {
                email: format!("owner-{id}@bench.example"),
                password: PASSWORD.into(),
                friendly_name: "Bench app owner".into(),
                account_type: AccountType::Full,
            },
        )
        .await
        .map_err(|x| e(&x))?;
    let mut numbers = Vec::with_capacity(args.numbers);
    if args.numbers > 0 {
        let buying = RequestTarget::Account(&owner.account.sid);
        let buying = operator(&sb, buying, Resource::PhoneNumbers).await?;
        let mut areas = AREA_CODES.iter();
        let mut area = areas.next();
        let mut last_error = String::new();
        while numbers.len() < args.numbers {
            let Some(code) = area else {
                let bought = numbers.len();
                return Err(format!(
                    "only {bought} numbers could be bought: {last_error}"
                ));
            };
            let purchase = Purchase {
                area_code: Some((*code).to_owned()),
                settings: NumberSettings {
                    sms_url: Some(args.sms_url.clone()),
                    ..NumberSettings::default()
                },
                ..Purchase::default()
            };
            match sb.buy_number(&buying, &purchase).await {
                Ok(n) => numbers.push(n.phone_number),
                // This area code has run out: the next one.
                Err(e) => {
                    last_error = e.to_string();
                    area = areas.next();
                }
            }
        }
    }

    // Every app asks for this; customers approve exactly it.
    let permissions = Permissions::of(&[Permission::GetAll]);
    let mut apps = Vec::with_capacity(args.apps);
    let owning = RequestTarget::Account(&owner.account.sid);
    let owning = operator(&sb, owning, Resource::ConnectApps).await?;
    for n in 0..args.apps {
        let app = sb
            .connect_apps()
            .create(
                &owning,
                &ConnectAppFields {
                    friendly_name: Some(format!("Bench app {n}")),
                    company_name: Some("Bench Inc".into()),
                    authorize_redirect_url: Some("https://app.example.com/authorize".into()),
                    deauthorize_callback_url: Some(args.callback.clone()),
                    deauthorize_callback_method: Some("POST".into()),
                    permissions: Some(permissions),
                    ..ConnectAppFields::default()
                },
            )
            .await
            .map_err(|x| e(&x))?;
        apps.push(app.sid);
    }

    // Password hashing dominates here; let both cores do it.
    let mut made = tokio::task::JoinSet::new();
    for n in 0..args.customers {
        let sb = sb.clone();
        let creating = creating.clone();
        made.spawn(async move {
            sb.accounts()
                .create_main(
                    &creating,
                    NewMainAccount {
                        email: format!("customer-{id}-{n}@bench.example"),
                        password: PASSWORD.into(),
                        friendly_name: format!("Bench customer {n}"),
                        account_type: AccountType::Full,
                    },
                )
                .await
        });
    }
    let mut customers = Vec::with_capacity(args.customers);
    while let Some(c) = made.join_next().await {
        customers.push(c.map_err(|x| e(&x))?.map_err(|x| e(&x))?);
    }

    let mut grants = Vec::new();
    let mut approved = 0usize;
    if args.approve {
        for c in &customers {
            let customer = customer(&sb, &c.account.sid).await?;
            for app in &apps {
                let approval = sb
                    .grants()
                    .approve(&customer, app, permissions, Return::default())
                    .await
                    .map_err(|x| e(&x))?;
                let Approval::Granted(redirect) = approval else {
                    return Err("the app's permissions changed during the run".into());
                };
                // Only the first few are printed: enough to act as a Connect App.
                if grants.len() < 16 {
                    let subaccount = redirect
                        .split_once("AccountSid=")
                        .map(|(_, s)| s[..34].to_owned())
                        .ok_or("no AccountSid in the redirect")?;
                    grants.push(json!({
                        "customer": c.account.sid.to_string(),
                        "app": app.to_string(),
                        "subaccount": subaccount,
                    }));
                }
                approved += 1;
            }
        }
    }

    let mut revoked = 0usize;
    if args.revoke {
        for c in &customers {
            let customer = customer(&sb, &c.account.sid).await?;
            for app in &apps {
                sb.grants()
                    .revoke(&customer, app)
                    .await
                    .map_err(|x| e(&x))?;
                revoked += 1;
            }
        }
    }

    let world = json!({
        "password": PASSWORD,
        "owner": {"sid": owner.account.sid.to_string(), "token": owner.auth_token},
        "apps": apps.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "customers": customers.iter().map(|c| json!({
            "sid": c.account.sid.to_string(),
            "token": c.auth_token,
            "email": c.user.email,
        })).collect::<Vec<_>>(),
        "numbers": numbers,
        "approved": approved,
        "revoked": revoked,
        "grants": grants,
    });
    println!("{world}");
    Ok(())
}
