//! `GET /switchboard/v1/Principal.json`: who the credentials stand for, for
//! owners, parents and Connect Apps; and the usual refusals.

use reqwest::{Method, StatusCode};
use serde_json::json;
use switchboard_types::AccountType;

use crate::connect::{app_owner, authorize, customer};
use crate::server_test;
use crate::support::AsOperator;
use crate::support::{Creds, assert_twilio_error};

const PATH: &str = "/switchboard/v1/Principal.json";

server_test!(owners_and_parents_see_who_they_are, |s| {
    let main = s.main_account(AccountType::Full).await;
    let (status, me) = s.get(&main, PATH).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        me,
        json!({
            "account_sid": main.sid.to_string(),
            "main_account_sid": main.sid.to_string(),
            "kind": "account",
            "connect_app_sid": null,
            "permissions": [],
            "url": PATH,
        })
    );

    let (status, sub) = s
        .post(
            &main,
            "/2010-04-01/Accounts.json",
            &[("FriendlyName", "Sub")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let sub_sid = sub["sid"].as_str().unwrap();
    let sub_token = sub["auth_token"].as_str().unwrap();
    let own = Creds {
        sid: sub_sid.parse().unwrap(),
        token: sub_token.to_owned(),
    };
    let (_, me) = s.get(&own, PATH).await;
    assert_eq!(me["kind"], "account");
    assert_eq!(me["account_sid"], sub_sid);
    assert_eq!(me["main_account_sid"], main.sid.to_string());

    let via_parent = Creds {
        sid: own.sid.clone(),
        token: main.token.clone(),
    };
    let (_, me) = s.get(&via_parent, PATH).await;
    assert_eq!(me["kind"], "parent");
    assert_eq!(me["account_sid"], sub_sid);
    assert_eq!(me["main_account_sid"], main.sid.to_string());
});

server_test!(a_connect_app_sees_its_grant_until_it_is_revoked, |s| {
    let owner = app_owner(&s, &["get-all", "post-all"]).await;
    let mut c = customer(&s, true).await;
    let subaccount = authorize(&mut c.browser, &owner.app).await;
    let app = Creds {
        sid: subaccount.clone(),
        token: owner.creds.token.clone(),
    };
    let (status, me) = s.get(&app, PATH).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        me,
        json!({
            "account_sid": subaccount.to_string(),
            "main_account_sid": c.account.to_string(),
            "kind": "connect",
            "connect_app_sid": owner.app,
            "permissions": ["get-all", "post-all"],
            "url": PATH,
        })
    );
    // No auth token anywhere in the answer, whoever asks.
    assert!(!me.to_string().contains(&owner.creds.token));

    // The app narrowing its permissions narrows what it is at once.
    let (status, _) = s
        .post(
            &owner.creds,
            &format!(
                "/2010-04-01/Accounts/{}/ConnectApps/{}.json",
                owner.creds.sid, owner.app
            ),
            &[("Permissions", "get-all")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = s.get(&app, PATH).await;
    assert_eq!(me["permissions"], json!(["get-all"]));

    // Revoked: the very next request is refused.
    let customer_token =
        s.sb.reveal_token(&s.sb.read_account(&c.account).await.unwrap())
            .unwrap();
    let customer_creds = Creds {
        sid: c.account.clone(),
        token: customer_token,
    };
    let (status, _) = s
        .call(
            Some(&customer_creds),
            Method::DELETE,
            &format!(
                "/2010-04-01/Accounts/{}/AuthorizedConnectApps/{}.json",
                c.account, owner.app
            ),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&app, PATH).await;
    assert_twilio_error(status, &body, 401, 20003);
});

server_test!(principal_refuses_strangers_and_other_methods, |s| {
    let main = s.main_account(AccountType::Full).await;
    let (status, body) = s.call(None, Method::GET, PATH, &[]).await;
    assert_twilio_error(status, &body, 401, 20003);
    let wrong = Creds {
        sid: main.sid.clone(),
        token: "0".repeat(32),
    };
    let (status, body) = s.get(&wrong, PATH).await;
    assert_twilio_error(status, &body, 401, 20003);
    let (status, body) = s.post(&main, PATH, &[]).await;
    assert_twilio_error(status, &body, 405, 20004);
});
