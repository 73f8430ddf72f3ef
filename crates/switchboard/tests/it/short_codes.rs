//! Short codes (`…/SMS/ShortCodes`) over real HTTP: provisioned by the
//! operator (through the domain here, as `switchboard short-codes add` does;
//! the command itself is tested at the end), listed, fetched and configured
//! through the API with answers checked against `twilio_api_v2010.json`,
//! messages sent from them, and who may do what.

use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::telephony::short_codes::NewShortCode;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::call;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, base};

const LIST: &str = "/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes.json";
const ITEM: &str = "/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes/{Sid}.json";

/// Provisions a short code as the operator's command line does.
async fn provision(s: &TestServer, account: &AccountSid, code: &str) -> String {
    let access =
        s.sb.operator_access(
            RequestTarget::Account(account),
            Action::Write,
            Resource::ShortCodeProvisioning,
        )
        .await
        .unwrap();
    s.sb.short_codes()
        .provision(
            &access,
            &NewShortCode {
                short_code: code.to_owned(),
                ..NewShortCode::default()
            },
        )
        .await
        .unwrap()
        .sid
        .to_string()
}

async fn list(s: &TestServer, c: &Creds, account: &Creds, query: &str) -> Vec<Value> {
    let path = format!("{}/SMS/ShortCodes.json{query}", base(account));
    let (status, page) = call(s, c, Method::GET, &path, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["short_codes"].as_array().unwrap().clone()
}

server_test!(short_codes_are_listed_fetched_and_configured, |s| {
    let c = s.main_account(AccountType::Full).await;
    assert!(list(&s, &c, &c, "").await.is_empty());
    let first = provision(&s, &c.sid, "894546").await;
    let second = provision(&s, &c.sid, "12345").await;
    let listed = list(&s, &c, &c, "").await;
    let sids: Vec<&str> = listed.iter().map(|v| v["sid"].as_str().unwrap()).collect();
    assert_eq!(sids, [first.as_str(), second.as_str()]);
    let one = &listed[0];
    assert!(first.starts_with("SC"), "{first}");
    assert_eq!(one["short_code"], "894546");
    // Twilio's defaults: named after the code, POST, no URLs.
    assert_eq!(one["friendly_name"], "894546");
    assert_eq!(one["api_version"], "2010-04-01");
    assert_eq!(one["sms_method"], "POST");
    assert_eq!(one["sms_fallback_method"], "POST");
    assert_eq!(one["sms_url"], Value::Null);
    assert_eq!(one["sms_fallback_url"], Value::Null);
    let item = format!("{}/SMS/ShortCodes/{first}.json", base(&c));
    assert_eq!(one["uri"], item.as_str());
    assert_eq!(list(&s, &c, &c, "?ShortCode=12345").await.len(), 1);
    assert_eq!(list(&s, &c, &c, "?FriendlyName=894546").await.len(), 1);
    assert_eq!(list(&s, &c, &c, "?ShortCode=99999").await.len(), 0);
    let (status, page) = call(
        &s,
        &c,
        Method::GET,
        &format!("{}/SMS/ShortCodes.json?PageSize=1", base(&c)),
        LIST,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let next = page["next_page_uri"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let (_, rest) = call(&s, &c, Method::GET, &next, LIST, &[]).await;
    assert_eq!(rest["short_codes"][0]["sid"], second.as_str());

    let (status, fetched) = call(&s, &c, Method::GET, &item, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    assert_eq!(&fetched, one);

    let (status, updated) = call(
        &s,
        &c,
        Method::POST,
        &item,
        ITEM,
        &[
            ("FriendlyName", "Alerts"),
            ("SmsUrl", "https://app.example.com/sc"),
            ("SmsMethod", "GET"),
            ("SmsFallbackUrl", "https://app.example.com/fallback"),
            ("SmsFallbackMethod", "GET"),
            ("ApiVersion", "2008-08-01"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["friendly_name"], "Alerts");
    assert_eq!(updated["sms_url"], "https://app.example.com/sc");
    assert_eq!(updated["sms_method"], "GET");
    assert_eq!(
        updated["sms_fallback_url"],
        "https://app.example.com/fallback"
    );
    assert_eq!(updated["sms_fallback_method"], "GET");
    assert_eq!(updated["api_version"], "2008-08-01");
    assert_eq!(updated["short_code"], "894546");
    // An empty URL clears it; what is left out stays.
    let (status, cleared) = call(&s, &c, Method::POST, &item, ITEM, &[("SmsUrl", "")]).await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["sms_url"], Value::Null);
    assert_eq!(cleared["friendly_name"], "Alerts");

    for (form, code, says) in [
        (("SmsUrl", "not a url"), 21502, "SmsUrl"),
        (("SmsFallbackUrl", "ftp://x"), 21502, "SmsFallbackUrl"),
        (("SmsMethod", "PUT"), 21403, "SmsMethod"),
        (("ApiVersion", "2099-01-01"), 20001, "ApiVersion"),
    ] {
        let (status, body) = s.post(&c, &item, &[form]).await;
        assert_twilio_error(status, &body, 400, code);
        assert!(body["message"].as_str().unwrap().contains(says), "{body}");
    }
    // Twilio's API has no create or delete for short codes.
    let (status, body) = s
        .post(&c, &format!("{}/SMS/ShortCodes.json", base(&c)), &[])
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    let (status, body) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");

    // Another account's short code is not found; so is one never made.
    let other = s.main_account(AccountType::Full).await;
    let (status, body) = s.get(&other, &item).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = s
        .get(
            &c,
            &format!("{}/SMS/ShortCodes/SC{}.json", base(&c), "0".repeat(32)),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    let log =
        s.sb.log_of(&c.sid, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    let provisioned = log
        .iter()
        .find(|e| e.action == "short-code.provision")
        .expect("provisioning is audited");
    assert_eq!(provisioned.actor, "operator");
    assert!(log.iter().any(|e| e.action == "short-code.update"));
});

server_test!(messages_are_sent_from_the_accounts_short_code, |s| {
    let c = s.main_account(AccountType::Full).await;
    provision(&s, &c.sid, "894546").await;
    let (status, sent) = s
        .post(
            &c,
            &format!("{}/Messages.json", base(&c)),
            &[
                ("From", "894546"),
                ("To", "+14155550100"),
                ("Body", "Your code is 1234"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["from"], "894546");
    let path = format!(
        "{}/Messages/{}.json",
        base(&c),
        sent["sid"].as_str().unwrap()
    );
    let mut delivered = Value::Null;
    for _ in 0..100 {
        let (_, m) = s.get(&c, &path).await;
        if m["status"] == "delivered" {
            delivered = m;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered["status"], "delivered", "{delivered}");
    assert!(delivered["price"].is_string(), "charged: {delivered}");

    // A short code the account does not have: another's, or none's.
    let other = s.main_account(AccountType::Full).await;
    provision(&s, &other.sid, "55555").await;
    for code in ["55555", "77777"] {
        let (status, body) = s
            .post(
                &c,
                &format!("{}/Messages.json", base(&c)),
                &[("From", code), ("To", "+14155550100"), ("Body", "x")],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21606);
        assert!(body["message"].as_str().unwrap().contains(code), "{body}");
    }
    // A short code is one account's in its world.
    let access =
        s.sb.operator_access(
            RequestTarget::Account(&c.sid),
            Action::Write,
            Resource::ShortCodeProvisioning,
        )
        .await
        .unwrap();
    let taken =
        s.sb.short_codes()
            .provision(
                &access,
                &NewShortCode {
                    short_code: "55555".into(),
                    ..NewShortCode::default()
                },
            )
            .await;
    assert!(taken.is_err(), "provisioned twice: {taken:?}");
    // Voice calls are not placed from short codes.
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Calls.json", base(&c)),
            &[
                ("From", "894546"),
                ("To", "+14155550100"),
                ("Url", "https://demo.twilio.com/docs/voice.xml"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
});

server_test!(
    connect_apps_configure_short_codes_in_their_subaccount,
    |s| {
        let owner = app_owner(&s, &["post-all"]).await;
        let mut cust = customer(&s, true).await;
        let sub = authorize(&mut cust.browser, &owner.app).await;
        let app = Creds {
            sid: sub.clone(),
            token: owner.creds.token.clone(),
        };
        let sc = provision(&s, &sub, "24680").await;
        let in_main = provision(&s, &cust.account, "13579").await;
        let item = format!("{}/SMS/ShortCodes/{sc}.json", base(&app));
        let (status, body) = call(
            &s,
            &app,
            Method::POST,
            &item,
            ITEM,
            &[("SmsUrl", "https://app.example.com/sc")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, sent) = s
            .post(
                &app,
                &format!("{}/Messages.json", base(&app)),
                &[("From", "24680"), ("To", "+14155550100"), ("Body", "hi")],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        // The customer's main account: post-all alone neither reads nor writes it.
        let main = Creds {
            sid: cust.account.clone(),
            token: String::new(),
        };
        let mains = format!("{}/SMS/ShortCodes/{in_main}.json", base(&main));
        let (status, body) = s.get(&app, &mains).await;
        assert_twilio_error(status, &body, 403, 20403);
        let (status, body) = s.post(&app, &mains, &[("FriendlyName", "x")]).await;
        assert_twilio_error(status, &body, 403, 20403);

        // get-all reads across the tree and changes nothing.
        let reader = app_owner(&s, &["get-all"]).await;
        let reader_sub = authorize(&mut cust.browser, &reader.app).await;
        let as_reader = Creds {
            sid: reader_sub,
            token: reader.creds.token.clone(),
        };
        assert_eq!(list(&s, &as_reader, &main, "").await.len(), 1);
        assert_eq!(list(&s, &as_reader, &app, "").await.len(), 1);
        let (status, body) = s.post(&as_reader, &item, &[("FriendlyName", "x")]).await;
        assert_twilio_error(status, &body, 403, 20403);
    }
);

/// `switchboard short-codes add|list|remove` against a SQLite file, with the
/// real binary.
#[test]
fn the_operator_provisions_short_codes_with_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("sb.db").display());
    let sb = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(args)
            .env("SWITCHBOARD_DATABASE_URL", &db)
            .env_remove("SWITCHBOARD_ACCOUNT_SID")
            .env("SWITCHBOARD_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = sb(&[
        "accounts",
        "create",
        "--email",
        "sc@example.com",
        "--password",
        "a long password",
        "--friendly-name",
        "Shorts",
        "--full",
        "--json",
    ]);
    assert!(ok, "{err}");
    let account: Value = serde_json::from_str(&out).unwrap();
    let account = account["sid"].as_str().unwrap().to_owned();

    let (ok, out, err) = sb(&[
        "short-codes",
        "add",
        "--account",
        &account,
        "--short-code",
        "894546",
        "--friendly-name",
        "Alerts",
        "--sms-url",
        "https://app.example.com/sc",
        "--json",
    ]);
    assert!(ok, "{err}");
    let made: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(made["short_code"], "894546");
    assert_eq!(made["account_sid"], account.as_str());
    assert_eq!(made["friendly_name"], "Alerts");
    let sc = made["sid"].as_str().unwrap().to_owned();

    // The same code again, in the same world: refused, saying why.
    let (ok, _, err) = sb(&[
        "short-codes",
        "add",
        "--account",
        &account,
        "--short-code",
        "894546",
    ]);
    assert!(!ok);
    assert!(err.contains("894546") && err.contains("already"), "{err}");
    // Not a short code.
    let (ok, _, err) = sb(&[
        "short-codes",
        "add",
        "--account",
        &account,
        "--short-code",
        "12",
    ]);
    assert!(!ok);
    assert!(err.contains("3 to 8 digits"), "{err}");

    // The account from the environment, as the others take their settings.
    let (ok, out, err) = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["short-codes", "list", "--json"])
        .env("SWITCHBOARD_DATABASE_URL", &db)
        .env("SWITCHBOARD_ACCOUNT_SID", &account)
        .stdin(Stdio::null())
        .output()
        .map(|o| {
            (
                o.status.success(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert!(ok, "{err}");
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["sid"], sc.as_str());

    let (ok, out, err) = sb(&["short-codes", "remove", &sc]);
    assert!(ok, "{err}");
    assert!(out.contains("894546"), "{out}");
    let (ok, out, _) = sb(&["short-codes", "list", "--account", &account]);
    assert!(ok);
    assert!(out.contains("no short codes"), "{out}");
    let (ok, _, err) = sb(&["short-codes", "remove", &sc]);
    assert!(!ok);
    assert!(err.contains("no short code"), "{err}");
    let (ok, out, _) = sb(&["short-codes", "--help"]);
    assert!(ok);
    assert!(out.contains("add") && out.contains("remove"), "{out}");
}
