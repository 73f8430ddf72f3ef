//! Revoking grants and the deauthorize callbacks they cause.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::delivery::signature::twilio_signature;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use crate::browser::Browser;
use crate::connect::{PASSWORD, authorize, customer};
use crate::receiver::{Received, Receiver};
use crate::server_test;
use crate::support::AsOperator;
use crate::support::{Creds, TestServer, assert_twilio_error, rand_id};

/// An app owner whose app calls `receiver` back with `method`.
pub async fn owner_with_callback(
    s: &TestServer,
    receiver: &Receiver,
    method: &str,
    path: &str,
) -> (Creds, String) {
    let owner = s.main_account(AccountType::Full).await;
    let app = app_with_callback(s, &owner, receiver, method, path).await;
    (owner, app)
}

/// A Connect App of `owner` that calls `receiver` back with `method`.
async fn app_with_callback(
    s: &TestServer,
    owner: &Creds,
    receiver: &Receiver,
    method: &str,
    path: &str,
) -> String {
    let (status, app) = s
        .post(
            owner,
            &format!("/2010-04-01/Accounts/{}/ConnectApps.json", owner.sid),
            &[
                ("FriendlyName", "Analytics"),
                ("CompanyName", "Rossum"),
                ("AuthorizeRedirectUrl", "https://app.example.com/authorize"),
                ("DeauthorizeCallbackUrl", &receiver.url(path)),
                ("DeauthorizeCallbackMethod", method),
                ("Permissions", "get-all"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    app["sid"].as_str().unwrap().to_owned()
}

pub async fn customer_creds(s: &TestServer, account: &AccountSid) -> Creds {
    let token =
        s.sb.reveal_token(&s.sb.read_account(account).await.unwrap())
            .unwrap();
    Creds {
        sid: account.clone(),
        token,
    }
}

/// Checks a received callback's signature the way Twilio's validators do.
pub fn assert_signed(r: &Received, receiver: &Receiver, token: &str) {
    let url = format!("http://{}{}", receiver.addr, r.path_and_query);
    let params = if r.method == "POST" {
        r.params()
    } else {
        Vec::new()
    };
    assert_eq!(
        r.header("x-twilio-signature"),
        twilio_signature(token, &url, &params),
        "signature of {r:?}"
    );
}

server_test!(
    a_customer_revoking_stops_the_app_at_once_and_calls_it_back,
    |s| {
        let receiver = Receiver::start().await;
        let (owner, app) =
            owner_with_callback(&s, &receiver, "POST", "/twilio/deauthorize?tenant=42").await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &app).await;
        let as_app = Creds {
            sid: sub.clone(),
            token: owner.token.clone(),
        };
        s.assert_alive(&as_app).await;

        let customer = customer_creds(&s, &c.account).await;
        let path = format!(
            "/2010-04-01/Accounts/{}/AuthorizedConnectApps/{app}.json",
            c.account
        );
        let (status, _) = s.call(Some(&customer), Method::DELETE, &path, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // The very next request is refused.
        let (status, body) = s.get(&as_app, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 401, 20003);
        let (status, body) = s.get(&customer, &path).await;
        assert_twilio_error(status, &body, 404, 20404);

        let got = receiver.wait_for(1, Duration::from_secs(10)).await;
        let hook = &got[0];
        assert_eq!(hook.method, "POST");
        assert_eq!(hook.path_and_query, "/twilio/deauthorize?tenant=42");
        assert_eq!(hook.param("AccountSid").as_deref(), Some(sub.as_str()));
        assert_eq!(hook.param("ConnectAppSid").as_deref(), Some(app.as_str()));
        assert!(
            hook.header("content-type")
                .starts_with("application/x-www-form-urlencoded")
        );
        assert!(!hook.header("i-twilio-idempotency-token").is_empty());
        assert_signed(hook, &receiver, &owner.token);

        // The subaccount and its data stay with the customer, and it is audited.
        assert_eq!(
            s.sb.read_account(&sub).await.unwrap().owner_account_sid,
            c.account
        );
        let log = s.sb.log_of(&c.account, &PageAt::First, 20).await.unwrap();
        assert!(log.items.iter().any(|e| e.action == "connect.revoke"));

        // The owner sees the delivery and its attempt.
        let deliveries = format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid);
        let list = wait_for_status(&s, &owner, &deliveries, "delivered").await;
        let d = &list["deliveries"][0];
        assert_eq!(d["kind"], "deauthorize");
        assert_eq!(d["attempts"], 1);
        let (_, one) = s.get(&owner, d["uri"].as_str().unwrap()).await;
        assert_eq!(one["attempt_log"][0]["response_code"], 200);
        assert_eq!(one["parameters"]["AccountSid"], sub.to_string());

        // Approving again reuses the subaccount.
        let again = authorize(&mut c.browser, &app).await;
        assert_eq!(again, sub);
        s.assert_alive(&as_app).await;
    }
);

pub async fn wait_for_status(s: &TestServer, owner: &Creds, path: &str, status: &str) -> Value {
    for _ in 0..200 {
        let (_, list) = s.get(owner, path).await;
        if list["deliveries"]
            .as_array()
            .is_some_and(|d| !d.is_empty() && d.iter().all(|x| x["status"] == status))
        {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("deliveries never all reached {status}");
}

server_test!(
    get_callbacks_carry_their_parameters_in_the_query_string,
    |s| {
        let receiver = Receiver::start().await;
        let (owner, app) = owner_with_callback(&s, &receiver, "GET", "/deauth?x=1").await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &app).await;
        s.sb.revoke_as_customer(&c.account, &app.parse().unwrap())
            .await
            .unwrap();
        let hook = &receiver.wait_for(1, Duration::from_secs(10)).await[0];
        assert_eq!(hook.method, "GET");
        assert!(hook.body.is_empty());
        assert!(
            hook.path_and_query.starts_with("/deauth?x=1&AccountSid="),
            "{}",
            hook.path_and_query
        );
        assert_eq!(hook.param("AccountSid").as_deref(), Some(sub.as_str()));
        assert_eq!(hook.param("ConnectAppSid").as_deref(), Some(app.as_str()));
        assert_signed(hook, &receiver, &owner.token);
    }
);

server_test!(
    a_failing_receiver_gets_one_success_with_one_idempotency_token,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_with(&[500, 503, 404]);
        let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
        let mut c = customer(&s, true).await;
        authorize(&mut c.browser, &app).await;
        s.sb.revoke_as_customer(&c.account, &app.parse().unwrap())
            .await
            .unwrap();
        let got = receiver.wait_for(4, Duration::from_secs(15)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got_after = receiver.received();
        assert_eq!(got_after.len(), 4, "no attempt after the success");
        let tokens: std::collections::BTreeSet<&str> = got
            .iter()
            .map(|r| r.header("i-twilio-idempotency-token"))
            .collect();
        assert_eq!(tokens.len(), 1, "one idempotency token for every retry");
        let list = wait_for_status(
            &s,
            &owner,
            &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
            "delivered",
        )
        .await;
        let (_, one) = s
            .get(&owner, list["deliveries"][0]["uri"].as_str().unwrap())
            .await;
        let codes: Vec<i64> = one["attempt_log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["response_code"].as_i64().unwrap())
            .collect();
        assert_eq!(codes, [500, 503, 404, 200]);
        assert_eq!(one["status"], "delivered");
        assert_eq!(one["attempts"], 4);
    }
);

server_test!(
    an_owner_can_revoke_one_customer_and_replay_a_delivery,
    |s| {
        let receiver = Receiver::start().await;
        let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &app).await;
        let path = format!(
            "/switchboard/v1/Accounts/{}/ConnectApps/{app}/Authorizations/{sub}.json",
            owner.sid
        );
        // Another owner cannot.
        let stranger = s.main_account(AccountType::Full).await;
        let (status, body) = s.call(Some(&stranger), Method::DELETE, &path, &[]).await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, _) = s.call(Some(&owner), Method::DELETE, &path, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let first = receiver.wait_for(1, Duration::from_secs(10)).await;
        let list = wait_for_status(
            &s,
            &owner,
            &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
            "delivered",
        )
        .await;
        let uri = list["deliveries"][0]["uri"].as_str().unwrap().to_owned();
        let replay = uri.replace(".json", "/Replay.json");
        let (status, replayed) = s.post(&owner, &replay, &[]).await;
        assert_eq!(status, StatusCode::OK, "{replayed}");
        let both = receiver.wait_for(2, Duration::from_secs(10)).await;
        assert_eq!(
            both[1].header("i-twilio-idempotency-token"),
            first[0].header("i-twilio-idempotency-token")
        );
        assert_eq!(both[1].param("AccountSid"), first[0].param("AccountSid"));
        // Revoking twice is "not found".
        let (status, body) = s.call(Some(&owner), Method::DELETE, &path, &[]).await;
        assert_twilio_error(status, &body, 404, 20404);
        // Deliveries are the owner's alone.
        let (status, body) = s.get(&stranger, &uri).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
);

server_test!(deleting_an_app_revokes_every_grant_with_callbacks, |s| {
    let receiver = Receiver::start().await;
    let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
    let mut a = customer(&s, true).await;
    let mut b = customer(&s, true).await;
    let sub_a = authorize(&mut a.browser, &app).await;
    let sub_b = authorize(&mut b.browser, &app).await;
    let (status, _) = s
        .call(
            Some(&owner),
            Method::DELETE,
            &format!("/2010-04-01/Accounts/{}/ConnectApps/{app}.json", owner.sid),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for sub in [&sub_a, &sub_b] {
        let (status, body) = s
            .get(
                &Creds {
                    sid: sub.clone(),
                    token: owner.token.clone(),
                },
                "/2010-04-01/Accounts.json",
            )
            .await;
        assert_twilio_error(status, &body, 401, 20003);
    }
    let got = receiver.wait_for(2, Duration::from_secs(10)).await;
    let mut subs: Vec<String> = got.iter().map(|r| r.param("AccountSid").unwrap()).collect();
    subs.sort();
    let mut want = vec![sub_a.to_string(), sub_b.to_string()];
    want.sort();
    assert_eq!(subs, want);
});

server_test!(customers_revoke_from_the_console_with_a_confirmation, |s| {
    let receiver = Receiver::start().await;
    let (_, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
    let mut c = customer(&s, true).await;
    authorize(&mut c.browser, &app).await;
    let list = c.browser.get("/console/authorized-apps").await;
    assert!(list.body.contains("Analytics") && list.body.contains("Revoke"));
    let confirm = c
        .browser
        .get(&format!("/console/authorized-apps/{app}/revoke"))
        .await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Revoke Analytics?"));
    // Without the session's token nothing happens.
    let forged = c
        .browser
        .post(
            &format!("/console/authorized-apps/{app}/revoke"),
            &[("csrf_token", "nope")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.sb.grants_of(&c.account, &PageAt::First, 5)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let done = c
        .browser
        .post(
            &format!("/console/authorized-apps/{app}/revoke"),
            &[("csrf_token", &confirm.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(
        s.sb.grants_of(&c.account, &PageAt::First, 5)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let after = c.browser.get(done.location()).await;
    assert!(after.body.contains("was revoked"));
});

server_test!(
    private_addresses,
    settings =
        |settings: &mut switchboard_domain::Settings| settings.callbacks.allow_private = false,
    |s| {
        let receiver = Receiver::start().await;
        let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
        let mut c = customer(&s, true).await;
        authorize(&mut c.browser, &app).await;
        s.sb.revoke_as_customer(&c.account, &app.parse().unwrap())
            .await
            .unwrap();
        let list = wait_for_status(
            &s,
            &owner,
            &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
            "refused",
        )
        .await;
        let d = &list["deliveries"][0];
        assert!(d["last_error"].as_str().unwrap().contains("refused"), "{d}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            receiver.received().is_empty(),
            "a private address was requested"
        );
    }
);

mod timeouts {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_receiver_counts_as_a_failure_and_is_retried() {
        let s = TestServer::start_with(switchboard_store::testing::TestDb::sqlite(), |settings| {
            settings.callbacks.timeout = Duration::from_millis(300);
        })
        .await;
        let receiver = Receiver::start().await;
        receiver.delay_answers(Duration::from_secs(2));
        let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
        let mut c = customer(&s, true).await;
        authorize(&mut c.browser, &app).await;
        s.sb.revoke_as_customer(&c.account, &app.parse().unwrap())
            .await
            .unwrap();
        receiver.wait_for(2, Duration::from_secs(10)).await;
        let (_, list) = s
            .get(
                &owner,
                &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
            )
            .await;
        let (_, one) = s
            .get(&owner, list["deliveries"][0]["uri"].as_str().unwrap())
            .await;
        let first = &one["attempt_log"][0];
        assert!(
            first["error"].as_str().unwrap().contains("timed out"),
            "{one}"
        );
    }
}

/// A customer authorized the app, revoked it (one deauthorize delivery,
/// delivered), and authorized it again; returns the delivery's URI.
async fn stale_deauthorize(
    s: &TestServer,
    owner: &Creds,
    receiver: &Receiver,
    app: &str,
) -> String {
    let mut c = customer(s, true).await;
    let sub = authorize(&mut c.browser, app).await;
    s.sb.revoke_as_customer(&c.account, &app.parse().unwrap())
        .await
        .unwrap();
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let list = wait_for_status(
        s,
        owner,
        &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
        "delivered",
    )
    .await;
    let again = authorize(&mut c.browser, app).await;
    assert_eq!(again, sub, "the same subaccount, active again");
    list["deliveries"][0]["uri"].as_str().unwrap().to_owned()
}

/// The delivery's attempts, and nothing more arrived at `receiver` than `sent`.
async fn assert_not_sent_again(
    s: &TestServer,
    owner: &Creds,
    receiver: &Receiver,
    uri: &str,
    sent: usize,
) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        sent,
        "the callback went out again"
    );
    let (_, one) = s.get(owner, uri).await;
    assert_eq!(one["status"], "delivered", "{one}");
    assert_eq!(one["attempts"], sent, "{one}");
}

server_test!(
    replaying_a_stale_deauthorize_through_the_api_needs_confirm_true,
    |s| {
        let receiver = Receiver::start().await;
        let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
        let uri = stale_deauthorize(&s, &owner, &receiver, &app).await;
        let replay = uri.replace(".json", "/Replay.json");
        for form in [&[][..], &[("Confirm", "false")][..]] {
            let (status, body) = s.post(&owner, &replay, form).await;
            assert_twilio_error(status, &body, 409, 20409);
            let message = body["message"].as_str().unwrap();
            assert!(message.contains("active again"), "{message}");
            assert!(message.contains("Confirm=true"), "{message}");
        }
        let (status, body) = s.post(&owner, &replay, &[("Confirm", "maybe")]).await;
        assert_twilio_error(status, &body, 400, 20001);
        assert_not_sent_again(&s, &owner, &receiver, &uri, 1).await;

        let (status, body) = s.post(&owner, &replay, &[("Confirm", "true")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let both = receiver.wait_for(2, Duration::from_secs(10)).await;
        assert_eq!(
            both[1].header("i-twilio-idempotency-token"),
            both[0].header("i-twilio-idempotency-token")
        );
    }
);

server_test!(
    the_console_confirms_every_replay_and_warns_when_the_grant_is_active_again,
    |s| {
        let receiver = Receiver::start().await;
        let email = format!("owner{}@example.com", rand_id());
        let created =
            s.sb.new_main_account(NewMainAccount {
                email: email.clone(),
                password: PASSWORD.into(),
                friendly_name: "Owner Co".into(),
                account_type: AccountType::Full,
            })
            .await
            .unwrap();
        let owner = Creds {
            sid: created.account.sid.clone(),
            token: created.auth_token.clone(),
        };
        let mut browser = Browser::new(&s);
        browser.sign_in(&email, PASSWORD, "/console").await;
        let app = app_with_callback(&s, &owner, &receiver, "POST", "/deauth").await;
        let uri = stale_deauthorize(&s, &owner, &receiver, &app).await;
        let sid = uri.rsplit('/').next().unwrap().trim_end_matches(".json");
        let page = format!("/console/deliveries/{sid}");

        // The delivery's page links to a confirmation; it replays nothing itself.
        let detail = browser.get(&page).await;
        assert!(detail.body.contains(&format!("href=\"{page}/replay\"")));
        let confirm = browser.get(&format!("{page}/replay")).await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(
            confirm.body.contains("grant is active again"),
            "{}",
            confirm.body
        );
        assert!(confirm.body.contains("will be told it is gone"));
        assert!(confirm.body.contains(">Replay anyway<"));
        assert_not_sent_again(&s, &owner, &receiver, &uri, 1).await;

        // A replay that skips the confirmation is sent to it, and sends nothing.
        let skipped = browser
            .post(
                &format!("{page}/replay"),
                &[("csrf_token", &confirm.csrf())],
            )
            .await;
        assert_eq!(skipped.status, StatusCode::SEE_OTHER);
        assert_eq!(skipped.location(), format!("{page}/replay"));
        // One confirmed without the warning (the page was opened while the
        // grant was revoked) is refused, and says why.
        let unwarned = browser
            .post(
                &format!("{page}/replay"),
                &[("csrf_token", &confirm.csrf()), ("confirmed", "1")],
            )
            .await;
        assert_eq!(unwarned.status, StatusCode::CONFLICT);
        assert!(unwarned.body.contains("grant is active again"));
        assert_not_sent_again(&s, &owner, &receiver, &uri, 1).await;

        // Confirming the warning sends it.
        let mut form = vec![("csrf_token".to_owned(), confirm.csrf())];
        for name in ["confirmed", "grant_active"] {
            form.extend(confirm.hidden(name).map(|v| (name.to_owned(), v)));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let done = browser.post(&format!("{page}/replay"), &form).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location(), format!("{page}?replayed=1"));
        receiver.wait_for(2, Duration::from_secs(10)).await;

        // A deauthorize whose grant is still revoked is confirmed too, plainly.
        let mut gone = customer(&s, true).await;
        authorize(&mut gone.browser, &app).await;
        s.sb.revoke_as_customer(&gone.account, &app.parse().unwrap())
            .await
            .unwrap();
        receiver.wait_for(3, Duration::from_secs(10)).await;
        let list = wait_for_status(
            &s,
            &owner,
            &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
            "delivered",
        )
        .await;
        let newest = list["deliveries"][0]["sid"].as_str().unwrap();
        assert_ne!(newest, sid);
        let confirm = browser
            .get(&format!("/console/deliveries/{newest}/replay"))
            .await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(!confirm.body.contains("grant is active again"));
        assert!(confirm.body.contains(">Replay callback<"));
        assert_eq!(confirm.hidden("grant_active"), None);
        let done = browser
            .post(
                &format!("/console/deliveries/{newest}/replay"),
                &[
                    ("csrf_token", &confirm.csrf()),
                    ("confirmed", &confirm.hidden("confirmed").unwrap()),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        receiver.wait_for(4, Duration::from_secs(10)).await;
    }
);
