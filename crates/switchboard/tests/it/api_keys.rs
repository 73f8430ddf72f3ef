//! API keys (`…/Keys`, `…/SigningKeys`) over real HTTP: the resources in
//! Twilio's 2010 shape (every answer checked against `twilio_api_v2010.json`),
//! the secret shown once, authenticating with `SK…` and the secret, who a key
//! reaches, revoking, the Connect principal's reach over keys, and the audit
//! log.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_store::audit::AuditEvent;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::{self, assert_answer, call};
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, basic};

const KEYS: &str = "/2010-04-01/Accounts/{AccountSid}/Keys.json";
const KEY: &str = "/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json";
const SIGNING_KEYS: &str = "/2010-04-01/Accounts/{AccountSid}/SigningKeys.json";
const SIGNING_KEY: &str = "/2010-04-01/Accounts/{AccountSid}/SigningKeys/{Sid}.json";

/// A key's credentials: its SID and secret.
#[derive(Clone)]
struct Key {
    sid: String,
    secret: String,
}

/// Sends a request with any Basic username and password (an `SK…` one
/// included); returns the status and the JSON body (Null when empty).
async fn send(
    s: &TestServer,
    user: &str,
    password: &str,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut req = s
        .http
        .request(method, s.url(path))
        .header("Authorization", basic(user, password));
    if !form.is_empty() {
        req = req.form(form);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}

async fn create_key(s: &TestServer, c: &Creds, on: &AccountSid, name: &str) -> Key {
    let path = format!("/2010-04-01/Accounts/{on}/Keys.json");
    let (status, body) = call(s, c, Method::POST, &path, KEYS, &[("FriendlyName", name)]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Key {
        sid: body["sid"].as_str().unwrap().to_owned(),
        secret: body["secret"].as_str().unwrap().to_owned(),
    }
}

async fn subaccount(s: &TestServer, c: &Creds) -> AccountSid {
    let (status, body) = s
        .post(c, "/2010-04-01/Accounts.json", &[("FriendlyName", "Sub")])
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    AccountSid::parse(body["sid"].as_str().unwrap()).unwrap()
}

/// `GET …/Calls.json` of `account` with a key.
async fn calls_with(s: &TestServer, key: &Key, account: &AccountSid) -> (StatusCode, Value) {
    let path = format!("/2010-04-01/Accounts/{account}/Calls.json");
    send(s, &key.sid, &key.secret, Method::GET, &path, &[]).await
}

server_test!(keys_and_signing_keys_follow_twilios_shape, |s| {
    let c = s.main_account(AccountType::Full).await;
    let base = format!("/2010-04-01/Accounts/{}", c.sid);

    let (status, created) = call(
        &s,
        &c,
        Method::POST,
        &format!("{base}/Keys.json"),
        KEYS,
        &[("FriendlyName", "CI")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let sk = created["sid"].as_str().unwrap().to_owned();
    assert!(sk.starts_with("SK"));
    assert_eq!(created["friendly_name"], "CI");
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32);
    assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));

    // The secret is never shown again.
    let item = format!("{base}/Keys/{sk}.json");
    let (status, fetched) = call(&s, &c, Method::GET, &item, KEY, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(fetched.get("secret").is_none(), "{fetched}");
    let (status, page) = call(&s, &c, Method::GET, &format!("{base}/Keys.json"), KEYS, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let keys = page["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert!(keys[0].get("secret").is_none());

    // Renaming; no name leaves it as it was; a bad one is Twilio's 400.
    let (status, renamed) = call(
        &s,
        &c,
        Method::POST,
        &item,
        KEY,
        &[("FriendlyName", "Deploys")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["friendly_name"], "Deploys");
    let (status, same) = call(&s, &c, Method::POST, &item, KEY, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same["friendly_name"], "Deploys");
    let long = "x".repeat(65);
    let (status, body) = s.post(&c, &item, &[("FriendlyName", &long)]).await;
    assert_twilio_error(status, &body, 400, 20001);

    // Signing keys are a resource of their own.
    let (status, signing) = call(
        &s,
        &c,
        Method::POST,
        &format!("{base}/SigningKeys.json"),
        SIGNING_KEYS,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{signing}");
    assert!(signing["friendly_name"].is_null());
    let sk2 = signing["sid"].as_str().unwrap();
    let (status, page) = call(
        &s,
        &c,
        Method::GET,
        &format!("{base}/SigningKeys.json"),
        SIGNING_KEYS,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["signing_keys"].as_array().unwrap().len(), 1);
    let signing_item = format!("{base}/SigningKeys/{sk2}.json");
    let (status, _) = call(&s, &c, Method::GET, &signing_item, SIGNING_KEY, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s.get(&c, &format!("{base}/Keys/{sk2}.json")).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.get(&c, &format!("{base}/SigningKeys/{sk}.json")).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, _) = call(
        &s,
        &c,
        Method::POST,
        &signing_item,
        SIGNING_KEY,
        &[("FriendlyName", "Tokens")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Deleting; then it is gone.
    for path in [&item, &signing_item] {
        let (status, body) = s.call(Some(&c), Method::DELETE, path, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = s.get(&c, path).await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, body) = s.call(Some(&c), Method::DELETE, path, &[]).await;
        assert_twilio_error(status, &body, 404, 20404);
    }

    // A SID of the wrong shape, and strangers.
    let (status, body) = s.get(&c, &format!("{base}/Keys/CA123.json")).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s
        .call(None, Method::GET, &format!("{base}/Keys.json"), &[])
        .await;
    assert_twilio_error(status, &body, 401, 20003);

    // Making and deleting keys is in the audit log, naming the key.
    let log: Vec<AuditEvent> = s.sb.log_of(&c.sid, &PageAt::First, 50).await.unwrap().items;
    let entries: Vec<(String, Option<String>)> = log
        .into_iter()
        .rev()
        .filter(|e| e.action.contains("key."))
        .map(|e| (e.action, e.subject_sid))
        .collect();
    let want: Vec<(String, Option<String>)> = [
        ("key.create", &sk),
        ("key.rename", &sk),
        ("signing_key.create", &sk2.to_owned()),
        ("signing_key.rename", &sk2.to_owned()),
        ("key.delete", &sk),
        ("signing_key.delete", &sk2.to_owned()),
    ]
    .into_iter()
    .map(|(a, sid)| (a.to_owned(), Some(sid.clone())))
    .collect();
    assert_eq!(entries, want);
});

server_test!(a_key_authenticates_as_its_account, |s| {
    let c = s.main_account(AccountType::Full).await;
    let sub = subaccount(&s, &c).await;
    let key = create_key(&s, &c, &c.sid, "main").await;

    // Its account and that account's subaccounts, as the account's token does.
    let (status, body) = calls_with(&s, &key, &c.sid).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_answer(
        openapi::api_2010(),
        "/2010-04-01/Accounts/{AccountSid}/Calls.json",
        "get",
        200,
        &body,
    );
    let (status, body) = calls_with(&s, &key, &sub).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = send(
        &s,
        &key.sid,
        &key.secret,
        Method::GET,
        "/2010-04-01/Accounts.json",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["accounts"].as_array().unwrap().len(), 2);
    // It writes as the account: a call placed with it is the account's.
    let (status, body) = send(
        &s,
        &key.sid,
        &key.secret,
        Method::GET,
        "/switchboard/v1/Principal.json",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "key");
    assert_eq!(body["account_sid"], c.sid.as_str());

    // A wrong secret, the account's own token with the key's SID, or the
    // secret with the account's SID: nobody.
    for (user, password) in [
        (key.sid.as_str(), "x".repeat(32)),
        (key.sid.as_str(), c.token.clone()),
        (c.sid.as_str(), key.secret.clone()),
    ] {
        let path = format!("/2010-04-01/Accounts/{}/Calls.json", c.sid);
        let (status, body) = send(&s, user, &password, Method::GET, &path, &[]).await;
        assert_twilio_error(status, &body, 401, 20003);
    }

    // A subaccount's key reaches that subaccount alone.
    let sub_key = create_key(&s, &c, &sub, "sub").await;
    let (status, body) = calls_with(&s, &sub_key, &sub).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = calls_with(&s, &sub_key, &c.sid).await;
    assert_twilio_error(status, &body, 404, 20404);

    // Another account's key reaches nothing here.
    let other = s.main_account(AccountType::Full).await;
    let other_key = create_key(&s, &other, &other.sid, "other").await;
    let (status, body) = calls_with(&s, &other_key, &c.sid).await;
    assert_twilio_error(status, &body, 404, 20404);

    // A key manages no keys, auth tokens or accounts: the account's token does.
    let keys = format!("/2010-04-01/Accounts/{}/Keys.json", c.sid);
    for (method, path) in [
        (Method::GET, keys.as_str()),
        (Method::POST, keys.as_str()),
        (Method::POST, "/2010-04-01/Accounts.json"),
        (Method::POST, "/v1/AuthTokens/Secondary"),
    ] {
        let (status, body) = send(&s, &key.sid, &key.secret, method, path, &[]).await;
        assert_twilio_error(status, &body, 403, 20403);
        assert!(
            body["message"].as_str().unwrap().contains("API key"),
            "{body}"
        );
    }

    // Revoking: refused on the very next request.
    let item = format!("/2010-04-01/Accounts/{}/Keys/{}.json", c.sid, key.sid);
    let (status, _) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = calls_with(&s, &key, &c.sid).await;
    assert_twilio_error(status, &body, 401, 20003);
    // And a suspended subaccount's key stops with it.
    let (status, _) = s
        .post(
            &c,
            &format!("/2010-04-01/Accounts/{sub}.json"),
            &[("Status", "suspended")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = calls_with(&s, &sub_key, &sub).await;
    assert_twilio_error(status, &body, 401, 20003);
});

server_test!(connect_apps_neither_make_nor_use_keys_on_customers, |s| {
    let owner = app_owner(&s, &["get-all", "post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let as_app = Creds {
        sid: sub.clone(),
        token: owner.creds.token.clone(),
    };

    // The Connect principal: no keys in its dedicated subaccount, nor in
    // the customer's main account, to make, list or touch.
    for account in [&sub, &cust.account] {
        let keys = format!("/2010-04-01/Accounts/{account}/Keys.json");
        for (method, path) in [
            (Method::POST, keys.clone()),
            (Method::GET, keys.clone()),
            (
                Method::GET,
                format!("/2010-04-01/Accounts/{account}/SigningKeys.json"),
            ),
            (
                Method::DELETE,
                format!(
                    "/2010-04-01/Accounts/{account}/Keys/SK0123456789abcdef0123456789abcdef.json"
                ),
            ),
        ] {
            let (status, body) = s.call(Some(&as_app), method, &path, &[]).await;
            assert_twilio_error(status, &body, 403, 20403);
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("Twilio Connect cannot create or use API keys"),
                "{body}"
            );
        }
    }

    // The app owner's own key, used on the customer's dedicated subaccount
    // (as `Client(key, secret, subaccount)` would): refused, saying why.
    let key = create_key(&s, &owner.creds, &owner.creds.sid, "owner").await;
    let (status, body) = calls_with(&s, &key, &sub).await;
    assert_twilio_error(status, &body, 403, 20403);
    assert!(
        body["message"].as_str().unwrap().contains("Connect"),
        "{body}"
    );
    // The customer's main account is simply not the owner's.
    let (status, body) = calls_with(&s, &key, &cust.account).await;
    assert_twilio_error(status, &body, 404, 20404);
    // The key still works on the owner's own account.
    let (status, body) = calls_with(&s, &key, &owner.creds.sid).await;
    assert_eq!(status, StatusCode::OK, "{body}");
});

server_test!(twilio_paths_switchboard_does_not_serve_say_so, |s| {
    let c = s.main_account(AccountType::Full).await;
    let base = format!("/2010-04-01/Accounts/{}", c.sid);
    for (method, path) in [
        (Method::GET, format!("{base}/SIP/IpAccessControlLists.json")),
        (
            Method::GET,
            format!("{base}/SIP/Domains/SD0123456789abcdef0123456789abcdef.json"),
        ),
        (Method::POST, format!("{base}/SIP/Domains.json")),
        (Method::GET, format!("{base}/SIP/CredentialLists.json")),
        (
            Method::POST,
            format!("{base}/Calls/CA0123456789abcdef0123456789abcdef/Streams.json"),
        ),
    ] {
        let (status, body) = s.call(Some(&c), method.clone(), &path, &[]).await;
        assert_twilio_error(status, &body, 404, 20404);
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("does not implement") && message.contains("docs/api.md"),
            "{method} {path}: {body}"
        );
    }
    // A SID that names nothing is still "not found", and says nothing else.
    let (status, body) = s
        .get(
            &c,
            &format!("{base}/Keys/SK0123456789abcdef0123456789abcdef.json"),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    assert!(!body["message"].as_str().unwrap().contains("implement"));
    let (status, body) = s.get(&c, &format!("{base}/Nothing.json")).await;
    assert_twilio_error(status, &body, 404, 20404);
    assert!(!body["message"].as_str().unwrap().contains("implement"));
});

server_test!(network_traversal_tokens_follow_twilios_shape, |s| {
    const TOKENS: &str = "/2010-04-01/Accounts/{AccountSid}/Tokens.json";
    let c = s.main_account(AccountType::Full).await;
    let path = format!("/2010-04-01/Accounts/{}/Tokens.json", c.sid);
    let (status, token) = call(&s, &c, Method::POST, &path, TOKENS, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    assert_eq!(token["account_sid"], c.sid.as_str());
    assert_eq!(token["ttl"], "86400");
    let servers = token["ice_servers"].as_array().unwrap();
    assert!(!servers.is_empty());
    for server in servers {
        assert!(
            server["urls"].as_str().unwrap().contains(".invalid"),
            "{server}"
        );
        assert_eq!(server["username"], token["username"]);
        assert_eq!(server["credential"], token["password"]);
    }
    let (status, short) = call(&s, &c, Method::POST, &path, TOKENS, &[("Ttl", "60")]).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(short["ttl"], "60");
    assert_ne!(short["password"], token["password"]);
    for bad in ["0", "172801", "soon"] {
        let (status, body) = s.post(&c, &path, &[("Ttl", bad)]).await;
        assert_twilio_error(status, &body, 400, 20001);
    }
    // A Connect App makes them in its dedicated subaccount with post-all.
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let as_app = Creds {
        sid: sub.clone(),
        token: owner.creds.token.clone(),
    };
    let (status, body) = s
        .post(
            &as_app,
            &format!("/2010-04-01/Accounts/{sub}/Tokens.json"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &as_app,
            &format!("/2010-04-01/Accounts/{}/Tokens.json", cust.account),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
});
