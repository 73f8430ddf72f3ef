//! Sandboxes over real HTTP (issue 22): sandbox mode's routes, seeds good and
//! bad, reset and delete, who reaches a sandbox, isolation between two
//! sandboxes made from one seed, and the webhooks a sandbox recorded.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_types::{AccountSid, AccountType};

use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error};

const OWNER_SID: &str = "AC5a0d0000000000000000000000000001";
const OWNER_TOKEN: &str = "0123456789abcdef0123456789abcdef";

pub(crate) fn sandbox_mode(s: &mut switchboard_domain::Settings) {
    s.sandbox = true;
}

/// `POST /switchboard/v1/Sandboxes.json` with a JSON seed, no credentials.
async fn create(s: &TestServer, seed: &Value) -> (StatusCode, Value) {
    let resp = s
        .http
        .post(s.url("/switchboard/v1/Sandboxes.json"))
        .header("Content-Type", "application/json")
        .body(seed.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(crate) async fn created(s: &TestServer, seed: &Value) -> Value {
    let (status, body) = create(s, seed).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

pub(crate) fn creds(account: &Value) -> Creds {
    Creds {
        sid: AccountSid::parse(account["sid"].as_str().unwrap()).unwrap(),
        token: account["auth_token"].as_str().unwrap().to_owned(),
    }
}

pub(crate) fn path(sandbox: &Value, rest: &str) -> String {
    format!(
        "/switchboard/v1/Sandboxes/{}{rest}",
        sandbox["sid"].as_str().unwrap()
    )
}

/// The issue's example seed, its app calling back `receiver`.
fn example_seed(receiver: &str) -> Value {
    json!({"accounts": {
        "owner": {"type": "Full", "sid": OWNER_SID, "auth_token": OWNER_TOKEN,
            "email": "owner@example.test", "password": "correct horse battery",
            "subaccounts": {"staging": {}},
            "connect_apps": {"analytics": {"friendly_name": "Call Analytics",
                "company_name": "Rossum",
                "authorize_redirect_url": "https://app.example.test/twilio/authorize",
                "deauthorize_callback_url": format!("{receiver}/twilio/deauthorize"),
                "deauthorize_callback_method": "POST",
                "permissions": ["get-all", "post-all"]}}},
        "bob": {"type": "Full", "balance": "20.00", "phone_numbers": [
            {"phone_number": "+14155550100", "sms_url": format!("{receiver}/sms")}]}},
     "authorizations": [{"customer": "bob", "connect_app": "analytics",
        "permissions": ["get-all", "post-all"]}]})
}

server_test!(every_sandbox_route_is_not_found_outside_sandbox_mode, |s| {
    let c = s.main_account(AccountType::Full).await;
    let (status, body) = create(&s, &json!({})).await;
    assert_twilio_error(status, &body, 404, 20404);
    let sb = "SB0123456789abcdef0123456789abcdef";
    for (method, p) in [
        (Method::GET, format!("/switchboard/v1/Sandboxes/{sb}.json")),
        (
            Method::DELETE,
            format!("/switchboard/v1/Sandboxes/{sb}.json"),
        ),
        (
            Method::POST,
            format!("/switchboard/v1/Sandboxes/{sb}/Reset.json"),
        ),
        (
            Method::GET,
            format!("/switchboard/v1/Sandboxes/{sb}/Webhooks.json"),
        ),
    ] {
        for who in [None, Some(&c)] {
            let (status, body) = s.call(who, method.clone(), &p, &[]).await;
            assert_twilio_error(status, &body, 404, 20404);
        }
    }
});

server_test!(
    a_sandbox_is_created_read_reset_and_deleted,
    settings = sandbox_mode,
    |s| {
        let receiver = Receiver::start().await;
        let seed = example_seed(&receiver.url(""));
        let sandbox = created(&s, &seed).await;

        // The answer mirrors the seed by name.
        let owner = &sandbox["accounts"]["owner"];
        assert_eq!(owner["sid"], OWNER_SID);
        assert_eq!(owner["auth_token"], OWNER_TOKEN);
        assert_eq!(owner["email"], "owner@example.test");
        assert_eq!(owner["password"], "correct horse battery");
        assert!(
            owner["subaccounts"]["staging"]["sid"]
                .as_str()
                .unwrap()
                .starts_with("AC")
        );
        let bob = &sandbox["accounts"]["bob"];
        let app = &sandbox["connect_apps"]["analytics"];
        let app_sid = app["sid"].as_str().unwrap();
        assert_eq!(
            app["connect_url"],
            format!("http://{}/authorize/{app_sid}", s.addr)
        );
        let grant = &sandbox["authorizations"][0];
        assert_eq!(grant["customer"], "bob");
        assert_eq!(grant["connect_app"], "analytics");
        assert_eq!(grant["connect_app_sid"], app_sid);
        let dedicated = grant["account_sid"].as_str().unwrap();
        let number = &sandbox["phone_numbers"]["+14155550100"];
        assert_eq!(number["account_sid"], bob["sid"]);

        // Every credential works, and the world is as seeded.
        let owner_c = creds(owner);
        let bob_c = creds(bob);
        let (status, body) = s
            .get(&owner_c, &format!("/2010-04-01/Accounts/{OWNER_SID}.json"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["type"], "Full");
        let (status, body) = s
            .get(
                &bob_c,
                &format!("/2010-04-01/Accounts/{}/Balance.json", bob_c.sid),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["balance"], "20.00");
        let as_app = Creds {
            sid: AccountSid::parse(dedicated).unwrap(),
            token: OWNER_TOKEN.to_owned(),
        };
        let (status, body) = s.get(&as_app, "/switchboard/v1/Principal.json").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["kind"], "connect");
        assert_eq!(body["connect_app_sid"], app_sid);
        let (status, body) = s
            .get(
                &bob_c,
                &format!(
                    "/2010-04-01/Accounts/{}/AuthorizedConnectApps.json",
                    bob_c.sid
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["authorized_connect_apps"][0]["connect_app_sid"],
            app_sid
        );
        // As a consent records it.
        let audit =
            s.sb.store()
                .all(
                    switchboard_store::audit::of_account(
                        &bob_c.sid,
                        &switchboard_store::page::PageAt::First,
                        50,
                    )
                    .0,
                )
                .await
                .unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "connect.authorize"
                    && e.subject_sid.as_deref() == Some(dedicated)),
            "{audit:?}"
        );

        // GET answers the same.
        let (status, got) = s.get(&owner_c, &path(&sandbox, ".json")).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        for key in [
            "sid",
            "accounts",
            "connect_apps",
            "authorizations",
            "phone_numbers",
        ] {
            assert_eq!(got[key], sandbox[key], "{key}");
        }

        // Changes: a number bought, a message sent, an app deleted.
        let bob_base = format!("/2010-04-01/Accounts/{}", bob_c.sid);
        let (status, bought) = s
            .post(
                &bob_c,
                &format!("{bob_base}/IncomingPhoneNumbers.json"),
                &[("AreaCode", "415")],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{bought}");
        let (status, sent) = s
            .post(
                &bob_c,
                &format!("{bob_base}/Messages.json"),
                &[
                    ("From", "+14155550100"),
                    ("To", "+14155550199"),
                    ("Body", "hi"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        let (status, _) = s
            .call(
                Some(&owner_c),
                Method::DELETE,
                &format!("/2010-04-01/Accounts/{OWNER_SID}/ConnectApps/{app_sid}.json"),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // The deleted app's grant calls the app back, recorded by the sandbox.
        receiver.wait_for(1, Duration::from_secs(10)).await;
        let webhooks = wait_for_webhooks(&s, &owner_c, &sandbox, "", 1).await;
        assert_eq!(webhooks[0]["kind"], "deauthorize");

        // Reset: the same SIDs and tokens, nothing made since.
        let (status, reset) = s.post(&bob_c, &path(&sandbox, "/Reset.json"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{reset}");
        for key in [
            "sid",
            "accounts",
            "connect_apps",
            "authorizations",
            "phone_numbers",
        ] {
            assert_eq!(reset[key], sandbox[key], "{key}");
        }
        let (status, numbers) = s
            .get(&bob_c, &format!("{bob_base}/IncomingPhoneNumbers.json"))
            .await;
        assert_eq!(status, StatusCode::OK, "{numbers}");
        let listed: Vec<&str> = numbers["incoming_phone_numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["sid"].as_str().unwrap())
            .collect();
        assert_eq!(listed, [number["sid"].as_str().unwrap()]);
        let (_, messages) = s.get(&bob_c, &format!("{bob_base}/Messages.json")).await;
        assert_eq!(messages["messages"], json!([]), "{messages}");
        let (status, body) = s
            .get(
                &owner_c,
                &format!("/2010-04-01/Accounts/{OWNER_SID}/ConnectApps/{app_sid}.json"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = s.get(&as_app, "/switchboard/v1/Principal.json").await;
        assert_eq!(status, StatusCode::OK, "the grant is back: {body}");
        let (_, webhooks) = s.get(&owner_c, &path(&sandbox, "/Webhooks.json")).await;
        assert_eq!(webhooks["webhooks"], json!([]), "cleared: {webhooks}");
        let (status, body) = s.get(&bob_c, &format!("{bob_base}/Balance.json")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["balance"], "20.00");

        // Delete: every credential of the world answers 401 at once.
        let (status, body) = s
            .call(
                Some(&owner_c),
                Method::DELETE,
                &path(&sandbox, ".json"),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        for c in [&owner_c, &bob_c, &as_app] {
            let (status, body) = s.get(c, "/switchboard/v1/Principal.json").await;
            assert_twilio_error(status, &body, 401, 20003);
        }
        let (status, body) = s.get(&owner_c, &path(&sandbox, ".json")).await;
        assert_twilio_error(status, &body, 401, 20003);
        // The same seed, fixed SIDs and all, makes a world again.
        created(&s, &seed).await;
    }
);

/// The recorded webhooks, polled until `n` are there.
async fn wait_for_webhooks(
    s: &TestServer,
    c: &Creds,
    sandbox: &Value,
    query: &str,
    n: usize,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = s
            .get(c, &format!("{}{query}", path(sandbox, "/Webhooks.json")))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body["webhooks"].as_array().unwrap().clone();
        if list.len() >= n {
            return list;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {n} webhooks: {body}",
            list.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

server_test!(
    a_bad_seed_is_400_naming_the_path_and_creates_nothing,
    settings = sandbox_mode,
    |s| {
        let bad = [
            (
                json!({"accounts": {"owner": {"sid": OWNER_SID, "auth_token": OWNER_TOKEN,
                    "connect_apps": {"analytics": {"permissions": ["get-all", "sudo"]}}}}}),
                "accounts.owner.connect_apps.analytics.permissions[1]",
            ),
            (
                json!({"accounts": {"owner": {"sid": OWNER_SID, "auth_token": OWNER_TOKEN},
                    "bob": {"phone_numbers": [{"phone_number": "+14155550100", "sms_url": "not a url"}]}}}),
                "accounts.bob.phone_numbers[0].sms_url",
            ),
            (
                json!({"accounts": {"owner": {"sid": "AC123"}}}),
                "accounts.owner.sid",
            ),
            (
                json!({"accounts": {"owner": {"sid": OWNER_SID, "auth_token": OWNER_TOKEN}},
                    "authorizations": [{"customer": "owner", "connect_app": "missing"}]}),
                "authorizations[0].connect_app",
            ),
            (
                json!({"accounts": {"owner": {"sid": OWNER_SID, "auth_token": OWNER_TOKEN, "colour": "red"}}}),
                "accounts.owner",
            ),
        ];
        for (seed, at) in bad {
            let (status, body) = create(&s, &seed).await;
            assert_twilio_error(status, &body, 400, 20001);
            assert!(
                body["message"].as_str().unwrap().contains(at),
                "{at}: {body}"
            );
        }
        let resp = s
            .http
            .post(s.url("/switchboard/v1/Sandboxes.json"))
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        // Nothing was created: the fixed credentials name no one.
        let owner = Creds {
            sid: AccountSid::parse(OWNER_SID).unwrap(),
            token: OWNER_TOKEN.to_owned(),
        };
        let (status, body) = s.get(&owner, "/switchboard/v1/Principal.json").await;
        assert_twilio_error(status, &body, 401, 20003);
    }
);

server_test!(
    a_fixed_sid_already_in_use_is_409,
    settings = sandbox_mode,
    |s| {
        let seed = json!({"accounts": {"owner": {"sid": OWNER_SID}}});
        let first = created(&s, &seed).await;
        let (status, body) = create(&s, &seed).await;
        assert_twilio_error(status, &body, 409, 20409);
        assert!(
            body["message"].as_str().unwrap().contains(OWNER_SID),
            "{body}"
        );
        // A fixed number SID, or a dedicated subaccount's, the same.
        let pn = "PN0123456789abcdef0123456789abcdef";
        created(
            &s,
            &json!({"accounts": {"a": {"phone_numbers": [{"phone_number": "+14155550100", "sid": pn}]}}}),
        )
        .await;
        let (status, body) = create(
            &s,
            &json!({"accounts": {"b": {"phone_numbers": [{"phone_number": "+14155550100", "sid": pn}]}}}),
        )
        .await;
        assert_twilio_error(status, &body, 409, 20409);
        // Once the first is deleted, its SIDs are free again.
        let owner = creds(&first["accounts"]["owner"]);
        let (status, _) = s
            .call(Some(&owner), Method::DELETE, &path(&first, ".json"), &[])
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        created(&s, &seed).await;
    }
);

server_test!(
    only_the_sandboxes_own_main_accounts_reach_it,
    settings = sandbox_mode,
    |s| {
        let receiver = Receiver::start().await;
        let mut seed = example_seed(&receiver.url(""));
        seed["accounts"]["owner"]
            .as_object_mut()
            .unwrap()
            .retain(|k, _| k != "sid" && k != "auth_token");
        let mine = created(&s, &seed).await;
        let other = created(&s, &seed).await;
        let owner = creds(&mine["accounts"]["owner"]);
        let bob = creds(&mine["accounts"]["bob"]);
        let sub = creds(&mine["accounts"]["owner"]["subaccounts"]["staging"]);
        let app = Creds {
            sid: AccountSid::parse(mine["authorizations"][0]["account_sid"].as_str().unwrap())
                .unwrap(),
            token: owner.token.clone(),
        };
        let stranger = creds(&other["accounts"]["owner"]);
        let default_world = s.main_account(AccountType::Full).await;
        for c in [&owner, &bob] {
            let (status, body) = s.get(c, &path(&mine, ".json")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        for c in [&sub, &app, &stranger, &default_world] {
            for (method, p) in [
                (Method::GET, path(&mine, ".json")),
                (Method::POST, path(&mine, "/Reset.json")),
                (Method::GET, path(&mine, "/Webhooks.json")),
                (Method::DELETE, path(&mine, ".json")),
            ] {
                let (status, body) = s.call(Some(c), method, &p, &[]).await;
                assert_twilio_error(status, &body, 404, 20404);
            }
        }
        let wrong = Creds {
            sid: owner.sid.clone(),
            token: "0".repeat(32),
        };
        for c in [None, Some(&wrong)] {
            let (status, body) = s.call(c, Method::GET, &path(&mine, ".json"), &[]).await;
            assert_twilio_error(status, &body, 401, 20003);
        }
        // A path that names no sandbox: not found, once the caller is someone.
        let (status, body) = s.get(&owner, "/switchboard/v1/Sandboxes/SBnope.json").await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, body) = s
            .call(
                None,
                Method::GET,
                "/switchboard/v1/Sandboxes/SBnope.json",
                &[],
            )
            .await;
        assert_twilio_error(status, &body, 401, 20003);
        // The other sandbox is still whole.
        let (status, _) = s.get(&stranger, &path(&other, ".json")).await;
        assert_eq!(status, StatusCode::OK);
    }
);

// Two sandboxes from one seed, the same fixed numbers in both, used at once:
// each delivers its messages to its own numbers, records its own webhooks,
// and checks numbers against its own world.
server_test!(
    two_sandboxes_from_one_seed_never_see_each_other,
    settings = sandbox_mode,
    |s| {
        let receiver = Receiver::start().await;
        // Alice's number is one of the inventory's, so that buying it means
        // something; Bob's is any number.
        let default_world = s.main_account(AccountType::Full).await;
        let (status, found) = s
            .get(
                &default_world,
                &format!(
                    "/2010-04-01/Accounts/{}/AvailablePhoneNumbers/US/Local.json?AreaCode=415&PageSize=1",
                    default_world.sid
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let alice_number = found["available_phone_numbers"][0]["phone_number"]
            .as_str()
            .unwrap()
            .to_owned();
        let seed = json!({"accounts": {
            "alice": {"phone_numbers": [{"phone_number": alice_number,
                "sms_url": receiver.url("/alice")}]},
            "bob": {"email": "bob@example.test", "password": "correct horse battery",
                "phone_numbers": [{"phone_number": "+14155550101",
                "sms_url": receiver.url("/bob")}]}}});
        let (a, b) = tokio::join!(created(&s, &seed), created(&s, &seed));
        assert_ne!(a["accounts"]["bob"]["sid"], b["accounts"]["bob"]["sid"]);
        let send = |sandbox: Value| {
            let s = &s;
            let alice_number = &alice_number;
            async move {
                let alice = creds(&sandbox["accounts"]["alice"]);
                let body = format!("hello from {}", sandbox["sid"].as_str().unwrap());
                let (status, sent) = s
                    .post(
                        &alice,
                        &format!("/2010-04-01/Accounts/{}/Messages.json", alice.sid),
                        &[
                            ("From", alice_number.as_str()),
                            ("To", "+14155550101"),
                            ("Body", body.as_str()),
                        ],
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{sent}");
                body
            }
        };
        let (body_a, body_b) = tokio::join!(send(a.clone()), send(b.clone()));
        let got = receiver.wait_for(2, Duration::from_secs(10)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let got_all = receiver.received();
        assert_eq!(got_all.len(), 2, "{got:?}");
        for (sandbox, body) in [(&a, &body_a), (&b, &body_b)] {
            let bob = creds(&sandbox["accounts"]["bob"]);
            let owner = creds(&sandbox["accounts"]["alice"]);
            let to_bob: Vec<_> = got_all
                .iter()
                .filter(|r| r.param("AccountSid").as_deref() == Some(bob.sid.as_str()))
                .collect();
            assert_eq!(to_bob.len(), 1, "{got_all:?}");
            assert_eq!(to_bob[0].path_and_query, "/bob");
            assert_eq!(to_bob[0].param("Body").as_deref(), Some(body.as_str()));
            assert_signed(to_bob[0], &receiver, &bob.token);
            // Its recorded webhooks are its own, signature included.
            let hooks = wait_for_webhooks(&s, &owner, sandbox, "?Kind=incoming-message", 1).await;
            assert_eq!(hooks.len(), 1, "{hooks:?}");
            assert_eq!(hooks[0]["parameters"]["Body"], body.as_str());
            assert_eq!(hooks[0]["account_sid"], bob.sid.as_str());
            assert_eq!(
                hooks[0]["request_headers"]["X-Twilio-Signature"],
                to_bob[0].header("x-twilio-signature")
            );
            assert_eq!(
                hooks[0]["request_headers"]["I-Twilio-Idempotency-Token"],
                to_bob[0].header("i-twilio-idempotency-token")
            );
            // Bob's messages hold the one from his own world's alice.
            let (_, list) = s
                .get(
                    &bob,
                    &format!("/2010-04-01/Accounts/{}/Messages.json", bob.sid),
                )
                .await;
            let bodies: Vec<&str> = list["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["body"].as_str().unwrap())
                .collect();
            assert_eq!(bodies, [body.as_str()], "{list}");
            // The world's numbers are taken in it, and in it only.
            let (status, refused) = s
                .post(
                    &bob,
                    &format!("/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json", bob.sid),
                    &[("PhoneNumber", alice_number.as_str())],
                )
                .await;
            assert_twilio_error(status, &refused, 400, 21422);
        }
        let (status, bought) = s
            .post(
                &default_world,
                &format!(
                    "/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json",
                    default_world.sid
                ),
                &[("PhoneNumber", alice_number.as_str())],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{bought}");
        // One email in two worlds signs in: to the newest sandbox's.
        let (session, _) =
            s.sb.sign_in(
                "bob@example.test",
                "correct horse battery",
                "127.0.0.1".parse().unwrap(),
            )
            .await
            .expect("signs in");
        assert!(
            [&a, &b]
                .iter()
                .any(|x| x["accounts"]["bob"]["sid"] == session.account_sid.as_str()),
            "signed in to a sandbox's bob"
        );
    }
);

server_test!(
    recorded_webhooks_are_paged_oldest_first_and_filtered,
    settings = sandbox_mode,
    |s| {
        let receiver = Receiver::start().await;
        let seed = json!({"accounts": {
            "alice": {"phone_numbers": [{"phone_number": "+14155550100"}]},
            "bob": {"phone_numbers": [{"phone_number": "+14155550101",
                "sms_url": receiver.url("/bob")}]}}});
        let sandbox = created(&s, &seed).await;
        let alice = creds(&sandbox["accounts"]["alice"]);
        for i in 0..3 {
            let (status, sent) = s
                .post(
                    &alice,
                    &format!("/2010-04-01/Accounts/{}/Messages.json", alice.sid),
                    &[
                        ("From", "+14155550100"),
                        ("To", "+14155550101"),
                        ("Body", &format!("n{i}")),
                        ("StatusCallback", &receiver.url("/status")),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{sent}");
        }
        let all = wait_for_webhooks(&s, &alice, &sandbox, "?Kind=incoming-message", 3).await;
        let bodies: Vec<&str> = all
            .iter()
            .map(|w| w["parameters"]["Body"].as_str().unwrap())
            .collect();
        let mut sorted = bodies.clone();
        sorted.sort();
        assert_eq!(bodies.len(), 3);
        for w in &all {
            assert_eq!(w["method"], "POST");
            assert_eq!(w["url"], receiver.url("/bob"));
            assert_eq!(w["status"], 200);
            assert!(w["duration_ms"].is_i64(), "{w}");
            assert!(w["date_created"].is_string(), "{w}");
            assert!(w["related_sid"].as_str().unwrap().starts_with("SM"), "{w}");
        }
        let status_hooks = wait_for_webhooks(&s, &alice, &sandbox, "?Kind=message-status", 1).await;
        assert!(status_hooks.iter().all(|w| w["kind"] == "message-status"));
        // By related SID and URL.
        let one = all[1]["related_sid"].as_str().unwrap();
        let (_, by_sid) = s
            .get(
                &alice,
                &format!("{}?RelatedSid={one}", path(&sandbox, "/Webhooks.json")),
            )
            .await;
        assert!(
            by_sid["webhooks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w["related_sid"] == one),
            "{by_sid}"
        );
        let (_, by_url) = s
            .get(
                &alice,
                &format!(
                    "{}?Url={}",
                    path(&sandbox, "/Webhooks.json"),
                    percent_encoding::utf8_percent_encode(
                        &receiver.url("/bob"),
                        percent_encoding::NON_ALPHANUMERIC
                    )
                ),
            )
            .await;
        assert_eq!(by_url["webhooks"].as_array().unwrap().len(), 3, "{by_url}");
        // Paged, oldest first: the pages together are the whole list, once
        // the status callbacks have all been sent.
        let mut everything = Vec::new();
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let (_, now) = s
                .get(
                    &alice,
                    &format!("{}?PageSize=1000", path(&sandbox, "/Webhooks.json")),
                )
                .await;
            let now = now["webhooks"].as_array().unwrap().clone();
            if now.len() == everything.len() {
                break;
            }
            everything = now;
        }
        let mut paged = Vec::new();
        let mut next = Some(format!("{}?PageSize=1", path(&sandbox, "/Webhooks.json")));
        while let Some(p) = next {
            let (status, page) = s.get(&alice, &p).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            paged.extend(page["webhooks"].as_array().unwrap().iter().cloned());
            next = page["next_page_uri"].as_str().map(str::to_owned);
        }
        assert_eq!(paged, everything);
        let dates: Vec<&Value> = everything.iter().map(|w| &w["date_created"]).collect();
        assert_eq!(dates.len(), everything.len());
    }
);

/// `switchboard sandbox --seed FILE.toml`: sandbox mode on a temporary
/// database, the seed applied and its credentials printed, which work at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_command_applies_a_toml_seed_and_prints_its_credentials() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    crate::support::install_crypto();
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.toml");
    std::fs::write(
        &seed,
        format!(
            r#"
[accounts.owner]
sid = "{OWNER_SID}"
auth_token = "{OWNER_TOKEN}"

[accounts.owner.connect_apps.analytics]
permissions = ["get-all"]

[[accounts.bob.phone_numbers]]
phone_number = "+14155550100"

[[authorizations]]
customer = "bob"
connect_app = "analytics"
"#
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--json", "--seed"])
        .arg(&seed)
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .env("SWITCHBOARD_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("Switchboard listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let mut json = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        json.push_str(&line);
        if line == "}" {
            break;
        }
    }
    let sandbox: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(sandbox["accounts"]["owner"]["sid"], OWNER_SID);
    let http = reqwest::Client::new();
    let resp = http
        .get(format!(
            "{url}/switchboard/v1/Sandboxes/{}.json",
            sandbox["sid"].as_str().unwrap()
        ))
        .header(
            "Authorization",
            crate::support::basic(OWNER_SID, OWNER_TOKEN),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let got: Value = resp.json().await.unwrap();
    assert_eq!(got["phone_numbers"], sandbox["phone_numbers"]);
    let _ = child.kill();
    let _ = child.wait();
}

/// The audit log of `account`, oldest first, as `(action, actor, subject)`.
async fn audit_of(s: &TestServer, account: &str) -> Vec<(String, String, Option<String>)> {
    let account = AccountSid::parse(account).unwrap();
    let mut events =
        s.sb.store()
            .all(
                switchboard_store::audit::of_account(
                    &account,
                    &switchboard_store::page::PageAt::First,
                    100,
                )
                .0,
            )
            .await
            .unwrap();
    events.reverse();
    events
        .into_iter()
        .map(|e| (e.action, e.actor, e.subject_sid))
        .collect()
}

fn count(log: &[(String, String, Option<String>)], action: &str, actor: &str) -> usize {
    log.iter()
        .filter(|(a, who, _)| a == action && who == actor)
        .count()
}

server_test!(
    a_sandboxs_lifecycle_is_audited_in_each_main_account,
    settings = sandbox_mode,
    |s| {
        let receiver = Receiver::start().await;
        let sandbox = created(&s, &example_seed(&receiver.url(""))).await;
        let sb = sandbox["sid"].as_str().unwrap().to_owned();
        let owner_c = creds(&sandbox["accounts"]["owner"]);
        let bob_c = creds(&sandbox["accounts"]["bob"]);
        let bob = bob_c.sid.to_string();
        let app_sid = sandbox["connect_apps"]["analytics"]["sid"]
            .as_str()
            .unwrap()
            .to_owned();
        let owner_actor = format!("api:{OWNER_SID}");
        let bob_actor = format!("api:{bob}");

        // Created by no one in particular, in both main accounts' logs.
        for main in [OWNER_SID, bob.as_str()] {
            let log = audit_of(&s, main).await;
            assert_eq!(count(&log, "sandbox.create", "anonymous"), 1, "{log:?}");
            let created = log.iter().find(|(a, ..)| a == "sandbox.create").unwrap();
            assert_eq!(created.2.as_deref(), Some(sb.as_str()));
        }

        // Fault rules, added and cleared by the owner.
        let faults = path(&sandbox, "/Faults.json");
        let (status, body) = s
            .post(
                &owner_c,
                &faults,
                &[
                    ("Method", "POST"),
                    ("Path", "/2010-04-01/Accounts/*/Messages.json"),
                    ("Status", "503"),
                    ("Code", "20503"),
                    ("Count", "2"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, _) = s.call(Some(&owner_c), Method::DELETE, &faults, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        for main in [OWNER_SID, bob.as_str()] {
            let log = audit_of(&s, main).await;
            assert_eq!(count(&log, "sandbox.fault.add", &owner_actor), 1, "{log:?}");
            assert_eq!(
                count(&log, "sandbox.faults.clear", &owner_actor),
                1,
                "{log:?}"
            );
        }

        // Headless consent names who drove it, through which sandbox.
        let (status, body) = s
            .post(
                &owner_c,
                &path(&sandbox, "/Authorizations.json"),
                &[
                    ("ConnectAppSid", app_sid.as_str()),
                    ("Customer", bob.as_str()),
                    ("Decision", "deny"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let via = format!("{owner_actor} via sandbox:{sb}");
        assert_eq!(count(&audit_of(&s, &bob).await, "connect.deny", &via), 1);

        // Reset by bob: the world's own history goes, the sandbox's stays.
        let (status, body) = s.post(&bob_c, &path(&sandbox, "/Reset.json"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for main in [OWNER_SID, bob.as_str()] {
            let log = audit_of(&s, main).await;
            assert_eq!(count(&log, "sandbox.reset", &bob_actor), 1, "{log:?}");
            assert_eq!(count(&log, "sandbox.create", "anonymous"), 1, "{log:?}");
            assert_eq!(count(&log, "sandbox.fault.add", &owner_actor), 1, "{log:?}");
        }
        let log = audit_of(&s, &bob).await;
        assert_eq!(count(&log, "connect.deny", &via), 0, "{log:?}");
        // The seeded grant, made again by the reset.
        assert_eq!(count(&log, "connect.authorize", &bob_actor), 1, "{log:?}");

        // Deleted by the owner: the entry outlives the world.
        let (status, _) = s
            .call(
                Some(&owner_c),
                Method::DELETE,
                &path(&sandbox, ".json"),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        for main in [OWNER_SID, bob.as_str()] {
            let log = audit_of(&s, main).await;
            assert_eq!(count(&log, "sandbox.delete", &owner_actor), 1, "{log:?}");
            assert_eq!(
                log.last()
                    .map(|(a, _, subject)| (a.as_str(), subject.as_deref())),
                Some(("sandbox.delete", Some(sb.as_str()))),
                "{log:?}"
            );
            assert!(
                log.iter().all(|(a, ..)| a.starts_with("sandbox.")),
                "only the sandbox's own entries stay: {log:?}"
            );
        }

        // A refused change writes nothing: bob cannot reach a deleted sandbox.
        let (status, _) = s.post(&bob_c, &path(&sandbox, "/Reset.json"), &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            count(&audit_of(&s, &bob).await, "sandbox.reset", &bob_actor),
            1
        );
    }
);

// Issue 26's rows of an account (caller IDs, short codes, message feedback)
// go with its world: a reset and a delete clear them, and a short code is
// unique only within its world.
server_test!(
    a_reset_clears_caller_ids_short_codes_and_feedback,
    settings = sandbox_mode,
    |s| {
        use switchboard_domain::access::{Action, RequestTarget, Resource};
        use switchboard_domain::telephony::short_codes::NewShortCode;

        let seed = json!({"accounts": {"bob": {"type": "Full"}}});
        let sandbox = created(&s, &seed).await;
        let bob = creds(&sandbox["accounts"]["bob"]);
        let base = format!("/2010-04-01/Accounts/{}", bob.sid);
        let provision = |account: AccountSid| {
            let s = &s;
            async move {
                let access =
                    s.sb.operator_access(
                        RequestTarget::Account(&account),
                        Action::Write,
                        Resource::ShortCodeProvisioning,
                    )
                    .await
                    .unwrap();
                s.sb.short_codes()
                    .provision(
                        &access,
                        &NewShortCode {
                            short_code: "24680".into(),
                            ..NewShortCode::default()
                        },
                    )
                    .await
            }
        };
        provision(bob.sid.clone()).await.unwrap();
        // The same code in the default world is another short code.
        let outside = s.main_account(AccountType::Full).await;
        provision(outside.sid.clone()).await.unwrap();

        let (status, body) = s
            .post(
                &bob,
                &format!("{base}/OutgoingCallerIds.json"),
                &[("PhoneNumber", "+14155550123")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, sent) = s
            .post(
                &bob,
                &format!("{base}/Messages.json"),
                &[
                    ("From", "24680"),
                    ("To", "+14155550199"),
                    ("Body", "hi"),
                    ("ProvideFeedback", "true"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        // The verification ends on the instant clock.
        let mut verified = 0;
        for _ in 0..100 {
            let (_, ids) = s.get(&bob, &format!("{base}/OutgoingCallerIds.json")).await;
            verified = ids["outgoing_caller_ids"].as_array().unwrap().len();
            if verified == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(verified, 1);

        let (status, reset) = s.post(&bob, &path(&sandbox, "/Reset.json"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{reset}");
        for (list, key) in [
            ("/OutgoingCallerIds.json", "outgoing_caller_ids"),
            ("/SMS/ShortCodes.json", "short_codes"),
            ("/Messages.json", "messages"),
            ("/Calls.json", "calls"),
        ] {
            let (status, body) = s.get(&bob, &format!("{base}{list}")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body[key], json!([]), "{list}: {body}");
        }
        // The default world's short code stays.
        let (_, theirs) = s
            .get(
                &outside,
                &format!("/2010-04-01/Accounts/{}/SMS/ShortCodes.json", outside.sid),
            )
            .await;
        assert_eq!(theirs["short_codes"].as_array().unwrap().len(), 1);

        provision(bob.sid.clone()).await.unwrap();
        let (status, body) = s
            .call(Some(&bob), Method::DELETE, &path(&sandbox, ".json"), &[])
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
);
