//! Issue 25, part 3: what a Connect App's owner sees and hears. Its grants by
//! API (`…/ConnectApps/{Sid}/Authorizations`), the authorized callback, and
//! the deauthorize callback a customer's suspended or closed account sends.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::accounts::AccountChanges;
use switchboard_types::{AccountSid, AccountStatus};

use crate::connect::{app_owner, authorize, customer};
use crate::receiver::Receiver;
use crate::revocation::{assert_signed, customer_creds};
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error};

fn grants_path(owner: &Creds, app: &str) -> String {
    format!(
        "/switchboard/v1/Accounts/{}/ConnectApps/{app}/Authorizations.json",
        owner.sid
    )
}

fn grant_path(owner: &Creds, app: &str, sub: &AccountSid) -> String {
    format!(
        "/switchboard/v1/Accounts/{}/ConnectApps/{app}/Authorizations/{sub}.json",
        owner.sid
    )
}

/// Sets an account's status as the operator does (a main account's status is
/// not the API's to change).
async fn set_status(s: &TestServer, account: &AccountSid, status: AccountStatus) {
    let access =
        s.sb.operator_access(
            RequestTarget::Account(account),
            Action::Write,
            Resource::AccountStatus,
        )
        .await
        .unwrap();
    s.sb.accounts()
        .update(
            &access,
            &AccountChanges {
                friendly_name: None,
                status: Some(status),
            },
        )
        .await
        .unwrap();
}

server_test!(an_owner_lists_and_reads_the_grants_of_its_app, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut alice = customer(&s, true).await;
    let mut bob = customer(&s, true).await;
    let alice_sub = authorize(&mut alice.browser, &owner.app).await;
    let bob_sub = authorize(&mut bob.browser, &owner.app).await;

    let (status, page) = s
        .get(&owner.creds, &grants_path(&owner.creds, &owner.app))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["authorizations"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    assert_eq!(items[0]["account_sid"], bob_sub.as_str(), "newest first");
    for key in [
        "first_page_uri",
        "next_page_uri",
        "previous_page_uri",
        "page",
        "page_size",
        "uri",
    ] {
        assert!(page.get(key).is_some(), "{key} in {page}");
    }
    let (status, one) = s
        .get(
            &owner.creds,
            &grant_path(&owner.creds, &owner.app, &alice_sub),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["customer_account_sid"], alice.account.as_str());
    assert_eq!(one["connect_app_sid"], owner.app.as_str());
    assert_eq!(one["permissions"], json!(["get-all"]));
    assert_eq!(one["requested_permissions"], json!(["get-all"]));
    assert_eq!(one["needs_reauthorization"], false);
    assert_eq!(one["status"], "active");
    assert!(one["date_revoked"].is_null());
    assert!(chrono::DateTime::parse_from_rfc2822(one["date_authorized"].as_str().unwrap()).is_ok());
    assert_eq!(one["uri"], grant_path(&owner.creds, &owner.app, &alice_sub));

    // Paged.
    let (status, first) = s
        .get(
            &owner.creds,
            &format!("{}?PageSize=1", grants_path(&owner.creds, &owner.app)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["authorizations"].as_array().unwrap().len(), 1);
    let next = first["next_page_uri"].as_str().expect("a next page");
    let (status, second) = s.get(&owner.creds, next).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(
        second["authorizations"][0]["account_sid"],
        alice_sub.as_str()
    );

    // The app asks for more: both grants need reauthorization until approved again.
    let (status, _) = s
        .post(
            &owner.creds,
            &format!(
                "/2010-04-01/Accounts/{}/ConnectApps/{}.json",
                owner.creds.sid, owner.app
            ),
            &[("Permissions", "get-all"), ("Permissions", "post-all")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, one) = s
        .get(
            &owner.creds,
            &grant_path(&owner.creds, &owner.app, &alice_sub),
        )
        .await;
    assert_eq!(one["needs_reauthorization"], true, "{one}");
    assert_eq!(one["requested_permissions"], json!(["get-all", "post-all"]));
    authorize(&mut alice.browser, &owner.app).await;
    let (_, one) = s
        .get(
            &owner.creds,
            &grant_path(&owner.creds, &owner.app, &alice_sub),
        )
        .await;
    assert_eq!(one["needs_reauthorization"], false, "{one}");
    assert_eq!(one["permissions"], json!(["get-all", "post-all"]));

    // Revoked: still listed, with its date.
    let bob_creds = customer_creds(&s, &bob.account).await;
    let (status, _) = s
        .call(
            Some(&bob_creds),
            Method::DELETE,
            &format!(
                "/2010-04-01/Accounts/{}/AuthorizedConnectApps/{}.json",
                bob.account, owner.app
            ),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, one) = s
        .get(
            &owner.creds,
            &grant_path(&owner.creds, &owner.app, &bob_sub),
        )
        .await;
    assert_eq!(one["status"], "revoked", "{one}");
    assert!(one["date_revoked"].is_string());
    assert_eq!(one["needs_reauthorization"], false);
});

server_test!(no_one_but_the_owner_reads_an_apps_grants, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let other = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, true).await;
    let sub = authorize(&mut c.browser, &owner.app).await;
    let list = grants_path(&owner.creds, &owner.app);
    let one = grant_path(&owner.creds, &owner.app, &sub);

    // Another owner: under the owner's path, not found; under its own path,
    // this app is not its own.
    for path in [&list, &one] {
        let (status, body) = s.get(&other.creds, path).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    let (status, body) = s
        .get(&other.creds, &grants_path(&other.creds, &owner.app))
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    // The app itself, with get-all on its customer: never an owner's business.
    let as_app = Creds {
        sid: sub.clone(),
        token: owner.creds.token.clone(),
    };
    let customer = customer_creds(&s, &c.account).await;
    let (status, body) = s.get(&as_app, &grants_path(&customer, &owner.app)).await;
    assert_twilio_error(status, &body, 403, 20403);
    let (status, body) = s.get(&as_app, &list).await;
    assert_twilio_error(status, &body, 404, 20404);
    // The customer reads nothing of the owner's.
    let (status, body) = s.get(&customer, &list).await;
    assert_twilio_error(status, &body, 404, 20404);
    // A subaccount of the owner: not the app's owner.
    let (status, sub_of_owner) = s
        .post(
            &owner.creds,
            "/2010-04-01/Accounts.json",
            &[("FriendlyName", "team")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let team = Creds {
        sid: AccountSid::parse(sub_of_owner["sid"].as_str().unwrap()).unwrap(),
        token: sub_of_owner["auth_token"].as_str().unwrap().to_owned(),
    };
    let (status, body) = s.get(&team, &list).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.get(&owner.creds, &grants_path(&team, &owner.app)).await;
    assert_twilio_error(status, &body, 403, 20403);
    // A grant of another app is not found under this one.
    let (status, body) = s
        .get(&other.creds, &grant_path(&other.creds, &other.app, &sub))
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    // Not writable.
    let (status, _) = s.post(&owner.creds, &list, &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
});

/// An app whose authorized and deauthorize callbacks go to `receiver`.
async fn app_with_callbacks(s: &TestServer, receiver: &Receiver, method: &str) -> (Creds, String) {
    let owner = app_owner(s, &["get-all"]).await;
    let (status, app) = s
        .post(
            &owner.creds,
            &format!(
                "/switchboard/v1/Accounts/{}/ConnectApps/{}.json",
                owner.creds.sid, owner.app
            ),
            &[
                (
                    "AuthorizeCallbackUrl",
                    receiver.url("/twilio/authorized?x=1").as_str(),
                ),
                ("AuthorizeCallbackMethod", method),
                (
                    "DeauthorizeCallbackUrl",
                    receiver.url("/twilio/deauthorize").as_str(),
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{app}");
    assert_eq!(
        app["authorize_callback_url"],
        receiver.url("/twilio/authorized?x=1")
    );
    assert_eq!(app["authorize_callback_method"], method);
    (owner.creds, owner.app)
}

server_test!(every_authorization_calls_the_app_back, |s| {
    let receiver = Receiver::start().await;
    let (owner, app) = app_with_callbacks(&s, &receiver, "POST").await;
    let mut c = customer(&s, true).await;
    let sub = authorize(&mut c.browser, &app).await;
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    let hook = &got[0];
    assert_eq!(hook.method, "POST");
    assert_eq!(hook.path_and_query, "/twilio/authorized?x=1");
    assert_eq!(hook.param("AccountSid").as_deref(), Some(sub.as_str()));
    assert_eq!(hook.param("ConnectAppSid").as_deref(), Some(app.as_str()));
    assert_eq!(
        hook.param("CustomerAccountSid").as_deref(),
        Some(c.account.as_str())
    );
    assert_eq!(hook.param("Permissions").as_deref(), Some("get-all"));
    assert!(!hook.header("i-twilio-idempotency-token").is_empty());
    assert_signed(hook, &receiver, &owner.token);

    // Authorizing again calls again; the delivery is the owner's to see.
    authorize(&mut c.browser, &app).await;
    let got = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(got[1].param("AccountSid").as_deref(), Some(sub.as_str()));
    let (status, deliveries) = s
        .get(
            &owner,
            &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&Value> = deliveries["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["kind"])
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "authorize").count(),
        2,
        "{deliveries}"
    );

    // GET puts the parameters in the query, signed over the URL.
    let receiver = Receiver::start().await;
    let (owner, app) = app_with_callbacks(&s, &receiver, "GET").await;
    let sub = authorize(&mut c.browser, &app).await;
    let hook = &receiver.wait_for(1, Duration::from_secs(10)).await[0];
    assert_eq!(hook.method, "GET");
    assert!(
        hook.path_and_query.contains(&format!("AccountSid={sub}")),
        "{hook:?}"
    );
    assert_signed(hook, &receiver, &owner.token);

    // An app without the setting sends none (the console's form has the field).
    let plain = app_owner(&s, &["get-all"]).await;
    authorize(&mut c.browser, &plain.app).await;
    let (_, deliveries) = s
        .get(
            &plain.creds,
            &format!(
                "/switchboard/v1/Accounts/{}/Deliveries.json",
                plain.creds.sid
            ),
        )
        .await;
    assert_eq!(
        deliveries["deliveries"].as_array().unwrap().len(),
        0,
        "{deliveries}"
    );
    let form = c.browser.get("/console/apps/new").await;
    assert!(
        form.body.contains("name=\"authorize_callback_url\""),
        "{}",
        form.body
    );
});

server_test!(
    a_suspended_or_closed_account_deauthorizes_its_grants_once,
    |s| {
        let receiver = Receiver::start().await;
        let (owner, app) = app_with_callbacks(&s, &receiver, "POST").await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &app).await;
        receiver.wait_for(1, Duration::from_secs(10)).await; // the authorized callback

        // The dedicated subaccount suspended by its customer, through the API.
        let customer = customer_creds(&s, &c.account).await;
        let (status, body) = s
            .post(
                &customer,
                &format!("/2010-04-01/Accounts/{sub}.json"),
                &[("Status", "suspended")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let got = receiver.wait_for(2, Duration::from_secs(10)).await;
        let hook = &got[1];
        assert_eq!(hook.path_and_query, "/twilio/deauthorize");
        assert_eq!(hook.param("AccountSid").as_deref(), Some(sub.as_str()));
        assert_eq!(hook.param("ConnectAppSid").as_deref(), Some(app.as_str()));
        assert_signed(hook, &receiver, &owner.token);
        let (_, grant) = s.get(&owner, &grant_path(&owner, &app, &sub)).await;
        assert_eq!(grant["status"], "revoked", "{grant}");

        // Reactivating grants nothing back; closing sends nothing more.
        for status in ["active", "closed"] {
            let (code, body) = s
                .post(
                    &customer,
                    &format!("/2010-04-01/Accounts/{sub}.json"),
                    &[("Status", status)],
                )
                .await;
            assert_eq!(code, StatusCode::OK, "{body}");
        }
        let (_, grant) = s.get(&owner, &grant_path(&owner, &app, &sub)).await;
        assert_eq!(grant["status"], "revoked", "{grant}");
        let as_app = Creds {
            sid: sub.clone(),
            token: owner.token.clone(),
        };
        let (status, body) = s.get(&as_app, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 401, 20003);

        // The customer's main account: every grant of it, once.
        let sub = authorize(&mut c.browser, &app).await;
        receiver.wait_for(3, Duration::from_secs(10)).await; // authorized again
        set_status(&s, &c.account, AccountStatus::Suspended).await;
        let got = receiver.wait_for(4, Duration::from_secs(10)).await;
        assert_eq!(got[3].path_and_query, "/twilio/deauthorize");
        assert_eq!(got[3].param("AccountSid").as_deref(), Some(sub.as_str()));
        set_status(&s, &c.account, AccountStatus::Active).await;
        set_status(&s, &c.account, AccountStatus::Closed).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            receiver.received().len(),
            4,
            "one deauthorize callback per grant"
        );
        let (_, grant) = s.get(&owner, &grant_path(&owner, &app, &sub)).await;
        assert_eq!(grant["status"], "revoked", "{grant}");
        let log =
            s.sb.log_of(&c.account, &switchboard_store::page::PageAt::First, 50)
                .await
                .unwrap();
        assert_eq!(
            log.items
                .iter()
                .filter(|e| e.action == "connect.revoke")
                .count(),
            2,
            "each revocation audited"
        );
    }
);
